// The customer portal in headless Chromium.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { customerWithLiveDomain, fillCard, shot, totpNow, useStorefront } from "./harness.mjs";
import { consoleApi, logInNow } from "./staff.mjs";

describe("the portal", () => {
  // Both customers sign up, confirm domain changes with their password and
  // buy from one address, more often than a shopper would.
  const app = useStorefront({
    HOSTFRONT_SIM_PANEL_LATENCY_MS: "0",
    HOSTFRONT_PURCHASE_PER_MINUTE: "60", HOSTFRONT_PURCHASE_WINDOW_LIMIT: "60",
    HOSTFRONT_AUTH_PER_MINUTE: "60", HOSTFRONT_AUTH_WINDOW_LIMIT: "60",
  }, { admin: "grace@staff.example" });

  const PASSWORD = "orbit bakery sourdough";

  /// A customer with a live order for `domain`.
  const liveCustomer = (page, email, domain, username) =>
    customerWithLiveDomain(page, app.server.base, { email, domain, username, password: PASSWORD });

  test("a customer sees services and domains, renews a domain for two years and sees the paid invoice", async () => {
    const page = await app.browser.newPage();
    await liveCustomer(page, "katherine@example.com", "orbitbakery.com", "orbitbakery");
    await page.getByRole("link", { name: "Your services, domains and invoices" }).click();
    await page.waitForURL(/\/portal\.html$/);
    const service = page.locator("#services .record", { hasText: "Web Starter · orbitbakery.com" });
    await service.waitFor();
    // Cancelling asks first: refused, nothing changes; accepted, it ends with the term.
    page.once("dialog", (dialog) => dialog.dismiss());
    await service.getByRole("button", { name: "Cancel at the end of the term" }).click();
    await page.waitForTimeout(500);
    assert.equal(await page.locator("#services .record").getByText("Ends on").count(), 0, "not cancelled without a yes");
    const cancelling = new Promise((resolve) => page.once("dialog", async (dialog) => {
      resolve(dialog.message());
      await dialog.accept();
    }));
    await service.getByRole("button", { name: "Cancel at the end of the term" }).click();
    assert.match(await cancelling, /its site and mail stop then/);
    const next = await page.locator("#services .record dd").nth(1).textContent();
    await page.locator("#services .record").getByText("Ends on").waitFor();
    assert.equal(await page.locator("#services .record dd").nth(6).textContent(), next, "it ends when the paid term does");
    await page.locator("#services .record").getByRole("button", { name: "Withdraw the cancellation" }).click();
    await page.locator("#services .record").getByRole("button", { name: "Cancel at the end of the term" }).waitFor();
    assert.equal(await page.locator("#services .record").getByText("Ends on").count(), 0);
    await page.locator("#services .record .no-card").getByText(/No card is saved to charge/).waitFor();
    await page.locator('#domain-list .record[data-domain="orbitbakery.com"] .no-card').getByText(/Auto-renew is on, but no card is saved/).waitFor();
    const cardForm = page.locator("#card-form");
    await fillCard(cardForm, "4242 4242 4242 4242");
    await cardForm.getByRole("button", { name: "Save card" }).click();
    assert.equal(await cardForm.getByLabel(/Use this card for renewals/).evaluate((box) => box.validity.valid), false, "not saved without consent");
    await cardForm.getByLabel(/Use this card for renewals/).check();
    await shot(page, "portal-save-card");
    await cardForm.getByRole("button", { name: "Save card" }).click();
    await page.locator("#card-message").getByText("Your card is saved.").waitFor();
    await page.locator("#payment-method").getByText(/Card ending 4242, expires 12\/2099/).waitFor();
    await page.locator(".no-card").first().waitFor({ state: "detached" });
    assert.equal(await page.locator("#card-consent").isVisible(), false, "consent recorded");

    const hosting = page.locator("#services .record").first();
    await hosting.getByRole("button", { name: "Change mailboxes" }).click();
    await hosting.getByLabel("Mailboxes, separated by commas").fill("info, postmaster, sales");
    await hosting.getByRole("button", { name: "Save mailboxes" }).click();
    await page.locator("#services .record").first().locator(".record-note").getByText("Your mailboxes are changed.").waitFor();
    await page.locator("#services .record").first().getByText("info@orbitbakery.com, postmaster@orbitbakery.com, sales@orbitbakery.com").waitFor();
    await page.locator("#services .record").first().getByRole("button", { name: "Upgrade" }).click();
    await page.locator("#services .record").first().getByLabel("Upgrade to").selectOption("web-business");
    // Paid with a new card, typed into the provider's own field.
    const upgradeForm = page.locator("#services .record").first().locator(".card-form");
    await upgradeForm.getByLabel("Pay with my saved card ending 4242").uncheck();
    await fillCard(upgradeForm, "5555 5555 5555 4444");
    await page.locator("#services .record").first().getByRole("button", { name: "Upgrade now" }).click();
    await page.locator("#services .record").first().locator(".record-note").getByText("Your service is on Web Business now.").waitFor();
    await page.locator("#services .record").first().getByText("Web Business · orbitbakery.com").waitFor();
    const business = page.locator("#services .record").first();
    await business.getByRole("button", { name: "Change sites" }).click();
    await business.getByLabel(/^Other sites/).fill("shop.orbitbakery.com, elsewhere.example");
    await business.getByRole("button", { name: "Save sites" }).click();
    await page.locator("#services .record").first().locator(".record-note").getByText(/elsewhere\.example is neither under orbitbakery\.com nor a domain you hold/i).waitFor();
    await business.getByLabel(/^Other sites/).fill("shop.orbitbakery.com");
    await business.getByRole("button", { name: "Save sites" }).click();
    await page.locator("#services .record").first().locator(".record-note").getByText("Your sites are changed.").waitFor();
    await page.locator("#services .record").first().getByText("shop.orbitbakery.com", { exact: true }).waitFor();
    await page.locator("#invoices tbody tr", { hasText: "Upgrade of Web Starter to Web Business" }).locator(".invoice-status").getByText("paid").waitFor();

    const domain = page.locator('#domain-list .record[data-domain="orbitbakery.com"]');
    const expires = await domain.locator("dd").nth(1).textContent();
    await domain.getByRole("button", { name: "Renew", exact: true }).click();
    const form = domain.locator(".renew-form");
    await form.getByLabel("Renew for").selectOption("2");
    assert.match(await form.locator(".hint").textContent(), /29\.98/);
    assert.ok(await form.getByLabel("Pay with my saved card ending 4242").isChecked());
    assert.equal(await form.locator(".card-field").isVisible(), false, "no card to type with a saved one");
    await form.getByRole("button", { name: "Renew", exact: true }).click();
    await domain.locator(".record-note").getByText(/is renewed until/).waitFor({ timeout: 20000 });
    const renewed = await page.locator('#domain-list .record[data-domain="orbitbakery.com"] dd').nth(1).textContent();
    assert.equal(Number(renewed.slice(0, 4)), Number(expires.slice(0, 4)) + 2, `${expires} → ${renewed}`);
    const renewedDomain = page.locator('#domain-list .record[data-domain="orbitbakery.com"]');
    await renewedDomain.getByRole("button", { name: "Turn auto-renew off" }).click();
    await renewedDomain.locator(".record-note").getByText("Auto-renew of orbitbakery.com is off.").waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), "Turn auto-renew on", "the focus stays on the button, drawn again");
    // Each record keeps its own message: the service's is still there.
    await page.locator("#services .record").first().locator(".record-note").getByText("Your sites are changed.").waitFor();
    await renewedDomain.getByRole("button", { name: "Turn auto-renew on" }).waitFor();
    await renewedDomain.getByRole("button", { name: "Change nameservers" }).click();
    await renewedDomain.getByLabel("Nameservers, separated by commas").fill("ns1.example.org, ns2.example.org");
    // Changing them warns first that the site and mail may stop working.
    const asked = new Promise((resolve) => page.once("dialog", async (dialog) => {
      resolve(dialog.message());
      await dialog.accept();
    }));
    await renewedDomain.getByRole("button", { name: "Save nameservers" }).click();
    assert.match(await asked, /site and mail stop working/);
    await renewedDomain.locator(".record-note").getByText("The nameservers of orbitbakery.com are changed.").waitFor();
    await renewedDomain.getByText("ns1.example.org, ns2.example.org").waitFor();
    // The auth code needs the account password again.
    await renewedDomain.getByRole("button", { name: "Show the auth code" }).click();
    await renewedDomain.getByLabel("Your account password, to confirm").fill("not my password");
    await renewedDomain.getByRole("button", { name: "Show the auth code" }).click();
    await renewedDomain.locator(".record-note.error").getByText(/not your account password/).waitFor();
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("record-note")), true, "the refusal takes the focus");
    await renewedDomain.getByLabel("Your account password, to confirm").fill(PASSWORD);
    await renewedDomain.getByRole("button", { name: "Show the auth code" }).click();
    await renewedDomain.locator(".record-note.error").getByText(/60 days/).waitFor();
    // With two-step login on, unlocking asks for the app's code as well.
    const base = app.server.base;
    const enrolment = await (await page.request.post(`${base}/api/account/totp`, { data: { current_password: PASSWORD } })).json();
    const confirmed = await page.request.post(`${base}/api/account/totp/confirm`, { data: { code: totpNow(enrolment.secret) } });
    assert.equal(confirmed.status(), 200);
    await renewedDomain.getByRole("button", { name: "Unlock for transfer" }).click();
    const unlock = renewedDomain.locator("form", { has: page.getByRole("button", { name: "Unlock for transfer" }) });
    const appCode = unlock.getByLabel("The code your authenticator app shows now");
    await appCode.waitFor();
    await unlock.getByLabel("Your account password, to confirm").fill(PASSWORD);
    await appCode.fill(totpNow(enrolment.secret) === "000000" ? "111111" : "000000");
    await unlock.getByRole("button", { name: "Unlock for transfer" }).click();
    await renewedDomain.locator(".record-note.error").getByText(/not right/).waitFor();
    await unlock.getByLabel("Your account password, to confirm").fill(PASSWORD);
    await appCode.fill(totpNow(enrolment.secret, 1));
    await unlock.getByRole("button", { name: "Unlock for transfer" }).click();
    await renewedDomain.locator(".record-note").getByText("orbitbakery.com is unlocked.").waitFor();
    const row = page.locator("#invoices tbody tr", { hasText: "orbitbakery.com, renewal, 2 years" });
    await row.locator(".invoice-status").getByText("paid").waitFor();
    await shot(page, "portal");

    await row.getByRole("link", { name: /^INV-\d+$/ }).click();
    await page.waitForURL(/\/invoice\.html\?number=INV-/);
    await page.locator("#invoice-status").getByText(/^paid on /).waitFor();
    assert.match(await page.locator("#invoice-lines").textContent(), /orbitbakery\.com, renewal, 2 years/);
    await page.close();
  });

  test("a customer ends a service when its domain expires and lets the domain lapse", async () => {
    const page = await app.browser.newPage();
    await liveCustomer(page, "ada@example.com", "lapsingbakery.com", "lapsing");
    await page.goto(`${app.server.base}/portal.html`);
    const service = page.locator("#services .record", { hasText: "lapsingbakery.com" });
    await service.getByRole("button", { name: "Other ways to cancel" }).click();
    const form = service.locator("form");
    assert.ok(await form.getByLabel(/When lapsingbakery\.com expires/).isChecked(), "the domain's expiry first");
    await form.getByLabel(/Let lapsingbakery\.com lapse/).check();
    await form.getByText("Its site and mail stop when the service ends.").waitFor();
    await shot(page, "portal-cancel-choices");
    await form.getByRole("button", { name: "Cancel the service" }).click();
    await service.getByText("Ends on").waitFor();
    const domain = page.locator('#domain-list .record[data-domain="lapsingbakery.com"]');
    const expires = (await domain.locator("dd").nth(1).textContent()).replace(" (UTC)", "");
    assert.match(await service.textContent(), new RegExp(`Ends on${expires}`), "the service ends on the domain's last day");
    await domain.getByText("off", { exact: true }).waitFor();
    await page.close();
  });

  test("the portal works 390 pixels wide", async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await liveCustomer(page, "mary@example.com", "averyveryverylongbakerydomainname.com", "longbakery");
    await page.goto(`${app.server.base}/portal.html`);
    const domain = page.locator("#domain-list .record").first();
    await domain.getByRole("button", { name: "Renew", exact: true }).click();
    await domain.locator(".renew-form").waitFor();
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(width <= 390, `the portal is ${width}px wide on a 390px screen`);
    await shot(page, "phone-portal");
    const number = await page.locator("#invoices tbody a").first().textContent();
    await page.goto(`${app.server.base}/invoice.html?number=${number}`);
    await page.locator("#invoice-title").waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, "the invoice fits");
    await context.close();
  });

  test("the service card shows what the panel's team did, 390 pixels wide", async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await liveCustomer(page, "nora@example.com", "norapanelbakery.com", "norapanel");
    const services = () => page.evaluate(async () => (await fetch("/api/services")).json());
    const username = (await services())[0].hosting.account.username;
    // The panel's admins suspend the account; it has used 12 GB of its 10.
    const changed = await fetch(`${app.server.base}/api/dev/panel/accounts/${username}`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ suspended: true, disk_used_mb: 12288, bandwidth_used_mb: 2048 }),
    });
    assert.equal(changed.status, 204);
    const staff = await app.browser.newPage();
    await logInNow(staff, app.server);
    const run = await consoleApi(staff, "/api/admin/tasks/panel-sync/run", {});
    assert.match(run.outcome, /queued 1 batches/);
    for (let i = 0; i < 50 && !(await services())[0].panel_state; i++) await new Promise((r) => setTimeout(r, 200));

    await page.goto(`${app.server.base}/portal.html`);
    const card = page.locator("#services .record", { hasText: "norapanelbakery.com" });
    await card.getByText("suspended by our team").waitFor();
    await card.getByText("12 GB of 10 GB — over the limit").waitFor();
    await card.getByText("2 GB (no limit)").waitFor();
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth) <= 390, "the card fits");
    await shot(page, "phone-portal-panel-state");
    await context.close();
    await staff.close();
  });
});
