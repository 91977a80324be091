"""Computed requiresAttributes and compatibilities of task definitions (ecs-reference §2.1, §5.6)."""

from __future__ import annotations

import pytest

from ecslearn.sim import Simulator

CAP = "com.amazonaws.ecs.capability."
ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"
ROLE = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
TASK_ROLE = "arn:aws:iam::123456789012:role/app"
AWSLOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/app", "awslogs-region": "us-east-1",
                                               "awslogs-stream-prefix": "ecs"}}


@pytest.fixture
def reg():
    ecs = Simulator(seed=3).client("ecs")

    def register(containers, **kw):
        td = ecs.register_task_definition(family="a", containerDefinitions=containers, **kw)["taskDefinition"]
        return [a["name"] for a in td["requiresAttributes"]], td["compatibilities"]
    return register


def test_plain_ec2_definition_requires_nothing(reg):
    assert reg([{"name": "a", "image": "nginx", "memory": 128}]) == ([], ["EC2"])


def test_ec2_awslogs_and_ecr_without_roles(reg):
    # as seen in a real EC2 definition: awslogs driver, ECR auth, Docker API 1.19
    attrs, compat = reg([{"name": "a", "image": ECR, "memory": 128, "logConfiguration": AWSLOGS}])
    assert attrs == [CAP + "logging-driver.awslogs", CAP + "ecr-auth", CAP + "docker-remote-api.1.19"]
    assert compat == ["EC2"]


def test_fargate_with_everything_matches_real_order(reg):
    # the order of a real Fargate definition with a health check and a task role
    attrs, compat = reg(
        [{"name": "a", "image": ECR, "memoryReservation": 512, "logConfiguration": AWSLOGS,
          "healthCheck": {"command": ["CMD-SHELL", "curl -f http://localhost/ || exit 1"]}}],
        networkMode="awsvpc", requiresCompatibilities=["EC2", "FARGATE"], cpu="1024", memory="2048",
        executionRoleArn=ROLE, taskRoleArn=TASK_ROLE)
    assert attrs == [
        CAP + "logging-driver.awslogs", CAP + "docker-remote-api.1.24", "ecs.capability.execution-role-awslogs",
        CAP + "ecr-auth", CAP + "docker-remote-api.1.19", CAP + "docker-remote-api.1.21", CAP + "task-iam-role",
        "ecs.capability.container-health-check", "ecs.capability.execution-role-ecr-pull",
        CAP + "docker-remote-api.1.18", "ecs.capability.task-eni"]
    assert compat == ["EC2", "FARGATE"]


def test_secrets_credentials_and_other_capabilities(reg):
    attrs, _ = reg([{
        "name": "a", "image": "private.example.com/app:1", "memory": 128, "privileged": True,
        "secrets": [{"name": "A", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/a"},
                    {"name": "B", "valueFrom": "arn:aws:secretsmanager:us-east-1:123456789012:secret:b"}],
        "repositoryCredentials": {"credentialsParameter": "arn:aws:secretsmanager:us-east-1:123456789012:secret:r"},
        "environmentFiles": [{"value": "arn:aws:s3:::bucket/app.env", "type": "s3"}],
        "dockerLabels": {"team": "x"},
    }], executionRoleArn=ROLE)
    assert attrs == ["ecs.capability.secrets.ssm.environment-variables",
                     "ecs.capability.secrets.asm.environment-variables",
                     "ecs.capability.private-registry-authentication.secretsmanager",
                     "ecs.capability.env-files.s3", CAP + "privileged-container", CAP + "docker-remote-api.1.18"]


def test_host_mode_with_task_role(reg):
    attrs, compat = reg([{"name": "a", "image": "nginx", "memory": 128}], networkMode="host", taskRoleArn=TASK_ROLE)
    assert attrs == [CAP + "task-iam-role", CAP + "docker-remote-api.1.18", CAP + "task-iam-role-network-host"]
    assert compat == ["EC2"]


def test_execution_role_alone_asks_for_nothing_on_public_images(reg):
    attrs, _ = reg([{"name": "a", "image": "nginx", "memory": 128}], executionRoleArn=ROLE)
    assert attrs == []


@pytest.mark.parametrize(("driver", "api"), [("json-file", "1.18"), ("syslog", "1.18"), ("journald", "1.19"),
                                              ("gelf", "1.20"), ("fluentd", "1.20"), ("splunk", "1.22")])
def test_log_driver_api_versions(reg, driver, api):
    attrs, _ = reg([{"name": "a", "image": "nginx", "memory": 128, "logConfiguration": {"logDriver": driver}}])
    assert attrs == [CAP + f"logging-driver.{driver}", CAP + f"docker-remote-api.{api}"]


def test_dependencies_firelens_and_ephemeral_storage(reg):
    attrs, compat = reg([
        {"name": "router", "image": "fluent-bit", "firelensConfiguration": {"type": "fluentbit"}},
        {"name": "a", "image": "nginx", "dependsOn": [{"containerName": "router", "condition": "START"}],
         "logConfiguration": {"logDriver": "awsfirelens"}},
    ], networkMode="awsvpc", cpu="256", memory="512", ephemeralStorage={"sizeInGiB": 40})
    assert attrs == [CAP + "logging-driver.awsfirelens", "ecs.capability.firelens.fluentbit",
                     "ecs.capability.container-ordering", CAP + "docker-remote-api.1.18", "ecs.capability.task-eni",
                     "ecs.capability.extensible-ephemeral-storage"]
    assert compat == ["EC2", "FARGATE"]


def test_port_ranges_log_secrets_and_namespace_sharing(reg):
    attrs, _ = reg([{"name": "a", "image": "nginx", "memory": 128,
                     "portMappings": [{"containerPortRange": "8000-8010"}],
                     "logConfiguration": {"logDriver": "splunk", "secretOptions": [
                         {"name": "splunk-token", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/t"}]}}],
                   pidMode="task", ipcMode="task", executionRoleArn=ROLE)
    assert attrs == [CAP + "logging-driver.splunk", CAP + "docker-remote-api.1.22",
                     "ecs.capability.container-port-range", "ecs.capability.secrets.ssm.bootstrap.log-driver",
                     "ecs.capability.pid-ipc-namespace-sharing"]


@pytest.mark.parametrize(("kw", "fargate"), [
    ({"networkMode": "awsvpc", "cpu": "256", "memory": "512"}, True),
    ({"networkMode": "awsvpc", "cpu": "256", "memory": "4096"}, False),
    ({"networkMode": "awsvpc", "cpu": "256"}, False),
    ({"networkMode": "bridge", "cpu": "256", "memory": "512"}, False),
    ({"networkMode": "awsvpc", "cpu": "256", "memory": "512", "ipcMode": "host"}, False),
    ({"networkMode": "awsvpc", "cpu": "256", "memory": "512", "pidMode": "host"}, False),
    ({"networkMode": "awsvpc", "cpu": "256", "memory": "512", "pidMode": "task"}, True),
])
def test_fargate_compatibility_is_computed(reg, kw, fargate):
    _, compat = reg([{"name": "a", "image": "nginx", "memory": 128}], **kw)
    assert compat == (["EC2", "FARGATE"] if fargate else ["EC2"])


def test_ecr_image_without_execution_role_is_not_fargate_compatible(reg):
    kw = {"networkMode": "awsvpc", "cpu": "256", "memory": "512"}
    assert reg([{"name": "a", "image": ECR}], **kw)[1] == ["EC2"]
    assert reg([{"name": "a", "image": ECR}], executionRoleArn=ROLE, **kw)[1] == ["EC2", "FARGATE"]
