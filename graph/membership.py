"""Point-in-time counts of any subtree on any date, by category, from a dimension's history:
people by role (headcount, SDE ratio), services by platform (native-AWS migration share).

Each category is one steady cube of ``members[team, day]`` (``graph/rollup.py``); a subtree's
count on a day is one prefix-sum look-up per category, exact on every day, also before and
after the data's days."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from graph.rollup import Cube, SubtreeSums, TeamIndex, day_range, membership_days
from graph.tree import OrgTree

#: The category of a row that gives none (a service with no platform).
UNKNOWN = ""


class MembershipIndex:
    """Cubes of how many rows of each category belong to each team on each day.

    ``rows`` is a dimension history: ``valid_from`` (inclusive), ``valid_to`` (exclusive, null =
    open), the team column ``team`` and the category column ``category``."""

    def __init__(self, teams: list[str], rows: pl.DataFrame, *, team: str, category: str) -> None:
        rows = rows.with_columns(pl.col(category).fill_null(UNKNOWN))
        first, days = day_range(rows["valid_from"], rows["valid_to"])
        self.index = TeamIndex(sorted(teams), first, days)
        self.categories = sorted(set(rows[category].to_list()))
        self.cubes: dict[str, Cube] = {
            value: membership_days(self.index, rows.filter(pl.col(category) == value), team=team)
            for value in self.categories
        }

    def for_tree(self, tree: OrgTree) -> Membership:
        return Membership(SubtreeSums(self.index, tree, self.cubes), self.categories)


class Membership:
    """Counts by category for the subtrees of one org tree."""

    def __init__(self, sums: SubtreeSums, categories: list[str]) -> None:
        self.sums = sums
        self.categories = categories

    def by_category(self, team: str, on: date) -> dict[str, int]:
        """Members of the subtree of ``team`` on the day ``on``, per category (none left out)."""
        end = on + timedelta(days=1)
        counts = {value: self.sums.total(value, team, on, end) for value in self.categories}
        return {value: count for value, count in counts.items() if count}

    def share(self, team: str, on: date, categories: frozenset[str]) -> tuple[float | None, int]:
        """The share of the members in ``categories`` on ``on``, and how many members there
        are; the share is None when there are none."""
        counts = self.by_category(team, on)
        total = sum(counts.values())
        chosen = sum(n for value, n in counts.items() if value in categories)
        return (chosen / total if total else None), total


def headcount_index(teams: list[str], people: pl.DataFrame) -> MembershipIndex:
    """People by role: headcount by role, and the SDE ratio with the configured engineer roles."""
    return MembershipIndex(teams, people, team="team_id", category="role")


def platform_index(teams: list[str], services: pl.DataFrame) -> MembershipIndex:
    """Services by platform: the migration share with the configured target platforms."""
    return MembershipIndex(teams, services, team="owner_team_id", category="platform")
