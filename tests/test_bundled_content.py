"""The bundled quizzes (and, through the checker's plug-ins, lessons) pass `ecslearn content check`
(STYLE.md §4.5). The command runs once; each question id is its own test, so a failure names it."""

from __future__ import annotations

import contextlib
import io
import json
import os
from pathlib import Path

import pytest

from ecslearn.cli.main import main
from ecslearn.content.catalog import load_quizzes
from ecslearn.content.model import Kind

ROOT = Path(__file__).resolve().parents[1]
_QUIZZES, _ = load_quizzes(ROOT)
IDS = [q.id for quiz in _QUIZZES for q in quiz.questions]


@pytest.fixture(scope="module")
def report():
    """`ecslearn content check --json` on the bundled content, through the CLI's error boundary."""
    saved = os.environ.pop("ECSLEARN_CONTENT_DIR", None)
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out), pytest.raises(SystemExit) as info:
            main(["content", "check", "--json"])
    finally:
        if saved is not None:
            os.environ["ECSLEARN_CONTENT_DIR"] = saved
    data = json.loads(out.getvalue())
    data["exit_code"] = info.value.code
    return data


def test_bundled_content_has_no_problems(report):
    assert [p["text"] for p in report["problems"]] == []
    assert report["ok"] is True and report["exit_code"] in (0, None)
    assert report["summary"]["questions"] >= len(IDS) > 0


@pytest.mark.parametrize("qid", IDS)
def test_each_question_passes(report, qid):
    assert [p["text"] for p in report["problems"] if f"'{qid}'" in p["message"]] == []


def test_every_kind_is_represented_and_most_are_simulator_checked(report):
    assert set(report["summary"]["by_kind"]) == {k.value for k in Kind}
    assert report["summary"]["simulator_share"] >= 0.6


def test_every_question_cites_aws_documentation():
    for quiz in _QUIZZES:
        for q in quiz.questions:
            assert any(url.startswith("https://docs.aws.amazon.com/") for url in q.sources), q.id


def test_the_starter_bank_and_curriculum_have_their_promised_size(report):
    """Issue-level promises the README repeats: at least 80 questions, 15 lessons (01-15)."""
    from ecslearn.lesson.catalog import load_lessons

    assert report["summary"]["questions"] >= 80
    lessons, problems = load_lessons(ROOT)
    assert problems == []
    assert [lesson.id for lesson in lessons] and len(lessons) >= 15
    numbers = sorted(int(Path(lesson.location.path).name[:2]) for lesson in lessons if lesson.location)
    assert numbers[:15] == list(range(1, 16))
