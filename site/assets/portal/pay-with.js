// How a payment in the portal is made: with the saved card, or with a new
// card typed into the payment provider's own field (its card page), which
// shows while the saved card is not chosen and is mounted the first time.

import { cardField } from "../card-field.js";
import { el } from "../page.js";
import { savedCard } from "./payment-method.js";

/// The saved-card choice and the card field for paying `amount` in
/// `currency`; `chosen()` gives what the request's body adds: nothing for
/// the saved card, else the new card's `payment_method`.
export function payWith(amount, currency) {
  const useSaved = savedCard ? el("input", { type: "checkbox", name: "saved", checked: "" }) : null;
  const fields = el("div", { class: "card-field" });
  let card = null;
  const showFields = () => {
    fields.hidden = Boolean(useSaved?.checked);
    if (!fields.hidden) card ??= cardField(fields, { amount, currency });
  };
  useSaved?.addEventListener("change", showFields);
  // Mounted once the form is in the page.
  queueMicrotask(showFields);
  const choice = savedCard ? el("label", { class: "choice" }, useSaved, `Pay with my saved card ending ${savedCard.last4}`) : null;
  const chosen = async () => (useSaved?.checked ? {} : { payment_method: await (await card).paymentMethod() });
  return { elements: [choice, fields], chosen };
}
