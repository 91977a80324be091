"""Whatever a learner types, the lesson shell answers with a result, never an exception (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecslearn.lesson.catalog import load_lessons
from ecslearn.lesson.runner import LessonRunner
from ecslearn.progress import ProgressStore
from ecslearn.shell.lesson import LESSON_COMMANDS, LessonShellEngine
from tests.lesson.test_lesson_format import GOOD, write

WORDS = [*LESSON_COMMANDS, "n", "b", "l", "h", "?", "aws", "aws ecs", "aws ecs create-cluster", "aws ec2",
         "aws ecs list-clusters", "step", "time", "answer", "#", "\\", "'", '"', "--", "+60", "9", "-1", "prod"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    root = tmp_path_factory.mktemp("content")
    write(root, GOOD)
    lessons, _ = load_lessons(root)
    store = ProgressStore(tmp_path_factory.mktemp("home") / "state.json")
    runner, _ = LessonRunner.start(lessons, lessons[0], store)
    # `save FILE` and friends write relative to the shell's folder: keep them out of the checkout
    return LessonShellEngine(runner, cwd=tmp_path_factory.mktemp("cwd"))


line = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=8)), min_size=1, max_size=5).map(" ".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(line, min_size=1, max_size=4))
def test_any_line_gets_a_result(engine, lines):
    for text in lines:
        if text.split()[:1] in (["quit"], ["exit"], ["q"]):
            continue
        result = engine.execute(text)
        assert isinstance(result.exit_code, int)
        assert "Traceback" not in result.stdout + result.stderr
