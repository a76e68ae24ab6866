// The console's places, each with its own address in the fragment, so that
// back, forward and reload keep one's place and a customer's or an order's
// view can be shared: `#/orders?status=on_hold`, `#/customers/<id>`,
// `#/audit?subject=order:<id>`. The static server serves only
// /admin/index.html (any other path is its 404 page), so the address stays
// in the fragment, which the History API keeps for each step.

import { $ } from "../page.js";
import { forgetNotes } from "./feedback.js";

/// The areas in the navigation, and the role each needs at least.
const AREAS = {
  dashboard: "support", orders: "support", customers: "support", invoices: "billing", disputes: "support",
  "dead-letters": "support", prospects: "support", sites: "support", "client-services": "support", pools: "support", tasks: "support",
  audit: "admin", mail: "admin", reports: "billing", me: "support",
};

/// Where the address points: `{ area, id, params }`.
export function place(hash = location.hash) {
  const [path, query = ""] = hash.replace(/^#\/?/, "").split("?");
  const [area = "", id = null] = path.split("/").map(decodeURIComponent);
  return { area: area || "dashboard", id, params: new URLSearchParams(query) };
}

/// The address of `area`, an item in it, and its parameters.
export function address(area, id = null, params = {}) {
  const query = new URLSearchParams(params).toString();
  return `#/${area}${id ? `/${encodeURIComponent(id)}` : ""}${query ? `?${query}` : ""}`;
}

/// Goes to `hash` as a new step of the history; to the same address, draws it again.
export function go(hash, draw) {
  if (location.hash === hash) return draw();
  location.hash = hash;
}

/// Whether `area` is one of the console's and the role allows it.
export const known = (area, allows) => area in AREAS && allows(AREAS[area]);

/// Shows the view `view` (a section's id) alone, marks `area` in the
/// navigation as the current one, and names the page after it.
export function showOnly(view, area, { focus }) {
  forgetNotes();
  for (const section of document.querySelectorAll("#console > section")) section.hidden = section.id !== view;
  for (const link of document.querySelectorAll("#console-nav a")) {
    if (link.dataset.area === area) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  const heading = $(view).querySelector("h1");
  document.title = `${heading.textContent} — Hostfront staff`;
  if (focus) heading.focus();
}

/// Names the view shown: its heading and the page's title.
export function titled(view, text) {
  $(view).querySelector("h1").textContent = text;
  document.title = `${text} — Hostfront staff`;
}
