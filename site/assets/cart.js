// The cart lives in the browser until checkout: a list of domains with their price.

import { $ } from "./page.js";

const KEY = "hostfront.cart";

export function cartItems() {
  try {
    return JSON.parse(localStorage.getItem(KEY)) ?? [];
  } catch {
    return [];
  }
}

export function inCart(domain) {
  return cartItems().some((item) => item.domain === domain);
}

export function addToCart(item) {
  if (inCart(item.domain)) return;
  localStorage.setItem(KEY, JSON.stringify([...cartItems(), item]));
  showCount();
}

export function removeFromCart(domain) {
  localStorage.setItem(KEY, JSON.stringify(cartItems().filter((item) => item.domain !== domain)));
  showCount();
}

export function showCount() {
  const badge = $("cart-count");
  if (badge) badge.textContent = String(cartItems().length);
}

showCount();
