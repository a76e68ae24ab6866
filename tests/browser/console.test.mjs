// The staff console in Chromium: the first admin (made with the
// `create-admin` command) logs in with a one-time code, approves an order
// held for review and watches it go live, finds its customer and suspends
// the service, refunds part of an invoice (the customer sees its credit
// note), downloads the tax report and sends failed jobs back to the queue; runs the daily
// checks and confirms the cancellation of a site that moved away; at 390 px too.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fits, shot, totpNow, useStorefront } from "./harness.mjs";

/// A customer's paid order; paid from another country (`US`), it is held for review.
async function paidOrder(base, billingCountry = "US") {
  const jar = [];
  const call = async (path, body, headers = {}) => {
    const response = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: jar.join("; "), ...headers },
      body: JSON.stringify(body),
    });
    const cookie = response.headers.get("set-cookie");
    if (cookie) jar.push(cookie.split(";")[0]);
    return response.json().catch(() => null);
  };
  const email = `hedy${Date.now()}@example.com`;
  await call("/api/signup", { email, password: "correct horse battery", name: "Hedy Lamarr", country: "AT" });
  let token = null;
  for (let i = 0; i < 50 && !token; i++) {
    const mails = await (await fetch(`${base}/api/outbox`)).json();
    token = mails.find((m) => m.to === email && m.kind === "verify_email")?.text.match(/#verify=(\S+)/)?.[1];
    if (!token) await new Promise((r) => setTimeout(r, 100));
  }
  await call("/api/verify-email", { token });
  const order = await call("/api/orders", { plan_id: "web-starter", cycle: "monthly", username: `hedy${Date.now() % 100000}`, generate_password: true, domain: { action: "register", name: `frequency-hopping-${Date.now()}.com` } }, { "idempotency-key": crypto.randomUUID() });
  const paid = await call(`/api/orders/${order.id}/pay`, { payment_method: "pm_card_visa", billing_country: billingCountry });
  assert.ok(["pending_review", "provisioning"].includes(paid.status), JSON.stringify(paid));
  return { id: order.id, email };
}

/// A browser page logged in as the customer `email` of `paidOrder`.
async function customerPage(browser, base, email) {
  const page = await (await browser.newContext()).newPage();
  await page.goto(`${base}/`);
  const status = await page.evaluate(async (email) => (await fetch("/api/login", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, password: "correct horse battery" }),
  })).status, email);
  assert.equal(status, 200, "the customer logs in");
  return page;
}

