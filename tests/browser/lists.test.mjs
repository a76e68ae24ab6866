// The staff lists in Chromium, at 1280 and 390 px: the invoices list
// filtered by status, searched by number, sorted by its column header
// (aria-sort says which way), downloaded as CSV (the browser's download);
// the orders list in the address, so a reload keeps its status, order and
// search; the prospects and the client services sorted by their headers,
// narrowed, kept in the address over a reload and downloaded, at both
// widths; the client sites sorted by when made from the "Made" header,
// narrowed by status (in words) and days made, kept over a reload and
// downloaded, at both widths; and the customers list paged with "More".

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, test } from "node:test";
import { apiCustomer, fits, shot, useStorefront } from "./harness.mjs";
import { consoleApi, logInNow, visit } from "./staff.mjs";

/// A customer with `count` unpaid orders: `{ email, orders }`.
async function customerWithOrders(base, count, name) {
  const { email, call } = await apiCustomer(base, { name, prefix: "lists" });
  const orders = [];
  for (let i = 0; i < count; i++) {
    const stamp = `${Date.now()}${i}`;
    const order = await call("/api/orders", { plan_id: "web-starter", cycle: "monthly", username: `list${stamp.slice(-9)}`, generate_password: true, domain: { action: "register", name: `listed-${stamp}.com` } });
    assert.ok(order.id, JSON.stringify(order));
    orders.push(order);
  }
  return { email, orders };
}

const numbers = (page) => page.locator("#invoice-list tbody tr td:first-child").allTextContents();
const column = (page, table, n) => page.locator(`#${table} tbody tr td:nth-child(${n})`).allTextContents();
const inDays = (days) => new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);

/// The CSV the toolbar's "Download CSV" of `toolbar` gives, as lines, once its name is `list`'s.
async function downloaded(page, toolbar, list) {
  const [download] = await Promise.all([page.waitForEvent("download"), page.locator(toolbar).getByRole("link", { name: "Download CSV" }).click()]);
  assert.match(download.suggestedFilename(), new RegExp(`^${list}-\\d{4}-\\d{2}-\\d{2}\\.csv$`));
  return readFileSync(await download.path(), "utf8").split("\r\n");
}

