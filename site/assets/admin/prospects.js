// The console's prospects (`#/prospects`, `#/prospects?status=qualified&sort=az&q=fl`):
// the leads with the lists' toolbar (newest first, or by business name from
// its header; a status, the days captured, the start of a name; CSV), the
// form that captures one, and a prospect's own page (`#/prospects/<id>`)
// with the moves its status allows (each asking why) and "Create a site
// from it", which makes the draft site once and opens it (asked again, it
// opens the same site).

import { $, el, formFields, words } from "../page.js";
import { attempt, call } from "./console.js";
import { showList } from "./list-toolbar.js";
import { address, titled } from "./router.js";
import { sayOnceDrawn } from "./site.js";
import { moveButton } from "./agency.js";
import { noteSlot } from "./feedback.js";
import { when } from "./words.js";

const prospectPath = (id) => `/api/admin/prospects/${encodeURIComponent(id)}`;

/// Each move by hand: the statuses it is made from, its button and what it says once made.
const MOVES = [
  { to: "qualified", from: ["new"], label: "Qualify", done: "Qualified: worth a proof of concept." },
  { to: "lost", from: ["new", "qualified"], label: "Mark lost", done: "Marked lost." },
  { to: "new", from: ["lost"], label: "Reopen", done: "Reopened: new again." },
];

function details(p) {
  const mail = el("a", { href: `mailto:${encodeURIComponent(p.email).replace("%40", "@")}` }, p.email);
  const rows = [
    ["Status", el("strong", { "data-prospect-status": p.status }, words(p.status))],
    ["Contact", el("span", {}, p.contact_name, el("br"), mail, ...(p.phone ? [el("br"), p.phone] : []))],
    ["Website", p.website ?? null], ["Source", p.source ?? null], ["Notes", p.notes || null],
    ["Captured", when(p.created_at)],
  ].filter(([, value]) => value !== null);
  return el("dl", { class: "details" }, ...rows.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
}

const PROSPECT_LIST = {
  area: "prospects", api: "/api/admin/prospects", name: "prospects",
  toolbar: "prospect-toolbar", results: "prospect-list", tableId: "prospect-table",
  statuses: ["new", "qualified", "converted", "lost"], statusId: "prospect-status",
  dates: true, dateLabels: ["Captured from", "to"], search: "Business name starts with",
  sorts: ["newest", "oldest", "az", "za"],
  columns: [
    { label: "Business", cell: (p) => el("a", { href: address("prospects", p.id) }, p.business_name), sort: ["az", "za"] },
    { label: "Status", cell: (p) => words(p.status) },
    { label: "Contact", cell: (p) => `${p.contact_name} <${p.email}>` },
    { label: "Source", cell: (p) => p.source ?? "—" },
    { label: "Captured", cell: (p) => when(p.created_at), sort: ["oldest", "newest"] },
  ],
  rowData: (p) => ({ "data-prospect": p.id }),
  empty: "No prospects here.",
};

/// The prospects the address asks for.
export const showProspects = (params) => showList(PROSPECT_LIST, params);

/// "Create a site from it": makes the draft site (or finds the one made) and opens it.
function siteButton(p) {
  const key = `prospect:${p.id}`;
  if (p.site_id) return el("a", { class: "button secondary", href: address("sites", p.site_id) }, "Open its site");
  if (p.status === "lost") return null;
  const button = el("button", { type: "button", class: "secondary" }, "Create a site from it");
  button.addEventListener("click", () => attempt(async () => {
    button.disabled = true;
    const site = await call(`/api/admin/sites/from-prospect/${encodeURIComponent(p.id)}`, { method: "POST" });
    sayOnceDrawn(site.id, `${site.business_name} is a draft site made from its prospect: build its proof of concept, then mark it ready.`);
    location.hash = address("sites", site.id);
  }, key));
  return button;
}

async function drawProspect(id) {
  const p = await call(prospectPath(id));
  titled("prospect", p.business_name);
  const redraw = () => drawProspect(id);
  const key = `prospect:${p.id}`;
  const moves = MOVES.filter((m) => m.from.includes(p.status)).map((m) => moveButton({
    label: m.label, key, redraw,
    send: async (why) => {
      await call(`${prospectPath(p.id)}/moves`, { method: "POST", body: JSON.stringify({ to: m.to, why, v: p.v }) });
      return m.done;
    },
  }));
  const site = siteButton(p);
  $("prospect-view").replaceChildren(
    el("p", { class: "actions" }, el("a", { href: address("prospects") }, "All prospects")),
    el("article", { class: "record", "data-prospect": p.id },
      details(p),
      el("p", { class: "actions" }, ...(site ? [site] : []), ...moves),
      noteSlot(key)));
}

/// The prospect `id`'s page.
export const showProspect = (id) => drawProspect(id);

export function setUpProspects() {
  $("prospect-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(Object.entries(formFields(event.target)).filter(([, value]) => value.trim()));
    attempt(async () => {
      const made = await call("/api/admin/prospects", { method: "POST", body: JSON.stringify(fields) });
      event.target.reset();
      location.hash = address("prospects", made.id);
    }, "prospect-form");
  });
}
