"""Tab completion for the sandbox shell, from the AWS CLI's command tree (the botocore models).

Pure logic, no prompt_toolkit: `complete(engine, text)` returns the candidates for the word under
the cursor; the front end turns them into prompt_toolkit completions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ecslearn.sim.bridge import GLOBAL_OPTIONS_WITH_VALUE as _GLOBAL_WITH_VALUE

if TYPE_CHECKING:
    from ecslearn.shell.engine import ShellEngine


@dataclass(frozen=True)
class Candidate:
    """Replace the last `replace` characters before the cursor with `text`."""

    text: str
    replace: int


def _words(text: str) -> tuple[list[str], str]:
    """Finished words and the word under the cursor (quotes are not interpreted: good enough here)."""
    parts = text.split()
    if not text or text[-1].isspace():
        return parts, ""
    return parts[:-1], parts[-1]


def complete(engine: ShellEngine, text: str) -> list[Candidate]:
    """Candidates for the word at the end of `text` (the line up to the cursor)."""
    done, word = _words(text)
    if not done:
        return [Candidate(c, len(word)) for c in ["aws", *engine.commands] if c.startswith(word) and c != "exit"]
    if done[0] != "aws":
        return []
    for prefix in ("fileb://", "file://"):
        if word.startswith(prefix):
            return _paths(engine.cwd, prefix, word)
    cli = engine.cli
    positional: list[str] = []
    expect_value = False
    for token in done[1:]:
        if expect_value:
            expect_value = False
            continue
        if token.startswith("--"):
            expect_value = token in _GLOBAL_WITH_VALUE
            continue
        positional.append(token)
    command = positional[0] if positional else None
    sub = positional[1] if len(positional) > 1 else None
    previous = done[-1]
    if previous.startswith("--") and not word.startswith("--"):
        choices = cli.option_choices(command, sub, previous)
        if choices:
            return [Candidate(c, len(word)) for c in choices if c.startswith(word)]
        if previous in _GLOBAL_WITH_VALUE:
            return []
    if word.startswith("-"):
        used = set(done)
        return [Candidate(o, len(word)) for o in cli.option_names(command, sub)
                if o.startswith(word) and o not in used]
    if command is None:
        return [Candidate(c, len(word)) for c in cli.command_names() if c.startswith(word)]
    if sub is None:
        return [Candidate(c, len(word)) for c in cli.subcommand_names(command) if c.startswith(word)]
    return []


def _paths(cwd: Path, prefix: str, word: str) -> list[Candidate]:
    """`file://c<TAB>` → `file://cluster.json` (relative to the shell's directory; folders end in /)."""
    typed = word[len(prefix):]
    folder, _, start = typed.rpartition("/")
    base = Path(os.path.expanduser(folder)) if folder else Path(".")
    where = base if base.is_absolute() else cwd / base
    try:
        entries = sorted(where.iterdir(), key=lambda p: p.name)
    except OSError:
        return []
    out = []
    for entry in entries:
        if entry.name.startswith(start) and (start.startswith(".") or not entry.name.startswith(".")):
            shown = f"{folder}/{entry.name}" if folder else entry.name
            out.append(Candidate(f"{prefix}{shown}{'/' if entry.is_dir() else ''}", len(word)))
    return out


__all__ = ["Candidate", "complete"]
