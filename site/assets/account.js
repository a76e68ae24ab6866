// Signup and login, a password generator, and the logged-in view. The session
// is an HttpOnly cookie: this page never sees it, it only asks /api/session.

import { forServer, keepWithAccount } from "./cart.js";
import { api, ApiError } from "./api.js";
import { $, capitalized, el, messenger, money, words, formFields } from "./page.js";
import { fillCountries } from "./countries.js";
import { offerGenerator } from "./password.js";
import { showVatNumber } from "./vat-number.js";
import { showBillingAddress } from "./billing-address.js";
import { followEmailConfirmation, showAccountDetails } from "./account-details.js";
import { showYourData } from "./your-data.js";
import { showTwoStep } from "./two-step.js";

const say = messenger("account-message");

function showTab(tab) {
  const signup = tab === "signup";
  $("tab-signup").setAttribute("aria-selected", String(signup));
  $("tab-login").setAttribute("aria-selected", String(!signup));
  $("signup-form").hidden = !signup;
  $("login-form").hidden = signup;
  $("login-code-form").hidden = true;
}

// Where `?next=` may send the customer after login: a path on this site only.
// Resolving it as the browser would catches `/\evil.com`, `//evil.com` and
// tabs or newlines hidden in the scheme or host.
export function sameOriginPath(next) {
  if (!next) return null;
  let url;
  try {
    url = new URL(next, location.origin);
  } catch {
    return null;
  }
  return url.origin === location.origin ? url.pathname + url.search + url.hash : null;
}

// With `mustEnrol` (staff require two-step login and it is off) only the
// two-step section works until it is on.
function showCustomer(customer, mustEnrol = false) {
  $("signed-out").hidden = Boolean(customer);
  $("signed-in").hidden = !customer;
  if (customer) {
    keepWithAccount();
    $("customer-name").textContent = customer.name;
    $("customer-email").textContent = customer.email;
    if (mustEnrol) {
      showTwoStep(true, () => showCustomer(customer));
      return;
    }
    const next = sameOriginPath(new URLSearchParams(location.search).get("next"));
    if (next) {
      location.assign(next);
      return;
    }
    showOrders();
    showVatNumber(customer);
    showBillingAddress(customer);
    showAccountDetails(customer);
    showYourData();
    showTwoStep();
  }
}

async function showOrders() {
  const orders = await api("/api/orders").catch(() => []);
  const rows = orders.map((order) => el("li", {},
    el("a", { href: `/order.html?id=${encodeURIComponent(order.id)}` }, `${order.domain.unicode} · ${order.plan_name}`),
    ` — ${words(order.status)} · ${money(order.invoice.total, order.invoice.currency)}`));
  $("order-list").replaceChildren(...(rows.length ? rows : [el("li", {}, "No orders yet. ", el("a", { href: "/" }, "Find a domain"))]));
}

/// Says why the API refused a signup or a login, and when to try again.
function sayRefused(error) {
  if (!(error instanceof ApiError)) throw error;
  const wait = error.status === 429 ? ` Try again in ${error.retryAfter ?? "a few"} seconds.` : "";
  say(capitalized(error.message) + "." + wait, true);
}

$("tab-signup").addEventListener("click", () => showTab("signup"));
$("tab-login").addEventListener("click", () => showTab("login"));
offerGenerator($("generate"), $("signup-form").elements.password, $("generated"));
fillCountries($("signup-form").elements.country);
/// The cart's refusals: a cart that no longer fits (a plan no longer sold)
/// must not stop a signup, which then goes without it.
const CART_REFUSALS = ["invalid_domain", "too_many_domains", "unknown_plan", "invalid_cycle"];

/// Signs up with `body` and this browser's cart, so that the cart is the
/// account's on whichever device the mailed link is followed.
async function signUp(body) {
  const cart = forServer();
  if (cart.domains.length === 0 && !cart.plan_id) return api("/api/signup", { method: "POST", body: JSON.stringify(body) });
  try {
    return await api("/api/signup", { method: "POST", body: JSON.stringify({ ...body, cart }) });
  } catch (error) {
    if (!(error instanceof ApiError && CART_REFUSALS.includes(error.code))) throw error;
    return api("/api/signup", { method: "POST", body: JSON.stringify(body) });
  }
}

$("signup-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("");
  const next = sameOriginPath(new URLSearchParams(location.search).get("next"));
  try {
    const body = { ...formFields(event.target), ...(next ? { next } : {}) };
    const accepted = await signUp(body);
    event.target.reset();
    say(accepted.message);
  } catch (error) {
    sayRefused(error);
  }
});
// With two-step login on, the password answers a ticket and the code
// (or a recovery code, which has a dash) finishes the login.
let ticket = null;
$("login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("");
  try {
    const answer = await api("/api/login", { method: "POST", body: JSON.stringify(formFields(event.target)) });
    if (answer.second_factor !== "totp") return showCustomer(answer, answer.must_enrol_totp);
    ticket = answer.ticket;
    event.target.reset();
    $("login-form").hidden = true;
    $("login-code-form").hidden = false;
    $("login-code-form").elements.code.focus();
  } catch (error) {
    sayRefused(error);
  }
});
$("login-code-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  say("");
  const code = event.target.elements.code.value.trim();
  const body = { ticket, ...(code.includes("-") ? { recovery_code: code } : { code }) };
  try {
    showCustomer(await api("/api/login/totp", { method: "POST", body: JSON.stringify(body) }));
    event.target.reset();
    event.target.hidden = true;
  } catch (error) {
    event.target.reset();
    if (error instanceof ApiError && error.code === "login_expired") {
      event.target.hidden = true;
      $("login-form").hidden = false;
    }
    sayRefused(error);
  }
});
async function logOut(everywhere) {
  await api("/api/logout", { method: "POST", body: JSON.stringify({ everywhere }) }).catch(() => null);
  showCustomer(null);
  $("login-code-form").hidden = true;
  showTab("login");
  say(everywhere ? "You are logged out on every device." : "You are logged out.");
}

$("logout").addEventListener("click", () => logOut(false));
$("logout-everywhere").addEventListener("click", () => logOut(true));

// A verification link ends in `#verify=<token>`: the token stays out of
// server logs and Referer headers, and is removed from the address at once.
function followVerification() {
  const token = new URLSearchParams(location.hash.slice(1)).get("verify");
  if (!token) return false;
  history.replaceState(null, "", location.pathname + location.search);
  showCustomer(null);
  api("/api/verify-email", { method: "POST", body: JSON.stringify({ token }) }).then(showCustomer, (error) => {
    showTab("signup");
    say(capitalized(error.message) + ".", true);
  });
  return true;
}

window.addEventListener("hashchange", followVerification);
if (!followVerification() && !followEmailConfirmation(showCustomer)) {
  api("/api/session").then((s) => showCustomer(s.customer, s.must_enrol_totp), () => showCustomer(null));
}
