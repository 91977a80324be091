"""Rolling deployments (ecs-reference §4.3 every row), the circuit breaker (§4.4) and LB event order (§4.8).

Each row steps the simulated clock one second at a time after UpdateService and counts RUNNING and
RUNNING+PENDING tasks of the service at every step.
"""

from __future__ import annotations

import itertools

import pytest

from ecslearn.sim import workloads
from tests.sim.test_services_support import (
    counts,
    describe,
    messages,
    register,
    service_tasks,
    squeeze,
    trace,
    world,
)

STUCK = ("service web was unable to stop or start tasks during a deployment because of the service deployment "
         "configuration. Update the minimumHealthyPercent or maximumPercent value and try again.")


def deploy(desired: int, min_pct: int, max_pct: int, *, instances: int = 3, seconds: int = 150):
    sim = world(instances=instances)
    ecs = sim.client("ecs")
    register(sim, image="nginx:1.26")
    register(sim, image="nginx:1.27")
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=desired,
                       deploymentConfiguration={"minimumHealthyPercent": min_pct, "maximumPercent": max_pct})
    sim.settle()
    assert counts(sim) == (desired, desired)
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    steps = [counts(sim), *trace(sim, seconds)]
    return sim, steps


def new_revision_running(sim) -> int:
    return sum(1 for t in service_tasks(sim, "web")
               if t["lastStatus"] == "RUNNING" and t["taskDefinitionArn"].endswith("web:2"))


def test_row_4_100_200_starts_four_new_then_stops_four_old():
    sim, steps = deploy(4, 100, 200)
    assert max(total for _, total in steps) == 8
    assert min(running for running, _ in steps) >= 4  # never below ceil(4 x 100%)
    assert all(total <= 8 for _, total in steps)
    assert squeeze([running for running, _ in steps]) == [4, 8, 4]
    # new tasks count as healthy 40 s after RUNNING (no LB, no health check): old ones stop then
    assert 39 <= sum(1 for running, _ in steps if running == 8) <= 41
    assert steps[-1] == (4, 4) and new_revision_running(sim) == 4
    dep = describe(sim)["deployments"]
    assert [(d["status"], d["rolloutState"]) for d in dep] == [("PRIMARY", "COMPLETED")]


def test_row_4_50_200_stops_two_old_right_away():
    sim, steps = deploy(4, 50, 200)
    assert steps[1][0] == 2  # two old tasks stopped at once to free capacity
    assert all(total <= 8 for _, total in steps)
    assert min(running for running, _ in steps) >= 2
    assert max(total for _, total in steps) == 6  # 2 old + 4 new
    assert steps[-1] == (4, 4) and new_revision_running(sim) == 4


def test_row_4_50_100_stop_two_start_two_repeat():
    sim, steps = deploy(4, 50, 100)
    assert all(total <= 4 for _, total in steps)
    assert min(running for running, _ in steps) == 2
    assert squeeze([running for running, _ in steps]).count(2) == 2  # two rounds of stop 2, start 2
    assert steps[-1] == (4, 4) and new_revision_running(sim) == 4


@pytest.mark.parametrize(("desired", "min_pct", "max_pct"), [(2, 75, 100), (3, 100, 125)])
def test_stuck_rows_emit_the_stuck_event(desired, min_pct, max_pct):
    sim, steps = deploy(desired, min_pct, max_pct, seconds=60)
    assert set(steps) == {(desired, desired)}  # can neither stop nor start
    assert new_revision_running(sim) == 0
    assert messages(sim).count(STUCK) == 1  # written once, then suppressed while it lasts
    deps = describe(sim)["deployments"]
    assert [(d["status"], d["rolloutState"]) for d in deps] == [("PRIMARY", "IN_PROGRESS"), ("ACTIVE", "COMPLETED")]
    assert sim.settle() == 0  # nothing can make progress: settle does not spin
    # fixing the configuration unblocks it
    sim.client("ecs").update_service(cluster="prod", service="web",
                                     deploymentConfiguration={"minimumHealthyPercent": 50})
    sim.settle()
    assert counts(sim) == (desired, desired) and new_revision_running(sim) == desired


def test_row_1_100_200_running_goes_1_2_1():
    sim, steps = deploy(1, 100, 200)
    assert squeeze([running for running, _ in steps]) == [1, 2, 1]
    assert all(total <= 2 for _, total in steps)
    assert new_revision_running(sim) == 1


def test_row_1_0_100_stops_first_then_starts():
    sim, steps = deploy(1, 0, 100)
    assert squeeze([running for running, _ in steps]) == [1, 0, 1]
    assert all(total <= 1 for _, total in steps)
    assert new_revision_running(sim) == 1


