"""Every RegisterTaskDefinition rule of ecs-reference §2 with its code and message (§8)."""

from __future__ import annotations

import pytest

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim import ClientError, Simulator

sim = Simulator(seed=2)
ecs = sim.client("ecs")


def reg(containers=None, family="v", **kw):
    return ecs.register_task_definition(family=family, containerDefinitions=containers, **kw)["taskDefinition"]


def c(**kw):
    base = {"name": "app", "image": "nginx", "memory": 128}
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


def err(containers=None, **kw):
    with pytest.raises(ClientError) as info:
        reg(containers, **kw)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def perr(containers=None, **kw):
    """The botocore-style report of a ParamValidationError."""
    with pytest.raises(ParamValidationError) as info:
        reg(containers, **kw)
    return info.value.report


def client_err(message):
    return ("ClientException", message)


# --- family and containers --------------------------------------------------------------------------


def test_family_rules():
    assert err([c()], family="") == client_err("Family can not be blank.")
    assert err([c()], family="my family") == client_err("Family contains invalid characters.")
    assert err([c()], family="a.b") == client_err("Family contains invalid characters.")
    assert err([c()], family="x" * 256)[0] == "ClientException"
    assert reg([c()], family="A_b-9" + "x" * 250)["revision"] == 1


def test_container_list_rules():
    assert err([]) == client_err("Container list cannot be empty.")
    assert err([c(name=f"c{i}") for i in range(11)])[0] == "ClientException"
    assert len(reg([c(name=f"c{i}") for i in range(10)])["containerDefinitions"]) == 10
    assert err([c(), c()]) == client_err("Duplicate container names are not allowed.")


def test_container_name_rules():
    assert err([c(name=None)]) == client_err("Container.name should not be null or empty.")
    assert err([c(name="")]) == client_err("Container.name should not be null or empty.")
    assert err([c(name="my app")]) == client_err("Container.name contains invalid characters.")
    assert err([c(name="x" * 256)]) == client_err("Container.name contains invalid characters.")


def test_image_rules():
    assert err([c(image=None)]) == client_err("Container.image should not be null or empty.")
    assert err([c(image="")]) == client_err("Container.image should not be null or empty.")
    assert err([c(image="bad image")]) == client_err("Container.image contains invalid characters.")
    assert err([c(image="x" * 256)]) == client_err("Container.image contains invalid characters.")
    assert err([c(image="nginx@sha256:abc")]) == client_err("Container.image contains invalid characters.")
    assert err([c(image="nginx@md5:" + "a" * 64)]) == client_err("Container.image contains invalid characters.")
    digest = "nginx@sha256:" + "0123456789abcdef" * 4
    assert reg([c(image=digest)])["containerDefinitions"][0]["image"] == digest
    ecr = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app:v1.2#x"
    assert reg([c(image=ecr)])["containerDefinitions"][0]["image"] == ecr


def test_essential_defaults_true_and_one_is_needed():
    td = reg([c(), c(name="side", essential=False)])
    assert [x["essential"] for x in td["containerDefinitions"]] == [True, False]
    assert err([c(essential=False)]) == client_err("A task definition must have at least one essential container.")


# --- memory and cpu (§2.3) -----------------------------------------------------------------------------


def test_ec2_needs_memory_somewhere():
    msg = ("Invalid setting for container 'app'. At least one of 'memory' or 'memoryReservation' "
           "must be specified.")
    assert err([c(memory=None)]) == client_err(msg)
    assert err([c(memory=None)], requiresCompatibilities=["EC2"]) == client_err(msg)
    assert reg([c(memory=None, memoryReservation=64)])["containerDefinitions"][0]["memoryReservation"] == 64
    assert "memory" not in reg([c(memory=None)], memory="512")["containerDefinitions"][0]
    # only one container without memory is enough to fail
    assert err([c(), c(name="b", memory=None)])[1].startswith("Invalid setting for container 'b'.")


