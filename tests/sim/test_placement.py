"""Task placement through RunTask/StartTask (ecs-reference §3): strategies, constraints, failures."""

from __future__ import annotations

import pytest

from ecslearn.sim import ClientError
from tests.sim.test_tasks_support import add_instances, ecs_ami, register, remaining, subnets_by_az, world

BINPACK_MEM = [{"type": "binpack", "field": "memory"}]


def placed_on(result):
    return [t["containerInstanceArn"] for t in result["tasks"]]


# --- strategies --------------------------------------------------------------------------------


def test_binpack_memory_fills_the_instance_with_least_memory_left():
    _sim, ecs, (_a, b) = world(per_az=2)
    register(ecs, "big", memory=2048)
    register(ecs)
    ecs.start_task(cluster="prod", taskDefinition="big", containerInstances=[b])
    out = ecs.run_task(cluster="prod", taskDefinition="web", count=3, placementStrategy=BINPACK_MEM)
    assert placed_on(out) == [b, b, b]
    assert out["failures"] == []


def test_binpack_cpu_uses_remaining_cpu_not_memory():
    _sim, ecs, (a, b) = world(per_az=2)
    register(ecs, "cpuhog", cpu=1024, memory=128)
    register(ecs, "memhog", cpu=0, memory=4096)
    register(ecs)
    ecs.start_task(cluster="prod", taskDefinition="cpuhog", containerInstances=[a])
    ecs.start_task(cluster="prod", taskDefinition="memhog", containerInstances=[b])
    cpu = ecs.run_task(cluster="prod", taskDefinition="web", placementStrategy=[{"type": "binpack", "field": "cpu"}])
    mem = ecs.run_task(cluster="prod", taskDefinition="web", placementStrategy=BINPACK_MEM)
    assert placed_on(cpu) == [a]
    assert placed_on(mem) == [b]


def test_binpack_moves_on_when_the_fullest_instance_is_full():
    _sim, ecs, (a, b) = world(per_az=2)  # m5.large: 2048 CPU units
    register(ecs, cpu=1024, memory=256)
    out = ecs.run_task(cluster="prod", taskDefinition="web", count=4, placementStrategy=BINPACK_MEM)
    assert placed_on(out) == [a, a, b, b]


def test_spread_instance_id_alternates_starting_with_first_registered():
    _sim, ecs, arns = world(per_az=3)
    register(ecs)
    out = ecs.run_task(cluster="prod", taskDefinition="web", count=6,
                       placementStrategy=[{"type": "spread", "field": "instanceId"}])
    assert placed_on(out) == arns + arns
    host = ecs.run_task(cluster="prod", taskDefinition="web", count=3,
                        placementStrategy=[{"type": "spread", "field": "host"}])
    assert placed_on(host) == arns


def test_spread_over_availability_zones_balances_the_group():
    sim, ecs, _ = world(azs=())
    a = add_instances(sim, az="us-east-1a", count=1)
    b = add_instances(sim, az="us-east-1b", count=2)
    c = add_instances(sim, az="us-east-1c", count=1)
    register(ecs)
    out = ecs.run_task(cluster="prod", taskDefinition="web", count=9,
                       placementStrategy=[{"type": "spread", "field": "attribute:ecs.availability-zone"}])
    azs = [t["availabilityZone"] for t in out["tasks"]]
    assert {az: azs.count(az) for az in set(azs)} == {"us-east-1a": 3, "us-east-1b": 3, "us-east-1c": 3}
    assert a and b and c


def test_spread_counts_only_tasks_of_the_same_group():
    _sim, ecs, (a, b) = world(per_az=2)
    register(ecs, "other")
    register(ecs)
    ecs.run_task(cluster="prod", taskDefinition="other", count=3,
                 placementStrategy=[{"type": "spread", "field": "instanceId"}])  # a, b, a
    out = ecs.run_task(cluster="prod", taskDefinition="web", count=2,
                       placementStrategy=[{"type": "spread", "field": "instanceId"}])
    assert placed_on(out) == [a, b]  # the other family's tasks do not count
    grouped = ecs.run_task(cluster="prod", taskDefinition="web", group="family:other",
                           placementStrategy=[{"type": "spread", "field": "instanceId"}])
    assert placed_on(grouped) == [b]  # same group as the 3 "other" tasks: b has fewer


