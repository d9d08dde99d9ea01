"""``orgraph report TEAM``: every KPI of a team's subtree over a window, with comparisons."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from cli.common import (
    AsOfOption,
    DbOption,
    FromOption,
    TeamArgument,
    ToOption,
    console,
    fail,
    run_with_engine,
    window,
)
from cli.serve import settings_for
from graph.catalogue import CATALOGUE, Better
from graph.engine import Engine
from graph.report import KpiReport


def report(
    team: TeamArgument,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOfOption = None,
    db: DbOption = None,
) -> None:
    """Every KPI of TEAM's subtree over [--from, --to), with org, parent, peers and the previous
    window beside it (docs/kpis.md)."""
    first, last = window(start, end)

    async def work(engine: AsyncEngine) -> KpiReport:
        built = await Engine.from_store(engine, settings_for(db, None, None).kpi_config)
        view = built.view(as_of.date() if as_of else last)
        if team not in view.tree:
            raise fail(f"unknown team {team!r}: `orgraph info` lists the roots", code=1)
        return view.report(team, first, last)

    print_report(run_with_engine(db, work))


def show(value: float | None) -> str:
    """A figure as a table shows it: three decimals at most, a dash for none."""
    return "—" if value is None else f"{value:,.3f}".rstrip("0").rstrip(".")


_BETTER = {Better.HIGHER: "higher", Better.LOWER: "lower", Better.NEITHER: "—"}


def print_report(found: KpiReport) -> None:
    """The table (units and directions from the KPI catalogue), then the figures beside it.
    Off a terminal (a pipe, a file) the table keeps its full width instead of being cut to 80
    columns."""
    table = Table(
        title=f"{found.team}: {found.start} .. {found.end} (structure as of {found.as_of})"
    )
    columns = (
        "KPI", "value", "unit", "better", "sample", "coverage", "typical team", "org", "parent",
        "peer median", "previous",
    )  # fmt: skip
    for name in columns:
        left = name in ("KPI", "unit", "better")
        table.add_column(name, justify="left" if left else "right", no_wrap=True)
    for kpi, metric in found.metrics.items():
        c = metric.comparison
        definition = CATALOGUE[kpi]
        withheld = metric.withheld is not None
        table.add_row(
            definition.name,
            "withheld" if withheld else show(metric.value) + ("" if metric.exact else " ~"),
            definition.unit.value,
            _BETTER[definition.better],
            "—" if withheld else f"{metric.sample:,}",
            f"{metric.coverage:.0%}",
            *(
                show(v)
                for v in (
                    (c.typical_median, c.org_value, c.parent_value, c.peer_median, c.previous_value)
                    if c
                    else (None,) * 5
                )
            ),
        )
    out = console if console.is_terminal else Console(highlight=False, width=10_000)
    out.print(table, crop=False)
    tiers = {
        "deployment frequency": found.deployment_tier,
        "lead time": found.lead_time_tier,
        "change failure rate": found.change_failure_tier,
        "time to restore": found.restore_tier,
    }
    shown = ", ".join(f"{name} {tier.value if tier else '—'}" for name, tier in tiers.items())
    by_role = found.headcount_by_role
    roles = (
        ", ".join(f"{role} {n}" for role, n in by_role.items())
        if by_role is not None
        else "withheld (under the privacy floor)"
    )
    out.print(f"DORA 2023 tiers: {shown}")
    out.print(f"headcount by role: {roles or '—'}")
    out.print(
        f"unresolved incidents: {found.unresolved_incidents:,}; services never measured: "
        f"coverage {found.coverage_unmeasured:,}, debt {found.debt_unmeasured:,}"
    )
    out.print(
        "~ : from the percentile histograms, within 1% of the exact value; coverage: share of "
        "the window with data; typical team: median over the org's active teams at this depth; "
        "withheld: derived from people, for a subtree under the privacy floor "
        "(ORGRAPH_PRIVACY_FLOOR, docs/security.md)"
    )
