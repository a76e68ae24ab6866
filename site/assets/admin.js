// The staff console: login with a one-time code, the order queues with
// their decisions, customers and their services, dead letters, tasks and
// the audit log. Every change carries the console's header.

import { api, ApiError, el, money } from "/assets/api.js";

const $ = (id) => document.getElementById(id);
const ROLES = ["support", "billing", "admin"];
let me = null;

/// A console call; changes carry the header no cross-site request can send.
function call(path, options = {}) {
  const changes = options.method && options.method !== "GET";
  return api(path, changes ? { ...options, headers: { "x-hostfront-console": "1", ...options.headers } } : options);
}

function say(text, isError = false) {
  $("console-message").textContent = text;
  $("console-message").classList.toggle("error", isError);
}

function fail(error) {
  if (!(error instanceof ApiError)) throw error;
  if (error.status === 401) return showLogin();
  say(error.message.charAt(0).toUpperCase() + error.message.slice(1), true);
}

const allows = (needed) => ROLES.indexOf(me.role) >= ROLES.indexOf(needed);

function details(rows) {
  return el("dl", { class: "details" }, ...rows.flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, value ?? "—")]));
}

/// A button that asks why, then makes the decision.
function decision(label, path, done) {
  const button = el("button", { type: "button", class: "secondary" }, label);
  button.addEventListener("click", () => {
    const why = el("input", { name: "why", required: "", maxlength: "500" });
    const form = el("form", { class: "card-form" }, el("label", {}, `Why (${label.toLowerCase()})`, why), el("button", { type: "submit" }, label));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      try {
        await call(path, { method: "POST", body: JSON.stringify({ why: why.value }) });
        // What the page shows is current before it says so.
        await done();
        say(`${label}: done.`);
      } catch (error) {
        fail(error);
      }
    });
    button.replaceWith(form);
    why.focus();
  });
  return button;
}

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

async function showDashboard() {
  const d = await call("/api/admin/dashboard");
  const revenue = Object.entries(d.monthly_recurring_revenue).map(([currency, amount]) => money(amount, currency)).join(", ") || money(0, "USD");
  const services = Object.entries(d.live_services).map(([kind, n]) => `${n} ${kind}`).join(", ") || "none";
  $("figures").replaceChildren(...[
    ["Orders today", d.orders_today], ["Orders, 7 days", d.orders_7_days], ["Orders, 30 days", d.orders_30_days],
    ["Monthly recurring revenue", revenue], ["Live services", services],
    ["Held for review", d.pending_review], ["On hold", d.on_hold], ["Failed", d.failed],
    ["Domains expiring in 30 days", d.domains_expiring_30_days >= 1000 ? "1,000 or more" : d.domains_expiring_30_days],
    ["Failed jobs", d.dead_letters >= 100 ? "100 or more" : d.dead_letters],
  ].flatMap(([term, value]) => [el("dt", {}, term), el("dd", {}, String(value))]));
  $("orders-chart").replaceChildren(...chart(d.orders_by_day));
}

async function showOrders() {
  const status = $("order-queue").value;
  const orders = await call(`/api/admin/orders?status=${status}`);
  $("order-list").replaceChildren(...(orders.length ? orders.map((order) => {
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
        ["Status", order.status.replaceAll("_", " ")],
        ["Total", money(order.invoice.total, order.invoice.currency)],
        ["Placed", order.created_at],
        ...(order.review_reasons.length ? [["Held because", order.review_reasons.join("; ")]] : []),
        ...(order.hold_reason ? [["Stopped because", order.hold_reason]] : []),
        ...(order.failed_step ? [["Step", order.failed_step]] : []),
      ]),
      el("p", { class: "actions" }, ...actions));
  }) : [el("p", {}, "Nothing waiting here.")]));
}

/// A form of `fields` ([name, label]) that POSTs them (amounts as numbers)
/// with `why`, then shows the customer again.
function moneyForm(label, path, customerId, fields, done) {
  const inputs = fields.map(([name, text]) => [name, el("input", { name, required: "", ...(name === "amount" ? { inputmode: "numeric" } : {}) }), text]);
  const form = el("form", { class: "card-form", "data-form": label }, ...inputs.map(([, input, text]) => el("label", {}, text, input)), el("button", { type: "submit" }, label));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = Object.fromEntries(inputs.map(([name, input]) => [name, name === "amount" ? Number(input.value) : input.value]));
    try {
      const answer = await call(path, { method: "POST", body: JSON.stringify(body) });
      await showCustomer(customerId);
      say(done(answer));
    } catch (error) {
      fail(error);
    }
  });
  return form;
}

