// How a figure is written: its unit, its rounding, and the sentence that explains it. Nothing
// here computes a figure the API does not give: a ratio is written as a percentage and hours
// as days, that is all.

const NUMBER = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });
const SMALL = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });
const WHOLE = new Intl.NumberFormat("en", { maximumFractionDigits: 0 });

export const UNIT_WORDS = {
  PER_WEEK: "per week",
  DAYS_PER_WEEK: "days per week",
  CHANGES_PER_ENGINEER_PER_WEEK: "changes per engineer per week",
  RATIO: "share (%)",
  HOURS: "hours",
  MINUTES: "minutes",
  PEOPLE: "people",
};

/** A number in its unit: "12.4 /wk", "3.2 days/wk", "7.5 %", "18.2 h", "2.1 d", "128 people". */
export function formatValue(value, unit) {
  if (value === null || value === undefined) return "no data";
  switch (unit) {
    case "RATIO":
      return `${NUMBER.format(value * 100)} %`;
    case "HOURS":
      return value >= 72 ? `${NUMBER.format(value / 24)} d` : `${NUMBER.format(value)} h`;
    case "MINUTES":
      return value >= 6000 ? `${WHOLE.format(value / 60)} h` : `${WHOLE.format(value)} min`;
    case "PER_WEEK":
      return `${(value < 10 ? SMALL : NUMBER).format(value)} /wk`;
    case "DAYS_PER_WEEK":
      return `${SMALL.format(value)} days/wk`;
    case "CHANGES_PER_ENGINEER_PER_WEEK":
      return `${SMALL.format(value)} /eng/wk`;
    case "PEOPLE":
      return `${WHOLE.format(value)}`;
    default:
      return SMALL.format(value);
  }
}

const COMPACT = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

/**
 * The labels of an axis's ticks, in the unit the cards use (a share in %, long hours in days,
 * long minutes in hours), with as many decimals as the step between ticks needs.
 */
export function formatTicks(ticks, unit) {
  const top = Math.max(...ticks.map((t) => Math.abs(t ?? 0)));
  let scale = 1;
  let suffix = "";
  if (unit === "RATIO") [scale, suffix] = [100, "%"];
  else if (unit === "HOURS") [scale, suffix] = top >= 72 ? [1 / 24, "d"] : [1, "h"];
  else if (unit === "MINUTES") [scale, suffix] = top >= 6000 ? [1 / 60, "h"] : [1, "m"];
  const step = ticks.length > 1 ? Math.abs(ticks[1] - ticks[0]) * scale : 1;
  const digits = step >= 1 || step === 0 ? 0 : step >= 0.1 ? 1 : 2;
  const fixed = new Intl.NumberFormat("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return ticks.map((t) => {
    if (t === null || t === undefined) return "";
    const v = t * scale;
    return `${Math.abs(v) >= 10000 ? COMPACT.format(v) : fixed.format(v)}${suffix}`;
  });
}

/** A count; a sample the API withholds (null: a people-derived figure of too few people, where
 * the server has a privacy floor) is said so, never shown as 0. */
export function formatCount(count) {
  return count === null || count === undefined ? "withheld" : WHOLE.format(count);
}

/** "1 team", "12 teams". */
export function plural(count, one, many = `${one}s`) {
  return `${WHOLE.format(count)} ${count === 1 ? one : many}`;
}

/** A percentile rank as an ordinal: "1st", "22nd", "63rd", "100th" percentile. */
export function formatPercentile(value) {
  if (value === null || value === undefined) return "no peers";
  const whole = Math.round(value);
  const tens = whole % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : { 1: "st", 2: "nd", 3: "rd" }[whole % 10] ?? "th";
  return `${whole}${suffix} pct`;
}

export function formatCoverage(coverage) {
  return `${NUMBER.format(coverage * 100)} %`;
}

/**
 * How `value` stands against `other` for a KPI whose better direction is `better` (HIGHER,
 * LOWER, NEITHER): {arrow: "↑" | "↓" | "=", verdict: "better" | "worse" | "same" | "",
 * text}, or null when either is missing. A comparison of two figures the API gave, not a
 * figure: the arrow says which way the value is, the word whether that is good, so that
 * nothing is told by colour alone.
 */
export function judge(value, other, better) {
  if (value === null || value === undefined || other === null || other === undefined) return null;
  if (value === other) return { arrow: "=", verdict: "same", text: "= same" };
  const arrow = value > other ? "↑" : "↓";
  if (better === "NEITHER") return { arrow, verdict: "", text: value > other ? "↑ higher" : "↓ lower" };
  const verdict = (value > other) === (better === "HIGHER") ? "better" : "worse";
  return { arrow, verdict, text: `${arrow} ${verdict}` };
}
