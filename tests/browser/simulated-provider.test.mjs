// The simulated payment provider's dashboard in Chromium, at 1280 and 390
// pixels: an admin (logged in at the staff console) gives back part of a
// payment "at the provider", and the customer's invoice gets its credit
// note once the provider's event arrives; opens a dispute, which the
// console's dashboard then shows; and updates the saved card's expiry,
// which the customer's saved card then shows.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apiCustomer, fits, shot, useStorefront } from "./harness.mjs";
import { logInNow } from "./staff.mjs";

/// A customer whose order is paid with the simulated provider's test card, kept for later.
async function paidKeepingTheCard(base) {
  const { call } = await apiCustomer(base, { name: "Ada Lovelace", prefix: "ada" });
  const order = await call("/api/orders", { plan_id: "web-starter", cycle: "monthly", username: `ada${Date.now() % 100000}`, generate_password: true, domain: { action: "register", name: `analytical-engine-${Date.now()}.com` } });
  const paid = await call(`/api/orders/${order.id}/pay`, { payment_method: "pm_card_visa", billing_country: "GB", save_card: true });
  assert.ok(paid.invoice?.number, JSON.stringify(paid));
  return { number: paid.invoice.number, get: (path) => call(path, null, "GET") };
}

async function until(what, check) {
  for (let i = 0; i < 100; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.fail(`${what} never came`);
}

describe("the simulated provider's dashboard", () => {
  const app = useStorefront({ HOSTFRONT_SIM_PANEL_LATENCY_MS: "0" }, { admin: "grace@staff.example" });

  test("a refund, a dispute and a card update at the provider reach the shop, at 1280 and 390 px", async () => {
    const ada = await paidKeepingTheCard(app.server.base);
    const context = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await page.goto(`${app.server.base}/simulated-provider.html`);
    await page.locator("#provider-message").getByText(/Log in to the staff console first/).waitFor();
    await logInNow(page, app.server);
    await page.goto(`${app.server.base}/simulated-provider.html`);
    const payment = page.locator("[data-payment]").filter({ hasText: ada.number });
    await payment.waitFor();

    await payment.getByLabel(/^Amount to give back/).fill("2.50");
    await payment.getByRole("button", { name: "Refund at the provider" }).click();
    await page.locator("#provider-message").getByText(/Gave back \$2\.50/).waitFor();
    await until("the credit note", async () => (await ada.get("/api/credit-notes")).some((n) => n.total === 250));
    await page.locator('#events [data-state="delivered"]').filter({ hasText: "charge.refunded" }).waitFor({ timeout: 15000 });

    await payment.getByLabel("The cardholder's reason").selectOption("product_not_received");
    await payment.getByRole("button", { name: "Open a dispute" }).click();
    await page.locator("#provider-message").getByText(/The cardholder disputes/).waitFor();
    await payment.getByRole("button", { name: "Close as lost" }).waitFor();
    await until("the dispute in the console", async () => {
      const dashboard = await page.evaluate(async () => (await fetch("/api/admin/dashboard")).json());
      return dashboard.open_disputes.some((d) => d.reason === "product_not_received");
    });

    const card = page.locator("[data-card]").first();
    const year = new Date().getUTCFullYear() + 4;
    await card.getByLabel("Expiry month").fill("9");
    await card.getByLabel("Year").fill(String(year));
    await card.getByRole("button", { name: /Update the expiry/ }).click();
    await page.locator("#provider-message").getByText(new RegExp(`now expires 9/${year}`)).waitFor();
    await until("the saved card's new expiry", async () => {
      const saved = await ada.get("/api/payment-method");
      return saved.exp_month === 9 && saved.exp_year === year;
    });
    await page.locator('#events [data-state="delivered"]').filter({ hasText: "payment_method.automatically_updated" }).waitFor({ timeout: 15000 });
    await shot(page, "simulated-provider-1280");

    const phone = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, storageState: await context.storageState() });
    const small = await phone.newPage();
    await small.goto(`${app.server.base}/simulated-provider.html`);
    await small.locator("[data-payment]").filter({ hasText: ada.number }).getByRole("button", { name: "Close as won" }).waitFor();
    await fits(small, "the simulated provider's dashboard");
    await shot(small, "simulated-provider-390");
    await phone.close();
    await context.close();
  });
});
