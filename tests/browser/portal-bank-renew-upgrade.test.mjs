// Renewing a domain, and upgrading a plan, in the portal with a card whose
// bank asks its holder to confirm (3-D Secure), in headless Chromium, on the
// real server: the card typed into the provider's field, to the simulated
// bank's page and back to the portal, which confirms the payment and says
// beside the domain (or the service) how it went, at a desk's width and a
// phone's.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { customerWithLiveDomain, fillCard, fits, shot, useStorefront } from "./harness.mjs";

const PASSWORD = "harbour lights at dusk";

describe("a domain renewed and a plan upgraded in the portal through the bank", () => {
  const app = useStorefront({
    HOSTFRONT_SIM_PANEL_LATENCY_MS: "0",
    HOSTFRONT_PURCHASE_PER_MINUTE: "60", HOSTFRONT_PURCHASE_WINDOW_LIMIT: "60",
    HOSTFRONT_AUTH_PER_MINUTE: "60", HOSTFRONT_AUTH_WINDOW_LIMIT: "60",
  });

  /// Opens the renewal form of the customer's `domain`, types the 3-D
  /// Secure test card, renews, answers `answer` at the bank, and waits to
  /// be back in the portal; returns the domain's card.
  async function renewThroughTheBank(page, domain, answer) {
    await page.goto(`${app.server.base}/portal.html`);
    const card = page.locator(`#domain-list .record[data-domain="${domain}"]`);
    await card.getByRole("button", { name: "Renew", exact: true }).click();
    const form = card.locator(".renew-form");
    await fillCard(form, "4000 0025 0000 3155", { month: "1", cvc: "999" });
    await form.getByRole("button", { name: "Renew", exact: true }).click();
    await page.waitForURL(/\/bank\.html\?check=/);
    await page.getByRole("button", { name: answer }).click();
    await page.waitForURL(/\/portal\.html/);
    return page.locator(`#domain-list .record[data-domain="${domain}"]`);
  }

  const expiryOf = async (card) => Number((await card.locator("dd").nth(1).textContent()).slice(0, 4));

  test("confirmed at the bank, the domain is renewed, and refused, it stays renewable", async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await customerWithLiveDomain(page, app.server.base, { email: "grace@example.com", domain: "harbourlights.com", username: "harbour", password: PASSWORD });
    await page.goto(`${app.server.base}/portal.html`);
    const before = await expiryOf(page.locator('#domain-list .record[data-domain="harbourlights.com"]'));

    const refused = await renewThroughTheBank(page, "harbourlights.com", "Refuse");
    await refused.locator(".record-note.error").getByText(/your bank did not confirm the payment/i).waitFor();
    assert.doesNotMatch(page.url(), /confirmed_renewal=/, "confirmed once: the address no longer asks");
    await shot(page, "portal-renew-bank-refused");
    assert.equal(await expiryOf(refused), before, "not renewed");

    const confirmed = await renewThroughTheBank(page, "harbourlights.com", "Confirm the payment");
    await confirmed.locator(".record-note").getByText(/is renewed until/).waitFor({ timeout: 20000 });
    assert.equal(await expiryOf(page.locator('#domain-list .record[data-domain="harbourlights.com"]')), before + 1);
    await page.locator("#invoices tbody tr", { hasText: "harbourlights.com, renewal, 1 year" }).locator(".invoice-status").getByText("paid").waitFor();
    await shot(page, "portal-renew-bank-renewed");
    await page.close();
  });

  test("on a phone, the renewal goes to the bank and comes back renewed", async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await customerWithLiveDomain(page, app.server.base, { email: "ada@example.com", domain: "lighthousekeepers.com", username: "keepers", password: PASSWORD });
    const card = await renewThroughTheBank(page, "lighthousekeepers.com", "Confirm the payment");
    await card.locator(".record-note").getByText(/is renewed until/).waitFor({ timeout: 20000 });
    await fits(page, "the portal back from the bank");
    await shot(page, "phone-portal-renew-bank");
    await context.close();
  });

  test("an upgrade confirmed at the bank moves the service to the larger plan", async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    await customerWithLiveDomain(page, app.server.base, { email: "mae@example.com", domain: "starboardsails.com", username: "starboard", password: PASSWORD });
    await page.goto(`${app.server.base}/portal.html`);
    const service = page.locator("#services .record").first();
    await service.getByRole("button", { name: "Upgrade" }).click();
    await service.getByLabel("Upgrade to").selectOption("web-business");
    await fillCard(service.locator(".card-form"), "4000 0025 0000 3155", { month: "1", cvc: "999" });
    await service.getByRole("button", { name: "Upgrade now" }).click();
    await page.waitForURL(/\/bank\.html\?check=/);
    await page.getByRole("button", { name: "Confirm the payment" }).click();
    await page.waitForURL(/\/portal\.html/);
    const upgraded = page.locator("#services .record").first();
    await upgraded.locator(".record-note").getByText("Your service is on Web Business now.").waitFor();
    await upgraded.getByText("Web Business · starboardsails.com").waitFor();
    assert.doesNotMatch(page.url(), /confirmed_upgrade=/, "confirmed once: the address no longer asks");
    await shot(page, "portal-upgrade-bank");
    await page.close();
  });
});
