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
    """Events of one measure sorted by (service, day), with a weight each."""

    def __init__(self, services: pl.Series, days: pl.Series, values: pl.Series) -> None:
        frame = pl.DataFrame(
            {"s": services, "d": days.cast(pl.Int64), "v": values.cast(pl.Float64)}
        ).sort("s", "d")
        spans = (
            frame.with_row_index("at")
            .group_by("s", maintain_order=True)
            .agg(pl.col("at").min().alias("a"), (pl.col("at").max() + 1).alias("b"))
        )
        self.spans: dict[str, tuple[int, int]] = {
            key: (int(a), int(b)) for key, a, b in spans.iter_rows()
        }
        self.days: Int64s = frame["d"].to_numpy().astype(np.int64)
        self.values = frame["v"].to_numpy()
        self.running = np.concatenate(([0.0], np.cumsum(self.values)))

    def window(self, service: str, start: date, end: date) -> tuple[int, int]:
        """The slice of the service's events with a day in ``[start, end)``."""
        if service not in self.spans:
            return 0, 0
        a, b = self.spans[service]
        days = self.days[a:b]
        lo = a + int(np.searchsorted(days, day_number(start)))
        hi = a + int(np.searchsorted(days, day_number(end)))
        return lo, hi

    def total(self, service: str, start: date, end: date) -> float:
        lo, hi = self.window(service, start, end)
        return float(self.running[hi] - self.running[lo])


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
        day = production["finished_at"].dt.date()
        self.deployments = _ByService(
            production["service_id"], day, pl.repeat(1, production.height, eager=True)
        )
        self.successful = _ByService(
            production["service_id"], day, (production["status"] == "success").cast(pl.Int64)
        )
        failed = production["status"].is_in(FAILED) | production["id"].is_in(caused.implode())
        self.failed = _ByService(production["service_id"], day, failed.cast(pl.Int64))
        self.lead = _ByService(lead["service_id"], lead["day"], lead["hours"])

    def kpis(self, service: str, start: date, end: date) -> ServiceKpis:
        """The service's delivery over ``[start, end)``."""
        weeks = (end - start).days / 7
        successful = int(self.successful.total(service, start, end))
        total = int(self.deployments.total(service, start, end))
        failed = int(self.failed.total(service, start, end))
        lo, hi = self.lead.window(service, start, end)
        hours = np.sort(self.lead.values[lo:hi])

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
