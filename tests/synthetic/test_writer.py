"""The generator writes the data contract's files and columns (store/contract.py), in its
order: a column added to the contract is written without a second list to keep in step."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from store.contract import ENTITIES
from synthetic import generate_bundle
from synthetic.writer import COLUMNS, file_names

END = date(2025, 7, 1)


def test_the_writer_writes_every_contract_column_in_file_order() -> None:
    # the contract's columns, the optional ones too (the generator leaves none out)
    assert {e.name: tuple(c.name for c in e.columns) for e in ENTITIES} == COLUMNS
    assert list(COLUMNS) == [e.name for e in ENTITIES]
    assert file_names("csv") == tuple(f"{e.name}.csv" for e in ENTITIES)


def test_a_generated_bundle_has_the_contract_header_and_keys(tmp_path: Path) -> None:
    # given a small bundle in each format
    generate_bundle(tmp_path / "csv", teams=20, seed=1, end=END, years=0.25)
    generate_bundle(tmp_path / "jsonl", teams=20, seed=1, end=END, years=0.25, fmt="jsonl")
    for entity in ENTITIES:
        names = [c.name for c in entity.columns]
        # then each CSV file starts with the contract's header
        with (tmp_path / "csv" / f"{entity.name}.csv").open(encoding="utf-8") as f:
            assert f.readline().rstrip("\n").split(",") == names, entity.name
        # and each JSON Lines record has only contract keys, in the contract's order
        lines = (tmp_path / "jsonl" / f"{entity.name}.jsonl").read_text(encoding="utf-8")
        for line in lines.splitlines():
            keys = list(json.loads(line))
            assert keys == [n for n in names if n in keys], entity.name
            assert set(entity.required_columns) <= set(keys), entity.name
