"""Random parameters thrown at Application Auto Scaling, CloudWatch, EC2 Auto Scaling and the ECS
capacity-provider operations: only AWS-style errors, and the minute clock keeps running."""

from __future__ import annotations

import contextlib
import inspect

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim import ClientError, Simulator
from ecslearn.sim.appautoscaling import AppAutoScalingBackend
from ecslearn.sim.autoscaling import AutoScalingBackend
from ecslearn.sim.cloudwatch import CloudWatchBackend

ALLOWED = (ClientError, ParamValidationError, NotModelledError)
CAPACITY_OPS = ["create_capacity_provider", "update_capacity_provider", "describe_capacity_providers",
                "delete_capacity_provider", "put_cluster_capacity_providers", "run_task"]
_WORLD: dict = {}


def shared():
    if not _WORLD:
        sim = Simulator(seed=11)
        ec2, ecs = sim.client("ec2"), sim.client("ecs")
        subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
        ecs.create_cluster(clusterName="prod", capacityProviders=["FARGATE", "FARGATE_SPOT"])
        ecs.register_task_definition(family="web", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                     cpu="256", memory="512",
                                     containerDefinitions=[{"name": "web", "image": "nginx"}])
        ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=1,
                           launchType="FARGATE", networkConfiguration={"awsvpcConfiguration": {
                               "subnets": [subnets[0]["SubnetId"]], "assignPublicIp": "ENABLED"}})
        ami = sim.client("ssm").get_parameter(
            Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")["Parameter"]["Value"]
        asg = sim.client("autoscaling")
        asg.create_launch_configuration(LaunchConfigurationName="lc", ImageId=ami, InstanceType="t3.micro")
        asg.create_auto_scaling_group(AutoScalingGroupName="g", LaunchConfigurationName="lc", MinSize=0, MaxSize=2,
                                      VPCZoneIdentifier=subnets[0]["SubnetId"])
        arn = asg.describe_auto_scaling_groups()["AutoScalingGroups"][0]["AutoScalingGroupARN"]
        _WORLD.update(sim=sim, names=["ecs", "service/prod/web", "ecs:service:DesiredCount", "prod", "web", "g",
                                      "lc", arn, subnets[0]["SubnetId"], "FARGATE", "FARGATE_SPOT", "cp", ami])
    return _WORLD


scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 200), st.floats(allow_nan=False, width=16),
                    st.text(max_size=8),
                    st.sampled_from(["TargetTrackingScaling", "StepScaling", "ECSServiceAverageCPUUtilization",
                                     "ALBRequestCountPerTarget", "ChangeInCapacity", "ExactCapacity",
                                     "cron(0 9 ? * MON-FRI *)", "rate(5 minutes)", "at(2026-01-05T10:00:00)",
                                     "Average", "Sum", "GreaterThanThreshold", "AWS/ECS", "CPUUtilization",
                                     "ENABLED", "DISABLED", "UTC", "Europe/Paris"]))
keys = st.sampled_from(["TargetValue", "PredefinedMetricSpecification", "PredefinedMetricType", "ResourceLabel",
                        "ScaleInCooldown", "DisableScaleIn", "AdjustmentType", "StepAdjustments", "ScalingAdjustment",
                        "MetricIntervalLowerBound", "MinCapacity", "MaxCapacity", "Name", "Value", "MetricName",
                        "Namespace", "Dimensions", "Id", "MetricStat", "Metric", "Period", "Stat",
                        "autoScalingGroupArn", "managedScaling", "status", "targetCapacity",
                        "managedTerminationProtection", "capacityProvider", "weight", "base", "junk"])
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(keys, inner, max_size=4)), max_leaves=10)


def _fuzz(service: str, backend_cls, op: str, data) -> None:
    w = shared()
    fn = getattr(backend_cls, op)
    kwargs = {}
    for name, p in inspect.signature(fn).parameters.items():
        if name == "self":
            continue
        if p.default is inspect.Parameter.empty or data.draw(st.booleans()):
            kwargs[name] = data.draw(st.one_of(values, st.sampled_from(w["names"])))
    with contextlib.suppress(*ALLOWED):
        getattr(w["sim"].client(service), op)(**kwargs)
    w["sim"].advance(61)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([("application-autoscaling", AppAutoScalingBackend, op)
                        for op in sorted(AppAutoScalingBackend.operations())]
                       + [("cloudwatch", CloudWatchBackend, op) for op in sorted(CloudWatchBackend.operations())]
                       + [("autoscaling", AutoScalingBackend, op) for op in sorted(AutoScalingBackend.operations())]),
       st.data())
def test_random_parameters_give_aws_errors_only(target, data):
    _fuzz(*target, data)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CAPACITY_OPS), st.data())
def test_capacity_operations_random_parameters(op, data):
    from ecslearn.sim.ecs import EcsBackend

    _fuzz("ecs", EcsBackend, op, data)
