// The team view: the cards first (one request: TEAM), then, side by side, the trends (TRENDS),
// the children (CHILDREN) and the services (SERVICES). performance marks say when the cards
// and when the whole view were drawn (bench/dashboard.py reads them).

import { graphql } from "./api.js";
import { legend, pointText, trendChart, trendTable } from "./charts.js";
import { card, grouped } from "./cards.js";
import { h, replace } from "./dom.js";
import { formatCount } from "./format.js";
import { CHILDREN, SERVICES, TEAM, TRENDS } from "./queries.js";
import { formatSort, parseSort } from "./state.js";
import { CHILD_COLUMNS, childRows, childrenHead, serviceRows, servicesHead, sortPicker } from "./tables.js";

const CHILD_PAGE = 25;
const SERVICE_PAGE = 20;
/** Windows longer than this many days are drawn by month, so 17 trends stay within budget. */
const WEEKLY_UP_TO_DAYS = 728;

let disposers = [];

/** Keeps a chart's disposer until the next view. */
export function registerChart(dispose) {
  disposers.push(dispose);
}

/** Removes the charts of the last view (their resize observers). */
export function disposeCharts() {
  for (const dispose of disposers) dispose();
  disposers = [];
}

function sectionError(ctx, container, error) {
  if (!ctx.current()) return;
  replace(container, ctx.errorBox(error));
}

/** The view of one team; resolves once everything is drawn. Tells `ctx.ready` how to re-sort
 * its children as soon as its cards are drawn. */
export async function renderTeam(main, ctx) {
  const { key, dates, window } = ctx;
  const variables = { key, asOf: dates.asOf, from: dates.from, to: dates.to };
  const data = await graphql(TEAM, variables, { signal: ctx.signal });
  if (!ctx.current()) return;
  const team = data.team;
  if (!team) {
    ctx.notFound();
    return;
  }
  ctx.showTeam(team);
  disposeCharts();
  const cards = new Map();
  const groups = grouped(ctx.definitions).map(([title, defs], i) =>
    h(
      "section",
      { class: "group", "aria-labelledby": `group-${i}` },
      h("h2", { id: `group-${i}`, text: title }),
      h(
        "div",
        { class: "cards" },
        defs.map((def) => {
          const element = card(def, team.kpis, window);
          if (element) cards.set(def.key, element);
          return element;
        }),
      ),
    ),
  );
  const children = team.children.totalCount > 0 ? h("section", { id: "children", class: "panel", "aria-labelledby": "children-title" }) : null;
  const services = h("section", { id: "services", class: "panel", "aria-labelledby": "services-title" });
  replace(main, ctx.heading(team), groups, children, services);
  main.setAttribute("aria-busy", "false");
  performance.mark("orgraph:cards");
  ctx.ready({ sort: (sort) => children && loadChildren(children, ctx, team, sort) });
  await Promise.allSettled([
    loadTrends(cards, ctx, variables, dates),
    children ? loadChildren(children, ctx, team, parseSort(ctx.state.sort)) : null,
    loadServices(services, ctx, team, variables),
  ]);
  if (ctx.current()) performance.mark("orgraph:team-complete");
}

async function loadTrends(cards, ctx, variables, dates) {
  const grain = dates.days > WEEKLY_UP_TO_DAYS ? "MONTH" : "WEEK";
  const slots = [...cards.values()].map((c) => c.querySelector(".trend"));
  let data;
  try {
    data = await graphql(TRENDS, { ...variables, grain }, { signal: ctx.signal });
  } catch (error) {
    for (const slot of slots) sectionError(ctx, slot, error);
    return;
  }
  if (!ctx.current()) return;
  for (const def of ctx.definitions) {
    const element = cards.get(def.key);
    const points = data.team?.[def.key];
    if (!element) continue;
    const slot = element.querySelector(".trend");
    slot.setAttribute("aria-busy", "false");
    if (!points) {
      replace(slot, h("p", { class: "muted small", text: "No trend for this KPI." }));
      continue;
    }
    const label = `${def.name}, ${grain === "WEEK" ? "weekly" : "monthly"}`;
    const chart = h("div", {
      class: "chart",
      role: "img",
      "aria-label": `Trend of ${label}: ${points.length} points from ${dates.from} to ${dates.lastDay}; the table below lists them.`,
    });
    const readout = h("p", { class: "readout small", "aria-live": "off", text: "Hover the chart to read a point." });
    const partial = points.filter((p) => p.partial || p.coverage < 1).length;
    replace(
      slot,
      h(
        "figure",
        { class: "trend-figure", dataset: { kpi: def.key, points: String(points.length), grain } },
        chart,
        readout,
        partial ? legend([["solid", "complete period"], ["dashed", `partial period or incomplete data (${partial})`]]) : null,
        h(
          "details",
          {},
          h("summary", { text: `${points.length} ${grain === "WEEK" ? "weeks" : "months"} as a table` }),
          trendTable(points, def, `${label}, ${dates.from} to ${dates.lastDay}`),
        ),
      ),
    );
    disposers.push(trendChart(chart, readout, points, def, label));
    if (points.length) readout.title = pointText(points[points.length - 1], def);
  }
}

/** Draws the children table sorted by `sort` (or, with `after`, adds the next page to `rows`).
 * Each new sort takes a ticket: an answer for an older one is dropped. */
