import { api, money } from "/assets/api.js";

const cycleLabel = { monthly: "/month", annual: "/year" };

function planCard(plan, currency) {
  const card = document.createElement("article");
  card.className = "plan";
  const price = plan.prices.monthly ?? Object.values(plan.prices)[0];
  const limits = Object.entries(plan.limits).map(([k, v]) => `${v} ${k.replaceAll("_", " ")}`).join(" · ");
  card.innerHTML = `<div class="kind"></div><h3></h3><div class="price"></div><p class="summary"></p><p class="limits"></p>`;
  card.querySelector(".kind").textContent = plan.kind;
  card.querySelector("h3").textContent = plan.name;
  card.querySelector(".price").textContent = `${money(price, currency)}${cycleLabel.monthly}`;
  card.querySelector(".summary").textContent = plan.summary;
  card.querySelector(".limits").textContent = limits;
  return card;
}

async function showCatalog() {
  const list = document.getElementById("plan-list");
  try {
    const catalog = await api("/api/catalog");
    list.replaceChildren(...catalog.plans.map((p) => planCard(p, catalog.currency)));
    const rows = catalog.tlds.map((t) => {
      const row = document.createElement("tr");
      for (const text of [`.${t.tld}`, money(t.register, catalog.currency), (t.transfer ? money(t.transfer, catalog.currency) : "free"), money(t.renew, catalog.currency)]) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      }
      return row;
    });
    document.querySelector("#tld-prices tbody").replaceChildren(...rows);
  } catch (error) {
    list.textContent = `The plans could not be loaded: ${error.message}`;
    list.classList.add("error");
  }
}

async function showStatus() {
  const status = document.getElementById("status");
  try {
    const health = await api("/api/health");
    status.textContent = `Hostfront ${health.version} · ${health.status} · ${health.engines.table} + ${health.engines.queue}`;
  } catch (error) {
    status.textContent = `Service status unknown: ${error.message}`;
  }
}

showCatalog();
showStatus();
