"""Small bundles built in the test, row by row: a valid base org and helpers to break it."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

Rows = list[dict[str, str]]


def base_bundle() -> dict[str, Rows]:
    """A small valid org: two levels, a reorg, a dissolved team, events of every kind."""
    return {
        "teams": [
            {
                "id": "org",
                "name": "Org",
                "parent_id": "",
                "type": "org",
                "valid_from": "",
                "valid_to": "",
            },
            {
                "id": "a",
                "name": "Team A",
                "parent_id": "org",
                "type": "team",
                "valid_from": "",
                "valid_to": "",
            },
            {
                "id": "b",
                "name": "Team B",
                "parent_id": "org",
                "type": "team",
                "valid_from": "",
                "valid_to": "2025-01-01",
            },
            {
                "id": "c",
                "name": "Team C",
                "parent_id": "a",
                "type": "team",
                "valid_from": "2024-01-01",
                "valid_to": "2025-06-01",
            },
            {
                "id": "c",
                "name": "Team C",
                "parent_id": "b",
                "type": "team",
                "valid_from": "2025-06-01",
                "valid_to": "",
            },
        ],
        "people": [
            {"id": "p1", "team_id": "a", "role": "SDE", "name": "Ann"},
            {"id": "p2", "team_id": "a", "role": "SDM", "name": "Bob"},
            {"id": "p3", "team_id": "c", "role": "SDE", "name": "Cid"},
        ],
        "services": [
            {"id": "s1", "name": "svc one", "owner_team_id": "a", "platform": "native_aws"},
            {"id": "s2", "name": "svc two", "owner_team_id": "c", "platform": "legacy_dc"},
        ],
        "deployments": [
            {
                "id": "d1",
                "service_id": "s1",
                "started_at": "2025-01-01T10:00:00Z",
                "finished_at": "2025-01-01T10:05:00Z",
                "status": "success",
                "environment": "",
            },
            {
                "id": "d2",
                "service_id": "s2",
                "started_at": "",
                "finished_at": "2025-01-02T10:05:00+02:00",
                "status": "failed",
                "environment": "staging",
            },
        ],
        "changes": [
            {
                "id": "c1",
                "service_id": "s1",
                "author_id": "p1",
                "opened_at": "2024-12-30T10:00:00Z",
                "first_commit_at": "2024-12-29T10:00:00Z",
                "merged_at": "2024-12-31T10:00:00Z",
                "deployment_id": "d1",
                "lines_added": "10",
                "lines_deleted": "2",
            },
            {
                "id": "c2",
                "service_id": "s2",
                "author_id": "",
                "opened_at": "2024-12-30T10:00:00Z",
                "first_commit_at": "",
                "merged_at": "",
                "deployment_id": "",
                "lines_added": "",
                "lines_deleted": "",
            },
        ],
        "reviews": [
            {
                "id": "r1",
                "change_id": "c1",
                "reviewer_id": "p2",
                "submitted_at": "2024-12-30T12:00:00Z",
                "state": "approved",
            },
        ],
        "incidents": [
            {
                "id": "i1",
                "service_id": "s1",
                "started_at": "2025-01-01T11:00:00Z",
                "resolved_at": "2025-01-01T12:00:00Z",
                "severity": "sev2",
                "caused_by_deployment_id": "d1",
            },
        ],
        "coverage": [
            {
                "service_id": "s1",
                "measured_at": "2025-01-01T00:00:00Z",
                "covered_lines": "50",
                "total_lines": "100",
            },
        ],
        "debt": [
            {
                "service_id": "s1",
                "measured_at": "2025-01-01T00:00:00Z",
                "debt_minutes": "300",
                "debt_items": "4",
            },
        ],
    }


def write_bundle(directory: Path, bundle: dict[str, Rows]) -> Path:
    """Write each entity as ``<entity>.csv`` (header = the keys of its first row)."""
    directory.mkdir(parents=True, exist_ok=True)
    for entity, rows in bundle.items():
        with (directory / f"{entity}.csv").open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
    return directory


def with_row(bundle: dict[str, Rows], entity: str, **changes: Any) -> dict[str, Rows]:
    """The bundle with one more row in ``entity``: a copy of its first row with ``changes``."""
    rows = [dict(row) for row in bundle[entity]]
    rows.append({**rows[0], **{k: str(v) for k, v in changes.items()}})
    return {**bundle, entity: rows}


def append_text(path: Path, text: bytes) -> None:
    with path.open("ab") as out:
        out.write(text)
