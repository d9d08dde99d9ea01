"""Generated orgs with planted effects (synthetic/effects.py) and their engines, built once per
test process: the insights' tests check that what was planted is found, and that nothing is
found in the control org."""

from __future__ import annotations

import functools
import tempfile
from datetime import date, timedelta
from pathlib import Path

from graph.engine import Engine
from graph.view import OrgView
from store.frames import read_bundle
from synthetic import Effects, Planted, generate_bundle

END = date(2026, 1, 1)
#: the whole generated history: two years
START = END - timedelta(days=730)
TEAMS = 400

ORGS = {
    "control": Effects(),
    "correlated": Effects(correlation=0.6, outliers=5),
    "migrated": Effects(migration_factor=0.5),
    "seasonal": Effects(trend=0.4, season=0.3),
}


@functools.cache
def planted(name: str, seed: int = 3) -> tuple[Engine, Planted]:
    """The engine over an org generated with ``ORGS[name]``, and what was planted."""
    directory = Path(tempfile.mkdtemp(prefix=f"orgraph-{name}-"))
    report = generate_bundle(directory, teams=TEAMS, seed=seed, end=END, effects=ORGS[name])
    assert report.planted is not None
    return Engine(read_bundle(directory)), report.planted


def view_of(name: str, seed: int = 3) -> OrgView:
    return planted(name, seed)[0].view(END)


def largest_root(view: OrgView) -> str:
    return max(view.tree.roots, key=lambda r: len(view.tree.subtree(r)))
