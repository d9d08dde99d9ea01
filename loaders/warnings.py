"""Rows that load but that a KPI leaves out (docs/data-contract.md, Warnings): each sets one of
its entity's flag columns (``Entity.flags``), and the load reports it with the reason here."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

#: what each flag means, as the load's warning says it
WARNINGS = {
    "warn_first_commit_after_merge": (
        "first_commit_at is after merged_at: lead time starts at opened_at"
    ),
    "warn_deployed_before_merge": (
        "its deployment finished before merged_at: left out of lead time"
    ),
    "warn_before_open": (
        "submitted before its change was opened: left out of time to first review"
    ),
}


def flagged(entity: str, frame: pl.DataFrame, known: Callable[[str], pl.DataFrame]) -> pl.DataFrame:
    """``frame`` (a batch of ``entity``'s rows) with its flag columns set; ``known(name)``
    gives the ids and the one timestamp each check needs of the rows loaded before (the
    deployments' ``finished_at``, the changes' ``opened_at``)."""
    if entity == "changes":
        finished = known("deployments").rename({"id": "deployment_id", "finished_at": "~finished"})
        joined = frame.join(finished, on="deployment_id", how="left", maintain_order="left")
        return joined.with_columns(
            (pl.col("first_commit_at") > pl.col("merged_at"))
            .fill_null(False)
            .alias("warn_first_commit_after_merge"),
            (pl.col("~finished") < pl.col("merged_at"))
            .fill_null(False)
            .alias("warn_deployed_before_merge"),
        ).drop("~finished")
    if entity == "reviews":
        opened = known("changes").rename({"id": "change_id", "opened_at": "~opened"})
        joined = frame.join(opened, on="change_id", how="left", maintain_order="left")
        return joined.with_columns(
            (pl.col("submitted_at") < pl.col("~opened")).fill_null(False).alias("warn_before_open")
        ).drop("~opened")
    return frame
