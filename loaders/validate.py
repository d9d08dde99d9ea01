"""Row-local checks: turns a batch of text cells into a typed polars frame and rejects the rows
whose cells break the contract (a value of the wrong type or outside its set, a naive
timestamp, a negative count, an end before its start).

:func:`convert_cell` is the definition of every check, one cell at a time. Whole columns first
go through a vectorised fast path (polars expressions) that accepts only the plainest forms
(``2025-01-02T03:04:05Z``, ``42``); every row the fast path does not accept whole is converted
cell by cell by :func:`convert_cell`, which either accepts it (an unusual but valid form, such
as ``20250102T030405+0100``) or names what is wrong. A clean file never pays for the slow path
and a bad row still gets a reason per cell. A test holds the two paths equal.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, tzinfo
from typing import Any

import polars as pl

from loaders.problems import Problem
from loaders.reader import LINE, RawBatch
from store.contract import ORDERINGS, Column, Entity, Kind

_parse_timestamp = datetime.fromisoformat
_parse_date = date.fromisoformat


class CellError(ValueError):
    """A cell breaks the contract; the message says how."""


def convert_cell(column: Column, cell: str, default_zone: tzinfo | None = None) -> Any:
    """The typed value of one cell, or :class:`CellError` naming what is wrong.

    >>> from store.contract import ENTITY_BY_NAME
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
        try:
            value.astimezone(UTC)
        except (OverflowError, ValueError):
            raise CellError(f"timestamp {cell!r} is out of range in UTC") from None
        return value
    if kind is Kind.COUNT:
        try:
            number = int(cell)
        except ValueError:
            raise CellError(f"not a whole number: {cell!r}") from None
        if number < 0:
            raise CellError(f"negative count {number}")
        if number > MAX_COUNT:
            raise CellError(f"count {number} is too large (at most {MAX_COUNT:,})")
        return number
    if cell not in column.choices:
        allowed = ", ".join(sorted(column.choices))
        raise CellError(f"value {cell!r} outside the allowed set ({allowed})")
    return cell


# The plainest forms, which polars parses exactly as Python does; anything else goes cell by cell.
_TIMESTAMP = (
    r"^\d{4}-\d{2}-\d{2}[T ](?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d{1,6})?"
    r"(?:Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)$"
)
_TIMESTAMP_FORMATS = ("%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%d %H:%M:%S%.f%#z")
# The commonest form of all, parsed 4x faster than the general ones; a batch that has any
# other form parses its timestamp columns with the general formats too.
_UTC_FORMAT = "%Y-%m-%dT%H:%M:%SZ"
_DATE = r"^\d{4}-\d{2}-\d{2}$"
_COUNT = r"^\d{1,18}$"
#: Counts are stored as 32-bit integers (lines of a change, lines covered, minutes of debt).
MAX_COUNT = 2**31 - 1

DTYPES: dict[Kind, pl.DataType] = {
    Kind.ID: pl.String(),
    Kind.TEXT: pl.String(),
    Kind.CHOICE: pl.String(),
    Kind.DATE: pl.Date(),
    Kind.TIMESTAMP: pl.Datetime("us", "UTC"),
    Kind.COUNT: pl.Int64(),
}


def typed_schema(entity: Entity) -> dict[str, pl.DataType]:
    """The frame schema of an entity's typed rows, with the line each came from."""
    return {**{c.name: DTYPES[c.kind] for c in entity.columns}, LINE: pl.Int64()}


def _fast(column: Column, *, any_zone: bool = False) -> tuple[pl.Expr, pl.Expr]:
    """The typed value of a column (as ``~name``), and where the fast path does not vouch for
    it, in terms of the typed column so that nothing is parsed twice (with ``any_zone`` off,
    timestamps are parsed only in their commonest form, ``...Z``)."""
    cell = pl.col(column.name)
    typed = pl.col(f"~{column.name}")
    kind = column.kind
    refused = pl.lit(False)
    if kind in (Kind.ID, Kind.TEXT):
        value = cell if column.default is None else cell.fill_null(column.default)
    elif kind is Kind.CHOICE:
        value = cell
        refused = cell.is_not_null() & ~cell.is_in(sorted(column.choices))
    else:
        if kind is Kind.TIMESTAMP:
            parsed = cell.str.to_datetime(_UTC_FORMAT, strict=False, time_unit="us")
            parsed = parsed.dt.replace_time_zone("UTC")
            if any_zone:
                general = [
                    cell.str.to_datetime(f, strict=False, time_unit="us", time_zone="UTC")
                    for f in _TIMESTAMP_FORMATS
                ]
                parsed = pl.coalesce([parsed, *general])
            pattern = _TIMESTAMP
        elif kind is Kind.DATE:
            parsed, pattern = cell.str.to_date("%Y-%m-%d", strict=False), _DATE
        else:
            parsed, pattern = cell.cast(pl.Int64, strict=False), _COUNT
        value = pl.when(cell.str.contains(pattern)).then(parsed)
        refused = cell.is_not_null() & typed.is_null()
        if kind is Kind.COUNT:
            refused = refused | (typed > MAX_COUNT).fill_null(False)
        elif kind is Kind.TIMESTAMP:  # an offset can push 0001-01-01 or 9999-12-31 out of range
            refused = refused | (~typed.dt.year().is_between(1, 9999)).fill_null(False)
    if column.required:
        refused = refused | cell.is_null()
    return value.alias(f"~{column.name}"), refused