def test_row_100_100_can_neither_deploy_nor_drain():
    sim, steps = deploy(2, 100, 100, seconds=60)
    assert set(steps) == {(2, 2)} and STUCK in messages(sim)
    ecs = sim.client("ecs")
    arns = ecs.list_container_instances(cluster="prod")["containerInstanceArns"]
    ecs.update_container_instances_state(cluster="prod", containerInstances=arns[:1], status="DRAINING")
    assert set(trace(sim, 60)) == {(2, 2)}


def test_deployment_record_fields():
    sim, _ = deploy(2, 100, 200, seconds=5)
    svc = describe(sim)
    primary, old = svc["deployments"]
    assert primary["status"] == "PRIMARY" and old["status"] == "ACTIVE"
    assert primary["id"].startswith("ecs-svc/") and len(primary["id"]) == len("ecs-svc/") + 19
    assert primary["id"][8:].isdigit()
    assert primary["taskDefinition"].endswith(":task-definition/web:2")
    assert primary["desiredCount"] == 2 and primary["runningCount"] + primary["pendingCount"] == 2
    assert primary["rolloutState"] == "IN_PROGRESS"
    assert primary["rolloutStateReason"] == f"ECS deployment {primary['id']} in progress."
    assert primary["launchType"] == "EC2" and primary["failedTasks"] == 0
    assert primary["createdAt"] <= primary["updatedAt"]
    assert old["rolloutState"] == "COMPLETED"
    # tasks carry the deployment id as startedBy and the service group
    new = [t for t in service_tasks(sim, "web") if t["taskDefinitionArn"].endswith("web:2")]
    assert {t["startedBy"] for t in new} == {primary["id"]}
    assert {t["group"] for t in new} == {"service:web"}


def test_force_new_deployment_replaces_tasks_with_the_same_revision():
    sim = world()
    ecs = sim.client("ecs")
    register(sim)
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=2)
    sim.settle()
    before = describe(sim)["deployments"][0]["id"]
    ecs.update_service(cluster="prod", service="web", forceNewDeployment=True)
    sim.settle()
    svc = describe(sim)
    assert len(svc["deployments"]) == 1 and svc["deployments"][0]["id"] != before
    assert svc["deployments"][0]["taskDefinition"].endswith("web:1")
    assert counts(sim) == (2, 2)


def test_desired_count_change_alone_is_not_a_deployment():
    sim = world()
    ecs = sim.client("ecs")
    register(sim)
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=2)
    sim.settle()
    dep = describe(sim)["deployments"][0]["id"]
    ecs.update_service(cluster="prod", service="web", desiredCount=5)
    sim.settle()
    assert counts(sim) == (5, 5) and describe(sim)["deployments"][0]["id"] == dep


# --- the circuit breaker (§4.4) -------------------------------------------------------------------

def test_circuit_breaker_fails_the_deployment_and_rolls_back():
    sim = world()
    ecs = sim.client("ecs")
    hc = {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"], "interval": 5, "retries": 2}
    register(sim, image="nginx:1.26", healthCheck=hc)
    workloads.set_workload(sim, "web:broken", container_health="UNHEALTHY")
    register(sim, image="web:broken", healthCheck=hc)
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=1,
                       deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    sim.settle()
    good = describe(sim)["deployments"][0]["id"]
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    sim.settle(max_seconds=4 * 3600)
    svc = describe(sim)
    (primary,) = svc["deployments"]
    assert primary["taskDefinition"].endswith("web:1") and primary["rolloutState"] == "COMPLETED"
    assert svc["taskDefinition"].endswith("web:1")
    msgs = messages(sim)
    failed = [m for m in msgs if "deployment failed: tasks failed to start" in m]
    assert len(failed) == 1
    assert any(f"rolling back to deploymentId {good}" in m for m in msgs)
    # exactly the threshold (desired 1 -> 10) of failed tasks before the breaker tripped
    stopped = [m for m in msgs if m.startswith("(service web) has stopped")]
    assert len(stopped) >= 10
    assert counts(sim) == (1, 1)


def test_circuit_breaker_without_rollback_leaves_failed_deployment():
    sim = world()
    ecs = sim.client("ecs")
    hc = {"command": ["CMD-SHELL", "exit 1"], "interval": 5, "retries": 1}
    register(sim, image="nginx:1.26")
    workloads.set_workload(sim, "web:broken", container_health="UNHEALTHY")
    register(sim, image="web:broken", healthCheck=hc)
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=2,
                       deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": False}})
    sim.settle()
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    sim.settle(max_seconds=4 * 3600)
    primary, old = describe(sim)["deployments"]
    assert primary["rolloutState"] == "FAILED"
    assert primary["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert primary["failedTasks"] == 10
    assert old["rolloutState"] == "COMPLETED" and old["runningCount"] == 2  # old tasks keep serving
    assert sim.settle() == 0


# --- load balancer and the §4.8 event order ------------------------------------------------------

def lb_world(image_v2: str = "nginx:1.27", delay: int = 20):
    sim = world()
    ec2, elb, _ecs = sim.client("ec2"), sim.client("elbv2"), sim.client("ecs")
    subnets = ec2.describe_subnets()["Subnets"]
    lb = elb.create_load_balancer(Name="web", Subnets=[s["SubnetId"] for s in subnets])["LoadBalancers"][0]
    tg = elb.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=subnets[0]["VpcId"],
                                 HealthCheckPath="/", HealthCheckIntervalSeconds=10)["TargetGroups"][0]
    elb.modify_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"], Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": str(delay)}])
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
    pm = [{"containerPort": 80, "hostPort": 0}]
    register(sim, image="nginx:1.26", portMappings=pm)
    register(sim, image=image_v2, portMappings=pm)
    return sim, tg["TargetGroupArn"]


