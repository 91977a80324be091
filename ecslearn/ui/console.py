"""Consoles and the error printer. Colour follows NO_COLOR (Rich honours it)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.theme import Theme

if TYPE_CHECKING:
    from ecslearn.errors import EcslearnError

THEME = Theme({
    "ecs.ok": "green",
    "ecs.bad": "red",
    "ecs.warn": "yellow",
    "ecs.dim": "dim",
    "ecs.id": "cyan",
    "ecs.task.running": "green",
    "ecs.task.pending": "yellow",
    "ecs.task.stopped": "red",
    "ecs.heading": "bold",
    "error": "bold red",
    "hint": "yellow",
})


def make_console(*, stderr: bool = False, file: TextIO | None = None, width: int | None = None,
                 color: bool | None = None) -> Console:
    """The one console factory (tests pass a StringIO and a width)."""
    kwargs: dict = {"theme": THEME, "highlight": False}
    if file is not None:
        kwargs["file"] = file
    elif stderr:
        kwargs["stderr"] = True
    if width is not None:
        kwargs["width"] = width
    if color is False:
        kwargs["no_color"] = True
        kwargs["color_system"] = None
    return Console(**kwargs)


def print_error(err: EcslearnError, console: Console | None = None) -> None:
    """`error: message` (location is inside the message) then `hint: ...`, on stderr."""
    console = console or make_console(stderr=True)
    from ecslearn.sim.errors import ClientError

    if isinstance(err, ClientError):
        # exactly what the AWS CLI prints
        console.print(f"\n{err.message}", markup=False, soft_wrap=True)
    else:
        console.print("[error]error:[/error] ", end="")
        console.print(err.message, markup=False, soft_wrap=True)
    if err.hint:
        console.print("[hint]hint:[/hint] ", end="")
        console.print(err.hint, markup=False, soft_wrap=True)


def print_interrupted() -> None:
    print("\ninterrupted", file=sys.stderr)
