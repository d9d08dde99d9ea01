"""A service's own delivery KPIs agree with a plain computation over its rows."""

from __future__ import annotations

import dataclasses
import random
from datetime import timedelta
from pathlib import Path

import polars as pl
import pytest

from graph.engine import Engine
from graph.measures import nearest_rank
from store.frames import read_bundle
from synthetic import generate_bundle
from tests.graph.generated import END
from tests.graph.test_percentile_kpis import plain_lead_times


def test_service_delivery_matches_a_plain_computation(tmp_path: Path) -> None:
    generate_bundle(tmp_path, teams=30, seed=17, end=END)
    frames = read_bundle(tmp_path)
    engine = Engine(frames)
    caused = set(frames.incidents["caused_by_deployment_id"].drop_nulls().to_list())
    services = sorted(set(frames.services["id"].to_list()))
    rng = random.Random(17)
    for service in rng.sample(services, 12):
        start = END - timedelta(days=rng.randint(30, 600))
        end = start + timedelta(days=rng.choice((7, 30, 90, 365)))
        rows = [
            d
            for d in frames.deployments.iter_rows(named=True)
            if d["service_id"] == service
            and d["environment"] == "production"
            and start <= d["finished_at"].date() < end
        ]
        successful = sum(d["status"] == "success" for d in rows)
        failed = sum(d["status"] in ("failed", "rolled_back") or d["id"] in caused for d in rows)
        own = dataclasses.replace(
            frames, changes=frames.changes.filter(pl.col("service_id") == service)
        )
        hours = [h for _, day, h in plain_lead_times(own) if start <= day < end]
        found = engine.service_delivery.kpis(service, start, end)
        assert found.successful_deployments == successful
        assert found.deployments_per_week == pytest.approx(successful / ((end - start).days / 7))
        assert found.production_deployments == len(rows)
        assert found.change_failure_rate == (failed / len(rows) if rows else None)
        assert found.lead_time_sample == len(hours)
        assert found.lead_time_hours_p50 == pytest.approx(nearest_rank(hours, 0.5))
        assert found.lead_time_hours_p90 == pytest.approx(nearest_rank(hours, 0.9))
    # an unknown service has no events
    nothing = engine.service_delivery.kpis("nope", END - timedelta(days=7), END)
    assert (nothing.successful_deployments, nothing.lead_time_hours_p50) == (0, None)
