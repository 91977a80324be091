"""`ecslearn review`: spaced repetition (FSRS) of the questions you missed or added; `--cram` leaves the schedule alone."""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Annotated

import typer

from ecslearn.cli.main import app
from ecslearn.errors import ExitCode, UsageError


@app.command("review")
def review(
    cram: Annotated[bool, typer.Option("--cram", help="Review every card now without changing its schedule.")] = False,
    count: Annotated[int | None, typer.Option("--count", "-n", help="At most this many cards.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Seed for the variants drawn (default: new each time).")] = None,
    add: Annotated[list[str] | None, typer.Option("--add", help="Make this question id a review card (repeatable).")] = None,
    list_cards: Annotated[bool, typer.Option("--list", help="List the review cards and when they are due.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON on stdout.")] = False,
    content_dir: Annotated[Path | None, typer.Option("--content-dir", help="Read quizzes from this folder "
                                                                         "(holding quizzes/).",
                                            envvar="ECSLEARN_CONTENT_DIR")] = None,
) -> None:
    """Spaced review: the questions you missed come back when you are about to forget them.

    Answer as in `ecslearn quiz`, then rate it: again, hard, good or easy (1-4; from stdin an empty line takes the suggestion).

    Parameterised questions come back with new values each time.
    """
    from ecslearn.content.catalog import load_content
    from ecslearn.content.model import ContentSet
    from ecslearn.progress import ProgressStore
    from ecslearn.quiz.engine import Engine
    from ecslearn.review.engine import ReviewDeck, utc
    from ecslearn.ui.console import make_console
    from ecslearn.ui.prompt import default_prompter
    from ecslearn.ui.quiz import print_warning
    from ecslearn.ui.review import ReviewResult, render_cards, render_review_summary, run_review

    if count is not None and count < 1:
        raise UsageError("--count must be at least 1")
    store = ProgressStore()
    with store.transaction() as state:
        for warning in store.warnings:
            print_warning(str(warning))
        deck = ReviewDeck(state)
        deck.sync()
        content: ContentSet = load_content(content_dir)
        if add:
            for qid in add:
                if content.question(qid) is None:
                    raise UsageError(f"no question with id '{qid}'", hint="`ecslearn quiz --list` shows every id")
                deck.add(qid, source="added")
        cards = deck.cards()
        picked = deck.session(count=count, cram=cram, only={q.id for q in content.questions})
    console = make_console(stderr=as_json)
    now = utc()
    if add:
        console.print(f"{len(add)} card(s) added; {len(cards)} in all.")
        return
    if list_cards:
        if as_json:
            typer.echo(json.dumps([c.to_dict() for c in cards], indent=2))
        else:
            render_cards(console, cards, now)
        return
    if not picked:
        upcoming = sorted(c.due for c in cards)
        message = "No review card is due." if cards else "No review cards yet: missed quiz and exam questions become cards."
        if upcoming:
            message += f" Next one: {upcoming[0].strftime('%Y-%m-%d %H:%M')} UTC (or review now with --cram)."
        if as_json:
            typer.echo(json.dumps({"cram": cram, "planned": 0, "reviewed": [], "message": message}))
        else:
            console.print(message)
        return
    session_seed = seed if seed is not None else secrets.randbelow(1_000_000)
    result = ReviewResult(cram=cram, planned=len(picked))

    def on_answer(card, card_seed, grade, rating):  # type: ignore[no-untyped-def]
        with store.transaction() as st:
            st.record_answer(card.question, grade.correct, seed=card_seed, answer=grade.given,
                             mode="cram" if cram else "review")
            deck = ReviewDeck(st)
            st.review_synced = len(st.quiz_answers)  # review answers are ratings, not new misses
            if rating is None:
                return None
            return deck.rate(card.question, rating, seed=card_seed)

    try:
        run_review(picked, content, default_prompter(), console, Engine(), cram=cram, session_seed=session_seed,
                   result=result, on_answer=on_answer)
    except KeyboardInterrupt:
        result.interrupted = True
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        render_review_summary(console, result)
    if result.interrupted:
        raise typer.Exit(int(ExitCode.INTERRUPTED))
