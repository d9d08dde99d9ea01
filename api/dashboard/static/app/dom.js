// A few DOM helpers: the page builds every element with h(), never from HTML strings, so a team
// or service name can never become markup (and the Content-Security-Policy needs no inline code).

/**
 * h("a", {href: "/", class: "x", onclick: fn, "aria-label": "y"}, "text", child, [more])
 * Attributes: `class`, `text`, `dataset` (an object), `on<event>` (a function), `hidden` and
 * other booleans (true sets, false or null leaves out); the rest are set as attributes.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") element.className = value;
    else if (name === "text") element.textContent = value;
    else if (name === "dataset") Object.assign(element.dataset, value);
    else if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (value === true) element.setAttribute(name, "");
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

/** Appends children: strings and numbers as text, nodes as they are, arrays flattened. */
export function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** Replaces every child of `element`. */
export function replace(element, ...children) {
  element.replaceChildren();
  return append(element, children);
}

/** An element by id (the page's shell has them all). */
export function byId(id) {
  return document.getElementById(id);
}
