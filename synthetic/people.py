"""People: who works in which team, with which role, over the window.

Leaf teams have a manager (SDM), at least two engineers (SDE) and a lognormal headcount of
about a dozen; the rest of a team is SDE with a team-specific probability between 40% and
90%, else TPM, PM, DS or QAE. Departments and orgs hold one to three managers and programme
people. A person changes team (a second, contiguous row) when the team is dissolved (to the
heir), when it splits (to the split-off) and, for a few % of people, on an ordinary Monday.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from synthetic import names
from synthetic.org import TEAM, Org
from synthetic.reorgs import Reorgs
from synthetic.window import Bools, Floats, Ints, Texts, Window, id_table, texts_of
from synthetic.writer import Column

ROLES = ("SDE", "SDM", "TPM", "PM", "DS", "QAE")
SDE, SDM, TPM, PM, DS, QAE = range(6)
#: Roles whose people write and review code.
AUTHOR_ROLES = (SDE, DS, QAE)
PEOPLE_PER_TEAM = 10
_LEVELS = {
    SDE: (("L4", "L5", "L6", "L7"), (0.30, 0.40, 0.22, 0.08)),
    SDM: (("L5", "L6", "L7", "L8"), (0.30, 0.45, 0.20, 0.05)),
}
_OTHER_LEVELS = (("L4", "L5", "L6", "L7"), (0.25, 0.45, 0.25, 0.05))


@dataclass(frozen=True)
class Staff:
    """One entry per person (``p{index + 1}``), ordered by first team."""

    team: Ints
    role: Ints
    level: list[str]
    employment: list[str]
    names: list[str]

    def authors_per_team(self, teams: int) -> Ints:
        authors = np.isin(self.role, AUTHOR_ROLES)
        return np.bincount(self.team[authors], minlength=teams).astype(np.int64)

    def engineers_per_team(self, teams: int) -> Ints:
        return np.bincount(self.team[self.role == SDE], minlength=teams).astype(np.int64)


@dataclass(frozen=True)
class Memberships:
    """One row per person and validity interval (days), ordered by person then start."""

    person: Ints
    team: Ints
    start: Ints
    end: Ints


def staff_teams(rng: np.random.Generator, org: Org, target: int) -> Staff:
    """About ``target`` people over the units of ``org``."""
    leaf = org.kind == TEAM
    units = org.size
    spare = target - 2 * int((~leaf).sum())
    # A lognormal (sigma 0.45) has mean = median * e^(sigma^2 / 2).
    median = max(4.0, spare / max(1, int(leaf.sum())) / math.exp(0.45**2 / 2))
    headcount = np.where(
        leaf,
        np.clip(np.round(rng.lognormal(math.log(median), 0.45, units)), 4, 60),
        1 + rng.binomial(2, 0.5, units),
    ).astype(np.int64)
    team = np.repeat(np.arange(units, dtype=np.int64), headcount)
    slot = np.arange(len(team)) - np.repeat(np.cumsum(headcount) - headcount, headcount)
    role = _roles(rng, team, slot, leaf[team], rng.uniform(0.4, 0.9, units))
    level, employment = _grades(rng, role)
    return Staff(team, role, level, employment, names.person_names(rng, len(team)))


def _roles(
    rng: np.random.Generator,
    team: Ints,
    slot: Ints,
    in_leaf: Bools,
    sde_share: Floats,
) -> Ints:
    """Slot 0 of every unit is its manager. Slots 1 and 2 of a leaf team are engineers, so
    every team has two people who can review each other; the rest follow the team's SDE
    share. Departments and orgs hold programme and product people besides their manager."""
    n = len(team)
    other = np.array([TPM, PM, DS, QAE])[rng.choice(4, n, p=[0.2, 0.25, 0.2, 0.35])]
    role = np.where(rng.random(n) < sde_share[team], SDE, other)
    role = np.where(in_leaf & (slot <= 2), SDE, role)
    role = np.where(~in_leaf, np.where(rng.random(n) < 0.5, TPM, PM), role)
    return np.where(slot == 0, SDM, role).astype(np.int64)


def _grades(rng: np.random.Generator, role: Ints) -> tuple[list[str], list[str]]:
    n = len(role)
    level = np.empty(n, dtype=object)
    for code in range(len(ROLES)):
        mask = role == code
        choices, weights = _LEVELS.get(code, _OTHER_LEVELS)
        level[mask] = np.array(choices, dtype=object)[
            rng.choice(len(choices), int(mask.sum()), p=weights)
        ]
    u = rng.random(n)
    intern = (u < 0.02) & (role == SDE)
    employment = np.where(intern, "intern", np.where(u < 0.10, "contractor", "full_time"))
    level[intern] = "L3"
    level_list: list[str] = level.tolist()
    employment_list: list[str] = employment.astype(object).tolist()
    return level_list, employment_list


def plan_memberships(
    rng: np.random.Generator, staff: Staff, org: Org, reorgs: Reorgs, window: Window
) -> Memberships:
    """Every person's team over time: reorg moves plus a few % ordinary moves."""
    movers: list[Ints] = []
    move_day: list[Ints] = []
    move_to: list[Ints] = []
    # Everyone in a dissolved team goes to its heir on the day.
    for team, day, heir in zip(reorgs.dissolved, reorgs.dissolved_on, reorgs.heirs, strict=True):
        who = np.flatnonzero(staff.team == team)
        movers.append(who)
        move_day.append(np.full(len(who), day))
        move_to.append(np.full(len(who), heir))
    for team, day, new in zip(reorgs.split, reorgs.split_on, reorgs.split_off, strict=True):
        who = _split_movers(rng, staff, int(team))
        movers.append(who)
        move_day.append(np.full(len(who), day))
        move_to.append(np.full(len(who), new))
    who, day, to = _ordinary_moves(rng, staff, org, reorgs, window)
    movers.append(who)
    move_day.append(day)
    move_to.append(to)
    return _memberships(
        staff, window, np.concatenate(movers), np.concatenate(move_day), np.concatenate(move_to)
    )


