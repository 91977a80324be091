"""The lesson shell: the sandbox shell engine plus the lesson commands, over the lesson's world.

`aws ...`, `time`, `settle` and `save` are the sandbox's own (same AWS CLI driver, same messages);
`curl URL` sends a simulated request to a load balancer (`lesson.traffic`);
`check hint solution next back reset list map logs help quit` drive the `LessonRunner`. The check
runs quietly after every aws command and every move of the clock, and says so when the step passes.
In a predict or quiz step, a line that is no command is the learner's answer (`answer X` also works).
The engine never prints: results carry `views` that `ui.lesson` renders.
"""

from __future__ import annotations

import difflib
import os
import shlex
from dataclasses import dataclass, field
from typing import Any

from ecslearn.errors import EcslearnError
from ecslearn.lesson.model import StepKind
from ecslearn.shell.engine import COMMANDS, ShellEngine, ShellResult

LESSON_COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("check", "check the current step against the simulator (also runs after each command)"),
    "hint": ("hint", "show the next hint (they get more specific)"),
    "solution": ("solution", "show one solution (after the step passes, or after the last hint)"),
    "next": ("next", "go to the next step (`n`)"),
    "back": ("back", "go to the previous step (`b`)"),
    "step": ("step [N]", "show the current step again, or go to step N"),
    "reset": ("reset", "rebuild this step's starting world"),
    "list": ("list", "list the lesson's steps (`l`)"),
    "map": ("map", "draw the clusters, instances, tasks and services"),
    "logs": ("logs", "show the ECS agent logs and the tasks' CloudWatch Logs"),
    "curl": ("curl [-H 'Host: NAME'] URL", "send a request to a load balancer: which rule and task answered"),
    "answer": ("answer VALUE", "answer a predict or quiz step (any other line works too)"),
    "time": COMMANDS["time"],
    "settle": COMMANDS["settle"],
    "save": COMMANDS["save"],
    "help": ("help", "show this help"),
    "quit": ("quit", "leave the lesson; your place is saved (also `exit` or Ctrl-D)"),
}
#: short forms (not while a prediction or a quiz answer is due: then `b` is an answer)
ALIASES = {"n": "next", "b": "back", "l": "list", "h": "hint", "q": "quit", "exit": "quit", "?": "help"}


@dataclass
class LessonResult(ShellResult):
    """A ShellResult with things to render (ui.lesson.render)."""

    views: list[Any] = field(default_factory=list)


