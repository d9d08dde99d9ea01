"""The rollup engine's one entry point: every KPI of docs/kpis.md for any team subtree, window
and structure date, with comparisons and trends, in one call for one team or many.

    engine = Engine(frames)                    # or: await Engine.from_store(db_engine)
    view = engine.view(as_of=date.today())     # the org tree of a structure date, cached
    report = view.report("payments", date(2025, 1, 1), date(2026, 1, 1))
    report.metrics[Kpi.LEAD_TIME_HOURS_P50].value    # hours
    view.reports(view.tree.children("org"), start, end)   # many teams, no per-team queries

Building an ``Engine`` reads the rows once and turns every measure into cubes (additive
measures) and sample indexes (percentiles); a view costs one permutation and two cumulative
sums per cube for its structure date. Nothing scans events at query time.
"""

from __future__ import annotations

import bisect
import functools
import math
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, cast

import numpy as np
import polars as pl

from graph.catalogue import CATALOGUE, Source
from graph.catalogue import Kpi as Kpi  # re-exported: the engine's callers name it from here
from graph.comparisons import Comparison
from graph.contributions import ContributionIndex, Contributions, changes_per_engineer_per_week
from graph.delivery import DeliveryIndex, DeliveryKpis
from graph.lru import Lru
from graph.measures import Rate
from graph.membership import (
    Membership,
    MembershipIndex,
    headcount_index,
    platform_index,
    service_intervals,
)
from graph.percentiles import (
    EDGE_SAMPLES,
    EXACT_LIMIT,
    PercentileIndex,
    Percentiles,
    SubtreePercentiles,
)
from graph.quality import Quality, QualityIndex
from graph.review import ReviewFlow, ReviewIndex
from graph.rollup import Cube, SubtreeSums, TeamIndex, day_range
from graph.samples import (
    first_reviews,
    lead_times,
    restore_times,
    review_to_merge,
    time_to_first_review,
    unresolved_incidents,
)
from graph.services import ServiceDeliveryIndex
from graph.spans import ENTITIES, Span, data_spans
from graph.tiers import DoraTier, change_failure_tier, lead_time_tier, restore_tier
from graph.tree import OrgTree, build_org_tree
from graph.trends import Grain, periods
from store.frames import COLUMNS, OrgFrames
from store.rows import ServiceVersion, TeamVersion

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True)
class KpiConfig:
    """The vocabularies some KPIs depend on (docs/configuration.md)."""

    engineer_roles: frozenset[str] = frozenset({"SDE"})
    target_platforms: frozenset[str] = frozenset({"native_aws"})


@dataclass(frozen=True)
class Metric:
    """One KPI value with the sample behind it (events, people or services). ``value`` is None
    where docs/kpis.md says null; ``exact`` is False for a percentile read from the histograms
    (within 1% of the exact value)."""

    kpi: Kpi
    value: float | None
    sample: int
    exact: bool = True
    comparison: Comparison | None = None
    #: share of the window's days (for a point-in-time KPI: 1 or 0 for its day) within the
    #: days the store has data for this KPI's source; below 1 the value misses some of it
    coverage: float = 1.0


@dataclass(frozen=True)
class KpiReport:
    """Every KPI of one team's subtree over ``[start, end)`` on the structure date ``as_of``,
    and the figures reported beside them."""

    team: str
    start: date
    end: date
    as_of: date
    metrics: dict[Kpi, Metric]
    deployment_tier: DoraTier | None
    headcount_by_role: dict[str, int]
    unresolved_incidents: int
    coverage_unmeasured: int
    debt_unmeasured: int
    #: DORA 2023 tiers of the other three keys (graph/tiers.py); None when not asked
    lead_time_tier: DoraTier | None = None
    change_failure_tier: DoraTier | None = None
    restore_tier: DoraTier | None = None


#: The indexes of an engine and the entities each reads (``structure``: the org tree and the
#: service intervals every other part shares).
PARTS: dict[str, frozenset[str]] = {
    "structure": frozenset({"teams", "services"}),
    "delivery": frozenset({"services", "deployments", "incidents"}),
    "headcount": frozenset({"people"}),
    "quality": frozenset({"services", "coverage", "debt"}),
    "contributions": frozenset({"services", "people", "changes"}),
    "review": frozenset({"services", "changes", "reviews"}),
    "lead_time": frozenset({"services", "deployments", "changes"}),
    "restore": frozenset({"services", "incidents"}),
    "review_times": frozenset({"services", "changes", "reviews"}),
    "service_delivery": frozenset({"services", "deployments", "incidents", "changes"}),
}


