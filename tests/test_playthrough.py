"""Play every bundled lesson, in order, from empty progress, with scripted input and no network.

It iterates over the catalog, so lessons added later are played too. One `ecslearn` session (no
arguments: it offers lesson 1) goes through them all, typing each `do` step's solution, each quiz's
right answers, and `next`; then every lesson must be done and every answer right.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecslearn.content.catalog import find_root, load_content
from ecslearn.lesson.catalog import load_lessons
from ecslearn.lesson.model import StepKind
from tests.lesson.scripts import script_for

ROOT = Path(__file__).resolve().parents[1]
CONTENT = find_root(ROOT).path
LESSONS, PROBLEMS = load_lessons(CONTENT)
QUESTIONS = {q.id: q for q in load_content(ROOT, strict=False).questions}


def test_bundled_lessons_load_without_problems():
    assert LESSONS, "no lessons are bundled"
    assert PROBLEMS == []


@pytest.fixture(scope="module")
def played(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    lines: list[str] = []
    for lesson in LESSONS:
        lines += script_for(lesson, QUESTIONS)   # the last `next` finishes it; the next `next` opens the following
        lines.append("next")
    lines.append("quit")
    env = {**os.environ, "ECSLEARN_HOME": str(home), "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    env.pop("ECSLEARN_CONTENT_DIR", None)
    proc = subprocess.run([sys.executable, "-m", "ecslearn"], input="\n".join(lines) + "\n", text=True,
                          capture_output=True, env=env, cwd=str(home), timeout=600)
    state = json.loads((home / "state.json").read_text())
    return proc, state


def test_the_session_ends_cleanly(played):
    proc, _ = played
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "Welcome to ecslearn! Starting with lesson 01" in proc.stdout
    assert "Not yet" not in proc.stdout, "a step did not pass when the script expected it to"


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.slug)
def test_every_lesson_is_completed(played, lesson):
    proc, state = played
    progress = state["lessons"].get(lesson.id)
    assert progress is not None, f"lesson {lesson.slug} was never opened"
    assert progress["completed_at"], f"lesson {lesson.slug} was not completed"
    for step in lesson.steps:
        assert step.id in progress["done_steps"], f"{lesson.slug}: step {step.id} not done"
    assert f"Lesson {lesson.number:02d} complete: {lesson.title}." in proc.stdout


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.slug)
def test_every_quiz_answer_in_a_lesson_is_right(played, lesson):
    _, state = played
    ids = {qid for s in lesson.steps for qid in s.question_ids} | {q.id for s in lesson.steps for q in s.questions}
    recorded = [a for a in state["quiz"]["answers"] if a["question"] in ids and a["mode"] == "lesson"]
    assert {a["question"] for a in recorded} == ids
    assert all(a["correct"] for a in recorded), [a for a in recorded if not a["correct"]]


def test_every_do_step_first_fails_then_passes(played):
    proc, _ = played
    do_steps = sum(1 for lesson in LESSONS for s in lesson.steps if s.kind is StepKind.DO)
    assert proc.stdout.count("✔ Step done!") == do_steps
    # the first `check` of each do step explains what is missing as expected vs actual
    assert proc.stdout.count("expected: ") >= do_steps
