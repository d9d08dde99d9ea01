"""Code review flow KPIs that are ratios of counts (docs/kpis.md); the percentile ones (time to
first review, review to merge) come with the percentile engine."""

from __future__ import annotations

from datetime import date

import polars as pl

from graph.measures import Floats, Rate, ratios
from graph.rollup import SubtreeSums, TeamIndex, attribute_to_owner, day_range
from graph.tree import OrgTree, Subtrees


class ReviewIndex:
    """Merged changes by owning team and merge day, and those merged without an approval."""

    def __init__(
        self, teams: list[str], services: pl.DataFrame, changes: pl.DataFrame, reviews: pl.DataFrame
    ):
        merged = changes.filter(pl.col("merged_at").is_not_null())
        approvals = (
            reviews.filter(pl.col("state") == "approved")
            .join(merged.select(pl.col("id").alias("change_id"), "author_id"), on="change_id")
            # a review by the author does not count; an unknown author cannot be the reviewer
            .filter(pl.col("author_id").is_null() | (pl.col("reviewer_id") != pl.col("author_id")))
            .select("change_id")
            .unique()
        )
        merged = merged.with_columns(
            attribute_to_owner(merged, services, at="merged_at"),
            pl.col("merged_at").dt.date().alias("~day"),
            (~pl.col("id").is_in(approvals["change_id"].implode()))
            .cast(pl.Int64)
            .alias("~unreviewed"),
        )
        first, days = day_range(merged["~day"])
        self.index = TeamIndex(sorted(teams), first, days)
        self.cubes = {
            "merged": self.index.cube(merged["team_id"], merged["~day"]),
            "unreviewed": self.index.cube(merged["team_id"], merged["~day"], merged["~unreviewed"]),
        }

    def for_tree(self, tree: OrgTree) -> ReviewFlow:
        return ReviewFlow(SubtreeSums(self.index, tree, self.cubes))


class ReviewFlow:
    """Review flow KPIs of the subtrees of one org tree."""

    def __init__(self, sums: SubtreeSums) -> None:
        self.sums = sums

    def unreviewed_merge_rate(self, team: str, start: date, end: date) -> Rate:
        """Changes merged in ``[start, end)`` (to the subtree's services, owner on the merge day)
        with no ``approved`` review by someone other than the author ÷ all of them; None when
        none was merged."""
        merged = self.sums.total("merged", team, start, end)
        unreviewed = self.sums.total("unreviewed", team, start, end)
        return Rate(unreviewed / merged if merged else None, merged)

    def unreviewed_merge_rate_many(self, teams: Subtrees, start: date, end: date) -> Floats:
        """The value of :meth:`unreviewed_merge_rate` for many subtrees, NaN where it is None."""
        merged = self.sums.totals("merged", teams, start, end)
        return ratios(self.sums.totals("unreviewed", teams, start, end), merged)
