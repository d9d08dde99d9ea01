"""The privacy floor (docs/security.md): a figure derived from people (the catalogue's
``people`` KPIs, headcount by role, the initiatives measured on people) is withheld for a
subtree of fewer than ``k`` people on the figure's day, never shown as zero.

Withholding a small team alone would not be enough: its parent's figure minus its other
children's would give it back. So, under every parent, the part of its people that no shown
child accounts for (its own direct members plus the withheld children) must be none or at
least ``k`` people: when it is between, the smallest shown children are withheld too
(complementary suppression, as statistical offices do for tables), until it is. A withheld
team's whole subtree is withheld with it, so a withheld complement cannot be rebuilt from its
own shown children either. Subtracting shown figures from a shown parent then only ever gives
a group of at least ``k`` people.

What this does not cover is written in docs/security.md: figures of the same subtree on two
days (one person joining changes a count by one) and two structure dates.

>>> from graph.tree import build_org_tree
>>> from store.rows import TeamVersion
>>> day = date(2025, 1, 1)
>>> teams = [TeamVersion("org", "Org", None, None, date.min, None)] + [
...     TeamVersion(t, t, "org", None, date.min, None) for t in ("a", "b", "c")
... ]
>>> own = {"org": 0, "a": 2, "b": 6, "c": 9}  # each team's own members
>>> def people(team, on):
...     return sum(own.values()) if team == "org" else own[team]
>>> floor = PrivacyFloor(build_org_tree(teams, as_of=day), people, k=5)
>>> [team for team in ("org", "a", "b", "c") if floor.withheld(team, day)]
['a', 'b']

``a`` is under the floor; alone, the org's figure minus ``b``'s and ``c``'s would give it
back, so ``b``, the smallest shown child, is withheld with it (2 + 6 people).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date
from enum import Enum

import numpy as np
import numpy.typing as npt

from graph.lru import Lru
from graph.tree import OrgTree, Subtrees

Int64s = npt.NDArray[np.int64]


class Withheld(Enum):
    """Why a figure is not shown."""

    #: derived from people, for a subtree under the privacy floor (or its complement)
    BELOW_PRIVACY_FLOOR = "BELOW_PRIVACY_FLOOR"
    #: about teams outside what the client's token may see
    OUTSIDE_SCOPE = "OUTSIDE_SCOPE"
    #: an aggregate over too few teams outside the token's scope: it would show one of them
    TOO_FEW_PEERS = "TOO_FEW_PEERS"


#: (parent, day) entries kept: the complement chosen under each parent on each day
CACHED_PARENTS = 1 << 14
#: (team, day) entries kept: whether a subtree is withheld on a day (an initiative's status
#: asks it of every weekly point behind its pace, on every request)
CACHED_TEAMS = 1 << 16


class PrivacyFloor:
    """Which subtrees' people-derived figures are withheld on a day, for one org tree.

    ``people(team, day)`` counts the people whose primary team is in the subtree that day;
    ``k`` is the floor (0 or 1: nothing is withheld)."""

    def __init__(
        self,
        tree: OrgTree,
        people: Callable[[str, date], int],
        k: int,
        people_many: Callable[[Subtrees, date], Int64s] | None = None,
    ) -> None:
        self.tree = tree
        self.people = people
        self.k = k
        #: ``people`` of many subtrees at once (default: one by one)
        self.people_many = people_many or (
            lambda teams, day: np.array([people(t, day) for t in teams.teams], dtype=np.int64)
        )
        self._withheld_children = Lru[frozenset[str]](CACHED_PARENTS)
        self._withheld = Lru[bool](CACHED_TEAMS)

    def withheld(self, team: str, day: date) -> bool:
        """Whether the figures of ``team``'s subtree derived from people are withheld on
        ``day``: it has fewer than ``k`` people, or it or an ancestor is a complement."""
        if self.k <= 1:
            return False
        return self._withheld.get_or_compute((team, day), lambda: self._is_withheld(team, day))

    def _is_withheld(self, team: str, day: date) -> bool:
        if self.people(team, day) < self.k:
            return True
        chain = (*self.tree.ancestors(team), team)
        return any(
            child in self.withheld_children(parent, day)
            for parent, child in itertools.pairwise(chain)
        )

    def withheld_many(self, teams: Sequence[str], day: date) -> npt.NDArray[np.bool_]:
        """:meth:`withheld` of many teams on one day (their people counted at once, each
        ancestor's complement chosen once)."""
        if self.k <= 1:
            return np.zeros(len(teams), dtype=bool)
        small = self.people_many(self.tree.subtrees(teams), day) < self.k
        # whether a team is a complement or under one: its parent is, or it is among the
        # parent's withheld children; known for the roots (neither), found top-down
        under: dict[str, bool] = {}
        for team in teams:
            path = []
            node: str | None = team
            while node is not None and node not in under:
                path.append(node)
                node = self.tree.parent(node)
            above = False if node is None else under[node]
            for child in reversed(path):
                parent = self.tree.parent(child)
                above = above or (
                    parent is not None and child in self.withheld_children(parent, day)
                )
                under[child] = above
        withheld: npt.NDArray[np.bool_] = small | np.array([under[t] for t in teams], dtype=bool)
        return withheld

    def withheld_children(self, parent: str, day: date) -> frozenset[str]:
        """The children of ``parent`` withheld on ``day``: those under the floor, then, while
        the people no shown child accounts for are more than none and fewer than ``k``, the
        smallest shown children (ties by key)."""
        return self._withheld_children.get_or_compute(
            (parent, day), lambda: self._choose(parent, day)
        )

    def _choose(self, parent: str, day: date) -> frozenset[str]:
        children = self.tree.children(parent, include_inactive=True)
        counts = self.people_many(self.tree.subtrees(children), day).tolist()
        sizes = dict(zip(children, counts, strict=True))
        withheld = {c for c, n in sizes.items() if n < self.k}
        hidden = self.people(parent, day) - sum(n for c, n in sizes.items() if c not in withheld)
        shown = sorted((n, c) for c, n in sizes.items() if c not in withheld)
        for n, child in shown:
            if hidden == 0 or hidden >= self.k:
                break
            withheld.add(child)
            hidden += n
        return frozenset(withheld)
