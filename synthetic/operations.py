"""Incidents and the coverage / debt snapshots of a batch of services.

Incidents come from two sources: a production deployment goes wrong (more often a failed
or rolled-back one, and more often in a team with a poor change failure rate), or something
just breaks (a tier-dependent rate, at any hour). Most carry the deployment that caused them
when there is one; most are resolved after the team's typical time to restore; a few are
never resolved, or still open when the window ends.

Coverage and debt are measured by the same scanner on the first of the month, monthly for
a few services, quarterly for most, never for about 40%. Codebases grow slowly, coverage
drifts, and a service's debt drops by about 30% once it has migrated to native AWS.
"""

from __future__ import annotations

import math

import numpy as np

from synthetic.delivery import SUCCESS, Deployments
from synthetic.window import DAY, HOUR, MINUTE, NONE, Ints, ids_of
from synthetic.world import Numbering, World
from synthetic.writer import Column

SEVERITIES = ("SEV1", "SEV2", "SEV3", "SEV4")
UNRESOLVED_SHARE = 0.03
UNATTRIBUTED_SHARE = 0.15


def incident_rows(
    rng: np.random.Generator,
    world: World,
    services: Ints,
    deploys: Deployments,
    numbering: Numbering,
) -> list[Column]:
    window, tempo = world.window, world.tempo
    team = world.services.first_owner
    # Incidents a deployment caused start within the hour or so after it finished.
    risk = tempo.incident_per_deploy[team[deploys.service]]
    risk = np.where(deploys.status == SUCCESS, risk, 3 * risk)
    caused = np.flatnonzero(deploys.production & (rng.random(len(risk)) < risk))
    lag = MINUTE + rng.exponential(45 * MINUTE, len(caused)).astype(np.int64)
    cause = np.where(rng.random(len(caused)) < UNATTRIBUTED_SHARE, NONE, deploys.number[caused])
    count = rng.poisson(world.rates.incidents_per_year[services] * window.days / 365.25)
    service = np.concatenate([deploys.service[caused], np.repeat(services, count)])
    started = np.concatenate(
        [deploys.finished[caused] + lag, window.any_times(rng, int(count.sum()))]
    )
    cause = np.concatenate([cause, np.full(int(count.sum()), NONE, dtype=np.int64)])
    keep = started < window.seconds
    service, started, cause = service[keep], started[keep], cause[keep]
    order = np.lexsort((started, service))
    service, started, cause = service[order], started[order], cause[order]
    n = len(service)
    hours = rng.lognormal(0.0, 1.0, n) * tempo.restore_hours[team[service]]
    resolved = started + np.maximum(5 * MINUTE, (hours * HOUR).astype(np.int64))
    open_ = (resolved >= window.seconds) | (rng.random(n) < UNRESOLVED_SHARE)
    severity = rng.choice(4, n, p=[0.04, 0.16, 0.40, 0.40])
    return [
        ids_of("i", numbering.take("incidents", n)),
        world.service_ids[service].tolist(),
        window.stamps(started),
        window.stamps(np.where(open_, NONE, resolved)),
        np.array(SEVERITIES, dtype=object)[severity].tolist(),
        ids_of("d", cause),
    ]


def snapshot_rows(
    rng: np.random.Generator, world: World, services: Ints
) -> tuple[list[Column], list[Column]]:
    """The ``coverage`` and ``debt`` rows of ``services``: one per service and snapshot."""
    months = world.window.month_starts()
    every = world.rates.snapshot_every[services]
    phase = world.rates.snapshot_phase[services]
    month = np.arange(len(months))
    measured = (every[:, None] > 0) & (
        (month[None, :] - phase[:, None]) % np.maximum(every, 1)[:, None] == 0
    )
    at, index = np.nonzero(measured)
    k = len(services)
    service = services[at]
    lines = np.maximum(500, rng.lognormal(math.log(30_000), 1.0, k))[at]
    growth = rng.normal(0.008, 0.006, k)[at]
    total = np.round(lines * (1 + growth) ** index).astype(np.int64)
    ratio = rng.beta(5.0, 3.0, k)[at] + rng.normal(0.002, 0.004, k)[at] * index
    ratio = np.clip(ratio + rng.normal(0.0, 0.01, len(at)), 0.0, 1.0)
    covered = np.floor(total * ratio).astype(np.int64)
    measured_at = months[index]
    migrated = measured_at >= world.services.migration_day[service] * DAY
    debt = rng.lognormal(math.log(2_500), 1.0, k)[at] * np.exp(
        rng.normal(0.005, 0.02, k)[at] * index + rng.normal(0.0, 0.05, len(at))
    )
    minutes = np.round(debt * np.where(migrated, 0.7, 1.0)).astype(np.int64)
    items = np.round(minutes / rng.lognormal(math.log(45), 0.3, len(at))).astype(np.int64)
    ids = world.service_ids[service].tolist()
    stamps = world.window.stamps(measured_at)
    coverage = [ids, stamps, covered.tolist(), total.tolist()]
    return coverage, [ids, stamps, minutes.tolist(), items.tolist()]
