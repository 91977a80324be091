"""placement.place (fast path, with and without its caches) equals placement.place_reference.

These two are pure functions over ContainerInstance records, so this test builds random small clusters
of records directly and runs both on identical copies with identical RNGs.
"""

from __future__ import annotations

import copy
import random
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from ecslearn.sim.ecs import placement as pl
from ecslearn.sim.ecs.models import ContainerInstance

AZS = ("us-east-1a", "us-east-1b", "us-east-1c")
PORT_RANGE = (49153, 49156)  # tiny, so dynamic ports run out


class World:
    """Instances plus the task state the placement reads; `commit` reserves like the tasks module."""

    def __init__(self, instances, needs, group, groups, running):
        self.instances = instances
        self.needs = needs
        self.group = group
        self.groups = groups  # group -> {ci id -> n}
        self.running = running  # ci id -> RUNNING tasks
        self.version = 1

    def group_counts(self, group):
        return self.groups.get(group, {})

    def running_tasks_count(self, ci):
        return self.running.get(ci.id, 0)

    def task_groups(self, ci):
        return {g for g, per in self.groups.items() if per.get(ci.id, 0)}

    def commit(self, ci):
        tcp = list(self.needs.tcp)
        for _ in range(self.needs.dynamic_tcp):
            lo, hi = ci.dynamic_port_range
            tcp.append(next(p for p in range(lo, hi + 1)
                            if p not in ci.used_tcp and p not in ci.reserved_tcp and p not in tcp))
        udp = list(self.needs.udp)
        for _ in range(self.needs.dynamic_udp):
            lo, hi = ci.dynamic_port_range
            udp.append(next(p for p in range(lo, hi + 1)
                            if p not in ci.used_udp and p not in ci.reserved_udp and p not in udp))
        ci.enis_used += self.needs.enis
        ci.reserve(self.needs.cpu, self.needs.memory, tcp, udp)
        per = self.groups.setdefault(self.group, {})
        per[ci.id] = per.get(ci.id, 0) + 1


