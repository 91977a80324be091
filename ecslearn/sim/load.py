"""Simulated load on ECS services, and the CloudWatch metrics computed from it every minute.

Without an override, a task uses what its images' workloads say (`Workload.cpu_percent` and
`memory_percent`, shares of each container's reservation). `set_service_load` overrides that for one
service:

- `cpu_percent` / `memory_percent` are the service's average utilization **when it runs `for_tasks`
  tasks** (default: as many as are RUNNING when the value takes effect). The demand behind them stays
  the same when the service scales, so with twice the tasks each uses half (capped at 100 %). That is
  what makes target tracking converge, as on a real service.
- `requests_per_minute` is the request rate the service's load balancer sends it; it is split over the
  target groups the service's tasks are registered in, and `RequestCountPerTarget` is that rate
  divided by the group's healthy targets (plus any requests really sent with `traffic.send_request`).
- `at` (seconds from now, or a datetime) makes the values take effect later; `set_service_load_schedule`
  sets several steps at once. Later steps override only the fields they give.

Metrics published each minute (ecs-reference §4.9; dimensions as CloudWatch names them):
- `AWS/ECS` `CPUUtilization` and `MemoryUtilization` (Percent) for `ClusterName`+`ServiceName` and for
  `ClusterName`, from RUNNING tasks only; a service with no RUNNING task has no datapoint (insufficient
  data, so target tracking does not scale it in).
- `AWS/ApplicationELB` `RequestCountPerTarget` (Count) for `TargetGroup` and `TargetGroup`+`LoadBalancer`,
  `RequestCount` for `LoadBalancer`, `HealthyHostCount`/`UnHealthyHostCount` for `TargetGroup`+`LoadBalancer`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from ecslearn.errors import SimulatorError

if TYPE_CHECKING:
    from ecslearn.sim.simulator import Simulator

_FIELDS = ("cpu_percent", "memory_percent", "requests_per_minute")


@dataclass
class LoadStep:
    when: datetime
    values: dict[str, float]
    for_tasks: int | None = None


def _state(sim: Simulator) -> dict[tuple[str, str], list[LoadStep]]:
    cw = sim.backend("cloudwatch")  # starts the minute clock
    if not hasattr(cw, "_service_load"):
        cw._service_load = {}  # type: ignore[attr-defined]
    return cw._service_load  # type: ignore[attr-defined,no-any-return]


def _name(ref: str, kind: str) -> str:
    if not isinstance(ref, str) or not ref:
        raise SimulatorError(f"the {kind} must be a name or ARN")
    if ref.startswith("arn:"):
        tail = ref.rsplit("/", 1)[-1]
        return tail
    return ref


def set_service_load(sim: Simulator, cluster: str, service: str, *, cpu_percent: float | None = None,
                     memory_percent: float | None = None, requests_per_minute: float | None = None,
                     at: float | datetime | None = None, for_tasks: int | None = None) -> None:
    """Override a service's load from now (or from `at`). See the module docstring."""
    values: dict[str, float] = {}
    for key, value in (("cpu_percent", cpu_percent), ("memory_percent", memory_percent),
                       ("requests_per_minute", requests_per_minute)):
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise SimulatorError(f"{key} must be a number >= 0, not {value!r}")
        if key != "requests_per_minute" and value > 100:
            raise SimulatorError(f"{key} is a percentage: 0-100, not {value!r}")
        values[key] = float(value)
    if not values:
        raise SimulatorError("give at least one of cpu_percent, memory_percent, requests_per_minute")
    if for_tasks is not None and (isinstance(for_tasks, bool) or not isinstance(for_tasks, int) or for_tasks < 1):
        raise SimulatorError("for_tasks must be a whole number >= 1")
    if at is None:
        when = sim.now
    elif isinstance(at, datetime):
        when = at
    elif isinstance(at, int | float) and not isinstance(at, bool) and at >= 0:
        when = sim.now + timedelta(seconds=at)
    else:
        raise SimulatorError("at must be seconds from now (>= 0) or a datetime")
    key = (_name(cluster, "cluster"), _name(service, "service"))
    if for_tasks is None and when <= sim.now:
        for_tasks = max(1, len(_running_service_tasks(sim, *key)))
    steps = _state(sim).setdefault(key, [])
    steps.append(LoadStep(when, values, for_tasks))
    steps.sort(key=lambda s: s.when)


