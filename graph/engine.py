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

This module builds and refreshes the indexes; a structure date's view of them is
``graph/view.py``, what it answers ``graph/report.py``, the peer comparisons
``graph/peers.py``, and ``Kpi`` is ``graph/catalogue.py``'s. A view only reads an engine, so
``graph/view.py`` names ``Engine`` for the type checker alone: the modules import one way.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, cast

import numpy as np
import polars as pl

from graph.catalogue import Source
from graph.contributions import ContributionIndex
from graph.delivery import DeliveryIndex
from graph.membership import MembershipIndex, headcount_index, platform_index, service_intervals
from graph.parallel import in_parallel
from graph.percentiles import EDGE_SAMPLES, EXACT_LIMIT, PercentileIndex
from graph.quality import QualityIndex
from graph.report import KpiConfig
from graph.review import ReviewIndex
from graph.rollup import Cube, TeamIndex, day_range
from graph.samples import (
    deployed_at,
    first_reviews,
    lead_times,
    merge_to_deploy,
    restore_times,
    review_to_merge,
    time_to_first_review,
    unresolved_incidents,
)
from graph.services import ServiceDeliveryIndex
from graph.spans import ENTITIES, Span, data_spans
from graph.tree import build_org_tree
from graph.view import OrgView
from store.frames import COLUMNS, OrgFrames
from store.rows import ServiceVersion, TeamVersion

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


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
        shipped_frames: list[tuple[pl.DataFrame, pl.DataFrame]] = []

        def shipped() -> tuple[pl.DataFrame, pl.DataFrame]:
            """Lead-time and merge-to-deploy samples, from the same deployed changes; lead
            times feed three parts: computed once, by the first thread to ask."""
            with lead_lock:
                if not shipped_frames:
                    deployed = deployed_at(frames)
                    shipped_frames.append(
                        (lead_times(frames, deployed), merge_to_deploy(frames, deployed))
                    )
                return shipped_frames[0]

        def lead() -> pl.DataFrame:
            return shipped()[0]

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
            "lead_time": lambda: {
                "lead_time": percentiles(lead()),
                "merge_to_deploy": percentiles(shipped()[1]),
            },
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

    def set_privacy_floor(self, people: int) -> None:
        """Withhold people-derived figures of subtrees of fewer ``people`` from now on (the
        cached views, which computed under the old floor, are dropped)."""
        with self._lock:
            if self.config.privacy_floor != people:
                self.config = replace(self.config, privacy_floor=people)
                self._views.clear()

    @property
    def last_event_day(self) -> date | None:
        """The last day any event source has data for (None without events): the day a
        dashboard opens on by default (its window ends there, in that day's structure)."""
        return max((span.last for span in self.spans.values() if span.last), default=None)

    @property
    def built_dates(self) -> tuple[date, ...]:
        """The structure dates whose views are built (least recently used first)."""
        with self._lock:
            return tuple(self._views)

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