/// Cancels a service now, once staff confirm (with the customer, for one
/// whose domain points elsewhere).
function cancelButton(customerId, service) {
  const button = el("button", { type: "button", class: "secondary" }, "Cancel the service");
  button.addEventListener("click", () => {
    const confirm = el("button", { type: "button" }, `Confirm: cancel ${service.domain} now`);
    confirm.addEventListener("click", async () => {
      try {
        await call(`/api/admin/customers/${encodeURIComponent(customerId)}/services/${encodeURIComponent(service.id)}/cancel`,
          { method: "POST", body: JSON.stringify({ when: "now" }) });
        await showCustomer(customerId);
        say(`${service.domain}: the service is cancelled and being torn down; its backup is kept.`);
      } catch (error) {
        fail(error);
      }
    });
    button.replaceWith(confirm);
  });
  return button;
}

async function showCustomer(id) {
  const file = await call(`/api/admin/customers/${encodeURIComponent(id)}`);
  const c = file.customer;
  const services = file.services.map((service) => {
    const path = `/api/admin/customers/${encodeURIComponent(c.id)}/services/${encodeURIComponent(service.id)}/status`;
    const to = service.status === "active" ? "suspended" : "active";
    const actions = [];
    if (service.status !== "cancelled" && !service.ended_at) {
      const button = el("button", { type: "button", class: "secondary" }, to === "suspended" ? "Suspend" : "Lift the suspension");
      button.addEventListener("click", () => {
        const why = el("input", { name: "why", required: "", maxlength: "500" });
        const form = el("form", { class: "card-form" }, el("label", {}, "Why", why), el("button", { type: "submit" }, button.textContent));
        form.addEventListener("submit", async (event) => {
          event.preventDefault();
          try {
            await call(path, { method: "PUT", body: JSON.stringify({ status: to, why: why.value }) });
            await showCustomer(c.id);
            say(`The service is ${to} now.`);
          } catch (error) {
            fail(error);
          }
        });
        button.replaceWith(form);
      });
      actions.push(button);
      if (allows("billing") && !service.cancel_at) actions.push(cancelButton(c.id, service));
    }
    const rows = [["Status", service.status], ["Next due", service.next_due], ["Price", money(service.price, service.currency)]];
    if (service.cancel_at) rows.push(["Ends on", service.cancel_at]);
    // The daily hosting check found the domain pointing to another host.
    if (service.elsewhere_since) rows.push(["Points elsewhere since", service.elsewhere_since]);
    return el("article", { class: "record", "data-service": service.id },
      el("h4", {}, `${service.plan_name} · ${service.domain}`),
      details(rows),
      el("p", { class: "actions" }, ...actions));
  });
  $("customer-file").replaceChildren(
    el("h3", {}, `${c.name} <${c.email}>`),
    details([["Customer id", c.id], ["Country", c.country], ["Since", c.created_at], ["Account credit", money(file.credit, "USD")]]),
    ...(allows("billing") ? [moneyForm("Grant credit", `/api/admin/customers/${encodeURIComponent(c.id)}/credit`, c.id,
      [["amount", "Credit (minor units)"], ["why", "Why"]], (a) => `The credit is ${money(a.balance, "USD")} now.`)] : []),
    el("h4", {}, "Services"), ...(services.length ? services : [el("p", {}, "None.")]),
    el("h4", {}, "Domains"), el("ul", {}, ...file.domains.map((d) => el("li", {}, `${d.unicode} — ${d.status}`))),
    el("h4", {}, "Orders"), el("ul", {}, ...file.orders.map((o) => el("li", {}, `${o.id} — ${o.plan_name} · ${o.domain.unicode} — ${o.status}`))),
    el("h4", {}, "Invoices"), el("ul", {}, ...file.invoices.map((i) => {
      const item = el("li", { "data-invoice": i.number }, `${i.number} — ${money(i.total, i.currency)} — ${i.status}${i.refunded ? `, ${money(i.refunded, i.currency)} given back` : ""} `);
      if (allows("billing") && i.status === "paid" && i.total > i.refunded) {
        const refund = el("button", { type: "button", class: "secondary" }, "Refund");
        refund.addEventListener("click", () => refund.replaceWith(moneyForm("Refund", `/api/admin/invoices/${encodeURIComponent(i.number)}/refund`, c.id,
          [["amount", "Amount (minor units)"], ["why", "Why"]], (after) => `Invoice ${after.number}: ${money(after.refunded, after.currency)} given back.`)));
        item.append(refund);
      }
      return item;
    })),
    el("h4", {}, "Mail sent"), el("ul", {}, ...file.mail.map((m) => el("li", {}, `${m.sent_at} — ${m.subject}`))),
    el("h4", {}, "History"), el("ul", {}, ...file.audit.map((e) => el("li", {}, `${e.at} — ${e.action} by ${actorOf(e.actor)}: ${e.why}`))));
}