def test_one_task_100_200_update_with_an_lb_events_in_order():
    sim, tg = lb_world()
    ecs, elb = sim.client("ecs"), sim.client("elbv2")
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=1,
                       loadBalancers=[{"targetGroupArn": tg, "containerName": "web", "containerPort": 80}])
    sim.settle()
    health = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
    assert [h["TargetHealth"]["State"] for h in health] == ["healthy"]
    assert health[0]["Target"]["Id"].startswith("i-") and health[0]["Target"]["Port"] >= 32768  # dynamic port
    first = len(describe(sim)["events"])
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    sim.settle()
    new = messages(sim)[first:]
    kinds = []
    for m in new:
        for key, label in (("has started", "started"), ("deregistered 1 targets", "deregistered"),
                           ("registered 1 targets", "registered"), ("has stopped", "stopped"),
                           ("has begun draining", "draining"), ("deployment completed", "completed"),
                           ("steady state", "steady")):
            if key in m:
                kinds.append(label)
                break
    assert kinds == ["started", "registered", "stopped", "draining", "deregistered", "completed", "steady"]
    assert f"(service web) registered 1 targets in (target-group {tg})" in new
    health = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
    assert [h["TargetHealth"]["State"] for h in health] == ["healthy"]


def test_tasks_failing_elb_health_checks_are_replaced():
    sim, tg = lb_world()
    workloads.set_workload(sim, "nginx:1.26", http_status=500)
    ecs = sim.client("ecs")
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=1,
                       loadBalancers=[{"targetGroupArn": tg, "containerName": "web", "containerPort": 80}])
    sim.advance(240)
    stopped = ecs.list_tasks(cluster="prod", desiredStatus="STOPPED")["taskArns"]
    assert stopped
    task = ecs.describe_tasks(cluster="prod", tasks=stopped[:1])["tasks"][0]
    assert task["stoppedReason"] == f"Task failed ELB health checks in (target-group {tg})"
    assert task["stopCode"] == "ServiceSchedulerInitiated"
    assert any("is unhealthy in (target-group" in m for m in messages(sim))
    assert counts(sim)[1] == 1  # a replacement is on its way or running


def test_grace_period_delays_elb_health_enforcement():
    sim, tg = lb_world()
    workloads.set_workload(sim, "nginx:1.26", http_status=500)
    ecs = sim.client("ecs")
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=1,
                       healthCheckGracePeriodSeconds=600,
                       loadBalancers=[{"targetGroupArn": tg, "containerName": "web", "containerPort": 80}])
    sim.advance(300)
    assert ecs.list_tasks(cluster="prod", desiredStatus="STOPPED")["taskArns"] == []
    assert describe(sim)["healthCheckGracePeriodSeconds"] == 600
    sim.advance(400)
    assert ecs.list_tasks(cluster="prod", desiredStatus="STOPPED")["taskArns"] != []


# --- tasks that never start: throttling (§4.5) and the breaker's first stage (§4.4) ----------------

MISSING_IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/missing:latest"
THROTTLED = "(service web) is unable to consistently start tasks successfully."


def start_times(sim) -> list:
    return [e["createdAt"] for e in reversed(describe(sim)["events"]) if "has started" in e["message"]]


