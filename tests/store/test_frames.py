"""The engine's columns (store/frames.py): the names it reads, typed from the contract."""

from __future__ import annotations

from dataclasses import fields

import polars as pl

from store.contract import ENTITIES, ENTITY_BY_NAME, Kind
from store.frames import COLUMNS, DTYPES, READS, OrgFrames

UTC = pl.Datetime("us", "UTC")

#: What the engine reads, written out once here so that a change to the contract's kinds or to
#: the engine's selection shows up as a failing test.
EXPECTED: dict[str, list[tuple[str, pl.DataType]]] = {
    "teams": [
        ("id", pl.String()),
        ("name", pl.String()),
        ("parent_id", pl.String()),
        ("type", pl.String()),
        ("valid_from", pl.Date()),
        ("valid_to", pl.Date()),
    ],
    "people": [
        ("id", pl.String()),
        ("team_id", pl.String()),
        ("role", pl.String()),
        ("valid_from", pl.Date()),
        ("valid_to", pl.Date()),
    ],
    "services": [
        ("id", pl.String()),
        ("name", pl.String()),
        ("owner_team_id", pl.String()),
        ("platform", pl.String()),
        ("valid_from", pl.Date()),
        ("valid_to", pl.Date()),
    ],
    "deployments": [
        ("id", pl.String()),
        ("service_id", pl.String()),
        ("finished_at", UTC),
        ("status", pl.String()),
        ("environment", pl.String()),
    ],
    "changes": [
        ("id", pl.String()),
        ("service_id", pl.String()),
        ("author_id", pl.String()),
        ("opened_at", UTC),
        ("first_commit_at", UTC),
        ("merged_at", UTC),
        ("deployment_id", pl.String()),
    ],
    "reviews": [
        ("id", pl.String()),
        ("change_id", pl.String()),
        ("reviewer_id", pl.String()),
        ("submitted_at", UTC),
        ("state", pl.String()),
    ],
    "incidents": [
        ("id", pl.String()),
        ("service_id", pl.String()),
        ("started_at", UTC),
        ("resolved_at", UTC),
        ("caused_by_deployment_id", pl.String()),
    ],
    "coverage": [
        ("service_id", pl.String()),
        ("measured_at", UTC),
        ("covered_lines", pl.Int64()),
        ("total_lines", pl.Int64()),
    ],
    "debt": [
        ("service_id", pl.String()),
        ("measured_at", UTC),
        ("debt_minutes", pl.Int64()),
    ],
}


def test_the_engine_reads_the_expected_columns_in_order() -> None:
    assert {entity: list(columns.items()) for entity, columns in COLUMNS.items()} == EXPECTED
    assert list(COLUMNS) == list(EXPECTED)


def test_every_kind_has_a_polars_type() -> None:
    assert set(DTYPES) == set(Kind)


def test_the_engine_reads_contract_columns_in_file_order() -> None:
    # every entity of the frames is one of the contract's, in load order
    assert list(READS) == [f.name for f in fields(OrgFrames)]
    assert list(READS) == [e.name for e in ENTITIES if e.name in READS]
    for entity, names in READS.items():
        contract = ENTITY_BY_NAME[entity]
        # the engine reads the whole key, and the columns keep the bundle file's order
        assert set(contract.key) <= set(names), entity
        assert [c.name for c in contract.columns if c.name in names] == list(names), entity
        # each column's type is its kind's
        assert COLUMNS[entity] == {name: DTYPES[contract.column(name).kind] for name in names}