def set_service_load_schedule(sim: Simulator, cluster: str, service: str,
                              steps: list[tuple[float, dict[str, float]]]) -> None:
    """Several steps at once: `[(0, {"cpu_percent": 80}), (900, {"cpu_percent": 10})]` (seconds from now)."""
    for at, values in steps:
        if not isinstance(values, dict) or set(values) - {*_FIELDS, "for_tasks"}:
            raise SimulatorError(f"each step is (seconds, {{{', '.join(_FIELDS)}}}), not {values!r}")
        set_service_load(sim, cluster, service, at=at, **values)


def clear_service_load(sim: Simulator, cluster: str, service: str) -> None:
    """Forget a service's overrides: its tasks use their workloads' values again."""
    _state(sim).pop((_name(cluster, "cluster"), _name(service, "service")), None)


def _running_service_tasks(sim: Simulator, cluster: str, service: str) -> list[Any]:
    if not sim.has_backend("ecs"):
        return []
    c = sim.backend("ecs").clusters.get(cluster)  # type: ignore[attr-defined]
    if c is None:
        return []
    group = f"service:{service}"
    return [t for t in c.tasks.values() if t.group == group and t.last_status == "RUNNING"]


def current_load(sim: Simulator, cluster: str, service: str) -> dict[str, tuple[float, int]]:
    """The override values in effect now: field → (value, for_tasks). Empty without overrides."""
    steps = _state(sim).get((_name(cluster, "cluster"), _name(service, "service")), [])
    out: dict[str, tuple[float, int]] = {}
    for step in steps:
        if step.when > sim.now:
            break
        if step.for_tasks is None:  # fixed when the step takes effect (deterministic)
            step.for_tasks = max(1, len(_running_service_tasks(sim, cluster, service)))
        for key, value in step.values.items():
            out[key] = (value, step.for_tasks)
    return out


def _workload_percent(task: Any, attr: str) -> float:
    weights, total = 0.0, 0.0
    for container in task.containers:
        w = container.workload
        value = float(getattr(w, attr, 5.0 if attr == "cpu_percent" else 20.0)) if w is not None else \
            (5.0 if attr == "cpu_percent" else 20.0)
        weight = float(container.definition.cpu or 0) if attr == "cpu_percent" else \
            float(container.definition.placement_memory() or 0)
        weight = weight or 1.0
        weights += weight
        total += value * weight
    return total / weights if weights else 0.0


def task_utilization(sim: Simulator, task: Any, *, running: int | None = None,
                     load: dict[str, tuple[float, int]] | None = None) -> tuple[float, float]:
    """(CPU %, memory %) a RUNNING task uses now, overrides included.

    `running` (the service's RUNNING tasks) and `load` (its `current_load`) may be passed in when the
    caller already knows them, so a minute's metrics cost one pass over the tasks.
    """
    cluster = task.cluster.name
    service = task.group.split(":", 1)[1] if task.group.startswith("service:") else ""
    if load is None:
        load = current_load(sim, cluster, service) if service else {}
    if load and running is None:
        running = len(_running_service_tasks(sim, cluster, service))
    out = []
    for attr in ("cpu_percent", "memory_percent"):
        if attr in load:
            value, for_tasks = load[attr]
            out.append(min(100.0, value * for_tasks / max(1, running or 1)))
        else:
            out.append(min(100.0, _workload_percent(task, attr)))
    return out[0], out[1]


def service_metrics(sim: Simulator, cluster: str, service: str) -> dict[str, float] | None:
    """Average CPU and memory utilization of a service's RUNNING tasks now (None: no RUNNING task)."""
    tasks = _running_service_tasks(sim, _name(cluster, "cluster"), _name(service, "service"))
    if not tasks:
        return None
    cpu = mem = 0.0
    load = current_load(sim, cluster, service)
    for t in tasks:
        c, m = task_utilization(sim, t, running=len(tasks), load=load)
        cpu += c
        mem += m
    return {"CPUUtilization": cpu / len(tasks), "MemoryUtilization": mem / len(tasks)}


