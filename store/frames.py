"""The rows the rollup engine is built from, as typed polars frames: one frame per entity with
exactly the columns of :data:`COLUMNS`, read from the store (``store/read.py``) or
straight from a canonical CSV bundle (for tests and tools).

Dates are ``pl.Date`` (``valid_from`` of an open start is ``0001-01-01``), timestamps
``pl.Datetime("us", "UTC")``, counts ``pl.Int64``, everything else ``pl.String``.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import polars as pl

from store.models import OPEN_START

UTC_MICROS = pl.Datetime("us", "UTC")

#: Entity -> column -> type, as the engine reads them.
COLUMNS: dict[str, dict[str, pl.DataType]] = {
    "teams": {
        "id": pl.String(),
        "name": pl.String(),
        "parent_id": pl.String(),
        "type": pl.String(),
        "valid_from": pl.Date(),
        "valid_to": pl.Date(),
    },
    "people": {
        "id": pl.String(),
        "team_id": pl.String(),
        "role": pl.String(),
        "valid_from": pl.Date(),
        "valid_to": pl.Date(),
    },
    "services": {
        "id": pl.String(),
        "name": pl.String(),
        "owner_team_id": pl.String(),
        "platform": pl.String(),
        "valid_from": pl.Date(),
        "valid_to": pl.Date(),
    },
    "deployments": {
        "id": pl.String(),
        "service_id": pl.String(),
        "finished_at": UTC_MICROS,
        "status": pl.String(),
        "environment": pl.String(),
    },
    "changes": {
        "id": pl.String(),
        "service_id": pl.String(),
        "author_id": pl.String(),
        "opened_at": UTC_MICROS,
        "first_commit_at": UTC_MICROS,
        "merged_at": UTC_MICROS,
        "deployment_id": pl.String(),
    },
    "reviews": {
        "id": pl.String(),
        "change_id": pl.String(),
        "reviewer_id": pl.String(),
        "submitted_at": UTC_MICROS,
        "state": pl.String(),
    },
    "incidents": {
        "id": pl.String(),
        "service_id": pl.String(),
        "started_at": UTC_MICROS,
        "resolved_at": UTC_MICROS,
        "caused_by_deployment_id": pl.String(),
    },
    "coverage": {
        "service_id": pl.String(),
        "measured_at": UTC_MICROS,
        "covered_lines": pl.Int64(),
        "total_lines": pl.Int64(),
    },
    "debt": {
        "service_id": pl.String(),
        "measured_at": UTC_MICROS,
        "debt_minutes": pl.Int64(),
    },
}


@dataclass(frozen=True)
class OrgFrames:
    """Every row the engine needs, one frame per entity (columns as in :data:`COLUMNS`)."""

    teams: pl.DataFrame
    people: pl.DataFrame
    services: pl.DataFrame
    deployments: pl.DataFrame
    changes: pl.DataFrame
    reviews: pl.DataFrame
    incidents: pl.DataFrame
    coverage: pl.DataFrame
    debt: pl.DataFrame

    def __post_init__(self) -> None:
        for entity in fields(self):
            frame: pl.DataFrame = getattr(self, entity.name)
            expected = COLUMNS[entity.name]
            if dict(frame.schema) != expected:
                raise ValueError(
                    f"{entity.name}: columns {dict(frame.schema)} are not the expected {expected}"
                )

    @property
    def team_ids(self) -> list[str]:
        """Every team id of the history, sorted."""
        return sorted(set(self.teams["id"].to_list()))


def empty(entity: str) -> pl.DataFrame:
    """A frame of ``entity`` with no rows."""
    return pl.DataFrame(schema=COLUMNS[entity])


def typed(entity: str, frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` cut and cast to the columns of ``entity``: text dates and timestamps (ISO
    8601 with an offset) are parsed, missing optional columns are null, an empty
    ``valid_from`` is the open start and an empty deployment environment is production."""
    out = []
    for name, kind in COLUMNS[entity].items():
        column = pl.col(name) if name in frame.columns else pl.lit(None, dtype=kind)
        text = name in frame.columns and frame.schema[name] == pl.String()
        if text and kind == pl.Date():
            column = column.str.to_date("%Y-%m-%d")
        elif text and kind == UTC_MICROS:
            column = column.str.to_datetime(time_unit="us", time_zone="UTC")
        column = column.cast(kind)
        if name == "valid_from":
            column = column.fill_null(OPEN_START)
        if entity == "deployments" and name == "environment":
            column = column.fill_null("production")
        out.append(column.alias(name))
    return frame.select(out)


def read_bundle(directory: Path) -> OrgFrames:
    """The frames of a canonical CSV bundle that loads without errors (no validation here: the
    loader is the gate; this is for tests and tools that read a bundle the loader accepted)."""

    def read(entity: str) -> pl.DataFrame:
        path = directory / f"{entity}.csv"
        if not path.exists():
            return empty(entity)
        return typed(entity, pl.read_csv(path, infer_schema=False))

    return OrgFrames(**{entity: read(entity) for entity in COLUMNS})
