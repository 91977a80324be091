"""Property: random scale / deploy / terminate-instance / drain sequences (ecs-reference §4.3, §5.2).

At every step RUNNING + PENDING never exceeds floor(desired x maximumPercent / 100), the service's counts
agree with its tasks and the instances' resources balance; at the end, with capacity restored, the
service converges to its desired count on its newest task definition.
"""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.sim.test_services_support import (
    counts,
    describe,
    launch_instances,
    register,
    service_tasks,
    world,
)

CONFIGS = [(100, 200), (50, 200), (50, 100), (0, 100), (100, 150), (75, 125)]

actions = st.lists(st.one_of(
    st.tuples(st.just("scale"), st.integers(0, 6)),
    st.tuples(st.just("deploy"), st.booleans()),
    st.tuples(st.just("terminate"), st.integers(0, 10)),
    st.tuples(st.just("drain"), st.integers(0, 10)),
    st.tuples(st.just("wait"), st.sampled_from([1, 5, 20, 60])),
), min_size=1, max_size=8)


def check_step(sim, max_pct: int) -> None:
    ecs = sim.client("ecs")
    svc = describe(sim)
    desired = svc["desiredCount"]
    running, total = counts(sim)
    assert total <= desired * max_pct // 100, (running, total, desired, max_pct)
    # the service's counters agree with its tasks
    tasks = service_tasks(sim, "web")
    assert svc["runningCount"] == sum(1 for t in tasks if t["lastStatus"] == "RUNNING")
    assert svc["runningCount"] == sum(d["runningCount"] for d in svc["deployments"])
    assert svc["pendingCount"] == sum(d["pendingCount"] for d in svc["deployments"])
    # resources balance on every instance
    arns = ecs.list_container_instances(cluster="prod")["containerInstanceArns"]
    if arns:
        for ci in ecs.describe_container_instances(cluster="prod", containerInstances=arns)["containerInstances"]:
            mine = [t for t in tasks if t.get("containerInstanceArn") == ci["containerInstanceArn"]]
            held = {r["name"]: r.get("integerValue") for r in ci["remainingResources"]}
            registered = {r["name"]: r.get("integerValue") for r in ci["registeredResources"]}
            assert held["MEMORY"] == registered["MEMORY"] - 256 * len(mine)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=st.sampled_from(CONFIGS), desired=st.integers(1, 5), steps=actions)
@example(config=(75, 125), desired=5, steps=[("wait", 60), ("deploy", False), ("scale", 1)])
def test_random_operations_converge_and_respect_maximum_percent(config, desired, steps):
    min_pct, max_pct = config
    sim = world(instances=4)
    ecs, ec2 = sim.client("ecs"), sim.client("ec2")
    revision = 1
    register(sim, image="nginx:1.26")
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=desired,
                       deploymentConfiguration={"minimumHealthyPercent": min_pct, "maximumPercent": max_pct})
    for kind, arg in steps:
        if kind == "scale":
            ecs.update_service(cluster="prod", service="web", desiredCount=arg)
        elif kind == "deploy":
            if arg:
                revision += 1
                register(sim, image=f"nginx:1.{26 + revision}")
                ecs.update_service(cluster="prod", service="web", taskDefinition=f"web:{revision}")
            else:
                ecs.update_service(cluster="prod", service="web", forceNewDeployment=True)
        elif kind in ("terminate", "drain"):
            arns = ecs.list_container_instances(cluster="prod", status="ACTIVE")["containerInstanceArns"]
            if arns:
                arn = arns[arg % len(arns)]
                if kind == "drain":
                    ecs.update_container_instances_state(cluster="prod", containerInstances=[arn],
                                                         status="DRAINING")
                else:
                    ci = ecs.describe_container_instances(cluster="prod",
                                                          containerInstances=[arn])["containerInstances"][0]
                    ec2.terminate_instances(InstanceIds=[ci["ec2InstanceId"]])
        sim.advance(arg if kind == "wait" else 1)
        check_step(sim, max_pct)
        for _ in range(3):
            sim.advance(2)
            check_step(sim, max_pct)
    # capacity back, and a configuration that can always make progress
    launch_instances(sim, 3)
    ecs.update_service(cluster="prod", service="web",
                       deploymentConfiguration={"minimumHealthyPercent": 100, "maximumPercent": 200})
    sim.settle(max_seconds=2 * 3600)
    svc = describe(sim)
    want = svc["desiredCount"]
    assert counts(sim) == (want, want)
    (dep,) = svc["deployments"]
    assert dep["rolloutState"] == "COMPLETED" and dep["taskDefinition"].endswith(f"web:{revision}")
    assert {t["taskDefinitionArn"].rsplit("/", 1)[1] for t in service_tasks(sim, "web")} <= {f"web:{revision}"}
    assert svc["events"][0]["message"] == "(service web) has reached a steady state."
    check_step(sim, 200)


# --- random parameters never crash an operation or the scheduler ------------------------------------