DIMENSIONS = ("teams", "people", "services")


def in_parallel(tasks: Mapping[str, Callable[[], object]]) -> dict[str, object]:
    """Run independent builds on a thread per core (numpy and polars release the GIL)."""
    with ThreadPoolExecutor(max_workers=max(1, min(len(tasks), os.cpu_count() or 1))) as pool:
        futures = {name: pool.submit(task) for name, task in tasks.items()}
        return {name: future.result() for name, future in futures.items()}


def _fingerprint(frame: pl.DataFrame) -> int:
    """A digest of a frame's rows, whatever their order."""
    return hash((frame.height, int(frame.hash_rows(seed=7).to_numpy().sum(dtype=np.uint64))))


@dataclass(frozen=True)
class Refresh:
    """What :meth:`Engine.refresh` did: how many new loads, which indexes it rebuilt from which
    tables, and how long it took."""

    loads: int
    parts: tuple[str, ...]
    entities: tuple[str, ...]
    seconds: float


@dataclass(frozen=True)
class SubtreeSource:
    """One event cube and its index (its own day range)."""

    index: TeamIndex
    cube: Cube


class Engine:
    """Cubes and sample indexes of every measure, built once from the rows; views per
    structure date are built on demand and the ``keep`` most recent are cached."""

    delivery: DeliveryIndex
    headcount: MembershipIndex
    quality: QualityIndex
    contributions: ContributionIndex
    review: ReviewIndex
    unresolved: SubtreeSource
    service_delivery: ServiceDeliveryIndex

    def __init__(
        self,
        frames: OrgFrames,
        config: KpiConfig | None = None,
        *,
        keep: int = 2,
        exact_limit: int = EXACT_LIMIT,
        edge_samples: int = EDGE_SAMPLES,
    ):
        self.config = config or KpiConfig()
        self.keep = keep
        self.percentile_limits = {"exact_limit": exact_limit, "edge_samples": edge_samples}
        self._views: OrderedDict[date, OrgView] = OrderedDict()
        self._lock = threading.Lock()
        self.loaded_through: int | None = None
        self._fingerprints: dict[str, int] = {}
        self._build(frames, set(PARTS))

    def _build(self, frames: OrgFrames, parts: set[str]) -> None:
        """(Re)build the indexes of ``parts`` from ``frames`` (which must hold every entity
        those parts read: see :data:`PARTS`)."""
        teams = frames.team_ids
        self._fingerprints.update(
            {entity: _fingerprint(getattr(frames, entity)) for entity in DIMENSIONS}
        )
        if "structure" in parts:
            self.team_ids = teams
            self.team_versions = [
                TeamVersion(*row)
                for row in frames.teams.select(
                    "id", "name", "parent_id", "type", "valid_from", "valid_to"
                ).iter_rows()
            ]
            self.service_versions = [
                ServiceVersion(*row)
                for row in frames.services.select(
                    "id", "name", "owner_team_id", "platform", "valid_from", "valid_to"
                ).iter_rows()
            ]
            self.services = service_intervals(frames.services)
            self.platforms = platform_index(teams, frames.services, self.services)
        teams = self.team_ids

        def percentiles(sample: pl.DataFrame) -> PercentileIndex:
            index = TeamIndex(teams, *day_range(sample["day"]))
            return PercentileIndex(index, sample["team_id"], sample["day"], sample["hours"])

        def unresolved() -> SubtreeSource:
            found = unresolved_incidents(frames)
            index = TeamIndex(teams, *day_range(found["day"]))
            return SubtreeSource(index, index.cube(found["team_id"], found["day"]))

        lead_lock = threading.Lock()
        lead_frame: list[pl.DataFrame] = []

        def lead() -> pl.DataFrame:
            """Lead-time samples feed two parts: computed once, by the first thread to ask."""
            with lead_lock:
                if not lead_frame:
                    lead_frame.append(lead_times(frames))
                return lead_frame[0]

        def review_times() -> dict[str, PercentileIndex]:
            reviewed = first_reviews(frames)
            return {
                "first_review": percentiles(time_to_first_review(frames, reviewed)),
                "review_to_merge": percentiles(review_to_merge(frames, reviewed)),
            }

        tasks: dict[str, Callable[[], object]] = {
            "delivery": lambda: DeliveryIndex(
                teams, frames.services, frames.deployments, frames.incidents, self.services
            ),
            "headcount": lambda: headcount_index(teams, frames.people),
            "quality": lambda: QualityIndex(
                teams, frames.services, frames.coverage, frames.debt, self.services
            ),
            "contributions": lambda: ContributionIndex(
                teams, frames.services, frames.people, frames.changes
            ),
            "review": lambda: ReviewIndex(teams, frames.services, frames.changes, frames.reviews),
            "lead_time": lambda: {"lead_time": percentiles(lead())},
            "restore": lambda: (
                {"restore": percentiles(restore_times(frames))},
                unresolved(),
            ),
            "review_times": review_times,
            "service_delivery": lambda: ServiceDeliveryIndex(
                frames.deployments, frames.incidents, lead()
            ),
        }
        built = in_parallel({name: task for name, task in tasks.items() if name in parts})
        read = set().union(*(PARTS[part] for part in parts))
        self.spans: dict[Source, Span] = data_spans(
            frames,
            [source for source, entities in ENTITIES.items() if entities <= read],
            getattr(self, "spans", {}),
            lead() if {"deployments", "changes"} <= read else None,
        )
        if not hasattr(self, "samples"):
            self.samples: dict[str, PercentileIndex] = {}
        for name, value in built.items():
            if name == "restore":
                restore, self.unresolved = cast(
                    tuple[dict[str, PercentileIndex], SubtreeSource], value
                )
                self.samples.update(restore)
            elif name in ("lead_time", "review_times"):
                self.samples.update(cast(dict[str, PercentileIndex], value))
            else:
                setattr(self, name, value)

    @classmethod
    async def from_store(cls, engine: AsyncEngine, config: KpiConfig | None = None) -> Engine:
        """An engine over everything the store holds."""
        from store.read import latest_load, read_frames

        loaded_through = await latest_load(engine)  # before the read: a later load is re-read
        built = cls(await read_frames(engine), config)
        built.loaded_through = loaded_through
        return built

    async def refresh(self, engine: AsyncEngine) -> Refresh:
        """Bring the indexes up to the loads committed since this engine read the store.

        A load that wrote only events rebuilds just the indexes that read those entities (for
        example deployments: delivery and lead time), reading only the tables they need; a
        load that wrote teams or services changes attribution and structure everywhere and
        rebuilds everything; people rebuild headcount and contributions. Cached views are
        dropped either way (the next request builds its structure date again)."""
        from store.read import latest_load, loads_since, read_frames

        started = time.perf_counter()
        loads = await loads_since(engine, self.loaded_through)
        if not loads:
            return Refresh(loads=0, parts=(), entities=(), seconds=0.0)
        through = await latest_load(engine)
        # every bundle holds teams: a dimension counts as touched only when its rows changed
        dimensions = await read_frames(engine, DIMENSIONS)
        touched = {
            entity
            for report in loads
            for entity, n in report.get("rows", {}).items()
            if n and entity not in DIMENSIONS
        }
        touched |= {
            entity
            for entity in DIMENSIONS
            if _fingerprint(getattr(dimensions, entity)) != self._fingerprints[entity]
        }
        parts = {part for part, entities in PARTS.items() if touched & entities}
        if "teams" in touched or "services" in touched:
            parts = set(PARTS)
        needed = set().union(*(PARTS[part] for part in parts)) - set(DIMENSIONS)
        if parts:
            facts = await read_frames(engine, needed)
            frames = OrgFrames(
                **{
                    entity: getattr(dimensions if entity in DIMENSIONS else facts, entity)
                    for entity in COLUMNS
                }
            )
            with self._lock:
                self._build(frames, parts)
                self._views.clear()
        self.loaded_through = through
        return Refresh(
            loads=len(loads),
            parts=tuple(sorted(parts)),
            entities=tuple(sorted(needed | set(DIMENSIONS))) if parts else (),
            seconds=time.perf_counter() - started,
        )

    def view(self, as_of: date | None = None) -> OrgView:
        """The KPIs in the org structure of ``as_of`` (default today)."""
        as_of = as_of or date.today()
        with self._lock:
            if as_of in self._views:
                self._views.move_to_end(as_of)
                return self._views[as_of]
            tree = build_org_tree(self.team_versions, self.service_versions, as_of=as_of)
            view = OrgView(self, tree)
            self._views[as_of] = view
            while len(self._views) > self.keep:
                self._views.popitem(last=False)
            return view


