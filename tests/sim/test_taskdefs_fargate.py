"""The Fargate task-size table (ecs-reference §2.4), every pair, and the other Fargate registration rules."""

from __future__ import annotations

import pytest

from ecslearn.sim import ClientError, Simulator

# §2.4, written out independently of the implementation's table
VALID = {
    256: [512, 1024, 2048],
    512: [1024, 2048, 3072, 4096],
    1024: [g * 1024 for g in range(2, 9)],
    2048: [g * 1024 for g in range(4, 17)],
    4096: [g * 1024 for g in range(8, 31)],
    8192: [g * 1024 for g in range(16, 61, 4)],
    16384: [g * 1024 for g in range(32, 121, 8)],
}
PAIRS = [(cpu, mem) for cpu, mems in VALID.items() for mem in mems]

# each cpu with a memory just outside its range or off its step
INVALID = [
    (256, 256), (256, 3072), (256, 1536),
    (512, 512), (512, 5120), (512, 1536),
    (1024, 1024), (1024, 9216), (1024, 2560),
    (2048, 3072), (2048, 17408), (2048, 4608),
    (4096, 7168), (4096, 31744), (4096, 8704),
    (8192, 12288), (8192, 65536), (8192, 17408), (8192, 20480 + 1024),
    (16384, 24576), (16384, 131072), (16384, 36864), (16384, 40960 + 4096),
    (128, 512), (3072, 8192), (32768, 65536),
]

sim = Simulator(seed=1)
ecs = sim.client("ecs")


def fargate(cpu, memory, **kw):
    kw.setdefault("networkMode", "awsvpc")
    kw.setdefault("containerDefinitions", [{"name": "app", "image": "nginx"}])
    return ecs.register_task_definition(family="f", requiresCompatibilities=["FARGATE"], cpu=cpu,
                                        memory=memory, **kw)["taskDefinition"]


def error_of(**kw):
    with pytest.raises(ClientError) as info:
        fargate(**kw)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_table_has_every_pair_of_the_reference():
    assert len(PAIRS) == 3 + 4 + 7 + 13 + 23 + 12 + 12


@pytest.mark.parametrize(("cpu", "memory"), PAIRS)
def test_every_fargate_pair_is_valid(cpu, memory):
    td = fargate(str(cpu), str(memory))
    assert (td["cpu"], td["memory"]) == (str(cpu), str(memory))
    assert td["compatibilities"] == ["EC2", "FARGATE"]


@pytest.mark.parametrize(("cpu", "memory"), INVALID)
def test_invalid_fargate_pairs(cpu, memory):
    assert error_of(cpu=str(cpu), memory=str(memory)) == (
        "ClientException",
        f"No Fargate configuration exists for given values: {cpu} CPU, {memory} memory. "
        "See the Amazon ECS documentation for the valid values.")


@pytest.mark.parametrize(("cpu", "memory"), INVALID)
def test_invalid_pairs_without_requires_compatibilities_are_ec2_only(cpu, memory):
    td = ecs.register_task_definition(family="g", networkMode="awsvpc", cpu=str(cpu), memory=str(memory),
                                      containerDefinitions=[{"name": "a", "image": "nginx"}])["taskDefinition"]
    assert td["compatibilities"] == ["EC2"]


def test_pair_errors_use_normalised_values():
    assert error_of(cpu="1 vCPU", memory="1GB")[1].startswith(
        "No Fargate configuration exists for given values: 1024 CPU, 1024 memory.")
    assert fargate("8 vCPU", "16GB")["cpu"] == "8192"
    assert fargate("16 vcpu", "120 GB")["memory"] == "122880"


def test_fargate_needs_task_cpu_and_memory():
    assert error_of(cpu=None, memory="512") == (
        "ClientException", "Fargate requires that 'cpu' be defined at the task level.")
    assert error_of(cpu="256", memory=None) == (
        "ClientException", "Fargate requires that 'memory' be defined at the task level.")


@pytest.mark.parametrize("mode", [None, "bridge", "host", "none"])
def test_fargate_needs_awsvpc(mode):
    assert error_of(cpu="256", memory="512", networkMode=mode) == (
        "ClientException", "Fargate only supports network mode 'awsvpc'.")


ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"
AWSLOGS = {"logDriver": "awslogs", "options": {"awslogs-group": "/ecs/app", "awslogs-region": "us-east-1",
                                               "awslogs-stream-prefix": "ecs"}}
ROLE = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"


def test_fargate_ecr_image_needs_execution_role():
    assert error_of(cpu="256", memory="512", containerDefinitions=[{"name": "a", "image": ECR}]) == (
        "ClientException", "Fargate requires task definition to have execution role ARN to support ECR images.")
    td = fargate("256", "512", containerDefinitions=[{"name": "a", "image": ECR}], executionRoleArn=ROLE)
    assert td["executionRoleArn"] == ROLE


def test_fargate_awslogs_needs_execution_role_and_stream_prefix():
    assert error_of(cpu="256", memory="512",
                    containerDefinitions=[{"name": "a", "image": "nginx", "logConfiguration": AWSLOGS}]) == (
        "ClientException",
        "Fargate requires task definition to have execution role ARN to support log driver awslogs.")
    no_prefix = {"logDriver": "awslogs", "options": {"awslogs-group": "g", "awslogs-region": "us-east-1"}}
    assert error_of(cpu="256", memory="512", executionRoleArn=ROLE,
                    containerDefinitions=[{"name": "a", "image": "nginx", "logConfiguration": no_prefix}]) == (
        "ClientException", "Log driver awslogs option 'awslogs-stream-prefix' should not be null or empty.")
    # on EC2 the prefix is optional
    td = ecs.register_task_definition(family="e", containerDefinitions=[
        {"name": "a", "image": "nginx", "memory": 128, "logConfiguration": no_prefix}])["taskDefinition"]
    assert td["compatibilities"] == ["EC2"]