def collect_service_metrics(sim: Simulator) -> list[tuple[str, str, dict[str, str], float, str]]:
    """The minute's AWS/ECS and AWS/ApplicationELB datapoints (called by the CloudWatch backend)."""
    out: list[tuple[str, str, dict[str, str], float, str]] = []
    groups_by_service: dict[tuple[str, str], set[str]] = {}
    if sim.has_backend("ecs"):
        ecs = sim.backend("ecs")
        for cluster in ecs.clusters.values():  # type: ignore[attr-defined]
            if cluster.status != "ACTIVE":
                continue
            by_service: dict[str, list[Any]] = {}
            for task in cluster.tasks.values():
                if task.last_status == "RUNNING" and task.group.startswith("service:"):
                    by_service.setdefault(task.group[8:], []).append(task)
            all_cpu: list[float] = []
            all_mem: list[float] = []
            for service, tasks in sorted(by_service.items()):
                load = current_load(sim, cluster.name, service)
                usage = [task_utilization(sim, t, running=len(tasks), load=load) for t in tasks]
                cpu = sum(u[0] for u in usage) / len(usage)
                mem = sum(u[1] for u in usage) / len(usage)
                all_cpu += [u[0] for u in usage]
                all_mem += [u[1] for u in usage]
                dims = {"ClusterName": cluster.name, "ServiceName": service}
                out.append(("AWS/ECS", "CPUUtilization", dims, round(cpu, 4), "Percent"))
                out.append(("AWS/ECS", "MemoryUtilization", dims, round(mem, 4), "Percent"))
            if all_cpu:
                dims = {"ClusterName": cluster.name}
                out.append(("AWS/ECS", "CPUUtilization", dims, round(sum(all_cpu) / len(all_cpu), 4), "Percent"))
                out.append(("AWS/ECS", "MemoryUtilization", dims, round(sum(all_mem) / len(all_mem), 4), "Percent"))
    if not sim.has_backend("elbv2"):
        return out
    elb = sim.backend("elbv2")
    cw = sim.backend("cloudwatch")
    seen: dict[str, int] = getattr(cw, "_seen_requests", {})
    cw._seen_requests = seen  # type: ignore[attr-defined]
    for tg in elb.target_groups.values():  # type: ignore[attr-defined]
        for target in tg.targets.values():
            task = target.task
            if task is not None and target.state != "draining" and task.group.startswith("service:"):
                groups_by_service.setdefault((task.cluster.name, task.group[8:]), set()).add(tg.arn)
    simulated: dict[str, float] = {}
    for (cluster, service), tg_arns in groups_by_service.items():
        rpm = current_load(sim, cluster, service).get("requests_per_minute")
        if rpm:
            for arn in tg_arns:
                simulated[arn] = simulated.get(arn, 0.0) + rpm[0] / len(tg_arns)
    per_lb: dict[str, float] = {}
    for tg in elb.target_groups.values():  # type: ignore[attr-defined]
        real = tg.requests - seen.get(tg.arn, 0)
        seen[tg.arn] = tg.requests
        if not tg.load_balancer_arns:
            continue
        total = real + simulated.get(tg.arn, 0.0)
        live = [t for t in tg.targets.values() if t.state != "draining"]
        healthy = sum(1 for t in live if t.state == "healthy")
        unhealthy = sum(1 for t in live if t.state == "unhealthy")
        if live:
            per_target = total / (healthy or len(live))
            out.append(("AWS/ApplicationELB", "RequestCountPerTarget", {"TargetGroup": tg.resource_label},
                        round(per_target, 4), "Count"))
        for lb_arn in tg.load_balancer_arns:
            lb = elb.load_balancers.get(lb_arn)  # type: ignore[attr-defined]
            if lb is None:
                continue
            dims = {"TargetGroup": tg.resource_label, "LoadBalancer": lb.resource_label}
            if live:
                out.append(("AWS/ApplicationELB", "RequestCountPerTarget", dims,
                            round(total / (healthy or len(live)), 4), "Count"))
            out.append(("AWS/ApplicationELB", "HealthyHostCount", dims, float(healthy), "Count"))
            out.append(("AWS/ApplicationELB", "UnHealthyHostCount", dims, float(unhealthy), "Count"))
            per_lb[lb.resource_label] = per_lb.get(lb.resource_label, 0.0) + total
    for label, total in sorted(per_lb.items()):
        out.append(("AWS/ApplicationELB", "RequestCount", {"LoadBalancer": label}, round(total, 4), "Count"))
    return out


__all__ = ["clear_service_load", "collect_service_metrics", "current_load", "service_metrics",
           "set_service_load", "set_service_load_schedule", "task_utilization"]
