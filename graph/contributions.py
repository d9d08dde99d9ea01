"""Remote code contributions of any subtree (docs/kpis.md): inbound (merged changes to the
subtree's services by people outside it) and outbound (merged changes by its people to services
outside it), owner and author both taken on the merge day.

Whether a change is *inside* a subtree X (service owner and author both in X) is not additive
over teams, but it is over the tree: X contains both teams exactly when X contains their lowest
common ancestor. So on each structure date the changes are counted by that ancestor, and

    inside(X)   = changes whose owner/author ancestor is in X      (a subtree sum)
    inbound(X)  = (to X's services, author known - inside(X)) / to X's services, author known
    outbound(X) = (by X's people - inside(X)) / by X's people
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import numpy.typing as npt
import polars as pl

from graph.measures import Floats, Rate, ratios
from graph.membership import Membership
from graph.rollup import Cube, SubtreeSums, TeamIndex, attribute_to_owner, day_range, team_on_day
from graph.tree import OrgTree, Subtrees


class ContributionIndex:
    """Merged changes with a known author: their owner and author teams and merge day."""

    def __init__(
        self, teams: list[str], services: pl.DataFrame, people: pl.DataFrame, changes: pl.DataFrame
    ):
        merged = changes.filter(
            pl.col("merged_at").is_not_null() & pl.col("author_id").is_not_null()
        )
        self.merged = merged.select(
            attribute_to_owner(merged, services, at="merged_at").alias("owner"),
            team_on_day(
                merged, key="author_id", at="merged_at", history=people, team="team_id"
            ).alias("author"),
            pl.col("merged_at").dt.date().alias("day"),
        )
        first, days = day_range(self.merged["day"])
        self.index = TeamIndex(sorted(teams), first, days)
        self.cubes = {
            "to_owner": self.index.cube(self.merged["owner"], self.merged["day"]),
            "by_author": self.index.cube(self.merged["author"], self.merged["day"]),
        }

    def for_tree(self, tree: OrgTree) -> Contributions:
        common = _common_ancestors(tree, self.merged["owner"], self.merged["author"])
        shared = common.is_not_null()  # owner and author under different roots: inside no subtree
        inside = self.index.cube(common.filter(shared), self.merged["day"].filter(shared))
        cubes: dict[str, Cube] = {**self.cubes, "inside": inside}
        return Contributions(SubtreeSums(self.index, tree, cubes))


def _common_ancestors(tree: OrgTree, first: pl.Series, second: pl.Series) -> pl.Series:
    """The lowest common ancestor of each pair of teams (a team of another root: that root's
    teams never share a subtree, so the pair counts as inside no subtree at all: null)."""
    order = list(tree.team_ids)
    position = {team: i for i, team in enumerate(order)}
    parent = np.array([position.get(tree.parent(t) or "", -1) for t in order], dtype=np.int64)
    depth = np.array([tree.depth(t) for t in order], dtype=np.int64)
    a = np.array([position[t] for t in first.to_list()], dtype=np.int64)
    b = np.array([position[t] for t in second.to_list()], dtype=np.int64)
    a, b = _lift(a, depth, parent, depth[b]), _lift(b, depth, parent, depth[a])
    while (differ := (a != b) & (a >= 0) & (b >= 0)).any():
        a = np.where(differ, parent[np.maximum(a, 0)], a)
        b = np.where(differ, parent[np.maximum(b, 0)], b)
    common = np.where(a == b, a, -1)
    names = np.array(order, dtype=object)
    return pl.Series("team_id", [None if c < 0 else names[c] for c in common], dtype=pl.String)


def _lift(
    node: npt.NDArray[np.int64],
    depth: npt.NDArray[np.int64],
    parent: npt.NDArray[np.int64],
    to: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Each node raised to (at most) the depth ``to``."""
    node = node.copy()
    while (deeper := depth[node] > to).any():
        node = np.where(deeper, parent[node], node)
    return node


class Contributions:
    """Inbound and outbound remote contribution rates of the subtrees of one org tree."""

    def __init__(self, sums: SubtreeSums) -> None:
        self.sums = sums

    def inbound(self, team: str, start: date, end: date) -> Rate:
        """Changes merged in ``[start, end)`` to the subtree's services by people outside it ÷
        all such changes with a known author; None when there were none."""
        to_subtree = self.sums.total("to_owner", team, start, end)
        remote = to_subtree - self.sums.total("inside", team, start, end)
        return Rate(remote / to_subtree if to_subtree else None, to_subtree)

    def outbound(self, team: str, start: date, end: date) -> Rate:
        """Changes merged in ``[start, end)`` by the subtree's people to services outside it ÷
        all changes they merged; None when they merged none."""
        by_subtree = self.sums.total("by_author", team, start, end)
        remote = by_subtree - self.sums.total("inside", team, start, end)
        return Rate(remote / by_subtree if by_subtree else None, by_subtree)

    def inbound_many(self, teams: Subtrees, start: date, end: date) -> Floats:
        """The value of :meth:`inbound` for many subtrees, NaN where it is None."""
        to_subtree = self.sums.totals("to_owner", teams, start, end)
        return ratios(to_subtree - self.sums.totals("inside", teams, start, end), to_subtree)

    def outbound_many(self, teams: Subtrees, start: date, end: date) -> Floats:
        """The value of :meth:`outbound` for many subtrees, NaN where it is None."""
        by_subtree = self.sums.totals("by_author", teams, start, end)
        return ratios(by_subtree - self.sums.totals("inside", teams, start, end), by_subtree)


def changes_per_engineer_per_week(
    contributions: Contributions,
    headcount: Membership,
    team: str,
    start: date,
    end: date,
    engineer_roles: frozenset[str],
) -> Rate:
    """Changes merged in ``[start, end)`` by the subtree's people (their team on the merge day)
    ÷ its headcount in the engineer roles on the window's last day ÷ weeks: a team ratio,
    never a per-person figure. 0 when nothing was merged; None when the subtree had no
    engineer on that day. The sample is the changes merged."""
    merged = contributions.sums.total("by_author", team, start, end)
    counts = headcount.by_category(team, end - timedelta(days=1))
    engineers = sum(n for role, n in counts.items() if role in engineer_roles)
    weeks = (end - start).days / 7
    return Rate(merged / engineers / weeks if engineers and weeks > 0 else None, merged)


def changes_per_engineer_per_week_many(
    contributions: Contributions,
    headcount: Membership,
    teams: Subtrees,
    start: date,
    end: date,
    engineer_roles: frozenset[str],
) -> Floats:
    """The value of :func:`changes_per_engineer_per_week` for many subtrees, NaN where it is
    None (the same quotients, in the same order)."""
    merged = contributions.sums.totals("by_author", teams, start, end)
    engineers = headcount.counts_many(teams, end - timedelta(days=1), engineer_roles)
    weeks = (end - start).days / 7
    if weeks <= 0:
        return np.full(len(teams), np.nan)
    return ratios(merged, engineers) / weeks
