// The console's dashboard: today's figures, a chart of each day's orders,
// the orders waiting for a machine, and the counts in the navigation (orders held, open disputes, failed
// jobs), drawn again after every action so that they say what it changed.

import { $, el } from "../page.js";
import { money } from "./amounts.js";
import { show } from "./charts.js";
import { call, customerLink, orderLink } from "./console.js";
import { disputeLine } from "./disputes.js";
import { ordersChart } from "./reports.js";

const link = (href, words) => el("a", { href }, words);
const atMost = (n, most) => (n >= most ? `${most.toLocaleString()} or more` : String(n));

/// The dashboard's figures as cards, those that wait for staff leading to them.
function figures(d) {
  const revenue = Object.entries(d.monthly_recurring_revenue).map(([currency, amount]) => money(amount, currency)).join(", ") || "none yet";
  const services = Object.entries(d.live_services).map(([kind, n]) => `${n} ${kind}`).join(", ") || "none";
  return [
    ["Orders today", String(d.orders_today)], ["Orders, 7 days", String(d.orders_7_days)], ["Orders, 30 days", String(d.orders_30_days)],
    ["Monthly recurring revenue", revenue], ["Live services", services],
    ["Held for review", link("#/orders?status=pending_review", String(d.pending_review))],
    ["On hold", link("#/orders?status=on_hold", String(d.on_hold))],
    ["Failed", link("#/orders?status=failed", String(d.failed))],
    ["Domains expiring in 30 days", atMost(d.domains_expiring_30_days, 1000)],
    ["Failed jobs", link("#/dead-letters", atMost(d.dead_letters, 100))],
    ["Open disputes", link("#/disputes", String(d.open_disputes.length))],
  ].map(([term, value]) => el("div", { class: "figure" }, el("dt", {}, term), el("dd", {}, value)));
}

function badge(id, count) {
  $(id).replaceChildren(String(count), el("span", { class: "visually-hidden" }, " waiting"));
  $(id).hidden = !count;
}

let latest = null;

/// Reads the figures again and shows them where they are shown: the
/// navigation's counts, the dashboard, the open disputes.
export async function refreshCounts() {
  latest = await call("/api/admin/dashboard");
  badge("count-orders", latest.pending_review);
  badge("count-disputes", latest.open_disputes.length);
  badge("count-dead-letters", latest.dead_letters);
  $("figures").replaceChildren(...figures(latest));
  show($("orders-chart"), [ordersChart(latest.orders_by_day, "dashboard-orders")]);
  showMachineWaits(latest.waiting_for_machines);
  $("open-disputes").replaceChildren(...(latest.open_disputes.length ? latest.open_disputes.map((dispute) => disputeItem(dispute, latest)) : [el("li", {}, "None open.")]));
}

/// The paid orders the machine pool cannot serve yet, longest waiting first.
function showMachineWaits(waits) {
  $("machine-waits").hidden = !waits.length;
  $("machine-wait-list").replaceChildren(...waits.map((wait) => el("li", { class: "record" },
    el("p", {}, orderLink(wait.order_id, `Order ${wait.order_id}`), ` · ${wait.plan_id} · waiting since ${new Date(wait.since * 1000).toISOString().slice(0, 16).replace("T", " ")} UTC`),
    el("p", {}, wait.reason))));
}

function disputeItem(dispute, d) {
  const order = dispute.about?.order_id;
  return el("li", { class: "record", "data-dispute": dispute.id },
    el("p", {}, disputeLine(dispute)),
    el("p", {}, "Customer: ", customerLink(dispute.customer_id, d.dispute_customers?.[dispute.customer_id]),
      ...(order ? [" · ", orderLink(order, "the order")] : [])));
}
