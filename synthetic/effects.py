"""Planted effects: an org with known truths for the insights to find (docs/insights.md), opt
in through ``generate_bundle(..., effects=Effects(...))``; without it the generator's output is
unchanged, byte for byte.

With any ``Effects`` (even one that plants nothing: the *control* org), every team habit has a
score of its own, drawn independently, instead of the one tempo score that drives them all in
the default org (where fast teams are fast at everything, so many KPIs go together). On top of
that, each effect that is set is planted:

* ``correlation``: the merge habit (review to merge, lead time) and the restore habit (time to
  restore) of the teams go together with this Spearman correlation (a Gaussian copula with
  Pearson r = 2 sin(pi rho / 6)), so ``REVIEW_TO_MERGE_HOURS_P50`` and
  ``TIME_TO_RESTORE_HOURS_P50`` correlate across teams;
* ``outliers``: that many leaf teams fail ``OUTLIER_FAILURE`` of their production deployments
  (``CHANGE_FAILURE_RATE``, against about 1-30% elsewhere);
* ``migration_factor``: every change of a service deployed after the service moved to native AWS
  has its lead time (and each of its stages) multiplied by this factor: its open, first commit,
  reviews and merge are moved towards its deployment;
* ``trend`` and ``season``: changes (and the deployments they trigger) are opened at a rate
  that grows by ``trend`` (0.4: 40%) from the window's start to its end and swings by
  ``season`` (0.3: ±30%) around it over a cycle of ``SEASON_WEEKS`` weeks (a quarter).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from synthetic.delivery import SUCCESS, Changes, Deployments
from synthetic.org import TEAM, Org
from synthetic.tempo import Habits
from synthetic.window import DAY, Ints, Window

WEEK_SECONDS = 7 * DAY

OUTLIER_FAILURE = 0.6
SEASON_WEEKS = 13


@dataclass(frozen=True)
class Effects:
    """What to plant; all off is the control org (independent habits, nothing planted)."""

    correlation: float | None = None
    outliers: int = 0
    migration_factor: float | None = None
    trend: float = 0.0
    season: float = 0.0

    @classmethod
    def planted(cls) -> Effects:
        """Every effect, at the sizes the tests and the docs use."""
        return cls(correlation=0.6, outliers=5, migration_factor=0.5, trend=0.4, season=0.3)


@dataclass
class Planted:
    """The truths planted, for whoever checks that they are found."""

    effects: Effects
    #: the outlier teams' ids
    outlier_teams: list[str] = field(default_factory=list)


def habits(rng: np.random.Generator, org: Org, effects: Effects) -> Habits:
    """Independent scores per habit; merge and restore correlated when asked."""
    n = org.size
    pace, merge, review, deploy, failure, restore = rng.normal(0.0, 1.0, (6, n))
    if effects.correlation is not None:
        r = 2 * math.sin(math.pi * effects.correlation / 6)
        restore = r * merge + math.sqrt(1 - r * r) * restore
    # a wide, noise-free restore habit: the median of a team's few dozen incidents follows it
    return Habits(pace, merge, review, deploy, failure, restore, restore_spread=1.0,
                  restore_noise=0.0)  # fmt: skip


def plant_outliers(
    rng: np.random.Generator, org: Org, failure: np.ndarray, effects: Effects
) -> tuple[np.ndarray, list[str]]:
    """``failure`` with ``effects.outliers`` leaf teams at ``OUTLIER_FAILURE``, and their ids."""
    if not effects.outliers:
        return failure, []
    leaves = np.flatnonzero(org.kind[: org.initial] == TEAM)
    chosen = np.sort(rng.choice(leaves, size=min(effects.outliers, len(leaves)), replace=False))
    out = failure.copy()
    out[chosen] = OUTLIER_FAILURE
    return out, [f"t{i + 1}" for i in chosen.tolist()]


def thin(rng: np.random.Generator, window: Window, changes: Changes, effects: Effects) -> Changes:
    """The changes kept with a probability that follows the trend and the season."""
    if not effects.trend and not effects.season:
        return changes
    share = changes.opened / window.seconds
    weeks = changes.opened / WEEK_SECONDS
    rate = (1 + effects.trend * share) * (
        1 + effects.season * np.sin(2 * np.pi * weeks / SEASON_WEEKS)
    )
    keep = rng.random(len(rate)) * (1 + effects.trend) * (1 + effects.season) < rate
    return Changes(*(getattr(changes, name)[keep] for name in Changes.__dataclass_fields__))


def deployed(changes: Changes, deploys: Deployments, named: Ints) -> Ints:
    """When each change's lead time ends (graph/samples.py's rule): the deployment it names if
    that one succeeded in production, else its service's first successful production
    deployment at or after its merge; -1 when there is none or the change is not merged."""
    live = deploys.production & (deploys.status == SUCCESS)
    at = np.full(len(changes.service), -1, dtype=np.int64)
    if len(deploys.number):
        index = named - deploys.number[0]
        ok = (named >= 0) & (index < len(live))
        ok[ok] = live[index[ok]]
        at[ok] = deploys.finished[index[ok]]
    span = int(max(deploys.finished.max(initial=0), changes.merged.max(initial=0))) + 1
    key = deploys.service[live] * span + deploys.finished[live]
    merged = (changes.merged >= 0) & (at < 0)
    want = changes.service[merged] * span + changes.merged[merged]
    found = np.searchsorted(key, want, side="left")
    inside = found < len(key)
    hit = np.zeros(len(want), dtype=bool)
    hit[inside] = key[found[inside]] // span == changes.service[merged][inside]
    rows = np.flatnonzero(merged)
    at[rows[hit]] = key[found[hit]] % span
    return at


def faster_after_migration(
    changes: Changes, deploys: Deployments, named: Ints, migration_day: Ints, effects: Effects
) -> Changes:
    """Changes whose lead time ends after their service migrated, their lead time scaled by
    ``effects.migration_factor``: every instant ``t`` before the deployment ``d`` becomes
    ``d - f (d - t)``, so each stage shrinks by ``f`` and the deployment that ships the change
    stays the first one after its merge."""
    factor = effects.migration_factor
    if factor is None:
        return changes
    end = deployed(changes, deploys, named)
    moved = migration_day[changes.service] * DAY
    scaled = (end >= 0) & (changes.merged >= 0) & (end >= changes.merged) & (end >= moved)

    def shrink(instants: Ints) -> Ints:
        squeezed = end - np.round(factor * (end - instants)).astype(np.int64)
        return np.where(scaled & (instants >= 0), squeezed, instants)

    return Changes(
        service=changes.service,
        opened=shrink(changes.opened),
        first_commit=shrink(changes.first_commit),
        merged=shrink(changes.merged),
        author=changes.author,
        added=changes.added,
        deleted=changes.deleted,
    )
