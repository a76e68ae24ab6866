// The storefront as a visitor uses it, in headless Chromium.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fits, shot, signUp, useStorefront } from "./harness.mjs";

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

    await page.reload();
    assert.equal(await page.locator("#cart-count").textContent(), "1", "the cart survives a reload");
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
    await page.locator("#domain-query").fill("bad_name!.com");
    const message = page.locator("#search-message.error");
    await message.waitFor();
    assert.match(await message.textContent(), /letters, digits and hyphens/);
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
    await signup.getByLabel("Country").fill("us");
    await signup.getByLabel("Password").fill("password123");
    await signup.getByRole("button", { name: "Create account" }).click();
    await page.locator("#account-message.error").getByText(/too easy to guess/).waitFor();

    await page.getByRole("button", { name: "Generate" }).click();
    const generated = await signup.getByLabel("Password").inputValue();
    assert.equal(generated.length, 20);
    await signUp(page, app.server.base, { name: "Grace Hopper", email: "grace@example.com", country: "us" });
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
    await signup.getByLabel("Country").fill("GB");
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
    await page.getByRole("link", { name: "Log in or create an account" }).click();
    await signUp(page, app.server.base, { name: "Grace Hopper", email: "grace@example.com", country: "US" });
    await page.waitForURL(/\/order\.html$/);

    const form = page.locator("#order-form");
    await form.getByLabel(/Register sunnybakery\.com/).waitFor();
    assert.ok(await form.getByLabel(/Register sunnybakery\.com/).isChecked());
    assert.equal(await page.locator("#username").inputValue(), "sunnybakery");
    await form.getByRole("button", { name: "Generate" }).click();
    await form.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/order\.html\?id=/);
    await page.locator("#invoice-number").getByText(/Invoice INV-\d{6} · open/).waitFor();
    assert.equal(await page.locator("#cart-count").textContent(), "0", "the ordered domain left the cart");

    const pay = page.locator("#pay-form");
    await pay.getByLabel("Card number").fill("4000 0000 0000 0002");
    await pay.getByLabel("Month").fill("12");
    await pay.getByLabel("Year").fill("2099");
    await pay.getByLabel("CVC").fill("123");
    await pay.getByRole("button", { name: "Pay" }).click();
    await page.locator("#order-message").getByText(/declined/).waitFor();
    assert.equal(await pay.isVisible(), true, "a declined card can be retried");

    await pay.getByLabel("Card number").fill("4242 4242 4242 4242");
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
    await pay.getByLabel("Card number").fill("4000 0025 0000 3155");
    await pay.getByLabel("Month").fill("1");
    await pay.getByLabel("Year").fill("2099");
    await pay.getByLabel("CVC").fill("999");
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
    await form.getByLabel(/Subdomain name/).fill("phonebakery");
    await page.locator("#username").fill("phonebakery");
    await form.getByRole("button", { name: "Generate" }).click();
    await form.getByRole("button", { name: "Place order" }).click();
    await page.waitForURL(/\/order\.html\?id=/);
    await page.locator("#pay-form").waitFor();
    await fits(page, "an order awaiting payment");
    const pay = page.locator("#pay-form");
    await pay.getByLabel("Card number").fill("4242 4242 4242 4242");
    await pay.getByLabel("Month").fill("12");
    await pay.getByLabel("Year").fill("2099");
    await pay.getByLabel("CVC").fill("123");
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
    await page.locator("#order-message.error").getByText(/did not find a TXT record/).waitFor();
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

