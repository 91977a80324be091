"""Application Auto Scaling for ECS services and the CloudWatch pieces it stands on (§4.9)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from ecslearn.errors import NotModelledError
from ecslearn.sim import ClientError
from ecslearn.sim.appautoscaling import next_run

RID = "service/prod/web"
DIM = "ecs:service:DesiredCount"


@pytest.fixture
def svc(sim):
    ec2, ecs = sim.client("ec2"), sim.client("ecs")
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    ecs.create_cluster(clusterName="prod")
    ecs.register_task_definition(family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                 cpu="256", memory="512",
                                 containerDefinitions=[{"name": "web", "image": "nginx",
                                                        "portMappings": [{"containerPort": 80}]}])
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1,
                       launchType="FARGATE", networkConfiguration={
                           "awsvpcConfiguration": {"subnets": [s["SubnetId"] for s in subnets[:2]]}})
    return sim


def desired(sim) -> int:
    return sim.client("ecs").describe_services(cluster="prod", services=["web"])["services"][0]["desiredCount"]


def register(sim, low=1, high=10):
    return sim.client("application-autoscaling").register_scalable_target(
        ServiceNamespace="ecs", ResourceId=RID, ScalableDimension=DIM, MinCapacity=low, MaxCapacity=high)


def code_of(info) -> str:
    return info.value.response["Error"]["Code"]


def test_register_validates_and_lifts_desired_to_min(svc):
    aas = svc.client("application-autoscaling")
    with pytest.raises(ClientError) as e:
        aas.register_scalable_target(ServiceNamespace="ecs", ResourceId="service/prod/nope",
                                     ScalableDimension=DIM, MinCapacity=1, MaxCapacity=2)
    assert code_of(e) == "ValidationException" and "ECS service doesn't exist: service/prod/nope" in str(e.value)
    with pytest.raises(ClientError) as e:
        aas.register_scalable_target(ServiceNamespace="ecs", ResourceId="web", ScalableDimension=DIM,
                                     MinCapacity=1, MaxCapacity=2)
    assert code_of(e) == "ValidationException"
    with pytest.raises(ClientError) as e:
        aas.register_scalable_target(ServiceNamespace="ecs", ResourceId=RID, ScalableDimension="ecs:service:Cpu",
                                     MinCapacity=1, MaxCapacity=2)
    assert code_of(e) == "ValidationException"
    with pytest.raises(ClientError) as e:
        register(svc, 5, 2)
    assert code_of(e) == "ValidationException"
    with pytest.raises(NotModelledError):
        aas.register_scalable_target(ServiceNamespace="dynamodb", ResourceId="table/x",
                                     ScalableDimension="dynamodb:table:ReadCapacityUnits", MinCapacity=1, MaxCapacity=2)
    arn = register(svc, 3, 6)["ScalableTargetARN"]
    assert arn.startswith("arn:aws:application-autoscaling:us-east-1:123456789012:scalable-target/")
    assert desired(svc) == 3
    act = aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=RID)["ScalingActivities"][0]
    assert (act["Description"], act["Cause"], act["StatusCode"]) == (
        "Setting desired count to 3.", "minimum capacity was set to 3", "Successful")
    target = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"][0]
    assert (target["MinCapacity"], target["MaxCapacity"], target["ResourceId"]) == (3, 6, RID)
    assert target["RoleARN"].endswith("AWSServiceRoleForApplicationAutoScaling_ECSService")
    register(svc, 1, 2)  # an update: desired above the new max comes down
    assert desired(svc) == 2
    with pytest.raises(ClientError) as e:
        aas.put_scaling_policy(PolicyName="p", ServiceNamespace="ecs", ResourceId="service/prod/other",
                               ScalableDimension=DIM, PolicyType="StepScaling",
                               StepScalingPolicyConfiguration={"AdjustmentType": "ChangeInCapacity",
                                                               "StepAdjustments": [{"ScalingAdjustment": 1}]})
    assert code_of(e) == "ObjectNotFoundException"


def test_target_tracking_creates_high_and_low_alarms(svc):
    register(svc)
    aas = svc.client("application-autoscaling")
    out = aas.put_scaling_policy(
        PolicyName="cpu50", ServiceNamespace="ecs", ResourceId=RID, ScalableDimension=DIM,
        PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 50.0, "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"}})
    names = [a["AlarmName"] for a in out["Alarms"]]
    assert names[0].startswith("TargetTracking-service/prod/web-AlarmHigh-")
    assert names[1].startswith("TargetTracking-service/prod/web-AlarmLow-")
    alarms = {a["AlarmName"]: a for a in svc.client("cloudwatch").describe_alarms()["MetricAlarms"]}
    high, low = alarms[names[0]], alarms[names[1]]
    assert (high["Threshold"], high["EvaluationPeriods"], high["ComparisonOperator"]) == (50.0, 3, "GreaterThanThreshold")
    assert (low["Threshold"], low["EvaluationPeriods"], low["ComparisonOperator"]) == (45.0, 15, "LessThanThreshold")
    assert high["Dimensions"] == [{"Name": "ClusterName", "Value": "prod"}, {"Name": "ServiceName", "Value": "web"}]
    assert high["AlarmActions"] == [out["PolicyARN"]]
    policy = aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=RID)["ScalingPolicies"][0]
    cfg = policy["TargetTrackingScalingPolicyConfiguration"]
    assert (cfg["ScaleOutCooldown"], cfg["ScaleInCooldown"], cfg["DisableScaleIn"]) == (300, 300, False)
    # DisableScaleIn: no low alarm; ALB metric needs a ResourceLabel
    out2 = aas.put_scaling_policy(
        PolicyName="mem", ServiceNamespace="ecs", ResourceId=RID, ScalableDimension=DIM,
        PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 70.0, "DisableScaleIn": True, "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageMemoryUtilization"}})
    assert len(out2["Alarms"]) == 1
    with pytest.raises(ClientError) as e:
        aas.put_scaling_policy(PolicyName="alb", ServiceNamespace="ecs", ResourceId=RID, ScalableDimension=DIM,
                               PolicyType="TargetTrackingScaling", TargetTrackingScalingPolicyConfiguration={
                                   "TargetValue": 100.0, "PredefinedMetricSpecification": {
                                       "PredefinedMetricType": "ALBRequestCountPerTarget"}})
    assert code_of(e) == "ValidationException"
    aas.delete_scaling_policy(PolicyName="cpu50", ServiceNamespace="ecs", ResourceId=RID, ScalableDimension=DIM)
    remaining = {a["AlarmName"] for a in svc.client("cloudwatch").describe_alarms()["MetricAlarms"]}
    assert remaining == {out2["Alarms"][0]["AlarmName"]}


def test_step_scaling_runs_while_its_alarm_is_in_alarm(svc):
    register(svc, 1, 8)
    aas, cw = svc.client("application-autoscaling"), svc.client("cloudwatch")
    with pytest.raises(ClientError) as e:  # a gap between 10 and 20
        aas.put_scaling_policy(PolicyName="bad", ServiceNamespace="ecs", ResourceId=RID, ScalableDimension=DIM,
                               StepScalingPolicyConfiguration={"AdjustmentType": "ExactCapacity", "StepAdjustments": [
                                   {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 10, "ScalingAdjustment": 3},
                                   {"MetricIntervalLowerBound": 20, "ScalingAdjustment": 6}]})
    assert code_of(e) == "ValidationException"
    arn = aas.put_scaling_policy(
        PolicyName="queue", ServiceNamespace="ecs", ResourceId=RID, ScalableDimension=DIM, PolicyType="StepScaling",
        StepScalingPolicyConfiguration={"AdjustmentType": "ExactCapacity", "Cooldown": 60, "StepAdjustments": [
            {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 100, "ScalingAdjustment": 3},
            {"MetricIntervalLowerBound": 100, "ScalingAdjustment": 6}]})["PolicyARN"]
    cw.put_metric_alarm(AlarmName="backlog", MetricName="Backlog", Namespace="App", Statistic="Average",
                        Period=60, EvaluationPeriods=1, Threshold=50, ComparisonOperator="GreaterThanThreshold",
                        AlarmActions=[arn])

    def publish(value):
        cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "Backlog", "Value": value,
                                                         "Timestamp": svc.now}])

    publish(80)  # breach 30: first step
    svc.advance(60)
    assert cw.describe_alarms(AlarmNames=["backlog"])["MetricAlarms"][0]["StateValue"] == "ALARM"
    assert desired(svc) == 3
    publish(400)  # breach 350: second step
    svc.advance(60)
    assert desired(svc) == 6
    act = aas.describe_scaling_activities(ServiceNamespace="ecs")["ScalingActivities"][0]
    assert act["Cause"] == "monitor alarm backlog in state ALARM triggered policy queue"
    publish(10)
    svc.advance(60)
    assert cw.describe_alarms(AlarmNames=["backlog"])["MetricAlarms"][0]["StateValue"] == "OK"
    assert desired(svc) == 6


def test_scheduled_actions_with_cron_rate_and_at(svc):
    register(svc, 1, 10)
    aas = svc.client("application-autoscaling")
    # AWS cron: six fields, days of week 1-7 from Sunday: 2-6 is Monday to Friday; 09:30 in New York
    aas.put_scheduled_action(ServiceNamespace="ecs", ScheduledActionName="open", ResourceId=RID, ScalableDimension=DIM,
                             Schedule="cron(30 9 ? * 2-6 *)", Timezone="America/New_York",
                             ScalableTargetAction={"MinCapacity": 4})
    aas.put_scheduled_action(ServiceNamespace="ecs", ScheduledActionName="night", ResourceId=RID, ScalableDimension=DIM,
                             Schedule="at(2026-01-05T20:00:00)", ScalableTargetAction={"MinCapacity": 1, "MaxCapacity": 2})
    for bad in ("cron(30 9 * * *)", "cron(30 9 ? * ? *)", "rate(1 minutes)", "every day", "at(2026-13-01T00:00:00)"):
        with pytest.raises(ClientError) as e:
            aas.put_scheduled_action(ServiceNamespace="ecs", ScheduledActionName="bad", ResourceId=RID,
                                     ScalableDimension=DIM, Schedule=bad, ScalableTargetAction={"MinCapacity": 1})
        assert code_of(e) == "ValidationException", bad
    assert desired(svc) == 1
    svc.advance(5 * 3600 + 29 * 60)  # 14:29 UTC = 09:29 in New York
    assert desired(svc) == 1
    svc.advance(60)
    assert desired(svc) == 4
    causes = [a["Cause"] for a in aas.describe_scaling_activities(ServiceNamespace="ecs")["ScalingActivities"]]
    assert causes[:2] == ["minimum capacity was set to 4", "scheduled action name open was triggered"]
    svc.advance(6 * 3600)  # 20:00 UTC: at() lowers max to 2
    assert desired(svc) == 2
    target = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"][0]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 2)


@pytest.mark.parametrize(("schedule", "tz", "after", "expected"), [
    ("cron(0 8 ? * MON-FRI *)", "UTC", datetime(2026, 1, 9, 9, 0, tzinfo=UTC), datetime(2026, 1, 12, 8, 0, tzinfo=UTC)),
    ("cron(0 8 ? * 1 *)", "UTC", datetime(2026, 1, 5, 9, 0, tzinfo=UTC), datetime(2026, 1, 11, 8, 0, tzinfo=UTC)),
    ("cron(0 0 1 * ? 2027)", "UTC", datetime(2026, 1, 5, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
    ("cron(15 10 ? * 6#3 *)", "UTC", datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 16, 10, 15, tzinfo=UTC)),
    ("cron(0 12 ? * 6L *)", "UTC", datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 1, 30, 12, 0, tzinfo=UTC)),
    ("rate(5 minutes)", "UTC", datetime(2026, 1, 5, 9, 7, tzinfo=UTC), datetime(2026, 1, 5, 9, 10, tzinfo=UTC)),
    ("at(2026-01-05T10:00:00)", "Europe/Paris", datetime(2026, 1, 5, 8, 0, tzinfo=UTC),
     datetime(2026, 1, 5, 9, 0, tzinfo=UTC)),
    ("at(2026-01-05T10:00:00)", "UTC", datetime(2026, 1, 5, 11, 0, tzinfo=UTC), None),
])
def test_next_run(schedule, tz, after, expected):
    created = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert next_run(schedule, tz, after, created) == expected


def test_cloudwatch_metric_statistics_and_list(sim):
    cw = sim.client("cloudwatch")
    start = sim.now
    for i, v in enumerate((10, 20, 30, 60)):
        cw.put_metric_data(Namespace="App", MetricData=[{
            "MetricName": "Depth", "Value": v, "Unit": "Count", "Timestamp": start + timedelta(minutes=i),
            "Dimensions": [{"Name": "Queue", "Value": "q1"}]}])
    out = cw.get_metric_statistics(Namespace="App", MetricName="Depth", Dimensions=[{"Name": "Queue", "Value": "q1"}],
                                   StartTime=start, EndTime=start + timedelta(minutes=5), Period=120,
                                   Statistics=["Average", "Maximum", "Sum", "SampleCount"])
    points = out["Datapoints"]
    assert [(p["Average"], p["Maximum"], p["Sum"], p["SampleCount"]) for p in points] == [
        (15.0, 20.0, 30.0, 2.0), (45.0, 60.0, 90.0, 2.0)]
    assert cw.get_metric_statistics(Namespace="App", MetricName="Depth", StartTime=start,
                                    EndTime=start + timedelta(minutes=5), Period=60,
                                    Statistics=["Sum"])["Datapoints"] == []  # dimensions must match exactly
    data = cw.get_metric_data(MetricDataQueries=[{"Id": "m1", "MetricStat": {"Metric": {
        "Namespace": "App", "MetricName": "Depth", "Dimensions": [{"Name": "Queue", "Value": "q1"}]},
        "Period": 60, "Stat": "Maximum"}}], StartTime=start, EndTime=start + timedelta(minutes=5))
    assert data["MetricDataResults"][0]["Values"] == [60.0, 30.0, 20.0, 10.0]
    assert cw.list_metrics(Namespace="App", Dimensions=[{"Name": "Queue"}])["Metrics"] == [
        {"Namespace": "App", "MetricName": "Depth", "Dimensions": [{"Name": "Queue", "Value": "q1"}]}]
    with pytest.raises(ClientError) as e:
        cw.get_metric_statistics(Namespace="App", MetricName="Depth", StartTime=start, EndTime=start,
                                 Period=60, Statistics=["Sum"])
    assert code_of(e) == "InvalidParameterValue"
    with pytest.raises(ClientError) as e:
        cw.put_metric_data(Namespace="AWS/ECS", MetricData=[{"MetricName": "x", "Value": 1}])
    assert code_of(e) == "InvalidParameterValue"


def test_doubles_accept_the_cli_decimals_and_refuse_nan(sim):
    from decimal import Decimal

    cw = sim.client("cloudwatch")
    cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "m", "Value": Decimal("2.5")}])
    cw.put_metric_alarm(AlarmName="a", MetricName="m", Namespace="App", Statistic="Sum", Period=60,
                        EvaluationPeriods=1, Threshold=Decimal("1.5"), ComparisonOperator="GreaterThanThreshold")
    assert cw.describe_alarms()["MetricAlarms"][0]["Threshold"] == 1.5
    for bad in (float("nan"), Decimal("NaN"), float("inf")):
        with pytest.raises(ClientError):
            cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "m", "Value": bad}])
