// One toolbar for every staff list: its filters (status, kind, a date
// range, a search), its order (a column header's button, marked with
// aria-sort; a choice for lists shown as records), the next page ("More")
// and the whole list as CSV ("Download CSV"). The state lives in the
// address (`#/orders?status=on_hold&sort=oldest`), so back, reload and a
// shared link keep it. A list's `spec` names only what its API allows:
//   { area, api, name, toolbar, results: element ids; extra: fixed API
//     parameters; statuses, defaultStatus, statusId, statusWords(status),
//     kinds, kindLabel, kindWords(kind), dates, dateLabels ([from, to]),
//     search (its label), checks: [{ name, value, label }] (a list's own
//     filters, each a checkbox), submitLabel, formId, tableId; sorts (the
//     first is the API's default), sortLabels; columns: [{ label,
//     cell(item), sort: [ascending, descending] }] for a table, with
//     rowData(item) (the row's data-* attributes), or record(item) for
//     records; empty: what an empty list says }

import { $, el, words } from "../page.js";
import { attempt, call } from "./console.js";
import { address, go } from "./router.js";

// `limit` is kept from the address, though the toolbar does not offer it.
const STATE = ["status", "kind", "from", "to", "q", "sort", "limit"];

/// The list's state in the address's `params`.
export function listState(spec, params) {
  const state = {};
  const names = [...STATE, ...(spec.checks ?? []).map((check) => check.name)];
  for (const name of names) if (params.get(name)) state[name] = params.get(name);
  if (!state.status && spec.defaultStatus) state.status = spec.defaultStatus;
  return state;
}

/// The API's address of the list at `state`, with `more` (a cursor, a format).
function apiPath(spec, state, more = {}) {
  const query = new URLSearchParams({ ...(spec.extra ?? {}), ...state, ...more });
  if (query.get("status") === "any") query.delete("status");
  return `${spec.api}?${query}`;
}

/// Goes to the list at `state`, as a new step of the history.
function navigate(spec, state) {
  // The list's default order goes without saying.
  const kept = Object.fromEntries(Object.entries(state).filter(([name, value]) => value && !(name === "sort" && value === spec.sorts[0])));
  const params = { ...(spec.extra ?? {}), ...kept };
  // What was listed before goes at once: nothing stale is there to pick meanwhile.
  $(spec.results).replaceChildren();
  go(address(spec.area, null, params), () => attempt(() => showList(spec, new URLSearchParams(params))));
}

function choice(name, label, values, current, any, id, named = words) {
  const select = el("select", { name, ...(id ? { id } : {}) },
    el("option", { value: any }, "any"), ...values.map((value) => el("option", { value }, named(value))));
  select.value = current ?? any;
  return el("label", { class: "inline-field" }, `${label} `, select);
}

const field = (label, attributes) => el("label", { class: "inline-field" }, `${label} `, el("input", attributes));

function toolbar(spec, state) {
  const fields = [];
  if (spec.statuses) fields.push(choice("status", "Status", spec.statuses, state.status, spec.defaultStatus ? "any" : "", spec.statusId, spec.statusWords));
  if (spec.kinds) fields.push(choice("kind", spec.kindLabel ?? "Kind", spec.kinds, state.kind, "", null, spec.kindWords));
  if (spec.dates) {
    const [from, to] = spec.dateLabels ?? ["From", "To"];
    fields.push(field(from, { type: "date", name: "from", value: state.from ?? "" }), field(to, { type: "date", name: "to", value: state.to ?? "" }));
  }
  if (spec.search) fields.push(field(spec.search, { type: "search", name: "q", value: state.q ?? "", maxlength: "200" }));
  for (const check of spec.checks ?? []) {
    const box = el("input", { type: "checkbox", name: check.name, value: check.value });
    box.checked = state[check.name] === check.value;
    fields.push(el("label", { class: "inline-field" }, box, ` ${check.label}`));
  }
  if (spec.record && spec.sorts.length > 1) {
    const labels = spec.sortLabels ?? {};
    const select = el("select", { name: "sort" }, ...spec.sorts.map((value) => el("option", { value }, labels[value] ?? words(value))));
    select.value = state.sort ?? spec.sorts[0];
    fields.push(el("label", { class: "inline-field" }, "Order ", select));
  }
  const csv = el("a", { class: "button secondary", href: apiPath(spec, state, { format: "csv" }), download: "" }, "Download CSV");
  const form = el("form", { class: "list-toolbar", "aria-label": `Filter the ${spec.name}`, ...(spec.formId ? { id: spec.formId } : {}) }, ...fields,
    el("button", { type: "submit" }, spec.submitLabel ?? "Show"), csv);
  const submit = () => {
    const chosen = {};
    for (const [name, value] of new FormData(form)) chosen[name] = value.trim();
    chosen.sort ??= state.sort;
    chosen.limit ??= state.limit;
    navigate(spec, chosen);
  };
  form.addEventListener("change", (event) => event.target.name !== "q" && submit());
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });
  return form;
}

/// A column header: its button orders the list by it, one way then the other.
function header(spec, state, column) {
  if (!column.sort) return el("th", { scope: "col" }, column.label);
  const [up, down] = column.sort;
  const sort = state.sort ?? spec.sorts[0];
  const current = sort === up ? "ascending" : sort === down ? "descending" : "none";
  const button = el("button", { type: "button", class: "sort" }, column.label);
  button.addEventListener("click", () => navigate(spec, { ...state, sort: current === "ascending" ? down : up }));
  return el("th", { scope: "col", "aria-sort": current }, button);
}

const row = (spec, item) => el("tr", spec.rowData?.(item) ?? {}, ...spec.columns.map((column) => el("td", { "data-label": column.label }, column.cell(item))));

const shown = (spec, items) => (spec.record ? items.map(spec.record) : items.map((item) => row(spec, item)));

/// Draws the toolbar of the list `spec` at the state `params` give.
export function showToolbar(spec, params) {
  $(spec.toolbar).replaceChildren(toolbar(spec, listState(spec, params)));
}

/// Draws the list `spec` at the state the address's `params` give: its
/// toolbar, its first page, and "More" while pages follow.
export async function showList(spec, params) {
  const state = listState(spec, params);
  showToolbar(spec, params);
  const page = await call(apiPath(spec, state));
  const holder = spec.record ? el("div", { class: "records" }) : el("tbody");
  const results = spec.record ? holder
    : el("table", { class: "prices log list", ...(spec.tableId ? { id: spec.tableId } : {}) }, el("thead", {}, el("tr", {}, ...spec.columns.map((c) => header(spec, state, c)))), holder);
  const more = el("button", { type: "button", class: "secondary" }, "More");
  const grow = (listed) => {
    holder.append(...shown(spec, listed.items));
    more.hidden = !listed.next;
    more.dataset.next = listed.next ?? "";
  };
  more.addEventListener("click", () => attempt(async () => grow(await call(apiPath(spec, state, { cursor: more.dataset.next })))));
  grow(page);
  const empty = page.items.length ? [] : [el("p", {}, spec.empty)];
  $(spec.results).replaceChildren(...empty, ...(page.items.length ? [results] : []), el("p", { class: "actions" }, more));
}
