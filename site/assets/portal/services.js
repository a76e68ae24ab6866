// The portal's services: each with its status and its cancellation, and,
// while active, changes to its mailboxes, its other sites and its plan. An
// upgrade whose card's bank asks its holder to confirm goes to the bank,
// which sends them back with `?confirmed_upgrade=<service>`.

import { api, ApiError } from "../api.js";
import { $, capitalized, details, el, money, words } from "../page.js";
import { showDomains } from "./domains.js";
import { showInvoices } from "./invoices.js";
import { noCardWarning, savedCard } from "./payment-method.js";
import { taxTerms, withTax } from "../tax.js";
import { CardError } from "../card-field.js";
import { payWith } from "./pay-with.js";
import { kindLogins, mailboxesOf, panelRows, zoneRows } from "../hosting.js";
import { parseRecords, recordLine } from "../zone-lines.js";
import { keepingFocus, note, noteSlot } from "./notes.js";
import { confirmedOnReturn } from "./bank-return.js";
import { suspendedOnPanel, usageRows } from "../panel-state.js";

/// The services shown, so that invoices know which are suspended.
export let services = [];

export async function showServices() {
  services = await api("/api/services");
  const cards = services.length ? services.map(serviceCard) : [el("p", {}, "No services yet. ", el("a", { href: "/" }, "Find a domain"))];
  await keepingFocus(() => $("services").replaceChildren(...cards));
}

/// What a service's status means to its owner.
function serviceStatus(service) {
  if (service.status === "cancelled") return service.backup ? `cancelled; a backup is kept until ${service.backup.kept_until}` : "cancelled";
  if (service.ended_at) return "ended: being removed";
  if (suspendedOnPanel(service)) return "suspended by our team";
  return words(service.status);
}

/// A VPS, dedicated or managed server, whose mailboxes and sites are set up
/// on the server itself, not here; or a zone alone, which has none.
const onAServer = (service) => Boolean(service.hosting.vm || service.hosting.machine || service.zone);

function serviceCard(service) {
  const card = el("article", { class: "record", "data-service": service.id },
    el("h3", {}, `${service.plan_name} · ${service.domain}`),
    details([
      ["Status", serviceStatus(service)],
      ["Next due", `${service.next_due} (UTC)`],
      ["Price", `${money(service.price, service.currency)} ${service.cycle === "annual" ? "a year" : "a month"}`],
      ...panelRows(service.hosting.account),
      ...(onAServer(service) ? [] : [["Mailboxes", mailboxesOf(service.hosting).join(", ") || "none"]]),
      ...kindLogins(service.hosting),
      ...(service.zone ? zoneRows(service.zone, service.hosting.nameservers) : []),
      ...(service.hosting.mail_domain || onAServer(service) ? [] : [["Other sites", (service.sites ?? []).join(", ") || "none"]]),
      ...usageRows(service),
      ...(service.cancel_at && !service.ended_at && service.status !== "cancelled" ? [["Ends on", `${service.cancel_at} (UTC)`]] : []),
    ]));
  if (service.status === "cancelled" || service.ended_at) return card;
  if (!service.cancel_at) card.append(...noCardWarning("No card is saved to charge: this service's invoices will not be paid by themselves."));
  card.append(el("p", { class: "actions" }, cancelButton(service), ...cancelChoices(service), ...changeButtons(service)), noteSlot(service.id));
  return card;
}

/// Cancels the service at the end of its term, or withdraws that.
function cancelButton(service) {
  const path = `/api/services/${encodeURIComponent(service.id)}/cancel`;
  const act = async (options) => {
    try {
      await api(path, options);
      await showServices();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      note(service.id, capitalized(error.message), true);
    }
  };
  const button = service.cancel_at
    ? el("button", { type: "button", class: "secondary" }, "Withdraw the cancellation")
    : el("button", { type: "button", class: "secondary" }, "Cancel at the end of the term");
  button.addEventListener("click", () => {
    if (service.cancel_at) return act({ method: "DELETE" });
    const ask = `Cancel ${service.plan_name} for ${service.domain}? It ends on ${service.next_due} (UTC), at the end of the term paid for; its site and mail stop then.`;
    if (confirm(ask)) act({ method: "POST", body: JSON.stringify({ when: "end_of_term" }) });
  });
  return button;
}

/// The other ways to end a service: when its domain expires, or now; and
/// whether its domain, registered here, is kept, parked or left to lapse. A form that
/// says what stops, so nothing ends without a second look.
function cancelChoices(service) {
  if (service.cancel_at) return [];
  const open = el("button", { type: "button", class: "secondary" }, "Other ways to cancel");
  open.addEventListener("click", () => {
    const choice = (name, value, text, checked = false) =>
      el("label", { class: "choice" }, el("input", { type: "radio", name, value, ...(checked ? { checked: "" } : {}) }), ` ${text}`);
    const domain = service.domain;
    const form = el("form", { class: "card-form" },
      el("fieldset", {}, el("legend", {}, `End ${service.plan_name} for ${domain}`),
        choice("when", "domain_expiry", `When ${domain} expires (a domain registered with us)`, true),
        choice("when", "now", "Now, or as soon as the plan's notice allows")),
      el("fieldset", {}, el("legend", {}, `Then ${domain} itself`),
        choice("domain", "keep", `Keep ${domain} as it is`, true),
        choice("domain", "park", `Keep ${domain}, parked: a holding page and no mail`),
        choice("domain", "lapse", `Let ${domain} lapse: stop renewing it`)),
      el("p", { class: "hint" }, "Its site and mail stop when the service ends."),
      el("button", { type: "submit" }, "Cancel the service"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const data = new FormData(form);
      const body = { when: data.get("when"), domain: data.get("domain") };
      try {
        await api(`/api/services/${encodeURIComponent(service.id)}/cancel`, { method: "POST", body: JSON.stringify(body) });
        await Promise.all([showServices(), showDomains()]);
      } catch (error) {
        failed(service, error);
      }
    });
    open.replaceWith(form);
    form.querySelector("input").focus();
  });
  return [open];
}