#: bounds of each view's caches (entries): about 200 bytes per metric, a sibling group's values
#: per group
CACHED_METRICS = 1 << 16
CACHED_GROUPS = 1 << 12


class OrgView:
    """Every KPI of the subtrees of one org tree (one structure date)."""

    def __init__(self, engine: Engine, tree: OrgTree) -> None:
        self.engine = engine
        self.tree = tree
        self.config = engine.config
        # the parts are independent and mostly numpy and polars, which release the GIL
        built = in_parallel(
            {
                "delivery": lambda: engine.delivery.for_tree(tree),
                "headcount": lambda: engine.headcount.for_tree(tree),
                "platforms": lambda: engine.platforms.for_tree(tree),
                "quality": lambda: engine.quality.for_tree(tree),
                "contributions": lambda: engine.contributions.for_tree(tree),
                "review": lambda: engine.review.for_tree(tree),
                "unresolved": lambda: SubtreeSums(
                    engine.unresolved.index, tree, {"unresolved": engine.unresolved.cube}
                ),
                **{
                    f"percentile:{name}": functools.partial(
                        index.for_tree, tree, **engine.percentile_limits
                    )
                    for name, index in engine.samples.items()
                },
            }
        )
        self.delivery = cast(DeliveryKpis, built["delivery"])
        self.headcount = cast(Membership, built["headcount"])
        self.platforms = cast(Membership, built["platforms"])
        self.quality = cast(Quality, built["quality"])
        self.contributions = cast(Contributions, built["contributions"])
        self.review = cast(ReviewFlow, built["review"])
        self.unresolved = cast(SubtreeSums, built["unresolved"])
        self.percentile: dict[str, SubtreePercentiles] = {
            name.split(":", 1)[1]: cast(SubtreePercentiles, value)
            for name, value in built.items()
            if name.startswith("percentile:")
        }
        # A view never changes (a refresh builds new views), so what it computed stays true:
        # the org's, parents' and peer groups' values are shared by every report and request
        # that asks for the same window. Bounded: least recently used entries go first.
        self._metrics = Lru[Metric](CACHED_METRICS)
        self._groups = Lru[_Group](CACHED_GROUPS)
        self._percentile_pairs = Lru[Percentiles](CACHED_METRICS)
        self._levels: dict[str, dict[int, tuple[str, ...]]] = {}
        self._kpis: dict[Kpi, Callable[[str, date, date], Metric]] = {
            Kpi.DEPLOYMENTS_PER_WEEK: self._rate(
                Kpi.DEPLOYMENTS_PER_WEEK, self.delivery.deployments_per_week
            ),
            Kpi.DEPLOYMENT_DAYS_PER_WEEK: self._rate(
                Kpi.DEPLOYMENT_DAYS_PER_WEEK,
                lambda t, s, e: self.delivery.deployment_days(t, s, e)[0],
            ),
            Kpi.CHANGE_FAILURE_RATE: self._rate(
                Kpi.CHANGE_FAILURE_RATE, self.delivery.change_failure_rate
            ),
            Kpi.LEAD_TIME_HOURS_P50: self._percentile(Kpi.LEAD_TIME_HOURS_P50, "lead_time", 0),
            Kpi.LEAD_TIME_HOURS_P90: self._percentile(Kpi.LEAD_TIME_HOURS_P90, "lead_time", 1),
            Kpi.TIME_TO_RESTORE_HOURS_P50: self._percentile(
                Kpi.TIME_TO_RESTORE_HOURS_P50, "restore", 0
            ),
            Kpi.TIME_TO_FIRST_REVIEW_HOURS_P50: self._percentile(
                Kpi.TIME_TO_FIRST_REVIEW_HOURS_P50, "first_review", 0
            ),
            Kpi.REVIEW_TO_MERGE_HOURS_P50: self._percentile(
                Kpi.REVIEW_TO_MERGE_HOURS_P50, "review_to_merge", 0
            ),
            Kpi.UNREVIEWED_MERGE_RATE: self._rate(
                Kpi.UNREVIEWED_MERGE_RATE, self.review.unreviewed_merge_rate
            ),
            Kpi.CHANGES_PER_ENGINEER_PER_WEEK: self._rate(
                Kpi.CHANGES_PER_ENGINEER_PER_WEEK,
                lambda t, s, e: changes_per_engineer_per_week(
                    self.contributions, self.headcount, t, s, e, self.config.engineer_roles
                ),
            ),
            Kpi.CODE_COVERAGE: self._on_last_day(Kpi.CODE_COVERAGE, self._coverage),
            Kpi.TECHNICAL_DEBT_MINUTES: self._on_last_day(Kpi.TECHNICAL_DEBT_MINUTES, self._debt),
            Kpi.HEADCOUNT: self._on_last_day(Kpi.HEADCOUNT, self._headcount),
            Kpi.SDE_RATIO: self._on_last_day(Kpi.SDE_RATIO, self._sde_ratio),
            Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE: self._rate(
                Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE, self.contributions.inbound
            ),
            Kpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE: self._rate(
                Kpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE, self.contributions.outbound
            ),
            Kpi.NATIVE_AWS_MIGRATION_SHARE: self._on_last_day(
                Kpi.NATIVE_AWS_MIGRATION_SHARE, self._migration
            ),
        }

    # -- one KPI ---------------------------------------------------------------------------

    def _rate(
        self, kpi: Kpi, compute: Callable[[str, date, date], Rate]
    ) -> Callable[[str, date, date], Metric]:
        def metric(team: str, start: date, end: date) -> Metric:
            rate = compute(team, start, end)
            return Metric(kpi, rate.value, rate.sample)

        return metric

    def _on_last_day(
        self, kpi: Kpi, compute: Callable[[str, date], Rate]
    ) -> Callable[[str, date, date], Metric]:
        def metric(team: str, start: date, end: date) -> Metric:
            rate = compute(team, end - timedelta(days=1))
            return Metric(kpi, rate.value, rate.sample)

        return metric

    def _percentile(
        self, kpi: Kpi, measure: str, which: int
    ) -> Callable[[str, date, date], Metric]:
        def metric(team: str, start: date, end: date) -> Metric:
            found = self._percentile_pairs.get_or_compute(
                (measure, team, start, end),
                lambda: self.percentile[measure].percentiles(team, start, end, (0.5, 0.9)),
            )
            return Metric(kpi, found.values[which], found.sample, found.exact)

        return metric

    def _coverage(self, team: str, on: date) -> Rate:
        measured = self.quality.code_coverage(team, on)
        return Rate(measured.value, measured.measured)

    def _debt(self, team: str, on: date) -> Rate:
        measured = self.quality.technical_debt_minutes(team, on)
        return Rate(measured.value, measured.measured)

    def _headcount(self, team: str, on: date) -> Rate:
        total = sum(self.headcount.by_category(team, on).values())
        return Rate(float(total), total)

    def _sde_ratio(self, team: str, on: date) -> Rate:
        return Rate(*self.headcount.share(team, on, self.config.engineer_roles))

    def _migration(self, team: str, on: date) -> Rate:
        return Rate(*self.platforms.share(team, on, self.config.target_platforms))

    def group(self, kpi: Kpi, parent: str | None, start: date, end: date) -> _Group:
        """The values of the active teams under ``parent`` (or of the active roots)."""
        return self._groups.get_or_compute(
            (kpi, parent, start, end), lambda: self._compute_group(kpi, parent, start, end)
        )

    def _compute_group(self, kpi: Kpi, parent: str | None, start: date, end: date) -> _Group:
        members = (
            self.tree.children(parent)
            if parent is not None
            else tuple(root for root in self.tree.roots if self.tree.is_active(root))
        )
        values = [
            v for member in members if (v := self.metric(kpi, member, start, end).value) is not None
        ]
        return _Group.of(values)

    def metric(self, kpi: Kpi, team: str, start: date, end: date) -> Metric:
        """One KPI of one subtree over ``[start, end)``, without comparisons."""

        def compute() -> Metric:
            found = self._kpis[kpi](team, start, end)
            coverage = self.coverage(kpi, start, end)
            return Metric(kpi, found.value, found.sample, found.exact, None, coverage)

        return self._metrics.get_or_compute((kpi, team, start, end), compute)

    def coverage(self, kpi: Kpi, start: date, end: date) -> float:
        """Share of ``[start, end)`` the store has data for ``kpi`` (a point-in-time KPI: 1
        or 0 for the window's last day)."""
        definition = CATALOGUE[kpi]
        span = self.engine.spans[definition.source]
        if definition.point_in_time:
            return span.covers(end - timedelta(days=1))
        return span.coverage(start, end)

    def typical(self, kpi: Kpi, team: str, start: date, end: date) -> _Group:
        """The KPI over the org's active teams at ``team``'s depth (its root's tree), those
        with a value: what a typical team of the org looks like, whatever the team's size."""
        ancestors = self.tree.ancestors(team)
        root = ancestors[0] if ancestors else team
        depth = len(ancestors)
        return self._groups.get_or_compute(
            ("typical", kpi, root, depth, start, end),
            lambda: _Group.of(
                [
                    v
                    for member in self._level(root, depth)
                    if (v := self.metric(kpi, member, start, end).value) is not None
                ]
            ),
        )

    def _level(self, root: str, depth: int) -> tuple[str, ...]:
        """The active teams of ``root``'s tree at ``depth``, in tree order."""
        levels = self._levels.get(root)
        if levels is None:
            found: dict[int, list[str]] = {}
            base = self.tree.depth(root)
            for member in self.tree.subtree(root):
                if self.tree.is_active(member):
                    found.setdefault(self.tree.depth(member) - base, []).append(member)
            levels = self._levels[root] = {d: tuple(teams) for d, teams in found.items()}
        return levels.get(depth, ())

    # -- reports ---------------------------------------------------------------------------

    def report(
        self,
        team: str,
        start: date,
        end: date,
        *,
        kpis: Iterable[Kpi] = tuple(Kpi),
        compare: bool = True,
        typical: bool = True,
        tiers: bool = True,
    ) -> KpiReport:
        """Every KPI (or those asked) of one subtree over ``[start, end)``, with comparisons
        (and the org's typical team, unless ``typical`` is False) and DORA tiers."""
        return self.reports(
            [team], start, end, kpis=kpis, compare=compare, typical=typical, tiers=tiers
        )[0]

    def reports(
        self,
        teams: Sequence[str],
        start: date,
        end: date,
        *,
        kpis: Iterable[Kpi] = tuple(Kpi),
        compare: bool = True,
        typical: bool = True,
        tiers: bool = True,
    ) -> list[KpiReport]:
        """Reports of many subtrees at once; peers, parents and the org are computed once for
        all of them."""
        for team in teams:
            if team not in self.tree:
                raise KeyError(f"unknown team {team!r}")
        if end <= start:
            raise ValueError(f"empty window [{start}, {end}): 'to' must be after 'from'")
        asked = tuple(kpis)
        peers = _PeerGroups(self, start, end)
        out = []
        for team in teams:
            metrics = {}
            for kpi in asked:
                metric = self.metric(kpi, team, start, end)
                if compare:
                    comparison = peers.compare(kpi, team, typical=typical)
                    metric = Metric(
                        kpi, metric.value, metric.sample, metric.exact, comparison, metric.coverage
                    )
                metrics[kpi] = metric
            on = end - timedelta(days=1)
            coverage = self.quality.code_coverage(team, on)
            debt = self.quality.technical_debt_minutes(team, on)
            out.append(
                KpiReport(
                    team=team,
                    start=start,
                    end=end,
                    as_of=self.tree.as_of,
                    metrics=metrics,
                    deployment_tier=self.delivery.deployment_days(team, start, end)[1],
                    headcount_by_role=self.headcount.by_category(team, on),
                    unresolved_incidents=self.unresolved.total("unresolved", team, start, end),
                    coverage_unmeasured=coverage.unmeasured,
                    debt_unmeasured=debt.unmeasured,
                    **(self._tiers(team, start, end) if tiers else {}),
                )
            )
        return out

    def _tiers(self, team: str, start: date, end: date) -> dict[str, DoraTier | None]:
        def value(kpi: Kpi) -> float | None:
            return self.metric(kpi, team, start, end).value

        return {
            "lead_time_tier": lead_time_tier(value(Kpi.LEAD_TIME_HOURS_P50)),
            "change_failure_tier": change_failure_tier(value(Kpi.CHANGE_FAILURE_RATE)),
            "restore_tier": restore_tier(value(Kpi.TIME_TO_RESTORE_HOURS_P50)),
        }

    def trend(
        self, kpi: Kpi, team: str, start: date, end: date, grain: Grain = Grain.WEEK
    ) -> list[tuple[date, date, Metric]]:
        """``kpi`` for each week (counted from ``start``) or calendar month of the window."""
        if team not in self.tree:
            raise KeyError(f"unknown team {team!r}")
        return [
            (first, last, self.metric(kpi, team, first, last))
            for first, last in periods(start, end, grain)
        ]


