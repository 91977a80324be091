"""Capacity providers (§7): strategies and their split, Fargate Spot interruption, ASG managed scaling."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecslearn.errors import NotModelledError
from ecslearn.sim import ClientError
from ecslearn.sim.ecs.capacity import distribute, interrupt_spot


def S(name, weight=0, base=0):
    return {"capacityProvider": name, "weight": weight, "base": base}


@pytest.mark.parametrize(("strategy", "count", "expected"), [
    ([S("FARGATE", 1)], 3, {"FARGATE": 3}),
    ([S("FARGATE", 1, base=2), S("FARGATE_SPOT", 1)], 10, {"FARGATE": 6, "FARGATE_SPOT": 4}),
    ([S("FARGATE", 1), S("FARGATE_SPOT", 3)], 4, {"FARGATE": 1, "FARGATE_SPOT": 3}),
    ([S("FARGATE", 1), S("FARGATE_SPOT", 3)], 8, {"FARGATE": 2, "FARGATE_SPOT": 6}),
    ([S("FARGATE", 0, base=2), S("FARGATE_SPOT", 1)], 5, {"FARGATE": 2, "FARGATE_SPOT": 3}),
    ([S("FARGATE", 0, base=5), S("FARGATE_SPOT", 1)], 3, {"FARGATE": 3}),  # base is satisfied first
    ([S("FARGATE", 1), S("FARGATE_SPOT", 1)], 3, {"FARGATE": 2, "FARGATE_SPOT": 1}),  # ties: first listed
    ([S("FARGATE", 1), S("FARGATE_SPOT", 0)], 4, {"FARGATE": 4}),  # weight 0 is never used
    ([S("a", 2), S("b", 1), S("c", 1)], 8, {"a": 4, "b": 2, "c": 2}),
])
def test_base_and_weight_split(strategy, count, expected):
    got = distribute(strategy, count)
    assert {n: got.count(n) for n in set(got)} == expected


@settings(max_examples=60, deadline=None)
@given(weights=st.lists(st.integers(0, 5), min_size=1, max_size=4).filter(lambda w: any(w)),
       base=st.integers(0, 6), first=st.integers(0, 30), second=st.integers(0, 30))
def test_split_continues_as_if_started_at_once(weights, base, first, second):
    strategy = [S(f"p{i}", w, base if i == 0 else 0) for i, w in enumerate(weights)]
    at_once = distribute(strategy, first + second)
    before = distribute(strategy, first)
    existing = {n: before.count(n) for n in set(before)}
    after = distribute(strategy, second, existing)
    assert sorted(before + after) == sorted(at_once)
    # the weighted part stays within one task of its exact share for every provider
    total_w = sum(weights)
    weighted = len(at_once) - min(base, len(at_once))
    for i, w in enumerate(weights):
        share = weighted * w / total_w
        got = at_once.count(f"p{i}") - (min(base, len(at_once)) if i == 0 else 0)
        assert abs(got - share) < len(weights)


@pytest.fixture
def fargate(sim):
    ec2, ecs = sim.client("ec2"), sim.client("ecs")
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                 cpu="256", memory="512", containerDefinitions=[
                                     {"name": "web", "image": "nginx", "portMappings": [{"containerPort": 80}]}])
    return {"awsvpcConfiguration": {"subnets": [s["SubnetId"] for s in subnets[:2]], "assignPublicIp": "ENABLED"}}


def code_of(info) -> str:
    return info.value.response["Error"]["Code"]


def test_strategy_validation(sim, fargate):
    ecs = sim.client("ecs")
    with pytest.raises(ClientError) as e:  # FARGATE must be attached to the cluster first
        ecs.run_task(cluster="prod", taskDefinition="web", networkConfiguration=fargate,
                     capacityProviderStrategy=[S("FARGATE", 1)])
    assert code_of(e) == "InvalidParameterException" and "not associated with the cluster" in str(e.value)
    ecs.put_cluster_capacity_providers(cluster="prod", capacityProviders=["FARGATE", "FARGATE_SPOT"],
                                       defaultCapacityProviderStrategy=[])
    cases = [
        ([S("FARGATE", 0)], "weight greater than zero"),
        ([S("FARGATE", 1, base=1), S("FARGATE_SPOT", 1, base=1)], "Only one capacity provider"),
        ([S("FARGATE", 1001)], "between 0 and 1000"),
        ([S("FARGATE", 1, base=100001)], "between 0 and 100000"),
        ([S("FARGATE", 1), S("FARGATE", 1)], "more than once"),
        ([S(f"p{i}", 1) for i in range(21)], "maximum of 20"),
        ([S("nope", 1)], "does not exist"),
    ]
    for strategy, words in cases:
        with pytest.raises(ClientError) as e:
            ecs.run_task(cluster="prod", taskDefinition="web", networkConfiguration=fargate,
                         capacityProviderStrategy=strategy)
        assert code_of(e) == "InvalidParameterException" and words in str(e.value), strategy
    with pytest.raises(ClientError) as e:
        ecs.run_task(cluster="prod", taskDefinition="web", networkConfiguration=fargate, launchType="FARGATE",
                     capacityProviderStrategy=[S("FARGATE", 1)])
    assert "Specifying both a launch type and capacity provider strategy" in str(e.value)
    with pytest.raises(ClientError) as e:
        ecs.put_cluster_capacity_providers(cluster="prod", capacityProviders=["FARGATE"],
                                           defaultCapacityProviderStrategy=[S("FARGATE_SPOT", 1)])
    assert "not associated with the cluster" in str(e.value)


def test_create_cluster_with_a_bad_strategy_creates_nothing(sim):
    ecs = sim.client("ecs")
    with pytest.raises(ClientError) as e:
        ecs.create_cluster(clusterName="bad", capacityProviders=["FARGATE"],
                           defaultCapacityProviderStrategy=[S("FARGATE_SPOT", 1)])
    assert code_of(e) == "InvalidParameterException"
    assert ecs.describe_clusters(clusters=["bad"])["failures"] == [
        {"arn": "arn:aws:ecs:us-east-1:123456789012:cluster/bad", "reason": "MISSING"}]
    ok = ecs.create_cluster(clusterName="good", capacityProviders=["FARGATE", "FARGATE_SPOT"],
                            defaultCapacityProviderStrategy=[S("FARGATE", 1, base=1), S("FARGATE_SPOT", 4)])
    assert ok["cluster"]["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    assert ok["cluster"]["defaultCapacityProviderStrategy"] == [S("FARGATE", 1, 1), S("FARGATE_SPOT", 4)]


def test_fargate_providers_always_exist_and_are_reserved(sim):
    ecs = sim.client("ecs")
    out = ecs.describe_capacity_providers()
    assert [cp["name"] for cp in out["capacityProviders"]] == ["FARGATE", "FARGATE_SPOT"]
    assert out["capacityProviders"][0]["capacityProviderArn"] == \
        "arn:aws:ecs:us-east-1:123456789012:capacity-provider/FARGATE"
    missing = ecs.describe_capacity_providers(capacityProviders=["FARGATE", "nope"])
    assert [f["reason"] for f in missing["failures"]] == ["MISSING"]
    with pytest.raises(ClientError) as e:
        ecs.delete_capacity_provider(capacityProvider="FARGATE")
    assert "reserved" in str(e.value)
    with pytest.raises(ClientError) as e:
        ecs.create_capacity_provider(name="fargate-cheap", autoScalingGroupProvider={"autoScalingGroupArn": "x"})
    assert "cannot start with" in str(e.value)
    with pytest.raises(NotModelledError):
        ecs.create_capacity_provider(name="mi", managedInstancesProvider={})


def test_cluster_default_strategy_puts_tasks_on_fargate_spot(sim, fargate):
    ecs = sim.client("ecs")
    ecs.put_cluster_capacity_providers(cluster="prod", capacityProviders=["FARGATE", "FARGATE_SPOT"],
                                       defaultCapacityProviderStrategy=[S("FARGATE_SPOT", 1)])
    out = ecs.run_task(cluster="prod", taskDefinition="web", count=2, networkConfiguration=fargate)
    assert [t["capacityProviderName"] for t in out["tasks"]] == ["FARGATE_SPOT", "FARGATE_SPOT"]
    assert all("launchType" not in t or t["launchType"] == "FARGATE" for t in out["tasks"])
    cluster = ecs.describe_clusters(clusters=["prod"])["clusters"][0]
    assert cluster["defaultCapacityProviderStrategy"] == [S("FARGATE_SPOT", 1)]
    with pytest.raises(ClientError) as e:  # tasks still use FARGATE_SPOT: it cannot be detached
        ecs.put_cluster_capacity_providers(cluster="prod", capacityProviders=["FARGATE"],
                                           defaultCapacityProviderStrategy=[])
    assert code_of(e) == "ResourceInUseException"


def test_spot_interruption_and_the_service_replaces_the_task(sim, fargate):
    ecs = sim.client("ecs")
    ecs.put_cluster_capacity_providers(cluster="prod", capacityProviders=["FARGATE", "FARGATE_SPOT"],
                                       defaultCapacityProviderStrategy=[S("FARGATE_SPOT", 1)])
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=2,
                       networkConfiguration=fargate)
    sim.settle()
    assert ecs.describe_services(cluster="prod", services=["web"])["services"][0]["runningCount"] == 2
    [arn] = interrupt_spot(sim, 1)
    task = ecs.describe_tasks(cluster="prod", tasks=[arn])["tasks"][0]
    assert task["desiredStatus"] == "STOPPED" and task["stopCode"] == "SpotInterruption"
    assert task["stoppedReason"] == "Your Spot Task was interrupted."
    sim.settle()
    task = ecs.describe_tasks(cluster="prod", tasks=[arn])["tasks"][0]
    assert task["lastStatus"] == "STOPPED"
    assert (task["stoppedAt"] - task["stoppingAt"]).total_seconds() <= 120  # inside the two-minute warning
    svc = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    assert svc["runningCount"] == 2
    running = ecs.list_tasks(cluster="prod", serviceName="web")["taskArns"]
    assert arn not in running and len(running) == 2
    with pytest.raises(Exception, match="no RUNNING Fargate Spot task"):
        interrupt_spot(sim, arn)


@pytest.fixture
def asg(sim):
    ec2, ecs, autoscaling = sim.client("ec2"), sim.client("ecs"), sim.client("autoscaling")
    ami = sim.client("ssm").get_parameter(
        Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")["Parameter"]["Value"]
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    ecs.create_cluster(clusterName="prod")
    autoscaling.create_launch_configuration(
        LaunchConfigurationName="ecs", ImageId=ami, InstanceType="t3.medium", IamInstanceProfile="ecsInstanceRole",
        UserData="#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config")
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="ecs-asg", LaunchConfigurationName="ecs", MinSize=0, MaxSize=10, DesiredCapacity=0,
        VPCZoneIdentifier=",".join(s["SubnetId"] for s in subnets[:2]), NewInstancesProtectedFromScaleIn=True)
    arn = autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]["AutoScalingGroupARN"]
    ecs.register_task_definition(family="web", containerDefinitions=[
        {"name": "web", "image": "nginx", "cpu": 512, "memory": 512, "portMappings": [{"containerPort": 80}]}])
    return arn


def test_asg_provider_validation(sim, asg):
    ecs = sim.client("ecs")
    with pytest.raises(ClientError) as e:
        ecs.create_capacity_provider(name="cp", autoScalingGroupProvider={
            "autoScalingGroupArn": asg, "managedTerminationProtection": "ENABLED",
            "managedScaling": {"status": "DISABLED"}})
    assert "managed scaling must also be enabled" in str(e.value)
    with pytest.raises(ClientError) as e:
        ecs.create_capacity_provider(name="cp", autoScalingGroupProvider={
            "autoScalingGroupArn": asg, "managedScaling": {"status": "ENABLED", "targetCapacity": 0}})
    assert code_of(e) == "InvalidParameterException"
    cp = ecs.create_capacity_provider(name="cp", autoScalingGroupProvider={"autoScalingGroupArn": asg})[
        "capacityProvider"]
    assert cp["autoScalingGroupProvider"]["managedScaling"] == {
        "status": "DISABLED", "targetCapacity": 100, "minimumScalingStepSize": 1, "maximumScalingStepSize": 10000,
        "instanceWarmupPeriod": 300}
    with pytest.raises(ClientError) as e:
        ecs.create_capacity_provider(name="cp2", autoScalingGroupProvider={"autoScalingGroupArn": asg})
    assert "already in use" in str(e.value)
    ecs.put_cluster_capacity_providers(cluster="prod", capacityProviders=["cp"],
                                       defaultCapacityProviderStrategy=[S("cp", 1)])
    with pytest.raises(ClientError) as e:  # Fargate and ASG providers do not mix in one strategy
        ecs.put_cluster_capacity_providers(cluster="prod", capacityProviders=["cp", "FARGATE"],
                                           defaultCapacityProviderStrategy=[S("cp", 1), S("FARGATE", 1)])
    assert "cannot contain a mix" in str(e.value)
    with pytest.raises(ClientError) as e:
        ecs.delete_capacity_provider(capacityProvider="cp")
    assert code_of(e) == "ResourceInUseException"
    ecs.create_cluster(clusterName="other")
    with pytest.raises(ClientError) as e:
        ecs.put_cluster_capacity_providers(cluster="other", capacityProviders=["cp"],
                                           defaultCapacityProviderStrategy=[])
    assert "only one cluster" in str(e.value)
    ecs.put_cluster_capacity_providers(cluster="prod", capacityProviders=[], defaultCapacityProviderStrategy=[])
    assert ecs.delete_capacity_provider(capacityProvider="cp")["capacityProvider"]["status"] == "INACTIVE"


def test_managed_scaling_launches_instances_and_scales_in_when_idle(sim, asg):
    ecs, autoscaling, cw = sim.client("ecs"), sim.client("autoscaling"), sim.client("cloudwatch")
    ecs.create_capacity_provider(name="cp", autoScalingGroupProvider={
        "autoScalingGroupArn": asg, "managedTerminationProtection": "ENABLED",
        "managedScaling": {"status": "ENABLED", "targetCapacity": 100}})
    ecs.put_cluster_capacity_providers(cluster="prod", capacityProviders=["cp"],
                                       defaultCapacityProviderStrategy=[S("cp", 1)])
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=6)
    sim.advance(60)
    # no instance yet and tasks waiting: CapacityProviderReservation is 200, the group grows to fit them
    group = autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]
    assert group["DesiredCapacity"] == 2  # 6 × 512 CPU units on t3.medium (2048 each)
    metric = cw.get_metric_statistics(
        Namespace="AWS/ECS/ManagedScaling", MetricName="CapacityProviderReservation",
        Dimensions=[{"Name": "CapacityProviderName", "Value": "cp"}, {"Name": "ClusterName", "Value": "prod"}],
        StartTime=sim.now.replace(hour=8), EndTime=sim.now, Period=60, Statistics=["Maximum"])
    assert metric["Datapoints"][0]["Maximum"] == 200.0
    sim.advance(300)
    svc = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    assert svc["runningCount"] == 6
    instances = ecs.describe_container_instances(
        cluster="prod", containerInstances=ecs.list_container_instances(cluster="prod")["containerInstanceArns"])
    assert sorted(ci["capacityProviderName"] for ci in instances["containerInstances"]) == ["cp", "cp"]
    group = autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]
    assert all(i["ProtectedFromScaleIn"] for i in group["Instances"])  # both run tasks
    ecs.update_service(cluster="prod", service="web", desiredCount=1)
    sim.advance(10 * 60)
    assert autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]["DesiredCapacity"] == 2
    sim.advance(10 * 60)  # 15 minutes below target: one idle, unprotected instance goes
    group = autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]
    assert group["DesiredCapacity"] == 1
    live = [i for i in group["Instances"] if i["LifecycleState"] == "InService"]
    assert len(live) == 1 and live[0]["ProtectedFromScaleIn"]
    assert ecs.describe_services(cluster="prod", services=["web"])["services"][0]["runningCount"] == 1


def test_target_capacity_below_100_keeps_spare_instances(sim, asg):
    ecs, autoscaling = sim.client("ecs"), sim.client("autoscaling")
    ecs.create_capacity_provider(name="cp", autoScalingGroupProvider={
        "autoScalingGroupArn": asg, "managedScaling": {"status": "ENABLED", "targetCapacity": 50}})
    ecs.put_cluster_capacity_providers(cluster="prod", capacityProviders=["cp"],
                                       defaultCapacityProviderStrategy=[S("cp", 1)])
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=2)  # fits one instance
    sim.advance(60)
    assert autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]["DesiredCapacity"] == 2
    sim.advance(600)
    assert ecs.describe_services(cluster="prod", services=["web"])["services"][0]["runningCount"] == 2
    busy = [ci for ci in ecs.describe_container_instances(
        cluster="prod", containerInstances=ecs.list_container_instances(cluster="prod")["containerInstanceArns"])[
        "containerInstances"] if ci["runningTasksCount"]]
    assert len(busy) >= 1
    # M / N × 100 = 50 % with one busy instance of two: on target, nothing changes
    sim.advance(20 * 60)
    assert autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"][0]["DesiredCapacity"] == 2 * len(busy)
