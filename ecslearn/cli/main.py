"""`ecslearn`: the Typer app, its command groups, and `main()`, the one error boundary."""

from __future__ import annotations

import sys

import typer

from ecslearn import __version__
from ecslearn.errors import EcslearnError, ExitCode

app = typer.Typer(
    name="ecslearn",
    help="Learn Amazon ECS offline: an ECS simulator, hands-on lessons and simulator-checked quizzes.",
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"ecslearn {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def root(
    ctx: typer.Context,
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:
    """Learn Amazon ECS offline: an ECS simulator, hands-on lessons and simulator-checked quizzes.

    With no command: continue the lesson you were on, at the step you were on (or start lesson 1).
    """
    if ctx.invoked_subcommand is None:
        _announce_due_cards()
        from ecslearn.cli.learn_cmd import run_session  # lazy: keeps `ecslearn --help` fast

        run_session(None, None)


def _announce_due_cards() -> None:
    """`N review cards due` on stderr when ecslearn starts (reads the state file only; no fsrs, no content)."""
    from ecslearn.progress.store import FILE_NAME, data_dir
    from ecslearn.review.due import due_count

    n = due_count(data_dir() / FILE_NAME)
    if n:
        typer.echo(f"{n} review card{'s' if n != 1 else ''} due: ecslearn review", err=True)


def _register() -> None:
    """Add every command group. Each module registers itself on `app` (one file per group)."""
    from ecslearn.cli import commands  # noqa: F401


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; turn user errors into a message and an exit code, never a traceback."""
    _register()
    args = sys.argv[1:] if argv is None else argv
    try:
        # Typer/click handle their own usage errors, --help and exits (standalone mode);
        # our errors pass through them and are printed here.
        app(args=args, prog_name="ecslearn")
    except EcslearnError as err:
        from ecslearn.ui.console import print_error

        print_error(err)
        sys.exit(int(err.exit_code))
    except KeyboardInterrupt:  # pragma: no cover - click turns most of these into Abort
        print("\nInterrupted.", file=sys.stderr)
        sys.exit(ExitCode.INTERRUPTED)
