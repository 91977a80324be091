"""The bundled quizzes (and, through the checker's plug-ins, lessons) pass `content check` (STYLE.md §4.5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecslearn.content.catalog import load_quizzes
from ecslearn.content.check import check_all
from ecslearn.content.model import Kind

ROOT = Path(__file__).resolve().parents[1]
_QUIZZES, _ = load_quizzes(ROOT)
IDS = [q.id for quiz in _QUIZZES for q in quiz.questions]


@pytest.fixture(scope="module")
def report():
    return check_all(ROOT)


def test_bundled_content_has_no_problems(report):
    assert [str(p) for p in report.problems] == []


@pytest.mark.parametrize("qid", IDS)
def test_each_question_passes(report, qid):
    mine = [str(p) for p in report.problems if f"'{qid}'" in p.message]
    assert mine == []


def test_every_kind_is_represented_and_most_are_simulator_checked(report):
    assert set(report.summary.by_kind) == {k.value for k in Kind}
    assert report.summary.simulator_share >= 0.6


def test_every_question_cites_aws_documentation():
    for quiz in _QUIZZES:
        for q in quiz.questions:
            assert any(url.startswith("https://docs.aws.amazon.com/") for url in q.sources), q.id
