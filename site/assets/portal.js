// The customer portal: services, domains (with renewal) and invoices.

import { api, ApiError, el, money } from "/assets/api.js";
import { STATUS, invoiceFor } from "/assets/invoices.js";

const $ = (id) => document.getElementById(id);
const day = (epoch) => new Date(epoch * 1000).toISOString().slice(0, 10);
const words = (status) => status.replaceAll("_", " ");

function say(text, isError = false) {
  $("domain-message").textContent = text;
  $("domain-message").classList.toggle("error", isError);
}

let savedCard = null;

function cardOf(fields) {
  return { number: fields.number, exp_month: Number(fields.exp_month), exp_year: Number(fields.exp_year), cvc: fields.cvc };
}

async function showPaymentMethod() {
  savedCard = await api("/api/payment-method").catch(() => null);
  $("payment-method").textContent = savedCard
    ? `Card ending ${savedCard.last4}, expires ${String(savedCard.exp_month).padStart(2, "0")}/${savedCard.exp_year}. Domains that renew by themselves are charged to it.`
    : "No card is saved with your account: you enter your card each time you pay.";
  $("remove-card").hidden = !savedCard;
  $("card-form").querySelector("button").textContent = savedCard ? "Save another card instead" : "Save card";
}

function setUpPaymentMethod() {
  const form = $("card-form");
  let key = crypto.randomUUID();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = $("card-message");
    try {
      await api("/api/payment-method", { method: "PUT", headers: { "idempotency-key": key }, body: JSON.stringify(cardOf(Object.fromEntries(new FormData(form).entries()))) });
      key = crypto.randomUUID();
      form.reset();
      await showPaymentMethod();
      message.textContent = "Your card is saved.";
      message.classList.remove("error");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      message.textContent = error.message.charAt(0).toUpperCase() + error.message.slice(1);
      message.classList.add("error");
    }
  });
  $("remove-card").addEventListener("click", async () => {
    await api("/api/payment-method", { method: "DELETE" });
    await showPaymentMethod();
    $("card-message").textContent = "Your card is removed.";
  });
}

function details(rows) {
  return el("dl", { class: "details" }, ...rows.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
}

/// What a service's status means to its owner.
function serviceStatus(service) {
  if (service.status === "cancelled") return service.backup ? `cancelled; a backup is kept until ${service.backup.kept_until}` : "cancelled";
  if (service.ended_at) return "ended: being removed";
  return words(service.status);
}

function serviceCard(service) {
  const card = el("article", { class: "record", "data-service": service.id },
    el("h3", {}, `${service.plan_name} · ${service.domain}`),
    details([
      ["Status", serviceStatus(service)],
      ["Next due", service.next_due],
      ["Price", `${money(service.price, service.currency)} ${service.cycle === "annual" ? "a year" : "a month"}`],
      ["Control panel", el("a", { href: service.hosting.account.panel_url }, service.hosting.account.panel_url)],
      ["Mailboxes", (service.hosting.mail?.mailboxes ?? []).join(", ") || "none"],
      ["Other sites", (service.sites ?? []).join(", ") || "none"],
      ...(service.cancel_at && !service.ended_at && service.status !== "cancelled" ? [["Ends on", service.cancel_at]] : []),
    ]));
  if (service.status === "cancelled" || service.ended_at) return card;
  const path = `/api/services/${encodeURIComponent(service.id)}/cancel`;
  const act = async (options) => {
    try {
      await api(path, options);
      await showServices();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      $("service-message").textContent = error.message;
    }
  };
  const button = service.cancel_at
    ? el("button", { type: "button", class: "secondary" }, "Withdraw the cancellation")
    : el("button", { type: "button", class: "secondary" }, "Cancel at the end of the term");
  button.addEventListener("click", () => act(service.cancel_at
    ? { method: "DELETE" }
    : { method: "POST", body: JSON.stringify({ when: "end_of_term" }) }));
  card.append(el("p", { class: "actions" }, button, ...changeButtons(service)));
  return card;
}

function failed(error) {
  if (!(error instanceof ApiError)) throw error;
  $("service-message").textContent = error.message.charAt(0).toUpperCase() + error.message.slice(1);
}

/// A button that opens a form to edit one of the service's lists (its
/// mailboxes, its sites) as text separated by commas.
function listEditor(service, { field, noun, label, current }) {
  const open = el("button", { type: "button", class: "secondary" }, `Change ${noun}`);
  open.addEventListener("click", () => {
    const input = el("input", { name: field, value: current.join(", ") });
    const form = el("form", { class: "card-form" },
      el("label", {}, label, input),
      el("button", { type: "submit" }, `Save ${noun}`));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const list = input.value.split(",").map((m) => m.trim()).filter(Boolean);
      try {
        await api(`/api/services/${encodeURIComponent(service.id)}/${field}`, { method: "PUT", body: JSON.stringify({ [field]: list }) });
        await showServices();
        $("service-message").textContent = `Your ${noun} are changed.`;
      } catch (error) {
        failed(error);
      }
    });
    open.replaceWith(form);
  });
  return open;
}

