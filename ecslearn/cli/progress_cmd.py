"""`ecslearn progress reset [LESSON | --all]`: forget a lesson's progress, or everything."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ecslearn.cli.main import app
from ecslearn.errors import UsageError

progress_app = typer.Typer(help="Your saved progress (lessons, quiz answers).", no_args_is_help=True)
app.add_typer(progress_app, name="progress")


def on_terminal() -> bool:
    """True when a person can answer a confirmation (stdin and stdout are terminals)."""
    return sys.stdin.isatty() and sys.stdout.isatty()


@progress_app.command("reset")
def reset(
    lesson: Annotated[str | None, typer.Argument(help="The lesson to reset (number, id or file name).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Reset everything (lessons, quiz answers, exams, reviews); "
                                                     "the old file is kept as a backup.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (for scripts).")] = False,
    content_dir: Annotated[Path | None, typer.Option("--content-dir", help="Read lessons from this folder.",
                                                     envvar="ECSLEARN_CONTENT_DIR")] = None,
) -> None:
    """Reset one lesson's progress, or everything with --all. Asks first on a terminal; --yes in scripts."""
    from ecslearn.progress import ProgressStore

    if (lesson is None) == (not all_):
        raise UsageError("give a LESSON or --all (not both)", hint="ecslearn progress reset 2   or   "
                                                                   "ecslearn progress reset --all")
    store = ProgressStore()
    interactive = on_terminal()
    if lesson is not None:
        from ecslearn.lesson.catalog import LessonNotFoundError, bundled_lessons, find_lesson

        state = store.load()
        try:
            lesson_id = find_lesson(bundled_lessons(content_dir, strict=False), lesson).id
        except LessonNotFoundError:
            if lesson not in state.lessons:
                raise
            lesson_id = lesson  # progress of a lesson that no longer ships
        what = f"your progress in lesson '{lesson_id}'"
    else:
        lesson_id = None
        what = f"ALL your progress ({store.path})"
    if not yes:
        if not interactive:
            raise UsageError(f"this would reset {what}; add --yes to confirm when not on a terminal")
        if not typer.confirm(f"Reset {what}?", default=False):
            typer.echo("Nothing was reset.")
            raise typer.Exit(1)
    if lesson_id is not None:
        found = store.reset_lesson(lesson_id)
        typer.echo(f"Reset lesson '{lesson_id}'." if found else f"Lesson '{lesson_id}' had no progress to reset.")
    else:
        backup = store.reset_all()
        typer.echo(f"Reset all progress; the old file is kept as {backup}." if backup else
                   "There was no progress to reset.")