def test_chained_spread_by_az_then_binpack_memory():
    sim, ecs, _ = world(azs=())
    _a1, a2 = add_instances(sim, az="us-east-1a", count=2)
    (b1,) = add_instances(sim, az="us-east-1b", count=1)
    register(ecs, "filler", memory=1024)
    register(ecs)
    ecs.start_task(cluster="prod", taskDefinition="filler", containerInstances=[a2])
    out = ecs.run_task(cluster="prod", taskDefinition="web", count=4, placementStrategy=[
        {"type": "spread", "field": "attribute:ecs.availability-zone"}, {"type": "binpack", "field": "memory"}])
    assert placed_on(out) == [a2, b1, a2, b1]


def test_random_is_the_runtask_default_and_is_reproducible_with_the_seed():
    def runs(seed):
        _sim, ecs, arns = world(seed, per_az=4)
        register(ecs)
        out = ecs.run_task(cluster="prod", taskDefinition="web", count=10)
        return [arns.index(x) for x in placed_on(out)]

    first = runs(3)
    assert first == runs(3)
    assert len(set(first)) > 1  # random, not first-fit
    assert any(runs(s) != first for s in (4, 5, 6))


def test_strategies_after_random_have_nothing_left_to_decide():
    def run(strategy):
        _sim, ecs, _arns = world(11, per_az=4)
        register(ecs)
        return placed_on(ecs.run_task(cluster="prod", taskDefinition="web", count=8, placementStrategy=strategy))

    assert run([{"type": "random"}]) == run([{"type": "random"}, {"type": "binpack", "field": "memory"}])


def test_tie_break_is_registration_order():
    _sim, ecs, arns = world(per_az=3)
    listed = ecs.list_container_instances(cluster="prod")["containerInstanceArns"]
    assert listed == arns
    register(ecs)
    out = ecs.run_task(cluster="prod", taskDefinition="web", placementStrategy=BINPACK_MEM)
    assert placed_on(out) == [arns[0]]


# --- constraints -------------------------------------------------------------------------------


def test_distinct_instance_counts_tasks_placed_in_the_same_call():
    _sim, ecs, (a, b) = world(per_az=2)
    register(ecs)
    out = ecs.run_task(cluster="prod", taskDefinition="web", count=3, placementStrategy=BINPACK_MEM,
                       placementConstraints=[{"type": "distinctInstance"}])
    assert sorted(placed_on(out)) == sorted([a, b])
    assert out["failures"] == [
        {"arn": a, "reason": "DistinctInstance placement constraint unsatisfied."},
        {"arn": b, "reason": "DistinctInstance placement constraint unsatisfied."}]


def test_member_of_attribute_expression_and_custom_attributes():
    sim, ecs, _ = world(azs=())
    (a,) = add_instances(sim, az="us-east-1a")
    (b,) = add_instances(sim, az="us-east-1b")
    ecs.put_attributes(cluster="prod", attributes=[{"name": "stack", "value": "prod", "targetId": b}])
    register(ecs)
    out = ecs.run_task(cluster="prod", taskDefinition="web", count=2, placementConstraints=[
        {"type": "memberOf", "expression": "attribute:stack == prod"}])
    assert placed_on(out) == [b, b]
    none = ecs.run_task(cluster="prod", taskDefinition="web", placementConstraints=[
        {"type": "memberOf", "expression": "attribute:ecs.availability-zone == us-east-1c"}])
    assert none["tasks"] == []
    assert none["failures"] == [{"arn": a, "reason": "ATTRIBUTE"}, {"arn": b, "reason": "ATTRIBUTE"}]


def test_member_of_task_group_affinity_and_anti_affinity():
    _sim, ecs, (a, b, _c) = world(per_az=3)
    register(ecs, "db")
    register(ecs)
    ecs.start_task(cluster="prod", taskDefinition="db", containerInstances=[b])
    near = ecs.run_task(cluster="prod", taskDefinition="web", count=2, placementConstraints=[
        {"type": "memberOf", "expression": "task:group == family:db"}])
    assert placed_on(near) == [b, b]
    away = ecs.run_task(cluster="prod", taskDefinition="web", count=4, placementStrategy=BINPACK_MEM,
                        placementConstraints=[{"type": "memberOf", "expression": "not(task:group == family:db)"}])
    assert set(placed_on(away)) == {a}


