// VAT on the site in headless Chromium, for a seller in Germany: a French
// consumer sees the plan's price with French VAT before ordering; a VAT
// number VIES refuses is refused on the account page; one it confirms
// makes the next order reverse-charged, which the checkout and the order's
// invoice say; all of it 390 pixels wide.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fits, shot, signUp, useStorefront } from "./harness.mjs";

describe("VAT on the site", () => {
  const app = useStorefront({
    HOSTFRONT_SELLER_COUNTRY: "DE",
    HOSTFRONT_SIM_PANEL_LATENCY_MS: "0",
    HOSTFRONT_AUTH_PER_MINUTE: "60", HOSTFRONT_AUTH_WINDOW_LIMIT: "60",
  });

  test("a French business sees VAT before ordering, gives its VAT number and orders under reverse charge", async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(`${app.server.base}/account.html?next=/order.html`);
    await signUp(page, app.server.base, { name: "Marie Curie", email: "marie@example.fr", country: "FR" });
    await page.waitForURL(/\/order\.html$/);
    const price = page.locator("#plan-price");
    await price.getByText(/\+ VAT 20 % .* = /).waitFor();
    await fits(page, "the checkout with VAT");

    await page.goto(`${app.server.base}/account.html`);
    const vat = page.locator("#vat-form");
    await page.locator("#vat-status").getByText(/No VAT number/).waitFor();
    await vat.getByLabel(/VAT number/).fill("FR200");
    await vat.getByRole("button", { name: "Save VAT number" }).click();
    await page.locator("#vat-message").getByText(/not a valid VAT number/).waitFor();
    assert.match(await page.locator("#vat-status").textContent(), /No VAT number/);
    await vat.getByLabel(/VAT number/).fill("fr 100");
    await vat.getByRole("button", { name: "Save VAT number" }).click();
    await page.locator("#vat-status").getByText(/FR100 \(John Doe\) is confirmed/).waitFor();
    await fits(page, "the account page with a VAT number");
    await shot(page, "phone-vat-number");

    await page.goto(`${app.server.base}/order.html`);
    await price.getByText(/no VAT: reverse charge/).waitFor();
    const form = page.locator("#order-form");
    await form.locator('input[value="subdomain"]').check();
    await form.getByLabel(/Subdomain name/).fill("curielab");
    await page.locator("#username").fill("curielab");
    await form.getByRole("button", { name: "Generate" }).click();
    await form.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/order\.html\?id=/);
    await page.locator("#invoice").getByText("VAT 0%: reverse charge").waitFor();
    await page.locator("#invoice-tax-mention").getByText(/Article 196/).waitFor();
    await fits(page, "a reverse-charged order");
    await shot(page, "phone-reverse-charge");
    await context.close();
  });
});
