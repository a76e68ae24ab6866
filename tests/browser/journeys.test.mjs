// Whole journeys through the site in headless Chromium: an order from search
// to live, and every page on a phone.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cardFrame, fillCard, fits, shot, signUp, useStorefront } from "./harness.mjs";

/// The refusal beside the button that caused it: on the screen, focused
/// (so a screen reader reads it out), saying `words`.
async function refusedBeside(page, id, words) {
  const message = page.locator(`#${id}.error`);
  await message.getByText(words).waitFor();
  assert.equal(await page.evaluate(() => document.activeElement?.id), id, "the refusal has the focus");
  const box = await message.boundingBox();
  const screen = page.viewportSize();
  assert.ok(box.y >= 0 && box.y + box.height <= screen.height, `the refusal is on the screen: ${JSON.stringify(box)}`);
}

/// Each radio of `form` on show keeps its own size, its label right beside it.
async function radiosBesideTheirLabels(form) {
  for (const radio of await form.locator('input[type="radio"]').all()) {
    if (!(await radio.isVisible())) continue;
    const box = await radio.boundingBox();
    const label = await radio.locator("xpath=..").boundingBox();
    assert.ok(box.width < 30, `a radio ${box.width} px wide`);
    assert.ok(box.x - label.x < 10, "the radio starts its label's line");
  }
}

describe("the order journey", () => {
  const app = useStorefront({ HOSTFRONT_SIM_PANEL_LATENCY_MS: "200" });

  test("a visitor finds a domain, signs up, pays with a test card and watches the order go live", async () => {
    const page = await app.browser.newPage();
    await page.goto(app.server.base);
    await page.locator("#domain-query").fill("sunnybakery.com");
    const offer = page.locator('#search-results .offer[data-domain="sunnybakery.com"]');
    await offer.getByRole("button", { name: "Add to cart" }).click();
    await page.locator("#cart-count").getByText("1").waitFor();

    await page.getByRole("link", { name: /Cart/ }).click();
    await page.waitForURL(/\/cart\.html$/);
    await page.getByRole("link", { name: "Continue to checkout" }).click();
    // A visitor's button says it logs in first, and does.
    await page.getByRole("button", { name: "Log in to place your order" }).click();
    await page.waitForURL(/\/account\.html\?next=\/order\.html$/);
    await signUp(page, app.server.base, { name: "Grace Hopper", email: "grace@example.com", country: "US" });
    await page.waitForURL(/\/order\.html$/);

    const form = page.locator("#order-form");
    await form.getByLabel(/Register sunnybakery\.com/).waitFor();
    assert.ok(await form.getByLabel(/Register sunnybakery\.com/).isChecked());
    assert.match(await form.locator("#cart-domains").textContent(), /Register sunnybakery\.com — \$\d+\.\d{2} first year/, "priced from the catalog");
    assert.equal(await page.locator("#username").inputValue(), "sunnybakery");
    await form.getByRole("button", { name: "Generate" }).click();
    await form.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/order\.html\?id=/);
    await page.locator("#invoice-number").getByText(/Invoice INV-\d{6} · open/).waitFor();
    assert.equal(await page.locator("#cart-count").textContent(), "0", "the ordered domain left the cart");

    const pay = page.locator("#pay-form");
    await fillCard(pay, "4000 0000 0000 0002");
    await shot(page, "order-payment");
    await pay.getByRole("button", { name: "Pay" }).click();
    await refusedBeside(page, "pay-message", /declined/);
    assert.equal(await pay.isVisible(), true, "a declined card can be retried");

    await cardFrame(pay).getByLabel("Card number").fill("4242 4242 4242 4242");
    await pay.getByLabel(/Use this card for renewals/).check();
    await pay.getByRole("button", { name: "Pay" }).click();
    await page.locator('#steps .step[data-step="domain"].done').waitFor();
    await page.locator('#order[data-status="active"]').waitFor({ timeout: 20000 });
    assert.equal(await page.locator("#steps .step.done").count(), 5);
    await page.locator("#service-details").getByText("sunnybakery").first().waitFor();
    assert.match(await page.locator("#service-details").textContent(), /198\.51\.100\.\d+/);
    assert.equal(await pay.isVisible(), false);
    await shot(page, "order-live");

    await page.goto(`${app.server.base}/outbox.html`);
    await page.locator('.mail[data-kind="account_ready"]').waitFor();
    for (const kind of ["order_received", "payment_receipt", "domain_registered"]) {
      assert.equal(await page.locator(`.mail[data-kind="${kind}"]`).count(), 1, kind);
    }
    assert.match(await page.locator('.mail[data-kind="account_ready"] pre').textContent(), /Username:\s+sunnybakery/);

    await page.goto(`${app.server.base}/account.html`);
    await page.locator("#order-list").getByText(/sunnybakery\.com · Web Starter/).waitFor();
    await page.goto(`${app.server.base}/portal.html`);
    await page.locator("#payment-method").getByText(/Card ending 4242/).waitFor();
    assert.equal(await page.locator(".no-card").count(), 0, "the card kept at checkout pays renewals");
    await page.close();
  });

  test("a free subdomain, with a taken username swapped for a suggested one, paid with a card its bank checks", async () => {
    const page = await app.browser.newPage();
    await page.goto(`${app.server.base}/account.html?next=/order.html`);
    await signUp(page, app.server.base, { name: "Alan Turing", email: "alan@example.com", country: "GB" });
    await page.waitForURL(/\/order\.html$/);

    const form = page.locator("#order-form");
    await form.locator("#plan option").first().waitFor({ state: "attached" });
    assert.ok(await form.getByLabel("A free subdomain").isChecked(), "an empty cart starts with a subdomain");
    await radiosBesideTheirLabels(form);
    await form.getByLabel(/Subdomain name/).fill("enigmalab");
    await page.locator("#username").fill("sunnybakery");
    await page.locator("#username").blur();
    await page.locator("#username-hint").getByText("sunnybakery is taken.").waitFor();
    await page.locator("#username-hint").getByRole("button").first().click();
    assert.notEqual(await page.locator("#username").inputValue(), "sunnybakery");
    await form.getByRole("button", { name: "Generate" }).click();
    await form.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/order\.html\?id=/);
    await page.locator("#order-domain").getByText("enigmalab.example.net").waitFor();

    // A card whose bank asks its holder to confirm: to the bank and back.
    const pay = page.locator("#pay-form");
    await fillCard(pay, "4000 0025 0000 3155", { month: "1", cvc: "999" });
    assert.equal(await pay.getByLabel("Billing country").inputValue(), "GB", "billing country from the account");
    await pay.getByRole("button", { name: "Pay" }).click();
    await page.waitForURL(/\/bank\.html\?check=/);
    await shot(page, "bank-check");
    await page.getByRole("button", { name: "Confirm the payment" }).click();
    await page.waitForURL(/\/order\.html\?id=[^&]+$/);
    await page.locator('#order[data-status="active"]').waitFor({ timeout: 20000 });
    assert.match(await page.locator("#invoice-number").textContent(), /paid/);
    assert.match(await page.locator("#steps").textContent(), /Reserve enigmalab\.example\.net/);
    await page.close();
  });
});

