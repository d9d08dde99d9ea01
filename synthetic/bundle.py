"""``generate_bundle``: build the org, then stream its events batch by batch to the files."""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from synthetic import effects as planting
from synthetic.delivery import (
    change_rows,
    deploy,
    deployment_rows,
    link_deployments,
    open_changes,
    review,
)
from synthetic.effects import Effects, Planted
from synthetic.operations import incident_rows, snapshot_rows
from synthetic.org import grow_org
from synthetic.people import PEOPLE_PER_TEAM, people_rows, plan_memberships, staff_teams
from synthetic.pool import Pool
from synthetic.reorgs import plan_reorgs, split_count, team_rows
from synthetic.services import SERVICES_PER_TEAM, plan_services, service_rows
from synthetic.tempo import service_rates, team_tempo
from synthetic.window import Window, id_table
from synthetic.world import Numbering, World
from synthetic.writer import FORMATS, BundleWriter, file_names

MIN_TEAMS = 20
#: Services simulated together: large enough for numpy to pay off, small enough that a
#: batch's rows (about 50 per service) stay a few MB.
BATCH = 4_000


@dataclass(frozen=True)
class GenerateReport:
    rows: dict[str, int]
    seconds: float
    #: what was planted, with ``effects`` (synthetic/effects.py)
    planted: Planted | None = None


def generate_bundle(
    out_dir: Path,
    *,
    teams: int,
    seed: int,
    end: date,
    years: float = 2.0,
    fmt: str = "csv",
    effects: Effects | None = None,
) -> GenerateReport:
    """Write a synthetic org of ``teams`` org units and ``years`` of its events before
    ``end`` to ``out_dir`` as a canonical bundle. The same arguments give the same bytes.
    ``effects`` plants known effects (synthetic/effects.py); without it, none."""
    started = time.perf_counter()
    if fmt not in FORMATS:
        raise ValueError(f"fmt={fmt!r}: expected one of {', '.join(FORMATS)}")
    if teams < MIN_TEAMS:
        raise ValueError(f"teams={teams}: a synthetic org needs at least {MIN_TEAMS} teams")
    window = Window(end, years)
    _prepare(out_dir, fmt)
    rng = np.random.default_rng(seed)
    planted = None if effects is None else Planted(effects)
    with BundleWriter(out_dir, fmt) as writer:
        world = _build_org(rng, window, teams, writer, planted)
        _simulate(rng, world, writer, planted)
    return GenerateReport(
        rows=dict(writer.rows), seconds=time.perf_counter() - started, planted=planted
    )


def _prepare(out_dir: Path, fmt: str) -> None:
    """Create ``out_dir``; refuse one holding anything but this bundle's own files."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"{out_dir} exists and is not a directory")
    out_dir.mkdir(parents=True, exist_ok=True)
    own = set(file_names(fmt))
    strangers = sorted(p.name for p in out_dir.iterdir() if p.name not in own or not p.is_file())
    if strangers:
        raise ValueError(
            f"{out_dir} already holds {', '.join(strangers[:5])}: "
            "a bundle is written only to an empty directory or over its own files"
        )


def _build_org(
    rng: np.random.Generator,
    window: Window,
    teams: int,
    writer: BundleWriter,
    planted: Planted | None = None,
) -> World:
    """The dimensions: org tree and its reorgs, people, services; written at once."""
    splits = split_count(teams)
    org = grow_org(rng, teams - splits)
    staff = staff_teams(rng, org, PEOPLE_PER_TEAM * teams)
    can_split = staff.engineers_per_team(org.size) >= 5
    org, reorgs = plan_reorgs(rng, org, window, can_split, splits)
    members = plan_memberships(rng, staff, org, reorgs, window)
    services = plan_services(rng, org, reorgs, window, SERVICES_PER_TEAM * teams)
    habits = None if planted is None else planting.habits(rng, org, planted.effects)
    tempo = team_tempo(rng, org, staff.authors_per_team(org.size), window, habits)
    if planted is not None:
        failure, planted.outlier_teams = planting.plant_outliers(
            rng, org, tempo.failure, planted.effects
        )
        tempo = dataclasses.replace(tempo, failure=failure)
    writer.write("teams", team_rows(org, reorgs, window))
    writer.write("people", people_rows(staff, members, org, window))
    writer.write("services", service_rows(services, org, window))
    return World(
        window=window,
        services=services,
        tempo=tempo,
        rates=service_rates(rng, services, tempo, window),
        pool=Pool(members, staff.role, org.size),
        service_ids=id_table("s", services.size),
        person_ids=id_table("p", len(staff.team)),
    )


def _simulate(
    rng: np.random.Generator, world: World, writer: BundleWriter, planted: Planted | None = None
) -> None:
    """The facts, one batch of services at a time (a service's events stay in one batch)."""
    numbering = Numbering()
    span = world.window.seconds + 1
    for first in range(0, world.services.size, BATCH):
        batch = np.arange(first, min(first + BATCH, world.services.size), dtype=np.int64)
        changes = open_changes(rng, world, batch)
        if planted is not None:
            changes = planting.thin(rng, world.window, changes, planted.effects)
        deploys = deploy(rng, world, batch, changes, numbering)
        deployment = link_deployments(rng, changes, deploys, span)
        if planted is not None:
            changes = planting.faster_after_migration(
                changes, deploys, deployment, world.services.migration_day, planted.effects
            )
        numbers = numbering.take("changes", len(changes.service))
        writer.write("deployments", deployment_rows(world, deploys))
        writer.write("changes", change_rows(world, changes, numbers, deployment))
        writer.write("reviews", review(rng, world, changes, numbers, numbering))
        writer.write("incidents", incident_rows(rng, world, batch, deploys, numbering))
        coverage, debt = snapshot_rows(rng, world, batch)
        writer.write("coverage", coverage)
        writer.write("debt", debt)
