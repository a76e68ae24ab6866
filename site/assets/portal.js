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

function serviceCard(service) {
  const card = el("article", { class: "record", "data-service": service.id },
    el("h3", {}, `${service.plan_name} · ${service.domain}`),
    details([
      ["Status", words(service.status)],
      ["Next due", service.next_due],
      ["Price", `${money(service.price, service.currency)} ${service.cycle === "annual" ? "a year" : "a month"}`],
      ["Control panel", el("a", { href: service.hosting.account.panel_url }, service.hosting.account.panel_url)],
      ["Mailboxes", (service.hosting.mail?.mailboxes ?? []).join(", ") || "none"],
      ...(service.cancel_at && service.status !== "cancelled" ? [["Ends on", service.cancel_at]] : []),
    ]));
  if (service.status === "cancelled") return card;
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

/// Mailbox and plan controls of an active service.
function changeButtons(service) {
  if (service.status !== "active") return [];
  const fail = (error) => {
    if (!(error instanceof ApiError)) throw error;
    $("service-message").textContent = error.message.charAt(0).toUpperCase() + error.message.slice(1);
  };
  const mailboxes = el("button", { type: "button", class: "secondary" }, "Change mailboxes");
  mailboxes.addEventListener("click", () => {
    const input = el("input", { name: "mailboxes", value: (service.hosting.mail?.mailboxes ?? []).join(", ") });
    const form = el("form", { class: "card-form" },
      el("label", {}, "Mailboxes, separated by commas", input),
      el("button", { type: "submit" }, "Save mailboxes"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const list = input.value.split(",").map((m) => m.trim()).filter(Boolean);
      try {
        await api(`/api/services/${encodeURIComponent(service.id)}/mailboxes`, { method: "PUT", body: JSON.stringify({ mailboxes: list }) });
        await showServices();
        $("service-message").textContent = "Your mailboxes are changed.";
      } catch (error) {
        fail(error);
      }
    });
    mailboxes.replaceWith(form);
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
        fail(error);
      }
    });
    upgrade.replaceWith(form);
  });
  return [mailboxes, upgrade];
}

async function showServices() {
  const services = await api("/api/services");
  $("services").replaceChildren(...(services.length ? services.map(serviceCard) : [el("p", {}, "No services yet. ", el("a", { href: "/" }, "Find a domain"))]));
}

async function showInvoices() {
  const invoices = await api("/api/invoices");
  $("invoices").querySelector("tbody").replaceChildren(...invoices.map((invoice) => el("tr", { "data-invoice": invoice.number },
    el("td", {}, el("a", { href: `/invoice.html?number=${encodeURIComponent(invoice.number)}` }, invoice.number)),
    el("td", {}, invoiceFor(invoice.about)),
    el("td", { class: "amount" }, money(invoice.total, invoice.currency)),
    el("td", { class: "invoice-status" }, STATUS[invoice.status]))));
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
  const lock = el("button", { type: "button", class: "secondary" }, domain.locked ? "Unlock for transfer" : "Lock");
  lock.addEventListener("click", () => act(async () => {
    const now = await api(path("lock"), { method: "PUT", body: JSON.stringify({ locked: !domain.locked }) });
    await showDomains();
    say(`${domain.unicode} is ${now.locked ? "locked" : "unlocked"}.`);
  }));
  const code = el("button", { type: "button", class: "secondary" }, "Show the auth code");
  code.addEventListener("click", () => act(async () => {
    const answer = await api(path("auth-code"), { method: "POST" });
    say(`The auth code of ${domain.unicode} is ${answer.auth_code}. Give it only to the registrar you move to.`);
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
  return [lock, code, nameservers];
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
  await Promise.all([showServices(), showDomains(), showInvoices()]);
}

start();
