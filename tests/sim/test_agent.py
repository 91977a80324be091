"""The ECS agent on EC2 instances: registration rules, registered resources, attributes, the log (§5)."""

from __future__ import annotations

import pytest

from ecslearn.sim import Simulator
from ecslearn.sim.agent import AGENT_START_SECONDS, agent_log, agent_state
from ecslearn.sim.ec2 import PENDING_SECONDS

BOOT = PENDING_SECONDS + AGENT_START_SECONDS
PROFILE = {"Name": "ecsInstanceRole"}


def ami(sim: Simulator, which: str = "amazon-linux-2023/recommended/image_id") -> str:
    return sim.client("ssm").get_parameter(Name=f"/aws/service/ecs/optimized-ami/{which}")["Parameter"]["Value"]


def plain_ami(sim: Simulator) -> str:
    name = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"
    return sim.client("ssm").get_parameter(Name=name)["Parameter"]["Value"]


def user_data(*lines: str) -> str:
    return "#!/bin/bash\n" + "".join(f"echo '{ln}' >> /etc/ecs/ecs.config\n" for ln in lines)


def launch(sim: Simulator, *config: str, itype: str = "t3.medium", image: str | None = None,
           profile: dict | None = PROFILE, **kw) -> str:
    params = {"ImageId": image or ami(sim), "InstanceType": itype, "MinCount": 1, "MaxCount": 1,
              "UserData": user_data(*config)}
    if profile is not None:
        params["IamInstanceProfile"] = profile
    params.update(kw)
    return sim.client("ec2").run_instances(**params)["Instances"][0]["InstanceId"]


def instances(sim: Simulator, cluster: str) -> list[dict]:
    ecs = sim.client("ecs")
    arns = ecs.list_container_instances(cluster=cluster)["containerInstanceArns"]
    if not arns:
        return []
    return ecs.describe_container_instances(cluster=cluster, containerInstances=arns,
                                            include=["TAGS"])["containerInstances"]


def resources(ci: dict, kind: str = "registeredResources") -> dict:
    out = {}
    for r in ci[kind]:
        out[r["name"]] = r["stringSetValue"] if r["type"] == "STRINGSET" else r["integerValue"]
    return out


def attrs(ci: dict) -> dict:
    return {a["name"]: a.get("value") for a in ci["attributes"]}


# --- registration rules (§5.7) ----------------------------------------------------------------


def test_registers_into_the_named_cluster_after_boot(sim):
    sim.client("ecs").create_cluster(clusterName="prod")
    iid = launch(sim, "ECS_CLUSTER=prod")
    sim.advance(BOOT - 1)
    assert instances(sim, "prod") == []
    sim.advance(1)
    [ci] = instances(sim, "prod")
    assert ci["ec2InstanceId"] == iid and ci["status"] == "ACTIVE" and ci["agentConnected"] is True
    assert ci["registeredAt"] == sim.now
    assert ci["containerInstanceArn"].startswith(
        "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/")
    assert len(ci["containerInstanceArn"].rsplit("/", 1)[1]) == 32
    log = agent_log(sim, iid)
    assert any("Registration completed successfully" in line and "'prod'" in line for line in log)
    assert all(line.startswith("level=") and " time=" in line and " msg=" in line for line in log)
    cluster = sim.client("ecs").describe_clusters(clusters=["prod"])["clusters"][0]
    assert cluster["registeredContainerInstancesCount"] == 1


