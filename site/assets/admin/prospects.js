// The console's prospects (`#/prospects`, `#/prospects?status=qualified`):
// the leads newest first with "More", the form that captures one, and a
// prospect's own page (`#/prospects/<id>`) with the moves its status
// allows (each asking why) and "Create a site from it", which makes the
// draft site once and opens it (asked again, it opens the same site).

import { $, el, formFields, words } from "../page.js";
import { attempt, call, fail } from "./console.js";
import { address, go, titled } from "./router.js";
import { sayOnceDrawn } from "./site.js";
import { moveButton, moreButton } from "./agency.js";
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

function prospectRecord(p) {
  return el("article", { class: "record", "data-prospect": p.id },
    el("h2", {}, el("a", { href: address("prospects", p.id) }, p.business_name)),
    el("dl", { class: "details" },
      ...[["Status", words(p.status)], ["Contact", `${p.contact_name} <${p.email}>`], ...(p.source ? [["Source", p.source]] : []),
        ["Captured", when(p.created_at)]].flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)])));
}

async function prospectsPage(status, cursor) {
  const query = new URLSearchParams({ ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
  const page = await call(`/api/admin/prospects?${query}`);
  const list = $("prospect-list");
  list.append(...page.items.map(prospectRecord));
  if (!list.querySelector("[data-prospect]")) list.append(el("p", {}, status ? `No ${words(status)} prospects.` : "No prospects yet."));
  if (page.next) list.append(moreButton("prospects-more", page.next, (next) => prospectsPage(status, next)));
}

/// The first page of the prospects in `status` (all unless said).
export async function showProspects(params) {
  const status = params.get("status") ?? "";
  $("prospect-status").value = status;
  $("prospect-list").replaceChildren();
  await prospectsPage(status, null);
}

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
  const filter = $("prospect-status");
  filter.addEventListener("change", () => {
    const params = filter.value ? { status: filter.value } : {};
    go(address("prospects", null, params), () => showProspects(new URLSearchParams(params)).catch(fail));
  });
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
