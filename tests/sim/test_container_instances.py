"""ECS container instance operations: describe, list (status, filter), draining, deregistration, attributes."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecslearn.errors import ParamValidationError
from ecslearn.sim import ClientError, Simulator


def boot(sim: Simulator, n: int = 1, cluster: str = "prod", itype: str = "t3.medium", **kw) -> list[str]:
    """Launch n registered instances in `cluster`; return their container instance ARNs (launch order)."""
    ecs = sim.client("ecs")
    ecs.create_cluster(clusterName=cluster)
    ami = sim.client("ssm").get_parameter(
        Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")["Parameter"]["Value"]
    before = set(ecs.list_container_instances(cluster=cluster)["containerInstanceArns"])
    ids = []
    for i in range(n):
        ids.append(sim.client("ec2").run_instances(
            ImageId=ami, InstanceType=itype, MinCount=1, MaxCount=1, IamInstanceProfile={"Name": "ecsInstanceRole"},
            Placement={"AvailabilityZone": "us-east-1" + "abc"[i % 3]},
            UserData=f"#!/bin/bash\necho ECS_CLUSTER={cluster} >> /etc/ecs/ecs.config\n", **kw,
        )["Instances"][0]["InstanceId"])
    sim.settle()
    arns = [a for a in ecs.list_container_instances(cluster=cluster)["containerInstanceArns"] if a not in before]
    by_ec2 = {d["ec2InstanceId"]: d["containerInstanceArn"] for d in
              ecs.describe_container_instances(cluster=cluster, containerInstances=arns)["containerInstances"]}
    return [by_ec2[i] for i in ids]


def describe(sim: Simulator, arn: str, cluster: str = "prod", **kw) -> dict:
    out = sim.client("ecs").describe_container_instances(cluster=cluster, containerInstances=[arn], **kw)
    return out["containerInstances"][0]


def err(info) -> tuple[str, str]:
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def run(sim: Simulator, cluster: str = "prod", count: int = 1, **kw) -> list[str]:
    ecs = sim.client("ecs")
    ecs.register_task_definition(family="web", containerDefinitions=[
        {"name": "web", "image": "nginx", "memory": 256, "cpu": 128, "essential": True,
         "portMappings": [{"containerPort": 80, "hostPort": 8080}]}])
    out = ecs.run_task(cluster=cluster, taskDefinition="web", count=count, **kw)
    assert out["failures"] == [], out["failures"]
    return [t["taskArn"] for t in out["tasks"]]


# --- describe / list --------------------------------------------------------------------------


def test_describe_shape(sim):
    [arn] = boot(sim)
    ci = describe(sim, arn, include=["TAGS", "CONTAINER_INSTANCE_HEALTH"])
    assert set(ci) >= {"containerInstanceArn", "ec2InstanceId", "version", "versionInfo", "remainingResources",
                       "registeredResources", "status", "agentConnected", "runningTasksCount",
                       "pendingTasksCount", "attributes", "registeredAt", "tags", "healthStatus"}
    cpu, mem, ports, udp = ci["registeredResources"]
    assert cpu == {"name": "CPU", "type": "INTEGER", "doubleValue": 0.0, "longValue": 0, "integerValue": 2048}
    assert mem["name"] == "MEMORY" and mem["type"] == "INTEGER" and mem["integerValue"] == 3989
    assert ports["name"] == "PORTS" and ports["type"] == "STRINGSET"
    assert ports["stringSetValue"] == ["22", "2375", "2376", "51678", "51679"]
    assert udp == {"name": "PORTS_UDP", "type": "STRINGSET", "doubleValue": 0.0, "longValue": 0,
                   "integerValue": 0, "stringSetValue": []}
    assert ci["versionInfo"]["agentVersion"] and ci["versionInfo"]["dockerVersion"].startswith("DockerVersion:")
    assert ci["healthStatus"]["overallStatus"] == "OK"
    assert "tags" not in describe(sim, arn)


def test_describe_by_id_and_missing(sim):
    [arn] = boot(sim)
    ci_id = arn.rsplit("/", 1)[1]
    ecs = sim.client("ecs")
    out = ecs.describe_container_instances(cluster="prod", containerInstances=[ci_id, "0" * 32])
    assert [c["containerInstanceArn"] for c in out["containerInstances"]] == [arn]
    assert out["failures"] == [{"arn": f"arn:aws:ecs:us-east-1:123456789012:container-instance/prod/{'0' * 32}",
                                "reason": "MISSING"}]
    with pytest.raises(ClientError) as info:
        ecs.describe_container_instances(cluster="nope", containerInstances=[ci_id])
    assert err(info) == ("ClusterNotFoundException", "Cluster not found.")
    with pytest.raises(ClientError) as info:
        ecs.describe_container_instances(cluster="prod", containerInstances=[arn], include=["NOPE"])
    assert err(info)[0] == "InvalidParameterException"


def test_resources_and_counts_follow_tasks(sim):
    [arn] = boot(sim)
    tasks = run(sim)
    ci = describe(sim, arn)
    assert ci["pendingTasksCount"] == 1 and ci["runningTasksCount"] == 1
    remaining = {r["name"]: r for r in ci["remainingResources"]}
    assert remaining["CPU"]["integerValue"] == 2048 - 128
    assert remaining["MEMORY"]["integerValue"] == 3989 - 256
    assert remaining["PORTS"]["stringSetValue"] == ["22", "2375", "2376", "51678", "51679", "8080"]
    sim.settle()
    ci = describe(sim, arn)
    assert ci["pendingTasksCount"] == 0 and ci["runningTasksCount"] == 1
    sim.client("ecs").stop_task(cluster="prod", task=tasks[0])
    sim.settle()
    ci = describe(sim, arn)
    assert ci["runningTasksCount"] == 0
    assert {r["name"]: r for r in ci["remainingResources"]}["MEMORY"]["integerValue"] == 3989


def test_list_status_and_paging(sim):
    arns = boot(sim, 3)
    ecs = sim.client("ecs")
    assert sorted(ecs.list_container_instances(cluster="prod")["containerInstanceArns"]) == sorted(arns)
    ecs.update_container_instances_state(cluster="prod", containerInstances=[arns[0]], status="DRAINING")
    assert ecs.list_container_instances(cluster="prod", status="DRAINING")["containerInstanceArns"] == [arns[0]]
    assert sorted(ecs.list_container_instances(cluster="prod", status="ACTIVE")["containerInstanceArns"]) == \
        sorted(arns[1:])
    page = ecs.list_container_instances(cluster="prod", maxResults=2)
    assert len(page["containerInstanceArns"]) == 2
    rest = ecs.list_container_instances(cluster="prod", maxResults=2, nextToken=page["nextToken"])
    assert len(rest["containerInstanceArns"]) == 1 and "nextToken" not in rest
    with pytest.raises(ClientError):
        ecs.list_container_instances(cluster="prod", status="SLEEPING")


def test_list_with_query_language_filter(sim):
    arns = boot(sim, 3)
    ecs = sim.client("ecs")
    ecs.put_attributes(cluster="prod", attributes=[{"name": "stack", "value": "blue", "targetId": arns[1]}])

    def listed(expr):
        return sorted(ecs.list_container_instances(cluster="prod", filter=expr)["containerInstanceArns"])

    assert listed("attribute:ecs.availability-zone == us-east-1a") == [arns[0]]
    assert listed("attribute:ecs.availability-zone in [us-east-1b, us-east-1c]") == sorted(arns[1:])
    assert listed("attribute:stack exists") == [arns[1]]
    assert listed("attribute:ecs.instance-type =~ t3.*") == sorted(arns)
    assert listed("not(attribute:stack == blue)") == sorted([arns[0], arns[2]])
    with pytest.raises(ClientError) as info:
        ecs.list_container_instances(cluster="prod", filter="attribute:x equal y")
    assert err(info)[0] == "InvalidParameterException"


# --- draining (§5.2) --------------------------------------------------------------------------


def test_draining_keeps_standalone_tasks_and_blocks_new_ones(sim):
    [arn] = boot(sim)
    ecs = sim.client("ecs")
    [task] = run(sim)
    sim.settle()
    version = sim.backend("ecs").clusters["prod"].version
    out = ecs.update_container_instances_state(cluster="prod", containerInstances=[arn], status="DRAINING")
    assert out["failures"] == [] and out["containerInstances"][0]["status"] == "DRAINING"
    assert sim.backend("ecs").clusters["prod"].version > version
    sim.settle()
    assert ecs.describe_tasks(cluster="prod", tasks=[task])["tasks"][0]["lastStatus"] == "RUNNING"
    placed = ecs.run_task(cluster="prod", taskDefinition="web")
    assert placed["tasks"] == []
    ecs.update_container_instances_state(cluster="prod", containerInstances=[arn], status="ACTIVE")
    assert describe(sim, arn)["status"] == "ACTIVE"


def test_update_state_rules(sim):
    arns = boot(sim)
    ecs = sim.client("ecs")
    with pytest.raises(ClientError) as info:
        ecs.update_container_instances_state(cluster="prod", containerInstances=arns, status="INACTIVE")
    assert err(info)[0] == "InvalidParameterException"
    with pytest.raises(ClientError):
        ecs.update_container_instances_state(cluster="prod", containerInstances=arns * 11, status="DRAINING")
    out = ecs.update_container_instances_state(cluster="prod", containerInstances=["f" * 32], status="DRAINING")
    assert out["failures"][0]["reason"] == "MISSING"
    ecs.deregister_container_instance(cluster="prod", containerInstance=arns[0])
    out = ecs.update_container_instances_state(cluster="prod", containerInstances=arns, status="DRAINING")
    assert out["containerInstances"] == [] and out["failures"][0]["arn"] == arns[0]


# --- deregistration (§5.1) --------------------------------------------------------------------


def test_deregister_refuses_with_running_tasks_unless_forced(sim):
    [arn] = boot(sim)
    ecs = sim.client("ecs")
    [task] = run(sim)
    sim.settle()
    with pytest.raises(ClientError) as info:
        ecs.deregister_container_instance(cluster="prod", containerInstance=arn)
    assert err(info) == ("InvalidParameterException", "Found running tasks on the instance.")
    out = ecs.deregister_container_instance(cluster="prod", containerInstance=arn, force=True)
    assert out["containerInstance"]["status"] == "INACTIVE"
    sim.settle()
    t = ecs.describe_tasks(cluster="prod", tasks=[task])["tasks"][0]
    assert t["lastStatus"] == "STOPPED"
    assert t["stoppedReason"] == "Container instance deregistration forced by user"
    assert ecs.list_container_instances(cluster="prod")["containerInstanceArns"] == []
    assert describe(sim, arn)["status"] == "INACTIVE"
    # the EC2 instance keeps running; its agent exits
    from ecslearn.sim.agent import agent_state

    ec2_id = describe(sim, arn)["ec2InstanceId"]
    assert agent_state(sim, ec2_id).exit_code == 5
    ecs.delete_cluster(cluster="prod")  # no instance left


def test_deregister_empty_instance_and_errors(sim):
    [arn] = boot(sim)
    ecs = sim.client("ecs")
    with pytest.raises(ClientError) as info:
        ecs.delete_cluster(cluster="prod")
    assert err(info)[0] == "ClusterContainsContainerInstancesException"
    ecs.deregister_container_instance(cluster="prod", containerInstance=arn.rsplit("/", 1)[1])
    with pytest.raises(ClientError):
        ecs.deregister_container_instance(cluster="prod", containerInstance=arn)
    with pytest.raises(ClientError) as info:
        ecs.deregister_container_instance(cluster="prod", containerInstance="nope")
    assert err(info)[0] == "InvalidParameterException"


# --- attributes (§3.4) ------------------------------------------------------------------------


def test_put_list_delete_attributes(sim):
    arns = boot(sim, 2)
    ecs = sim.client("ecs")
    version = sim.backend("ecs").clusters["prod"].version
    out = ecs.put_attributes(cluster="prod", attributes=[
        {"name": "stack", "value": "prod", "targetType": "container-instance", "targetId": arns[0]},
        {"name": "gpu-ready", "targetId": arns[1].rsplit("/", 1)[1]}])
    assert out["attributes"][0] == {"name": "stack", "value": "prod", "targetType": "container-instance",
                                    "targetId": arns[0]}
    assert sim.backend("ecs").clusters["prod"].version > version
    listed = ecs.list_attributes(cluster="prod", targetType="container-instance", attributeName="stack")
    assert listed["attributes"] == [{"name": "stack", "value": "prod", "targetType": "container-instance",
                                     "targetId": arns[0]}]
    by_value = ecs.list_attributes(cluster="prod", targetType="container-instance",
                                   attributeName="ecs.availability-zone", attributeValue="us-east-1b")
    assert [a["targetId"] for a in by_value["attributes"]] == [arns[1]]
    assert {"name": "gpu-ready"} in describe(sim, arns[1])["attributes"]
    ecs.delete_attributes(cluster="prod", attributes=[{"name": "stack", "targetId": arns[0]}])
    assert ecs.list_attributes(cluster="prod", targetType="container-instance",
                               attributeName="stack")["attributes"] == []
    with pytest.raises(ClientError):
        ecs.list_attributes(cluster="prod", targetType="container-instance", attributeValue="x")
    with pytest.raises(ClientError):
        ecs.list_attributes(cluster="prod", targetType="task")


@pytest.mark.parametrize(("name", "value"), [
    ("", "x"), ("has space", "x"), ("a" * 129, "x"), ("bad!", "x"), ("ok", " lead"), ("ok", "trail "),
    ("ok", "v" * 129), ("ok", ""), ("ecs.instance-type", "x"), ("com.amazonaws.ecs.capability.x", None),
])
def test_attribute_rules(sim, name, value):
    [arn] = boot(sim)
    attr = {"name": name, "targetId": arn}
    if value is not None:
        attr["value"] = value
    with pytest.raises(ClientError) as info:
        sim.client("ecs").put_attributes(cluster="prod", attributes=[attr])
    assert err(info)[0] == "InvalidParameterException"


def test_valid_attribute_names(sim):
    [arn] = boot(sim)
    names = ["a", "A-b_c.d/e\\f", "x" * 128]
    sim.client("ecs").put_attributes(cluster="prod", attributes=[
        {"name": n, "value": "v 1:@", "targetId": arn} for n in names])
    got = {a["name"] for a in describe(sim, arn)["attributes"]}
    assert set(names) <= got


def test_ten_custom_attributes_limit(sim):
    [arn] = boot(sim)
    ecs = sim.client("ecs")
    ecs.put_attributes(cluster="prod", attributes=[{"name": f"a{i}", "value": "v", "targetId": arn}
                                                   for i in range(10)])
    ecs.put_attributes(cluster="prod", attributes=[{"name": "a0", "value": "changed", "targetId": arn}])
    with pytest.raises(ClientError) as info:
        ecs.put_attributes(cluster="prod", attributes=[{"name": "a10", "targetId": arn}])
    assert err(info)[0] == "AttributeLimitExceededException"
    ecs.delete_attributes(cluster="prod", attributes=[{"name": "a1", "targetId": arn}])
    ecs.put_attributes(cluster="prod", attributes=[{"name": "a10", "targetId": arn}])


def test_attribute_targets(sim):
    boot(sim)
    ecs = sim.client("ecs")
    with pytest.raises(ClientError) as info:
        ecs.put_attributes(cluster="prod", attributes=[{"name": "x", "targetId": "0" * 32}])
    assert err(info)[0] == "TargetNotFoundException"
    with pytest.raises(ClientError):
        ecs.put_attributes(cluster="prod", attributes=[{"name": "x"}])
    with pytest.raises(ParamValidationError):
        ecs.put_attributes(cluster="prod", attributes=[{"name": 5, "targetId": "x"}])
    with pytest.raises(ParamValidationError):
        ecs.put_attributes(cluster="prod", attributes=["x"])


def test_instance_attributes_from_config_count_towards_the_limit(sim):
    attrs = "{" + ", ".join(f'"a{i}": "v"' for i in range(10)) + "}"
    ecs = sim.client("ecs")
    ecs.create_cluster(clusterName="prod")
    ami = sim.client("ssm").get_parameter(
        Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")["Parameter"]["Value"]
    sim.client("ec2").run_instances(
        ImageId=ami, InstanceType="t3.micro", MinCount=1, MaxCount=1, IamInstanceProfile={"Name": "ecsInstanceRole"},
        UserData=f"#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n"
                 f"echo 'ECS_INSTANCE_ATTRIBUTES={attrs}' >> /etc/ecs/ecs.config\n")
    sim.settle()
    [ci_arn] = ecs.list_container_instances(cluster="prod")["containerInstanceArns"]
    with pytest.raises(ClientError) as info:
        ecs.put_attributes(cluster="prod", attributes=[{"name": "eleventh", "targetId": ci_arn}])
    assert err(info)[0] == "AttributeLimitExceededException"


def test_tags_on_container_instances(sim):
    [arn] = boot(sim)
    ecs = sim.client("ecs")
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "team", "value": "a"}])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "team", "value": "a"}]
    assert describe(sim, arn, include=["TAGS"])["tags"] == [{"key": "team", "value": "a"}]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.dictionaries(st.sampled_from(["name", "value", "targetId", "targetType"]),
                                st.one_of(st.text(max_size=5), st.integers(), st.none())), max_size=3),
       st.sampled_from(["put_attributes", "delete_attributes"]))
def test_random_attribute_requests_never_crash(attributes, op):
    sim = Simulator(seed=0)
    sim.client("ecs").create_cluster(clusterName="prod")
    with contextlib.suppress(ClientError, ParamValidationError):
        getattr(sim.client("ecs"), op)(cluster="prod", attributes=attributes)
