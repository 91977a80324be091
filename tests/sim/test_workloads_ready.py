"""A slow starter (`http_ready_after`): 503 while it warms up, then its normal answer; ELB checks follow it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ecslearn.errors import SimulatorError
from ecslearn.sim.traffic import send_request
from ecslearn.sim.workloads import Workload, set_workload


def test_it_answers_503_until_ready_then_its_status():
    w = Workload(http_ready_after=120)
    assert [w.http_status_at(t) for t in (0, 60, 119.9, 120, 5000)] == [503, 503, 503, 200, 200]
    assert Workload().http_status_at(0) == 200  # no warm-up by default
    assert Workload(http_ready_after=30, http_status=404).http_status_at(31) == 404
    assert Workload(http_ready_after=30, http_fails_after=100).http_status_at(100) == 500
    assert Workload(http_ready_after=30, http_status=0).http_status_at(0) == 0  # not an HTTP server at all


@given(st.floats(min_value=0, max_value=1e6), st.floats(min_value=0, max_value=1e6))
def test_ready_after_is_a_threshold(ready, t):
    assert (Workload(http_ready_after=ready).http_status_at(t) == 503) == (t < ready)


def test_from_dict_and_validation():
    assert Workload.from_dict({"http_ready_after": 90}).http_ready_after == 90.0
    assert Workload.from_dict({"http_ready_after": None}).http_ready_after is None
    assert Workload(http_ready_after=45).to_dict()["http_ready_after"] == 45
    with pytest.raises(SimulatorError, match="http_ready_after"):
        Workload.from_dict({"http_ready_after": "soon"})
    with pytest.raises(SimulatorError, match="http_ready_after"):
        Workload(http_ready_after=-1)


@pytest.fixture
def world(sim):
    """A cluster with a t3.large container instance, an ALB and a target group checked every 10 s."""
    ec2, elb, ecs = sim.client("ec2"), sim.client("elbv2"), sim.client("ecs")
    ami = sim.client("ssm").get_parameter(
        Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")["Parameter"]["Value"]
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    ecs.create_cluster(clusterName="prod")
    ec2.run_instances(ImageId=ami, InstanceType="t3.large", MinCount=1, MaxCount=1, SubnetId=subnets[0]["SubnetId"],
                      IamInstanceProfile={"Name": "ecsInstanceRole"},
                      UserData="#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config")
    lb = elb.create_load_balancer(Name="web", Subnets=[s["SubnetId"] for s in subnets[:2]])["LoadBalancers"][0]
    tg = elb.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=subnets[0]["VpcId"],
                                 HealthCheckIntervalSeconds=10, HealthCheckTimeoutSeconds=5)["TargetGroups"][0]
    elb.modify_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"], Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": "10"}])  # replaced tasks leave quickly
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
    sim.settle()
    set_workload(sim, "web:slow", http_ready_after=120)
    ecs.register_task_definition(family="web", containerDefinitions=[
        {"name": "web", "image": "web:slow", "memory": 256, "portMappings": [{"containerPort": 80, "hostPort": 0}]}])
    return tg["TargetGroupArn"]


def _service(sim, tg, grace):
    sim.client("ecs").create_service(
        cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1, healthCheckGracePeriodSeconds=grace,
        loadBalancers=[{"targetGroupArn": tg, "containerName": "web", "containerPort": 80}])


def _targets(sim, tg):
    return sim.client("elbv2").describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]


def _tasks(sim, status="RUNNING"):
    return sim.client("ecs").list_tasks(cluster="prod", serviceName="web", desiredStatus=status)["taskArns"]


def test_targets_fail_with_503_while_warming_up_then_turn_healthy_within_the_grace(sim, world):
    _service(sim, world, grace=300)
    sim.advance(60)
    [t] = _targets(sim, world)
    assert t["TargetHealth"]["State"] == "unhealthy"
    assert t["TargetHealth"]["Description"] == "Health checks failed with these codes: [503]"
    dns = sim.client("elbv2").describe_load_balancers()["LoadBalancers"][0]["DNSName"]
    early = send_request(sim, dns)
    assert early.status_code == 503 and early.failed_open  # traffic reaches the app, which is not ready yet
    first = _tasks(sim)
    sim.advance(240)
    assert [t["TargetHealth"]["State"] for t in _targets(sim, world)] == ["healthy"]
    assert send_request(sim, dns).status_code == 200
    assert _tasks(sim) == first and _tasks(sim, "STOPPED") == []  # the grace period kept it


def test_a_short_grace_period_replaces_the_slow_starter_before_it_is_ready(sim, world):
    _service(sim, world, grace=0)
    sim.advance(900)
    stopped = sim.client("ecs").describe_tasks(cluster="prod", tasks=_tasks(sim, "STOPPED"))["tasks"]
    assert len(stopped) >= 5  # replaced again and again: each is stopped before it warms up
    assert all(t["stoppedReason"].startswith("Task failed ELB health checks") for t in stopped)
    assert all((t["stoppedAt"] - t["startedAt"]).total_seconds() < 120 for t in stopped)
    assert "healthy" not in {t["TargetHealth"]["State"] for t in _targets(sim, world)}
    # raising the grace period lets the task in flight warm up: it turns healthy and stays
    sim.client("ecs").update_service(cluster="prod", service="web", healthCheckGracePeriodSeconds=300)
    sim.advance(400)
    assert [t["TargetHealth"]["State"] for t in _targets(sim, world)] == ["healthy"]
    kept = _tasks(sim)
    sim.advance(600)
    assert _tasks(sim) == kept
