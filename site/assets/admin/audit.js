// The console's audit log (admins only): every action, by whom, on what,
// for whom, as sentences; looked up by subject, customer or member of
// staff, each lookup with its own address.

import { $, el } from "../page.js";
import { currencyOfShop } from "./amounts.js";
import { attempt, call, customerLink } from "./console.js";
import { address, go } from "./router.js";
import { sentenceOf, when } from "./words.js";

const FILTERS = ["subject", "customer", "staff"];

function entryRow(e, currency) {
  const whose = e.customer_id ? [el("span", { class: "hint whose" }, "Customer: ", customerLink(e.customer_id, e.customer_name))] : [];
  return el("tr", {}, el("td", {}, when(e.at)), el("td", {}, el("span", { class: "sentence" }, sentenceOf(e, currency)), ...whose), el("td", {}, e.client ?? ""));
}

/// The entries the address asks for (`subject=`, `customer=` or `staff=`).
export async function showAudit(params) {
  const by = FILTERS.find((name) => params.get(name));
  const rows = $("audit-table").querySelector("tbody");
  if (!by) return rows.replaceChildren();
  const form = $("audit-form");
  form.elements.by.value = by;
  form.elements.value.value = params.get(by);
  const [entries, currency] = await Promise.all([call(`/api/admin/audit?${by}=${encodeURIComponent(params.get(by))}`), currencyOfShop()]);
  rows.replaceChildren(...(entries.length ? entries.map((e) => entryRow(e, currency)) : [el("tr", {}, el("td", { colspan: "3" }, "Nothing recorded."))]));
}

export function setUpAudit() {
  $("audit-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const params = { [form.get("by")]: form.get("value").trim() };
    go(address("audit", null, params), () => attempt(() => showAudit(new URLSearchParams(params))));
  });
}
