"""`ecslearn sandbox`: free play with the real `aws` CLI in a simulated account, offline."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Annotated

import typer

from ecslearn.cli.main import app
from ecslearn.errors import UsageError


@app.command("sandbox")
def sandbox(
    scenario: Annotated[Path | None, typer.Option("--scenario", help="Start from a saved world (a file written "
                                                                     "by `save` or --save).")] = None,
    save: Annotated[Path | None, typer.Option("--save", help="Write the world to this file when you leave.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed of a fresh world (the same seed gives the "
                                                            "same ids and choices). Default 0.")] = None,
) -> None:
    """A shell where `aws ...` commands run against a simulated AWS account (no account, no network).

    Also: `time +60` moves the simulated clock, `settle` waits until nothing is in flight,
    `save FILE` keeps the world for someone else, `map` draws the clusters, `curl URL` sends a request to a
    load balancer, `reset`, `help`, `quit`. On a terminal you get
    line editing, history and tab completion; otherwise commands are read from stdin, one a line.
    """
    if scenario is not None and seed is not None:
        raise UsageError("--seed does not go with --scenario: a saved world keeps its own seed")
    from ecslearn.shell.engine import ShellEngine, ShellResult
    from ecslearn.shell.repl import run
    from ecslearn.ui.map import map_text

    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    width = shutil.get_terminal_size((80, 24)).columns if interactive else 80
    engine = ShellEngine(seed=seed or 0, scenario=scenario, width=width)
    engine.add_command("map", "map", "draw the clusters, instances, tasks and services",
                       lambda _args: ShellResult(map_text(engine.sim, width=engine.width, color=interactive)))
    from ecslearn.lesson.traffic import add_curl

    add_curl(engine)
    code = run(engine, save_to=save, interactive=interactive)
    if code:
        raise typer.Exit(code)
