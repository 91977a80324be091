"""ECS services through the public contract: the API (§4.1, §4.6, §8), the scheduler (§4.2, §4.5, §3.3, §5.2)
and service events (§4.8)."""

from __future__ import annotations

from collections import Counter

import pytest

from ecslearn.errors import NotModelledError
from ecslearn.sim import ClientError
from tests.sim.test_services_support import (
    counts,
    describe,
    launch_instances,
    messages,
    register,
    service_tasks,
    world,
)


def error(fn, **kw) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        fn(**kw)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


@pytest.fixture
def sim():
    s = world(instances=3)
    register(s)
    return s


@pytest.fixture
def ecs(sim):
    return sim.client("ecs")


# --- the API ----------------------------------------------------------------------------------------

def test_create_service_response_and_defaults(sim, ecs):
    out = ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=2,
                             tags=[{"key": "team", "value": "a"}])["service"]
    assert out["serviceArn"] == "arn:aws:ecs:us-east-1:123456789012:service/prod/web"
    assert out["clusterArn"].endswith(":cluster/prod")
    assert out["status"] == "ACTIVE" and out["desiredCount"] == 2 and out["runningCount"] == 0
    assert out["launchType"] == "EC2" and out["schedulingStrategy"] == "REPLICA"
    assert out["deploymentConfiguration"] == {
        "deploymentCircuitBreaker": {"enable": False, "rollback": False},
        "maximumPercent": 200, "minimumHealthyPercent": 100}
    assert out["deploymentController"] == {"type": "ECS"}
    assert out["taskDefinition"].endswith(":task-definition/web:1")
    assert out["tags"] == [{"key": "team", "value": "a"}]
    (dep,) = out["deployments"]
    assert dep["status"] == "PRIMARY" and dep["rolloutState"] == "IN_PROGRESS"
    sim.settle()
    svc = describe(sim)
    assert svc["runningCount"] == 2 and svc["pendingCount"] == 0
    assert svc["deployments"][0]["rolloutState"] == "COMPLETED"
    assert "tags" not in svc
    tagged = ecs.describe_services(cluster="prod", services=["web"], include=["TAGS"])["services"][0]
    assert tagged["tags"] == [{"key": "team", "value": "a"}]
    assert ecs.list_tags_for_resource(resourceArn=out["serviceArn"])["tags"] == [{"key": "team", "value": "a"}]


def test_tasks_get_the_service_group_and_deployment_id(sim, ecs):
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=3)
    sim.settle()
    dep = describe(sim)["deployments"][0]["id"]
    tasks = service_tasks(sim, "web")
    assert len(tasks) == 3
    assert {t["group"] for t in tasks} == {"service:web"}
    assert {t["startedBy"] for t in tasks} == {dep}
    assert ecs.list_tasks(cluster="prod", startedBy=dep)["taskArns"]


def test_default_placement_balances_availability_zones(sim, ecs):
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=6)
    sim.settle()
    zones = Counter(t["availabilityZone"] for t in service_tasks(sim, "web"))
    assert sorted(zones.values()) == [2, 2, 2] and len(zones) == 3
    # scale in (§3.3): the AZ with the most tasks loses one first, so the balance holds
    ecs.update_service(cluster="prod", service="web", desiredCount=3)
    sim.settle()
    zones = Counter(t["availabilityZone"] for t in service_tasks(sim, "web"))
    assert sorted(zones.values()) == [1, 1, 1]
    stopped = ecs.describe_tasks(cluster="prod", tasks=ecs.list_tasks(
        cluster="prod", desiredStatus="STOPPED")["taskArns"])["tasks"]
    assert len(stopped) == 3
    dep = describe(sim)["deployments"][0]["id"]
    assert {t["stoppedReason"] for t in stopped} == {f"Scaling activity initiated by (deployment {dep})"}
    assert {t["stopCode"] for t in stopped} == {"ServiceSchedulerInitiated"}


