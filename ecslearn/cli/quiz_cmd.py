"""`ecslearn quiz`: practice mode, one question at a time with immediate, simulator-backed feedback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ecslearn.cli.main import app
from ecslearn.errors import ExitCode, UsageError


@app.command("quiz")
def quiz(
    topic: Annotated[str | None, typer.Option("--topic", "-t", help="Only questions on this topic (e.g. placement).")] = None,
    exam: Annotated[str | None, typer.Option("--exam", "-e", help="Only questions tagged for this exam (SAA-C03, "
                                                                "DVA-C02, SOA-C03, CLF-C02, or SAA-C03:3.1).")] = None,
    count: Annotated[int, typer.Option("--count", "-n", help="How many questions.")] = 10,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for the question order and variants "
                                                         "(the same seed gives the same quiz).")] = None,
    question: Annotated[list[str] | None, typer.Option("--question", "-q", help="Practice this question id (repeatable).")] = None,
    missed: Annotated[bool, typer.Option("--missed", help="Only questions whose latest answer was wrong.")] = False,
    list_ids: Annotated[bool, typer.Option("--list", help="List the question ids (with topic and kind) and exit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full results as JSON on stdout at the end.")] = False,
    content_dir: Annotated[Path | None, typer.Option("--content-dir", help="Read quizzes from this folder "
                                                                         "(holding quizzes/).",
                                            envvar="ECSLEARN_CONTENT_DIR")] = None,
) -> None:
    """Practice: answer questions whose keys the simulator proves; see why, with sources.

    On a terminal you pick with arrow keys or letters; otherwise answers come one per line from stdin
    (B, or A,C, or free text; a multi-line answer ends with a line holding only '.').
    """
    from ecslearn.content.catalog import load_content
    from ecslearn.progress import ProgressStore
    from ecslearn.quiz.engine import Engine
    from ecslearn.quiz.session import PracticeResult, select_questions
    from ecslearn.ui.console import make_console
    from ecslearn.ui.prompt import default_prompter
    from ecslearn.ui.quiz import print_warning, render_summary, run_practice

    content = load_content(content_dir)
    if list_ids:
        rows = [{"id": q.id, "topic": q.topic, "kind": q.kind.value, "difficulty": q.difficulty.value,
                 "exams": list(q.exams), "quiz": q.quiz} for q in content.questions]
        if as_json:
            typer.echo(json.dumps(rows, indent=2))
        else:
            for r in rows:
                typer.echo(f"{r['id']:<44} {r['topic']:<20} {r['kind']:<8} {r['quiz']}")
        return
    if seed is None:
        import secrets  # only when no seed is given

        seed = secrets.randbelow(1_000_000)
    store = ProgressStore()
    state = store.load()
    for warning in store.warnings:
        print_warning(str(warning))
    only = None
    if missed:
        known = {q.id for q in content.questions}
        only = {qid for qid in state.missed_recently(last=500) if qid in known}
        if not only:
            raise UsageError("no missed questions to practise", hint="answer some questions first: ecslearn quiz")
    questions = select_questions(content, topic=topic, exam=exam, count=count, seed=seed, ids=question or None,
                                 only=only)

    console = make_console(stderr=as_json)
    prompter = default_prompter()
    engine = Engine()
    result = PracticeResult(seed=seed, planned=len(questions))

    def record(cq, grade) -> None:  # type: ignore[no-untyped-def]
        store.record_answer(grade.question_id, grade.correct, seed=cq.seed, answer=grade.given)

    try:
        run_practice(questions, prompter, console, engine, result, record)
    except KeyboardInterrupt:
        result.interrupted = True
    topics = {q.id: q.question.topic for q in questions}
    if as_json:
        typer.echo(json.dumps(result.to_dict(topics), indent=2, ensure_ascii=False))
    else:
        render_summary(console, result, saved_to=str(store.path) if result.answered else None)
    if result.interrupted:
        typer.echo(f"\nInterrupted: {result.answered} answer(s) saved to {store.path}.", err=True)
        raise typer.Exit(int(ExitCode.INTERRUPTED))
