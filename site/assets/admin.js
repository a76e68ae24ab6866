// The staff console: login with a one-time code, then one area at a time,
// each a module in /assets/admin/ with its own address (see router.js):
// the dashboard, the order queues and an order with its decisions,
// customers and a customer's file, invoices, disputes, dead letters, the agency's
// prospects, client sites (a site's page, its services) and client services, pools,
// tasks, reports and their charts, the audit log, mail templates and the member's own account. Every change carries the console's header.

import { api, ApiError } from "./api.js";
import { $, capitalized, formFields } from "./page.js";
import { setUpAudit, showAudit } from "./admin/audit.js";
import { showClientServices } from "./admin/client-services.js";
import { allows, attempt, call, showLogin, signedIn, staffMember } from "./admin/console.js";
import { showCustomer, showCustomers } from "./admin/customers.js";
import { refreshCounts } from "./admin/dashboard.js";
import { setUpDeadLetters, showDeadLetters } from "./admin/dead-letters.js";
import { note } from "./admin/feedback.js";
import { setUpMail, showLetter, showLetters } from "./admin/mail.js";
import { setUpMyAccount, showMyAccount } from "./admin/my-account.js";
import { showInvoices } from "./admin/invoices.js";
import { showOrder, showOrders } from "./admin/orders.js";
import { setUpPools, showPools } from "./admin/pools.js";
import { showSite } from "./admin/site.js";
import { setUpProspects, showProspect, showProspects } from "./admin/prospects.js";
import { setUpSites, showSites } from "./admin/sites.js";
import { showReports } from "./admin/reports.js";
import { known, place, showOnly } from "./admin/router.js";
import { setUpTasks, showTasks } from "./admin/tasks.js";

/// Each area's view (a section's id) and how it is drawn; `detail` for one item of it.
const VIEWS = {
  dashboard: { draw: refreshCounts },
  orders: { draw: ({ params }) => showOrders(params), detail: ["order", ({ id }) => showOrder(id)] },
  customers: { draw: ({ params }) => showCustomers(params), detail: ["customer", ({ id }) => showCustomer(id)] },
  invoices: { draw: ({ params }) => showInvoices(params) },
  disputes: { draw: refreshCounts },
  "dead-letters": { draw: showDeadLetters },
  prospects: { draw: ({ params }) => showProspects(params), detail: ["prospect", ({ id }) => showProspect(id)] },
  sites: { draw: ({ params }) => showSites(params), detail: ["site", ({ id }) => showSite(id)] },
  "client-services": { draw: ({ params }) => showClientServices(params) },
  pools: { draw: showPools },
  tasks: { draw: showTasks },
  audit: { draw: ({ params }) => showAudit(params) },
  mail: { draw: showLetters, detail: ["mail-letter", ({ id }) => showLetter(id)] },
  reports: { draw: showReports },
  me: { draw: showMyAccount },
};

/// Draws the place the address points to; `focus` moves the focus to its
/// heading (a step made in the console, not the first drawing).
async function render({ focus }) {
  const where = place();
  if (!known(where.area, allows)) {
    showOnly("dashboard", "dashboard", { focus });
    note(null, "There is no such place in the console, or your role does not open it: here is the dashboard.", true);
    return attempt(refreshCounts);
  }
  const { draw, detail } = VIEWS[where.area];
  const [view, drawView] = where.id && detail ? detail : [where.area, draw];
  showOnly(view, where.area, { focus });
  await attempt(async () => {
    await drawView(where);
    // The figures are the dashboard's and the disputes' own drawing.
    if (drawView !== refreshCounts) await refreshCounts();
  });
}

async function showConsole() {
  const me = staffMember();
  $("login-section").hidden = true;
  $("console").hidden = false;
  $("console-nav").hidden = false;
  $("menu-button").hidden = false;
  $("logout").hidden = false;
  $("who").textContent = `${me.name} <${me.email}>, ${me.role}`;
  for (const node of document.querySelectorAll("[data-role]")) node.hidden = !allows(node.dataset.role);
  await render({ focus: false });
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

/// The navigation: a sidebar on a wide screen, a menu on a phone that
/// closes once a place is chosen.
function setUpNavigation() {
  const menu = $("menu-button");
  const open = (isOpen) => {
    menu.setAttribute("aria-expanded", String(isOpen));
    $("console-nav").classList.toggle("open", isOpen);
  };
  menu.addEventListener("click", () => open(menu.getAttribute("aria-expanded") !== "true"));
  window.addEventListener("hashchange", () => {
    open(false);
    if (staffMember()) render({ focus: true });
  });
}

async function start() {
  for (const setUp of [setUpLogin, setUpNavigation, setUpDeadLetters, setUpTasks, setUpAudit, setUpPools, setUpProspects, setUpSites, setUpMail, setUpMyAccount]) setUp();
  try {
    signedIn(await api("/api/admin/me"));
  } catch {
    return showLogin();
  }
  await showConsole();
}

start();
