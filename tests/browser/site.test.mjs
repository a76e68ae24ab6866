// The storefront as a visitor uses it, in headless Chromium: the search and
// the account page.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { shot, signUp, useStorefront } from "./harness.mjs";

describe("the storefront", () => {
  const app = useStorefront();

  test("the home page shows the plans and the service status", async () => {
    const page = await app.browser.newPage();
    await page.goto(app.server.base);
    await page.locator(".plan").first().waitFor();
    assert.ok((await page.locator(".plan").count()) >= 5);
    await page.getByText(/Hostfront 0\.\d+\.\d+ · ok/).waitFor();
    await page.close();
  });

  test("results appear as the user types, with prices, and go to the cart", async () => {
    const page = await app.browser.newPage();
    const checks = [];
    page.on("request", (r) => r.url().includes("/api/domains/check") && checks.push(r.url()));
    await page.goto(app.server.base);
    await page.locator("#domain-query").pressSequentially("mybakeryshop", { delay: 30 });
    const com = page.locator('#search-results .offer[data-domain="mybakeryshop.com"]');
    await com.waitFor();
    assert.equal(checks.length, 1, "typing is debounced into one search");
    assert.match(await com.locator(".status").textContent(), /\$12\.99 first year/);
    assert.ok((await page.locator("#search-results .offer").count()) >= 10, "every sold ending");
    assert.ok((await page.locator("#search-suggestions .offer.available").count()) >= 10, "suggestions");
    assert.match(await page.locator("#search-message").textContent(), /endings are available/);
    await com.getByRole("button", { name: "Add to cart" }).click();
    await page.locator("#cart-count").getByText("1").waitFor();
    assert.equal(await com.getByRole("button").textContent(), "In cart");
    await shot(page, "search");

    await page.locator("#domain-query").fill("bakery.com");
    const taken = page.locator('#search-results .offer[data-domain="bakery.com"]');
    await taken.waitFor();
    assert.equal(await taken.locator(".status").textContent(), "Taken");
    assert.ok(await taken.getByRole("button").isDisabled());
    await page.getByText("bakery.com is taken; here are some ideas.").waitFor();

    assert.match(page.url(), /\?q=bakery\.com$/, "the search is in the address");
    await page.reload();
    assert.equal(await page.locator("#cart-count").textContent(), "1", "the cart survives a reload");
    assert.equal(await page.locator("#domain-query").inputValue(), "bakery.com", "and the search");
    await taken.waitFor();

    await page.locator("#domain-query").fill("my bakery!");
    await page.locator('#search-results .offer[data-domain="mybakery.com"]').waitFor();
    await page.close();
  });

  test("unicode names show both forms", async () => {
    const page = await app.browser.newPage();
    await page.goto(app.server.base);
    await page.locator("#domain-query").fill("bäckerei.de");
    const row = page.locator('#search-results .offer[data-domain="xn--bckerei-5wa.de"]');
    await row.waitFor();
    assert.match(await row.locator(".name").textContent(), /bäckerei\.dexn--bckerei-5wa\.de/);
    await page.close();
  });

  test("invalid input gets a clear message", async () => {
    const page = await app.browser.newPage();
    await page.goto(app.server.base);
    await page.locator("#domain-query").fill("bakery-.com");
    const message = page.locator("#search-message.error");
    await message.waitFor();
    assert.equal(await message.textContent(), "Check the name: a domain name cannot start or end with a hyphen.");
    assert.equal(await page.locator("#search-results .offer").count(), 0);
    await shot(page, "invalid");
    await page.close();
  });
});

describe("the storefront under a rate limit", () => {
  const app = useStorefront({ HOSTFRONT_CHECK_BURST: "2", HOSTFRONT_CHECK_PER_MINUTE: "2" });

  test("a visitor searching too fast is told to wait", async () => {
    const page = await app.browser.newPage();
    await page.goto(app.server.base);
    for (const query of ["first.com", "second.com"]) {
      await page.locator("#domain-query").fill(query);
      await page.locator(`#search-results .offer[data-domain="${query}"]`).waitFor();
    }
    await page.locator("#domain-query").fill("third.com");
    const message = page.locator("#search-message.error");
    await message.waitFor();
    assert.match(await message.textContent(), /searching very fast\. Please wait \d+ seconds/);
    await shot(page, "rate-limited");
    await page.close();
  });
});

describe("the storefront when the registrar's quota is spent", () => {
  // Every call of the quota is kept for orders: no search may ask the registrar.
  const app = useStorefront({ HOSTFRONT_REGISTRAR_CALLS_PER_SECOND: "1", HOSTFRONT_REGISTRAR_RESERVED_PER_SECOND: "1" });

  test("names that could not be checked say so and can be checked again", async () => {
    const page = await app.browser.newPage();
    await page.goto(app.server.base);
    await page.locator("#domain-query").fill("quietbakery.com");
    const row = page.locator('#search-results .offer[data-domain="quietbakery.com"]');
    await row.waitFor();
    assert.match(await row.locator(".status").textContent(), /Not checked/);
    assert.equal(await row.getAttribute("class"), "offer unchecked", "not dimmed as taken");
    assert.match(await page.locator("#search-message").textContent(), /could not check quietbakery\.com just now/);
    const again = row.locator("button");
    assert.equal(await again.textContent(), "Check again");
    assert.equal(await again.isEnabled(), true);
    await again.click();
    await page.locator('#search-results .offer[data-domain="quietbakery.com"] .status').waitFor();
    await page.close();
  });
});

