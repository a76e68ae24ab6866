// The console's client sites (`#/sites`, `#/sites?status=live&sort=oldest`):
// the pipeline's figures on top, then the sites with the lists' toolbar
// (newest or oldest made first from the "Made" header; a status, the days
// made; CSV), each leading to its page, and the form that makes a draft site.

import { $, el, formFields } from "../page.js";
import { money } from "./amounts.js";
import { attempt, call } from "./console.js";
import { showList } from "./list-toolbar.js";
import { address } from "./router.js";
import { sayOnceDrawn } from "./site.js";
import { siteStatus } from "./agency.js";
import { when } from "./words.js";

const counted = (counts, name) => Object.entries(counts).map(([key, n]) => `${n} ${name(key)}`).join(", ");

/// The pipeline's figures as the dashboard's cards, those with a list leading to it.
function figures(s) {
  const link = (href, text) => el("a", { href }, text);
  const revenue = Object.entries(s.monthly_revenue).map(([currency, minor]) => money(minor, currency)).join(", ") || "none yet";
  return [
    ["Client sites", String(s.total_sites)],
    ["Live", link(address("sites", null, { status: "live" }), String(s.live_sites))],
    ["In proof of concept", String(s.in_proof_of_concept)],
    ["By status", el("span", { class: "listed" }, counted(s.sites_by_status, siteStatus) || "none yet")],
    ["Active services", link(address("client-services", null, { status: "active" }), String(s.active_services))],
    ["Monthly revenue", revenue],
    ["Renewals in 30 days", link(address("client-services", null, { status: "active", expiring_within_days: "30" }), String(s.renewals_next_30_days))],
  ].map(([term, value]) => el("div", { class: "figure" }, el("dt", {}, term), el("dd", {}, value)));
}

// The API's list has no search: its index orders the sites by when made only.
const SITE_LIST = {
  area: "sites", api: "/api/admin/sites", name: "client sites",
  toolbar: "site-toolbar", results: "site-list", tableId: "site-table",
  statuses: ["draft", "poc_ready", "proposal_sent", "accepted", "live", "suspended", "cancelled"],
  statusId: "site-status", statusWords: siteStatus,
  dates: true, dateLabels: ["Made from", "to"],
  sorts: ["newest", "oldest"],
  columns: [
    { label: "Business", cell: (s) => el("a", { href: address("sites", s.id) }, s.business_name) },
    { label: "Status", cell: (s) => siteStatus(s.status) },
    { label: "Contact", cell: (s) => `${s.contact_name} <${s.contact_email}>` },
    { label: "Live at", cell: (s) => s.live_domain ?? "—" },
    { label: "Made", cell: (s) => when(s.created_at), sort: ["oldest", "newest"] },
  ],
  rowData: (s) => ({ "data-site": s.id, "data-status": s.status }),
  empty: "No client sites here.",
};

/// The figures and the sites the address asks for.
export async function showSites(params) {
  const [stats] = await Promise.all([call("/api/admin/agency/stats"), showList(SITE_LIST, params)]);
  $("pipeline-figures").replaceChildren(...figures(stats));
}

export function setUpSites() {
  $("site-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(Object.entries(formFields(event.target)).filter(([, value]) => value.trim()));
    attempt(async () => {
      const made = await call("/api/admin/sites", { method: "POST", body: JSON.stringify(fields) });
      event.target.reset();
      sayOnceDrawn(made.id, `${made.business_name} is a draft site: build its proof of concept, then mark it ready.`);
      location.hash = address("sites", made.id);
    }, "site-form");
  });
}
