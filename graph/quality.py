"""Code coverage and technical debt of any subtree on any day (docs/kpis.md): over the services
the subtree owns that day, each at its latest measurement up to that day; services never
measured by then are left out and counted beside the value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import polars as pl

from graph.rollup import Cube, SubtreeSums, TeamIndex, day_range, membership_days
from graph.tree import OrgTree

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
    """Steady cubes: owned services, measured services, and the sums of the measured values."""

    def __init__(
        self, teams: list[str], services: pl.DataFrame, coverage: pl.DataFrame, debt: pl.DataFrame
    ):
        coverage_pieces = _segments(services, coverage, ["covered_lines", "total_lines"])
        debt_pieces = _segments(services, debt, ["debt_minutes"])
        first, days = day_range(
            services["valid_from"],
            services["valid_to"],
            coverage_pieces["start"],
            debt_pieces["start"],
        )
        self.index = TeamIndex(sorted(teams), first, days)
        span = {"team": "owner_team_id", "start": "start", "end": "end"}
        self.cubes: dict[str, Cube] = {
            "owned": membership_days(self.index, services, team="owner_team_id"),
            "coverage_services": membership_days(self.index, coverage_pieces, **span),
            "covered_lines": membership_days(
                self.index, coverage_pieces, weight="covered_lines", **span
            ),
            "total_lines": membership_days(
                self.index, coverage_pieces, weight="total_lines", **span
            ),
            "debt_services": membership_days(self.index, debt_pieces, **span),
            "debt_minutes": membership_days(self.index, debt_pieces, weight="debt_minutes", **span),
        }

    def for_tree(self, tree: OrgTree) -> Quality:
        return Quality(SubtreeSums(self.index, tree, self.cubes))


class Quality:
    """Coverage and debt of the subtrees of one org tree."""

    def __init__(self, sums: SubtreeSums) -> None:
        self.sums = sums

    def _on(self, measure: str, team: str, on: date) -> int:
        return self.sums.total(measure, team, on, on + timedelta(days=1))

    def code_coverage(self, team: str, on: date) -> Measured:
        """Σ covered ÷ Σ total lines over the measured services owned on ``on``; None when no
        line was measured."""
        total = self._on("total_lines", team, on)
        measured = self._on("coverage_services", team, on)
        value = self._on("covered_lines", team, on) / total if total else None
        return Measured(value, measured, self._on("owned", team, on) - measured)

    def technical_debt_minutes(self, team: str, on: date) -> Measured:
        """Σ debt minutes over the measured services owned on ``on``; None when none was measured."""
        measured = self._on("debt_services", team, on)
        value = float(self._on("debt_minutes", team, on)) if measured else None
        return Measured(value, measured, self._on("owned", team, on) - measured)
