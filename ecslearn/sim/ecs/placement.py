"""Task placement for the EC2 and EXTERNAL launch types (ecs-reference §3): pure functions.

`place()` chooses a container instance for each of `count` identical tasks. After each choice it
calls `ctx.commit(instance)`, which reserves the task's resources and records its group, so the next
task of the same call sees the result (distinctInstance, spread and binpack all count tasks placed
earlier in the call).

**Filtering** (§3.1). An instance is a candidate when every check passes. When a task cannot be placed,
each rejected instance is reported with the reason of the *first* check it fails, in this order:

1. `AGENT`: its agent is disconnected;
2. `RESOURCE:CPU`, 3. `RESOURCE:MEMORY`: not enough remaining CPU units / MiB;
4. `RESOURCE:PORTS`: a static TCP host port is held by a task or reserved, or no dynamic TCP port is
   left in the instance's dynamic range; 5. `RESOURCE:PORTS_UDP`: the same for UDP; `RESOURCE:ENI`: an awsvpc task needs an ENI and the
   instance already has as many task ENIs as its type allows minus the primary one (no ENI trunking);
6. `ATTRIBUTE`: a required attribute is missing (`requiresAttributes` of the task definition, and
   `ecs.capability.task-eni` for awsvpc tasks), or a `memberOf` expression is false (§3.5 counts
   memberOf under ATTRIBUTE);
7. `LOCATION`: awsvpc task whose subnets are all in other Availability Zones;
8. `DistinctInstance placement constraint unsatisfied.`: the instance already runs a task of the group
   (wording as the ECS console shows it; the reference sheet lists no code for this case).

Only ACTIVE instances are considered. DRAINING and INACTIVE instances get no tasks and are not listed
in `failures` (§5.2). **One failure per instance per call**: when a task cannot be placed, nothing
changes for the tasks after it (they are identical), so placement stops there and each ACTIVE instance
appears once with its reason. If every task is placed, `failures` is empty.

**Strategies** (§3.2) run in the order given; each keeps the candidates that are best for it and
hands them to the next:
* `binpack` on `cpu`/`memory`: the least remaining amount of that resource (every candidate fits);
* `spread` on `instanceId` (alias `host`) or `attribute:<name>`: the value with the fewest tasks of the
  same task group, counting every ACTIVE or DRAINING instance with that value (an instance without
  the attribute counts under a "no value" bucket);
* `random`: one candidate chosen with `rng.choice` over the remaining candidates in registration order
  (the simulator's seeded RNG, so the same seed gives the same placements); strategies after a
  `random` have nothing left to decide.

**Tie-break** (§10 leaves it open): when candidates are still tied after the last strategy, the
instance that registered first wins (order of `cluster.container_instances`). With no strategy at all
the caller passes its default (RunTask: `random`, as the API guide describes, §3.3; services pass
spread over `attribute:ecs.availability-zone` then `instanceId`).

**Speed**: the result equals `place_reference()` (the definition above written out, one full scan
per task), but `place()` scans the instances once per call, keeps the candidate list up to date by
re-checking only the instance that just received a task, keeps binpack candidates in a sorted list
(bisect), and keeps spread counts per value. The static part of the filter (attributes, location and
memberOf expressions that do not read task state) is cached per `cluster.version`.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import operator
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ecslearn.sim import cql, instance_types
from ecslearn.sim.errors import invalid_parameter

AGENT = "AGENT"
CPU = "RESOURCE:CPU"
MEMORY = "RESOURCE:MEMORY"
PORTS = "RESOURCE:PORTS"
PORTS_UDP = "RESOURCE:PORTS_UDP"
ENI = "RESOURCE:ENI"
ATTRIBUTE = "ATTRIBUTE"
LOCATION = "LOCATION"
DISTINCT = "DistinctInstance placement constraint unsatisfied."
MISSING = "MISSING"
INACTIVE = "INACTIVE"

MAX_STRATEGIES = 5
MAX_CONSTRAINTS = 10


@dataclass(frozen=True)
class Needs:
    """What one task takes from an instance."""

    cpu: int
    memory: int
    tcp: tuple[int, ...] = ()  # static TCP host ports
    udp: tuple[int, ...] = ()
    dynamic_tcp: int = 0  # how many host ports from the dynamic range
    dynamic_udp: int = 0
    attributes: tuple[str, ...] = ()  # attribute names the instance must have
    azs: frozenset[str] | None = None  # awsvpc: the subnets' Availability Zones
    enis: int = 0  # task ENIs (1 for an awsvpc task on EC2)


@dataclass(frozen=True)
class Strategy:
    type: str  # binpack | spread | random
    field: str | None = None  # binpack: cpu|memory; spread: instanceId | attribute:<name>

    def to_api(self) -> dict[str, str]:
        out = {"type": self.type}
        if self.field is not None:
            out["field"] = self.field
        return out


@dataclass(frozen=True)
class Constraint:
    type: str  # distinctInstance | memberOf
    expression: cql.Expression | None = None

    def to_api(self) -> dict[str, str]:
        out = {"type": self.type}
        if self.expression is not None:
            out["expression"] = self.expression.text
        return out


class Context(Protocol):
    """Task state the placement reads, and the hook that records a choice."""

    def group_counts(self, group: str) -> Mapping[str, int]:
        """Tasks of `group` placed and not yet STOPPED, by container-instance id."""
        ...

    def running_tasks_count(self, ci: Any) -> int: ...

    def task_groups(self, ci: Any) -> Any: ...

    def commit(self, ci: Any) -> None:
        """Reserve the task's resources on `ci` and count it in its group."""
        ...


