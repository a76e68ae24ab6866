// The cart page: each domain with its first year's price and a button to
// remove it, the plan and its cycle, and the total with its tax, priced
// from the catalog; then on to checkout.

import { api } from "./api.js";
import { cartItems, cartPlan, choosePlan, keepWithAccount, registerPrice, removeFromCart } from "./cart.js";
import { $, el, money } from "./page.js";
import { taxTerms, withTax } from "./tax.js";

function show(catalog, terms) {
  const currency = catalog.currency;
  const items = cartItems();
  const plan = catalog.plans.find((p) => p.id === $("cart-plan").value);
  const cycle = $("plan-form").elements.cycle.value;
  let total = 0;
  const rows = items.map((item) => {
    const price = registerPrice(catalog, item.domain);
    total += price ?? 0;
    const remove = el("button", { type: "button", class: "link" }, "Remove");
    remove.setAttribute("aria-label", `Remove ${item.unicode}`);
    remove.addEventListener("click", () => {
      removeFromCart(item.domain);
      show(catalog, terms);
      $("cart-plan").focus();
    });
    return el("tr", {}, el("td", {}, `${item.unicode}, registration, 1 year`),
      el("td", { class: "amount" }, price === undefined ? "not sold here" : money(price, currency)), el("td", {}, remove));
  });
  if (plan) {
    const price = plan.prices[cycle];
    total += price;
    rows.push(el("tr", {}, el("td", {}, `${plan.name}, ${cycle === "annual" ? "a year" : "a month"}`),
      el("td", { class: "amount" }, money(price, currency)), el("td", {})));
  }
  $("cart-lines").querySelector("tbody").replaceChildren(...rows);
  const empty = rows.length === 0;
  $("cart-empty").hidden = !empty;
  $("cart-lines").hidden = empty;
  $("to-checkout").hidden = empty;
  $("cart-total").textContent = empty ? "" : `Total: ${withTax(total, currency, terms, catalog.prices_include_tax)}.`;
}

async function start() {
  const loggedIn = await api("/api/session").then((s) => Boolean(s.customer), () => false);
  if (loggedIn) await keepWithAccount();
  const [catalog, terms] = await Promise.all([api("/api/catalog"), loggedIn ? taxTerms() : null]);
  $("cart-plan").append(...catalog.plans.map((p) => el("option", { value: p.id }, p.name)));
  const chosen = cartPlan();
  if (catalog.plans.some((p) => p.id === chosen.plan_id)) $("cart-plan").value = chosen.plan_id;
  if (chosen.cycle === "annual") $("plan-form").elements.cycle.value = "annual";
  $("plan-form").addEventListener("change", () => {
    choosePlan($("cart-plan").value || undefined, $("plan-form").elements.cycle.value);
    show(catalog, terms);
  });
  show(catalog, terms);
}

start().catch((error) => {
  $("cart-total").textContent = `The cart could not be priced: ${error.message}. Reload the page to try again.`;
  $("cart-total").classList.add("error");
});
