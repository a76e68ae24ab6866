// The console's pools: the servers with their accounts, and the addresses.

import { $, el, formFields } from "../page.js";
import { allows, attempt, call, say } from "./console.js";

function serverRow(server) {
  const retire = el("button", { type: "button", class: "secondary" }, "Retire");
  retire.hidden = server.retired || !allows("admin");
  retire.addEventListener("click", () => attempt(async () => {
    await call(`/api/admin/pools/servers/${encodeURIComponent(server.name)}/retire`, { method: "POST" });
    await showPools();
    say(`${server.name} takes no new accounts.`);
  }));
  return el("tr", { "data-server": server.name },
    el("td", {}, server.name), el("td", {}, server.pool),
    el("td", {}, `${server.accounts} of ${server.capacity}${server.retired ? " (retired)" : ""}`), el("td", {}, retire));
}

export async function showPools() {
  const pools = await call("/api/admin/pools");
  $("server-table").querySelector("tbody").replaceChildren(...pools.servers.map(serverRow));
  $("address-usage").textContent = `Addresses: ${pools.addresses.free} free of ${pools.addresses.total}.`;
}

/// Sends a pool form as JSON (numbers as numbers), then shows the pools.
function poolForm(id, path, done) {
  $(id).addEventListener("submit", (event) => {
    event.preventDefault();
    const fields = formFields(event.target);
    for (const name of ["capacity", "count"]) if (name in fields) fields[name] = Number(fields[name]);
    attempt(async () => {
      const answer = await call(path, { method: "POST", body: JSON.stringify(fields) });
      await showPools();
      say(done(fields, answer));
    });
  });
}

export function setUpPools() {
  poolForm("server-form", "/api/admin/pools/servers", (f) => `${f.name} is in the ${f.pool} pool.`);
  poolForm("address-form", "/api/admin/pools/addresses", (_, answer) => `${answer.added} addresses added.`);
}