def test_unset_ecs_cluster_creates_default(sim):
    ecs = sim.client("ecs")
    assert ecs.list_clusters()["clusterArns"] == []
    launch(sim)  # no ecs.config lines
    sim.settle()
    assert ecs.list_clusters()["clusterArns"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/default"]
    assert len(instances(sim, "default")) == 1


def test_explicit_cluster_that_does_not_exist_never_registers(sim):
    ecs = sim.client("ecs")
    ecs.create_cluster(clusterName="prod")
    iid = launch(sim, "ECS_CLUSTER=prdo")
    sim.settle()
    sim.advance(3600)
    assert ecs.list_clusters()["clusterArns"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/prod"]
    assert instances(sim, "prod") == []
    log = agent_log(sim, iid)
    assert any("Unable to register as a container instance with ECS: ClientException: Cluster not found."
               in line for line in log)
    state = agent_state(sim, iid)
    assert state.exit_code == 5 and state.status == "exited"
    # creating the cluster later does not help: exit code 5 is terminal
    ecs.create_cluster(clusterName="prdo")
    sim.advance(600)
    assert instances(sim, "prdo") == []


def test_explicit_default_is_not_auto_created(sim):
    iid = launch(sim, "ECS_CLUSTER=default")
    sim.settle()
    assert sim.client("ecs").list_clusters()["clusterArns"] == []
    assert agent_state(sim, iid).exit_code == 5


def test_terminal_agent_registers_after_a_stop_start_once_the_cluster_exists(sim):
    ec2, ecs = sim.client("ec2"), sim.client("ecs")
    iid = launch(sim, "ECS_CLUSTER=late")
    sim.settle()
    assert agent_state(sim, iid).exit_code == 5
    ecs.create_cluster(clusterName="late")
    ec2.stop_instances(InstanceIds=[iid])
    sim.settle()
    ec2.start_instances(InstanceIds=[iid])
    sim.settle()
    assert [c["ec2InstanceId"] for c in instances(sim, "late")] == [iid]


def test_cluster_by_arn(sim):
    sim.client("ecs").create_cluster(clusterName="prod")
    launch(sim, "ECS_CLUSTER=arn:aws:ecs:us-east-1:123456789012:cluster/prod")
    sim.settle()
    assert len(instances(sim, "prod")) == 1


def test_plain_amazon_linux_never_registers(sim):
    iid = launch(sim, image=plain_ami(sim))
    sim.settle()
    sim.advance(600)
    assert sim.client("ecs").list_clusters()["clusterArns"] == []
    assert agent_log(sim, iid) == []
    assert agent_state(sim, iid) is None
    assert sim.client("ec2").describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0][
        "State"]["Name"] == "running"


def test_no_instance_profile_means_no_credentials(sim):
    sim.client("ecs").create_cluster(clusterName="prod")
    iid = launch(sim, "ECS_CLUSTER=prod", profile=None)
    sim.settle()
    assert instances(sim, "prod") == []
    assert any("NoCredentialProviders: no valid providers in chain" in line for line in agent_log(sim, iid))


def test_associating_a_profile_later_lets_the_agent_register(sim):
    sim.client("ecs").create_cluster(clusterName="prod")
    iid = launch(sim, "ECS_CLUSTER=prod", profile=None)
    sim.advance(BOOT + 5)
    assert instances(sim, "prod") == []
    sim.client("ec2").associate_iam_instance_profile(InstanceId=iid, IamInstanceProfile=PROFILE)
    sim.advance(120)
    assert [c["ec2InstanceId"] for c in instances(sim, "prod")] == [iid]


def test_role_without_register_permission_is_denied_then_retried_after_a_fix(sim):
    iam, ecs = sim.client("iam"), sim.client("ecs")
    ecs.create_cluster(clusterName="prod")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName="bare", AssumeRolePolicyDocument=trust)
    iam.create_instance_profile(InstanceProfileName="bare")
    iam.add_role_to_instance_profile(InstanceProfileName="bare", RoleName="bare")
    iid = launch(sim, "ECS_CLUSTER=prod", profile={"Name": "bare"})
    sim.advance(BOOT + 5)
    assert instances(sim, "prod") == []
    assert any("AccessDeniedException" in line and "ecs:RegisterContainerInstance" in line
               for line in agent_log(sim, iid))
    iam.attach_role_policy(RoleName="bare",
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")
    sim.advance(120)
    assert len(instances(sim, "prod")) == 1


def test_role_that_ec2_cannot_assume_gives_no_credentials(sim):
    iam, ecs = sim.client("iam"), sim.client("ecs")
    ecs.create_cluster(clusterName="prod")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                                                    "Action": "sts:AssumeRole"}]}
    iam.create_role(RoleName="wrongtrust", AssumeRolePolicyDocument=trust)
    iam.attach_role_policy(RoleName="wrongtrust",
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")
    iam.create_instance_profile(InstanceProfileName="wrongtrust")
    iam.add_role_to_instance_profile(InstanceProfileName="wrongtrust", RoleName="wrongtrust")
    iid = launch(sim, "ECS_CLUSTER=prod", profile={"Name": "wrongtrust"})
    sim.advance(BOOT + 5)
    assert instances(sim, "prod") == []
    assert any("NoCredentialProviders" in line for line in agent_log(sim, iid))
    trust["Statement"][0]["Principal"]["Service"] = "ec2.amazonaws.com"
    import json

    iam.update_assume_role_policy(RoleName="wrongtrust", PolicyDocument=json.dumps(trust))
    sim.advance(120)
    assert len(instances(sim, "prod")) == 1


def test_region_mismatch_means_cluster_not_found(sim):
    sim.client("ecs").create_cluster(clusterName="prod")
    iid = launch(sim, "ECS_CLUSTER=prod", "AWS_DEFAULT_REGION=eu-west-1")
    sim.settle()
    assert instances(sim, "prod") == []
    assert agent_state(sim, iid).exit_code == 5


# --- registered resources (§5.1) -------------------------------------------------------------


@pytest.mark.parametrize(("itype", "cpu", "memory"), [
    ("t3.small", 2048, 1991),  # the 2 GiB instance of agent issue 2146
    ("m5.large", 2048, 7985),  # the m4.large figure of the memory-management page (8 GiB)
    ("m5.xlarge", 4096, 15977),
    ("c5.2xlarge", 8192, 15977),
    ("r5.large", 2048, 15977),
    ("m6g.medium", 1024, 3989),
])
def test_registered_cpu_and_memory(itype, cpu, memory):
    sim = Simulator(seed=1)
    image = ami(sim, "amazon-linux-2023/arm64/recommended/image_id") if itype.startswith("m6g") else None
    launch(sim, itype=itype, image=image)
    sim.settle()
    [ci] = instances(sim, "default")
    reg = resources(ci)
    assert reg["CPU"] == cpu
    assert reg["MEMORY"] == memory
    assert resources(ci, "remainingResources") == reg
    assert attrs(ci)["ecs.instance-type"] == itype
    assert attrs(ci)["ecs.cpu-architecture"] == ("arm64" if itype.startswith("m6g") else "x86_64")


def test_memory_is_below_the_advertised_size_for_every_type():
    from ecslearn.sim.instance_types import INSTANCE_TYPES

    for t in INSTANCE_TYPES.values():
        assert 0.95 * t.memory_mib < t.kernel_memory_mib() < t.memory_mib


def test_reserved_memory(sim):
    launch(sim, "ECS_RESERVED_MEMORY=256", itype="m5.large")
    sim.settle()
    [ci] = instances(sim, "default")
    assert resources(ci)["MEMORY"] == 7985 - 256


def test_reserved_memory_above_the_total_fails_registration(sim):
    iid = launch(sim, "ECS_RESERVED_MEMORY=5000", itype="t3.micro")
    sim.settle()
    assert sim.client("ecs").list_clusters()["clusterArns"] == [] or instances(sim, "default") == []
    assert any("reserved memory is higher than available memory" in line for line in agent_log(sim, iid))


def test_reserved_ports(sim):
    launch(sim, "ECS_RESERVED_PORTS=[22, 80, 443]", "ECS_RESERVED_PORTS_UDP=[53, 161]")
    sim.settle()
    [ci] = instances(sim, "default")
    assert resources(ci)["PORTS"] == ["22", "80", "443"]
    assert resources(ci)["PORTS_UDP"] == ["53", "161"]


def test_default_reserved_ports_and_dynamic_range(sim):
    launch(sim)
    launch(sim, "ECS_DYNAMIC_HOST_PORT_RANGE=40000-40100")
    sim.settle()
    cis = instances(sim, "default")
    assert resources(cis[0])["PORTS"] == ["22", "2375", "2376", "51678", "51679"]
    assert resources(cis[0])["PORTS_UDP"] == []
    backend = sim.backend("ecs")
    by_arn = {ci.arn: ci for ci in backend.clusters["default"].container_instances.values()}
    ranges = sorted(by_arn[c["containerInstanceArn"]].dynamic_port_range for c in cis)
    assert ranges == [(32768, 60999), (40000, 40100)]


# --- attributes (§3.4, §5.6) ----------------------------------------------------------------


def test_builtin_attributes(sim):
    ec2 = sim.client("ec2")
    iid = launch(sim, itype="c5.large", Placement={"AvailabilityZone": "us-east-1d"})
    sim.settle()
    [ci] = instances(sim, "default")
    inst = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    a = attrs(ci)
    assert a["ecs.ami-id"] == inst["ImageId"]
    assert a["ecs.availability-zone"] == "us-east-1d"
    assert a["ecs.instance-type"] == "c5.large"
    assert a["ecs.os-type"] == "linux" and a["ecs.os-family"] == "LINUX"
    assert a["ecs.cpu-architecture"] == "x86_64"
    assert a["ecs.vpc-id"] == inst["VpcId"] and a["ecs.subnet-id"] == inst["SubnetId"]


def test_ecs_optimized_capabilities(sim):
    launch(sim)
    sim.settle()
    a = attrs(instances(sim, "default")[0])
    cap = "com.amazonaws.ecs.capability."
    for driver in ("json-file", "syslog", "awslogs", "fluentd", "none"):
        assert cap + "logging-driver." + driver in a
    for name in (cap + "task-iam-role", cap + "task-iam-role-network-host", cap + "privileged-container",
                 cap + "ecr-auth", cap + "docker-remote-api.1.17", cap + "docker-remote-api.1.44",
                 "ecs.capability.task-eni", "ecs.capability.execution-role-ecr-pull",
                 "ecs.capability.execution-role-awslogs",
                 "ecs.capability.private-registry-authentication.secretsmanager",
                 "ecs.capability.secrets.ssm.environment-variables",
                 "ecs.capability.secrets.asm.environment-variables",
                 "ecs.capability.container-health-check", "ecs.capability.task-cpu-mem-limit"):
        assert name in a, name
    assert a[cap + "task-iam-role"] is None  # capabilities carry no value
    assert cap + "selinux" not in a and cap + "apparmor" not in a


@pytest.mark.parametrize(("line", "absent", "present"), [
    ('ECS_AVAILABLE_LOGGING_DRIVERS=["json-file"]', "com.amazonaws.ecs.capability.logging-driver.awslogs",
     "com.amazonaws.ecs.capability.logging-driver.json-file"),
    ("ECS_ENABLE_TASK_IAM_ROLE=false", "com.amazonaws.ecs.capability.task-iam-role", None),
    ("ECS_ENABLE_TASK_IAM_ROLE_NETWORK_HOST=false", "com.amazonaws.ecs.capability.task-iam-role-network-host", None),
    ("ECS_DISABLE_PRIVILEGED=true", "com.amazonaws.ecs.capability.privileged-container", None),
    ("ECS_SELINUX_CAPABLE=true", None, "com.amazonaws.ecs.capability.selinux"),
    ("ECS_APPARMOR_CAPABLE=true", None, "com.amazonaws.ecs.capability.apparmor"),
    ("ECS_ENABLE_TASK_ENI=false", "ecs.capability.task-eni", None),
    ("ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE=false", "ecs.capability.execution-role-awslogs", None),
    ("ECS_DISABLE_DOCKER_HEALTH_CHECK=true", "ecs.capability.container-health-check", None),
    ("ECS_ENABLE_TASK_CPU_MEM_LIMIT=false", "ecs.capability.task-cpu-mem-limit", None),
    ("ECS_AWSVPC_BLOCK_IMDS=true", None, "ecs.capability.task-eni-block-instance-metadata"),
])
def test_capabilities_follow_the_config(sim, line, absent, present):
    launch(sim, line)
    sim.settle()
    a = attrs(instances(sim, "default")[0])
    if absent:
        assert absent not in a
    if present:
        assert present in a


def test_amazon_linux_2_docker_api_versions(sim):
    launch(sim, image=ami(sim, "amazon-linux-2/recommended/image_id"))
    sim.settle()
    [ci] = instances(sim, "default")
    a = attrs(ci)
    assert "com.amazonaws.ecs.capability.docker-remote-api.1.41" in a
    assert "com.amazonaws.ecs.capability.docker-remote-api.1.44" not in a
    assert ci["versionInfo"]["dockerVersion"].startswith("DockerVersion: 20.10")


def test_instance_attributes_and_tags_from_config(sim):
    launch(sim, 'ECS_INSTANCE_ATTRIBUTES={"stack": "prod", "team": "blue"}',
           'ECS_CONTAINER_INSTANCE_TAGS={"owner": "me"}', "ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM=ec2_instance",
           TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "box"}]}])
    sim.settle()
    [ci] = instances(sim, "default")
    assert attrs(ci)["stack"] == "prod" and attrs(ci)["team"] == "blue"
    assert {t["key"]: t["value"] for t in ci["tags"]} == {"Name": "box", "owner": "me"}


