// The staff console in Chromium: the first admin (made with the
// `create-admin` command) logs in with a one-time code, approves an order
// held for review and sees it change in place, finds its customer and
// suspends the service (asked first), grants credit typed in dollars,
// refunds part of an invoice (the customer sees its credit note),
// downloads the tax report, sends failed jobs back to the queue, runs a
// task and reads the audit log as sentences; back, reload and a shared
// link keep one's place; at 390 px the menu opens the areas, what an action
// did shows beside it on screen, and retiring a server asks first.
// (Incidents — a site moved away, full servers, a panel down — are in
// console-incidents.test.mjs.)

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fits, shot, useStorefront } from "./harness.mjs";
import { consoleApi, customerPage, inView, logIn, paidOrder, visit, waitForStatus } from "./staff.mjs";

describe("the staff console", () => {
  const app = useStorefront({ HOSTFRONT_SIM_PANEL_LATENCY_MS: "0", HOSTFRONT_AUTH_PER_MINUTE: "100", HOSTFRONT_AUTH_WINDOW_LIMIT: "200" }, { admin: "grace@staff.example" });
  const shared = {};

  test("an admin approves a held order and sees it change where it is", async () => {
    const held = await paidOrder(app.server.base);
    shared.held = held;
    // The customer watches their held order; staff's decision shows there by itself.
    const watching = await customerPage(app.browser, app.server.base, held.email);
    await watching.goto(`${app.server.base}/order.html?id=${held.id}`);
    await watching.locator('#order[data-status="pending_review"]').waitFor();
    shared.context = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await shared.context.newPage();
    await logIn(page, app.server);
    await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();
    await page.locator("#figures").getByText("Held for review").waitFor();
    await page.locator("#orders-chart canvas").first().waitFor();
    assert.equal(await page.locator("#orders-chart tbody tr").count(), 30, "a row a day behind the chart");
    assert.equal(await page.locator("#count-orders").textContent(), "1 waiting", "the navigation counts the held order");
    await shot(page, "console-dashboard");

    await visit(page, "Orders", "Orders waiting for staff");
    const order = page.locator(`#order-list [data-order="${held.id}"]`);
    await order.getByText("Held because").waitFor();
    assert.match(await order.locator("time").first().textContent(), /\((now|\d+ seconds? ago|\d+ minutes? ago)\)$/, "placed, in words");
    await order.getByRole("button", { name: "Approve" }).click();
    await order.getByLabel(/^Why/).fill("Called Hedy: the card is hers.");
    await order.getByRole("button", { name: "Approve" }).click();
    const said = order.locator("[data-note]");
    await said.getByText("Approved: it is being set up now.").waitFor();
    assert.ok(await said.evaluate((node) => node === document.activeElement), "what happened takes the focus");
    assert.equal(await order.getByRole("button", { name: "Approve" }).count(), 0, "the order shows its new status");
    assert.notEqual(await order.locator("dt:text-is('Status') + dd").textContent(), "pending review");
    await page.locator("#count-orders").waitFor({ state: "hidden" });
    await waitForStatus(page, held.id, "active");
    await watching.locator('#order[data-status="active"]').waitFor({ timeout: 20000 });
    await watching.close();
  });

  test("in a customer's file, amounts are dollars, and what cannot be undone asks first", async () => {
    const { held } = shared;
    const page = await shared.context.newPage();
    await page.goto(`${app.server.base}/admin/#/customers`);
    await page.getByRole("link", { name: "Accounts whose country is not a country" }).click();
    await page.locator("#customer-results").getByText("Every account's country is a country.").waitFor();
    await page.locator("#customer-search").getByLabel(/^Email, name/).fill(held.email);
    await page.locator("#customer-search").getByRole("button", { name: "Find" }).click();
    await page.locator("#customer-results").getByRole("link", { name: "Hedy Lamarr" }).click();
    await page.getByRole("heading", { level: 1, name: "Hedy Lamarr" }).waitFor();
    const customerId = decodeURIComponent(new URL(page.url()).hash.replace("#/customers/", ""));
    shared.customerId = customerId;
    const balance = async () => (await consoleApi(page, `/api/admin/customers/${customerId}`)).credit;

    // Suspending asks first; "Cancel" keeps the service as it was.
    const service = page.locator("#customer-file [data-service]");
    await service.getByRole("button", { name: "Suspend" }).click();
    await service.getByLabel("Why").fill("Abuse report 7");
    await service.getByRole("button", { name: "Suspend" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(/The site and mail of Hedy Lamarr stop at once/).waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    assert.equal((await consoleApi(page, `/api/admin/customers/${customerId}`)).services[0].status, "active", "cancel keeps it");
    await service.getByRole("button", { name: "Suspend" }).click();
    await dialog.getByRole("button", { name: "Suspend" }).click();
    await service.locator("[data-note]").getByText("Suspended: the site and mail are stopped.").waitFor();
    await service.getByRole("button", { name: "Lift the suspension" }).waitFor();
    await page.locator("#customer-file").getByText(/Grace Hopper \(admin\) suspended the service Web Starter · frequency-hopping-\d+\.com of Hedy Lamarr: active → suspended, because Abuse report 7\./).waitFor();

    // Credit in dollars: what is not an amount is refused beside the form, and nothing is granted.
    const credit = page.locator('#customer-file [data-form="Grant credit"]');
    const creditNote = page.locator('#customer-file [data-note="credit"]');
    for (const [typed, refusal] of [["5.001", /USD has 2 digits after the point at most/], ["1,23", /is not an amount/], ["-5", /is not an amount/]]) {
      await credit.getByLabel("Credit (USD)").fill(typed);
      await credit.getByLabel("Why").fill("Sorry for the wait.");
      await credit.getByRole("button", { name: "Grant credit" }).click();
      await creditNote.getByText(refusal).waitFor();
    }
    assert.equal(await balance(), 0, "nothing granted");
    await credit.getByLabel("Credit (USD)").fill("5.00");
    await credit.getByText("That is $5.00.").waitFor();
    await credit.getByRole("button", { name: "Grant credit" }).click();
    await creditNote.getByText("$5.00 granted: the credit is $5.00 now.").waitFor();
    assert.equal(await balance(), 500, "typing 5.00 grants five dollars: 500 cents");
    await page.locator("#customer-file dt:text-is('Account credit') + dd").getByText("$5.00").waitFor();
    await page.locator("#customer-file").getByText(/granted credit to the account of Hedy Lamarr: \$0\.00 → \$5\.00, because Sorry for the wait\./).waitFor();

    // A refund in dollars, asked first, said beside the invoice.
    const invoice = page.locator("#customer-file [data-invoice]").first();
    await invoice.getByRole("button", { name: "Refund" }).click();
    await invoice.getByLabel("Amount (USD)").fill("1");
    await invoice.getByLabel("Why").fill("The setup took a day.");
    await invoice.getByRole("button", { name: "Refund" }).click();
    await dialog.getByText(/\$1\.00 goes back to Hedy Lamarr's card/).waitFor();
    await shot(page, "console-confirm");
    await dialog.getByRole("button", { name: "Refund $1.00" }).click();
    await page.locator("#customer-file [data-invoice]").first().locator("[data-note]").getByText(/\$1\.00 given back; credit note CN-000001/).waitFor();
    // Staff can require two-step login of the customer, and stop requiring it.
    const twoStep = page.locator('#customer-file [data-note="two-step"]');
    await page.locator("#customer-file").getByRole("button", { name: "Require two-step login" }).click();
    await twoStep.getByText(/sets it up at their next login/).waitFor();
    await page.locator("#customer-file").getByText("Two-step login: off; required by staff.").waitFor();
    await page.locator("#customer-file").getByRole("button", { name: "Stop requiring two-step login" }).click();
    await twoStep.getByText("Two-step login is no longer required.").waitFor();
    await shot(page, "console-customer");
    // The customer sees the credit note beside their invoices, and prints it.
    const customer = await customerPage(app.browser, app.server.base, held.email);
    await customer.goto(`${app.server.base}/portal.html`);
    const note = customer.locator('#credit-notes [data-credit-note="CN-000001"]');
    await note.getByText(/Corrects invoice INV-/).waitFor();
    assert.match(await note.textContent(), /\$1\.00/);
    await customer.context().close();
    await page.close();
  });

  // After the customer's file: the rejection's refund issues the next credit note.
  test("rejecting an order asks first, naming the refund; cancel leaves it held", async () => {
    const held = await paidOrder(app.server.base);
    const page = await shared.context.newPage();
    await page.goto(`${app.server.base}/admin/#/orders?status=pending_review`);
    const order = page.locator(`#order-list [data-order="${held.id}"]`);
    await order.getByRole("button", { name: "Reject and refund" }).click();
    await order.getByLabel(/^Why/).fill("The card is not hers.");
    await order.getByRole("button", { name: "Reject and refund" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(/The order of Hedy Lamarr is rejected and its \$\d+\.\d{2} given back to their card\. This cannot be undone\./).waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    assert.equal((await consoleApi(page, `/api/admin/orders/${held.id}`)).status, "pending_review", "cancel leaves it held");
    await order.getByRole("button", { name: "Reject and refund" }).click();
    await dialog.getByRole("button", { name: "Reject and refund" }).click();
    await order.locator("[data-note]").getByText("Rejected: the payment is given back to the card.").waitFor();
    await order.locator("dt:text-is('Status') + dd").getByText("rejected").waitFor();
    assert.equal((await consoleApi(page, `/api/admin/orders/${held.id}`)).status, "rejected");
    await page.close();
  });

  test("reports, failed jobs, tasks and the audit log, each in its own area", async () => {
    const page = await shared.context.newPage();
    await page.goto(`${app.server.base}/admin/`);
    await visit(page, "Reports", "Reports");
    const month = new Date().toISOString().slice(0, 7);
    await page.locator("#tax-report-form").getByLabel("From").fill(month);
    await page.locator("#tax-report-form").getByLabel("To").fill(month);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.locator("#tax-report-form").getByRole("button", { name: /tax report/ }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `tax-${month}-${month}.csv`);

    await visit(page, "Dead letters", "Dead letters");
    await page.getByRole("button", { name: "Send every failed job back to the queue" }).click();
    await page.locator('[data-note="redrive"]').getByText("0 failed jobs are back in the queue.").waitFor();

    // The daily registry sync, run by hand: its day's batches and counts show; schedules read as words.
    await visit(page, "Tasks", "Scheduled tasks");
    await page.locator("#task-form").getByLabel("Run now").selectOption("registry-sync");
    await page.locator("#task-form").getByRole("button", { name: "Run" }).click();
    await page.locator("#task-outcome").getByText(/^Registry sync ran: queued \d+ batches of \d+ items \(the run of .+\)\.$/).waitFor();
    await page.locator('#task-list [data-task="registry-sync"]').getByText(/\d+ of \d+ batches done/).waitFor();
    await page.locator('#task-list [data-task="run-billing"]').getByText("every day", { exact: true }).waitFor();
    assert.doesNotMatch(await page.locator("#task-list").textContent(), /\d{2}:\d{2}:\d{2}(\.\d+)?Z|rate\(/, "no raw times or schedules");

    await visit(page, "Audit log", "Audit log");
    await page.locator("#audit-form").getByLabel("Value").fill(`order:${shared.held.id}`);
    await page.locator("#audit-form").getByRole("button", { name: "Show" }).click();
    await page.locator("#audit-table .sentence").getByText(/^Grace Hopper \(admin\) approved the order Web Starter · frequency-hopping-\d+\.com of Hedy Lamarr: pending review → provisioning, because Called Hedy: the card is hers\.$/).waitFor();
    assert.equal(new URL(page.url()).hash, `#/audit?subject=order%3A${shared.held.id}`);
    await shot(page, "console");
    await page.close();
  });

  test("back, forward, reload and a shared link keep one's place", async () => {
    const page = await shared.context.newPage();
    // A link to a customer's file opens it, straight from the address.
    await page.goto(`${app.server.base}/admin/#/customers/${shared.customerId}`);
    await page.getByRole("heading", { level: 1, name: "Hedy Lamarr" }).waitFor();
    await page.locator("#customer-file [data-service]").waitFor();
    assert.ok(await page.locator("#dashboard").isHidden(), "one area at a time");
    await visit(page, "Orders", "Orders waiting for staff");
    await page.locator("#order-queue").selectOption("on_hold");
    await page.waitForURL(/#\/orders\?status=on_hold$/);
    await page.goBack();
    await page.waitForURL(/#\/orders$/);
    assert.equal(await page.locator("#order-queue").inputValue(), "pending_review");
    await page.goBack();
    await page.getByRole("heading", { level: 1, name: "Hedy Lamarr" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Hedy Lamarr" }).waitFor();
    await page.locator("#customer-file [data-service]").waitFor();
    await page.goForward();
    await page.getByRole("heading", { level: 1, name: "Orders waiting for staff" }).waitFor();
    // An order has its own address too, and leads to its customer.
    await page.goto(`${app.server.base}/admin/#/orders/${shared.held.id}`);
    await page.getByRole("heading", { level: 1, name: /^Order: Web Starter · / }).waitFor();
    await page.getByRole("link", { name: "Hedy Lamarr's file" }).click();
    await page.getByRole("heading", { level: 1, name: "Hedy Lamarr" }).waitFor();
    // A place the console does not have says so, on the dashboard.
    await page.goto(`${app.server.base}/admin/#/nowhere`);
    await page.locator("#console-message").getByText(/no such place in the console/).waitFor();
    await page.close();
  });

  test("390 pixels wide: a menu, and what an action did beside it on the screen", async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const login = await context.newPage();
    await login.goto(`${app.server.base}/admin/`);
    await login.locator("#login-form").waitFor();
    await fits(login, "the staff login");
    await shot(login, "phone-staff-login");
    await login.close();
    // The admin's session, carried over from the wide screen (a code is good once).
    await context.addCookies(await shared.context.cookies());
    const page = await context.newPage();
    await page.goto(`${app.server.base}/admin/`);
    await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();
    assert.ok(await page.getByRole("navigation", { name: "Console" }).isHidden(), "the areas wait behind the menu");
    await fits(page, "the staff console");
    await shot(page, "phone-console");

    await visit(page, "Customers", "Customers");
    await page.locator("#customer-search").getByLabel(/^Email, name/).fill(shared.held.email);
    await page.locator("#customer-search").getByRole("button", { name: "Find" }).click();
    await page.locator("#customer-results").getByRole("link", { name: "Hedy Lamarr" }).click();
    await page.getByRole("heading", { level: 1, name: "Hedy Lamarr" }).waitFor();
    const credit = page.locator('#customer-file [data-form="Grant credit"]');
    await credit.getByLabel("Credit (USD)").fill("2.50");
    await credit.getByLabel("Why").fill("A day without mail.");
    await page.evaluate(() => window.scrollTo(0, 0));
    await credit.getByRole("button", { name: "Grant credit" }).click();
    const said = page.locator('#customer-file [data-note="credit"]');
    await said.getByText("$2.50 granted: the credit is $7.50 now.").waitFor();
    assert.ok(await inView(said), "what the grant did is on the screen, beside the form");
    assert.equal((await consoleApi(page, `/api/admin/customers/${shared.customerId}`)).credit, 750);
    await fits(page, "a customer's file");
    await shot(page, "phone-customer");

    // Retiring a server asks first; cancelling keeps it in service.
    await visit(page, "Pools", "Servers and addresses");
    const form = page.locator("#server-form");
    await form.getByLabel("Host name").fill("web9");
    await form.getByLabel("Accounts").fill("10");
    await form.getByRole("button", { name: "Add the server" }).click();
    await form.getByText("web9 is in the shared pool.").waitFor();
    const row = page.locator('#server-table [data-server="web9"]');
    await row.getByRole("button", { name: "Retire" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(/web9 takes no new accounts from now on/).waitFor();
    await fits(page, "the question before retiring");
    await shot(page, "phone-confirm");
    await dialog.getByRole("button", { name: "Cancel" }).click();
    const web9 = async () => (await consoleApi(page, "/api/admin/pools")).servers.find((s) => s.name === "web9");
    assert.equal((await web9()).retired, false, "cancel keeps the server in service");
    assert.doesNotMatch(await row.textContent(), /retired/);
    await row.getByRole("button", { name: "Retire" }).click();
    await dialog.getByRole("button", { name: "Retire web9" }).click();
    const retired = row.locator("[data-note]");
    await retired.getByText("web9 is retired: it takes no new accounts.").waitFor();
    assert.ok(await inView(retired), "what the retire did is on the screen");
    await row.getByText("0 of 10 (retired)").waitFor();
    assert.equal((await web9()).retired, true);
    // The machine pool of dedicated and managed servers, every one free here.
    const machines = await consoleApi(page, "/api/admin/pools/machines");
    await page.locator("#machine-usage").getByText(`Machines: ${machines.length} free of ${machines.length}.`).waitFor();
    assert.equal(await page.locator("#machine-table tbody tr").count(), machines.length);
    await fits(page, "the pools");
    await context.close();
  });
});
