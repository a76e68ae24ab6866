// The console's customers: finding one, and their file with what staff may
// do there (suspend or cancel a service, grant credit, refund an invoice,
// require two-step login).

import { $, details, el, money } from "../page.js";
import { actorOf, allows, attempt, call, fail, say } from "./console.js";
import { disputeLine } from "./disputes.js";

const customerPath = (id) => `/api/admin/customers/${encodeURIComponent(id)}`;

/// A form of `fields` ([name, label]) that POSTs them (amounts as numbers)
/// with `why`, then shows the customer again.
function moneyForm(label, path, customerId, fields, done) {
  const inputs = fields.map(([name, text]) => [name, el("input", { name, required: "", ...(name === "amount" ? { inputmode: "numeric" } : {}) }), text]);
  const form = el("form", { class: "card-form", "data-form": label }, ...inputs.map(([, input, text]) => el("label", {}, text, input)), el("button", { type: "submit" }, label));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const body = Object.fromEntries(inputs.map(([name, input]) => [name, name === "amount" ? Number(input.value) : input.value]));
    attempt(async () => {
      const answer = await call(path, { method: "POST", body: JSON.stringify(body) });
      await showCustomer(customerId);
      say(done(answer));
    });
  });
  return form;
}

/// Suspends an active service, or lifts its suspension, once staff say why.
function statusButton(customerId, service) {
  const to = service.status === "active" ? "suspended" : "active";
  const button = el("button", { type: "button", class: "secondary" }, to === "suspended" ? "Suspend" : "Lift the suspension");
  button.addEventListener("click", () => {
    const why = el("input", { name: "why", required: "", maxlength: "500" });
    const form = el("form", { class: "card-form" }, el("label", {}, "Why", why), el("button", { type: "submit" }, button.textContent));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      attempt(async () => {
        await call(`${customerPath(customerId)}/services/${encodeURIComponent(service.id)}/status`,
          { method: "PUT", body: JSON.stringify({ status: to, why: why.value }) });
        await showCustomer(customerId);
        say(`The service is ${to} now.`);
      });
    });
    button.replaceWith(form);
  });
  return button;
}

/// Cancels a service now, once staff confirm (with the customer, for one
/// whose domain points elsewhere).
function cancelButton(customerId, service) {
  const button = el("button", { type: "button", class: "secondary" }, "Cancel the service");
  button.addEventListener("click", () => {
    const confirm = el("button", { type: "button" }, `Confirm: cancel ${service.domain} now`);
    confirm.addEventListener("click", () => attempt(async () => {
      await call(`${customerPath(customerId)}/services/${encodeURIComponent(service.id)}/cancel`,
        { method: "POST", body: JSON.stringify({ when: "now" }) });
      await showCustomer(customerId);
      say(`${service.domain}: the service is cancelled and being torn down; its backup is kept.`);
    }));
    button.replaceWith(confirm);
  });
  return button;
}

function serviceRecord(customerId, service) {
  const actions = [];
  if (service.status !== "cancelled" && !service.ended_at) {
    actions.push(statusButton(customerId, service));
    if (allows("billing") && !service.cancel_at) actions.push(cancelButton(customerId, service));
  }
  const rows = [["Status", service.status], ["Next due", service.next_due], ["Price", money(service.price, service.currency)]];
  if (service.cancel_at) rows.push(["Ends on", service.cancel_at]);
  // The daily hosting check found the domain pointing to another host.
  if (service.elsewhere_since) rows.push(["Points elsewhere since", service.elsewhere_since]);
  return el("article", { class: "record", "data-service": service.id },
    el("h4", {}, `${service.plan_name} · ${service.domain}`),
    details(rows, "—"),
    el("p", { class: "actions" }, ...actions));
}

/// An invoice in the file; a paid one not wholly given back can be refunded by billing.
function invoiceItem(customerId, i) {
  const item = el("li", { "data-invoice": i.number }, `${i.number} — ${money(i.total, i.currency)} — ${i.status}${i.refunded ? `, ${money(i.refunded, i.currency)} given back` : ""} `,
    el("a", { href: `/api/admin/invoices/${encodeURIComponent(i.number)}/pdf`, "aria-label": `Invoice ${i.number} as PDF` }, "PDF"), " ");
  if (allows("billing") && i.status === "paid" && i.total > i.refunded) {
    const refund = el("button", { type: "button", class: "secondary" }, "Refund");
    refund.addEventListener("click", () => refund.replaceWith(moneyForm("Refund", `/api/admin/invoices/${encodeURIComponent(i.number)}/refund`, customerId,
      [["amount", "Amount (minor units)"], ["why", "Why"]], (after) => `Invoice ${after.number}: ${money(after.refunded, after.currency)} given back; credit note ${after.credit_note.number}.`)));
    item.append(refund);
  }
  return item;
}