/// Waits until the order `id` is in `status`, as the console's API says.
async function waitForStatus(page, id, status) {
  let now = null;
  for (let i = 0; i < 150 && now !== status; i++) {
    now = await page.evaluate(async (id) => (await (await fetch(`/api/admin/orders/${id}`)).json()).status, id);
    if (now !== status) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(now, status, `order ${id}`);
}

/// Logs the admin of `server` in on `page`, first with a wrong code.
async function logIn(page, server) {
  await page.goto(`${server.base}/admin/`);
  const form = page.locator("#login-form");
  await form.getByLabel("Email").fill(server.staff.email);
  await form.getByLabel("Password").fill(server.staff.password);
  await form.getByLabel(/^Code from your authenticator/).fill("000000");
  await form.getByRole("button", { name: "Log in" }).click();
  await page.locator("#login-message").getByText(/password or code is wrong/).waitFor();
  await form.getByLabel("Password").fill(server.staff.password);
  await form.getByLabel(/^Code from your authenticator/).fill(totpNow(server.staff.secret));
  await form.getByRole("button", { name: "Log in" }).click();
  await page.locator("#who").getByText("Grace Hopper <grace@staff.example>, admin").waitFor();
}

describe("the staff console", () => {
  const app = useStorefront({ HOSTFRONT_SIM_PANEL_LATENCY_MS: "0", HOSTFRONT_AUTH_PER_MINUTE: "100", HOSTFRONT_AUTH_WINDOW_LIMIT: "200" }, { admin: "grace@staff.example" });

  test("an admin logs in with a code, approves a held order, suspends its service and redrives failed jobs", async () => {
    const held = await paidOrder(app.server.base);
    // The customer watches their held order; staff's decision shows there by itself.
    const watching = await customerPage(app.browser, app.server.base, held.email);
    await watching.goto(`${app.server.base}/order.html?id=${held.id}`);
    await watching.locator('#order[data-status="pending_review"]').waitFor();
    const page = await app.browser.newPage();
    await logIn(page, app.server);
    await page.locator("#figures").getByText("Held for review").waitFor();
    assert.equal(await page.locator("#orders-chart rect").count(), 30, "a bar a day");
    const order = page.locator(`#order-list [data-order="${held.id}"]`);
    await order.getByText("Held because").waitFor();
    await order.getByRole("button", { name: "Approve" }).click();
    await order.getByLabel(/^Why/).fill("Called Hedy: the card is hers.");
    await order.getByRole("button", { name: "Approve" }).click();
    await page.locator("#console-message").getByText("Approve: done.").waitFor();
    assert.equal(await page.locator(`#order-list [data-order="${held.id}"]`).count(), 0, "it left the queue");
    await waitForStatus(page, held.id, "active");
    await watching.locator('#order[data-status="active"]').waitFor({ timeout: 20000 });
    await watching.close();

    await page.getByRole("button", { name: "Accounts whose country is not a country" }).click();
    await page.locator("#customer-results").getByText("Every account's country is a country.").waitFor();
    await page.locator("#customer-search").getByLabel(/^Email, name/).fill(held.email);
    await page.locator("#customer-search").getByRole("button", { name: "Find" }).click();
    await page.locator("#customer-results").getByRole("button", { name: /Hedy Lamarr/ }).click();
    const service = page.locator("#customer-file [data-service]");
    await service.getByRole("button", { name: "Suspend" }).click();
    await service.getByLabel("Why").fill("Abuse report 7");
    await service.getByRole("button", { name: "Suspend" }).click();
    await page.locator("#console-message").getByText("The service is suspended now.").waitFor();
    await page.locator("#customer-file [data-service]").getByRole("button", { name: "Lift the suspension" }).waitFor();
    await page.locator("#customer-file").getByText(/suspended by staff/).waitFor();

    const credit = page.locator('#customer-file [data-form="Grant credit"]');
    await credit.getByLabel("Credit (minor units)").fill("500");
    await credit.getByLabel("Why").fill("Sorry for the wait.");
    await credit.getByRole("button", { name: "Grant credit" }).click();
    await page.locator("#console-message").getByText("The credit is $5.00 now.").waitFor();
    await page.locator("#customer-file [data-invoice]").first().getByRole("button", { name: "Refund" }).click();
    const refund = page.locator('#customer-file [data-form="Refund"]');
    await refund.getByLabel("Amount (minor units)").fill("100");
    await refund.getByLabel("Why").fill("The setup took a day.");
    await refund.getByRole("button", { name: "Refund" }).click();
    await page.locator("#console-message").getByText(/\$1\.00 given back; credit note CN-000001/).waitFor();
    // Staff can require two-step login of the customer, and stop requiring it.
    await page.locator("#customer-file").getByRole("button", { name: "Require two-step login" }).click();
    await page.locator("#console-message").getByText(/sets it up at their next login/).waitFor();
    await page.locator("#customer-file").getByText("Two-step login: off; required by staff.").waitFor();
    await page.locator("#customer-file").getByRole("button", { name: "Stop requiring two-step login" }).click();
    await page.locator("#console-message").getByText("Two-step login is no longer required.").waitFor();
    // The customer sees the credit note beside their invoices, and prints it.
    const customer = await customerPage(app.browser, app.server.base, held.email);
    await customer.goto(`${app.server.base}/portal.html`);
    const note = customer.locator('#credit-notes [data-credit-note="CN-000001"]');
    await note.getByText(/Corrects invoice INV-/).waitFor();
    assert.match(await note.textContent(), /\$1\.00/);
    await note.getByRole("link", { name: "CN-000001" }).click();
    await customer.locator("#invoice-title").getByText("Credit note CN-000001").waitFor();
    assert.match(await customer.locator("#invoice-about").textContent(), /^Corrects invoice INV-\d{6} of \d{4}-\d{2}-\d{2}$/);
    assert.match(await customer.locator("#invoice-lines").textContent(), /Total refunded\$1\.00/);
    await customer.context().close();
    // The tax report of this month, downloaded from the console.
    const month = new Date().toISOString().slice(0, 7);
    await page.locator("#tax-report-form").getByLabel("From").fill(month);
    await page.locator("#tax-report-form").getByLabel("To").fill(month);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("#tax-report-form").getByRole("button", { name: /tax report/ }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `tax-${month}-${month}.csv`);

    await page.getByRole("button", { name: "Send every failed job back to the queue" }).click();
    await page.locator("#console-message").getByText(/0 failed jobs are back in the queue/).waitFor();

    // The daily registry sync, run by hand: its day's batches and counts show.
    await page.locator("#task-form").getByLabel("Run now").selectOption("registry-sync");
    await page.locator("#task-form").getByRole("button", { name: "Run" }).click();
    await page.locator("#task-outcome").getByText(/registry-sync: \d{4}-\d{2}-\d{2}T[\d:]+Z: queued \d+ batches of \d+ items/).waitFor();
    const sync = page.locator('#task-list [data-task="registry-sync"]');
    await sync.getByText(/\d+ of \d+ batches done/).waitFor();
    await page.locator('#task-list [data-task="run-billing"]').getByText("rate(1 day)").waitFor();

    await page.locator("#audit-form").getByLabel("Value").fill(`order:${held.id}`);
    await page.locator("#audit-form").getByRole("button", { name: "Show" }).click();
    await page.locator("#audit-table").getByText("Called Hedy: the card is hers.").waitFor();
    await shot(page, "console");
    await page.close();
  });

  test("the console works 390 pixels wide", async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(`${app.server.base}/admin/`);
    await page.locator("#login-form").waitFor();
    await fits(page, "the staff login");
    await shot(page, "phone-staff-login");
    const form = page.locator("#login-form");
    await form.getByLabel("Email").fill(app.server.staff.email);
    await form.getByLabel("Password").fill(app.server.staff.password);
    // The first test used this step's code; a code is good once.
    await new Promise((r) => setTimeout(r, Math.max(0, 30_500 - (Date.now() % 30_000))));
    await form.getByLabel(/^Code from your authenticator/).fill(totpNow(app.server.staff.secret));
    await form.getByRole("button", { name: "Log in" }).click();
    await page.locator("#who").waitFor();
    await page.locator("#order-list").getByText("Nothing waiting here.").waitFor();
    await fits(page, "the staff console");
    await shot(page, "phone-console");
    await context.close();
  });
});