def test_invalid_instance_attributes_stop_registration(sim):
    iid = launch(sim, 'ECS_INSTANCE_ATTRIBUTES={"bad name!": "x"}')
    sim.settle()
    assert agent_state(sim, iid).exit_code == 5
    eleven = "{" + ", ".join(f'"a{i}": "v"' for i in range(11)) + "}"
    iid2 = launch(sim, f"ECS_INSTANCE_ATTRIBUTES={eleven}")
    sim.settle()
    assert agent_state(sim, iid2).exit_code == 5
    assert any("up to 10 custom attributes" in line for line in agent_log(sim, iid2))


def test_configuration_error_means_the_agent_never_starts(sim):
    iid = launch(sim, "ECS_INSTANCE_ATTRIBUTES=stack=prod")
    sim.settle()
    assert sim.client("ecs").list_clusters()["clusterArns"] == []
    assert any(line.startswith("level=critical") and "Error loading config" in line and "ECS_INSTANCE_ATTRIBUTES"
               in line for line in agent_log(sim, iid))
    assert agent_state(sim, iid).exit_code == 1


def test_bad_config_values_are_logged_as_warnings(sim):
    iid = launch(sim, "ECS_RESERVED_MEMORY=lots", "ECS_CLUSTR=prod")
    sim.settle()
    log = agent_log(sim, iid)
    assert any(line.startswith("level=warn") and "ECS_RESERVED_MEMORY" in line for line in log)
    assert any(line.startswith("level=warn") and "ECS_CLUSTR" in line and "ignored" in line for line in log)
    assert resources(instances(sim, "default")[0])["MEMORY"] == 3989  # t3.medium, default 0 reserved


