"""`ecslearn content check`: the one content checker, for authors, instructors and CI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ecslearn.cli.main import app
from ecslearn.errors import ExitCode

content_app = typer.Typer(help="Check lessons and quizzes (yours or the bundled ones).", no_args_is_help=True)
app.add_typer(content_app, name="content")


@content_app.command("check")
def check(
    directory: Annotated[Path | None, typer.Argument(help="A folder holding quizzes/ and/or lessons/ "
                                                       "(default: the bundled content).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the problems and the summary as JSON.")] = False,
    no_simulate: Annotated[bool, typer.Option("--no-simulate", help="Check structure only (skip re-deriving keys).")] = False,
) -> None:
    """Check structure and references, re-derive every key from the simulator, show every distractor
    wrong, check variants under several seeds and a second run. Exits 3 with `path:line: message`
    for each problem."""
    from ecslearn.content.catalog import find_root
    from ecslearn.content.check import check_all

    root = find_root(directory).path
    report = check_all(root, simulate=not no_simulate)
    if as_json:
        typer.echo(json.dumps(report.to_dict(), indent=2))
    else:
        from ecslearn.ui.console import make_console
        from ecslearn.ui.quiz import render_check_report

        render_check_report(make_console(), report)
    if not report.ok:
        raise typer.Exit(int(ExitCode.CONTENT_INVALID))


@content_app.command("new")
def new(
    kind: Annotated[str, typer.Argument(help="question, lesson or lab")],
    path: Annotated[Path, typer.Argument(help="The file to create, in your pack: PACK/quizzes/NN-slug.yaml, "
                                              "PACK/lessons/NN-slug.yaml or PACK/labs/NN-slug.yaml.")],
) -> None:
    """Scaffold a commented, working example file (never overwrites); edit it, then run
    `ecslearn content check PACK`. Use the pack with --content-dir PACK or ECSLEARN_CONTENT_DIR."""
    from ecslearn.labs.scaffold import scaffold

    written = scaffold(kind, path)
    typer.echo(f"wrote {written}; edit it, then run: ecslearn content check {written.parent.parent}")
