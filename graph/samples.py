"""The per-event durations behind the percentile KPIs (docs/kpis.md), one row per sample:
``team_id`` (the owner of the event's service at the event's time), ``day`` (the UTC day that
puts the sample in a window) and ``hours``.

Every rule of the definitions lives here, once; the engine only sums and ranks what these
functions return.
"""

from __future__ import annotations

import polars as pl

from graph.rollup import attribute_to_owner
from store.frames import OrgFrames

PRODUCTION = "production"
HOUR_MICROS = 3_600_000_000


def _sample(
    frame: pl.DataFrame, services: pl.DataFrame, *, at: str, start: str, stop: str
) -> pl.DataFrame:
    """``team_id`` and ``day`` from the timestamp ``at``, ``hours`` from ``start`` to ``stop``,
    and the ``service_id`` (for per-service figures)."""
    if frame.is_empty():
        return pl.DataFrame(
            schema={
                "team_id": pl.String,
                "day": pl.Date,
                "hours": pl.Float64,
                "service_id": pl.String,
            }
        )
    return frame.select(
        attribute_to_owner(frame, services, at=at),
        pl.col(at).dt.date().alias("day"),
        ((pl.col(stop) - pl.col(start)).dt.total_microseconds() / HOUR_MICROS).alias("hours"),
        pl.col("service_id"),
    )


def deployed_at(frames: OrgFrames) -> pl.DataFrame:
    """Each merged change's deployment time: the ``finished_at`` of the deployment it names when
    that one succeeded in production, else of the first successful production deployment of its
    service finishing at or after ``merged_at``; null when there is none. Columns of
    ``changes`` plus ``deployed_at``."""
    good = frames.deployments.filter(
        (pl.col("environment") == PRODUCTION) & (pl.col("status") == "success")
    )
    merged = frames.changes.filter(pl.col("merged_at").is_not_null())
    named = merged.join(
        good.select(pl.col("id").alias("deployment_id"), pl.col("finished_at").alias("~named")),
        on="deployment_id",
        how="left",
    )
    following = named.sort("merged_at").join_asof(
        good.select("service_id", pl.col("finished_at").alias("~next")).sort("~next"),
        left_on="merged_at",
        right_on="~next",
        by="service_id",
        strategy="forward",
        check_sortedness=False,
    )
    return following.with_columns(pl.coalesce("~named", "~next").alias("deployed_at")).drop(
        "~named", "~next"
    )


def _shipped(frames: OrgFrames, deployed: pl.DataFrame | None) -> pl.DataFrame:
    """The merged changes a deployment shipped: :func:`deployed_at`, less changes never
    deployed and those whose deployment finished before the merge (a loader warning)."""
    deployed = deployed_at(frames) if deployed is None else deployed
    return deployed.filter(
        pl.col("deployed_at").is_not_null() & (pl.col("deployed_at") >= pl.col("merged_at"))
    )


def lead_times(frames: OrgFrames, deployed: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per merged and deployed change: ``deployed_at - min(first_commit_at, opened_at)``, in the
    window of ``deployed_at``. Left out, as the reference definition says: changes never
    deployed and a deployment that finished before the merge (a loader warning). A first
    commit after the merge (also a warning) is kept: its clock starts at ``opened_at``
    (``deployed``: :func:`deployed_at`, when already at hand)."""
    changes = _shipped(frames, deployed).with_columns(
        pl.min_horizontal("first_commit_at", "opened_at").alias("~start")
    )
    return _sample(changes, frames.services, at="deployed_at", start="~start", stop="deployed_at")


def merge_to_deploy(frames: OrgFrames, deployed: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per change of :func:`lead_times`: ``deployed_at - merged_at``, the last stage of its
    lead time, in the window of ``deployed_at``."""
    changes = _shipped(frames, deployed)
    return _sample(
        changes, frames.services, at="deployed_at", start="merged_at", stop="deployed_at"
    )


def restore_times(frames: OrgFrames) -> pl.DataFrame:
    """Per resolved incident: ``resolved_at - started_at``, in the window of ``started_at``."""
    resolved = frames.incidents.filter(pl.col("resolved_at").is_not_null())
    return _sample(
        resolved, frames.services, at="started_at", start="started_at", stop="resolved_at"
    )


def unresolved_incidents(frames: OrgFrames) -> pl.DataFrame:
    """Incidents with no ``resolved_at``: ``team_id`` and the ``day`` they started."""
    open_ = frames.incidents.filter(pl.col("resolved_at").is_null())
    return open_.select(
        attribute_to_owner(open_, frames.services, at="started_at"),
        pl.col("started_at").dt.date().alias("day"),
    )


def first_reviews(frames: OrgFrames) -> pl.DataFrame:
    """Each change with a first review: the earliest review by someone other than its author
    (any state) submitted at or after ``opened_at``. Columns of ``changes`` plus
    ``first_review_at``. A change with no known author counts every reviewer; a review before
    the change opened (a loader warning) is ignored."""
    reviews = frames.reviews.join(
        frames.changes.select(pl.col("id").alias("change_id"), "author_id", "opened_at"),
        on="change_id",
    ).filter(
        (pl.col("submitted_at") >= pl.col("opened_at"))
        & (pl.col("author_id").is_null() | (pl.col("reviewer_id") != pl.col("author_id")))
    )
    first = reviews.group_by("change_id").agg(pl.col("submitted_at").min().alias("first_review_at"))
    return frames.changes.join(first.rename({"change_id": "id"}), on="id")


def time_to_first_review(frames: OrgFrames, reviewed: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per reviewed change: ``first_review_at - opened_at``, in the window of ``opened_at``
    (``reviewed``: :func:`first_reviews`, when already at hand)."""
    reviewed = first_reviews(frames) if reviewed is None else reviewed
    return _sample(
        reviewed, frames.services, at="opened_at", start="opened_at", stop="first_review_at"
    )


def review_to_merge(frames: OrgFrames, reviewed: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per merged change whose first review came before (or at) the merge: ``merged_at -
    first_review_at``, in the window of ``merged_at``."""
    reviewed = first_reviews(frames) if reviewed is None else reviewed
    reviewed = reviewed.filter(pl.col("first_review_at") <= pl.col("merged_at"))
    return _sample(
        reviewed, frames.services, at="merged_at", start="first_review_at", stop="merged_at"
    )
