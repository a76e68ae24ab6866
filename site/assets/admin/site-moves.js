// The moves a client site's status allows, as buttons on its page: each
// asks why (the audit log keeps it); going live asks for the client's
// domain (the proposal is sent from its editor, `site-pitch.js`); suspending and
// cancelling ask first, naming what happens to the site's services, and
// need the billing role, as reactivating and recording an acceptance do.

import { el } from "../page.js";
import { call } from "./console.js";
import { moveButton, sitePath } from "./agency.js";

/// Each move: the statuses it is made from, its button, what else it
/// asks for, whether it needs the billing role, and what it says once made.
const MOVES = [
  { to: "poc_ready", from: ["draft"], label: "Mark proof of concept ready", done: "The proof of concept is ready to show." },
  { to: "accepted", from: ["proposal_sent"], label: "Record acceptance", billing: true, done: "Accepted: the client's account, order and services are made; the site can go live." },
  // Accepted, but the proposal's order was refused: staff try it again.
  {
    to: "accepted", from: ["accepted"], when: (site) => !site.pitch?.settled, label: "Place the proposal's order again", billing: true,
    done: "The proposal's order is placed and its services are made.",
  },
  {
    to: "live", from: ["accepted"], label: "Go live", done: (after) => `Live at ${after.live_domain}.`,
    field: () => ({ label: "The client's domain", name: "live_domain", input: el("input", { name: "live_domain", required: "", placeholder: "example.com", autocomplete: "off" }) }),
  },
  { to: "suspended", from: ["live"], label: "Suspend", billing: true, asks: true, done: "Suspended." },
  { to: "live", from: ["suspended"], label: "Reactivate", billing: true, done: "Reactivated: the site is live again." },
  {
    to: "cancelled", from: ["draft", "poc_ready", "proposal_sent", "accepted", "live", "suspended"],
    label: "Cancel the site", billing: true, asks: true, done: "Cancelled, for good.",
  },
];

const listed = (services) => services.map((s) => s.name).join(", ");

/// What suspending or cancelling asks first, naming what becomes of the services.
function question(site, services, to) {
  if (to === "suspended") {
    const active = services.filter((s) => s.status === "active");
    return {
      title: `Suspend ${site.business_name}?`,
      text: `${site.live_domain ?? "The site"} is taken down until it is reactivated. ${active.length
        ? `Its active services (${listed(active)}) are suspended with it, and come back when it is reactivated.` : "It has no active services."}`,
      go: "Suspend the site",
      keep: "Keep it live",
    };
  }
  const open = services.filter((s) => s.status !== "cancelled");
  return {
    title: `Cancel ${site.business_name} for good?`,
    text: `The site is cancelled${open.length ? `, and all its services (${listed(open)}) with it` : ""}. This cannot be undone.`,
    go: "Cancel the site",
    keep: "Keep the site",
  };
}

/// What the move changed in the services: "Monthly upkeep: active → suspended."
export function servicesChanged(before, after) {
  const was = new Map(before.map((s) => [s.id, s.status]));
  return after.filter((s) => was.get(s.id) && was.get(s.id) !== s.status)
    .map((s) => `${s.name}: ${was.get(s.id)} → ${s.status}.`).join(" ");
}

/// The buttons of the moves `site`'s status allows the staff member;
/// `redraw` draws the page again, and says what changed.
export function siteMoves({ site, services }, allows, redraw) {
  const key = `site:${site.id}`;
  const allowed = (move) => move.from.includes(site.status) && (!move.when || move.when(site)) && (!move.billing || allows("billing"));
  return MOVES.filter(allowed).map((move) => {
    const field = move.field?.();
    return moveButton({
      label: move.label, key, fields: field ? [field] : [],
      asks: move.asks ? () => question(site, services, move.to) : null,
      send: async (why) => {
        const body = { to: move.to, why, v: site.v, ...(field ? { [field.name]: field.input.value } : {}) };
        await call(`${sitePath(site.id)}/moves`, { method: "POST", body: JSON.stringify(body) });
        const after = await call(sitePath(site.id));
        const done = typeof move.done === "function" ? move.done(after.site) : move.done;
        const changed = servicesChanged(services, after.services);
        return `${done}${changed ? ` ${changed}` : ""}`;
      },
      redraw,
    });
  });
}
