"""The org tree as it stands at the window's start.

Several roots (orgs) split into departments, which split again, down to teams. Fan-out is
deliberately uneven: a lognormal number of children and a Dirichlet split of the remaining
size let some departments end in one or two teams and others in dozens, and the first org
holds a flat "Platform Engineering" department with about 6% of all teams directly under it
(1,200 children at 20,000 teams: the benchmarks' wide node). Depth runs from 3 (every
department of a root has at least one team) to the org's own limit (8 for one org, 7 for
another, 5 or 6 for the rest), where a branch that is still large hangs its remaining teams
flat.

Teams are numbered level by level, so roots are ``t1 ... tR``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from synthetic import names
from synthetic.window import Ints

MAX_DEPTH = 8
DEPTH_LIMITS = np.array([MAX_DEPTH, 7, 6, 5, 6])
KINDS = ("org", "department", "team")
ORG, DEPARTMENT, TEAM = range(3)
#: Share of all teams hanging directly under the platform department.
PLATFORM_SHARE = 0.06


@dataclass(frozen=True)
class Org:
    """Org units by index (``t{index + 1}``); ``parent`` is the one on a unit's first day."""

    parent: Ints
    depth: Ints
    kind: Ints
    names: list[str]
    platform: int
    #: Units ``0 .. initial - 1`` exist from the start; later ones are split-offs.
    initial: int

    @property
    def size(self) -> int:
        return len(self.names)

    def root_of(self) -> Ints:
        """The root (org) above every unit."""
        root = np.arange(self.size)
        for _ in range(MAX_DEPTH):
            up = self.parent[root]
            root = np.where(up >= 0, up, root)
        return root

    def initial_teams(self) -> Ints:
        """The leaf teams that exist at the window's start."""
        return np.flatnonzero(self.kind[: self.initial] == TEAM)

    def with_teams(self, parents: Ints, team_names: Sequence[str]) -> Org:
        """This org plus new leaf teams under ``parents`` (split-offs)."""
        return Org(
            parent=np.concatenate([self.parent, parents]),
            depth=np.concatenate([self.depth, self.depth[parents] + 1]),
            kind=np.concatenate([self.kind, np.full(len(parents), TEAM)]),
            names=names.unique([*self.names, *team_names]),
            platform=self.platform,
            initial=self.initial,
        )


def root_count(teams: int) -> int:
    """2 roots for a small org, up to 5 for a very large one."""
    return 2 if teams < 1_000 else 3 if teams < 5_000 else 4 if teams < 50_000 else 5


class _TreeBuilder:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.parent: list[int] = []
        self.depth: list[int] = []

    def add(self, parent: int, depth: int) -> int:
        self.parent.append(parent)
        self.depth.append(depth)
        return len(self.parent) - 1

    def grow(self, node: int, depth: int, budget: int, limit: int) -> None:
        """Hang ``budget`` descendants under ``node`` (at ``depth``), none deeper than ``limit``."""
        if budget <= 0:
            return
        levels_below = limit - depth
        if levels_below <= 1:
            for _ in range(budget):
                self.add(node, depth + 1)
            return
        fan_out = 1 + int(self.rng.lognormal(math.log(3.5), 0.8))
        # Wide enough that the budget fits in the levels left, without a flat blow-up at the
        # limit.
        fan_out = max(fan_out, math.ceil(budget ** (1 / levels_below)))
        # Under a root every department keeps one unit for itself: leaves sit at depth >= 3.
        reserved = 1 if depth == 1 else 0
        fan_out = max(1, min(fan_out, budget // (1 + reserved)))
        spare = budget - fan_out * (1 + reserved)
        shares = self.rng.multinomial(spare, self.rng.dirichlet(np.ones(fan_out)))
        for share in shares.tolist():
            child = self.add(node, depth + 1)
            self.grow(child, depth + 1, share + reserved, limit)


def grow_org(rng: np.random.Generator, size: int) -> Org:
    """A tree of ``size`` org units (see the module docstring for its shape)."""
    roots_n = root_count(size)
    platform_n = max(3, round(PLATFORM_SHARE * size))
    rest = size - roots_n - 1 - platform_n
    if rest < 4 * roots_n:
        raise ValueError(f"{size} teams are too few for {roots_n} orgs")
    tree = _TreeBuilder(rng)
    roots = [tree.add(-1, 1) for _ in range(roots_n)]
    platform = tree.add(roots[0], 2)
    for _ in range(platform_n):
        tree.add(platform, 3)
    # Orgs differ in size; each gets at least 4 units so it reaches depth 3.
    budgets = 4 + rng.multinomial(rest - 4 * roots_n, rng.dirichlet(np.full(roots_n, 3.0)))
    # Orgs differ in depth too: one reaches 8 levels, another 7, the others 5 or 6.
    limits = rng.permutation(DEPTH_LIMITS[:roots_n])
    for root, budget, limit in zip(roots, budgets.tolist(), limits.tolist(), strict=True):
        tree.grow(root, 1, budget, limit)
    return _level_order(rng, tree, platform)


def _level_order(rng: np.random.Generator, tree: _TreeBuilder, platform: int) -> Org:
    """Renumber the tree level by level and name its units."""
    depth = np.array(tree.depth, dtype=np.int64)
    order = np.argsort(depth, kind="stable")
    new_index = np.empty_like(order)
    new_index[order] = np.arange(len(order))
    old_parent = np.array(tree.parent, dtype=np.int64)[order]
    parent = np.where(old_parent >= 0, new_index[np.maximum(old_parent, 0)], -1)
    depth = depth[order]
    has_children = np.zeros(len(order), dtype=bool)
    has_children[parent[parent >= 0]] = True
    kind = np.where(depth == 1, ORG, np.where(has_children, DEPARTMENT, TEAM))
    platform = int(new_index[platform])
    unit_names = _unit_names(rng, kind, platform)
    return Org(parent, depth, kind, unit_names, platform, initial=len(order))


def _unit_names(rng: np.random.Generator, kind: Ints, platform: int) -> list[str]:
    n = len(kind)
    areas = names.pick(rng, names.AREAS, n)
    words = names.pick(rng, names.TEAM_WORDS, n)
    out: list[str] = []
    orgs = 0
    for i, k in enumerate(kind.tolist()):
        if k == ORG:
            out.append(f"{names.ORG_NAMES[orgs % len(names.ORG_NAMES)]} Org")
            orgs += 1
        elif i == platform:
            out.append("Platform Engineering")
        elif k == DEPARTMENT:
            out.append(f"{areas[i]} Engineering")
        else:
            out.append(f"{areas[i]} {words[i]}")
    return names.unique(out)


def team_names(rng: np.random.Generator, n: int) -> list[str]:
    """Names for ``n`` new leaf teams."""
    areas = names.pick(rng, names.AREAS, n)
    words = names.pick(rng, names.TEAM_WORDS, n)
    return [f"{a} {w}" for a, w in zip(areas, words, strict=True)]
