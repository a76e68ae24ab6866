// What every area of the staff console shares: its calls to the API, who
// is logged in with what their role allows, and how a refusal is shown.

import { api, ApiError } from "../api.js";
import { $, capitalized, el } from "../page.js";
import { note } from "./feedback.js";

const ROLES = ["support", "billing", "admin"];
let me = null;

/// The staff member logged in, or null.
export const staffMember = () => me;

export function signedIn(staff) {
  me = staff;
}

export const allows = (needed) => ROLES.indexOf(me.role) >= ROLES.indexOf(needed);

/// A console call; changes carry the header no cross-site request can send.
export function call(path, options = {}) {
  const changes = options.method && options.method !== "GET";
  return api(path, changes ? { ...options, headers: { "x-hostfront-console": "1", ...options.headers } } : options);
}

export function showLogin() {
  $("console").hidden = true;
  $("console-nav").hidden = true;
  $("menu-button").hidden = true;
  $("logout").hidden = true;
  $("who").textContent = "";
  $("login-section").hidden = false;
}

/// Shows what the API refused beside the action `key`; an ended session
/// asks for the login again.
export function fail(error, key = null) {
  if (!(error instanceof ApiError)) throw error;
  if (error.status === 401) return showLogin();
  note(key, capitalized(error.message), true);
}

/// Runs `work`, and `fail`s beside `key` with what the API refuses.
export async function attempt(work, key = null) {
  try {
    await work();
  } catch (error) {
    fail(error, key);
  }
}

/// A link to a customer's file: their name, their id after it, smaller.
export function customerLink(id, name) {
  return el("span", { class: "named" }, el("a", { href: `#/customers/${encodeURIComponent(id)}` }, name ?? "a customer"), " ", el("small", { class: "id" }, id));
}

/// A link to an order's own view.
export const orderLink = (id, text) => el("a", { href: `#/orders/${encodeURIComponent(id)}` }, text);
