"""Authoring forms lesson writers asked for (issue 7): staged workloads and ECR pushes in `setup:`,
`${var}` in queries and params, two-step checks, quiz kinds a lesson can ask, traffic checks."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from ecslearn.content.yamlio import load_text
from ecslearn.errors import ScenarioError
from ecslearn.lesson.check import replay
from ecslearn.lesson.schema import parse_lesson
from ecslearn.lesson.world import LessonWorld

ROOT = Path(__file__).resolve().parents[2]
REPO = "123456789012.dkr.ecr.us-east-1.amazonaws.com/web"

HEAD = """\
format: 1
id: staged
title: Staged
summary: A lesson for tests.
objectives: [Look at something]
"""


def parse(body: str):
    text = HEAD + textwrap.dedent(body)
    data, problems = load_text(text, "lessons/01-x.yaml")
    assert problems == []
    lesson, problems = parse_lesson(data, "lessons/01-x.yaml", "01-x")
    return lesson, [str(p) for p in problems]


def lesson_of(body: str):
    lesson, problems = parse(body)
    assert problems == []
    assert lesson is not None
    return lesson


# --- 1. workload and push setup steps ---------------------------------------------------------------

STAGED = f"""\
setup:
  - aws ecs create-cluster --cluster-name prod
  - {{config: [ECS_CLUSTER=prod]}}
  - {{settle: true}}
  - aws ecr create-repository --repository-name web
  - {{push: {{image: "{REPO}:v2", workload: {{exit_code: 1, exit_after: 5}}}}}}
  - {{workload: {{image: "busybox:crash", exit_code: 3, exit_after: 2, log_lines: ["panic: no config"]}}}}
  - {{taskdef: {{family: web, containerDefinitions: [{{name: app, image: "{REPO}:v2", memory: 256}}]}}}}
  - {{taskdef: {{family: crash, containerDefinitions: [{{name: app, image: "busybox:crash", memory: 128}}]}}}}
steps:
  - id: run-them
    do: Run both.
    expect:
      - {{call: ecs.list_tasks, params: {{cluster: prod, desiredStatus: STOPPED}}, query: "length(taskArns)", eq: 2,
         label: two tasks stopped}}
    hints: [Run them.]
    solution:
      - aws ecs run-task --cluster prod --task-definition web
      - aws ecs run-task --cluster prod --task-definition crash
      - time +60
"""


def test_workload_and_push_steps_stage_failures_without_code():
    lesson = lesson_of(STAGED)
    push, workload = lesson.setup[4], lesson.setup[5]
    assert (push.action, push.value["image"]) == ("push", f"{REPO}:v2")
    assert (workload.action, workload.value["exit_code"]) == ("workload", 3)
    assert replay(lesson) == []
    world = LessonWorld.at_step(lesson, 0, include_current=True)
    ecs = world.quiet.client("ecs")
    arns = ecs.list_tasks(cluster="prod", desiredStatus="STOPPED")["taskArns"]
    tasks = ecs.describe_tasks(cluster="prod", tasks=arns)["tasks"]
    codes = {t["taskDefinitionArn"].rsplit("/", 1)[-1]: t["containers"][0]["exitCode"] for t in tasks}
    assert codes == {"web:1": 1, "crash:1": 3}
    images = world.quiet.client("ecr").describe_images(repositoryName="web")["imageDetails"]
    assert [d["imageTags"] for d in images] == [["v2"]]


def test_a_push_to_a_missing_repository_is_a_setup_failure():
    lesson = lesson_of(STAGED.replace("  - aws ecr create-repository --repository-name web\n", ""))
    with pytest.raises(ScenarioError, match=r"01-x.yaml:10: setup step 4 \(docker push .*web:v2\) failed: "
                                            r"name unknown: The repository with name 'web' does not exist"):
        LessonWorld(lesson)
    assert "the setup failed" in replay(lesson)[0].message


@pytest.mark.parametrize(("step", "message"), [
    ('{workload: {image: "web:v2", exit_kode: 1}}',
     "'workload' in setup step 1 of the lesson: unknown workload field(s): exit_kode"),
    ('{workload: {image: "web:v2", exit_code: "one"}}',
     "'workload' in setup step 1 of the lesson: workload field 'exit_code' must be an integer or null"),
    ('{workload: {exit_code: 1}}',
     "'workload' in setup step 1 of the lesson needs 'image' (an image reference such as web:v2), not nothing"),
    ('{workload: "web:v2"}', "'workload' in setup step 1 of the lesson must be a mapping with 'image'"),
    ('{push: {image: "web:v2", workloda: {}}}',
     "unknown key 'workloda' in 'push' in setup step 1 of the lesson; did you mean 'workload'?"),
    ('{push: {image: "web:v2", workload: [1]}}',
     "'workload' of 'push' in setup step 1 of the lesson must be a mapping of workload fields, not a list"),
    ('{push: {image: "web:v2", size_mb: -1}}', "'size_mb' of 'push' in setup step 1 of the lesson must be a positive"),
    ('{push: {image: "web:v2"}, advance: 5}', "setup step 1 of the lesson needs exactly one of:"),
])
def test_bad_workload_and_push_steps_are_reported_with_their_line(step, message):
    _, problems = parse(f"setup:\n  - {step}\nsteps:\n  - {{id: a, say: hi}}\n")
    assert len(problems) == 1, problems
    assert problems[0].startswith("lessons/01-x.yaml:7: " + message), problems[0]


# --- 2. ${var} in check and ask queries and params ------------------------------------------------------

SAVED = """\
setup:
  - aws ecs create-cluster --cluster-name prod
  - {config: [ECS_CLUSTER=prod]}
  - {settle: true}
  - {workload: {image: "busybox:job", exit_code: 0, exit_after: 30}}
  - {taskdef: {family: job, containerDefinitions: [{name: app, image: "busybox:job", memory: 128}]}}
  - {call: ecs.run_task, params: {cluster: prod, taskDefinition: job}, save: {task: "tasks[0].taskArn"}}
  - {call: ecs.describe_clusters, params: {clusters: [prod]}, save: {instances: "clusters[0].registeredContainerInstancesCount"}}
  - {advance: 10}