/// Whether the customer uses two-step login, and a button that requires it
/// of them (sent to turn it on at their next login) or stops requiring it.
function twoStepLine(customerId, twoStep) {
  const state = twoStep.enabled ? "on" : twoStep.pending ? "being set up" : "off";
  const required = twoStep.required ? "; required by staff" : "";
  const button = el("button", { type: "button", class: "secondary", "data-action": "two-step" },
    twoStep.required ? "Stop requiring two-step login" : "Require two-step login");
  button.addEventListener("click", () => attempt(async () => {
    await call(`${customerPath(customerId)}/two-step`, { method: "PUT", body: JSON.stringify({ required: !twoStep.required }) });
    await showCustomer(customerId);
    say(twoStep.required ? "Two-step login is no longer required." : "Two-step login is required: the customer sets it up at their next login.");
  }));
  return el("p", { "data-two-step": state }, `Two-step login: ${state}${required}. `, button);
}

async function showCustomer(id) {
  const file = await call(customerPath(id));
  const c = file.customer;
  const services = file.services.map((service) => serviceRecord(c.id, service));
  $("customer-file").replaceChildren(
    el("h3", {}, `${c.name} <${c.email}>`),
    // An erased account shows placeholders; when it was erased says why.
    ...(c.erased_at ? [el("p", { class: "message", "data-erased": "" }, `Erased at the customer's request on ${c.erased_at}.`)] : []),
    details([["Customer id", c.id], ["Country", c.country], ["Since", c.created_at], ["Account credit", money(file.credit, "USD")]], "—"),
    twoStepLine(c.id, file.two_step),
    ...(allows("billing") ? [moneyForm("Grant credit", `${customerPath(c.id)}/credit`, c.id,
      [["amount", "Credit (minor units)"], ["why", "Why"]], (a) => `The credit is ${money(a.balance, "USD")} now.`)] : []),
    el("h4", {}, "Services"), ...(services.length ? services : [el("p", {}, "None.")]),
    el("h4", {}, "Domains"), el("ul", {}, ...file.domains.map((d) => el("li", {}, `${d.unicode} — ${d.status}`))),
    el("h4", {}, "Orders"), el("ul", {}, ...file.orders.map((o) => el("li", {}, `${o.id} — ${o.plan_name} · ${o.domain.unicode} — ${o.status}`))),
    el("h4", {}, "Invoices"), el("ul", {}, ...file.invoices.map((i) => invoiceItem(c.id, i))),
    ...(file.disputes.length ? [el("h4", {}, "Disputes"), el("ul", {}, ...file.disputes.map((d) => el("li", {}, disputeLine(d))))] : []),
    el("h4", {}, "Mail sent"), el("ul", {}, ...file.mail.map((m) => el("li", {}, `${m.sent_at} — ${m.subject}`))),
    el("h4", {}, "History"), el("ul", {}, ...file.audit.map((e) => el("li", {}, `${e.at} — ${e.action} by ${actorOf(e.actor)}: ${e.why}`))));
}

/// Lists the customers `path` finds, each opening their file.
async function listCustomers(path, none) {
  await attempt(async () => {
    const found = await call(path);
    $("customer-file").replaceChildren();
    $("customer-results").replaceChildren(...(found.length ? found.map((c) => {
      const open = el("button", { type: "button", class: "secondary" }, `${c.name} <${c.email}> · ${c.country}`);
      open.addEventListener("click", () => showCustomer(c.id).catch(fail));
      return el("p", {}, open);
    }) : [el("p", {}, none)]));
  });
}

async function searchCustomers(event) {
  event.preventDefault();
  const q = new FormData(event.target).get("q");
  await listCustomers(`/api/admin/customers?q=${encodeURIComponent(q)}`, "No customer found.");
}

export function setUpCustomers() {
  $("customer-search").addEventListener("submit", searchCustomers);
  $("unknown-countries").addEventListener("click", () =>
    listCustomers("/api/admin/reports/unknown-countries", "Every account's country is a country."));
}
