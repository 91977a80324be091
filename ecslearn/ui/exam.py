"""`ecslearn exam` on screen: the question, a countdown, navigation, the review screen and the result.

Input is one line per command, the same on a terminal and from stdin (so scripts and people drive
an exam the same way):

    B  /  A,C  /  a value      answer the current question (then the next question is shown)
    next, back, goto N         move between questions
    flag                       flag (or unflag) the current question for review
    review                     the review screen: answered, unanswered and flagged questions
    clear                      remove the current question's answer
    submit                     hand in the exam and see the result
    pause                      stop here; `ecslearn exam --resume` continues (so do Ctrl-C and end of input)
    =TEXT                      answer TEXT literally (for a value that looks like a command)

Free-form answers (config, command, taskdef) take several lines and end with a line holding only
`.` (stdin) or Esc then Enter (terminal), as in `ecslearn quiz`. On a terminal a toolbar shows the
time left and the exam is submitted when it reaches zero; from stdin the limit is checked at each
command and the exam is submitted as soon as it has passed.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, TextIO

from rich.console import Console
from rich.markdown import Markdown
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from ecslearn.content.model import Kind
from ecslearn.errors import ContentError, ScenarioError, SimulatorError, UsageError
from ecslearn.exam.engine import SCALE_NOTE, ExamResult, ExamSession, concrete
from ecslearn.quiz.engine import AnswerFormatError, Engine, parse_letters, parse_sequence
from ecslearn.ui.prompt import END_MARK, LineReader
from ecslearn.ui.quiz import render_grade, render_question

if TYPE_CHECKING:
    from ecslearn.content.model import ContentSet
    from ecslearn.content.variants import ConcreteQuestion

COMMANDS = ("next", "back", "prev", "flag", "unflag", "review", "clear", "submit", "pause", "quit", "goto", "go",
            "help")
HELP = ("Answer with the letter(s) or the value. Commands: next, back, goto N, flag, review, clear, "
        "submit, pause (=TEXT answers TEXT literally).")


class TimeUp(Exception):
    """The countdown reached zero while the learner was typing."""


def fmt_time(seconds: float) -> str:
    s = max(0, int(seconds + 0.999))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


class ExamInput(Protocol):
    interactive: bool

    def read(self, *, multiline: bool, time_left: Callable[[], float], status: Callable[[], str]) -> str: ...
    def confirm(self, message: str) -> bool: ...


class LineExamInput(LineReader):
    """No terminal: one command per line; a multi-line answer ends with a line holding only `.`."""

    def read(self, *, multiline: bool, time_left: Callable[[], float], status: Callable[[], str]) -> str:
        first = self._line()
        if not multiline or is_command(first) or first.strip() == END_MARK:
            return first
        lines = [first]
        while True:
            try:
                line = self._line()
            except EOFError:
                break
            if line.strip() == END_MARK:
                break
            lines.append(line)
        return "\n".join(lines)

    def confirm(self, message: str) -> bool:
        return True


class TerminalExamInput:
    """A person at a terminal: prompt_toolkit with a countdown toolbar; returns TimeUp at zero."""

    interactive = True

    def __init__(self) -> None:
        from prompt_toolkit import PromptSession

        self.session: PromptSession[str] = PromptSession()

    def read(self, *, multiline: bool, time_left: Callable[[], float], status: Callable[[], str]) -> str:
        import asyncio

        from prompt_toolkit.application import get_app

        timeup = object()

        def toolbar() -> str:
            return f" ⏱ {fmt_time(time_left())} left · {status()} "

        def pre_run() -> None:
            app = get_app()
            asyncio.get_running_loop().call_later(
                max(0.0, time_left()), lambda: app.exit(result=timeup) if app.is_running else None)

        message = "answer or command (Esc then Enter to submit) > " if multiline else "answer or command > "
        result = self.session.prompt(message, multiline=multiline, bottom_toolbar=toolbar, refresh_interval=1.0,
                                     pre_run=pre_run)
        if result is timeup:
            raise TimeUp
        return result

    def confirm(self, message: str) -> bool:
        answer = self.session.prompt(f"{message} [y/N] ")
        return answer.strip().lower() in ("y", "yes")


def default_input(stdin: TextIO | None = None) -> ExamInput:
    stream = stdin if stdin is not None else sys.stdin
    if stream.isatty() and sys.stdout.isatty():
        return TerminalExamInput()
    return LineExamInput(stream)


def is_command(text: str) -> bool:
    words = text.strip().lower().split()
    return bool(words) and words[0] in COMMANDS and (len(words) == 1 or words[0] in ("goto", "go"))


@dataclass
class Outcome:
    status: str          # "submitted" | "timeout" | "paused" | "interrupted"


def _normalise(cq: ConcreteQuestion, select: int, text: str) -> str:
    """The answer as it will be graded; AnswerFormatError when it cannot be (nothing is recorded then)."""
    q = cq.question
    if q.kind in (Kind.SINGLE, Kind.MULTI, Kind.CONCEPT):
        letters = parse_letters(text, [o.letter for o in q.options])
        if len(letters) != select:
            raise AnswerFormatError(f"select {select} option(s) (you gave {len(letters)})")
        return ",".join(letters)
    if q.kind in (Kind.ORDER, Kind.MATCH):
        n = len(q.items) if q.kind is Kind.ORDER else len(q.pairs)
        return ",".join(parse_sequence(text, n))
    return text


class ExamRunner:
    """The exam loop: show, read, act; saving is the session's job (after every change)."""

    def __init__(self, session: ExamSession, content: ContentSet, console: Console, inp: ExamInput,
                 engine: Engine) -> None:
        self.session = session
        self.content = content
        self.console = console
        self.inp = inp
        self.engine = engine
        self._cache: dict[int, tuple[ConcreteQuestion, int]] = {}

    @property
    def attempt(self):  # type: ignore[no-untyped-def]
        return self.session.attempt

    def _question(self, index: int) -> tuple[ConcreteQuestion, int]:
        if index not in self._cache:
            cq = concrete(self.content, self.attempt.items[index])
            try:
                select = self.engine.select_count(cq)
            except (ContentError, ScenarioError, SimulatorError):
                select = cq.question.select
            self._cache[index] = (cq, select)
        return self._cache[index]

    def status_line(self) -> str:
        st = self.attempt.status()
        return (f"question {self.session.index + 1}/{len(self.attempt.items)} · {len(st['answered'])} answered · "
                f"{len(st['flagged'])} flagged")

    def show(self) -> None:
        i = self.session.index
        cq, select = self._question(i)
        render_question(self.console, cq, i + 1, len(self.attempt.items), interactive=False, select=select)
        line = Text(f"⏱ {fmt_time(self.session.time_left())} left · {self.status_line()}", style="ecs.dim")
        if i in self.attempt.flags:
            line.append("  [flagged]", style="ecs.warn")
        self.console.print(line)
        if i in self.attempt.answers:
            self.console.print(Text("Your answer: ", style="ecs.heading").append(self.attempt.answers[i]))

    def review_screen(self) -> None:
        st = self.attempt.status()
        table = Table(title="Review", title_justify="left", expand=False)
        table.add_column("#", justify="right")
        table.add_column("Status")
        table.add_column("Flag")
        table.add_column("Your answer", overflow="fold", max_width=40)
        for n in range(1, len(self.attempt.items) + 1):
            ans = self.attempt.answers.get(n - 1)
            table.add_row(str(n), "answered" if ans is not None else "unanswered",
                          "flagged" if n - 1 in self.attempt.flags else "",
                          (ans or "").replace("\n", " ⏎ ")[:80])
        self.console.print(table)
        self.console.print(f"answered: {len(st['answered'])} · unanswered: {_nums(st['unanswered'])} · "
                           f"flagged: {_nums(st['flagged'])}", markup=False)
        self.console.print(Text(f"⏱ {fmt_time(self.session.time_left())} left. goto N to change an answer, "
                                "submit to hand in.", style="ecs.dim"))

    def run(self) -> Outcome:
        """Until submit, time up, pause or end of input. KeyboardInterrupt propagates (all is saved)."""
        self.console.print(Text(HELP, style="ecs.dim"))
        show = True
        while True:
            if self.session.expired():
                return Outcome("timeout")
            if show:
                self.show()
            show = True
            cq, select = self._question(self.session.index)
            multiline = cq.question.kind in (Kind.CONFIG, Kind.COMMAND, Kind.TASKDEF)
            try:
                text = self.inp.read(multiline=multiline, time_left=self.session.time_left, status=self.status_line)
            except TimeUp:
                return Outcome("timeout")
            except EOFError:
                return Outcome("paused")
            if self.session.expired():  # the answer came too late: not recorded
                return Outcome("timeout")
            words = text.strip().lower().split()
            if is_command(text):
                cmd = words[0]
                if cmd in ("next",):
                    if not self.session.next():
                        self.console.print("This is the last question.", style="ecs.dim")
                        self.review_screen()
                        show = False
                elif cmd in ("back", "prev"):
                    if not self.session.back():
                        self.console.print("This is the first question.", style="ecs.dim")
                        show = False
                elif cmd in ("flag", "unflag"):
                    flagged = self.session.toggle_flag()
                    self.console.print(f"Question {self.session.index + 1} "
                                       f"{'flagged for review' if flagged else 'unflagged'}.", style="ecs.warn")
                    show = False
                elif cmd == "clear":
                    self.session.answer("")
                    self.console.print("Answer cleared.", style="ecs.dim")
                    show = False
                elif cmd == "review":
                    self.review_screen()
                    show = False
                elif cmd in ("goto", "go"):
                    try:
                        if len(words) != 2 or not words[1].isdigit():
                            raise UsageError("say which question: goto N")
                        self.session.go(int(words[1]))
                    except UsageError as err:
                        self.console.print(err.message, style="ecs.bad", markup=False)
                        show = False
                elif cmd == "help":
                    self.console.print(HELP, style="ecs.dim", markup=False)
                    show = False
                elif cmd in ("pause", "quit"):
                    return Outcome("paused")
                elif cmd == "submit":
                    st = self.attempt.status()
                    if st["unanswered"] or st["flagged"]:
                        msg = (f"Submit now? {len(st['unanswered'])} unanswered, {len(st['flagged'])} flagged.")
                    else:
                        msg = "Submit now?"
                    if self.inp.confirm(msg):
                        return Outcome("submitted")
                    show = False
                continue
            raw = text[1:] if text.startswith("=") else text
            if not raw.strip():
                show = False
                continue
            try:
                answer = _normalise(cq, select, raw)
            except AnswerFormatError as err:
                self.console.print(err.message, style="ecs.bad", markup=False)
                show = False
                continue
            if not self.session.answer(answer):
                return Outcome("timeout")
            if not self.session.next():
                self.review_screen()
                show = False


