"""The awslogs driver: streams per container, the lines workloads write, and its failures (§2.8)."""

from __future__ import annotations

from ecslearn.sim.workloads import set_workload
from tests.sim.test_pulls import ACCOUNT, ec2_instance, ec2_task, fargate_task, role

EXEC = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"


def awslogs(group="/ecs/web", prefix="web", **extra):
    options = {"awslogs-group": group, "awslogs-region": "us-east-1", **extra}
    if prefix:
        options["awslogs-stream-prefix"] = prefix
    return {"logDriver": "awslogs", "options": options}


def _messages(sim, group, stream):
    events = sim.client("logs").get_log_events(logGroupName=group, logStreamName=stream, startFromHead=True)
    return [e["message"] for e in events["events"]]


def test_a_stream_per_container_with_its_lines(sim):
    set_workload(sim, "acme/api:1", log_lines=("listening on :8080", "ready"))
    set_workload(sim, "acme/sidecar:1", log_lines=("sidecar up",))
    sim.client("logs").create_log_group(logGroupName="/ecs/web")
    task = fargate_task(sim, [{"name": "api", "image": "acme/api:1", "logConfiguration": awslogs()},
                              {"name": "sidecar", "image": "acme/sidecar:1", "essential": False,
                               "logConfiguration": awslogs()}], execution_role=EXEC)
    assert task["lastStatus"] == "RUNNING"
    task_id = task["taskArn"].rsplit("/", 1)[1]
    streams = [s["logStreamName"] for s in
               sim.client("logs").describe_log_streams(logGroupName="/ecs/web")["logStreams"]]
    assert streams == [f"web/api/{task_id}", f"web/sidecar/{task_id}"]
    assert _messages(sim, "/ecs/web", f"web/api/{task_id}") == ["listening on :8080", "ready"]
    assert _messages(sim, "/ecs/web", f"web/sidecar/{task_id}") == ["sidecar up"]


def test_missing_log_group_stops_a_fargate_task(sim):
    task = fargate_task(sim, [{"name": "api", "image": "nginx", "logConfiguration": awslogs()}], execution_role=EXEC)
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"] == (
        "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: "
        "failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist. "
        ": exit status 1")


def test_create_group_needs_logs_create_log_group(sim):
    config = awslogs(group="/ecs/new", **{"awslogs-create-group": "true"})
    task = fargate_task(sim, [{"name": "api", "image": "nginx", "logConfiguration": config}], execution_role=EXEC)
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"].startswith(
        "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: "
        "failed to create Cloudwatch log group: AccessDeniedException: User: ")
    assert "is not authorized to perform: logs:CreateLogGroup on resource: " \
           f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/new:log-stream: because" in task["stoppedReason"]
    sim.client("iam").attach_role_policy(RoleName="ecsTaskExecutionRole",
                                         PolicyArn="arn:aws:iam::aws:policy/CloudWatchLogsFullAccess")
    task = fargate_task(sim, [{"name": "api", "image": "nginx", "logConfiguration": config}], execution_role=EXEC,
                        family="again")
    assert task["lastStatus"] == "RUNNING"
    groups = [g["logGroupName"] for g in sim.client("logs").describe_log_groups()["logGroups"]]
    assert groups == ["/ecs/new"]


def test_no_create_log_stream_permission(sim):
    sim.client("logs").create_log_group(logGroupName="/ecs/web")
    exec_arn = role(sim, "ecr-only", inline=[{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}])
    task = fargate_task(sim, [{"name": "api", "image": "nginx", "logConfiguration": awslogs()}],
                        execution_role=exec_arn)
    assert task["stopCode"] == "TaskFailedToStart"
    assert "is not authorized to perform: logs:CreateLogStream on resource: " \
           f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/web:log-stream:web/api/" in task["stoppedReason"]


def test_without_put_log_events_the_lines_are_lost(sim):
    set_workload(sim, "acme/api:1", log_lines=("hello",))
    sim.client("logs").create_log_group(logGroupName="/ecs/web")
    exec_arn = role(sim, "streams-only", inline=[{"Effect": "Allow", "Action": "logs:CreateLogStream",
                                                  "Resource": "*"}])
    task = fargate_task(sim, [{"name": "api", "image": "acme/api:1", "logConfiguration": awslogs()}],
                        execution_role=exec_arn)
    assert task["lastStatus"] == "RUNNING"
    stream = f"web/api/{task['taskArn'].rsplit('/', 1)[1]}"
    assert _messages(sim, "/ecs/web", stream) == []


def test_ec2_awslogs_uses_the_instance_role_and_container_id_streams(sim):
    set_workload(sim, "acme/api:1", log_lines=("on ec2",))
    ec2_instance(sim, config_lines=["ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=false"])
    missing = ec2_task(sim, [{"name": "api", "image": "acme/api:1", "logConfiguration": awslogs(prefix=None)}])
    assert missing["stoppedReason"] == (
        "CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to "
        "create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.")
    sim.client("logs").create_log_group(logGroupName="/ecs/web")
    task = ec2_task(sim, [{"name": "api", "image": "acme/api:1", "logConfiguration": awslogs(prefix=None)}],
                    register=False)
    assert task["lastStatus"] == "RUNNING"
    runtime_id = task["containers"][0]["runtimeId"]
    assert _messages(sim, "/ecs/web", runtime_id) == ["on ec2"]


def test_ec2_with_the_override_uses_the_execution_role(sim):
    sim.client("logs").create_log_group(logGroupName="/ecs/web")
    ec2_instance(sim)  # the ECS-optimized AMI turns ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE on (§5.4)
    no_logs = role(sim, "exec-no-logs", inline=[{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}])
    task = ec2_task(sim, [{"name": "api", "image": "nginx", "logConfiguration": awslogs()}], execution_role=no_logs)
    assert task["stopCode"] == "TaskFailedToStart"
    assert ":assumed-role/exec-no-logs/" in task["stoppedReason"]
    assert "logs:CreateLogStream" in task["stoppedReason"]
    # without an execution role the instance role (which has the logs actions) writes the stream
    ok = ec2_task(sim, [{"name": "api", "image": "nginx", "logConfiguration": awslogs()}], family="no-exec")
    assert ok["lastStatus"] == "RUNNING"
