// What every section of the staff console shares: its calls to the API, its
// message line, and who is logged in with what their role allows.

import { api, ApiError } from "../api.js";
import { $, capitalized, messenger } from "../page.js";

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

export const say = messenger("console-message");

export function showLogin() {
  $("console").hidden = true;
  $("console-nav").hidden = true;
  $("login-section").hidden = false;
}

/// Shows what the API refused; an ended session asks for the login again.
export function fail(error) {
  if (!(error instanceof ApiError)) throw error;
  if (error.status === 401) return showLogin();
  say(capitalized(error.message), true);
}

/// Runs `work`, and `fail`s with what the API refuses.
export async function attempt(work) {
  try {
    await work();
  } catch (error) {
    fail(error);
  }
}

export const actorOf = (actor) => `${actor.kind} ${actor.id}`;