describe("the account page", () => {
  // Signups, links and logins of several visitors from one address.
  const app = useStorefront({ HOSTFRONT_AUTH_PER_MINUTE: "100", HOSTFRONT_AUTH_WINDOW_LIMIT: "200" });

  test("a visitor signs up, stays logged in across a reload, logs out and back in", async () => {
    const page = await app.browser.newPage();
    await page.goto(`${app.server.base}/account.html`);
    const signup = page.locator("#signup-form");
    await signup.waitFor();
    await signup.getByLabel("Your name").fill("Grace Hopper");
    await signup.getByLabel("Email").fill("grace@example.com");
    await signup.getByLabel("Country").selectOption({ label: "United States" });
    await signup.getByLabel("Password").fill("password123");
    await signup.getByRole("button", { name: "Create account" }).click();
    await page.locator("#account-message.error").getByText(/too easy to guess/).waitFor();

    await page.getByRole("button", { name: "Generate" }).click();
    const generated = await signup.getByLabel("Password").inputValue();
    assert.equal(generated.length, 20);
    await signUp(page, app.server.base, { name: "Grace Hopper", email: "grace@example.com", country: "US" });
    await page.locator("#customer-name").getByText("Grace Hopper").waitFor();
    assert.doesNotMatch(page.url(), /verify=/, "the token leaves the address bar");
    await shot(page, "account");

    await page.reload();
    await page.locator("#customer-email").getByText("grace@example.com").waitFor();

    await page.getByRole("button", { name: "Log out", exact: true }).click();
    await page.getByText("You are logged out.").waitFor();
    const login = page.locator("#login-form");
    await login.getByLabel("Email").fill("grace@example.com");
    await login.getByLabel("Password").fill("not the password");
    await login.getByRole("button", { name: "Log in" }).click();
    await page.locator("#account-message.error").getByText(/not correct/).waitFor();
    await login.getByLabel("Password").fill(generated);
    await login.getByRole("button", { name: "Log in" }).click();
    await page.locator("#customer-name").getByText("Grace Hopper").waitFor();
    await page.close();
  });

  test("a signup with an email that has an account reveals nothing; its owner is mailed", async () => {
    const page = await app.browser.newPage();
    await page.goto(`${app.server.base}/account.html`);
    const signup = page.locator("#signup-form");
    await signup.getByLabel("Your name").fill("Someone Else");
    await signup.getByLabel("Email").fill("grace@example.com");
    await signup.getByLabel("Country").selectOption("GB");
    await signup.getByLabel("Password").fill("a long enough secret");
    await signup.getByRole("button", { name: "Create account" }).click();
    await page.locator("#account-message").getByText("We sent a mail to grace@example.com.", { exact: false }).waitFor();
    assert.equal(await page.locator("#account-message.error").count(), 0);
    const mails = await (await fetch(`${app.server.base}/api/outbox`)).json();
    assert.ok(mails.some((m) => m.to === "grace@example.com" && m.kind === "account_exists"));
    await page.close();
  });

  test("after login, next= leads only to pages of this site", async () => {
    const first = await app.browser.newPage();
    await first.goto(`${app.server.base}/account.html`);
    await first.locator("#signup-form").getByLabel("Password").fill("a long enough secret");
    await signUp(first, app.server.base, { name: "Ada Lovelace", email: "ada@example.com", country: "GB" });
    await first.locator("#customer-name").getByText("Ada Lovelace").waitFor();
    await first.close();
    for (const next of ["/\\evil.example", "/%09/evil.example", "//evil.example", "https://evil.example/"]) {
      const page = await app.browser.newPage();
      await page.goto(`${app.server.base}/account.html?next=${encodeURIComponent(next)}`);
      await page.getByRole("tab", { name: "Log in" }).click();
      const login = page.locator("#login-form");
      await login.getByLabel("Email").fill("ada@example.com");
      await login.getByLabel("Password").fill("a long enough secret");
      const answered = page.waitForResponse((r) => r.url().endsWith("/api/login"));
      await login.getByRole("button", { name: "Log in" }).click();
      // Logged in, the page follows next= if it is a path of this site (a
      // harmless 404 for /%09/…), and stays here otherwise.
      assert.equal((await answered).status(), 200);
      await page.waitForTimeout(500);
      assert.equal(new URL(page.url()).origin, app.server.base, `next=${next} led to ${page.url()}`);
      await page.close();
    }
  });
});
