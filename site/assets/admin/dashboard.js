// The console's dashboard: today's figures and a chart of each day's orders.

import { $, detailRows, el, money } from "../page.js";
import { call } from "./console.js";
import { disputeLine } from "./disputes.js";

const SVG = "http://www.w3.org/2000/svg";

/// Bars of each day's orders, scaled to the busiest day.
function chart(days) {
  const most = Math.max(1, ...days.map((d) => d.orders));
  const width = 300 / days.length;
  return days.map((d, i) => {
    const bar = document.createElementNS(SVG, "rect");
    const height = (d.orders / most) * 96;
    for (const [name, value] of Object.entries({ x: i * width + 1, y: 100 - height, width: width - 2, height, class: "bar" })) bar.setAttribute(name, value);
    const title = document.createElementNS(SVG, "title");
    title.textContent = `${d.day}: ${d.orders}`;
    bar.append(title);
    return bar;
  });
}

export async function showDashboard() {
  const d = await call("/api/admin/dashboard");
  const revenue = Object.entries(d.monthly_recurring_revenue).map(([currency, amount]) => money(amount, currency)).join(", ") || money(0, "USD");
  const services = Object.entries(d.live_services).map(([kind, n]) => `${n} ${kind}`).join(", ") || "none";
  $("figures").replaceChildren(...detailRows([
    ["Orders today", d.orders_today], ["Orders, 7 days", d.orders_7_days], ["Orders, 30 days", d.orders_30_days],
    ["Monthly recurring revenue", revenue], ["Live services", services],
    ["Held for review", d.pending_review], ["On hold", d.on_hold], ["Failed", d.failed],
    ["Domains expiring in 30 days", d.domains_expiring_30_days >= 1000 ? "1,000 or more" : d.domains_expiring_30_days],
    ["Failed jobs", d.dead_letters >= 100 ? "100 or more" : d.dead_letters],
  ].map(([term, value]) => [term, String(value)])));
  $("orders-chart").replaceChildren(...chart(d.orders_by_day));
  const disputes = d.open_disputes.map((dispute) => el("li", { "data-dispute": dispute.id }, `${disputeLine(dispute)} — customer ${dispute.customer_id}`));
  $("open-disputes").replaceChildren(...(disputes.length ? disputes : [el("li", {}, "None.")]));
}
