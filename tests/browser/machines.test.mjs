// Staff and the machine pool in Chromium: seven dedicated servers are
// paid for while the simulated pool has six machines; the seventh waits
// instead of failing. Its customer's order says so and when to expect it;
// the console's dashboard lists it for staff, and the Pools page shows
// every machine held, at 1280 and at 390 pixels.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apiCustomer, fits, shot, useStorefront } from "./harness.mjs";
import { customerPage, logInNow, visit } from "./staff.mjs";

/// A new customer's dedicated server, paid; its order's id and the customer's email.
async function paidServer(base, n) {
  const { email, call } = await apiCustomer(base, { name: "Ada Server", country: "GB", prefix: `server${n}-` });
  const order = await call("/api/orders", {
    plan_id: "dedicated-e3", cycle: "monthly", username: `srv${n}${Date.now() % 10000}`, generate_password: true,
    domain: { action: "subdomain", name: `machine${n}-${Date.now() % 100000}` },
    server: { os_template: "debian-12" },
  });
  assert.ok(order.id, JSON.stringify(order));
  const paid = await call(`/api/orders/${order.id}/pay`, { payment_method: "pm_card_visa", billing_country: "GB" });
  assert.equal(paid.status, "provisioning", JSON.stringify(paid));
  return { id: order.id, email };
}

describe("the machine pool", () => {
  // Seven signups, orders and payments from one address within a minute.
  const app = useStorefront({
    HOSTFRONT_SIM_PANEL_LATENCY_MS: "0", HOSTFRONT_AUTH_PER_MINUTE: "100", HOSTFRONT_AUTH_WINDOW_LIMIT: "200",
    HOSTFRONT_PURCHASE_PER_MINUTE: "60", HOSTFRONT_PURCHASE_WINDOW_LIMIT: "100",
  }, { admin: "grace@staff.example" });

  test("a server the pool cannot serve waits, its customer told when, staff shown it", async () => {
    const orders = [];
    for (let n = 1; n <= 7; n++) orders.push(await paidServer(app.server.base, n));
    const last = orders[6];

    const customer = await customerPage(app.browser, app.server.base, last.email, { width: 390, height: 844 });
    await customer.goto(`${app.server.base}/order.html?id=${last.id}`);
    await customer.locator("#steps").getByText(/our team has been told and is adding one\. Expected ready by \d{4}-\d\d-\d\d \d\d:\d\d UTC/).waitFor({ timeout: 20000 });
    assert.equal(await customer.locator("#order").getAttribute("data-status"), "provisioning", "waiting, not failed");
    await fits(customer, "an order waiting for a machine");
    await shot(customer, "machines-waiting-order-390");

    // One login: a one-time code is good once.
    const page = await (await app.browser.newContext()).newPage();
    await logInNow(page, app.server);
    for (const width of [1280, 390]) {
      await page.setViewportSize({ width, height: width < 500 ? 844 : 900 });
      await page.goto(`${app.server.base}/admin/#/dashboard`);
      const waits = page.locator("#machine-waits");
      await waits.getByRole("heading", { name: "Orders waiting for a machine" }).waitFor();
      assert.equal(await waits.locator("li").count(), 1, "the one order the pool cannot serve");
      await waits.getByRole("link", { name: `Order ${last.id}` }).waitFor();
      await waits.getByText(/dedicated-e3 · waiting since/).waitFor();
      if (width < 500) await fits(page, "the dashboard's waiting orders");
      await shot(page, `machines-dashboard-${width}`);

      await visit(page, "Pools", "Servers and addresses");
      await page.locator("#machine-usage").getByText("Machines: 0 free of 6.").waitFor();
      assert.equal(await page.locator("#machine-table tbody tr").count(), 6);
      await page.locator("#machine-table").getByText(/machine1-\d+\.example\.net/).waitFor();
      if (width < 500) await fits(page, "the machine pool");
      await shot(page, `machines-pool-${width}`);
    }
    await customer.close();
  });
});
