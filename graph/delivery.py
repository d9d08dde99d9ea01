"""Delivery KPIs from the rollup cubes (docs/kpis.md): deployments per week and change
failure rate, for any subtree, window and structure date. More KPIs join this module as the
rollup engine grows (issue 3)."""

from __future__ import annotations

from datetime import date

import numpy as np
import polars as pl

from graph.intervals import IntervalIndex, SubtreeIntervals
from graph.measures import Rate, nearest_rank
from graph.rollup import (
    Cube,
    SubtreeSums,
    TeamIndex,
    attribute_to_owner,
    day_range,
)
from graph.tiers import DoraTier
from graph.tree import OrgTree

PRODUCTION = "production"
FAILED = ("failed", "rolled_back")


class DeliveryIndex:
    """Cubes of production deployments, built once from the store's rows."""

    def __init__(
        self,
        teams: list[str],
        services: pl.DataFrame,
        deployments: pl.DataFrame,
        incidents: pl.DataFrame,
        owned: IntervalIndex | None = None,
    ):
        production = deployments.filter(pl.col("environment") == PRODUCTION)
        caused = incidents["caused_by_deployment_id"].drop_nulls().unique()
        production = production.with_columns(
            (pl.col("status").is_in(FAILED) | pl.col("id").is_in(caused.implode())).alias(
                "~failed"
            ),
            (pl.col("status") == "success").alias("~success"),
            attribute_to_owner(production, services, at="finished_at"),
            pl.col("finished_at").dt.date().alias("~day"),
        )
        days = production["~day"]
        first, count = day_range(days)
        self.index = TeamIndex(sorted(teams), first, count)
        self.cubes: dict[str, Cube] = {
            "deployments": self.index.cube(production["team_id"], days),
            "successful": self.index.cube(
                production["team_id"], days, production["~success"].cast(pl.Int64)
            ),
            "failed": self.index.cube(
                production["team_id"], days, production["~failed"].cast(pl.Int64)
            ),
        }
        self.owned = owned or IntervalIndex(services, team="owner_team_id")

    def for_tree(self, tree: OrgTree) -> DeliveryKpis:
        return DeliveryKpis(SubtreeSums(self.index, tree, self.cubes), self.owned.for_tree(tree))


class DeliveryKpis:
    """The delivery KPIs of any subtree of one org tree."""

    def __init__(self, sums: SubtreeSums, owned: SubtreeIntervals) -> None:
        self.sums = sums
        self.owned = owned

    def deployments_per_week(self, team: str, start: date, end: date) -> Rate:
        """Successful production deployments ÷ weeks; 0 when none, None when the subtree owned
        no service during the window."""
        successful = self.sums.total("successful", team, start, end)
        owned = self.owned.overlapping(team, start, end)
        weeks = (end - start).days / 7
        if owned == 0 or weeks <= 0:
            return Rate(None, successful)
        return Rate(successful / weeks, successful)

    def deployment_days(self, team: str, start: date, end: date) -> tuple[Rate, DoraTier | None]:
        """Median (nearest rank) over the window's complete 7-day blocks, counted from
        ``start``, of the distinct days with a successful production deployment; and the tier
        (elite: median >= 3, high: >= 1, medium: median over complete 30-day blocks >= 1, else
        low; None when the window had no successful production deployment). Null, as every
        rate over the subtree's services, when the subtree owned no service in the window."""
        if self.owned.overlapping(team, start, end) == 0:
            return Rate(None, 0), None
        deployed = (self.sums.daily("successful", team, start, end) > 0).astype(np.int64)

        def block_median(size: int) -> float | None:
            blocks = len(deployed) // size
            return nearest_rank(deployed[: blocks * size].reshape(blocks, size).sum(axis=1), 0.5)

        weekly = block_median(7)
        rate = Rate(weekly, int(deployed.sum()))
        if not deployed.any():
            return rate, None
        if weekly is not None and weekly >= 3:
            return rate, DoraTier.ELITE
        if weekly is not None and weekly >= 1:
            return rate, DoraTier.HIGH
        monthly = block_median(30)
        return rate, DoraTier.MEDIUM if monthly is not None and monthly >= 1 else DoraTier.LOW

    def change_failure_rate(self, team: str, start: date, end: date) -> Rate:
        """Failed production deployments (failed, rolled back, or named by an incident) ÷ all
        production deployments; None when there were none."""
        total = self.sums.total("deployments", team, start, end)
        failed = self.sums.total("failed", team, start, end)
        return Rate(failed / total if total else None, total)
