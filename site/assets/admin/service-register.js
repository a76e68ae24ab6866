// A client site's services register on its page: each service with its
// kind, price per period in major units, last day and status, the moves
// its status allows (billing staff), the record of ours a service follows
// once linked (and the button that links it), and the form that adds one.

import { el, words } from "../page.js";
import { amountField, parseAmount } from "./amounts.js";
import { attempt, call } from "./console.js";
import { note, noteSlot } from "./feedback.js";
import { kindOf, moveButton, priceOf, servicePath, sitePath } from "./agency.js";
import { day, text } from "./words.js";

/// Each move of a service: from which statuses, its button, and what it says once made.
const MOVES = [
  { to: "active", from: ["pending"], label: "Activate", done: "Active." },
  { to: "suspended", from: ["active"], label: "Suspend", done: "Suspended." },
  { to: "active", from: ["suspended"], label: "Reactivate", done: "Active again." },
  { to: "expired", from: ["active"], label: "Mark expired", done: "Expired: renew it with its new last day." },
  { to: "active", from: ["expired"], label: "Renew", renews: true, done: "Renewed." },
  { to: "cancelled", from: ["pending", "active", "suspended", "expired"], label: "Cancel the service", asks: true, done: "Cancelled, for good." },
];

function serviceMoves(site, service, redraw) {
  const key = `client_service:${service.id}`;
  return MOVES.filter((move) => move.from.includes(service.status)).map((move) => {
    const lastDay = move.renews ? el("input", { type: "date", name: "expires_on", required: "" }) : null;
    return moveButton({
      label: move.label, key, redraw,
      fields: lastDay ? [{ label: "New last day", input: lastDay }] : [],
      asks: move.asks ? () => ({
        title: `Cancel ${service.name} of ${site.business_name}?`,
        text: `${service.name} (${priceOf(service)}) leaves the register's active services for good. This cannot be undone.`,
        go: "Cancel the service",
        keep: "Keep the service",
      }) : null,
      send: async (why) => {
        const body = { to: move.to, why, v: service.v, ...(lastDay ? { expires_on: lastDay.value } : {}) };
        const after = await call(`${servicePath(service)}/moves`, { method: "POST", body: JSON.stringify(body) });
        return `${service.name}: ${move.done}${after.expires_on && move.renews ? ` Its last day is ${text(day(after.expires_on))}.` : ""}`;
      },
    });
  });
}

/// The record a linked service follows, as a link to where staff see it: the customer's file.
function recordLink(site, service) {
  const [kind, ...rest] = service.provisioned.split(":");
  const name = kind === "domain" ? `the domain ${rest.join(":")}` : `the subscription ${rest.join(":")}`;
  const text = `${name} (its status and last day)`;
  return site.customer_id ? el("a", { href: `#/customers/${encodeURIComponent(site.customer_id)}`, "data-record": service.provisioned }, text) : text;
}

/// "Link to a record": one of the customer's subscriptions and domains, chosen; why, for the audit log.
function linkButton(service, records, redraw) {
  const choice = el("select", { name: "record" }, ...records.map((r) => option(r.value, r.text)));
  return moveButton({
    label: "Link to a record", key: `client_service:${service.id}`, redraw,
    fields: [{ label: "Its record", input: choice }],
    send: async (why) => {
      const body = { record: choice.value, why, v: service.v };
      await call(`${servicePath(service)}/link`, { method: "POST", body: JSON.stringify(body) });
      return `${service.name} now follows ${choice.selectedOptions[0].textContent}: its own billing bills it.`;
    },
  });
}