def _nums(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers) if numbers else "none"


def bar(fraction: float, width: int = 20) -> str:
    """A text bar (readable without colour): █ for the share, ░ for the rest."""
    fraction = min(1.0, max(0.0, fraction))
    full = round(fraction * width)
    return "█" * full + "░" * (width - full)


def render_result(console: Console, result: ExamResult, *, saved_to: str | None = None) -> None:
    exam = result.exam
    console.print()
    console.rule(Text(f"{exam.code} exam result", style="ecs.heading"), align="left")
    if result.timed_out:
        console.print(Text("Time was up: the exam was submitted automatically.", style="ecs.warn"))
    pct = round(100 * result.fraction)
    console.print(Text(f"Raw score: {result.correct}/{result.total} scored questions ({pct}%)", style="ecs.heading"))
    unscored = [r.number for r in result.items if not r.item.scored]
    if unscored:
        console.print(Text(f"Unscored (pilot) questions, not counted: {_nums(unscored)}", style="ecs.dim"))
    console.print(Text(f"Estimated scaled score: {result.scaled} on 100-1000 "
                       f"(UNOFFICIAL ESTIMATE; pass mark {exam.passing_score})", style="ecs.heading"))
    console.print(Padding(Text(SCALE_NOTE + f" Assumed pass fraction for {exam.code}: "
                                            f"{round(100 * exam.estimate_pass_fraction)}%.", style="ecs.dim"),
                          (0, 0, 0, 2)))
    verdict = Text("Result: ", style="ecs.heading")
    verdict.append("PASS" if result.passed else "FAIL", style="ecs.ok bold" if result.passed else "ecs.bad bold")
    verdict.append(f" (estimate {'at or above' if result.passed else 'below'} {exam.passing_score})")
    console.print(verdict)
    table = Table(title="By domain", title_justify="left", expand=False)
    table.add_column("Domain", overflow="fold", max_width=34)
    table.add_column("Weight", justify="right")
    table.add_column("Right", justify="right")
    table.add_column("Score", no_wrap=True)
    for d in result.domains:
        score = "no questions" if not d.total else f"{bar(d.correct / d.total, 10)} {round(d.percent or 0)}%"
        table.add_row(f"{d.id}. {d.name}", f"{d.weight:g}%", f"{d.correct}/{d.total}", score)
    console.print(table)
    minutes_used = fmt_time(result.time_used)
    console.print(Text(f"Time used: {minutes_used} of {fmt_time(result.time_limit)}", style="ecs.dim"))
    wrong = result.wrong
    if wrong:
        console.print()
        console.rule(Text(f"Review: {len(wrong)} question(s) to learn from", style="ecs.heading"), align="left")
    for r in wrong:
        console.print()
        label = f"Question {r.number} · {r.item.tag}" + ("" if r.answered else " · unanswered") + \
            ("" if r.item.scored else " · unscored")
        console.print(Text(label, style="ecs.heading"))
        console.print(Text(r.item.question, style="ecs.dim"))
        if r.error:
            console.print(Text(f"could not be graded: {r.error}", style="ecs.warn"))
            continue
        if r.prompt:
            console.print(Markdown(r.prompt.strip()))
        for letter, text in r.options:
            console.print(Padding(Text(f"{letter}) {text}"), (0, 0, 0, 2), expand=False))
        if r.grade is not None:
            render_grade(console, r.grade)
    if saved_to:
        console.print()
        console.print(Text(f"Saved to {saved_to}. Missed questions are now review cards: ecslearn review",
                           style="ecs.dim"))


