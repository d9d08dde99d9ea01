"""Code coverage and technical debt of any subtree on any day (docs/kpis.md): over the services
the subtree owns that day, each at its latest measurement up to that day; services never
measured by then are left out and counted beside the value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import polars as pl

from graph.intervals import IntervalIndex, SubtreeIntervals
from graph.measures import Floats, ratios
from graph.tree import OrgTree, Subtrees

_FAR = date(9999, 12, 31)


def _segments(
    services: pl.DataFrame, measurements: pl.DataFrame, values: list[str]
) -> pl.DataFrame:
    """Pieces of time in which one service has one owner and one latest measurement:
    ``owner_team_id``, ``start``, ``end`` (exclusive, null = open) and the measured values."""
    daily = (
        measurements.with_columns(pl.col("measured_at").dt.date().alias("start"))
        .sort("service_id", "measured_at")
        .unique(["service_id", "start"], keep="last", maintain_order=True)  # the day's latest
        .with_columns(pl.col("start").shift(-1).over("service_id").alias("end"))
    )
    owners = services.select(
        pl.col("id").alias("service_id"), "owner_team_id", "valid_from", "valid_to"
    )
    joined = daily.join(owners, on="service_id")
    far = pl.lit(_FAR)
    return (
        joined.with_columns(
            pl.max_horizontal("start", "valid_from").alias("start"),
            pl.min_horizontal(
                pl.col("end").fill_null(far), pl.col("valid_to").fill_null(far)
            ).alias("end"),
        )
        .filter(pl.col("start") < pl.col("end"))
        .with_columns(pl.when(pl.col("end") < far).then(pl.col("end")).alias("end"))
        .select("owner_team_id", "start", "end", *values)
    )


@dataclass(frozen=True)
class Measured:
    """A point-in-time quality value with the services behind it and those left out."""

    value: float | None
    measured: int
    unmeasured: int


class QualityIndex:
    """Services owned, and each service's latest measurement, as validity intervals."""

    def __init__(
        self,
        teams: list[str],
        services: pl.DataFrame,
        coverage: pl.DataFrame,
        debt: pl.DataFrame,
        owned: IntervalIndex | None = None,
    ):
        span = {"team": "owner_team_id", "start": "start", "end": "end"}
        self.owned = owned or IntervalIndex(services, team="owner_team_id")
        self.coverage = IntervalIndex(
            _segments(services, coverage, ["covered_lines", "total_lines"]),
            weights=["covered_lines", "total_lines"],
            **span,
        )
        self.debt = IntervalIndex(
            _segments(services, debt, ["debt_minutes"]), weights=["debt_minutes"], **span
        )

    def for_tree(self, tree: OrgTree) -> Quality:
        return Quality(
            self.owned.for_tree(tree), self.coverage.for_tree(tree), self.debt.for_tree(tree)
        )


class Quality:
    """Coverage and debt of the subtrees of one org tree."""

    def __init__(
        self, owned: SubtreeIntervals, coverage: SubtreeIntervals, debt: SubtreeIntervals
    ) -> None:
        self.owned = owned
        self.coverage = coverage
        self.debt = debt

    def code_coverage(self, team: str, on: date) -> Measured:
        """Σ covered ÷ Σ total lines over the measured services owned on ``on``; None when no
        line was measured."""
        total = self.coverage.on(team, on, weight="total_lines")
        measured = self.coverage.on(team, on)
        value = self.coverage.on(team, on, weight="covered_lines") / total if total else None
        return Measured(value, measured, self.owned.on(team, on) - measured)

    def technical_debt_minutes(self, team: str, on: date) -> Measured:
        """Σ debt minutes over the measured services owned on ``on``; None when none was measured."""
        measured = self.debt.on(team, on)
        value = float(self.debt.on(team, on, weight="debt_minutes")) if measured else None
        return Measured(value, measured, self.owned.on(team, on) - measured)

    def code_coverage_many(self, teams: Subtrees, on: date) -> Floats:
        """The value of :meth:`code_coverage` for many subtrees, NaN where it is None."""
        covered = self.coverage.on_many(teams, on, weight="covered_lines")
        return ratios(covered, self.coverage.on_many(teams, on, weight="total_lines"))

    def technical_debt_minutes_many(self, teams: Subtrees, on: date) -> Floats:
        """The value of :meth:`technical_debt_minutes` for many subtrees, NaN where it is None."""
        minutes = self.debt.on_many(teams, on, weight="debt_minutes").astype(np.float64)
        return np.where(self.debt.on_many(teams, on) != 0, minutes, np.nan)
