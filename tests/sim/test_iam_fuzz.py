"""Random parameters thrown at every IAM, ECR, Logs, Secrets Manager, EventBridge, Scheduler and STS
operation: only AWS-style errors (or "not modelled"), never a Python exception."""

from __future__ import annotations

import contextlib
import inspect
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim import ClientError, Simulator

ALLOWED = (ClientError, ParamValidationError, NotModelledError)
SERVICES = ("iam", "ecr", "logs", "secretsmanager", "events", "scheduler", "sts")
HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com"

_WORLD: dict = {}


def shared():
    if not _WORLD:
        from ecslearn.sim.docker import docker_push

        sim = Simulator(seed=11)
        sim.client("ecr").create_repository(repositoryName="web")
        docker_push(sim, f"{HOST}/web:v1")
        sim.client("logs").create_log_group(logGroupName="/g")
        sim.client("logs").create_log_stream(logGroupName="/g", logStreamName="s")
        sim.client("secretsmanager").create_secret(Name="sec", SecretString='{"a":"b"}')
        sim.client("events").put_rule(Name="r", ScheduleExpression="rate(5 minutes)")
        sim.client("ecs").create_cluster(clusterName="prod")
        _WORLD.update(sim=sim, names=[
            "web", "v1", "/g", "s", "sec", "r", "prod", "ecsInstanceRole", "ecsTaskExecutionRole",
            "arn:aws:ecs:us-east-1:123456789012:cluster/prod", "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
            "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", "arn:aws:ecr:us-east-1:123456789012:repository/web",
            "rate(1 hour)", "cron(0 9 ? * MON-FRI *)", "at(2026-01-06T10:00:00)",
            json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*",
                                                                "Resource": "*"}]}),
            json.dumps({"rules": [{"rulePriority": 1, "selection": {"tagStatus": "untagged",
                                                                    "countType": "imageCountMoreThan",
                                                                    "countNumber": 1},
                                   "action": {"type": "expire"}}]})])
    return _WORLD


scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 5000), st.floats(allow_nan=False, width=16),
                    st.text(max_size=8), st.binary(max_size=4),
                    st.sampled_from(["ENABLED", "DISABLED", "OFF", "FLEXIBLE", "FARGATE", "EC2", "AES256", "KMS",
                                     "MUTABLE", "IMMUTABLE", "TAGGED", "UNTAGGED", "ANY", "sha256:" + "0" * 64]))
keys = st.sampled_from(["Key", "Value", "imageTag", "imageDigest", "scanOnPush", "encryptionType", "kmsKey",
                        "tagStatus", "timestamp", "message", "Id", "Arn", "RoleArn", "EcsParameters",
                        "TaskDefinitionArn", "TaskCount", "LaunchType", "NetworkConfiguration",
                        "awsvpcConfiguration", "Subnets", "AssignPublicIp", "Mode", "MaximumWindowInMinutes",
                        "junk"])
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(keys, inner, max_size=4)), max_leaves=10)


def _ops(service):
    sim = Simulator(seed=0)
    return sorted(type(sim.backend(service)).operations().items())


@pytest.mark.parametrize("service", SERVICES)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_parameters_give_aws_errors_only(service, data):
    w = shared()
    name, fn = data.draw(st.sampled_from(_ops(service)))
    kwargs = {}
    for pname, p in inspect.signature(fn).parameters.items():
        if pname == "self":
            continue
        if p.default is inspect.Parameter.empty or data.draw(st.booleans()):
            kwargs[pname] = data.draw(st.one_of(values, st.sampled_from(w["names"])))
    with contextlib.suppress(ALLOWED):
        getattr(w["sim"].client(service), name)(**kwargs)
    w["sim"].advance(61)