describe("the site on a phone", () => {
  const app = useStorefront({ HOSTFRONT_SIM_PANEL_LATENCY_MS: "0" });

  /// The page's content is no wider than the screen.
  test("every page works 390 pixels wide", async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(app.server.base);
    await page.locator(".plan").first().waitFor();
    await page.locator("#domain-query").fill("averyveryverylongbakeryname.com");
    await page.locator("#search-suggestions .offer").first().waitFor();
    await fits(page, "the search results");
    for (const row of await page.locator(".offer").all()) {
      const box = await row.boundingBox();
      assert.ok(box.height < 120, `a result row is ${box.height}px tall`);
    }
    await shot(page, "phone-search");

    await page.goto(`${app.server.base}/account.html?next=/order.html`);
    await page.locator("#signup-form").waitFor();
    await fits(page, "the account page");
    await signUp(page, app.server.base, { name: "Ada Lovelace", email: "phone@example.com", country: "GB" });
    await page.waitForURL(/\/order\.html$/);
    const form = page.locator("#order-form");
    await form.locator("#plan option").first().waitFor({ state: "attached" });
    await fits(page, "the checkout");
    await radiosBesideTheirLabels(form);
    await form.getByLabel(/Subdomain name/).fill("phonebakery");
    await page.locator("#username").fill("phonebakery");
    await form.getByRole("button", { name: "Generate" }).click();
    await form.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/order\.html\?id=/);
    await page.locator("#pay-form").waitFor();
    await fits(page, "an order awaiting payment");
    const pay = page.locator("#pay-form");
    // A declined card: its refusal shows where the thumb is, not above the screen.
    await fillCard(pay, "4000 0000 0000 0002");
    await pay.getByRole("button", { name: "Pay" }).click();
    await refusedBeside(page, "pay-message", /declined/);
    await shot(page, "phone-card-declined");
    await cardFrame(pay).getByLabel("Card number").fill("4242 4242 4242 4242");
    await fits(page, "an order with the card typed in");
    await shot(page, "phone-order-payment");
    await pay.getByRole("button", { name: "Pay" }).click();
    await page.locator('#order[data-status="active"]').waitFor({ timeout: 20000 });
    await fits(page, "a live order");
    await shot(page, "phone-order");

    for (const path of ["/account.html", "/outbox.html", "/bank.html?check=none", "/no-such-page"]) {
      await page.goto(`${app.server.base}${path}`);
      await page.waitForLoadState("networkidle");
      await fits(page, path);
    }
    await context.close();
  });

  test("a domain registered elsewhere is proven with a TXT record before it can be paid", async () => {
    const page = await app.browser.newPage();
    await page.goto(`${app.server.base}/account.html?next=/order.html`);
    await signUp(page, app.server.base, { name: "Edsger Dijkstra", email: "edsger@example.com", country: "NL" });
    await page.waitForURL(/\/order\.html$/);
    const form = page.locator("#order-form");
    await form.locator("#plan option").first().waitFor({ state: "attached" });
    await form.getByLabel("Use a domain registered elsewhere").check();
    await form.getByLabel(/^Domain/).fill("goto-considered.org");
    await page.locator("#username").fill("dijkstra");
    await form.getByRole("button", { name: "Generate" }).click();
    await form.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/order\.html\?id=/);
    const proof = page.locator("#ownership");
    await proof.waitFor();
    assert.equal(await page.locator("#pay-form").isVisible(), false, "no payment before the proof");
    const name = await page.locator("#ownership-name").textContent();
    const value = await page.locator("#ownership-value").textContent();
    assert.equal(name, "_hostfront-verify.goto-considered.org");
    await proof.getByRole("button", { name: "Check now" }).click();
    await refusedBeside(page, "ownership-message", /did not find a TXT record/);
    await shot(page, "ownership");
    await page.setViewportSize({ width: 390, height: 844 });
    await fits(page, "an order waiting for its proof");

    const published = await fetch(`${app.server.base}/api/dev/dns/${name}`, {
      method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ txt: [value] }),
    });
    assert.equal(published.status, 204);
    await proof.getByRole("button", { name: "Check now" }).click();
    await page.locator("#pay-form").waitFor();
    assert.equal(await proof.isVisible(), false);
    await fits(page, "a proven order awaiting payment");
    await page.close();
  });
});
