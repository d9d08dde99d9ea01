"""Headcount of any subtree on any date, by role, from people's history (docs/kpis.md):
people whose primary team on that day is in the subtree. People appear only as counts."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl

from graph.rollup import Cube, SubtreeSums, TeamIndex, day_range, membership_days
from graph.tree import OrgTree


class HeadcountIndex:
    """One steady cube per role: how many people of that role each team has on each day."""

    def __init__(self, teams: list[str], people: pl.DataFrame) -> None:
        first, days = day_range(people["valid_from"], people["valid_to"])
        self.index = TeamIndex(sorted(teams), first, days)
        self.roles = sorted(set(people["role"].to_list()))
        self.cubes: dict[str, Cube] = {
            role: membership_days(self.index, people.filter(pl.col("role") == role), team="team_id")
            for role in self.roles
        }

    def for_tree(self, tree: OrgTree) -> Headcount:
        return Headcount(SubtreeSums(self.index, tree, self.cubes), self.roles)


class Headcount:
    """Headcounts of the subtrees of one org tree."""

    def __init__(self, sums: SubtreeSums, roles: list[str]) -> None:
        self.sums = sums
        self.roles = roles

    def by_role(self, team: str, on: date) -> dict[str, int]:
        """People per role in the subtree of ``team`` on the day ``on`` (roles with none left out)."""
        counts = {
            role: self.sums.total(role, team, on, on + timedelta(days=1)) for role in self.roles
        }
        return {role: count for role, count in counts.items() if count}

    def total(self, team: str, on: date) -> int:
        return sum(self.by_role(team, on).values())

    def share(self, team: str, on: date, roles: frozenset[str]) -> float | None:
        """The share of the headcount in ``roles`` (the SDE ratio with the configured engineer
        roles); None when the subtree has nobody on that day."""
        counts = self.by_role(team, on)
        total = sum(counts.values())
        return sum(n for role, n in counts.items() if role in roles) / total if total else None
