"""The lesson shell engine and runner, driven line by line as the front end drives them (no terminal)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecslearn.lesson.catalog import load_lessons
from ecslearn.lesson.runner import LessonRunner
from ecslearn.progress import ProgressStore
from ecslearn.shell.lesson import LessonShellEngine
from tests.lesson.test_lesson_format import GOOD, write

SECOND = """\
format: 1
id: second-lesson
title: Second
summary: The one after.
objectives: [Go on]
setup:
  - {config: ["ECS_CLUSTER=nowhere"]}
  - {advance: 60}
steps:
  - id: only
    say: The end.
"""


@pytest.fixture
def lessons(tmp_path):
    write(tmp_path, GOOD)
    write(tmp_path, SECOND, "02-second.yaml")
    found, problems = load_lessons(tmp_path)
    assert problems == []
    return found


@pytest.fixture
def store(tmp_path):
    return ProgressStore(tmp_path / "home" / "state.json")


def start(lessons, store, index=0):
    runner, views = LessonRunner.start(lessons, lessons[index], store)
    return LessonShellEngine(runner), views


def kinds(result):
    return [v.kind for v in result.views]


def texts(result):
    return " | ".join(v.text for v in result.views)


def test_a_say_step_goes_on_with_next_and_saves_the_position(lessons, store):
    engine, views = start(lessons, store)
    assert [v.kind for v in views[:2]] == ["lesson", "step"]
    result = engine.execute("next")
    assert result.views[0].data.step.id == "make-prod"
    state = json.loads(store.path.read_text())
    assert state["current_lesson"] == "tiny-lesson"
    assert state["lessons"]["tiny-lesson"]["current_step"] == "make-prod"
    assert state["lessons"]["tiny-lesson"]["done_steps"] == ["intro"]


def test_a_failed_check_says_expected_and_actual(lessons, store):
    engine, _ = start(lessons, store)
    engine.execute("next")
    result = engine.execute("check")
    (report,) = [v.data for v in result.views if v.kind == "check"]
    assert not report.passed
    assert report.items[0].label == "cluster prod is ACTIVE"
    assert (report.items[0].expected, report.items[0].actual) == ("ACTIVE", "nothing")
    assert report.headline == "cluster prod is ACTIVE: expected ACTIVE, actual nothing"
    assert "Not yet" in texts(engine.execute("next"))


def test_the_check_runs_after_each_aws_command_and_announces_a_pass(lessons, store):
    engine, _ = start(lessons, store)
    engine.execute("next")
    quiet = engine.execute("aws ecs create-cluster --cluster-name other --query cluster.status --output text")
    assert quiet.stdout == "ACTIVE\n"
    assert quiet.views == []                        # not yet passing: the automatic check stays quiet
    result = engine.execute("aws ecs create-cluster --cluster-name prod --output text --query cluster.status")
    assert result.stdout == "ACTIVE\n"
    assert "✔ Step done!" in texts(result)
    assert "make-prod" in json.loads(store.path.read_text())["lessons"]["tiny-lesson"]["done_steps"]
    again = engine.execute("aws ecs list-clusters")
    assert again.views == []                        # announced once
    assert engine.execute("next").views[0].data.step.id == "how-many"


def test_hints_come_in_tiers_and_unlock_the_solution(lessons, store):
    engine, _ = start(lessons, store)
    engine.execute("next")
    assert "unlocks" in texts(engine.execute("solution"))
    first = engine.execute("hint").views[0]
    assert (first.kind, first.text, first.data) == ("hint-text", "Use create-cluster.", (1, 2))
    assert "unlocks" in texts(engine.execute("solution"))
    second = engine.execute("h")
    assert second.views[0].data == (2, 2)
    assert "last hint" in texts(second)
    shown = engine.execute("solution").views[0]
    assert shown.kind == "code" and shown.data == ["aws ecs create-cluster --cluster-name prod"]
    assert engine.execute("hint").views[0].data == (2, 2)  # no hint after the last


def test_reset_rebuilds_the_step_world_and_back_goes_back(lessons, store):
    engine, _ = start(lessons, store)
    engine.execute("next")
    engine.execute("aws ecs create-cluster --cluster-name junk")
    count = "aws ecs list-clusters --query length(clusterArns) --output text"
    assert engine.execute(count).stdout == "2\n"
    result = engine.execute("reset")
    assert result.views[0].kind == "info"
    assert engine.execute(count).stdout == "1\n"     # only the setup's cluster `base`
    assert engine.execute("back").views[1].data.step.id == "intro"


def test_a_prediction_is_answered_by_the_simulator(lessons, store):
    engine, _ = start(lessons, store)
    engine.execute("next")
    engine.execute("aws ecs create-cluster --cluster-name prod")
    engine.execute("next")
    result = engine.execute("7")
    assert [v.kind for v in result.views][:1] == ["bad"]
    assert "the simulator says: 2" in texts(result)
    assert "already" in texts(engine.execute("answer 2"))


def test_resume_lands_on_the_same_step_with_the_earlier_solutions_replayed(lessons, store):
    engine, _ = start(lessons, store)
    engine.execute("next")
    engine.execute("aws ecs create-cluster --cluster-name prod")
    engine.execute("next")
    engine.execute("quit")
    # a new session: `ecslearn` with no arguments opens the current lesson
    engine, views = start(lessons, store)
    assert "Resuming at step 3 of 3." in [v.text for v in views]
    assert engine.runner.step.id == "how-many"
    assert engine.execute("aws ecs list-clusters --query 'sort(clusterArns)' --output text").stdout.split() == [
        "arn:aws:ecs:us-east-1:123456789012:cluster/base", "arn:aws:ecs:us-east-1:123456789012:cluster/prod"]


def test_resume_on_a_passed_step_keeps_it_passed(lessons, store):
    engine, _ = start(lessons, store)
    engine.execute("next")
    engine.execute("aws ecs create-cluster --cluster-name prod")
    engine, views = start(lessons, store)
    step = next(v for v in views if v.kind == "step").data
    assert step.step.id == "make-prod" and step.done
    assert engine.execute("check").views[0].data.passed


def test_finishing_a_lesson_offers_the_next_one(lessons, store):
    engine, _ = start(lessons, store)
    for line in ["next", "aws ecs create-cluster --cluster-name prod", "next", "2"]:
        engine.execute(line)
    done = engine.execute("next")
    assert done.views[0].kind == "done"
    assert "Type `next` to start lesson 02: Second" in done.views[0].text
    state = json.loads(store.path.read_text())
    assert state["lessons"]["tiny-lesson"]["completed_at"]
    opened = engine.execute("next")
    assert opened.views[0].kind == "lesson" and opened.views[0].data.id == "second-lesson"
    # the shell now runs against the second lesson's world
    assert engine.execute("aws ecs list-clusters --query length(clusterArns) --output text").stdout == "0\n"


def test_logs_show_the_agent_log(lessons, store):
    engine, _ = start(lessons, store)
    assert "No logs yet" in texts(engine.execute("logs"))
    engine, _ = start(lessons, store, index=1)
    (view,) = engine.execute("logs").views
    title, lines = view.data[0]
    assert title.startswith("ECS agent on i-")
    assert any("Cluster not found" in line for line in lines)


def test_map_is_a_view_of_the_world(lessons, store):
    engine, _ = start(lessons, store)
    (view,) = engine.execute("map").views
    assert view.kind == "map"
    assert [c.name for c in view.data.clusters] == ["base"]


@pytest.mark.parametrize("line, code, message", [
    ("frobnicate", 127, "frobnicate: command not found. Type `help`"),
    ("chekc", 127, "Did you mean `check`?"),
    ("ecs list-clusters", 127, "did you mean `aws ecs list-clusters`?"),
    ("aws ecs register-task-definition --family x --container-definitions '[{bad'", 252,
     "Error parsing parameter '--container-definitions': Invalid JSON"),
    ("aws ecs create-cluster --cluster-nam x --bogus 1", 252, "Unknown options: --bogus, 1"),
    ("aws ecs run-task --cluster base", 252, "the following arguments are required: --task-definition"),
    ("aws ecs delete-cluster --cluster nope", 254, "An error occurred (ClusterNotFoundException) when calling "
                                                   "the DeleteCluster operation: Cluster not found."),
    ("aws ecs create-cluster --cluster-name 'unterminated", 252, "cannot parse the command line"),
    ("time +1y", 2, "usage: time"),
    ("step x", 2, "usage: step [N]"),
    ("answer 3", 1, "There is nothing to answer in this step."),
])
def test_bad_input_gets_the_aws_cli_or_lesson_message(lessons, store, line, code, message):
    engine, _ = start(lessons, store)
    result = engine.execute(line)
    assert result.exit_code == code
    assert message in result.stderr + result.stdout
    assert "Traceback" not in result.stderr + result.stdout


def test_help_lists_the_lesson_commands(lessons, store):
    engine, _ = start(lessons, store)
    out = engine.execute("help").stdout
    for word in ("check", "hint", "solution", "next", "back", "reset", "list", "map", "time", "logs", "quit"):
        assert f"\n  {word}" in out
    assert engine.execute("quit").quit and engine.execute("exit").quit


def test_save_writes_a_world_the_sandbox_can_load(lessons, store, tmp_path):
    engine, _ = start(lessons, store)
    result = engine.execute(f"save {tmp_path / 'w.json'}")
    assert result.exit_code == 0, result.stderr
    from ecslearn.sim.world import load_world

    sim = load_world(Path(tmp_path / "w.json"))
    assert sim.client("ecs").list_clusters()["clusterArns"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/base"]


def test_single_letters_are_answers_while_an_answer_is_due(tmp_path, store):
    quiz = GOOD + """\
  - id: quiz
    quiz:
      - id: which-plane
        kind: concept
        topic: clusters
        difficulty: easy
        exams: [ECS-PRACTICE:1.1]
        prompt: Who runs the control plane?
        options: [You, AWS]
        answer: B
        explanation: AWS runs it.
        sources: [https://docs.aws.amazon.com/AmazonECS/latest/developerguide/Welcome.html]
"""
    write(tmp_path, quiz)
    lessons, problems = load_lessons(tmp_path)
    assert problems == []
    engine, _ = start(lessons, store)
    engine.runner.goto(4)
    result = engine.execute("b")                   # the answer B, not `back`
    (grade,) = [v.data for v in result.views if v.kind == "grade"]
    assert grade.correct and grade.given == "B"
    assert engine.runner.index == 3
    assert engine.execute("b").views[0].text == "Back one step (its world is rebuilt)."
    assert engine.runner.index == 2


def test_logs_show_task_logs_from_cloudwatch_logs(tmp_path, store):
    write(tmp_path, SECOND.replace('ECS_CLUSTER=nowhere', 'ECS_CLUSTER=prod').replace(
        "setup:\n", "setup:\n  - aws ecs create-cluster --cluster-name prod\n  - aws logs create-log-group "
                    "--log-group-name /ecs/web\n"), "02-second.yaml")
    lessons, problems = load_lessons(tmp_path)
    assert problems == []
    engine, _ = start(lessons, store, index=0)
    engine.execute("aws ecs register-task-definition --family web --execution-role-arn "
                   "arn:aws:iam::123456789012:role/ecsTaskExecutionRole --container-definitions "
                   "'[{\"name\":\"web\",\"image\":\"nginx\",\"memory\":128,\"logConfiguration\":{\"logDriver\":"
                   "\"awslogs\",\"options\":{\"awslogs-group\":\"/ecs/web\",\"awslogs-region\":\"us-east-1\","
                   "\"awslogs-stream-prefix\":\"web\"}}}]'")
    assert engine.execute("aws ecs run-task --cluster prod --task-definition web").exit_code == 0
    engine.execute("time +60")
    (view,) = engine.execute("logs").views
    titles = [title for title, _ in view.data]
    assert titles[0].startswith("ECS agent on i-")
    assert any(t.startswith("CloudWatch Logs /ecs/web web/web/") for t in titles)
    assert any("ready for start up" in line for _, lines in view.data for line in lines)


def test_tab_completion_offers_lesson_commands_and_aws(lessons, store):
    from ecslearn.shell.completion import complete

    engine, _ = start(lessons, store)
    assert [c.text for c in complete(engine, "hi")] == ["hint"]
    assert "solution" in [c.text for c in complete(engine, "so")]
    assert [c.text for c in complete(engine, "aws ecs describe-clus")] == ["describe-clusters"]


def test_a_step_already_done_ahead_of_time_passes_on_arrival(lessons, store):
    engine, _ = start(lessons, store)
    engine.execute("aws ecs create-cluster --cluster-name prod")   # during the say step
    arrived = engine.execute("next")
    assert "✔ Step done!" in texts(arrived)
    assert engine.execute("next").views[0].data.step.id == "how-many"