# --- parsing the request ------------------------------------------------------------------------


def parse_strategies(raw: Any) -> list[Strategy]:
    """`placementStrategy` → Strategy list, or InvalidParameterException."""
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise invalid_parameter("placementStrategy must be a list.")
    if len(raw) > MAX_STRATEGIES:
        raise invalid_parameter(f"The number of placement strategies must be at most {MAX_STRATEGIES}.")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise invalid_parameter("Each placement strategy must be an object with a type.")
        unknown = set(item) - {"type", "field"}
        if unknown:
            raise invalid_parameter(f"Unknown placement strategy key: {sorted(unknown)[0]}.")
        kind, field = item.get("type"), item.get("field")
        if field is not None and not isinstance(field, str):
            raise invalid_parameter("A placement strategy field must be a string.")
        if kind == "random":
            out.append(Strategy("random", None))
        elif kind == "binpack":
            if field is None or field.lower() not in ("cpu", "memory"):
                raise invalid_parameter(f"Invalid field for placement strategy binpack: {field}. "
                                        "Valid fields are cpu and memory.")
            out.append(Strategy("binpack", field.lower()))
        elif kind == "spread":
            if field is None:
                raise invalid_parameter("A spread placement strategy needs a field.")
            if field.lower() in ("instanceid", "host"):
                out.append(Strategy("spread", "instanceId"))
            elif field.startswith("attribute:") and len(field) > 10:
                out.append(Strategy("spread", field))
            else:
                raise invalid_parameter(f"Invalid field for placement strategy spread: {field}. Valid fields "
                                        "are instanceId, host or attribute:<attribute-name>.")
        else:
            raise invalid_parameter(f"Invalid placement strategy type: {kind}. "
                                    "Valid types are random, spread and binpack.")
    return out


def parse_constraints(raw: Any, *, allow_distinct: bool = True, where: str = "placementConstraints"
                      ) -> list[Constraint]:
    """`placementConstraints` → Constraint list (expressions parsed), or InvalidParameterException."""
    if raw is None:
        return []
    if not isinstance(raw, list | tuple):
        raise invalid_parameter(f"{where} must be a list.")
    out = []
    for item in raw:
        if not isinstance(item, dict):
            raise invalid_parameter("Each placement constraint must be an object with a type.")
        unknown = set(item) - {"type", "expression"}
        if unknown:
            raise invalid_parameter(f"Unknown placement constraint key: {sorted(unknown)[0]}.")
        kind, expr = item.get("type"), item.get("expression")
        if kind == "distinctInstance":
            if not allow_distinct:
                raise invalid_parameter("distinctInstance is not a valid placement constraint type "
                                        "for a task definition.")
            if expr not in (None, ""):
                raise invalid_parameter("A distinctInstance placement constraint takes no expression.")
            out.append(Constraint("distinctInstance"))
        elif kind == "memberOf":
            if not isinstance(expr, str) or not expr.strip():
                raise invalid_parameter("A memberOf placement constraint needs an expression.")
            out.append(Constraint("memberOf", cql.parse(expr)))
        else:
            raise invalid_parameter(f"Invalid placement constraint type: {kind}. "
                                    "Valid types are distinctInstance and memberOf.")
    return out


