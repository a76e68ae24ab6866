// The console's customers: finding one, and their file (its own address,
// `#/customers/<id>`), with what staff may do there (customer-actions.js).

import { $, details, el, words } from "../page.js";
import { currencyOfShop, money } from "./amounts.js";
import { allows, call, orderLink } from "./console.js";
import { cancelButton, creditForm, customerPath, redrawWith, refundForm, statusButton, twoStepButton } from "./customer-actions.js";
import { disputeLine } from "./disputes.js";
import { noteSlot } from "./feedback.js";
import { showList, showToolbar } from "./list-toolbar.js";
import { address, titled } from "./router.js";
import { day, sentenceOf, when } from "./words.js";
import { suspendedOnPanel, usageRows } from "../panel-state.js";

function serviceRecord(customer, service) {
  const actions = [];
  if (service.status !== "cancelled" && !service.ended_at) {
    actions.push(statusButton(customer, service));
    if (allows("billing") && !service.cancel_at) actions.push(cancelButton(customer, service));
  }
  const rows = [["Status", words(service.status)], ["Next due", day(service.next_due)], ["Price", money(service.price, service.currency)]];
  if (service.cancel_at) rows.push(["Ends on", day(service.cancel_at)]);
  // The daily hosting check found the domain pointing to another host.
  if (service.elsewhere_since) rows.push(["Points elsewhere since", when(service.elsewhere_since)]);
  rows.push(...panelRows(service));
  rows.push(["Service", el("small", { class: "id" }, service.id)]);
  return el("article", { class: "record", "data-service": service.id },
    el("h3", {}, `${service.plan_name} · ${service.domain}`),
    details(rows, "—"),
    el("p", { class: "actions" }, ...actions),
    noteSlot(`service:${service.id}`));
}

/// What the daily panel sync last read from the panel, where it differs from what was sold.
function panelRows(service) {
  const p = service.panel_state;
  if (!p) return [];
  const rows = [];
  if (suspendedOnPanel(service)) rows.push(["On the panel", "suspended by the panel's admins"]);
  else if (!p.suspended && service.status === "suspended" && !service.ended_at) rows.push(["On the panel", "not suspended there"]);
  if (p.plan_id !== service.plan_id) rows.push(["Panel package", `${p.plan_id} (sold: ${service.plan_id})`]);
  if (p.unknown_sites.length) rows.push(["Added in the panel", p.unknown_sites.join(", ")]);
  rows.push(...usageRows(service), ["Panel read", when(p.read_at)]);
  return rows;
}

/// An invoice in the file; a paid one not wholly given back can be refunded by billing.
function invoiceItem(customer, i) {
  const item = el("li", { "data-invoice": i.number },
    `${i.number} — ${money(i.total, i.currency)} — ${words(i.status)}${i.refunded ? `, ${money(i.refunded, i.currency)} given back` : ""} `,
    el("a", { href: `/api/admin/invoices/${encodeURIComponent(i.number)}/pdf`, "aria-label": `Invoice ${i.number} as PDF` }, "PDF"), " ");
  if (allows("billing") && i.status === "paid" && i.total > i.refunded) {
    const refund = el("button", { type: "button", class: "secondary" }, "Refund");
    refund.addEventListener("click", () => {
      const form = refundForm(customer, i);
      refund.replaceWith(form);
      form.querySelector("input").focus();
    });
    item.append(refund);
  }
  item.append(noteSlot(`invoice:${i.number}`));
  return item;
}

/// Whether the customer uses two-step login, and the button that requires it or stops requiring it.
function twoStepLine(customer, twoStep) {
  const state = twoStep.enabled ? "on" : twoStep.pending ? "being set up" : "off";
  const required = twoStep.required ? "; required by staff" : "";
  return el("div", {}, el("p", { "data-two-step": state }, `Two-step login: ${state}${required}. `, twoStepButton(customer, twoStep)), noteSlot("two-step"));
}

const list = (items, none = "None.") => (items.length ? el("ul", {}, ...items) : el("p", {}, none));

