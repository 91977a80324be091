"""Showing lessons with Rich, and the lesson shell's loop (prompt_toolkit on a terminal, lines from stdin
otherwise). The runner (`lesson.runner`) and the shell engine (`shell.lesson`) return Views; this
module is where they become text."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console
from rich.markdown import Markdown
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ecslearn.lesson.model import Lesson, StepKind
from ecslearn.lesson.runner import StepInfo, View
from ecslearn.lesson.world import CheckReport

if TYPE_CHECKING:
    from ecslearn.shell.lesson import LessonShellEngine

HISTORY_FILE = "lesson_history"
KIND_LABEL = {StepKind.SAY: "read", StepKind.DO: "do", StepKind.PREDICT: "predict", StepKind.QUIZ: "quiz"}


def _md(text: str) -> Markdown:
    return Markdown(text.strip())


def inline(text: str, style: str = "") -> Text:
    """Text with `code` spans shown as code (the backticks dropped), for one-line messages."""
    out = Text(style=style)
    for i, part in enumerate(text.split("`")):
        out.append(part, style="ecs.id bold" if i % 2 else "")
    return out


def _pad(renderable: Any) -> Padding:
    return Padding(renderable, (0, 0, 0, 2), expand=False)


def render_lesson_header(console: Console, lesson: Lesson) -> None:
    console.print()
    console.rule(Text(f"Lesson {lesson.number:02d}: {lesson.title}", style="ecs.heading"), align="left")
    console.print(_md(lesson.summary))
    if lesson.objectives:
        console.print(Text("After this lesson you can:", style="ecs.heading"))
        for o in lesson.objectives:
            console.print(_pad(Text(f"• {o}")))


def render_step(console: Console, info: StepInfo) -> None:
    step = info.step
    title = step.title or step.id
    console.print()
    label = f"Step {info.number}/{info.total} · {KIND_LABEL[step.kind]} · {title}"
    if info.done:
        label += " ✔"
    console.rule(Text(label, style="ecs.heading"), align="left")
    if step.text:
        console.print(_md(step.text))


def render_check(console: Console, report: CheckReport) -> None:
    for item in report.items:
        if item.passed:
            console.print(Text(f"✔ {item.label}", style="ecs.ok"))
        else:
            console.print(Text(f"✘ {item.label}", style="ecs.bad"))
            console.print(_pad(Text("expected: ", style="ecs.heading").append(item.expected, style="")))
            console.print(_pad(Text("actual:   ", style="ecs.heading").append(item.actual, style="")))
    if report.context:
        console.print(Text("What the simulator says:", style="ecs.heading"))
        for line in report.context:
            console.print(_pad(Text(line)))


def render_steps(console: Console, title: str, rows: list[tuple[int, str, str, str, bool]]) -> None:
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False, box=None)
    table.add_column("", width=1)
    table.add_column("#", justify="right")
    table.add_column("step")
    table.add_column("kind")
    table.add_column("status")
    for number, name, kind, status, current in rows:
        table.add_row("▶" if current else "", str(number), name, kind, Text(status, style="ecs.ok"),
                      style="bold" if current else "")
    console.print(table)


def render_lessons(console: Console, rows: list[dict[str, Any]]) -> None:
    """The `ecslearn lessons` table."""
    table = Table(show_edge=False, pad_edge=False, box=None)
    table.add_column("#", justify="right")
    table.add_column("lesson")
    table.add_column("steps", justify="right")
    table.add_column("status")
    style = {"done": "ecs.ok", "in progress": "ecs.warn", "not started": "ecs.dim"}
    for r in rows:
        status = r["status"]
        if status == "in progress":
            status += f" ({r['done_steps']}/{r['steps']})"
        table.add_row(f"{r['number']:02d}", r["title"],
                      str(r["steps"]), Text(status, style=style[r["status"]]))
    console.print(table)


def render(console: Console, view: View) -> None:
    """Render one View from the runner or the lesson shell."""
    kind = view.kind
    if kind == "lesson":
        render_lesson_header(console, view.data)
    elif kind == "step":
        render_step(console, view.data)
    elif kind == "markdown":
        console.print(_md(view.text))
    elif kind == "hint-text":
        n, total = view.data
        console.print(Text(f"Hint {n}/{total}:", style="hint"))
        console.print(_pad(_md(view.text)))
    elif kind == "check":
        render_check(console, view.data)
    elif kind in ("ok", "bad", "warn", "hint", "info", "done"):
        style = {"ok": "ecs.ok", "bad": "ecs.bad", "warn": "ecs.warn", "hint": "hint", "info": "ecs.dim",
                 "done": "ecs.ok bold"}[kind]
        if kind == "done":
            console.print()
        console.print(inline(view.text, style))
    elif kind == "code":
        console.print(Text(view.text, style="ecs.heading"))
        for line in view.data or []:
            console.print(_pad(Text(line, style="ecs.id", overflow="fold")))
    elif kind == "output":
        console.print(Text(view.text.rstrip("\n")), soft_wrap=True)
    elif kind == "steps":
        render_steps(console, view.text, view.data)
    elif kind == "question":
        from ecslearn.ui.quiz import render_question

        cq, number, total = view.data
        from ecslearn.content.model import FREE_KINDS

        # free-form answers are one shell line here (not the quiz's "end with ." block)
        render_question(console, cq, number, total, interactive=cq.question.kind in FREE_KINDS)
        console.print(Text("Type your answer.", style="hint"))
    elif kind == "grade":
        from ecslearn.ui.quiz import render_grade

        render_grade(console, view.data)
    elif kind == "logs":
        for title, lines in view.data:
            console.print(Text(title, style="ecs.heading"))
            for line in lines:
                console.print(_pad(Text(line, overflow="fold")))
    elif kind == "map":
        from ecslearn.ui.map import render_map

        render_map(console, view.data)
    else:  # pragma: no cover - a new view kind without a renderer is a bug
        console.print(Text(view.text))


def render_all(console: Console, views: Iterable[View]) -> None:
    for view in views:
        render(console, view)


# --- the shell loop -----------------------------------------------------------------------------------


def _show(console: Console, result: Any, out: TextIO, err: TextIO) -> None:
    if result.stdout:
        out.write(result.stdout)
        out.flush()
    if result.stderr:
        err.write(result.stderr)
        err.flush()
    render_all(console, getattr(result, "views", []))


def run_script(engine: LessonShellEngine, console: Console, stream: TextIO, out: TextIO, err: TextIO) -> int:
    """Lines from a non-terminal stream (tests, scripts); return the last command's exit code."""
    from ecslearn.shell.repl import _lines

    code = 0
    for line in _lines(stream, engine):
        result = engine.execute(line)
        _show(console, result, out, err)
        if result.kind != "empty":
            code = result.exit_code
        if result.quit:
            break
    return code


