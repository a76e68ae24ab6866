// A DNS-only or domain-only order: what our nameservers serve for the
// domain, asked for only when the chosen plan is one; such plans have no
// control panel, so the username and password are neither asked nor sent.

import { $ } from "./page.js";
import { parseRecords } from "./zone-lines.js";

const ZONE_ONLY = ["dns", "domain"];

/// Shows the zone's fields, and hides the login's, while the plan chosen
/// serves a zone alone.
export function offerZoneChoice(catalog) {
  const show = () => {
    const kind = catalog.plans.find((p) => p.id === $("plan").value)?.kind;
    const zoneOnly = ZONE_ONLY.includes(kind);
    $("zone-fields").hidden = !zoneOnly;
    $("dns-uses").hidden = kind !== "dns";
    $("parked-note").hidden = kind !== "domain";
    const secondary = document.querySelector('input[name="zone_use"]:checked')?.value === "secondary";
    $("records-field").hidden = secondary;
    $("primaries-field").hidden = !secondary;
    $("secondary-note").hidden = !secondary;
    $("login-fields").hidden = zoneOnly;
    for (const input of $("login-fields").querySelectorAll("input")) input.disabled = zoneOnly;
  };
  $("plan").addEventListener("change", show);
  for (const radio of document.querySelectorAll('input[name="zone_use"]')) radio.addEventListener("change", show);
  show();
}

/// The zone part of the order, or nothing when the plan serves no zone alone.
export function chosenZone(form) {
  if ($("zone-fields").hidden) return undefined;
  if ($("dns-uses").hidden) return { use: "parked" };
  if (form.elements.zone_use.value === "secondary") {
    return { use: "secondary", primaries: form.elements.zone_primaries.value.split(/[\s,]+/).filter(Boolean) };
  }
  return { use: "primary", records: parseRecords(form.elements.zone_records.value) };
}

/// Whether the plan chosen has a login: a username and password to send.
export const hasLogin = () => !$("login-fields").hidden;