steps:
  - id: wait-for-it
    do: Wait until the job is done.
    expect:
      - {call: ecs.describe_tasks, params: {cluster: prod, tasks: ["${task}"]}, query: "tasks[0].lastStatus",
         eq: STOPPED, label: the job stopped}
      - {call: ecs.list_tasks, params: {cluster: prod, desiredStatus: STOPPED},
         query: "contains(taskArns, '${task}')", eq: true, label: the job is listed as stopped}
      - {call: ecs.describe_clusters, params: {clusters: [prod]},
         query: "clusters[?registeredContainerInstancesCount == `${instances}`] | length(@)", eq: 1,
         label: a number in backticks}
    hints: [Wait.]
    solution: [time +60]
  - id: which
    predict: Is the job still running?
    ask: {call: ecs.describe_tasks, params: {cluster: prod, tasks: ["${task}"]},
          query: "tasks[?taskArn == '${task}'].lastStatus | [0] == 'RUNNING'"}
    answer: false
"""


def test_saved_values_fill_check_and_ask_queries_and_params():
    lesson = lesson_of(SAVED)
    assert replay(lesson) == []
    world = LessonWorld.at_step(lesson, 0)
    before = world.check(lesson.steps[0].expect)
    assert [(i.passed, i.actual) for i in before.items] == [(False, "RUNNING"), (False, "false"), (True, "1")]
    assert world.run_line("time +60").ok
    assert world.check(lesson.steps[0].expect).passed
    assert world.ask(lesson.steps[1].ask) is False
    task = world.scenario.vars["task"]
    assert world.scenario.subst_query("[?a=='${task}'] | `${instances}`") == f"[?a=='{task}'] | `1`"


def test_an_unsaved_name_in_a_query_is_a_content_problem():
    lesson = lesson_of(SAVED.replace("'${task}')", "'${tsak}')"))
    (problem,) = replay(lesson)
    assert "${tsak} is used before a step saved it" in problem.message
    assert str(problem).startswith("lessons/01-x.yaml:16: step 'wait-for-it': ")


# --- 3. two-step checks: an earlier check saves, a later one uses it ------------------------------------

TWO_STEP = """\
setup:
  - aws ecs create-cluster --cluster-name prod
  - {config: [ECS_CLUSTER=prod]}
  - {settle: true}
  - {taskdef: {family: web, containerDefinitions: [{name: app, image: "nginx:1.27", memory: 128}]}}
steps:
  - id: run-web
    do: Run one web task.
    expect:
      - {call: ecs.list_tasks, params: {cluster: prod}, query: "length(taskArns)", ge: 1,
         save: {first: "taskArns[0]"}, label: a task was started}
      - {call: ecs.describe_tasks, params: {cluster: prod, tasks: ["${first}"]}, query: "tasks[0].lastStatus",
         eq: RUNNING, label: the first task is RUNNING}
      - {call: ecs.list_tasks, params: {cluster: prod}, query: "taskArns[?@ == '${first}'] | length(@)", eq: 1,
         label: the same task in a query}
    hints: [Run it.]
    solution:
      - aws ecs run-task --cluster prod --task-definition web
      - time +60
