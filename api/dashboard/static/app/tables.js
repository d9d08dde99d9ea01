// The team view's tables: the children of the team (sortable by any KPI through the API's
// `children(orderBy:)`, both directions) and the services of its subtree with their platform
// and their own delivery. Rows come a page at a time ("Show more").

import { h } from "./dom.js";
import { explainButton, explained, explanation } from "./explain.js";
import { formatCount, formatValue, plural, UNIT_WORDS } from "./format.js";

/** The KPI columns of the children table; the KPI it is sorted by is added when not here. */
export const CHILD_COLUMNS = ["HEADCOUNT", "SDE_RATIO", "DEPLOYMENTS_PER_WEEK", "LEAD_TIME_HOURS_P50", "CHANGE_FAILURE_RATE", "TIME_TO_RESTORE_HOURS_P50"];

const ARIA = { ASC: "ascending", DESC: "descending" };

/**
 * The children table's head: "Team" (by name) and one sort button per KPI column, each header
 * with aria-sort; `sort` is {kpi, direction} or null (by name).
 */
export function childrenHead(columns, sort, onSort) {
  const nameSort = sort === null;
  return h(
    "thead",
    {},
    h(
      "tr",
      {},
      h(
        "th",
        { scope: "col", "aria-sort": nameSort ? "ascending" : "none" },
        h("button", { type: "button", class: "sort", onclick: () => onSort(null), text: "Team" }, nameSort ? h("span", { "aria-hidden": "true", text: " ▲" }) : null),
      ),
      columns.map((def) => {
        const sorted = sort?.kpi === def.key;
        const next = sorted && sort.direction === "DESC" ? "ASC" : "DESC";
        return h(
          "th",
          { scope: "col", class: "num", "aria-sort": sorted ? ARIA[sort.direction] : "none", dataset: { kpi: def.key } },
          h(
            "button",
            {
              type: "button",
              class: "sort",
              title: `Sort by ${def.name}, ${next === "DESC" ? "largest" : "smallest"} first`,
              onclick: () => onSort({ kpi: def.key, direction: next }),
            },
            def.name,
            sorted ? h("span", { "aria-hidden": "true", text: sort.direction === "DESC" ? " ▼" : " ▲" }) : null,
          ),
          explainButton(def.name, `${def.name}: ${def.description}\nUnit: ${UNIT_WORDS[def.unit] ?? def.unit}; sorted by the API (children orderBy), teams without a value last.`),
        );
      }),
    ),
  );
}

/** "Sort by" (name or any KPI) and "order" selects: every KPI, not only the columns shown. */
export function sortPicker(definitions, sort, onSort) {
  const kpi = h(
    "select",
    { id: "sort-kpi", "aria-label": "Sort the teams by" },
    h("option", { value: "", text: "name" }),
    definitions.map((d) => h("option", { value: d.key, text: d.name, selected: sort?.kpi === d.key })),
  );
  const direction = h(
    "select",
    { id: "sort-direction", "aria-label": "Order", disabled: !sort },
    h("option", { value: "DESC", text: "largest first", selected: sort?.direction === "DESC" }),
    h("option", { value: "ASC", text: "smallest first", selected: sort?.direction === "ASC" }),
  );
  const changed = () => onSort(kpi.value ? { kpi: kpi.value, direction: direction.value } : null);
  kpi.addEventListener("change", changed);
  direction.addEventListener("change", changed);
  return h(
    "div",
    { class: "table-tools" },
    h("label", { for: "sort-kpi", text: "Sort by " }),
    kpi,
    " ",
    direction,
  );
}

/** One row per child: its name (a link to its view), then its figures. */
export function childRows(edges, columns, window, link) {
  return edges.map(({ node }) =>
    h(
      "tr",
      { dataset: { key: node.key } },
      h(
        "th",
        { scope: "row" },
        h("a", { href: link(node.key), "data-nav": true, text: node.name }),
        h("span", {
          class: "sub",
          text: [node.type, node.children.totalCount ? `${plural(node.children.totalCount, "team")} under it` : ""].filter(Boolean).join(" · "),
        }),
      ),
      columns.map((def) => {
        const metric = node.kpis[def.field];
        if (!metric) return h("td", { class: "num muted", text: "—" }); // not asked by CHILDREN
        return explained(
          h("td", { class: `num${metric.coverage < 1 ? " low-coverage" : ""}`, dataset: { kpi: def.key, value: metric.value ?? "" } }, formatValue(metric.value, def.unit)),
          `${node.name}\n${explanation(def, metric, window, "value")}`,
        );
      }),
    ),
  );
}

/** Explanations of a service's own delivery figures: the KPI's definition, for its events only. */
function serviceText(definitions, key, sample, window) {
  const def = definitions.get(key);
  const own = "The service's own events only, whoever owned it then.";
  return def ? `${def.name}: ${def.description}\n${own}\nSample: ${sample}.\nWindow: ${window.from} to ${window.lastDay}.` : own;
}

export function servicesHead() {
  const columns = ["Service", "Platform", "Owner", "Deployments per week", "Change failure rate", "Lead time p50", "Lead time p90"];
  return h("thead", {}, h("tr", {}, columns.map((t, i) => h("th", { scope: "col", class: i >= 3 ? "num" : null, text: t }))));
}

export function serviceRows(edges, definitions, window, link) {
  return edges.map(({ node }) => {
    const d = node.delivery;
    const cell = (key, value, unit, sample) =>
      explained(h("td", { class: "num" }, formatValue(value, unit)), `${node.name}\n${serviceText(definitions, key, sample, window)}`);
    return h(
      "tr",
      { dataset: { key: node.key }, class: node.active ? null : "inactive" },
      h("th", { scope: "row" }, node.name, h("span", { class: "sub", text: node.key })),
      h("td", { text: node.platform ?? "unknown" }),
      h("td", {}, node.owner ? h("a", { href: link(node.owner.key), "data-nav": true, text: node.owner.name }) : "—"),
      cell("DEPLOYMENTS_PER_WEEK", d.deploymentsPerWeek, "PER_WEEK", `${formatCount(d.successfulDeployments)} successful production deployments`),
      cell("CHANGE_FAILURE_RATE", d.changeFailureRate, "RATIO", `${formatCount(d.productionDeployments)} production deployments`),
      cell("LEAD_TIME_HOURS_P50", d.leadTimeHoursP50, "HOURS", `${formatCount(d.leadTimeSampleSize)} changes deployed (exact)`),
      cell("LEAD_TIME_HOURS_P90", d.leadTimeHoursP90, "HOURS", `${formatCount(d.leadTimeSampleSize)} changes deployed (exact)`),
    );
  });
}
