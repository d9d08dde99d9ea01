// The dashboard's entry point: reads the state from the address, asks the API (queries.js,
// through api.js) and draws the team view (team.js) or the initiatives view (initiatives.js).
// Links are real links (they open in a new tab too); a plain click moves through history.

import { describeError, getToken, graphql, onWaiting, setToken } from "./api.js";
import { byId, h, replace } from "./dom.js";
import { installExplanations } from "./explain.js";
import { plural } from "./format.js";
import { renderInitiatives } from "./initiatives.js";
import { BOOT, ROOTS } from "./queries.js";
import { installSearch } from "./search.js";
import { addDays, daysBetween, effectiveDates, href, isDate, parseSort, readState } from "./state.js";
import { renderTeam } from "./team.js";

const main = byId("main");
const alertBox = byId("alert");
let boot = null; // {definitions, roots: Map(asOf -> Promise of the roots)}
let generation = 0;
let controller = null;
let shown = null; // {state, view} of the view on screen

function announce(text) {
  byId("status").textContent = text;
}

/** A message box for an error: what to do, the API's message and its code. */
function errorBox(error, retry = true) {
  const { title, detail, code } = describeError(error);
  return h(
    "div",
    { class: "error", role: "alert", dataset: { code } },
    h("p", { class: "error-title", text: title }),
    h("p", { class: "error-detail" }, detail, code ? h("code", { class: "error-code", text: code }) : null),
    retry ? h("button", { type: "button", text: "Try again", onclick: () => render({ force: true }) }) : null,
  );
}

function showAlert(error) {
  replace(alertBox, errorBox(error));
  alertBox.hidden = false;
}

function hideAlert() {
  alertBox.hidden = true;
  replace(alertBox);
}

function current() {
  return readState(location.search);
}

/** The address of the current state changed by `patch` (an undefined value removes a key). */
function link(patch) {
  const next = { ...current(), ...patch };
  for (const [key, value] of Object.entries(patch)) if (value === undefined || value === "") delete next[key];
  return href(next);
}

function navigate(patch, { replaceEntry = false } = {}) {
  const target = link(patch);
  if (replaceEntry) history.replaceState(null, "", target);
  else history.pushState(null, "", target);
  render();
}

function fillControls(state, dates, team) {
  byId("as-of").value = dates.asOf;
  byId("from").value = dates.from;
  byId("to").value = dates.to;
  const days = String(daysBetween(dates.from, dates.to));
  const preset = byId("preset");
  preset.value = [...preset.options].some((o) => o.value === days) && dates.to === dates.dataEnd ? days : "";
  if (team) {
    const root = team.ancestors[0] ?? team;
    loadRoots(dates.asOf).then((roots) => fillOrgs(roots, root), () => fillOrgs([], root));
  }
  const tabs = { team: byId("tab-team"), initiatives: byId("tab-initiatives") };
  const view = state.view ?? "team";
  // the initiatives have windows of their own: only the status day (the structure date) applies
  for (const id of ["from", "to", "preset"]) {
    byId(id).disabled = view === "initiatives";
    byId(id).title = view === "initiatives" ? "The initiatives view shows each initiative on the structure date, over its own window." : "";
  }
  tabs.team.href = link({ view: undefined });
  tabs.initiatives.href = link({ view: "initiatives", sort: undefined });
  for (const [name, tab] of Object.entries(tabs)) {
    tab.dataset.nav = "";
    if (name === view) tab.setAttribute("aria-current", "page");
    else tab.removeAttribute("aria-current");
  }
}

function showCrumbs(team, view) {
  const crumbs = [...team.ancestors, team].map((t, i, all) =>
    h(
      "li",
      {},
      i === all.length - 1
        ? h("span", { "aria-current": "page", text: t.name })
        : h("a", { href: link({ team: t.key, sort: undefined, view }), "data-nav": true, text: t.name }),
    ),
  );
  replace(byId("crumbs"), crumbs);
}

function heading(team, subtitle) {
  const dates = shown.dates;
  const facts = [
    team.type,
    team.depth === 0 ? "root of the org tree" : `depth ${team.depth}`,
    team.children ? `${plural(team.children.totalCount, "team")} directly under it` : null,
    `structure of ${dates.asOf}`,
  ].filter(Boolean);
  return h(
    "div",
    { class: "page-head" },
    h("h1", { tabindex: "-1", id: "page-title" }, team.name, team.active === false ? h("span", { class: "badge", text: "ended" }) : null),
    h("p", { class: "muted", text: subtitle ?? `${facts.join(" · ")} · window ${dates.from} to ${dates.lastDay} (${dates.days} days)` }),
  );
}

async function loadDefinitions() {
  if (!boot) boot = { definitions: (await graphql(BOOT)).kpiDefinitions, roots: new Map() };
  return boot.definitions;
}

/** The orgs in the structure of `asOf` (asked once per structure date). */
function loadRoots(asOf) {
  if (!boot.roots.has(asOf)) {
    const asked = graphql(ROOTS, { asOf }).then((data) => {
      // a token scoped to a team opens on that team; its org is the root it sees
      boot.scope = data.viewer.scope;
      return data.roots;
    });
    asked.catch(() => boot.roots.delete(asOf));
    boot.roots.set(asOf, asked);
  }
  return boot.roots.get(asOf);
}

function fillOrgs(roots, chosen) {
  const org = byId("org");
  replace(org, roots.map((r) => h("option", { value: r.key, text: r.name })));
  if (chosen && ![...org.options].some((o) => o.value === chosen.key)) {
    org.append(h("option", { value: chosen.key, text: chosen.name }));
  }
  if (chosen) org.value = chosen.key;
}

