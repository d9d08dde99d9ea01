"""The store's tables (store/models.py, which Alembic's migrations are made from) hold exactly
the data contract's entities and columns (store/contract.py): a column added to one and not the
other, a required column left nullable or a kind stored as the wrong type fails here."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlmodel import SQLModel

from store.contract import ENTITIES, ENTITY_BY_NAME, Entity, Kind
from store.models import UtcDateTime, sql_table

#: The SQL type family each kind is stored as.
FAMILIES: dict[Kind, type[sa.types.TypeEngine[Any]]] = {
    Kind.ID: sa.String,
    Kind.TEXT: sa.String,
    Kind.CHOICE: sa.String,
    Kind.DATE: sa.Date,
    Kind.TIMESTAMP: UtcDateTime,
    Kind.COUNT: sa.Integer,
}

#: Tables that are no entity of the bundle: the load log and the API tokens.
STORE_ONLY_TABLES = {"loads", "api_tokens"}


def store_only_columns(entity: str) -> dict[str, type[sa.types.TypeEngine[Any]]]:
    """Columns a table has beyond its contract columns, with their type: the flags a load sets
    on rows it warned about (``Entity.flags``). There is no load id column."""
    return dict.fromkeys(ENTITY_BY_NAME[entity].flags, sa.Boolean)


def is_of(type_: sa.types.TypeEngine[Any], family: type[sa.types.TypeEngine[Any]]) -> bool:
    """Whether ``type_`` is ``family``, directly or as the implementation of a decorator
    (SQLModel's ``AutoString`` is a ``String``)."""
    if isinstance(type_, family):
        return True
    return isinstance(type_, sa.TypeDecorator) and isinstance(type_.impl_instance, family)


def mismatches(entity: Entity, table: sa.Table) -> list[str]:
    """How ``table`` differs from ``entity`` of the contract (empty: it holds exactly it)."""
    extra = store_only_columns(entity.name)
    problems = []
    contract = {c.name for c in entity.columns}
    stored = set(table.columns.keys())
    if missing := sorted(contract - stored):
        problems.append(f"{entity.name}: contract columns not in the table: {missing}")
    if unknown := sorted(stored - contract - set(extra)):
        problems.append(f"{entity.name}: table columns not in the contract: {unknown}")
    for name, family in extra.items():
        if name in stored and not (
            is_of(table.c[name].type, family) and not table.c[name].nullable
        ):
            problems.append(
                f"{entity.name}.{name}: a store-only flag, not {family.__name__} NOT NULL"
            )
    key = tuple(c.name for c in table.primary_key.columns)
    if key != entity.key:
        problems.append(f"{entity.name}: primary key {key}, the contract's key is {entity.key}")
    for column in entity.columns:
        if column.name not in stored:
            continue
        sql = table.c[column.name]
        if not is_of(sql.type, FAMILIES[column.kind]):
            problems.append(
                f"{entity.name}.{column.name}: {column.kind.value} stored as {sql.type!r}, "
                f"not {FAMILIES[column.kind].__name__}"
            )
        # required, key and defaulted columns always have a value; the rest may be empty
        never_null = column.required or column.name in entity.key or column.default is not None
        if sql.nullable == never_null:
            state = "nullable" if sql.nullable else "NOT NULL"
            problems.append(f"{entity.name}.{column.name}: {state} in the table")
        given = sql.default
        default = given.arg if isinstance(given, sa.ColumnDefault) and given.is_scalar else None
        if column.default is not None and default != column.default:
            problems.append(
                f"{entity.name}.{column.name}: default {default!r}, not {column.default!r}"
            )
    return problems


@pytest.mark.parametrize("entity", ENTITIES, ids=lambda e: e.name)
def test_each_table_holds_exactly_its_contract_columns(entity: Entity) -> None:
    assert mismatches(entity, sql_table(entity.name)) == []


def test_every_table_is_an_entity_of_the_contract_or_the_load_log() -> None:
    entities = [e.name for e in ENTITIES]
    assert set(SQLModel.metadata.tables) == set(entities) | STORE_ONLY_TABLES


def test_a_table_that_drifted_from_the_contract_is_told_apart() -> None:
    # given a debt table with a column the contract lacks, one missing, a required column
    # left nullable, a timestamp and a count stored as other types and a key of its own
    entity = next(e for e in ENTITIES if e.name == "debt")
    table = sa.Table(
        "debt",
        sa.MetaData(),
        sa.Column("service_id", sa.String(), primary_key=True),
        sa.Column("measured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("debt_minutes", sa.Integer(), nullable=True),
        sa.Column("debt_items", sa.String(), nullable=True),
        sa.Column("debt_hours", sa.Integer(), nullable=True),
    )
    # then each difference is named
    assert mismatches(entity, table) == [
        "debt: table columns not in the contract: ['debt_hours']",
        "debt: primary key ('service_id',), the contract's key is ('service_id', 'measured_at')",
        "debt.measured_at: timestamp stored as DateTime(timezone=True), not UtcDateTime",
        "debt.debt_minutes: nullable in the table",
        "debt.debt_items: count stored as String(), not Integer",
    ]
    # and a contract column the table lacks is named too
    lacking = sa.Table(
        "debt", sa.MetaData(), sa.Column("service_id", sa.String(), primary_key=True)
    )
    assert mismatches(entity, lacking)[0] == (
        "debt: contract columns not in the table: ['debt_items', 'debt_minutes', 'measured_at']"
    )