def test_memory_must_exceed_reservation():
    assert err([c(memory=256, memoryReservation=256)]) == client_err(
        "Invalid setting for container 'app'. 'memory' must be greater than 'memoryReservation'.")
    assert err([c(memory=128, memoryReservation=256)])[0] == "ClientException"
    assert reg([c(memory=257, memoryReservation=256)])["containerDefinitions"][0]["memory"] == 257


@pytest.mark.parametrize("setting", ["memory", "memoryReservation"])
def test_at_least_six_mib_per_container(setting):
    other = {"memory": None} if setting == "memoryReservation" else {}
    assert err([c(**{setting: 5}, **other)]) == client_err(
        f"Invalid '{setting}' setting for container 'app'. The minimum is 6 MiB per container.")
    assert reg([c(**{setting: 6}, **other)])["containerDefinitions"][0][setting] == 6


def test_container_totals_fit_inside_task_values():
    assert err([c(cpu=600), c(name="b", cpu=600)], cpu="1024") == client_err(
        "Invalid 'cpu' setting for task. The containers' cpu total (1200) is greater than the task cpu (1024).")
    assert reg([c(cpu=512), c(name="b", cpu=512)], cpu="1024")["cpu"] == "1024"
    assert err([c(memory=600), c(name="b", memory=600)], memory="1024") == client_err(
        "Invalid 'memory' setting for task. The memory reserved by the containers (1200 MiB) is greater than "
        "the task memory (1024 MiB).")
    # reservations count, not hard limits, when both are set
    assert reg([c(memory=900, memoryReservation=500), c(name="b", memory=900, memoryReservation=500)],
               memory="1024")["memory"] == "1024"
    assert err([c(memory=2048)], memory="1024") == client_err(
        "Invalid 'memory' setting for container 'app'. It is greater than the task memory (1024 MiB).")


def test_container_cpu_must_not_be_negative():
    assert err([c(cpu=-1)]) == client_err("Invalid 'cpu' setting for container 'app'.")
    assert reg([c(cpu=10)])["containerDefinitions"][0]["cpu"] == 10


# --- network modes and ports (§2.5) ----------------------------------------------------------------------


def pm(**kw):
    return [c(portMappings=[kw])]


def test_bridge_ports():
    td = reg([c(portMappings=[{"containerPort": 80}, {"containerPort": 53, "hostPort": 0, "protocol": "udp"},
                              {"containerPort": 443, "hostPort": 8443}])])
    assert td["containerDefinitions"][0]["portMappings"] == [
        {"containerPort": 80, "hostPort": 0, "protocol": "tcp"},
        {"containerPort": 53, "hostPort": 0, "protocol": "udp"},
        {"containerPort": 443, "hostPort": 8443, "protocol": "tcp"}]
    assert reg(pm(containerPort=80), networkMode="bridge")["networkMode"] == "bridge"


@pytest.mark.parametrize("mode", ["awsvpc", "host"])
def test_awsvpc_and_host_fill_host_port_and_require_it_to_match(mode):
    td = reg(pm(containerPort=8080), networkMode=mode)
    assert td["containerDefinitions"][0]["portMappings"] == [
        {"containerPort": 8080, "hostPort": 8080, "protocol": "tcp"}]
    assert reg(pm(containerPort=8080, hostPort=8080), networkMode=mode)["networkMode"] == mode
    assert err(pm(containerPort=8080, hostPort=80), networkMode=mode) == client_err(
        f"When networkMode={mode}, the host ports and container ports in port mappings must match.")


def test_awsvpc_message_is_the_one_aws_gives():
    assert err(pm(containerPort=80, hostPort=0), networkMode="awsvpc") == client_err(
        "When networkMode=awsvpc, the host ports and container ports in port mappings must match.")


def test_none_mode_allows_no_port_mappings():
    assert err(pm(containerPort=80), networkMode="none") == client_err(
        "Port mappings are not supported when networkMode=none.")
    assert reg([c()], networkMode="none")["networkMode"] == "none"