# --- the checks ---------------------------------------------------------------------------------


@functools.lru_cache(maxsize=256)
def _eni_slots(instance_type: str | None) -> int:
    found = instance_types.instance_type(instance_type) if instance_type else None
    return found.max_enis - 1 if found is not None else 1 << 30  # the primary ENI is the instance's


def eni_slots(ci: Any) -> int:
    """Task ENIs an instance can attach: its type's ENI limit minus the primary ENI (no trunking)."""
    return _eni_slots(ci.attributes.get("ecs.instance-type"))


def free_dynamic(ci: Any, protocol: str) -> int:
    """How many host ports of the instance's dynamic range are neither held nor reserved."""
    lo, hi = ci.dynamic_port_range
    used = ci.used_udp if protocol == "udp" else ci.used_tcp
    reserved = ci.reserved_udp if protocol == "udp" else ci.reserved_tcp
    taken = {p for p in used if lo <= p <= hi}
    taken.update(p for p in reserved if lo <= p <= hi)
    return hi - lo + 1 - len(taken)


def _ports_ok(ci: Any, ports: tuple[int, ...], dynamic: int, protocol: str) -> bool:
    used = ci.used_udp if protocol == "udp" else ci.used_tcp
    reserved = ci.reserved_udp if protocol == "udp" else ci.reserved_tcp
    for p in ports:
        if p in used or p in reserved:
            return False
    if dynamic:
        lo, hi = ci.dynamic_port_range
        if hi - lo + 1 - len(used) - len(reserved) >= dynamic:
            return True
        return free_dynamic(ci, protocol) >= dynamic
    return True


def _static_ok(ci: Any, needs: Needs, static_exprs: Sequence[cql.Expression], ctx: Any) -> bool:
    attrs = ci.attributes
    for name in needs.attributes:
        if name not in attrs:
            return False
    if needs.azs is not None and ci.availability_zone not in needs.azs:
        return False
    return all(e.evaluate(ci, ctx) for e in static_exprs)


def reject_reason(ci: Any, needs: Needs, group: str, constraints: Sequence[Constraint], ctx: Context,
                  group_counts: Mapping[str, int] | None = None) -> str | None:
    """Why `ci` cannot take the task (first failing check, in the documented order), or None."""
    if not ci.agent_connected:
        return AGENT
    if ci.remaining_cpu < needs.cpu:
        return CPU
    if ci.remaining_memory < needs.memory:
        return MEMORY
    if not _ports_ok(ci, needs.tcp, needs.dynamic_tcp, "tcp"):
        return PORTS
    if not _ports_ok(ci, needs.udp, needs.dynamic_udp, "udp"):
        return PORTS_UDP
    if needs.enis and ci.enis_used + needs.enis > eni_slots(ci):
        return ENI
    for name in needs.attributes:
        if name not in ci.attributes:
            return ATTRIBUTE
    for c in constraints:
        if c.type == "memberOf" and c.expression is not None and not c.expression.evaluate(ci, ctx):
            return ATTRIBUTE
    if needs.azs is not None and ci.availability_zone not in needs.azs:
        return LOCATION
    if any(c.type == "distinctInstance" for c in constraints):
        counts = ctx.group_counts(group) if group_counts is None else group_counts
        if counts.get(ci.id, 0) > 0:
            return DISTINCT
    return None


