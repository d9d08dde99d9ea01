"""``orgraph insights TEAM``: the insights of a team's subtree in readable tables
(docs/insights.md): correlations between KPIs across its teams, outliers on one KPI, the
bottlenecks of its delivery flow, the effect of the platform migration and who could benefit
next, and a KPI's forecast with its prediction intervals."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
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
from cli.report import show
from cli.serve import settings_for
from graph import insights as model
from graph.catalogue import CATALOGUE, Kpi
from graph.engine import Engine
from graph.trends import Grain
from graph.view import OrgView

Found = tuple[
    model.Correlations, model.Outliers, model.Bottlenecks, model.Migration,
    list[model.Candidate], model.Forecast,
]  # fmt: skip


def insights(
    team: TeamArgument,
    start: FromOption = None,
    end: ToOption = None,
    as_of: AsOfOption = None,
    kpi: Annotated[
        str, typer.Option(help="The KPI of the outliers and the forecast")
    ] = Kpi.LEAD_TIME_HOURS_P50.name,
    level: Annotated[
        int | None,
        typer.Option(min=1, help="Compare teams this many levels below TEAM (default: leaves)"),
    ] = None,
    horizon: Annotated[int, typer.Option(min=1, max=104, help="Weeks to forecast")] = 13,
    rows: Annotated[int, typer.Option(min=1, help="Rows per table")] = 10,
    db: DbOption = None,
) -> None:
    """Correlations, outliers, bottlenecks, the migration's effect and a forecast for TEAM's
    subtree over [--from, --to) (docs/insights.md)."""
    first, last = window(start, end)
    if kpi not in Kpi.__members__:
        raise fail(f"unknown KPI {kpi!r} (one of {', '.join(Kpi.__members__)})")
    chosen = Kpi[kpi]

    async def work(engine: AsyncEngine) -> Found:
        built = await Engine.from_store(engine, settings_for(db, None, None).initiatives.config)
        view = built.view(as_of.date() if as_of else last)
        if team not in view.tree:
            raise fail(f"unknown team {team!r}: `orgraph info` lists the roots", code=1)
        return compute(view, team, first, last, chosen, level, horizon)

    print_insights(*run_with_engine(db, work), rows=rows)


def compute(
    view: OrgView, team: str, start: date, end: date, kpi: Kpi, level: int | None, horizon: int
) -> Found:
    migration = model.migration(view, team, start, end)
    lead = next(e for e in migration.effects if e.kpi is Kpi.LEAD_TIME_HOURS_P50)
    return (
        model.correlations(view, team, start, end, tuple(Kpi), level),
        model.outliers(view, kpi, team, start, end, level),
        model.bottlenecks(view, team, start, end),
        migration,
        model.candidates(view, team, start, end, lead),
        model.forecast(view, kpi, team, horizon, Grain.WEEK, end),
    )


def _table(title: str, *columns: str) -> Table:
    """A table whose title is printed above it whole (rich wraps a title to the table's width)."""
    table = Table()
    table.caption = title
    for name in columns:
        table.add_column(name, justify="left" if name in ("KPI", "team", "stage", "with", "side", "reason") else "right", no_wrap=True)  # fmt: skip
    return table


def _print(out: Console, table: Table) -> None:
    out.print(f"\n[bold]{table.caption}[/]", soft_wrap=True)
    table.caption = None
    out.print(table, crop=False)


def _reason(reason: model.Reason | None) -> str:
    return "" if reason is None else reason.value


def print_insights(
    correlations: model.Correlations, outliers: model.Outliers, stages: model.Bottlenecks,
    migration: model.Migration, candidates: list[model.Candidate], forecast: model.Forecast,
    *, rows: int = 10,
) -> None:  # fmt: skip
    """The tables, one per insight; off a terminal at full width."""
    out = console if console.is_terminal else Console(highlight=False, width=10_000)
    name = {kpi: d.name for kpi, d in CATALOGUE.items()}
    level = (
        "leaf teams" if correlations.level is None else f"teams {correlations.level} level(s) down"
    )
    pairs = sorted(
        (p for p in correlations.pairs if p.spearman is not None),
        key=lambda p: (not p.significant, -abs(p.spearman.value if p.spearman else 0)),
    )
    table = _table(
        f"Correlations across {len(correlations.teams)} {level} of {correlations.under}, "
        f"{correlations.start} .. {correlations.end} (association, not cause; significant at "
        f"FDR {correlations.fdr:.0%}, Benjamini-Hochberg)",
        "KPI", "with", "n", "Spearman", "95% interval", "p adjusted", "Pearson", "significant",
    )  # fmt: skip
    for pair in pairs[:rows]:
        rank, line = pair.spearman, pair.pearson
        assert rank is not None
        assert line is not None
        table.add_row(name[pair.a], name[pair.b], str(pair.n), f"{rank.value:+.2f}",
                      f"{rank.low:+.2f} .. {rank.high:+.2f}", f"{rank.p_adjusted:.2g}", f"{line.value:+.2f}",
                      "yes" if pair.significant else "no")  # fmt: skip
    withheld = [p for p in correlations.pairs if p.reason is not None]
    _print(out, table)
    if withheld:
        out.print(f"{len(withheld)} pair(s) withheld: {withheld[0].reason and withheld[0].reason.value} (fewer than {correlations.min_teams} teams with both values, or no spread)")  # fmt: skip
    unit = CATALOGUE[outliers.kpi].unit.value
    table = _table(
        f"Outliers on {name[outliers.kpi]} ({unit}, {CATALOGUE[outliers.kpi].better.value.lower()} is better) "
        f"among {outliers.n} teams: median {show(outliers.median)}, |robust z| ≥ {outliers.threshold}"
        f"{' on log values' if outliers.log_scale else ''} {_reason(outliers.reason)}",
        "team", "value", "robust z", "side", "x median",
    )  # fmt: skip
    for o in outliers.outliers[:rows]:
        table.add_row(o.team, show(o.value), f"{o.z:+.1f}", o.side.value.lower(), show(o.ratio))
    _print(out, table)
    table = _table(
        f"Bottlenecks of {stages.team} against its org {stages.org}: median lead time "
        f"{show(stages.lead_time.value)} h here, {show(stages.org_lead_time.value)} h in the org",
        "stage", "hours", "org hours", "sample", "share of lead time", "org share", "relative",
        "bottleneck",
    )  # fmt: skip
    for stage in stages.stages:
        table.add_row(name[stage.kpi], show(stage.hours), show(stage.org_hours),
                      f"{stage.sample:,}", show(stage.share), show(stage.org_share),
                      show(stage.relative),
                      "yes" if stage.bottleneck else _reason(stage.reason) or "no")  # fmt: skip
    _print(out, table)
    table = _table(
        f"Migration to {', '.join(sorted(migration.platforms))}: difference in differences "
        "against services that did not move (95% interval)",
        "KPI", "before", "after", "estimate", "95% interval", "migrated", "controls",
        "service-months", "reason",
    )  # fmt: skip
    for e in migration.effects:
        kind = "x" if e.ratio else "+"
        table.add_row(name[e.kpi], show(e.before), show(e.after),
                      "" if e.estimate is None else f"{kind}{show(e.estimate)}",
                      "" if e.low is None else f"{show(e.low)} .. {show(e.high)}",
                      str(e.migrated), str(e.controls), f"{e.observations:,}", _reason(e.reason))  # fmt: skip
    _print(out, table)
    table = _table("Could benefit next (hours of median lead time the migration would take off)",
                   "team", "services", "not migrated", "share", "lead time h", "deploys/week",
                   "failure rate", "score")  # fmt: skip
    for c in candidates[:rows]:
        table.add_row(c.team, str(c.services), str(c.unmigrated), f"{c.unmigrated_share:.0%}",
                      show(c.lead_time_p50), show(c.deployments_per_week),
                      show(c.change_failure_rate), show(c.score))  # fmt: skip
    _print(out, table)
    model_name = "no model" if forecast.model is None else forecast.model.value
    season = f", season {forecast.season}" if forecast.season else ""
    table = _table(
        f"Forecast of {name[forecast.kpi]} ({CATALOGUE[forecast.kpi].unit.value}), {model_name}"
        f"{season}, {forecast.level:.0%} intervals; back-test MAE {show(forecast.mae)}, MASE "
        f"{show(forecast.mase)} over {forecast.backtest_points} forecasts "
        f"{_reason(forecast.reason)}",
        "week", "forecast", "low", "high",
    )  # fmt: skip
    for p in forecast.points:
        table.add_row(str(p.start), show(p.value), show(p.low), show(p.high))
    _print(out, table)