@pytest.mark.parametrize("port", [0, -1, 65536, None])
def test_container_port_range(port):
    mapping = {"containerPort": port} if port is not None else {"hostPort": 80}
    assert err([c(portMappings=[mapping])]) == client_err("Invalid 'containerPort' setting for container 'app'.")


@pytest.mark.parametrize("port", [1, 65535])
def test_container_port_bounds_accepted(port):
    assert reg(pm(containerPort=port))["containerDefinitions"][0]["portMappings"][0]["containerPort"] == port


def test_host_port_range_and_protocol_enum():
    assert err(pm(containerPort=80, hostPort=70000)) == client_err("Invalid 'hostPort' setting for container 'app'.")
    assert err(pm(containerPort=80, protocol="sctp")) == client_err(
        "1 validation error detected: Value 'sctp' at 'containerDefinitions.1.member.portMappings.1.member.protocol' "
        "failed to satisfy constraint: Member must satisfy enum value set: [tcp, udp]")


def test_container_port_ranges():
    td = reg(pm(containerPortRange="8000-8010"))
    assert td["containerDefinitions"][0]["portMappings"] == [{"containerPortRange": "8000-8010", "protocol": "tcp"}]
    for bad in ("8010-8000", "80", "0-10", "1-70000"):
        assert err(pm(containerPortRange=bad)) == client_err("Invalid 'containerPortRange' setting for container 'app'.")
    assert err(pm(containerPortRange="8000-8010"), networkMode="host")[1].startswith("Invalid 'containerPortRange'")


def test_network_mode_enum():
    assert err([c()], networkMode="nat") == client_err(
        "1 validation error detected: Value 'nat' at 'networkMode' failed to satisfy constraint: Member must "
        "satisfy enum value set: [bridge, host, awsvpc, none]")


def test_hostname_not_under_awsvpc():
    assert err([c(hostname="web")], networkMode="awsvpc") == client_err(
        "hostname is not supported on container when networkMode=awsvpc.")
    assert reg([c(hostname="web")])["containerDefinitions"][0]["hostname"] == "web"


def test_links_only_in_bridge_mode():
    assert err([c(links=["db"])], networkMode="host") == client_err("links are not supported when networkMode=host.")


# --- logs (§2.8) ------------------------------------------------------------------------------------------


def awslogs(**opts):
    return c(logConfiguration={"logDriver": "awslogs", "options": opts})


def test_awslogs_options():
    assert err([awslogs(**{"awslogs-region": "us-east-1"})]) == client_err(
        "Log driver awslogs option 'awslogs-group' should not be null or empty.")
    assert err([awslogs(**{"awslogs-group": "g"})]) == client_err(
        "Log driver awslogs option 'awslogs-region' should not be null or empty.")
    assert err([awslogs(**{"awslogs-group": "", "awslogs-region": "r"})])[1].startswith(
        "Log driver awslogs option 'awslogs-group'")
    assert err([awslogs(**{"awslogs-group": "g", "awslogs-region": "r", "awslogs-create-group": "false"})]) == (
        client_err("Log driver awslogs option 'awslogs-create-group' should only be set to 'true', else omit option."))
    assert err([awslogs(**{"awslogs-group": "g", "awslogs-region": "r", "awslogs-datetime-format": "%Y",
                           "awslogs-multiline-pattern": "^x"})])[0] == "ClientException"
    td = reg([awslogs(**{"awslogs-group": "g", "awslogs-region": "r", "awslogs-create-group": "true",
                         "mode": "non-blocking"})])
    assert td["containerDefinitions"][0]["logConfiguration"] == {
        "logDriver": "awslogs", "secretOptions": [],
        "options": {"awslogs-group": "g", "awslogs-region": "r", "awslogs-create-group": "true",
                    "mode": "non-blocking"}}


def test_log_driver_enum_and_mode():
    code, msg = err([c(logConfiguration={"logDriver": "loki"})])
    assert code == "ClientException" and "containerDefinitions.1.member.logConfiguration.logDriver" in msg
    assert err([c(logConfiguration={"logDriver": "json-file", "options": {"mode": "fast"}})]) == client_err(
        "Log driver json-file option 'mode' should be 'blocking' or 'non-blocking'.")


