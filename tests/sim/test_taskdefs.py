"""Task definitions: registration, revisions, status, describe/list/deregister/delete (ecs-reference §2)."""

from __future__ import annotations

import pytest

from ecslearn.errors import ParamValidationError
from ecslearn.sim import ClientError

ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/{}"


def web(**extra):
    return {"name": "web", "image": "nginx:1.25", "memory": 256, **extra}


def register(ecs, family="web", containers=None, **kw):
    return ecs.register_task_definition(family=family, containerDefinitions=containers or [web()], **kw)[
        "taskDefinition"]


def error_of(call, **kw):
    with pytest.raises(ClientError) as info:
        call(**kw)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


@pytest.fixture
def ecs(sim):
    return sim.client("ecs")


# --- response shape --------------------------------------------------------------------------------


def test_ec2_definition_response_has_aws_defaults(ecs, sim):
    td = register(ecs, containers=[web(portMappings=[{"containerPort": 80}])])
    assert td["taskDefinitionArn"] == ARN.format("web:1")
    assert td["family"] == "web" and td["revision"] == 1 and td["status"] == "ACTIVE"
    assert td["compatibilities"] == ["EC2"]
    assert "requiresCompatibilities" not in td and "networkMode" not in td
    assert "cpu" not in td and "memory" not in td
    assert td["volumes"] == [] and td["placementConstraints"] == [] and td["requiresAttributes"] == []
    assert td["registeredAt"] == sim.now and td["registeredAt"].tzinfo is not None
    assert td["registeredBy"] == "arn:aws:iam::123456789012:root"
    c = td["containerDefinitions"][0]
    assert c["cpu"] == 0 and c["essential"] is True
    assert c["environment"] == [] and c["mountPoints"] == [] and c["volumesFrom"] == []
    assert c["systemControls"] == []
    assert c["portMappings"] == [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}]


def test_fargate_tutorial_definition_matches_the_real_output(ecs):
    td = register(ecs, "sample-fargate", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                  cpu="256", memory="512",
                  containers=[{"name": "fargate-app", "image": "httpd:2.4",
                               "portMappings": [{"containerPort": 80, "hostPort": 80, "protocol": "tcp"}],
                               "essential": True, "entryPoint": ["sh", "-c"], "command": ["echo hi"]}])
    assert td["compatibilities"] == ["EC2", "FARGATE"]
    assert td["requiresCompatibilities"] == ["FARGATE"]
    assert td["networkMode"] == "awsvpc" and td["cpu"] == "256" and td["memory"] == "512"
    assert [a["name"] for a in td["requiresAttributes"]] == [
        "com.amazonaws.ecs.capability.docker-remote-api.1.18", "ecs.capability.task-eni"]
    c = td["containerDefinitions"][0]
    assert c["entryPoint"] == ["sh", "-c"] and c["command"] == ["echo hi"]


@pytest.mark.parametrize(("given", "units"), [("1024", 1024), ("1 vCPU", 1024), ("1 vcpu", 1024),
                                                ("2vCPU", 2048), ("0.25 vCPU", 256), (".5 vcpu", 512)])
def test_task_cpu_forms_are_stored_as_units(ecs, given, units):
    assert register(ecs, cpu=given)["cpu"] == str(units)


@pytest.mark.parametrize(("given", "mib"), [("512", 512), ("2GB", 2048), ("2 GB", 2048), ("0.5GB", 512),
                                             ("1gb", 1024)])
def test_task_memory_forms_are_stored_as_mib(ecs, given, mib):
    assert register(ecs, memory=given, containers=[{"name": "a", "image": "x"}])["memory"] == str(mib)


@pytest.mark.parametrize("bad", ["", "abc", "1 cpu", " 1024", "1024 ", "0.1 vCPU", "100", "200000", "-5", "١٠٢٤",
                                 "9" * 5000])
def test_invalid_task_cpu(ecs, bad):
    assert error_of(ecs.register_task_definition, family="f", cpu=bad, containerDefinitions=[web()]) == (
        "InvalidParameterException", "Invalid 'cpu' setting for task.")


@pytest.mark.parametrize("bad", ["", "lots", "1TB", "1.5", "0.0001GB", "2"])
def test_invalid_task_memory(ecs, bad):
    assert error_of(ecs.register_task_definition, family="f", memory=bad, containerDefinitions=[web()]) == (
        "InvalidParameterException", "Invalid 'memory' setting for task.")


# --- revisions and status --------------------------------------------------------------------------