def test_binpack_strategy_and_its_scale_in_order(sim, ecs):
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=4,
                       placementStrategy=[{"type": "binpack", "field": "memory"}])
    sim.settle()
    per_instance = Counter(t["containerInstanceArn"] for t in service_tasks(sim, "web"))
    assert len(per_instance) == 1  # all packed on one instance
    assert describe(sim)["placementStrategy"] == [{"type": "binpack", "field": "memory"}]


def test_service_errors_use_aws_codes_and_messages(sim, ecs):
    assert error(ecs.update_service, cluster="prod", service="nope", desiredCount=1) == \
        ("ServiceNotFoundException", "Service not found.")
    assert error(ecs.delete_service, cluster="prod", service="nope") == \
        ("ServiceNotFoundException", "Service not found.")
    assert error(ecs.create_service, cluster="nope", serviceName="web", taskDefinition="web",
                 desiredCount=1) == ("ClusterNotFoundException", "Cluster not found.")
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1)
    assert error(ecs.create_service, cluster="prod", serviceName="web", taskDefinition="web",
                 desiredCount=1)[0] == "InvalidParameterException"
    assert error(ecs.delete_service, cluster="prod", service="web") == \
        ("InvalidParameterException", "The service cannot be stopped while it is scaled above 0.")
    first = ecs.create_service(cluster="prod", serviceName="tok", taskDefinition="web", desiredCount=0,
                               clientToken="abc")["service"]
    again = ecs.create_service(cluster="prod", serviceName="tok", taskDefinition="web", desiredCount=0,
                               clientToken="abc")["service"]
    assert again["serviceArn"] == first["serviceArn"] and again["createdAt"] == first["createdAt"]
    assert error(ecs.create_service, cluster="prod", serviceName="x", taskDefinition="web")[0] == \
        "InvalidParameterException"  # desiredCount is needed for REPLICA
    assert error(ecs.create_service, cluster="prod", serviceName="x", taskDefinition="web", desiredCount=-1)[0] \
        == "InvalidParameterException"
    assert error(ecs.create_service, cluster="prod", serviceName="bad name!", taskDefinition="web",
                 desiredCount=1)[0] == "InvalidParameterException"
    assert error(ecs.create_service, cluster="prod", serviceName="x", taskDefinition="web", desiredCount=1,
                 launchType="EC2", capacityProviderStrategy=[{"capacityProvider": "FARGATE"}]) == (
        "InvalidParameterException",
        "Specifying both a launch type and capacity provider strategy is not supported. Remove one and try again.")
    assert error(ecs.create_service, cluster="prod", serviceName="x", taskDefinition="web", desiredCount=1,
                 placementStrategy=[{"type": "pack"}])[0] == "InvalidParameterException"
    assert error(ecs.create_service, cluster="prod", serviceName="x", taskDefinition="web", desiredCount=1,
                 deploymentConfiguration={"minimumHealthyPercent": 150})[0] == "InvalidParameterException"
    assert error(ecs.create_service, cluster="prod", serviceName="x", taskDefinition="nope:1",
                 desiredCount=1)[0] in ("ClientException", "InvalidParameterException")
    with pytest.raises(NotModelledError):
        ecs.create_service(cluster="prod", serviceName="x", taskDefinition="web", desiredCount=1,
                           deploymentController={"type": "CODE_DEPLOY"})


def test_inactive_cluster_is_named_as_such(sim, ecs):
    ecs.create_cluster(clusterName="old")
    ecs.delete_cluster(cluster="old")
    assert error(ecs.create_service, cluster="old", serviceName="web", taskDefinition="web", desiredCount=1) == \
        ("ClusterNotFoundException", "The referenced cluster was inactive.")


def test_awsvpc_service_needs_network_configuration(sim, ecs):
    ecs.register_task_definition(family="vpc", networkMode="awsvpc", containerDefinitions=[
        {"name": "vpc", "image": "nginx", "memory": 128, "portMappings": [{"containerPort": 80}]}])
    assert error(ecs.create_service, cluster="prod", serviceName="v", taskDefinition="vpc", desiredCount=1) == (
        "InvalidParameterException",
        "Network Configuration must be provided when networkMode 'awsvpc' is specified.")


