"""Row-local checks: turns a batch of cells into typed columns and rejects the rows whose cells
break the contract (a value of the wrong type or outside its set, a naive timestamp, a negative
count, an end before its start).

:func:`convert_cell` is the definition of every check, one cell at a time. Whole columns first
go through a fast path built from C-level calls (``map``, set algebra); only a column where the
fast path finds something wrong is converted cell by cell, so a clean file never pays for the
slow path and a bad one still gets a reason per cell. A test holds the two paths equal.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from operator import attrgetter
from typing import Any

from loaders.contract import ORDERINGS, Column, Entity, Kind
from loaders.problems import Problem
from loaders.reader import RawBatch

_tzinfo = attrgetter("tzinfo")
_parse_timestamp = datetime.fromisoformat
_parse_date = date.fromisoformat


class CellError(ValueError):
    """A cell breaks the contract; the message says how."""


def convert_cell(column: Column, cell: str, default_zone: tzinfo | None = None) -> Any:
    """The typed value of one cell, or :class:`CellError` naming what is wrong.

    >>> from loaders.contract import ENTITY_BY_NAME
    >>> convert_cell(ENTITY_BY_NAME["reviews"].column("submitted_at"), "2025-01-02T03:04:05Z")
    datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)
    """
    if cell == "":
        if column.required:
            raise CellError(f"missing value for required column {column.name}")
        return column.default
    kind = column.kind
    if kind in (Kind.ID, Kind.TEXT):
        return cell
    if kind is Kind.DATE:
        try:
            return _parse_date(cell)
        except ValueError:
            raise CellError(f"not a date (YYYY-MM-DD): {cell!r}") from None
    if kind is Kind.TIMESTAMP:
        try:
            value = _parse_timestamp(cell)
        except ValueError:
            raise CellError(f"unparseable timestamp {cell!r} (ISO 8601 expected)") from None
        if value.tzinfo is None:
            if default_zone is None:
                reason = f"naive timestamp {cell!r}: add an offset or Z, or pass --default-timezone"
                raise CellError(reason)
            value = value.replace(tzinfo=default_zone)
        return value
    if kind is Kind.COUNT:
        try:
            number = int(cell)
        except ValueError:
            raise CellError(f"not a whole number: {cell!r}") from None
        if number < 0:
            raise CellError(f"negative count {number}")
        return number
    if cell not in column.choices:
        allowed = ", ".join(sorted(column.choices))
        raise CellError(f"value {cell!r} outside the allowed set ({allowed})")
    return cell


def _fast_column(column: Column, cells: Sequence[str]) -> list[Any] | None:
    """The same result as converting each cell, or None when any cell would fail (or needs the
    default time zone): the caller then goes cell by cell."""
    kind = column.kind
    if column.required and "" in cells:
        return None
    try:
        if kind in (Kind.ID, Kind.TEXT):
            if column.required:
                return list(cells)
            default = column.default
            return [cell or default for cell in cells]
        if kind is Kind.CHOICE:
            if not set(cells).difference(("",)) <= column.choices:
                return None
            return list(cells) if column.required else [cell or None for cell in cells]
        if kind is Kind.TIMESTAMP:
            stamps: list[datetime | None]
            if column.required:
                stamps = list(map(_parse_timestamp, cells))
            else:
                stamps = [_parse_timestamp(cell) if cell else None for cell in cells]
            return None if None in set(map(_tzinfo, filter(None, stamps))) else stamps
        if kind is Kind.DATE:
            return [_parse_date(cell) if cell else None for cell in cells]
        counts = [int(cell) if cell else None for cell in cells]
        return None if min(filter(None, counts), default=0) < 0 else counts
    except ValueError:
        return None


@dataclass(slots=True)
class TypedBatch:
    """Typed columns of the rows that passed, their lines, and the rows rejected."""

    columns: list[list[Any]]
    lines: list[int]
    errors: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.lines)

    def drop(self, rejected: set[int]) -> None:
        """Remove the rows at the given positions (in place)."""
        if not rejected:
            return
        keep = [i for i in range(len(self.lines)) if i not in rejected]
        self.columns = [[values[i] for i in keep] for values in self.columns]
        self.lines = [self.lines[i] for i in keep]


def record_text(columns: Sequence[Sequence[Any]], row: int) -> str:
    """One row's cells as a CSV line, for the reject file."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(
        ["" if values[row] is None else values[row] for values in columns]
    )
    return out.getvalue()


def convert_batch(
    entity: Entity, batch: RawBatch, file: str, default_zone: tzinfo | None = None
) -> TypedBatch:
    """Type every column of ``batch`` and reject the rows that break a row-local rule."""
    rejected: set[int] = set()
    errors = list(batch.problems)
    columns: list[list[Any]] = []
    for column, cells in zip(entity.columns, batch.columns, strict=True):
        values = None if default_zone is not None else _fast_column(column, cells)
        if values is None:
            values = [None] * len(cells)
            for row, cell in enumerate(cells):
                try:
                    values[row] = convert_cell(column, cell, default_zone)
                except CellError as exc:
                    rejected.add(row)
                    record = record_text(batch.columns, row)
                    errors.append(Problem(file, batch.lines[row], column.name, str(exc), record))
        columns.append(values)
    names = [column.name for column in entity.columns]
    for later, earlier in _orderings(entity):
        after, before = columns[names.index(later)], columns[names.index(earlier)]
        for row, (late, early) in enumerate(zip(after, before, strict=True)):
            if late is None or early is None or row in rejected:
                continue
            if late < early or (entity.dimension and late == early):
                rejected.add(row)
                reason = _ordering_reason(later, late, earlier, early)
                record = record_text(batch.columns, row)
                errors.append(Problem(file, batch.lines[row], later, reason, record))
    typed = TypedBatch(columns, list(batch.lines), errors)
    typed.drop(rejected)
    return typed


def _orderings(entity: Entity) -> tuple[tuple[str, str], ...]:
    if entity.dimension:
        return (("valid_to", "valid_from"),)
    return ORDERINGS.get(entity.name, ())


def _ordering_reason(later: str, late: Any, earlier: str, early: Any) -> str:
    if later == "total_lines":
        return f"covered_lines {early} > total_lines {late}"
    if later == "valid_to":
        return (
            f"valid_to {_show(late)} is not after valid_from {_show(early)} (valid_to is exclusive)"
        )
    return f"{later} {_show(late)} is before {earlier} {_show(early)}"


def _show(value: Any) -> str:
    return value.isoformat() if isinstance(value, date | datetime) else str(value)