const actorOf = (actor) => `${actor.kind} ${actor.id}`;

async function searchCustomers(event) {
  event.preventDefault();
  const q = new FormData(event.target).get("q");
  try {
    const found = await call(`/api/admin/customers?q=${encodeURIComponent(q)}`);
    $("customer-file").replaceChildren();
    $("customer-results").replaceChildren(...(found.length ? found.map((c) => {
      const open = el("button", { type: "button", class: "secondary" }, `${c.name} <${c.email}>`);
      open.addEventListener("click", () => showCustomer(c.id).catch(fail));
      return el("p", {}, open);
    }) : [el("p", {}, "No customer found.")]));
  } catch (error) {
    fail(error);
  }
}

async function showPools() {
  const pools = await call("/api/admin/pools");
  $("server-table").querySelector("tbody").replaceChildren(...pools.servers.map((server) => {
    const retire = el("button", { type: "button", class: "secondary" }, "Retire");
    retire.hidden = server.retired || !allows("admin");
    retire.addEventListener("click", async () => {
      try {
        await call(`/api/admin/pools/servers/${encodeURIComponent(server.name)}/retire`, { method: "POST" });
        await showPools();
        say(`${server.name} takes no new accounts.`);
      } catch (error) {
        fail(error);
      }
    });
    return el("tr", { "data-server": server.name },
      el("td", {}, server.name), el("td", {}, server.pool),
      el("td", {}, `${server.accounts} of ${server.capacity}${server.retired ? " (retired)" : ""}`), el("td", {}, retire));
  }));
  $("address-usage").textContent = `Addresses: ${pools.addresses.free} free of ${pools.addresses.total}.`;
}

/// Sends a pool form as JSON (numbers as numbers), then shows the pools.
function poolForm(id, path, done) {
  $(id).addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(event.target).entries());
    for (const name of ["capacity", "count"]) if (name in fields) fields[name] = Number(fields[name]);
    try {
      const answer = await call(path, { method: "POST", body: JSON.stringify(fields) });
      await showPools();
      say(done(fields, answer));
    } catch (error) {
      fail(error);
    }
  });
}

async function showDeadLetters() {
  const jobs = await call("/api/admin/dead-letters");
  $("dead-list").replaceChildren(...(jobs.length ? jobs.map((job) => {
    const retry = el("button", { type: "button", class: "secondary" }, "Retry");
    retry.addEventListener("click", async () => {
      try {
        await call(`/api/admin/dead-letters/${encodeURIComponent(job.id)}/retry`, { method: "POST" });
        await showDeadLetters();
        say(`The ${job.kind.replaceAll("_", " ")} job of ${job.subject ?? "?"} runs again; should it fail again, it comes back here with its new error.`);
      } catch (error) {
        fail(error);
      }
    });
    return el("article", { class: "record", "data-job": job.id },
      el("h3", {}, `${job.kind.replaceAll("_", " ")} · ${job.subject ?? "?"}`),
      details([["Step", job.failed_step], ["Last error", job.last_error], ["Customer", job.customer_id]]),
      el("p", { class: "actions" }, retry));
  }) : [el("p", {}, "No failed jobs.")]));
}