def failures_for(instances: Sequence[Any], needs: Needs, group: str, constraints: Sequence[Constraint],
                 ctx: Context) -> list[dict[str, str]]:
    """One `{arn, reason}` per ACTIVE instance that cannot take the task."""
    counts = ctx.group_counts(group)
    out = []
    for ci in instances:
        if ci.status != "ACTIVE":
            continue
        reason = reject_reason(ci, needs, group, constraints, ctx, counts)
        if reason is not None:
            out.append({"arn": ci.arn, "reason": reason})
    return out


# --- strategies ---------------------------------------------------------------------------------


def _spread_value(ci: Any, field: str) -> Any:
    if field == "instanceId":
        return ci.id
    return ci.attributes.get(field[10:], None)


def _value_counts(instances: Sequence[Any], field: str, counts: Mapping[str, int]) -> dict[Any, int]:
    out: dict[Any, int] = {}
    for ci in instances:
        if ci.status not in ("ACTIVE", "DRAINING"):
            continue
        v = _spread_value(ci, field)
        out[v] = out.get(v, 0) + counts.get(ci.id, 0)
    return out


def _apply_chain(cands: list[Any], chain: Sequence[Strategy], instances: Sequence[Any],
                 counts: Mapping[str, int], rng: random.Random,
                 value_counts: Callable[[str], Mapping[Any, int]] | None = None,
                 values: Callable[[str], Mapping[str, Any]] | None = None) -> Any:
    """The straightforward chain over a candidate list in registration order; returns the winner."""
    for strat in chain:
        if len(cands) == 1:
            break
        if strat.type == "random":
            return rng.choice(cands)
        if strat.type == "binpack":
            if strat.field == "cpu":
                best = min(ci.remaining_cpu for ci in cands)
                cands = [ci for ci in cands if ci.remaining_cpu == best]
            else:
                best = min(ci.remaining_memory for ci in cands)
                cands = [ci for ci in cands if ci.remaining_memory == best]
        else:  # spread
            field = strat.field or "instanceId"
            if field == "instanceId":
                best = min(counts.get(ci.id, 0) for ci in cands)
                cands = [ci for ci in cands if counts.get(ci.id, 0) == best]
            else:
                vc = value_counts(field) if value_counts else _value_counts(instances, field, counts)
                if values is not None:
                    vals = values(field)
                    keyed = [(vc.get(vals[ci.id], 0), ci) for ci in cands]
                else:
                    keyed = [(vc.get(_spread_value(ci, field), 0), ci) for ci in cands]
                best = min(k for k, _ in keyed)
                cands = [ci for k, ci in keyed if k == best]
    return cands[0]


def place_reference(instances: Sequence[Any], needs: Needs, count: int, *, group: str,
                    strategies: Sequence[Strategy], constraints: Sequence[Constraint], ctx: Context,
                    rng: random.Random) -> tuple[list[Any], list[dict[str, str]]]:
    """The definition, written out: a full scan of every instance for every task. Slow; for tests."""
    chosen: list[Any] = []
    for _ in range(count):
        counts = ctx.group_counts(group)
        cands = [ci for ci in instances if ci.status == "ACTIVE"
                 and reject_reason(ci, needs, group, constraints, ctx, counts) is None]
        if not cands:
            return chosen, failures_for(instances, needs, group, constraints, ctx)
        ci = _apply_chain(cands, strategies, instances, counts, rng)
        ctx.commit(ci)
        chosen.append(ci)
    return chosen, []


# --- the fast path ------------------------------------------------------------------------------

_VERSION = operator.attrgetter("version")


