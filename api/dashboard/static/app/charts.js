// Charts, drawn by uPlot (vendored: /static/dashboard/vendor/, loaded by the page as a plain
// script with its integrity, so it is a global here). Each chart sits beside an accessible
// table of its points, and its container says how many points it has (data-points).

import { h } from "./dom.js";
import { formatCount, formatTicks, formatValue } from "./format.js";

const uPlot = globalThis.uPlot;
const DAY = 86400;

function css(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

function seconds(day) {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

function dayOf(secondsValue) {
  return new Date(secondsValue * 1000).toISOString().slice(0, 10);
}

/** Keeps a chart as wide as its box. */
function fit(chart, box, height) {
  const observer = new ResizeObserver(() => {
    const width = Math.floor(box.clientWidth);
    if (width > 0 && width !== chart.width) chart.setSize({ width, height });
  });
  observer.observe(box);
  return observer;
}

/** Steps between ticks of an axis in days (hours of 24): long durations are labelled in days. */
const DAY_STEPS = [24, 48, 72, 96, 120, 168, 240, 336, 480, 720, 1440, 2160, 4320, 8760];

function axes(unit, top) {
  const grid = { stroke: css("--grid", "#e4e7ec"), width: 1 };
  const font = `11px ${css("--font", "system-ui, sans-serif")}`;
  const stroke = css("--muted", "#5b6472");
  const y = { stroke, grid, ticks: grid, font, size: 46, values: (u, splits) => formatTicks(splits, unit) };
  if (unit === "HOURS" && top >= 72) y.incrs = DAY_STEPS;
  return [{ stroke, grid, ticks: grid, font, size: 28 }, y];
}

function highest(values) {
  return Math.max(0, ...values.filter((v) => v !== null && v !== undefined));
}

/**
 * A KPI's trend: complete periods as a solid line with filled dots; partial periods (shorter
 * than the grain) and periods with part of their days without data as hollow dots on a dashed
 * line (docs/api.md: draw them apart). Hovering a point writes it out under the chart.
 * @returns a function that removes the chart.
 */
export function trendChart(box, readout, points, def, label) {
  const height = 150;
  const xs = points.map((p) => seconds(p.from));
  const apart = points.map((p) => p.partial || p.coverage < 1);
  const solid = points.map((p, i) => (apart[i] ? null : p.value));
  const dashed = points.map((p, i) => (apart[i] || apart[i - 1] || apart[i + 1] ? p.value : null));
  const apartIndexes = apart.flatMap((isApart, i) => (isApart ? [i] : []));
  const line = css("--chart", "#2f5fb3");
  const background = css("--card", "#ffffff");
  const chart = new uPlot(
    {
      width: Math.max(200, Math.floor(box.clientWidth)),
      height,
      legend: { show: false },
      cursor: { y: false, points: { size: 7 } },
      scales: { x: { time: true } },
      axes: axes(def.unit, highest(points.map((p) => p.value))),
      series: [
        {},
        { label, stroke: line, width: 2, points: { show: true, size: 4, fill: line, stroke: line } },
        {
          label: `${label} (partial period or incomplete data)`,
          stroke: line,
          width: 1.5,
          dash: [4, 4],
          spanGaps: false,
          points: { show: false, size: 6, fill: background, stroke: line, width: 1.5, filter: () => apartIndexes },
        },
      ],
      hooks: {
        setCursor: [
          (u) => {
            const i = u.cursor.idx;
            readout.textContent = i === null || i === undefined ? "" : pointText(points[i], def);
          },
        ],
      },
    },
    [xs, solid, dashed],
    box,
  );
  const observer = fit(chart, box, height);
  return () => {
    observer.disconnect();
    chart.destroy();
  };
}

/** One trend point in words: its period, value, sample, days and whether it is partial. */
export function pointText(point, def) {
  const notes = [];
  if (point.partial) notes.push(`partial period of ${point.days} days`);
  if (point.coverage < 1) notes.push(`${formatValue(point.coverage, "RATIO")} of its days have data`);
  const period = `${point.from} to ${dayOf(seconds(point.to) - DAY)}`;
  return `${period}: ${formatValue(point.value, def.unit)} (sample ${formatCount(point.sampleSize)} ${def.sample})${notes.length ? `; ${notes.join("; ")}` : ""}`;
}

/** The points of a trend as a table (for screen readers, and to read exact values). */
export function trendTable(points, def, caption) {
  return h(
    "table",
    { class: "data" },
    h("caption", { text: caption }),
    h(
      "thead",
      {},
      h("tr", {}, ["Period", "Value", "Sample", "Days", "Note"].map((t) => h("th", { scope: "col", text: t }))),
    ),
    h(
      "tbody",
      {},
      points.map((p) =>
        h(
          "tr",
          { class: p.partial || p.coverage < 1 ? "apart" : null },
          h("th", { scope: "row", text: `${p.from} to ${dayOf(seconds(p.to) - DAY)}` }),
          h("td", { text: formatValue(p.value, def.unit) }),
          h("td", { text: formatCount(p.sampleSize) }),
          h("td", { text: String(p.days) }),
          h("td", {
            text: [p.partial ? "partial period" : "", p.coverage < 1 ? `data for ${formatValue(p.coverage, "RATIO")}` : ""]
              .filter(Boolean)
              .join(", "),
          }),
        ),
      ),
    ),
  );
}

/**
 * An initiative's burn-up: its weekly values from the start (solid), the target (a dashed
 * horizontal line), the forecast (a dotted segment from the last value to the target on the
 * forecast day the API gives) and the deadline (a vertical line).
 * @returns a function that removes the chart.
 */
export function burnUpChart(box, readout, status, initiative, unit) {
  const height = 220;
  const days = new Set(status.trend.map((p) => p.on));
  days.add(initiative.deadline);
  if (status.forecast) days.add(status.forecast);
  const xsDays = [...days].sort();
  const xs = xsDays.map(seconds);
  const byDay = new Map(status.trend.map((p) => [p.on, p]));
  const values = xsDays.map((d) => byDay.get(d)?.value ?? null);
  const target = xsDays.map(() => status.target);
  const last = status.trend[status.trend.length - 1];
  const forecast = xsDays.map((d) =>
    status.forecast && last && last.value !== null && (d === last.on || d === status.forecast)
      ? d === status.forecast ? status.target : last.value
      : null,
  );
  const line = css("--chart", "#2f5fb3");
  const goal = css("--target", "#7a4bc2");
  const muted = css("--muted", "#5b6472");
  const deadline = seconds(initiative.deadline);
  const chart = new uPlot(
    {
      width: Math.max(220, Math.floor(box.clientWidth)),
      height,
      legend: { show: false },
      cursor: { y: false, points: { size: 7 } },
      scales: {
        x: { time: true },
        y: { range: (u, min, max) => [Math.min(0, min ?? 0), unit === "RATIO" ? Math.max(1, max ?? 1) : max] },
      },
      axes: axes(unit, highest([...values, status.target])),
      series: [
        {},
        { label: "value", stroke: line, width: 2, spanGaps: true, points: { show: true, size: 3, fill: line } },
        { label: "target", stroke: goal, width: 1.5, dash: [6, 4], points: { show: false } },
        { label: "forecast", stroke: line, width: 1.5, dash: [2, 4], spanGaps: true, points: { show: false } },
      ],
      hooks: {
        draw: [
          (u) => {
            const x = Math.round(u.valToPos(deadline, "x", true));
            const { ctx } = u;
            ctx.save();
            ctx.strokeStyle = muted;
            ctx.lineWidth = 1;
            ctx.setLineDash([3, 3]);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.setLineDash([]);
            ctx.fillStyle = muted;
            ctx.font = `${Math.round(11 * devicePixelRatio)}px ${css("--font", "system-ui, sans-serif")}`;
            ctx.textAlign = "right";
            ctx.fillText("deadline", x - 4, u.bbox.top + 12 * devicePixelRatio);
            ctx.restore();
          },
        ],
        setCursor: [
          (u) => {
            const i = u.cursor.idx;
            if (i === null || i === undefined) {
              readout.textContent = "";
              return;
            }
            const day = xsDays[i];
            const point = byDay.get(day);
            const parts = [day];
            if (point) parts.push(`${formatValue(point.value, unit)} (sample ${formatCount(point.sampleSize)})`);
            if (day === status.forecast) parts.push("forecast: the target is reached");
            if (day === initiative.deadline) parts.push("deadline");
            parts.push(`target ${formatValue(status.target, unit)}`);
            readout.textContent = parts.join(" · ");
          },
        ],
      },
    },
    [xs, values, target, forecast],
    box,
  );
  const observer = fit(chart, box, height);
  return () => {
    observer.disconnect();
    chart.destroy();
  };
}

/** A legend in words (the chart's colours and dashes, said). */
export function legend(items) {
  return h(
    "ul",
    { class: "legend" },
    items.map(([kind, text]) => h("li", {}, h("span", { class: `key ${kind}`, "aria-hidden": "true" }), text)),
  );
}