@dataclass(frozen=True)
class _Group:
    """The sorted values of a sibling group, with their mean and sum of squared deviations,
    so that any member's peers (the group without it) are summed up in O(log n)."""

    values: list[float]  # sorted; a list, as bisect on a few dozen floats beats numpy's calls
    mean: float
    squares: float

    @classmethod
    def of(cls, values: list[float]) -> _Group:
        ordered = sorted(values)
        mean = math.fsum(ordered) / len(ordered) if ordered else 0.0
        return cls(ordered, mean, math.fsum((v - mean) ** 2 for v in ordered))

    def median(self) -> float | None:
        """Nearest-rank median of the whole group."""
        n = len(self.values)
        return self.values[max(math.ceil(0.5 * n) - 1, 0)] if n else None

    def without(self, value: float | None) -> tuple[float | None, float | None, float | None]:
        """Median, percentile rank of ``value`` and its z-score among the group's values with
        one occurrence of ``value`` taken out (none when ``value`` is None: not a member)."""
        ordered, n = self.values, len(self.values)
        at = -1 if value is None else bisect.bisect_left(ordered, value)
        size, mean, squares = n, self.mean, self.squares
        if at >= 0:
            assert value is not None
            size = n - 1
            if size:
                mean = (n * self.mean - value) / size
                squares = max(self.squares - (value - self.mean) * (value - mean), 0.0)

        def peer(i: int) -> float:  # the i-th smallest peer
            return ordered[i if at < 0 or i < at else i + 1]

        if size == 0:
            return None, None, None
        median = peer(max(math.ceil(0.5 * size) - 1, 0))
        if value is None:
            return median, None, None
        below = at if at >= 0 else bisect.bisect_left(ordered, value)
        equal = bisect.bisect_right(ordered, value) - below - (1 if at >= 0 else 0)
        percentile = 100 * (below + equal / 2) / size
        z = None
        if size >= 2 and peer(0) != peer(size - 1):
            z = (value - mean) / math.sqrt(squares / size)
        return median, percentile, z