def _split_movers(rng: np.random.Generator, staff: Staff, team: int) -> Ints:
    """Two engineers and about a third of the others (never the manager) leave with a split."""
    members = np.flatnonzero(staff.team == team)
    engineers = rng.permutation(members[staff.role[members] == SDE])
    others = members[(staff.role[members] != SDM) & ~np.isin(members, engineers[:2])]
    return np.sort(np.concatenate([engineers[:2], others[rng.random(len(others)) < 0.3]]))


def _ordinary_moves(
    rng: np.random.Generator, staff: Staff, org: Org, reorgs: Reorgs, window: Window
) -> tuple[Ints, Ints, Ints]:
    """One person from about a third of the stable teams with 4+ authors moves on a Monday."""
    authors = staff.authors_per_team(org.size)
    teams = reorgs.stable[authors[reorgs.stable] >= 4]
    teams = teams[rng.random(len(teams)) < 0.35]
    first = np.searchsorted(staff.team, teams)
    size = np.searchsorted(staff.team, teams, side="right") - first
    # Slot 0 is the manager, who stays.
    who = first + 1 + (rng.random(len(teams)) * (size - 1)).astype(np.int64)
    day = np.array(
        [window.next_monday(int(d)) for d in rng.integers(30, window.days - 30, len(teams))],
        dtype=np.int64,
    )
    pick = rng.integers(0, len(reorgs.stable) - 1, len(teams))
    to = reorgs.stable[pick]
    # Never "move" into one's own team: take the next stable team instead.
    to = np.where(to == teams, reorgs.stable[pick + 1], to)
    return who.astype(np.int64), day, to


def _memberships(staff: Staff, window: Window, movers: Ints, day: Ints, to: Ints) -> Memberships:
    n = len(staff.team)
    end = np.full(n, window.days, dtype=np.int64)
    end[movers] = day
    person = np.concatenate([np.arange(n, dtype=np.int64), movers])
    team = np.concatenate([staff.team, to])
    start = np.concatenate([np.zeros(n, dtype=np.int64), day])
    end = np.concatenate([end, np.full(len(movers), window.days, dtype=np.int64)])
    order = np.lexsort((start, person))
    return Memberships(person[order], team[order], start[order], end[order])


def people_rows(staff: Staff, members: Memberships, org: Org, window: Window) -> list[Column]:
    person = members.person
    texts: dict[str, Texts] = {
        "names": np.array(staff.names, dtype=object),
        "level": np.array(staff.level, dtype=object),
        "employment": np.array(staff.employment, dtype=object),
    }
    return [
        texts_of(id_table("p", len(staff.team)), person),
        texts_of(id_table("t", org.size), members.team),
        texts_of(np.array(ROLES, dtype=object), staff.role[person]),
        texts_of(texts["names"], person),
        texts_of(texts["level"], person),
        texts_of(texts["employment"], person),
        window.valid_from(members.start),
        window.valid_to(members.end),
    ]