def test_task_definition_member_of_constraints_apply():
    sim, ecs, _ = world(azs=())
    (_a,) = add_instances(sim, az="us-east-1a")
    (b,) = add_instances(sim, az="us-east-1b")
    register(ecs, placementConstraints=[{"type": "memberOf",
                                         "expression": "attribute:ecs.availability-zone == us-east-1b"}])
    out = ecs.run_task(cluster="prod", taskDefinition="web", count=2)
    assert placed_on(out) == [b, b]


def test_constraint_and_strategy_limits():
    _sim, ecs, _ = world()
    register(ecs, placementConstraints=[{"type": "memberOf", "expression": "agentConnected == true"}])
    with pytest.raises(ClientError, match="at most 5"):
        ecs.run_task(cluster="prod", taskDefinition="web", placementStrategy=[{"type": "random"}] * 6)
    ten = [{"type": "memberOf", "expression": f"attribute:a{i} !exists"} for i in range(10)]
    with pytest.raises(ClientError, match="including those of the task definition, must be at most 10"):
        ecs.run_task(cluster="prod", taskDefinition="web", placementConstraints=ten)
    assert ecs.run_task(cluster="prod", taskDefinition="web", placementConstraints=ten[:9])["tasks"]


@pytest.mark.parametrize(("strategy", "message"), [
    ({"type": "binpack", "field": "disk"}, "Invalid field for placement strategy binpack"),
    ({"type": "binpack"}, "Invalid field for placement strategy binpack"),
    ({"type": "spread"}, "needs a field"),
    ({"type": "spread", "field": "colour"}, "Invalid field for placement strategy spread"),
    ({"type": "pack"}, "Invalid placement strategy type"),
])
def test_invalid_strategies(strategy, message):
    _sim, ecs, _ = world()
    register(ecs)
    with pytest.raises(ClientError, match=message) as info:
        ecs.run_task(cluster="prod", taskDefinition="web", placementStrategy=[strategy])
    assert info.value.code == "InvalidParameterException"


@pytest.mark.parametrize(("constraint", "message"), [
    ({"type": "memberOf"}, "needs an expression"),
    ({"type": "memberOf", "expression": "attribute:x =="}, "at position"),
    ({"type": "distinctInstance", "expression": "attribute:x exists"}, "takes no expression"),
    ({"type": "sameHost"}, "Invalid placement constraint type"),
])
def test_invalid_constraints(constraint, message):
    _sim, ecs, _ = world()
    register(ecs)
    with pytest.raises(ClientError, match=message):
        ecs.run_task(cluster="prod", taskDefinition="web", placementConstraints=[constraint])


# --- failures ----------------------------------------------------------------------------------


def test_resource_cpu_and_memory_failures_one_per_instance():
    _sim, ecs, (a, b) = world(per_az=2)  # m5.large: 2048 units, ~7985 MiB
    register(ecs, "cpu", cpu=4096, memory=128)
    register(ecs, "mem", cpu=0, memory=9000)
    out = ecs.run_task(cluster="prod", taskDefinition="cpu", count=5)
    assert out["tasks"] == []
    assert out["failures"] == [{"arn": a, "reason": "RESOURCE:CPU"}, {"arn": b, "reason": "RESOURCE:CPU"}]
    out = ecs.run_task(cluster="prod", taskDefinition="mem")
    assert out["failures"] == [{"arn": a, "reason": "RESOURCE:MEMORY"}, {"arn": b, "reason": "RESOURCE:MEMORY"}]


def test_partial_placement_returns_tasks_and_failures():
    _sim, ecs, (a,) = world()
    register(ecs, memory=3000)
    out = ecs.run_task(cluster="prod", taskDefinition="web", count=4)
    assert len(out["tasks"]) == 2
    assert out["failures"] == [{"arn": a, "reason": "RESOURCE:MEMORY"}]


def test_static_host_port_conflicts_and_reserved_ports():
    _sim, ecs, (a,) = world()
    register(ecs, ports=[{"containerPort": 80, "hostPort": 8080}])
    register(ecs, "ssh", ports=[{"containerPort": 22, "hostPort": 22}])
    register(ecs, "dns", ports=[{"containerPort": 53, "hostPort": 53, "protocol": "udp"}])
    first = ecs.run_task(cluster="prod", taskDefinition="web", count=2)
    assert len(first["tasks"]) == 1
    assert first["failures"] == [{"arn": a, "reason": "RESOURCE:PORTS"}]
    assert ecs.run_task(cluster="prod", taskDefinition="ssh")["failures"] == [{"arn": a, "reason": "RESOURCE:PORTS"}]
    dns = ecs.run_task(cluster="prod", taskDefinition="dns", count=2)
    assert len(dns["tasks"]) == 1
    assert dns["failures"] == [{"arn": a, "reason": "RESOURCE:PORTS_UDP"}]
    assert "8080" in remaining(ecs, a)["PORTS"]
    assert remaining(ecs, a)["PORTS_UDP"] == ["53"]


