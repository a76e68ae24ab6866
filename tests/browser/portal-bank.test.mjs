// Paying an invoice in the portal with a card whose bank asks its holder to
// confirm (3-D Secure), in headless Chromium: the card typed into the
// provider's field, to the simulated bank's page and back to the portal,
// which finishes the payment and says beside the invoice how it went.
//
// A service's invoice is open to a payment by hand only once the billing
// run has tried it, a month after the order, and no clock moves under a
// running server. So the invoice routes' answers are played here, as the
// server gives them (the suite's `hardening::invoice_bank_check` holds the
// server to the same answers over HTTP); the pages, the session, the card
// field and the bank's page are the real server's.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fillCard, shot, signUp, useStorefront } from "./harness.mjs";

const NUMBER = "INV-000042";
const CHECK = "auth_01JBANKCHECK";

/// The invoice as `GET /api/invoices` shows it, `status` as given.
function invoice(status) {
  return {
    number: NUMBER, customer_id: "c", issued_at: "2027-01-18T00:00:00Z", currency: "USD",
    about: { kind: "period", service_id: "s1", from: "2027-02-01", to: "2027-02-28" },
    lines: [], subtotal: 999, tax_rate_bps: 0, tax: 0, total: 999, status,
    paid_at: status === "paid" ? "2027-02-03T10:00:00Z" : null, refunded: 0, credit: 0,
  };
}

/// Plays the invoice routes on `page` as the server answers them once the
/// bank confirmed the payment (`confirmed`) or refused it; returns what the
/// page sent.
async function playInvoiceRoutes(page, base, confirmed) {
  const sent = { payments: [], confirms: 0, answers: [] };
  let status = "open";
  const json = (route, body, code = 200) => route.fulfill({ status: code, contentType: "application/json", body: JSON.stringify(body) });
  await page.route("**/api/invoices", (route) => json(route, [invoice(status)]));
  await page.route(`**/api/invoices/${NUMBER}/pay`, (route) => {
    sent.payments.push(route.request().postDataJSON());
    return json(route, { ...invoice(status), payment_action_url: `/bank.html?check=${CHECK}` });
  });
  await page.route(`**/api/payments/simulated-bank/${CHECK}`, (route) => {
    sent.answers.push(route.request().postDataJSON());
    return json(route, { return_url: `${base}/portal.html?confirmed=${NUMBER}` });
  });
  await page.route(`**/api/invoices/${NUMBER}/pay/confirm`, (route) => {
    sent.confirms += 1;
    if (!confirmed) {
      return json(route, { error: { code: "authentication_failed", message: "your bank did not confirm the payment; nothing was charged" } }, 402);
    }
    status = "paid";
    return json(route, invoice(status));
  });
  return sent;
}

/// Pays the invoice from the mail's link with the 3-D Secure test card,
/// answers at the bank, and waits to be back in the portal.
async function payThroughTheBank(page, base, answer) {
  await page.goto(`${base}/portal.html?pay=${NUMBER}#invoices`);
  const row = page.locator(`#invoices tr[data-invoice="${NUMBER}"]`);
  await row.getByRole("button", { name: "Pay now" }).click();
  const form = page.locator(`#invoices tr[data-pays="${NUMBER}"] form.pay-invoice`);
  await fillCard(form, "4000 0025 0000 3155", { month: "1", cvc: "999" });
  await form.getByRole("button", { name: /^Pay / }).click();
  await page.waitForURL(/\/bank\.html\?check=/);
  await shot(page, "portal-bank-check");
  await page.getByRole("button", { name: answer }).click();
  await page.waitForURL(/\/portal\.html\?(confirmed|pay)=/);
  return row;
}

describe("an invoice paid in the portal through the bank", () => {
  const app = useStorefront({ HOSTFRONT_AUTH_PER_MINUTE: "60", HOSTFRONT_AUTH_WINDOW_LIMIT: "60" });

  async function customer(email) {
    const page = await app.browser.newPage();
    await page.goto(`${app.server.base}/account.html`);
    await signUp(page, app.server.base, { name: "Dorothy Vaughan", email, country: "US" });
    await page.locator("#signed-in").waitFor();
    return page;
  }

  test("confirmed at the bank, the invoice shows paid, with the outcome beside it", async () => {
    const page = await customer("dorothy@example.com");
    const sent = await playInvoiceRoutes(page, app.server.base, true);
    const row = await payThroughTheBank(page, app.server.base, "Confirm the payment");
    await row.locator(".bank-outcome").getByText(`Invoice ${NUMBER} is paid. Thank you.`).waitFor();
    assert.match(await row.locator(".invoice-status").textContent(), /^paid/);
    assert.equal(await row.getByRole("button", { name: "Pay now" }).count(), 0, "nothing left to pay");
    assert.match(sent.payments[0].payment_method, /^pm_/, "only the provider's id of the card");
    assert.deepEqual(sent.answers, [{ confirmed: true }]);
    assert.equal(sent.confirms, 1, "confirmed once, on the way back");
    await shot(page, "portal-bank-paid");
    await page.close();
  });

  test("refused at the bank, the invoice stays open to pay again, with the reason beside it", async () => {
    const page = await customer("mary@example.com");
    const sent = await playInvoiceRoutes(page, app.server.base, false);
    const row = await payThroughTheBank(page, app.server.base, "Refuse");
    const outcome = row.locator(".bank-outcome.error");
    await outcome.getByText(/your bank did not confirm the payment/i).waitFor();
    assert.match(await page.locator("#invoice-message").textContent(), /did not confirm/);
    await row.getByRole("button", { name: "Pay now" }).waitFor();
    assert.deepEqual(sent.answers, [{ confirmed: false }]);
    assert.equal(sent.confirms, 1);
    await page.close();
  });
});
