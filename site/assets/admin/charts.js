// The console's charts, drawn by uPlot (vendored under /assets/vendor/uplot/,
// no runtime dependencies, styles set through the CSSOM only, so the pages'
// CSP holds): a title, axes with their units, a value over each bar when
// there is room, a legend of its own, and the same figures in a <table>
// behind it for screen readers, shown to anyone through "Show as table".
// Each chart follows its figure's width, down to a phone's.

import uPlot from "../vendor/uplot/uPlot.esm.min.js";
import { el } from "../page.js";
import { digitsOf, money } from "./amounts.js";

const COLOURS = ["#0b6bcb", "#b3460b", "#2e7d32", "#7b1fa2"];
const HEIGHT = 240;
const INK = "#1d2330";
const FONT = "12px system-ui, sans-serif";

/// A series of figures: `label` in the legend, `values` one per category,
/// `format` a value as text; `bars` draws bars, `points` points alone,
/// else a line with points;
/// `scale` names its y axis (`y` unless it has one of its own on the right).
/// `{ label, values, format, bars, scale }`.

/// A number as the staff member's locale writes it.
export const count = (n) => Number(n).toLocaleString();

/// `minor` units as major units of `currency`, for a chart's scale.
export const major = (minor, currency) => minor / 10 ** digitsOf(currency);

/// A value in major units of `currency` as money.
export const asMoney = (currency) => (value) => money(Math.round(value * 10 ** digitsOf(currency)), currency);

/// Writes each bar's value above it (but nothing over an empty bar), when
/// the bars leave room for it.
function valueLabels(series) {
  return {
    hooks: {
      draw: (u) => {
        const room = u.bbox.width / Math.max(1, u.data[0].length);
        const { ctx } = u;
        ctx.save();
        ctx.font = FONT.replace("12px", `${Math.round(12 * uPlot.pxRatio)}px`);
        ctx.fillStyle = INK;
        ctx.textAlign = "center";
        series.forEach((s, i) => {
          if (!s.bars) return;
          u.data[i + 1].forEach((value, index) => {
            if (!value) return;
            const text = s.format(value);
            if (ctx.measureText(text).width > room * 0.95) return;
            const x = u.valToPos(index, "x", true);
            const y = u.valToPos(Math.max(0, value), s.scale ?? "y", true);
            ctx.fillText(text, x, y - 4 * uPlot.pxRatio);
          });
        });
        ctx.restore();
      },
    },
  };
}

/// The y axis of `scale`: its unit as its label, its values formatted.
function yAxis({ scale, unit, format, integer, incrs }, side) {
  return {
    scale, label: unit, side, stroke: INK, font: FONT, labelFont: FONT, size: 72,
    grid: { show: side === 3, stroke: "#dfe4ec" },
    ...(integer ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 50000] } : {}),
    ...(incrs ? { incrs } : {}),
    values: (u, splits) => splits.map((v) => format(v)),
  };
}

function options(spec, width) {
  const { labels, series } = spec;
  const last = labels.length - 1;
  const scales = { x: { time: false, range: [-0.5, last + 0.5] } };
  for (const axis of spec.axes) scales[axis.scale] = { range: (u, min, max) => [Math.min(0, min), Math.max(1, max) * 1.15] };
  return {
    width, height: HEIGHT, legend: { show: false }, cursor: { show: false },
    scales,
    axes: [
      { stroke: INK, font: FONT, label: spec.xUnit, labelFont: FONT, space: spec.space ?? 44, incrs: [1, 2, 3, 5, 7, 10, 15], grid: { show: false },
        values: (u, splits) => splits.map((i) => (Number.isInteger(i) ? labels[i] ?? "" : "")) },
      ...spec.axes.map((axis, i) => yAxis(axis, i ? 1 : 3)),
    ],
    series: [{}, ...series.map((s, i) => ({
      label: s.label, scale: s.scale ?? "y", stroke: COLOURS[i % COLOURS.length], width: 2,
      fill: s.bars ? COLOURS[i % COLOURS.length] : undefined,
      paths: s.bars ? uPlot.paths.bars({ size: [0.6, 48] }) : s.points ? () => null : undefined,
      points: { show: !s.bars, size: s.points ? 9 : 6 },
    }))],
    plugins: [valueLabels(series)],
  };
}

/// A legend of the chart's series, each with its colour.
function legend(series) {
  return el("ul", { class: "chart-legend" }, ...series.map((s, i) => {
    const swatch = el("span", { class: "swatch", "aria-hidden": "true" });
    swatch.style.background = COLOURS[i % COLOURS.length];
    return el("li", {}, swatch, s.label);
  }));
}

/// The figures as a table, a row per category and a column per series,
/// behind the chart until shown.
function table(spec) {
  const head = el("tr", {}, el("th", { scope: "col" }, spec.xUnit), ...spec.series.map((s) => el("th", { scope: "col" }, s.label)), ...(spec.extra ?? []).map((c) => el("th", { scope: "col" }, c.label)));
  const rows = spec.labels.map((label, i) => el("tr", {}, el("th", { scope: "row" }, label),
    ...spec.series.map((s) => el("td", {}, s.values[i] === null ? "—" : s.format(s.values[i]))),
    ...(spec.extra ?? []).map((c) => el("td", {}, c.values[i]))));
  const figures = el("table", { class: "prices chart-table" }, el("caption", {}, spec.title), el("thead", {}, head), el("tbody", {}, ...rows));
  return el("div", { class: "chart-figures behind" }, figures);
}

/// A chart as a figure: its title, the chart, its legend, and its table
/// with the button that shows it. `spec`: `{ id, title, labels, xUnit,
/// space, axes: [{ scale, unit, format, integer, incrs }], series, extra: [{ label,
/// values }] }`; `space`: the least room between the labels of categories, in pixels.
export function chart(spec) {
  const plotted = el("div", { class: "chart-plot", "aria-hidden": "true" });
  const figures = table(spec);
  const toggle = el("button", { type: "button", class: "secondary", "aria-expanded": "false" }, "Show as table");
  toggle.addEventListener("click", () => {
    const shown = figures.classList.toggle("behind") === false;
    toggle.setAttribute("aria-expanded", String(shown));
    toggle.textContent = shown ? "Hide the table" : "Show as table";
  });
  const figure = el("figure", { class: "chart", "data-chart": spec.id, "aria-labelledby": `${spec.id}-title` },
    el("h2", { id: `${spec.id}-title` }, spec.title), plotted, legend(spec.series), toggle, figures);
  return { figure, draw: () => plot(plotted, spec) };
}

const plots = new Map();

/// Draws `spec` into `node` at its width, again whenever the width changes.
function plot(node, spec) {
  const data = [spec.labels.map((_, i) => i), ...spec.series.map((s) => s.values)];
  const made = new uPlot(options(spec, Math.max(200, node.clientWidth)), data, node);
  const resized = new ResizeObserver(() => {
    if (node.clientWidth && Math.abs(node.clientWidth - made.width) > 1) made.setSize({ width: node.clientWidth, height: HEIGHT });
  });
  resized.observe(node);
  plots.get(node)?.();
  plots.set(node, () => { resized.disconnect(); made.destroy(); });
}

/// Puts the charts `made` into `container` (replacing what it held), then
/// draws them once they have their width.
export function show(container, made) {
  for (const [node, forget] of plots) if (container.contains(node)) { forget(); plots.delete(node); }
  container.replaceChildren(...made.map((m) => m.figure));
  for (const m of made) m.draw();
}