async function loadChildren(section, ctx, team, sort, after = null, rows = null, ticket = null) {
  const byKey = new Map(ctx.definitions.map((d) => [d.key, d]));
  const keys = [...CHILD_COLUMNS];
  if (sort && !keys.includes(sort.kpi)) keys.push(sort.kpi);
  const columns = keys.map((k) => byKey.get(k)).filter(Boolean);
  const orderBy = sort ? { kpi: sort.kpi, from: ctx.dates.from, to: ctx.dates.to, direction: sort.direction } : null;
  if (!after) {
    section.ticket = (section.ticket ?? 0) + 1;
    ticket = section.ticket;
    replace(
      section,
      h("h2", { id: "children-title" }, `Teams under ${team.name}`),
      h("p", { class: "loading small", text: "Loading the teams…" }),
    );
    section.setAttribute("aria-busy", "true");
  }
  let data;
  try {
    data = await graphql(
      CHILDREN,
      { key: team.key, asOf: ctx.dates.asOf, from: ctx.dates.from, to: ctx.dates.to, first: CHILD_PAGE, after, orderBy },
      { signal: ctx.signal },
    );
  } catch (error) {
    if (section.ticket !== ticket) return;
    section.setAttribute("aria-busy", "false");
    if (after) section.querySelector(".more")?.replaceWith(ctx.errorBox(error));
    else sectionError(ctx, section.querySelector(".loading") ?? section, error);
    return;
  }
  if (!ctx.current() || section.ticket !== ticket) return;
  const connection = data.team.children;
  const link = (k) => ctx.link({ team: k, sort: undefined });
  if (rows) {
    rows.append(...childRows(connection.edges, columns, ctx.window, link));
  } else {
    const onSort = (next) => ctx.navigate({ sort: next ? formatSort(next.kpi, next.direction) : undefined });
    rows = h("tbody", {}, childRows(connection.edges, columns, ctx.window, link));
    const sortText = sort ? `sorted by ${byKey.get(sort.kpi)?.name ?? sort.kpi}, ${sort.direction === "DESC" ? "largest" : "smallest"} first (teams without a value last)` : "by name";
    replace(
      section,
      h("h2", { id: "children-title" }, `Teams under ${team.name} `, h("span", { class: "count", text: `${formatCount(connection.totalCount)}` })),
      h("p", { class: "muted small" }, `The active teams directly under ${team.name}, ${sortText}. Sort with the column buttons or by any KPI here; open a team with its name.`),
      sortPicker(ctx.definitions, sort, onSort),
      h(
        "div",
        { class: "scroll", tabindex: "0", role: "region", "aria-label": `Teams under ${team.name}` },
        h(
          "table",
          { class: "grid children", dataset: { sort: sort ? `${sort.kpi}.${sort.direction}` : "name" } },
          h("caption", { class: "visually-hidden", text: `Teams under ${team.name}, ${sortText}` }),
          childrenHead(columns, sort, onSort),
          rows,
        ),
      ),
    );
  }
  pageFooter(section, rows, connection, CHILD_PAGE, "teams", (cursor) => loadChildren(section, ctx, team, sort, cursor, rows, ticket));
  section.setAttribute("aria-busy", "false");
}

async function loadServices(section, ctx, team, variables, after = null, rows = null) {
  if (!after) {
    replace(section, h("h2", { id: "services-title", text: "Services" }), h("p", { class: "loading small", text: "Loading the services…" }));
  }
  let data;
  try {
    data = await graphql(SERVICES, { ...variables, first: SERVICE_PAGE, after }, { signal: ctx.signal });
  } catch (error) {
    sectionError(ctx, section.querySelector(".loading") ?? section, error);
    return;
  }
  if (!ctx.current()) return;
  const connection = data.team.services;
  const definitions = new Map(ctx.definitions.map((d) => [d.key, d]));
  const link = (k) => ctx.link({ team: k, sort: undefined });
  if (rows) {
    rows.append(...serviceRows(connection.edges, definitions, ctx.window, link));
  } else if (connection.totalCount === 0) {
    replace(section, h("h2", { id: "services-title", text: "Services" }), h("p", { class: "muted", text: `${team.name} owns no service on ${ctx.dates.asOf}.` }));
    return;
  } else {
    rows = h("tbody", {}, serviceRows(connection.edges, definitions, ctx.window, link));
    replace(
      section,
      h("h2", { id: "services-title" }, "Services ", h("span", { class: "count", text: formatCount(connection.totalCount) })),
      h("p", { class: "muted small", text: `Services owned by ${team.name} and the teams under it on ${ctx.dates.asOf}, by key; delivery is each service's own, over the window.` }),
      h(
        "div",
        { class: "scroll", tabindex: "0", role: "region", "aria-label": "Services" },
        h("table", { class: "grid services" }, h("caption", { class: "visually-hidden", text: `Services of ${team.name}` }), servicesHead(), rows),
      ),
    );
  }
  pageFooter(section, rows, connection, SERVICE_PAGE, "services", (cursor) => loadServices(section, ctx, team, variables, cursor, rows));
}

/** Under a paged table: how many rows of how many are shown, and a button for the next page. */
function pageFooter(section, rows, connection, page, noun, more) {
  section.querySelector(".more")?.remove();
  section.querySelector(".shown")?.remove();
  const shown = rows.children.length;
  section.append(h("p", { class: "shown muted small", text: `${formatCount(shown)} of ${formatCount(connection.totalCount)} ${noun} shown` }));
  if (connection.pageInfo.hasNextPage) {
    const next = connection.pageInfo.endCursor;
    section.append(h("button", { type: "button", class: "more", text: `Show ${Math.min(page, connection.totalCount - shown)} more`, onclick: () => more(next) }));
  }
}
