"""Scenarios: setup steps, saved values, comparisons, patches and the evidence kept for feedback."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecslearn.content.model import Call, Check, Query, Step
from ecslearn.errors import ScenarioError
from ecslearn.scenario import Scenario, build, compare, deep_merge, user_data


def test_setup_saves_values_for_later_steps_and_checks():
    sc = build([Step("call", Call("ecs", "create_cluster", {"clusterName": "prod"},
                                  save={"arn": "cluster.clusterArn"}))])
    assert sc.vars["arn"].endswith(":cluster/prod")
    out = sc.check(Check(Call("ecs", "describe_clusters", {"clusters": ["${arn}"]}), "clusters[0].clusterArn",
                         "eq", "${arn}"))
    assert out.passed and out.actual == sc.vars["arn"]
    assert sc.ask(Query(Call("ecs", "list_clusters"), "clusterArns[0]")) == sc.vars["arn"]


def test_an_unsaved_variable_is_a_scenario_error():
    with pytest.raises(ScenarioError, match=r"\$\{nope\} is used before a step saved it"):
        build([Step("call", Call("ecs", "create_cluster", {"clusterName": "${nope}"}))])


def test_a_failing_setup_step_names_itself():
    with pytest.raises(ScenarioError, match=r"setup step 1 \(ecs.delete_cluster\) failed: "
                                            r"ClusterNotFoundException: Cluster not found."):
        build([Step("call", Call("ecs", "delete_cluster", {"cluster": "x"}))])


def test_a_change_that_is_refused_is_evidence_not_an_exception():
    sc = Scenario(0, taskdef={"family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc",
                              "containerDefinitions": [{"name": "web", "image": "nginx", "essential": True}]})
    outcomes = sc.apply([Step("taskdef", {"cpu": "256", "memory": "4096"})])
    assert outcomes[0].error_code == "ClientException"
    ev = sc.evidence(outcomes)
    assert ev.headline().startswith("your task definition was refused: ClientException: No Fargate configuration")
    assert ev.to_dict()["steps"][0]["error_code"] == "ClientException"


def test_a_failed_check_reports_an_aws_error_as_its_actual_value():
    sc = Scenario(0)
    out = sc.check(Check(Call("ecs", "delete_cluster", {"cluster": "gone"}), "cluster.status", "eq", "INACTIVE"))
    assert not out.passed and out.error == "ClusterNotFoundException: Cluster not found."


def test_config_lines_launch_an_instance_whose_agent_explains_failures():
    sc = build([Step("call", Call("ecs", "create_cluster", {"clusterName": "prod"}))])
    sc.apply([Step("config", ("ECS_CLUSTER=prod",))])
    assert sc.sim.client("ecs").describe_clusters(clusters=["prod"])["clusters"][0][
        "registeredContainerInstancesCount"] == 1
    other = build([Step("call", Call("ecs", "create_cluster", {"clusterName": "prod"}))])
    other.apply([Step("config", ("ECS_CLUSTER=typo",))])
    notes = other.evidence().notes
    assert any("Cluster not found" in n for n in notes)


def test_user_data_quotes_each_line():
    assert user_data(["ECS_CLUSTER=prod", "# comment", "", 'ECS_INSTANCE_ATTRIBUTES={"a": "b"}']) == (
        "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n"
        "echo 'ECS_INSTANCE_ATTRIBUTES={\"a\": \"b\"}' >> /etc/ecs/ecs.config\n")


def test_deep_merge_patches_task_definitions():
    base = {"family": "web", "cpu": "256", "containerDefinitions": [{"name": "a", "memory": 128}, {"name": "b"}]}
    patched = deep_merge(base, {"cpu": None, "containerDefinitions": [{"memory": 256}]})
    assert patched == {"family": "web", "containerDefinitions": [{"name": "a", "memory": 256}, {"name": "b"}]}
    assert base["cpu"] == "256"  # the base is not changed


@pytest.mark.parametrize(("op", "actual", "expected", "result"), [
    ("eq", 1, 1.0, True), ("eq", "1", 1, False), ("ne", "a", "b", True), ("gt", 3, 2, True),
    ("ge", 2, 2, True), ("lt", "2", 3, False), ("le", None, 3, False), ("contains", ["a", "b"], "b", True),
    ("contains", "hello", "ell", True), ("contains", 5, 5, False), ("in", "b", ["a", "b"], True),
    ("matches", "ip-10-0-1-5", r"^ip-\d+", True), ("matches", 5, ".", False), ("exists", [], True, False),
    ("exists", None, False, True), ("exists", "x", True, True),
])
def test_comparisons(op, actual, expected, result):
    assert compare(op, actual, expected) is result


@given(st.sampled_from(["eq", "ne", "gt", "ge", "lt", "le", "contains", "in", "matches", "exists"]),
       st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5), st.lists(st.integers(), max_size=3)),
       st.one_of(st.none(), st.booleans(), st.integers(), st.lists(st.text(max_size=2), max_size=3)))
def test_comparisons_never_crash_on_odd_values(op, actual, expected):
    if op == "matches":
        expected = "a+"
    assert compare(op, actual, expected) in (True, False)


def test_config_and_taskdef_steps_take_their_own_launch_and_run():
    from ecslearn.content.schema import parse_quiz
    from ecslearn.content.yamlio import load_text

    text = """format: 1
title: t
questions:
  - id: step-extras
    kind: predict
    topic: container-instances
    difficulty: easy
    exams: [ECS-PRACTICE:1.1]
    prompt: p
    setup:
      - {call: ecs.create_cluster, params: {clusterName: prod}}
      - {config: [ECS_CLUSTER=prod], launch: {InstanceType: t3.large}}
      - {settle: true}
      - {taskdef: {family: web, containerDefinitions: [{name: w, image: nginx, memory: 128}]},
         run: {cluster: prod, count: 2}}
      - {settle: true}
    ask: {call: ec2.describe_instances, query: "Reservations[].Instances[].InstanceType | [0]"}
    explanation: e
    sources: [https://docs.aws.amazon.com/x]
"""
    data, problems = load_text(text, "f.yaml")
    quiz, problems = parse_quiz(data, "f.yaml", "01-f")
    assert problems == []
    q = quiz.questions[0]
    assert q.setup[1].extra == {"launch": {"InstanceType": "t3.large"}}
    sc = build(q.setup)
    assert sc.ask(q.ask) == "t3.large"
    assert len(sc.sim.client("ecs").list_tasks(cluster="prod")["taskArns"]) == 2
