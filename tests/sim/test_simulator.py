"""The simulator's public contract: clients, the clock, errors shaped like botocore's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim import ClientError, Simulator


def test_clock_starts_timezone_aware_and_advances(sim):
    start = sim.now
    assert start.tzinfo is not None
    sim.advance(90)
    assert sim.now - start == timedelta(seconds=90)
    with pytest.raises(Exception, match="forward"):
        sim.advance(-1)


def test_events_run_in_time_order_and_settle_stops_when_idle(sim):
    seen = []
    sim.schedule(30, lambda: seen.append(("b", sim.now)))
    sim.schedule(10, lambda: seen.append(("a", sim.now)))
    ticks = []
    sim.every(5, lambda: ticks.append(sim.now))
    advanced = sim.settle()
    assert [name for name, _ in seen] == ["a", "b"]
    assert advanced == 30
    assert seen[0][1] - (sim.now - timedelta(seconds=30)) == timedelta(seconds=10)
    assert len(ticks) == 6  # periodic work ran meanwhile but did not keep settle going


def test_cancelled_event_does_not_run_or_keep_settle_busy(sim):
    ran = []
    handle = sim.schedule(10, lambda: ran.append(1))
    handle.cancel()
    assert sim.settle() == 0
    sim.advance(20)
    assert ran == []


def test_errors_look_like_botocore_client_errors(sim):
    ecs = sim.client("ecs")
    with pytest.raises(ClientError) as info:
        ecs.delete_cluster(cluster="missing")
    err = info.value
    assert err.response["Error"] == {"Code": "ClusterNotFoundException", "Message": "Cluster not found."}
    assert err.operation_name == "DeleteCluster"
    assert str(err) == ("An error occurred (ClusterNotFoundException) when calling the DeleteCluster "
                        "operation: Cluster not found.")


def test_parameters_are_validated_like_botocore(sim):
    ecs = sim.client("ecs")
    with pytest.raises(ParamValidationError, match="Invalid type for parameter clusterName"):
        ecs.create_cluster(clusterName=5)
    with pytest.raises(ParamValidationError, match='Unknown parameter in input: "nope"'):
        ecs.create_cluster(nope=1)
    with pytest.raises(ParamValidationError, match='Missing required parameter in input: "cluster"'):
        ecs.delete_cluster()


def test_real_but_unmodelled_operations_say_so(sim):
    with pytest.raises(NotModelledError, match="ecslearn does not model ecs CreateTaskSet yet"):
        sim.client("ecs").create_task_set(service="x", cluster="y", taskDefinition="z")
    with pytest.raises(AttributeError):
        sim.client("ecs").no_such_thing()


def test_responses_are_private_copies(sim):
    ecs = sim.client("ecs")
    out = ecs.create_cluster(clusterName="prod")
    out["cluster"]["settings"].append({"name": "x"})
    again = ecs.describe_clusters(clusters=["prod"])["clusters"][0]
    assert {"name": "x"} not in again["settings"]


def test_same_seed_same_ids():
    a, b = Simulator(seed=7), Simulator(seed=7)
    assert [a.new_hex() for _ in range(3)] == [b.new_hex() for _ in range(3)]
    assert Simulator(seed=8).new_hex() != Simulator(seed=7).new_hex()


def _world(seed: int) -> dict:
    """A small but busy world: instances through the agent, random placement, a service, time passing."""
    sim = Simulator(seed=seed)
    ami = sim.client("ssm").get_parameter(
        Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")["Parameter"]["Value"]
    ecs, ec2 = sim.client("ecs"), sim.client("ec2")
    ecs.create_cluster(clusterName="prod")
    for az in ("us-east-1a", "us-east-1b", "us-east-1c"):
        ec2.run_instances(ImageId=ami, InstanceType="t3.medium", MinCount=2, MaxCount=2,
                          Placement={"AvailabilityZone": az}, IamInstanceProfile={"Name": "ecsInstanceRole"},
                          UserData="#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config")
    sim.advance(120)
    ecs.register_task_definition(family="web", containerDefinitions=[
        {"name": "web", "image": "nginx", "memory": 256, "portMappings": [{"containerPort": 80}]}])
    ecs.run_task(cluster="prod", taskDefinition="web", count=7)  # default strategy: seeded random
    ecs.create_service(cluster="prod", serviceName="api", taskDefinition="web", desiredCount=5)
    sim.settle()
    arns = ecs.list_tasks(cluster="prod")["taskArns"]
    tasks = ecs.describe_tasks(cluster="prod", tasks=arns)["tasks"]
    return {
        "now": sim.now,
        "tasks": sorted((t["taskArn"], t["containerInstanceArn"], t["lastStatus"]) for t in tasks),
        "instances": ecs.describe_container_instances(
            cluster="prod", containerInstances=ecs.list_container_instances(cluster="prod")["containerInstanceArns"],
        )["containerInstances"],
        "events": ecs.describe_services(cluster="prod", services=["api"])["services"][0]["events"],
    }


def test_same_seed_same_world_end_to_end():
    first, second = _world(5), _world(5)
    assert first == second
    assert len(first["tasks"]) == 12
    assert _world(6)["tasks"] != first["tasks"]  # ids and random placement follow the seed
