"""The cluster map as data: clusters → Availability Zones → container instances (with CPU and memory
used and free) → tasks, plus services (desired/running), Fargate tasks by AZ and EC2 instances that
never joined a cluster. `ui.map` draws it. Read through the public API only, so any simulator works.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ecslearn.errors import NotModelledError, SimulatorError


@dataclass(frozen=True)
class TaskBox:
    id: str                 # short task id (8 characters)
    family: str             # `web:3`
    last_status: str
    desired_status: str
    group: str              # `service:web` or `family:web`
    launch_type: str
    stopped_reason: str | None = None


@dataclass
class InstanceBox:
    instance_id: str        # EC2 id (or the container-instance id when there is none)
    instance_type: str
    status: str             # ACTIVE, DRAINING, ...
    agent_connected: bool
    cpu_total: int
    cpu_free: int
    memory_total: int
    memory_free: int
    tasks: list[TaskBox] = field(default_factory=list)

    @property
    def cpu_used(self) -> int:
        return self.cpu_total - self.cpu_free

    @property
    def memory_used(self) -> int:
        return self.memory_total - self.memory_free


@dataclass
class ZoneBox:
    name: str
    instances: list[InstanceBox] = field(default_factory=list)
    fargate: list[TaskBox] = field(default_factory=list)


@dataclass(frozen=True)
class ServiceBox:
    name: str
    status: str
    desired: int
    running: int
    pending: int
    launch_type: str
    last_event: str | None = None


@dataclass
class ClusterBox:
    name: str
    status: str
    zones: list[ZoneBox] = field(default_factory=list)
    services: list[ServiceBox] = field(default_factory=list)
    unplaced: list[TaskBox] = field(default_factory=list)    # tasks with no instance and no AZ yet
    stopped: list[TaskBox] = field(default_factory=list)     # the latest stopped tasks


@dataclass(frozen=True)
class LooseInstance:
    """An EC2 instance that is not a container instance of any cluster (and why, if the agent said)."""

    instance_id: str
    instance_type: str
    state: str
    zone: str
    note: str | None = None


@dataclass
class ClusterMap:
    clusters: list[ClusterBox] = field(default_factory=list)
    loose: list[LooseInstance] = field(default_factory=list)
    now: Any = None


def _resource(items: list[dict[str, Any]], name: str) -> int:
    for r in items or []:
        if r.get("name") == name:
            return int(r.get("integerValue") or 0)
    return 0


def _attr(ci: dict[str, Any], name: str) -> str | None:
    for a in ci.get("attributes") or []:
        if a.get("name") == name:
            return a.get("value")
    return None


def _task(t: dict[str, Any]) -> TaskBox:
    family = t.get("taskDefinitionArn", "").rsplit("/", 1)[-1]
    return TaskBox(t.get("taskArn", "").rsplit("/", 1)[-1][:8], family, t.get("lastStatus", "?"),
                   t.get("desiredStatus", "?"), t.get("group", ""), t.get("launchType", "EC2") or "EC2",
                   t.get("stoppedReason") if t.get("lastStatus") == "STOPPED" else None)


def _chunks(items: list[str], n: int = 100) -> list[list[str]]:
    return [items[i:i + n] for i in range(0, len(items), n)]


def cluster_map(sim: Any, *, stopped_limit: int = 4) -> ClusterMap:
    """Read the map from a simulator (`sim.client(...)`; a recording simulator's quiet view is best)."""
    out = ClusterMap(now=getattr(sim, "now", None))
    ecs = sim.client("ecs")
    registered: set[str] = set()
    try:
        arns = ecs.list_clusters().get("clusterArns", [])
    except (SimulatorError, NotModelledError):
        arns = []
    clusters = []
    for chunk in _chunks(arns):
        clusters += ecs.describe_clusters(clusters=chunk).get("clusters", [])
    for c in sorted(clusters, key=lambda c: c["clusterName"]):
        box = ClusterBox(c["clusterName"], c.get("status", "?"))
        name = c["clusterArn"]
        zones: dict[str, ZoneBox] = {}
        by_ci: dict[str, InstanceBox] = {}
        ci_arns = ecs.list_container_instances(cluster=name).get("containerInstanceArns", [])
        for chunk in _chunks(ci_arns):
            for ci in ecs.describe_container_instances(cluster=name, containerInstances=chunk).get(
                    "containerInstances", []):
                zone = _attr(ci, "ecs.availability-zone") or "unknown AZ"
                inst = InstanceBox(ci.get("ec2InstanceId") or ci["containerInstanceArn"].rsplit("/", 1)[-1][:12],
                                   _attr(ci, "ecs.instance-type") or "?", ci.get("status", "?"),
                                   bool(ci.get("agentConnected")),
                                   _resource(ci.get("registeredResources"), "CPU"),
                                   _resource(ci.get("remainingResources"), "CPU"),
                                   _resource(ci.get("registeredResources"), "MEMORY"),
                                   _resource(ci.get("remainingResources"), "MEMORY"))
                registered.add(inst.instance_id)
                by_ci[ci["containerInstanceArn"]] = inst
                zones.setdefault(zone, ZoneBox(zone)).instances.append(inst)
        task_arns = ecs.list_tasks(cluster=name).get("taskArns", [])
        for chunk in _chunks(task_arns):
            for t in ecs.describe_tasks(cluster=name, tasks=chunk).get("tasks", []):
                task = _task(t)
                ci = t.get("containerInstanceArn")
                if ci and ci in by_ci:
                    by_ci[ci].tasks.append(task)
                elif t.get("availabilityZone"):
                    zones.setdefault(t["availabilityZone"], ZoneBox(t["availabilityZone"])).fargate.append(task)
                else:
                    box.unplaced.append(task)
        stopped = ecs.list_tasks(cluster=name, desiredStatus="STOPPED").get("taskArns", [])[:stopped_limit]
        if stopped:
            box.stopped = [_task(t) for t in ecs.describe_tasks(cluster=name, tasks=stopped).get("tasks", [])]
        svc_arns = ecs.list_services(cluster=name).get("serviceArns", [])
        for chunk in _chunks(svc_arns, 10):
            for s in ecs.describe_services(cluster=name, services=chunk).get("services", []):
                events = s.get("events") or []
                box.services.append(ServiceBox(s["serviceName"], s.get("status", "?"), int(s.get("desiredCount", 0)),
                                               int(s.get("runningCount", 0)), int(s.get("pendingCount", 0)),
                                               s.get("launchType") or ("capacity provider"
                                                                       if s.get("capacityProviderStrategy") else "EC2"),
                                               events[0].get("message") if events else None))
        box.services.sort(key=lambda s: s.name)
        for inst in by_ci.values():
            inst.tasks.sort(key=lambda t: (t.family, t.id))
        box.zones = [zones[z] for z in sorted(zones)]
        out.clusters.append(box)
    out.loose = _loose(sim, registered)
    return out


def _loose(sim: Any, registered: set[str]) -> list[LooseInstance]:
    try:
        reservations = sim.client("ec2").describe_instances().get("Reservations", [])
    except (SimulatorError, NotModelledError):
        return []
    from ecslearn.scenario import _agent_msg

    try:
        from ecslearn.sim.agent import agent_log
    except ImportError:  # pragma: no cover
        agent_log = None  # type: ignore[assignment]
    out = []
    for r in reservations:
        for i in r.get("Instances", []):
            iid = i["InstanceId"]
            state = (i.get("State") or {}).get("Name", "?")
            if iid in registered or state in ("terminated",):
                continue
            note = None
            if agent_log is not None:
                from ecslearn.lesson.world import worst_lines

                lines = worst_lines(agent_log(getattr(sim, "_sim", sim), iid))
                if lines:
                    note = "agent: " + _agent_msg(lines[-1])
                elif not agent_log(getattr(sim, "_sim", sim), iid):
                    note = "no ECS agent log: the AMI has no agent, or it has not started yet"
            out.append(LooseInstance(iid, i.get("InstanceType", "?"), state,
                                     (i.get("Placement") or {}).get("AvailabilityZone", "?"), note))
    return out


__all__ = ["ClusterBox", "ClusterMap", "InstanceBox", "LooseInstance", "ServiceBox", "TaskBox", "ZoneBox",
           "cluster_map"]