async function showTasks() {
  const tasks = await call("/api/admin/tasks");
  $("task-names").replaceChildren(...tasks.map((task) => el("option", {}, task.task)));
  $("task-list").replaceChildren(...tasks.map((task) => {
    const day = task.day;
    const counts = day ? Object.entries(day.counts).map(([name, n]) => `${n} ${name.replaceAll("_", " ")}`).join(", ") : null;
    const record = el("article", { class: "record", "data-task": task.task },
      el("h3", {}, `${task.task} · ${task.schedule}`),
      details([
        ["Last run", task.last_ran_at ? `${task.last_ran_at}${task.last_failed ? " (failed)" : ""}` : "not yet"],
        ["Outcome", task.last_outcome],
        ["Day", day ? `${day.day}: ${day.batches_done} of ${day.batches} batches done, ${day.items} items${day.fanned_out_at ? "" : " (still queuing)"}` : null],
        ["Counts", counts],
      ].filter(([term, value]) => value !== null || !["Day", "Counts"].includes(term))));
    if (day && day.exceptions.length) {
      record.append(el("p", {}, `${day.exceptions.length} need people:`),
        el("ul", { class: "exceptions" }, ...day.exceptions.map((x) => el("li", {}, `${x.item}: ${x.what}`))));
    }
    return record;
  }));
}

async function showAudit(event) {
  event.preventDefault();
  const form = new FormData(event.target);
  try {
    const entries = await call(`/api/admin/audit?${form.get("by")}=${encodeURIComponent(form.get("value"))}`);
    $("audit-table").querySelector("tbody").replaceChildren(...entries.map((e) => el("tr", {},
      el("td", {}, e.at), el("td", {}, actorOf(e.actor)), el("td", {}, `${e.action} ${e.subject}`),
      el("td", {}, e.from || e.to ? `${e.from ?? ""} → ${e.to ?? ""}` : ""), el("td", {}, e.why), el("td", {}, e.client ?? ""))));
  } catch (error) {
    fail(error);
  }
}

function showLogin() {
  $("console").hidden = true;
  $("console-nav").hidden = true;
  $("login-section").hidden = false;
}

async function showConsole() {
  $("login-section").hidden = true;
  $("console").hidden = false;
  $("console-nav").hidden = false;
  $("who").textContent = `${me.name} <${me.email}>, ${me.role}`;
  for (const node of document.querySelectorAll("[data-role]")) node.hidden = !allows(node.dataset.role);
  await Promise.all([showDashboard(), showOrders(), showPools(), showDeadLetters(), showTasks()]);
}

function setUp() {
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const fields = Object.fromEntries(new FormData(event.target).entries());
    try {
      me = await api("/api/admin/login", { method: "POST", body: JSON.stringify(fields) });
      event.target.reset();
      $("login-message").textContent = "";
      await showConsole();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      $("login-message").textContent = error.message.charAt(0).toUpperCase() + error.message.slice(1);
      $("login-message").classList.add("error");
    }
  });
  $("logout").addEventListener("click", async () => {
    await call("/api/admin/logout", { method: "POST" }).catch(() => {});
    me = null;
    showLogin();
  });
  $("order-queue").addEventListener("change", () => showOrders().catch(fail));
  $("customer-search").addEventListener("submit", searchCustomers);
  $("redrive").addEventListener("click", async () => {
    try {
      const { moved } = await call("/api/admin/dead-letters/redrive", { method: "POST" });
      await showDeadLetters();
      say(`${moved} failed ${moved === 1 ? "job is" : "jobs are"} back in the queue.`);
    } catch (error) {
      fail(error);
    }
  });
  $("task-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const task = new FormData(event.target).get("task");
    try {
      const run = await call(`/api/admin/tasks/${encodeURIComponent(task)}/run`, { method: "POST" });
      $("task-outcome").textContent = `${run.task}: ${run.outcome}`;
      await showTasks();
    } catch (error) {
      fail(error);
    }
  });
  $("audit-form").addEventListener("submit", showAudit);
  poolForm("server-form", "/api/admin/pools/servers", (f) => `${f.name} is in the ${f.pool} pool.`);
  poolForm("address-form", "/api/admin/pools/addresses", (_, answer) => `${answer.added} addresses added.`);
}

async function start() {
  setUp();
  try {
    me = await api("/api/admin/me");
  } catch {
    return showLogin();
  }
  await showConsole();
}

start();
