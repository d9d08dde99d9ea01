"""Delivery KPIs from the rollup cubes (docs/kpis.md): deployments per week and change
failure rate, for any subtree, window and structure date. More KPIs join this module as the
rollup engine grows (issue 3)."""

from __future__ import annotations

import math
from datetime import date

import numpy as np
import polars as pl

from graph.intervals import IntervalIndex, SubtreeIntervals
from graph.measures import Floats, Rate, nearest_rank, ratios
from graph.rollup import (
    Cube,
    SubtreeSums,
    TeamIndex,
    attribute_to_owner,
    day_range,
)
from graph.tiers import DoraTier
from graph.tree import OrgTree, Subtrees

PRODUCTION = "production"
#: team x day cells of one pass of :meth:`DeliveryKpis.deployment_days_many` (8 MB)
BATCH_CELLS = 1 << 20
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

    # -- many subtrees at once: the same values, NaN where they are None ----------------------

    def deployments_per_week_many(self, teams: Subtrees, start: date, end: date) -> Floats:
        """The value of :meth:`deployments_per_week` (the same quotients)."""
        successful = self.sums.totals("successful", teams, start, end)
        owned = self.owned.overlapping_many(teams, start, end)
        weeks = (end - start).days / 7
        if weeks <= 0:
            return np.full(len(teams), np.nan)
        return np.where(owned != 0, successful / weeks, np.nan)

    def deployment_days_many(self, teams: Subtrees, start: date, end: date) -> Floats:
        """The rate of :meth:`deployment_days` (not the tier): the days with a deployment of
        each subtree, a row per team, in slices of at most ``BATCH_CELLS`` cells."""
        out = np.full(len(teams), np.nan)
        blocks = max((end - start).days, 0) // 7
        owning = np.flatnonzero(self.owned.overlapping_many(teams, start, end) != 0)
        if not blocks or not len(owning):
            return out
        rank = max(math.ceil(0.5 * blocks) - 1, 0)  # nearest rank, as ``nearest_rank``
        step = max(1, BATCH_CELLS // max((end - start).days, 1))
        for at in range(0, len(owning), step):
            rows = owning[at : at + step]
            deployed = self.sums.daily_many("successful", teams.take(rows), start, end) > 0
            weekly = deployed[:, : blocks * 7].reshape(len(rows), blocks, 7).sum(axis=2)
            weekly.sort(axis=1)
            out[rows] = weekly[:, rank]
        return out

    def change_failure_rate_many(self, teams: Subtrees, start: date, end: date) -> Floats:
        """The value of :meth:`change_failure_rate`."""
        total = self.sums.totals("deployments", teams, start, end)
        return ratios(self.sums.totals("failed", teams, start, end), total)