class LessonShellEngine(ShellEngine):
    """The shell of one lesson session (the runner may move on to the next lesson)."""

    def __init__(self, runner: Any, *, cwd: str | os.PathLike[str] | None = None, width: int = 80) -> None:
        from pathlib import Path

        # not ShellEngine.__init__: the runner's world already has its simulator and AWS CLI
        self.cwd = Path(cwd) if cwd is not None else Path.cwd()
        self.width = width
        self.scenario = None
        self._start = None
        self.runner = runner
        #: what completion offers and `help` lists (the sandbox's `reset` is the lesson's here)
        self.commands: dict[str, tuple[str, str]] = dict(LESSON_COMMANDS)
        self._handlers: dict[str, Any] = {}
        self._sync(reset_clock=True)

    def _sync(self, *, reset_clock: bool = False) -> None:
        world = self.runner.world
        if world is None:
            return
        if reset_clock or world.sim is not getattr(self, "sim", None):
            self.sim = world.sim
            self.cli = world.cli
            self.seed = world.sim.seed
            self.started_at = world.sim.start
            self.saved_events = len(world.sim.events)

    # --- lines ------------------------------------------------------------------------------

    def execute(self, line: str) -> ShellResult:
        text = line.replace("\\\n", " ").strip()
        if not text or text.startswith("#"):
            return LessonResult(kind="empty")
        word = text.split(None, 1)[0]
        step = self.runner.step
        awaiting = (not self.runner.complete and step.kind in (StepKind.PREDICT, StepKind.QUIZ)
                    and not self.runner.step_done())
        if not awaiting or word == "exit":  # while an answer is due, `b` or `n` is an answer, not `back`/`next`
            word = ALIASES.get(word, word)
        try:
            if word == "aws":
                result = super().execute(text)
                return self._after(result)
            if word in ("time", "settle"):
                return self._after(super().execute(text))
            if word == "curl":
                return self._after(self._curl(text))
            if word == "save":
                return super().execute(text)
            if word in LESSON_COMMANDS:
                try:
                    args = shlex.split(text, comments=True)[1:]
                except ValueError as err:
                    return self._error(f"cannot read that line: {err}")
                return getattr(self, f"_lesson_{word}")(args)
            if not self.runner.complete and step.kind in (StepKind.PREDICT, StepKind.QUIZ):
                return self._views(self.runner.answer(text))
            return self._unknown_word(word, text)
        except EcslearnError as err:
            return self._error(err.message + (f"\nhint: {err.hint}" if err.hint else ""))

    def _after(self, result: ShellResult) -> ShellResult:
        views = [] if self.runner.complete else self.runner.check(quiet=True)
        return LessonResult(result.stdout, result.stderr, result.exit_code, result.quit, result.kind, views)

    def _views(self, views: list[Any], *, quit: bool = False) -> LessonResult:
        self._sync()
        return LessonResult(quit=quit, views=views)

    @staticmethod
    def _error(message: str, code: int = 1) -> ShellResult:
        return LessonResult(stderr=message.rstrip("\n") + "\n", exit_code=code, kind="error")

    def _unknown_word(self, word: str, line: str) -> ShellResult:
        if word in self.aws_commands():
            return self._error(f"{word}: command not found. AWS CLI commands start with `aws`: "
                               f"did you mean `aws {line}`?", 127)
        close = difflib.get_close_matches(word, list(LESSON_COMMANDS), n=1, cutoff=0.6)
        if close:
            return self._error(f"{word}: command not found. Did you mean `{close[0]}`? "
                               "Type `help` for the commands.", 127)
        return self._error(f"{word}: command not found. Type `help` for the lesson commands; "
                           "AWS CLI commands start with `aws`.", 127)

    # --- lesson commands ----------------------------------------------------------------------

    def _lesson_check(self, args: list[str]) -> ShellResult:
        return self._views(self.runner.check())

    def _lesson_hint(self, args: list[str]) -> ShellResult:
        return self._views(self.runner.hint())

    def _lesson_solution(self, args: list[str]) -> ShellResult:
        return self._views(self.runner.solution())

    def _lesson_next(self, args: list[str]) -> ShellResult:
        return self._views(self.runner.next())

    def _lesson_back(self, args: list[str]) -> ShellResult:
        return self._views(self.runner.back())

    def _lesson_step(self, args: list[str]) -> ShellResult:
        if not args:
            return self._views(self.runner.show())
        if len(args) != 1 or not args[0].isdigit():
            return self._error("usage: step [N]", 2)
        return self._views(self.runner.goto(int(args[0])))

    def _lesson_reset(self, args: list[str]) -> ShellResult:
        if args:
            return self._error("usage: reset", 2)
        return self._views(self.runner.reset())

    def _lesson_list(self, args: list[str]) -> ShellResult:
        return self._views(self.runner.steps_list())

    def _lesson_map(self, args: list[str]) -> ShellResult:
        from ecslearn.lesson.runner import View
        from ecslearn.lesson.worldmap import cluster_map

        return self._views([View("map", data=cluster_map(self.runner.world.quiet))])

    def _lesson_logs(self, args: list[str]) -> ShellResult:
        return self._views(self.runner.logs())

    def _lesson_answer(self, args: list[str]) -> ShellResult:
        step = self.runner.step
        if self.runner.complete or step.kind not in (StepKind.PREDICT, StepKind.QUIZ):
            return self._error("There is nothing to answer in this step.")
        return self._views(self.runner.answer(" ".join(args)))

    def _lesson_time(self, args: list[str]) -> ShellResult:  # pragma: no cover - handled in execute
        return self._after(self._cmd_time(args))

    def _lesson_settle(self, args: list[str]) -> ShellResult:  # pragma: no cover - handled in execute
        return self._after(self._cmd_settle(args))

    def _lesson_save(self, args: list[str]) -> ShellResult:  # pragma: no cover - handled in execute
        return self._cmd_save(args)

    def _lesson_help(self, args: list[str]) -> ShellResult:
        lines = ["Inside a lesson, type real AWS CLI commands (aws ...) against the simulated account, and:", ""]
        for usage, text in LESSON_COMMANDS.values():
            lines.append(f"  {usage:<30} {text}")
        lines += ["", "`aws ecs help` and `aws ecs run-task help` show the AWS CLI's own help.",
                  "In a predict or quiz step, type your answer on its own line.",
                  "Lines starting with # are comments. End a line with \\ to continue it on the next one."]
        return LessonResult("\n".join(lines) + "\n")

    def _curl(self, text: str) -> ShellResult:
        from ecslearn.lesson.traffic import curl, parse_curl_line

        try:
            args = parse_curl_line(text)
        except ValueError as err:
            return self._error(f"cannot read that line: {err}")
        stdout, stderr, code = curl(self.sim, args)
        return LessonResult(stdout, stderr, code, kind="shell" if code == 0 else "error")

    def _lesson_curl(self, args: list[str]) -> ShellResult:  # pragma: no cover - handled in execute
        from ecslearn.lesson.traffic import curl

        stdout, stderr, code = curl(self.sim, args)
        return self._after(LessonResult(stdout, stderr, code))

    def _lesson_quit(self, args: list[str]) -> ShellResult:
        return LessonResult(quit=True)


__all__ = ["LESSON_COMMANDS", "LessonResult", "LessonShellEngine"]
