"""The sandbox shell's engine: one line in, one result out. It never prints.

`aws ...` lines run the real AWS CLI (awscli v1) against the shell's simulator (`sim.bridge.AwsCli`);
the shell's own commands move the simulated clock, save the world and so on. The front end
(`shell.repl`) reads lines and shows results; tests drive the engine directly.
"""

from __future__ import annotations

import difflib
import os
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ecslearn.errors import EcslearnError, ScenarioError

if TYPE_CHECKING:
    from ecslearn.sim.simulator import Simulator

#: the shell's own commands, with the one-line help `help` shows
COMMANDS: dict[str, tuple[str, str]] = {
    "aws": ("aws <command> <subcommand> [options]", "run the AWS CLI against the simulated account"),
    "time": ("time [+SECONDS | +Nm | +Nh]", "show the simulated clock, or move it forward"),
    "settle": ("settle", "let time pass until nothing is in flight (instances booting, tasks starting)"),
    "save": ("save FILE", "save this world to a file that `ecslearn sandbox --scenario FILE` loads"),
    "reset": ("reset", "go back to the world the sandbox started with"),
    "help": ("help", "show this help"),
    "quit": ("quit", "leave the sandbox (also `exit` or Ctrl-D)"),
    "exit": ("exit", "leave the sandbox"),
}

