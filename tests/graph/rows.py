"""Tiny orgs written row by row in a test: frames for the engine, text dates and timestamps."""

from __future__ import annotations

import polars as pl

from store.frames import COLUMNS, OrgFrames, empty, typed

Row = dict[str, object]


def org(**rows: list[Row]) -> OrgFrames:
    """Frames from lists of rows; text dates and timestamps, omitted columns are empty."""

    def frame(entity: str) -> pl.DataFrame:
        given = rows.get(entity, [])
        if not given:
            return empty(entity)
        return typed(entity, pl.DataFrame([{c: r.get(c) for c in COLUMNS[entity]} for r in given]))

    unknown = set(rows) - set(COLUMNS)
    assert not unknown, unknown
    return OrgFrames(**{entity: frame(entity) for entity in COLUMNS})


def at(moment: str) -> str:
    """A UTC timestamp of 2025: ``at("03-05 10:00")`` is 2025-03-05T10:00:00Z."""
    day, time = moment.split()
    return f"2025-{day}T{time}:00Z"


def team(
    id_: str, parent: str | None = None, start: str | None = None, end: str | None = None
) -> Row:
    return {
        "id": id_,
        "name": id_.upper(),
        "parent_id": parent,
        "valid_from": start,
        "valid_to": end,
    }


def service(
    id_: str,
    owner: str,
    start: str | None = None,
    end: str | None = None,
    platform: str | None = None,
) -> Row:
    return {
        "id": id_,
        "name": id_.upper(),
        "owner_team_id": owner,
        "platform": platform,
        "valid_from": start,
        "valid_to": end,
    }


def person(
    id_: str, team_id: str, role: str = "SDE", start: str | None = None, end: str | None = None
) -> Row:
    return {"id": id_, "team_id": team_id, "role": role, "valid_from": start, "valid_to": end}


def deployment(
    id_: str, service_id: str, finished: str, status: str = "success", env: str | None = None
) -> Row:
    return {
        "id": id_,
        "service_id": service_id,
        "finished_at": at(finished),
        "status": status,
        "environment": env,
    }


def change(
    id_: str,
    service_id: str,
    *,
    opened: str,
    merged: str | None = None,
    author: str | None = None,
    first_commit: str | None = None,
    deployment_id: str | None = None,
) -> Row:
    return {
        "id": id_,
        "service_id": service_id,
        "author_id": author,
        "opened_at": at(opened),
        "first_commit_at": None if first_commit is None else at(first_commit),
        "merged_at": None if merged is None else at(merged),
        "deployment_id": deployment_id,
    }


def review(id_: str, change_id: str, reviewer: str, submitted: str, state: str) -> Row:
    return {
        "id": id_,
        "change_id": change_id,
        "reviewer_id": reviewer,
        "submitted_at": at(submitted),
        "state": state,
    }


def incident(
    id_: str, service_id: str, started: str, resolved: str | None = None, cause: str | None = None
) -> Row:
    return {
        "id": id_,
        "service_id": service_id,
        "started_at": at(started),
        "resolved_at": None if resolved is None else at(resolved),
        "caused_by_deployment_id": cause,
    }
