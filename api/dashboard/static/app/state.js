// The page's state lives in its address, so that a link shows the same view to whoever opens
// it, and back and forward work: ?team=t12&asOf=2026-01-01&from=2025-01-02&to=2026-01-01
// &view=initiatives&sort=LEAD_TIME_HOURS_P50.asc . A missing value means the default (the
// first org; the last 52 weeks of data; the structure of the window's last day; by name).

const KEYS = ["team", "asOf", "from", "to", "view", "sort"];
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The state of an address (location.search). */
export function readState(search) {
  const params = new URLSearchParams(search);
  const state = {};
  for (const key of KEYS) {
    const value = params.get(key);
    if (value) state[key] = value;
  }
  if (state.view !== "initiatives") delete state.view;
  return state;
}

/** The address of a state ("/?team=..."). */
export function href(state) {
  const params = new URLSearchParams();
  for (const key of KEYS) {
    if (state[key]) params.set(key, state[key]);
  }
  const query = params.toString();
  return query ? `/?${query}` : "/";
}

/** `sort` as {kpi, direction} (direction "ASC" or "DESC"), or null for by name. */
export function parseSort(sort) {
  const match = /^([A-Z0-9_]+)\.(asc|desc)$/.exec(sort ?? "");
  return match ? { kpi: match[1], direction: match[2].toUpperCase() } : null;
}

export function formatSort(kpi, direction) {
  return `${kpi}.${direction.toLowerCase()}`;
}

/** A date string a day (or `days` days) after `day` (UTC, YYYY-MM-DD). */
export function addDays(day, days) {
  const moved = new Date(`${day}T00:00:00Z`);
  moved.setUTCDate(moved.getUTCDate() + days);
  return moved.toISOString().slice(0, 10);
}

/** Days from `start` to `end` (YYYY-MM-DD). */
export function daysBetween(start, end) {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86400000);
}

export function isDate(value) {
  return typeof value === "string" && DATE.test(value);
}

/**
 * The window and structure date the view asks for: those of the address, else the last
 * 52 weeks up to the last day the store has event data for (kpiDefinitions' dataTo), and the
 * structure of the window's last day.
 */
export function effectiveDates(state, definitions) {
  const lastDays = definitions.map((d) => d.dataTo).filter(isDate).sort();
  const today = new Date().toISOString().slice(0, 10);
  const dataEnd = lastDays.length ? addDays(lastDays[lastDays.length - 1], 1) : today;
  const to = state.to ?? dataEnd;
  const from = state.from ?? addDays(to, -364);
  const asOf = state.asOf ?? (isDate(to) ? addDays(to, -1) : to);
  return { from, to, asOf, dataEnd };
}
