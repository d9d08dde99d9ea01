"""Dashboard benchmark: the time to first render of a team's view (by default the largest
root's), measured in the browser with the Performance API: the page marks ``orgraph:cards``
when its KPI cards are drawn and ``orgraph:team-complete`` when the trends, the children and
the services are too; each mark's ``startTime`` is milliseconds since the navigation started.

    .venv/bin/python -m bench.dashboard --db sqlite:////tmp/b20k.db [--loads 10]
    .venv/bin/python -m bench.dashboard --url http://127.0.0.1:8000 [--team t1]

With ``--db`` it serves that store with ``orgraph serve`` (a process of its own, as a user runs
it) and waits until it is ready; with ``--url`` it uses a running server. Debian's chromium,
headless (tests/api/browser.py). Scenarios, each over ``--loads`` page loads:

- the first load after the server started (it builds the structure date's view);
- a new visitor: a fresh browser context each time (no cached file), the same view;
- a returning visitor: the same context reloaded (files from the browser's cache);
- a new visitor asking a window no request asked before (``to`` a day earlier each time, the
  structure date pinned): nothing the server computed is reused.

Prints a Markdown table (p50 and p95, nearest rank). ``--screenshot PATH`` keeps a screenshot
of the last load (docs/dashboard.png is taken this way, on the demo org).
"""

from __future__ import annotations

import argparse
import math
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx

from tests.api.browser import ARGS, CHROMIUM

CARDS = "orgraph:cards"
COMPLETE = "orgraph:team-complete"


@contextmanager
def served(db: str) -> Iterator[str]:
    """``orgraph serve --open`` over ``db`` on a free port (the bench measures the page, not
    the tokens: bench/api.py compares those), until it is ready; its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-c", "from cli import main; main()", "serve"]
    with subprocess.Popen(
        [*command, "--db", db, "--port", str(port), "--open"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    ) as server:
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(1200):
                try:
                    if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.5)
            else:
                raise RuntimeError("the server did not get ready in 10 minutes")
            yield base
        finally:
            server.terminate()
            server.wait(timeout=60)


def largest_root(base: str) -> tuple[str, int]:
    query = "{ roots { key descendants(first: 0) { totalCount } } }"
    roots = httpx.post(f"{base}/graphql", json={"query": query}, timeout=60).json()["data"]
    best = max(roots["roots"], key=lambda r: r["descendants"]["totalCount"])
    return best["key"], best["descendants"]["totalCount"] + 1


def default_window(base: str) -> tuple[date, date]:
    """The page's default window end (the day after the last day of data) and structure date."""
    query = "{ kpiDefinitions { dataTo } }"
    found = httpx.post(f"{base}/graphql", json={"query": query}, timeout=60).json()["data"]
    last = max(date.fromisoformat(d["dataTo"]) for d in found["kpiDefinitions"] if d["dataTo"])
    return last + timedelta(days=1), last


def timed(page: Any, url: str) -> tuple[float, float]:
    """Loads ``url``; the start times of the two marks, in ms since the navigation began."""
    page.goto(url)
    for _ in range(1200):
        times = page.evaluate(
            f"[{CARDS!r}, {COMPLETE!r}].map(n => performance.getEntriesByName(n)[0]?.startTime)"
        )
        if all(t is not None for t in times):
            return float(times[0]), float(times[1])
        if page.locator("#alert:not([hidden]), main .error").count():
            raise RuntimeError(f"the page shows an error: {page.locator('#alert').inner_text()}")
        page.wait_for_timeout(25)
    raise RuntimeError(f"{url}: no {COMPLETE} mark after 30 s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", help="serve this store (orgraph serve) for the run")
    where.add_argument("--url", help="use this running server")
    parser.add_argument("--team", help="the team whose view is loaded (default: largest root)")
    parser.add_argument("--loads", type=int, default=10)
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=800)
    parser.add_argument("--screenshot", type=Path, help="keep a screenshot of the last load")
    options = parser.parse_args()
    with served(options.db) if options.db else _running(options.url) as base:
        run(base, options)


@contextmanager
def _running(url: str) -> Iterator[str]:
    yield url.rstrip("/")


def run(base: str, options: argparse.Namespace) -> None:
    from playwright.sync_api import ViewportSize, sync_playwright

    team, size = (options.team, 0) if options.team else largest_root(base)
    end, structure = default_window(base)
    url = f"{base}/?team={team}"
    viewport = ViewportSize(width=options.width, height=options.height)
    results: dict[str, list[tuple[float, float]]] = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            first = browser.new_context(viewport=viewport)
            results["first load after start (builds the view)"] = [timed(first.new_page(), url)]
            first.close()
            visits = results["new visitor (no cached file)"] = []
            for _ in range(options.loads):
                context = browser.new_context(viewport=viewport)
                visits.append(timed(context.new_page(), url))
                context.close()
            context = browser.new_context(viewport=viewport)
            page = context.new_page()
            timed(page, url)
            results["returning visitor (files cached)"] = [
                timed(page, url) for _ in range(options.loads)
            ]
            fresh = results["new visitor, a window never asked before"] = []
            for i in range(options.loads):
                to = end - timedelta(days=1 + i)
                window = f"&asOf={structure}&from={to - timedelta(days=364)}&to={to}"
                visitor = browser.new_context(viewport=viewport)
                fresh.append(timed(visitor.new_page(), url + window))
                visitor.close()
            if options.screenshot:
                timed(page, url)
                options.screenshot.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(options.screenshot))
            context.close()
        finally:
            browser.close()
    print(f"\nteam {team}" + (f" (a root of {size:,} teams)" if size else "") + f", {url}\n")
    print("| scenario | loads | cards drawn p50 ms | p95 ms | whole view p50 ms | p95 ms |")
    print("|---|---|---|---|---|---|")
    for name, times in results.items():
        cards = [t[0] for t in times]
        whole = [t[1] for t in times]
        print(
            f"| {name} | {len(times)} | {percentile(cards, 0.5):,.0f} | "
            f"{percentile(cards, 0.95):,.0f} | {percentile(whole, 0.5):,.0f} | "
            f"{percentile(whole, 0.95):,.0f} |"
        )


if __name__ == "__main__":
    main()