/// The customer `id`'s file.
/// A registrar account: its label, username and the domains under it.
function registrarAccountLine(account) {
  const domains = account.domains.length ? account.domains.join(", ") : "no domain yet";
  return el("li", { "data-registrar-account": account.id }, `${account.label} — ${account.username} at ${account.registrar}: ${domains}`);
}

export async function showCustomer(id) {
  const [file, currency, accounts] = await Promise.all([call(customerPath(id)), currencyOfShop(), call(`${customerPath(id)}/registrar-accounts`)]);
  const c = file.customer;
  redrawWith(() => showCustomer(id));
  titled("customer", c.name);
  const audit = allows("admin") ? [el("a", { href: address("audit", null, { customer: c.id }) }, "Their audit log")] : [];
  $("customer-file").replaceChildren(
    el("p", { class: "hint" }, `${c.email} · customer `, el("span", { class: "id" }, c.id)),
    // An erased account shows placeholders; when it was erased says why.
    ...(c.erased_at ? [el("p", { class: "message", "data-erased": "" }, "Erased at the customer's request ", when(c.erased_at), ".")] : []),
    details([["Country", c.country], ["Since", when(c.created_at)], ["Account credit", money(file.credit, currency)]], "—"),
    twoStepLine(c, file.two_step),
    ...(allows("billing") ? [creditForm(c, currency), noteSlot("credit")] : []),
    el("h2", {}, "Services"), ...(file.services.length ? file.services.map((service) => serviceRecord(c, service)) : [el("p", {}, "None.")]),
    el("h2", {}, "Domains"), list(file.domains.map((d) => el("li", {}, `${d.unicode} — ${words(d.status)}`))),
    ...(accounts.length ? [el("h2", {}, "Registrar accounts"), list(accounts.map(registrarAccountLine))] : []),
    el("h2", {}, "Orders"), list(file.orders.map((o) => el("li", {}, orderLink(o.id, `${o.plan_name} · ${o.domain.unicode}`), ` — ${words(o.status)}`))),
    el("h2", {}, "Invoices"), list(file.invoices.map((i) => invoiceItem(c, i))),
    ...(file.disputes.length ? [el("h2", {}, "Disputes"), list(file.disputes.map((d) => el("li", {}, disputeLine(d))))] : []),
    el("h2", {}, "Mail sent"), list(file.mail.map((m) => el("li", {}, when(m.sent_at), ` — ${m.subject}`))),
    el("h2", {}, "History"), list(file.audit.map((e) => el("li", {}, when(e.at), ` — ${sentenceOf(e, currency)}`))),
    el("p", { class: "actions" }, ...audit));
}

/// Customers by name; a search finds one by email, invoice number, domain or id.
const CUSTOMER_LIST = {
  area: "customers", api: "/api/admin/customers", name: "customers", toolbar: "customer-toolbar", results: "customer-results",
  formId: "customer-search", search: "Email, name, domain or invoice number", submitLabel: "Find", sorts: ["az", "za"],
  columns: [
    { label: "Name", cell: (c) => el("a", { href: address("customers", c.id) }, c.name), sort: ["az", "za"] },
    { label: "Email", cell: (c) => c.email },
    { label: "Country", cell: (c) => c.country },
    { label: "Customer since", cell: (c) => when(c.created_at) },
  ],
  empty: "No customer found.",
};

/// The customers the address asks for, or the accounts whose country is not one (`countries=unknown`).
export async function showCustomers(params) {
  if (params.get("countries") !== "unknown") return showList(CUSTOMER_LIST, params);
  showToolbar(CUSTOMER_LIST, new URLSearchParams());
  const found = await call("/api/admin/reports/unknown-countries");
  $("customer-results").replaceChildren(...(found.length ? found.map((c) => el("p", { class: "record" },
    el("a", { href: address("customers", c.id) }, c.name), ` <${c.email}> · ${c.country} · `, el("small", { class: "id" }, c.id))) : [el("p", {}, "Every account's country is a country.")]));
}
