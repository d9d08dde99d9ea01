// "Every number explains itself": an element with data-explain (its text, lines split by "\n")
// shows that text on hover (its title) and, on a tap or a click, in a popover beside it; an
// "i" button does the same for keyboard users. The texts are written by explanation() from the
// KPI's definition (kpiDefinitions), its sample and the window.

import { h, replace } from "./dom.js";
import { formatCoverage, formatCount, UNIT_WORDS } from "./format.js";

let popover = null;

function ensurePopover() {
  if (popover) return popover;
  popover = h("div", { id: "explain", class: "explain", popover: "auto", role: "note" });
  document.body.append(popover);
  return popover;
}

/** Shows `text` in the popover beside `anchor`. */
export function showExplanation(anchor, text) {
  const box = ensurePopover();
  replace(box, text.split("\n").map((line) => h("p", { text: line })));
  if (box.matches(":popover-open")) box.hidePopover();
  box.showPopover();
  const place = anchor.getBoundingClientRect();
  const width = Math.min(360, window.innerWidth - 16);
  box.style.width = `${width}px`;
  const left = Math.max(8, Math.min(place.left, window.innerWidth - width - 8));
  const below = place.bottom + 6;
  const height = box.getBoundingClientRect().height;
  const top = below + height > window.innerHeight && place.top > height + 12
    ? place.top - height - 6
    : below;
  box.style.left = `${left}px`;
  box.style.top = `${top}px`;
}

/** Marks `element` as explained by `text` (hover: title; tap: the popover). */
export function explained(element, text) {
  element.dataset.explain = text;
  element.title = text;
  return element;
}

/** An "i" button (a tab stop) that shows `text`. */
export function explainButton(label, text) {
  return h("button", {
    type: "button",
    class: "info",
    "aria-label": `About ${label}`,
    dataset: { explain: text },
    text: "i",
  });
}

/** Installs the tap/click handler once for the whole page. */
export function installExplanations() {
  document.addEventListener("click", (event) => {
    const target = event.target.closest("[data-explain]");
    if (!target || event.target.closest("a") || event.defaultPrevented) return;
    showExplanation(target, target.dataset.explain);
  });
}

/**
 * The explanation of one KPI figure: its definition, the sample behind it, the window and
 * how much of the window has data.
 * @param def a kpiDefinitions entry; @param metric {value, sampleSize, coverage, exact?}
 * @param window {from, to, lastDay, days}; @param label what the figure is ("value", ...)
 */
export function explanation(def, metric, window, label = "") {
  const lines = [`${def.name}${label ? ` · ${label}` : ""}: ${def.description}`];
  if (metric) {
    lines.push(`Sample: ${formatCount(metric.sampleSize)} ${def.sample}.`);
    if (metric.exact === false) lines.push("Read from histograms: within 1% of the exact value.");
    if (metric.coverage !== undefined && metric.coverage < 1) {
      lines.push(`Only ${formatCoverage(metric.coverage)} of the window has data for it: read it with care.`);
    }
  }
  lines.push(
    def.pointInTime
      ? `On ${window.lastDay}, the window's last day (window ${window.from} to ${window.lastDay}).`
      : `Window: ${window.from} to ${window.lastDay} (${window.days} days).`,
  );
  lines.push(`Unit: ${UNIT_WORDS[def.unit] ?? def.unit}; ${betterWords(def.better)}.`);
  return lines.join("\n");
}

export function betterWords(better) {
  return { HIGHER: "higher is better", LOWER: "lower is better" }[better] ?? "neither direction is better";
}
