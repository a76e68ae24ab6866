// The registrar account a domain to register or transfer goes under, where
// the registrar keeps one per customer (the catalog's `registrar_accounts`):
// the customer's accounts, newest first, or a new one with its label. Its
// username and password are made for the customer and shown once, on the
// order's page.

import { api } from "./api.js";
import { $, el } from "./page.js";

const NEEDS_ONE = ["register", "transfer"];

/// Fills the choice with the customer's accounts; nothing to offer when
/// the registrar keeps no accounts or nobody is logged in.
export async function offerRegistrarAccounts(catalog, loggedIn) {
  const fields = $("registrar-account-fields");
  fields.dataset.offered = String(Boolean(catalog.registrar_accounts && loggedIn));
  if (fields.dataset.offered !== "true") return;
  const accounts = await api("/api/registrar-accounts");
  const option = (a) => {
    const held = a.domains.length === 1 ? "1 domain" : `${a.domains.length} domains`;
    return el("option", { value: a.id }, `${a.label} — ${a.username} (${held})`);
  };
  $("registrar-account").replaceChildren(...accounts.toReversed().map(option), el("option", { value: "new" }, "New account"));
  $("registrar-label").value = accounts.length ? "" : "Main";
  $("registrar-account").addEventListener("change", showLabel);
  showLabel();
}

function showLabel() {
  const making = $("registrar-account").value === "new";
  $("registrar-label-field").hidden = !making;
  $("registrar-label").required = making && !$("registrar-account-fields").hidden;
}

/// Shows the choice only for a domain to register or transfer.
export function showRegistrarAccount(action) {
  const fields = $("registrar-account-fields");
  const kind = action?.startsWith("register:") ? "register" : action;
  fields.hidden = fields.dataset.offered !== "true" || !NEEDS_ONE.includes(kind);
  showLabel();
}

/// The order's `registrar_account`, or nothing when none is asked for.
export function chosenRegistrarAccount(form) {
  if ($("registrar-account-fields").hidden) return undefined;
  const chosen = form.elements.registrar_account.value;
  if (chosen !== "new") return { id: chosen };
  return { new: { label: form.elements.registrar_label.value.trim() } };
}

const SHOWN_ONCE = "hostfront.new-registrar-account";

/// Keeps a new account's credentials from the order's answer for its
/// page to show once: the only time they are ever shown.
export function keepNewAccount(order) {
  if (order.new_registrar_account) sessionStorage.setItem(SHOWN_ONCE, JSON.stringify({ order: order.id, ...order.new_registrar_account }));
}

/// Shows, once, the credentials of the account the order `orderId` made.
export function showNewAccount(orderId) {
  const kept = JSON.parse(sessionStorage.getItem(SHOWN_ONCE) ?? "null");
  if (kept?.order !== orderId) return;
  sessionStorage.removeItem(SHOWN_ONCE);
  const rows = [["Account", kept.label], ["Username", kept.username]];
  if (kept.generated_password) rows.push(["Password", kept.generated_password]);
  $("new-registrar-account-details").replaceChildren(...rows.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value)]));
  $("new-registrar-account").hidden = false;
}