@dataclass(slots=True)
class TypedBatch:
    """Typed rows that passed (a frame, with their lines) and the rows rejected."""

    frame: pl.DataFrame
    errors: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return self.frame.height

    def drop(self, rejected: pl.Series) -> None:
        """Remove the rows where ``rejected`` is true."""
        if rejected.any():
            self.frame = self.frame.filter(~rejected)


def record_text(cells: Sequence[Any]) -> str:
    """One row's cells as a CSV line, for the reject file."""
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow(
        ["" if cell is None else _show(cell) for cell in cells]
    )
    return out.getvalue()


def convert_batch(
    entity: Entity, batch: RawBatch, file: str, default_zone: tzinfo | None = None
) -> TypedBatch:
    """Type every column of ``batch`` and reject the rows that break a row-local rule."""
    names = [column.name for column in entity.columns]
    stamps = [c.name for c in entity.columns if c.kind is Kind.TIMESTAMP]
    other_forms = batch.frame.select(
        pl.any_horizontal([~pl.col(n).str.ends_with("Z") for n in stamps]).any()
        if stamps
        else pl.lit(False)
    ).item()
    fast = [_fast(column, any_zone=bool(other_forms)) for column in entity.columns]
    refusals = [refused for _, refused in fast]
    for later, earlier, strict in _orderings(entity):
        late, early = pl.col(f"~{later}"), pl.col(f"~{earlier}")
        refusals.append(((late <= early) if strict else (late < early)).fill_null(False))
    typed = batch.frame.with_columns(value for value, _ in fast)
    typed = typed.with_columns(pl.any_horizontal(refusals).alias("~refused"))
    if default_zone is not None:  # the fast path knows no zones: every row goes cell by cell
        typed = typed.with_columns(pl.lit(True).alias("~refused"))
    clean = typed.filter(~pl.col("~refused")).select(
        *(pl.col(f"~{n}").alias(n) for n in names), pl.col(LINE).cast(pl.Int64)
    )
    suspects = typed.filter(pl.col("~refused")).select(*names, LINE)
    errors = list(batch.problems)
    if suspects.height == 0:
        return TypedBatch(clean, errors)
    accepted = []
    for row in suspects.iter_rows():
        values, problems = convert_row(entity, row[:-1], file, row[-1], default_zone)
        if problems:
            errors.extend(problems)
        else:
            accepted.append((*values, row[-1]))
    slow = pl.DataFrame(accepted, schema=typed_schema(entity), orient="row")
    return TypedBatch(pl.concat([clean, slow]), errors)


def convert_row(
    entity: Entity, cells: Sequence[str | None], file: str, line: int, default_zone: tzinfo | None
) -> tuple[list[Any], list[Problem]]:
    """One row, cell by cell: its typed values, or every problem it has."""
    values: list[Any] = []
    problems: list[Problem] = []
    record = record_text(cells)
    for column, cell in zip(entity.columns, cells, strict=True):
        try:
            values.append(convert_cell(column, cell or "", default_zone))
        except CellError as exc:
            values.append(None)
            problems.append(Problem(file, line, column.name, str(exc), record))
    if problems:
        return values, problems
    names = [column.name for column in entity.columns]
    for later, earlier, strict in _orderings(entity):
        late, early = values[names.index(later)], values[names.index(earlier)]
        if late is None or early is None:
            continue
        if late < early or (strict and late == early):
            reason = _ordering_reason(later, late, earlier, early)
            return values, [Problem(file, line, later, reason, record)]
    return values, []


def _orderings(entity: Entity) -> tuple[tuple[str, str, bool], ...]:
    """(later column, earlier column, whether equal is wrong too)."""
    if entity.dimension:
        return (("valid_to", "valid_from", True),)
    return tuple((later, earlier, False) for later, earlier in ORDERINGS.get(entity.name, ()))


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
