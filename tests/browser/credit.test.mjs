// Account credit paying an order in full, in Chromium at 1280 and 390 px:
// staff grant the credit in the console, the customer's order page shows
// "Account credit −$x" and "To pay $0.00", asks for no card, and the order
// goes live once confirmed.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apiCustomer, fits, shot, useStorefront } from "./harness.mjs";
import { customerPage, logInNow } from "./staff.mjs";

/// The console, logged in once for every test: a code is good once.
let staffConsole = null;

/// Grants `minor` units of credit to the customer named `name`, through the console.
async function grantCredit(browser, server, name, email, minor) {
  if (!staffConsole) {
    staffConsole = await (await browser.newContext()).newPage();
    await logInNow(staffConsole, server);
  }
  const page = staffConsole;
  await page.goto(`${server.base}/admin/#/customers`);
  await page.locator("#customer-search").getByLabel(/^Email, name/).fill(email);
  await page.locator("#customer-search").getByRole("button", { name: "Find" }).click();
  await page.locator("#customer-results").getByRole("link", { name: new RegExp(name) }).click();
  await page.getByRole("heading", { level: 1, name }).waitFor();
  const credit = page.locator('#customer-file [data-form="Grant credit"]');
  const dollars = (minor / 100).toFixed(2);
  await credit.getByLabel("Credit (USD)").fill(dollars);
  await credit.getByLabel("Why").fill("Sorry for the outage.");
  await credit.getByRole("button", { name: "Grant credit" }).click();
  const shown = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" }).format(minor / 100);
  await page.locator('#customer-file [data-note="credit"]').getByText(`the credit is ${shown} now.`).waitFor();
}

/// Renews the domain `name` in the portal on `page`, paid by the credit
/// left: the domain says the credit pays its auto-renewal, and the form
/// says so too, and asks for no card.
async function renewByCredit(page, base, name) {
  await page.goto(`${base}/portal.html`);
  const domain = page.locator(`#domain-list .record[data-domain="${name}"]`);
  // No card is saved, but the credit pays the next renewal: no warning.
  await domain.locator(".by-credit").getByText(/^Auto-renew is on: your account credit \(\$[\d,.]+\) pays its next renewal, no card needed\.$/).waitFor();
  assert.equal(await domain.locator(".no-card").count(), 0, "no warning while the credit pays");
  await domain.getByRole("button", { name: "Renew", exact: true }).click();
  const form = domain.locator(".renew-form");
  await form.getByText(/^Your account credit: \$[\d,.]+\.$/).waitFor();
  await form.getByText(/Account credit −\u2060\$[\d,.]+/).waitFor();
  await form.getByText("Paid by your account credit, no card needed.").waitFor();
  assert.equal(await form.locator("iframe").count(), 0, "no card field");
  await shot(page, "credit-renewal");
  await form.getByRole("button", { name: "Renew", exact: true }).click();
  await domain.locator(".record-note").getByText(/is renewed until/).waitFor({ timeout: 20000 });
}

async function anOrderPaidByCredit(app, viewport, tag, credit) {
  const customer = `Ada ${tag}`;
  const { email } = await apiCustomer(app.server.base, { name: customer, prefix: "credit" });
  await grantCredit(app.browser, app.server, customer, email, credit);
  const page = await customerPage(app.browser, app.server.base, email, viewport);
  const name = `credit-${tag}-${Date.now()}.com`;
  const id = await page.evaluate(async ([tag, name]) => {
    const response = await fetch("/api/orders", {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
      body: JSON.stringify({ plan_id: "web-starter", cycle: "monthly", username: `ada${tag}${Date.now() % 10000}`, generate_password: true, domain: { action: "register", name } }),
    });
    return (await response.json()).id;
  }, [tag, name]);
  await page.goto(`${app.server.base}/order.html?id=${id}`);
  const form = page.locator("#pay-form");
  await form.getByRole("heading", { name: "Paid by your account credit" }).waitFor();
  await form.getByText("Paid by your account credit, no card needed.").waitFor();
  const invoice = page.locator("#invoice");
  assert.match(await invoice.textContent(), /Account credit−\u2060\$[\d,.]+/);
  assert.match(await invoice.textContent(), /To pay\$0\.00/);
  assert.equal(await form.locator("iframe").count(), 0, "no card field");
  assert.equal(await form.locator("#card-field").isHidden(), true);
  if (viewport.width < 500) await fits(page, `the order paid by credit at ${viewport.width} px`);
  await shot(page, `credit-order-${viewport.width}`);
  await form.getByLabel("Billing country").selectOption("GB");
  await form.getByRole("button", { name: "Confirm order" }).click();
  await page.locator('#order[data-status="active"]').waitFor({ timeout: 30000 });
  assert.match(await page.locator("#invoice-number").textContent(), /paid/);
  await shot(page, `credit-order-live-${viewport.width}`);
  if (viewport.width > 500) await renewByCredit(page, app.server.base, name);
  await page.context().close();
}

describe("account credit", () => {
  const app = useStorefront({ HOSTFRONT_SIM_PANEL_LATENCY_MS: "0", HOSTFRONT_AUTH_PER_MINUTE: "100", HOSTFRONT_AUTH_WINDOW_LIMIT: "200" }, { admin: "grace@staff.example" });

  test("an order the credit pays in full asks for no card, at 1280 px", async () => {
    await anOrderPaidByCredit(app, { width: 1280, height: 900 }, "wide", 1_000_000);
  });

  test("an order the credit pays in full asks for no card, at 390 px", async () => {
    await anOrderPaidByCredit(app, { width: 390, height: 844 }, "narrow", 900_000);
  });
});