def test_host_mode_binds_the_container_port():
    _sim, ecs, (a,) = world()
    register(ecs, network_mode="host", ports=[{"containerPort": 8000}])
    out = ecs.run_task(cluster="prod", taskDefinition="web", count=2)
    assert out["tasks"][0]["containers"][0]["networkBindings"] == [
        {"bindIP": "0.0.0.0", "containerPort": 8000, "hostPort": 8000, "protocol": "tcp"}]
    assert out["failures"] == [{"arn": a, "reason": "RESOURCE:PORTS"}]


def test_dynamic_ports_lowest_free_first_and_reserved_range_from_config():
    sim, ecs, _ = world(azs=())
    (a,) = add_instances(sim, config=("ECS_DYNAMIC_HOST_PORT_RANGE=40000-40002",
                                      'ECS_RESERVED_PORTS=[22, 40001]'))
    register(ecs, ports=[{"containerPort": 80}, {"containerPort": 443, "hostPort": 0}])
    out = ecs.run_task(cluster="prod", taskDefinition="web", count=2)
    assert [t["containerInstanceArn"] for t in out["tasks"]] == [a]
    bindings = out["tasks"][0]["containers"][0]["networkBindings"]
    assert [(b["containerPort"], b["hostPort"]) for b in bindings] == [(80, 40000), (443, 40002)]
    # only two ports of 40000-40002 are free once 40001 is reserved: the second task cannot get two
    assert out["failures"] == [{"arn": a, "reason": "RESOURCE:PORTS"}]
    assert {"40000", "40001", "40002"} <= set(remaining(ecs, a)["PORTS"])


def test_required_attribute_missing_is_attribute_failure():
    sim, ecs, _ = world(azs=())
    (a,) = add_instances(sim, config=('ECS_AVAILABLE_LOGGING_DRIVERS=["json-file"]',))
    register(ecs, containers=[{"name": "web", "image": "nginx", "memory": 256, "logConfiguration": {
        "logDriver": "awslogs", "options": {"awslogs-group": "g", "awslogs-region": "us-east-1"}}}])
    out = ecs.run_task(cluster="prod", taskDefinition="web")
    assert out["tasks"] == []
    assert {"arn": a, "reason": "ATTRIBUTE"} in out["failures"]


def test_first_failing_check_wins():
    """An instance short of memory and of an attribute reports RESOURCE:MEMORY (checked first)."""
    sim, ecs, _ = world(azs=())
    (a,) = add_instances(sim, config=('ECS_AVAILABLE_LOGGING_DRIVERS=["json-file"]',))
    register(ecs, containers=[{"name": "web", "image": "nginx", "memory": 90000, "logConfiguration": {
        "logDriver": "awslogs", "options": {"awslogs-group": "g", "awslogs-region": "us-east-1"}}}])
    out = ecs.run_task(cluster="prod", taskDefinition="web")
    assert {"arn": a, "reason": "RESOURCE:MEMORY"} in out["failures"]


def test_disconnected_agent_is_agent_failure():
    sim, ecs, arns = world()
    ec2 = sim.client("ec2")
    ci = ecs.describe_container_instances(cluster="prod", containerInstances=arns)["containerInstances"][0]
    ec2.stop_instances(InstanceIds=[ci["ec2InstanceId"]])
    sim.advance(600)
    assert ecs.describe_container_instances(cluster="prod", containerInstances=arns)[
        "containerInstances"][0]["agentConnected"] is False
    register(ecs)
    out = ecs.run_task(cluster="prod", taskDefinition="web")
    assert out == {"tasks": [], "failures": [{"arn": arns[0], "reason": "AGENT"}]}


def test_draining_instances_get_no_tasks():
    _sim, ecs, (a, b) = world(per_az=2)
    ecs.update_container_instances_state(cluster="prod", containerInstances=[a], status="DRAINING")
    register(ecs)
    out = ecs.run_task(cluster="prod", taskDefinition="web", count=4, placementStrategy=BINPACK_MEM)
    assert set(placed_on(out)) == {b}


