"""``orgraph report TEAM``: every KPI of a team's subtree over a window, with comparisons."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from api.cli.common import DbOption, console, fail, run_with_engine
from api.cli.serve import settings_for
from graph.engine import Engine, Kpi, KpiReport

UNITS = {
    Kpi.DEPLOYMENTS_PER_WEEK: "per week",
    Kpi.DEPLOYMENT_DAYS_PER_WEEK: "days per week",
    Kpi.CHANGE_FAILURE_RATE: "ratio",
    Kpi.LEAD_TIME_HOURS_P50: "hours",
    Kpi.LEAD_TIME_HOURS_P90: "hours",
    Kpi.TIME_TO_RESTORE_HOURS_P50: "hours",
    Kpi.TIME_TO_FIRST_REVIEW_HOURS_P50: "hours",
    Kpi.REVIEW_TO_MERGE_HOURS_P50: "hours",
    Kpi.UNREVIEWED_MERGE_RATE: "ratio",
    Kpi.CHANGES_PER_ENGINEER_PER_WEEK: "per engineer per week",
    Kpi.CODE_COVERAGE: "ratio",
    Kpi.TECHNICAL_DEBT_MINUTES: "minutes",
    Kpi.HEADCOUNT: "people",
    Kpi.SDE_RATIO: "ratio",
    Kpi.INBOUND_REMOTE_CONTRIBUTION_RATE: "ratio",
    Kpi.OUTBOUND_REMOTE_CONTRIBUTION_RATE: "ratio",
    Kpi.NATIVE_AWS_MIGRATION_SHARE: "ratio",
}


def report(
    team: Annotated[str, typer.Argument(help="Team id (see `orgraph info` for the roots)")],
    start: Annotated[
        datetime | None,
        typer.Option("--from", formats=["%Y-%m-%d"], help="First day (default: 365 days back)"),
    ] = None,
    end: Annotated[
        datetime | None,
        typer.Option("--to", formats=["%Y-%m-%d"], help="Day after the last (default: today)"),
    ] = None,
    as_of: Annotated[
        datetime | None,
        typer.Option("--as-of", formats=["%Y-%m-%d"], help="Structure date (default: --to)"),
    ] = None,
    db: DbOption = None,
) -> None:
    """Every KPI of TEAM's subtree over [--from, --to), with org, parent, peers and the previous
    window beside it (docs/kpis.md)."""
    last = end.date() if end else date.today()
    first = start.date() if start else last - timedelta(days=365)
    if last <= first:
        raise fail(f"empty window [{first}, {last}): --to must be after --from")

    async def work(engine: AsyncEngine) -> KpiReport:
        built = await Engine.from_store(engine, settings_for(db, None, None).initiatives.config)
        view = built.view(as_of.date() if as_of else last)
        if team not in view.tree:
            raise fail(f"unknown team {team!r}: `orgraph info` lists the roots", code=1)
        return view.report(team, first, last)

    print_report(run_with_engine(db, work))


def _show(value: float | None) -> str:
    return "—" if value is None else f"{value:,.3f}".rstrip("0").rstrip(".")


def print_report(found: KpiReport) -> None:
    table = Table(
        title=f"{found.team}: {found.start} .. {found.end} (structure as of {found.as_of})"
    )
    for name in ("KPI", "value", "unit", "sample", "org", "parent", "peer median", "previous"):
        table.add_column(name, justify="left" if name in ("KPI", "unit") else "right", no_wrap=True)
    for kpi, metric in found.metrics.items():
        c = metric.comparison
        table.add_row(
            kpi.value.lower().replace("_", " "),
            _show(metric.value) + ("" if metric.exact else " ~"),
            UNITS[kpi],
            f"{metric.sample:,}",
            *(
                _show(v)
                for v in (
                    (c.org_value, c.parent_value, c.peer_median, c.previous_value)
                    if c
                    else (None,) * 4
                )
            ),
        )
    console.print(table)
    roles = ", ".join(f"{role} {n}" for role, n in found.headcount_by_role.items())
    console.print(
        f"deployment tier: {found.deployment_tier.value if found.deployment_tier else '—'}"
    )
    console.print(f"headcount by role: {roles or '—'}")
    console.print(
        f"unresolved incidents: {found.unresolved_incidents:,}; services never measured: "
        f"coverage {found.coverage_unmeasured:,}, debt {found.debt_unmeasured:,}"
    )
    console.print("~ : from the percentile histograms, within 1% of the exact value")
