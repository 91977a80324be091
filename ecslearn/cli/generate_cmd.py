"""`ecslearn generate`: seeded, simulator-keyed variants and broken-world labs for instructors (issue 9)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ecslearn.cli.main import app
from ecslearn.errors import UsageError


@app.command("generate")
def generate(
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Folder to write into (created if its parent "
                                                                 "exists). Nothing is written outside it.")] = None,
    fmt: Annotated[list[str] | None, typer.Option("--format", "-f", help="gift, moodle-xml, qti, anki, markdown, "
                                                                         "html or json (repeatable, or comma-"
                                                                         "separated). Default json.")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Course seed: the same inputs and seed give byte-identical "
                                                     "files.")] = 0,
    variants: Annotated[int, typer.Option("--variants", "-n", help="Variants per parameterised question "
                                                                   "(questions without params: one).")] = 1,
    topic: Annotated[str | None, typer.Option("--topic", "-t", help="Only questions on this topic.")] = None,
    exam: Annotated[str | None, typer.Option("--exam", "-e", help="Only questions tagged for this exam "
                                                                  "(SAA-C03 or SAA-C03:3.1).")] = None,
    ids: Annotated[list[str] | None, typer.Option("--id", help="Only this question id (repeatable).")] = None,
    roster: Annotated[Path | None, typer.Option("--roster", help="CSV with an 'id' column (and optionally 'name'): "
                                                                 "one variant set per student, in a folder named "
                                                                 "by the id.")] = None,
    labs: Annotated[int | None, typer.Option("--labs", help="Generate N broken-world lab files instead of "
                                                            "questions (each proven broken, then fixed by its "
                                                            "reference solution). With --content-dir, the "
                                                            "pack's labs/ are the templates.")] = None,
    lab_template: Annotated[list[str] | None, typer.Option("--lab-template", help="Only these lab templates "
                                                                                  "(repeatable); see --list-labs.")] = None,
    list_labs: Annotated[bool, typer.Option("--list-labs", help="List the lab templates and exit.")] = False,
    template: Annotated[Path | None, typer.Option("--template", help="Your own Jinja2 template for the markdown/"
                                                                     "html handout (sandboxed).")] = None,
    title: Annotated[str, typer.Option("--title", help="Title of the quiz, deck and handouts.")] = "ecslearn",
    timestamp: Annotated[float | None, typer.Option("--timestamp", help="Anki note time (seconds since 1970); "
                                                                        "default fixed. Pass a later one for a "
                                                                        "deck whose text changed.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary on stdout.")] = False,
    content_dir: Annotated[Path | None, typer.Option("--content-dir", help="Read questions from this pack "
                                                                           "(a folder holding quizzes/).",
                                                     envvar="ECSLEARN_CONTENT_DIR")] = None,
) -> None:
    """Generate verified exercise variants and export them (Moodle GIFT/XML, QTI for Canvas, Anki,
    handouts with an answer key, JSON), or broken-world labs (--labs N).

    Every variant's key is computed and checked by the simulator before it is written; a variant the
    simulator cannot key is skipped and reported. What each format cannot express: order questions
    become matching; config/command/taskdef questions become essay questions (the working solution is
    in the feedback); Moodle's multi-answer questions give partial credit for a subset of the right
    options (any wrong pick scores 0).
    """
    if list_labs:
        from ecslearn.labs.templates import TEMPLATES

        for t in TEMPLATES.values():
            typer.echo(f"{t.name:<24} {t.title}")
        return
    if out is None:
        raise UsageError("--out DIR is required: the folder to write into")
    if labs is not None:
        _labs(labs, seed, out, force, lab_template, as_json, content_dir)
        return
    if lab_template:
        raise UsageError("--lab-template goes with --labs N")
    from ecslearn.content.catalog import load_content
    from ecslearn.export import parse_formats, write_exports
    from ecslearn.export.generate import generate as run
    from ecslearn.export.generate import read_roster

    formats = parse_formats(fmt)
    students = read_roster(roster) if roster is not None else None
    if template is not None and not template.is_file():
        raise UsageError(f"no template file at {template}")
    content = load_content(content_dir)
    gen = run(content, seed=seed, variants=variants, topic=topic, exam=exam, ids=ids, roster=students)
    written = write_exports(gen, formats, out, force=force, title=title, template=template, timestamp=timestamp)
    for s in gen.skipped:
        typer.echo(f"skipped {s}", err=True)
    summary = {"variants": gen.count, "distinct": gen.distinct, "keys_derived": gen.keys_derived,
               "skipped": len(gen.skipped),
               "files": [str(p) for p in written]}
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
    else:
        typer.echo(f"{gen.count} variant(s) ({gen.distinct} distinct) keyed by the simulator, "
                   f"{len(gen.skipped)} skipped; wrote {len(written)} file(s) in {out}")


def _labs(count: int, seed: int, out: Path, force: bool, only: list[str] | None, as_json: bool,
          content_dir: Path | None) -> None:
    from ecslearn.labs.generator import generate_labs, write_labs

    extra = None
    if content_dir is not None:
        from ecslearn.content.catalog import find_root
        from ecslearn.errors import ContentCheckFailed
        from ecslearn.labs.pack import load_pack_labs

        pack, problems = load_pack_labs(find_root(content_dir).path)
        if problems:
            raise ContentCheckFailed(problems)
        extra = {lab.id: lab.template() for lab in pack} or None
    labs = generate_labs(count, seed=seed, templates=only, extra=extra)
    written = write_labs(labs, out, force=force)
    if as_json:
        typer.echo(json.dumps({"labs": [lab.summary() for lab in labs], "files": [str(p) for p in written]},
                              indent=2))
    else:
        for lab in labs:
            typer.echo(f"{lab.file_name:<36} {lab.title} (broken before, fixed by its solution: verified)")
        typer.echo(f"wrote {len(written)} file(s) in {out}")