_DURATION = re.compile(r"^\+(\d+(?:\.\d+)?)([smhd]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_ADVANCE = 30 * 86400


@dataclass
class ShellResult:
    """What a line did. `stdout`/`stderr` are shown as they are; `quit` asks the front end to leave."""

    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0
    quit: bool = False
    #: "aws" (the AWS CLI ran), "shell" (a shell command), "empty" (blank line or comment), "error"
    kind: str = "shell"

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


def _fmt_time(when: datetime) -> str:
    return when.strftime("%Y-%m-%d %H:%M:%S UTC")


def _fmt_seconds(seconds: float) -> str:
    seconds = round(seconds)
    if seconds < 120:
        return f"{seconds} s"
    minutes, sec = divmod(seconds, 60)
    if minutes < 120:
        return f"{minutes} min {sec} s" if sec else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


class ShellEngine:
    """A sandbox: a recording simulator, the AWS CLI bound to it, and the shell commands.

    >>> engine = ShellEngine(seed=0)
    >>> engine.execute("aws ecs create-cluster --cluster-name prod --query cluster.status --output text").stdout
    'ACTIVE\\n'
    >>> engine.execute("time +90").stdout
    'Advanced 90 s. Simulated time: 2026-01-05 09:01:30 UTC (90 s since the start).\\n'
    """

    def __init__(self, *, seed: int = 0, scenario: str | os.PathLike[str] | None = None,
                 sim: Simulator | None = None, reset: Callable[[], Simulator] | None = None,
                 cwd: str | os.PathLike[str] | None = None, width: int = 80) -> None:
        """A fresh world from `seed`, a saved world (`scenario`), or a simulator you built (`sim`).

        `reset` rebuilds the starting world for the `reset` command (a lesson passes its step's setup);
        by default it is the fresh seed or the saved world again. Use a `RecordingSimulator` for `sim`
        if the world should be savable.
        """
        from ecslearn.sim.world import RecordingSimulator, load_world, world_from_dict, world_to_dict

        self.cwd = Path(cwd) if cwd is not None else Path.cwd()
        self.width = width
        self.scenario = Path(scenario) if scenario is not None else None
        #: the shell's commands (usage, help) by name; `add_command` adds more (lessons: check, hint, ...)
        self.commands: dict[str, tuple[str, str]] = dict(COMMANDS)
        self._handlers: dict[str, Callable[[list[str]], ShellResult]] = {}
        if sim is not None:
            start_sim = sim
            self._reset_what = "the starting world"
        elif self.scenario is not None:
            start_sim = load_world(self._path(self.scenario))
            saved = world_to_dict(start_sim)
            where = str(self.scenario)
            reset = reset or (lambda: world_from_dict(saved, source=where))
            self._reset_what = f"the world loaded from {self.scenario}"
        else:
            start_sim = RecordingSimulator(seed)
            self._reset_what = f"a fresh account (seed {seed})"
        self.seed = start_sim.seed
        self._reset = reset or (lambda: RecordingSimulator(self.seed))
        self._set_sim(start_sim)

    def add_command(self, name: str, usage: str, text: str, handler: Callable[[list[str]], ShellResult]) -> None:
        """Add (or replace) a shell command: `handler(args)` returns the ShellResult to show."""
        self.commands[name] = (usage, text)
        self._handlers[name] = handler

    # --- state -----------------------------------------------------------------------------------

    def _set_sim(self, sim: Simulator) -> None:
        from ecslearn.sim.bridge import AwsCli

        self.sim = sim
        self.cli = AwsCli(sim, cwd=self.cwd, width=self.width)
        self.started_at = sim.now
        self.saved_events = len(getattr(sim, "events", ()))

    def _path(self, name: str | os.PathLike[str]) -> Path:
        path = Path(os.path.expanduser(os.fspath(name)))
        return path if path.is_absolute() else self.cwd / path

    @property
    def unsaved(self) -> bool:
        """True when something happened since the world was loaded or last saved."""
        return len(getattr(self.sim, "events", ())) != self.saved_events

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the world file (raises ScenarioError if it cannot)."""
        from ecslearn.sim.world import save_world

        target = save_world(self.sim, self._path(path))
        self.saved_events = len(self.sim.events)
        return target

    # --- lines -----------------------------------------------------------------------------------

    @staticmethod
    def needs_more(text: str) -> bool:
        """True when `text` continues on the next line (a trailing backslash or an open quote)."""
        if text.endswith("\\") and not text.endswith("\\\\"):
            return True
        try:
            shlex.split(text, comments=True)
        except ValueError:
            return True
        return False

    def execute(self, line: str) -> ShellResult:
        """Run one line (a continuation `\\` + newline counts as a space)."""
        line = line.replace("\\\n", " ").strip()
        if not line or line.startswith("#"):
            return ShellResult(kind="empty")
        word = line.split(None, 1)[0]
        if word == "aws":
            result = self.cli.run(line)
            return ShellResult(result.stdout, result.stderr, result.exit_code, kind="aws")
        try:
            args = shlex.split(line, comments=True)
        except ValueError as err:
            return self._error(f"cannot read that line: {err}")
        handler = self._handlers.get(word) or (getattr(self, f"_cmd_{word}", None) if word in COMMANDS else None)
        if handler is None:
            return self._unknown(word, line)
        try:
            return handler(args[1:])
        except EcslearnError as err:
            return self._error(err.message + (f"\nhint: {err.hint}" if err.hint else ""))

    @staticmethod
    def _error(message: str, code: int = 1) -> ShellResult:
        return ShellResult(stderr=message.rstrip("\n") + "\n", exit_code=code, kind="error")

    def _unknown(self, word: str, line: str) -> ShellResult:
        if word in self.aws_commands():
            return self._error(f"{word}: command not found. AWS CLI commands start with `aws`: "
                               f"did you mean `aws {line}`?", 127)
        close = difflib.get_close_matches(word, list(self.commands), n=1, cutoff=0.6)
        if close:
            return self._error(f"{word}: command not found. Did you mean `{close[0]}`? "
                               "Type `help` for the commands.", 127)
        return self._error(f"{word}: command not found. Type `help` for the commands; "
                           "AWS CLI commands start with `aws`.", 127)

    def aws_commands(self) -> list[str]:
        """The AWS CLI's top-level commands (services and customizations)."""
        return self.cli.command_names()

    # --- the shell's commands ------------------------------------------------------------------

    def _cmd_help(self, args: list[str]) -> ShellResult:
        lines = ["The ecslearn sandbox: a simulated AWS account (us-east-1, account "
                 f"{self.sim.account_id}) with its own clock.", "", "Commands:"]
        for usage, text in self.commands.values():
            if usage != "exit":
                lines.append(f"  {usage:<38} {text}")
        lines += ["", "Examples:",
                  "  aws ecs create-cluster --cluster-name prod",
                  "  aws ecs list-clusters --output table",
                  "  aws ec2 describe-instances --query 'Reservations[].Instances[].InstanceId'",
                  "  time +60",
                  "", "`aws help`, `aws ecs help` and `aws ecs run-task help` show the AWS CLI's own help.",
                  "Lines starting with # are comments. End a line with \\ to continue it on the next one."]
        return ShellResult("\n".join(lines) + "\n")

    def _cmd_time(self, args: list[str]) -> ShellResult:
        if not args:
            return ShellResult(self._clock_line() + "\n")
        match = _DURATION.match(args[0]) if len(args) == 1 else None
        if match is None:
            return self._error(f"usage: {COMMANDS['time'][0]}   (for example `time +60` or `time +5m`)", 2)
        seconds = float(match.group(1)) * _UNITS[match.group(2)]
        if seconds > MAX_ADVANCE:
            return self._error(f"time moves at most {_fmt_seconds(MAX_ADVANCE)} at once", 2)
        self.sim.advance(int(seconds) if seconds == int(seconds) else seconds)
        return ShellResult(f"Advanced {_fmt_seconds(seconds)}. {self._clock_line()}\n")

    def _clock_line(self) -> str:
        since = (self.sim.now - self.started_at).total_seconds()
        return f"Simulated time: {_fmt_time(self.sim.now)} ({_fmt_seconds(since)} since the start)."

    def _cmd_settle(self, args: list[str]) -> ShellResult:
        if args:
            return self._error("usage: settle", 2)
        advanced = self.sim.settle()
        if not advanced:
            return ShellResult(f"Nothing in flight. {self._clock_line()}\n")
        return ShellResult(f"Advanced {_fmt_seconds(advanced)} until nothing was in flight. "
                           f"{self._clock_line()}\n")

    def _cmd_save(self, args: list[str]) -> ShellResult:
        if len(args) != 1:
            return self._error(f"usage: {COMMANDS['save'][0]}", 2)
        target = self.save(args[0])
        return ShellResult(f"Saved the world ({len(self.sim.events)} events) to {args[0]}. "
                           f"Load it with: ecslearn sandbox --scenario {shlex.quote(str(target))}\n")

    def _cmd_reset(self, args: list[str]) -> ShellResult:
        if args:
            return self._error("usage: reset", 2)
        self._set_sim(self._reset())
        return ShellResult(f"Reset to {self._reset_what}. {self._clock_line()}\n")

    def _cmd_quit(self, args: list[str]) -> ShellResult:
        return ShellResult(quit=True)

    _cmd_exit = _cmd_quit


__all__ = ["COMMANDS", "ScenarioError", "ShellEngine", "ShellResult"]
