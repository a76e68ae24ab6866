// A client site's own page (`#/sites/<id>`): its details, its status in
// words with the moves it allows, what going live needs (the TXT proof of
// a domain registered elsewhere), and its services register. A move draws
// the page again in place and says, beside it, what changed.

import { $, el } from "../page.js";
import { currencyOfShop } from "./amounts.js";
import { allows, call, customerLink } from "./console.js";
import { note, noteSlot } from "./feedback.js";
import { address, titled } from "./router.js";
import { addServiceForm, serviceRecord } from "./service-register.js";
import { pitchSection } from "./site-pitch.js";
import { siteMoves } from "./site-moves.js";
import { sitePath, siteStatus } from "./agency.js";
import { when } from "./words.js";

/// What to say on a site's page once it is drawn: the site just made.
let madeNow = null;

export function sayOnceDrawn(id, text) {
  madeNow = { id, text };
}

function siteDetails(site, customerName) {
  const rows = [
    ["Status", el("strong", { "data-site-status": site.status }, siteStatus(site.status))],
    ["Contact", el("span", {}, site.contact_name, el("br"), el("a", { href: `mailto:${encodeURIComponent(site.contact_email).replace("%40", "@")}` }, site.contact_email),
      ...(site.contact_phone ? [el("br"), site.contact_phone] : []))],
    ["Customer", site.customer_id ? customerLink(site.customer_id, customerName) : null],
    ["Panel account", site.panel_account ?? null],
    ["Prospect", site.prospect_id ? el("a", { href: address("prospects", site.prospect_id) }, "The prospect it was made from") : null],
    ["Live at", site.live_domain ?? null], ["Live since", site.went_live_at ? when(site.went_live_at) : null],
    ["Proposal", site.proposal_notes || null], ["Internal notes", site.internal_notes || null],
    ["Made", when(site.created_at)], ["Site", el("small", { class: "id" }, site.id)],
  ].filter(([, value]) => value !== null);
  return el("dl", { class: "details" }, ...rows.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
}

/// What going live needs, shown while the site is accepted: its customer,
/// and a domain they hold with us or one whose DNS holds the site's proof.
function goingLive({ site, domain_proof: proof }) {
  if (site.status !== "accepted") return [];
  if (!site.customer_id) {
    return [el("p", { class: "hint", "data-going-live": "" }, "Going live needs the site's customer, named when the proposal is accepted.")];
  }
  return [el("p", { class: "hint", "data-going-live": "" },
    "Going live: a domain the customer holds with us needs nothing more. For a domain registered elsewhere, have the client publish a TXT record named ",
    el("code", {}, proof.name), " holding ", el("code", { "data-proof": "" }, proof.value), " (with their domain in place of <domain>).")];
}

/// The site's customer: their name, and their subscriptions and domains as
/// records a service may be linked to.
async function customerOf(site) {
  if (!site.customer_id) return { name: null, records: [] };
  const file = await call(`/api/admin/customers/${encodeURIComponent(site.customer_id)}`);
  return {
    name: file.customer.name,
    records: [
      ...file.services.map((s) => ({ value: `subscription:${s.id}`, text: `${s.plan_name} · ${s.domain}` })),
      ...file.domains.map((d) => ({ value: `domain:${d.name}`, text: `the domain ${d.unicode}` })),
    ],
  };
}

/// The register: its services, soonest last day first, and (billing staff, a site not cancelled) the form that adds one.
function register(view, currency, records, redraw) {
  const { site, services } = view;
  const sorted = [...services].sort((a, b) => (a.expires_on ?? "9999").localeCompare(b.expires_on ?? "9999"));
  const adds = allows("billing") && site.status !== "cancelled";
  return [
    el("h2", {}, "Services"),
    ...(sorted.length ? sorted.map((s) => serviceRecord(site, s, { allows, records, redraw })) : [el("p", {}, "No services yet.")]),
    ...(adds ? [el("h3", {}, "Add service"), addServiceForm(site, currency, redraw)] : []),
  ];
}

/// Draws the site `id` with what it is now.
async function drawSite(id) {
  const [view, currency] = await Promise.all([call(sitePath(id)), currencyOfShop()]);
  const { site } = view;
  const customer = await customerOf(site);
  const redraw = () => drawSite(id);
  titled("site", site.business_name);
  const audit = allows("admin") ? [el("a", { href: address("audit", null, { subject: `site:${site.id}` }) }, "Its audit log")] : [];
  $("site-view").replaceChildren(
    el("p", { class: "actions" }, el("a", { href: address("sites") }, "All client sites"), ...audit),
    el("article", { class: "record", "data-site": site.id },
      siteDetails(site, customer.name),
      ...goingLive(view),
      el("p", { class: "actions" }, ...siteMoves(view, allows, redraw)),
      noteSlot(`site:${site.id}`)),
    ...(await pitchSection(site, redraw)),
    ...register(view, currency, customer.records, redraw));
}

/// The site `id`'s page.
export async function showSite(id) {
  await drawSite(id);
  if (madeNow?.id === id) note(`site:${id}`, madeNow.text);
  madeNow = null;
}
