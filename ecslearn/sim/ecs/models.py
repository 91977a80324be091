"""ECS state: clusters, task definitions, container instances, tasks. Plain mutable records.

Only `EcsBackend` operations and the simulator's events mutate these. Responses are built from them
by the `to_api()` methods, in boto3's shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# Task lastStatus values in lifecycle order (ecs-reference §1.1).
TASK_STATUS_ORDER = ("PROVISIONING", "PENDING", "ACTIVATING", "RUNNING", "DEACTIVATING", "STOPPING",
                     "DEPROVISIONING", "STOPPED", "DELETED")


@dataclass
class Cluster:
    name: str
    arn: str
    created_at: datetime
    status: str = "ACTIVE"
    tags: list[dict[str, str]] = field(default_factory=list)
    settings: list[dict[str, str]] = field(default_factory=list)
    configuration: dict[str, Any] | None = None
    service_connect_defaults: dict[str, Any] | None = None
    capacity_providers: list[str] = field(default_factory=list)
    default_capacity_provider_strategy: list[dict[str, Any]] = field(default_factory=list)
    # by container instance id (INACTIVE ones stay for describe for an hour)
    container_instances: dict[str, ContainerInstance] = field(default_factory=dict)
    # by task id (STOPPED ones stay for describe for an hour)
    tasks: dict[str, Task] = field(default_factory=dict)
    # by service name; the value type belongs to the services module
    services: dict[str, Any] = field(default_factory=dict)
    #: bumped whenever the set of instances or their attributes/status change (placement caches key on it)
    version: int = 0

    def active_instances(self) -> list[ContainerInstance]:
        return [ci for ci in self.container_instances.values() if ci.status in ("ACTIVE", "DRAINING")]


@dataclass
class PortMapping:
    container_port: int | None
    host_port: int | None  # None: dynamic (bridge) / same as container port (awsvpc, host)
    protocol: str = "tcp"
    name: str | None = None
    container_port_range: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class ContainerDef:
    name: str
    image: str
    essential: bool = True
    cpu: int = 0
    memory: int | None = None
    memory_reservation: int | None = None
    port_mappings: list[PortMapping] = field(default_factory=list)
    log_configuration: dict[str, Any] | None = None
    health_check: dict[str, Any] | None = None
    stop_timeout: int | None = None
    secrets: list[dict[str, str]] = field(default_factory=list)
    environment: list[dict[str, str]] = field(default_factory=list)
    repository_credentials: dict[str, str] | None = None
    depends_on: list[dict[str, str]] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict)

    def placement_memory(self) -> int:
        """MiB this container takes off an instance: memoryReservation if set, else memory (§2.3)."""
        if self.memory_reservation:
            return self.memory_reservation
        return self.memory or 0


@dataclass
class TaskDefinition:
    family: str
    revision: int
    arn: str
    registered_at: datetime
    containers: list[ContainerDef]
    #: the full `taskDefinition` response shape, as RegisterTaskDefinition returns it
    api: dict[str, Any]
    network_mode: str = "bridge"
    cpu: int | None = None  # task-level CPU units
    memory: int | None = None  # task-level MiB
    requires_compatibilities: list[str] = field(default_factory=list)
    compatibilities: list[str] = field(default_factory=list)
    requires_attributes: list[str] = field(default_factory=list)
    placement_constraints: list[dict[str, str]] = field(default_factory=list)
    execution_role_arn: str | None = None
    task_role_arn: str | None = None
    status: str = "ACTIVE"
    deregistered_at: datetime | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    #: runtimePlatform.cpuArchitecture (X86_64 | ARM64) when given; placement matches ecs.cpu-architecture
    cpu_architecture: str | None = None
    #: runtimePlatform.operatingSystemFamily (LINUX, WINDOWS_SERVER_2022_FULL, ...) when given
    operating_system_family: str | None = None

    def placement_cpu(self) -> int:
        """CPU units reserved on an instance: task-level cpu if set, else the containers' sum (§2.3)."""
        if self.cpu is not None:
            return self.cpu
        return sum(c.cpu for c in self.containers)

    def placement_memory(self) -> int:
        """MiB reserved on an instance: task-level memory if set, else the per-container sum (§2.3)."""
        if self.memory is not None:
            return self.memory
        return sum(c.placement_memory() for c in self.containers)

    def container(self, name: str) -> ContainerDef | None:
        return next((c for c in self.containers if c.name == name), None)

    def to_api(self) -> dict[str, Any]:
        out = dict(self.api)
        out["status"] = self.status
        if self.deregistered_at is not None:
            out["deregisteredAt"] = self.deregistered_at
        return out