@st.composite
def instance(draw, index):
    cpu = draw(st.sampled_from([1024, 2048, 4096]))
    mem = draw(st.sampled_from([1024, 2048, 3990]))
    az = draw(st.sampled_from(AZS))
    attrs = {"ecs.availability-zone": az}
    if draw(st.booleans()):
        attrs["ecs.capability.task-eni"] = None
    itype = draw(st.sampled_from([None, "t3.micro", "m5.large"]))  # 1 and 2 task ENIs
    if itype:
        attrs["ecs.instance-type"] = itype
    stack = draw(st.sampled_from([None, "prod", "dev"]))
    if stack:
        attrs["stack"] = stack
    ci = ContainerInstance(
        id=f"{index:032x}", arn=f"arn:aws:ecs:us-east-1:123456789012:container-instance/c/{index:032x}",
        cluster=None, ec2_instance_id=f"i-{index:017x}", registered_at=datetime(2026, 1, 5, tzinfo=UTC),
        registered_cpu=cpu, registered_memory=mem, reserved_tcp=[22, 2375, 2376, 51678, 51679],
        reserved_udp=draw(st.sampled_from([[], [53]])), dynamic_port_range=PORT_RANGE,
        availability_zone=az, attributes=attrs,
        status=draw(st.sampled_from(["ACTIVE", "ACTIVE", "ACTIVE", "DRAINING"])),
        agent_connected=draw(st.sampled_from([True, True, True, False])),
        remaining_cpu=draw(st.integers(0, cpu // 256)) * 256,
        remaining_memory=draw(st.integers(0, mem // 128)) * 128)
    ci.used_tcp = set(draw(st.lists(st.sampled_from([80, 8080, 49153, 49154, 49155]), max_size=3)))
    ci.used_udp = set(draw(st.lists(st.sampled_from([53, 49153]), max_size=1)))
    ci.enis_used = draw(st.integers(0, 2))
    return ci


STRATEGIES = [pl.Strategy("binpack", "cpu"), pl.Strategy("binpack", "memory"),
              pl.Strategy("spread", "instanceId"), pl.Strategy("spread", "attribute:ecs.availability-zone"),
              pl.Strategy("spread", "attribute:stack"), pl.Strategy("random")]
EXPRESSIONS = ["attribute:stack == prod", "attribute:stack exists", "task:group != g",
               "runningTasksCount < 2", "not(task:group == h) or attribute:stack == dev",
               "attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", "agentConnected == true"]


@st.composite
def scenario(draw):
    n = draw(st.integers(1, 7))
    instances = [draw(instance(i)) for i in range(n)]
    needs = pl.Needs(
        cpu=draw(st.sampled_from([0, 256, 512, 1024])), memory=draw(st.sampled_from([128, 512, 1024])),
        tcp=tuple(draw(st.lists(st.sampled_from([80, 8080]), max_size=1))),
        udp=tuple(draw(st.lists(st.sampled_from([53, 5353]), max_size=1))),
        dynamic_tcp=draw(st.integers(0, 2)), dynamic_udp=draw(st.integers(0, 1)),
        attributes=tuple(draw(st.lists(st.sampled_from(["ecs.capability.task-eni", "stack"]), max_size=1))),
        azs=draw(st.sampled_from([None, frozenset({"us-east-1a", "us-east-1c"})])),
        enis=draw(st.sampled_from([0, 0, 1])))
    strategies = draw(st.lists(st.sampled_from(STRATEGIES), max_size=3))
    constraints = []
    if draw(st.booleans()):
        constraints.append(pl.Constraint("distinctInstance"))
    for text in draw(st.lists(st.sampled_from(EXPRESSIONS), max_size=2)):
        constraints.append(pl.Constraint("memberOf", pl.cql.parse(text)))
    group = draw(st.sampled_from(["g", "h"]))
    groups = {g: {ci.id: draw(st.integers(0, 2)) for ci in instances} for g in ("g", "h")}
    running = {ci.id: draw(st.integers(0, 3)) for ci in instances}
    counts = draw(st.lists(st.integers(1, 10), min_size=1, max_size=3))
    seed = draw(st.integers(0, 2**16))
    return instances, needs, strategies, constraints, group, groups, running, counts, seed


def run(kind, instances, needs, strategies, constraints, group, groups, running, counts, seed):
    world = World(copy.deepcopy(instances), needs, group, copy.deepcopy(groups), dict(running))
    rng = random.Random(seed)
    cache = pl.new_cache()
    out = []
    for count in counts:  # several calls in a row: the fast path's caches must stay right
        if kind == "reference":
            chosen, failures = pl.place_reference(world.instances, needs, count, group=group,
                                                  strategies=strategies, constraints=constraints, ctx=world,
                                                  rng=rng)
        else:
            chosen, failures = pl.place(world.instances, needs, count, group=group, strategies=strategies,
                                        constraints=constraints, ctx=world, rng=rng,
                                        cache=cache if kind == "cached" else None, version=1)
        out.append(([ci.id for ci in chosen], failures))
    state = [(ci.remaining_cpu, ci.remaining_memory, sorted(ci.used_tcp), sorted(ci.used_udp))
             for ci in world.instances]
    return out, state


@settings(max_examples=100, deadline=None)
@given(scenario())
def test_fast_path_equals_reference(case):
    reference = run("reference", *case)
    assert run("fast", *case) == reference
    assert run("cached", *case) == reference


def test_fast_path_sees_changes_between_calls():
    """Instances that change between calls (a task stopped elsewhere) are re-checked by the index."""
    insts = [ContainerInstance(id=f"{i:032x}", arn=f"arn:{i}", cluster=None, ec2_instance_id=f"i-{i}",
                               registered_at=datetime(2026, 1, 5, tzinfo=UTC), registered_cpu=1024,
                               registered_memory=1024, reserved_tcp=[], reserved_udp=[],
                               dynamic_port_range=PORT_RANGE, availability_zone="us-east-1a",
                               remaining_cpu=1024, remaining_memory=1024) for i in range(3)]
    needs = pl.Needs(cpu=512, memory=512)
    world = World(insts, needs, "g", {}, {})
    cache = pl.new_cache()
    strat = [pl.Strategy("binpack", "memory")]
    chosen, _ = pl.place(insts, needs, 6, group="g", strategies=strat, constraints=[], ctx=world,
                         rng=random.Random(0), cache=cache, version=1)
    assert [c.id for c in chosen] == [insts[0].id] * 2 + [insts[1].id] * 2 + [insts[2].id] * 2
    _, failures = pl.place(insts, needs, 1, group="g", strategies=strat, constraints=[], ctx=world,
                           rng=random.Random(0), cache=cache, version=1)
    assert [f["reason"] for f in failures] == ["RESOURCE:CPU"] * 3
    insts[1].release(512, 512, [], [])  # a task stopped on the second instance
    chosen, failures = pl.place(insts, needs, 1, group="g", strategies=strat, constraints=[], ctx=world,
                                rng=random.Random(0), cache=cache, version=1)
    assert [c.id for c in chosen] == [insts[1].id] and failures == []