def test_load_balancer_validation(sim, ecs):
    ec2, elb = sim.client("ec2"), sim.client("elbv2")
    subnets = ec2.describe_subnets()["Subnets"]
    vpc = subnets[0]["VpcId"]
    lb = elb.create_load_balancer(Name="web", Subnets=[s["SubnetId"] for s in subnets])["LoadBalancers"][0]
    tg = elb.create_target_group(Name="inst", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]
    lonely = elb.create_target_group(Name="lonely", Protocol="HTTP", Port=80, VpcId=vpc)["TargetGroups"][0]
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
    arn = tg["TargetGroupArn"]
    register(sim, family="api", portMappings=[{"containerPort": 8080, "hostPort": 0}])
    ecs.register_task_definition(family="vpc", networkMode="awsvpc", containerDefinitions=[
        {"name": "vpc", "image": "nginx", "memory": 128, "portMappings": [{"containerPort": 80}]}])

    def create(td, lbs, **kw):
        return error(ecs.create_service, cluster="prod", serviceName="s", taskDefinition=td, desiredCount=1,
                     loadBalancers=lbs, **kw)

    assert create("api", [{"targetGroupArn": arn, "containerName": "nope", "containerPort": 8080}]) == (
        "InvalidParameterException", "The container nope does not exist in the task definition.")
    assert create("api", [{"targetGroupArn": arn, "containerName": "api", "containerPort": 80}]) == (
        "InvalidParameterException", "The container api did not have a container port 80 defined.")
    assert create("api", [{"targetGroupArn": lonely["TargetGroupArn"], "containerName": "api",
                           "containerPort": 8080}])[1].endswith("does not have an associated load balancer.")
    net = {"awsvpcConfiguration": {"subnets": [subnets[0]["SubnetId"]]}}
    assert create("vpc", [{"targetGroupArn": arn, "containerName": "vpc", "containerPort": 80}],
                  networkConfiguration=net) == (
        "InvalidParameterException",
        f"The provided target group {arn} has target type instance, which is incompatible with the awsvpc "
        "network mode specified in the task definition.")


def test_describe_and_list_services(sim, ecs):
    register(sim, family="agent")
    for name in ("a", "b", "c"):
        ecs.create_service(cluster="prod", serviceName=name, taskDefinition="web", desiredCount=0)
    ecs.create_service(cluster="prod", serviceName="d", taskDefinition="agent", schedulingStrategy="DAEMON")
    out = ecs.describe_services(cluster="prod", services=["a", "missing",
                                                          "arn:aws:ecs:us-east-1:123456789012:service/prod/b"])
    assert [s["serviceName"] for s in out["services"]] == ["a", "b"]
    assert out["failures"] == [{"arn": "arn:aws:ecs:us-east-1:123456789012:service/prod/missing",
                                "reason": "MISSING"}]
    page = ecs.list_services(cluster="prod", maxResults=2)
    assert len(page["serviceArns"]) == 2 and page["nextToken"]
    rest = ecs.list_services(cluster="prod", nextToken=page["nextToken"])
    assert len(page["serviceArns"] + rest["serviceArns"]) == 4 and "nextToken" not in rest
    assert [a.rsplit("/", 1)[1] for a in ecs.list_services(cluster="prod", schedulingStrategy="DAEMON")[
        "serviceArns"]] == ["d"]
    assert len(ecs.list_services(cluster="prod", launchType="EC2")["serviceArns"]) == 4
    assert ecs.list_services(cluster="prod", launchType="FARGATE")["serviceArns"] == []
    ecs.delete_service(cluster="prod", service="a")
    assert len(ecs.list_services(cluster="prod")["serviceArns"]) == 3
    assert error(ecs.describe_services, cluster="prod", services=[f"s{i}" for i in range(11)])[0] == \
        "InvalidParameterException"


