"""Property tests: random and badly-typed parameters never crash RegisterTaskDefinition, and what it accepts
obeys the rules of ecs-reference §2."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim import ClientError, Simulator
from ecslearn.sim.ecs.taskdefs import FARGATE_TASK_SIZES

EXPECTED = (ClientError, ParamValidationError, NotModelledError)
PARAMS = ["family", "containerDefinitions", "taskRoleArn", "executionRoleArn", "networkMode", "volumes",
          "placementConstraints", "requiresCompatibilities", "cpu", "memory", "tags", "pidMode", "ipcMode",
          "proxyConfiguration", "inferenceAccelerators", "ephemeralStorage", "runtimePlatform",
          "enableFaultInjection"]

scalars = st.one_of(st.none(), st.booleans(), st.integers(min_value=-2**40, max_value=2**40),
                    st.floats(allow_nan=True), st.text(max_size=12),
                    st.sampled_from(["", "nginx", "awsvpc", "FARGATE", "1 vCPU", "512", "tcp", "awslogs", "²"]))
anything = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4),
    st.dictionaries(st.sampled_from(["name", "image", "memory", "cpu", "portMappings", "containerPort",
                                     "logConfiguration", "logDriver", "options", "type", "expression",
                                     "healthCheck", "command", "essential", "hostPort", "secrets"]),
                    inner, max_size=5)), max_leaves=20)

# near-valid definitions: the right keys with plausible and implausible values
port = st.fixed_dictionaries({}, optional={
    "containerPort": st.one_of(st.integers(-5, 70000), st.sampled_from([80, 443, 8080]), st.text(max_size=3)),
    "hostPort": st.one_of(st.integers(-5, 70000), st.just(0), st.none()),
    "protocol": st.sampled_from(["tcp", "udp", "sctp", "TCP"]),
    "containerPortRange": st.sampled_from(["8000-8010", "9-1", "x", "1-65535"]),
    "appProtocol": st.sampled_from(["http", "grpc", "ftp"]),
})
log = st.fixed_dictionaries({"logDriver": st.sampled_from(["awslogs", "json-file", "splunk", "loki", "awsfirelens"])},
                            optional={"options": st.dictionaries(
                                st.sampled_from(["awslogs-group", "awslogs-region", "awslogs-stream-prefix",
                                                 "awslogs-create-group", "mode", "awslogs-datetime-format",
                                                 "awslogs-multiline-pattern"]),
                                st.sampled_from(["", "g", "us-east-1", "true", "false", "blocking"]), max_size=5),
                                "secretOptions": st.lists(anything, max_size=1)})
perturbation = st.fixed_dictionaries({}, optional={
    "name": st.sampled_from(["app", "side", "", "bad name", "db"]),
    "image": st.sampled_from(["nginx", "", "123456789012.dkr.ecr.us-east-1.amazonaws.com/a:1", "x@sha256:1",
                              "nginx@sha256:" + "a" * 64, "bad image"]),
    "memory": st.one_of(st.integers(-10, 5000), st.none()),
    "memoryReservation": st.integers(-10, 5000),
    "cpu": st.one_of(st.integers(-10, 5000), st.booleans()),
    "essential": st.one_of(st.booleans(), st.text(max_size=2)),
    "portMappings": st.lists(port, max_size=3),
    "logConfiguration": log,
    "healthCheck": st.fixed_dictionaries({}, optional={
        "command": st.lists(st.sampled_from(["CMD", "CMD-SHELL", "true", "NONE"]), max_size=3),
        "interval": st.integers(0, 400), "timeout": st.integers(0, 70), "retries": st.integers(-1, 12),
        "startPeriod": st.integers(-1, 400)}),
    "stopTimeout": st.integers(-5, 200),
    "hostname": st.just("h"),
    "links": st.lists(st.just("db"), max_size=1),
    "privileged": st.booleans(),
    "secrets": st.lists(st.fixed_dictionaries({}, optional={
        "name": st.sampled_from(["A", ""]),
        "valueFrom": st.sampled_from(["p", "arn:aws:secretsmanager:us-east-1:123456789012:secret:x"])}), max_size=2),
    "dependsOn": st.lists(st.fixed_dictionaries({"containerName": st.sampled_from(["app", "db", "x"]),
                                                 "condition": st.sampled_from(["START", "HEALTHY", "NOPE"])}),
                          max_size=2),
    "mountPoints": st.lists(st.fixed_dictionaries({"sourceVolume": st.sampled_from(["v", "w"])}), max_size=1),
    "resourceRequirements": st.lists(anything, max_size=1),
    "junk": anything,
}).map(lambda d: dict(list(d.items())[:2]))  # a valid container with at most two changes


def _container(index: int, changes: dict) -> dict:
    return {"name": ("app", "side", "db")[index], "image": "nginx", "memory": 256, **changes}


containers = st.lists(st.one_of(st.just({}), perturbation), min_size=0, max_size=3).map(
    lambda changes: [_container(i, c) for i, c in enumerate(changes)])
near_valid = st.fixed_dictionaries(
    {"family": st.sampled_from(["web"] * 8 + ["", "bad family", "w" * 256]),
     "containerDefinitions": containers},
    optional={
        "networkMode": st.sampled_from(["bridge", "host", "awsvpc", "none", "nat"]),
        "requiresCompatibilities": st.lists(st.sampled_from(["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES", "X"]),
                                            max_size=2),
        "cpu": st.sampled_from(["256", "512", "1024", "1 vCPU", "2 vcpu", "8192", "16384", "100", "x", ""]),
        "memory": st.sampled_from(["512", "1024", "2048", "2GB", "16GB", "122880", "5", "3", "abc"]),
        "executionRoleArn": st.just("arn:aws:iam::123456789012:role/ecsTaskExecutionRole"),
        "taskRoleArn": st.just("arn:aws:iam::123456789012:role/app"),
        "pidMode": st.sampled_from(["host", "task", "x"]),
        "ipcMode": st.sampled_from(["host", "task", "none", "x"]),
        "volumes": st.lists(st.fixed_dictionaries({}, optional={
            "name": st.sampled_from(["v", "w", ""]), "host": st.fixed_dictionaries({}, optional={
                "sourcePath": st.just("/d")})}), max_size=2),
        "placementConstraints": st.lists(st.fixed_dictionaries({}, optional={
            "type": st.sampled_from(["memberOf", "distinctInstance"]),
            "expression": st.sampled_from(["attribute:ecs.instance-type =~ t3.*", "((", "", "runningTasksCount > 1"])}),
            max_size=2),
        "runtimePlatform": st.fixed_dictionaries({}, optional={
            "cpuArchitecture": st.sampled_from(["X86_64", "ARM64", "x"]),
            "operatingSystemFamily": st.sampled_from(["LINUX", "WINDOWS_SERVER_2022_FULL", "DOS"])}),
        "ephemeralStorage": st.fixed_dictionaries({"sizeInGiB": st.integers(0, 300)}),
        "tags": st.lists(st.fixed_dictionaries({"key": st.sampled_from(["a", "aws:x", ""]), "value": st.just("v")}),
                         max_size=2),
    }).map(lambda d: {k: v for i, (k, v) in enumerate(d.items())
                      if k in ("family", "containerDefinitions") or i < 6})

fargate_overlay = st.fixed_dictionaries({
    "networkMode": st.just("awsvpc"),
    "cpu": st.sampled_from(["256", "512", "1024", "1 vCPU", "4096", "16384"]),
    "memory": st.sampled_from(["512", "1024", "2048", "2GB", "3072", "8GB", "32GB", "120GB"]),
}, optional={"requiresCompatibilities": st.sampled_from([["FARGATE"], ["EC2", "FARGATE"]])})
near_valid = st.one_of(near_valid, st.tuples(near_valid, fargate_overlay).map(lambda t: {**t[0], **t[1]}))


def _check(sim: Simulator, kwargs: dict) -> None:
    ecs = sim.client("ecs")
    try:
        out = ecs.register_task_definition(**kwargs)
    except EXPECTED:
        return
    td = out["taskDefinition"]
    revisions = ecs.list_task_definitions(familyPrefix=td["family"])["taskDefinitionArns"]
    assert revisions[-1] == td["taskDefinitionArn"]
    assert td["compatibilities"][0] == "EC2"
    assert any(c["essential"] for c in td["containerDefinitions"])
    if "FARGATE" in (kwargs.get("requiresCompatibilities") or []):
        assert "FARGATE" in td["compatibilities"]
    if "FARGATE" in td["compatibilities"]:
        assert int(td["memory"]) in FARGATE_TASK_SIZES[int(td["cpu"])]
        assert td["networkMode"] == "awsvpc"
    if td.get("networkMode") in ("awsvpc", "host"):
        for c in td["containerDefinitions"]:
            for pm in c["portMappings"]:
                assert pm.get("hostPort", pm.get("containerPort")) == pm.get("containerPort")
    if "memory" not in td and "EC2" in (kwargs.get("requiresCompatibilities") or ["EC2"]):
        assert all(c.get("memory") or c.get("memoryReservation") for c in td["containerDefinitions"])
    assert ecs.describe_task_definition(taskDefinition=td["taskDefinitionArn"])["taskDefinition"] == td


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([*PARAMS, "bogus"]), anything, max_size=6))
def test_random_parameters_never_crash(kwargs):
    _check(Simulator(seed=0), kwargs)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(near_valid)
def test_near_valid_definitions_are_accepted_only_when_they_follow_the_rules(kwargs):
    _check(Simulator(seed=0), kwargs)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["register", "deregister", "delete", "advance"]), max_size=25), st.data())
def test_revisions_only_grow(ops, data):
    sim = Simulator(seed=0)
    ecs = sim.client("ecs")
    highest = 0
    for op in ops:
        if op == "register":
            rev = ecs.register_task_definition(family="f", containerDefinitions=[
                {"name": "a", "image": "nginx", "memory": 64}])["taskDefinition"]["revision"]
            assert rev == highest + 1
            highest = rev
        elif highest and op in ("deregister", "delete"):
            rev = data.draw(st.integers(1, highest))
            try:
                if op == "deregister":
                    ecs.deregister_task_definition(taskDefinition=f"f:{rev}")
                else:
                    ecs.delete_task_definitions(taskDefinitions=[f"f:{rev}"])
            except ClientError as err:
                assert err.response["Error"]["Message"] == "The specified task definition does not exist."
        elif op == "advance":
            sim.advance(400)
    listed = [int(a.rsplit(":", 1)[1]) for status in ("ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS")
              for a in ecs.list_task_definitions(status=status)["taskDefinitionArns"]]
    assert len(listed) == len(set(listed)) and all(1 <= r <= highest for r in listed)
