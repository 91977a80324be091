"""`ecslearn sim ...`: facts about the simulator itself."""

from __future__ import annotations

import json

import typer

from ecslearn.cli.main import app

sim_app = typer.Typer(help="About the simulator: which AWS operations it models.", no_args_is_help=True)
app.add_typer(sim_app, name="sim")


@sim_app.command("coverage")
def coverage(
    as_json: bool = typer.Option(False, "--json", help="Print the table as JSON."),
    markdown: bool = typer.Option(False, "--markdown", help="Print the table as Markdown (docs/SIMULATOR.md)."),
) -> None:
    """List the AWS operations the simulator models, by service, generated from the code."""
    from ecslearn.sim.coverage import coverage_table, render_markdown

    table = coverage_table()
    if as_json:
        typer.echo(json.dumps(table, indent=2))
    elif markdown:
        typer.echo(render_markdown(table), nl=False)
    else:
        from ecslearn.ui.tables import render_coverage

        render_coverage(table)
