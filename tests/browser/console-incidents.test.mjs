// The staff console when something went wrong: a site moved to another
// host (the daily check raises it; staff cancel, asked first), the servers
// are full (an admin adds one and resumes the order on hold), the panel's
// team changed an account (the panel sync raises it), the panel is down
// (failed jobs retried one by one, then all at once).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { consoleApi, logIn, paidOrder, visit, waitForStatus } from "./staff.mjs";
import { useStorefront } from "./harness.mjs";

describe("the staff console when a site has moved to another host", () => {
  const app = useStorefront({ HOSTFRONT_SIM_PANEL_LATENCY_MS: "0", HOSTFRONT_LEFT_US_AFTER_DAYS: "1" }, { admin: "grace@staff.example" });

  test("the hosting check raises it, and staff confirm the cancellation", async () => {
    const live = await paidOrder(app.server.base, "AT");
    const page = await app.browser.newPage();
    await logIn(page, app.server);
    await waitForStatus(page, live.id, "active");
    const domain = (await consoleApi(page, `/api/admin/orders/${live.id}`)).domain.name;
    const moved = await fetch(`${app.server.base}/api/dev/dns/${domain}/pointing`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ nameservers: ["ns1.otherhost.example"], addresses: ["203.0.113.9"] }),
    });
    assert.equal(moved.status, 204);

    await visit(page, "Tasks", "Scheduled tasks");
    await page.locator("#task-form").getByLabel("Run now").selectOption("hosting-check");
    await page.locator("#task-form").getByRole("button", { name: "Run" }).click();
    await page.locator("#task-outcome").getByText(/Hosting check ran: queued 1 batches of 1 items/).waitFor();
    const check = page.locator('#task-list [data-task="hosting-check"]');
    // The batch runs on the worker; the list shows it once done (a reload keeps the area).
    for (let i = 0; i < 50 && !(await check.getByText("1 need people:").count()); i++) {
      await new Promise((r) => setTimeout(r, 200));
      await page.reload();
      await page.locator('#task-list [data-task="hosting-check"]').waitFor();
    }
    await check.getByText(`${domain} has pointed elsewhere for 1 days`, { exact: false }).waitFor();

    await visit(page, "Customers", "Customers");
    await page.locator("#customer-search").getByLabel(/^Email, name/).fill(live.email);
    await page.locator("#customer-search").getByRole("button", { name: "Find" }).click();
    await page.locator("#customer-results").getByRole("link", { name: "Hedy Lamarr" }).click();
    const service = page.locator("#customer-file [data-service]");
    await service.getByText("Points elsewhere since").waitFor();
    await service.getByRole("button", { name: "Cancel the service" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByText(/The hosting of Hedy Lamarr is torn down now/).waitFor();
    await dialog.getByRole("button", { name: "Cancel the service now" }).click();
    await service.locator("[data-note]").getByText(/the service is cancelled and being torn down/).waitFor();
    await service.getByText("Ends on").waitFor();
    await page.close();
  });
});

