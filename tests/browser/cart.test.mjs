// The cart as a page: domains found by search and a plan chosen on its card,
// priced from the catalog with the total's tax, lines removed, on to
// checkout; kept with the account from the signup on, so that another
// device (the signup link opened elsewhere) finds the same cart.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fits, shot, signUp, useStorefront } from "./harness.mjs";

const PASSWORD = "a long cart password";

async function addFound(page, domain) {
  await page.locator("#domain-query").fill(domain);
  const offer = page.locator(`#search-results .offer[data-domain="${domain}"]`);
  await offer.getByRole("button", { name: "Add to cart" }).click();
  await offer.getByRole("button", { name: "In cart" }).waitFor();
}

/// The cart page's lines, as text.
async function lines(page) {
  await page.locator("#cart-total").getByText(/Total/).waitFor();
  return page.locator("#cart-lines tbody tr").allTextContents();
}

describe("the cart", () => {
  const app = useStorefront({ HOSTFRONT_AUTH_PER_MINUTE: "60", HOSTFRONT_AUTH_WINDOW_LIMIT: "60" });

  for (const width of [1280, 390]) {
    test(`at ${width} px: found domains and a plan, priced, removed, signed up, and found again on another device`, async () => {
      const device = await app.browser.newContext({ viewport: { width, height: 844 }, isMobile: width < 500, hasTouch: width < 500 });
      const page = await device.newPage();
      await page.goto(app.server.base);
      await addFound(page, `cartbakery${width}.com`);
      await addFound(page, `cartbakery${width}.net`);
      assert.equal(await page.locator("#cart-count").textContent(), "2");

      // A plan's card orders it: into the cart, and to the cart.
      const business = page.locator(".plan", { hasText: "Web Business" });
      assert.match(await business.textContent(), /\/month.*or .*\/year/s, "both cycles' prices");
      assert.doesNotMatch(await page.locator("#plan-list").textContent(), /1 sites|mailbox gb/, "limits in words");
      await business.getByRole("button", { name: "Order Web Business" }).click();
      await page.waitForURL(/\/cart\.html$/);
      let shown = await lines(page);
      assert.equal(shown.length, 3, shown.join(" | "));
      assert.match(shown[2], /Web Business, a month/);
      assert.match(await page.locator("#cart-total").textContent(), /tax of your country, added at checkout/);

      // Annual: the line and the total follow; a domain removed.
      const monthly = await page.locator("#cart-total").textContent();
      await page.getByLabel("Annual").check();
      await page.locator("#cart-lines").getByText(/Web Business, a year/).waitFor();
      assert.notEqual(await page.locator("#cart-total").textContent(), monthly);
      await page.getByRole("button", { name: `Remove cartbakery${width}.net` }).click();
      shown = await lines(page);
      assert.equal(shown.length, 2, shown.join(" | "));
      assert.equal(await page.locator("#cart-count").textContent(), "1");
      if (width < 500) await fits(page, "the cart");
      await shot(page, `cart-${width}`);

      // Checkout asks a visitor to log in; the signup brings the cart.
      await page.getByRole("link", { name: "Continue to checkout" }).click();
      await page.getByRole("button", { name: "Log in to place your order" }).click();
      const email = `cart${width}@example.com`;
      await page.locator("#signup-form").getByLabel("Password").fill(PASSWORD);
      await signUp(page, app.server.base, { name: "Cart Tester", email, country: "DE" });
      await page.waitForURL(/\/order\.html$/);
      await page.locator("#plan option").first().waitFor({ state: "attached" });
      assert.equal(await page.locator("#plan").inputValue(), "web-business", "the cart's plan");
      assert.equal(await page.locator("#cycle").inputValue(), "annual", "the cart's cycle");
      await device.close();

      // Another device: logged in, the same cart, its total by the account's tax terms.
      const other = await app.browser.newContext({ viewport: { width, height: 844 } });
      const elsewhere = await other.newPage();
      await elsewhere.goto(`${app.server.base}/account.html?next=/cart.html`);
      await elsewhere.getByRole("tab", { name: "Log in" }).click();
      const login = elsewhere.locator("#login-form");
      await login.getByLabel("Email").fill(email);
      await login.getByLabel("Password").fill(PASSWORD);
      await login.getByRole("button", { name: "Log in" }).click();
      await elsewhere.waitForURL(/\/cart\.html$/);
      shown = await lines(elsewhere);
      assert.equal(shown.length, 2, shown.join(" | "));
      assert.match(shown[0], new RegExp(`cartbakery${width}\\.com`));
      assert.doesNotMatch(await elsewhere.locator("#cart-total").textContent(), /added at checkout/, "the account's own tax terms");
      await other.close();
    });
  }
});
