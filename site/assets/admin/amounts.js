// Amounts as staff type and read them: in the currency's major units
// ("5.00" is five dollars, "500" is five hundred yen), while the API keeps
// integer minor units. Typed text becomes minor units exactly, digit by
// digit, never through a float.

import { api } from "../api.js";
import { el } from "../page.js";

/// How many digits the currency has after its decimal point: 2 for USD, 0 for JPY.
export function digitsOf(currency) {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
}

/// `minor` units of `currency` as the staff member's locale writes money.
export function money(minor, currency) {
  const digits = digitsOf(currency);
  return new Intl.NumberFormat(undefined, { style: "currency", currency, minimumFractionDigits: digits, maximumFractionDigits: digits })
    .format(minor / 10 ** digits);
}

/// The example an amount field shows: "1,234.50" in dollars, "1,234" in yen.
export const example = (currency) => (digitsOf(currency) ? `1,234.${"5".padEnd(digitsOf(currency), "0")}` : "1,234");

/// The text an amount field holds as minor units of `currency`:
/// `{ minor }`, or `{ error }` in words. Commas may group thousands
/// ("1,234.50"), a point starts the cents; nothing else is taken.
export function parseAmount(text, currency) {
  const digits = digitsOf(currency);
  const typed = text.trim();
  const shape = /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d*))?$/.exec(typed);
  const hint = `Type an amount in ${currency} such as ${example(currency)}.`;
  if (!typed) return { error: `Type an amount. ${hint}` };
  if (!shape) return { error: `“${typed}” is not an amount. ${hint}` };
  const fraction = shape[2] ?? "";
  if (shape[2] !== undefined && !fraction) return { error: `“${typed}” ends with a point. ${hint}` };
  if (fraction.length > digits) {
    return { error: digits ? `${currency} has ${digits} digits after the point at most. ${hint}` : `${currency} has no smaller unit: type a whole amount. ${hint}` };
  }
  const minor = BigInt(shape[1].replaceAll(",", "")) * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, "0") || "0");
  if (minor === 0n) return { error: "Type an amount above zero." };
  if (minor > BigInt(Number.MAX_SAFE_INTEGER)) return { error: "That amount is too large." };
  return { minor: Number(minor) };
}

/// An amount field for `currency`, labelled `label`: a decimal keyboard on
/// a phone, and what the typed amount means shown as it is typed.
let fields = 0;

export function amountField(label, currency) {
  const id = `amount-meaning-${++fields}`;
  const input = el("input", { name: "amount", inputmode: "decimal", autocomplete: "off", required: "", placeholder: example(currency), "aria-describedby": id });
  const meaning = el("span", { class: "hint amount-meaning", id, "aria-live": "polite" });
  input.addEventListener("input", () => {
    const { minor, error } = parseAmount(input.value, currency);
    input.setCustomValidity(input.value.trim() && error ? error : "");
    meaning.textContent = minor !== undefined ? `That is ${money(minor, currency)}.` : input.value.trim() ? error : "";
  });
  return { field: el("div", { class: "amount-field" }, el("label", {}, `${label} (${currency})`, input), meaning), input };
}

let shopCurrency = null;

/// The shop's currency, which credit is kept in.
export async function currencyOfShop() {
  shopCurrency ??= (await api("/api/catalog")).currency;
  return shopCurrency;
}
