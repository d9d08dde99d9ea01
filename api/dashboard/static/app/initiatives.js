// The initiatives view: for the chosen team's subtree on the status day, each initiative's
// state, progress, pace and forecast against its deadline, its burn-up with the target, and
// the team's children furthest behind (laggards) and ahead (leaders), linking to them.

import { graphql } from "./api.js";
import { burnUpChart, legend } from "./charts.js";
import { h, replace } from "./dom.js";
import { explainButton, explained } from "./explain.js";
import { formatCount, formatValue } from "./format.js";
import { INITIATIVES } from "./queries.js";
import { disposeCharts, registerChart } from "./team.js";

const STATE_TEXT = {
  DONE: "Done",
  ON_TRACK: "On track",
  AT_RISK: "At risk",
  OFF_TRACK: "Off track",
  NO_DATA: "No data",
  WITHHELD: "Withheld",
};
const STATE_HELP = {
  DONE: "the value meets the target",
  ON_TRACK: "at the recent pace the target is reached by the deadline",
  AT_RISK: "at the recent pace the target is reached after the deadline, within the grace period",
  OFF_TRACK: "the recent pace does not reach the target, or only well after the deadline, or the deadline has passed",
  NO_DATA: "no value on the status day (no people, services or changes)",
  WITHHELD: "the value is withheld: it would describe too few people (the server's privacy floor)",
};

/** The unit an initiative's values are in: a share for every measure but KPI. */
function unitOf(initiative, definitions) {
  if (initiative.measure !== "KPI") return "RATIO";
  return definitions.find((d) => d.key === initiative.kpi)?.unit ?? "";
}

function targetText(initiative, unit) {
  return `${initiative.direction === "AT_LEAST" ? "at least" : "at most"} ${formatValue(initiative.target, unit)}`;
}

const PACE = new Intl.NumberFormat("en", { maximumSignificantDigits: 2 });

/** A pace per week in the measure's unit: percentage points for a share. */
function paceText(pace, unit) {
  if (pace === null) return "not enough weekly values";
  const sign = pace > 0 ? "+" : pace < 0 ? "−" : "±";
  const size = Math.abs(pace);
  if (unit === "RATIO") return `${sign}${PACE.format(size * 100)} points per week`;
  return `${sign}${formatValue(size, unit)} per week`;
}

function gapText(gap, initiative, unit) {
  const words = gap > 0 ? "short" : gap < 0 ? "ahead" : "at the target";
  const size = Math.abs(gap);
  if (initiative.measure === "KPI") return `${formatValue(size, unit)} ${words}`;
  return `${formatCount(Math.round(size * 10) / 10)} ${initiative.sampleKind} ${words}`;
}

function forecastText(status) {
  if (status.status === "DONE") return "target met";
  if (status.forecast) return status.forecast;
  return "not reached at the recent pace";
}

function fact(term, value, help) {
  return h("div", { class: "row" }, h("dt", { text: term }), h("dd", {}, explained(h("span", { class: "figure", text: value }), help)));
}

function standings(title, connection, initiative, unit, link, empty) {
  const rows = connection.edges.map(({ node }) =>
    h(
      "tr",
      { dataset: { key: node.team.key } },
      h("th", { scope: "row" }, h("a", { href: link(node.team.key), "data-nav": true, text: node.team.name })),
      explained(h("td", { class: "num", text: formatValue(node.value, unit) }), `${node.team.name}: ${initiative.name}\nValue on the status day; sample ${formatCount(node.sampleSize)} ${initiative.sampleKind}.`),
      explained(
        h("td", { class: "num", text: gapText(node.gap, initiative, unit) }),
        `${node.team.name}'s part of the gap to the target (${targetText(initiative, unit)}): for a share, in ${initiative.sampleKind} (target minus value, times the sample); negative when ahead.`,
      ),
    ),
  );
  return h(
    "section",
    { class: "standing" },
    h("h4", {}, title, " ", h("span", { class: "count", text: `${formatCount(connection.edges.length)} of ${formatCount(connection.totalCount)}` })),
    rows.length
      ? h(
          "table",
          { class: "grid compact" },
          h("thead", {}, h("tr", {}, h("th", { scope: "col", text: "Team" }), h("th", { scope: "col", class: "num", text: "Value" }), h("th", { scope: "col", class: "num", text: "Gap" }))),
          h("tbody", {}, rows),
        )
      : h("p", { class: "muted small", text: empty }),
  );
}

