// The agency pipeline from a prospect to a live site, in Chromium: an admin
// captures a prospect, qualifies it, makes its draft site ("Create a site
// from it", which opens the same site when asked again), walks the site to
// an accepted proposal (the prospect shows converted), and takes it live
// under a domain registered elsewhere: refused until the domain's DNS holds
// the TXT record the site's page shows, then live; a domain service of its
// register is linked to the customer's own domain and leads to their file.
// At 390 px the prospects, a prospect and the site fit.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { customerWithLiveDomain, fits, shot, useStorefront } from "./harness.mjs";
import { acceptedBy, consoleApi, logIn, move, publishProof, visit } from "./staff.mjs";

describe("from a prospect to a live site in the console", () => {
  const app = useStorefront({ HOSTFRONT_AUTH_PER_MINUTE: "100", HOSTFRONT_AUTH_WINDOW_LIMIT: "200" }, { admin: "grace@staff.example" });
  const shared = {};

  test("a prospect becomes a site, converts on acceptance, and the site goes live with its proof", async () => {
    shared.context = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await shared.context.newPage();
    await logIn(page, app.server);
    await visit(page, "Prospects", "Prospects");
    await page.locator("#prospect-list").getByText("No prospects here.").waitFor();
    const form = page.locator("#prospect-form");
    await form.getByLabel("Business name").fill("Fleurs Schmit");
    await form.getByLabel("Contact name").fill("Marie Schmit");
    await form.getByLabel("Email").fill("marie@fleurs-schmit.example");
    await form.getByLabel("Current website or domain").fill("fleurs-schmit.example");
    await form.getByLabel("Source").fill("trade fair");
    await form.getByRole("button", { name: "Capture the prospect" }).click();
    await page.getByRole("heading", { level: 1, name: "Fleurs Schmit" }).waitFor();
    const prospect = page.locator("#prospect-view [data-prospect]");
    await move(prospect, "Qualify", "Wants a shop before spring.");
    await prospect.locator("[data-note]").getByText("Qualified: worth a proof of concept.").waitFor();
    assert.equal(await prospect.locator("[data-prospect-status]").textContent(), "qualified");
    await shot(page, "agency-prospect");

    await prospect.getByRole("button", { name: "Create a site from it" }).click();
    await page.getByRole("heading", { level: 1, name: "Fleurs Schmit" }).waitFor();
    await page.waitForURL(/#\/sites\//);
    const siteId = decodeURIComponent(new URL(page.url()).hash.replace("#/sites/", ""));
    shared.siteId = siteId;
    const site = page.locator(`#site-view [data-site="${siteId}"]`);
    const said = site.locator(`[data-note="site:${siteId}"]`);
    await said.getByText(/draft site made from its prospect/).waitFor();
    await site.getByText("marie@fleurs-schmit.example").waitFor();
    await move(site, "Mark proof of concept ready", "Mock-up done.");
    await said.getByText("The proof of concept is ready to show.").waitFor();
    const editor = page.locator('#site-view [data-form="Send proposal"]');
    await editor.getByLabel("Kind of line").selectOption("website_maintenance");
    await editor.getByLabel("What it is").fill("A shop of bouquets");
    await editor.getByLabel("Billed").selectOption("one_time");
    await editor.getByLabel("Price (USD)").fill("900.00");
    await editor.getByRole("button", { name: "Send proposal" }).click();
    await page.locator(`#site-view [data-note="pitch:${siteId}"]`).getByText("The proposal is sent to marie@fleurs-schmit.example, with its links.").waitFor();
    await move(site, "Record acceptance", "Signed.");
    await said.getByText("Accepted: the client's account, order and services are made; the site can go live.").waitFor();

    // Back to the prospect: converted, and its button opens the site made.
    await site.getByRole("link", { name: "The prospect it was made from" }).click();
    await prospect.locator("[data-prospect-status]").getByText("converted").waitFor();
    await prospect.getByRole("link", { name: "Open its site" }).click();
    await page.waitForURL(new RegExp(`#/sites/${siteId}$`));

    // The customer holds another domain with us, registered through an order.
    const email = `marie${Date.now()}@example.com`;
    const held = `fleurs${Date.now()}.com`;
    const customerPage = await app.browser.newPage();
    await customerWithLiveDomain(customerPage, app.server.base, { email, domain: held, username: `fleurs${Date.now() % 100000}`, password: "correct horse battery staple" });
    await customerPage.close();
    const { items: [found] } = await consoleApi(page, `/api/admin/customers?q=${encodeURIComponent(email)}`);
    acceptedBy(app.server, siteId, found.id);
    await page.reload();
    const proof = site.locator("[data-proof]");
    await proof.waitFor();
    const value = await proof.textContent();
    await move(site, "Go live", "DNS pointed.", { "The client's domain": "fleurs-schmit.example" });
    await said.getByText(/does not prove it is theirs: publish a TXT record _hostfront-verify\.fleurs-schmit\.example/).waitFor();
    await shot(page, "agency-going-live-refused");
    assert.equal((await consoleApi(page, `/api/admin/sites/${siteId}`)).site.status, "accepted", "refused, it stays accepted");

    await publishProof(app.server, "fleurs-schmit.example", value);
    await site.locator('form[data-move="Go live"]').getByRole("button", { name: "Go live" }).click();
    await said.getByText("Live at fleurs-schmit.example.").waitFor();
    assert.equal(await site.locator("[data-site-status]").textContent(), "live");
    await shot(page, "agency-live-with-proof");

    // A domain service tracked in the register, linked to the customer's own domain record.
    const add = page.locator('#site-view [data-form="Add service"]');
    await add.getByLabel("Kind").selectOption("domain");
    await add.getByLabel("Name").fill(held);
    await add.getByLabel("Price per period (USD)").fill("12.00");
    await add.getByLabel("Last day paid for").fill(new Date(Date.now() + 200 * 86400000).toISOString().slice(0, 10));
    await add.getByRole("button", { name: "Add service" }).click();
    const entry = page.locator("#site-view [data-client-service]").filter({ hasText: held });
    await entry.getByRole("button", { name: "Link to a record" }).waitFor();
    await entry.getByRole("button", { name: "Link to a record" }).click();
    const linking = entry.locator('form[data-move="Link to a record"]');
    await linking.getByLabel("Its record").selectOption({ label: `the domain ${held}` });
    await linking.getByLabel(/^Why/).fill("Registered through our order.");
    await linking.getByRole("button", { name: "Link to a record" }).click();
    await entry.locator("[data-note]").getByText(`${held} now follows the domain ${held}: its own billing bills it.`).waitFor();
    const record = entry.getByRole("link", { name: `the domain ${held} (its status and last day)` });
    assert.equal(await record.getAttribute("href"), `#/customers/${found.id}`);
    assert.equal(await entry.getByRole("button", { name: "Link to a record" }).count(), 0, "linked once");
    await shot(page, "agency-linked-service");
    await page.close();
  });

  test("390 pixels wide: the prospects, a prospect and a site fit", async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await context.addCookies(await shared.context.cookies());
    const page = await context.newPage();
    await page.goto(`${app.server.base}/admin/`);
    await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();
    await visit(page, "Prospects", "Prospects");
    await page.locator("#prospect-list [data-prospect]").waitFor();
    await fits(page, "the prospects");
    await shot(page, "phone-agency-prospects");
    await page.locator("#prospect-status").selectOption("lost");
    await page.waitForURL(/#\/prospects\?status=lost$/);
    await page.locator("#prospect-list").getByText("No prospects here.").waitFor();
    await page.locator("#prospect-status").selectOption("converted");
    await page.locator("#prospect-list").getByRole("link", { name: "Fleurs Schmit" }).click();
    await page.getByRole("heading", { level: 1, name: "Fleurs Schmit" }).waitFor();
    await fits(page, "a prospect");
    await shot(page, "phone-agency-prospect");
    await page.getByRole("link", { name: "Open its site" }).click();
    await page.locator(`#site-view [data-site="${shared.siteId}"]`).waitFor();
    await fits(page, "a live site made from a prospect");
    await shot(page, "phone-agency-live-site");
    await context.close();
  });
});
