// A DNS-only or domain-only order: what our nameservers serve for the
// domain (DNS hosting's records or primaries, a domain parked or showing
// the site of another of the customer's services), asked for only when
// the chosen plan is one; such plans have no control panel, so the
// username and password are neither asked nor sent.

import { api } from "./api.js";
import { $, el } from "./page.js";
import { parseRecords } from "./zone-lines.js";

const ZONE_ONLY = ["dns", "domain"];

/// Shows the zone's fields, and hides the login's, while the plan chosen
/// serves a zone alone.
export function offerZoneChoice(catalog) {
  let sites = null;
  const show = async () => {
    const kind = catalog.plans.find((p) => p.id === $("plan").value)?.kind;
    const zoneOnly = ZONE_ONLY.includes(kind);
    $("zone-fields").hidden = !zoneOnly;
    $("dns-uses").hidden = kind !== "dns";
    $("domain-uses").hidden = kind !== "domain";
    const alias = document.querySelector('input[name="domain_use"]:checked')?.value === "alias";
    $("parked-note").hidden = alias;
    $("alias-field").hidden = !alias;
    const secondary = document.querySelector('input[name="zone_use"]:checked')?.value === "secondary";
    $("records-field").hidden = secondary;
    $("primaries-field").hidden = !secondary;
    $("secondary-note").hidden = !secondary;
    $("login-fields").hidden = zoneOnly;
    for (const input of $("login-fields").querySelectorAll("input")) input.disabled = zoneOnly;
    if (kind === "domain" && sites === null) sites = await offerSites();
  };
  $("plan").addEventListener("change", show);
  for (const radio of document.querySelectorAll('input[name="zone_use"], input[name="domain_use"]')) radio.addEventListener("change", show);
  show();
}

/// Fills the choice of the customer's live websites an alias may show; the
/// choice is off when there is none.
async function offerSites() {
  const services = await api("/api/services").catch(() => []);
  const sites = services.filter((s) => s.status === "active" && !s.ended_at && ["shared", "reseller"].includes(s.plan_kind));
  $("alias-of").replaceChildren(...sites.map((s) => el("option", { value: s.id }, `${s.domain} (${s.plan_name})`)));
  $("alias-choice").disabled = sites.length === 0;
  $("no-sites").hidden = sites.length > 0;
  return sites;
}

/// The zone part of the order, or nothing when the plan serves no zone alone.
export function chosenZone(form) {
  if ($("zone-fields").hidden) return undefined;
  if ($("dns-uses").hidden) {
    return form.elements.domain_use.value === "alias" ? { use: "alias", of: form.elements.alias_of.value } : { use: "parked" };
  }
  if (form.elements.zone_use.value === "secondary") {
    return { use: "secondary", primaries: form.elements.zone_primaries.value.split(/[\s,]+/).filter(Boolean) };
  }
  return { use: "primary", records: parseRecords(form.elements.zone_records.value) };
}

/// Whether the plan chosen has a login: a username and password to send.
export const hasLogin = () => !$("login-fields").hidden;
