// The account's VAT number: given, checked in the EU's register (VIES) by
// the API before it counts, and taken off. A business in another member
// state than the seller's is then invoiced under reverse charge.

import { api, ApiError } from "./api.js";
import { $, messenger, sentence } from "./page.js";

const say = messenger("vat-message");

/// What the account's VAT number is, in words.
function status(vat) {
  if (!vat) return "No VAT number: you are invoiced as a consumer, with VAT at your country's rate.";
  if (vat.status === "pending") {
    return `${vat.number} is waiting for the EU's VAT register, which cannot answer right now. Until it confirms the number, invoices carry VAT; once it does, that VAT is credited to your account.`;
  }
  const holder = vat.name ? ` (${vat.name})` : "";
  return `${vat.number}${holder} is confirmed by the EU's VAT register.`;
}

function show(vat) {
  $("vat-status").textContent = status(vat);
  $("vat-remove").hidden = !vat;
  $("vat-form").elements.vat_number.value = vat ? vat.number : "";
}

/// Shows the signed-in customer's VAT number and lets them change it.
export function showVatNumber(customer) {
  show(customer.vat ?? null);
}

$("vat-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("");
  const vatNumber = event.target.elements.vat_number.value.trim();
  try {
    const vat = await api("/api/account/vat-number", { method: "PUT", body: JSON.stringify({ vat_number: vatNumber }) });
    show(vat);
    say(vat.status === "valid" ? "Saved: invoices from now on are under reverse charge where it applies." : "Saved as pending: we ask the register again every hour.");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    say(sentence(error.message), true);
  }
});

$("vat-remove").addEventListener("click", async () => {
  say("");
  try {
    await api("/api/account/vat-number", { method: "DELETE" });
    show(null);
    say("Removed: you are invoiced as a consumer.");
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
    say(sentence(error.message), true);
  }
});
