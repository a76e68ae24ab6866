// A server's order: the operating system to install and an optional SSH key
// for root, asked for only when the chosen plan is a VPS or a dedicated
// server; a managed server takes the system only, the company running it.

import { api } from "./api.js";
import { $, el } from "./page.js";

const SERVERS = ["vps", "dedicated", "managed"];

/// Shows the server's fields while the plan chosen is a server, filling
/// in the operating systems of its kind.
export function offerServerChoice(catalog) {
  let filled = null;
  const show = async () => {
    const kind = catalog.plans.find((p) => p.id === $("plan").value)?.kind;
    const server = SERVERS.includes(kind);
    $("server-fields").hidden = !server;
    $("os-template").disabled = !server;
    $("root-access").hidden = kind === "managed";
    $("ssh-key").disabled = !server || kind === "managed";
    $("managed-note").hidden = kind !== "managed";
    const source = kind === "vps" ? "vps" : "dedicated";
    if (!server || filled === source) return;
    filled = source;
    const templates = await api(`/api/os-templates?kind=${source}`);
    $("os-template").replaceChildren(...templates.map((t) => el("option", { value: t.id }, t.label)));
  };
  $("plan").addEventListener("change", show);
  return show();
}

/// The server part of the order, or nothing when the plan is no server.
export function chosenServer(form) {
  if ($("server-fields").hidden) return undefined;
  const key = $("ssh-key").disabled ? "" : form.elements.ssh_public_key.value.trim();
  return { os_template: form.elements.os_template.value, ...(key ? { ssh_public_key: key } : {}) };
}
