"""`ecslearn grade`: grade students' saved worlds against a lab and write a CSV gradebook (issue 9)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Annotated

import typer

from ecslearn.cli.main import app
from ecslearn.errors import ExportError


@app.command("grade")
def grade(
    scenario: Annotated[Path, typer.Option("--scenario", help="The lab file (from `ecslearn generate --labs`).")],
    submissions: Annotated[list[Path], typer.Argument(help="Saved worlds (`ecslearn sandbox --scenario LAB "
                                                           "--save FILE`).")],
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the CSV gradebook to this file.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the gradebook if it exists.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Grade one or many saved worlds against a lab's checks; per-check feedback (expected vs actual).

    Columns: submission, lab, score, passed, total, error, feedback. A world that did not start from
    this lab, or cannot be read, gets score 0 and the reason in `error`.
    """
    from ecslearn.labs.grader import grade_all, gradebook_csv
    from ecslearn.labs.model import load_lab

    lab = load_lab(scenario)
    if out is not None:
        _check_target(out, force)
    grades = grade_all(lab, list(submissions))
    if out is not None:
        _write_atomic(out, gradebook_csv(grades), force)
    if as_json:
        typer.echo(json.dumps([g.to_dict() for g in grades], indent=2))
        return
    for g in grades:
        head = f"{g.submission}: {g.passed}/{g.total}" + (f" - {g.error}" if g.error else "")
        typer.echo(head)
        for c in g.checks:
            typer.echo(f"  {c.line()}")
    if out is not None:
        typer.echo(f"gradebook written to {out}")


def _check_target(out: Path, force: bool) -> None:
    if out.is_dir():
        raise ExportError(f"{out} is a folder; --out names the CSV file to write")
    parent = out.parent if str(out.parent) else Path(".")
    if not parent.is_dir():
        raise ExportError(f"cannot write {out}: the folder {out.parent} does not exist")
    if out.exists() and not force:
        raise ExportError(f"{out} already exists", hint="pass --force to overwrite it")


def _write_atomic(out: Path, text: str, force: bool) -> None:
    _check_target(out, force)
    parent = out.parent if str(out.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=parent)
    except OSError as err:
        raise ExportError(f"cannot write {out}: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, out)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"cannot write {out}: {err.strerror or err}") from None
