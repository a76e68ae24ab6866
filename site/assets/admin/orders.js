// The console's order queues, with the decisions staff make on an order.

import { $, details, el, money, words } from "../page.js";
import { allows, attempt, call, fail, say } from "./console.js";
import { disputeLine } from "./disputes.js";

/// A button that asks why, then makes the decision.
function decision(label, path, done) {
  const button = el("button", { type: "button", class: "secondary" }, label);
  button.addEventListener("click", () => {
    const why = el("input", { name: "why", required: "", maxlength: "500" });
    const form = el("form", { class: "card-form" }, el("label", {}, `Why (${label.toLowerCase()})`, why), el("button", { type: "submit" }, label));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      attempt(async () => {
        await call(path, { method: "POST", body: JSON.stringify({ why: why.value }) });
        // What the page shows is current before it says so.
        await done();
        say(`${label}: done.`);
      });
    });
    button.replaceWith(form);
    why.focus();
  });
  return button;
}

function orderRecord(order) {
  const path = `/api/admin/orders/${encodeURIComponent(order.id)}`;
  const actions = [];
  if (order.status === "pending_review") {
    actions.push(decision("Approve", `${path}/approve`, showOrders));
    if (allows("billing")) actions.push(decision("Reject and refund", `${path}/reject`, showOrders));
  }
  if (order.status === "on_hold" || order.status === "failed") actions.push(decision("Resume", `${path}/resume`, showOrders));
  return el("article", { class: "record", "data-order": order.id },
    el("h3", {}, `${order.plan_name} · ${order.domain.unicode}`),
    details([
      ["Customer", `${order.customer_name} <${order.email}>`],
      ["Status", words(order.status)],
      ["Total", money(order.invoice.total, order.invoice.currency)],
      ["Placed", order.created_at],
      ...(order.review_reasons.length ? [["Held because", order.review_reasons.join("; ")]] : []),
      ...(order.hold_reason ? [["Stopped because", order.hold_reason]] : []),
      ...(order.failed_step ? [["Step", order.failed_step]] : []),
      ...order.disputes.map((dispute) => ["Disputed", disputeLine(dispute)]),
    ], "—"),
    el("p", { class: "actions" }, ...actions));
}

export async function showOrders() {
  const orders = await call(`/api/admin/orders?status=${$("order-queue").value}`);
  $("order-list").replaceChildren(...(orders.length ? orders.map(orderRecord) : [el("p", {}, "Nothing waiting here.")]));
}

export function setUpOrders() {
  $("order-queue").addEventListener("change", () => showOrders().catch(fail));
}
