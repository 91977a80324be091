"""remainingResources accounting balances under random RunTask / StopTask / advance sequences."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecslearn.sim.workloads import set_workload
from tests.sim.test_tasks_support import add_instances, world

FAMILIES = ("dyn", "static", "udp", "host", "job", "stubborn", "big")
STRATEGIES = (None, [{"type": "binpack", "field": "memory"}], [{"type": "spread", "field": "instanceId"}],
              [{"type": "random"}], [{"type": "spread", "field": "attribute:ecs.availability-zone"},
                                     {"type": "binpack", "field": "cpu"}])


def setup(seed):
    sim, ecs, arns = world(seed, azs=("us-east-1a",), per_az=2, instance_type="t3.medium")
    arns += add_instances(sim, az="us-east-1b", instance_type="t3.medium")
    set_workload(sim, "job", exit_code=1, exit_after=7)
    set_workload(sim, "stubborn", ignores_sigterm=True)
    reg = ecs.register_task_definition
    reg(family="dyn", containerDefinitions=[{"name": "a", "image": "nginx", "cpu": 256, "memory": 300,
                                             "portMappings": [{"containerPort": 80}]}])
    reg(family="static", containerDefinitions=[{"name": "a", "image": "nginx", "cpu": 128, "memory": 200,
                                                "portMappings": [{"containerPort": 80, "hostPort": 8080}]}])
    reg(family="udp", containerDefinitions=[{"name": "a", "image": "nginx", "cpu": 0, "memoryReservation": 64,
                                             "portMappings": [{"containerPort": 53, "hostPort": 53,
                                                               "protocol": "udp"},
                                                              {"containerPort": 54, "protocol": "udp"}]}])
    reg(family="host", networkMode="host", containerDefinitions=[
        {"name": "a", "image": "nginx", "cpu": 512, "memory": 128, "portMappings": [{"containerPort": 9000}]}])
    reg(family="job", containerDefinitions=[{"name": "a", "image": "job", "cpu": 1024, "memory": 256},
                                            {"name": "b", "image": "nginx", "memory": 64, "essential": False,
                                             "portMappings": [{"containerPort": 81}]}])
    reg(family="stubborn", containerDefinitions=[{"name": "a", "image": "stubborn", "memory": 900,
                                                  "stopTimeout": 20}])
    reg(family="big", cpu="2048", memory="3500", containerDefinitions=[{"name": "a", "image": "nginx"}])
    return sim, ecs, arns


ops = st.lists(st.one_of(
    st.tuples(st.just("run"), st.sampled_from(FAMILIES), st.integers(1, 10), st.sampled_from(STRATEGIES)),
    st.tuples(st.just("stop"), st.integers(0, 50)),
    st.tuples(st.just("advance"), st.sampled_from([0.5, 1, 3, 8, 25, 60])),
), min_size=1, max_size=25)


def check(ecs, arns):
    task_arns = []
    for status in ("RUNNING", "STOPPED"):
        task_arns += ecs.list_tasks(cluster="prod", desiredStatus=status)["taskArns"]
    tasks = []
    for i in range(0, len(task_arns), 100):
        tasks += ecs.describe_tasks(cluster="prod", tasks=task_arns[i:i + 100])["tasks"]
    cis = ecs.describe_container_instances(cluster="prod", containerInstances=arns)["containerInstances"]
    for ci in cis:
        reg = {r["name"]: r for r in ci["registeredResources"]}
        rem = {r["name"]: r for r in ci["remainingResources"]}
        holding = [t for t in tasks if t["containerInstanceArn"] == ci["containerInstanceArn"]
                   and t["lastStatus"] != "STOPPED"]
        cpu = sum(int(t["cpu"]) for t in holding)
        mem = sum(int(t["memory"]) for t in holding)
        assert rem["CPU"]["integerValue"] == reg["CPU"]["integerValue"] - cpu >= 0
        assert rem["MEMORY"]["integerValue"] == reg["MEMORY"]["integerValue"] - mem >= 0
        for proto, name in (("tcp", "PORTS"), ("udp", "PORTS_UDP")):
            held = [b["hostPort"] for t in holding for c in t["containers"] for b in c["networkBindings"]
                    if b["protocol"] == proto]
            assert len(held) == len(set(held)), f"{proto} host port used twice: {held}"
            reserved = set(reg[name].get("stringSetValue", []))
            assert not reserved & {str(p) for p in held}
            assert set(rem[name].get("stringSetValue", [])) == reserved | {str(p) for p in held}
    return tasks


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 3), ops)
def test_accounting_balances(seed, operations):
    sim, ecs, arns = setup(seed)
    known: list[str] = []
    for op in operations:
        if op[0] == "run":
            _, family, count, strategy = op
            kw = {"placementStrategy": strategy} if strategy else {}
            out = ecs.run_task(cluster="prod", taskDefinition=family, count=count, **kw)
            known += [t["taskArn"] for t in out["tasks"]]
            assert len(out["tasks"]) == count or out["failures"]
            assert len({f["arn"] for f in out["failures"]}) == len(out["failures"])  # one per instance
        elif op[0] == "stop":
            if known:
                ecs.stop_task(cluster="prod", task=known[op[1] % len(known)])
        else:
            sim.advance(op[1])
        check(ecs, arns)
    sim.settle()
    tasks = check(ecs, arns)
    for t in tasks:
        if t["desiredStatus"] == "STOPPED":
            assert t["lastStatus"] == "STOPPED"
            assert t["stopCode"] in ("UserInitiated", "EssentialContainerExited")


def test_everything_is_given_back_when_all_tasks_stop():
    sim, ecs, arns = setup(1)
    before = ecs.describe_container_instances(cluster="prod", containerInstances=arns)["containerInstances"]
    for family in FAMILIES:
        ecs.run_task(cluster="prod", taskDefinition=family, count=3)
    sim.advance(30)
    for arn in ecs.list_tasks(cluster="prod")["taskArns"]:
        ecs.stop_task(cluster="prod", task=arn)
    sim.settle()
    after = ecs.describe_container_instances(cluster="prod", containerInstances=arns)["containerInstances"]
    assert [ci["remainingResources"] for ci in after] == [ci["remainingResources"] for ci in before]