describe("the portal", () => {
  // Both customers sign up, confirm domain changes with their password and
  // buy from one address, more often than a shopper would.
  const app = useStorefront({
    HOSTFRONT_SIM_PANEL_LATENCY_MS: "0",
    HOSTFRONT_PURCHASE_PER_MINUTE: "60", HOSTFRONT_PURCHASE_WINDOW_LIMIT: "60",
    HOSTFRONT_AUTH_PER_MINUTE: "60", HOSTFRONT_AUTH_WINDOW_LIMIT: "60",
  });

  const PASSWORD = "orbit bakery sourdough";

  /// A customer with a live order for `domain`, placed and paid through the API
  /// with the page's own session.
  async function liveCustomer(page, email, domain, username) {
    await page.goto(`${app.server.base}/account.html`);
    await page.locator("#signup-form").getByLabel("Password").fill(PASSWORD);
    await signUp(page, app.server.base, { name: "Katherine Johnson", email, country: "US" });
    await page.locator("#signed-in").waitFor();
    const id = await page.evaluate(async ([domain, username]) => {
      const post = (path, body, key) => fetch(path, { method: "POST", headers: { "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) }, body: JSON.stringify(body) }).then((r) => r.json());
      const order = await post("/api/orders", { plan_id: "web-starter", cycle: "monthly", username, generate_password: true, domain: { action: "register", name: domain } }, crypto.randomUUID());
      const paid = await post(`/api/orders/${order.id}/pay`, { card: { number: "4242424242424242", exp_month: 12, exp_year: 2099, cvc: "123" }, billing_country: "US" });
      if (paid.error) throw new Error(JSON.stringify(paid));
      return order.id;
    }, [domain, username]);
    for (let i = 0; i < 100; i++) {
      const order = await page.evaluate(async (id) => (await fetch(`/api/orders/${id}`)).json(), id);
      if (order.status === "active") return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error("the order did not go live");
  }

  test("a customer sees services and domains, renews a domain for two years and sees the paid invoice", async () => {
    const page = await app.browser.newPage();
    await liveCustomer(page, "katherine@example.com", "orbitbakery.com", "orbitbakery");
    await page.getByRole("link", { name: "Your services, domains and invoices" }).click();
    await page.waitForURL(/\/portal\.html$/);
    const service = page.locator("#services .record", { hasText: "Web Starter · orbitbakery.com" });
    await service.waitFor();
    await service.getByRole("button", { name: "Cancel at the end of the term" }).click();
    const next = await page.locator("#services .record dd").nth(1).textContent();
    await page.locator("#services .record").getByText("Ends on").waitFor();
    assert.equal(await page.locator("#services .record dd").nth(6).textContent(), next, "it ends when the paid term does");
    await page.locator("#services .record").getByRole("button", { name: "Withdraw the cancellation" }).click();
    await page.locator("#services .record").getByRole("button", { name: "Cancel at the end of the term" }).waitFor();
    assert.equal(await page.locator("#services .record").getByText("Ends on").count(), 0);
    const cardForm = page.locator("#card-form");
    await cardForm.getByLabel("Card number").fill("4242 4242 4242 4242");
    await cardForm.getByLabel("Month").fill("12");
    await cardForm.getByLabel("Year").fill("2099");
    await cardForm.getByLabel("CVC").fill("123");
    await cardForm.getByRole("button", { name: "Save card" }).click();
    await page.locator("#card-message").getByText("Your card is saved.").waitFor();
    await page.locator("#payment-method").getByText(/Card ending 4242, expires 12\/2099/).waitFor();

    const hosting = page.locator("#services .record").first();
    await hosting.getByRole("button", { name: "Change mailboxes" }).click();
    await hosting.getByLabel("Mailboxes, separated by commas").fill("info, sales");
    await hosting.getByRole("button", { name: "Save mailboxes" }).click();
    await page.locator("#service-message").getByText("Your mailboxes are changed.").waitFor();
    await page.locator("#services .record").first().getByText("info@orbitbakery.com, sales@orbitbakery.com").waitFor();
    await page.locator("#services .record").first().getByRole("button", { name: "Upgrade" }).click();
    await page.locator("#services .record").first().getByLabel("Upgrade to").selectOption("web-business");
    await page.locator("#services .record").first().getByRole("button", { name: "Upgrade now" }).click();
    await page.locator("#service-message").getByText("Your service is on Web Business now.").waitFor();
    await page.locator("#services .record").first().getByText("Web Business · orbitbakery.com").waitFor();
    const business = page.locator("#services .record").first();
    await business.getByRole("button", { name: "Change sites" }).click();
    await business.getByLabel(/^Other sites/).fill("shop.orbitbakery.com, elsewhere.example");
    await business.getByRole("button", { name: "Save sites" }).click();
    await page.locator("#service-message").getByText(/elsewhere\.example is neither under orbitbakery\.com nor a domain you hold/i).waitFor();
    await business.getByLabel(/^Other sites/).fill("shop.orbitbakery.com");
    await business.getByRole("button", { name: "Save sites" }).click();
    await page.locator("#service-message").getByText("Your sites are changed.").waitFor();
    await page.locator("#services .record").first().getByText("shop.orbitbakery.com", { exact: true }).waitFor();
    await page.locator("#invoices tbody tr", { hasText: "Upgrade of service" }).locator(".invoice-status").getByText("paid").waitFor();

    const domain = page.locator('#domain-list .record[data-domain="orbitbakery.com"]');
    const expires = await domain.locator("dd").nth(1).textContent();
    await domain.getByRole("button", { name: "Renew", exact: true }).click();
    const form = domain.locator(".renew-form");
    await form.getByLabel("Renew for").selectOption("2");
    assert.match(await form.locator(".hint").textContent(), /29\.98/);
    assert.ok(await form.getByLabel("Pay with my saved card ending 4242").isChecked());
    assert.equal(await form.getByLabel("Card number").isVisible(), false, "no card to type with a saved one");
    await form.getByRole("button", { name: "Renew", exact: true }).click();
    await page.locator("#domain-message").getByText(/is renewed until/).waitFor({ timeout: 20000 });
    const renewed = await page.locator('#domain-list .record[data-domain="orbitbakery.com"] dd').nth(1).textContent();
    assert.equal(Number(renewed.slice(0, 4)), Number(expires.slice(0, 4)) + 2, `${expires} → ${renewed}`);
    const renewedDomain = page.locator('#domain-list .record[data-domain="orbitbakery.com"]');
    await renewedDomain.getByRole("button", { name: "Turn auto-renew off" }).click();
    await page.locator("#domain-message").getByText("Auto-renew of orbitbakery.com is off.").waitFor();
    await renewedDomain.getByRole("button", { name: "Turn auto-renew on" }).waitFor();
    await renewedDomain.getByRole("button", { name: "Change nameservers" }).click();
    await renewedDomain.getByLabel("Nameservers, separated by commas").fill("ns1.example.org, ns2.example.org");
    await renewedDomain.getByRole("button", { name: "Save nameservers" }).click();
    await page.locator("#domain-message").getByText("The nameservers of orbitbakery.com are changed.").waitFor();
    await renewedDomain.getByText("ns1.example.org, ns2.example.org").waitFor();
    // The auth code needs the account password again.
    await renewedDomain.getByRole("button", { name: "Show the auth code" }).click();
    await renewedDomain.getByLabel("Your account password, to confirm").fill("not my password");
    await renewedDomain.getByRole("button", { name: "Show the auth code" }).click();
    await page.locator("#domain-message.error").getByText(/not your account password/).waitFor();
    await renewedDomain.getByLabel("Your account password, to confirm").fill(PASSWORD);
    await renewedDomain.getByRole("button", { name: "Show the auth code" }).click();
    await page.locator("#domain-message.error").getByText(/60 days/).waitFor();
    const row = page.locator("#invoices tbody tr", { hasText: "Renewal of orbitbakery.com, 2 years" });
    await row.locator(".invoice-status").getByText("paid").waitFor();
    await shot(page, "portal");

    await row.getByRole("link").click();
    await page.waitForURL(/\/invoice\.html\?number=INV-/);
    await page.locator("#invoice-status").getByText(/^paid on /).waitFor();
    assert.match(await page.locator("#invoice-lines").textContent(), /Renewal of orbitbakery\.com, 2 years/);
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
});