def test_delete_goes_draining_then_inactive(sim, ecs):
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=2)
    sim.settle()
    out = ecs.delete_service(cluster="prod", service="web", force=True)["service"]
    assert out["status"] == "DRAINING" and out["desiredCount"] == 0
    assert ecs.list_services(cluster="prod")["serviceArns"] == []
    assert error(ecs.update_service, cluster="prod", service="web", desiredCount=1) == \
        ("ServiceNotActiveException", "Service was not ACTIVE.")
    sim.settle()
    assert describe(sim)["status"] == "INACTIVE"
    assert service_tasks(sim, "web") == []
    # the name can be used again
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1)
    sim.settle()
    assert describe(sim)["status"] == "ACTIVE" and counts(sim) == (1, 1)


# --- the scheduler ------------------------------------------------------------------------------------

def test_a_stopped_task_is_replaced(sim, ecs):
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=2)
    sim.settle()
    victim = service_tasks(sim, "web")[0]["taskArn"]
    ecs.stop_task(cluster="prod", task=victim)
    sim.settle()
    assert counts(sim) == (2, 2)
    assert victim not in {t["taskArn"] for t in service_tasks(sim, "web")}


def test_terminated_instance_tasks_are_replaced_elsewhere(sim, ecs):
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=3)
    sim.settle()
    tasks = service_tasks(sim, "web")
    ci_arn = tasks[0]["containerInstanceArn"]
    ci = ecs.describe_container_instances(cluster="prod", containerInstances=[ci_arn])["containerInstances"][0]
    sim.client("ec2").terminate_instances(InstanceIds=[ci["ec2InstanceId"]])
    sim.settle()
    now = service_tasks(sim, "web")
    assert len(now) == 3 and all(t["lastStatus"] == "RUNNING" for t in now)
    assert ci_arn not in {t["containerInstanceArn"] for t in now}
    assert any("has started 1 tasks" in m for m in messages(sim))


def test_draining_moves_tasks_off_the_instance(sim, ecs):
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=3)
    sim.settle()
    ci_arn = service_tasks(sim, "web")[0]["containerInstanceArn"]
    ecs.update_container_instances_state(cluster="prod", containerInstances=[ci_arn], status="DRAINING")
    sim.settle()
    now = service_tasks(sim, "web")
    assert len(now) == 3 and ci_arn not in {t["containerInstanceArn"] for t in now}
    assert counts(sim) == (3, 3)
    # with 100/200, replacements started before the drained tasks stopped: never fewer than 3 RUNNING
    svc = describe(sim)
    assert svc["runningCount"] == 3 and len(svc["deployments"]) == 1


def test_daemon_one_task_per_active_instance(sim, ecs):
    register(sim, family="agent", memory=64)
    out = ecs.create_service(cluster="prod", serviceName="agent", taskDefinition="agent",
                             schedulingStrategy="DAEMON")["service"]
    assert out["deploymentConfiguration"]["maximumPercent"] == 100
    assert out["deploymentConfiguration"]["minimumHealthyPercent"] == 0
    sim.settle()
    per = Counter(t["containerInstanceArn"] for t in service_tasks(sim, "agent"))
    assert len(per) == 3 and set(per.values()) == {1}
    assert describe(sim, "agent")["desiredCount"] == 3
    # a new instance gets a task
    launch_instances(sim, 1)
    sim.settle()
    assert len(service_tasks(sim, "agent")) == 4 and describe(sim, "agent")["desiredCount"] == 4
    # a draining instance loses its task and gets no new one
    ci_arn = service_tasks(sim, "agent")[0]["containerInstanceArn"]
    ecs.update_container_instances_state(cluster="prod", containerInstances=[ci_arn], status="DRAINING")
    sim.settle()
    tasks = service_tasks(sim, "agent")
    assert len(tasks) == 3 and ci_arn not in {t["containerInstanceArn"] for t in tasks}
    assert describe(sim, "agent")["desiredCount"] == 3