def _fits_fn(needs: Needs) -> Callable[[Any], bool]:
    """Checks 1-5 of the filter (agent, CPU, memory, ports) plus status ACTIVE, as one function."""
    cpu, mem = needs.cpu, needs.memory
    tcp, udp, dtcp, dudp = needs.tcp, needs.udp, needs.dynamic_tcp, needs.dynamic_udp
    plain = not tcp and not udp and not dudp
    enis = needs.enis

    def fits(ci: Any) -> bool:
        if not (ci.remaining_memory >= mem and ci.remaining_cpu >= cpu and ci.agent_connected
                and ci.status == "ACTIVE"):
            return False
        if enis and ci.enis_used + enis > eni_slots(ci):
            return False
        if plain:
            if dtcp:
                lo, hi = ci.dynamic_port_range
                if hi - lo + 1 - len(ci.used_tcp) - len(ci.reserved_tcp) < dtcp:
                    return free_dynamic(ci, "tcp") >= dtcp
            return True
        return _ports_ok(ci, tcp, dtcp, "tcp") and _ports_ok(ci, udp, dudp, "udp")

    return fits


class _FitIndex:
    """Which statically eligible instances fit one kind of task, kept up to date across calls.

    Every call compares the sum of the instances' `version`s with the one seen last time (versions
    only grow, so an equal sum means no change) and, when it differs, re-checks only the instances
    whose version changed; reservations and releases bump
    `ContainerInstance.version`, and agent-connection and status changes bump it and the cluster's
    version (which rebuilds the index). The fitting instances are kept sorted (bisect) by (remaining
    resource, registration order) for binpack, else by registration order.
    """

    def __init__(self, static: list[Any], order: dict[str, int], needs: Needs, attr: str | None) -> None:
        self.static = static
        self.position = {ci.id: i for i, ci in enumerate(static)}
        self.order = order
        self.fits = _fits_fn(needs)
        self.attr = attr
        self.fit_ids: set[str] = set()
        self.keys: list[tuple[int, int]] = []
        self.cis: list[Any] = []
        self.key_of: dict[str, tuple[int, int]] = {}
        self.stamps = self._stamps()
        self.total = sum(self.stamps)
        pairs = sorted((self._key(ci), ci) for ci in static if self.fits(ci))
        self.keys = [k for k, _ in pairs]
        self.cis = [ci for _, ci in pairs]
        self.key_of = {ci.id: k for k, ci in pairs}
        self.fit_ids = set(self.key_of)

    def _key(self, ci: Any) -> tuple[int, int]:
        """Binpack: (remaining resource, registration order); otherwise registration order alone."""
        return (getattr(ci, self.attr) if self.attr is not None else 0, self.order[ci.id])

    def _stamps(self) -> list[int]:
        return list(map(_VERSION, self.static))

    def refresh(self) -> None:
        # versions only grow, so an unchanged sum means nothing changed (no list to build)
        if sum(map(_VERSION, self.static)) == self.total:
            return
        new = self._stamps()
        for ci, a, b in zip(self.static, new, self.stamps):
            if a != b:
                self._recheck(ci)
        self.stamps = new
        self.total = sum(new)

    def _recheck(self, ci: Any) -> None:
        key = self.key_of.pop(ci.id, None)
        if key is not None:
            at = bisect.bisect_left(self.keys, key)
            del self.keys[at]
            del self.cis[at]
        self.fit_ids.discard(ci.id)
        if self.fits(ci):
            self.fit_ids.add(ci.id)
            key = self._key(ci)
            at = bisect.bisect_left(self.keys, key)
            self.keys.insert(at, key)
            self.cis.insert(at, ci)
            self.key_of[ci.id] = key

    def changed(self, ci: Any) -> None:
        """`ci` just received a task: re-check it and remember its new stamp."""
        self._recheck(ci)
        i = self.position.get(ci.id)
        if i is not None:
            self.total += ci.version - self.stamps[i]
            self.stamps[i] = ci.version


