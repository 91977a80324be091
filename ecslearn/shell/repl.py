"""The sandbox shell's front end: prompt_toolkit on a terminal, plain lines from a pipe.

On a terminal: line editing, history (in the ecslearn data folder), tab completion of aws services,
operations, options and enum values; Ctrl-C cancels the line being typed, Ctrl-D or `quit` leaves.
Without a terminal (a script piped in), each line runs in turn and nothing but the commands'
output is printed; the exit code is the last command's, as with `sh -s < script`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from ecslearn.errors import EcslearnError

if TYPE_CHECKING:
    from ecslearn.shell.engine import ShellEngine, ShellResult

HISTORY_FILE = "sandbox_history"


def _show(result: ShellResult, out: TextIO, err: TextIO) -> None:
    if result.stdout:
        out.write(result.stdout)
        out.flush()
    if result.stderr:
        err.write(result.stderr)
        err.flush()


def _finish(engine: ShellEngine, save_to: str | Path | None, err: TextIO) -> int:
    if save_to is None:
        return 0
    try:
        engine.save(save_to)
    except EcslearnError as exc:
        err.write(f"error: {exc.message}\n")
        return 1
    err.write(f"Saved the world to {save_to}.\n")
    return 0


def _lines(stream: TextIO, engine: ShellEngine) -> Iterator[str]:
    """Logical lines: a trailing backslash or an open quote continues on the next physical line."""
    pending = ""
    for raw in stream:
        text = pending + raw.rstrip("\r\n")
        if engine.needs_more(text):
            pending = text + "\n"
            continue
        pending = ""
        yield text
    if pending:
        yield pending.rstrip("\n")


def run_script(engine: ShellEngine, stream: TextIO, out: TextIO, err: TextIO, *,
               save_to: str | Path | None = None) -> int:
    """Run lines from a non-terminal stream; return the last command's exit code."""
    code = 0
    for line in _lines(stream, engine):
        result = engine.execute(line)
        _show(result, out, err)
        if result.kind != "empty":
            code = result.exit_code
        if result.quit:
            break
    saved = _finish(engine, save_to, err)
    return code or saved


def history_path() -> Path | None:
    """Where the shell keeps its history (None if the data folder cannot be created)."""
    from ecslearn.progress.store import data_dir

    folder = data_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return folder / HISTORY_FILE


def _completer(engine: ShellEngine) -> Any:
    from prompt_toolkit.completion import Completer, Completion

    from ecslearn.shell.completion import complete

    class AwsCompleter(Completer):
        def get_completions(self, document: Any, complete_event: Any) -> Iterator[Any]:
            try:
                candidates = complete(engine, document.text_before_cursor)
            except Exception:  # completion must never break the prompt
                return
            for c in candidates:
                yield Completion(c.text, start_position=-c.replace)

    return AwsCompleter()


def run_interactive(engine: ShellEngine, *, save_to: str | Path | None = None) -> int:
    """The prompt_toolkit loop on a terminal."""
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory, InMemoryHistory

    from ecslearn.ui.console import make_console

    console = make_console()
    path = history_path()
    history = FileHistory(str(path)) if path is not None else InMemoryHistory()
    session: PromptSession[str] = PromptSession(history=history, completer=_completer(engine),
                                                complete_while_typing=False)
    console.print("[ecs.heading]ecslearn sandbox[/ecs.heading]: a simulated AWS account, offline. "
                  "Type [bold]aws ...[/bold] commands, [bold]help[/bold] for more, "
                  "[bold]quit[/bold] or Ctrl-D to leave.")
    if engine.scenario is not None:
        console.print(f"Loaded the world from {engine.scenario} ({len(getattr(engine.sim, 'events', ()))} "
                      f"recorded steps). {engine.execute('time').stdout.strip()}", markup=False)
    while True:
        prompt = f"sandbox {engine.sim.now:%H:%M:%S} $ "
        try:
            text = session.prompt(prompt)
            while engine.needs_more(text):
                text += "\n" + session.prompt("> ")
        except KeyboardInterrupt:  # Ctrl-C: drop the line, prompt again
            continue
        except EOFError:  # Ctrl-D
            break
        try:
            result = engine.execute(text)
        except KeyboardInterrupt:
            sys.stdout.write("\n")
            continue
        _show(result, sys.stdout, sys.stderr)
        if result.quit:
            break
    if save_to is None and engine.unsaved:
        console.print("This world was not saved (`save FILE` in the shell, or `ecslearn sandbox --save FILE`).",
                      markup=False)
    return _finish(engine, save_to, sys.stderr)


def run(engine: ShellEngine, *, save_to: str | Path | None = None, interactive: bool | None = None) -> int:
    """Run the shell on this process's stdin/stdout; return the exit code."""
    if interactive is None:
        interactive = sys.stdin.isatty() and sys.stdout.isatty()
    if interactive:
        return run_interactive(engine, save_to=save_to)
    return run_script(engine, sys.stdin, sys.stdout, sys.stderr, save_to=save_to)


__all__ = ["history_path", "run", "run_interactive", "run_script"]
