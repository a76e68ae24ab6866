// The console's client sites (`#/sites`, `#/sites?status=live`): the
// pipeline's figures on top, the sites newest first with "More" for the
// next page, and the form that makes a draft site.

import { $, el, formFields } from "../page.js";
import { money } from "./amounts.js";
import { attempt, call, fail } from "./console.js";
import { address, go } from "./router.js";
import { sayOnceDrawn } from "./site.js";
import { moreButton, siteStatus } from "./agency.js";
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

function siteRecord(site) {
  return el("article", { class: "record", "data-site": site.id },
    el("h2", {}, el("a", { href: address("sites", site.id) }, site.business_name)),
    el("dl", { class: "details" },
      ...[["Status", siteStatus(site.status)], ["Contact", `${site.contact_name} <${site.contact_email}>`],
        ...(site.live_domain ? [["Live at", site.live_domain]] : []), ["Made", when(site.created_at)]]
        .flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)])));
}

async function sitesPage(status, cursor) {
  const query = new URLSearchParams({ ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
  const page = await call(`/api/admin/sites?${query}`);
  const list = $("site-list");
  list.append(...page.items.map(siteRecord));
  if (!list.querySelector("[data-site]")) list.append(el("p", {}, status ? `No ${siteStatus(status)} sites.` : "No client sites yet."));
  if (page.next) list.append(moreButton("sites-more", page.next, (next) => sitesPage(status, next)));
}

/// The figures and the first page of the sites in `status` (all unless said).
export async function showSites(params) {
  const status = params.get("status") ?? "";
  $("site-status").value = status;
  $("site-list").replaceChildren();
  const [stats] = await Promise.all([call("/api/admin/agency/stats"), sitesPage(status, null)]);
  $("pipeline-figures").replaceChildren(...figures(stats));
}

export function setUpSites() {
  const filter = $("site-status");
  filter.addEventListener("change", () => {
    const params = filter.value ? { status: filter.value } : {};
    go(address("sites", null, params), () => showSites(new URLSearchParams(params)).catch(fail));
  });
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