"""


def test_a_check_saves_a_value_for_the_checks_after_it():
    lesson = lesson_of(TWO_STEP)
    assert lesson.steps[0].expect[0].call.save == {"first": "taskArns[0]"}
    assert replay(lesson) == []
    world = LessonWorld.at_step(lesson, 0)
    before = world.check(lesson.steps[0].expect)
    assert [(i.passed, i.actual) for i in before.items] == [
        (False, "0"),
        (False, "nothing to look up: ${first} is empty (the check that saves it found nothing)"),
        (False, "nothing to look up: ${first} is empty (the check that saves it found nothing)")]
    assert "first" not in world.scenario.vars  # a check's saved values stay with that check
    for line in lesson.steps[0].solution:
        assert world.run_line(line).ok
    after = world.check(lesson.steps[0].expect)
    assert after.passed, after.headline


def test_a_refused_saving_call_empties_the_value():
    lesson = lesson_of(TWO_STEP.replace("{call: ecs.list_tasks, params: {cluster: prod}, query: \"length",
                                        "{call: ecs.list_tasks, params: {cluster: nope}, query: \"length"))
    world = LessonWorld.at_step(lesson, 0, include_current=True)
    report = world.check(lesson.steps[0].expect)
    assert report.items[0].actual.startswith("ClusterNotFoundException")
    assert report.items[1].actual.startswith("nothing to look up: ${first} is empty")


def test_save_in_a_check_must_map_names_to_queries():
    _, problems = parse(TWO_STEP.replace('save: {first: "taskArns[0]"}', "save: [taskArns]"))
    assert problems == ["lessons/01-x.yaml:16: 'save' in check 1 of step 'run-web' must map names to JMESPath "
                        "queries, such as {subnet: 'Subnets[0].SubnetId'}"]


# --- 4. quiz kinds a lesson cannot ask ---------------------------------------------------------------

QUIZ_STEP = """\
steps:
  - id: check-it
    quiz:
      - {ids}
      - id: inline-{kind}
        kind: {kind}
        topic: clusters
        difficulty: easy
        exams: [ECS-PRACTICE:1.1]
        prompt: Do it.
        explanation: Because.
        sources: [https://docs.aws.amazon.com/AmazonECS/latest/developerguide/clusters.html]
        expect:
          - {{call: ecs.list_clusters, query: "length(clusterArns)", eq: 1}}
        solution: "{solution}"
"""


@pytest.mark.parametrize(("kind", "solution", "why"), [
    ("command", "aws ecs create-cluster --cluster-name prod", "which the lesson shell runs as commands"),
    ("taskdef", "{family: web}", "which one line of the lesson shell cannot hold"),
])
def test_a_lesson_quiz_rejects_questions_the_shell_cannot_answer(kind, solution, why):
    _, problems = parse(QUIZ_STEP.format(ids="new-cluster-status", kind=kind, solution=solution))
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"lessons/01-x.yaml:10: question 'inline-{kind}' in step 'check-it' is a {kind} "
                                  "question, which a lesson cannot ask: its answer is ")
    assert why in problems[0]


def test_a_lesson_quiz_still_takes_config_questions():
    body = QUIZ_STEP.format(ids="new-cluster-status", kind="config", solution="ECS_CLUSTER=prod")
    _, problems = parse(body)
    assert problems == []


def test_a_referenced_command_question_is_reported_by_content_check(tmp_path):
    from ecslearn.content.catalog import load_quizzes
    from ecslearn.content.check import CheckContext
    from ecslearn.content.model import ContentSet
    from ecslearn.lesson.check import check_lessons

    quizzes, _ = load_quizzes(ROOT)
    kinds = {q.id: q.kind.value for f in quizzes for q in f.questions}
    assert kinds["enable-container-insights"] == "command" and kinds["write-fargate-taskdef"] == "taskdef"
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "01-x.yaml").write_text(HEAD + textwrap.dedent("""\
        steps:
          - id: check-it
            quiz: [new-cluster-status, enable-container-insights, write-fargate-taskdef]
        """), encoding="utf-8")
    ctx = CheckContext(tmp_path, ContentSet(root=str(tmp_path), quizzes=tuple(quizzes)), simulate=False)
    found = [str(p).split("lessons/", 1)[1] for p in check_lessons(ctx)]
    assert len(found) == 2, found
    assert found[0].startswith("01-x.yaml:7: question 'enable-container-insights' in step 'check-it' is a command "
                               "question, which a lesson cannot ask")
    assert found[1].startswith("01-x.yaml:7: question 'write-fargate-taskdef' in step 'check-it' is a taskdef "
                               "question, which a lesson cannot ask")