describe("the staff console when a site has moved to another host", () => {
  const app = useStorefront({ HOSTFRONT_SIM_PANEL_LATENCY_MS: "0", HOSTFRONT_LEFT_US_AFTER_DAYS: "1" }, { admin: "grace@staff.example" });

  test("the hosting check raises it, and staff confirm the cancellation", async () => {
    const live = await paidOrder(app.server.base, "AT");
    const page = await app.browser.newPage();
    await logIn(page, app.server);
    await waitForStatus(page, live.id, "active");
    const domain = await page.evaluate(async (id) => (await (await fetch(`/api/admin/orders/${id}`)).json()).domain.name, live.id);
    const moved = await fetch(`${app.server.base}/api/dev/dns/${domain}/pointing`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ nameservers: ["ns1.otherhost.example"], addresses: ["203.0.113.9"] }),
    });
    assert.equal(moved.status, 204);

    await page.locator("#task-form").getByLabel("Run now").selectOption("hosting-check");
    await page.locator("#task-form").getByRole("button", { name: "Run" }).click();
    await page.locator("#task-outcome").getByText(/hosting-check: .*queued 1 batches of 1 items/).waitFor();
    const check = page.locator('#task-list [data-task="hosting-check"]');
    // The batch runs on the worker; the list shows it once done.
    for (let i = 0; i < 50 && !(await check.getByText("1 need people:").count()); i++) {
      await new Promise((r) => setTimeout(r, 200));
      await page.reload();
      await page.locator("#who").waitFor();
      await page.locator('#task-list [data-task="hosting-check"]').waitFor();
    }
    await check.getByText(`${domain} has pointed elsewhere for 1 days`, { exact: false }).waitFor();

    await page.locator("#customer-search").getByLabel(/^Email, name/).fill(live.email);
    await page.locator("#customer-search").getByRole("button", { name: "Find" }).click();
    await page.locator("#customer-results").getByRole("button", { name: /Hedy Lamarr/ }).click();
    const service = page.locator("#customer-file [data-service]");
    await service.getByText("Points elsewhere since").waitFor();
    await service.getByRole("button", { name: "Cancel the service" }).click();
    await service.getByRole("button", { name: `Confirm: cancel ${domain} now` }).click();
    await page.locator("#console-message").getByText(/the service is cancelled and being torn down/).waitFor();
    await page.locator("#customer-file [data-service]").getByText("Ends on").waitFor();
    await page.close();
  });
});

