// Every client site's services (`#/client-services?service_type=&status=&expiring=30`),
// soonest last day first, narrowed by kind, status and whether the last
// day is within 30 days, with "More" for the next page; each leads to its site.

import { $, el, words } from "../page.js";
import { call, fail } from "./console.js";
import { address, go } from "./router.js";
import { kindOf, knowSite, moreButton, priceOf, sitePath, siteName } from "./agency.js";
import { day } from "./words.js";

const FILTERS = ["service_type", "status", "expiring"];

/// The business names of the sites in `services` not read yet.
async function nameSites(services) {
  const unknown = [...new Set(services.map((s) => s.site_id))].filter((id) => !siteName(id));
  await Promise.all(unknown.map(async (id) => knowSite((await call(sitePath(id))).site)));
}

function serviceRow(service) {
  const site = siteName(service.site_id) ?? "its site";
  return el("article", { class: "record", "data-client-service": service.id, "data-status": service.status },
    el("h2", {}, `${service.name} · ${kindOf(service.service_type)}`),
    el("dl", { class: "details" },
      ...[["Site", el("a", { href: address("sites", service.site_id) }, site)], ["Price", priceOf(service)],
        ["Last day", day(service.expires_on)], ["Status", words(service.status)]]
        .flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)])));
}

/// The list's query for the API from the address's parameters.
function query(params, cursor) {
  const q = new URLSearchParams();
  for (const name of ["service_type", "status"]) if (params.get(name)) q.set(name, params.get(name));
  if (params.get("expiring")) q.set("expiring_within_days", params.get("expiring"));
  if (cursor) q.set("cursor", cursor);
  return q;
}

async function servicesPage(params, cursor) {
  const page = await call(`/api/admin/client-services?${query(params, cursor)}`);
  await nameSites(page.items);
  const list = $("client-service-list");
  list.append(...page.items.map(serviceRow));
  // A filtered page may hold none while later pages hold some: "More" says so.
  if (!page.next && !list.querySelector("[data-client-service]")) list.append(el("p", {}, "No client services here."));
  else if (!page.items.length) list.append(el("p", {}, "None among those read so far; more follow."));
  if (page.next) list.append(moreButton("client-services-more", page.next, (next) => servicesPage(params, next)));
}

/// The first page of the services the address's filters ask for.
export async function showClientServices(params) {
  const form = $("client-service-filters");
  form.elements.service_type.value = params.get("service_type") ?? "";
  form.elements.status.value = params.get("status") ?? "";
  form.elements.expiring.checked = params.get("expiring") === "30";
  $("client-service-list").replaceChildren();
  await servicesPage(params, null);
}

export function setUpClientServices() {
  const form = $("client-service-filters");
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("change", () => {
    const chosen = Object.fromEntries(FILTERS.map((name) => [name, name === "expiring"
      ? (form.elements.expiring.checked ? "30" : "") : form.elements[name].value]).filter(([, value]) => value));
    go(address("client-services", null, chosen), () => showClientServices(new URLSearchParams(chosen)).catch(fail));
  });
}