/// One service of the register; billing staff have its moves (none once its
/// site is cancelled), and link a tracked one to the customer's `records`.
/// A linked service shows its record's status and last day, and no moves of its own.
export function serviceRecord(site, service, { allows, records = [], redraw }) {
  const works = allows("billing") && site.status !== "cancelled";
  const linked = Boolean(service.provisioned);
  const moves = works && !linked ? serviceMoves(site, service, redraw) : [];
  const link = works && !linked && records.length ? [linkButton(service, records, redraw)] : [];
  return el("article", { class: "record", "data-client-service": service.id, "data-status": service.status },
    el("h3", {}, service.name),
    el("dl", { class: "details" },
      ...[["Kind", kindOf(service.service_type)], ["Price", priceOf(service)], ["Last day", day(service.expires_on)],
        ["Status", words(service.status)], ["Renews by itself", service.auto_renew ? "yes" : "no"],
        ...(linked ? [["Provided by", recordLink(site, service)]] : []),
        ...(service.provider ? [["Held at", service.provider]] : []), ...(service.notes ? [["Notes", service.notes]] : [])]
        .flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)])),
    el("p", { class: "actions" }, ...moves, ...link),
    noteSlot(`client_service:${service.id}`));
}

const option = (value, text, selected) => el("option", selected ? { value, selected: "" } : { value }, text);

/// The form's selects and boxes, but the price, which follows the currency.
function serviceFields(currency) {
  const kinds = ["website_maintenance", "hosting", "domain", "email", "ssl"].map((k) => option(k, kindOf(k)));
  return {
    type: el("select", { name: "service_type" }, ...kinds),
    name: el("input", { name: "name", required: "", maxlength: "120", autocomplete: "off", placeholder: "Monthly upkeep" }),
    period: el("select", { name: "period" }, option("monthly", "monthly", true), option("annual", "yearly"), option("one_time", "once")),
    currency: el("input", { name: "currency", required: "", value: currency, maxlength: "3", pattern: "[A-Za-z]{3}", autocomplete: "off" }),
    lastDay: el("input", { type: "date", name: "expires_on", required: "" }),
    autoRenew: el("input", { type: "checkbox", name: "auto_renew" }),
    provider: el("input", { name: "provider", maxlength: "120", autocomplete: "off" }),
    notes: el("textarea", { name: "notes", rows: "2", maxlength: "4000" }),
  };
}

/// The form that adds a service to `site`, its price typed in major units of the currency typed.
export function addServiceForm(site, currency, redraw) {
  const key = "add-service";
  const f = serviceFields(currency);
  let price = amountField("Price per period", currency);
  const slot = el("div", {}, price.field);
  // The price field names its currency and reads what is typed in it: it follows the currency.
  f.currency.addEventListener("change", () => {
    const typed = price.input.value;
    const code = f.currency.value.trim().toUpperCase();
    if (!/^[A-Z]{3}$/.test(code)) return;
    price = amountField("Price per period", code);
    price.input.value = typed;
    slot.replaceChildren(price.field);
  });
  f.period.addEventListener("change", () => f.lastDay.toggleAttribute("required", f.period.value !== "one_time"));
  const form = el("form", { class: "card-form", "data-form": "Add service", novalidate: "" },
    el("div", { class: "with-button" }, el("label", {}, "Kind", f.type), el("label", {}, "Name", f.name)),
    el("div", { class: "with-button" }, el("label", {}, "Billed", f.period), el("label", {}, "Currency", f.currency)),
    slot,
    el("label", {}, "Last day paid for", f.lastDay),
    el("label", { class: "choice" }, f.autoRenew, "Renews by itself"),
    el("label", {}, "Held at (registrar, issuer), if elsewhere", f.provider),
    el("label", {}, "Notes", f.notes),
    el("button", { type: "submit" }, "Add service"),
    noteSlot(key));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = f.currency.value.trim().toUpperCase();
    const { minor, error } = parseAmount(price.input.value, code);
    if (error) return note(key, error, true);
    if (f.period.value !== "one_time" && !f.lastDay.value) return note(key, "Give the last day it is paid for.", true);
    const body = {
      service_type: f.type.value, name: f.name.value, period: f.period.value, price: minor, currency: code,
      auto_renew: f.autoRenew.checked, notes: f.notes.value,
      ...(f.lastDay.value ? { expires_on: f.lastDay.value } : {}), ...(f.provider.value.trim() ? { provider: f.provider.value } : {}),
    };
    await attempt(async () => {
      const added = await call(`${sitePath(site.id)}/services`, { method: "POST", body: JSON.stringify(body) });
      await redraw();
      note(key, `${added.name} is in the register: ${priceOf(added)}.`);
    }, key);
  });
  return form;
}
