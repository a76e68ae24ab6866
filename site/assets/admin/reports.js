// The reports area: the tax report's form, and five charts of the
// business (orders each day, monthly recurring revenue, revenue, renewals
// due and churn), each with its figures as a table. The dashboard draws
// its chart of each day's orders with `ordersChart` too.

import { $ } from "../page.js";
import { currencyOfShop } from "./amounts.js";
import { asMoney, chart, count, major, show } from "./charts.js";
import { call } from "./console.js";

const DAY = new Intl.DateTimeFormat(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
const MONTH = new Intl.DateTimeFormat(undefined, { month: "short", year: "numeric", timeZone: "UTC" });
const dayName = (day) => DAY.format(new Date(`${day}T00:00:00Z`));
const monthName = (month) => MONTH.format(new Date(`${month}-01T00:00:00Z`));
const percent = (value) => `${value.toLocaleString(undefined, { maximumFractionDigits: 1 })} %`;

/// The chart of orders placed each day, the last 30 (UTC days).
export function ordersChart(days, id = "orders-by-day") {
  return chart({
    id, title: "Orders placed each day, the last 30 days", labels: days.map((d) => dayName(d.day)), xUnit: "Day (UTC)",
    axes: [{ scale: "y", unit: "Orders", format: count, integer: true }],
    series: [{ label: "Orders", values: days.map((d) => d.orders), format: count, bars: true }],
  });
}

/// Every currency named in `rows`' amounts, or the shop's when there is none.
async function currenciesOf(...lists) {
  const named = new Set(lists.flat().flatMap((row) => Object.keys(row.amounts)));
  return named.size ? [...named].sort() : [await currencyOfShop()];
}

/// The money axis: in the currency's money when there is one, otherwise in major units.
const moneyAxis = (scale, currencies, unit) => ({
  scale, unit: currencies.length === 1 ? `${unit} (${currencies[0]})` : `${unit}, major units`,
  format: currencies.length === 1 ? asMoney(currencies[0]) : count,
});

/// A series per currency of `rows`' amounts.
const perCurrency = (rows, currencies, bars, scale = "y") => currencies.map((currency) => ({
  label: currency, values: rows.map((row) => major(row.amounts[currency] ?? 0, currency)), format: asMoney(currency), bars, scale,
}));

function byMonth(id, title, rows, currencies, bars) {
  return chart({
    id, title, labels: rows.map((row) => monthName(row.month)), xUnit: "Month (UTC)", space: 64,
    axes: [moneyAxis("y", currencies, "Amount")], series: perCurrency(rows, currencies, bars && currencies.length === 1),
  });
}

function renewalsChart(windows, currencies) {
  return chart({
    id: "renewals-due", title: "Renewals due, by days from today", labels: windows.map((w) => `${w.from_day}–${w.to_day}`), xUnit: "Due in (days)", space: 30,
    axes: [{ scale: "count", unit: "Services", format: count, integer: true }, moneyAxis("money", currencies, "Price per cycle")],
    series: [
      { label: "Services", values: windows.map((w) => w.services), format: count, bars: true, scale: "count" },
      ...perCurrency(windows, currencies, false, "money").map((s) => ({ ...s, points: true, label: `Price per cycle (${s.label})` })),
    ],
  });
}

function churnChart(months) {
  return chart({
    id: "churn", title: "Churn: services ended each month, of those live at its start", labels: months.map((m) => monthName(m.month)), xUnit: "Month (UTC)", space: 64,
    axes: [{ scale: "y", unit: "Churn (%)", format: percent, incrs: [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 25, 50, 100] }],
    series: [{ label: "Churn", values: months.map((m) => (m.live_at_start > 0 ? (100 * m.ended) / m.live_at_start : null)), format: percent, bars: true }],
    extra: [
      { label: "Ended", values: months.map((m) => count(m.ended)) },
      { label: "Live at the month's start", values: months.map((m) => count(m.live_at_start)) },
    ],
  });
}

/// Draws the reports' charts from the figures of the last 12 months.
export async function showReports() {
  const figures = await call("/api/admin/reports/charts?months=12");
  const recurring = figures.monthly_recurring_revenue;
  const currencies = await currenciesOf(recurring, figures.revenue, figures.renewals_due);
  show($("report-charts"), [
    ordersChart(figures.orders_by_day),
    byMonth("recurring-revenue", "Monthly recurring revenue at each month's end", recurring, currencies, false),
    byMonth("revenue", "Revenue by month: paid invoices less credit notes, before tax", figures.revenue, currencies, true),
    renewalsChart(figures.renewals_due, currencies),
    churnChart(figures.churn),
  ]);
}