def prompt_text(engine: LessonShellEngine) -> str:
    runner = engine.runner
    if runner.complete:
        return f"lesson {runner.lesson.number:02d} done $ "
    return f"lesson {runner.lesson.number:02d} · step {runner.index + 1}/{len(runner.lesson.steps)} $ "


def run_interactive(engine: LessonShellEngine, console: Console) -> int:
    """The prompt_toolkit loop: history, completion of aws commands, Ctrl-C drops the line, Ctrl-D leaves."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    from ecslearn.shell.repl import _completer, history_path

    path = history_path()
    history = FileHistory(str(path.with_name(HISTORY_FILE))) if path is not None else InMemoryHistory()
    session: Any = PromptSession(history=history, completer=_completer(engine), complete_while_typing=False)
    while True:
        try:
            text = session.prompt(prompt_text(engine))
            while engine.needs_more(text):
                text += "\n" + session.prompt("> ")
        except KeyboardInterrupt:  # Ctrl-C: drop the line, prompt again
            continue
        except EOFError:  # Ctrl-D: leave (the place is saved)
            break
        try:
            result = engine.execute(text)
        except KeyboardInterrupt:
            sys.stdout.write("\n")
            continue
        _show(console, result, sys.stdout, sys.stderr)
        if result.quit:
            break
    return 0


def goodbye(console: Console, engine: LessonShellEngine, store_path: str) -> None:
    runner = engine.runner
    if runner.complete:
        console.print(Text(f"Progress saved in {store_path}.", style="ecs.dim"))
    else:
        console.print(Text(f"Saved: lesson {runner.lesson.number:02d}, step {runner.index + 1}. Run `ecslearn` "
                           f"to continue where you left off.", style="ecs.dim"))


__all__ = ["render", "render_all", "render_lessons", "run_interactive", "run_script"]
