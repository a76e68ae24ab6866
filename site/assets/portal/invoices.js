// The portal's invoices, each linking to its printable page. An open invoice
// of a service suspended for not being paid can be paid here, with the
// saved card or a new one, and so can the one a mail asks to pay
// (`?pay=<number>`: its card's bank wants the holder); the billing run
// charges every other open one of a hosting service by itself. Every open
// invoice of a client site's service (the agency's maintenance, say) is
// paid here, the same way. A payment its bank asks the holder to confirm
// goes to the bank, which sends them back with `?confirmed=<number>`: the
// payment is finished then, and how it went is shown beside the invoice.

import { api, ApiError } from "../api.js";
import { STATUS, whatWasBought } from "../invoices.js";
import { $, capitalized, el, money, say } from "../page.js";
import { savedCard } from "./payment-method.js";
import { services, showServices } from "./services.js";
import { CardError } from "../card-field.js";
import { payWith } from "./pay-with.js";

export async function showInvoices() {
  const invoices = await api("/api/invoices");
  $("invoices").querySelector("tbody").replaceChildren(...invoices.map((invoice) => el("tr", { "data-invoice": invoice.number },
    el("td", {}, el("a", { href: `/invoice.html?number=${encodeURIComponent(invoice.number)}` }, invoice.number), " ",
      el("a", { href: `/api/invoices/${encodeURIComponent(invoice.number)}/pdf`, class: "pdf", "aria-label": `Invoice ${invoice.number} as PDF` }, "PDF")),
    el("td", {}, whatWasBought(invoice)),
    el("td", { class: "amount" }, money(invoice.total, invoice.currency)),
    el("td", { class: "invoice-status" }, STATUS[invoice.status], refundedPart(invoice), ...(payable(invoice) ? [" ", payButton(invoice)] : [])))));
}

// What was given back of an invoice, told by its credit notes.
function refundedPart(invoice) {
  return invoice.refunded && invoice.status !== "refunded" ? `, ${money(invoice.refunded, invoice.currency)} refunded` : "";
}

function payable(invoice) {
  if (invoice.status !== "open") return false;
  if (invoice.about.kind === "client_service") return invoice.total > 0;
  if (invoice.about.kind !== "period") return false;
  if (new URLSearchParams(location.search).get("pay") === invoice.number) return true;
  const service = services.find((s) => s.id === invoice.about.service_id);
  return service?.status === "suspended" && !service.ended_at;
}

/// "Pay now": opens a form to pay `invoice` with the saved card or a new
/// one, in a row of its own under the invoice's, as wide as the table.
function payButton(invoice) {
  const button = el("button", { type: "button", class: "secondary" }, "Pay now");
  button.addEventListener("click", () => {
    const card = payWith(invoice.total, invoice.currency);
    const form = el("form", { class: "card-form pay-invoice", "aria-label": `Pay invoice ${invoice.number}` }, ...card.elements, el("button", { type: "submit" }, `Pay ${money(invoice.total, invoice.currency)}`));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      payInvoice(invoice, form, card);
    });
    button.closest("tr").after(el("tr", { class: "pay-row", "data-pays": invoice.number }, el("td", { colspan: "4" }, form)));
    button.remove();
  });
  return button;
}

async function payInvoice(invoice, form, card) {
  const message = $("invoice-message");
  form.querySelector("button[type=submit]").disabled = true;
  try {
    const body = await card.chosen();
    const answer = await api(`/api/invoices/${encodeURIComponent(invoice.number)}/pay`, { method: "POST", body: JSON.stringify(body) });
    // The card's bank asks its holder to confirm: it sends them back here.
    if (answer.payment_action_url) {
      say(message, "Your bank asks you to confirm the payment; taking you there…");
      location.assign(answer.payment_action_url);
      return;
    }
    await showServices();
    await showInvoices();
    say(message, `Invoice ${invoice.number} is paid. Thank you.`);
  } catch (error) {
    if (!(error instanceof ApiError || error instanceof CardError)) throw error;
    form.querySelector("button[type=submit]").disabled = false;
    say(message, capitalized(error.message), true);
  }
}

/// Back from the bank (`?confirmed=<number>`): finishes that invoice's
/// payment; returns how it went, for `tellBeside`, or null when not back
/// from a bank. The invoice stays payable here should it not be paid.
export async function backFromBank() {
  const number = new URLSearchParams(location.search).get("confirmed");
  if (!number) return null;
  history.replaceState(null, "", `${location.pathname}?pay=${encodeURIComponent(number)}#invoices`);
  try {
    const answer = await confirmed(number);
    if (answer.payment_action_url) return { number, text: "Your bank has not confirmed the payment yet. Pay again to start over.", failed: true };
    return { number, text: `Invoice ${number} is paid. Thank you.`, failed: false };
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    return { number, text: capitalized(error.message), failed: true };
  }
}

/// Asks the server to finish the payment; while the provider's own word of
/// the bank's answer is finishing it at the same moment, asks again.
async function confirmed(number, tries = 5) {
  try {
    return await api(`/api/invoices/${encodeURIComponent(number)}/pay/confirm`, { method: "POST", body: "{}" });
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "payment_in_progress" && tries > 1)) throw error;
    await new Promise((done) => setTimeout(done, 1000));
    return confirmed(number, tries - 1);
  }
}

/// Shows how the payment the bank checked went, beside its invoice.
export function tellBeside(outcome) {
  say($("invoice-message"), outcome.text, outcome.failed);
  const row = [...document.querySelectorAll("#invoices tr[data-invoice]")].find((r) => r.dataset.invoice === outcome.number);
  row?.querySelector(".invoice-status").append(el("span", { class: outcome.failed ? "bank-outcome error" : "bank-outcome" }, outcome.text));
}
