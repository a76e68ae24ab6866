// The console's audit log (admins only): every action, by whom, on what,
// for whom, as sentences; looked up by subject, customer or member of
// staff, then listed with the lists' toolbar (days, an action's start,
// the order, more, CSV), each lookup with its own address.

import { $, el } from "../page.js";
import { currencyOfShop } from "./amounts.js";
import { attempt, customerLink } from "./console.js";
import { showList } from "./list-toolbar.js";
import { address, go } from "./router.js";
import { sentenceOf, when } from "./words.js";

const FILTERS = ["subject", "customer", "staff"];

function whatHappened(e, currency) {
  const whose = e.customer_id ? [el("span", { class: "hint whose" }, "Customer: ", customerLink(e.customer_id, e.customer_name))] : [];
  return el("span", {}, el("span", { class: "sentence" }, sentenceOf(e, currency)), ...whose);
}

/// The entries the address asks for (`subject=`, `customer=` or `staff=`).
export async function showAudit(params) {
  const by = FILTERS.find((name) => params.get(name));
  if (!by) return $("audit-results").replaceChildren();
  const form = $("audit-form");
  form.elements.by.value = by;
  form.elements.value.value = params.get(by);
  const currency = await currencyOfShop();
  await showList({
    area: "audit", api: "/api/admin/audit", name: "audit entries", toolbar: "audit-toolbar", results: "audit-results",
    extra: { [by]: params.get(by) }, tableId: "audit-table", dates: true, search: "Action starts with", sorts: ["newest", "oldest"],
    columns: [
      { label: "When", cell: (e) => when(e.at), sort: ["oldest", "newest"] },
      { label: "What happened", cell: (e) => whatHappened(e, currency) },
      { label: "From", cell: (e) => e.client ?? "" },
    ],
    empty: "Nothing recorded.",
  }, params);
}

export function setUpAudit() {
  $("audit-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const params = { [form.get("by")]: form.get("value").trim() };
    go(address("audit", null, params), () => attempt(() => showAudit(new URLSearchParams(params))));
  });
}