/// Mailbox, site and plan controls of an active service.
function changeButtons(service) {
  if (service.status !== "active") return [];
  const mailboxes = listEditor(service, {
    field: "mailboxes", noun: "mailboxes", label: "Mailboxes, separated by commas",
    current: service.hosting.mail?.mailboxes ?? [],
  });
  const sites = listEditor(service, {
    field: "sites", noun: "sites", label: `Other sites: names under ${service.domain} or domains you hold with us, separated by commas`,
    current: service.sites ?? [],
  });
  const upgrade = el("button", { type: "button", class: "secondary" }, "Upgrade");
  upgrade.addEventListener("click", async () => {
    const catalog = await api("/api/catalog");
    const larger = catalog.plans.filter((p) => p.kind === service.plan_kind && (p.prices[service.cycle] ?? 0) > service.price);
    if (!larger.length || !savedCard) {
      $("service-message").textContent = !larger.length ? "This is the largest plan of its kind." : "Save a card below to upgrade.";
      return;
    }
    const plan = el("select", { name: "plan_id" }, ...larger.map((p) => el("option", { value: p.id }, `${p.name}, ${money(p.prices[service.cycle], catalog.currency)}`)));
    const key = crypto.randomUUID();
    const form = el("form", { class: "card-form" },
      el("label", {}, "Upgrade to", plan),
      el("p", { class: "hint" }, `The difference for the rest of this period is charged now to your card ending ${savedCard.last4}.`),
      el("button", { type: "submit" }, "Upgrade now"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const now = await api(`/api/services/${encodeURIComponent(service.id)}/upgrade`, { method: "POST", headers: { "idempotency-key": key }, body: JSON.stringify({ plan_id: plan.value }) });
        await Promise.all([showServices(), showInvoices()]);
        $("service-message").textContent = `Your service is on ${now.plan_name} now.`;
      } catch (error) {
        failed(error);
      }
    });
    upgrade.replaceWith(form);
  });
  return [mailboxes, sites, upgrade];
}

/// The services shown, so that invoices know which are suspended.
let services = [];

async function showServices() {
  services = await api("/api/services");
  $("services").replaceChildren(...(services.length ? services.map(serviceCard) : [el("p", {}, "No services yet. ", el("a", { href: "/" }, "Find a domain"))]));
}

/// An open invoice of a service suspended for not being paid can be paid
/// here; the billing run charges every other open one by itself.
function payable(invoice) {
  if (invoice.status !== "open" || invoice.about.kind !== "period") return false;
  const service = services.find((s) => s.id === invoice.about.service_id);
  return service?.status === "suspended" && !service.ended_at;
}

function payButton(invoice) {
  const button = el("button", { type: "button", class: "secondary" }, "Pay now");
  button.addEventListener("click", async () => {
    const message = $("invoice-message");
    if (!savedCard) {
      message.textContent = "Save a card below, then pay.";
      return;
    }
    button.disabled = true;
    try {
      await api(`/api/invoices/${encodeURIComponent(invoice.number)}/pay`, { method: "POST", body: "{}" });
      await showServices();
      await showInvoices();
      message.textContent = `Invoice ${invoice.number} is paid. Thank you.`;
      message.classList.remove("error");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      button.disabled = false;
      message.textContent = error.message.charAt(0).toUpperCase() + error.message.slice(1);
      message.classList.add("error");
    }
  });
  return button;
}

async function showInvoices() {
  const invoices = await api("/api/invoices");
  $("invoices").querySelector("tbody").replaceChildren(...invoices.map((invoice) => el("tr", { "data-invoice": invoice.number },
    el("td", {}, el("a", { href: `/invoice.html?number=${encodeURIComponent(invoice.number)}` }, invoice.number)),
    el("td", {}, invoiceFor(invoice.about)),
    el("td", { class: "amount" }, money(invoice.total, invoice.currency)),
    el("td", { class: "invoice-status" }, STATUS[invoice.status], ...(payable(invoice) ? [" ", payButton(invoice)] : [])))));
}

