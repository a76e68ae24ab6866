// The console's pools: the servers with their accounts, the addresses, and
// the machines of dedicated and managed servers.

import { $, el, formFields } from "../page.js";
import { allows, attempt, call } from "./console.js";
import { ask, note, noteSlot } from "./feedback.js";

/// Retires a server once the admin confirms; its row then says so.
function retireButton(server) {
  const retire = el("button", { type: "button", class: "secondary" }, "Retire");
  retire.hidden = server.retired || !allows("admin");
  retire.addEventListener("click", async () => {
    const sure = await ask({
      title: `Retire ${server.name}?`,
      text: `${server.name} takes no new accounts from now on; the ${server.accounts} ${server.accounts === 1 ? "account" : "accounts"} on it stay there. A retired server is not brought back.`,
      go: `Retire ${server.name}`,
    });
    if (!sure) return;
    const key = `server:${server.name}`;
    await attempt(async () => {
      await call(`/api/admin/pools/servers/${encodeURIComponent(server.name)}/retire`, { method: "POST" });
      await showPools();
      note(key, `${server.name} is retired: it takes no new accounts.`);
    }, key);
  });
  return retire;
}

function serverRow(server) {
  return el("tr", { "data-server": server.name },
    el("td", { class: "server-name" }, server.name), el("td", { "data-label": "Pool" }, server.pool),
    el("td", { "data-label": "Accounts" }, `${server.accounts} of ${server.capacity}${server.retired ? " (retired)" : ""}`),
    el("td", {}, retireButton(server), noteSlot(`server:${server.name}`)));
}

const STATES = { allocated: "set aside", installing: "installing", ready: "running", install_failed: "installation failed" };

function machineRow({ id, cores, memory_gb, disk_gb, held }) {
  return el("tr", { "data-machine": id },
    el("td", { class: "server-name" }, id), el("td", { "data-label": "Size" }, `${cores} cores, ${memory_gb} GB, ${disk_gb} GB disk`),
    el("td", { "data-label": "Held by" }, held ? `${held.hostname} (${held.ipv4.join(", ")})` : "free"),
    el("td", { "data-label": "State" }, held ? `${STATES[held.state] ?? held.state}${held.powered ? "" : ", powered off"}` : "ready for a customer"));
}

export async function showPools() {
  const [pools, machines] = await Promise.all([call("/api/admin/pools"), call("/api/admin/pools/machines")]);
  $("server-table").querySelector("tbody").replaceChildren(...pools.servers.map(serverRow));
  $("address-usage").textContent = `Addresses: ${pools.addresses.free} free of ${pools.addresses.total}.`;
  $("machine-table").querySelector("tbody").replaceChildren(...machines.map(machineRow));
  $("machine-usage").textContent = `Machines: ${machines.filter((m) => !m.held).length} free of ${machines.length}.`;
}

/// Sends a pool form as JSON (numbers as numbers), then shows the pools and says `done` in the form.
function poolForm(id, path, done) {
  $(id).addEventListener("submit", (event) => {
    event.preventDefault();
    const fields = formFields(event.target);
    for (const name of ["capacity", "count"]) if (name in fields) fields[name] = Number(fields[name]);
    attempt(async () => {
      const answer = await call(path, { method: "POST", body: JSON.stringify(fields) });
      await showPools();
      note(id, done(fields, answer));
    }, id);
  });
}

export function setUpPools() {
  poolForm("server-form", "/api/admin/pools/servers", (f) => `${f.name} is in the ${f.pool} pool.`);
  poolForm("address-form", "/api/admin/pools/addresses", (_, answer) => `${answer.added} addresses added.`);
}
