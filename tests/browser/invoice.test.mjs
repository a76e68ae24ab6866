// The invoice a company can file, in headless Chromium: the customer names
// their company and address on the account page, orders, and the printable
// invoice shows seller, buyer, dates, lines with period and tax, the tax per
// rate and the totals, at 1280 and 390 pixels, with its PDF to download.

import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { describe, test } from "node:test";
import { fits, shot, signUp, useStorefront } from "./harness.mjs";

describe("the printable invoice", () => {
  const app = useStorefront({
    HOSTFRONT_SELLER_NAME: "Hostfront Trading Ltd",
    HOSTFRONT_SELLER_ADDRESS: "1 Bakery Lane | London EC1A 1BB",
    HOSTFRONT_SELLER_COUNTRY: "GB",
    HOSTFRONT_SELLER_TAX_ID: "GB123456789",
    HOSTFRONT_SELLER_REGISTRATION: "Companies House 01234567",
    HOSTFRONT_TAX_RATE_BPS: "2000",
    HOSTFRONT_AUTH_PER_MINUTE: "60", HOSTFRONT_AUTH_WINDOW_LIMIT: "60",
  });

  /// Signs up on `page`, names the company and address, and orders a
  /// subdomain with Web Starter; returns the invoice's number.
  async function companyInvoice(page, email) {
    await page.goto(`${app.server.base}/account.html`);
    await signUp(page, app.server.base, { name: "Zoë Łukasiewicz", email, country: "DK" });
    const form = page.locator("#billing-address-form");
    await form.getByLabel("Company, if you buy as one").fill("Müller & Søn ApS");
    await form.getByLabel("Street", { exact: true }).fill("Strøget 1");
    await form.getByLabel("Postal code").fill("1160");
    await form.getByLabel("City").fill("København K");
    await form.getByRole("button", { name: "Save for invoices" }).click();
    await page.locator("#billing-address-message").getByText(/Saved/).waitFor();
    await form.getByLabel("Postal code").fill("11<60");
    await form.getByRole("button", { name: "Save for invoices" }).click();
    await page.locator("#billing-address-message.error").getByText(/postal code/).waitFor();
    return page.evaluate(async (username) => {
      const order = await fetch("/api/orders", { method: "POST", headers: { "content-type": "application/json", "idempotency-key": crypto.randomUUID() },
        body: JSON.stringify({ plan_id: "web-starter", cycle: "monthly", username, generate_password: true, domain: { action: "subdomain", name: username } }) }).then((r) => r.json());
      if (!order.invoice) throw new Error(JSON.stringify(order));
      return order.invoice.number;
    }, `zoe${Date.now().toString(36)}`);
  }

  test("shows everything an invoice must state, and downloads as a PDF", async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const number = await companyInvoice(page, "zoe@example.com");
    await page.goto(`${app.server.base}/portal.html`);
    const row = page.locator(`#invoices tbody tr[data-invoice="${number}"]`);
    await row.waitFor();
    assert.equal(await row.getByRole("link", { name: `Invoice ${number} as PDF` }).getAttribute("href"), `/api/invoices/${number}/pdf`);
    await row.getByRole("link", { name: number, exact: true }).click();
    await page.waitForURL(/\/invoice\.html\?number=INV-/);
    await page.locator("#invoice-title").getByText(`Invoice ${number}`).waitFor();
    const seller = await page.locator("#invoice-seller address").innerText();
    for (const part of ["Hostfront Trading Ltd", "1 Bakery Lane", "Country: GB", "Tax ID: GB123456789", "Registration: Companies House 01234567"]) {
      assert.ok(seller.includes(part), `the seller block lacks ${part}: ${seller}`);
    }
    const buyer = await page.locator("#invoice-buyer address").innerText();
    for (const part of ["Müller & Søn ApS", "Strøget 1", "1160 København K", "Country: DK"]) {
      assert.ok(buyer.includes(part), `the buyer block lacks ${part}: ${buyer}`);
    }
    const today = new Date().toISOString().slice(0, 10);
    assert.equal(await page.locator("#invoice-supplied").textContent(), `${today} (UTC)`);
    const lines = await page.locator("#invoice-lines").innerText();
    assert.match(lines, new RegExp(`Web Starter, monthly, ${today} to \\d{4}-\\d{2}-\\d{2}`));
    assert.match(lines, /Tax \(20%\) on \$\d+\.\d\d/);
    assert.match(lines, /Total \(USD\)/);
    await shot(page, "invoice-1280");

    const download = await page.request.get(`${app.server.base}/api/invoices/${number}/pdf`);
    assert.equal(download.status(), 200);
    assert.equal(download.headers()["content-type"], "application/pdf");
    assert.equal(download.headers()["content-disposition"], `attachment; filename="${number}.pdf"`);
    const pdf = await download.body();
    assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
    // Kept beside the screenshots, to look at.
    if (process.env.HOSTFRONT_SCREENSHOTS) writeFileSync(`${process.env.HOSTFRONT_SCREENSHOTS}/invoice.pdf`, pdf);
    await page.close();
  });

  test("fits 390 pixels wide", async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    const number = await companyInvoice(page, "zoe.phone@example.com");
    await page.goto(`${app.server.base}/invoice.html?number=${number}`);
    await page.locator("#invoice-buyer address").getByText("Müller & Søn ApS").waitFor();
    await fits(page, "the invoice");
    await shot(page, "invoice-390");
    await page.goto(`${app.server.base}/account.html`);
    await page.locator("#billing-address-form").waitFor();
    await fits(page, "the account page");
    await context.close();
  });
});
