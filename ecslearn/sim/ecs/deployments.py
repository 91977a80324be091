"""Service and deployment records, and the pure arithmetic of rolling updates (ecs-reference §4.3, §4.4)."""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecslearn.sim.ecs.models import Cluster, Task, TaskDefinition
from ecslearn.sim.ecs.service_events import ServiceEvents

#: a task without LB and without essential container health checks counts as healthy this long
#: after it reaches RUNNING (§4.3)
HEALTHY_AFTER = 40.0
#: throttling (§4.5): consecutive failures before the scheduler backs off, first delay, cap
THROTTLE_AFTER = 3
THROTTLE_FIRST = 15.0
THROTTLE_MAX = 900.0

# task states as the scheduler counts them
PENDING, RUNNING, HEALTHY, STOPPING, STOPPED = "pending", "running", "healthy", "stopping", "stopped"
LIVE = (PENDING, RUNNING, HEALTHY)


def lower_bound(desired: int, minimum_healthy_percent: int) -> int:
    """Tasks that must stay RUNNING and healthy during a deployment: ceil(desired × min / 100)."""
    return math.ceil(desired * minimum_healthy_percent / 100)


def upper_bound(desired: int, maximum_percent: int) -> int:
    """RUNNING + PENDING tasks allowed during a deployment: floor(desired × max / 100)."""
    return (desired * maximum_percent) // 100


def breaker_threshold(desired: int) -> int:
    """Circuit-breaker failure threshold: clamp(ceil(0.5 × desired), 10, 200) (§4.4)."""
    return min(200, max(10, math.ceil(0.5 * desired)))


def throttle_delay(failures: int) -> float:
    """Seconds to wait before the next launch after `failures` consecutive start failures (§4.5)."""
    if failures < THROTTLE_AFTER:
        return 0.0
    return min(THROTTLE_MAX, THROTTLE_FIRST * 2 ** (failures - THROTTLE_AFTER))


@dataclass
class TaskInfo:
    """What the scheduler knows about one of its tasks (kept in `Task.extra["service"]`)."""

    service: Service
    deployment: Deployment
    state: str = PENDING
    running_at: datetime | None = None
    healthy: bool = False
    ever_running: bool = False
    stopping: bool = False  # the scheduler decided to stop it (maybe still draining)
    #: (target group ARN, target id, port) registered for this task
    targets: list[tuple[str, str, int]] = field(default_factory=list)
    counted_failure: bool = False


@dataclass
class Deployment:
    id: str
    task_definition: TaskDefinition
    created_at: datetime
    updated_at: datetime
    launch_type: str | None
    capacity_provider_strategy: list[dict[str, Any]]
    platform_version: str | None
    network_configuration: dict[str, Any] | None
    load_balancers: list[dict[str, Any]]
    placement_constraints: list[dict[str, Any]]
    placement_strategy: list[dict[str, Any]]
    status: str = "PRIMARY"
    rollout_state: str = "IN_PROGRESS"
    rollout_state_reason: str = ""
    failed_tasks: int = 0
    breaker_count: int = 0
    #: task id -> Task, for tasks not yet STOPPED
    tasks: dict[str, Task] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=lambda: {PENDING: 0, RUNNING: 0, HEALTHY: 0, STOPPING: 0})
    #: cached: does an essential container have a health check
    has_health_check: bool | None = None
    #: DAEMON: instance ids where this deployment's task could not be placed (cleared when instances change)
    ineligible: set[str] = field(default_factory=set)

    def live(self) -> int:
        return self.counts[PENDING] + self.counts[RUNNING] + self.counts[HEALTHY]

    def occupancy(self) -> int:
        return self.live() + self.counts[STOPPING]


@dataclass
class Service:
    name: str
    arn: str
    cluster: Cluster
    created_at: datetime
    desired_count: int
    scheduling_strategy: str
    maximum_percent: int
    minimum_healthy_percent: int
    breaker_enable: bool
    breaker_rollback: bool
    health_check_grace: int
    role_arn: str | None
    propagate_tags: str
    enable_ecs_managed_tags: bool
    enable_execute_command: bool
    created_by: str
    tags: list[dict[str, str]] = field(default_factory=list)
    status: str = "ACTIVE"
    deployments: list[Deployment] = field(default_factory=list)
    events: ServiceEvents = field(default_factory=ServiceEvents)
    #: consecutive tasks that stopped before reaching RUNNING, and when launching may resume
    start_failures: int = 0
    throttle_until: datetime | None = None
    #: tasks that reached RUNNING, waiting to count as healthy (no LB, no health check): (when, task)
    health_queue: deque[tuple[datetime, Task]] = field(default_factory=deque)
    health_kick: Any = None
    kick_pending: bool = False
    #: non-stopped tasks by container instance id (placement balance, DAEMON, draining)
    by_instance: dict[str, set[str]] = field(default_factory=dict)
    #: tasks on DRAINING/INACTIVE instances, refreshed when the cluster's instances change
    displaced: dict[str, Task] = field(default_factory=dict)
    #: tasks the scheduler is stopping because they failed health checks (not yet STOPPED)
    health_stopping: set[str] = field(default_factory=set)
    #: tasks whose essential containers report UNHEALTHY
    hc_unhealthy: dict[str, Task] = field(default_factory=dict)
    seen_cluster_version: int = -1
    #: tasks waiting for LB health, or registered and watched for ELB health failures
    lb_tasks: dict[str, Task] = field(default_factory=dict)
    pending_registered: dict[str, int] = field(default_factory=dict)
    busy: bool = True
    last_completed: Deployment | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def primary(self) -> Deployment:
        return self.deployments[0]

    def all_tasks(self) -> list[Task]:
        return [t for d in self.deployments for t in d.tasks.values()]

    def deployment(self, dep_id: str | None) -> Deployment | None:
        return next((d for d in self.deployments if d.id == dep_id), None)
