// The staff console: login with a one-time code, then its sections, each a
// module in /assets/admin/: the dashboard, the order queues with their
// decisions, customers and their services, pools, dead letters, tasks and
// the audit log. Every change carries the console's header.

import { api, ApiError } from "./api.js";
import { $, capitalized, formFields } from "./page.js";
import { setUpAudit } from "./admin/audit.js";
import { allows, call, showLogin, signedIn, staffMember } from "./admin/console.js";
import { setUpCustomers } from "./admin/customers.js";
import { showDashboard } from "./admin/dashboard.js";
import { setUpDeadLetters, showDeadLetters } from "./admin/dead-letters.js";
import { setUpOrders, showOrders } from "./admin/orders.js";
import { setUpPools, showPools } from "./admin/pools.js";
import { setUpTasks, showTasks } from "./admin/tasks.js";

async function showConsole() {
  const me = staffMember();
  $("login-section").hidden = true;
  $("console").hidden = false;
  $("console-nav").hidden = false;
  $("who").textContent = `${me.name} <${me.email}>, ${me.role}`;
  for (const node of document.querySelectorAll("[data-role]")) node.hidden = !allows(node.dataset.role);
  await Promise.all([showDashboard(), showOrders(), showPools(), showDeadLetters(), showTasks()]);
}

function setUpLogin() {
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      signedIn(await api("/api/admin/login", { method: "POST", body: JSON.stringify(formFields(event.target)) }));
      event.target.reset();
      $("login-message").textContent = "";
      await showConsole();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      $("login-message").textContent = capitalized(error.message);
      $("login-message").classList.add("error");
    }
  });
  $("logout").addEventListener("click", async () => {
    await call("/api/admin/logout", { method: "POST" }).catch(() => {});
    signedIn(null);
    showLogin();
  });
}

async function start() {
  for (const setUp of [setUpLogin, setUpOrders, setUpCustomers, setUpDeadLetters, setUpTasks, setUpAudit, setUpPools]) setUp();
  try {
    signedIn(await api("/api/admin/me"));
  } catch {
    return showLogin();
  }
  await showConsole();
}

start();
