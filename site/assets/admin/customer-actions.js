// What staff may do in a customer's file: suspend or lift the suspension
// of a service, cancel it, grant credit, refund an invoice, require
// two-step login. Each asks first when it cannot simply be undone, then
// draws the file again and says what it did beside the action.

import { el } from "../page.js";
import { amountField, money, parseAmount } from "./amounts.js";
import { attempt, call } from "./console.js";
import { refreshCounts } from "./dashboard.js";
import { ask, note } from "./feedback.js";

export const customerPath = (id) => `/api/admin/customers/${encodeURIComponent(id)}`;

let redraw = async () => {};

/// How the file is drawn again after an action.
export function redrawWith(draw) {
  redraw = draw;
}

/// Makes the call `send`, draws the file again, and says `done(answer)` beside `key`.
async function act(key, send, done) {
  await attempt(async () => {
    const answer = await send();
    await redraw();
    note(key, done(answer));
    await refreshCounts();
  }, key);
}

const post = (path, body) => call(path, { method: "POST", body: JSON.stringify(body) });

/// A form of an amount in `currency` and why, sent as minor units; `confirming(minor)`
/// says what to ask first, if anything.
export function moneyForm({ label, field, currency, key, path, done, confirming = () => null }) {
  const amount = amountField(field, currency);
  const why = el("input", { name: "why", required: "", maxlength: "500" });
  // The amount is checked here, not by the browser, to say beside the form what is wrong with it.
  const form = el("form", { class: "card-form", "data-form": label, novalidate: "" }, amount.field, el("label", {}, "Why", why), el("button", { type: "submit" }, label));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { minor, error } = parseAmount(amount.input.value, currency);
    if (error) return note(key, error, true);
    const question = confirming(minor);
    if (question && !(await ask(question))) return;
    await act(key, () => post(path, { amount: minor, why: why.value }), (answer) => done(answer, minor));
  });
  return form;
}

/// Suspends an active service once staff say why and confirm, or lifts its suspension.
export function statusButton(customer, service) {
  const to = service.status === "active" ? "suspended" : "active";
  const label = to === "suspended" ? "Suspend" : "Lift the suspension";
  const key = `service:${service.id}`;
  const button = el("button", { type: "button", class: "secondary" }, label);
  button.addEventListener("click", () => {
    const why = el("input", { name: "why", required: "", maxlength: "500" });
    const form = el("form", { class: "card-form" }, el("label", {}, "Why", why), el("button", { type: "submit" }, label));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const question = {
        title: `Suspend ${service.plan_name} · ${service.domain}?`,
        text: `The site and mail of ${customer.name} stop at once, until staff lift the suspension.`,
        go: "Suspend",
      };
      if (to === "suspended" && !(await ask(question))) return;
      await act(key, () => call(`${customerPath(customer.id)}/services/${encodeURIComponent(service.id)}/status`,
        { method: "PUT", body: JSON.stringify({ status: to, why: why.value }) }),
      () => (to === "suspended" ? "Suspended: the site and mail are stopped." : "The suspension is lifted: the service is active again."));
    });
    button.replaceWith(form);
    why.focus();
  });
  return button;
}

/// Cancels a service now, once staff confirm (with the customer, for one
/// whose domain points elsewhere).
export function cancelButton(customer, service) {
  const button = el("button", { type: "button", class: "secondary" }, "Cancel the service");
  button.addEventListener("click", async () => {
    const sure = await ask({
      title: `Cancel ${service.plan_name} · ${service.domain} now?`,
      text: `The hosting of ${customer.name} is torn down now: the site and mail stop; a backup is kept. This cannot be undone.`,
      go: "Cancel the service now",
      keep: "Keep the service",
    });
    if (!sure) return;
    await act(`service:${service.id}`, () => post(`${customerPath(customer.id)}/services/${encodeURIComponent(service.id)}/cancel`, { when: "now" }),
      () => `${service.domain}: the service is cancelled and being torn down; its backup is kept.`);
  });
  return button;
}

/// A refund form for a paid invoice, asking first.
export function refundForm(customer, invoice) {
  return moneyForm({
    label: "Refund", field: "Amount", currency: invoice.currency, key: `invoice:${invoice.number}`,
    path: `/api/admin/invoices/${encodeURIComponent(invoice.number)}/refund`,
    confirming: (minor) => ({
      title: `Refund ${money(minor, invoice.currency)} of ${invoice.number}?`,
      text: `${money(minor, invoice.currency)} goes back to ${customer.name}'s card and a credit note is issued. This cannot be undone.`,
      go: `Refund ${money(minor, invoice.currency)}`,
    }),
    done: (after) => `Invoice ${after.number}: ${money(after.refunded, after.currency)} given back; credit note ${after.credit_note.number}.`,
  });
}

/// The form that grants account credit in the shop's currency.
export function creditForm(customer, currency) {
  return moneyForm({
    label: "Grant credit", field: "Credit", currency, key: "credit", path: `${customerPath(customer.id)}/credit`,
    done: (answer, minor) => `${money(minor, currency)} granted: the credit is ${money(answer.balance, currency)} now.`,
  });
}

/// Requires two-step login of the customer (they set it up at their next login), or stops requiring it.
export function twoStepButton(customer, twoStep) {
  const button = el("button", { type: "button", class: "secondary", "data-action": "two-step" },
    twoStep.required ? "Stop requiring two-step login" : "Require two-step login");
  button.addEventListener("click", () => act("two-step",
    () => call(`${customerPath(customer.id)}/two-step`, { method: "PUT", body: JSON.stringify({ required: !twoStep.required }) }),
    () => (twoStep.required ? "Two-step login is no longer required." : "Two-step login is required: the customer sets it up at their next login.")));
  return button;
}