describe("the staff console when the servers are full", () => {
  const app = useStorefront({ HOSTFRONT_SIM_PANEL_LATENCY_MS: "0", HOSTFRONT_SIM_PANEL_CAPACITY: "0" }, { admin: "grace@staff.example" });

  test("an admin adds a server and resumes the order on hold", async () => {
    const stuck = await paidOrder(app.server.base, "AT");
    const page = await app.browser.newPage();
    await logIn(page, app.server);
    await waitForStatus(page, stuck.id, "on_hold");
    await page.locator("#order-queue").selectOption("on_hold");
    const order = page.locator(`#order-list [data-order="${stuck.id}"]`);
    await order.getByText("Stopped because").waitFor();
    const server = page.locator("#server-form");
    await server.getByLabel("Host name").fill("web7");
    await server.getByLabel("Accounts").fill("10");
    await server.getByRole("button", { name: "Add the server" }).click();
    await page.locator("#console-message").getByText("web7 is in the shared pool.").waitFor();
    await page.locator('#server-table [data-server="web7"]').getByText("0 of 10").waitFor();
    await order.getByRole("button", { name: "Resume" }).click();
    await order.getByLabel(/^Why/).fill("Added web7.");
    await order.getByRole("button", { name: "Resume" }).click();
    await page.locator("#console-message").getByText("Resume: done.").waitFor();
    await waitForStatus(page, stuck.id, "active");
    await page.close();
  });
});

describe("the staff console when the panel is down", () => {
  const app = useStorefront(
    { HOSTFRONT_SIM_PANEL_LATENCY_MS: "0", HOSTFRONT_SIM_PANEL_FAILURE_RATE: "1", HOSTFRONT_QUEUE_MAX_RECEIVES: "2" },
    { admin: "grace@staff.example" },
  );

  test("an admin sees the failed job with its step and error, retries it, sees it fail again, and redrives it", async () => {
    const stuck = await paidOrder(app.server.base, "AT");
    const page = await app.browser.newPage();
    await logIn(page, app.server);
    await waitForStatus(page, stuck.id, "failed");
    for (let i = 0; i < 100; i++) {
      const letters = await page.evaluate(async () => (await fetch("/api/admin/dead-letters")).json());
      if (letters.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await page.reload();
    const job = page.locator("#dead-list [data-job]", { hasText: `order:${stuck.id}` });
    await job.getByText("hosting_account").waitFor();
    await job.getByText(/simulated timeout/).waitFor();
    // Retried alone, it runs again, fails again (the panel is still down) and comes back.
    await job.getByRole("button", { name: "Retry" }).click();
    await page.locator("#console-message").getByText(/runs again; should it fail again, it comes back here/).waitFor();
    await page.locator("#dead-list").getByText("No failed jobs.").waitFor();
    for (let i = 0; i < 100; i++) {
      const letters = await page.evaluate(async () => (await fetch("/api/admin/dead-letters")).json());
      if (letters.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    await page.reload();
    await page.locator("#dead-list [data-job]", { hasText: `order:${stuck.id}` }).getByText(/simulated timeout/).waitFor();
    await page.getByRole("button", { name: "Send every failed job back to the queue" }).click();
    await page.locator("#console-message").getByText("1 failed job is back in the queue.").waitFor();
    await page.close();
  });
});
