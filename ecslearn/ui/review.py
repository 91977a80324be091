"""`ecslearn review` on screen: each card's question (a fresh variant), the graded answer, then a rating.

The question is asked and graded exactly as in `ecslearn quiz` (same prompts, same stdin
conventions). Then the learner rates how well they knew it: Again, Hard, Good or Easy (from stdin:
a line `again`/`hard`/`good`/`easy` or `1`-`4`; an empty line takes the suggestion: Good when the
answer was right, Again when it was not). Cram mode asks and grades but never rates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ecslearn.content.variants import variant, variant_count
from ecslearn.errors import ContentError, ScenarioError, SimulatorError, UsageError
from ecslearn.quiz.engine import Engine, Grade
from ecslearn.review.engine import RATINGS, ReviewCard, parse_rating, review_seed
from ecslearn.ui.quiz import ask_answer, render_grade, render_question

if TYPE_CHECKING:
    from ecslearn.content.model import ContentSet
    from ecslearn.ui.prompt import Prompter


@dataclass
class ReviewResult:
    cram: bool
    planned: int
    reviewed: list[dict[str, Any]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    ended_early: bool = False
    interrupted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"cram": self.cram, "planned": self.planned, "reviewed": self.reviewed, "skipped": self.skipped,
                "correct": sum(1 for r in self.reviewed if r["correct"]), "ended_early": self.ended_early,
                "interrupted": self.interrupted}


def ask_rating(prompter: Prompter, suggested: str, console: Console) -> str:
    if prompter.interactive:
        import questionary

        choices = [questionary.Choice(f"{name.capitalize()}", value=name, shortcut_key=str(i))
                   for i, name in enumerate(RATINGS, 1)]
        default = next(c for c in choices if c.value == suggested)
        answer = questionary.select("How well did you know it?", choices=choices, default=default,
                                    use_shortcuts=True, use_jk_keys=False).unsafe_ask()
        if answer is None:
            raise EOFError
        return str(answer)
    while True:
        text = prompter.text("Rating", multiline=False)
        if not text.strip():
            return suggested
        try:
            return parse_rating(text)
        except UsageError as err:
            console.print(err.message, style="ecs.bad", markup=False)


def run_review(cards: list[ReviewCard], content: ContentSet, prompter: Prompter, console: Console, engine: Engine,
               *, cram: bool, session_seed: int, result: ReviewResult,
               on_answer: Callable[[ReviewCard, int, Grade, str | None], ReviewCard | None]) -> ReviewResult:
    """Ask each card; `on_answer(card, seed, grade, rating)` saves (rating None in cram) and returns the card."""
    for number, card in enumerate(cards, 1):
        q = content.question(card.question)
        if q is None:
            result.skipped.append(card.question)
            console.print(Text(f"Card {card.question}: the question is no longer in the bank; skipped.",
                               style="ecs.warn"))
            continue
        seed = review_seed(card.question, card, session_seed, variant_count(q))
        try:
            cq = variant(q, seed)
            engine.key(cq)
            select = engine.select_count(cq)
        except (ContentError, ScenarioError, SimulatorError) as err:
            result.skipped.append(card.question)
            console.print(Text(f"Card {card.question} could not be run: {getattr(err, 'message', err)}",
                               style="ecs.warn"))
            continue
        render_question(console, cq, number, len(cards), interactive=prompter.interactive, select=select)
        try:
            answer = ask_answer(prompter, cq, select)
        except EOFError:
            result.ended_early = True
            break
        grade = engine.grade(cq, answer)
        render_grade(console, grade)
        rating = None
        if not cram:
            try:
                rating = ask_rating(prompter, "good" if grade.correct else "again", console)
            except EOFError:
                rating = "good" if grade.correct else "again"
        updated = on_answer(card, seed, grade, rating)
        entry: dict[str, Any] = {"question": card.question, "seed": seed, "correct": grade.correct, "rating": rating}
        if updated is not None and rating is not None:
            entry["due"] = updated.due.isoformat(timespec="seconds")
            console.print(Text(f"Next review: {updated.due.strftime('%Y-%m-%d %H:%M')} UTC", style="ecs.dim"))
        result.reviewed.append(entry)
    return result


def render_review_summary(console: Console, result: ReviewResult) -> None:
    console.print()
    n = len(result.reviewed)
    if not n:
        console.print("No card reviewed.")
        return
    right = sum(1 for r in result.reviewed if r["correct"])
    mode = "Cram (schedule unchanged)" if result.cram else "Review"
    console.print(Text(f"{mode}: {n} card(s), {right} answered right", style="ecs.heading"))


def render_cards(console: Console, cards: list[ReviewCard], now: datetime) -> None:
    table = Table(title=f"{len(cards)} review card(s)", title_justify="left", expand=False)
    table.add_column("Question", overflow="fold", max_width=40)
    table.add_column("Due (UTC)", no_wrap=True)
    table.add_column("Reviews", justify="right")
    table.add_column("Last", no_wrap=True)
    for c in sorted(cards, key=lambda c: (c.due, c.question)):
        due = "now" if c.due <= now else c.due.strftime("%Y-%m-%d %H:%M")
        table.add_row(c.question, due, str(c.reviews), c.last_rating or "-")
    console.print(table)
