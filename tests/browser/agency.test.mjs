// The agency pipeline in the staff console, in Chromium: an admin makes a
// client site, walks it from draft to live (each move asking why), adds a
// maintenance service typed in dollars, suspends the site (asked first,
// naming the service that follows it) and reactivates it; the client
// services list (the lists' toolbar) filters to the service and leads back to its site; the
// pipeline's figures count it; a site's address opens it after a reload;
// the audit log names the site by its business's name. At 390 px the
// pages fit and the question before suspending too, and a service is
// marked expired, renewed with its new last day and cancelled.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { apiCustomer, fits, shot, useStorefront } from "./harness.mjs";
import { acceptedBy, consoleApi, logIn, move, publishProof, visit } from "./staff.mjs";

const inDays = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

describe("the agency pipeline in the console", () => {
  const app = useStorefront({ HOSTFRONT_AUTH_PER_MINUTE: "100", HOSTFRONT_AUTH_WINDOW_LIMIT: "200" }, { admin: "grace@staff.example" });
  const shared = {};

  test("a client site from draft to live, its service, suspended and back", async () => {
    shared.context = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await shared.context.newPage();
    await logIn(page, app.server);
    await visit(page, "Client sites", "Client sites");
    await page.locator("#site-list").getByText("No client sites here.").waitFor();
    const form = page.locator("#site-form");
    await form.getByLabel("Business name").fill("Boulangerie du Parc");
    await form.getByLabel("Contact name").fill("Jean Müller");
    await form.getByLabel("Email").fill("jean@boulangerie-parc.example");
    await form.getByLabel("Phone").fill("+352 26 123 456");
    await form.getByLabel(/^Internal notes/).fill("Met at the market fair.");
    await form.getByRole("button", { name: "Make the draft site" }).click();
    await page.getByRole("heading", { level: 1, name: "Boulangerie du Parc" }).waitFor();
    const siteId = decodeURIComponent(new URL(page.url()).hash.replace("#/sites/", ""));
    shared.siteId = siteId;
    const site = page.locator(`#site-view [data-site="${siteId}"]`);
    const said = site.locator(`[data-note="site:${siteId}"]`);
    const status = site.locator("[data-site-status]");
    await said.getByText(/is a draft site/).waitFor();
    assert.equal(await status.textContent(), "draft");

    await move(site, "Mark proof of concept ready", "The mock-up is on the staging server.");
    await said.getByText("The proof of concept is ready to show.").waitFor();
    assert.equal(await status.textContent(), "proof of concept ready", "the status in words");
    // The proposal: one line, the design, paid once; sent from its editor.
    const editor = page.locator('#site-view [data-form="Send proposal"]');
    await editor.getByLabel("Kind of line").selectOption("website_maintenance");
    await editor.getByLabel("What it is").fill("Website design");
    await editor.getByLabel("Billed").selectOption("one_time");
    await editor.getByLabel("Price (USD)").fill("1,500.00");
    await editor.getByLabel("What it says for the prospect").fill("Five pages, online orders, 49 a month upkeep.");
    await editor.getByRole("button", { name: "Send proposal" }).click();
    await page.locator(`#site-view [data-note="pitch:${siteId}"]`).getByText("The proposal is sent to jean@boulangerie-parc.example, with its links.").waitFor();
    await site.getByText("Five pages, online orders, 49 a month upkeep.").waitFor();
    await move(site, "Record acceptance", "Jean signed today.");
    await said.getByText("Accepted: the client's account, order and services are made; the site can go live.").waitFor();
    assert.equal(await site.getByRole("button", { name: "Suspend" }).count(), 0, "only the moves its status allows");
    // Going live needs the site's customer, which the accepted proposal names, and the domain's proof.
    const customer = await apiCustomer(app.server.base, { name: "Jean Müller", prefix: "jean" });
    const { items: [found] } = await consoleApi(page, `/api/admin/customers?q=${encodeURIComponent(customer.email)}`);
    acceptedBy(app.server, siteId, found.id);
    await page.reload();
    await site.locator("[data-proof]").waitFor();
    await publishProof(app.server, "boulangerie-parc.example", await site.locator("[data-proof]").textContent());
    await move(site, "Go live", "DNS pointed.", { "The client's domain": "boulangerie-parc.example" });
    await said.getByText("Live at boulangerie-parc.example.").waitFor();
    assert.equal(await status.textContent(), "live");
    assert.ok(await said.evaluate((node) => node === document.activeElement), "what the move did takes the focus");

    // A service priced in dollars: "49.00" is 4900 cents to the API.
    const add = page.locator('#site-view [data-form="Add service"]');
    await add.getByLabel("Kind").selectOption("website_maintenance");
    await add.getByLabel("Name").fill("Monthly upkeep");
    await add.getByLabel("Price per period (USD)").fill("49.00");
    await add.getByText("That is $49.00.").waitFor();
    await add.getByLabel("Last day paid for").fill(inDays(20));
    await add.getByRole("button", { name: "Add service" }).click();
    await page.locator('#site-view [data-note="add-service"]').getByText("Monthly upkeep is in the register: $49.00 a month.").waitFor();
    const view = await consoleApi(page, `/api/admin/sites/${siteId}`);
    assert.deepEqual(view.services.map((s) => [s.name, s.price, s.currency, s.period, s.status]),
      [["Website design", 150000, "USD", "one_time", "pending"], ["Monthly upkeep", 4900, "USD", "monthly", "active"]]);
    const upkeep = page.locator("#site-view [data-client-service]").filter({ hasText: "Monthly upkeep" });
    await upkeep.getByText("in 20 days").waitFor();

    // Suspending asks first, naming the service that goes with it; keeping it changes nothing.
    await move(site, "Suspend", "The invoice is 30 days overdue.");
    const dialog = page.getByRole("dialog");
    await dialog.getByText(/Its active services \(Monthly upkeep\) are suspended with it/).waitFor();
    await shot(page, "agency-confirm-suspend");
    await dialog.getByRole("button", { name: "Keep it live" }).click();
    await dialog.waitFor({ state: "hidden" });
    assert.equal((await consoleApi(page, `/api/admin/sites/${siteId}`)).site.status, "live", "keeping it keeps it live");
    await site.locator('form[data-move="Suspend"]').getByRole("button", { name: "Suspend" }).click();
    await dialog.getByRole("button", { name: "Suspend the site" }).click();
    await said.getByText("Suspended. Monthly upkeep: active → suspended.").waitFor();
    await page.locator('#site-view [data-client-service][data-status="suspended"]').waitFor();
    assert.equal(await status.textContent(), "suspended");
    await shot(page, "agency-site");

    await move(site, "Reactivate", "Paid in full.");
    await said.getByText("Reactivated: the site is live again. Monthly upkeep: suspended → active.").waitFor();
    await page.locator('#site-view [data-client-service][data-status="active"]').waitFor();

    // The audit log names the site by its business's name.
    await page.getByRole("link", { name: "Its audit log" }).click();
    await page.locator("#audit-table .sentence").getByText(/^Grace Hopper \(admin\) put the site Boulangerie du Parc live: accepted → live, because DNS pointed\.$/).waitFor();
    await page.close();
  });

  test("the client services list filters to the service and leads to its site; the figures count it", async () => {
    const page = await shared.context.newPage();
    await page.goto(`${app.server.base}/admin/`);
    await visit(page, "Client services", "Client services");
    const toolbar = page.locator("#client-service-toolbar");
    const rows = page.locator("#client-service-list [data-client-service]");
    await rows.first().waitFor();
    await toolbar.getByLabel(/^Kind/).selectOption("domain");
    await page.waitForURL(/#\/client-services\?kind=domain$/);
    await page.locator("#client-service-list").getByText("No client services here.").waitFor();
    await toolbar.getByLabel(/^Kind/).selectOption("website_maintenance");
    await page.waitForURL(/#\/client-services\?kind=website_maintenance$/);
    await toolbar.getByLabel(/^Status/).selectOption("active");
    await page.waitForURL(/#\/client-services\?status=active&kind=website_maintenance$/);
    await toolbar.getByLabel(/Expiring within 30 days/).check();
    await page.waitForURL(/#\/client-services\?status=active&kind=website_maintenance&expiring_within_days=30$/);
    await rows.getByText("Monthly upkeep").waitFor();
    assert.equal(await rows.count(), 1);
    await rows.getByText("$49.00 a month").waitFor();
    await shot(page, "agency-client-services");
    await rows.getByRole("link", { name: "Boulangerie du Parc" }).click();
    await page.getByRole("heading", { level: 1, name: "Boulangerie du Parc" }).waitFor();

    await visit(page, "Client sites", "Client sites");
    const figure = (term) => page.locator(`#pipeline-figures dt:text-is("${term}") + dd`);
    await figure("Live").getByText("1").waitFor();
    assert.equal(await figure("Client sites").textContent(), "1");
    assert.equal(await figure("Active services").textContent(), "1");
    assert.equal(await figure("Monthly revenue").textContent(), "$49.00");
    assert.equal(await figure("Renewals in 30 days").textContent(), "1");
    assert.equal(await figure("By status").textContent(), "1 live");
    await page.locator("#site-status").selectOption("draft");
    await page.waitForURL(/#\/sites\?status=draft$/);
    await page.locator("#site-list").getByText("No client sites here.").waitFor();
    await page.locator("#site-status").selectOption("live");
    await page.locator("#site-list").getByRole("link", { name: "Boulangerie du Parc" }).waitFor();
    await shot(page, "agency-sites");

    // A site's address opens it, after a reload too.
    await page.goto(`${app.server.base}/admin/#/sites/${shared.siteId}`);
    await page.getByRole("heading", { level: 1, name: "Boulangerie du Parc" }).waitFor();
    await page.reload();
    await page.getByRole("heading", { level: 1, name: "Boulangerie du Parc" }).waitFor();
    await page.locator("#site-view [data-client-service]").getByText("Monthly upkeep", { exact: true }).waitFor();
    assert.equal(await page.locator("#console-nav [aria-current=page]").textContent(), "Client sites");
    await page.close();
  });

  test("390 pixels wide: the sites, a site's page and the question before suspending fit", async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    await context.addCookies(await shared.context.cookies());
    const page = await context.newPage();
    await page.goto(`${app.server.base}/admin/`);
    await page.getByRole("heading", { level: 1, name: "Today" }).waitFor();
    await visit(page, "Client sites", "Client sites");
    await page.locator("#site-list [data-site]").waitFor();
    await fits(page, "the client sites");
    await shot(page, "phone-agency-sites");
    await page.locator("#site-list").getByRole("link", { name: "Boulangerie du Parc" }).click();
    await page.getByRole("heading", { level: 1, name: "Boulangerie du Parc" }).waitFor();
    await fits(page, "a client site");
    await shot(page, "phone-agency-site");
    const site = page.locator(`#site-view [data-site="${shared.siteId}"]`);
    await move(site, "Suspend", "Overdue again.");
    const dialog = page.getByRole("dialog");
    await dialog.getByText(/Its active services \(Monthly upkeep\)/).waitFor();
    await fits(page, "the question before suspending");
    await shot(page, "phone-agency-confirm");
    await dialog.getByRole("button", { name: "Keep it live" }).click();

    // A service's own moves: expired, renewed with its new last day, then cancelled (asked first).
    const upkeep = page.locator("#site-view [data-client-service]").filter({ hasText: "Monthly upkeep" });
    const said = upkeep.locator("[data-note]");
    await move(upkeep, "Mark expired", "Not paid.");
    await said.getByText("Monthly upkeep: Expired: renew it with its new last day.").waitFor();
    await move(upkeep, "Renew", "Paid for a year.", { "New last day": inDays(365) });
    await said.getByText(/^Monthly upkeep: Renewed\. Its last day is .+ \(in 365 days\)\.$/).waitFor();
    const services = (await consoleApi(page, `/api/admin/sites/${shared.siteId}`)).services;
    assert.equal(services.find((s) => s.name === "Monthly upkeep").expires_on, inDays(365));
    await move(upkeep, "Cancel the service", "The client moves to another agency.");
    await dialog.getByText(/\$49\.00 a month\) leaves the register's active services for good/).waitFor();
    await dialog.getByRole("button", { name: "Cancel the service" }).click();
    await page.locator('#site-view [data-client-service][data-status="cancelled"]').waitFor();
    assert.equal(await upkeep.getByRole("button").count(), 0, "a cancelled service has no moves");
    await fits(page, "a client site after its service's moves");
    await visit(page, "Client services", "Client services");
    await page.locator("#client-service-list [data-client-service]").first().waitFor();
    await fits(page, "the client services");
    await context.close();
  });

  test("more than a page of sites: \"More\" shows the next", async () => {
    const page = await shared.context.newPage();
    await page.goto(`${app.server.base}/admin/`);
    const made = await page.evaluate(async () => {
      let ok = 0;
      for (let i = 1; i <= 50; i++) {
        const response = await fetch("/api/admin/sites", {
          method: "POST",
          headers: { "content-type": "application/json", "x-hostfront-console": "1" },
          body: JSON.stringify({ business_name: `Prospect ${i}`, contact_name: "A. Prospect", contact_email: `p${i}@prospect.example` }),
        });
        if (response.status === 201) ok += 1;
      }
      return ok;
    });
    assert.equal(made, 50);
    await visit(page, "Client sites", "Client sites");
    const sites = page.locator("#site-list [data-site]");
    await sites.first().waitFor();
    assert.equal(await sites.count(), 50, "a page is 50, newest first");
    assert.equal(await sites.first().getByRole("link").textContent(), "Prospect 50");
    await page.getByRole("button", { name: "More" }).click();
    await page.locator("#site-list").getByRole("link", { name: "Boulangerie du Parc" }).waitFor();
    assert.equal(await sites.count(), 51);
    assert.equal(await page.getByRole("button", { name: "More" }).count(), 0, "the last page has no more");
    await page.close();
  });
});
