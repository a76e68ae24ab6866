// A client site's pitch, from the staff console to the prospect's portal,
// in Chromium: staff make the draft's preview site and its link, mark it
// ready and send a priced proposal (a plan, a domain, upkeep); the
// prospect opens the preview and the proposal from the mail (the
// development mailbox), accepts, follows the welcome mail to set a
// password, logs in and pays the order; staff take the site live under the
// domain it registered, which starts the proposal's monthly upkeep; the
// billing run, run from the console, invoices it and the customer finds
// the invoice in the portal and pays it. At 390 px the proposal, the ended preview,
// the portal's invoice and the console's live site fit.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fillCard, fits, shot, useStorefront } from "./harness.mjs";
import { consoleApi, customerPage, logIn, move, visit } from "./staff.mjs";

/// The link after `marker` in the newest mail of `kind` to `email`.
async function mailedLink(base, email, kind, marker) {
  for (let i = 0; i < 50; i++) {
    const mails = await (await fetch(`${base}/api/outbox`)).json();
    const mail = mails.find((m) => m.to === email && m.kind === kind);
    const link = mail?.text.match(new RegExp(`https?://\\S+${marker}\\S+`));
    if (link) return link[0];
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no ${kind} mail to ${email} with ${marker}`);
}

const email = "jean@parc.example";
const domain = `parc-${Date.now()}.com`;

describe("a proposal, made by staff and accepted by the prospect", () => {
  const app = useStorefront({ HOSTFRONT_AUTH_PER_MINUTE: "100", HOSTFRONT_AUTH_WINDOW_LIMIT: "200" }, { admin: "grace@staff.example" });
  const shared = {};

  test("staff make the preview and send the proposal", async () => {
    shared.context = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await shared.context.newPage();
    await logIn(page, app.server);
    await visit(page, "Client sites", "Client sites");
    const form = page.locator("#site-form");
    await form.getByLabel("Business name").fill("Boulangerie du Parc");
    await form.getByLabel("Contact name").fill("Jean Müller");
    await form.getByLabel("Email").fill(email);
    await form.getByRole("button", { name: "Make the draft site" }).click();
    await page.getByRole("heading", { level: 1, name: "Boulangerie du Parc" }).waitFor();
    const siteId = decodeURIComponent(new URL(page.url()).hash.replace("#/sites/", ""));
    shared.siteId = siteId;
    const pitch = page.locator(`#site-view [data-pitch="${siteId}"]`);
    const said = pitch.locator(`[data-note="pitch:${siteId}"]`);

    await pitch.getByRole("button", { name: "Make the preview site" }).click();
    await said.getByText(/^The preview site is made: boulangerie-du-parc-.+\.preview\.example\.net\.$/).waitFor();
    const site = page.locator(`#site-view [data-site="${siteId}"]`);
    await site.getByRole("button", { name: "Mark proof of concept ready", exact: true }).click();
    await site.locator('form[data-move="Mark proof of concept ready"]').getByLabel(/^Why/).fill("The mock-up is ready.");
    await site.locator('form[data-move="Mark proof of concept ready"]').getByRole("button").click();
    await site.getByText("The proof of concept is ready to show.").waitFor();
    await pitch.getByRole("button", { name: "Make the preview link" }).click();
    const link = page.locator("[data-preview-link]");
    await link.waitFor();
    assert.match(await link.inputValue(), /\/preview\.html#[A-Za-z0-9_-]{43}$/, "the token is in the fragment");

    const editor = page.locator('#site-view [data-form="Send proposal"]');
    await editor.getByLabel("Plan").selectOption("web-starter");
    await editor.getByRole("button", { name: "Add a line" }).click();
    const second = editor.locator("[data-proposal-line]").nth(1);
    await second.getByLabel("Kind of line").selectOption("domain");
    await second.getByLabel("Domain").fill(domain);
    await editor.getByRole("button", { name: "Add a line" }).click();
    const third = editor.locator("[data-proposal-line]").nth(2);
    await third.getByLabel("Kind of line").selectOption("website_maintenance");
    await third.getByLabel("What it is").fill("Monthly upkeep");
    await third.getByLabel("Price (USD)").fill("49.00");
    await editor.getByLabel("What it says for the prospect").fill("Five pages and online orders.");
    await shot(page, "pitch-editor");
    await editor.getByRole("button", { name: "Send proposal" }).click();
    await said.getByText(`The proposal is sent to ${email}, with its links.`).waitFor();
    await pitch.locator("[data-prospect]").getByText("not opened yet").waitFor();
    await shot(page, "pitch-sent");
    await page.close();
  });

  test("the prospect sees the preview and the proposal, accepts, sets a password and sees the order", async () => {
    const context = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    shared.previewLink = await mailedLink(app.server.base, email, "proposal", "/preview.html#");
    shared.proposalLink = await mailedLink(app.server.base, email, "proposal", "/proposal.html#");
    await page.goto(shared.previewLink);
    await page.locator("#preview-banner").getByText("Preview of the website we are building for Boulangerie du Parc").waitFor();
    assert.equal(new URL(page.url()).hash, "", "the token leaves the address at once");
    assert.match(await page.locator("#preview-frame").getAttribute("src"), /^\/simulated-panel\/sites\/pv[a-z0-9]+$/);
    // The simulated panel's web server shows the preview account's site.
    const framed = page.frameLocator("#preview-frame");
    await framed.getByRole("heading", { level: 1, name: /^boulangerie-du-parc-.+\.preview\.example\.net$/ }).waitFor();
    await shot(page, "preview");

    await page.goto(shared.proposalLink);
    await page.getByRole("heading", { level: 1, name: "Our proposal for Boulangerie du Parc" }).waitFor();
    await page.locator("#proposal-lines").getByText("Web Starter").waitFor();
    await page.locator("#proposal-lines").getByText(domain).waitFor();
    await page.getByText("What happens next: check your email to set your password, then pay in your portal.").waitFor();
    await shot(page, "proposal");
    await page.getByRole("button", { name: "Accept the proposal" }).click();
    await page.locator("#proposal-message").getByText(/Check your email: follow the link in it to set your password/).waitFor();
    await shot(page, "proposal-accepted");

    await page.goto(await mailedLink(app.server.base, email, "proposal_accepted", "#token="));
    const reset = page.locator("#reset-form");
    await reset.getByLabel("New password").fill("correct horse battery");
    await reset.getByRole("button", { name: "Set password" }).click();
    await page.locator("#reset-done").waitFor();
    const portal = await customerPage(app.browser, app.server.base, email);
    await portal.goto(`${app.server.base}/account.html`);
    await portal.locator("#order-list").getByText(`${domain} · Web Starter`).waitFor();
    await portal.locator("#order-list").getByText(/awaiting payment/).waitFor();
    await shot(portal, "proposal-order-in-portal");
    shared.portal = portal;
    await context.close();
  });

  test("the customer pays, staff take the site live, and its upkeep is invoiced and paid", async () => {
    const portal = shared.portal;
    await portal.locator("#order-list").getByRole("link", { name: `${domain} · Web Starter` }).click();
    const pay = portal.locator("#pay-form");
    await fillCard(pay, "4242 4242 4242 4242");
    await pay.getByRole("button", { name: "Pay" }).click();
    await portal.locator('#order[data-status="active"]').waitFor({ timeout: 30000 });

    const page = await shared.context.newPage();
    await page.goto(`${app.server.base}/admin/#/sites/${shared.siteId}`);
    const site = page.locator(`#site-view [data-site="${shared.siteId}"]`);
    await move(site, "Go live", "Paid, and the domain is registered.", { "The client's domain": domain });
    await site.locator(`[data-note="site:${shared.siteId}"]`).getByText(`Live at ${domain}.`).waitFor();
    // The monthly upkeep the proposal priced starts with the live site.
    const upkeep = page.locator("#site-view [data-client-service]").filter({ hasText: "Monthly upkeep" });
    await page.locator('#site-view [data-client-service][data-status="active"]').filter({ hasText: "Monthly upkeep" }).waitFor();
    assert.match(await upkeep.textContent(), /Renews by itselfyes/);
    // What the paid order provides is active; the proposal's domain line now
    // follows the domain's own record, once.
    await page.locator('#site-view [data-client-service][data-status="active"]').filter({ hasText: "Web Starter" }).waitFor();
    const domainLines = page.locator("#site-view [data-client-service]").filter({ has: page.getByRole("heading", { name: domain, exact: true }) });
    assert.equal(await domainLines.count(), 1, "one line for the domain");
    assert.match(await domainLines.textContent(), /Statusactive/);
    await shot(page, "pipeline-live");

    await visit(page, "Tasks", "Scheduled tasks");
    await page.locator("#task-form").getByLabel("Run now").selectOption("run-billing");
    await page.locator("#task-form").getByRole("button", { name: "Run" }).click();
    await page.locator("#task-outcome").getByText(/client services: invoiced 1,/).waitFor();
    await page.close();

    await portal.goto(`${app.server.base}/portal.html#invoices`);
    const bill = portal.locator("#invoices tbody tr").filter({ hasText: "Monthly upkeep" });
    await bill.waitFor();
    assert.match(await bill.textContent(), /\$49\.00[\s\S]*open/, "the upkeep's first month, open");
    await shot(portal, "pipeline-upkeep-invoiced");
    const number = await bill.getAttribute("data-invoice");
    await bill.getByRole("button", { name: "Pay now" }).click();
    const form = portal.locator(`#invoices tr[data-pays="${number}"] form.pay-invoice`);
    await fillCard(form, "4242 4242 4242 4242");
    await form.getByRole("button", { name: /^Pay / }).click();
    await portal.locator("#invoice-message").getByText(`Invoice ${number} is paid. Thank you.`).waitFor();
    await bill.locator(".invoice-status").getByText(/^paid/).waitFor();
  });

  test("390 pixels wide: the proposal, the ended preview, the upkeep's invoice and the console's pitch fit", async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await context.newPage();
    await page.goto(shared.proposalLink);
    await page.locator("#accepted").getByText(/You accepted this proposal/).waitFor();
    await fits(page, "the accepted proposal");
    await shot(page, "phone-proposal");
    await page.goto(shared.previewLink);
    await page.getByRole("heading", { level: 1, name: "This preview has ended" }).waitFor();
    await fits(page, "the ended preview");
    await shot(page, "phone-preview-ended");

    const portal = await customerPage(app.browser, app.server.base, email, { width: 390, height: 844 });
    await portal.goto(`${app.server.base}/portal.html#invoices`);
    await portal.locator("#invoices tbody tr").filter({ hasText: "Monthly upkeep" }).waitFor();
    await fits(portal, "the portal's invoices with the upkeep's");
    await shot(portal, "phone-pipeline-upkeep-invoiced");

    await context.addCookies(await shared.context.cookies());
    await page.goto(`${app.server.base}/admin/#/sites/${shared.siteId}`);
    const pitch = page.locator(`#site-view [data-pitch="${shared.siteId}"]`);
    await pitch.locator("[data-prospect]").getByText(/online/).waitFor();
    const view = await consoleApi(page, `/api/admin/sites/${shared.siteId}`);
    assert.equal(view.site.status, "live");
    assert.ok(view.site.pitch.viewed_at && view.site.pitch.order_id, "staff see it viewed, and its order");
    await fits(page, "the accepted site's pitch");
    await shot(page, "phone-pitch");
    await context.close();
  });
});