describe("the staff lists", () => {
  const app = useStorefront({ HOSTFRONT_AUTH_PER_MINUTE: "100", HOSTFRONT_AUTH_WINDOW_LIMIT: "200", HOSTFRONT_PURCHASE_PER_MINUTE: "100", HOSTFRONT_PURCHASE_WINDOW_LIMIT: "200" }, { admin: "grace@staff.example" });
  // One login for every test: a one-time code is good once.
  let context = null;
  const loggedIn = async () => {
    if (!context) {
      context = await app.browser.newContext({ acceptDownloads: true });
      await logInNow(await context.newPage(), app.server);
    }
    return context.newPage();
  };

  for (const width of [1280, 390]) {
    test(`invoices and orders filter, sort, search and download at ${width} px`, async () => {
      const { orders } = await customerWithOrders(app.server.base, 3, `Ada ${width}`);
      const page = await loggedIn();
      await page.setViewportSize({ width, height: width < 500 ? 844 : 900 });
      await page.goto(`${app.server.base}/admin/#/dashboard`);

      await visit(page, "Invoices", "Invoices");
      const toolbar = page.locator("#invoice-toolbar");
      await toolbar.getByLabel(/^Status/).selectOption("open");
      await page.waitForURL(/#\/invoices\?status=open$/);
      const header = page.locator("#invoice-list th", { hasText: "Number" });
      assert.equal(await header.getAttribute("aria-sort"), "descending", "newest number first");
      const newest = await numbers(page);
      assert.ok(newest.length >= 3, newest.join());
      await header.getByRole("button").click();
      await page.waitForURL(/sort=oldest/);
      await page.locator("#invoice-list th[aria-sort=ascending]").waitFor();
      const oldest = await numbers(page);
      assert.deepEqual([...oldest].reverse(), newest, "the other way round");
      await shot(page, `lists-invoices-${width}`);
      if (width < 500) await fits(page, "the invoices list at 390 px");

      const number = orders[1].invoice.number;
      await toolbar.getByLabel(/^Invoice number/).fill(number);
      await toolbar.getByRole("button", { name: "Show" }).click();
      await page.waitForURL(new RegExp(`q=${number}`));
      await page.locator("#invoice-list tbody tr").first().waitFor();
      assert.deepEqual(await numbers(page), [number]);
      await page.reload();
      await page.locator("#invoice-list tbody tr").first().waitFor();
      assert.deepEqual(await numbers(page), [number], "a reload keeps the search");
      assert.equal(await page.locator("#invoice-toolbar").getByLabel(/^Invoice number/).inputValue(), number);

      const [download] = await Promise.all([page.waitForEvent("download"), page.locator("#invoice-toolbar").getByRole("link", { name: "Download CSV" }).click()]);
      assert.match(download.suggestedFilename(), /^invoices-\d{4}-\d{2}-\d{2}\.csv$/);
      const csv = readFileSync(await download.path(), "utf8").split("\r\n");
      assert.equal(csv[0], "number,issued,customer,name,kind,status,total,refunded,currency");
      assert.equal(csv.length, 3, "a header, the one invoice found, the last line's end");
      assert.ok(csv[1].startsWith(`${number},`), csv[1]);

      // The orders list keeps its status, order and search in the address.
      await visit(page, "Orders", "Orders waiting for staff");
      await page.locator("#order-queue").selectOption("awaiting_payment");
      await page.waitForURL(/#\/orders\?status=awaiting_payment$/);
      await page.locator("#order-toolbar").getByLabel(/^Order(?! id)/).selectOption("oldest");
      await page.waitForURL(/#\/orders\?status=awaiting_payment&sort=oldest$/);
      await page.locator("#order-toolbar").getByLabel(/^Order id/).fill(orders[2].id);
      await page.locator("#order-toolbar").getByRole("button", { name: "Show" }).click();
      await page.locator(`#order-list [data-order="${orders[2].id}"]`).waitFor();
      await page.reload();
      await page.locator(`#order-list [data-order="${orders[2].id}"]`).waitFor();
      assert.equal(await page.locator("#order-list [data-order]").count(), 1);
      assert.equal(await page.locator("#order-queue").inputValue(), "awaiting_payment");
      await shot(page, `lists-orders-${width}`);
      if (width < 500) await fits(page, "the orders list at 390 px");
      await page.close();
    });
  }

  for (const width of [1280, 390]) {
    test(`prospects and client services sort by header, filter and download at ${width} px`, async () => {
      const page = await loggedIn();
      await page.setViewportSize({ width, height: width < 500 ? 844 : 900 });
      await page.goto(`${app.server.base}/admin/#/dashboard`);
      const tag = `W${width}`;
      for (const name of ["Zeta", "alpha", "Mid"]) {
        const made = await consoleApi(page, "/api/admin/prospects", { business_name: `${tag} ${name}`, contact_name: "Jo", email: "jo@lead.example" });
        assert.ok(made.id, JSON.stringify(made));
        await new Promise((resolve) => setTimeout(resolve, 5)); // each captured at a millisecond of its own
      }
      const site = await consoleApi(page, "/api/admin/sites", { business_name: `${tag} Bakery`, contact_name: "Jo", contact_email: "jo@bakery.example" });
      for (const [name, days] of [["Later", 200], ["Sooner", 10]]) {
        const added = await consoleApi(page, `/api/admin/sites/${site.id}/services`, { service_type: "hosting", name: `${tag} ${name}`, period: "monthly", price: 900, currency: "EUR", expires_on: inDays(days) });
        assert.ok(added.id, JSON.stringify(added));
      }

      // The prospects whose name starts with the tag: newest first, then by name from its header.
      await visit(page, "Prospects", "Prospects");
      const prospects = page.locator("#prospect-toolbar");
      await prospects.getByLabel(/^Business name/).fill(tag);
      await prospects.getByRole("button", { name: "Show" }).click();
      await page.waitForURL(new RegExp(`#/prospects\\?q=${tag}$`));
      const business = page.locator("#prospect-table th", { hasText: "Business" });
      await business.waitFor();
      assert.equal(await page.locator("#prospect-table th", { hasText: "Captured" }).getAttribute("aria-sort"), "descending");
      assert.equal(await business.getAttribute("aria-sort"), "none");
      assert.deepEqual(await column(page, "prospect-table", 1), [`${tag} Mid`, `${tag} alpha`, `${tag} Zeta`], "newest first");
      await business.getByRole("button").click();
      await page.waitForURL(/sort=az$/);
      await page.locator("#prospect-table th[aria-sort=ascending]", { hasText: "Business" }).waitFor();
      assert.deepEqual(await column(page, "prospect-table", 1), [`${tag} alpha`, `${tag} Mid`, `${tag} Zeta`], "A to Z, case ignored");
      await page.locator("#prospect-table th", { hasText: "Business" }).getByRole("button").click();
      await page.waitForURL(/sort=za$/);
      await page.locator("#prospect-table th[aria-sort=descending]", { hasText: "Business" }).waitFor();
      await page.reload();
      await page.locator("#prospect-table th[aria-sort=descending]", { hasText: "Business" }).waitFor();
      assert.deepEqual(await column(page, "prospect-table", 1), [`${tag} Zeta`, `${tag} Mid`, `${tag} alpha`], "a reload keeps the order and the search");
      const leads = await downloaded(page, "#prospect-toolbar", "prospects");
      assert.equal(leads[0], "prospect,business,status,contact,email,phone,website,source,site,captured,captured_by,notes");
      assert.deepEqual(leads.slice(1, -1).map((line) => line.split(",")[1]), [`${tag} Zeta`, `${tag} Mid`, `${tag} alpha`]);
      await shot(page, `lists-prospects-${width}`);
      if (width < 500) await fits(page, "the prospects list at 390 px");

      // The client services named with the tag: soonest last day first, the other way from its header.
      await visit(page, "Client services", "Client services");
      const services = page.locator("#client-service-toolbar");
      await services.getByLabel(/^Name contains/).fill(tag);
      await services.getByRole("button", { name: "Show" }).click();
      await page.waitForURL(new RegExp(`#/client-services\\?q=${tag}$`));
      const lastDay = page.locator("#client-service-table th", { hasText: "Last day" });
      await lastDay.waitFor();
      assert.equal(await lastDay.getAttribute("aria-sort"), "ascending", "soonest first");
      assert.deepEqual(await column(page, "client-service-table", 1), [`${tag} Sooner`, `${tag} Later`]);
      assert.deepEqual(await column(page, "client-service-table", 3), [`${tag} Bakery`, `${tag} Bakery`], "each with its site");
      await lastDay.getByRole("button").click();
      await page.waitForURL(/sort=latest$/);
      await page.locator("#client-service-table th[aria-sort=descending]", { hasText: "Last day" }).waitFor();
      assert.deepEqual(await column(page, "client-service-table", 1), [`${tag} Later`, `${tag} Sooner`]);
      await page.locator("#client-service-toolbar").getByLabel(/Expiring within 30 days/).check();
      await page.waitForURL(/expiring_within_days=30&sort=latest$/);
      await page.reload();
      await page.locator("#client-service-table th[aria-sort=descending]", { hasText: "Last day" }).waitFor();
      assert.deepEqual(await column(page, "client-service-table", 1), [`${tag} Sooner`], "a reload keeps the filter");
      assert.ok(await page.locator("#client-service-toolbar").getByLabel(/Expiring within 30 days/).isChecked());
      const rows = await downloaded(page, "#client-service-toolbar", "client-services");
      assert.equal(rows[0], "service,site,site_name,kind,name,status,period,price,currency,last_day,auto_renew,provider,provisioned,created");
      assert.equal(rows.length, 3, "a header, the one service, the last line's end");
      assert.ok(rows[1].includes(`,${tag} Bakery,hosting,${tag} Sooner,active,monthly,9.00,EUR,${inDays(10)},`), rows[1]);
      await shot(page, `lists-client-services-${width}`);
      if (width < 500) await fits(page, "the client services list at 390 px");
      await page.close();
    });
  }

  for (const width of [1280, 390]) {
    test(`client sites sort by header, filter by status and days, and download at ${width} px`, async () => {
      const page = await loggedIn();
      await page.setViewportSize({ width, height: width < 500 ? 844 : 900 });
      await page.goto(`${app.server.base}/admin/#/dashboard`);
      const tag = `S${width}`;
      const made = {};
      for (const name of ["First", "Second", "Third"]) {
        made[name] = await consoleApi(page, "/api/admin/sites", { business_name: `${tag} ${name}`, contact_name: "Jo", contact_email: "jo@site.example" });
        assert.ok(made[name].id, JSON.stringify(made[name]));
        await new Promise((resolve) => setTimeout(resolve, 5)); // each made at a millisecond of its own
      }
      const moved = await consoleApi(page, `/api/admin/sites/${made.Second.id}/moves`, { to: "poc_ready", why: "The mock-up is ready.", v: made.Second.v });
      assert.equal(moved.status, "poc_ready", JSON.stringify(moved));
      // Other tests' sites share the list: only this test's count.
      const ours = async () => (await column(page, "site-table", 1)).filter((name) => name.startsWith(`${tag} `));

      // The drafts: newest first, then oldest first from the "Made" header, kept over a reload.
      await visit(page, "Client sites", "Client sites");
      const toolbar = page.locator("#site-toolbar");
      await toolbar.getByLabel(/^Status/).selectOption("draft");
      await page.waitForURL(/#\/sites\?status=draft$/);
      const madeHeader = page.locator("#site-table th", { hasText: "Made" });
      await madeHeader.waitFor();
      assert.equal(await madeHeader.getAttribute("aria-sort"), "descending", "newest first");
      assert.deepEqual(await ours(), [`${tag} Third`, `${tag} First`], "the drafts only");
      await madeHeader.getByRole("button").click();
      await page.waitForURL(/#\/sites\?status=draft&sort=oldest$/);
      await page.locator("#site-table th[aria-sort=ascending]", { hasText: "Made" }).waitFor();
      assert.deepEqual(await ours(), [`${tag} First`, `${tag} Third`], "oldest first");
      await page.reload();
      await page.locator("#site-table th[aria-sort=ascending]", { hasText: "Made" }).waitFor();
      assert.deepEqual(await ours(), [`${tag} First`, `${tag} Third`], "a reload keeps the status and the order");
      assert.equal(await page.locator("#site-status").inputValue(), "draft");

      // A status named in words; the order stays.
      await page.locator("#site-toolbar").getByLabel(/^Status/).selectOption({ label: "proof of concept ready" });
      await page.waitForURL(/#\/sites\?status=poc_ready&sort=oldest$/);
      await page.locator(`#site-table [data-site="${made.Second.id}"]`).waitFor();
      assert.deepEqual(await ours(), [`${tag} Second`]);
      assert.equal(await page.locator(`#site-table [data-site="${made.Second.id}"] td[data-label="Status"]`).textContent(), "proof of concept ready");
      const rows = await downloaded(page, "#site-toolbar", "sites");
      assert.equal(rows[0], "site,business,status,contact,email,phone,customer,live_domain,went_live,created");
      assert.ok(rows.slice(1, -1).every((line) => line.split(",")[2] === "poc_ready"), rows.join("\n"));
      assert.deepEqual(rows.slice(1, -1).filter((line) => line.split(",")[1].startsWith(`${tag} `)).map((line) => line.split(",")[0]), [made.Second.id], "the download is the list as filtered");

      // The days made: none up to yesterday, this one up to today.
      await page.locator("#site-toolbar").getByLabel(/^to/).fill(inDays(-1));
      await page.waitForURL(new RegExp(`to=${inDays(-1)}`));
      await page.locator("#site-list").getByText("No client sites here.").waitFor();
      await page.locator("#site-toolbar").getByLabel(/^to/).fill(inDays(0));
      await page.waitForURL(new RegExp(`to=${inDays(0)}`));
      await page.locator(`#site-table [data-site="${made.Second.id}"]`).waitFor();
      await shot(page, `lists-sites-${width}`);
      if (width < 500) await fits(page, "the client sites list at 390 px");
      await page.locator("#site-table").getByRole("link", { name: `${tag} Second` }).click();
      await page.getByRole("heading", { level: 1, name: `${tag} Second` }).waitFor();
      await page.close();
    });
  }

  test("the customers list pages with More, each once", async () => {
    const page = await loggedIn();
    await page.setViewportSize({ width: 1280, height: 900 });
    for (let i = 0; i < 3; i++) await apiCustomer(app.server.base, { name: `Paged ${i}`, prefix: "paged" });
    await page.goto(`${app.server.base}/admin/#/customers?q=paged&limit=2`);
    const names = page.locator("#customer-results tbody tr td:first-child");
    await names.nth(1).waitFor();
    assert.equal(await names.count(), 2, "a page of two");
    await page.getByRole("button", { name: "More" }).click();
    await names.nth(2).waitFor();
    const shown = await names.allTextContents();
    assert.deepEqual(shown, ["Paged 0", "Paged 1", "Paged 2"], "A to Z, each once");
    assert.ok(await page.getByRole("button", { name: "More" }).isHidden(), "no page after the last");
    await page.close();
  });
});