# --- stop / start / terminate (§5.1) ---------------------------------------------------------


def _run_one(sim: Simulator, cluster: str = "default") -> str:
    ecs = sim.client("ecs")
    ecs.register_task_definition(family="web", containerDefinitions=[
        {"name": "web", "image": "nginx", "memory": 128, "essential": True}])
    out = ecs.run_task(cluster=cluster, taskDefinition="web")
    assert out["failures"] == [], out
    sim.settle()
    return out["tasks"][0]["taskArn"]


def test_stopping_the_instance_disconnects_the_agent_and_stops_tasks(sim):
    ec2, ecs = sim.client("ec2"), sim.client("ecs")
    iid = launch(sim)
    sim.settle()
    task = _run_one(sim)
    ec2.stop_instances(InstanceIds=[iid])
    sim.settle()
    [ci] = instances(sim, "default")
    assert ci["status"] == "ACTIVE" and ci["agentConnected"] is False
    t = ecs.describe_tasks(cluster="default", tasks=[task])["tasks"][0]
    assert t["lastStatus"] == "STOPPED"
    assert t["stoppedReason"] == f"Host EC2 (instance {iid}) stopped."
    ec2.start_instances(InstanceIds=[iid])
    sim.settle()
    [ci2] = instances(sim, "default")
    assert ci2["containerInstanceArn"] == ci["containerInstanceArn"] and ci2["agentConnected"] is True
    assert any("Restored cluster 'default'" in line for line in agent_log(sim, iid))