@dataclass
class ContainerInstance:
    id: str  # the 32-hex id at the end of the ARN
    arn: str
    cluster: Cluster
    ec2_instance_id: str
    registered_at: datetime
    registered_cpu: int
    registered_memory: int
    reserved_tcp: list[int]
    reserved_udp: list[int]
    dynamic_port_range: tuple[int, int]
    availability_zone: str
    #: attribute name → value (None for capability attributes that have no value)
    attributes: dict[str, str | None] = field(default_factory=dict)
    #: names of attributes added with PutAttributes / ECS_INSTANCE_ATTRIBUTES (limit 10)
    custom_attribute_names: set[str] = field(default_factory=set)
    status: str = "ACTIVE"
    status_reason: str | None = None
    agent_connected: bool = True
    agent_version: str = "1.89.0"
    docker_version: str = "DockerVersion: 25.0.8"
    remaining_cpu: int = 0
    remaining_memory: int = 0
    used_tcp: set[int] = field(default_factory=set)  # host ports held by tasks (static and dynamic)
    used_udp: set[int] = field(default_factory=set)
    #: task ids placed here and not yet STOPPED
    task_ids: set[str] = field(default_factory=set)
    tags: list[dict[str, str]] = field(default_factory=list)
    version: int = 1
    deregistered_at: datetime | None = None
    #: the parsed agent configuration (ecs.config); type owned by the agent module
    config: Any = None
    capacity_provider_name: str | None = None
    #: the agent build's commit hash (versionInfo.agentHash)
    agent_hash: str | None = None
    #: task ENIs (awsvpc tasks) attached and not yet released; the tasks module keeps it (RESOURCE:ENI)
    enis_used: int = 0

    def fits(self, cpu: int, memory: int) -> bool:
        return cpu <= self.remaining_cpu and memory <= self.remaining_memory

    def reserve(self, cpu: int, memory: int, tcp: list[int], udp: list[int]) -> None:
        """Take resources for a task. Callers check `fits` and the ports first."""
        assert cpu <= self.remaining_cpu and memory <= self.remaining_memory, "over-reservation"
        self.remaining_cpu -= cpu
        self.remaining_memory -= memory
        self.used_tcp.update(tcp)
        self.used_udp.update(udp)
        self.version += 1

    def release(self, cpu: int, memory: int, tcp: list[int], udp: list[int]) -> None:
        self.remaining_cpu = min(self.registered_cpu, self.remaining_cpu + cpu)
        self.remaining_memory = min(self.registered_memory, self.remaining_memory + memory)
        self.used_tcp.difference_update(tcp)
        self.used_udp.difference_update(udp)
        self.version += 1

    def port_free(self, port: int, protocol: str = "tcp") -> bool:
        if protocol == "udp":
            return port not in self.used_udp and port not in self.reserved_udp
        return port not in self.used_tcp and port not in self.reserved_tcp


@dataclass
class Container:
    """A running (or stopped) container of a task."""

    name: str
    arn: str
    image: str
    definition: ContainerDef
    last_status: str = "PENDING"
    exit_code: int | None = None
    reason: str | None = None
    network_bindings: list[dict[str, Any]] = field(default_factory=list)
    health_status: str = "UNKNOWN"
    runtime_id: str | None = None
    image_digest: str | None = None
    #: the workload behaviour of the image (type owned by the workloads module)
    workload: Any = None


@dataclass
class Task:
    id: str
    arn: str
    cluster: Cluster
    task_definition: TaskDefinition
    launch_type: str | None
    created_at: datetime
    containers: list[Container]
    group: str
    cpu: int  # units reserved (task-level or summed)
    memory: int  # MiB reserved
    container_instance: ContainerInstance | None = None
    last_status: str = "PROVISIONING"
    desired_status: str = "RUNNING"
    started_by: str | None = None
    started_at: datetime | None = None
    pull_started_at: datetime | None = None
    pull_stopped_at: datetime | None = None
    connectivity: str | None = None
    connectivity_at: datetime | None = None
    stopping_at: datetime | None = None
    execution_stopped_at: datetime | None = None
    stopped_at: datetime | None = None
    stop_code: str | None = None
    stopped_reason: str | None = None
    health_status: str = "UNKNOWN"
    availability_zone: str | None = None
    attachments: list[dict[str, Any]] = field(default_factory=list)
    overrides: dict[str, Any] = field(default_factory=lambda: {"containerOverrides": [], "inferenceAcceleratorOverrides": []})
    tags: list[dict[str, str]] = field(default_factory=list)
    capacity_provider_name: str | None = None
    platform_version: str | None = None
    platform_family: str | None = None
    network_configuration: dict[str, Any] | None = None
    #: host ports this task holds on its instance, to give back when it stops
    held_tcp: list[int] = field(default_factory=list)
    held_udp: list[int] = field(default_factory=list)
    #: the ENI's private IP for awsvpc tasks
    private_ip: str | None = None
    subnet_id: str | None = None
    enable_execute_command: bool = False
    task_role_arn: str | None = None
    execution_role_arn: str | None = None
    version: int = 1
    #: pending lifecycle event (an EventHandle) so a stop can cancel it
    next_event: Any = None
    #: free-form notes for services (deployment id, target registrations, ...)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def is_fargate(self) -> bool:
        return self.launch_type == "FARGATE" or (self.capacity_provider_name or "").startswith("FARGATE")

    @property
    def stopped(self) -> bool:
        return self.last_status in ("STOPPED", "DELETED")