/** Draws the view of the address. Only the sort changed: re-sorts the children table. */
async function render({ force = false } = {}) {
  const state = current();
  if (!force && shown?.view && sameButSort(shown.state, state)) {
    shown.state = state;
    shown.search = location.search;
    shown.view.sort(parseSort(state.sort));
    return;
  }
  const ticket = ++generation;
  controller?.abort();
  controller = new AbortController();
  hideAlert();
  main.setAttribute("aria-busy", "true");
  if (!main.querySelector(".page-head")) replace(main, h("p", { class: "loading", text: "Loading…" }));
  else main.classList.add("refreshing");
  try {
    const definitions = await loadDefinitions();
    if (ticket !== generation) return;
    const dates = effectiveDates(state, definitions);
    const roots = loadRoots(dates.asOf);
    const firstRoot = (await roots)[0]?.key;
    const key = state.team ?? boot.scope?.key ?? firstRoot;
    if (ticket !== generation) return;
    if (!key) {
      replace(main, h("p", { class: "muted", text: "The store holds no org yet: load one with `orgraph load` (README)." }));
      main.setAttribute("aria-busy", "false");
      return;
    }
    const days = daysBetween(dates.from, dates.to);
    shown = { state, search: location.search, view: null, dates: { ...dates, lastDay: addDays(dates.to, -1), days } };
    fillControls(state, dates, null);
    const ctx = {
      key,
      state,
      dates: shown.dates,
      window: { from: dates.from, to: dates.to, lastDay: shown.dates.lastDay, days },
      definitions,
      signal: controller.signal,
      current: () => ticket === generation,
      link,
      navigate,
      errorBox,
      heading,
      // the view on screen, as soon as it can re-sort (before its trends and tables arrive)
      ready: (view) => {
        if (ticket === generation) shown.view = view;
      },
      showTeam: (team) => {
        showCrumbs(team, state.view);
        fillControls(state, dates, team);
        document.title = `${team.name} · ${state.view === "initiatives" ? "initiatives" : "team"} · orgraph`;
        announce(`Showing ${team.name}`);
      },
      notFound: () => {
        replace(
          main,
          h(
            "div",
            { class: "error", role: "alert", dataset: { code: "NOT_FOUND" } },
            h("p", { class: "error-title", text: `No team has the key “${key}” in the structure of ${dates.asOf}.` }),
            h("p", { class: "error-detail", text: "Find the team with the search box, or choose an org." }),
          ),
        );
        main.setAttribute("aria-busy", "false");
        replace(byId("crumbs"));
      },
    };
    await (state.view === "initiatives" ? renderInitiatives(main, ctx) : renderTeam(main, ctx));
  } catch (error) {
    if (error?.name === "AbortError" || ticket !== generation) return;
    main.setAttribute("aria-busy", "false");
    if (!main.querySelector(".page-head")) replace(main);
    showAlert(error);
  } finally {
    if (ticket === generation) main.classList.remove("refreshing");
  }
}

function sameButSort(a, b) {
  return ["team", "asOf", "from", "to", "view"].every((k) => a[k] === b[k]) && a.sort !== b.sort;
}

function installControls() {
  const toggle = byId("controls-toggle"); // narrow screens: the controls fold away
  toggle.addEventListener("click", () => {
    toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
  });
  byId("controls").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = (id) => (isDate(byId(id).value) ? byId(id).value : undefined);
    navigate({ asOf: value("as-of"), from: value("from"), to: value("to") });
  });
  byId("preset").addEventListener("change", (event) => {
    const days = Number(event.target.value);
    if (!days || !boot) return;
    const { dataEnd } = effectiveDates({}, boot.definitions);
    navigate({ from: addDays(dataEnd, -days), to: dataEnd, asOf: undefined });
  });
  byId("org").addEventListener("change", (event) => navigate({ team: event.target.value, sort: undefined }));
  const tokenInput = byId("token");
  const tokenState = byId("token-state");
  const say = () => {
    tokenState.textContent = getToken() ? "A token is set: requests carry it." : "No token: requests carry none.";
  };
  say();
  byId("token-form").addEventListener("submit", (event) => {
    event.preventDefault();
    setToken(tokenInput.value.trim());
    tokenInput.value = "";
    say();
    render({ force: true });
  });
  byId("token-clear").addEventListener("click", () => {
    setToken("");
    tokenInput.value = "";
    say();
    render({ force: true });
  });
  document.addEventListener("click", (event) => {
    const anchor = event.target.closest("a[data-nav]");
    if (!anchor || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    if (anchor.getAttribute("href") === location.pathname + location.search) return;
    history.pushState(null, "", anchor.getAttribute("href"));
    render().then(() => byId("page-title")?.focus({ preventScroll: false }));
    window.scrollTo({ top: 0 });
  });
  // back and forward; a change of the fragment alone (the skip link) is no new view
  window.addEventListener("popstate", () => {
    if (location.search !== shown?.search) render();
  });
  installSearch(byId("search-input"), byId("search-results"), {
    asOf: () => shown?.dates.asOf ?? null,
    open: (key) => navigate({ team: key, sort: undefined }),
    failed: showAlert,
  });
  installExplanations();
}

onWaiting((text) => {
  const note = byId("waiting");
  note.textContent = text;
  note.hidden = !text;
});
installControls();
render();