def test_terminating_deregisters_and_stops_tasks(sim):
    ec2, ecs = sim.client("ec2"), sim.client("ecs")
    iid = launch(sim)
    sim.settle()
    [ci] = instances(sim, "default")
    task = _run_one(sim)
    ec2.terminate_instances(InstanceIds=[iid])
    sim.settle()
    assert ecs.list_container_instances(cluster="default")["containerInstanceArns"] == []
    gone = ecs.describe_container_instances(cluster="default",
                                            containerInstances=[ci["containerInstanceArn"]])
    assert gone["containerInstances"][0]["status"] == "INACTIVE"
    assert gone["containerInstances"][0]["agentConnected"] is False
    t = ecs.describe_tasks(cluster="default", tasks=[task])["tasks"][0]
    assert t["lastStatus"] == "STOPPED" and t["stoppedReason"] == f"Host EC2 (instance {iid}) terminated."
    sim.advance(3700)
    later = ecs.describe_container_instances(cluster="default", containerInstances=[ci["containerInstanceArn"]])
    assert later["containerInstances"] == [] and later["failures"][0]["reason"] == "MISSING"


def test_terminating_a_stopped_instance_does_not_deregister_it(sim):
    ec2, ecs = sim.client("ec2"), sim.client("ecs")
    iid = launch(sim)
    sim.settle()
    [ci] = instances(sim, "default")
    ec2.stop_instances(InstanceIds=[iid])
    sim.settle()
    ec2.terminate_instances(InstanceIds=[iid])
    sim.settle()
    [still] = instances(sim, "default")
    assert still["containerInstanceArn"] == ci["containerInstanceArn"]
    assert still["status"] == "ACTIVE" and still["agentConnected"] is False
    with pytest.raises(Exception, match="ClusterContainsContainerInstances"):
        ecs.delete_cluster(cluster="default")
    ecs.deregister_container_instance(cluster="default", containerInstance=ci["containerInstanceArn"])
    ecs.delete_cluster(cluster="default")


