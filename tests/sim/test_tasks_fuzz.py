"""Random parameters thrown at RunTask/StartTask/StopTask/DescribeTasks/ListTasks: only AWS-style errors."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim import ClientError
from tests.sim.test_tasks_support import register, subnets_by_az, world

_WORLD: dict = {}


def shared():
    if not _WORLD:
        sim, ecs, arns = world(azs=("us-east-1a", "us-east-1b"))
        register(ecs)
        register(ecs, "vpc", network_mode="awsvpc")
        ecs.register_task_definition(family="fg", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                     cpu="256", memory="512",
                                     containerDefinitions=[{"name": "a", "image": "nginx"}])
        _WORLD.update(sim=sim, ecs=ecs, arns=arns, subnets=list(subnets_by_az(sim).values()))
    return _WORLD


scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 20), st.text(max_size=12),
                    st.sampled_from(["web", "vpc", "fg", "EC2", "FARGATE", "EXTERNAL", "random", "binpack",
                                     "spread", "memory", "cpu", "instanceId", "memberOf", "distinctInstance",
                                     "attribute:ecs.availability-zone", "ENABLED", "DISABLED", "LATEST",
                                     "1.4.0", "a", "TAGS", "RUNNING", "STOPPED", "PENDING"]))
keys = st.sampled_from(["type", "field", "expression", "name", "command", "cpu", "memory", "environment",
                        "memoryReservation", "containerOverrides", "awsvpcConfiguration", "subnets",
                        "securityGroups", "assignPublicIp", "key", "value", "capacityProvider", "weight",
                        "base", "taskRoleArn", "sizeInGiB", "ephemeralStorage", "junk"])
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(keys, inner, max_size=4)),
                      max_leaves=12)

RUN_PARAMS = ["cluster", "count", "launchType", "capacityProviderStrategy", "group", "startedBy",
              "placementStrategy", "placementConstraints", "networkConfiguration", "overrides", "tags",
              "propagateTags", "enableECSManagedTags", "enableExecuteCommand", "platformVersion", "referenceId",
              "clientToken"]
ALLOWED = (ClientError, ParamValidationError, NotModelledError)


def call(fn, **kw):
    try:
        return fn(**kw)
    except ALLOWED:
        return None


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["web", "vpc", "fg", "nope", 7]),
       st.dictionaries(st.sampled_from(RUN_PARAMS), values, max_size=5), st.booleans())
def test_run_task_random_parameters(td, params, real_subnet):
    w = shared()
    params.setdefault("cluster", "prod")
    if real_subnet and isinstance(params.get("networkConfiguration"), dict):
        av = params["networkConfiguration"].get("awsvpcConfiguration")
        if isinstance(av, dict):
            av["subnets"] = w["subnets"][:2]
    out = call(w["ecs"].run_task, taskDefinition=td, **params)
    if out is not None:
        assert set(out) == {"tasks", "failures"}
    w["sim"].advance(3)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values, values, values, values)
def test_other_task_operations_random_parameters(a, b, c, d):
    w = shared()
    ecs = w["ecs"]
    call(ecs.start_task, taskDefinition=a if isinstance(a, str) else "web", containerInstances=b, cluster="prod")
    call(ecs.start_task, taskDefinition="web", containerInstances=[w["arns"][0]], overrides=c, group=d)
    call(ecs.stop_task, task=a, cluster=b, reason=c)
    call(ecs.describe_tasks, tasks=a, cluster="prod", include=b)
    call(ecs.list_tasks, cluster="prod", family=a, desiredStatus=b, maxResults=c, nextToken=d)
    call(ecs.list_tasks, cluster="prod", containerInstance=a, launchType=b, startedBy=c, serviceName=d)
