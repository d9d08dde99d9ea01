"""Streaming the bundle's files: column batches in, CSV or JSON Lines rows out.

Generators hand over whole columns (lists of str, int or None) for a batch of rows, so a file
is written with one ``writerows`` call per batch and no per-row Python object survives it.
Which files and columns a bundle has, and in what order, is the data contract's
(``store/contract.py``):

>>> COLUMNS["debt"]
('service_id', 'measured_at', 'debt_minutes', 'debt_items')
"""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from store.contract import ENTITIES

Cell = str | int | None
Column = Sequence[Cell]

#: The columns of each entity file, in file order: every column of the data contract
#: (``store/contract.py``), the optional ones too, for every entity in load order.
COLUMNS: dict[str, tuple[str, ...]] = {
    entity.name: tuple(column.name for column in entity.columns) for entity in ENTITIES
}

FORMATS = ("csv", "jsonl")


def file_names(fmt: str) -> tuple[str, ...]:
    """The names of the files a bundle in ``fmt`` consists of."""
    return tuple(f"{entity}.{fmt}" for entity in COLUMNS)


class BundleWriter:
    """All entity files of one bundle, open for appending batches of rows."""

    def __init__(self, out_dir: Path, fmt: str) -> None:
        self.fmt = fmt
        self.rows: dict[str, int] = dict.fromkeys(COLUMNS, 0)
        self._files: dict[str, IO[str]] = {}
        self._csv: dict[str, Any] = {}
        for entity, columns in COLUMNS.items():
            # newline="" leaves line ends to the writer: "\n" everywhere, on every OS.
            f = (out_dir / f"{entity}.{fmt}").open("w", encoding="utf-8", newline="")
            self._files[entity] = f
            if fmt == "csv":
                self._csv[entity] = csv.writer(f, lineterminator="\n")
                self._csv[entity].writerow(columns)

    def write(self, entity: str, columns: Sequence[Column]) -> None:
        """Append rows given column by column, in the order of ``COLUMNS[entity]``."""
        names = COLUMNS[entity]
        if len(columns) != len(names):
            raise ValueError(f"{entity}: {len(columns)} columns given, {len(names)} expected")
        rows = zip(*columns, strict=True)
        if self.fmt == "csv":
            # csv writes None as an empty cell: the contract's null.
            self._csv[entity].writerows(rows)
        else:
            self._files[entity].writelines(_json_lines(names, rows))
        self.rows[entity] += len(columns[0]) if columns else 0

    def close(self) -> None:
        for f in self._files.values():
            f.close()

    def __enter__(self) -> BundleWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _json_lines(names: tuple[str, ...], rows: Any) -> list[str]:
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    return [
        encode({k: v for k, v in zip(names, row, strict=True) if v is not None and v != ""}) + "\n"
        for row in rows
    ]