describe("the staff console when the panel's team changed an account", () => {
  const app = useStorefront({ HOSTFRONT_SIM_PANEL_LATENCY_MS: "0" }, { admin: "grace@staff.example" });

  test("the panel sync raises it, and the customer file shows what the panel says", async () => {
    const live = await paidOrder(app.server.base, "AT");
    const page = await app.browser.newPage();
    await logIn(page, app.server);
    await waitForStatus(page, live.id, "active");
    const order = await consoleApi(page, `/api/admin/orders/${live.id}`);
    const file = await consoleApi(page, `/api/admin/customers/${order.customer_id}`);
    const username = file.services[0].hosting.account.username;
    const changed = await fetch(`${app.server.base}/api/dev/panel/accounts/${username}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ suspended: true, plan_id: "web-pro", sites: ["hedys-other-shop.example.org"], disk_used_mb: 12288, bandwidth_used_mb: 100 }),
    });
    assert.equal(changed.status, 204);

    await visit(page, "Tasks", "Scheduled tasks");
    await page.locator("#task-form").getByLabel("Run now").selectOption("panel-sync");
    await page.locator("#task-form").getByRole("button", { name: "Run" }).click();
    await page.locator("#task-outcome").getByText(/Panel sync ran: queued 1 batches of 1 items/).waitFor();
    const check = page.locator('#task-list [data-task="panel-sync"]');
    for (let i = 0; i < 50 && !(await check.getByText("1 need people:").count()); i++) {
      await new Promise((r) => setTimeout(r, 200));
      await page.reload();
      await page.locator('#task-list [data-task="panel-sync"]').waitFor();
    }
    await check.getByText("suspended on the panel but active here", { exact: false }).waitFor();

    await visit(page, "Customers", "Customers");
    await page.locator("#customer-search").getByLabel(/^Email, name/).fill(live.email);
    await page.locator("#customer-search").getByRole("button", { name: "Find" }).click();
    await page.locator("#customer-results").getByRole("link", { name: "Hedy Lamarr" }).click();
    const service = page.locator("#customer-file [data-service]");
    await service.getByText("suspended by the panel's admins").waitFor();
    await service.getByText("web-pro (sold: web-starter)").waitFor();
    await service.getByText("hedys-other-shop.example.org").waitFor();
    await service.getByText("12 GB of 10 GB — over the limit").waitFor();
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
    await visit(page, "Pools", "Servers and addresses");
    const server = page.locator("#server-form");
    await server.getByLabel("Host name").fill("web7");
    await server.getByLabel("Accounts").fill("10");
    await server.getByRole("button", { name: "Add the server" }).click();
    await server.getByText("web7 is in the shared pool.").waitFor();
    await page.locator('#server-table [data-server="web7"]').getByText("0 of 10").waitFor();
    await visit(page, "Orders", "Orders waiting for staff");
    await page.locator("#order-queue").selectOption("on_hold");
    const order = page.locator(`#order-list [data-order="${stuck.id}"]`);
    await order.getByText("Stopped because").waitFor();
    await order.getByRole("button", { name: "Resume" }).click();
    await order.getByLabel(/^Why/).fill("Added web7.");
    await order.getByRole("button", { name: "Resume" }).click();
    await order.locator("[data-note]").getByText(/^Resumed/).waitFor();
    await waitForStatus(page, stuck.id, "active");
    await page.close();
  });
});

describe("the staff console when the panel is down", () => {
  const app = useStorefront(
    { HOSTFRONT_SIM_PANEL_LATENCY_MS: "0", HOSTFRONT_SIM_PANEL_FAILURE_RATE: "1", HOSTFRONT_QUEUE_MAX_RECEIVES: "2" },
    { admin: "grace@staff.example" },
  );

  /// Waits until the dead-letter queue holds a job.
  async function someDeadLetter(page) {
    for (let i = 0; i < 100; i++) {
      if ((await consoleApi(page, "/api/admin/dead-letters")).length) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  test("an admin sees the failed job with its step and error, retries it, sees it fail again, and redrives it", async () => {
    const stuck = await paidOrder(app.server.base, "AT");
    const page = await app.browser.newPage();
    await logIn(page, app.server);
    await waitForStatus(page, stuck.id, "failed");
    await someDeadLetter(page);
    await visit(page, "Dead letters", "Dead letters");
    const job = page.locator("#dead-list [data-job]", { hasText: `order:${stuck.id}` });
    await job.getByText("hosting account").waitFor();
    await job.getByText(/simulated timeout/).waitFor();
    // Named: what it was for (its subject's id after it) and whose it is.
    await job.getByRole("heading", { name: /^Provision: Web Starter · frequency-hopping-\d+\.com order:/ }).waitFor();
    await job.getByRole("link", { name: "Hedy Lamarr" }).waitFor();
    // Retried alone, it runs again, fails again (the panel is still down) and comes back.
    await job.getByRole("button", { name: "Retry" }).click();
    await job.locator("[data-note]").getByText(/runs again; should it fail again, it comes back here/).waitFor();
    await job.getByText("Sent back to the queue.").waitFor();
    await someDeadLetter(page);
    await page.reload();
    await page.locator("#dead-list [data-job]", { hasText: `order:${stuck.id}` }).getByText(/simulated timeout/).waitFor();
    await page.getByRole("button", { name: "Send every failed job back to the queue" }).click();
    await page.locator('[data-note="redrive"]').getByText("1 failed job is back in the queue.").waitFor();
    await page.close();
  });
});
