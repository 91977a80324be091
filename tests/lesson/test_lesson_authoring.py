"""Authoring forms lesson writers asked for (issue 7): staged workloads and ECR pushes in `setup:`,
`${var}` in queries and params, two-step checks, quiz kinds a lesson can ask, traffic checks."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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


# --- 5. traffic: curl in the shells, traffic.* calls in checks and ask -----------------------------------

LB_SETUP = """\
setup:
  - aws ecs create-cluster --cluster-name prod
  - {config: ["ECS_CLUSTER=prod"], launch: {InstanceType: t3.small, Placement: {AvailabilityZone: us-east-1a}}}
  - {config: ["ECS_CLUSTER=prod"], launch: {InstanceType: t3.small, Placement: {AvailabilityZone: us-east-1b}}}
  - {advance: 60}
  - {call: ec2.describe_vpcs, save: {vpc: "Vpcs[0].VpcId"}}
  - call: ec2.describe_subnets
    params: {Filters: [{Name: availability-zone, Values: [us-east-1a, us-east-1b]}]}
    save: {subnets: "Subnets[].SubnetId"}
  - call: elbv2.create_load_balancer
    params: {Name: shop, Subnets: "${subnets}"}
    save: {lb: "LoadBalancers[0].LoadBalancerArn", dns: "LoadBalancers[0].DNSName"}
  - call: elbv2.create_target_group
    params: {Name: web, Protocol: HTTP, Port: 80, VpcId: "${vpc}"}
    save: {web_tg: "TargetGroups[0].TargetGroupArn"}
  - call: elbv2.create_target_group
    params: {Name: api, Protocol: HTTP, Port: 80, VpcId: "${vpc}"}
    save: {api_tg: "TargetGroups[0].TargetGroupArn"}
  - call: elbv2.create_listener
    params: {LoadBalancerArn: "${lb}", Protocol: HTTP, Port: 80, DefaultActions: [{Type: forward, TargetGroupArn: "${web_tg}"}]}
    save: {listener: "Listeners[0].ListenerArn"}
  - call: elbv2.create_rule
    params: {ListenerArn: "${listener}", Priority: 10, Conditions: [{Field: path-pattern, Values: ["/api/*"]}], Actions: [{Type: forward, TargetGroupArn: "${api_tg}"}]}
  - call: ecs.register_task_definition
    params: {family: web, containerDefinitions: [{name: web, image: "nginx:1.27", memory: 128, portMappings: [{containerPort: 80, hostPort: 0}]}]}
  - call: ecs.register_task_definition
    params: {family: api, containerDefinitions: [{name: api, image: "httpd:2.4", memory: 128, portMappings: [{containerPort: 80, hostPort: 0}]}]}
  - call: ecs.create_service
    params: {cluster: prod, serviceName: web, taskDefinition: web, desiredCount: 2, loadBalancers: [{targetGroupArn: "${web_tg}", containerName: web, containerPort: 80}]}
  - call: ecs.create_service
    params: {cluster: prod, serviceName: api, taskDefinition: api, desiredCount: 2, loadBalancers: [{targetGroupArn: "${api_tg}", containerName: api, containerPort: 80}]}
  - {advance: 300}
