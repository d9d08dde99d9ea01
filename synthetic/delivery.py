"""Changes, their reviews, and deployments of a batch of services.

A change is opened in office hours, its first commit a few hours earlier, and most changes
merge hours to days later (the team's habit). A merge triggers a deployment with the team's
auto-deploy probability, else it waits for the team's next release train, which deploys
each service with merged changes waiting; services also deploy now and then without a
merge. A merged change names the first successful production deployment of its service at
or after its merge, which is what its lead time measures. Authors are members of the owning
team at that moment, except for the team's share of remote contributors and a few % of bots
(no author); reviewers are other members of the owning team.

A handful of rows break the contract's warning rules on purpose (see ``WARNING_RATE``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from synthetic.window import DAY, HOUR, MINUTE, NONE, Bools, Ints, ids_of
from synthetic.world import WARNING_RATE, Numbering, World
from synthetic.writer import Column

STATUSES = ("success", "failed", "rolled_back")
SUCCESS, FAILED, ROLLED_BACK = range(3)
REVIEW_STATES = ("approved", "changes_requested", "commented")
APPROVED = 0
BOT_SHARE = 0.03
STAGING_SHARE = 0.05
UNLINKED_SHARE = 0.05
SELF_REVIEW_SHARE = 1e-3
#: Release trains leave at 15:00 UTC.
TRAIN_HOUR = 15 * HOUR


@dataclass(frozen=True)
class Changes:
    service: Ints
    opened: Ints
    first_commit: Ints
    merged: Ints
    author: Ints
    added: Ints
    deleted: Ints


@dataclass(frozen=True)
class Deployments:
    """Sorted by service, then finish time."""

    service: Ints
    started: Ints
    finished: Ints
    status: Ints
    production: Bools
    number: Ints


def open_changes(rng: np.random.Generator, world: World, services: Ints) -> Changes:
    """The changes of ``services``, ordered by service then opening time."""
    window, tempo = world.window, world.tempo
    count = rng.poisson(world.rates.changes_per_week[services] * window.weeks())
    service = np.repeat(services, count)
    opened = window.work_times(rng, len(service))
    order = np.lexsort((opened, service))
    service, opened = service[order], opened[order]
    n = len(service)
    team = world.services.first_owner[service]
    hours = rng.lognormal(0.0, 1.1, n) * tempo.merge_hours[team]
    merged = opened + np.maximum(MINUTE, (hours * HOUR).astype(np.int64))
    merges = (rng.random(n) < tempo.merge_share[team]) & (merged < window.seconds)
    merged = np.where(merges, merged, NONE)
    added = np.round(rng.lognormal(0.0, 1.3, n) * tempo.change_lines[team]).astype(np.int64)
    deleted = np.round(added * rng.beta(1.2, 3.0, n) + rng.poisson(2.0, n)).astype(np.int64)
    return Changes(
        service=service,
        opened=opened,
        first_commit=_first_commits(rng, opened, merged, window.seconds),
        merged=merged,
        author=_authors(rng, world, service, opened),
        added=added,
        deleted=deleted,
    )


def _first_commits(rng: np.random.Generator, opened: Ints, merged: Ints, end: int) -> Ints:
    """Mostly hours before the change opened; a few after (amended), a few unknown."""
    n = len(opened)
    before = np.maximum(0, opened - (rng.lognormal(math.log(5 * HOUR), 1.3, n)).astype(np.int64))
    # "After opening" stays before the merge, or within the hour for an unmerged change.
    until = np.where(merged >= 0, merged, np.minimum(opened + HOUR, end - 1))
    after = opened + (rng.random(n) * (until - opened)).astype(np.int64)
    kind = rng.random(n)
    first = np.where(kind < 0.04, after, before)
    first = np.where(kind > 0.95, NONE, first)
    # Warning on purpose: a first commit after the merge.
    late = merged + rng.integers(MINUTE, 3 * HOUR, n)
    warn = (rng.random(n) < WARNING_RATE) & (merged >= 0) & (late < end)
    return np.where(warn, late, first)


def _authors(rng: np.random.Generator, world: World, service: Ints, opened: Ints) -> Ints:
    n = len(service)
    owner = world.services.owner_at(service, opened)
    kind = rng.random(n)
    remote = kind < world.tempo.remote_share[owner]
    bot = kind > 1 - BOT_SHARE
    author = np.full(n, NONE, dtype=np.int64)
    own = ~remote & ~bot
    author[own] = world.pool.members(rng, owner[own], opened[own], np.full(int(own.sum()), NONE))
    author[remote] = world.pool.outsiders(rng, owner[remote], opened[remote])
    return author


def deploy(
    rng: np.random.Generator, world: World, services: Ints, changes: Changes, numbering: Numbering
) -> Deployments:
    """Merge-triggered, release-train and background deployments of ``services``."""
    window, tempo = world.window, world.tempo
    team = world.services.first_owner
    merged = np.flatnonzero(changes.merged >= 0)
    auto = rng.random(len(merged)) < tempo.auto_deploy[team[changes.service[merged]]]
    pipeline = (rng.lognormal(math.log(30 * MINUTE), 0.8, int(auto.sum()))).astype(np.int64)
    train_service, train_finish = _release_trains(rng, world, changes, merged[~auto])
    count = rng.poisson(world.rates.deploys_per_week[services] * window.weeks())
    period_service, period_finish = _one_per_period(rng, world, services)
    service = np.concatenate(
        [changes.service[merged[auto]], train_service, np.repeat(services, count), period_service]
    )
    finished = np.concatenate(
        [
            changes.merged[merged[auto]] + 2 * MINUTE + pipeline,
            train_finish,
            window.work_times(rng, int(count.sum())),
            period_finish,
        ]
    )
    keep = finished < window.seconds
    service, finished = service[keep], finished[keep]
    order = np.lexsort((finished, service))
    service, finished = service[order], finished[order]
    n = len(service)
    took = np.clip(rng.lognormal(math.log(8 * MINUTE), 0.6, n), MINUTE, 2 * HOUR)
    failed = rng.random(n) < tempo.failure[team[service]]
    status = np.where(failed, np.where(rng.random(n) < 0.35, ROLLED_BACK, FAILED), SUCCESS)
    return Deployments(
        service=service,
        started=np.maximum(0, finished - took.astype(np.int64)),
        finished=finished,
        status=status.astype(np.int64),
        production=rng.random(n) >= STAGING_SHARE,
        number=numbering.take("deployments", n),
    )


def _one_per_period(rng: np.random.Generator, world: World, services: Ints) -> tuple[Ints, Ints]:
    """A deployment inside every owner/platform period of a service that has several, so that
    its history shows on both sides of a handover or migration."""
    service, start, end = world.services.periods(services, world.window.days)
    # Rows come grouped by service: a service has several when a neighbour row shares it.
    same = service[1:] == service[:-1]
    several = np.zeros(len(service), dtype=bool)
    several[1:] |= same
    several[:-1] |= same
    service, start, end = service[several], start[several], end[several]
    at = start * DAY + (rng.random(len(service)) * (end - start) * DAY).astype(np.int64)
    return service, at


def _release_trains(
    rng: np.random.Generator, world: World, changes: Changes, waiting: Ints
) -> tuple[Ints, Ints]:
    """One deployment per service and train day that has merged changes waiting for it."""
    tempo = world.tempo
    team = world.services.first_owner[changes.service[waiting]]
    every, phase = tempo.release_every[team], tempo.release_phase[team]
    # The first day whose 15:00 UTC departure is at or after the merge, then the first
    # train day from there (ceiling divisions, written as negated floor divisions).
    day = -(-(changes.merged[waiting] - TRAIN_HOUR) // DAY)
    day = phase - ((phase - day) // every) * every
    span = world.window.days + int(every.max(initial=1)) + 1
    trains = np.unique(changes.service[waiting] * span + day)
    finished = (trains % span) * DAY + TRAIN_HOUR + rng.integers(0, 2 * HOUR, len(trains))
    return trains // span, finished


def link_deployments(
    rng: np.random.Generator, changes: Changes, deploys: Deployments, span: int
) -> Ints:
    """Per change, the number of the deployment it names (``NONE`` for none).

    ``span`` exceeds every offset, so ``service * span + instant`` orders by service first.
    """
    live = deploys.production & (deploys.status == SUCCESS)
    key = deploys.service[live] * span + deploys.finished[live]
    number, service = deploys.number[live], deploys.service[live]
    merged = np.flatnonzero(changes.merged >= 0)
    want = changes.service[merged] * span + changes.merged[merged]
    at = np.searchsorted(key, want, side="left")
    found = at < len(key)
    found[found] = service[at[found]] == changes.service[merged[found]]
    out = np.full(len(changes.service), NONE, dtype=np.int64)
    linked = found & (rng.random(len(merged)) >= UNLINKED_SHARE)
    out[merged[linked]] = number[at[linked]]
    # Warning on purpose: the deployment named finished before the merge.
    before = at - 1
    early = (before >= 0) & (rng.random(len(merged)) < WARNING_RATE)
    early[early] = service[before[early]] == changes.service[merged[early]]
    out[merged[early]] = number[before[early]]
    return out


def review(
    rng: np.random.Generator, world: World, changes: Changes, numbers: Ints, numbering: Numbering
) -> list[Column]:
    """The ``reviews`` rows of the changes numbered ``numbers``."""
    tempo = world.tempo
    per_change = rng.choice(4, len(numbers), p=[0.05, 0.55, 0.30, 0.10])
    change = np.repeat(np.arange(len(numbers)), per_change)
    n = len(change)
    rank = np.arange(n) - np.repeat(np.cumsum(per_change) - per_change, per_change)
    last = rank == per_change[change] - 1
    opened, merged = changes.opened[change], changes.merged[change]
    team = world.services.first_owner[changes.service[change]]
    # Reviews of a merged change fall, in order, between opening and merge.
    share = (rank + rng.random(n)) / per_change[change]
    in_flight = opened + (share * (merged - opened)).astype(np.int64)
    waited = rng.lognormal(0.0, 1.0, n) * tempo.review_hours[team] * HOUR * (rank + 1)
    submitted = np.where(merged >= 0, in_flight, opened + waited.astype(np.int64))
    keep = submitted < world.window.seconds
    change, submitted, last, team = change[keep], submitted[keep], last[keep], team[keep]
    merged_change = merged[keep] >= 0
    n = len(change)
    approved = np.where(
        merged_change & last, rng.random(n) < tempo.approval[team], rng.random(n) < 0.45
    )
    state = np.where(approved, APPROVED, 1 + (rng.random(n) < 0.5))
    author = changes.author[change]
    owner = world.services.owner_at(changes.service[change], submitted)
    reviewer = world.pool.members(rng, owner, submitted, author)
    # Rarely an author reviews their own change; the KPIs must ignore it.
    own = (rng.random(n) < SELF_REVIEW_SHARE) & (author >= 0)
    reviewer = np.where(own, author, reviewer)
    # Warning on purpose: a review submitted before its change was opened.
    early = changes.opened[change] - rng.integers(MINUTE, HOUR, n)
    submitted = np.where((rng.random(n) < WARNING_RATE) & (early >= 0), early, submitted)
    return [
        ids_of("r", numbering.take("reviews", n)),
        ids_of("c", numbers[change]),
        world.person_ids[reviewer].tolist(),
        world.window.stamps(submitted),
        np.array(REVIEW_STATES, dtype=object)[state].tolist(),
    ]


def change_rows(world: World, changes: Changes, numbers: Ints, deployment: Ints) -> list[Column]:
    stamps = world.window.stamps
    return [
        ids_of("c", numbers),
        world.service_ids[changes.service].tolist(),
        world.person_ids[changes.author].tolist(),
        stamps(changes.opened),
        stamps(changes.first_commit),
        stamps(changes.merged),
        ids_of("d", deployment),
        changes.added.tolist(),
        changes.deleted.tolist(),
    ]


def deployment_rows(world: World, deploys: Deployments) -> list[Column]:
    stamps = world.window.stamps
    environment = np.where(deploys.production, "production", "staging").astype(object)
    return [
        ids_of("d", deploys.number),
        world.service_ids[deploys.service].tolist(),
        stamps(deploys.started),
        stamps(deploys.finished),
        np.array(STATUSES, dtype=object)[deploys.status].tolist(),
        environment.tolist(),
    ]
