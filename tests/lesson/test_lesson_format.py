"""The lesson format and its checker: every problem as `path:line: message`, replayed both ways."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ecslearn.content.catalog import load_quizzes
from ecslearn.content.check import CheckContext, check_all
from ecslearn.content.model import ContentSet
from ecslearn.lesson.catalog import LessonNotFoundError, find_lesson, load_lessons
from ecslearn.lesson.check import check_lessons
from ecslearn.lesson.model import StepKind

GOOD = """\
format: 1
id: tiny-lesson
title: Tiny
summary: A lesson for tests.
objectives: [Create a cluster]
setup:
  - aws ecs create-cluster --cluster-name base
steps:
  - id: intro
    say: Hello.
  - id: make-prod
    do: Create a cluster named `prod`.
    expect:
      - {call: ecs.describe_clusters, params: {clusters: [prod]}, query: "clusters[0].status", eq: ACTIVE,
         label: cluster prod is ACTIVE}
    hints: [Use create-cluster., "aws ecs create-cluster --cluster-name prod"]
    solution:
      - aws ecs create-cluster --cluster-name prod
  - id: how-many
    predict: How many clusters are there now?
    ask: {call: ecs.list_clusters, query: "length(clusterArns)"}
    answer: 2
"""


def write(root: Path, text: str, name: str = "01-tiny.yaml") -> Path:
    (root / "lessons").mkdir(parents=True, exist_ok=True)
    path = root / "lessons" / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(root: Path) -> list[str]:
    quizzes, _ = load_quizzes(root)
    ctx = CheckContext(root, ContentSet(root=str(root), quizzes=tuple(quizzes)))
    return sorted(str(p) for p in check_lessons(ctx))


def test_a_good_lesson_loads_and_passes(tmp_path):
    write(tmp_path, GOOD)
    lessons, found = load_lessons(tmp_path)
    assert found == []
    (lesson,) = lessons
    assert (lesson.id, lesson.number, lesson.slug) == ("tiny-lesson", 1, "01-tiny")
    assert [s.kind for s in lesson.steps] == [StepKind.SAY, StepKind.DO, StepKind.PREDICT]
    assert lesson.steps[1].solution == ("aws ecs create-cluster --cluster-name prod",)
    assert problems(tmp_path) == []


def test_content_check_runs_the_lesson_checker(tmp_path):
    write(tmp_path, GOOD.replace("eq: ACTIVE", "eq: INACTIVE"))
    report = check_all(tmp_path)
    assert "lessons" in report.summary.checkers
    assert [str(p) for p in report.problems] == [
        f"{tmp_path}/lessons/01-tiny.yaml:11: step 'make-prod': the solution does not pass the checks: cluster "
        "prod is ACTIVE: expected INACTIVE, actual ACTIVE"]


def test_unknown_keys_and_missing_ones_are_reported_with_lines(tmp_path):
    write(tmp_path, GOOD.replace("    hints:", "    hintz:").replace("summary:", "sumary:"))
    _, found = load_lessons(tmp_path)
    path = f"{tmp_path}/lessons/01-tiny.yaml"
    assert sorted(str(p) for p in found) == sorted([
        f"{path}:1: the lesson is missing required key 'summary'",
        f"{path}:4: unknown key 'sumary' in the lesson; did you mean 'summary'?",
        f"{path}:11: step 'make-prod' is missing required key 'hints'",
        f"{path}:16: unknown key 'hintz' in step 'make-prod'; did you mean 'hints'?",
    ])


def test_a_step_must_be_exactly_one_kind(tmp_path):
    write(tmp_path, GOOD.replace("    say: Hello.", "    say: Hello.\n    predict: What?"))
    _, found = load_lessons(tmp_path)
    assert [str(p) for p in found] == [f"{tmp_path}/lessons/01-tiny.yaml:9: step 'intro' has say and predict; a "
                                       "step is exactly one of: say, do, predict, quiz"]


def test_a_solution_line_must_be_what_a_learner_types(tmp_path):
    write(tmp_path, GOOD.replace("      - aws ecs create-cluster --cluster-name prod",
                                 "      - {call: ecs.create_cluster, params: {clusterName: prod}}"))
    _, found = load_lessons(tmp_path)
    assert len(found) == 1
    assert "item 1 of 'solution' in step 'make-prod' must be a non-empty string" in str(found[0])
    write(tmp_path, GOOD.replace("      - aws ecs create-cluster --cluster-name prod", "      - wait a bit"))
    _, found = load_lessons(tmp_path)
    assert [str(p) for p in found] == [
        f"{tmp_path}/lessons/01-tiny.yaml:18: line 1 of 'solution' in step 'make-prod' must be what a learner "
        "types: an 'aws ...' command, 'time +SECONDS' (or +Nm, +Nh), 'settle' or 'curl URL', not 'wait a bit'"]


def test_duplicate_step_ids_and_bad_ids(tmp_path):
    write(tmp_path, GOOD.replace("id: how-many", "id: intro").replace("id: tiny-lesson", "id: Tiny_Lesson"))
    _, found = load_lessons(tmp_path)
    text = [str(p) for p in found]
    assert any("id 'Tiny_Lesson' of the lesson is not kebab-case" in t for t in text)
    assert any(":19: step id 'intro' is used twice in this lesson (also at line 9)" in t for t in text)


def test_format_is_checked_in_both_directions(tmp_path):
    write(tmp_path, GOOD.replace("format: 1", "format: 2"))
    _, found = load_lessons(tmp_path)
    assert [str(p) for p in found] == [f"{tmp_path}/lessons/01-tiny.yaml:1: format 2 is newer than this ecslearn "
                                       "understands (format 1); update ecslearn to read this file"]


def test_a_step_solved_as_shipped_is_a_problem(tmp_path):
    write(tmp_path, GOOD.replace("--cluster-name base", "--cluster-name prod"))
    found = problems(tmp_path)
    assert f"{tmp_path}/lessons/01-tiny.yaml:11: step 'make-prod': the checks already hold before the solution; " \
           "the step is solved as shipped" in found


def test_a_failing_solution_line_is_reported_with_the_aws_message(tmp_path):
    write(tmp_path, GOOD.replace("aws ecs create-cluster --cluster-name prod\n  - id: how",
                                 "aws ecs delete-cluster --cluster nope\n  - id: how"))
    found = problems(tmp_path)
    assert found == [f"{tmp_path}/lessons/01-tiny.yaml:11: step 'make-prod': `aws ecs delete-cluster --cluster "
                     "nope` failed: An error occurred (ClusterNotFoundException) when calling the DeleteCluster "
                     "operation: Cluster not found."]


def test_a_wrong_declared_prediction_and_an_unknown_question_id(tmp_path):
    write(tmp_path, GOOD.replace("answer: 2", "answer: 3") + "  - id: quiz\n    quiz: [no-such-question]\n")
    found = problems(tmp_path)
    path = f"{tmp_path}/lessons/01-tiny.yaml"
    assert found == [f"{path}:19: step 'how-many': declared answer 3 but the simulator says 2",
                     f"{path}:23: step 'quiz': no question 'no-such-question' in quizzes/"]


def test_stray_files_in_lessons_are_problems(tmp_path):
    write(tmp_path, GOOD)
    (tmp_path / "lessons" / "notes.txt").write_text("todo")
    _, found = load_lessons(tmp_path)
    assert len(found) == 1 and "unexpected file in lessons/" in str(found[0])


def test_inline_quiz_questions_are_checked_like_quiz_questions(tmp_path):
    inline = textwrap.dedent("""\
        - id: quiz
          quiz:
            - id: clusters-now
              kind: predict
              topic: clusters
              difficulty: easy
              exams: [ECS-PRACTICE:1.1]
              prompt: How many clusters after creating one?
              setup: [aws ecs create-cluster --cluster-name x]
              ask: {call: ecs.list_clusters, query: "length(clusterArns)"}
              answer: 5
              explanation: One.
              sources: [https://docs.aws.amazon.com/AmazonECS/latest/developerguide/clusters.html]
    """)
    write(tmp_path, GOOD + textwrap.indent(inline, "  "))
    found = problems(tmp_path)
    assert len(found) == 1
    assert "question 'clusters-now': declared answer 5 but the simulator says 1" in found[0]


@pytest.mark.parametrize("name", ["1", "01", "tiny-lesson", "01-tiny"])
def test_find_a_lesson_by_number_id_or_slug(tmp_path, name):
    write(tmp_path, GOOD)
    lessons, _ = load_lessons(tmp_path)
    assert find_lesson(lessons, name).id == "tiny-lesson"


def test_an_unknown_lesson_suggests_the_near_one(tmp_path):
    write(tmp_path, GOOD)
    lessons, _ = load_lessons(tmp_path)
    with pytest.raises(LessonNotFoundError) as info:
        find_lesson(lessons, "tiny-lesons")
    assert "did you mean 'tiny-lesson'?" in (info.value.hint or "")


WORLD_LESSON = """\
format: 1
id: from-a-world
title: From a saved world
summary: Starts where a sandbox session was saved.
objectives: [Clean up]
world: 01-legacy.world.json
steps:
  - id: delete-legacy
    do: Delete the cluster `legacy`.
    expect:
      - {call: ecs.describe_clusters, params: {clusters: [legacy]}, query: "clusters[0].status", eq: INACTIVE,
         label: cluster legacy is deleted}
    hints: [aws ecs delete-cluster --cluster legacy]
    solution: [aws ecs delete-cluster --cluster legacy]
"""


def save_legacy_world(path: Path) -> None:
    from ecslearn.sim.world import RecordingSimulator, save_world

    sim = RecordingSimulator(5)
    sim.client("ecs").create_cluster(clusterName="legacy")
    sim.advance(30)
    save_world(sim, path)


def test_a_lesson_can_start_from_a_saved_world(tmp_path):
    write(tmp_path, WORLD_LESSON, "01-from-a-world.yaml")
    save_legacy_world(tmp_path / "lessons" / "01-legacy.world.json")
    lessons, found = load_lessons(tmp_path)
    assert found == []
    assert lessons[0].world_path == str(tmp_path / "lessons" / "01-legacy.world.json")
    assert problems(tmp_path) == []
    from ecslearn.lesson.world import LessonWorld

    world = LessonWorld(lessons[0])
    assert world.sim.seed == 5
    assert world.run_line("aws ecs list-clusters --query length(clusterArns) --output text").stdout == "1\n"


def test_world_files_must_be_named_present_and_used(tmp_path):
    write(tmp_path, WORLD_LESSON.replace("01-legacy.world.json", "legacy.json"), "01-from-a-world.yaml")
    _, found = load_lessons(tmp_path)
    assert [p.message for p in found] == [
        "'world' of the lesson must name a file beside it called NN-slug.world.json (such as "
        "04-broken.world.json), not 'legacy.json'"]
    write(tmp_path, WORLD_LESSON, "01-from-a-world.yaml")
    _, found = load_lessons(tmp_path)
    assert [p.message for p in found] == ["the lesson's world file 01-legacy.world.json is not in lessons/"]
    save_legacy_world(tmp_path / "lessons" / "01-legacy.world.json")
    save_legacy_world(tmp_path / "lessons" / "02-unused.world.json")
    _, found = load_lessons(tmp_path)
    assert [str(p) for p in found] == [
        f"{tmp_path}/lessons/02-unused.world.json: a world file that no lesson uses (`world: 02-unused.world.json`); "
        "remove it or use it, since everything in lessons/ ships in the wheel"]
