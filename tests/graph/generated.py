"""A generated org read back from its bundle as polars frames, for the reference tests: the
engine gets the frames, the plain computations walk the same rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import polars as pl

from store.models import OPEN_START
from store.rows import TeamVersion
from synthetic import generate_bundle

END = date(2026, 1, 1)
History = dict[str, list[tuple[date, date | None, str]]]


def read(bundle: Path, entity: str) -> pl.DataFrame:
    return pl.read_csv(bundle / f"{entity}.csv", infer_schema=False)


def _dates(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(
        pl.col("valid_from").str.to_date().fill_null(OPEN_START), pl.col("valid_to").str.to_date()
    )


def _stamps(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).str.to_datetime(time_zone="UTC") for c in columns)


def _counts(frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    return frame.with_columns(pl.col(c).cast(pl.Int64) for c in columns)


@dataclass(frozen=True)
class GeneratedOrg:
    teams: pl.DataFrame
    people: pl.DataFrame
    services: pl.DataFrame
    deployments: pl.DataFrame
    changes: pl.DataFrame
    incidents: pl.DataFrame
    coverage: pl.DataFrame
    debt: pl.DataFrame

    @property
    def team_ids(self) -> list[str]:
        return sorted(set(self.teams["id"]))

    @property
    def versions(self) -> list[TeamVersion]:
        return [
            TeamVersion(
                r["id"], r["name"], r["parent_id"], r["type"], r["valid_from"], r["valid_to"]
            )
            for r in self.teams.iter_rows(named=True)
        ]

    def history(self, frame: pl.DataFrame, team: str) -> History:
        """Each id's intervals, in order: (valid_from, valid_to, team)."""
        out: History = {}
        for row in frame.sort("valid_from").iter_rows(named=True):
            out.setdefault(row["id"], []).append((row["valid_from"], row["valid_to"], row[team]))
        return out


def generated_org(directory: Path, *, seed: int, teams: int = 40) -> GeneratedOrg:
    generate_bundle(directory, teams=teams, seed=seed, end=END)
    return GeneratedOrg(
        teams=_dates(read(directory, "teams")),
        people=_dates(read(directory, "people")),
        services=_dates(read(directory, "services")),
        deployments=_stamps(read(directory, "deployments"), "finished_at").with_columns(
            pl.col("environment").fill_null("production")
        ),
        changes=_stamps(read(directory, "changes"), "merged_at"),
        incidents=read(directory, "incidents"),
        coverage=_counts(
            _stamps(read(directory, "coverage"), "measured_at"), "covered_lines", "total_lines"
        ),
        debt=_counts(_stamps(read(directory, "debt"), "measured_at"), "debt_minutes"),
    )


def team_on(history: list[tuple[date, date | None, str]], day: date) -> str:
    """The plain rule: the interval covering the day, else the latest one started before it,
    else the first one."""
    for start, end, team in history:
        if start <= day and (end is None or day < end):
            return team
    started = [interval for interval in history if interval[0] <= day]
    return (started[-1] if started else history[0])[2]


def valid_on(row: dict[str, object], day: date) -> bool:
    start, end = row["valid_from"], row["valid_to"]
    assert isinstance(start, date)
    return start <= day and (end is None or (isinstance(end, date) and day < end))