function failed(service, error) {
  if (!(error instanceof ApiError || error instanceof CardError)) throw error;
  note(service.id, capitalized(error.message), true);
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
        note(service.id, `Your ${noun} are changed.`);
      } catch (error) {
        failed(service, error);
      }
    });
    open.replaceWith(form);
  });
  return open;
}

/// A button that offers the larger plans of the service's kind, charging
/// the difference to the saved card or a new one.
function upgradeButton(service) {
  const upgrade = el("button", { type: "button", class: "secondary" }, "Upgrade");
  upgrade.addEventListener("click", async () => {
    const catalog = await api("/api/catalog");
    const larger = catalog.plans.filter((p) => p.kind === service.plan_kind && (p.prices[service.cycle] ?? 0) > service.price);
    if (!larger.length) {
      note(service.id, "This is the largest plan of its kind.");
      return;
    }
    const plan = el("select", { name: "plan_id" }, ...larger.map((p) => el("option", { value: p.id }, `${p.name}, ${money(p.prices[service.cycle], catalog.currency)}`)));
    const terms = await taxTerms();
    const price = el("p", { class: "hint tax-note" });
    const showPrice = () => {
      const chosen = larger.find((p) => p.id === plan.value);
      price.textContent = `${chosen.name}: ${withTax(chosen.prices[service.cycle], catalog.currency, terms, catalog.prices_include_tax)} ${service.cycle === "annual" ? "a year" : "a month"}.`;
    };
    plan.addEventListener("change", showPrice);
    showPrice();
    const key = crypto.randomUUID();
    const card = payWith(larger[0].prices[service.cycle] - service.price, catalog.currency);
    const form = el("form", { class: "card-form" },
      el("label", {}, "Upgrade to", plan),
      price,
      el("p", { class: "hint" }, "The difference for the rest of this period, with its tax, is charged now."),
      ...card.elements,
      el("button", { type: "submit" }, "Upgrade now"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        const body = { plan_id: plan.value, ...(await card.chosen()) };
        const now = await api(`/api/services/${encodeURIComponent(service.id)}/upgrade`, { method: "POST", headers: { "idempotency-key": key }, body: JSON.stringify(body) });
        // The card's bank asks its holder to confirm: it sends them back here.
        if (now.payment_action_url) {
          note(service.id, "Your bank asks you to confirm the payment; taking you there…");
          location.assign(now.payment_action_url);
          return;
        }
        await Promise.all([showServices(), showInvoices()]);
        note(service.id, `Your service is on ${now.plan_name} now.`);
      } catch (error) {
        failed(service, error);
      }
    });
    upgrade.replaceWith(form);
  });
  return upgrade;
}

/// Back from the bank (`?confirmed_upgrade=<service>`): makes that
/// service's upgrade; how it went is for `tellUpgrade`.
export const upgradeBackFromBank = () =>
  confirmedOnReturn("confirmed_upgrade", (id) => `/api/services/${encodeURIComponent(id)}/upgrade/confirm`, "#services");

/// Shows beside its service how the upgrade the bank checked went.
export function tellUpgrade(outcome) {
  note(outcome.key, outcome.text ?? `Your service is on ${outcome.answer.plan_name} now.`, outcome.failed);
}

/// DNS hosting's records, edited one a line as when ordering.
function recordsEditor(service) {
  const open = el("button", { type: "button", class: "secondary" }, "Change records");
  open.addEventListener("click", () => {
    const lines = service.zone.records.map(recordLine).join("\n");
    const input = el("textarea", { name: "records", rows: "6", spellcheck: "false" }, lines);
    const form = el("form", { class: "card-form" },
      el("label", {}, "Records, one a line: name, time to live if not an hour, type, then value", input),
      el("button", { type: "submit" }, "Save records"));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await api(`/api/services/${encodeURIComponent(service.id)}/zone`, { method: "PUT", body: JSON.stringify({ records: parseRecords(input.value) }) });
        await showServices();
        note(service.id, "Your records are changed; our nameservers serve them within minutes.");
      } catch (error) {
        failed(service, error);
      }
    });
    open.replaceWith(form);
  });
  return open;
}

/// Mailbox, site and plan controls of an active service.
function changeButtons(service) {
  if (service.status === "active" && service.zone?.use === "primary") return [recordsEditor(service)];
  if (service.status !== "active" || onAServer(service)) return [];
  const mailboxes = listEditor(service, {
    field: "mailboxes", noun: "mailboxes", label: "Mailboxes, separated by commas",
    current: mailboxesOf(service.hosting),
  });
  // Email hosting serves no website, so it has no other sites.
  if (service.hosting.mail_domain) return [mailboxes, upgradeButton(service)];
  const sites = listEditor(service, {
    field: "sites", noun: "sites", label: `Other sites: names under ${service.domain} or domains you hold with us, separated by commas`,
    current: service.sites ?? [],
  });
  return [mailboxes, sites, upgradeButton(service)];
}
