// The team view's KPI cards: each KPI's value in its unit, the org's typical team, the peer
// median and percentile, the previous window and the DORA tier, each comparison said in words
// (↑/↓ and better/worse) as well as in colour; every figure explains itself (explain.js).

import { h } from "./dom.js";
import { betterWords, explainButton, explained, explanation } from "./explain.js";
import { formatCount, formatCoverage, formatPercentile, formatValue, judge } from "./format.js";

/** The KPIs by theme, in the order the cards are laid out; a KPI the catalogue adds later goes
 * to "Other" until it is placed here. */
export const GROUPS = [
  ["Delivery (DORA)", ["DEPLOYMENTS_PER_WEEK", "DEPLOYMENT_DAYS_PER_WEEK", "LEAD_TIME_HOURS_P50", "LEAD_TIME_HOURS_P90", "MERGE_TO_DEPLOY_HOURS_P50", "CHANGE_FAILURE_RATE", "TIME_TO_RESTORE_HOURS_P50"]],
  ["Review flow", ["TIME_TO_FIRST_REVIEW_HOURS_P50", "REVIEW_TO_MERGE_HOURS_P50", "UNREVIEWED_MERGE_RATE", "CHANGES_PER_ENGINEER_PER_WEEK"]],
  ["Quality", ["CODE_COVERAGE", "TECHNICAL_DEBT_MINUTES"]],
  ["People and platforms", ["HEADCOUNT", "SDE_RATIO", "INBOUND_REMOTE_CONTRIBUTION_RATE", "OUTBOUND_REMOTE_CONTRIBUTION_RATE", "NATIVE_AWS_MIGRATION_SHARE"]],
];

/** The DORA tier of the report that goes with a KPI's card. */
const TIERS = {
  DEPLOYMENT_DAYS_PER_WEEK: ["deploymentTier", "deployment frequency"],
  LEAD_TIME_HOURS_P50: ["leadTimeTier", "lead time"],
  CHANGE_FAILURE_RATE: ["changeFailureTier", "change failure rate"],
  TIME_TO_RESTORE_HOURS_P50: ["restoreTier", "time to restore"],
};
const TIER_TEXT = { ELITE: "Elite", HIGH: "High", MEDIUM: "Medium", LOW: "Low" };

/** The definitions grouped as the cards are: [[title, [definition, ...]], ...]. */
export function grouped(definitions) {
  const placed = new Set(GROUPS.flatMap(([, keys]) => keys));
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  const groups = GROUPS.map(([title, keys]) => [title, keys.map((k) => byKey.get(k)).filter(Boolean)]);
  const other = definitions.filter((d) => !placed.has(d.key));
  if (other.length) groups.push(["Other", other]);
  return groups.filter(([, defs]) => defs.length > 0);
}

function verdictChip(verdict) {
  if (!verdict) return null;
  return h("span", { class: `verdict ${verdict.verdict || "neutral"}`, text: verdict.text });
}

/** Why the API left a figure out (Metric.withheld, withheldComparisons), in words. */
const WITHHELD = {
  BELOW_PRIVACY_FLOOR: "withheld: derived from people, for a team under the privacy floor (docs/security.md)",
  OUTSIDE_SCOPE: "withheld: it is about teams outside what your token may see",
  TOO_FEW_PEERS: "withheld: it would show fewer teams outside your token's scope than the server allows",
};

function comparison(term, value, def, window, label, verdict, extra = null, withheld = null) {
  const figure = withheld
    ? explained(h("span", { class: "figure muted", text: "withheld" }), WITHHELD[withheld] ?? `withheld (${withheld})`)
    : explained(h("span", { class: "figure", text: formatValue(value, def.unit) }), explanation(def, null, window, label));
  return h("div", { class: "row" }, h("dt", { text: term }), h("dd", {}, figure, extra, verdictChip(verdict)));
}

/** Everything a card shows, in words, for its "i" button. */
function cardText(def, metric, window, tier) {
  const lines = [explanation(def, metric, window, "value")];
  lines.push(
    `Typical team: the median of the ${metric.typicalTeams ?? 0} active teams of the org at this depth (this one included).`,
    "Peers: the median of the active sibling teams, and this team's percentile rank among them (below, plus half of equal).",
    "Previous window: the same KPI over the window of the same length just before.",
  );
  if (metric.previousCoverage !== null && metric.previousCoverage < 1) {
    lines.push(`The previous window has data for ${formatCoverage(metric.previousCoverage)} of its days: it is no base for a trend.`);
  }
  if (metric.parentValue !== null) lines.push(`Parent team: ${formatValue(metric.parentValue, def.unit)}.`);
  if (tier) lines.push(`DORA ${tier[1]} tier (2023 State of DevOps thresholds, docs/kpis.md).`);
  lines.push(`Colours and arrows: ${betterWords(def.better)}.`);
  return lines.join("\n");
}

