// The console's audit log (admins only): every staff action, by who, what or when.

import { $, el } from "../page.js";
import { actorOf, attempt, call } from "./console.js";

async function showAudit(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  await attempt(async () => {
    const entries = await call(`/api/admin/audit?${form.get("by")}=${encodeURIComponent(form.get("value"))}`);
    $("audit-table").querySelector("tbody").replaceChildren(...entries.map((e) => el("tr", {},
      el("td", {}, e.at), el("td", {}, actorOf(e.actor)), el("td", {}, `${e.action} ${e.subject}`),
      el("td", {}, e.from || e.to ? `${e.from ?? ""} → ${e.to ?? ""}` : ""), el("td", {}, e.why), el("td", {}, e.client ?? ""))));
  });
}

export function setUpAudit() {
  $("audit-form").addEventListener("submit", showAudit);
}