def test_no_container_instances_at_all_is_an_error():
    from ecslearn.sim import Simulator

    sim = Simulator(0)
    ecs = sim.client("ecs")
    ecs.create_cluster(clusterName="prod")
    register(ecs)
    with pytest.raises(ClientError) as info:
        ecs.run_task(cluster="prod", taskDefinition="web")
    assert info.value.response["Error"] == {"Code": "InvalidParameterException",
                                            "Message": "No Container Instances were found in your cluster."}


def test_awsvpc_on_ec2_location_failure_and_eni():
    sim, ecs, _ = world(azs=())
    (a,) = add_instances(sim, az="us-east-1a")
    register(ecs, network_mode="awsvpc", ports=[{"containerPort": 80}])
    subnets = subnets_by_az(sim)
    out = ecs.run_task(cluster="prod", taskDefinition="web", networkConfiguration={
        "awsvpcConfiguration": {"subnets": [subnets["us-east-1b"]]}})
    assert out["failures"] == [{"arn": a, "reason": "LOCATION"}]
    ok = ecs.run_task(cluster="prod", taskDefinition="web", count=2, networkConfiguration={
        "awsvpcConfiguration": {"subnets": [subnets["us-east-1b"], subnets["us-east-1a"]]}})
    assert placed_on(ok) == [a, a]  # awsvpc binds no host port, so two copies fit
    task = ok["tasks"][0]
    assert task["lastStatus"] == "PROVISIONING"
    details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    assert details["subnetId"] == subnets["us-east-1a"]
    assert task["containers"][0]["networkBindings"] == []
    assert task["containers"][0]["networkInterfaces"][0]["privateIpv4Address"] == details["privateIPv4Address"]


def test_start_task_failures_missing_and_inactive():
    _sim, ecs, (a, b) = world(per_az=2)
    register(ecs, memory=7000)
    ecs.deregister_container_instance(cluster="prod", containerInstance=b, force=True)
    missing = "arn:aws:ecs:us-east-1:123456789012:container-instance/prod/" + "0" * 32
    out = ecs.start_task(cluster="prod", taskDefinition="web", containerInstances=[a, a, b, missing])
    assert [t["containerInstanceArn"] for t in out["tasks"]] == [a]
    assert out["failures"] == [{"arn": a, "reason": "RESOURCE:MEMORY"}, {"arn": b, "reason": "INACTIVE"},
                               {"arn": missing, "reason": "MISSING"}]


def test_same_seed_same_world_of_placements():
    def run(seed):
        _sim, ecs, arns = world(seed, azs=("us-east-1a", "us-east-1b"), per_az=3)
        register(ecs)
        out = []
        for strategy in (None, [{"type": "spread", "field": "attribute:ecs.availability-zone"}], BINPACK_MEM):
            kw = {"placementStrategy": strategy} if strategy else {}
            res = ecs.run_task(cluster="prod", taskDefinition="web", count=5, **kw)
            out.append([(t["taskArn"], arns.index(t["containerInstanceArn"])) for t in res["tasks"]])
        return out

    assert run(21) == run(21)


def test_ecs_ami_helper_uses_the_public_parameter():
    from ecslearn.sim import Simulator

    assert ecs_ami(Simulator(0)).startswith("ami-")


def test_awsvpc_tasks_are_limited_by_the_instance_type_enis():
    sim, ecs, _ = world(azs=())
    (a,) = add_instances(sim, az="us-east-1a", instance_type="m5.large")  # 3 ENIs: 2 for tasks
    register(ecs, network_mode="awsvpc", memory=128)
    net = {"awsvpcConfiguration": {"subnets": [subnets_by_az(sim)["us-east-1a"]]}}
    out = ecs.run_task(cluster="prod", taskDefinition="web", count=3, networkConfiguration=net)
    assert len(out["tasks"]) == 2
    assert out["failures"] == [{"arn": a, "reason": "RESOURCE:ENI"}]
    ecs.stop_task(cluster="prod", task=out["tasks"][0]["taskArn"])
    assert ecs.run_task(cluster="prod", taskDefinition="web", networkConfiguration=net)["failures"] == [
        {"arn": a, "reason": "RESOURCE:ENI"}]  # the ENI is held until the task is STOPPED
    sim.settle()
    assert len(ecs.run_task(cluster="prod", taskDefinition="web", networkConfiguration=net)["tasks"]) == 1