function initiativeCard(initiative, ctx, teamName) {
  const status = initiative.status;
  const unit = unitOf(initiative, ctx.definitions);
  const id = `initiative-${initiative.key}`;
  const head = h(
    "header",
    {},
    h("h2", { id, text: initiative.name }),
    status
      ? explained(h("span", { class: `state state-${status.status.toLowerCase().replace("_", "-")}`, text: STATE_TEXT[status.status] ?? status.status }), `${STATE_TEXT[status.status]}: ${STATE_HELP[status.status] ?? ""}.`)
      : h("span", { class: "state state-none", text: "Not in scope" }),
    explainButton(initiative.name, `${initiative.name}: ${initiative.description}\nHow it is computed: ${initiative.computation}\nTarget ${targetText(initiative, unit)} from ${initiative.start} to ${initiative.deadline}${initiative.windowDays ? `; each value over the ${initiative.windowDays} days that end on its day` : ""}.\nPace: the least-squares slope of the weekly values over the last ${initiative.forecastWeeks} weeks; the forecast carries it on to the target.`),
  );
  const base = {
    class: "initiative",
    "aria-labelledby": id,
    dataset: { key: initiative.key, forecast: status?.forecast ?? "", status: status?.status ?? "" },
  };
  if (!status) {
    return h("article", base, head, h("p", { class: "desc", text: initiative.description }), h("p", { class: "muted", text: `${teamName} is outside this initiative's scope.` }));
  }
  const sample = `${formatCount(status.sampleSize)} ${initiative.sampleKind}`;
  const progress = status.progress;
  // a bar only for a share of the way (0..1); outside it the figure is said in words
  const progressBar =
    progress === null || progress < 0 || progress > 1
      ? null
      : h("progress", { max: "1", value: String(progress), "aria-label": `Progress of ${initiative.name}` });
  const progressNote =
    progress !== null && progress > 1 && status.status !== "DONE"
      ? h("span", { class: "note", text: "the start was already past the target" })
      : progress !== null && progress < 0
        ? h("span", { class: "note", text: "moved away from the target" })
        : null;
  const facts = h(
    "dl",
    { class: "facts" },
    fact("Value", formatValue(status.value, unit), `${initiative.name} for ${teamName} on ${status.on}: ${initiative.computation}\nSample: ${sample}.`),
    fact("Target", targetText(initiative, unit), `The target, due ${initiative.deadline}.`),
    fact("At the start", formatValue(status.startValue, unit), `The value on the initiative's start, ${initiative.start}.`),
    h(
      "div",
      { class: "row" },
      h("dt", { text: "Progress" }),
      h(
        "dd",
        {},
        explained(
          h("span", { class: "figure", text: progress === null ? "no data" : formatValue(progress, "RATIO") }),
          "Share of the way from the start's value to the target covered: (value − start) ÷ (target − start); 100 % once met, negative when the value moved away.",
        ),
        progressBar,
        progressNote,
      ),
    ),
    fact("Pace", paceText(status.pacePerWeek, unit), `Least-squares slope per week of the weekly values over the last ${initiative.forecastWeeks} weeks.`),
    fact("Forecast", forecastText(status), "The first day the target is reached going on from the status day's value at the recent pace (none when it is met or the pace does not lead there)."),
    fact("Deadline", initiative.deadline, "When the target is due."),
  );
  const chart = h("div", { class: "chart", role: "img", "aria-label": `Burn-up of ${initiative.name}: ${status.trend.length} weekly values from ${initiative.start} to ${status.on}, the target ${targetText(initiative, unit)}, the deadline ${initiative.deadline}${status.forecast ? ` and the forecast ${status.forecast}` : ""}.` });
  const readout = h("p", { class: "readout small", "aria-live": "off", text: "Hover the chart to read a week." });
  const figure = h(
    "figure",
    { class: "burnup", dataset: { points: String(status.trend.length) } },
    chart,
    readout,
    legend([["solid", "value, every 7 days"], ["target", "target"], ["dotted", "forecast at the recent pace"], ["deadline", "deadline"]]),
  );
  const link = (key) => ctx.link({ team: key });
  const under = h(
    "div",
    { class: "standings" },
    standings("Furthest behind", initiative.laggards, initiative, unit, link, `No team under ${teamName} is short of the target.`),
    standings("Furthest ahead", initiative.leaders, initiative, unit, link, `No team under ${teamName} has reached the target.`),
  );
  const article = h("article", base, head, h("p", { class: "desc", text: initiative.description }), h("div", { class: "initiative-body" }, facts, figure), under);
  return { article, draw: () => registerChart(burnUpChart(chart, readout, status, initiative, unit)) };
}

/** The initiatives of one team's subtree on the status day (the structure date). */
export async function renderInitiatives(main, ctx) {
  const data = await graphql(INITIATIVES, { key: ctx.key, on: ctx.dates.asOf }, { signal: ctx.signal });
  if (!ctx.current()) return;
  if (!data.team) {
    ctx.notFound();
    return;
  }
  ctx.showTeam(data.team);
  disposeCharts();
  const built = data.initiatives.map((i) => initiativeCard(i, ctx, data.team.name));
  const heading = ctx.heading(data.team, `Initiatives of ${data.team.name} and the teams under it, on ${ctx.dates.asOf}`);
  replace(
    main,
    heading,
    built.length
      ? built.map((b) => b.article ?? b)
      : h("p", { class: "muted", text: "The initiatives file names no initiative." }),
  );
  main.setAttribute("aria-busy", "false");
  for (const b of built) b.draw?.();
  ctx.ready({ sort: () => {} }); // the initiatives have no sort
  performance.mark("orgraph:initiatives");
}
