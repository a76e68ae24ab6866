// The portal's registrar accounts: the client accounts at the registrar the
// customer's domains are managed under, each with its domains; never a
// password (shown once, when the order that made it was placed).

import { api } from "../api.js";
import { $, el } from "../page.js";

export async function showRegistrarAccounts() {
  const accounts = await api("/api/registrar-accounts");
  $("registrar-accounts-section").hidden = accounts.length === 0;
  $("registrar-accounts").querySelector("tbody").replaceChildren(...accounts.map((account) => el("tr", { "data-registrar-account": account.id },
    el("td", {}, account.label),
    el("td", {}, account.username),
    el("td", {}, account.domains.length ? account.domains.join(", ") : "None yet"),
    el("td", {}, account.created_at.slice(0, 10)))));
}
