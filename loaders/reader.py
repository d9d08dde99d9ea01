"""Streams the rows of one bundle file (CSV or JSON Lines) in batches: a polars frame of text
cells (null = empty) with the line each row starts on, and reports malformed lines instead of
stopping at them.

A plain CSV file (valid UTF-8, no quote characters, every line with the header's number of
fields: what machines export) is read by polars' multi-threaded reader. Any other file goes
through Python's csv module, which names each malformed line exactly.

Memory stays flat: a batch at a time is held, whatever the file's size. Lines are counted as a
text editor shows them (header = line 1; a quoted cell spanning lines moves the count on).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import orjson
import polars as pl

from loaders.problems import Problem
from store.contract import Entity

#: Rows per batch: the Python reader holds a batch as Python objects, polars as columns; larger
#: batches mean fewer joins against the id frames of earlier files (each join hashes them).
BATCH_ROWS = 200_000
POLARS_BATCH_ROWS = 1_000_000
_UTF8_BLOCK = 8 << 20
#: The column holding the line each row starts on.
LINE = "__line"

csv.field_size_limit(16 << 20)


class FileRejected(Exception):
    """The whole file cannot be read (e.g. a required column is missing)."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


@dataclass(slots=True)
class RawBatch:
    """Text cells of well-formed rows (one column per entity column, null = empty cell, plus
    ``LINE``) and the lines that were not well formed."""

    frame: pl.DataFrame
    problems: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return self.frame.height


