// Every request to the API goes through graphql() below: one place that adds the token, reads
// the GraphQL-over-HTTP answer and turns every failure into an ApiError with a code to show.

// the key GraphiQL's page reads too, so that a token set here also fills its Headers pane
const TOKEN_KEY = "orgraph.token";
const ENDPOINT = "/graphql";

/** The API token of this tab (sessionStorage), or "" when none is set. */
export function getToken() {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? "";
  } catch {
    return ""; // storage refused (a privacy mode): no token
  }
}

/** Keeps `token` for this tab; an empty one removes it. */
export function setToken(token) {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage refused: the token is not kept
  }
}

/** A request the API refused or failed: `code` is the API's `extensions.code` (or HTTP_<n>,
 * NETWORK_ERROR, BAD_RESPONSE), `status` the HTTP status, `extensions` the first error's. */
export class ApiError extends Error {
  constructor(message, { code, status = 0, extensions = {}, errors = [] }) {
    super(message);
    this.name = "ApiError";
    this.code = code;
    this.status = status;
    this.extensions = extensions;
    this.errors = errors;
  }
}

/** How often a request is tried again: once after a TIMEOUT (the first request at a new
 * structure date builds that date's view and may run out of time; the next one answers from
 * it: docs/api.md), and while the server answers NOT_READY (its indexes are being built at
 * start-up) for up to about two minutes, after the Retry-After it names. */
const RETRIES = { TIMEOUT: 1, NOT_READY: 24 };
let waiting = () => {};

/** `listener(text)` is told when a request waits to be tried again ("" when it goes on). */
export function onWaiting(listener) {
  waiting = listener;
}

function pause(seconds, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, seconds * 1000);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(new DOMException("aborted", "AbortError"));
    });
  });
}

/**
 * POST a GraphQL document with its variables; resolves to `data`. Any error in the answer
 * (also a partial answer: data with errors) rejects with an ApiError: the page shows the
 * message rather than a half-drawn view. Every query of the page only reads, so a TIMEOUT or
 * NOT_READY is tried again (RETRIES).
 */
export async function graphql(query, variables = {}, { signal } = {}) {
  const tries = {};
  for (;;) {
    try {
      const data = await ask(query, variables, signal);
      if (Object.keys(tries).length) waiting("");
      return data;
    } catch (error) {
      const code = error instanceof ApiError ? error.code : "";
      tries[code] = (tries[code] ?? 0) + 1;
      if (!(code in RETRIES) || tries[code] > RETRIES[code]) {
        if (Object.keys(tries).length) waiting("");
        throw error;
      }
      const seconds = code === "NOT_READY" ? error.retryAfter || 5 : 0;
      waiting(
        code === "NOT_READY"
          ? `The server is still building its indexes: trying again in ${seconds} s…`
          : "The server is preparing this structure date: trying again…",
      );
      await pause(seconds, signal);
    }
  }
}

async function ask(query, variables, signal) {
  const headers = {
    "content-type": "application/json",
    accept: "application/graphql-response+json, application/json;q=0.9",
  };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(ENDPOINT, {
      method: "POST",
      headers,
      body: JSON.stringify({ query, variables }),
      signal,
      credentials: "same-origin",
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(`the server could not be reached (${error.message})`, {
      code: "NETWORK_ERROR",
    });
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    // not JSON: said below with the status
  }
  const errors = Array.isArray(body?.errors) ? body.errors : [];
  if (errors.length > 0) {
    const first = errors[0];
    const failure = new ApiError(String(first.message ?? "the API answered with an error"), {
      code: first.extensions?.code ?? `HTTP_${response.status}`,
      status: response.status,
      extensions: first.extensions ?? {},
      errors,
    });
    failure.retryAfter = Number(response.headers.get("retry-after")) || 0;
    throw failure;
  }
  if (!response.ok || body === null || typeof body.data !== "object" || body.data === null) {
    throw new ApiError(`the API answered HTTP ${response.status} ${response.statusText}`.trim(), {
      code: response.ok ? "BAD_RESPONSE" : `HTTP_${response.status}`,
      status: response.status,
    });
  }
  return body.data;
}

/** What to tell the user about an error: a sentence and the code. */
export function describeError(error) {
  if (!(error instanceof ApiError)) {
    return { title: "Something went wrong in the page", detail: String(error?.message ?? error), code: "" };
  }
  const hints = {
    QUERY_TOO_COSTLY: "The request is over the API's cost budget: choose a shorter window or a smaller page.",
    BAD_USER_INPUT: "The API could not use a value of the request: check the dates and the team in the address.",
    TIMEOUT: "The API took too long: try a shorter window.",
    NOT_READY: "The server is still building its indexes: try again in a few seconds.",
    NETWORK_ERROR: "Check that the orgraph server is running.",
    UNAUTHENTICATED: "The API asks for a token: set one under Settings.",
    HTTP_401: "The API asks for a token: set one under Settings.",
    FORBIDDEN: "The API token does not allow this team or figure: choose a team in its scope, or another token under Settings.",
    HTTP_403: "The API token does not allow this: check it under Settings.",
    RATE_LIMITED: "Too many requests for this token's budget: wait a moment and try again.",
  };
  const budget = error.code === "QUERY_TOO_COSTLY" && error.extensions.cost !== undefined
    ? ` (estimated cost ${error.extensions.cost}, budget ${error.extensions.budget})`
    : "";
  return {
    title: hints[error.code] ?? "The API refused the request.",
    detail: `${error.message}${budget}`,
    code: error.code,
  };
}