class _PeerGroups:
    """Comparisons for many teams: each sibling group's values are computed and sorted once."""

    def __init__(self, view: OrgView, start: date, end: date) -> None:
        self.view = view
        self.start, self.end = start, end
        self.previous = start - (end - start)

    def _value(self, kpi: Kpi, team: str) -> float | None:
        return self.view.metric(kpi, team, self.start, self.end).value

    def _group(self, kpi: Kpi, team: str) -> _Group:
        return self.view.group(kpi, self.view.tree.parent(team), self.start, self.end)

    def compare(self, kpi: Kpi, team: str, *, typical: bool = True) -> Comparison:
        tree = self.view.tree
        value = self._value(kpi, team)
        ancestors = tree.ancestors(team)
        parent = tree.parent(team)
        group = self._group(kpi, team)
        # the team is among its group exactly when it is active and has a value
        if value is not None and tree.is_active(team):
            median, percentile, z = group.without(value)
        else:
            median, _, _ = group.without(None)
            percentile = z = None
            if value is not None and len(group.values):
                outsider = _Group.of([*group.values, value])
                _, percentile, z = outsider.without(value)
        previous = self.view.metric(kpi, team, self.previous, self.start)
        org = self.view.typical(kpi, team, self.start, self.end) if typical else None
        return Comparison(
            value=value,
            org_value=self._value(kpi, ancestors[0] if ancestors else team),
            parent_value=None if parent is None else self._value(kpi, parent),
            peer_median=median,
            peer_percentile=percentile,
            z_score=z,
            previous_value=previous.value,
            previous_coverage=previous.coverage,
            typical_median=None if org is None else org.median(),
            typical_mean=None if org is None or not org.values else org.mean,
            typical_teams=None if org is None else len(org.values),
        )