# --- health checks, timeouts, dependencies ---------------------------------------------------------


def test_health_check_defaults_and_ranges():
    td = reg([c(healthCheck={"command": ["CMD-SHELL", "curl -f localhost || exit 1"]})])
    assert td["containerDefinitions"][0]["healthCheck"] == {
        "command": ["CMD-SHELL", "curl -f localhost || exit 1"], "interval": 30, "timeout": 5, "retries": 3}
    assert reg([c(healthCheck={"command": ["CMD", "true"], "startPeriod": 0})])["containerDefinitions"][0][
        "healthCheck"]["startPeriod"] == 0
    for key, bad, low, high in (("interval", 4, 5, 300), ("interval", 301, 5, 300), ("timeout", 1, 2, 60),
                                ("timeout", 61, 2, 60), ("retries", 0, 1, 10), ("retries", 11, 1, 10),
                                ("startPeriod", -1, 0, 300), ("startPeriod", 301, 0, 300)):
        assert err([c(healthCheck={"command": ["CMD", "true"], key: bad})]) == client_err(
            f"Invalid 'healthCheck.{key}' setting for container 'app'. The value must be between {low} and {high}.")
    assert err([c(healthCheck={"command": []})])[1].startswith("Invalid 'healthCheck.command'")
    assert err([c(healthCheck={"command": ["curl", "x"]})])[1].startswith("Invalid 'healthCheck.command'")
    assert 'Missing required parameter in containerDefinitions[0].healthCheck: "command"' in perr([c(healthCheck={"interval": 10})])


def test_stop_timeout_on_ec2_has_no_maximum():
    assert reg([c(stopTimeout=600)])["containerDefinitions"][0]["stopTimeout"] == 600
    assert err([c(stopTimeout=-1)]) == client_err("Invalid 'stopTimeout' setting for container 'app'.")


def test_depends_on():
    hc = {"command": ["CMD", "true"]}
    td = reg([c(name="db", healthCheck=hc), c(dependsOn=[{"containerName": "db", "condition": "HEALTHY"}])])
    assert td["containerDefinitions"][1]["dependsOn"] == [{"containerName": "db", "condition": "HEALTHY"}]
    assert err([c(name="db"), c(dependsOn=[{"containerName": "db", "condition": "HEALTHY"}])])[1].startswith(
        "Invalid 'dependsOn' setting for container 'app'.")
    assert err([c(dependsOn=[{"containerName": "ghost", "condition": "START"}])])[1].startswith(
        "Invalid 'dependsOn' setting for container 'app'.")
    assert err([c(name="db"), c(dependsOn=[{"containerName": "db", "condition": "READY"}])])[0] == "ClientException"


# --- secrets, environment, credentials (shape) --------------------------------------------------------


def test_secrets_environment_and_credentials_shapes():
    td = reg([c(secrets=[{"name": "DB", "valueFrom": "arn:aws:ssm:us-east-1:123456789012:parameter/db"}],
                environment=[{"name": "A", "value": "1"}],
                repositoryCredentials={"credentialsParameter": "arn:aws:secretsmanager:us-east-1:123456789012:secret:x"})])
    cd = td["containerDefinitions"][0]
    assert cd["environment"] == [{"name": "A", "value": "1"}]
    assert cd["secrets"][0]["name"] == "DB"
    assert 'Missing required parameter in containerDefinitions[0].secrets[0]: "valueFrom"' in perr([c(secrets=[{"name": "DB"}])])
    assert 'Invalid type for parameter containerDefinitions[0].environment[0].value' in perr([c(environment=[{"name": "A", "value": 1}])])
    assert 'Missing required parameter in containerDefinitions[0].repositoryCredentials: "credentialsParameter"' in perr([c(repositoryCredentials={})])
    assert err([c(secrets=[{"name": "", "valueFrom": "x"}])])[0] == "ClientException"


