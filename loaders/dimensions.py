"""Checks on dimensions with history (teams, people, services): the intervals of one id never
overlap, and the team parent relation has no cycle on any date."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

import polars as pl

from loaders.problems import Problem
from loaders.reader import LINE
from loaders.validate import TypedBatch, record_text, typed_schema
from store.contract import Entity

_EARLIEST = date.min


class DimensionRows:
    """All accepted rows of one dimension file (small enough to hold: tens of thousands of teams,
    hundreds of thousands of people), with the line each came from."""

    def __init__(self, entity: Entity, file: str) -> None:
        self.entity = entity
        self.file = file
        self.names = [c.name for c in entity.columns]
        self.rows: list[tuple[Any, ...]] = []
        self.lines: list[int] = []

    def __len__(self) -> int:
        return len(self.rows)

    def extend(self, batch: TypedBatch) -> None:
        for row in batch.frame.iter_rows():
            self.rows.append(row[:-1])
            self.lines.append(row[-1])

    def index(self, column: str) -> int:
        return self.names.index(column)

    def drop(self, problems: Iterable[Problem]) -> dict[str, Problem]:
        """Remove the rows these problems are about; for each id of a removed row, its first
        problem (so that a row referring to that id can say why it is unknown)."""
        why = {problem.line: problem for problem in problems}
        if not why:
            return {}
        dropped: dict[str, Problem] = {}
        kept_rows: list[tuple[Any, ...]] = []
        kept_lines: list[int] = []
        for row, line in zip(self.rows, self.lines, strict=True):
            if line in why:
                dropped.setdefault(row[0], why[line])
            else:
                kept_rows.append(row)
                kept_lines.append(line)
        self.rows, self.lines = kept_rows, kept_lines
        return dropped

    def problem(self, position: int, column: str, reason: str) -> Problem:
        record = record_text(self.rows[position])
        return Problem(self.file, self.lines[position], column, reason, record)

    def frame(self, open_start: date) -> pl.DataFrame:
        """The rows to write, an empty ``valid_from`` stored as ``open_start`` (it is part of the key)."""
        schema = {name: dtype for name, dtype in typed_schema(self.entity).items() if name != LINE}
        frame = pl.DataFrame(self.rows, schema=schema, orient="row")
        return frame.with_columns(pl.col("valid_from").fill_null(open_start))


def _interval(row: Sequence[Any], start: int, end: int) -> tuple[date, date | None]:
    return row[start] or _EARLIEST, row[end]


def _show(interval: tuple[date, date | None]) -> str:
    begin = "" if interval[0] == _EARLIEST else interval[0].isoformat()
    end = "" if interval[1] is None else interval[1].isoformat()
    return f"[{begin or '-inf'}, {end or 'open'})"


def check_history(rows: DimensionRows) -> list[Problem]:
    """The rows whose validity overlaps an earlier-starting row of the same id (the caller
    drops them)."""
    start, end = rows.index("valid_from"), rows.index("valid_to")
    by_id: dict[str, list[int]] = defaultdict(list)
    for position, row in enumerate(rows.rows):
        by_id[row[0]].append(position)
    problems: list[Problem] = []
    for positions in by_id.values():
        if len(positions) < 2:
            continue
        positions.sort(key=lambda p: (_interval(rows.rows[p], start, end)[0], rows.lines[p]))
        previous = positions[0]
        for position in positions[1:]:
            earlier = _interval(rows.rows[previous], start, end)
            later = _interval(rows.rows[position], start, end)
            if earlier[1] is None or earlier[1] > later[0]:
                other = f"{rows.file}:{rows.lines[previous]}"
                reason = (
                    f"duplicate id {rows.rows[position][0]!r} with overlapping validity: "
                    f"{_show(later)} overlaps {_show(earlier)} of line {other}"
                )
                problems.append(rows.problem(position, "valid_from", reason))
            else:
                previous = position
    return problems


def find_parent_cycles(teams: DimensionRows, stored: Sequence[Sequence[Any]]) -> list[Problem]:
    """The bundle rows that close a parent cycle on some date: one problem per row, each naming
    the cycle from its own team and the lines of the other rows in it (the caller drops them).

    ``stored`` are the store's team rows for ids the bundle does not replace (``id, name,
    parent_id, type, valid_from, valid_to``). The parent relation changes only on the dates where
    some row starts or ends, so checking it on each such date covers every date; on each date only
    the teams whose parent changed can close a new cycle, so only they are walked from.
    """
    parent_at, start_at, end_at = (
        teams.index("parent_id"),
        teams.index("valid_from"),
        teams.index("valid_to"),
    )
    versions: list[tuple[date, date | None, str, str | None, int | None]] = [
        (row[start_at] or _EARLIEST, row[end_at], row[0], row[parent_at], position)
        for position, row in enumerate(teams.rows)
    ]
    versions += [(row[4] or _EARLIEST, row[5], row[0], row[2], None) for row in stored]
    starts: dict[date, list[int]] = defaultdict(list)
    ends: dict[date, list[int]] = defaultdict(list)
    for index, (begin, end, *_rest) in enumerate(versions):
        starts[begin].append(index)
        if end is not None:
            ends[end].append(index)
    parent: dict[str, str | None] = {}
    active: dict[str, int] = {}
    problems: dict[int, Problem] = {}
    for day in sorted(set(starts) | set(ends)):
        changed: list[str] = []
        for index in ends.get(day, ()):
            team = versions[index][2]
            if active.get(team) == index:
                del active[team]
                parent.pop(team, None)
                changed.append(team)
        for index in starts.get(day, ()):
            team = versions[index][2]
            active[team] = index
            parent[team] = versions[index][3]
            changed.append(team)
        for team in changed:
            cycle = _cycle_from(team, parent)
            if cycle:
                _report_cycle(cycle, day, versions, active, teams, problems)
    return list(problems.values())


def _cycle_from(team: str, parent: dict[str, str | None]) -> list[str]:
    path: list[str] = []
    on_path: set[str] = set()
    node: str | None = team
    while node is not None and node in parent:
        if node in on_path:
            return [*path[path.index(node) :], node]
        path.append(node)
        on_path.add(node)
        node = parent[node]
    return []


def _report_cycle(
    cycle: list[str],
    day: date,
    versions: list[tuple[date, date | None, str, str | None, int | None]],
    active: dict[str, int],
    teams: DimensionRows,
    problems: dict[int, Problem],
) -> None:
    """One problem per bundle row of the cycle: ``parent cycle at all times: t9 → t17 → t9
    (also line 18)``, the cycle read from the row's own team."""
    when = "at all times" if day == _EARLIEST else f"on {day.isoformat()}"
    members = cycle[:-1]
    positions = [versions[active[team]][4] for team in members]
    stored = [team for team, position in zip(members, positions, strict=True) if position is None]
    for at, (team, position) in enumerate(zip(members, positions, strict=True)):
        if position is None or position in problems:
            continue
        loop = " → ".join([*members[at:], *members[:at], team])
        others = sorted(teams.lines[p] for p in positions if p is not None and p != position)
        reason = f"parent cycle {when}: {loop}{_others(others, stored)}"
        problems[position] = teams.problem(position, "parent_id", reason)


def _others(lines: list[int], stored: list[str]) -> str:
    """`` (also line 18)``, `` (also lines 18, 25; t5 as in the store)``, or nothing."""
    parts = []
    if lines:
        parts.append(f"also line{'s' * (len(lines) > 1)} {', '.join(map(str, lines))}")
    if stored:
        parts.append(f"{', '.join(stored)} as in the store")
    return f" ({'; '.join(parts)})" if parts else ""
