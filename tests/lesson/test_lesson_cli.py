"""`ecslearn learn`, `ecslearn lessons`, `ecslearn` (resume) and `ecslearn progress reset`, as scripts run them."""

from __future__ import annotations

import io
import json
import sys

import pytest

from ecslearn.cli.main import main
from tests.lesson.test_lesson_format import GOOD, write
from tests.lesson.test_lesson_shell import SECOND


class Result:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def content(tmp_path):
    root = tmp_path / "content"
    write(root, GOOD)
    write(root, SECOND, "02-second.yaml")
    return root


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def run(monkeypatch, capsys, content, home):
    def invoke(*args: str, stdin: str = "") -> Result:
        monkeypatch.setenv("ECSLEARN_HOME", str(home))
        monkeypatch.setenv("ECSLEARN_CONTENT_DIR", str(content))
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return invoke


def statuses(run) -> dict[str, str]:
    result = run("lessons", "--json")
    assert result.code == 0, result.err
    return {row["id"]: row["status"] for row in json.loads(result.out)}


def test_lessons_lists_done_in_progress_and_not_started(run):
    assert statuses(run) == {"tiny-lesson": "not started", "second-lesson": "not started"}
    run("learn", "1", stdin="next\n")
    assert statuses(run) == {"tiny-lesson": "in progress", "second-lesson": "not started"}
    run("learn", "tiny-lesson", stdin="aws ecs create-cluster --cluster-name prod\nnext\n2\nnext\n")
    assert statuses(run) == {"tiny-lesson": "done", "second-lesson": "not started"}
    table = run("lessons")
    assert "Tiny" in table.out and "done" in table.out and "not started" in table.out


def test_ecslearn_alone_offers_the_first_lesson_then_resumes(run):
    first = run(stdin="next\nquit\n")
    assert first.code == 0, first.err
    assert "Welcome to ecslearn! Starting with lesson 01." in first.out
    assert "Step 2/3" in first.out
    assert "Saved: lesson 01, step 2." in first.out
    again = run(stdin="quit\n")
    assert "Resuming at step 2 of 3." in again.out
    assert "Step 2/3 · do" in again.out


def test_after_a_finished_lesson_ecslearn_goes_on_with_the_next(run):
    run("learn", "1", stdin="next\naws ecs create-cluster --cluster-name prod\nnext\n2\nnext\nquit\n")
    result = run(stdin="quit\n")
    assert "Next up: lesson 02." in result.out
    assert "Lesson 02: Second" in result.out


def test_an_unknown_lesson_is_a_clear_error(run):
    result = run("learn", "tiny-lesons")
    assert result.code == 1
    assert "error: no lesson 'tiny-lesons'" in result.err
    assert "did you mean 'tiny-lesson'?" in result.err


def test_the_exit_code_is_the_last_commands(run):
    result = run("learn", "1", stdin="aws ecs delete-cluster --cluster nope\n")
    assert result.code == 254
    assert "ClusterNotFoundException" in result.err


def test_progress_reset_one_lesson(run, home):
    run("learn", "1", stdin="next\n")
    run("learn", "2", stdin="next\n")
    refused = run("progress", "reset", "1")
    assert refused.code == 2 and "add --yes" in refused.err
    assert statuses(run)["tiny-lesson"] == "in progress"
    result = run("progress", "reset", "1", "--yes")
    assert result.code == 0 and "Reset lesson 'tiny-lesson'." in result.out
    assert statuses(run) == {"tiny-lesson": "not started", "second-lesson": "done"}
    assert "had no progress" in run("progress", "reset", "tiny-lesson", "--yes").out


def test_progress_reset_all_keeps_a_backup(run, home):
    run("learn", "1", stdin="next\n")
    result = run("progress", "reset", "--all", "--yes")
    assert result.code == 0, result.err
    backups = list(home.glob("state.json.reset-*"))
    assert len(backups) == 1 and str(backups[0]) in result.out
    assert statuses(run) == {"tiny-lesson": "not started", "second-lesson": "not started"}
    assert "no progress to reset" in run("progress", "reset", "--all", "--yes").out


@pytest.mark.parametrize("args", [("progress", "reset"), ("progress", "reset", "1", "--all")])
def test_progress_reset_needs_exactly_one_target(run, args):
    result = run(*args, "--yes")
    assert result.code == 2
    assert "give a LESSON or --all" in result.err


def test_progress_reset_asks_on_a_terminal(run, monkeypatch):
    import typer

    run("learn", "1", stdin="next\n")
    monkeypatch.setattr("ecslearn.cli.progress_cmd.on_terminal", lambda: True)
    asked = []
    answers = iter([False, True])

    def confirm(text, default=False):
        asked.append(text)
        return next(answers)

    monkeypatch.setattr(typer, "confirm", confirm)
    kept = run("progress", "reset", "1")
    assert kept.code == 1 and "Nothing was reset." in kept.out
    assert asked == ["Reset your progress in lesson 'tiny-lesson'?"]
    assert statuses(run)["tiny-lesson"] == "in progress"
    done = run("progress", "reset", "1")
    assert done.code == 0
    assert statuses(run)["tiny-lesson"] == "not started"
