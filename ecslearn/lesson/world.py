"""A lesson's world: a recording simulator built from the lesson's `world:` file (if any) and `setup:`, the AWS CLI bound to it,
and the step checks explained as expected vs actual.

How a step's world is made (the documented choice, see docs/LESSONS.md): **rebuilt**, never stored.
The world at step N is the lesson's setup followed by the lines of every earlier step that changes the
world (each `do` step's `solution`, each `predict` step's `run`), replayed in order on a fresh seeded
simulator. `reset`, `back` and resuming after `quit` all use it, so a learner always lands in a world
the lesson was checked against (`ecslearn content check` replays exactly this), even after ecslearn is
upgraded. The price: what a learner did beyond the solution in earlier steps is not carried over.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ecslearn.content.model import Check, Query
from ecslearn.errors import NotModelledError, ScenarioError, SimulatorError
from ecslearn.lesson.model import Lesson
from ecslearn.lesson.schema import line_kind, time_seconds
from ecslearn.scenario import CheckOutcome, Scenario, jsonable


@dataclass(frozen=True)
class LineResult:
    """What one replayed or typed line did."""

    line: str
    ok: bool
    stdout: str = ""
    stderr: str = ""


@dataclass(frozen=True)
class CheckItem:
    """One check, in a learner's words: what was expected and what the simulator says."""

    label: str
    passed: bool
    expected: str
    actual: str


@dataclass(frozen=True)
class CheckReport:
    """A step's checks against the world: `passed`, each item, and the state that explains a failure."""

    passed: bool
    items: tuple[CheckItem, ...]
    context: tuple[str, ...] = ()     # last service events, stopped tasks' reasons, agent log lines

    @property
    def headline(self) -> str:
        """One line: the first failing check as expected vs actual, with the first piece of context."""
        for item in self.items:
            if not item.passed:
                why = f"; {self.context[0]}" if self.context else ""
                return f"{item.label}: expected {item.expected}, actual {item.actual}{why}"
        return "every check passes"

    def to_dict(self) -> dict[str, Any]:
        return {"passed": self.passed, "headline": self.headline,
                "checks": [vars(i) for i in self.items], "context": list(self.context)}


_OPS = {"eq": "{}", "ne": "anything but {}", "gt": "more than {}", "ge": "at least {}", "lt": "less than {}",
        "le": "at most {}", "contains": "a value containing {}", "in": "one of {}", "matches": "text matching /{}/"}


def show_value(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value else "''"
    if isinstance(value, list) and not value:
        return "none"
    import json

    text = json.dumps(jsonable(value), ensure_ascii=False)
    return text if len(text) <= 120 else text[:119] + "…"


def _expected(outcome: CheckOutcome) -> str:
    if outcome.op == "exists":
        return "to exist" if outcome.expected else "to be absent"
    if outcome.op == "in":
        return "one of " + ", ".join(show_value(v) for v in (outcome.expected or []))
    if outcome.op == "matches":
        return _OPS["matches"].format(outcome.expected)
    return _OPS.get(outcome.op, "{}").format(show_value(outcome.expected))


def worst_lines(log: list[str], limit: int = 1) -> list[str]:
    """The agent log lines that explain most: the last errors, else critical lines, else warnings."""
    for level in ("level=error", "level=crit", "level=warn"):
        found = [ln for ln in log if level in ln]
        if found:
            return found[-limit:]
    return []


class _Quiet:
    """The world's simulator seen without recording (checks and the map are not part of the world)."""

    def __init__(self, sim: Any) -> None:
        self._sim = sim

    def client(self, name: str) -> Any:
        from ecslearn.sim import Simulator

        return Simulator.client(self._sim, name)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sim, name)


