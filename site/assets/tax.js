// Prices with their tax, as the invoice will charge them: for a signed-in
// customer by the terms of their account (`GET /api/account/tax`: the
// scheme, rate and country, and whether the catalog's prices include the
// tax), for a visitor with a note that tax is added per country at checkout.

import { api } from "./api.js";
import { money } from "./page.js";

let terms = null;

/// The signed-in customer's tax terms (asked once per page); null for a visitor.
export function taxTerms() {
  terms ??= api("/api/account/tax").catch(() => null);
  return terms;
}

/// The tax in `amount` (minor units) under `terms`, rounded half up as the
/// invoice rounds it: a share of a price without tax, or the part of a
/// price that includes it.
export function taxIn(amount, terms) {
  const rate = terms.rate_bps;
  if (terms.prices_include_tax) return Math.floor((amount * rate * 2 + 10000 + rate) / (2 * (10000 + rate)));
  return Math.floor((amount * rate + 5000) / 10000);
}

/// `amount` with the tax that comes with it, in words: "€10.00 + VAT 21 %
/// €2.10 = €12.10", "€10.00 incl. VAT 21 % (€1.74)", or why there is none.
export function withTax(amount, currency, terms, catalogIncludesTax = false) {
  const price = money(amount, currency);
  if (!terms) return catalogIncludesTax ? `${price} incl. tax` : `${price} + tax of your country, added at checkout`;
  if (terms.scheme === "reverse_charge") return `${price}, no VAT: reverse charge`;
  if (terms.scheme === "outside_scope") return `${price}, no VAT: outside the EU`;
  const name = terms.scheme === "flat" ? "tax" : "VAT";
  if (terms.rate_bps === 0) return `${price}, no ${name}`;
  const tax = taxIn(amount, terms);
  const rate = `${terms.rate_bps / 100} %`;
  if (terms.prices_include_tax) return `${price} incl. ${name} ${rate} (${money(tax, currency)})`;
  return `${price} + ${name} ${rate} ${money(tax, currency)} = ${money(amount + tax, currency)}`;
}

/// What an invoice's tax line is called, by the rule it was taxed under.
export function taxLabel(invoice) {
  const rate = `${invoice.tax_rate_bps / 100}%`;
  const taxation = invoice.taxation;
  const included = taxation?.prices_include_tax ? ", included" : "";
  switch (taxation?.scheme) {
    case "domestic":
    case "oss": return `VAT ${rate} (${taxation.country}${included})`;
    case "reverse_charge": return "VAT 0%: reverse charge";
    case "outside_scope": return "No VAT: outside the EU";
    default: return `Tax (${rate}${included})`;
  }
}
