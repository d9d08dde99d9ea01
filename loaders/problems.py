"""What a load found wrong with its input: rejected rows (errors) and flagged rows (warnings).

A rejected row is either a **root cause** (something is wrong with the row itself: a bad value,
a parent cycle, an overlapping history) or a **consequence**: it refers to a row that was itself
rejected (a person of a team in a cycle, a change of that person). A consequence carries
``caused_by``, the root cause it goes back to, and every output lists the root causes first.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path, PurePath
from typing import Any

from store.contract import ENTITIES

#: Files in load order (teams, people, ... debt): a consequence always comes after its cause.
_LOAD_ORDER = {entity.name: rank for rank, entity in enumerate(ENTITIES)}


@dataclass(frozen=True, slots=True)
class Problem:
    """One row's problem: the file, the line it starts on (or JSON Lines record number), the
    column when one is to blame, and the reason in words."""

    file: str
    line: int
    column: str | None
    reason: str
    record: str | None = None  # the row as read, for the reject file
    #: For a row rejected only because a row it refers to was rejected: where the root cause is
    #: (``teams.csv:10``); ``None`` for a root cause.
    caused_by: str | None = None

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def root(self) -> str:
        """Where the root cause of this row's rejection is (the row itself for a root cause)."""
        return self.caused_by or self.where

    def __str__(self) -> str:
        where = self.where
        if self.column:
            where += f" [{self.column}]"
        return f"{where}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def problem_order(problem: Problem) -> tuple[bool, int, str, int]:
    """Root causes first, then consequences; each in load order of the files, then by line."""
    rank = _LOAD_ORDER.get(PurePath(problem.file).stem, len(_LOAD_ORDER))
    return problem.caused_by is not None, rank, problem.file, problem.line


def ordered(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=problem_order)


REJECT_COLUMNS = ("file", "line", "column", "reason", "record", "caused_by")


def write_rejects(path: Path, rejects: list[Problem]) -> None:
    """The reject file: one CSV row per rejected row, root causes first (see :func:`ordered`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(REJECT_COLUMNS)
        for problem in ordered(rejects):
            writer.writerow(
                [
                    problem.file,
                    problem.line,
                    problem.column or "",
                    problem.reason,
                    problem.record or "",
                    problem.caused_by or "",
                ]
            )