def render_paused(console: Console, session: ExamSession, interrupted: bool) -> None:
    st = session.attempt.status()
    console.print()
    console.print(Text(f"{'Interrupted' if interrupted else 'Paused'}: {len(st['answered'])} answer(s) saved, "
                       f"{fmt_time(session.time_left())} left. Continue with: ecslearn exam --resume",
                       style="ecs.warn"))


def render_exam_list(console: Console, exams: list[dict]) -> None:  # type: ignore[type-arg]
    table = Table(title="Exams", title_justify="left", expand=False)
    table.add_column("Code", no_wrap=True)
    table.add_column("Questions", justify="right")
    table.add_column("Minutes", justify="right")
    table.add_column("Pass", justify="right")
    table.add_column("Domains (weight)", overflow="fold")
    for e in exams:
        q = e["questions"]
        doms = "\n".join(f"{d['id']}. {d['name']} ({d['weight']:g}%)" for d in e["domains"])
        table.add_row(e["code"], f"{q['total']} ({q['scored']}+{q['unscored']})", str(e["minutes"]),
                      str(e["passing_score"]), doms)
    console.print(table)
    for e in exams:
        for note in e["notes"]:
            console.print(Text(f"{e['code']}: {note}", style="ecs.dim"))
    if exams:
        console.print(Text(f"Facts verified on {exams[0]['verified_on']}; sources: ecslearn exam --list --json",
                           style="ecs.dim"))


__all__ = ["ExamRunner", "LineExamInput", "Outcome", "TerminalExamInput", "bar", "default_input",
           "render_exam_list", "render_paused", "render_result"]
