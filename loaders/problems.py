"""What a load found wrong with its input: rejected rows (errors) and flagged rows (warnings)."""

from __future__ import annotations

import csv
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """One row's problem: the file, the line it starts on (or JSON Lines record number), the
    column when one is to blame, and the reason in words."""

    file: str
    line: int
    column: str | None
    reason: str
    record: str | None = None  # the row as read, for the reject file

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}"
        if self.column:
            where += f" [{self.column}]"
        return f"{where}: {self.reason}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


REJECT_COLUMNS = ("file", "line", "column", "reason", "record")


def write_rejects(path: Path, rejects: list[Problem]) -> None:
    """The reject file: one CSV row per rejected row, in file and line order."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(REJECT_COLUMNS)
        for problem in sorted(rejects, key=lambda p: (p.file, p.line)):
            writer.writerow(
                [
                    problem.file,
                    problem.line,
                    problem.column or "",
                    problem.reason,
                    problem.record or "",
                ]
            )
