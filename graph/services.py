"""Delivery KPIs of one service over any window, from its own events (no rollup): successful
production deployments per week, change failure rate, and lead time for changes (p50, p90).

Each measure's events are sorted by (service, day) with running counts, so a service's count
over a window is two binary searches, and its lead times over a window are one contiguous
slice (a service has few samples: the percentiles are exact).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import polars as pl

from graph.delivery import FAILED, PRODUCTION
from graph.intervals import day_number

Int64s = npt.NDArray[np.int64]


class _ByService:
    """Events sorted by (service, day): each service's span, the days, and for each named
    column either its values (``keep``) or its running sums."""

    def __init__(
        self, services: pl.Series, days: pl.Series, columns: dict[str, pl.Series], *, keep: bool
    ) -> None:
        frame = pl.DataFrame({"~s": services, "~d": days.cast(pl.Int32), **columns}).sort(
            "~s", "~d"
        )
        spans = (
            frame.with_row_index("~at")
            .group_by("~s", maintain_order=True)
            .agg(pl.col("~at").min().alias("a"), (pl.col("~at").max() + 1).alias("b"))
        )
        self.spans: dict[str, tuple[int, int]] = {
            key: (int(a), int(b)) for key, a, b in spans.iter_rows()
        }
        self.days = frame["~d"].to_numpy()
        self.columns: dict[str, npt.NDArray[np.float64] | Int64s] = {}
        for name in columns:
            values = frame[name].to_numpy()
            self.columns[name] = values if keep else np.concatenate(([0], np.cumsum(values)))

    def window(self, service: str, start: date, end: date) -> tuple[int, int]:
        """The slice of the service's events with a day in ``[start, end)``."""
        if service not in self.spans:
            return 0, 0
        a, b = self.spans[service]
        days = self.days[a:b]
        lo = a + int(np.searchsorted(days, day_number(start)))
        hi = a + int(np.searchsorted(days, day_number(end)))
        return lo, hi

    def starts(self, services: list[str], edges: Int64s) -> Int64s:
        """For each of ``services`` and each day of ``edges``, the index of its first event on
        or after that day (``[service, edge]``), in one search over (service, day) keys."""
        if not len(self.days):
            return np.zeros((len(services), len(edges)), dtype=np.int64)
        first = int(self.days.min())
        width = int(self.days.max()) - first + 2
        if not hasattr(self, "_keys"):
            rank = np.zeros(len(self.days), dtype=np.int64)
            self._ranks = {service: i for i, service in enumerate(self.spans)}
            for i, (a, b) in enumerate(self.spans.values()):
                rank[a:b] = i
            self._keys = rank * width + (self.days.astype(np.int64) - first)
        ranks = np.array([self._ranks.get(s, -1) for s in services], dtype=np.int64)
        offsets = np.clip(edges - first, 0, width - 1)
        at = np.searchsorted(self._keys, ranks[:, None] * width + offsets[None, :])
        return np.where(ranks[:, None] >= 0, at, 0)

    def total(self, column: str, bounds: tuple[int, int]) -> int:
        running = self.columns[column]
        return int(running[bounds[1]] - running[bounds[0]])


@dataclass(frozen=True)
class ServiceKpis:
    """One service's delivery over a window; ``None`` where the KPI has no sample."""

    deployments_per_week: float
    successful_deployments: int
    change_failure_rate: float | None
    production_deployments: int
    lead_time_hours_p50: float | None
    lead_time_hours_p90: float | None
    lead_time_sample: int


class ServiceDeliveryIndex:
    """Per-service delivery measures, built once from the rows (``lead``: lead-time samples
    with ``service_id``, ``day`` and ``hours``, as graph.samples.lead_times gives them)."""

    def __init__(
        self, deployments: pl.DataFrame, incidents: pl.DataFrame, lead: pl.DataFrame
    ) -> None:
        production = deployments.filter(pl.col("environment") == PRODUCTION)
        caused = incidents["caused_by_deployment_id"].drop_nulls().unique()
        failed = production["status"].is_in(FAILED) | production["id"].is_in(caused.implode())
        self.deployments = _ByService(
            production["service_id"],
            production["finished_at"].dt.date(),
            {
                "deployments": pl.repeat(1, production.height, dtype=pl.Int64, eager=True),
                "successful": (production["status"] == "success").cast(pl.Int64),
                "failed": failed.cast(pl.Int64),
            },
            keep=False,
        )
        self.lead = _ByService(lead["service_id"], lead["day"], {"hours": lead["hours"]}, keep=True)

    def kpis(self, service: str, start: date, end: date) -> ServiceKpis:
        """The service's delivery over ``[start, end)``."""
        weeks = (end - start).days / 7
        bounds = self.deployments.window(service, start, end)
        successful = self.deployments.total("successful", bounds)
        total = self.deployments.total("deployments", bounds)
        failed = self.deployments.total("failed", bounds)
        lo, hi = self.lead.window(service, start, end)
        hours = np.sort(self.lead.columns["hours"][lo:hi])

        def rank(q: float) -> float | None:
            if not len(hours):
                return None
            return float(hours[max(math.ceil(q * len(hours)), 1) - 1])

        return ServiceKpis(
            deployments_per_week=successful / weeks if weeks > 0 else 0.0,
            successful_deployments=successful,
            change_failure_rate=failed / total if total else None,
            production_deployments=total,
            lead_time_hours_p50=rank(0.5),
            lead_time_hours_p90=rank(0.9),
            lead_time_sample=len(hours),
        )


@dataclass(frozen=True)
class Panel:
    """Delivery of many services over many periods at once (``[service, period]`` arrays):
    what a difference-in-differences needs, without a call per cell."""

    successful: Int64s
    deployments: Int64s
    failed: Int64s
    lead_time_p50: npt.NDArray[np.float64]  # NaN without a change deployed
    lead_time_sample: Int64s


def panel(index: ServiceDeliveryIndex, services: list[str], edges: list[date]) -> Panel:
    """The delivery of ``services`` over the periods between consecutive ``edges``."""
    days = np.array([day_number(d) for d in edges], dtype=np.int64)
    at = index.deployments.starts(services, days)
    counts = {
        name: np.diff(index.deployments.columns[name][at], axis=1).astype(np.int64)
        for name in ("successful", "deployments", "failed")
    }
    lead_at = index.lead.starts(services, days)
    lo, hi = lead_at[:, :-1].ravel(), lead_at[:, 1:].ravel()
    sizes = hi - lo
    hours = index.lead.columns["hours"]
    # every cell's samples, sorted by cell then hours: the median is read at its rank
    cell = np.repeat(np.arange(len(lo)), sizes)
    offsets = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    taken = hours[np.repeat(lo, sizes) + offsets]
    order = np.lexsort((taken, cell))
    ranked = taken[order]
    starts = np.cumsum(sizes) - sizes
    median = np.full(len(lo), np.nan)
    some = sizes > 0
    ranks = np.maximum(np.ceil(0.5 * sizes[some]).astype(np.int64), 1) - 1
    median[some] = ranked[starts[some] + ranks]
    shape = (len(services), len(edges) - 1)
    return Panel(
        counts["successful"],
        counts["deployments"],
        counts["failed"],
        median.reshape(shape),
        sizes.reshape(shape),
    )
