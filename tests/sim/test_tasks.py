"""Tasks through the public contract: lifecycle (§1), stop codes, essential containers, Fargate, API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim import ClientError
from ecslearn.sim.workloads import set_workload
from tests.sim.test_tasks_support import add_instances, describe, register, subnets_by_az, world


def one(ecs, arn):
    return describe(ecs, [arn])[0]


def run_one(ecs, td="web", **kw):
    out = ecs.run_task(cluster="prod", taskDefinition=td, **kw)
    assert out["failures"] == [], out["failures"]
    return out["tasks"][0]


# --- lifecycle -------------------------------------------------------------------------------------


def test_bridge_task_lifecycle_timestamps_and_states():
    sim, ecs, _ = world()
    register(ecs, ports=[{"containerPort": 80}])
    t0 = sim.now
    task = run_one(ecs)
    arn = task["taskArn"]
    assert task["lastStatus"] == "PENDING" and task["desiredStatus"] == "RUNNING"
    assert task["createdAt"] == t0 and "startedAt" not in task and "pullStartedAt" not in task
    seen = []
    for _ in range(8):
        sim.advance(1)
        seen.append(one(ecs, arn)["lastStatus"])
    assert seen == ["PENDING", "PENDING", "PENDING", "ACTIVATING", "ACTIVATING", "RUNNING", "RUNNING", "RUNNING"]
    t = one(ecs, arn)
    assert t["pullStartedAt"] == t0 + timedelta(seconds=1)
    assert t["pullStoppedAt"] == t0 + timedelta(seconds=4)
    assert t["startedAt"] == t0 + timedelta(seconds=6)
    assert t["connectivity"] == "CONNECTED" and t["connectivityAt"] == t0
    c = t["containers"][0]
    assert c["lastStatus"] == "RUNNING" and c["runtimeId"].startswith(arn.rsplit("/", 1)[1])
    assert c["containerArn"].startswith(f"arn:aws:ecs:us-east-1:123456789012:container/prod/{arn.rsplit('/', 1)[1]}/")
    # the lowest port of the instance's dynamic range (the AMI's kernel ip_local_port_range, §3.6)
    assert c["networkBindings"][0]["hostPort"] == 32768
    assert t["healthStatus"] == "UNKNOWN"  # no container health check


def test_stop_task_user_initiated_default_and_custom_reason():
    sim, ecs, _ = world()
    register(ecs)
    a = run_one(ecs)["taskArn"]
    b = run_one(ecs)["taskArn"]
    sim.advance(30)
    stopping = ecs.stop_task(cluster="prod", task=a)["task"]
    assert stopping["desiredStatus"] == "STOPPED" and stopping["lastStatus"] == "DEACTIVATING"
    assert stopping["stopCode"] == "UserInitiated" and stopping["stoppedReason"] == "Task stopped by user"
    t_stop = sim.now
    ecs.stop_task(cluster="prod", task=b.rsplit("/", 1)[1], reason="deploying v2")
    sim.advance(1)
    assert one(ecs, a)["lastStatus"] == "STOPPING"
    sim.advance(1)
    t = one(ecs, a)
    assert t["lastStatus"] == "STOPPED"
    assert t["stoppingAt"] == t_stop
    assert t["executionStoppedAt"] == t["stoppedAt"] == t_stop + timedelta(seconds=2)
    assert t["containers"][0]["exitCode"] == 0 and t["containers"][0]["lastStatus"] == "STOPPED"
    assert one(ecs, b)["stoppedReason"] == "deploying v2"
    # stopping again changes nothing
    again = ecs.stop_task(cluster="prod", task=a, reason="other")["task"]
    assert again["stoppedReason"] == "Task stopped by user" and again["lastStatus"] == "STOPPED"


def test_sigterm_ignored_waits_stop_timeout_then_137():
    sim, ecs, _ = world()
    set_workload(sim, "stubborn", ignores_sigterm=True)
    register(ecs, containers=[{"name": "app", "image": "stubborn", "memory": 256, "stopTimeout": 10}])
    arn = run_one(ecs)["taskArn"]
    sim.advance(10)
    ecs.stop_task(cluster="prod", task=arn)
    sim.advance(1 + 9)
    assert one(ecs, arn)["lastStatus"] == "STOPPING"
    sim.advance(1)
    t = one(ecs, arn)
    assert t["lastStatus"] == "STOPPED" and t["containers"][0]["exitCode"] == 137


def test_default_stop_timeout_is_30_seconds():
    sim, ecs, _ = world()
    set_workload(sim, "stubborn", ignores_sigterm=True)
    register(ecs, image="stubborn")
    arn = run_one(ecs)["taskArn"]
    sim.advance(10)
    ecs.stop_task(cluster="prod", task=arn)
    sim.advance(30)
    assert one(ecs, arn)["lastStatus"] == "STOPPING"
    sim.advance(1)
    assert one(ecs, arn)["containers"][0]["exitCode"] == 137


def test_agent_stop_timeout_applies_on_ec2_without_container_stop_timeout():
    sim, ecs, _ = world(azs=())
    add_instances(sim, config=("ECS_CONTAINER_STOP_TIMEOUT=5s",))
    set_workload(sim, "stubborn", ignores_sigterm=True)
    register(ecs, image="stubborn")
    arn = run_one(ecs)["taskArn"]
    sim.advance(10)
    ecs.stop_task(cluster="prod", task=arn)
    sim.advance(1 + 4)
    assert one(ecs, arn)["lastStatus"] == "STOPPING"
    sim.advance(1)
    assert one(ecs, arn)["containers"][0]["exitCode"] == 137


def test_stop_before_running_skips_the_containers():
    sim, ecs, _ = world()
    register(ecs)
    arn = run_one(ecs)["taskArn"]
    out = ecs.stop_task(cluster="prod", task=arn)["task"]
    assert out["lastStatus"] == "STOPPED"
    assert "exitCode" not in out["containers"][0]
    assert "startedAt" not in out
    sim.settle()
    assert one(ecs, arn)["lastStatus"] == "STOPPED"


def test_essential_container_exit_stops_the_task():
    sim, ecs, _ = world()
    set_workload(sim, "job:1", exit_code=3, exit_after=20)
    register(ecs, containers=[{"name": "job", "image": "job:1", "memory": 128},
                              {"name": "sidecar", "image": "nginx", "memory": 128, "essential": False}])
    arn = run_one(ecs)["taskArn"]
    sim.advance(6 + 20)
    t = one(ecs, arn)
    assert t["desiredStatus"] == "STOPPED"
    assert t["stopCode"] == "EssentialContainerExited"
    assert t["stoppedReason"] == "Essential container in task exited"
    sim.settle()
    t = one(ecs, arn)
    codes = {c["name"]: c.get("exitCode") for c in t["containers"]}
    assert codes == {"job": 3, "sidecar": 0}
    assert t["lastStatus"] == "STOPPED"


def test_non_essential_exit_leaves_the_task_running():
    sim, ecs, _ = world()
    register(ecs, containers=[{"name": "web", "image": "nginx", "memory": 128},
                              {"name": "init", "image": "busybox", "memory": 64, "essential": False}])
    arn = run_one(ecs)["taskArn"]
    sim.advance(60)
    t = one(ecs, arn)
    assert t["lastStatus"] == "RUNNING" and t["desiredStatus"] == "RUNNING"
    by_name = {c["name"]: c for c in t["containers"]}
    assert by_name["init"]["lastStatus"] == "STOPPED" and by_name["init"]["exitCode"] == 0
    assert by_name["web"]["lastStatus"] == "RUNNING"


def test_busybox_without_command_exits_and_with_sleep_runs():
    sim, ecs, _ = world()
    register(ecs, "quick", image="busybox")
    register(ecs, "sleepy", containers=[{"name": "s", "image": "busybox", "memory": 64,
                                         "command": ["sleep", "3600"]}])
    quick = run_one(ecs, "quick")["taskArn"]
    sleepy = run_one(ecs, "sleepy")["taskArn"]
    sim.advance(60)
    assert one(ecs, quick)["lastStatus"] == "STOPPED"
    assert one(ecs, sleepy)["lastStatus"] == "RUNNING"
    override = ecs.run_task(cluster="prod", taskDefinition="sleepy", overrides={
        "containerOverrides": [{"name": "s", "command": ["echo", "hi"]}]})["tasks"][0]["taskArn"]
    sim.advance(60)
    assert one(ecs, override)["stopCode"] == "EssentialContainerExited"


def test_container_health_checks_decide_task_health():
    sim, ecs, _ = world()
    set_workload(sim, "sick", container_health="UNHEALTHY")
    hc = {"command": ["CMD-SHELL", "curl -f localhost || exit 1"], "interval": 10, "retries": 2}
    register(ecs, "good", containers=[{"name": "a", "image": "nginx", "memory": 128, "healthCheck": hc}])
    register(ecs, "bad", containers=[{"name": "a", "image": "nginx", "memory": 128, "healthCheck": hc},
                                     {"name": "b", "image": "sick", "memory": 128, "healthCheck": hc}])
    register(ecs, "mixed", containers=[{"name": "a", "image": "nginx", "memory": 128, "healthCheck": hc},
                                       {"name": "b", "image": "nginx", "memory": 128}])
    good, bad, mixed = (run_one(ecs, f)["taskArn"] for f in ("good", "bad", "mixed"))
    sim.advance(6 + 10)
    assert one(ecs, good)["healthStatus"] == "HEALTHY"
    assert one(ecs, bad)["healthStatus"] == "UNKNOWN"  # b not yet judged
    assert one(ecs, mixed)["healthStatus"] == "UNKNOWN"  # an essential container without a health check
    sim.advance(10)
    t = one(ecs, bad)
    assert t["healthStatus"] == "UNHEALTHY"
    assert {c["name"]: c["healthStatus"] for c in t["containers"]} == {"a": "HEALTHY", "b": "UNHEALTHY"}
    assert t["lastStatus"] == "RUNNING"  # standalone tasks are not replaced


def test_health_fails_after_turns_unhealthy_later():
    sim, ecs, _ = world()
    set_workload(sim, "decays", health_fails_after=100)
    hc = {"command": ["CMD", "true"], "interval": 5, "retries": 3}
    register(ecs, containers=[{"name": "a", "image": "decays", "memory": 128, "healthCheck": hc}])
    arn = run_one(ecs)["taskArn"]
    sim.advance(6 + 10)
    assert one(ecs, arn)["healthStatus"] == "HEALTHY"
    sim.advance(100)  # fails from 100 s after RUNNING, reported after retries * interval more
    assert one(ecs, arn)["healthStatus"] == "HEALTHY"
    sim.advance(5)
    assert one(ecs, arn)["healthStatus"] == "UNHEALTHY"


def test_start_failure_hook_stops_the_task_at_pull_time(monkeypatch):
    sim, ecs, _ = world()
    register(ecs, image="nope:missing")
    backend = sim.backend("ecs")
    original = backend._task_start_failure

    def fail(task):
        if task.containers[0].image == "nope:missing":
            return ("TaskFailedToStart", "CannotPullContainerError: pull image manifest has been retried")
        return original(task)

    monkeypatch.setattr(backend, "_task_start_failure", fail)
    arn = run_one(ecs)["taskArn"]
    sim.settle()
    t = one(ecs, arn)
    assert t["lastStatus"] == "STOPPED" and t["stopCode"] == "TaskFailedToStart"
    assert t["stoppedReason"].startswith("CannotPullContainerError")
    assert t["containers"][0]["reason"].startswith("CannotPullContainerError")
    assert "startedAt" not in t and "pullStoppedAt" not in t


def test_listeners_see_creation_and_every_status_change():
    sim, ecs, _ = world()
    register(ecs)
    seen = []
    sim.backend("ecs")._task_listeners.append(lambda t: seen.append((t.id, t.last_status)))
    arn = run_one(ecs)["taskArn"]
    sim.advance(10)
    ecs.stop_task(cluster="prod", task=arn)
    sim.settle()
    assert [s for _, s in seen] == ["PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING", "STOPPED"]


def test_stopped_tasks_stay_for_an_hour_then_disappear():
    sim, ecs, _ = world()
    register(ecs)
    arn = run_one(ecs)["taskArn"]
    ecs.stop_task(cluster="prod", task=arn)
    sim.advance(3599)
    assert ecs.list_tasks(cluster="prod", desiredStatus="STOPPED")["taskArns"] == [arn]
    assert one(ecs, arn)["lastStatus"] == "STOPPED"
    sim.advance(2)
    assert ecs.describe_tasks(cluster="prod", tasks=[arn]) == {"tasks": [], "failures": [
        {"arn": arn, "reason": "MISSING"}]}
    assert ecs.list_tasks(cluster="prod", desiredStatus="STOPPED")["taskArns"] == []


def test_resources_are_released_at_stopped():
    sim, ecs, (ci,) = world()
    register(ecs, ports=[{"containerPort": 80, "hostPort": 8080}])
    from tests.sim.test_tasks_support import remaining
    before = remaining(ecs, ci)
    arn = run_one(ecs)["taskArn"]
    during = remaining(ecs, ci)
    assert during["MEMORY"] == before["MEMORY"] - 512 and during["CPU"] == before["CPU"] - 256
    assert "8080" in during["PORTS"]
    sim.advance(10)
    ecs.stop_task(cluster="prod", task=arn)
    sim.advance(1)
    assert remaining(ecs, ci)["MEMORY"] == during["MEMORY"]  # still STOPPING
    sim.settle()
    assert remaining(ecs, ci) == before


# --- Fargate and awsvpc -------------------------------------------------------------------------------


def fargate_td(ecs, family="fg", **kw):
    return ecs.register_task_definition(
        family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="512",
        containerDefinitions=[{"name": "app", "image": "nginx", "portMappings": [{"containerPort": 80}]}],
        **kw)["taskDefinition"]["taskDefinitionArn"]


def test_fargate_task_has_eni_az_platform_and_no_instance():
    sim, ecs, _ = world(azs=())
    fargate_td(ecs)
    subnets = subnets_by_az(sim)
    net = {"awsvpcConfiguration": {"subnets": [subnets["us-east-1b"], subnets["us-east-1c"]],
                                   "assignPublicIp": "ENABLED"}}  # a route to Docker Hub for the pull
    out = ecs.run_task(cluster="prod", taskDefinition="fg", launchType="FARGATE", count=4,
                       networkConfiguration=net)
    tasks = out["tasks"]
    assert [t["availabilityZone"] for t in tasks] == ["us-east-1b", "us-east-1c", "us-east-1b", "us-east-1c"]
    t = tasks[0]
    assert "containerInstanceArn" not in t
    assert t["launchType"] == "FARGATE" and t["platformVersion"] == "1.4.0" and t["platformFamily"] == "Linux"
    assert t["lastStatus"] == "PROVISIONING"
    att = t["attachments"][0]
    assert att["type"] == "ElasticNetworkInterface"
    names = [d["name"] for d in att["details"]]
    assert {"subnetId", "networkInterfaceId", "macAddress", "privateIPv4Address"} <= set(names)
    sim.advance(10)
    assert one(ecs, t["taskArn"])["lastStatus"] == "PENDING"
    sim.advance(1 + 5 + 2)
    running = one(ecs, t["taskArn"])
    assert running["lastStatus"] == "RUNNING"
    assert running["attachments"][0]["status"] == "ATTACHED"
    ecs.stop_task(cluster="prod", task=t["taskArn"])
    sim.advance(3)
    assert one(ecs, t["taskArn"])["lastStatus"] == "DEPROVISIONING"
    sim.advance(5)
    stopped = one(ecs, t["taskArn"])
    assert stopped["lastStatus"] == "STOPPED" and stopped["attachments"][0]["status"] == "DELETED"


def test_fargate_public_ip_only_when_enabled():
    sim, ecs, _ = world(azs=())
    fargate_td(ecs)
    sub = subnets_by_az(sim)["us-east-1a"]
    on = run_one(ecs, "fg", launchType="FARGATE", networkConfiguration={
        "awsvpcConfiguration": {"subnets": [sub], "assignPublicIp": "ENABLED"}})
    off = run_one(ecs, "fg", launchType="FARGATE", networkConfiguration={"awsvpcConfiguration": {"subnets": [sub]}})
    tasks = sim.backend("ecs").clusters["prod"].tasks
    assert tasks[on["taskArn"].rsplit("/", 1)[1]].extra["public_ip"]
    assert "public_ip" not in tasks[off["taskArn"].rsplit("/", 1)[1]].extra
    sim.settle()  # without a public IP (and no NAT) the image cannot be pulled from Docker Hub
    assert one(ecs, off["taskArn"])["stopCode"] == "TaskFailedToStart"
    assert one(ecs, on["taskArn"])["lastStatus"] == "RUNNING"


def test_fargate_errors():
    sim, ecs, _ = world(azs=())
    fargate_td(ecs)
    register(ecs, "ec2only", network_mode="bridge")
    sub = subnets_by_az(sim)["us-east-1a"]
    net = {"awsvpcConfiguration": {"subnets": [sub]}}
    with pytest.raises(ClientError, match="Network Configuration must be provided when networkMode 'awsvpc'"):
        ecs.run_task(cluster="prod", taskDefinition="fg", launchType="FARGATE")
    with pytest.raises(ClientError, match=r"Task definition does not support launch_type FARGATE\."):
        ecs.run_task(cluster="prod", taskDefinition="ec2only", launchType="FARGATE")
    with pytest.raises(ClientError, match="not supported with the FARGATE launch type"):
        ecs.run_task(cluster="prod", taskDefinition="fg", launchType="FARGATE", networkConfiguration=net,
                     placementStrategy=[{"type": "random"}])
    with pytest.raises(ClientError, match="not supported with the FARGATE launch type"):
        ecs.run_task(cluster="prod", taskDefinition="fg", launchType="FARGATE", networkConfiguration=net,
                     placementConstraints=[{"type": "distinctInstance"}])
    with pytest.raises(ClientError) as info:
        ecs.run_task(cluster="prod", taskDefinition="fg", launchType="FARGATE", networkConfiguration=net,
                     platformVersion="9.9.9")
    assert info.value.code == "PlatformUnknownException"
    with pytest.raises(ClientError, match="subnet ID 'subnet-nope' does not exist"):
        ecs.run_task(cluster="prod", taskDefinition="fg", launchType="FARGATE",
                     networkConfiguration={"awsvpcConfiguration": {"subnets": ["subnet-nope"]}})
    with pytest.raises(ClientError, match="subnets can not be empty"):
        ecs.run_task(cluster="prod", taskDefinition="fg", launchType="FARGATE",
                     networkConfiguration={"awsvpcConfiguration": {"subnets": []}})
    with pytest.raises(ClientError, match="Network Configuration is not valid"):
        ecs.run_task(cluster="prod", taskDefinition="ec2only", networkConfiguration=net)


def test_ec2_specific_errors():
    sim, ecs, _ = world()
    register(ecs)
    register(ecs, "vpc", network_mode="awsvpc")
    sub = subnets_by_az(sim)["us-east-1a"]
    with pytest.raises(ClientError, match="platform version must be null"):
        ecs.run_task(cluster="prod", taskDefinition="web", platformVersion="1.4.0")
    with pytest.raises(ClientError, match=r"Assign public IP is not supported for this launch type\."):
        ecs.run_task(cluster="prod", taskDefinition="vpc", networkConfiguration={
            "awsvpcConfiguration": {"subnets": [sub], "assignPublicIp": "ENABLED"}})
    with pytest.raises(ClientError, match="Specifying both a launch type and capacity provider strategy"):
        ecs.run_task(cluster="prod", taskDefinition="web", launchType="EC2",
                     capacityProviderStrategy=[{"capacityProvider": "FARGATE"}])


# --- API ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 11, -1])
def test_count_must_be_1_to_10(count):
    _sim, ecs, _ = world()
    register(ecs)
    with pytest.raises(ClientError, match=r"Count must be between 1 and 10\.") as info:
        ecs.run_task(cluster="prod", taskDefinition="web", count=count)
    assert info.value.code == "InvalidParameterException"


def test_inactive_and_unknown_task_definitions():
    _sim, ecs, _ = world()
    arn = register(ecs)
    ecs.deregister_task_definition(taskDefinition=arn)
    with pytest.raises(ClientError, match="TaskDefinition is inactive"):
        ecs.run_task(cluster="prod", taskDefinition=arn)
    with pytest.raises(ClientError) as info:
        ecs.run_task(cluster="prod", taskDefinition="ghost")
    assert info.value.code in ("InvalidParameterException", "ClientException")
    with pytest.raises(ClientError) as info:
        ecs.run_task(cluster="nowhere", taskDefinition="web")
    assert info.value.code == "ClusterNotFoundException"


def test_overrides_change_reservation_environment_and_roles():
    _sim, ecs, (_ci,) = world()
    register(ecs)
    out = run_one(ecs, overrides={"cpu": "512", "memory": "1024", "taskRoleArn": "arn:aws:iam::123456789012:role/r",
                                  "containerOverrides": [{"name": "web", "memory": 300,
                                                          "environment": [{"name": "A", "value": "1"}]}]})
    assert out["cpu"] == "512" and out["memory"] == "1024"
    assert out["overrides"]["containerOverrides"][0]["environment"] == [{"name": "A", "value": "1"}]
    assert out["overrides"]["taskRoleArn"] == "arn:aws:iam::123456789012:role/r"
    assert out["containers"][0]["memory"] == "300"
    with pytest.raises(ClientError, match="is not a container in the TaskDefinition"):
        ecs.run_task(cluster="prod", taskDefinition="web", overrides={"containerOverrides": [{"name": "nope"}]})
    with pytest.raises(ParamValidationError):
        ecs.run_task(cluster="prod", taskDefinition="web", overrides={"containerOverrides": [{"name": "web",
                                                                                              "colour": 1}]})
    with pytest.raises(ParamValidationError):
        ecs.run_task(cluster="prod", taskDefinition="web", overrides={"cpu": 512})


def test_container_level_cpu_memory_reservation_and_task_level_sizes():
    _sim, ecs, (_ci,) = world()
    register(ecs, "soft", containers=[{"name": "a", "image": "nginx", "cpu": 100, "memory": 1000,
                                       "memoryReservation": 300},
                                      {"name": "b", "image": "nginx", "cpu": 50, "memory": 200}])
    ecs.register_task_definition(family="sized", cpu="1024", memory="2048",
                                 containerDefinitions=[{"name": "a", "image": "nginx"}])
    t = run_one(ecs, "soft")
    assert (t["cpu"], t["memory"]) == ("150", "500")  # memoryReservation wins over memory (§2.3)
    t = run_one(ecs, "sized")
    assert (t["cpu"], t["memory"]) == ("1024", "2048")


def test_describe_tasks_tags_and_missing():
    _sim, ecs, _ = world()
    register(ecs, tags=[{"key": "team", "value": "web"}])
    task = run_one(ecs, tags=[{"key": "env", "value": "dev"}], propagateTags="TASK_DEFINITION",
                   startedBy="me", group="batch")
    arn = task["taskArn"]
    assert task["tags"] == []
    out = ecs.describe_tasks(cluster="prod", tasks=[arn, "nope"], include=["TAGS"])
    assert out["tasks"][0]["tags"] == [{"key": "env", "value": "dev"}, {"key": "team", "value": "web"}]
    assert out["failures"] == [{"arn": "nope", "reason": "MISSING"}]
    assert out["tasks"][0]["group"] == "batch" and out["tasks"][0]["startedBy"] == "me"
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == out["tasks"][0]["tags"]
    with pytest.raises(ClientError, match="Tasks cannot be empty"):
        ecs.describe_tasks(cluster="prod", tasks=[])
    with pytest.raises(ClientError, match=r"The referenced task was not found\."):
        ecs.stop_task(cluster="prod", task="0" * 32)


def test_list_tasks_filters_and_paging():
    _sim, ecs, (_a, b) = world(per_az=2)
    register(ecs)
    register(ecs, "other")
    web = ecs.run_task(cluster="prod", taskDefinition="web", count=3, startedBy="ci",
                       placementStrategy=[{"type": "spread", "field": "instanceId"}])["tasks"]
    other = run_one(ecs, "other")
    stopped = web[0]["taskArn"]
    ecs.stop_task(cluster="prod", task=stopped)
    running = [t["taskArn"] for t in web[1:]] + [other["taskArn"]]
    assert ecs.list_tasks(cluster="prod")["taskArns"] == running
    assert ecs.list_tasks(cluster="prod", desiredStatus="STOPPED")["taskArns"] == [stopped]
    assert ecs.list_tasks(cluster="prod", desiredStatus="PENDING")["taskArns"] == []
    assert ecs.list_tasks(cluster="prod", family="other")["taskArns"] == [other["taskArn"]]
    assert ecs.list_tasks(cluster="prod", startedBy="ci")["taskArns"] == running[:2]
    on_b = [t["taskArn"] for t in web[1:] if t["containerInstanceArn"] == b]
    assert ecs.list_tasks(cluster="prod", containerInstance=b, family="web")["taskArns"] == on_b
    assert ecs.list_tasks(cluster="prod", launchType="FARGATE")["taskArns"] == []
    page = ecs.list_tasks(cluster="prod", maxResults=2)
    assert page["taskArns"] == running[:2]
    assert ecs.list_tasks(cluster="prod", maxResults=2, nextToken=page["nextToken"])["taskArns"] == running[2:]
    with pytest.raises(ClientError) as info:
        ecs.list_tasks(cluster="prod", serviceName="nope")
    assert info.value.code == "ServiceNotFoundException"


def test_client_token_makes_run_task_idempotent():
    _sim, ecs, _ = world()
    register(ecs)
    first = ecs.run_task(cluster="prod", taskDefinition="web", clientToken="abc")
    again = ecs.run_task(cluster="prod", taskDefinition="web", clientToken="abc")
    assert [t["taskArn"] for t in again["tasks"]] == [t["taskArn"] for t in first["tasks"]]
    assert len(ecs.list_tasks(cluster="prod")["taskArns"]) == 1
    with pytest.raises(ClientError):
        ecs.run_task(cluster="prod", taskDefinition="web", clientToken="abc", count=2)


def test_unmodelled_parameters_say_so():
    _sim, ecs, _ = world()
    register(ecs)
    with pytest.raises(NotModelledError):
        ecs.run_task(cluster="prod", taskDefinition="web", volumeConfigurations=[])
    with pytest.raises(NotModelledError):
        ecs.run_task(cluster="prod", taskDefinition="web", launchType="MANAGED_INSTANCES")


def test_capacity_provider_strategy_labels_each_task_with_its_provider():
    sim, ecs, _ = world(azs=())
    ecs.put_cluster_capacity_providers(cluster="prod", capacityProviders=["FARGATE", "FARGATE_SPOT"],
                                       defaultCapacityProviderStrategy=[])
    fargate_td(ecs)
    sub = subnets_by_az(sim)["us-east-1a"]
    out = ecs.run_task(cluster="prod", taskDefinition="fg", count=4, capacityProviderStrategy=[
        {"capacityProvider": "FARGATE", "base": 1, "weight": 1}, {"capacityProvider": "FARGATE_SPOT", "weight": 1}],
        networkConfiguration={"awsvpcConfiguration": {"subnets": [sub], "assignPublicIp": "ENABLED"}})
    providers = sorted(t["capacityProviderName"] for t in out["tasks"])
    # base 1 on FARGATE, then 1:1 weights for the other three, ties to the first listed (capacity.py)
    assert providers == ["FARGATE", "FARGATE", "FARGATE", "FARGATE_SPOT"]
    assert all(t["launchType"] == "FARGATE" and "containerInstanceArn" not in t for t in out["tasks"])


def test_internal_launch_api_for_services():
    """`_launch_tasks` with a default strategy, and with instance records as targets (daemon tasks)."""
    sim, ecs, arns = world(azs=("us-east-1a", "us-east-1b"), per_az=2)
    register(ecs)
    backend = sim.backend("ecs")
    cluster = backend.clusters["prod"]
    td = backend._resolve_task_definition("web", for_use=True)
    spread = [{"type": "spread", "field": "attribute:ecs.availability-zone"}, {"type": "spread", "field": "instanceId"}]
    tasks, failures = backend._launch_tasks(cluster, td, 4, group="service:web", default_strategy=spread,
                                            started_by="ecs-svc/1")
    assert failures == []
    assert sorted(t.container_instance.arn for t in tasks) == sorted(arns)
    assert {t.group for t in tasks} == {"service:web"}
    records = [cluster.container_instances[a.rsplit("/", 1)[1]] for a in arns[:2]]
    daemon, failures = backend._launch_tasks(cluster, td, 2, group="service:agent", target_instances=records,
                                             placement_constraints=[{"type": "memberOf",
                                                                     "expression": "attribute:ecs.availability-zone == us-east-1b"}])
    assert daemon == [] and [f["reason"] for f in failures] == ["ATTRIBUTE", "ATTRIBUTE"]  # both are in 1a
    stopped = tasks[0]
    backend._stop_task(stopped, stop_code="ServiceSchedulerInitiated", reason="Scaling activity initiated by (deployment ecs-svc/1)")
    backend._stop_task(stopped, stop_code="UserInitiated", reason="later")
    assert (stopped.stop_code, stopped.stopped_reason) == ("ServiceSchedulerInitiated",
                                                          "Scaling activity initiated by (deployment ecs-svc/1)")


def test_fargate_task_size_overrides_must_still_be_a_valid_pair():
    sim, ecs, _ = world(azs=())
    fargate_td(ecs)
    net = {"awsvpcConfiguration": {"subnets": [subnets_by_az(sim)["us-east-1a"]], "assignPublicIp": "ENABLED"}}
    with pytest.raises(ClientError) as info:
        ecs.run_task(cluster="prod", taskDefinition="fg", launchType="FARGATE", networkConfiguration=net,
                     overrides={"cpu": "512", "memory": "512"})
    assert info.value.code == "ClientException"
    assert info.value.aws_message.startswith("No Fargate configuration exists for given values: 512 CPU, 512 memory.")
    ok = ecs.run_task(cluster="prod", taskDefinition="fg", launchType="FARGATE", networkConfiguration=net,
                      overrides={"cpu": "512", "memory": "1024"})["tasks"][0]
    assert (ok["cpu"], ok["memory"]) == ("512", "1024")