_json = st.recursive(st.none() | st.booleans() | st.integers(-5, 300) | st.text(max_size=8),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                 max_size=3), max_leaves=8)
_field_values = {
    "desiredCount": st.integers(-2, 4),
    "launchType": st.sampled_from(["EC2", "FARGATE", "EXTERNAL", "nope"]),
    "schedulingStrategy": st.sampled_from(["REPLICA", "DAEMON", "x"]),
    "deploymentConfiguration": st.fixed_dictionaries({}, optional={
        "maximumPercent": st.integers(-10, 300) | st.text(max_size=3),
        "minimumHealthyPercent": st.integers(-10, 200),
        "deploymentCircuitBreaker": st.fixed_dictionaries({}, optional={"enable": st.booleans() | _json,
                                                                         "rollback": st.booleans()})}),
    "placementStrategy": st.lists(st.fixed_dictionaries({}, optional={
        "type": st.sampled_from(["spread", "binpack", "random", "x"]),
        "field": st.sampled_from(["memory", "cpu", "instanceId", "attribute:ecs.availability-zone", "x"])}),
        max_size=6),
    "placementConstraints": st.lists(st.fixed_dictionaries({}, optional={
        "type": st.sampled_from(["distinctInstance", "memberOf", "x"]),
        "expression": st.sampled_from(["attribute:ecs.instance-type =~ t3.*", "(", "", "task:group == x"])}),
        max_size=3),
    "networkConfiguration": _json,
    "loadBalancers": st.lists(_json, max_size=2),
    "capacityProviderStrategy": st.lists(_json, max_size=2),
    "healthCheckGracePeriodSeconds": st.integers(-1, 100),
    "tags": st.lists(_json, max_size=2),
    "propagateTags": st.sampled_from(["SERVICE", "TASK_DEFINITION", "NONE", "x"]),
}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(create=st.fixed_dictionaries({}, optional=_field_values),
       update=st.fixed_dictionaries({}, optional={k: v for k, v in _field_values.items()
                                                 if k not in ("launchType", "schedulingStrategy", "tags")}))
def test_random_parameters_are_refused_cleanly(create, update):
    from ecslearn.errors import NotModelledError, ParamValidationError
    from ecslearn.sim import ClientError, Simulator
    sim = Simulator(seed=1)
    ecs = sim.client("ecs")
    ecs.create_cluster(clusterName="prod")
    launch_instances(sim, 1)
    sim.settle()
    register(sim)
    expected = (ClientError, NotModelledError, ParamValidationError)
    try:
        ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", **create)
    except expected:
        return
    sim.advance(30)
    with contextlib.suppress(expected):
        ecs.update_service(cluster="prod", service="web", **update)
    sim.advance(120)
    describe(sim)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(config=st.sampled_from(CONFIGS), desired=st.integers(1, 4), steps=actions)
def test_with_a_load_balancer_targets_follow_the_tasks(config, desired, steps):
    from tests.sim.test_deployments import lb_world

    min_pct, max_pct = config
    sim, tg = lb_world()
    ecs, ec2, elb = sim.client("ecs"), sim.client("ec2"), sim.client("elbv2")
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=desired,
                       loadBalancers=[{"targetGroupArn": tg, "containerName": "web", "containerPort": 80}],
                       deploymentConfiguration={"minimumHealthyPercent": min_pct, "maximumPercent": max_pct})
    revision = 2
    for kind, arg in steps:
        if kind == "scale":
            ecs.update_service(cluster="prod", service="web", desiredCount=arg)
        elif kind == "deploy":
            ecs.update_service(cluster="prod", service="web", taskDefinition=f"web:{revision}")
            revision = 3 - revision
        elif kind in ("terminate", "drain"):
            arns = ecs.list_container_instances(cluster="prod", status="ACTIVE")["containerInstanceArns"]
            if arns:
                arn = arns[arg % len(arns)]
                if kind == "drain":
                    ecs.update_container_instances_state(cluster="prod", containerInstances=[arn],
                                                         status="DRAINING")
                else:
                    ci = ecs.describe_container_instances(cluster="prod",
                                                          containerInstances=[arn])["containerInstances"][0]
                    ec2.terminate_instances(InstanceIds=[ci["ec2InstanceId"]])
        sim.advance(arg if kind == "wait" else 1)
        _, total = counts(sim)
        assert total <= describe(sim)["desiredCount"] * max_pct // 100
    launch_instances(sim, 3)
    ecs.update_service(cluster="prod", service="web",
                       deploymentConfiguration={"minimumHealthyPercent": 100, "maximumPercent": 200})
    sim.settle(max_seconds=2 * 3600)
    want = describe(sim)["desiredCount"]
    assert counts(sim) == (want, want)
    health = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
    assert [h["TargetHealth"]["State"] for h in health] == ["healthy"] * want
    ports = {(t["containers"][0]["networkBindings"][0]["hostPort"]) for t in service_tasks(sim, "web")}
    assert {h["Target"]["Port"] for h in health} == ports
