"""How each team works, and the event rates of each service that follow from it.

A single "tempo" score per team (standard normal) drives the habits that go together in real
organisations: elite teams (tempo around +2, a few %) merge many small changes fast, deploy
each merge automatically, fail rarely and restore quickly; slow teams take days to merge and
ship what is merged on a release train (every 2-3 days, weekly, fortnightly or monthly).
Within a team, work concentrates on a few hot services (a Dirichlet share) while the rest
change rarely.

The rates are calibrated so that a bundle holds about 500 fact rows per org unit over two
years (10M rows at 20,000 teams).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from synthetic.org import Org
from synthetic.services import Services
from synthetic.window import Floats, Ints, Window

#: Mean merged-or-not changes per code-writing person and week.
CHANGES_PER_AUTHOR_WEEK = 0.125
#: Deployments per service and week that no merge triggered (config, dependency bumps).
BACKGROUND_DEPLOYS_PER_WEEK = 0.015
#: Incidents per service and year not tied to a deployment, by tier.
INCIDENTS_PER_YEAR = (3.0, 1.8, 1.0)
#: Weekly change rate floor of a service that changes owner or migrates, so that its events
#: span both periods.
BUSY_FLOOR = 0.08


@dataclass(frozen=True)
class Tempo:
    """Per team (by index): its working habits."""

    score: Floats
    changes_per_week: Floats
    merge_share: Floats
    merge_hours: Floats
    review_hours: Floats
    approval: Floats
    auto_deploy: Floats
    #: Days between release trains, and the window day of the first one.
    release_every: Ints
    release_phase: Ints
    failure: Floats
    incident_per_deploy: Floats
    restore_hours: Floats
    remote_share: Floats
    change_lines: Floats


@dataclass(frozen=True)
class Rates:
    """Per service (by index): how often things happen to it."""

    changes_per_week: Floats
    deploys_per_week: Floats
    incidents_per_year: Floats
    #: Months between coverage/debt snapshots (0 = never measured) and the first month.
    snapshot_every: Ints
    snapshot_phase: Ints


@dataclass(frozen=True)
class Habits:
    """One score per team and habit, for an org whose habits do not go together (the planted
    effects of ``synthetic/effects.py``); by default one tempo score drives them all."""

    pace: Floats
    merge: Floats
    review: Floats
    deploy: Floats
    failure: Floats
    restore: Floats
    #: how strongly the restore score sets the time to restore, and the per-team noise on it
    restore_spread: float = 0.5
    restore_noise: float = 0.3


def team_tempo(
    rng: np.random.Generator, org: Org, authors: Ints, window: Window, habits: Habits | None = None
) -> Tempo:
    n = org.size
    z = rng.normal(0.0, 1.0, n)
    own = habits or Habits(z, z, z, z, z, z)
    every, phase = _release_trains(rng, own.deploy, window)
    spread = 0.9
    # e^(spread * z) has mean e^(spread^2 / 2): divide it out to keep the calibrated mean.
    pace = np.exp(spread * own.pace - spread**2 / 2)
    platform_team = org.parent == org.platform
    return Tempo(
        score=z,
        changes_per_week=CHANGES_PER_AUTHOR_WEEK * authors.astype(np.float64) * pace,
        merge_share=rng.uniform(0.80, 0.95, n),
        merge_hours=np.exp(math.log(12) - 0.9 * own.merge),
        review_hours=np.exp(math.log(3) - 0.6 * own.review),
        approval=rng.uniform(0.75, 0.98, n),
        auto_deploy=np.clip(1 / (1 + np.exp(0.3 - 1.8 * own.deploy)), 0.02, 0.97),
        release_every=every,
        release_phase=phase,
        failure=np.clip(0.09 - 0.04 * own.failure, 0.01, 0.3),
        incident_per_deploy=np.clip(0.025 - 0.01 * own.failure, 0.003, 0.08),
        restore_hours=np.exp(
            math.log(3) - own.restore_spread * own.restore + own.restore_noise * rng.normal(0, 1, n)
        ),
        # Platform teams own shared services that everybody contributes to.
        remote_share=np.where(
            platform_team, rng.uniform(0.15, 0.35, n), rng.uniform(0.05, 0.22, n)
        ),
        change_lines=np.exp(rng.normal(math.log(60), 0.4, n)),
    )


def _release_trains(rng: np.random.Generator, z: Floats, window: Window) -> tuple[Ints, Ints]:
    n = len(z)
    every = np.select([z > 0.5, z > -0.5, z > -1.3], [2 + (rng.random(n) < 0.5), 7, 14], 28).astype(
        np.int64
    )
    # Weekly and slower trains leave on a Tuesday, Wednesday or Thursday.
    weekday = (rng.integers(1, 4, n) - window.start.weekday()) % 7
    weekly = weekday + 7 * (rng.random(n) * (every // 7)).astype(np.int64)
    phase = np.where(every >= 7, weekly, (rng.random(n) * every).astype(np.int64))
    return every, phase.astype(np.int64)


def service_rates(
    rng: np.random.Generator, services: Services, tempo: Tempo, window: Window
) -> Rates:
    owner = services.first_owner
    n = services.size
    weight = rng.gamma(0.7, 1.0, n)
    weight /= np.bincount(owner, weights=weight)[owner]
    changes = tempo.changes_per_week[owner] * weight
    busy = (services.handover_day < window.days) | (services.migration_day < window.days)
    changes = np.where(busy, np.maximum(changes, BUSY_FLOOR), changes)
    incidents = np.array(INCIDENTS_PER_YEAR)[services.tier]
    every = np.array([0, 1, 3])[rng.choice(3, n, p=[0.40, 0.05, 0.55])]
    return Rates(
        changes_per_week=changes,
        deploys_per_week=np.full(n, BACKGROUND_DEPLOYS_PER_WEEK),
        incidents_per_year=incidents,
        snapshot_every=every.astype(np.int64),
        snapshot_phase=rng.integers(0, 3, n),
    )