/**
 * One KPI's card. `report` is the team's KpiReport; the card's trend slot (.trend) is filled
 * later by the trends request.
 */
export function card(def, report, window) {
  const metric = report[def.field];
  if (!metric) return null; // a KPI the catalogue has and TEAM (queries.js) does not ask yet
  const tier = TIERS[def.key];
  const tierValue = tier ? report[tier[0]] : null;
  const typical = judge(metric.value, metric.typicalMedian, def.better);
  const previousUsable = metric.previousCoverage === null || metric.previousCoverage >= 1;
  const previous = previousUsable ? judge(metric.value, metric.previousValue, def.better) : null;
  const lowCoverage = metric.coverage < 1;
  const title = h("h3", { id: `card-${def.key}`, text: def.name });
  const value = metric.withheld
    ? explained(h("p", { class: "value muted" }, "withheld"), WITHHELD[metric.withheld] ?? `withheld (${metric.withheld})`)
    : explained(h("p", { class: "value" }, formatValue(metric.value, def.unit)), explanation(def, metric, window, "value"));
  const left = Object.fromEntries((metric.withheldComparisons ?? []).map((w) => [w.field, w.reason]));
  const rows = [
    comparison("Typical team", metric.typicalMedian, def, window, `the org's typical team: the median of its ${metric.typicalTeams ?? 0} teams at this depth`, typical, null, left.typicalMedian),
    comparison(
      "Peers",
      metric.peerMedian,
      def,
      window,
      "median of the sibling teams",
      null,
      metric.peerPercentile === null
        ? null
        : explained(
            h("span", { class: "percentile", text: ` · ${formatPercentile(metric.peerPercentile)}` }),
            `Percentile rank of this team among its active sibling teams for ${def.name} (0 to 100: below, plus half of equal; higher means a higher value, whichever is better).`,
          ),
      left.peerMedian,
    ),
    comparison(
      "Previous window",
      metric.previousValue,
      def,
      window,
      "the window of the same length before this one",
      previous,
      previousUsable ? null : h("span", { class: "note", text: " (incomplete data)" }),
    ),
  ];
  if (tier) {
    rows.push(
      h(
        "div",
        { class: "row" },
        h("dt", { text: "DORA tier" }),
        h(
          "dd",
          {},
          tierValue
            ? explained(
                h("span", { class: `tier tier-${tierValue.toLowerCase()}`, text: TIER_TEXT[tierValue] ?? tierValue }),
                `DORA ${tier[1]} tier of this window: elite, high, medium or low (docs/kpis.md gives the thresholds).`,
              )
            : h("span", { class: "muted", text: "none (no data)" }),
        ),
      ),
    );
  }
  const notes = [];
  if (lowCoverage) notes.push(h("p", { class: "note", text: `Data for ${formatCoverage(metric.coverage)} of the window only.` }));
  if (def.key === "TIME_TO_RESTORE_HOURS_P50" && report.unresolvedIncidents > 0) {
    notes.push(h("p", { class: "note", text: `${formatCount(report.unresolvedIncidents)} incidents started in the window are unresolved (not in the median).` }));
  }
  if (def.key === "CODE_COVERAGE" && report.unmeasuredServices > 0) {
    notes.push(h("p", { class: "note", text: `${formatCount(report.unmeasuredServices)} services owned were never measured (left out).` }));
  }
  if (def.key === "HEADCOUNT" && report.headcountByRole?.length) {
    notes.push(
      h(
        "p",
        { class: "roles" },
        report.headcountByRole.map((r) => explained(h("span", { class: "role", text: `${r.role} ${formatCount(r.count)}` }), `People in the role ${r.role} on ${window.lastDay}.`)),
      ),
    );
  }
  return h(
    "article",
    {
      class: `card${typical?.verdict ? ` is-${typical.verdict}` : ""}${lowCoverage ? " low-coverage" : ""}`,
      "aria-labelledby": title.id,
      dataset: { kpi: def.key, value: metric.value ?? "" },
    },
    h("header", {}, title, explainButton(def.name, cardText(def, metric, window, tier))),
    value,
    explained(
      h("p", { class: "sample", text: `sample ${formatCount(metric.sampleSize)} · ${def.sample}` }),
      explanation(def, metric, window, "sample"),
    ),
    h("dl", { class: "compare" }, rows),
    notes,
    h("div", { class: "trend", "aria-busy": "true" }, h("p", { class: "loading small", text: "Loading the trend…" })),
  );
}
