"""Task IAM roles: what a task's containers may call (ecs-reference §2.7)."""

from __future__ import annotations

import json

import pytest

from ecslearn.errors import SimulatorError
from ecslearn.sim.ecs.startchecks import workload_call
from tests.sim.test_pulls import ACCOUNT, EC2_TRUST, ec2_instance, ec2_task, fargate_task, role

S3_RO = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
EXEC = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"
OBJECT = "arn:aws:s3:::reports/2026/01.csv"


def test_task_role_allowed_and_denied_s3(sim):
    app = role(sim, "app-role", managed=[S3_RO])
    task = fargate_task(sim, [{"name": "app", "image": "nginx"}], execution_role=EXEC, task_role=app)
    assert task["lastStatus"] == "RUNNING"
    ok = workload_call(sim, task["taskArn"], "s3:GetObject", OBJECT)
    assert ok == {"allowed": True, "error": None, "role": app}
    put = workload_call(sim, task["taskArn"], "s3:PutObject", OBJECT)
    task_id = task["taskArn"].rsplit("/", 1)[1]
    assert put["allowed"] is False and put["role"] == app
    assert put["error"] == (f"AccessDenied: User: arn:aws:sts::{ACCOUNT}:assumed-role/app-role/{task_id} is not "
                            f"authorized to perform: s3:PutObject on resource: {OBJECT} because no identity-based "
                            "policy allows the s3:PutObject action")
    assert "RoleLastUsed" in sim.client("iam").get_role(RoleName="app-role")["Role"]


def test_the_execution_role_does_not_give_the_app_permissions(sim):
    exec_arn = role(sim, "exec-with-s3", managed=["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
                                                  S3_RO])
    bare = role(sim, "bare-task")
    task = fargate_task(sim, [{"name": "app", "image": "nginx"}], execution_role=exec_arn, task_role=bare)
    out = workload_call(sim, task["taskArn"], "s3:GetObject", OBJECT)
    assert out["allowed"] is False and out["role"] == bare
    none = fargate_task(sim, [{"name": "app", "image": "nginx"}], execution_role=exec_arn, family="no-task-role")
    assert workload_call(sim, none["taskArn"], "s3:GetObject", OBJECT) == {
        "allowed": False, "role": None, "error": "NoCredentialsError: Unable to locate credentials"}


def test_ec2_without_a_task_role_falls_back_to_the_instance_role(sim):
    ec2_instance(sim)
    task = ec2_task(sim, [{"name": "app", "image": "nginx"}])
    instance_role = f"arn:aws:iam::{ACCOUNT}:role/ecsInstanceRole"
    out = workload_call(sim, task["taskArn"], "s3:GetObject", OBJECT)
    assert out["allowed"] is False and out["role"] == instance_role
    assert ":assumed-role/ecsInstanceRole/i-" in out["error"]
    sim.client("iam").attach_role_policy(RoleName="ecsInstanceRole", PolicyArn=S3_RO)
    assert workload_call(sim, task["taskArn"], "s3:GetObject", OBJECT)["allowed"] is True
    # once a task role is set, only it counts: the instance role's S3 access no longer applies
    bare = role(sim, "bare-task")
    with_role = ec2_task(sim, [{"name": "app", "image": "nginx"}], family="with-role", task_role=bare)
    out = workload_call(sim, with_role["taskArn"], "s3:GetObject", OBJECT)
    assert out["allowed"] is False and out["role"] == bare


def test_awsvpc_tasks_can_be_blocked_from_imds(sim):
    sim.client("iam").attach_role_policy(RoleName="ecsInstanceRole", PolicyArn=S3_RO)
    ec2_instance(sim, config_lines=["ECS_AWSVPC_BLOCK_IMDS=true"])
    task = ec2_task(sim, [{"name": "app", "image": "nginx"}], network_mode="awsvpc")
    assert task["lastStatus"] == "RUNNING"
    assert workload_call(sim, task["taskArn"], "s3:GetObject", OBJECT)["error"] == \
        "NoCredentialsError: Unable to locate credentials"
    bridge = ec2_task(sim, [{"name": "app", "image": "nginx"}], family="bridge")
    assert workload_call(sim, bridge["taskArn"], "s3:GetObject", OBJECT)["allowed"] is True


def test_run_task_override_and_untrusted_task_role(sim):
    reader = role(sim, "reader", managed=[S3_RO])
    task = fargate_task(sim, [{"name": "app", "image": "nginx"}], execution_role=EXEC)
    assert workload_call(sim, task["taskArn"], "s3:GetObject", OBJECT)["allowed"] is False
    ecs = sim.client("ecs")
    out = ecs.run_task(cluster="prod", taskDefinition="app", launchType="FARGATE",
                       overrides={"taskRoleArn": reader},
                       networkConfiguration={"awsvpcConfiguration": {"subnets": [
                           sim.client("ec2").describe_subnets()["Subnets"][0]["SubnetId"]],
                           "assignPublicIp": "ENABLED"}})
    sim.settle()
    assert workload_call(sim, out["tasks"][0]["taskArn"], "s3:GetObject", OBJECT)["allowed"] is True
    untrusted = role(sim, "ec2-role", trust=EC2_TRUST, managed=[S3_RO])
    bad = fargate_task(sim, [{"name": "app", "image": "nginx"}], execution_role=EXEC, task_role=untrusted,
                       family="untrusted")
    assert bad["stopCode"] == "TaskFailedToStart"
    assert bad["stoppedReason"].startswith(f"ECS was unable to assume the role '{untrusted}'")
    with pytest.raises(SimulatorError, match="only a RUNNING task"):
        workload_call(sim, bad["taskArn"], "s3:GetObject", OBJECT)
    with pytest.raises(SimulatorError):
        workload_call(sim, "arn:aws:ecs:us-east-1:123456789012:task/prod/none", "s3:GetObject")


def test_inline_deny_beats_managed_allow(sim):
    arn = role(sim, "app", managed=[S3_RO], inline=[
        {"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::secret-bucket/*"}])
    task = fargate_task(sim, [{"name": "app", "image": "nginx"}], execution_role=EXEC, task_role=arn)
    assert workload_call(sim, task["taskArn"], "s3:GetObject", "arn:aws:s3:::public/x")["allowed"] is True
    denied = workload_call(sim, task["taskArn"], "s3:GetObject", "arn:aws:s3:::secret-bucket/x")
    assert denied["error"].endswith("with an explicit deny in an identity-based policy")
    assert json.loads(json.dumps(denied))["allowed"] is False
