// The cart: the domains to register and the plan and cycle chosen. A
// visitor's cart lives in this browser; a customer's is kept with their
// account (`/api/cart`), so it follows them to another device and through
// the signup link. Prices are the catalog's, never the cart's.

import { api } from "./api.js";
import { $ } from "./page.js";

const KEY = "hostfront.cart";
const PLAN_KEY = "hostfront.cart-plan";

/// Whether this page's visitor is logged in: then each change is kept with
/// the account too. Set by `keepWithAccount`.
let account = false;

export function cartItems() {
  try {
    const items = JSON.parse(localStorage.getItem(KEY)) ?? [];
    return Array.isArray(items) ? items.filter((item) => typeof item?.domain === "string") : [];
  } catch {
    return [];
  }
}

/// The plan and cycle chosen, if any: `{ plan_id, cycle }`.
export function cartPlan() {
  try {
    return JSON.parse(localStorage.getItem(PLAN_KEY)) ?? {};
  } catch {
    return {};
  }
}

export function inCart(domain) {
  return cartItems().some((item) => item.domain === domain);
}

/// Keeps the cart in this browser and, for a customer, with their account
/// (unless `kept` says the account holds it already).
function store(items, plan = cartPlan(), kept = null) {
  localStorage.setItem(KEY, JSON.stringify(items));
  localStorage.setItem(PLAN_KEY, JSON.stringify(plan));
  showCount();
  const cart = JSON.stringify(forServer());
  if (account && cart !== JSON.stringify(kept)) api("/api/cart", { method: "PUT", body: cart }).catch(() => null);
}

export function addToCart(item) {
  if (inCart(item.domain)) return;
  store([...cartItems(), { domain: item.domain, unicode: item.unicode ?? item.domain }]);
}

export function removeFromCart(domain) {
  store(cartItems().filter((item) => item.domain !== domain));
}

export function choosePlan(planId, cycle) {
  store(cartItems(), { plan_id: planId, cycle });
}

/// The cart as the API takes it (with a signup, or kept with the account).
export function forServer() {
  const plan = cartPlan();
  return { domains: cartItems().map((item) => item.domain), plan_id: plan.plan_id ?? null, cycle: plan.cycle ?? null };
}

/// Joins this browser's cart with the one kept with the account, keeps the
/// result in both, and keeps every later change with the account.
export async function keepWithAccount() {
  const kept = await api("/api/cart").catch(() => null);
  if (!kept) return;
  account = true;
  const local = cartItems();
  const known = new Set(local.map((item) => item.domain));
  const joined = [...local, ...kept.domains.filter((d) => !known.has(d)).map((domain) => ({ domain, unicode: domain }))];
  const plan = cartPlan().plan_id ? cartPlan() : { plan_id: kept.plan_id ?? undefined, cycle: kept.cycle ?? undefined };
  // Written back only when this browser added something to it.
  store(joined, plan, kept);
}

/// The first year's price of registering `domain`, from the catalog's TLD it
/// ends in (the longest that fits); undefined when none is sold.
export function registerPrice(catalog, domain) {
  const tld = catalog.tlds
    .filter((t) => domain.endsWith(`.${t.tld}`))
    .sort((a, b) => b.tld.length - a.tld.length)[0];
  return tld?.register;
}

export function showCount() {
  const badge = $("cart-count");
  if (badge) badge.textContent = String(cartItems().length);
}

showCount();
