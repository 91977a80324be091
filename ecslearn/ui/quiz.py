"""Showing quiz questions and feedback with Rich, and the practice loop that asks through a Prompter."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.console import Console
from rich.markdown import Markdown
from rich.padding import Padding
from rich.text import Text

from ecslearn.content.model import LETTERS, Kind
from ecslearn.errors import ContentError, ScenarioError, SimulatorError
from ecslearn.quiz.engine import Engine, Grade, OptionOutcome, shown_items
from ecslearn.quiz.session import PracticeResult
from ecslearn.scenario import Evidence

if TYPE_CHECKING:
    from ecslearn.content.variants import ConcreteQuestion
    from ecslearn.ui.prompt import Prompter

_NUMBERS = {1: "ONE", 2: "TWO", 3: "THREE", 4: "FOUR", 5: "FIVE"}

_FREE_HELP = {
    Kind.PREDICT: "Type the value you predict.",
    Kind.CONFIG: "Write the ecs.config lines (KEY=value, one per line) for the new container instance.",
    Kind.COMMAND: "Write the aws command(s), one per line.",
    Kind.TASKDEF: "Write the task definition as JSON or YAML (the shape of register-task-definition's input).",
}


def _md(text: str) -> Markdown:
    return Markdown(text.strip())


def render_question(console: Console, cq: ConcreteQuestion, number: int, total: int, *,
                    interactive: bool, select: int = 1) -> None:
    q = cq.question
    tags = " · ".join([q.topic, q.difficulty.value, *q.exams[:3]])
    console.print()
    console.rule(Text(f"Question {number}/{total}", style="ecs.heading"), align="left")
    console.print(Text(f"{q.id} · {tags}", style="ecs.dim"))
    console.print(_md(q.prompt))
    if q.kind in (Kind.SINGLE, Kind.MULTI, Kind.CONCEPT):
        wanted = f"(Select {_NUMBERS.get(select, select)}.)"
        if select > 1 and wanted.lower() not in q.prompt.lower():  # authors often write it themselves
            console.print(Text(wanted, style="ecs.heading"))
        if not interactive:
            for opt in q.options:
                console.print(Padding(Text(f"{opt.letter}) {opt.text}"), (0, 0, 0, 2), expand=False))
    elif q.kind is Kind.ORDER:
        console.print(Text("Put these in order (answer with the letters, first to last):", style="ecs.heading"))
        for i, item in enumerate(shown_items(cq)):
            console.print(Padding(Text(f"{LETTERS[i]}) {item}"), (0, 0, 0, 2), expand=False))
    elif q.kind is Kind.MATCH:
        console.print(Text("Match each item on the left with one on the right (answer with the right-hand "
                           "letters, in the left-hand order):", style="ecs.heading"))
        for i, pair in enumerate(q.pairs):
            console.print(Padding(Text(f"{i + 1}. {pair.left}"), (0, 0, 0, 2), expand=False))
        for i, right in enumerate(shown_items(cq)):
            console.print(Padding(Text(f"{LETTERS[i]}) {right}"), (0, 0, 0, 2), expand=False))
    else:
        help_text = _FREE_HELP.get(q.kind, "")
        if q.kind is not Kind.PREDICT and not interactive:
            help_text += " End with a line holding only '.'."
        console.print(Text(help_text, style="ecs.dim"))


def render_evidence(console: Console, evidence: Evidence | None, *, title: str = "What the simulator says") -> None:
    if evidence is None:
        return
    lines: list[Text] = []
    headline = evidence.headline() or ""
    if headline:
        lines.append(Text(headline))
    if evidence.has_value:
        lines.append(Text(f"value: {evidence.value!r}" if not isinstance(evidence.value, str)
                          else f"value: {evidence.value}"))
    for step in evidence.steps:
        if (step.ok and not step.failures) or (step.error_message and step.error_message in headline):
            continue
        lines.append(Text(step.summary()))
    for check in evidence.checks:
        if not check.passed and headline.startswith(f"expected {check.description},"):
            continue  # the headline already says it
        mark = "✔" if check.passed else "✘"
        lines.append(Text(f"{mark} {check.description}: got {check.actual!r}",
                          style="ecs.ok" if check.passed else "ecs.bad"))
    extra = [f"stopped {s}" for s in evidence.stopped_tasks] + \
        [f"service event: {e}" for e in evidence.service_events] + list(evidence.notes)
    raw = [*evidence.stopped_tasks, *evidence.service_events, *evidence.notes]
    for text, source in zip(extra, raw):
        if source not in headline:
            lines.append(Text(text))
    if not lines:
        return
    console.print(Text(f"{title}:", style="ecs.heading"))
    for line in lines:
        console.print(Padding(line, (0, 0, 0, 2), expand=False))


def render_grade(console: Console, grade: Grade) -> None:
    if grade.correct:
        console.print(Text("✔ Correct", style="ecs.ok bold"))
    else:
        console.print(Text("✘ Not quite", style="ecs.bad bold"))
        console.print(Text("Your answer: ", style="ecs.heading").append(grade.given or "(none)", style=""))
        label = "One answer that works" if grade.kind in (Kind.CONFIG, Kind.COMMAND, Kind.TASKDEF) else "Right answer"
        console.print(Text(f"{label}:", style="ecs.heading"))
        console.print(Padding(Text(grade.correct_answer), (0, 0, 0, 2), expand=False))
    if grade.why:
        console.print(Padding(Text(grade.why, style="ecs.dim"), (0, 0, 0, 2), expand=False))
    render_evidence(console, grade.evidence)
    console.print(Text("Why:", style="ecs.heading"))
    console.print(Padding(_md(grade.explanation), (0, 0, 0, 2), expand=False))
    if grade.sources:
        console.print(Text("Sources:", style="ecs.heading"))
        for url in grade.sources:
            console.print(Text("  " + url, style="ecs.id"), soft_wrap=True)  # unbroken, so it stays clickable


def render_option_outcome(console: Console, outcome: OptionOutcome) -> None:
    verdict = Text("right", style="ecs.ok") if outcome.right else Text("wrong", style="ecs.bad")
    console.print(Text(f"Option {outcome.letter}) {outcome.text}: ", style="ecs.heading").append(verdict))
    render_evidence(console, outcome.evidence)
    if outcome.why:
        console.print(Padding(Text(outcome.why, style="ecs.dim"), (0, 0, 0, 2), expand=False))


def render_summary(console: Console, result: PracticeResult, *, saved_to: str | None = None) -> None:
    console.print()
    if not result.answered:
        console.print("No question answered.")
        return
    pct = round(100 * result.correct / result.answered)
    console.print(Text(f"Score: {result.correct}/{result.answered} ({pct}%)", style="ecs.heading"))
    if saved_to:
        console.print(Text(f"Saved to {saved_to}", style="ecs.dim"))


def ask_answer(prompter: Prompter, cq: ConcreteQuestion, select: int = 1) -> str:
    q = cq.question
    if q.kind in (Kind.SINGLE, Kind.MULTI, Kind.CONCEPT):
        return prompter.choice("Your answer", [(o.letter, o.text) for o in q.options], select)
    if q.kind in (Kind.ORDER, Kind.MATCH):
        n = len(q.items) if q.kind is Kind.ORDER else len(q.pairs)
        return prompter.sequence("Your answer", list(LETTERS[:n]))
    return prompter.text("Your answer", multiline=q.kind is not Kind.PREDICT)


def run_practice(questions: list[ConcreteQuestion], prompter: Prompter, console: Console, engine: Engine,
                 result: PracticeResult, on_grade: Callable[[ConcreteQuestion, Grade], None]) -> PracticeResult:
    """Ask each question, grade it, record it through `on_grade`, show feedback; "try" options on request.

    KeyboardInterrupt propagates (everything graded so far is already recorded).
    """
    for number, cq in enumerate(questions, 1):
        try:
            engine.key(cq)  # run the scenario before asking, so a broken one is skipped unanswered
            select = engine.select_count(cq)
        except (ContentError, ScenarioError, SimulatorError) as err:
            _skip(console, cq, err, result)
            continue
        render_question(console, cq, number, len(questions), interactive=prompter.interactive, select=select)
        try:
            answer = ask_answer(prompter, cq, select)
        except EOFError:
            result.ended_early = True
            break
        try:
            with console.status("Asking the simulator…") if prompter.interactive else _nothing():
                grade = engine.grade(cq, answer)
        except (ContentError, ScenarioError, SimulatorError) as err:
            _skip(console, cq, err, result)
            continue
        result.grades.append(grade)
        on_grade(cq, grade)
        render_grade(console, grade)
        letters = [o.letter for o in cq.question.options]
        while True:
            try:
                choice = prompter.after(letters)
            except EOFError:
                choice = "quit"
            if choice == "try":
                letter = prompter.pick_option("Which option?", [(o.letter, o.text) for o in cq.question.options])
                if letter:
                    render_option_outcome(console, engine.try_option(cq, letter))
                continue
            break
        if choice == "quit":
            result.ended_early = number < len(questions)
            break
    return result


def _skip(console: Console, cq: ConcreteQuestion, err: Exception, result: PracticeResult) -> None:
    """A question whose scenario no longer runs (a content or simulator bug): say so and go on."""
    message = getattr(err, "message", str(err))
    result.skipped.append({"question": cq.id, "seed": cq.seed, "error": message})
    console.print(Text(f"Question {cq.id} could not be run and is skipped: {message}", style="ecs.warn"))
    console.print(Text("(please report it; `ecslearn content check` shows the details)", style="ecs.dim"))


class _nothing:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def render_check_report(console: Console, report: object) -> None:
    """`ecslearn content check`: one `path:line: message` per problem, then the summary."""
    problems = report.problems  # type: ignore[attr-defined]
    s = report.summary  # type: ignore[attr-defined]
    for p in problems:
        console.print(str(p), markup=False, highlight=False, soft_wrap=True)
    share = f"{round(100 * s.simulator_share)}%" if s.questions else "-"
    console.print()
    console.print(Text(f"{s.questions} question(s) in {s.files} file(s); {s.simulator_checked} simulator-checked "
                       f"({share}), {s.declared} with a declared key (concept/order/match); "
                       f"{s.variants_checked} variant(s) checked", style="ecs.heading"))
    if s.by_kind:
        console.print("by kind:  " + ", ".join(f"{k} {n}" for k, n in s.by_kind.items()), markup=False)
    if s.by_topic:
        console.print("by topic: " + ", ".join(f"{k} {n}" for k, n in s.by_topic.items()), markup=False)
    if s.checkers:
        console.print("also checked: " + ", ".join(s.checkers), markup=False)
    if problems:
        console.print(Text(f"{len(problems)} problem(s) ({s.seconds:.1f} s)", style="ecs.bad"))
    else:
        console.print(Text(f"no problems ({s.seconds:.1f} s)", style="ecs.ok"))


def print_warning(message: str) -> None:
    """`warning: ...` on stderr (e.g. a learner state file moved aside)."""
    from ecslearn.ui.console import make_console

    console = make_console(stderr=True)
    console.print("[ecs.warn]warning:[/ecs.warn] ", end="")
    console.print(message, markup=False)