def test_revisions_are_never_reused_even_after_delete(ecs, sim):
    assert [register(ecs)["revision"] for _ in range(3)] == [1, 2, 3]
    for rev in (1, 2, 3):
        ecs.deregister_task_definition(taskDefinition=f"web:{rev}")
    out = ecs.delete_task_definitions(taskDefinitions=["web:1", "web:2", ARN.format("web:3")])
    assert [t["status"] for t in out["taskDefinitions"]] == ["DELETE_IN_PROGRESS"] * 3
    assert out["failures"] == []
    assert register(ecs)["revision"] == 4
    sim.advance(3600)
    # purged: gone from describe, but the numbers stay used
    assert error_of(ecs.describe_task_definition, taskDefinition="web:1") == (
        "ClientException", "Unable to describe task definition.")
    assert register(ecs)["revision"] == 5
    assert ecs.list_task_definitions(familyPrefix="web")["taskDefinitionArns"] == [
        ARN.format("web:4"), ARN.format("web:5")]


def test_families_have_their_own_revision_counters(ecs):
    assert register(ecs, "a")["revision"] == 1
    assert register(ecs, "b")["revision"] == 1
    assert register(ecs, "a")["revision"] == 2


def test_describe_by_family_gives_latest_active_revision(ecs, sim):
    register(ecs)
    register(ecs)
    assert ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]["revision"] == 2
    ecs.deregister_task_definition(taskDefinition="web:2")
    assert ecs.describe_task_definition(taskDefinition="web")["taskDefinition"]["revision"] == 1
    inactive = ecs.describe_task_definition(taskDefinition="web:2")["taskDefinition"]
    assert inactive["status"] == "INACTIVE" and inactive["deregisteredAt"] == sim.now
    assert ecs.describe_task_definition(taskDefinition=ARN.format("web:1"))["taskDefinition"]["revision"] == 1


@pytest.mark.parametrize("ref", ["nope", "web:9", "nope:1", ARN.format("web:9"),
                                 "arn:aws:ecs:eu-west-1:123456789012:task-definition/web:1"])
def test_describe_unknown(ecs, ref):
    register(ecs)
    assert error_of(ecs.describe_task_definition, taskDefinition=ref) == (
        "ClientException", "Unable to describe task definition.")


@pytest.mark.parametrize("rev", ["latest", "²", "-1", "1:2", "9" * 5000])
def test_describe_bad_revision_number(ecs, rev):
    register(ecs)
    assert error_of(ecs.describe_task_definition, taskDefinition=f"web:{rev}") == (
        "ClientException", f"Invalid revision number. Number: {rev}")


def test_describe_tags_only_with_include(ecs):
    register(ecs, tags=[{"key": "team", "value": "a"}])
    assert "tags" not in ecs.describe_task_definition(taskDefinition="web")
    out = ecs.describe_task_definition(taskDefinition="web", include=["TAGS"])
    assert out["tags"] == [{"key": "team", "value": "a"}]
    code, _ = error_of(ecs.describe_task_definition, taskDefinition="web", include=["NOPE"])
    assert code == "ClientException"


def test_tags_work_through_the_tag_operations(ecs):
    td = register(ecs)
    ecs.tag_resource(resourceArn=td["taskDefinitionArn"], tags=[{"key": "k", "value": "v"}])
    assert ecs.list_tags_for_resource(resourceArn=td["taskDefinitionArn"])["tags"] == [{"key": "k", "value": "v"}]


def test_deregister_needs_a_revision_and_an_existing_definition(ecs):
    register(ecs)
    code, msg = error_of(ecs.deregister_task_definition, taskDefinition="web")
    assert code == "ClientException" and "revision" in msg
    assert error_of(ecs.deregister_task_definition, taskDefinition="web:7") == (
        "ClientException", "The specified task definition does not exist.")
    first = ecs.deregister_task_definition(taskDefinition="web:1")["taskDefinition"]
    again = ecs.deregister_task_definition(taskDefinition="web:1")["taskDefinition"]
    assert first["status"] == again["status"] == "INACTIVE"
    assert first["deregisteredAt"] == again["deregisteredAt"]


def test_delete_only_inactive_revisions(ecs):
    register(ecs)
    register(ecs)
    ecs.deregister_task_definition(taskDefinition="web:2")
    out = ecs.delete_task_definitions(taskDefinitions=["web:1", "web:2", "web:5", "web"])
    assert [t["taskDefinitionArn"] for t in out["taskDefinitions"]] == [ARN.format("web:2")]
    assert out["taskDefinitions"][0]["status"] == "DELETE_IN_PROGRESS"
    assert "deleteRequestedAt" in out["taskDefinitions"][0]
    reasons = {f["arn"]: f["reason"] for f in out["failures"]}
    assert "ACTIVE" in reasons[ARN.format("web:1")]
    assert reasons["web:5"] == "The specified task definition does not exist."
    assert "revision" in reasons["web"]
    # still describable while deletion is in progress
    assert ecs.describe_task_definition(taskDefinition="web:2")["taskDefinition"]["status"] == "DELETE_IN_PROGRESS"
    assert ecs.list_task_definitions(status="DELETE_IN_PROGRESS")["taskDefinitionArns"] == [ARN.format("web:2")]