def test_daemon_refusals(sim, ecs):
    register(sim, family="agent")
    assert error(ecs.create_service, cluster="prod", serviceName="d", taskDefinition="agent",
                 schedulingStrategy="DAEMON", deploymentConfiguration={"maximumPercent": 200})[0] == \
        "InvalidParameterException"
    assert error(ecs.create_service, cluster="prod", serviceName="d", taskDefinition="agent",
                 schedulingStrategy="DAEMON", desiredCount=2)[0] == "InvalidParameterException"
    assert error(ecs.create_service, cluster="prod", serviceName="d", taskDefinition="agent",
                 schedulingStrategy="DAEMON", placementStrategy=[{"type": "random"}])[0] == \
        "InvalidParameterException"
    ecs.create_service(cluster="prod", serviceName="d", taskDefinition="agent", schedulingStrategy="DAEMON")
    assert error(ecs.update_service, cluster="prod", service="d", desiredCount=3)[0] == "InvalidParameterException"


def test_daemon_constraints_choose_instances(sim, ecs):
    register(sim, family="agent", memory=64)
    ecs.create_service(cluster="prod", serviceName="agent", taskDefinition="agent", schedulingStrategy="DAEMON",
                       placementConstraints=[{"type": "memberOf",
                                              "expression": "attribute:ecs.availability-zone == us-east-1a"}])
    sim.settle()
    tasks = service_tasks(sim, "agent")
    assert len(tasks) == 1 and tasks[0]["availabilityZone"] == "us-east-1a"
    assert describe(sim, "agent")["desiredCount"] == 1


# --- events -------------------------------------------------------------------------------------

def test_steady_state_event_is_suppressed_for_six_hours(sim, ecs):
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1)
    sim.settle()
    steady = "(service web) has reached a steady state."
    assert messages(sim).count(steady) == 1
    sim.advance(3 * 3600)
    assert messages(sim).count(steady) == 1
    sim.advance(3 * 3600 + 60)
    assert messages(sim).count(steady) == 2
    events = describe(sim)["events"]
    assert events[0]["createdAt"] >= events[-1]["createdAt"]  # newest first
    assert {"id", "createdAt", "message"} <= set(events[0])


def test_unable_to_place_names_the_closest_instance(sim, ecs):
    register(sim, family="big", memory=3000)
    ecs.create_service(cluster="prod", serviceName="big", taskDefinition="big", desiredCount=5)
    advanced = sim.settle()
    assert advanced < 3600  # the service is blocked, settle does not spin
    running, _ = counts(sim, "big")
    assert running == 3  # one per t3.medium
    msgs = [m for m in messages(sim, "big") if "unable to place" in m]
    assert len(msgs) == 1
    assert msgs[0].startswith("service big was unable to place a task because no container instance met all "
                              "of its requirements. The closest matching container-instance ")
    assert "has insufficient memory available." in msgs[0]
    # more capacity: the service catches up
    launch_instances(sim, 2)
    sim.settle()
    assert counts(sim, "big") == (5, 5)


def test_no_container_instances_event():
    from ecslearn.sim import Simulator
    sim = Simulator(seed=3)
    ecs = sim.client("ecs")
    ecs.create_cluster(clusterName="prod")
    register(sim)
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1)
    sim.advance(60)
    assert messages(sim) == [
        "service web was unable to place a task because no container instance met all of its requirements. "
        "Reason: No Container Instances were found in your cluster. For more information, see the "
        "Troubleshooting section of the Amazon ECS Developer Guide."]
    launch_instances(sim, 1)
    sim.settle()
    assert counts(sim) == (1, 1)


def test_events_keep_the_newest_hundred(sim, ecs):
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1)
    sim.settle()
    for i in range(60):
        ecs.update_service(cluster="prod", service="web", desiredCount=2 + i % 2)
        sim.settle()
    events = describe(sim)["events"]
    assert len(events) == 100
    assert events[0]["message"] == "(service web) has reached a steady state."


