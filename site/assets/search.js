// Domain search: results appear as the user types (debounced), each with its
// price and an "add to cart" action. Invalid input and rate limits get clear
// messages; a slower, older answer never replaces a newer one. The search is
// kept in the address (`/?q=bakery`), so a reload or the back button finds it.

import { api, ApiError } from "./api.js";
import { addToCart, cartItems, inCart } from "./cart.js";
import { $, messenger, money } from "./page.js";

const DEBOUNCE_MS = 300;
const input = $("domain-query");
const say = messenger("search-message");
const results = $("search-results");
const suggestions = $("search-suggestions");
const suggestionsTitle = $("suggestions-title");

// Searching happens as the user types; Enter must not reload the page.
$("search-form").addEventListener("submit", (event) => event.preventDefault());

let timer = null;
let latest = 0;
let lastQuery = "";

function offerRow(offer, currency) {
  const row = document.createElement("div");
  // A name not checked is not taken: its row is not dimmed, and can be asked again.
  const state = offer.available ? "available" : offer.reason === "unknown" ? "unchecked" : "taken";
  row.className = `offer ${state}`;
  row.dataset.domain = offer.domain;
  const name = document.createElement("div");
  name.className = "name";
  name.textContent = offer.unicode;
  if (offer.unicode !== offer.domain) {
    const ascii = document.createElement("small");
    ascii.textContent = offer.domain;
    name.append(ascii);
  }
  if (offer.premium) {
    const badge = document.createElement("span");
    badge.className = "premium";
    badge.textContent = "premium";
    name.append(badge);
  }
  const status = document.createElement("div");
  status.className = "status";
  status.textContent = offer.available
    ? `${money(offer.prices.register, currency)} first year · renews at ${money(offer.prices.renew, currency)}`
    : offer.reason === "reserved" ? "Reserved"
    : offer.reason === "ordered" ? "Just ordered"
    : offer.reason === "unknown" ? "Not checked: the registry is busy" : "Taken";
  const button = document.createElement("button");
  button.type = "button";
  const added = () => { button.textContent = "In cart"; button.disabled = true; };
  if (offer.reason === "unknown") {
    button.textContent = "Check again";
    button.addEventListener("click", () => search(lastQuery));
  } else if (!offer.available) {
    button.textContent = "Unavailable";
    button.disabled = true;
  } else if (inCart(offer.domain)) {
    added();
  } else {
    button.textContent = "Add to cart";
    button.addEventListener("click", () => {
      addToCart({ domain: offer.domain, unicode: offer.unicode });
      added();
      showOnToCart();
    });
  }
  row.append(name, status, button);
  return row;
}

/// Once the cart holds something, the way on to it, beside the results.
function showOnToCart() {
  $("cart-next").hidden = cartItems().length === 0;
}

function clear() {
  results.replaceChildren();
  suggestions.replaceChildren();
  suggestionsTitle.hidden = true;
}

/// Keeps `query` in the address bar, without a history entry per keystroke.
function remember(query) {
  const url = new URL(location.href);
  if (query) url.searchParams.set("q", query);
  else url.searchParams.delete("q");
  history.replaceState(history.state, "", url);
}

async function search(query) {
  const ticket = ++latest;
  lastQuery = query;
  remember(query);
  say("Searching…");
  try {
    const answer = await api(`/api/domains/check?name=${encodeURIComponent(query)}`);
    if (ticket !== latest) return;
    results.replaceChildren(...answer.results.map((o) => offerRow(o, answer.currency)));
    suggestions.replaceChildren(...answer.suggestions.map((o) => offerRow(o, answer.currency)));
    suggestionsTitle.hidden = answer.suggestions.length === 0;
    const free = answer.results.filter((o) => o.available).length;
    const unchecked = answer.results.filter((o) => o.reason === "unknown").length;
    say(answer.notice ?? (answer.results.length === 1
      ? (free ? `${answer.normalized.unicode} is available.`
        : unchecked ? `We could not check ${answer.normalized.unicode} just now; please check again in a moment.`
        : `${answer.normalized.unicode} is taken; here are some ideas.`)
      : `${free} of ${answer.results.length} endings are available for “${answer.normalized.unicode}”.`));
  } catch (error) {
    if (ticket !== latest) return;
    clear();
    if (error instanceof ApiError && error.status === 429) {
      say(`You are searching very fast. Please wait ${error.retryAfter ?? "a few"} seconds and try again.`, true);
    } else if (error instanceof ApiError && (error.status === 400 || error.status === 422)) {
      // The name as typed cannot be a domain: say how to type it.
      say(`Check the name: ${error.message}.`, true);
    } else {
      say(`The search is not working right now: ${error.message}`, true);
    }
  }
}

input.addEventListener("input", () => {
  clearTimeout(timer);
  const query = input.value.trim();
  if (!query) {
    latest++;
    clear();
    say("");
    remember("");
    return;
  }
  timer = setTimeout(() => search(query), DEBOUNCE_MS);
});

// A search in the address (a reload, the back button, a shared link) runs again.
const kept = new URLSearchParams(location.search).get("q")?.trim();
if (kept) {
  input.value = kept;
  search(kept);
}

showOnToCart();
