// Registrar accounts in Chromium, with a simulated registry that keeps one
// per customer: the checkout offers the customer's account or a new one for
// a domain to transfer (and nothing for a domain registered elsewhere); the
// new account's credentials show once on the order's page; the portal and
// the console's customer page list the accounts, at 1280 and 390 pixels.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apiCustomer, fits, shot, useStorefront } from "./harness.mjs";
import { customerPage, logInNow } from "./staff.mjs";

/// A customer whose first order made their "Main" account and went live.
async function customerWithMainAccount(base) {
  const { email, call } = await apiCustomer(base, { name: "Ada Lovelace", country: "GB", prefix: "regaccount" });
  const domain = `analytical-engine-${Date.now()}.com`;
  const order = await call("/api/orders", {
    plan_id: "web-starter", cycle: "monthly", username: `ada${Date.now() % 100000}`, generate_password: true,
    domain: { action: "register", name: domain },
  });
  assert.equal(order.new_registrar_account?.label, "Main", JSON.stringify(order));
  const paid = await call(`/api/orders/${order.id}/pay`, { payment_method: "pm_card_visa", billing_country: "GB" });
  for (let i = 0; i < 100; i++) {
    if ((await call(`/api/orders/${order.id}`, undefined, "GET")).status === "active") {
      return { email, domain, customerId: paid.invoice.customer_id, main: order.new_registrar_account };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error("the first order did not go live");
}

describe("registrar accounts", () => {
  // Five logins from one address within a minute.
  const app = useStorefront({
    HOSTFRONT_SIM_REGISTRAR_CLIENT_ACCOUNTS: "true", HOSTFRONT_SIM_PANEL_LATENCY_MS: "0",
    HOSTFRONT_AUTH_PER_MINUTE: "100", HOSTFRONT_AUTH_WINDOW_LIMIT: "200",
  }, { admin: "grace@staff.example" });

  test("the checkout offers them, the order shows a new one once, the portal and console list them", async () => {
    const ada = await customerWithMainAccount(app.server.base);

    for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 900 }]) {
      const page = await customerPage(app.browser, app.server.base, ada.email, viewport);
      await page.goto(`${app.server.base}/order.html`);
      const form = page.locator("#order-form");
      await form.getByText("Use a domain registered elsewhere").click();
      assert.ok(await page.locator("#registrar-account-fields").isHidden(), "no account for a domain held elsewhere");
      await form.getByText("Transfer a domain I own").click();
      const choice = form.getByLabel("Registrar account");
      await choice.waitFor();
      const options = await choice.locator("option").allTextContents();
      assert.deepEqual(options, [`Main — ${ada.main.username} (1 domain)`, "New account"]);
      assert.ok(await form.getByLabel("Name of the new account").isHidden(), "the existing account is the default");
      await choice.selectOption({ label: "New account" });
      await form.getByLabel("Name of the new account").fill("Family");
      if (viewport.width < 500) {
        await fits(page, "the checkout's registrar account");
        await shot(page, "registrar-accounts-checkout-390");
        await page.close();
        continue;
      }
      await shot(page, "registrar-accounts-checkout-1280");
      await form.getByRole("textbox", { name: "Domain" }).fill("bakery.net");
      await form.getByLabel(/^Auth code/).fill("AUTH-00000000");
      await form.getByLabel("Control-panel username").fill(`fam${Date.now() % 100000}`);
      await form.locator('input[name="password"]').fill("sourdough starter rises");
      await form.getByRole("button", { name: "Place order" }).click();
      const made = page.locator("#new-registrar-account");
      await made.getByRole("heading", { name: "Your new registrar account" }).waitFor();
      await made.getByText("Family").waitFor();
      await made.getByText(/^hf[a-z0-9]{10}$/).waitFor();
      assert.equal(await made.locator("dt").allTextContents().then((t) => t.join()), "Account,Username,Password");
      await shot(page, "registrar-accounts-order-1280");
      await page.reload();
      await page.locator("#invoice-number").getByText(/^Invoice INV-/).waitFor();
      assert.ok(await made.isHidden(), "the credentials show once");
      await page.close();
    }

    for (const viewport of [{ width: 1280, height: 900 }, { width: 390, height: 844 }]) {
      const page = await customerPage(app.browser, app.server.base, ada.email, viewport);
      await page.goto(`${app.server.base}/portal.html`);
      const rows = page.locator("#registrar-accounts tbody tr");
      await rows.first().waitFor();
      assert.equal(await rows.count(), 2);
      await rows.nth(0).getByText(ada.domain).waitFor();
      await rows.nth(1).getByText("None yet").waitFor();
      await page.locator("#registrar-accounts-section").scrollIntoViewIfNeeded();
      if (viewport.width < 500) await fits(page, "the portal's registrar accounts");
      await shot(page, `registrar-accounts-portal-${viewport.width}`);
      await page.close();
    }

    const staff = await (await app.browser.newContext()).newPage();
    await logInNow(staff, app.server);
    for (const width of [1280, 390]) {
      await staff.setViewportSize({ width, height: width < 500 ? 844 : 900 });
      await staff.goto(`${app.server.base}/admin/#/customers/${ada.customerId}`);
      await staff.getByRole("heading", { level: 2, name: "Registrar accounts" }).waitFor();
      const lines = staff.locator("#customer-file [data-registrar-account]");
      assert.equal(await lines.count(), 2);
      await lines.nth(0).getByText(`Main — ${ada.main.username} at simulated: ${ada.domain}`).waitFor();
      await lines.nth(1).getByText("Family — ").waitFor();
      await lines.nth(0).scrollIntoViewIfNeeded();
      if (width < 500) await fits(staff, "the console's registrar accounts");
      await shot(staff, `registrar-accounts-console-${width}`);
    }
  });
});