def test_daemon_task_stops_when_its_instance_stops_meeting_the_constraints(sim, ecs):
    register(sim, family="agent", memory=64)
    arns = ecs.list_container_instances(cluster="prod")["containerInstanceArns"]
    for arn in arns[:2]:
        ecs.put_attributes(cluster="prod", attributes=[{"name": "role", "value": "edge", "targetId": arn}])
    ecs.create_service(cluster="prod", serviceName="agent", taskDefinition="agent", schedulingStrategy="DAEMON",
                       placementConstraints=[{"type": "memberOf", "expression": "attribute:role == edge"}])
    sim.settle()
    assert {t["containerInstanceArn"] for t in service_tasks(sim, "agent")} == set(arns[:2])
    ecs.delete_attributes(cluster="prod", attributes=[{"name": "role", "targetId": arns[0]}])
    sim.settle()
    assert {t["containerInstanceArn"] for t in service_tasks(sim, "agent")} == {arns[1]}
    assert describe(sim, "agent")["desiredCount"] == 1
    assert not any("unable to place" in m for m in messages(sim, "agent"))


def test_stopped_instance_tasks_are_replaced_and_instance_stays_active(sim, ecs):
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=3)
    sim.settle()
    ci_arn = service_tasks(sim, "web")[0]["containerInstanceArn"]
    ci = ecs.describe_container_instances(cluster="prod", containerInstances=[ci_arn])["containerInstances"][0]
    sim.client("ec2").stop_instances(InstanceIds=[ci["ec2InstanceId"]])
    sim.settle()
    now = service_tasks(sim, "web")
    assert len(now) == 3 and ci_arn not in {t["containerInstanceArn"] for t in now}
    ci = ecs.describe_container_instances(cluster="prod", containerInstances=[ci_arn])["containerInstances"][0]
    assert ci["status"] == "ACTIVE" and ci["agentConnected"] is False


def test_spread_on_instance_id_scale_in_keeps_instances_even(sim, ecs):
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=6,
                       placementStrategy=[{"type": "spread", "field": "instanceId"}])
    sim.settle()
    assert sorted(Counter(t["containerInstanceArn"] for t in service_tasks(sim, "web")).values()) == [2, 2, 2]
    ecs.update_service(cluster="prod", service="web", desiredCount=3)
    sim.settle()
    assert sorted(Counter(t["containerInstanceArn"] for t in service_tasks(sim, "web")).values()) == [1, 1, 1]


def test_fargate_capacity_provider_split_and_spot_interruption_replaced():
    from ecslearn.sim import Simulator
    from ecslearn.sim.ecs.capacity import interrupt_spot

    sim = Simulator(seed=5)
    ecs, ec2 = sim.client("ecs"), sim.client("ec2")
    ecs.create_cluster(clusterName="prod", capacityProviders=["FARGATE", "FARGATE_SPOT"])
    ecs.register_task_definition(family="fg", networkMode="awsvpc", requiresCompatibilities=["FARGATE"], cpu="256",
                                 memory="512", containerDefinitions=[{"name": "fg", "image": "nginx"}])
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]]
    ecs.create_service(cluster="prod", serviceName="fg", taskDefinition="fg", desiredCount=10,
                       networkConfiguration={"awsvpcConfiguration": {"subnets": subnets, "assignPublicIp": "ENABLED"}},
                       capacityProviderStrategy=[{"capacityProvider": "FARGATE", "base": 2, "weight": 1},
                                                 {"capacityProvider": "FARGATE_SPOT", "weight": 1}])
    sim.settle()
    providers = Counter(t["capacityProviderName"] for t in service_tasks(sim, "fg"))
    assert providers == {"FARGATE": 6, "FARGATE_SPOT": 4}
    svc = describe(sim, "fg")
    assert "launchType" not in svc and svc["capacityProviderStrategy"][0]["capacityProvider"] == "FARGATE"
    interrupted = interrupt_spot(sim, 2, cluster="prod")
    sim.settle()
    tasks = service_tasks(sim, "fg")
    assert not set(interrupted) & {t["taskArn"] for t in tasks}
    assert Counter(t["capacityProviderName"] for t in tasks) == {"FARGATE": 6, "FARGATE_SPOT": 4}
    stopped = ecs.describe_tasks(cluster="prod", tasks=interrupted)["tasks"]
    assert {t["stopCode"] for t in stopped} == {"SpotInterruption"}
    assert not any("unable to consistently start" in m for m in messages(sim, "fg"))


