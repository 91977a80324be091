"""ECS tasks: RunTask, StartTask, StopTask, DescribeTasks, ListTasks and the task lifecycle (§1).

Lifecycle (ecs-reference §1.1), driven by the simulator's clock with these fixed durations:

    PROVISIONING  awsvpc only: the ENI is created and attached   EC2 awsvpc 5 s, Fargate 10 s
    PENDING       the agent picks the task up (1 s), then pulls its images: pullStartedAt ...
                  pullStoppedAt (EC2 3 s, Fargate 5 s). At pull time `_task_start_failure(task)`
                  (startchecks.py) may stop the task (stopCode TaskFailedToStart, its reason)
    ACTIVATING    containers are created and started: the longest `start_seconds` of the images'
                  workloads (default 2 s)
    RUNNING       startedAt; every container RUNNING (runtimeId, `_container_started`,
                  `_container_output` with the workload's log lines)
    DEACTIVATING  after a stop request on a RUNNING task, 1 s (`task.extra["deactivate_seconds"]`
                  overrides it, e.g. for load balancer deregistration)
    STOPPING      SIGTERM to every running container: a container that handles it exits 0 after 1 s;
                  one whose workload ignores SIGTERM is killed after its stop timeout (container
                  `stopTimeout`, else on EC2 the agent's ECS_CONTAINER_STOP_TIMEOUT, else 30 s)
                  with exit code 137
    DEPROVISIONING  awsvpc only: the ENI is detached and deleted, 5 s
    STOPPED       stoppedAt; CPU, memory and host ports go back to the instance at this moment
                  (after DEPROVISIONING for awsvpc tasks, together with executionStoppedAt otherwise)

A stop requested before RUNNING skips DEACTIVATING/STOPPING (no container ran): the task goes to
DEPROVISIONING (awsvpc) or STOPPED at once. Workload exits: an essential container that exits stops
the task (stopCode EssentialContainerExited, stoppedReason `Essential container in task exited`); a
non-essential one only stops itself. StopTask: stopCode UserInitiated, the given reason or `Task
stopped by user`. The first stop wins: later stop requests change nothing. STOPPED tasks stay
describable (and listable with desiredStatus=STOPPED) for one hour after stoppedAt, then disappear.

Container health (task-definition `healthCheck` only, §1.1): with a workload reporting HEALTHY the
container turns HEALTHY one `interval` (default 30 s) after RUNNING; UNHEALTHY is reported after
`startPeriod + interval * retries` (defaults 0, 30, 3) of failures, counted from RUNNING or from the
workload's `health_fails_after`. The task's healthStatus is HEALTHY only when every essential
container is HEALTHY, else UNHEALTHY if one is, else UNKNOWN (containers without a health check are
UNKNOWN). A standalone task is not stopped for being unhealthy.

Host ports (§2.5, §3.6): bridge mappings with hostPort 0/absent take the lowest free port of the
instance's dynamic range (not held by a task and not reserved); host mode binds the container port;
awsvpc and Fargate tasks bind nothing on the host (the ENI has the task's own IP).

Placement is `placement.py`. RunTask with no placementStrategy uses `random` (the API guide's default,
§3.3). Fargate tasks take one subnet per task: the subnet (in the order given) whose Availability Zone
has the fewest non-stopped Fargate tasks of the group, so tasks spread over AZs; EC2 awsvpc tasks use
the first given subnet in their instance's AZ.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim import workloads as wl
from ecslearn.sim.base import check_type, operation
from ecslearn.sim.ecs import placement as pl
from ecslearn.sim.ecs.core import EcsCore
from ecslearn.sim.ecs.models import Cluster, Container, ContainerDef, ContainerInstance, Task, TaskDefinition
from ecslearn.sim.errors import aws_error, client_exception, invalid_parameter

ENI_ATTACH_SECONDS = 5.0
FARGATE_PROVISION_SECONDS = 10.0
AGENT_PICKUP_SECONDS = 1.0
PULL_SECONDS = 3.0
FARGATE_PULL_SECONDS = 5.0
DEACTIVATING_SECONDS = 1.0
STOP_GRACE_SECONDS = 1.0
DEFAULT_STOP_TIMEOUT = 30
ENI_DETACH_SECONDS = 5.0
STOPPED_RETENTION_SECONDS = 3600.0
FARGATE_PLATFORM_VERSIONS = {"LATEST": "1.4.0", "1.4.0": "1.4.0", "1.3.0": "1.3.0"}

ESSENTIAL_EXITED = "Essential container in task exited"
STOPPED_BY_USER = "Task stopped by user"
LAUNCH_TYPES = ("EC2", "FARGATE", "EXTERNAL")

_CONTAINER_OVERRIDE_KEYS = ("name", "command", "environment", "environmentFiles", "cpu", "memory",
                            "memoryReservation", "resourceRequirements")
_OVERRIDE_KEYS = ("containerOverrides", "cpu", "inferenceAcceleratorOverrides", "executionRoleArn",
                  "memory", "taskRoleArn", "ephemeralStorage")


def _unknown_key(path: str, key: str, allowed: tuple[str, ...]) -> ParamValidationError:
    return ParamValidationError(f'Unknown parameter in {path}: "{key}", must be one of: {", ".join(allowed)}')


def _parse_units(text: str, what: str) -> int:
    """Task-level cpu ("256", "1 vCPU") or memory ("512", "1GB") override → units / MiB."""
    t = text.strip()
    m = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(vcpu|gb)?", t, re.IGNORECASE)
    if not m:
        raise invalid_parameter(f"Invalid '{what}' setting for task.")
    value = float(m.group(1))
    unit = (m.group(2) or "").lower()
    if unit:
        value *= 1024
    if value <= 0 or value != int(value):
        raise invalid_parameter(f"Invalid '{what}' setting for task.")
    return int(value)


def _copy_overrides(o: dict[str, Any]) -> dict[str, Any]:
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in o.items()}
    out["containerOverrides"] = [{k: ([dict(x) for x in v] if k == "environment" else
                                      list(v) if isinstance(v, list) else v) for k, v in co.items()}
                                 for co in o.get("containerOverrides", [])]
    out["inferenceAcceleratorOverrides"] = [dict(x) for x in o.get("inferenceAcceleratorOverrides", [])]
    return out


class _Fresh(dict):  # type: ignore[type-arg]
    """A response built from scratch for one call (nothing in it is shared with the backend's state).

    The client deep-copies every response so callers can never reach into the simulator; for these the
    copy can be shallow, which keeps RunTask fast (benchmarks/placement.py).
    """

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, Any]:
        return dict(self)


class _PlacementCtx:
    """The placement.Context of one RunTask/StartTask call on one cluster."""

    def __init__(self, backend: TasksMixin, cluster: Cluster, commit: Callable[[ContainerInstance], None]):
        self.backend = backend
        self.cluster = cluster
        self._commit = commit

    def group_counts(self, group: str) -> dict[str, int]:
        return self.backend._groups_of(self.cluster).get(group, {})

    def running_tasks_count(self, ci: ContainerInstance) -> int:
        tasks = self.cluster.tasks
        return sum(1 for tid in ci.task_ids if tid in tasks and tasks[tid].last_status == "RUNNING")

    def task_groups(self, ci: ContainerInstance) -> set[str]:
        tasks = self.cluster.tasks
        return {tasks[tid].group for tid in ci.task_ids if tid in tasks}

    def commit(self, ci: ContainerInstance) -> None:
        self._commit(ci)


class _Plan:
    """What every task of one launch shares: containers after overrides, reservations, ports."""

    def __init__(self) -> None:
        self.containers: list[tuple[ContainerDef, dict[str, Any]]] = []  # (definition, override)
        self.workloads: list[wl.Workload] = []  # the behaviour of each container's image
        self.task_overrides: dict[str, Any] = {}  # Task.overrides, as DescribeTasks shows them
        self.cpu = 0
        self.memory = 0
        self.needs: pl.Needs = pl.Needs(0, 0)
        # per mapping: (container index, containerPort, protocol, static host port or None for dynamic)
        self.bindings: list[tuple[int, int, str, int | None]] = []


class TasksMixin(EcsCore):
    """Tasks, their lifecycle and placement. Internal API for other mixins:

    `_launch_tasks(...)`, `_stop_task(task, stop_code=..., reason=...)`, `_task_listeners`.
    """

    def _init_state(self) -> None:
        #: image → Workload (see sim/workloads.py); set with workloads.set_workload
        self.workloads: dict[str, wl.Workload] = getattr(self, "workloads", None) or {}
        #: called after a task is created and after each lastStatus / healthStatus change
        self._task_listeners: list[Callable[[Task], None]] = []
        self._placement_caches: dict[str, Any] = {}
        #: cluster arn → group → container-instance id → tasks placed and not yet STOPPED
        self._group_index: dict[str, dict[str, dict[str, int]]] = {}
        self._client_tokens: dict[tuple[str, str], tuple[str, list[str], list[dict[str, str]]]] = {}
        self._purger = None

    # --- helpers ------------------------------------------------------------------------------

    def _groups_of(self, cluster: Cluster) -> dict[str, dict[str, int]]:
        found = self._group_index.get(cluster.arn)
        if found is None:
            found = self._group_index[cluster.arn] = {}
        return found

    def _notify(self, task: Task) -> None:
        for fn in list(self._task_listeners):
            fn(task)

    def _set_status(self, task: Task, status: str) -> None:
        task.last_status = status
        task.version += 1
        self._notify(task)

    def _later(self, task: Task, delay: float, fn: Callable[[], None], name: str) -> None:
        task.next_event = self.sim.schedule(delay, fn, name=f"task {task.id[:8]} {name}")

    def _ensure_purger(self) -> None:
        if self._purger is None:
            self._purger = self.sim.every(600, self._purge_all_stopped, name="ecs: forget stopped tasks")

    def _purge_all_stopped(self) -> None:
        for cluster in self.clusters.values():
            self._purge_stopped(cluster)

    def _purge_stopped(self, cluster: Cluster) -> None:
        """Forget tasks stopped more than an hour ago (§1.1)."""
        limit = self.sim.now - timedelta(seconds=STOPPED_RETENTION_SECONDS)
        gone = [tid for tid, t in cluster.tasks.items()
                if t.last_status == "STOPPED" and t.stopped_at is not None and t.stopped_at <= limit]
        for tid in gone:
            task = cluster.tasks.pop(tid)
            self._arn_index.pop(task.arn, None)

    def _find_task(self, cluster: Cluster, ref: str) -> Task | None:
        if not isinstance(ref, str) or not ref:
            return None
        if ref.startswith("arn:"):
            if ":task/" not in ref:
                return None
            parts = ref.split(":task/", 1)[1].split("/")
            if len(parts) == 2 and parts[0] != cluster.name:
                return None
            ref = parts[-1]
        return cluster.tasks.get(ref)

    def _instance_by_ref(self, cluster: Cluster, ref: str) -> ContainerInstance | None:
        if not isinstance(ref, str) or not ref:
            return None
        if ref.startswith("arn:"):
            if ":container-instance/" not in ref:
                return None
            ref = ref.rsplit("/", 1)[-1]
        return cluster.container_instances.get(ref)

    # --- request checks -----------------------------------------------------------------------

    def _check_overrides(self, td: TaskDefinition, overrides: Any) -> dict[str, Any]:
        if overrides is None:
            return {}
        check_type("overrides", overrides, dict)
        for key in overrides:
            if key not in _OVERRIDE_KEYS:
                raise _unknown_key("overrides", key, _OVERRIDE_KEYS)
        out: dict[str, Any] = {}
        for key in ("cpu", "memory", "taskRoleArn", "executionRoleArn"):
            if overrides.get(key) is not None:
                out[key] = check_type(f"overrides.{key}", overrides[key], str)
        if overrides.get("inferenceAcceleratorOverrides"):
            raise NotModelledError("inferenceAcceleratorOverrides", operation_name="RunTask")
        if overrides.get("ephemeralStorage") is not None:
            es = check_type("overrides.ephemeralStorage", overrides["ephemeralStorage"], dict)
            size = es.get("sizeInGiB")
            check_type("overrides.ephemeralStorage.sizeInGiB", size, int)
            if not 20 <= size <= 200:
                raise invalid_parameter("The ephemeral storage size must be between 20 and 200 GiB.")
            out["ephemeralStorage"] = {"sizeInGiB": size}
        cos = overrides.get("containerOverrides")
        if cos is not None:
            check_type("overrides.containerOverrides", cos, (list, tuple))
            out["containerOverrides"] = []
            seen: set[str] = set()
            for i, co in enumerate(cos):
                path = f"overrides.containerOverrides[{i}]"
                check_type(path, co, dict)
                for key in co:
                    if key not in _CONTAINER_OVERRIDE_KEYS:
                        raise _unknown_key(path, key, _CONTAINER_OVERRIDE_KEYS)
                name = co.get("name")
                if name is None:
                    raise invalid_parameter("Container overrides must name a container.")
                check_type(f"{path}.name", name, str)
                if td.container(name) is None:
                    raise invalid_parameter(f"Override for container named {name} is not a container in "
                                            "the TaskDefinition.")
                if name in seen:
                    raise invalid_parameter(f"Duplicate container override for {name}.")
                seen.add(name)
                clean: dict[str, Any] = {"name": name}
                if co.get("command") is not None:
                    cmd = check_type(f"{path}.command", co["command"], (list, tuple))
                    for j, part in enumerate(cmd):
                        check_type(f"{path}.command[{j}]", part, str)
                    clean["command"] = list(cmd)
                if co.get("environment") is not None:
                    env = check_type(f"{path}.environment", co["environment"], (list, tuple))
                    for j, pair in enumerate(env):
                        check_type(f"{path}.environment[{j}]", pair, dict)
                        for k, v in pair.items():
                            if k not in ("name", "value"):
                                raise _unknown_key(f"{path}.environment[{j}]", k, ("name", "value"))
                            check_type(f"{path}.environment[{j}].{k}", v, str)
                    clean["environment"] = [dict(p) for p in env]
                if co.get("environmentFiles"):
                    raise NotModelledError("environmentFiles overrides", operation_name="RunTask")
                if co.get("resourceRequirements"):
                    raise NotModelledError("resourceRequirements (GPU) overrides", operation_name="RunTask")
                for key in ("cpu", "memory", "memoryReservation"):
                    if co.get(key) is not None:
                        value = check_type(f"{path}.{key}", co[key], int)
                        if value < 0 or (key != "cpu" and value < 6):
                            raise invalid_parameter(f"Invalid '{key}' override for container '{name}'.")
                        clean[key] = value
                mem = clean.get("memory", td.container(name).memory)  # type: ignore[union-attr]
                res = clean.get("memoryReservation", td.container(name).memory_reservation)  # type: ignore[union-attr]
                if mem is not None and res is not None and res > mem:
                    raise invalid_parameter(f"Invalid setting for container '{name}'. The memory value must "
                                            "be greater than the memoryReservation value.")
                out["containerOverrides"].append(clean)
        return out

    @staticmethod
    def _check_network(network_configuration: Any) -> dict[str, Any] | None:
        if network_configuration is None:
            return None
        check_type("networkConfiguration", network_configuration, dict)
        for key in network_configuration:
            if key != "awsvpcConfiguration":
                raise _unknown_key("networkConfiguration", key, ("awsvpcConfiguration",))
        av = network_configuration.get("awsvpcConfiguration")
        if av is None:
            raise invalid_parameter("Network Configuration must contain awsvpcConfiguration.")
        check_type("networkConfiguration.awsvpcConfiguration", av, dict)
        allowed = ("subnets", "securityGroups", "assignPublicIp")
        for key in av:
            if key not in allowed:
                raise _unknown_key("networkConfiguration.awsvpcConfiguration", key, allowed)
        subnets = av.get("subnets")
        if subnets is None:
            raise ParamValidationError('Missing required parameter in networkConfiguration.awsvpcConfiguration: '
                                       '"subnets"')
        check_type("networkConfiguration.awsvpcConfiguration.subnets", subnets, (list, tuple))
        for i, s in enumerate(subnets):
            check_type(f"networkConfiguration.awsvpcConfiguration.subnets[{i}]", s, str)
        if not subnets:
            raise invalid_parameter("subnets can not be empty.")
        if len(subnets) > 16:
            raise invalid_parameter("subnets can have at most 16 items.")
        groups = av.get("securityGroups") or []
        check_type("networkConfiguration.awsvpcConfiguration.securityGroups", groups, (list, tuple))
        for i, g in enumerate(groups):
            check_type(f"networkConfiguration.awsvpcConfiguration.securityGroups[{i}]", g, str)
        if len(groups) > 5:
            raise invalid_parameter("securityGroups can have at most 5 items.")
        public = av.get("assignPublicIp", "DISABLED")
        check_type("networkConfiguration.awsvpcConfiguration.assignPublicIp", public, str)
        if public not in ("ENABLED", "DISABLED"):
            raise invalid_parameter("assignPublicIp must be ENABLED or DISABLED.")
        return {"awsvpcConfiguration": {"subnets": list(dict.fromkeys(subnets)), "securityGroups": list(groups),
                                        "assignPublicIp": public}}

    def _subnets(self, network: dict[str, Any]) -> list[Any]:
        """The subnets of an awsvpcConfiguration (ec2 records), or InvalidParameterException."""
        ec2 = self.sim.backend("ec2")
        out = []
        for sid in network["awsvpcConfiguration"]["subnets"]:
            subnet = ec2.subnets.get(sid) if hasattr(ec2, "subnets") else None
            if subnet is None:
                raise invalid_parameter(f"Error retrieving subnet information for [{sid}]: The subnet ID "
                                        f"'{sid}' does not exist (ErrorCode: InvalidSubnetID.NotFound)")
            out.append(subnet)
        if len({s.vpc_id for s in out}) > 1:
            raise invalid_parameter("The subnets must all belong to the same VPC.")
        return out

    def _plan(self, td: TaskDefinition, overrides: dict[str, Any], launch_type: str) -> _Plan:
        plan = _Plan()
        by_name = {co["name"]: co for co in overrides.get("containerOverrides", [])}
        cpu_sum = 0
        mem_sum = 0
        tcp: list[int] = []
        udp: list[int] = []
        dyn_tcp = dyn_udp = 0
        mode = td.network_mode or "bridge"
        for index, cdef in enumerate(td.containers):
            co = by_name.get(cdef.name, {})
            plan.containers.append((cdef, co))
            env = list(cdef.environment)
            if "environment" in co:
                names = {e["name"] for e in co["environment"]}
                env = [e for e in env if e.get("name") not in names] + co["environment"]
            command = co.get("command", cdef.raw.get("command"))
            plan.workloads.append(wl.workload_for(self.sim, cdef.image, command=command, environment=env))
            cpu_sum += co.get("cpu", cdef.cpu or 0)
            res = co.get("memoryReservation", cdef.memory_reservation)
            mem = co.get("memory", cdef.memory)
            mem_sum += res if res else (mem or 0)
            if launch_type == "FARGATE" or mode in ("awsvpc", "none"):
                continue
            for pm in cdef.port_mappings:
                proto = (pm.protocol or "tcp").lower()
                ports: list[int] = []
                if pm.container_port is not None:
                    ports = [pm.container_port]
                elif pm.container_port_range:
                    lo, _, hi = pm.container_port_range.partition("-")
                    try:
                        ports = list(range(int(lo), int(hi or lo) + 1))
                    except ValueError:
                        ports = []
                for cport in ports:
                    if mode == "host":
                        host = pm.host_port or cport
                    else:
                        host = pm.host_port or None
                    if pm.container_port_range and mode != "host":
                        host = None
                    plan.bindings.append((index, cport, proto, host))
                    if host is None:
                        if proto == "udp":
                            dyn_udp += 1
                        else:
                            dyn_tcp += 1
                    elif proto == "udp":
                        udp.append(host)
                    else:
                        tcp.append(host)
        plan.task_overrides = {"containerOverrides": [dict(co) if co else {"name": cdef.name}
                                                      for cdef, co in plan.containers],
                               "inferenceAcceleratorOverrides": []}
        for key in ("cpu", "memory", "taskRoleArn", "executionRoleArn", "ephemeralStorage"):
            if key in overrides:
                plan.task_overrides[key] = overrides[key]
        plan.cpu = _parse_units(overrides["cpu"], "cpu") if "cpu" in overrides else \
            (td.cpu if td.cpu is not None else cpu_sum)
        plan.memory = _parse_units(overrides["memory"], "memory") if "memory" in overrides else \
            (td.memory if td.memory is not None else mem_sum)
        if launch_type == "FARGATE" and ("cpu" in overrides or "memory" in overrides):
            from ecslearn.sim.ecs.taskdefs import fargate_pair_valid

            if not fargate_pair_valid(plan.cpu, plan.memory):  # the task size must still be one of §2.4
                raise client_exception(
                    f"No Fargate configuration exists for given values: {plan.cpu} CPU, {plan.memory} memory. "
                    "See the Amazon ECS documentation for the valid values.")
        attrs = list(td.requires_attributes)
        if mode == "awsvpc" and "ecs.capability.task-eni" not in attrs:
            attrs.append("ecs.capability.task-eni")
        plan.needs = pl.Needs(cpu=plan.cpu, memory=plan.memory, tcp=tuple(tcp), udp=tuple(udp),
                              dynamic_tcp=dyn_tcp, dynamic_udp=dyn_udp, attributes=tuple(attrs),
                              enis=1 if mode == "awsvpc" and launch_type != "FARGATE" else 0)
        return plan

    # --- the internal API ---------------------------------------------------------------------

    def _launch_tasks(self, cluster: Cluster, task_def: TaskDefinition, count: int, *,
                      launch_type: str | None = None,
                      capacity_provider_strategy: list[dict[str, Any]] | None = None,
                      placement_strategy: list[dict[str, Any]] | None = None,
                      placement_constraints: list[dict[str, Any]] | None = None,
                      group: str, started_by: str | None = None,
                      network_configuration: dict[str, Any] | None = None,
                      overrides: dict[str, Any] | None = None, tags: list[dict[str, str]] | None = None,
                      target_instances: list[str] | None = None,
                      default_strategy: list[dict[str, Any]] | None = None,
                      enable_execute_command: bool = False,
                      platform_version: str | None = None,
                      allow_inactive: bool = False) -> tuple[list[Task], list[dict[str, str]]]:
        """Validate, place and start `count` tasks; return (tasks, RunTask-style failures).

        `target_instances` (StartTask): container-instance ids or ARNs to start one task on each, with
        no placement. `default_strategy` replaces RunTask's default (`random`) when no
        `placement_strategy` is given (services pass spread AZ, instanceId). Invalid requests raise
        ClientError. `allow_inactive` lets a service keep scaling a revision deregistered after it
        started using it (§2.2); RunTask and StartTask never pass it.
        """
        if task_def.status != "ACTIVE" and not allow_inactive:
            raise invalid_parameter("TaskDefinition is inactive")
        if launch_type is not None and launch_type not in LAUNCH_TYPES:
            if launch_type == "MANAGED_INSTANCES":
                raise NotModelledError("the MANAGED_INSTANCES launch type", operation_name="RunTask")
            raise invalid_parameter(f"launchType must be one of {', '.join(LAUNCH_TYPES)}.")
        if launch_type is not None and capacity_provider_strategy:
            raise invalid_parameter("Specifying both a launch type and capacity provider strategy is not "
                                    "supported. Remove one and try again.")
        strategies = pl.parse_strategies(placement_strategy)
        constraints = pl.parse_constraints(placement_constraints)
        td_constraints = pl.parse_constraints(task_def.placement_constraints, allow_distinct=False)
        if len(constraints) + len(td_constraints) > pl.MAX_CONSTRAINTS:
            raise invalid_parameter(f"The number of placement constraints, including those of the task "
                                    f"definition, must be at most {pl.MAX_CONSTRAINTS}.")
        network = self._check_network(network_configuration)
        clean_overrides = self._check_overrides(task_def, overrides)
        mode = task_def.network_mode or "bridge"
        if mode == "awsvpc" and network is None:
            raise invalid_parameter("Network Configuration must be provided when networkMode 'awsvpc' is "
                                    "specified.")
        if mode != "awsvpc" and network is not None:
            raise invalid_parameter("Network Configuration is not valid for the given networkMode of this "
                                    "task definition.")
        if target_instances is not None:
            split = [(launch_type or "EC2", None)] * count
        else:
            split = self._split_capacity(cluster, launch_type, capacity_provider_strategy, count)
        kinds = list(dict.fromkeys(lt for lt, _ in split))
        for lt in kinds:
            if lt not in task_def.compatibilities:
                raise invalid_parameter(f"Task definition does not support launch_type {lt}.")
        if "FARGATE" in kinds:
            if strategies or constraints:
                raise invalid_parameter("Task placement strategies and constraints are not supported with "
                                        "the FARGATE launch type.")
            pv = platform_version or "LATEST"
            if pv not in FARGATE_PLATFORM_VERSIONS:
                raise aws_error("PlatformUnknownException", "The specified platform version does not exist.")
            platform_version = FARGATE_PLATFORM_VERSIONS[pv]
        elif platform_version is not None:
            raise invalid_parameter(f"The platform version must be null when specifying an {kinds[0]} "
                                    "launch type.")
        if network is not None and network["awsvpcConfiguration"]["assignPublicIp"] == "ENABLED" and \
                "FARGATE" not in kinds:
            raise invalid_parameter("Assign public IP is not supported for this launch type.")
        subnets = self._subnets(network) if network is not None else []
        tag_list = list(tags or [])
        self._ensure_purger()

        made: list[Task] = []
        failures: list[dict[str, str]] = []
        groups: dict[tuple[str, str | None], int] = {}
        for pair in split:  # per (launch type, capacity provider), in the order the split gave them
            groups[pair] = groups.get(pair, 0) + 1
        plans: dict[str, _Plan] = {}
        for (lt, provider), n in groups.items():
            plan = plans.get(lt) or plans.setdefault(lt, self._plan(task_def, clean_overrides, lt))
            common = dict(task_def=task_def, group=group, started_by=started_by, network=network,
                          overrides=clean_overrides, tags=tag_list, plan=plan, launch_type=lt,
                          capacity_provider=provider, enable_execute_command=enable_execute_command,
                          platform_version=platform_version)
            if lt == "FARGATE":
                for _ in range(n):
                    made.append(self._create_task(cluster, None, subnets=subnets, **common))  # type: ignore[arg-type]
                continue
            cache = self._placement_caches.get(cluster.arn)
            if cache is None:
                cache = self._placement_caches[cluster.arn] = pl.new_cache()
            version = (cluster.version, len(cluster.container_instances))
            registered, instances = cache.get(version, ("instances", lt, provider),
                                              lambda lt=lt, provider=provider: self._candidates(cluster, lt, provider))
            if not registered and provider is None:
                raise invalid_parameter("No Container Instances were found in your cluster.")
            if provider is not None and not instances:
                failures.append({"arn": self.sim.arn("ecs", f"capacity-provider/{provider}"),
                                 "reason": "TaskFailedToStart: EMPTY CAPACITY PROVIDER"})
                continue
            needs = plan.needs
            if subnets:
                needs = pl.Needs(**{**needs.__dict__, "azs": frozenset(s.availability_zone for s in subnets)})
            arch = getattr(task_def, "cpu_architecture", None)
            extra_constraints = []
            if arch:
                value = "arm64" if arch.upper() == "ARM64" else "x86_64"
                extra_constraints.append(pl.Constraint("memberOf", pl.cql.parse(
                    f"attribute:ecs.cpu-architecture == {value}")))

            def commit(ci: ContainerInstance, common: dict[str, Any] = common) -> None:
                made.append(self._create_task(cluster, ci, subnets=subnets, **common))

            ctx = _PlacementCtx(self, cluster, commit)
            all_constraints = td_constraints + constraints + extra_constraints
            if target_instances is not None:
                # StartTask places where it is told; a service's daemon targets keep their constraints
                by_object = any(not isinstance(t, str) for t in target_instances)
                failures.extend(self._start_on(cluster, target_instances, needs, group, ctx,
                                               all_constraints if by_object else extra_constraints))
                continue
            chosen_strategies = strategies or pl.parse_strategies(default_strategy or [{"type": "random"}])
            _, fails = pl.place(instances, needs, n, group=group, strategies=chosen_strategies,
                                constraints=all_constraints, ctx=ctx, rng=self.sim.rng, cache=cache,
                                version=version)
            failures.extend(fails)
        for task in made:
            self._notify(task)
        self._begin_all(made)
        return made, failures

    @staticmethod
    def _candidates(cluster: Cluster, launch_type: str, provider: str | None) -> tuple[bool, list[ContainerInstance]]:
        """(any instance registered?, the ACTIVE/DRAINING instances a launch type and provider can use)."""
        registered = [ci for ci in cluster.container_instances.values() if ci.status in ("ACTIVE", "DRAINING")]
        external = launch_type == "EXTERNAL"
        out = [ci for ci in registered if ("ecs.capability.external" in ci.attributes) == external]
        if provider is not None:
            out = [ci for ci in out if ci.capacity_provider_name == provider]
        return bool(registered), out

    def _start_on(self, cluster: Cluster, refs: list[Any], needs: pl.Needs, group: str,
                  ctx: _PlacementCtx, constraints: list[pl.Constraint]) -> list[dict[str, str]]:
        """One task on each target (ids, ARNs or ContainerInstance records); failures for the others."""
        failures = []
        for ref in refs:
            ci = ref if isinstance(ref, ContainerInstance) else self._instance_by_ref(cluster, ref)
            if ci is None:
                ref = str(ref)
                arn = ref if ref.startswith("arn:") else self.sim.arn("ecs", f"container-instance/{cluster.name}/{ref}")
                failures.append({"arn": arn, "reason": pl.MISSING})
                continue
            if ci.status not in ("ACTIVE", "DRAINING"):
                failures.append({"arn": ci.arn, "reason": pl.INACTIVE})
                continue
            reason = pl.reject_reason(ci, needs, group, constraints, ctx)
            if reason is not None:
                failures.append({"arn": ci.arn, "reason": reason})
                continue
            ctx.commit(ci)
        return failures

    def _create_task(self, cluster: Cluster, ci: ContainerInstance | None, *, task_def: TaskDefinition,
                     group: str, started_by: str | None, network: dict[str, Any] | None,
                     overrides: dict[str, Any], tags: list[dict[str, str]], plan: _Plan, launch_type: str,
                     capacity_provider: str | None, enable_execute_command: bool,
                     platform_version: str | None, subnets: list[Any]) -> Task:
        task_id = self.sim.new_hex(32)
        if not hasattr(self, "_container_arn_prefix"):
            self._container_arn_prefix = self.sim.arn("ecs", "container/")
            self._task_arn_prefix = self.sim.arn("ecs", "task/")
        arn = f"{self._task_arn_prefix}{cluster.name}/{task_id}"
        containers = []
        prefix = f"{self._container_arn_prefix}{cluster.name}/{task_id}/"
        for (cdef, _), workload in zip(plan.containers, plan.workloads):
            c = Container(name=cdef.name, arn=prefix + self.sim.new_uuid(), image=cdef.image, definition=cdef)
            c.workload = workload
            containers.append(c)
        task = Task(id=task_id, arn=arn, cluster=cluster, task_definition=task_def, launch_type=launch_type,
                    created_at=self.sim.now, containers=containers, group=group, cpu=plan.cpu,
                    memory=plan.memory, container_instance=ci, started_by=started_by,
                    tags=[dict(t) for t in tags], capacity_provider_name=capacity_provider,
                    network_configuration=network, enable_execute_command=enable_execute_command,
                    task_role_arn=overrides.get("taskRoleArn", task_def.task_role_arn),
                    execution_role_arn=overrides.get("executionRoleArn", task_def.execution_role_arn),
                    overrides=plan.task_overrides)  # shared by the tasks of one call, never mutated
        if launch_type == "FARGATE":
            task.platform_version = platform_version
            task.platform_family = "Linux"
            subnet = self._fargate_subnet(cluster, group, subnets)
            task.availability_zone = subnet.availability_zone
            self._attach_eni(task, subnet)
        else:
            assert ci is not None
            task.availability_zone = ci.availability_zone
            # host ports: static ones as planned, dynamic ones lowest free first
            tcp = list(plan.needs.tcp)
            udp = list(plan.needs.udp)
            taken_tcp: set[int] = set()
            taken_udp: set[int] = set()
            bindings: list[tuple[int, int, str, int]] = []
            for index, cport, proto, host in plan.bindings:
                if host is None:
                    host = self._free_dynamic_port(ci, proto, taken_udp if proto == "udp" else taken_tcp)
                    (udp if proto == "udp" else tcp).append(host)
                (taken_udp if proto == "udp" else taken_tcp).add(host)
                bindings.append((index, cport, proto, host))
            ci.enis_used += plan.needs.enis  # before reserve(), whose version bump covers it
            task.extra["enis"] = plan.needs.enis
            ci.reserve(plan.cpu, plan.memory, tcp, udp)
            task.held_tcp, task.held_udp = tcp, udp
            for index, cport, proto, host in bindings:
                containers[index].network_bindings.append(
                    {"bindIP": "0.0.0.0", "containerPort": cport, "hostPort": host, "protocol": proto})
            ci.task_ids.add(task_id)
            counts = self._groups_of(cluster).setdefault(group, {})
            counts[ci.id] = counts.get(ci.id, 0) + 1
            if network is not None:
                subnet = next(s for s in subnets if s.availability_zone == ci.availability_zone)
                self._attach_eni(task, subnet)
        task.last_status = "PROVISIONING" if task.attachments else "PENDING"
        cluster.tasks[task_id] = task
        self._arn_index[arn] = task
        return task

    @staticmethod
    def _free_dynamic_port(ci: ContainerInstance, proto: str, taken: set[int]) -> int:
        lo, hi = ci.dynamic_port_range
        used = ci.used_udp if proto == "udp" else ci.used_tcp
        reserved = set(ci.reserved_udp if proto == "udp" else ci.reserved_tcp)
        for port in range(lo, hi + 1):
            if port not in used and port not in reserved and port not in taken:
                return port
        raise AssertionError("placement checked that a dynamic port is free")  # pragma: no cover

    def _fargate_subnet(self, cluster: Cluster, group: str, subnets: list[Any]) -> Any:
        per_az: dict[str, int] = {}
        for t in cluster.tasks.values():
            if t.is_fargate and not t.stopped and t.group == group and t.availability_zone:
                per_az[t.availability_zone] = per_az.get(t.availability_zone, 0) + 1
        return min(subnets, key=lambda s: per_az.get(s.availability_zone, 0))

    def _attach_eni(self, task: Task, subnet: Any) -> None:
        ec2 = self.sim.backend("ec2")
        ip = ec2._allocate_private_ip(subnet.id)
        eni = f"eni-{self.sim.new_hex(17)}"
        mac = ":".join(f"{b:02x}" for b in bytes.fromhex("0e" + self.sim.new_hex(10)))
        task.private_ip = ip
        task.subnet_id = subnet.id
        task.extra["eni_id"] = eni
        task.extra["mac"] = mac
        av = (task.network_configuration or {}).get("awsvpcConfiguration", {})
        if task.is_fargate and av.get("assignPublicIp") == "ENABLED":
            h = hashlib.sha256(f"{self.sim.seed}:{eni}".encode()).digest()
            task.extra["public_ip"] = f"{3 + h[0] % 50}.{h[1]}.{h[2]}.{1 + h[3] % 254}"
        dns = f"ip-{ip.replace('.', '-')}.ec2.internal"
        task.attachments = [{
            "id": self.sim.new_uuid(), "type": "ElasticNetworkInterface", "status": "PRECREATED",
            "details": [
                {"name": "subnetId", "value": subnet.id},
                {"name": "networkInterfaceId", "value": eni},
                {"name": "macAddress", "value": mac},
                {"name": "privateDnsName", "value": dns},
                {"name": "privateIPv4Address", "value": ip},
            ],
        }]

    def _eni_status(self, task: Task, status: str) -> None:
        for att in task.attachments:
            if att.get("type") == "ElasticNetworkInterface":
                att["status"] = status

    # --- the lifecycle ------------------------------------------------------------------------

    def _begin_all(self, tasks: list[Task]) -> None:
        """Schedule the first step of tasks created together: one event per kind of first step."""
        provisioning = [t for t in tasks if t.last_status == "PROVISIONING"]
        pending = [t for t in tasks if t.last_status == "PENDING"]
        for t in pending:
            self._connected(t)
        for group, delay, step, name in (
                ([t for t in provisioning if t.is_fargate], FARGATE_PROVISION_SECONDS, self._to_pending,
                 "ENIs attached"),
                ([t for t in provisioning if not t.is_fargate], ENI_ATTACH_SECONDS, self._to_pending,
                 "ENIs attached"),
                (pending, AGENT_PICKUP_SECONDS, self._pull, "pulls start")):
            if group:
                self.sim.schedule(delay, lambda group=group, step=step: self._batch_step(group, step),
                                  name=f"{len(group)} task(s): {name}")

    def _batch_step(self, tasks: list[Task], step: Callable[[Task], None]) -> None:
        for task in tasks:
            if task.desired_status != "STOPPED":  # a stop before this step ends the lifecycle itself
                step(task)

    def _begin(self, task: Task) -> None:
        """Schedule the first step of a task created by `_create_task` (PROVISIONING or PENDING)."""
        if task.last_status == "PROVISIONING":
            delay = FARGATE_PROVISION_SECONDS if task.is_fargate else ENI_ATTACH_SECONDS
            self._later(task, delay, lambda: self._to_pending(task), "ENI attached")
        else:
            self._connected(task)
            self._later(task, AGENT_PICKUP_SECONDS, lambda: self._pull(task), "pull starts")

    def _connected(self, task: Task) -> None:
        self._eni_status(task, "ATTACHED")
        task.connectivity = "CONNECTED"
        task.connectivity_at = self.sim.now

    def _to_pending(self, task: Task) -> None:
        self._connected(task)
        self._set_status(task, "PENDING")
        self._later(task, AGENT_PICKUP_SECONDS, lambda: self._pull(task), "pull starts")

    def _pull(self, task: Task) -> None:
        task.pull_started_at = self.sim.now
        task.version += 1
        self._later(task, FARGATE_PULL_SECONDS if task.is_fargate else PULL_SECONDS,
                    lambda: self._pulled(task), "images pulled")

    def _pulled(self, task: Task) -> None:
        failed = self._task_start_failure(task)  # type: ignore[attr-defined]
        if failed is not None:
            code, reason = failed
            for c in task.containers:
                c.last_status = "STOPPED"
                c.reason = reason
            task.desired_status = "STOPPED"
            task.stop_code, task.stopped_reason = code, reason
            task.stopping_at = task.execution_stopped_at = self.sim.now
            task.version += 1
            self._deprovision(task)
            return
        task.pull_stopped_at = self.sim.now
        self._set_status(task, "ACTIVATING")
        start = max((c.workload.start_seconds for c in task.containers), default=2.0)
        self._later(task, start, lambda: self._running(task), "containers started")

    def _running(self, task: Task) -> None:
        task.next_event = None
        task.started_at = self.sim.now
        events: list[Any] = task.extra.setdefault("events", [])
        for c in task.containers:
            c.last_status = "RUNNING"
            c.runtime_id = f"{task.id}-{self.sim.new_hex(10)}"
        self._set_status(task, "RUNNING")
        for c in task.containers:
            self._container_started(task, c)  # type: ignore[attr-defined]
            if c.workload.log_lines:
                self._container_output(task, c, list(c.workload.log_lines))  # type: ignore[attr-defined]
            if task.desired_status == "STOPPED":
                return  # a hook stopped it
            w = c.workload
            if w.exit_code is not None:
                events.append(self.sim.schedule(w.exit_after, lambda c=c: self._workload_exit(task, c),
                                                name=f"task {task.id[:8]} {c.name} exits"))
            hc = c.definition.health_check
            if hc:
                interval = float(hc.get("interval", 30))
                retries = int(hc.get("retries", 3))
                start_period = float(hc.get("startPeriod", 0))
                fail_after = start_period + interval * retries
                if w.container_health == "HEALTHY":
                    events.append(self.sim.schedule(interval, lambda c=c: self._container_health(task, c, "HEALTHY"),
                                                    name=f"task {task.id[:8]} {c.name} healthy"))
                    if w.health_fails_after is not None:
                        events.append(self.sim.schedule(
                            max(w.health_fails_after + interval * retries, fail_after),
                            lambda c=c: self._container_health(task, c, "UNHEALTHY"),
                            name=f"task {task.id[:8]} {c.name} unhealthy"))
                elif w.container_health == "UNHEALTHY":
                    events.append(self.sim.schedule(fail_after,
                                                    lambda c=c: self._container_health(task, c, "UNHEALTHY"),
                                                    name=f"task {task.id[:8]} {c.name} unhealthy"))

    def _container_health(self, task: Task, c: Container, status: str) -> None:
        if c.last_status != "RUNNING" or task.desired_status == "STOPPED":
            return
        c.health_status = status
        self._update_task_health(task)

    def _update_task_health(self, task: Task) -> None:
        essential = [c.health_status for c in task.containers if c.definition.essential]
        if essential and all(h == "HEALTHY" for h in essential):
            health = "HEALTHY"
        elif "UNHEALTHY" in essential:
            health = "UNHEALTHY"
        else:
            health = "UNKNOWN"
        if health != task.health_status:
            task.health_status = health
            task.version += 1
            self._notify(task)

    def _workload_exit(self, task: Task, c: Container) -> None:
        if c.last_status != "RUNNING":
            return
        self._container_exited(task, c, c.workload.exit_code)
        if c.definition.essential:
            self._stop_task(task, stop_code="EssentialContainerExited", reason=ESSENTIAL_EXITED)

    def _container_exited(self, task: Task, c: Container, code: int | None) -> None:
        if c.last_status != "RUNNING":
            return
        c.last_status = "STOPPED"
        c.exit_code = code
        task.version += 1
        if task.last_status == "STOPPING" and all(x.last_status == "STOPPED" for x in task.containers):
            task.execution_stopped_at = self.sim.now
            self._deprovision(task)

    def _stop_task(self, task: Task, *, stop_code: str, reason: str) -> None:
        """Ask a task to stop (idempotent: the first stop's code and reason stay)."""
        if task.desired_status == "STOPPED" or task.stopped:
            return
        task.desired_status = "STOPPED"
        task.stop_code = stop_code
        task.stopped_reason = reason
        task.version += 1
        if task.next_event is not None:
            task.next_event.cancel()
            task.next_event = None
        if task.last_status in ("PROVISIONING", "PENDING", "ACTIVATING"):
            task.stopping_at = task.execution_stopped_at = self.sim.now
            for c in task.containers:
                c.last_status = "STOPPED"
            self._deprovision(task)
            return
        if task.last_status == "RUNNING":
            task.stopping_at = self.sim.now
            self._set_status(task, "DEACTIVATING")
            delay = float(task.extra.get("deactivate_seconds", DEACTIVATING_SECONDS))
            self._later(task, delay, lambda: self._stopping(task), "deactivated")

    def _stopping(self, task: Task) -> None:
        task.next_event = None
        for handle in task.extra.pop("events", []):
            handle.cancel()
        self._set_status(task, "STOPPING")
        running = [c for c in task.containers if c.last_status == "RUNNING"]
        if not running:
            task.execution_stopped_at = self.sim.now
            self._deprovision(task)
            return
        for c in running:
            if c.workload.ignores_sigterm:
                timeout = self._stop_timeout(task, c)
                self.sim.schedule(timeout, lambda c=c: self._container_exited(task, c, 137),
                                  name=f"task {task.id[:8]} {c.name} SIGKILL")
            else:
                self.sim.schedule(STOP_GRACE_SECONDS, lambda c=c: self._container_exited(task, c, 0),
                                  name=f"task {task.id[:8]} {c.name} exits on SIGTERM")

    @staticmethod
    def _stop_timeout(task: Task, c: Container) -> float:
        """Container stopTimeout; else, on EC2, the agent's ECS_CONTAINER_STOP_TIMEOUT; else 30 s (§1.4)."""
        if c.definition.stop_timeout:
            return float(c.definition.stop_timeout)
        ci = task.container_instance
        agent = getattr(ci.config, "ecs_container_stop_timeout", None) if ci is not None else None
        if isinstance(agent, int | float) and not isinstance(agent, bool) and agent > 0:
            return float(agent)
        return float(DEFAULT_STOP_TIMEOUT)

    def _deprovision(self, task: Task) -> None:
        if task.attachments:
            self._eni_status(task, "DETACHING")
            self._set_status(task, "DEPROVISIONING")
            self._later(task, ENI_DETACH_SECONDS, lambda: self._stopped(task), "ENI deleted")
        else:
            self._stopped(task)

    def _stopped(self, task: Task) -> None:
        task.next_event = None
        for handle in task.extra.pop("events", []):
            handle.cancel()
        task.stopped_at = self.sim.now
        if task.execution_stopped_at is None:
            task.execution_stopped_at = self.sim.now
        ci = task.container_instance
        if ci is not None and task.id in ci.task_ids:
            ci.enis_used = max(0, ci.enis_used - task.extra.get("enis", 0))
            ci.release(task.cpu, task.memory, task.held_tcp, task.held_udp)
            ci.task_ids.discard(task.id)
            counts = self._groups_of(task.cluster).get(task.group, {})
            if counts.get(ci.id, 0) > 1:
                counts[ci.id] -= 1
            else:
                counts.pop(ci.id, None)
        if task.attachments:
            self._eni_status(task, "DELETED")
            if task.private_ip and task.subnet_id:
                self.sim.backend("ec2")._release_private_ip(task.subnet_id, task.private_ip)
        self._set_status(task, "STOPPED")

    # --- API shapes -----------------------------------------------------------------------------

    def _container_api(self, task: Task, c: Container) -> dict[str, Any]:
        d = c.definition
        co = next((o for o in task.overrides.get("containerOverrides", []) if o.get("name") == c.name), {})
        out: dict[str, Any] = {
            "containerArn": c.arn, "taskArn": task.arn, "name": c.name, "image": c.image,
            "lastStatus": c.last_status, "networkBindings": [dict(b) for b in c.network_bindings],
            "networkInterfaces": [], "healthStatus": c.health_status,
            "cpu": str(co.get("cpu", d.cpu or 0)),
        }
        if c.image_digest:
            out["imageDigest"] = c.image_digest
        if c.runtime_id:
            out["runtimeId"] = c.runtime_id
        if c.exit_code is not None:
            out["exitCode"] = c.exit_code
        if c.reason:
            out["reason"] = c.reason
        mem = co.get("memory", d.memory)
        res = co.get("memoryReservation", d.memory_reservation)
        if mem is not None:
            out["memory"] = str(mem)
        if res is not None:
            out["memoryReservation"] = str(res)
        if task.private_ip:
            out["networkInterfaces"] = [{"attachmentId": task.attachments[0]["id"],
                                         "privateIpv4Address": task.private_ip}]
        return out

    def _task_api(self, task: Task, *, include_tags: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "attachments": [{**a, "details": [dict(x) for x in a["details"]]} for a in task.attachments],
            "attributes": [{"name": "ecs.cpu-architecture",
                            "value": (task.container_instance.attributes.get("ecs.cpu-architecture")
                                      if task.container_instance else None) or "x86_64"}],
            "availabilityZone": task.availability_zone,
            "clusterArn": task.cluster.arn,
            "containers": [self._container_api(task, c) for c in task.containers],
            "cpu": str(task.cpu),
            "createdAt": task.created_at,
            "desiredStatus": task.desired_status,
            "enableExecuteCommand": task.enable_execute_command,
            "group": task.group,
            "healthStatus": task.health_status,
            "lastStatus": task.last_status,
            "memory": str(task.memory),
            "overrides": _copy_overrides(task.overrides),
            "tags": [dict(t) for t in task.tags] if include_tags else [],
            "taskArn": task.arn,
            "taskDefinitionArn": task.task_definition.arn,
            "version": task.version,
        }
        if task.launch_type:
            out["launchType"] = task.launch_type
        if task.capacity_provider_name:
            out["capacityProviderName"] = task.capacity_provider_name
        if task.container_instance is not None:
            out["containerInstanceArn"] = task.container_instance.arn
        if task.is_fargate:
            out["platformVersion"] = task.platform_version
            out["platformFamily"] = task.platform_family
            out["ephemeralStorage"] = dict(task.overrides.get("ephemeralStorage") or {"sizeInGiB": 20})
        if task.started_by:
            out["startedBy"] = task.started_by
        for key, value in (("connectivity", task.connectivity), ("connectivityAt", task.connectivity_at),
                           ("pullStartedAt", task.pull_started_at), ("pullStoppedAt", task.pull_stopped_at),
                           ("startedAt", task.started_at), ("stoppingAt", task.stopping_at),
                           ("executionStoppedAt", task.execution_stopped_at), ("stoppedAt", task.stopped_at),
                           ("stopCode", task.stop_code), ("stoppedReason", task.stopped_reason)):
            if value is not None:
                out[key] = value
        return out

    # --- operations ---------------------------------------------------------------------------

    def _tags_for_launch(self, td: TaskDefinition, cluster: Cluster, tags: list | None, propagate: str | None,
                         managed: bool | None) -> list[dict[str, str]]:
        tag_list = self._check_tags(tags)
        if propagate is not None and propagate not in ("TASK_DEFINITION", "SERVICE", "NONE"):
            raise invalid_parameter("propagateTags must be one of TASK_DEFINITION, SERVICE, NONE.")
        if propagate == "SERVICE":
            raise invalid_parameter("The SERVICE value of propagateTags is only valid for tasks started by "
                                    "a service.")
        if propagate == "TASK_DEFINITION":
            have = {t["key"] for t in tag_list}
            tag_list = tag_list + [dict(t) for t in td.tags if t["key"] not in have]
        if managed:
            tag_list = [*tag_list, {"key": "aws:ecs:clusterName", "value": cluster.name}]
        return tag_list

    @staticmethod
    def _check_short(name: str, value: str | None, limit: int) -> None:
        if value is not None and len(value) > limit:
            raise invalid_parameter(f"{name} must be at most {limit} characters.")

    @operation
    def run_task(self, taskDefinition: str, cluster: str | None = None, count: int | None = None,
                 launchType: str | None = None, capacityProviderStrategy: list | None = None,
                 group: str | None = None, startedBy: str | None = None, placementStrategy: list | None = None,
                 placementConstraints: list | None = None, networkConfiguration: dict | None = None,
                 overrides: dict | None = None, tags: list | None = None, propagateTags: str | None = None,
                 enableECSManagedTags: bool | None = None, enableExecuteCommand: bool | None = None,
                 platformVersion: str | None = None, referenceId: str | None = None,
                 clientToken: str | None = None) -> dict[str, Any]:
        """Start tasks from a task definition, placed by strategies and constraints (EC2) or on Fargate.

        Not modelled: volumeConfigurations (EBS), inferenceAcceleratorOverrides, environmentFiles and
        resourceRequirements overrides, GPUs (RESOURCE:GPU), ENI trunking, security-group checks, the
        MANAGED_INSTANCES launch type, Fargate task-size checks of cpu/memory overrides,
        service-discovery and ECS Exec sessions.
        """
        c = self._cluster(cluster)
        n = 1 if count is None else count
        if not 1 <= n <= 10:
            raise invalid_parameter("Count must be between 1 and 10.")
        self._check_short("group", group, 255)
        self._check_short("startedBy", startedBy, 128)
        self._check_short("referenceId", referenceId, 1024)
        self._check_short("clientToken", clientToken, 64)
        if capacityProviderStrategy is not None:
            for i, item in enumerate(capacityProviderStrategy):
                check_type(f"capacityProviderStrategy[{i}]", item, dict)
        if placementStrategy is not None:
            for i, item in enumerate(placementStrategy):
                check_type(f"placementStrategy[{i}]", item, dict)
        if placementConstraints is not None:
            for i, item in enumerate(placementConstraints):
                check_type(f"placementConstraints[{i}]", item, dict)
        token_key = None
        if clientToken is not None:
            fingerprint = json.dumps([taskDefinition, c.arn, n, launchType, capacityProviderStrategy, group,
                                      startedBy, placementStrategy, placementConstraints, networkConfiguration,
                                      overrides, tags, propagateTags, platformVersion], sort_keys=True,
                                     default=str)
            token_key = (c.arn, clientToken)
            seen = self._client_tokens.get(token_key)
            if seen is not None:
                if seen[0] != fingerprint:
                    raise invalid_parameter("The clientToken was already used with different parameters.")
                tasks = [c.tasks[tid] for tid in seen[1] if tid in c.tasks]
                return {"tasks": [self._task_api(t) for t in tasks], "failures": [dict(f) for f in seen[2]]}
        td = self._resolve_task_definition(taskDefinition, for_use=True)  # type: ignore[attr-defined]
        tag_list = self._tags_for_launch(td, c, tags, propagateTags, enableECSManagedTags)
        made, failures = self._launch_tasks(
            c, td, n, launch_type=launchType, capacity_provider_strategy=capacityProviderStrategy,
            placement_strategy=placementStrategy, placement_constraints=placementConstraints,
            group=group or f"family:{td.family}", started_by=startedBy,
            network_configuration=networkConfiguration, overrides=overrides, tags=tag_list,
            enable_execute_command=bool(enableExecuteCommand), platform_version=platformVersion)
        for t in made:
            if referenceId is not None:
                t.extra["referenceId"] = referenceId
        if token_key is not None:
            self._client_tokens[token_key] = (fingerprint, [t.id for t in made], failures)
        return _Fresh(tasks=[self._task_api(t) for t in made], failures=[dict(f) for f in failures])

    @operation
    def start_task(self, taskDefinition: str, containerInstances: list, cluster: str | None = None,
                   group: str | None = None, startedBy: str | None = None,
                   networkConfiguration: dict | None = None, overrides: dict | None = None,
                   tags: list | None = None, propagateTags: str | None = None,
                   enableECSManagedTags: bool | None = None, enableExecuteCommand: bool | None = None,
                   referenceId: str | None = None) -> dict[str, Any]:
        """Start one task on each of the given container instances (no placement strategies).

        Not modelled: volumeConfigurations (EBS), task-definition memberOf constraints (StartTask
        places where it is told), the same override gaps as RunTask.
        """
        c = self._cluster(cluster)
        if not containerInstances:
            raise invalid_parameter("containerInstances can not be empty.")
        if len(containerInstances) > 10:
            raise invalid_parameter("containerInstances can have at most 10 items.")
        for i, ref in enumerate(containerInstances):
            check_type(f"containerInstances[{i}]", ref, str)
        self._check_short("group", group, 255)
        self._check_short("startedBy", startedBy, 128)
        td = self._resolve_task_definition(taskDefinition, for_use=True)  # type: ignore[attr-defined]
        tag_list = self._tags_for_launch(td, c, tags, propagateTags, enableECSManagedTags)
        made, failures = self._launch_tasks(
            c, td, len(containerInstances), launch_type="EC2", group=group or f"family:{td.family}",
            started_by=startedBy, network_configuration=networkConfiguration, overrides=overrides,
            tags=tag_list, target_instances=list(containerInstances),
            enable_execute_command=bool(enableExecuteCommand))
        for t in made:
            if referenceId is not None:
                t.extra["referenceId"] = referenceId
        return _Fresh(tasks=[self._task_api(t) for t in made], failures=[dict(f) for f in failures])

    @operation
    def stop_task(self, task: str, cluster: str | None = None, reason: str | None = None) -> dict[str, Any]:
        """Stop a task: SIGTERM, then SIGKILL after stopTimeout (stopCode UserInitiated).

        Not modelled: custom STOPSIGNALs.
        """
        c = self._cluster(cluster)
        self._purge_stopped(c)
        found = self._find_task(c, task)
        if found is None:
            raise invalid_parameter("The referenced task was not found.")
        self._check_short("reason", reason, 1024)
        self._stop_task(found, stop_code="UserInitiated", reason=reason or STOPPED_BY_USER)
        return {"task": self._task_api(found)}

    @operation
    def describe_tasks(self, tasks: list, cluster: str | None = None, include: list | None = None) -> dict[str, Any]:
        """Describe up to 100 tasks; unknown ones come back in `failures` as MISSING.

        Not modelled: the DELETED state, inference accelerators, ephemeral-storage usage, managed agents
        (ECS Exec) and the container `imageDigest` unless the image's registry provides one.
        """
        c = self._cluster(cluster)
        self._purge_stopped(c)
        for item in include or []:
            if item != "TAGS":
                raise invalid_parameter("include should be one of [TAGS]")
        if not tasks:
            raise invalid_parameter("Tasks cannot be empty.")
        if len(tasks) > 100:
            raise invalid_parameter("Tasks can have at most 100 items.")
        found, failures = [], []
        for i, ref in enumerate(tasks):
            check_type(f"tasks[{i}]", ref, str)
            t = self._find_task(c, ref)
            if t is None:
                failures.append({"arn": ref, "reason": "MISSING"})
            else:
                found.append(self._task_api(t, include_tags="TAGS" in (include or [])))
        return _Fresh(tasks=found, failures=failures)

    @operation
    def list_tasks(self, cluster: str | None = None, containerInstance: str | None = None,
                   family: str | None = None, nextToken: str | None = None, maxResults: int | None = None,
                   startedBy: str | None = None, serviceName: str | None = None,
                   desiredStatus: str | None = None, launchType: str | None = None) -> dict[str, Any]:
        """List task ARNs, filtered; desiredStatus defaults to RUNNING (PENDING lists nothing).

        Not modelled: tasks of other launch types than EC2, FARGATE and EXTERNAL.
        """
        c = self._cluster(cluster)
        self._purge_stopped(c)
        status = desiredStatus or "RUNNING"
        if status not in ("RUNNING", "PENDING", "STOPPED"):
            raise invalid_parameter("desiredStatus must be one of RUNNING, PENDING, STOPPED.")
        if launchType is not None and launchType not in (*LAUNCH_TYPES, "MANAGED_INSTANCES"):
            raise invalid_parameter(f"launchType must be one of {', '.join(LAUNCH_TYPES)}.")
        if serviceName is not None and serviceName not in c.services:
            raise aws_error("ServiceNotFoundException", "Service not found.")
        ci_id = None
        if containerInstance is not None:
            ci = self._instance_by_ref(c, containerInstance)
            ci_id = ci.id if ci is not None else ""
        arns = []
        for t in c.tasks.values():
            if status == "PENDING" or t.desired_status != status:
                continue
            if family is not None and t.task_definition.family != family:
                continue
            if startedBy is not None and t.started_by != startedBy:
                continue
            if serviceName is not None and t.group != f"service:{serviceName}":
                continue
            if launchType is not None and (t.launch_type or "EC2") != launchType:
                continue
            if ci_id is not None and (t.container_instance is None or t.container_instance.id != ci_id):
                continue
            arns.append(t.arn)
        return self._listed("taskArns", arns, nextToken, maxResults)
