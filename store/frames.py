"""The rows the rollup engine is built from, as typed polars frames: one frame per entity with
exactly the columns of :data:`COLUMNS`, read from the store (``store/read.py``) or
straight from a canonical CSV bundle (for tests and tools).

Which columns the engine reads is the one thing declared here (:data:`READS`); their types come
from the data contract (``store/contract.py``), by the column's kind (:data:`DTYPES`): dates are
``pl.Date`` (``valid_from`` of an open start is ``0001-01-01``), timestamps
``pl.Datetime("us", "UTC")``, counts ``pl.Int64``, everything else ``pl.String``.

>>> COLUMNS["debt"]
{'service_id': String, 'measured_at': Datetime(time_unit='us', time_zone='UTC'), 'debt_minutes': Int64}
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path

import polars as pl

from store.contract import ENTITY_BY_NAME, Kind
from store.models import OPEN_START

UTC_MICROS = pl.Datetime("us", "UTC")

#: The polars type of a contract column, by its kind.
DTYPES: dict[Kind, pl.DataType] = {
    Kind.ID: pl.String(),
    Kind.TEXT: pl.String(),
    Kind.CHOICE: pl.String(),
    Kind.DATE: pl.Date(),
    Kind.TIMESTAMP: UTC_MICROS,
    Kind.COUNT: pl.Int64(),
}

#: Entity -> the contract columns the engine reads, in frame order (the contract's file order).
#: The others (names, tiers, line counts, ...) are loaded and stored, but no KPI uses them.
READS: dict[str, tuple[str, ...]] = {
    "teams": ("id", "name", "parent_id", "type", "valid_from", "valid_to"),
    "people": ("id", "team_id", "role", "valid_from", "valid_to"),
    "services": ("id", "name", "owner_team_id", "platform", "valid_from", "valid_to"),
    "deployments": ("id", "service_id", "finished_at", "status", "environment"),
    "changes": (
        "id",
        "service_id",
        "author_id",
        "opened_at",
        "first_commit_at",
        "merged_at",
        "deployment_id",
    ),
    "reviews": ("id", "change_id", "reviewer_id", "submitted_at", "state"),
    "incidents": ("id", "service_id", "started_at", "resolved_at", "caused_by_deployment_id"),
    "coverage": ("service_id", "measured_at", "covered_lines", "total_lines"),
    "debt": ("service_id", "measured_at", "debt_minutes"),
}


def _schema(entity: str, names: tuple[str, ...]) -> dict[str, pl.DataType]:
    contract = ENTITY_BY_NAME[entity]  # KeyError: not an entity of the contract
    return {name: DTYPES[contract.column(name).kind] for name in names}


#: Entity -> column -> type, as the engine reads them (:data:`READS`, typed by the contract).
COLUMNS: dict[str, dict[str, pl.DataType]] = {
    entity: _schema(entity, names) for entity, names in READS.items()
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
    ``valid_from`` is the open start and an empty cell of a column with a contract default (the
    deployment environment: production) is that default."""
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
        default = ENTITY_BY_NAME[entity].column(name).default
        if default is not None:
            column = column.fill_null(pl.lit(default).cast(kind))
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