"""
DNS = "shop-4868747971.us-east-1.elb.amazonaws.com"
LISTENER = ("arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/82f734b19fd64d9e/"
            "27393b1161efe6dd")
ROUTING = LB_SETUP + f"""\
steps:
  - id: which-group
    predict: Which target group answers /api/users?
    run: ["curl http://{DNS}/api/users"]
    ask: {{call: traffic.send_request, params: {{url: "${{dns}}", path: /api/users}}, query: target_group_name}}
    answer: api
  - id: route-admin
    do: Send /admin/* to the api target group too.
    expect:
      - {{call: traffic.send_request, params: {{url: "${{dns}}", path: /admin/users}}, query: target_group_name,
         eq: api, save: {{task: task_arn}}, label: /admin/users is answered by the api target group}}
      - {{call: ecs.describe_tasks, params: {{cluster: prod, tasks: ["${{task}}"]}}, query: "tasks[0].group",
         eq: "service:api", label: a task of service api answered}}
      - {{call: traffic.send_request, params: {{url: "http://${{dns}}/"}}, query: "[status_code, target_group_name]",
         eq: [200, web], label: / still goes to web}}
      - {{call: traffic.spread, params: {{url: "${{dns}}", path: /admin/x, count: 4}}, query: "distinct", eq: 2,
         label: /admin requests are spread over two tasks}}
    hints: [A listener rule with a path-pattern condition.]
    solution:
      - >-
        aws elbv2 create-rule --listener-arn {LISTENER} --priority 20
        --conditions Field=path-pattern,Values=/admin/* --actions Type=forward,TargetGroupArn=${{api_tg}}
"""


def routing_lesson():
    from ecslearn.lesson.world import LessonWorld as World

    lesson = lesson_of(LB_SETUP + "steps:\n  - {id: a, say: hi}\n")
    world = World(lesson)
    assert (world.scenario.vars["dns"], world.scenario.vars["listener"]) == (DNS, LISTENER)  # seeded ids
    api_tg = world.scenario.vars["api_tg"]
    return lesson_of(ROUTING.replace("${api_tg}", api_tg)), world


def test_traffic_checks_and_asks_show_who_answered():
    lesson, _ = routing_lesson()
    assert lesson.steps[0].run == (f"curl http://{DNS}/api/users",)
    assert replay(lesson) == []
    world = LessonWorld.at_step(lesson, 1)
    before = world.check(lesson.steps[1].expect)
    assert [(i.passed, i.actual) for i in before.items] == [
        (False, "web"), (False, "service:web"), (True, '[200, "web"]'), (True, "2")]
    assert before.context[0].startswith("the load balancer: task ") and before.context[0].endswith(" answered 200")
    assert before.headline.startswith("/admin/users is answered by the api target group: expected api, actual web; "
                                      "the load balancer: task ")
    assert world.run_line(lesson.steps[1].solution[0]).ok
    assert world.check(lesson.steps[1].expect).passed


def test_checks_do_not_move_the_round_robin():
    _, world = routing_lesson()
    checks = lesson_of(ROUTING).steps[1].expect
    first = world.run_line(f"curl http://{DNS}/").stdout
    for _ in range(3):
        world.check(checks)  # each sends requests, then puts the load balancer's state back
    second = world.run_line(f"curl http://{DNS}/").stdout
    third = world.run_line(f"curl http://{DNS}/").stdout
    assert first.startswith("HTTP/1.1 200 OK\nanswered by: task ")
    assert "rule: the default rule on the listener on port 80" in first
    assert first != second and first == third  # two web tasks, in turn


def test_curl_in_the_lesson_shell_and_the_sandbox():
    from ecslearn.lesson.traffic import add_curl
    from ecslearn.shell.engine import ShellEngine
    from ecslearn.shell.lesson import LESSON_COMMANDS

    assert "curl" in LESSON_COMMANDS
    _, world = routing_lesson()
    engine = ShellEngine(sim=world.sim)
    add_curl(engine)
    out = engine.execute(f"curl -H 'Host: shop.example.com' http://{DNS}/api/users")
    assert out.ok and "(target group api, target i-" in out.stdout and "rule: priority 10 on" in out.stdout
    missing = engine.execute("curl http://nope.example.com/")
    assert (missing.exit_code, missing.stderr) == (
        6, "curl: (6) Could not resolve host: nope.example.com (no load balancer has this DNS name)\n")
    assert engine.execute("curl").exit_code == 2
    assert engine.execute("curl --data x http://a/").stderr.startswith("curl: option --data: not offered here")
    assert "curl [-H 'Host: NAME'] URL" in engine.execute("help").stdout


@pytest.mark.parametrize(("call", "message"), [
    ("{call: traffic.send_reqest, params: {url: x}}", "traffic has no operation 'send_reqest'"),
    ("{call: traffic.send_request, params: {path: /}}", "traffic.send_request needs 'url'"),
    ("{call: traffic.spread, params: {url: x, count: 2, hots: y}}", "unknown parameter 'hots' for traffic.spread"),
])
def test_bad_traffic_calls_are_reported_with_their_line(call, message):
    _, problems = parse(f"steps:\n  - id: a\n    predict: Which?\n    ask: {{{call[1:-1]}, query: status_code}}\n")
    assert len(problems) == 1 and problems[0].startswith(f"lessons/01-x.yaml:9: {message}"), problems


def test_a_learner_curls_in_the_lesson_shell_and_the_check_follows(tmp_path):
    from ecslearn.lesson.catalog import load_lessons
    from ecslearn.lesson.runner import LessonRunner
    from ecslearn.progress import ProgressStore
    from ecslearn.shell.lesson import LessonShellEngine

    lesson, _ = routing_lesson()
    (tmp_path / "lessons").mkdir()
    text = ROUTING.replace("${api_tg}", lesson.steps[1].solution[0].rsplit("TargetGroupArn=", 1)[1])
    (tmp_path / "lessons" / "01-x.yaml").write_text(HEAD + text, encoding="utf-8")
    (found,), problems = load_lessons(tmp_path)
    assert problems == []
    runner, _ = LessonRunner.start([found], found, ProgressStore(tmp_path / "state.json"))
    engine = LessonShellEngine(runner)
    answered = engine.execute("api")  # the prediction; the step's `run:` curl is shown
    shown = [v.text for v in answered.views]
    assert f"curl http://{DNS}/api/users" in str([v.data for v in answered.views])
    assert any("Right" in (t or "") for t in shown), shown
    engine.execute("next")
    result = engine.execute(f"curl http://{DNS}/admin/users")
    assert result.exit_code == 0 and "target group web" in result.stdout
    assert not runner.state.passed
    assert "curl [-H 'Host: NAME'] URL" in engine.execute("help").stdout
    assert engine.execute(lesson.steps[1].solution[0]).exit_code == 0
    assert runner.state.passed
    again = engine.execute(f"curl http://{DNS}/admin/users")
    assert "target group api" in again.stdout


# --- robustness: bad data in these forms is an outcome or a SimulatorError, never a traceback ------------

_VALUES = (st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
           | st.sampled_from(["http://a.b/", "https://x:99999/", "ftp://x", "http://[::1/", f"{REPO}:v2", f"{REPO}@x"]))


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["image", "workload", "size_mb", "content", "exit_code", "http_status"]),
                       _VALUES | st.dictionaries(st.sampled_from(["exit_code", "bogus"]), _VALUES, max_size=2),
                       max_size=4))
def test_push_and_workload_steps_never_crash(spec):
    from ecslearn.scenario import Scenario

    scenario = Scenario(0)
    scenario.sim.client("ecr").create_repository(repositoryName="web")
    for outcome in (scenario.push(spec), scenario.set_workload(spec)):
        assert outcome.ok or outcome.error_message


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(["send_request", "spread", "nope"]),
       st.dictionaries(st.sampled_from(["url", "path", "host", "count", "x"]), _VALUES, max_size=4),
       st.lists(st.text(max_size=12) | st.sampled_from(["-H", "Host: x", "-s", "http://[::1/"]), max_size=4))
def test_traffic_calls_and_curl_never_crash(operation, params, args):
    from ecslearn.errors import SimulatorError
    from ecslearn.lesson import traffic
    from ecslearn.sim import Simulator

    sim = Simulator(0)
    try:
        traffic.call(sim, operation, params)
    except SimulatorError as err:
        assert err.message
    out, err_text, code = traffic.curl(sim, args)
    assert (code == 0 and out) or (code and err_text)


def test_a_saved_staged_lesson_world_keeps_its_workloads_and_pushes(tmp_path):
    from ecslearn.lesson.catalog import load_lessons
    from ecslearn.lesson.runner import LessonRunner
    from ecslearn.progress import ProgressStore
    from ecslearn.shell.lesson import LessonShellEngine
    from ecslearn.sim.workloads import workload_for
    from ecslearn.sim.world import load_world

    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "01-x.yaml").write_text(HEAD + STAGED, encoding="utf-8")
    (found,), problems = load_lessons(tmp_path)
    assert problems == []
    runner, _ = LessonRunner.start([found], found, ProgressStore(tmp_path / "state.json"))
    engine = LessonShellEngine(runner, cwd=tmp_path)
    assert engine.execute("save staged.world.json").ok
    again = load_world(tmp_path / "staged.world.json")
    assert (workload_for(again, "busybox:crash").exit_code, workload_for(again, f"{REPO}:v2").exit_code) == (3, 1)
    assert [d["imageTags"] for d in again.client("ecr").describe_images(repositoryName="web")["imageDetails"]] == [
        ["v2"]]
