"""The canonical bundle (docs/data-contract.md) as data: which files exist, their columns, what
each column holds and what it refers to. The reader, the validator, the generator (its files and
columns, ``synthetic/writer.py``), the engine's frames (the types of the columns it reads,
``store/frames.py``) and the docs all read this one table, so the contract cannot drift between
them; the store's tables (``store/models.py``) stay declared for Alembic and are checked against
it by tests/store/test_contract.py."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Kind(Enum):
    """What a column holds, which decides how it is parsed and checked."""

    ID = "id"  # non-empty string
    TEXT = "text"  # free text, empty = null
    DATE = "date"  # YYYY-MM-DD
    TIMESTAMP = "timestamp"  # ISO 8601 with an offset or Z
    COUNT = "count"  # non-negative integer
    CHOICE = "choice"  # one of Column.choices


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    refers_to: str | None = None  # entity whose ids this column must name
    choices: frozenset[str] = frozenset()
    default: str | None = None  # value stored when the cell is empty


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    dimension: bool = False  # carries history (valid_from / valid_to)
    #: store-only boolean columns a load sets on rows it warned about (no bundle column):
    #: the row still loads, and docs/kpis.md says how each flag changes what it counts
    flags: tuple[str, ...] = ()

    @property
    def stored_columns(self) -> tuple[str, ...]:
        """The table's columns, in order: the contract's, then the flags."""
        return (*(c.name for c in self.columns), *self.flags)

    @property
    def required_columns(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(f"{self.name} has no column {name!r}")


def singular(entity: str) -> str:
    """One row of ``entity`` in prose: ``people`` -> ``person``, ``teams`` -> ``team``."""
    return {"people": "person"}.get(entity, entity.rstrip("s"))


DEPLOYMENT_STATUSES = frozenset({"success", "failed", "rolled_back"})
REVIEW_STATES = frozenset({"approved", "changes_requested", "commented"})
PRODUCTION = "production"

_HISTORY = (Column("valid_from", Kind.DATE), Column("valid_to", Kind.DATE))

#: Every entity in load order: each one only refers to entities before it.
ENTITIES: tuple[Entity, ...] = (
    Entity(
        "teams",
        (
            Column("id", Kind.ID, required=True),
            Column("name", Kind.TEXT, required=True),
            Column("parent_id", Kind.ID, refers_to="teams"),
            Column("type", Kind.TEXT),
            *_HISTORY,
        ),
        key=("id", "valid_from"),
        dimension=True,
    ),
    Entity(
        "people",
        (
            Column("id", Kind.ID, required=True),
            Column("team_id", Kind.ID, required=True, refers_to="teams"),
            Column("role", Kind.TEXT, required=True),
            Column("name", Kind.TEXT),
            Column("level", Kind.TEXT),
            Column("employment_type", Kind.TEXT),
            *_HISTORY,
        ),
        key=("id", "valid_from"),
        dimension=True,
    ),
    Entity(
        "services",
        (
            Column("id", Kind.ID, required=True),
            Column("name", Kind.TEXT, required=True),
            Column("owner_team_id", Kind.ID, required=True, refers_to="teams"),
            Column("platform", Kind.TEXT),
            Column("tier", Kind.TEXT),
            Column("repo", Kind.TEXT),
            *_HISTORY,
        ),
        key=("id", "valid_from"),
        dimension=True,
    ),
    Entity(
        "deployments",
        (
            Column("id", Kind.ID, required=True),
            Column("service_id", Kind.ID, required=True, refers_to="services"),
            Column("started_at", Kind.TIMESTAMP),
            Column("finished_at", Kind.TIMESTAMP, required=True),
            Column("status", Kind.CHOICE, required=True, choices=DEPLOYMENT_STATUSES),
            Column("environment", Kind.TEXT, default=PRODUCTION),
        ),
        key=("id",),
    ),
    Entity(
        "changes",
        (
            Column("id", Kind.ID, required=True),
            Column("service_id", Kind.ID, required=True, refers_to="services"),
            Column("author_id", Kind.ID, refers_to="people"),
            Column("opened_at", Kind.TIMESTAMP, required=True),
            Column("first_commit_at", Kind.TIMESTAMP),
            Column("merged_at", Kind.TIMESTAMP),
            Column("deployment_id", Kind.ID, refers_to="deployments"),
            Column("lines_added", Kind.COUNT),
            Column("lines_deleted", Kind.COUNT),
        ),
        key=("id",),
        flags=("warn_first_commit_after_merge", "warn_deployed_before_merge"),
    ),
    Entity(
        "reviews",
        (
            Column("id", Kind.ID, required=True),
            Column("change_id", Kind.ID, required=True, refers_to="changes"),
            Column("reviewer_id", Kind.ID, required=True, refers_to="people"),
            Column("submitted_at", Kind.TIMESTAMP, required=True),
            Column("state", Kind.CHOICE, choices=REVIEW_STATES),
        ),
        key=("id",),
        flags=("warn_before_open",),
    ),
    Entity(
        "incidents",
        (
            Column("id", Kind.ID, required=True),
            Column("service_id", Kind.ID, required=True, refers_to="services"),
            Column("started_at", Kind.TIMESTAMP, required=True),
            Column("resolved_at", Kind.TIMESTAMP),
            Column("severity", Kind.TEXT),
            Column("caused_by_deployment_id", Kind.ID, refers_to="deployments"),
        ),
        key=("id",),
    ),
    Entity(
        "coverage",
        (
            Column("service_id", Kind.ID, required=True, refers_to="services"),
            Column("measured_at", Kind.TIMESTAMP, required=True),
            Column("covered_lines", Kind.COUNT, required=True),
            Column("total_lines", Kind.COUNT, required=True),
        ),
        key=("service_id", "measured_at"),
    ),
    Entity(
        "debt",
        (
            Column("service_id", Kind.ID, required=True, refers_to="services"),
            Column("measured_at", Kind.TIMESTAMP, required=True),
            Column("debt_minutes", Kind.COUNT, required=True),
            Column("debt_items", Kind.COUNT),
        ),
        key=("service_id", "measured_at"),
    ),
)

ENTITY_BY_NAME = {entity.name: entity for entity in ENTITIES}

#: Row-local orderings: (later column, earlier column); a row whose later value comes first is
#: rejected.
ORDERINGS: dict[str, tuple[tuple[str, str], ...]] = {
    "deployments": (("finished_at", "started_at"),),
    "changes": (("merged_at", "opened_at"),),
    "incidents": (("resolved_at", "started_at"),),
    "coverage": (("total_lines", "covered_lines"),),
}

#: File endings the reader understands, in the order they are looked for.
FORMATS = (".csv", ".jsonl")
