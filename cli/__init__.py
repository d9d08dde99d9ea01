"""The ``orgraph`` command line: one command per module."""

from __future__ import annotations

import typer

from cli import demo, generate, info, insights, load, report, serve, token

app = typer.Typer(
    name="orgraph",
    help="Org graph and engineering KPIs: load an org, explore it, serve the GraphQL API.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("load")(load.load)
app.command("generate")(generate.generate)
app.command("info")(info.info)
app.command("report")(report.report)
app.command("insights")(insights.insights)
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.command("export-schema")(serve.export_schema)
app.add_typer(token.app, name="token")


def main() -> None:
    app()
