"""Reorgs over the window, and the ``teams`` rows (dimension history) they produce.

Three kinds, each on one of a few reorg Mondays:

* a move: a team or a whole department gets a new parent (two contiguous rows);
* a dissolution: a leaf team's only row gets a ``valid_to``; its people and services go to an
  heir, a sibling team when there is one, on that day;
* a split: a new leaf team starts on that day under the same parent, taking part of the
  source team's people and services.

No date can see a parent cycle: a unit only ever moves under a unit at its old parent's
depth, so depth is the same at every date and a parent is always exactly one level up.
Only leaf teams are dissolved and new parents are never leaves, so a parent exists for as
long as its children do.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from synthetic.org import KINDS, TEAM, Org, team_names
from synthetic.window import Bools, Ints, Window, id_table, texts_of
from synthetic.writer import Column

REORG_DAYS = 3


@dataclass(frozen=True)
class Reorgs:
    moved: Ints
    moved_on: Ints
    moved_to: Ints
    dissolved: Ints
    dissolved_on: Ints
    heirs: Ints
    split: Ints
    split_on: Ints
    split_off: Ints
    #: Leaf teams that live through the whole window untouched by dissolution or split:
    #: the destinations of ordinary people moves and service handovers.
    stable: Ints


def split_count(teams: int) -> int:
    return max(1, round(0.002 * teams))


def plan_reorgs(
    rng: np.random.Generator, org: Org, window: Window, can_split: Bools, splits: int
) -> tuple[Org, Reorgs]:
    """Choose the reorgs; the returned org includes the split-off teams."""
    days = np.array(
        sorted(window.next_monday(int(window.days * f)) for f in rng.uniform(0.15, 0.85, 3)),
        dtype=np.int64,
    )
    leaves = rng.permutation(org.initial_teams())
    split = leaves[can_split[leaves]][:splits]
    others = leaves[~np.isin(leaves, split)]
    dissolved = others[: max(1, round(0.002 * org.size))]
    # Platform teams stay put so the wide node keeps its width.
    movable = others[len(dissolved) :]
    movable = movable[org.parent[movable] != org.platform]
    moved_teams = movable[: max(2, round(0.004 * org.size))]
    departments = rng.permutation(np.flatnonzero((org.kind != TEAM) & (org.depth >= 3)))
    moved = np.concatenate([moved_teams, departments[: max(1, round(0.001 * org.size))]])
    moved_to = np.array([_new_parent(rng, org, int(t)) for t in moved], dtype=np.int64)
    moved = moved[moved_to >= 0]
    moved_to = moved_to[moved_to >= 0]

    is_stable = np.zeros(org.size, dtype=bool)
    is_stable[org.initial_teams()] = True
    is_stable[split] = False
    is_stable[dissolved] = False
    stable = np.flatnonzero(is_stable)
    heirs = np.array([_heir(rng, org, stable, int(t)) for t in dissolved], dtype=np.int64)

    split_off = np.arange(org.size, org.size + len(split), dtype=np.int64)
    grown = org.with_teams(org.parent[split], team_names(rng, len(split)))
    reorgs = Reorgs(
        moved=moved,
        moved_on=rng.choice(days, len(moved)),
        moved_to=moved_to,
        dissolved=dissolved,
        dissolved_on=rng.choice(days, len(dissolved)),
        heirs=heirs,
        split=split,
        split_on=rng.choice(days, len(split)),
        split_off=split_off,
        stable=stable,
    )
    return grown, reorgs


def _new_parent(rng: np.random.Generator, org: Org, unit: int) -> int:
    """A non-leaf unit at the depth of ``unit``'s parent, other than that parent; -1 if none."""
    old = int(org.parent[unit])
    candidates = np.flatnonzero(
        (org.depth == org.depth[old]) & (org.kind != TEAM) & (np.arange(org.size) != old)
    )
    return int(rng.choice(candidates)) if len(candidates) else -1


def _heir(rng: np.random.Generator, org: Org, stable: Ints, team: int) -> int:
    """A stable sibling of ``team`` if it has one, else any stable team."""
    siblings = stable[org.parent[stable] == org.parent[team]]
    return int(rng.choice(siblings if len(siblings) else stable))


def team_rows(org: Org, reorgs: Reorgs, window: Window) -> list[Column]:
    """The ``teams`` file: one row per team and validity interval, ordered by id."""
    team = np.arange(org.size, dtype=np.int64)
    parent = org.parent.copy()
    start = np.zeros(org.size, dtype=np.int64)
    end = np.full(org.size, window.days, dtype=np.int64)
    start[reorgs.split_off] = reorgs.split_on
    end[reorgs.dissolved] = reorgs.dissolved_on
    end[reorgs.moved] = reorgs.moved_on
    # A move adds the row under the new parent, from the move on.
    team = np.concatenate([team, reorgs.moved])
    parent = np.concatenate([parent, reorgs.moved_to])
    start = np.concatenate([start, reorgs.moved_on])
    end = np.concatenate([end, np.full(len(reorgs.moved), window.days)])
    order = np.lexsort((start, team))
    team, parent, start, end = team[order], parent[order], start[order], end[order]
    ids = id_table("t", org.size)
    kinds = np.array(KINDS, dtype=object)
    return [
        texts_of(ids, team),
        texts_of(np.array(org.names, dtype=object), team),
        texts_of(ids, parent),
        texts_of(kinds, org.kind[team]),
        window.valid_from(start),
        window.valid_to(end),
    ]
