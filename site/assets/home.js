import { api } from "./api.js";
import { cartPlan, choosePlan } from "./cart.js";
import { $, el, money } from "./page.js";

/// How a plan's limits read: "1 site", "5 GB per mailbox".
const LIMITS = {
  disk_gb: (n) => `${n} GB disk`,
  sites: (n) => `${n} site${n === 1 ? "" : "s"}`,
  mailboxes: (n) => `${n} mailbox${n === 1 ? "" : "es"}`,
  mailbox_gb: (n) => `${n} GB per mailbox`,
  databases: (n) => `${n} database${n === 1 ? "" : "s"}`,
  accounts: (n) => `${n} hosting account${n === 1 ? "" : "s"}`,
  vcpus: (n) => `${n} vCPU${n === 1 ? "" : "s"}`,
  cores: (n) => `${n} CPU core${n === 1 ? "" : "s"}`,
  memory_gb: (n) => `${n} GB memory`,
  ipv4: (n) => `${n} IPv4 address${n === 1 ? "" : "es"}`,
};

export function limitText(name, value) {
  return LIMITS[name]?.(value) ?? `${value} ${name.replaceAll("_", " ")}`;
}

function planCard(plan, currency) {
  const limits = Object.entries(plan.limits).map(([name, value]) => limitText(name, value)).join(" · ");
  const prices = [["monthly", "/month"], ["annual", "/year"]]
    .filter(([cycle]) => plan.prices[cycle] !== undefined)
    .map(([cycle, per]) => `${money(plan.prices[cycle], currency)}${per}`);
  const order = el("button", { type: "button" }, "Order");
  order.setAttribute("aria-label", `Order ${plan.name}`);
  order.addEventListener("click", () => {
    choosePlan(plan.id, cartPlan().cycle ?? "monthly");
    location.assign("/cart.html");
  });
  return el("article", { class: "plan" },
    el("div", { class: "kind" }, plan.kind),
    el("h3", {}, plan.name),
    el("div", { class: "price" }, prices[0] ?? ""),
    prices[1] ? el("div", { class: "hint" }, `or ${prices[1]}`) : null,
    el("p", { class: "summary" }, plan.summary),
    el("p", { class: "limits" }, limits),
    order);
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
