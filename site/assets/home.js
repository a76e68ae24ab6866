import { api } from "./api.js";
import { $, el, money } from "./page.js";

const cycleLabel = { monthly: "/month", annual: "/year" };

function planCard(plan, currency) {
  const price = plan.prices.monthly ?? Object.values(plan.prices)[0];
  const limits = Object.entries(plan.limits).map(([k, v]) => `${v} ${k.replaceAll("_", " ")}`).join(" · ");
  return el("article", { class: "plan" },
    el("div", { class: "kind" }, plan.kind),
    el("h3", {}, plan.name),
    el("div", { class: "price" }, `${money(price, currency)}${cycleLabel.monthly}`),
    el("p", { class: "summary" }, plan.summary),
    el("p", { class: "limits" }, limits));
}

async function showCatalog() {
  const list = $("plan-list");
  try {
    const catalog = await api("/api/catalog");
    list.replaceChildren(...catalog.plans.map((p) => planCard(p, catalog.currency)));
    const rows = catalog.tlds.map((t) => el("tr", {},
      ...[`.${t.tld}`, money(t.register, catalog.currency), (t.transfer ? money(t.transfer, catalog.currency) : "free"), money(t.renew, catalog.currency)]
        .map((text) => el("td", {}, text))));
    document.querySelector("#tld-prices tbody").replaceChildren(...rows);
  } catch (error) {
    list.textContent = `The plans could not be loaded: ${error.message}`;
    list.classList.add("error");
  }
  list.classList.remove("loading");
  list.removeAttribute("aria-busy");
}

async function showStatus() {
  const status = $("status");
  try {
    const health = await api("/api/health");
    status.textContent = `Hostfront ${health.version} · ${health.status} · ${health.engines.table} + ${health.engines.queue}`;
  } catch (error) {
    status.textContent = `Service status unknown: ${error.message}`;
  }
}

showCatalog();
showStatus();