def test_stopping_before_registration_cancels_it(sim):
    ec2 = sim.client("ec2")
    iid = launch(sim)
    sim.advance(PENDING_SECONDS + 5)
    ec2.stop_instances(InstanceIds=[iid])
    sim.settle()
    assert sim.client("ecs").list_clusters()["clusterArns"] == []
    ec2.start_instances(InstanceIds=[iid])
    sim.settle()
    assert len(instances(sim, "default")) == 1


def test_same_seed_same_registration():
    def run(seed):
        sim = Simulator(seed=seed)
        launch(sim, itype="m5.large")
        sim.settle()
        return instances(sim, "default")[0]["containerInstanceArn"]

    assert run(4) == run(4)


def test_user_data_through_boto3_reaches_the_agent(sim):
    """boto3 base64-encodes UserData for RunInstances; the agent must still read ecs.config."""
    from ecslearn.sim import boto3_session

    session = boto3_session(sim)
    ec2 = session.client("ec2", region_name="us-east-1")
    sim.client("ecs").create_cluster(clusterName="prod")
    ec2.run_instances(ImageId=ami(sim), InstanceType="t3.medium", MinCount=1, MaxCount=1,
                      IamInstanceProfile={"Name": "ecsInstanceRole"},
                      UserData="#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n")
    sim.settle()
    assert len(instances(sim, "prod")) == 1


def test_log_level_filters_the_agent_log(sim):
    quiet = launch(sim, "ECS_LOGLEVEL=error", "ECS_CLUSTER=missing")
    chatty = launch(sim, "ECS_LOGLEVEL=debug", 'ECS_INSTANCE_ATTRIBUTES={"stack": "prod"}')
    sim.settle()
    assert agent_log(sim, quiet) and all(line.startswith(("level=error", "level=critical"))
                                         for line in agent_log(sim, quiet))
    assert any(line.startswith("level=debug") and "Setting instance attribute stack: prod" in line
               for line in agent_log(sim, chatty))


def test_missing_logging_driver_capability_is_an_attribute_failure(sim):
    """§5.7: awslogs task, instance without logging-driver.awslogs → RunTask failure ATTRIBUTE."""
    ecs = sim.client("ecs")
    ecs.create_cluster(clusterName="prod")
    launch(sim, "ECS_CLUSTER=prod", 'ECS_AVAILABLE_LOGGING_DRIVERS=["json-file","none"]')
    sim.settle()
    [ci] = instances(sim, "prod")
    ecs.register_task_definition(family="logs", containerDefinitions=[{
        "name": "app", "image": "nginx", "memory": 128, "essential": True,
        "logConfiguration": {"logDriver": "awslogs", "options": {
            "awslogs-group": "/ecs/app", "awslogs-region": "us-east-1", "awslogs-stream-prefix": "app"}}}])
    out = ecs.run_task(cluster="prod", taskDefinition="logs")
    assert out["tasks"] == []
    assert out["failures"][0]["reason"] == "ATTRIBUTE"
    assert out["failures"][0]["arn"] == ci["containerInstanceArn"]


def test_task_role_without_task_iam_role_capability_is_an_attribute_failure(sim):
    """§5.7: taskRoleArn with ECS_ENABLE_TASK_IAM_ROLE=false → ATTRIBUTE, not a run-time error."""
    ecs = sim.client("ecs")
    ecs.create_cluster(clusterName="prod")
    launch(sim, "ECS_CLUSTER=prod", "ECS_ENABLE_TASK_IAM_ROLE=false")
    sim.settle()
    ecs.register_task_definition(
        family="withrole", taskRoleArn="arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        containerDefinitions=[{"name": "app", "image": "nginx", "memory": 128, "essential": True}])
    out = ecs.run_task(cluster="prod", taskDefinition="withrole")
    assert out["tasks"] == [] and out["failures"][0]["reason"] == "ATTRIBUTE"
