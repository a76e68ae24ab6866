// The reports' charts in Chromium, at 1280 and 390 px: after two orders go
// live, each of the five charts (orders each day, monthly recurring
// revenue, revenue, renewals due, churn) is drawn, with its figures in the
// table behind it as the API gives them; "Show as table" shows the table;
// the charts follow the screen's width; axe finds nothing grave and the
// pages' CSP refuses nothing the charts do.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fits, shot, useStorefront } from "./harness.mjs";
import { consoleApi, logIn, paidOrder, visit, waitForStatus } from "./staff.mjs";

const CHARTS = ["orders-by-day", "recurring-revenue", "revenue", "renewals-due", "churn"];

/// Collects what the page's CSP refused and the errors it logged.
async function watched(context) {
  const refused = [];
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      (window.refusedByPolicy ??= []).push(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  const page = await context.newPage();
  // The console asks who is logged in before the login: that 401 is expected.
  page.on("console", (message) => {
    if (message.type() === "error" && !/status of 401/.test(message.text())) refused.push(message.text());
  });
  page.on("pageerror", (error) => refused.push(error.message));
  return { page, refused };
}

async function noneRefused(page, refused) {
  refused.push(...(await page.evaluate(() => window.refusedByPolicy ?? [])));
  assert.deepEqual(refused, [], "no CSP violation and no error in the console");
}

/// The cells of the table behind the chart `id`: a row of texts per row.
function table(page, id) {
  return page.locator(`[data-chart="${id}"] tbody tr`).evaluateAll((rows) => rows.map((row) => [...row.children].map((cell) => cell.textContent)));
}

/// `minor` units of `currency` as the page writes money.
function money(page, minor, currency) {
  return page.evaluate(([minor, currency]) => new Intl.NumberFormat(undefined, { style: "currency", currency, minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(minor / 100), [minor, currency]);
}

async function chartsDrawn(page) {
  for (const id of CHARTS) await page.locator(`[data-chart="${id}"] canvas`).first().waitFor();
}

describe("the reports' charts", () => {
  const app = useStorefront({ HOSTFRONT_SIM_PANEL_LATENCY_MS: "0", HOSTFRONT_AUTH_PER_MINUTE: "100", HOSTFRONT_AUTH_WINDOW_LIMIT: "200" }, { admin: "grace@staff.example" });
  const shared = {};

  test("at 1280 px each chart's table holds the figures", async () => {
    const orders = [await paidOrder(app.server.base, "AT"), await paidOrder(app.server.base, "AT")];
    shared.context = await app.browser.newContext({ viewport: { width: 1280, height: 900 } });
    const { page, refused } = await watched(shared.context);
    await logIn(page, app.server);
    for (const order of orders) await waitForStatus(page, order.id, "active");
    await page.locator("#orders-chart canvas").first().waitFor();
    await visit(page, "Reports", "Reports");
    await chartsDrawn(page);
    const figures = await consoleApi(page, "/api/admin/reports/charts?months=12");
    const dashboard = await consoleApi(page, "/api/admin/dashboard");

    const days = await table(page, "orders-by-day");
    assert.equal(days.length, 30);
    assert.equal(days[29][1], "2", "today's two orders");
    const recurring = await table(page, "recurring-revenue");
    assert.equal(recurring.length, 12);
    assert.deepEqual(recurring[11].slice(1), [await money(page, dashboard.monthly_recurring_revenue.USD, "USD")], "now, as the dashboard says");
    assert.ok(dashboard.monthly_recurring_revenue.USD > 0);
    const revenue = await table(page, "revenue");
    const thisMonth = figures.revenue[11].amounts.USD;
    assert.ok(thisMonth > 0, JSON.stringify(figures.revenue));
    assert.equal(revenue[11][1], await money(page, thisMonth, "USD"));
    const renewals = await table(page, "renewals-due");
    assert.deepEqual(renewals.map((row) => row[0]), ["0–30", "31–60", "61–90"]);
    assert.equal(renewals.reduce((sum, row) => sum + Number(row[1]), 0), 2, "both services are due within 90 days");
    const churn = await table(page, "churn");
    assert.deepEqual(churn[11].slice(1), ["—", "0", "0"], "none live at the month's start, none ended");

    const revenueChart = page.locator('[data-chart="revenue"]');
    await revenueChart.getByRole("button", { name: "Show as table" }).click();
    const box = await revenueChart.locator("table").boundingBox();
    assert.ok(box.height > 100, `the table shows: ${JSON.stringify(box)}`);
    await shot(page, "console-reports-1280");
    await revenueChart.getByRole("button", { name: "Hide the table" }).click();
    await noneRefused(page, refused);
  });

  test("at 390 px the charts fit the screen", async () => {
    const context = await app.browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    // The admin's session, carried over from the wide screen (a code is good once).
    await context.addCookies(await shared.context.cookies());
    const { page, refused } = await watched(context);
    await page.goto(`${app.server.base}/admin/#/reports`);
    await page.getByRole("heading", { level: 1, name: "Reports" }).waitFor();
    await chartsDrawn(page);
    for (const id of CHARTS) {
      const width = await page.locator(`[data-chart="${id}"] canvas`).first().evaluate((canvas) => canvas.getBoundingClientRect().width);
      assert.ok(width > 250 && width <= 370, `${id} is ${width}px wide`);
    }
    await fits(page, "the reports at 390 px");
    await shot(page, "console-reports-390");
    await visit(page, "Dashboard", "Today");
    await page.locator("#orders-chart canvas").first().waitFor();
    await fits(page, "the dashboard at 390 px");
    await noneRefused(page, refused);
  });
});
