"""Insights benchmark (docs/insights.md): in process, over the engine of a generated org.

    .venv/bin/python -m bench.insights --teams 20000

A bundle is generated (seed 1, data to 2026-01-01) in a child process, then another child
builds the engine from its files and times, p50 / p95:

* the correlations of every catalogue KPI across the children of the widest node (1,202 at
  20,000 teams) over 365 days, each run over a window moved back one more day, so that no run
  reuses the KPI values an earlier one computed (and, beside it, the same matrix again: the
  view's caches, and once more under the server's privacy floor of 5 people, in a new view);
* a 26-week forecast of the root's deployments per week, each run with its history ending one
  more day back (a new series every run), and the same forecast again (the series cached, the
  model fitted anew);
* for scale, outliers over the same children (over windows of their own, moved back 100 days
  more: the correlations' windows would be answered from the view's caches), the root's
  bottlenecks and the root's migration effect.

Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.load import END, peak_mb, run_child, step_generate
from bench.rollup import timed
from graph import insights
from graph.catalogue import Kpi

START = END - timedelta(days=365)
#: the outliers' windows start this many days further back than the correlations' (which move
#: back one day a run, for at most a few dozen runs)
OUTLIER_SHIFT = 100
#: the privacy floor ``orgraph serve`` applies by default (docs/security.md)
SERVER_FLOOR = 5


def step_insights(bundle: str) -> dict[str, Any]:
    from graph.engine import Engine
    from store.frames import read_bundle

    started = time.perf_counter()
    engine = Engine(read_bundle(Path(bundle)))
    view = engine.view(END)
    built = time.perf_counter() - started
    tree = view.tree
    root = max(tree.roots, key=lambda r: len(tree.subtree(r)))
    wide = max(tree.team_ids, key=lambda t: len(tree.children(t)))
    children = len(tree.children(wide))

    def back(k: int) -> tuple[Any, Any]:
        return START - timedelta(days=k), END - timedelta(days=k)

    def matrix(k: int) -> insights.Correlations:
        return insights.correlations(view, wide, *back(k), tuple(Kpi), level=1)

    def floored() -> dict[str, float]:
        """The correlations under the server's privacy floor (last: a new view replaces the
        one above)."""
        engine.set_privacy_floor(SERVER_FLOOR)
        again = engine.view(END)
        return timed(
            lambda k: insights.correlations(again, wide, *back(k), tuple(Kpi), level=1), runs=30
        )

    found = matrix(0)
    forecast = insights.forecast(view, Kpi.DEPLOYMENTS_PER_WEEK, root, 26)
    return {
        "build_s": built,
        "root": root,
        "wide": wide,
        "children": children,
        "kpis": len(Kpi),
        "pairs": len(found.pairs),
        "significant": sum(p.significant for p in found.pairs),
        "model": None if forecast.model is None else forecast.model.value,
        "season": forecast.season,
        "mase": forecast.mase,
        "correlations": timed(lambda k: matrix(k), runs=30),
        "correlations_repeated": timed(lambda k: matrix(0), runs=30),
        "forecast": timed(
            lambda k: insights.forecast(
                view, Kpi.DEPLOYMENTS_PER_WEEK, root, 26, end=END - timedelta(days=k)
            ),
            runs=60,
        ),
        "forecast_repeated": timed(
            lambda k: insights.forecast(view, Kpi.DEPLOYMENTS_PER_WEEK, root, 26), runs=60
        ),
        "outliers": timed(
            # windows the correlations did not read (else the view's caches would answer)
            lambda k: insights.outliers(
                view, Kpi.LEAD_TIME_HOURS_P50, wide, *back(OUTLIER_SHIFT + k), level=1
            ),
            runs=30,
        ),
        "bottlenecks": timed(lambda k: insights.bottlenecks(view, root, *back(k)), runs=60),
        "migration": timed(
            lambda k: insights.migration(view, root, START - timedelta(days=365 + 31 * k), END),
            runs=3,
            budget=1.0,
        ),
        "peak_mb": peak_mb(),  # before the second view
        "correlations_floor": floored(),
    }


def _row(name: str, found: dict[str, float], note: str = "") -> str:
    return (
        f"| {name} | {found['p50_ms']:,.1f} | {found['p95_ms']:,.1f} | {found['runs']:.0f} | "
        f"{note} |"
    )


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        step, *rest = sys.argv[2:]
        steps = {
            "generate": lambda: step_generate(Path(rest[0]), int(rest[1])),
            "insights": lambda: step_insights(rest[0]),
        }
        print(json.dumps(steps[step]()))
        return
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--teams", type=int, default=20000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="orgraph-bench-insights-") as work:
        bundle = Path(work) / "bundle"
        run_child("bench.insights", "generate", str(bundle), str(options.teams))
        found = run_child("bench.insights", "insights", str(bundle))
    n, k = found["children"], found["kpis"]
    print(
        f"{options.teams:,} teams: engine built from the files in {found['build_s']:.1f} s, "
        f"peak {found['peak_mb']:,.0f} MB; widest node {found['wide']} ({n} children), "
        f"root {found['root']}\n"
    )
    print("| insight | p50 ms | p95 ms | runs | what |\n|---|---|---|---|---|")
    rows = [
        _row(
            f"correlations, {k} KPIs x {n} teams",
            found["correlations"],
            f"{found['pairs']} pairs, {found['significant']} significant; a new window each run",
        ),
        _row("the same, repeated", found["correlations_repeated"], "the view's cached values"),
        _row(
            f"the same, privacy floor {SERVER_FLOOR}",
            found["correlations_floor"],
            "a new window each run; the people KPIs of teams under the floor withheld",
        ),
        _row(
            "forecast of the root, 26 weeks",
            found["forecast"],
            f"{found['model']}, season {found['season']}, MASE {found['mase']:.2f}; a new "
            "series each run",
        ),
        _row("the same, repeated", found["forecast_repeated"], "the series cached, model refitted"),
        _row(f"outliers, lead time x {n} teams", found["outliers"], "a new window each run"),
        _row("bottlenecks of the root", found["bottlenecks"], "a new window each run"),
        _row("migration effect of the root", found["migration"], "two years of service-months"),
    ]
    print("\n".join(rows))


if __name__ == "__main__":
    main()