def test_nested_shapes_are_checked_like_botocore():
    assert 'Unknown parameter in containerDefinitions[0]: "imagee"' in perr([c(imagee="x")])
    assert "Invalid type for parameter containerDefinitions[0].memory, value: '512'" in perr([c(memory="512")])
    assert 'containerDefinitions[0].essential' in perr([c(essential="yes")])
    assert 'containerDefinitions[1]' in perr([c(), "not a dict"])
    assert 'containerDefinitions[0].cpu' in perr([c(cpu=True)])


# --- volumes, placement constraints, tags, unmodelled features ------------------------------------------


def test_mount_points_need_a_defined_volume():
    assert err([c(mountPoints=[{"sourceVolume": "data", "containerPath": "/d"}])]) == client_err(
        "Invalid 'mountPoints' setting for container 'app'. The source volume 'data' is not defined in the "
        "task definition.")
    td = reg([c(mountPoints=[{"sourceVolume": "data", "containerPath": "/d"}])],
             volumes=[{"name": "data", "host": {"sourcePath": "/srv"}}])
    assert td["volumes"] == [{"name": "data", "host": {"sourcePath": "/srv"}}]
    assert err([c()], volumes=[{"name": "a"}, {"name": "a"}])[0] == "ClientException"
    assert err([c()], volumes=[{"host": {}}])[0] == "ClientException"


def test_placement_constraints_only_member_of():
    td = reg([c()], placementConstraints=[{"type": "memberOf", "expression": "attribute:ecs.instance-type =~ t3.*"}])
    assert td["placementConstraints"] == [{"type": "memberOf", "expression": "attribute:ecs.instance-type =~ t3.*"}]
    assert err([c()], placementConstraints=[{"type": "distinctInstance"}]) == client_err(
        "1 validation error detected: Value 'distinctInstance' at 'placementConstraints.1.member.type' failed to "
        "satisfy constraint: Member must satisfy enum value set: [memberOf]")
    assert err([c()], placementConstraints=[{"type": "memberOf"}])[0] == "ClientException"
    assert err([c()], placementConstraints=[{"type": "memberOf", "expression": "x == 1"}] * 11)[0] == "ClientException"


def test_member_of_expression_syntax_is_checked_when_the_query_language_exists():
    pytest.importorskip("ecslearn.sim.cql")
    code, msg = err([c()], placementConstraints=[{"type": "memberOf", "expression": "attribute:x equal y"}])
    assert code == "InvalidParameterException" and "position" in msg


def test_tags_are_validated():
    assert err([c()], tags=[{"key": "aws:x", "value": "1"}])[0] == "InvalidParameterException"
    assert ecs.register_task_definition(family="t", containerDefinitions=[c()],
                                        tags=[{"key": "k", "value": "v"}])["tags"] == [{"key": "k", "value": "v"}]


@pytest.mark.parametrize("kw", [
    {"proxyConfiguration": {"containerName": "app"}},
    {"inferenceAccelerators": [{"deviceName": "d", "deviceType": "eia2.medium"}]},
    {"volumes": [{"name": "efs", "efsVolumeConfiguration": {"fileSystemId": "fs-1"}}]},
])
def test_unmodelled_features_say_so(kw):
    with pytest.raises(NotModelledError, match="ecslearn does not model"):
        reg([c()], **kw)


def test_gpu_resource_requirements_are_not_modelled():
    with pytest.raises(NotModelledError):
        reg([c(resourceRequirements=[{"type": "GPU", "value": "1"}])])


def test_ephemeral_storage_range():
    td = reg([c()], ephemeralStorage={"sizeInGiB": 30})
    assert td["ephemeralStorage"] == {"sizeInGiB": 30}
    assert err([c()], ephemeralStorage={"sizeInGiB": 20})[0] == "ClientException"


def test_a_failed_registration_uses_no_revision():
    with pytest.raises(ClientError):
        reg([c(image="")], family="nothing-burned")
    assert reg([c()], family="nothing-burned")["revision"] == 1
