// A client site's services invoiced by the agency's billing run and paid by
// their customer in the portal, in headless Chromium, all of it the real
// server's: staff make the site, record its customer and add two tracked
// services due within the renewal lead time, and run the billing; the
// customer pays one invoice with a new card at 1280 px, and the other at
// 390 px with a card whose bank asks them to confirm (3-D Secure), through
// the simulated bank's page and back. Only the provider's id of a card is
// ever sent.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apiCustomer, fillCard, fits, shot, useStorefront } from "./harness.mjs";
import { acceptedBy, consoleApi, customerPage, logInNow } from "./staff.mjs";

/// `YYYY-MM-DD`, `days` from today (UTC).
function day(days) {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

/// Sends `body` to the console's API at `path` from `page`, logged in as staff.
async function staffPost(page, path, body = {}) {
  const [status, answer] = await page.evaluate(async ([path, body]) => {
    const response = await fetch(path, { method: "POST", headers: { "content-type": "application/json", "x-hostfront-console": "1" }, body: JSON.stringify(body) });
    return [response.status, await response.json()];
  }, [path, body]);
  assert.ok(status < 300, `${path}: ${status} ${JSON.stringify(answer)}`);
  return answer;
}

/// What the page sends to pay an invoice, as it goes.
function payments(page) {
  const sent = [];
  page.on("request", (request) => {
    if (/\/api\/invoices\/[^/]+\/pay$/.test(new URL(request.url()).pathname)) sent.push(request.postDataJSON());
  });
  return sent;
}

/// The customer's open invoice whose line names `name`.
async function invoiceOf(page, name) {
  const invoices = await page.evaluate(async () => (await fetch("/api/invoices")).json());
  const found = invoices.find((i) => i.about.kind === "client_service" && i.lines[0].description.startsWith(name));
  assert.ok(found, `an invoice for ${name}: ${JSON.stringify(invoices)}`);
  assert.equal(found.status, "open");
  return found.number;
}

describe("a client service's invoice paid in the portal", () => {
  const app = useStorefront({ HOSTFRONT_AUTH_PER_MINUTE: "100", HOSTFRONT_AUTH_WINDOW_LIMIT: "200" }, { admin: "grace@staff.example" });
  const shared = {};

  test("the agency's billing run invoices the site's services to its customer", async () => {
    const { email } = await apiCustomer(app.server.base, { name: "Annie Easley", country: "US", prefix: "annie" });
    const staff = await (await app.browser.newContext()).newPage();
    await logInNow(staff, app.server);
    const { items: [customer] } = await consoleApi(staff, `/api/admin/customers?q=${encodeURIComponent(email)}`);
    const site = await staffPost(staff, "/api/admin/sites", { business_name: "Easley Bakery", contact_name: "Annie Easley", contact_email: email });
    acceptedBy(app.server, site.id, customer.id);
    const services = [["Website care", "website_maintenance", "monthly", 5], ["Shop certificate", "ssl", "annual", 7]];
    for (const [name, kind, period, days] of services) {
      await staffPost(staff, `/api/admin/sites/${site.id}/services`, { service_type: kind, name, period, price: 4900, currency: "USD", expires_on: day(days), auto_renew: true });
    }
    const run = await staffPost(staff, "/api/admin/tasks/run-billing/run");
    assert.match(run.outcome, /client services: invoiced 2,/, run.outcome);
    await staff.close();
    shared.email = email;
  });

  test("at 1280 px, paid with a new card", async () => {
    const page = await customerPage(app.browser, app.server.base, shared.email, { width: 1280, height: 900 });
    const sent = payments(page);
    const number = await invoiceOf(page, "Website care");
    await page.goto(`${app.server.base}/portal.html#invoices`);
    const row = page.locator(`#invoices tr[data-invoice="${number}"]`);
    await row.getByText("Website care (Easley Bakery)").waitFor();
    await row.getByRole("button", { name: "Pay now" }).click();
    const form = page.locator(`#invoices tr[data-pays="${number}"] form.pay-invoice`);
    await fillCard(form, "4242 4242 4242 4242");
    await shot(page, "portal-client-invoice-card");
    await form.getByRole("button", { name: /^Pay / }).click();
    await page.locator("#invoice-message").getByText(`Invoice ${number} is paid. Thank you.`).waitFor();
    await row.locator(".invoice-status").getByText(/^paid/).waitFor();
    assert.equal(await row.getByRole("button", { name: "Pay now" }).count(), 0, "nothing left to pay on it");
    assert.equal(sent.length, 1);
    assert.deepEqual(Object.keys(sent[0]), ["payment_method"]);
    assert.match(sent[0].payment_method, /^pm_/, "only the provider's id of the card");
    const other = page.locator("#invoices tr[data-invoice]").filter({ hasText: "Shop certificate" });
    await other.getByRole("button", { name: "Pay now" }).waitFor();
    await shot(page, "portal-client-invoice-paid");
    await page.close();
  });

  test("at 390 px, paid through the bank", async () => {
    const page = await customerPage(app.browser, app.server.base, shared.email, { width: 390, height: 844 });
    const sent = payments(page);
    const number = await invoiceOf(page, "Shop certificate");
    await page.goto(`${app.server.base}/portal.html#invoices`);
    const row = page.locator(`#invoices tr[data-invoice="${number}"]`);
    await row.getByRole("button", { name: "Pay now" }).click();
    const form = page.locator(`#invoices tr[data-pays="${number}"] form.pay-invoice`);
    await fillCard(form, "4000 0025 0000 3155", { month: "1", cvc: "999" });
    await fits(page, "a client service's invoice being paid at 390 px");
    await shot(page, "portal-client-invoice-card-phone");
    await form.getByRole("button", { name: /^Pay / }).click();
    await page.waitForURL(/\/bank\.html\?check=/);
    await shot(page, "portal-client-invoice-bank");
    await page.getByRole("button", { name: "Confirm the payment" }).click();
    await page.waitForURL(/\/portal\.html\?(confirmed|pay)=/);
    await row.locator(".bank-outcome").getByText(`Invoice ${number} is paid. Thank you.`).waitFor();
    await row.locator(".invoice-status").getByText(/^paid/).waitFor();
    assert.match(sent[0].payment_method, /^pm_/, "only the provider's id of the card");
    await fits(page, "a client service's invoice paid at 390 px");
    await shot(page, "portal-client-invoice-paid-phone");
    await page.close();
  });
});
