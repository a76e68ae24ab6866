// Country pickers: every <select> given to `fillCountries` lists the
// countries the shop takes (ISO 3166-1, from /api/countries) by name, so a
// customer picks "United Kingdom" and the server gets GB.
import { api } from "./api.js";

let countries;

/// Fills `select` with the countries, choosing `chosen` (a code) if given.
export async function fillCountries(select, chosen) {
  countries ??= api("/api/countries");
  const list = await countries;
  const keep = chosen ?? select.value;
  select.replaceChildren(new Option("Choose a country", ""), ...list.map((c) => new Option(c.name, c.code)));
  select.value = keep ?? "";
}
