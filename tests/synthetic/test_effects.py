"""Planted effects are opt in: without ``effects`` the bundle is what it always was; with them,
the rows carry what was planted (read back plainly from the files)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from synthetic import Effects, generate_bundle
from synthetic.effects import OUTLIER_FAILURE

END = date(2026, 1, 1)


def files_of(out: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_effects_are_opt_in(tmp_path: Path) -> None:
    plain = generate_bundle(tmp_path / "a", teams=40, seed=5, end=END, years=1.0)
    again = generate_bundle(tmp_path / "b", teams=40, seed=5, end=END, years=1.0, effects=None)
    control = generate_bundle(
        tmp_path / "c", teams=40, seed=5, end=END, years=1.0, effects=Effects()
    )
    assert plain.planted is None
    assert again.planted is None
    assert files_of(tmp_path / "a") == files_of(tmp_path / "b")
    # the control org draws each habit on its own: other events, the same shape of org
    assert control.planted is not None
    assert control.planted.outlier_teams == []
    assert files_of(tmp_path / "c")["teams.csv"] == files_of(tmp_path / "a")["teams.csv"]
    assert files_of(tmp_path / "c")["changes.csv"] != files_of(tmp_path / "a")["changes.csv"]


def test_the_rows_carry_the_planted_outliers_and_migration(tmp_path: Path) -> None:
    effects = Effects(outliers=4, migration_factor=0.25)
    report = generate_bundle(tmp_path, teams=200, seed=2, end=END, effects=effects)
    assert report.planted is not None
    assert len(report.planted.outlier_teams) == 4
    services = pl.read_csv(tmp_path / "services.csv", infer_schema=False)
    deployments = pl.read_csv(tmp_path / "deployments.csv", infer_schema=False).filter(
        pl.col("environment").fill_null("production") == "production"
    )
    # the outlier teams' services fail about OUTLIER_FAILURE of their deployments
    owned = services.filter(pl.col("owner_team_id").is_in(report.planted.outlier_teams))
    theirs = deployments.filter(pl.col("service_id").is_in(owned["id"].implode()))
    failed = theirs.filter(pl.col("status") != "success").height / theirs.height
    assert abs(failed - OUTLIER_FAILURE) < 0.08
    # a migrated service's changes deployed after its move wait a quarter as long from open
    # to merge as those before it (the median, each side)
    moved = (
        services.filter(pl.col("platform") == "native_aws")
        .filter(pl.col("valid_from").is_not_null())
        .select(pl.col("id").alias("service_id"), pl.col("valid_from").str.to_date().alias("on"))
    )
    changes = (
        pl.read_csv(tmp_path / "changes.csv", infer_schema=False)
        .filter(pl.col("merged_at").is_not_null())
        .join(moved, on="service_id")
        .with_columns(
            pl.col("opened_at").str.to_datetime(time_zone="UTC"),
            pl.col("merged_at").str.to_datetime(time_zone="UTC"),
        )
        .with_columns(
            ((pl.col("merged_at") - pl.col("opened_at")).dt.total_seconds() / 3600).alias("h"),
            (pl.col("merged_at").dt.date() >= pl.col("on") + pl.duration(days=30)).alias("after"),
            (pl.col("merged_at").dt.date() < pl.col("on")).alias("before"),
        )
    )
    after = changes.filter("after")["h"].median()
    before = changes.filter("before")["h"].median()
    assert isinstance(after, float)
    assert isinstance(before, float)
    assert 0.15 < after / before < 0.4
