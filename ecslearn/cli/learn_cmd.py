"""`ecslearn learn [LESSON]`, `ecslearn lessons`, and resuming (`ecslearn` with no arguments)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from ecslearn.cli.main import app

ContentDir = Annotated[Path | None, typer.Option("--content-dir", help="Read lessons from this folder (holding "
                                                                      "lessons/).", envvar="ECSLEARN_CONTENT_DIR")]


def _store() -> Any:
    from ecslearn.progress import ProgressStore
    from ecslearn.ui.quiz import print_warning

    store = ProgressStore()
    store.load()
    for warning in store.warnings:
        print_warning(str(warning))
    return store


def lesson_rows(lessons: list[Any], state: Any) -> list[dict[str, Any]]:
    rows = []
    for lesson in lessons:
        p = state.lessons.get(lesson.id)
        done = [s.id for s in lesson.steps if p is not None and s.id in p.done_steps]
        rows.append({"number": lesson.number, "id": lesson.id, "title": lesson.title, "steps": len(lesson.steps),
                     "status": state.lesson_status(lesson.id), "done_steps": len(done),
                     "current_step": p.current_step if p is not None and not p.completed_at else None,
                     "summary": " ".join(lesson.summary.split())})
    return rows


def pick_lesson(lessons: list[Any], state: Any) -> tuple[Any, str | None]:
    """Resume: the current lesson if it is unfinished, else the first lesson not done (with a note)."""
    if not lessons:
        from ecslearn.errors import ContentNotFoundError

        raise ContentNotFoundError("there are no lessons yet", hint="see docs/LESSONS.md to write one")
    by_id = {lesson.id: lesson for lesson in lessons}
    current = by_id.get(state.current_lesson or "")
    if current is not None and state.lesson_status(current.id) != "done":
        return current, None
    for lesson in lessons:
        if state.lesson_status(lesson.id) != "done":
            if not state.lessons:
                return lesson, (f"Welcome to ecslearn! Starting with lesson {lesson.number:02d}. "
                                "`ecslearn lessons` lists them all.")
            return lesson, f"Next up: lesson {lesson.number:02d}."
    return lessons[0], "You have finished every lesson. Here is lesson 01 again; `ecslearn lessons` lists them all."


def run_session(name: str | None, content_dir: Path | None) -> None:
    """Open a lesson (by name, or where the learner left off) in the lesson shell."""
    from ecslearn.content.catalog import load_content
    from ecslearn.lesson.catalog import bundled_lessons, find_lesson
    from ecslearn.lesson.runner import LessonRunner
    from ecslearn.shell.lesson import LessonShellEngine
    from ecslearn.ui.console import make_console
    from ecslearn.ui.lesson import goodbye, render_all, run_interactive, run_script

    lessons = bundled_lessons(content_dir)
    content = load_content(content_dir, strict=False)
    questions = {q.id: q for q in content.questions}
    store = _store()
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    width = shutil.get_terminal_size((80, 24)).columns if interactive else 80
    console = make_console(width=None if interactive else 80)
    if name is None:
        lesson, note = pick_lesson(lessons, store.load())
        if note:
            console.print(note, style="ecs.dim", markup=False)
    else:
        lesson = find_lesson(lessons, name)
    runner, views = LessonRunner.start(lessons, lesson, store, questions=questions, width=width)
    engine = LessonShellEngine(runner, width=width)
    render_all(console, views)
    if interactive:
        console.print("[ecs.dim]Type aws commands, or help, hint, check, next. quit or Ctrl-D saves and "
                      "leaves.[/ecs.dim]")
        code = run_interactive(engine, console)
    else:
        code = run_script(engine, console, sys.stdin, sys.stdout, sys.stderr)
    goodbye(console, engine, str(store.path))
    if code:
        raise typer.Exit(code)


@app.command("learn")
def learn(
    lesson: Annotated[str | None, typer.Argument(help="A lesson number (3), id or file name; default: where you "
                                                      "left off.")] = None,
    content_dir: ContentDir = None,
) -> None:
    """Work through a lesson: read, type real aws commands against the simulator, get checked.

    Inside: `check`, `hint`, `solution`, `next`, `back`, `reset`, `list`, `map`, `time +60`, `logs`,
    `help`, `quit`. Your place is saved after every step. Without a terminal, lines come from stdin.
    """
    run_session(lesson, content_dir)


@app.command("lessons")
def lessons_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
    content_dir: ContentDir = None,
) -> None:
    """List the lessons: done, in progress or not started."""
    from ecslearn.lesson.catalog import bundled_lessons

    lessons = bundled_lessons(content_dir)
    store = _store()
    rows = lesson_rows(lessons, store.load())
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    from ecslearn.ui.console import make_console
    from ecslearn.ui.lesson import render_lessons

    console = make_console()
    render_lessons(console, rows)
    console.print("[ecs.dim]Start or continue with `ecslearn learn N`, or just `ecslearn`.[/ecs.dim]")
