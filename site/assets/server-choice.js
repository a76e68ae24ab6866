// A VPS order's server: the operating system the hypervisor installs and an
// optional SSH key for root, asked for only when the chosen plan is a VPS.

import { api } from "./api.js";
import { $, el } from "./page.js";

/// Shows the server's fields while the plan chosen is a VPS, filling the
/// operating systems in once.
export function offerServerChoice(catalog) {
  let filled = false;
  const show = async () => {
    const plan = catalog.plans.find((p) => p.id === $("plan").value);
    const vps = plan?.kind === "vps";
    $("server-fields").hidden = !vps;
    $("os-template").disabled = !vps;
    if (!vps || filled) return;
    filled = true;
    const templates = await api("/api/os-templates");
    $("os-template").replaceChildren(...templates.map((t) => el("option", { value: t.id }, t.label)));
  };
  $("plan").addEventListener("change", show);
  return show();
}

/// The server part of the order, or nothing when the plan is no VPS.
export function chosenServer(form) {
  if ($("server-fields").hidden) return undefined;
  const key = form.elements.ssh_public_key.value.trim();
  return { os_template: form.elements.os_template.value, ...(key ? { ssh_public_key: key } : {}) };
}
