// The type-ahead: a combobox (WAI-ARIA pattern) over `teams(search:)`. Typing asks the API
// after a short pause (a stale answer is dropped); ArrowDown/ArrowUp move through the teams
// found, Enter opens the one chosen, Escape closes the list.

import { graphql } from "./api.js";
import { h, replace } from "./dom.js";
import { SEARCH } from "./queries.js";

const PAUSE_MS = 150;

/**
 * @param input the <input role=combobox>; @param list the <ul role=listbox>
 * @param options {asOf: () => date, open: (key) => void, failed: (error) => void}
 */
export function installSearch(input, list, { asOf, open, failed }) {
  let found = [];
  let active = -1;
  let timer = 0;
  let asked = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    active = index;
    for (const [i, item] of [...list.children].entries()) {
      item.setAttribute("aria-selected", String(i === index));
      if (i === index) {
        input.setAttribute("aria-activedescendant", item.id);
        item.scrollIntoView({ block: "nearest" });
      }
    }
  }

  function choose(index) {
    const team = found[index];
    if (!team) return;
    close();
    input.value = "";
    open(team.key);
  }

  function show(connection, text) {
    found = connection.edges.map((edge) => edge.node);
    const items = found.map((team, i) =>
      h(
        "li",
        {
          id: `search-option-${i}`,
          role: "option",
          "aria-selected": "false",
          dataset: { key: team.key },
          onmousedown: (event) => event.preventDefault(), // keep the focus in the input
          onclick: () => choose(i),
        },
        h("span", { class: "option-name", text: team.name }),
        h("span", {
          class: "option-path",
          text: [...team.ancestors.map((a) => a.name), team.type ?? ""].filter(Boolean).join(" › "),
        }),
      ),
    );
    if (items.length === 0) {
      items.push(h("li", { class: "empty", role: "option", "aria-disabled": "true", text: `No team named like “${text}”` }));
    } else if (connection.totalCount > found.length) {
      items.push(
        h("li", {
          class: "more",
          role: "option",
          "aria-disabled": "true",
          text: `${connection.totalCount - found.length} more: type more of the name`,
        }),
      );
    }
    replace(list, items);
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    active = -1;
    if (found.length > 0) highlight(0);
  }

  async function ask() {
    const text = input.value.trim();
    const ticket = ++asked;
    if (!text) {
      close();
      return;
    }
    try {
      const data = await graphql(SEARCH, { search: text, asOf: asOf() });
      if (ticket === asked) show(data.teams, text);
    } catch (error) {
      if (ticket === asked) {
        close();
        failed(error);
      }
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(ask, PAUSE_MS);
  });
  input.addEventListener("keydown", (event) => {
    const open = !list.hidden && found.length > 0;
    if (event.key === "ArrowDown") {
      event.preventDefault();
      if (!open) ask();
      else highlight((active + 1) % found.length);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      if (open) highlight((active - 1 + found.length) % found.length);
    } else if (event.key === "Enter") {
      if (open && active >= 0) {
        event.preventDefault();
        choose(active);
      }
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        event.preventDefault();
        close();
      }
    }
  });
  input.addEventListener("blur", () => setTimeout(close, 100));
}
