"""`ecslearn exam`: a timed, exam-like attempt with no feedback until submit, resumable after a crash."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ecslearn.cli.main import app
from ecslearn.errors import ExitCode, UsageError


@app.command("exam")
def exam(
    code: Annotated[str, typer.Option("--exam", "-e", help="Exam code: ECS-PRACTICE (ecslearn's own), SAA-C03, "
                                                        "DVA-C02, SOA-C03 or CLF-C02.")] = "ECS-PRACTICE",
    count: Annotated[int | None, typer.Option("--count", "-n", help="How many questions (default: the real "
                                                                   "exam's, or every question tagged for it).")] = None,
    minutes: Annotated[float | None, typer.Option("--minutes", "-m", help="Time limit (default: the real exam's, "
                                                                        "pro rata for a shorter form).")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for the draw, order and variants (the same seed "
                                                         "gives the same exam).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON on stdout.")] = False,
    resume: Annotated[bool, typer.Option("--resume", help="Continue the exam in progress.")] = False,
    new: Annotated[bool, typer.Option("--new", help="Abandon the exam in progress and start a new one.")] = False,
    list_exams: Annotated[bool, typer.Option("--list", help="Show each exam's facts and exit.")] = False,
    content_dir: Annotated[Path | None, typer.Option("--content-dir", help="Read quizzes from this folder "
                                                                         "(holding quizzes/).",
                                            envvar="ECSLEARN_CONTENT_DIR")] = None,
) -> None:
    """Exam mode: timed, no feedback until you submit; flag, review, change answers; scored by domain.

    Commands, one per line (terminal or stdin): an answer (B, A,C, a value), next, back, goto N, flag, review, clear, submit, pause.

    Every answer is saved at once: after a crash or Ctrl-C, `ecslearn exam --resume` continues.

    The scaled score is an unofficial estimate.
    """
    from ecslearn.content.catalog import load_content
    from ecslearn.exam import data
    from ecslearn.exam.engine import Attempt, ExamSession, new_attempt, score_attempt
    from ecslearn.progress import ProgressStore
    from ecslearn.quiz.engine import Engine
    from ecslearn.review.engine import ReviewDeck
    from ecslearn.ui.console import make_console
    from ecslearn.ui.exam import ExamRunner, default_input, render_exam_list, render_paused, render_result
    from ecslearn.ui.quiz import print_warning

    exams = data.load()
    if list_exams:
        rows = [e.to_dict() for e in exams.exams.values()]
        if as_json:
            typer.echo(json.dumps({"version": exams.version, "exams": rows}, indent=2, ensure_ascii=False))
        else:
            render_exam_list(make_console(), rows)
        return
    if resume and new:
        raise UsageError("--resume and --new contradict each other")
    store = ProgressStore()
    state = store.load()
    for warning in store.warnings:
        print_warning(str(warning))
    if resume:
        if not state.exam_current:
            raise UsageError("no exam in progress to resume", hint="start one: ecslearn exam --exam ECS-PRACTICE")
        try:
            attempt = Attempt.from_dict(state.exam_current)
        except (KeyError, TypeError, ValueError) as err:
            raise UsageError(f"the saved exam cannot be read ({err})", hint="start a new one: ecslearn exam --new") \
                from None
        info = exams.get(attempt.exam)
        if content_dir is None and attempt.content_dir:
            content_dir = Path(attempt.content_dir)
        content = load_content(content_dir)
    else:
        if state.exam_current and not new:
            cur = state.exam_current
            raise UsageError(f"an exam is in progress ({cur.get('exam')}, {len(cur.get('answers', {}))} of "
                             f"{len(cur.get('items', []))} answered)",
                             hint="continue it with `ecslearn exam --resume`, or start over with `ecslearn exam --new`")
        info = exams.get(code)
        content = load_content(content_dir)
        attempt = new_attempt(content, info, count=count, minutes=minutes, seed=seed,
                              content_dir=str(content_dir.resolve()) if content_dir else None)

    def save(a: Attempt) -> None:
        with store.transaction() as st:
            st.exam_current = a.to_dict()

    session = ExamSession(attempt, save=save)
    session.checkpoint()
    console = make_console(stderr=as_json)
    if not resume and count is not None and len(attempt.items) < count:
        console.print(f"Only {len(attempt.items)} question(s) are tagged for {info.code}'s domains: the exam has "
                      f"{len(attempt.items)}.", style="ecs.warn", markup=False)
    if not resume:
        console.print(f"{info.code}: {len(attempt.items)} question(s), {attempt.minutes:g} minute(s), seed "
                      f"{attempt.seed}.", style="ecs.heading", markup=False)
    engine = Engine()
    runner = ExamRunner(session, content, console, default_input(), engine)
    try:
        outcome = runner.run().status
    except KeyboardInterrupt:
        session.checkpoint()
        render_paused(console, session, interrupted=True)
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    session.checkpoint()
    if outcome == "paused":
        render_paused(console, session, interrupted=False)
        if as_json:
            typer.echo(json.dumps({"status": "paused", "attempt": attempt.to_dict()}, indent=2))
        return
    with console.status("Grading…") if runner.inp.interactive else _nothing():
        result = score_attempt(attempt, content, info, engine, timed_out=outcome == "timeout")
    with store.transaction() as st:
        st.exam_attempts.append(result.summary())
        st.exam_current = None
        for r in result.items:
            if r.error is None:
                st.record_answer(r.item.question, r.correct, seed=r.item.seed,
                                 answer=attempt.answers.get(r.number - 1, ""), mode="exam")
        ReviewDeck(st).sync()
    if as_json:
        typer.echo(json.dumps({"status": "submitted", **result.to_dict()}, indent=2, ensure_ascii=False))
    else:
        render_result(console, result, saved_to=str(store.path))


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None
