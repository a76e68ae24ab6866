// The portal's payment method: the card saved with the account, which
// renewals, upgrades and the payment of an unpaid invoice use.

import { api, ApiError } from "../api.js";
import { CardError, cardField } from "../card-field.js";
import { $, capitalized, el, say } from "../page.js";

/// The saved card as last shown, or null; the other sections read it.
export let savedCard = null;

export async function showPaymentMethod() {
  savedCard = await api("/api/payment-method").catch(() => null);
  $("payment-method").textContent = savedCard
    ? `Card ending ${savedCard.last4}, expires ${String(savedCard.exp_month).padStart(2, "0")}/${savedCard.exp_year}. Domains that renew by themselves are charged to it.`
    : "No card is saved with your account: you enter your card each time you pay.";
  $("card-consent").hidden = !savedCard || Boolean(savedCard.consent);
  $("remove-card").hidden = !savedCard;
  $("card-form").querySelector("button").textContent = savedCard ? "Save another card instead" : "Save card";
}

/// The warning `text` on something charged by itself, while no card is saved to charge.
export function noCardWarning(text) {
  if (savedCard) return [];
  return [el("p", { class: "warning no-card" }, `${text} Save a card below, ticking "Use this card for renewals".`)];
}

/// Sets up saving, confirming and removing the card; `changed` runs after each.
export function setUpPaymentMethod(changed) {
  const form = $("card-form");
  const card = cardField($("save-card-field"));
  let key = crypto.randomUUID();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const message = $("card-message");
    form.querySelector("button").disabled = true;
    try {
      const field = await card;
      const paymentMethod = await field.paymentMethod();
      const consent = form.elements.consent.checked;
      await api("/api/payment-method", { method: "PUT", headers: { "idempotency-key": key }, body: JSON.stringify({ payment_method: paymentMethod, consent }) });
      key = crypto.randomUUID();
      field.reset();
      form.elements.consent.checked = false;
      await showPaymentMethod();
      await changed();
      say(message, "Your card is saved.");
    } catch (error) {
      if (!(error instanceof ApiError || error instanceof CardError)) throw error;
      say(message, capitalized(error.message), true);
    } finally {
      form.querySelector("button").disabled = false;
    }
  });
  $("confirm-card").addEventListener("click", async () => {
    await api("/api/payment-method/consent", { method: "POST" });
    await showPaymentMethod();
    $("card-message").textContent = "Your card is used for renewals.";
  });
  $("remove-card").addEventListener("click", async () => {
    await api("/api/payment-method", { method: "DELETE" });
    await showPaymentMethod();
    await changed();
    $("card-message").textContent = "Your card is removed.";
  });
}
