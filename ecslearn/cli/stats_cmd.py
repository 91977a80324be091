"""`ecslearn stats`: lessons done, accuracy by topic and exam domain over time, exam trend, cards due."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from ecslearn.cli.main import app


@app.command("stats")
def stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print the statistics as JSON.")] = False,
    weeks: Annotated[int, typer.Option("--weeks", help="How many weeks the trends cover.", min=1, max=52)] = 6,
    content_dir: Annotated[Path | None, typer.Option("--content-dir", help="Read quizzes and lessons from this "
                                                                         "folder.", envvar="ECSLEARN_CONTENT_DIR")] = None,
) -> None:
    """Your progress: lessons done, accuracy by topic and exam domain, exam attempts, review cards due."""
    from ecslearn.content.catalog import load_content
    from ecslearn.errors import EcslearnError
    from ecslearn.exam import data
    from ecslearn.progress import ProgressStore
    from ecslearn.stats.engine import compute
    from ecslearn.ui.console import make_console
    from ecslearn.ui.quiz import print_warning
    from ecslearn.ui.stats import render_stats

    store = ProgressStore()
    state = store.load()
    for warning in store.warnings:
        print_warning(str(warning))
    content = load_content(content_dir, strict=False)
    topics = {q.id: q.topic for q in content.questions}
    tags = {q.id: tuple(q.exams) for q in content.questions}
    lessons_total = None
    try:
        from ecslearn.lesson.catalog import bundled_lessons

        lessons_total = len(bundled_lessons(content_dir, strict=False))
    except (EcslearnError, ImportError, OSError):
        lessons_total = None
    doc = compute(state, topics=topics, tags=tags, exams=data.load(), lessons_total=lessons_total, weeks=weeks)
    if as_json:
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        render_stats(make_console(), doc)
