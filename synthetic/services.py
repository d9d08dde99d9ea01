"""Services: what each team owns, on which platform, over the window.

Every leaf team owns a lognormal number of services (about ten per org unit overall). An
org has its own cloud maturity, so the native-AWS share differs by org and by team; about
45% of the ``legacy_dc`` and ``hybrid`` services migrate to ``native_aws`` during the window,
more of them late (the migration accelerates). A service changes owner when its team is
dissolved (to the heir), when the team splits (part of them, to the split-off) and, for about
2%, on an ordinary Monday. Each service has at most one handover and one migration, so it
has one to three rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from synthetic import names
from synthetic.org import Org
from synthetic.reorgs import Reorgs
from synthetic.window import DAY, Ints, Window, id_table, texts_of
from synthetic.writer import Column

PLATFORMS = ("native_aws", "legacy_dc", "hybrid")
NATIVE, LEGACY, HYBRID = range(3)
TIERS = ("tier-1", "tier-2", "tier-3")
SERVICES_PER_TEAM = 10


@dataclass(frozen=True)
class Services:
    """Services by index (``s{index + 1}``); "never" is the day the window ends."""

    first_owner: Ints
    next_owner: Ints
    handover_day: Ints
    first_platform: Ints
    migration_day: Ints
    tier: Ints
    names: list[str]
    repos: list[str]

    @property
    def size(self) -> int:
        return len(self.first_owner)

    def periods(self, services: Ints, days: int) -> tuple[Ints, Ints, Ints]:
        """The rows of ``services``: (service, first day, end day), by service then time.

        A handover and a migration each start a new row; on the same day they start one.
        """
        n = len(services)
        handover, migration = self.handover_day[services], self.migration_day[services]
        first = np.minimum(handover, migration)
        second = np.maximum(handover, migration)
        second = np.where(second == first, days, second)
        start = np.stack([np.zeros(n, dtype=np.int64), first, second], axis=1)
        end = np.stack([first, second, np.full(n, days, dtype=np.int64)], axis=1)
        keep = start < end
        keep[:, 0] = True
        service = np.repeat(services[:, None], 3, axis=1)[keep]
        return service, start[keep], end[keep]

    def owner_at(self, service: Ints, at: Ints) -> Ints:
        """The owning team of each service at each instant (seconds into the window)."""
        later = at >= self.handover_day[service] * DAY
        return np.where(later, self.next_owner[service], self.first_owner[service])


def plan_services(
    rng: np.random.Generator, org: Org, reorgs: Reorgs, window: Window, target: int
) -> Services:
    """About ``target`` services over the leaf teams that exist at the start."""
    teams = org.initial_teams()
    median = target / len(teams) / math.exp(0.6**2 / 2)
    counts = np.clip(np.round(rng.lognormal(math.log(median), 0.6, len(teams))), 1, 150)
    owner = np.repeat(teams, counts.astype(np.int64))
    n = len(owner)
    next_owner, handover_day = _handovers(rng, owner, reorgs, window)
    platform = _platforms(rng, org, owner)
    later = rng.random(n) ** 0.6  # skewed towards the end of the window
    migrates = (platform != NATIVE) & (rng.random(n) < 0.45)
    migration_day = np.where(
        migrates, 1 + (later * (window.days - 2)).astype(np.int64), window.days
    )
    tier = rng.choice(3, n, p=[0.15, 0.45, 0.40]).astype(np.int64)
    service_names, repos = _names(rng, org, owner)
    return Services(
        owner, next_owner, handover_day, platform, migration_day, tier, service_names, repos
    )


def _handovers(
    rng: np.random.Generator, owner: Ints, reorgs: Reorgs, window: Window
) -> tuple[Ints, Ints]:
    n = len(owner)
    next_owner = owner.copy()
    day = np.full(n, window.days, dtype=np.int64)
    for team, on, heir in zip(reorgs.dissolved, reorgs.dissolved_on, reorgs.heirs, strict=True):
        owned = owner == team
        next_owner[owned] = heir
        day[owned] = on
    for team, on, new in zip(reorgs.split, reorgs.split_on, reorgs.split_off, strict=True):
        owned = rng.permutation(np.flatnonzero(owner == team))
        # The split-off takes about 40%, at least one; the source keeps at least one.
        take = owned[: max(1, min(len(owned) - 1, round(0.4 * len(owned))))]
        next_owner[take] = new
        day[take] = on
    stable = np.isin(owner, reorgs.stable)
    moving = np.flatnonzero(stable & (rng.random(n) < 0.02))
    pick = rng.integers(0, len(reorgs.stable) - 1, len(moving))
    to = reorgs.stable[pick]
    next_owner[moving] = np.where(to == owner[moving], reorgs.stable[pick + 1], to)
    day[moving] = [
        window.next_monday(int(d)) for d in rng.integers(30, window.days - 30, len(moving))
    ]
    return next_owner, day


def _platforms(rng: np.random.Generator, org: Org, owner: Ints) -> Ints:
    roots = org.root_of()
    org_native = rng.uniform(0.25, 0.7, org.size)[roots]
    team_native = np.clip(org_native + rng.normal(0, 0.15, org.size), 0.05, 0.95)
    n = len(owner)
    not_native = np.where(rng.random(n) < 0.6, LEGACY, HYBRID)
    return np.where(rng.random(n) < team_native[owner], NATIVE, not_native).astype(np.int64)


def _names(rng: np.random.Generator, org: Org, owner: Ints) -> tuple[list[str], list[str]]:
    area = np.array([names.slug(n.split()[0]) for n in org.names], dtype=object)
    roots = org.root_of()
    org_slugs = [names.slug(name.removesuffix(" Org")) for name in org.names]
    orgs = np.array(org_slugs, dtype=object)[roots]
    parts = names.pick(rng, names.COMPONENTS, len(owner))
    service_names = names.unique(
        [f"{a}-{c}" for a, c in zip(area[owner].tolist(), parts, strict=True)], sep="-"
    )
    repos = [f"{o}/{s}" for o, s in zip(orgs[owner].tolist(), service_names, strict=True)]
    return service_names, repos


def service_rows(services: Services, org: Org, window: Window) -> list[Column]:
    """The ``services`` file: one row per service and interval between its changes."""
    n = services.size
    service, start, end = services.periods(np.arange(n, dtype=np.int64), window.days)
    owner = np.where(
        start >= services.handover_day[service],
        services.next_owner[service],
        services.first_owner[service],
    )
    platform = np.where(
        start >= services.migration_day[service], NATIVE, services.first_platform[service]
    )
    return [
        texts_of(id_table("s", n), service),
        texts_of(np.array(services.names, dtype=object), service),
        texts_of(id_table("t", org.size), owner),
        texts_of(np.array(PLATFORMS, dtype=object), platform),
        texts_of(np.array(TIERS, dtype=object), services.tier[service]),
        texts_of(np.array(services.repos, dtype=object), service),
        window.valid_from(start),
        window.valid_to(end),
    ]
