// The console's order queues and an order's own view, with the decisions
// staff make on an order. A decision redraws the order where it was, in
// its new status, with what happened beside it.

import { $, details, el, words } from "../page.js";
import { money } from "./amounts.js";
import { allows, attempt, call, customerLink, fail, orderLink } from "./console.js";
import { refreshCounts } from "./dashboard.js";
import { disputeLine } from "./disputes.js";
import { ask, note, noteSlot } from "./feedback.js";
import { showList } from "./list-toolbar.js";
import { address, titled } from "./router.js";
import { when } from "./words.js";

const orderPath = (id) => `/api/admin/orders/${encodeURIComponent(id)}`;
const nameOf = (order) => `${order.plan_name} · ${order.domain.unicode}`;

/// What each decision says once done, and, for one that cannot be undone, what it asks first.
const DECISIONS = {
  approve: { label: "Approve", done: "Approved: it is being set up now." },
  resume: { label: "Resume", done: "Resumed: its setup goes on from the step that stopped." },
  reject: {
    label: "Reject and refund",
    done: "Rejected: the payment is given back to the card.",
    asks: (order) => ({
      title: `Reject ${nameOf(order)}?`,
      text: `The order of ${order.customer_name} is rejected and its ${money(order.invoice.total, order.invoice.currency)} given back to their card. This cannot be undone.`,
      go: "Reject and refund",
    }),
  },
};

/// A button that asks why (and, for a refusal, whether staff are sure), then makes the decision.
function decision(order, verb) {
  const { label, done, asks } = DECISIONS[verb];
  const key = `order:${order.id}`;
  const button = el("button", { type: "button", class: "secondary" }, label);
  button.addEventListener("click", () => {
    const why = el("input", { name: "why", required: "", maxlength: "500" });
    const form = el("form", { class: "card-form" }, el("label", {}, `Why (${label.toLowerCase()})`, why), el("button", { type: "submit" }, label));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (asks && !(await ask(asks(order)))) return;
      await attempt(async () => {
        await call(`${orderPath(order.id)}/${verb}`, { method: "POST", body: JSON.stringify({ why: why.value }) });
        const after = await call(orderPath(order.id));
        document.querySelector(`[data-order="${CSS.escape(order.id)}"]`)?.replaceWith(orderRecord(after));
        note(key, done);
        await refreshCounts();
      }, key);
    });
    button.replaceWith(form);
    why.focus();
  });
  return button;
}

function orderRecord(order) {
  const actions = [];
  if (order.status === "pending_review") {
    actions.push(decision(order, "approve"));
    if (allows("billing")) actions.push(decision(order, "reject"));
  }
  if (order.status === "on_hold" || order.status === "failed") actions.push(decision(order, "resume"));
  return el("article", { class: "record", "data-order": order.id },
    el("h2", {}, orderLink(order.id, nameOf(order))),
    details([
      ["Customer", el("span", {}, customerLink(order.customer_id, order.customer_name), el("br"), order.email)],
      ["Status", words(order.status)],
      ["Total", money(order.invoice.total, order.invoice.currency)],
      ["Placed", when(order.created_at)],
      ["Order", el("small", { class: "id" }, order.id)],
      ...(order.review_reasons.length ? [["Held because", order.review_reasons.join("; ")]] : []),
      ...(order.hold_reason ? [["Stopped because", order.hold_reason]] : []),
      ...(order.failed_step ? [["Step", words(order.failed_step)]] : []),
      ...order.disputes.map((dispute) => ["Disputed", disputeLine(dispute)]),
    ], "—"),
    el("p", { class: "actions" }, ...actions),
    noteSlot(`order:${order.id}`));
}

/// Every order, held for review unless another status is chosen.
const ORDER_LIST = {
  area: "orders", api: "/api/admin/orders", name: "orders", toolbar: "order-toolbar", results: "order-list",
  statuses: ["pending_review", "on_hold", "failed", "provisioning", "awaiting_payment", "active", "cancelled", "rejected"],
  defaultStatus: "pending_review", statusId: "order-queue", dates: true, search: "Order id",
  sorts: ["newest", "oldest"], sortLabels: { newest: "newest first", oldest: "oldest first" },
  record: orderRecord, empty: "Nothing waiting here.",
};

/// The orders the address asks for (`status=`, `from=`, `to=`, `q=`, `sort=`).
export const showOrders = (params) => showList(ORDER_LIST, params);

/// One order, by its id: its own view, with its decisions.
export async function showOrder(id) {
  const order = await call(orderPath(id));
  titled("order", `Order: ${nameOf(order)}`);
  const audit = allows("admin") ? [el("a", { href: address("audit", null, { subject: `order:${order.id}` }) }, "Its audit log")] : [];
  $("order-view").replaceChildren(orderRecord(order),
    el("p", { class: "actions" }, el("a", { href: address("customers", order.customer_id) }, `${order.customer_name}'s file`), ...audit));
}
