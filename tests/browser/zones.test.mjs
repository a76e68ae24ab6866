// A DNS-only and a domain-only order in Chromium, on a desktop and then on
// a phone: the order form asks for the zone instead of a login, the order
// runs the zone's steps (three, or four for an alias), and the order's
// page and the portal's card show what our nameservers serve; DNS
// hosting's records are changed from the portal.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fillCard, fits, shot, signUp, useStorefront } from "./harness.mjs";

const SCREENS = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "phone", width: 390, height: 844 },
];

/// Puts `domain` in the customer's cart, as the search page would.
async function inCart(page, domain) {
  await page.evaluate(async (domain) => {
    localStorage.setItem("hostfront.cart", JSON.stringify([{ domain, unicode: domain }]));
    const put = await fetch("/api/cart", { method: "PUT", headers: { "content-type": "application/json" }, body: JSON.stringify({ domains: [domain] }) });
    if (!put.ok) throw new Error(await put.text());
  }, domain);
}

/// Orders `plan` for `domain` from the cart, filling the zone with `fill`,
/// pays it, and waits until it is live.
async function orderZone(page, base, { plan, domain, fill, steps }) {
  await inCart(page, domain);
  await page.goto(`${base}/order.html`);
  const form = page.locator("#order-form");
  await form.locator("#plan option").first().waitFor({ state: "attached" });
  await form.getByLabel("Plan").selectOption(plan);
  await form.getByLabel(new RegExp(`Register ${domain.replaceAll(".", "\\.")}`)).check();
  assert.ok(await page.locator("#zone-fields").isVisible(), "the zone's fields");
  assert.equal(await page.locator("#username").isVisible(), false, "no login to choose");
  await fill(form);
  await shot(page, `zone-form-${domain.replace(/\d+\.com$/, "")}`);
  await form.getByRole("button", { name: "Place order" }).click();
  await page.waitForURL(/\/order\.html\?id=/);
  const pay = page.locator("#pay-form");
  await fillCard(pay, "4242 4242 4242 4242");
  await pay.getByRole("button", { name: "Pay" }).click();
  const live = page.locator('#order[data-status="active"]');
  await live.waitFor({ timeout: 20000 }).catch(async (error) => {
    throw new Error(`${await page.locator("#order-status").textContent()} ${await page.locator("#order-message").textContent()} ${error.message}`);
  });
  assert.equal(await page.locator("#steps .step.done").count(), steps ?? 3, "domain, (alias,) zone, mail");
}

/// Changes a DNS hosting service's records from its card: the lines it
/// shows are the records ordered, and the card shows the new ones saved.
async function changeRecords(page, card) {
  await card.getByRole("button", { name: "Change records" }).click();
  const records = card.getByLabel(/Records, one a line/);
  assert.equal(await records.inputValue(), "@ A 203.0.113.7\nwww CNAME example.org.\n@ MX 10 mail.example.net.");
  await records.fill("@ A 203.0.113.8\nshop 300 AAAA 2001:db8::8\n@ TXT v=spf1 -all\n@ MX 10 mail.example.net.");
  await card.getByRole("button", { name: "Save records" }).click();
  await page.locator("article[data-service]").getByText("Your records are changed").waitFor();
  await page.locator("article[data-service]").getByText("DNS hosting: 4 records of yours").first().waitFor();
}

/// A live website of the customer's, on a free subdomain, placed and paid
/// through the API with the page's own session.
async function liveSite(page, label) {
  await page.evaluate(async (label) => {
    const post = (path, body, key) => fetch(path, { method: "POST", headers: { "content-type": "application/json", ...(key ? { "idempotency-key": key } : {}) }, body: JSON.stringify(body) }).then((r) => r.json());
    const name = `${label}${Date.now() % 100000}`;
    const order = await post("/api/orders", { plan_id: "web-starter", cycle: "monthly", username: name.slice(0, 16), generate_password: true, domain: { action: "subdomain", name } }, crypto.randomUUID());
    const paid = await post(`/api/orders/${order.id}/pay`, { payment_method: "pm_card_visa", billing_country: "GB" });
    if (paid.error) throw new Error(JSON.stringify(paid));
    for (let i = 0; i < 100; i++) {
      const now = await (await fetch(`/api/orders/${order.id}`)).json();
      if (now.status === "active") return;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error("the site did not go live");
  }, label);
}

const ORDERS = [
  {
    plan: "dns-hosting", slug: "dns", shows: "DNS hosting: 3 records of yours",
    fill: async (form) => {
      await form.getByLabel("Our nameservers hold my records").check();
      await form.getByLabel(/Records, one a line/).fill("@ A 203.0.113.7\nwww CNAME example.org\n@ MX 10 mail.example.net");
    },
  },
  {
    plan: "dns-hosting", slug: "secondary", shows: "Secondary DNS, copied from 203.0.113.53",
    fill: async (form) => {
      await form.getByLabel("Our nameservers copy my own primary server").check();
      await form.getByLabel(/primary servers' addresses/).fill("203.0.113.53");
    },
  },
  {
    plan: "domain-parking", slug: "alias", shows: /Shows the site of aliassite\d+\.example\.net/, site: true, steps: 4,
    fill: async (form) => {
      await form.getByLabel("Show the site of one of my services").check();
      await form.getByLabel("The site to show").selectOption({ index: 0 });
    },
  },
  {
    plan: "domain-parking", slug: "parked", shows: "Parked: a holding page, and no mail",
    fill: async (form) => {
      await form.getByText("The domain shows our holding page").waitFor();
      assert.equal(await form.getByLabel("Our nameservers hold my records").isVisible(), false);
    },
  },
];

describe("a zone alone, ordered", () => {
  const app = useStorefront({ HOSTFRONT_SIM_PANEL_LATENCY_MS: "0", HOSTFRONT_PURCHASE_PER_MINUTE: "60" });

  for (const order of ORDERS) {
    test(`${order.plan} (${order.slug}) at 1280 and at 390 pixels: no login, the zone served`, async () => {
      const page = await app.browser.newPage();
      await page.goto(`${app.server.base}/account.html?next=/order.html`);
      await signUp(page, app.server.base, { name: "Zone Tester", email: `${order.slug}@example.com`, country: "GB" });
      await page.waitForURL(/\/order\.html$/);
      if (order.site) await liveSite(page, "aliassite");
      for (const screen of SCREENS) {
        await page.setViewportSize({ width: screen.width, height: screen.height });
        const domain = `${order.slug}${screen.name}${Date.now() % 100000}.com`;
        await orderZone(page, app.server.base, { ...order, domain });
        const details = page.locator("#service-details");
        await details.getByText(order.shows).waitFor();
        assert.doesNotMatch(await details.textContent(), /Username/);
        if (screen.name === "phone") await fits(page, `${order.slug} order live`);
        await shot(page, `zone-${order.slug}-${screen.name}-live`);

        await page.goto(`${app.server.base}/portal.html`);
        const card = page.locator("article[data-service]").filter({ hasText: domain });
        await card.getByText(order.shows).waitFor();
        assert.equal(await card.getByText("Mailboxes").count(), 0, "a zone alone has no mail");
        if (order.slug === "dns") await changeRecords(page, card);
        if (screen.name === "phone") await fits(page, `${order.slug} portal`);
        await shot(page, `zone-${order.slug}-${screen.name}-portal`);
      }
      await page.close();
    });
  }
});
