"""Point-in-time counts of any subtree on any date, by category, from a dimension's history:
people by role (headcount, SDE ratio), services by platform (native-AWS migration share).

Counts come from the rows' validity intervals (``graph/intervals.py``): exact on every date,
also before and after the data's days."""

from __future__ import annotations

from datetime import date

import polars as pl

from graph.intervals import IntervalIndex, SubtreeIntervals
from graph.measures import Floats, Int64s, ratios
from graph.tree import OrgTree, Subtrees


class MembershipIndex:
    """How many rows of each category belong to each team over time.

    ``rows`` is a dimension history: ``valid_from`` (inclusive), ``valid_to`` (exclusive, null =
    open), the team column ``team`` and the category column ``category``."""

    def __init__(
        self,
        teams: list[str],
        rows: pl.DataFrame,
        *,
        team: str,
        category: str,
        intervals: IntervalIndex | None = None,
    ) -> None:
        self.intervals = intervals or IntervalIndex(rows, team=team, category=category)

    def for_tree(self, tree: OrgTree) -> Membership:
        return Membership(self.intervals.for_tree(tree))


class Membership:
    """Counts by category for the subtrees of one org tree."""

    def __init__(self, intervals: SubtreeIntervals) -> None:
        self.intervals = intervals

    @property
    def categories(self) -> list[str]:
        return self.intervals.categories

    def by_category(self, team: str, on: date) -> dict[str, int]:
        """Members of the subtree of ``team`` on the day ``on``, per category (none left out)."""
        return self.intervals.by_category(team, on)

    def share(self, team: str, on: date, categories: frozenset[str]) -> tuple[float | None, int]:
        """The share of the members in ``categories`` on ``on``, and how many members there
        are; the share is None when there are none."""
        counts = self.by_category(team, on)
        total = sum(counts.values())
        chosen = sum(n for value, n in counts.items() if value in categories)
        return (chosen / total if total else None), total

    def counts_many(
        self, teams: Subtrees, on: date, categories: frozenset[str] | None = None
    ) -> Int64s:
        """Members of many subtrees on ``on`` (of ``categories`` only, unless None)."""
        return self.intervals.on_many(teams, on, categories=categories)

    def share_many(self, teams: Subtrees, on: date, categories: frozenset[str]) -> Floats:
        """The value of :meth:`share` for many subtrees, NaN where it is None."""
        return ratios(self.counts_many(teams, on, categories), self.counts_many(teams, on))


def headcount_index(teams: list[str], people: pl.DataFrame) -> MembershipIndex:
    """People by role: headcount by role, and the SDE ratio with the configured engineer roles."""
    return MembershipIndex(teams, people, team="team_id", category="role")


def service_intervals(services: pl.DataFrame) -> IntervalIndex:
    """Services by owner and platform over time: shared by every KPI that counts services."""
    return IntervalIndex(services, team="owner_team_id", category="platform")


def platform_index(
    teams: list[str], services: pl.DataFrame, intervals: IntervalIndex | None = None
) -> MembershipIndex:
    """Services by platform: the migration share with the configured target platforms."""
    return MembershipIndex(
        teams,
        services,
        team="owner_team_id",
        category="platform",
        intervals=intervals or service_intervals(services),
    )
