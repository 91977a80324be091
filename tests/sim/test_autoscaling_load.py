"""Service Auto Scaling under simulated load (§4.9): target tracking out and back in, several policies,
no scale-in during a deployment, ALB request counts, step scaling from the running count."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ecslearn.sim.load import current_load, service_metrics, set_service_load, set_service_load_schedule
from ecslearn.sim.workloads import set_workload

RID = "service/prod/web"
DIM = "ecs:service:DesiredCount"


def fargate_service(sim, count=2, *, load_balancers=None, image="nginx"):
    ec2, ecs = sim.client("ec2"), sim.client("ecs")
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                 cpu="256", memory="512", containerDefinitions=[
                                     {"name": "web", "image": image, "portMappings": [{"containerPort": 80}]}])
    extra = {"loadBalancers": load_balancers} if load_balancers else {}
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=count,
                       launchType="FARGATE", networkConfiguration={"awsvpcConfiguration": {
                           "subnets": [s["SubnetId"] for s in subnets[:2]], "assignPublicIp": "ENABLED"}}, **extra)
    sim.settle()
    sim.client("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs", ResourceId=RID, ScalableDimension=DIM, MinCapacity=2, MaxCapacity=10)
    return subnets


def tracking(sim, name, metric, target, **extra):
    spec = {"PredefinedMetricType": metric}
    if "ResourceLabel" in extra:
        spec["ResourceLabel"] = extra.pop("ResourceLabel")
    return sim.client("application-autoscaling").put_scaling_policy(
        PolicyName=name, ServiceNamespace="ecs", ResourceId=RID, ScalableDimension=DIM,
        PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration={
            "TargetValue": target, "PredefinedMetricSpecification": spec, **extra})


def counts(sim):
    s = sim.client("ecs").describe_services(cluster="prod", services=["web"])["services"][0]
    return s["desiredCount"], s["runningCount"]


def activities(sim):
    return sim.client("application-autoscaling").describe_scaling_activities(
        ServiceNamespace="ecs", ResourceId=RID)["ScalingActivities"]


def test_target_tracking_scales_out_under_load_and_back_in_after_it(sim):
    fargate_service(sim)
    tracking(sim, "cpu50", "ECSServiceAverageCPUUtilization", 50.0, ScaleInCooldown=60)
    set_service_load_schedule(sim, "prod", "web", [(0, {"cpu_percent": 90}), (900, {"cpu_percent": 10})])
    sim.advance(120)
    assert counts(sim) == (2, 2)  # two datapoints above target: not yet (AlarmHigh needs 3)
    sim.advance(60)
    assert counts(sim)[0] == 4  # ceil(2 × 90 / 50)
    sim.advance(60)
    assert counts(sim) == (4, 4)
    assert service_metrics(sim, "prod", "web")["CPUUtilization"] == pytest.approx(45.0)  # same demand, twice the tasks
    out = activities(sim)[0]
    assert out["Description"] == "Setting desired count to 4." and "AlarmHigh" in out["Cause"]
    assert out["Cause"].endswith("in state ALARM triggered policy cpu50")
    sim.advance(600 + 14 * 60)  # load drops at 15 min; AlarmLow needs 15 minutes below 45 %
    assert counts(sim)[0] == 4
    sim.advance(120)
    assert counts(sim) == (2, 2)  # ceil(4 × 10 / 50) = 1, held at MinCapacity 2
    assert "AlarmLow" in activities(sim)[0]["Cause"]
    # the ECS metrics are in CloudWatch, one datapoint a minute
    cw = sim.client("cloudwatch")
    points = cw.get_metric_statistics(
        Namespace="AWS/ECS", MetricName="CPUUtilization", StartTime=sim.now - timedelta(hours=1), EndTime=sim.now,
        Period=60, Statistics=["Average"],
        Dimensions=[{"Name": "ClusterName", "Value": "prod"}, {"Name": "ServiceName", "Value": "web"}])["Datapoints"]
    assert len(points) >= 30 and max(p["Average"] for p in points) == 90.0


def test_scale_out_if_any_policy_says_so_in_only_if_all_agree(sim):
    fargate_service(sim)
    tracking(sim, "cpu", "ECSServiceAverageCPUUtilization", 50.0, ScaleInCooldown=0)
    tracking(sim, "mem", "ECSServiceAverageMemoryUtilization", 50.0, ScaleInCooldown=0)
    set_service_load(sim, "prod", "web", cpu_percent=10, memory_percent=80)  # memory alone asks for more
    sim.advance(180)
    assert counts(sim)[0] == 4  # ceil(2 × 80 / 50)
    sim.advance(60)
    set_service_load(sim, "prod", "web", memory_percent=47, for_tasks=4)  # memory on target now, CPU low
    sim.advance(20 * 60)
    assert counts(sim)[0] == 4  # memory at 47 % is not below 45 %: it does not agree to scale in
    set_service_load(sim, "prod", "web", memory_percent=30, for_tasks=4)
    sim.advance(16 * 60)
    assert counts(sim)[0] == 3  # both agree; the smallest reduction wins: ceil(4 × 30 / 50) for memory


def test_no_scale_in_during_a_deployment(sim):
    fargate_service(sim, count=4)
    set_workload(sim, "web:v2", exit_code=1, exit_after=5)  # the new revision never stays up
    tracking(sim, "cpu", "ECSServiceAverageCPUUtilization", 50.0, ScaleInCooldown=0)
    ecs = sim.client("ecs")
    ecs.register_task_definition(family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                 cpu="256", memory="512", containerDefinitions=[
                                     {"name": "web", "image": "web:v2", "portMappings": [{"containerPort": 80}]}])
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    set_service_load(sim, "prod", "web", cpu_percent=5)
    sim.advance(20 * 60)
    deployments = ecs.describe_services(cluster="prod", services=["web"])["services"][0]["deployments"]
    assert len(deployments) == 2
    assert counts(sim)[0] == 4 and not any("AlarmLow" in a["Cause"] for a in activities(sim))


def test_alb_request_count_per_target(sim):
    ec2, elb = sim.client("ec2"), sim.client("elbv2")
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    lb = elb.create_load_balancer(Name="web", Subnets=[s["SubnetId"] for s in subnets[:2]])["LoadBalancers"][0]
    tg = elb.create_target_group(Name="web", Protocol="HTTP", Port=80, VpcId=subnets[0]["VpcId"],
                                 TargetType="ip")["TargetGroups"][0]
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])
    fargate_service(sim, load_balancers=[{"targetGroupArn": tg["TargetGroupArn"], "containerName": "web",
                                          "containerPort": 80}])
    label = lb["LoadBalancerArn"].split(":loadbalancer/")[1] + "/" + tg["TargetGroupArn"].split(":")[-1]
    tracking(sim, "rps", "ALBRequestCountPerTarget", 500.0, ResourceLabel=label)
    set_service_load(sim, "prod", "web", requests_per_minute=3000)  # 1500 per target with 2 targets
    sim.advance(180)
    assert counts(sim)[0] == 6  # ceil(2 × 1500 / 500)
    sim.settle()
    sim.advance(120)
    points = sim.client("cloudwatch").get_metric_statistics(
        Namespace="AWS/ApplicationELB", MetricName="RequestCountPerTarget", StartTime=sim.now - timedelta(minutes=3),
        EndTime=sim.now, Period=60, Statistics=["Sum"],
        Dimensions=[{"Name": "TargetGroup", "Value": tg["TargetGroupArn"].split(":")[-1]}])["Datapoints"]
    assert max(points, key=lambda p: p["Timestamp"])["Sum"] == pytest.approx(500.0)  # 3000 spread over 6 healthy targets


def test_step_scaling_starts_from_the_running_count(sim):
    fargate_service(sim)
    aas, cw = sim.client("application-autoscaling"), sim.client("cloudwatch")
    arn = aas.put_scaling_policy(
        PolicyName="cpu-steps", ServiceNamespace="ecs", ResourceId=RID, ScalableDimension=DIM, PolicyType="StepScaling",
        StepScalingPolicyConfiguration={"AdjustmentType": "ChangeInCapacity", "Cooldown": 300, "StepAdjustments": [
            {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 20, "ScalingAdjustment": 1},
            {"MetricIntervalLowerBound": 20, "ScalingAdjustment": 3}]})["PolicyARN"]
    cw.put_metric_alarm(AlarmName="cpu-high", Namespace="AWS/ECS", MetricName="CPUUtilization", Statistic="Average",
                        Dimensions=[{"Name": "ClusterName", "Value": "prod"}, {"Name": "ServiceName", "Value": "web"}],
                        Period=60, EvaluationPeriods=1, Threshold=60, ComparisonOperator="GreaterThanThreshold",
                        AlarmActions=[arn])
    set_service_load(sim, "prod", "web", cpu_percent=95)  # breach 35: the second step, +3 from 2 running
    sim.advance(60)
    assert counts(sim)[0] == 5
    sim.advance(60)  # 95 % of 2 tasks spread over 5 is 38 %: the alarm goes OK, nothing more happens
    assert counts(sim)[0] == 5
    assert current_load(sim, "prod", "web")["cpu_percent"] == (95.0, 2)
    assert activities(sim)[0]["Cause"] == "monitor alarm cpu-high in state ALARM triggered policy cpu-steps"
