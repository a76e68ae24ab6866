// The account's identity on invoices: a company name and a postal address,
// saved with PUT /api/account/billing-address. Invoices issued from then on
// name the customer by them; earlier ones keep what they said.

import { api, ApiError } from "./api.js";
import { $, capitalized, formFields, messenger } from "./page.js";

const say = messenger("billing-address-message");

/// The form's fields as the API takes them: empty parts left out.
function identity(fields) {
  const text = (name) => (fields[name] ?? "").trim();
  const lines = [text("line1"), text("line2")].filter(Boolean);
  const anyAddress = lines.length || text("city") || text("postal_code") || text("region");
  return {
    ...(text("company") ? { company: text("company") } : {}),
    ...(anyAddress ? { address: { lines, city: text("city"), postal_code: text("postal_code"), ...(text("region") ? { region: text("region") } : {}) } } : {}),
  };
}

/// Fills the form from `customer` and saves it when sent.
export function showBillingAddress(customer) {
  const form = $("billing-address-form");
  const address = customer.address ?? { lines: [] };
  const values = { company: customer.company, line1: address.lines[0], line2: address.lines[1], city: address.city, postal_code: address.postal_code, region: address.region };
  for (const [name, value] of Object.entries(values)) form.elements[name].value = value ?? "";
  form.onsubmit = async (event) => {
    event.preventDefault();
    say("");
    try {
      await api("/api/account/billing-address", { method: "PUT", body: JSON.stringify(identity(formFields(form))) });
      say("Saved: your next invoices name you this way.");
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      say(capitalized(error.message) + ".", true);
    }
  };
}