@pytest.mark.parametrize("driver", ["json-file", "syslog", "journald", "gelf", "fluentd"])
def test_fargate_log_drivers(driver):
    code, msg = error_of(cpu="256", memory="512", containerDefinitions=[
        {"name": "a", "image": "nginx", "logConfiguration": {"logDriver": driver}}])
    assert code == "ClientException"
    assert msg == (f"Log driver {driver} is not supported by the Fargate launch type. "
                   "Supported log drivers are awslogs, splunk and awsfirelens.")


@pytest.mark.parametrize("driver", ["splunk", "awsfirelens"])
def test_fargate_accepts_splunk_and_firelens(driver):
    td = fargate("256", "512", containerDefinitions=[
        {"name": "a", "image": "nginx", "logConfiguration": {"logDriver": driver}}])
    assert td["containerDefinitions"][0]["logConfiguration"]["logDriver"] == driver


def test_fargate_ipc_and_pid_modes():
    assert error_of(cpu="256", memory="512", ipcMode="task") == (
        "ClientException", "Tasks using the Fargate launch type do not support ipcMode.")
    assert error_of(cpu="256", memory="512", pidMode="host") == (
        "ClientException", "Tasks using the Fargate launch type do not support pidMode 'host'. "
                           "The supported value for pidMode is 'task'.")
    assert fargate("256", "512", pidMode="task")["pidMode"] == "task"


@pytest.mark.parametrize(("timeout", "ok"), [(1, False), (2, True), (120, True), (121, False)])
def test_fargate_stop_timeout_range(timeout, ok):
    containers = [{"name": "a", "image": "nginx", "stopTimeout": timeout}]
    if ok:
        assert fargate("256", "512", containerDefinitions=containers)["containerDefinitions"][0][
            "stopTimeout"] == timeout
    else:
        assert error_of(cpu="256", memory="512", containerDefinitions=containers) == (
            "ClientException", "Invalid 'stopTimeout' setting for container 'a'. "
                               "On Fargate the value must be between 2 and 120 seconds.")


def test_fargate_refuses_privileged_and_docker_volumes():
    assert error_of(cpu="256", memory="512", containerDefinitions=[
        {"name": "a", "image": "nginx", "privileged": True}])[1] == (
        "Tasks using the Fargate launch type do not support privileged containers.")
    assert "dockerVolumeConfiguration" in error_of(
        cpu="256", memory="512", volumes=[{"name": "v", "dockerVolumeConfiguration": {"scope": "task"}}])[1]
    assert "sourcePath" in error_of(cpu="256", memory="512",
                                    volumes=[{"name": "v", "host": {"sourcePath": "/data"}}])[1]
    # a bind mount without a sourcePath is fine on Fargate
    td = fargate("256", "512", volumes=[{"name": "v"}], containerDefinitions=[
        {"name": "a", "image": "nginx", "mountPoints": [{"sourceVolume": "v", "containerPath": "/d"}]}])
    assert td["volumes"] == [{"name": "v"}]


def test_fargate_and_ec2_together_meet_both_rule_sets():
    td = ecs.register_task_definition(
        family="both", requiresCompatibilities=["EC2", "FARGATE"], networkMode="awsvpc", cpu="1024",
        memory="2048", executionRoleArn=ROLE,
        containerDefinitions=[{"name": "a", "image": ECR, "logConfiguration": AWSLOGS}])["taskDefinition"]
    assert td["requiresCompatibilities"] == ["EC2", "FARGATE"]
    assert td["compatibilities"] == ["EC2", "FARGATE"]


def test_runtime_platform_is_stored_and_returned():
    td = fargate("1024", "2048", runtimePlatform={"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"})
    assert td["runtimePlatform"] == {"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"}
    code, msg = error_of(cpu="1024", memory="2048", runtimePlatform={"cpuArchitecture": "MIPS"})
    assert code == "ClientException" and "runtimePlatform.cpuArchitecture" in msg


def test_external_and_managed_instances_are_accepted_and_stored():
    td = ecs.register_task_definition(family="ext", requiresCompatibilities=["EXTERNAL"], containerDefinitions=[
        {"name": "a", "image": "nginx", "memory": 128}])["taskDefinition"]
    assert td["requiresCompatibilities"] == ["EXTERNAL"] and td["compatibilities"] == ["EC2", "EXTERNAL"]
    td = ecs.register_task_definition(family="mi", requiresCompatibilities=["MANAGED_INSTANCES"],
                                      networkMode="awsvpc", containerDefinitions=[
                                          {"name": "a", "image": "nginx", "memory": 128}])["taskDefinition"]
    assert "MANAGED_INSTANCES" in td["compatibilities"]
    with pytest.raises(ClientError) as info:
        ecs.register_task_definition(family="x", requiresCompatibilities=["LAMBDA"],
                                     containerDefinitions=[{"name": "a", "image": "nginx", "memory": 128}])
    assert info.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'LAMBDA' at 'requiresCompatibilities.1.member' failed to satisfy "
        "constraint: Member must satisfy enum value set: [EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES]")