function renewForm(domain, quote) {
  const years = el("select", { name: "years", id: `years-${domain.name}` },
    ...Array.from({ length: quote.max_years }, (_, i) => el("option", { value: String(i + 1) }, `${i + 1} ${i ? "years" : "year"}`)));
  const perYear = quote.lines[0].amount;
  const restore = quote.lines[1]?.amount ?? 0;
  const price = el("p", { class: "hint" });
  const showPrice = () => { price.textContent = `${money(perYear * Number(years.value) + restore, quote.currency)} before tax${restore ? ", with the restore fee" : ""}.`; };
  years.addEventListener("change", showPrice);
  showPrice();
  const field = (label, name, attributes) => el("label", {}, label, el("input", { name, required: "", ...attributes }));
  const cardFields = el("div", { class: "card-fields" },
    field("Card number", "number", { inputmode: "numeric", autocomplete: "cc-number" }),
    el("div", { class: "with-button" },
      field("Month", "exp_month", { inputmode: "numeric", autocomplete: "cc-exp-month", maxlength: "2" }),
      field("Year", "exp_year", { inputmode: "numeric", autocomplete: "cc-exp-year", maxlength: "4" }),
      field("CVC", "cvc", { inputmode: "numeric", autocomplete: "cc-csc", maxlength: "4" })));
  const useSaved = savedCard ? el("input", { type: "checkbox", name: "saved", checked: "" }) : null;
  const showCardFields = () => {
    const saved = Boolean(useSaved?.checked);
    cardFields.hidden = saved;
    for (const input of cardFields.querySelectorAll("input")) input.required = !saved;
  };
  useSaved?.addEventListener("change", showCardFields);
  showCardFields();
  const form = el("form", { class: "card-form renew-form" },
    el("label", { for: `years-${domain.name}` }, "Renew for"), years, price,
    savedCard ? el("label", { class: "choice" }, useSaved, `Pay with my saved card ending ${savedCard.last4}`) : null,
    cardFields,
    el("button", { type: "submit" }, "Renew"));
  // One key per renewal: a double click or a retry renews once.
  const key = crypto.randomUUID();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(form).entries());
    const body = { years: Number(fields.years), ...(fields.saved ? {} : { card: cardOf(fields) }) };
    form.querySelector("button").disabled = true;
    say("");
    try {
      const renewal = await api(`/api/domains/${encodeURIComponent(domain.name)}/renew`, { method: "POST", headers: { "idempotency-key": key }, body: JSON.stringify(body) });
      say(renewal.status_message);
      await waitForRenewal(domain);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      say(error.message.charAt(0).toUpperCase() + error.message.slice(1), true);
      form.querySelector("button").disabled = false;
    }
  });
  return form;
}

async function waitForRenewal(domain) {
  for (let i = 0; i < 60; i++) {
    const shown = await api(`/api/domains/${encodeURIComponent(domain.name)}`);
    if (shown.expires_at !== domain.expires_at) {
      await Promise.all([showDomains(), showInvoices()]);
      say(`${domain.unicode} is renewed until ${day(shown.expires_at)}.`);
      return;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  say("Your renewal is queued; the new expiry shows here once the registry has it.");
}

/// Lock, auth code and nameserver controls of a domain.
// A form in place of `button` that asks for `fields` and the account
// password again, then calls `send` with the values; the password never
// stays on the page.
function confirmForm(button, { fields = [], submit, send }) {
  const password = el("input", { name: "current_password", type: "password", autocomplete: "current-password", required: "" });
  const form = el("form", { class: "card-form" },
    ...fields,
    el("label", {}, "Your account password, to confirm", password),
    el("button", { type: "submit" }, submit));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const current = password.value;
    password.value = "";
    send(current);
  });
  button.replaceWith(form);
  password.focus();
}