class _HeapIndex:
    """Heap mode: [spread on an attribute] then binpack / spread-instanceId strategies, without random.

    The winner is the lexicographic minimum of (tasks of the group with the instance's value of the
    lead attribute, the per-instance keys of the other strategies, registration order). A placement
    changes only the chosen instance's keys, so each value's instances sit in a heap of (keys, instance)
    with lazy deletion: an entry counts only while it equals the instance's current key in `live`.
    Kept across calls (like `_FitIndex`) when there are no task-state constraints: every change of a
    group count comes with a reservation or release on that instance, which bumps its `version`.
    """

    def __init__(self, static: list[Any], order: dict[str, int], fits: Callable[[Any], bool],
                 rest: Sequence[Strategy], lead_values: dict[str, Any] | None) -> None:
        self.static = static
        self.position = {ci.id: i for i, ci in enumerate(static)}
        self.order = order
        self.fits = fits
        self.getters = [operator.attrgetter("remaining_cpu" if s.field == "cpu" else "remaining_memory")
                        if s.type == "binpack" else None for s in rest]
        self.lead_values = lead_values
        self.live: dict[str, tuple[int, ...]] = {}
        self.buckets: dict[Any, list[tuple[tuple[int, ...], Any]]] = {}
        self.stamps: list[int] | None = None
        self.total = 0
        self.entries = 0

    def key(self, ci: Any, counts: Mapping[str, int]) -> tuple[int, ...]:
        return (*(counts.get(ci.id, 0) if g is None else g(ci) for g in self.getters), self.order[ci.id])

    def bucket_of(self, ci: Any) -> Any:
        return self.lead_values[ci.id] if self.lead_values is not None else None

    def rebuild(self, counts: Mapping[str, int], candidates: Sequence[Any] | None = None) -> None:
        self.live = {}
        self.buckets = {}
        for ci in self.static if candidates is None else candidates:
            if candidates is not None or self.fits(ci):
                k = self.live[ci.id] = self.key(ci, counts)
                self.buckets.setdefault(self.bucket_of(ci), []).append((k, ci))
        for b in self.buckets.values():
            heapq.heapify(b)
        self.entries = len(self.live)
        self.stamps = list(map(_VERSION, self.static))
        self.total = sum(self.stamps)

    def refresh(self, counts: Mapping[str, int]) -> None:
        if self.stamps is None or self.entries > 4 * len(self.live) + 256:
            self.rebuild(counts)
            return
        if sum(map(_VERSION, self.static)) == self.total:  # versions only grow
            return
        new = list(map(_VERSION, self.static))
        for ci, a, b in zip(self.static, new, self.stamps):
            if a != b:
                self.update(ci, counts)
        self.stamps = new
        self.total = sum(new)

    def update(self, ci: Any, counts: Mapping[str, int]) -> None:
        if self.fits(ci):
            k = self.live[ci.id] = self.key(ci, counts)
            heapq.heappush(self.buckets.setdefault(self.bucket_of(ci), []), (k, ci))
            self.entries += 1
        else:
            self.live.pop(ci.id, None)

    def changed(self, ci: Any, counts: Mapping[str, int]) -> None:
        self.update(ci, counts)
        i = self.position.get(ci.id)
        if i is not None and self.stamps is not None:
            self.total += ci.version - self.stamps[i]
            self.stamps[i] = ci.version

    def _top(self, b: list[tuple[tuple[int, ...], Any]]) -> tuple[tuple[int, ...], Any] | None:
        live = self.live
        while b:
            k, ci = b[0]
            if live.get(ci.id) == k:
                return b[0]
            heapq.heappop(b)
            self.entries -= 1
        return None

    def best(self, value_counts: Mapping[Any, int] | None) -> Any:
        """The winning instance, or None when nothing fits."""
        if value_counts is None:
            b = self.buckets.get(None)
            t = self._top(b) if b else None
            return t[1] if t is not None else None
        found: tuple[Any, ...] | None = None
        for v, b in self.buckets.items():
            t = self._top(b)
            if t is not None and (found is None or (value_counts.get(v, 0), t[0]) < found[:2]):
                found = (value_counts.get(v, 0), t[0], t[1])
        return found[2] if found is not None else None


class _ValueTally:
    """Tasks of one group per value of one attribute (spread), kept across calls.

    Recounted from the group's per-instance counts only when the sum of the instances' versions moved
    for another reason than the placements this module made itself (a task stopped, another group's
    task arrived): every change of a group count comes with a reservation or release, which bumps the
    instance's version.
    """

    def __init__(self, instances: Sequence[Any], values: dict[str, Any]) -> None:
        self.instances = instances
        self.values = values
        self.total: int | None = None
        self.counts: dict[Any, int] = {}

    def current(self, group_counts: Mapping[str, int]) -> dict[Any, int]:
        total = sum(map(_VERSION, self.instances))
        if total != self.total:
            vals = self.values
            vc: dict[Any, int] = {}
            for cid, n in group_counts.items():
                if n and cid in vals:
                    vc[vals[cid]] = vc.get(vals[cid], 0) + n
            self.counts = vc
            self.total = total
        return self.counts