def test_failing_starts_back_off_up_to_fifteen_minutes_and_a_new_revision_clears_it():
    sim = world(instances=1)
    ecs = sim.client("ecs")
    register(sim, image=MISSING_IMAGE)
    register(sim, image="nginx:1.27")
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=1)
    assert sim.settle() < 600  # throttled: settle stops instead of waiting for the next retry
    sim.advance(3 * 3600)
    assert messages(sim).count(THROTTLED) == 1
    times = start_times(sim)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    assert len(gaps) >= 8
    assert max(gaps) <= 15 * 60 + 30 and max(gaps) >= 14 * 60  # grows to the 15-minute cap
    assert gaps[-1] >= gaps[2] > gaps[0]
    stopped = ecs.describe_tasks(cluster="prod", tasks=ecs.list_tasks(
        cluster="prod", desiredStatus="STOPPED")["taskArns"][:1])["tasks"][0]
    assert stopped["stopCode"] == "TaskFailedToStart"
    assert describe(sim)["deployments"][0]["failedTasks"] == len(times)
    # a new task definition clears the throttle: the service starts at once
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    assert sim.settle() < 120
    assert counts(sim) == (1, 1)


def test_breaker_counts_tasks_that_never_start_and_rolls_back():
    sim = world(instances=2)
    ecs = sim.client("ecs")
    register(sim, image="nginx:1.26")
    register(sim, image=MISSING_IMAGE)
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=2,
                       deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    sim.settle()
    good = describe(sim)["deployments"][0]["id"]
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    failed_id = describe(sim)["deployments"][0]["id"]
    for _ in range(24 * 720):
        sim.advance(5)
        deps = describe(sim)["deployments"]
        if deps[0]["id"] != failed_id:
            break
    primary = deps[0]
    failed = next(d for d in deps if d["id"] == failed_id)
    assert failed["status"] == "ACTIVE" and failed["rolloutState"] == "FAILED"
    assert failed["rolloutStateReason"] == "ECS deployment circuit breaker: tasks failed to start."
    assert failed["failedTasks"] == 10  # clamp(ceil(0.5 x 2), 10, 200)
    assert primary["rolloutStateReason"] == f"ECS deployment circuit breaker: rolling back to deploymentId {good}."
    assert primary["taskDefinition"].endswith("web:1")
    assert counts(sim)[0] == 2  # the old tasks kept serving all along
    sim.settle()
    (done,) = describe(sim)["deployments"]
    assert done["rolloutState"] == "COMPLETED" and done["taskDefinition"].endswith("web:1")


@pytest.mark.parametrize(("max_pct", "together"), [(200, True), (100, False)])
def test_unhealthy_tasks_replaced_together_with_room_else_one_at_a_time(max_pct, together):
    sim = world()
    ecs = sim.client("ecs")
    hc = {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"], "interval": 5, "retries": 2}
    workloads.set_workload(sim, "web:flaky", health_fails_after=100)
    register(sim, image="web:flaky", healthCheck=hc)
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=3,
                       deploymentConfiguration={"minimumHealthyPercent": 0, "maximumPercent": max_pct})
    sim.advance(60)
    assert counts(sim) == (3, 3)
    first = {t["taskArn"] for t in service_tasks(sim, "web")}
    sim.advance(240)
    stopped = [t for t in ecs.describe_tasks(cluster="prod", tasks=list(first))["tasks"]
               if t.get("stoppingAt")]
    assert len(stopped) == 3
    assert {t["stoppedReason"] for t in stopped} == {"Task failed container health checks"}
    moments = {t["stoppingAt"] for t in stopped}
    assert (len(moments) == 1) is together


def test_a_task_stopped_by_the_user_leaves_its_target_group_and_is_replaced():
    sim, tg = lb_world()
    ecs, elb = sim.client("ecs"), sim.client("elbv2")
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=1,
                       loadBalancers=[{"targetGroupArn": tg, "containerName": "web", "containerPort": 80}])
    sim.settle()
    (task,) = service_tasks(sim, "web")
    ecs.stop_task(cluster="prod", task=task["taskArn"])
    assert f"(service web) deregistered 1 targets in (target-group {tg})" in messages(sim)
    sim.settle()
    (new,) = service_tasks(sim, "web")
    assert new["taskArn"] != task["taskArn"]
    health = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
    assert [h["TargetHealth"]["State"] for h in health] == ["healthy"]


def test_alb_dynamic_ports_several_copies_on_one_instance():
    sim, tg = lb_world()
    ecs, elb = sim.client("ecs"), sim.client("elbv2")
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=3,
                       placementStrategy=[{"type": "binpack", "field": "memory"}],
                       loadBalancers=[{"targetGroupArn": tg, "containerName": "web", "containerPort": 80}])
    sim.settle()
    health = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
    assert len({h["Target"]["Id"] for h in health}) == 1  # one instance...
    assert len({h["Target"]["Port"] for h in health}) == 3  # ...three host ports
    assert all(h["TargetHealth"]["State"] == "healthy" for h in health)
    ports = sorted(t["containers"][0]["networkBindings"][0]["hostPort"] for t in service_tasks(sim, "web"))
    assert ports == sorted(h["Target"]["Port"] for h in health)
