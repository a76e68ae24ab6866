// Each kind of plan ordered in Chromium, on a desktop and then on a phone
// (a VPS and a dedicated server with their operating system and SSH key, a
// managed server with no root key, the order saying when the installation
// will be done):
// the order's page shows the kind's own steps as they run, and once live
// the logins that kind has (webmail for email hosting, the reseller
// interface for a reseller), which the portal's service card and the
// welcome mail show too.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fillCard, fits, shot, signUp, useStorefront } from "./harness.mjs";

const KINDS = [
  { plan: "mail-basic", slug: "email", steps: 5, login: "Webmail", absent: "Site admin" },
  { plan: "reseller-20", slug: "reseller", steps: 6, login: "Reseller interface", absent: null },
  { plan: "vps-2", slug: "vps", steps: 4, login: "SSH", absent: "Control panel", server: true },
  { plan: "dedicated-e3", slug: "dedicated", steps: 5, login: "SSH", absent: "Control panel", server: true, installs: true },
  { plan: "managed-e3", slug: "managed", steps: 5, login: "Your server", absent: "ssh root", server: true, installs: true, managed: true },
];

/// An OpenSSH public key line (an Ed25519 key of bytes 0 to 31).
const SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f ada@laptop";

const SCREENS = [
  { name: "desktop", width: 1280, height: 900 },
  { name: "phone", width: 390, height: 844 },
];

/// Orders `kind` for the free subdomain `label` and pays it; waits until live.
async function orderLive(page, base, kind, label) {
  await page.goto(`${base}/order.html`);
  const form = page.locator("#order-form");
  await form.locator("#plan option").first().waitFor({ state: "attached" });
  await form.getByLabel("Plan").selectOption(kind.plan);
  const server = page.locator("#server-fields");
  assert.equal(await server.isVisible(), Boolean(kind.server), "the server's fields only for a server");
  if (kind.server) {
    await server.getByLabel("Operating system").locator("option").first().waitFor({ state: "attached" });
    assert.equal(await server.getByLabel(/SSH public key/).isVisible(), !kind.managed, "no root key for a managed server");
    if (kind.managed) await server.getByText("Our team runs a managed server").waitFor();
    else await server.getByLabel(/SSH public key/).fill(SSH_KEY);
  }
  await form.getByLabel("A free subdomain").check();
  await form.getByLabel(/Subdomain name/).fill(label);
  await page.locator("#username").fill(label.slice(0, 16));
  await form.getByRole("button", { name: "Generate" }).click();
  await form.getByRole("button", { name: "Place order" }).click();
  await page.waitForURL(/\/order\.html\?id=/);
  const pay = page.locator("#pay-form");
  await fillCard(pay, "4242 4242 4242 4242");
  await pay.getByRole("button", { name: "Pay" }).click();
  if (kind.installs) {
    // The installation takes the pool's time, and the order says until when.
    await page.locator("#steps").getByText(/expected ready by \d{4}-\d\d-\d\d \d\d:\d\d UTC/).waitFor({ timeout: 15000 });
    await shot(page, `kind-${kind.slug}-installing-${page.viewportSize().width}`);
  }
  const live = page.locator('#order[data-status="active"]');
  await live.waitFor({ timeout: 20000 }).catch(async (error) => {
    throw new Error(`${await page.locator("#order").getAttribute("data-status")}: ${await page.locator("#order-status").textContent()} ${await page.locator("#order-message").textContent()} ${error.message}`);
  });
}

describe("every kind of plan, ordered", () => {
  // Ten orders a minute from one address: more than the purchase limit's
  // burst; a machine's installation takes six seconds.
  const app = useStorefront({ HOSTFRONT_SIM_PANEL_LATENCY_MS: "0", HOSTFRONT_PURCHASE_PER_MINUTE: "60", HOSTFRONT_SIM_MACHINE_INSTALL_SECONDS: "6" });

  for (const kind of KINDS) {
    test(`${kind.plan} at 1280 and at 390 pixels: its own steps, then its own logins`, async () => {
      const page = await app.browser.newPage();
      await page.goto(`${app.server.base}/account.html?next=/order.html`);
      await signUp(page, app.server.base, { name: "Kind Tester", email: `${kind.slug}@example.com`, country: "GB" });
      await page.waitForURL(/\/order\.html$/);
      for (const screen of SCREENS) {
        await page.setViewportSize({ width: screen.width, height: screen.height });
        const label = `${kind.slug}${screen.name}`;
        await orderLive(page, app.server.base, kind, label);
        assert.equal(await page.locator("#steps .step.done").count(), kind.steps, "the kind's own steps, all done");
        const details = page.locator("#service-details");
        await details.getByText(kind.server ? "Log in" : kind.login).waitFor();
        if (!kind.server) assert.match(await details.textContent(), /https:\/\/[a-z0-9.-]+:(2096|2087)\//);
        else if (!kind.managed) assert.match(await details.textContent(), /ssh root@\d+\.\d+\.\d+\.\d+/);
        else await details.getByText("Run by our team").waitFor();
        if (screen.name === "phone") await fits(page, `${kind.slug} order live`);
        await shot(page, `kind-${kind.slug}-${screen.name}-live`);

        await page.goto(`${app.server.base}/portal.html`);
        const card = page.locator("article[data-service]").filter({ hasText: label });
        await card.getByText(kind.server ? "Log in" : kind.login).waitFor();
        if (kind.server) assert.equal(await card.getByText("Mailboxes").count(), 0, "a server's mail is set up on it");
        if (kind.slug === "email") {
          assert.equal(await card.getByText("Other sites").count(), 0, "mail only: no other sites");
        }
        if (screen.name === "phone") await fits(page, `${kind.slug} portal`);
        await shot(page, `kind-${kind.slug}-${screen.name}-portal`);

        await page.goto(`${app.server.base}/outbox.html`);
        const welcome = page.locator('.mail[data-kind="account_ready"]').filter({ hasText: `${label}.` }).locator("pre");
        await welcome.waitFor();
        const loginLine = kind.managed ? "" : kind.server ? "ssh root@" : "https://";
        assert.match(await welcome.textContent(), new RegExp(`${kind.login}: ${loginLine}`));
        if (kind.absent) assert.doesNotMatch(await welcome.textContent(), new RegExp(kind.absent));
      }
      await page.close();
    });
  }
});
