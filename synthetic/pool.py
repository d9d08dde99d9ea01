"""Drawing authors and reviewers: people in the right team at the right time.

The pool holds every membership row of a code-writing person (SDE, DS, QAE) grouped by team.
A draw picks a random row of the wanted team and keeps it when the membership covers the
instant (and the person is not the one to avoid); the few misses are drawn again, a handful
of times, then from the whole company. Draws are vectorised over a batch of events.
"""

from __future__ import annotations

import numpy as np

from synthetic.people import AUTHOR_ROLES, Memberships
from synthetic.window import DAY, NONE, Bools, Ints

_TEAM_ROUNDS = 6
_ANYONE_ROUNDS = 24


class Pool:
    def __init__(self, members: Memberships, role: Ints, teams: int) -> None:
        rows = np.flatnonzero(np.isin(role[members.person], AUTHOR_ROLES))
        rows = rows[np.argsort(members.team[rows], kind="stable")]
        self.person = members.person[rows]
        self.team = members.team[rows]
        self.start = members.start[rows] * DAY
        self.end = members.end[rows] * DAY
        self.count = np.bincount(self.team, minlength=teams).astype(np.int64)
        self.first = np.cumsum(self.count) - self.count

    def members(self, rng: np.random.Generator, teams: Ints, at: Ints, avoid: Ints) -> Ints:
        """For each event, a member of ``teams`` at instant ``at`` who is not ``avoid``."""
        out = np.full(len(teams), NONE, dtype=np.int64)
        todo = np.flatnonzero(self.count[teams] > 0)
        for _ in range(_TEAM_ROUNDS):
            if not len(todo):
                break
            team = teams[todo]
            row = self.first[team] + (rng.random(len(todo)) * self.count[team]).astype(np.int64)
            ok = self._fits(row, at[todo]) & (self.person[row] != avoid[todo])
            out[todo[ok]] = self.person[row[ok]]
            todo = todo[~ok]
        # A team too small (or emptied by moves) borrows from the rest of the company.
        missing = np.flatnonzero(out == NONE)
        out[missing] = self._anyone(rng, at[missing], avoid[missing], None)
        return out

    def outsiders(self, rng: np.random.Generator, teams: Ints, at: Ints) -> Ints:
        """For each event, someone who is in another team than ``teams`` at instant ``at``."""
        return self._anyone(rng, at, np.full(len(at), NONE, dtype=np.int64), teams)

    def _fits(self, row: Ints, at: Ints) -> Bools:
        return (self.start[row] <= at) & (at < self.end[row])

    def _anyone(
        self, rng: np.random.Generator, at: Ints, avoid: Ints, not_team: Ints | None
    ) -> Ints:
        out = np.full(len(at), NONE, dtype=np.int64)
        todo = np.arange(len(at))
        for _ in range(_ANYONE_ROUNDS):
            if not len(todo):
                break
            row = rng.integers(0, len(self.person), len(todo))
            ok = self._fits(row, at[todo]) & (self.person[row] != avoid[todo])
            if not_team is not None:
                ok &= self.team[row] != not_team[todo]
            out[todo[ok]] = self.person[row[ok]]
            todo = todo[~ok]
        # Practically unreachable; still, every draw must name a real person.
        for i in todo.tolist():
            out[i] = self.person[int(np.argmax(self.person != avoid[i]))]
        return out