def test_delete_limits(ecs):
    assert error_of(ecs.delete_task_definitions, taskDefinitions=[f"x:{i}" for i in range(1, 12)])[0] == (
        "InvalidParameterException")
    with pytest.raises(ParamValidationError):
        ecs.delete_task_definitions(taskDefinitions=[5])


# --- internal API -------------------------------------------------------------------------------------


def test_resolve_for_use_and_for_describe(sim, ecs):
    backend = sim.backend("ecs")
    register(ecs)
    register(ecs)
    ecs.deregister_task_definition(taskDefinition="web:2")
    assert backend._resolve_task_definition("web").revision == 1
    assert backend._resolve_task_definition(ARN.format("web:1")).revision == 1
    assert backend._resolve_task_definition("web:2", for_use=False).status == "INACTIVE"
    with pytest.raises(ClientError) as info:
        backend._resolve_task_definition("web:2")
    assert info.value.response["Error"] == {"Code": "InvalidParameterException",
                                            "Message": "TaskDefinition is inactive"}
    with pytest.raises(ClientError) as info:
        backend._resolve_task_definition("other")
    assert info.value.response["Error"] == {"Code": "InvalidParameterException",
                                            "Message": "TaskDefinition not found."}
    with pytest.raises(ClientError) as info:
        backend._resolve_task_definition("other", for_use=False)
    assert info.value.response["Error"]["Code"] == "ClientException"


def test_records_carry_what_placement_needs(sim, ecs):
    register(ecs, "t", cpu="512", memory="1GB", networkMode="awsvpc",
             runtimePlatform={"cpuArchitecture": "ARM64", "operatingSystemFamily": "LINUX"},
             containers=[web(memoryReservation=128, memory=512, portMappings=[{"containerPort": 8080}])])
    td = sim.backend("ecs")._resolve_task_definition("t")
    assert (td.cpu, td.memory, td.network_mode) == (512, 1024, "awsvpc")
    assert td.cpu_architecture == "ARM64" and td.operating_system_family == "LINUX"
    assert td.placement_cpu() == 512 and td.placement_memory() == 1024
    c = td.containers[0]
    assert c.memory_reservation == 128 and c.placement_memory() == 128
    assert (c.port_mappings[0].container_port, c.port_mappings[0].host_port) == (8080, 8080)
    register(ecs, "b", containers=[web(portMappings=[{"containerPort": 80}, {"containerPort": 81, "hostPort": 8081}])])
    bridge = sim.backend("ecs")._resolve_task_definition("b")
    assert bridge.network_mode == "bridge"
    assert [p.host_port for p in bridge.containers[0].port_mappings] == [None, 8081]


# --- listing -----------------------------------------------------------------------------------------


def test_list_sorting_filters_and_paging(ecs):
    for family in ("b", "a", "c", "a", "b"):
        register(ecs, family)
    ecs.deregister_task_definition(taskDefinition="b:1")
    asc = ecs.list_task_definitions()["taskDefinitionArns"]
    assert asc == [ARN.format(x) for x in ("a:1", "a:2", "b:2", "c:1")]
    assert ecs.list_task_definitions(sort="DESC")["taskDefinitionArns"] == asc[::-1]
    assert ecs.list_task_definitions(status="INACTIVE")["taskDefinitionArns"] == [ARN.format("b:1")]
    assert ecs.list_task_definitions(familyPrefix="a")["taskDefinitionArns"] == asc[:2]
    first = ecs.list_task_definitions(maxResults=3)
    assert first["taskDefinitionArns"] == asc[:3]
    second = ecs.list_task_definitions(maxResults=3, nextToken=first["nextToken"])
    assert second["taskDefinitionArns"] == asc[3:] and "nextToken" not in second
    assert error_of(ecs.list_task_definitions, status="GONE")[0] == "ClientException"
    assert error_of(ecs.list_task_definitions, sort="UP")[0] == "ClientException"
    assert error_of(ecs.list_task_definitions, maxResults=0)[0] == "InvalidParameterException"


def test_list_families(ecs):
    for family in ("web", "worker", "api"):
        register(ecs, family)
    ecs.deregister_task_definition(taskDefinition="worker:1")
    assert ecs.list_task_definition_families()["families"] == ["api", "web", "worker"]
    assert ecs.list_task_definition_families(status="ALL")["families"] == ["api", "web", "worker"]
    assert ecs.list_task_definition_families(status="ACTIVE")["families"] == ["api", "web"]
    assert ecs.list_task_definition_families(status="INACTIVE")["families"] == ["worker"]
    assert ecs.list_task_definition_families(familyPrefix="w")["families"] == ["web", "worker"]
    page = ecs.list_task_definition_families(maxResults=2)
    assert page["families"] == ["api", "web"]
    assert ecs.list_task_definition_families(maxResults=2, nextToken=page["nextToken"])["families"] == ["worker"]
    assert error_of(ecs.list_task_definition_families, status="DELETE_IN_PROGRESS")[0] == "ClientException"