def test_large_service_placement_balances_zones_then_instances():
    s = world(instances=4, az_indexes=[0, 0, 1, 2])
    register(s)
    s.client("ecs").create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=24)
    s.settle()
    tasks = service_tasks(s, "web")
    assert Counter(t["availabilityZone"] for t in tasks) == {"us-east-1a": 8, "us-east-1b": 8, "us-east-1c": 8}
    per_instance = Counter(t["containerInstanceArn"] for t in tasks)
    assert sorted(per_instance.values()) == [4, 4, 8, 8]


def test_same_seed_same_service_history():
    def run():
        s = world(seed=11, instances=3)
        register(s)
        register(s, image="nginx:1.26")
        ecs = s.client("ecs")
        ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=5,
                           placementStrategy=[{"type": "random"}])
        s.settle()
        ecs.update_service(cluster="prod", service="web", taskDefinition="web:2", desiredCount=3)
        s.settle()
        return describe(s), sorted((t["taskArn"], t["containerInstanceArn"]) for t in service_tasks(s, "web"))

    assert run() == run()


def test_daemon_rolls_per_instance_and_is_stuck_at_minimum_100(sim, ecs):
    register(sim, family="agent", memory=64)
    register(sim, family="agent", memory=64, image="nginx:1.26")
    ecs.create_service(cluster="prod", serviceName="agent", taskDefinition="agent:1", schedulingStrategy="DAEMON",
                       deploymentConfiguration={"minimumHealthyPercent": 50})
    sim.settle()
    ecs.update_service(cluster="prod", service="agent", taskDefinition="agent:2")
    sim.settle()
    tasks = service_tasks(sim, "agent")
    assert len(tasks) == 3 and {t["taskDefinitionArn"].rsplit("/", 1)[1] for t in tasks} == {"agent:2"}
    assert len({t["containerInstanceArn"] for t in tasks}) == 3
    ecs.update_service(cluster="prod", service="agent", taskDefinition="agent:1",
                       deploymentConfiguration={"minimumHealthyPercent": 100})
    sim.advance(120)
    assert {t["taskDefinitionArn"].rsplit("/", 1)[1] for t in service_tasks(sim, "agent")} == {"agent:2"}
    assert ("service agent was unable to stop or start tasks during a deployment because of the service "
            "deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again."
            ) in messages(sim, "agent")


def test_propagated_service_tags_reach_tasks(sim, ecs):
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1,
                       tags=[{"key": "team", "value": "blue"}], propagateTags="SERVICE")
    sim.settle()
    (task,) = service_tasks(sim, "web")
    got = ecs.describe_tasks(cluster="prod", tasks=[task["taskArn"]], include=["TAGS"])["tasks"][0]
    assert {"key": "team", "value": "blue"} in got["tags"]
    assert describe(sim)["propagateTags"] == "SERVICE"


def test_a_deregistered_revision_keeps_its_service_scaling(sim, ecs):
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=1)
    sim.settle()
    ecs.deregister_task_definition(taskDefinition="web:1")
    ecs.update_service(cluster="prod", service="web", desiredCount=3)
    sim.settle()
    assert counts(sim) == (3, 3)
    assert error(ecs.update_service, cluster="prod", service="web", taskDefinition="web:1") == \
        ("InvalidParameterException", "TaskDefinition is inactive")
    assert error(ecs.create_service, cluster="prod", serviceName="other", taskDefinition="web:1",
                 desiredCount=1)[0] == "InvalidParameterException"
    td = ecs.describe_task_definition(taskDefinition="web:1")["taskDefinition"]
    assert td["status"] == "INACTIVE"