@dataclass(slots=True)
class FileReader:
    """Reads ``path`` as ``entity``; iterate it for batches. ``ignored_columns`` is known once
    the header (CSV) or the whole file (JSON Lines) is read."""

    path: Path
    entity: Entity
    batch_rows: int = BATCH_ROWS
    on_progress: Callable[[int], None] | None = None  # called with bytes read so far
    ignored_columns: list[str] = field(default_factory=list)

    def __iter__(self) -> Iterator[RawBatch]:
        if self.path.suffix == ".jsonl":
            return self._jsonl_batches()
        return self._csv_batches()

    # -- CSV -----------------------------------------------------------------------------
    def _csv_batches(self) -> Iterator[RawBatch]:
        header = self._plain_header()
        bad_utf8, plain = scan_csv(self.path, None if header is None else len(header))
        if plain and header is not None:
            yield from self._polars_batches(header)
            return
        with self.path.open("rb") as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")
            reader = csv.reader(text, strict=True)
            header = self._csv_header(reader, bad_utf8)
            picks = self._column_picks(header)
            end = reader.line_num
            while True:
                rows, starts, problems, end = self._csv_rows(reader, end)
                if not rows and not problems:
                    break
                rows, starts = self._well_formed(rows, starts, len(header), bad_utf8, problems)
                yield self._batch(rows, starts, picks, problems)
                self._progress(raw)

    def _csv_rows(
        self, reader: Any, end: int
    ) -> tuple[list[list[str]], list[int], list[Problem], int]:
        """Up to a batch of records, the line each starts on, and the records the csv module
        could not parse. The loop is as tight as it can be: it runs once per row of the file."""
        rows: list[list[str]] = []
        ends: list[int] = []
        problems: list[Problem] = []
        add_row, add_end = rows.append, ends.append
        first = end + 1
        while len(rows) < self.batch_rows:
            try:
                for row in islice(reader, self.batch_rows - len(rows)):
                    add_row(row)
                    add_end(reader.line_num)
                break
            except csv.Error as exc:
                start = (ends[-1] if ends else end) + 1
                problems.append(self._problem(start, None, f"malformed CSV: {exc}"))
                # the failed record is not in rows: make the next start right
                add_row([])
                add_end(reader.line_num)
        starts = [first, *(line + 1 for line in ends[:-1])]
        last = ends[-1] if ends else end
        return rows, starts[: len(rows)], problems, last

    def _well_formed(
        self,
        rows: list[list[str]],
        starts: list[int],
        width: int,
        bad_utf8: set[int],
        problems: list[Problem],
    ) -> tuple[list[list[str]], list[int]]:
        """Drop blank lines (silently) and rows with the wrong number of fields or bytes that are
        not UTF-8 (reported). A clean batch costs one C-level pass."""
        if set(map(len, rows)) <= {width} and not bad_utf8:
            return rows, starts
        kept_rows: list[list[str]] = []
        kept_starts: list[int] = []
        for index, (row, start) in enumerate(zip(rows, starts, strict=True)):
            if len(row) != width:
                if row:  # a blank line (or a record the csv module refused) is no row
                    reason = f"wrong number of fields: {len(row)}, the header has {width}"
                    problems.append(self._problem(start, None, reason, ",".join(row)))
                continue
            next_start = starts[index + 1] if index + 1 < len(starts) else start + 1
            if bad_utf8 and not bad_utf8.isdisjoint(range(start, max(next_start, start + 1))):
                record = ",".join(row).encode("utf-8", "backslashreplace").decode()
                problems.append(self._problem(start, None, "bytes that are not UTF-8", record))
                continue
            kept_rows.append(row)
            kept_starts.append(start)
        return kept_rows, kept_starts

    def _plain_header(self) -> list[str] | None:
        with self.path.open("rb") as raw:
            first = raw.readline()
        if b'"' in first or not first.strip() or _is_bad_utf8(first):
            return None
        return self._clean_header(first.decode("utf-8").rstrip("\r\n").split(","))

    def _polars_batches(self, header: list[str]) -> Iterator[RawBatch]:
        picks = self._column_picks(header)
        columns = [
            pl.lit(None, dtype=pl.String).alias(c.name)
            if pick is None
            else pl.col(header[pick]).alias(c.name)
            for c, pick in zip(self.entity.columns, picks, strict=True)
        ]
        scan = pl.scan_csv(
            self.path,
            infer_schema=False,
            quote_char=None,
            row_index_name=LINE,
            row_index_offset=2,
            new_columns=[f"~{i}" for i in range(len(header))],
        )
        renamed = scan.rename({f"~{i}": name for i, name in enumerate(header)})
        size = self.path.stat().st_size
        lines = self._line_estimate(size)
        done = 0
        for frame in renamed.select(*columns, pl.col(LINE).cast(pl.Int64)).collect_batches(
            chunk_size=max(self.batch_rows, POLARS_BATCH_ROWS)
        ):
            done += frame.height
            yield RawBatch(frame)
            if self.on_progress is not None:
                self.on_progress(min(size, size * done // lines))
        if self.on_progress is not None:
            self.on_progress(size)

    def _line_estimate(self, size: int) -> int:
        with self.path.open("rb") as raw:
            sample = raw.read(1 << 20)
        return max(1, size * max(1, sample.count(b"\n")) // max(1, len(sample)))

    def _csv_header(self, reader: Any, bad_utf8: set[int]) -> list[str]:
        try:
            header: list[str] = next(reader)
        except StopIteration:
            raise FileRejected(self._problem(1, None, "empty file: no header row")) from None
        except csv.Error as exc:
            raise FileRejected(self._problem(1, None, f"malformed header: {exc}")) from None
        if 1 in bad_utf8:
            raise FileRejected(self._problem(1, None, "header has bytes that are not UTF-8"))
        return self._clean_header(header)

    @staticmethod
    def _clean_header(header: list[str]) -> list[str]:
        header = [name.strip() for name in header]
        if header and header[0].startswith("\ufeff"):
            header[0] = header[0][1:]
        return header

    def _column_picks(self, header: list[str]) -> list[int | None]:
        seen = set()
        for name in header:
            if name in seen:
                raise FileRejected(self._problem(1, name, f"column {name!r} appears twice"))
            seen.add(name)
        missing = [name for name in self.entity.required_columns if name not in seen]
        if missing:
            reason = f"missing required column(s) {', '.join(missing)}"
            raise FileRejected(self._problem(1, missing[0], reason))
        known = {column.name for column in self.entity.columns}
        self.ignored_columns = [name for name in header if name not in known]
        position = {name: index for index, name in enumerate(header)}
        return [position.get(column.name) for column in self.entity.columns]

    def _batch(
        self,
        rows: list[list[str]],
        lines: list[int],
        picks: list[int | None],
        problems: list[Problem],
    ) -> RawBatch:
        transposed = list(zip(*rows, strict=False)) if rows else []  # all of the header width
        empty: Sequence[str] = ("",) * len(rows)
        columns = [empty if pick is None else transposed[pick] for pick in picks]
        return RawBatch(_frame(self.entity, columns, lines), problems)

    # -- JSON Lines ----------------------------------------------------------------------
    def _jsonl_batches(self) -> Iterator[RawBatch]:
        names = [column.name for column in self.entity.columns]
        keys_seen: set[str] = set()
        rows: list[list[str]] = []
        lines: list[int] = []
        problems: list[Problem] = []
        with self.path.open("rb") as raw:
            for number, line in enumerate(raw, start=1):
                if not line.strip():
                    continue
                try:
                    record = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    reason = f"malformed JSON: {exc}"
                    if _is_bad_utf8(line):
                        reason = "bytes that are not UTF-8"
                    problems.append(self._problem(number, None, reason, _text(line)))
                    continue
                if not isinstance(record, dict):
                    reason = f"not a JSON object but {type(record).__name__}"
                    problems.append(self._problem(number, None, reason, _text(line)))
                    continue
                keys_seen.update(record)
                rows.append([_cell(record.get(name)) for name in names])
                lines.append(number)
                if len(rows) >= self.batch_rows:
                    yield RawBatch(
                        _frame(self.entity, _transpose(rows, len(names)), lines), problems
                    )
                    self._progress(raw)
                    rows, lines, problems = [], [], []
            if rows or problems:
                yield RawBatch(_frame(self.entity, _transpose(rows, len(names)), lines), problems)
            self._progress(raw)
        self.ignored_columns = sorted(keys_seen - set(names))

    # -- shared --------------------------------------------------------------------------
    def _problem(
        self, line: int, column: str | None, reason: str, record: str | None = None
    ) -> Problem:
        return Problem(self.path.name, line, column, reason, record)

    def _progress(self, raw: BinaryIO) -> None:
        if self.on_progress is not None:
            self.on_progress(raw.tell())


def _frame(entity: Entity, columns: Sequence[Sequence[str]], lines: list[int]) -> pl.DataFrame:
    """Cells as a frame of text, an empty cell as null."""
    frame = pl.DataFrame(
        {
            c.name: pl.Series(c.name, list(cells), dtype=pl.String)
            for c, cells in zip(entity.columns, columns, strict=True)
        }
    )
    frame = frame.with_columns(pl.all().replace("", None))
    return frame.with_columns(pl.Series(LINE, lines, dtype=pl.Int64))


def _newline_blocks(path: Path) -> Iterator[bytes]:
    """The file in blocks of about 8 MB that end on a newline (the last one may not), so no
    line or character is split between two blocks."""
    with path.open("rb") as raw:
        carry = b""
        while block := raw.read(_UTF8_BLOCK):
            data = carry + block
            cut = data.rfind(b"\n") + 1
            chunk, carry = data[:cut], data[cut:]
            if chunk:
                yield chunk
        if carry:
            yield carry


def _transpose(rows: list[list[str]], width: int) -> list[Sequence[str]]:
    if not rows:
        return [()] * width
    return list(zip(*rows, strict=True))


def _cell(value: object) -> str:
    """A JSON value as the text a CSV cell would hold (null and absent = empty)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    return orjson.dumps(value).decode()


def _text(line: bytes) -> str:
    return line.rstrip(b"\r\n").decode("utf-8", "backslashreplace")


def _is_bad_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def scan_csv(path: Path, width: int | None) -> tuple[set[int], bool]:
    """One pass over the raw file: the line numbers (1-based) holding bytes that are not UTF-8,
    and whether the file is plain: valid UTF-8, no quote character, and every line with
    ``width`` fields (``None``: not plain), so that lines and records are one and the same and
    polars may read it.

    Blocks end on a newline, so no line or character is split; only a block that fails to
    decode is looked at line by line.
    """
    bad: set[int] = set()
    plain = width is not None
    line_offset = 0
    for chunk in _newline_blocks(path):
        if _is_bad_utf8(chunk):
            plain = False
            for number, line in enumerate(chunk.split(b"\n"), start=line_offset + 1):
                if _is_bad_utf8(line):
                    bad.add(number)
        line_offset += chunk.count(b"\n")
        if plain and width is not None:
            plain = b'"' not in chunk and _fields_per_line_are(chunk, width)
    return bad, plain


def _fields_per_line_are(chunk: bytes, width: int) -> bool:
    if not chunk.endswith(b"\n"):
        chunk += b"\n"
    bytes_ = np.frombuffer(chunk, dtype=np.uint8)
    ends = np.flatnonzero(bytes_ == 10)
    commas = np.flatnonzero(bytes_ == 44)
    return bool((np.diff(np.searchsorted(commas, ends), prepend=0) == width - 1).all())