class LessonWorld:
    """A fresh world for a lesson (setup applied); `run_line` types a line into it."""

    def __init__(self, lesson: Lesson, *, cwd: str | os.PathLike[str] | None = None, width: int = 80) -> None:
        from ecslearn.sim.world import RecordingSimulator

        self.lesson = lesson
        self.cwd = cwd
        self.width = width
        self._cli: Any = None
        if lesson.world_path is not None:
            from ecslearn.sim.world import load_world

            self.sim = load_world(lesson.world_path)   # the saved world keeps its own seed
        else:
            self.sim = RecordingSimulator(lesson.seed)
        self.scenario = Scenario(self.sim.seed, launch=lesson.launch)
        self.scenario.sim = self.sim
        self.scenario.setup(lesson.setup)
        self.quiet = _Quiet(self.sim)

    @property
    def cli(self) -> Any:
        """An AWS CLI driver of this world's own, for an interactive shell (built on first use)."""
        if self._cli is None:
            from ecslearn.sim.bridge import AwsCli

            self._cli = AwsCli(self.sim, cwd=self.cwd, width=self.width)
        return self._cli

    @classmethod
    def at_step(cls, lesson: Lesson, index: int, *, include_current: bool = False,
                cwd: str | os.PathLike[str] | None = None, width: int = 80) -> LessonWorld:
        """The world at the start of step `index` (or at its end with `include_current`)."""
        world = cls(lesson, cwd=cwd, width=width)
        upto = index + 1 if include_current else index
        for step in lesson.steps[:upto]:
            for line in step.changes_world:
                result = world.run_line(line)
                if not result.ok:
                    where = f"{step.location}: " if step.location else ""
                    raise ScenarioError(f"{where}step '{step.id}': replaying `{line}` failed: "
                                        f"{(result.stderr or result.stdout).strip()}")
        return world

    # --- typing lines -------------------------------------------------------------------------

    def run_line(self, line: str) -> LineResult:
        """Run a line as the lesson shell would: `aws ...`, `time +N`, `settle` or `curl URL`."""
        kind = line_kind(line)
        if kind == "aws":
            if self._cli is not None:
                result = self._cli.run(line)
            else:  # replays and checks: share one driver instead of building one per world
                from ecslearn.sim.bridge import run_shared

                result = run_shared(self.sim, line, cwd=self.cwd, width=self.width)
            return LineResult(line, result.exit_code == 0, result.stdout, result.stderr)
        if kind == "time":
            self.sim.advance(time_seconds(line))
            return LineResult(line, True)
        if kind == "settle":
            self.sim.settle()
            return LineResult(line, True)
        if kind == "curl":
            from ecslearn.lesson.traffic import curl, parse_curl_line

            try:
                args = parse_curl_line(line)
            except ValueError as err:
                return LineResult(line, False, stderr=f"cannot read that line: {err}\n")
            stdout, stderr, code = curl(self.sim, args)
            return LineResult(line, code == 0, stdout, stderr)
        return LineResult(line, False, stderr=f"not a line a lesson can run: {line!r}\n")

    # --- looking at the world -------------------------------------------------------------------

    def _view(self) -> Scenario:
        view = Scenario.__new__(Scenario)
        view.__dict__.update(self.scenario.__dict__)
        view.sim = self.quiet  # type: ignore[assignment]
        view.vars = dict(self.scenario.vars)  # what checks `save:` stays with this look at the world
        return view

    def check(self, checks: tuple[Check, ...] | list[Check]) -> CheckReport:
        """Evaluate `expect:` checks; a failure comes with the simulator's own explanation."""
        view = self._view()
        outcomes = view.evaluate(checks)
        items = tuple(CheckItem(check.label or check.describe(), o.passed, _expected(o),
                                o.error if o.error else show_value(o.actual))
                      for check, o in zip(checks, outcomes))
        passed = all(o.passed for o in outcomes)
        context: tuple[str, ...] = ()
        if not passed:
            stopped, events = view.observations()
            notes = tuple(dict.fromkeys(o.note for o in outcomes if not o.passed and o.note))
            context = (*notes, *(f"last event: {e}" for e in events), *(f"stopped {s}" for s in stopped),
                       *self.agent_notes())
        return CheckReport(passed, items, context)

    def ask(self, query: Query) -> Any:
        return self._view().ask(query)

    def agent_notes(self, limit: int = 1) -> tuple[str, ...]:
        """The latest agent warnings/errors on every EC2 instance (why an instance did not register)."""
        from ecslearn.scenario import _agent_msg
        from ecslearn.sim.agent import agent_log

        out = []
        for instance_id in self.instance_ids():
            lines = worst_lines(agent_log(self.sim, instance_id), limit)
            out.extend(f"agent on {instance_id}: {_agent_msg(ln)}" for ln in lines)
        return tuple(out)

    def instance_ids(self) -> list[str]:
        try:
            found = self.quiet.client("ec2").describe_instances()
        except (SimulatorError, NotModelledError):
            return []
        return [i["InstanceId"] for r in found.get("Reservations", []) for i in r.get("Instances", [])]

    def logs(self, limit: int = 20) -> list[tuple[str, list[str]]]:
        """(title, lines) sections: each instance's agent log, then each CloudWatch Logs stream's events."""
        from ecslearn.sim.agent import agent_log

        sections: list[tuple[str, list[str]]] = []
        for instance_id in self.instance_ids():
            lines = agent_log(self.sim, instance_id)
            if lines:
                sections.append((f"ECS agent on {instance_id} (/var/log/ecs/ecs-agent.log)", lines[-limit:]))
        try:
            logs = self.quiet.client("logs")
            for group in logs.describe_log_groups().get("logGroups", []):
                name = group["logGroupName"]
                for stream in logs.describe_log_streams(logGroupName=name).get("logStreams", []):
                    events = logs.get_log_events(logGroupName=name, logStreamName=stream["logStreamName"])
                    lines = [e.get("message", "") for e in events.get("events", [])]
                    if lines:
                        sections.append((f"CloudWatch Logs {name} {stream['logStreamName']}", lines[-limit:]))
        except (SimulatorError, NotModelledError, KeyError):
            pass
        return sections


__all__ = ["CheckItem", "CheckReport", "LessonWorld", "LineResult", "show_value"]
