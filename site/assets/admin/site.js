// A client site's own page (`#/sites/<id>`): its details, its status in
// words with the moves it allows, and its services register. A move draws
// the page again in place and says, beside it, what changed.

import { $, el } from "../page.js";
import { currencyOfShop } from "./amounts.js";
import { allows, call } from "./console.js";
import { note, noteSlot } from "./feedback.js";
import { address, titled } from "./router.js";
import { addServiceForm, serviceRecord } from "./service-register.js";
import { pitchSection } from "./site-pitch.js";
import { siteMoves } from "./site-moves.js";
import { knowSite, sitePath, siteStatus } from "./agency.js";
import { when } from "./words.js";

/// What to say on a site's page once it is drawn: the site just made.
let madeNow = null;

export function sayOnceDrawn(id, text) {
  madeNow = { id, text };
}

function siteDetails(site) {
  const rows = [
    ["Status", el("strong", { "data-site-status": site.status }, siteStatus(site.status))],
    ["Contact", el("span", {}, site.contact_name, el("br"), el("a", { href: `mailto:${encodeURIComponent(site.contact_email).replace("%40", "@")}` }, site.contact_email),
      ...(site.contact_phone ? [el("br"), site.contact_phone] : []))],
    ["Live at", site.live_domain ?? null], ["Live since", site.went_live_at ? when(site.went_live_at) : null],
    ["Proposal", site.proposal_notes || null], ["Internal notes", site.internal_notes || null],
    ["Made", when(site.created_at)], ["Site", el("small", { class: "id" }, site.id)],
  ].filter(([, value]) => value !== null);
  return el("dl", { class: "details" }, ...rows.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
}

/// The register: its services, soonest last day first, and (billing staff, a site not cancelled) the form that adds one.
function register(view, currency, redraw) {
  const { site, services } = view;
  const sorted = [...services].sort((a, b) => (a.expires_on ?? "9999").localeCompare(b.expires_on ?? "9999"));
  const adds = allows("billing") && site.status !== "cancelled";
  return [
    el("h2", {}, "Services"),
    ...(sorted.length ? sorted.map((s) => serviceRecord(site, s, { allows, redraw })) : [el("p", {}, "No services yet.")]),
    ...(adds ? [el("h3", {}, "Add service"), addServiceForm(site, currency, redraw)] : []),
  ];
}

/// Draws the site `id` with what it is now.
async function drawSite(id) {
  const [view, currency] = await Promise.all([call(sitePath(id)), currencyOfShop()]);
  const { site } = view;
  knowSite(site);
  const redraw = () => drawSite(id);
  titled("site", site.business_name);
  const audit = allows("admin") ? [el("a", { href: address("audit", null, { subject: `site:${site.id}` }) }, "Its audit log")] : [];
  $("site-view").replaceChildren(
    el("p", { class: "actions" }, el("a", { href: address("sites") }, "All client sites"), ...audit),
    el("article", { class: "record", "data-site": site.id },
      siteDetails(site),
      el("p", { class: "actions" }, ...siteMoves(view, allows, redraw)),
      noteSlot(`site:${site.id}`)),
    ...(await pitchSection(site, redraw)),
    ...register(view, currency, redraw));
}

/// The site `id`'s page.
export async function showSite(id) {
  await drawSite(id);
  if (madeNow?.id === id) note(`site:${id}`, madeNow.text);
  madeNow = null;
}
