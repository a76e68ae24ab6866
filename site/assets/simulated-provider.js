// The simulated payment provider's dashboard: its payments with what can be
// done to them at the provider (refund, dispute), its saved cards (the card
// updater), and the events it sends the shop, with how each delivery went.

import { api, ApiError } from "./api.js";
import { $, capitalized, el, money, messenger, words } from "./page.js";

const DASHBOARD = "/api/admin/simulated-provider";
const REASONS = ["fraudulent", "product_not_received", "product_unacceptable", "duplicate", "subscription_canceled", "general"];
const say = messenger("provider-message");

const change = (path, method, body) =>
  api(path, { method, body: JSON.stringify(body), headers: { "x-hostfront-console": "1" } });

const when = (unix) => new Date(unix * 1000).toISOString().replace(".000Z", " UTC").replace("T", " ");

/// Runs an action, says how it went and shows the dashboard again.
async function act(work, done) {
  try {
    await work();
    say(done);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    say(capitalized(error.message), true);
  }
  await show();
}

function labelled(text, input) {
  return el("label", {}, text, input);
}

function refundForm(payment) {
  const left = (payment.amount - payment.refunded) / 100;
  const amount = el("input", { type: "number", name: "amount", min: "0.01", step: "0.01", max: String(left), value: String(left), required: "" });
  const form = el("form", { class: "card-form" },
    labelled(`Amount to give back (${payment.currency})`, amount),
    el("button", { type: "submit" }, "Refund at the provider"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const minor = Math.round(Number(amount.value) * 100);
    act(() => change(`${DASHBOARD}/payments/${payment.id}/refunds`, "POST", { amount: minor }),
      `Gave back ${money(minor, payment.currency)} of ${payment.reference}; charge.refunded is on its way.`);
  });
  return form;
}

function disputeForm(payment) {
  const path = `${DASHBOARD}/payments/${payment.id}/dispute`;
  const dispute = payment.dispute;
  if (dispute && dispute.status !== "needs_response") return el("p", { class: "hint" }, `Dispute ${words(dispute.reason)}: ${dispute.status}.`);
  if (dispute) {
    const close = (outcome) => {
      const button = el("button", { type: "button", class: outcome === "won" ? "" : "secondary" }, `Close as ${outcome}`);
      button.addEventListener("click", () => act(() => change(`${path}/close`, "POST", { outcome }),
        `The dispute of ${payment.reference} is ${outcome}; charge.dispute.closed is on its way.`));
      return button;
    };
    return el("div", { class: "card-form" }, el("p", {}, `Disputed: ${words(dispute.reason)}, needs a response.`),
      el("div", { class: "actions" }, close("won"), close("lost")));
  }
  const reason = el("select", { name: "reason" }, ...REASONS.map((r) => el("option", { value: r }, words(r))));
  const form = el("form", { class: "card-form" }, labelled("The cardholder's reason", reason),
    el("button", { type: "submit", class: "danger" }, "Open a dispute"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(() => change(path, "POST", { reason: reason.value }),
      `The cardholder disputes ${payment.reference}; charge.dispute.created is on its way.`);
  });
  return form;
}

function paymentCard(payment) {
  const refunded = payment.refunded ? `, ${money(payment.refunded, payment.currency)} given back` : "";
  return el("article", { class: "provider-item", "data-payment": payment.id },
    el("h3", {}, `${payment.reference}: ${money(payment.amount, payment.currency)}${refunded}`),
    el("p", { class: "hint" }, `${payment.id} · card …${payment.card_last4} · ${when(payment.created)}`),
    payment.refunded < payment.amount ? refundForm(payment) : el("p", { class: "hint" }, "Given back in full."),
    disputeForm(payment));
}

function cardCard(card) {
  const month = el("input", { type: "number", name: "month", min: "1", max: "12", value: String(card.exp_month), required: "" });
  const year = el("input", { type: "number", name: "year", min: "2000", max: "9999", value: String(card.exp_year + 1), required: "" });
  const form = el("form", { class: "card-form" },
    el("div", { class: "with-button" }, labelled("Expiry month", month), labelled("Year", year)),
    el("button", { type: "submit" }, "Update the expiry (card updater)"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    act(() => change(`${DASHBOARD}/cards/${card.token}/expiry`, "PUT", { month: Number(month.value), year: Number(year.value) }),
      `The card …${card.last4} now expires ${month.value}/${year.value}; payment_method.automatically_updated is on its way.`);
  });
  return el("article", { class: "provider-item", "data-card": card.token },
    el("h3", {}, `${card.brand} …${card.last4}, expires ${String(card.exp_month).padStart(2, "0")}/${card.exp_year}`),
    form);
}

const tries = (n) => `${n} ${n === 1 ? "try" : "tries"}`;

function eventLine(event) {
  const next = event.state === "pending" && event.next_attempt ? `, next try ${when(event.next_attempt)}` : "";
  const error = event.last_error ? ` (last: ${event.last_error})` : "";
  return el("li", { "data-state": event.state },
    el("code", {}, event.type), ` about ${event.object}: ${event.state} after ${tries(event.attempts)}${next}${error}`);
}

async function show() {
  let dashboard;
  try {
    dashboard = await api(DASHBOARD);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    const why = {
      401: "Log in to the staff console first, as an admin; then come back here.",
      403: "Only admins use the provider's dashboard.",
      404: "A real payment provider takes this shop's payments: there is no simulated one.",
    }[error.status] ?? capitalized(error.message);
    return say(why, true);
  }
  const none = (text) => el("p", { class: "hint" }, text);
  $("payments").replaceChildren(...(dashboard.payments.length ? dashboard.payments.map(paymentCard) : [none("No payments yet.")]));
  $("cards").replaceChildren(...(dashboard.cards.length ? dashboard.cards.map(cardCard) : [none("No saved cards.")]));
  $("events").replaceChildren(...(dashboard.events.length ? dashboard.events.map(eventLine) : [el("li", {}, "No events yet.")]));
}

await show();
// Deliveries go on in the background: show how they went.
setInterval(() => { if (!document.querySelector(":focus")) show(); }, 5000);
