"""What a load is asked to do (:class:`LoadOptions`) and what it did (:class:`LoadReport`, or
:class:`LoadFailed` when rows were rejected and nothing was written)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import Any

from loaders.problems import Problem


@dataclass(frozen=True)
class LoadOptions:
    skip_bad_rows: bool = False
    default_zone: tzinfo | None = None
    reject_file: Path | None = None  # where --skip-bad-rows writes the rejected rows
    on_progress: Callable[[str, int, int], None] | None = None  # file, bytes read, bytes total


@dataclass
class LoadReport:
    source: str
    format: str = "canonical"
    rows: dict[str, int] = field(default_factory=dict)
    rejected: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    ignored_files: list[str] = field(default_factory=list)
    ignored_columns: dict[str, list[str]] = field(default_factory=dict)
    reject_file: str | None = None
    seconds: float = 0.0
    committed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "committed": self.committed,
            "seconds": round(self.seconds, 3),
            "rows": self.rows,
            "rejected": [p.as_dict() for p in self.rejected],
            "warnings": [p.as_dict() for p in self.warnings],
            "ignored_files": self.ignored_files,
            "ignored_columns": self.ignored_columns,
            "reject_file": self.reject_file,
        }


class LoadFailed(Exception):
    """Rows were rejected and the user did not ask to skip them: nothing was written."""

    def __init__(self, report: LoadReport) -> None:
        count = len(report.rejected)
        knock_on = sum(1 for p in report.rejected if p.caused_by is not None)
        why = (
            f" ({count - knock_on:,} at the root, {knock_on:,} because of them)" if knock_on else ""
        )
        super().__init__(f"{count:,} row{'s' * (count != 1)} rejected{why}; the store is unchanged")
        self.report = report