class _StaticCache:
    """Per-cluster cache: static filter results and fit indexes, dropped when the version changes."""

    def __init__(self) -> None:
        self.version: Any = None
        self.entries: dict[Any, Any] = {}

    def get(self, version: Any, key: Any, build: Callable[[], Any]) -> Any:
        if version != self.version:
            self.version = version
            self.entries = {}
        found = self.entries.get(key)
        if found is None:
            if len(self.entries) > 128:
                self.entries = {}
            found = self.entries[key] = build()
        return found


def new_cache() -> _StaticCache:
    """A per-cluster cache for `place(cache=...)`; it is keyed on the `version` passed with it."""
    return _StaticCache()


def place(instances: Sequence[Any], needs: Needs, count: int, *, group: str,
          strategies: Sequence[Strategy], constraints: Sequence[Constraint], ctx: Context,
          rng: random.Random, cache: _StaticCache | None = None, version: Any = None
          ) -> tuple[list[Any], list[dict[str, str]]]:
    """Place `count` tasks; returns the chosen instances (in task order) and the failures.

    `instances` are the cluster's container instances in registration order. `cache`/`version`
    (optional) reuse the static filter and the fit indexes while `version` (the cluster's version:
    instances, attributes and status) is unchanged.
    """
    static_exprs = tuple(c.expression for c in constraints
                         if c.type == "memberOf" and c.expression is not None and not c.expression.dynamic)
    dynamic_exprs = tuple(c.expression for c in constraints
                          if c.type == "memberOf" and c.expression is not None and c.expression.dynamic)
    distinct = any(c.type == "distinctInstance" for c in constraints)

    # strategies up to and including the first random decide; later ones never do
    chain: list[Strategy] = []
    for s in strategies:
        chain.append(s)
        if s.type == "random":
            break
    lead = chain[0] if chain else None
    binpack_attr = None
    if lead is not None and lead.type == "binpack":
        binpack_attr = "remaining_cpu" if lead.field == "cpu" else "remaining_memory"

    def build_static() -> tuple[list[Any], dict[str, int]]:
        order = {ci.id: i for i, ci in enumerate(instances)}
        return [ci for ci in instances if _static_ok(ci, needs, static_exprs, ctx)], order

    # the instance list is part of the key: EC2, EXTERNAL and each capacity provider have their own
    static_key = ("static", id(instances), len(instances), needs.attributes, needs.azs,
                  tuple(e.text for e in static_exprs))
    if cache is not None and version is not None:
        static, order = cache.get(version, static_key, build_static)
    else:
        static, order = build_static()

    counts = ctx.group_counts(group)
    base_fits = _fits_fn(needs)

    def fits(ci: Any) -> bool:
        if not base_fits(ci):
            return False
        if distinct and counts.get(ci.id, 0) > 0:
            return False
        return all(e.evaluate(ci, ctx) for e in dynamic_exprs)

    lead_attr = chain[0].field if chain and chain[0].type == "spread" and chain[0].field != "instanceId" else None
    rest = chain[1:] if lead_attr else chain
    heap_mode = binpack_attr is None and bool(chain) and all(
        s.type == "binpack" or (s.type == "spread" and s.field == "instanceId") for s in rest)
    persistent = cache is not None and version is not None and not distinct and not dynamic_exprs

    index: _FitIndex | None = None
    fit: list[Any] = []
    if persistent and not heap_mode:
        index = cache.get(version, ("fit", static_key, needs, binpack_attr),  # type: ignore[union-attr]
                          lambda: _FitIndex(static, order, needs, binpack_attr))
        index.refresh()
        if binpack_attr is None:
            fit = index.cis  # the index's own list, in registration order; index.changed() keeps it
    elif not persistent:
        fit = [ci for ci in static if fits(ci)]

    sorted_keys: list[tuple[int, int]] = []
    sorted_cis: list[Any] = []
    if binpack_attr is not None:
        if index is not None:
            sorted_keys, sorted_cis = index.keys, index.cis
        else:
            pairs = sorted(((getattr(ci, binpack_attr), order[ci.id]), ci) for ci in fit)
            sorted_keys = [k for k, _ in pairs]
            sorted_cis = [ci for _, ci in pairs]

    spread_fields = {s.field for s in chain if s.type == "spread" and s.field and s.field != "instanceId"}
    values: dict[str, dict[str, Any]] = {}
    vcounts: dict[str, dict[Any, int]] = {}
    tallies: dict[str, _ValueTally] = {}
    for f in spread_fields:
        def build_values(f: str = f) -> dict[str, Any]:
            return {ci.id: _spread_value(ci, f) for ci in instances if ci.status in ("ACTIVE", "DRAINING")}

        if cache is not None and version is not None:
            vals = values[f] = cache.get(version, ("values", f, id(instances), len(instances)), build_values)
            tally = tallies[f] = cache.get(version, ("tally", f, id(instances), group),
                                           lambda vals=vals: _ValueTally(instances, vals))
            vcounts[f] = tally.current(counts)
        else:
            vals = values[f] = build_values()
            vcounts[f] = _ValueTally(instances, vals).current(counts)

    heap: _HeapIndex | None = None
    if heap_mode:
        lead_values = values[lead_attr] if lead_attr else None
        if persistent:
            heap = cache.get(version, ("heap", static_key, needs, group, tuple(rest), lead_attr),  # type: ignore[union-attr]
                             lambda: _HeapIndex(static, order, base_fits, rest, lead_values))
            heap.refresh(counts)
        else:
            heap = _HeapIndex(static, order, fits, rest, lead_values)
            heap.rebuild(counts, fit)

    chosen: list[Any] = []
    for _ in range(count):
        if heap is not None:
            ci = heap.best(vcounts[lead_attr] if lead_attr else None)
            if ci is None:
                return chosen, failures_for(instances, needs, group, constraints, ctx)
        elif binpack_attr is not None:
            if not sorted_cis:
                return chosen, failures_for(instances, needs, group, constraints, ctx)
            if len(chain) == 1:
                ci = sorted_cis[0]
            else:
                end = bisect.bisect_left(sorted_keys, (sorted_keys[0][0] + 1, -1))
                tied = sorted_cis[:end]
                ci = tied[0] if len(tied) == 1 else _apply_chain(tied, chain[1:], instances, counts, rng,
                                                                vcounts.__getitem__, values.__getitem__)
            old = (getattr(ci, binpack_attr), order[ci.id])
        else:
            if not fit:
                return chosen, failures_for(instances, needs, group, constraints, ctx)
            ci = fit[0] if not chain else _apply_chain(fit, chain, instances, counts, rng, vcounts.__getitem__,
                                                       values.__getitem__)
        before = ci.version
        ctx.commit(ci)
        counts = ctx.group_counts(group)
        chosen.append(ci)
        for f, vc in vcounts.items():
            v = values[f].get(ci.id)
            vc[v] = vc.get(v, 0) + 1
        for tally in tallies.values():
            tally.total += ci.version - before  # the tally above already counts this task
        if heap is not None:
            heap.changed(ci, counts)
            continue
        if index is not None:
            index.changed(ci)  # keeps the index's sorted lists (and so `fit`) in step
            continue
        still = fits(ci)
        if binpack_attr is not None:
            at = bisect.bisect_left(sorted_keys, old)
            del sorted_keys[at]
            del sorted_cis[at]
            if still:
                new = (getattr(ci, binpack_attr), order[ci.id])
                at = bisect.bisect_left(sorted_keys, new)
                sorted_keys.insert(at, new)
                sorted_cis.insert(at, ci)
        elif not still:
            fit.remove(ci)
    return chosen, []