function manageButtons(domain) {
  const path = (what) => `/api/domains/${encodeURIComponent(domain.name)}/${what}`;
  const act = async (work) => {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      say(error.message.charAt(0).toUpperCase() + error.message.slice(1), true);
    }
  };
  const setLock = (locked, current_password) => act(async () => {
    const now = await api(path("lock"), { method: "PUT", body: JSON.stringify({ locked, current_password }) });
    await showDomains();
    say(`${domain.unicode} is ${now.locked ? "locked" : "unlocked"}.`);
  });
  const lock = el("button", { type: "button", class: "secondary" }, domain.locked ? "Unlock for transfer" : "Lock");
  lock.addEventListener("click", () => (domain.locked
    ? confirmForm(lock, { submit: "Unlock for transfer", send: (password) => setLock(false, password) })
    : setLock(true)));
  const code = el("button", { type: "button", class: "secondary" }, "Show the auth code");
  code.addEventListener("click", () => confirmForm(code, {
    submit: "Show the auth code",
    send: (current_password) => act(async () => {
      const answer = await api(path("auth-code"), { method: "POST", body: JSON.stringify({ current_password }) });
      say(`The auth code of ${domain.unicode} is ${answer.auth_code}. Give it only to the registrar you move to.`);
    }),
  }));
  const registrant = el("button", { type: "button", class: "secondary" }, "Change the registrant");
  registrant.addEventListener("click", () => {
    const name = el("input", { name: "name", required: "", maxlength: "100", value: domain.registrant?.name ?? "" });
    const email = el("input", { name: "email", type: "email", required: "", value: domain.registrant?.email ?? "" });
    const optOut = el("input", { name: "opt_out_transfer_lock", type: "checkbox" });
    confirmForm(registrant, {
      fields: [
        el("label", {}, "Registrant's name", name),
        el("label", {}, "Registrant's email", email),
        el("label", {}, optOut, " The new registrant does not want the 60-day lock against transfers that follows the change"),
      ],
      submit: "Change the registrant",
      send: (current_password) => act(async () => {
        const body = { name: name.value, email: email.value, current_password, opt_out_transfer_lock: optOut.checked };
        const now = await api(path("registrant"), { method: "PUT", body: JSON.stringify(body) });
        await showDomains();
        say(now.transfer_lock_until
          ? `The registrant of ${domain.unicode} is changed; it cannot move to another registrar until ${day(now.transfer_lock_until)} (UTC).`
          : `The registrant of ${domain.unicode} is changed.`);
      }),
    });
  });
  const refresh = el("button", { type: "button", class: "secondary" }, "Ask the registry again");
  refresh.addEventListener("click", () => act(async () => {
    await api(path("refresh"), { method: "POST" });
    await showDomains();
    say(`${domain.unicode} is as the registry says now.`);
  }));
  const nameservers = el("button", { type: "button", class: "secondary" }, "Change nameservers");
  nameservers.addEventListener("click", () => {
    const input = el("input", { name: "nameservers", value: domain.nameservers.join(", "), required: "" });
    const form = el("form", { class: "card-form" },
      el("label", {}, "Nameservers, separated by commas", input),
      el("button", { type: "submit" }, "Save nameservers"));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      act(async () => {
        const list = input.value.split(",").map((n) => n.trim()).filter(Boolean);
        await api(path("nameservers"), { method: "PUT", body: JSON.stringify({ nameservers: list }) });
        await showDomains();
        say(`The nameservers of ${domain.unicode} are changed.`);
      });
    });
    nameservers.replaceWith(form);
  });
  return [lock, code, registrant, nameservers, refresh];
}

async function showDomain(domain) {
  const card = el("article", { class: "record", "data-domain": domain.name },
    el("h3", {}, domain.unicode),
    details([
      ["Status", words(domain.status)],
      ["Expires", domain.expires_at ? day(domain.expires_at) : "once the transfer completes"],
      ["Auto-renew", domain.auto_renew ? "on" : "off"],
      ["Nameservers", domain.nameservers.join(", ")],
      ["Transfer lock", domain.locked ? "locked" : "unlocked"],
      ...(domain.transfer_lock_until && domain.transfer_lock_until * 1000 > Date.now()
        ? [["No transfer before", `${day(domain.transfer_lock_until)} (UTC), after its change of registrant`]]
        : []),
    ]));
  const toggle = el("button", { type: "button", class: "secondary auto-renew" }, domain.auto_renew ? "Turn auto-renew off" : "Turn auto-renew on");
  toggle.addEventListener("click", async () => {
    toggle.disabled = true;
    const now = await api(`/api/domains/${encodeURIComponent(domain.name)}/auto-renew`, { method: "PUT", body: JSON.stringify({ enabled: !domain.auto_renew }) });
    await showDomains();
    say(`Auto-renew of ${domain.unicode} is ${now.auto_renew ? "on" : "off"}.`);
  });
  const button = el("button", { type: "button", class: "secondary" }, "Renew");
  button.addEventListener("click", async () => {
    button.disabled = true;
    const shown = await api(`/api/domains/${encodeURIComponent(domain.name)}`);
    if (shown.renewal_quote) {
      card.append(renewForm(domain, shown.renewal_quote));
      button.hidden = true;
    } else {
      say(shown.not_renewable ?? "This domain cannot be renewed right now.", true);
      button.disabled = false;
    }
  });
  card.append(el("p", { class: "actions" }, button, toggle, ...manageButtons(domain)));
  return card;
}

async function showDomains() {
  const domains = await api("/api/domains");
  $("domain-list").replaceChildren(...(domains.length
    ? await Promise.all(domains.map(showDomain))
    : [el("p", {}, "No domains registered with us yet.")]));
}

async function start() {
  try {
    await api("/api/me");
  } catch {
    $("portal-login").hidden = false;
    return;
  }
  $("portal").hidden = false;
  setUpPaymentMethod();
  await showPaymentMethod();
  await Promise.all([showServices(), showDomains()]);
  await showInvoices();
}

start();
