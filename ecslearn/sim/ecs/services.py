"""ECS services: the service scheduler, rolling deployments, the circuit breaker and service events.

Follows ecs-reference §4 (services), §3.2/§3.3 (default placement and scale-in order) and §5.2 (draining).

How the scheduler runs: every change of one of a service's tasks (creation, lastStatus, healthStatus)
arrives through `_task_listeners`; it updates per-deployment counters and *kicks* the service (a
one-shot event at the current time). A reconcile pass then compares the counters with the targets of
§4.3 and launches or stops tasks in batches. A periodic tick (every 15 s) catches what has no event:
instances that change status, target-group health, throttling that expires, the steady-state event that
repeats every 6 hours. Counters keep a pass O(1) plus the work it does, so a 5,000-task service stays fast.

Choices where the reference leaves room: the start-failure back-off begins after 3 consecutive tasks
stop before RUNNING (15 s, doubling to the 15-minute cap, one task per retry); a new task definition
or a task reaching RUNNING clears it. Scale-in ties go to the lowest AZ name, then the lowest
container-instance id, then the newest task. Events list at most 10 task ids each
("has started 10 tasks: ...").

For other modules: `cluster.services[name]` is a `deployments.Service` (`status`, `desired_count`,
`scheduling_strategy`, `deployments` with the PRIMARY first, each a `Deployment` with `task_definition`,
`capacity_provider_strategy`, `rollout_state`); a service's task carries `task.extra["service"]` (a
`TaskInfo`) and `task.extra["deploymentId"]`. Change a service only through UpdateService.
"""

from __future__ import annotations

import contextlib
import re
from collections import defaultdict
from datetime import timedelta
from typing import Any

from ecslearn.errors import NotModelledError, SimulatorError
from ecslearn.sim import cql
from ecslearn.sim.base import check_type, operation
from ecslearn.sim.ecs import placement
from ecslearn.sim.ecs import service_events as ev
from ecslearn.sim.ecs.core import EcsCore
from ecslearn.sim.ecs.deployments import (
    HEALTHY,
    HEALTHY_AFTER,
    LIVE,
    PENDING,
    RUNNING,
    STOPPED,
    STOPPING,
    THROTTLE_AFTER,
    Deployment,
    Service,
    TaskInfo,
    breaker_threshold,
    lower_bound,
    throttle_delay,
    upper_bound,
)
from ecslearn.sim.ecs.models import Cluster, Task, TaskDefinition
from ecslearn.sim.errors import ClientError, aws_error, invalid_parameter

_SERVICE_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
TICK_SECONDS = 15.0
#: §3.3: a REPLICA service with no strategy balances AZs, then instances
DEFAULT_SERVICE_STRATEGY = [{"type": "spread", "field": "attribute:ecs.availability-zone"},
                            {"type": "spread", "field": "instanceId"}]
_LAUNCH_TYPES = ("EC2", "FARGATE", "EXTERNAL")
_STOPPING_STATUSES = ("DEACTIVATING", "STOPPING", "DEPROVISIONING")
_START_FAILURE_CODES = (None, "TaskFailedToStart", "EssentialContainerExited")


class _StaticContext:
    """A placement context for expressions that read no task state (attributes, ids, agent version)."""

    def group_counts(self, group: str) -> dict[str, int]:
        return {}

    def running_tasks_count(self, ci: Any) -> int:
        return len(ci.task_ids)

    def task_groups(self, ci: Any) -> set[str]:
        return set()

    def commit(self, ci: Any) -> None:  # pragma: no cover - never placing
        raise AssertionError("static context cannot place")


def _service_not_found() -> ClientError:
    return aws_error("ServiceNotFoundException", "Service not found.")


def _not_active() -> ClientError:
    return aws_error("ServiceNotActiveException", "Service was not ACTIVE.")


class ServicesMixin(EcsCore):
    """CreateService, UpdateService, DeleteService, DescribeServices, ListServices and the scheduler."""

    def _init_state(self) -> None:
        self._svc_tick_handle: Any = None
        #: (target group ARN, target id, port) -> the service task registered there
        self._svc_targets: dict[tuple[str, str, int], Task] = {}

    # ============================================================================================
    # operations
    # ============================================================================================

    @operation
    def create_service(self, serviceName: str, cluster: str | None = None, taskDefinition: str | None = None,
                       loadBalancers: list | None = None, serviceRegistries: list | None = None,
                       desiredCount: int | None = None, clientToken: str | None = None,
                       launchType: str | None = None, capacityProviderStrategy: list | None = None,
                       platformVersion: str | None = None, role: str | None = None,
                       deploymentConfiguration: dict | None = None, placementConstraints: list | None = None,
                       placementStrategy: list | None = None, networkConfiguration: dict | None = None,
                       healthCheckGracePeriodSeconds: int | None = None, schedulingStrategy: str | None = None,
                       deploymentController: dict | None = None, tags: list | None = None,
                       enableECSManagedTags: bool | None = None, propagateTags: str | None = None,
                       enableExecuteCommand: bool | None = None) -> dict[str, Any]:
        """Create a REPLICA or DAEMON service; the scheduler starts its tasks as simulated time passes.

        Not modelled: serviceRegistries (Cloud Map), CODE_DEPLOY and EXTERNAL deployment controllers,
        Classic Load Balancers (loadBalancerName), Service Connect, VPC Lattice, volume configurations,
        ECS-managed tags on tasks, availabilityZoneRebalancing, DAEMON priority (daemon tasks are not
        launched first nor given reserved capacity), the circuit breaker's thresholdConfiguration.
        """
        c = self._svc_cluster(cluster)
        if not _SERVICE_NAME.match(serviceName):
            raise invalid_parameter(
                "Service name can have up to 255 characters. Valid characters are letters (uppercase and "
                "lowercase), numbers, underscores, and hyphens.")
        if serviceRegistries:
            raise NotModelledError("service discovery (serviceRegistries)", operation_name="CreateService")
        self._svc_check_controller(deploymentController)
        strategy_name = schedulingStrategy or "REPLICA"
        if strategy_name not in ("REPLICA", "DAEMON"):
            raise invalid_parameter("schedulingStrategy should be one of [REPLICA,DAEMON]")
        existing = c.services.get(serviceName)
        if existing is not None and existing.status in ("ACTIVE", "DRAINING"):
            if clientToken is not None and existing.extra.get("clientToken") == clientToken:
                return {"service": self._svc_api(existing, include_tags=True)}  # a retried request
            raise invalid_parameter("Creation of service was not idempotent.")
        if taskDefinition is None:
            raise invalid_parameter("TaskDefinition must be specified for services using the ECS deployment "
                                    "controller.")
        td = self._resolve_task_definition(taskDefinition, for_use=True)
        tag_list = self._check_tags(tags)
        if propagateTags is not None and propagateTags not in ("TASK_DEFINITION", "SERVICE", "NONE"):
            raise invalid_parameter("propagateTags should be one of [TASK_DEFINITION,SERVICE,NONE]")
        if healthCheckGracePeriodSeconds is not None and not 0 <= healthCheckGracePeriodSeconds <= 2147483647:
            raise invalid_parameter("healthCheckGracePeriodSeconds must be between 0 and 2147483647.")
        launch_type, cps = self._svc_capacity(c, launchType, capacityProviderStrategy)
        if cps:
            self._split_capacity(c, None, cps, 1)  # refuses strategies the capacity mixin does not accept
        if launch_type is not None and td.compatibilities and launch_type not in td.compatibilities:
            raise invalid_parameter(f"Task definition does not support launch_type {launch_type}.")
        if strategy_name == "DAEMON":
            if desiredCount is not None:
                raise invalid_parameter("The DAEMON scheduling strategy does not support a desired count.")
            if launch_type == "FARGATE" or any(str(s.get("capacityProvider", "")).startswith("FARGATE")
                                               for s in cps):
                raise invalid_parameter("The DAEMON scheduling strategy is not supported with the Fargate "
                                        "launch type.")
            if placementStrategy:
                raise invalid_parameter("Placement strategies are not supported with the DAEMON scheduling "
                                        "strategy.")
            max_pct, min_pct = 100, 0
        else:
            if desiredCount is None:
                raise invalid_parameter("desiredCount is required for services with the REPLICA scheduling "
                                        "strategy.")
            max_pct, min_pct = 200, 100
        max_pct, min_pct, breaker, rollback = self._svc_deployment_config(
            deploymentConfiguration, max_pct, min_pct, False, False, daemon=strategy_name == "DAEMON")
        if desiredCount is not None and desiredCount < 0:
            raise invalid_parameter("desiredCount must be greater than or equal to 0.")
        strategies = self._svc_check_strategies(placementStrategy)
        constraints = self._svc_check_constraints(placementConstraints, td)
        network = self._svc_check_network(networkConfiguration, td)
        lbs = self._svc_check_load_balancers(loadBalancers, td)
        now = self.sim.now
        svc = Service(
            name=serviceName, arn=self.sim.arn("ecs", f"service/{c.name}/{serviceName}"), cluster=c,
            created_at=now, desired_count=desiredCount or 0, scheduling_strategy=strategy_name,
            maximum_percent=max_pct, minimum_healthy_percent=min_pct, breaker_enable=breaker,
            breaker_rollback=rollback, health_check_grace=healthCheckGracePeriodSeconds or 0,
            role_arn=role if role is None or role.startswith("arn:") else self.sim.arn("iam", f"role/{role}", region=""),
            propagate_tags=propagateTags or "NONE",
            enable_ecs_managed_tags=bool(enableECSManagedTags), enable_execute_command=bool(enableExecuteCommand),
            created_by=self.sim.arn("iam", "root", region=""), tags=tag_list)
        svc.deployments.append(self._svc_new_deployment(
            td, launch_type, cps, platformVersion, network, lbs, constraints, strategies))
        if clientToken is not None:
            svc.extra["clientToken"] = clientToken
        c.services[serviceName] = svc
        self._arn_index[svc.arn] = svc
        self._svc_setup()
        self._svc_kick(svc)
        return {"service": self._svc_api(svc, include_tags=True)}

    @operation
    def update_service(self, service: str, cluster: str | None = None, desiredCount: int | None = None,
                       taskDefinition: str | None = None, capacityProviderStrategy: list | None = None,
                       deploymentConfiguration: dict | None = None, networkConfiguration: dict | None = None,
                       placementConstraints: list | None = None, placementStrategy: list | None = None,
                       platformVersion: str | None = None, forceNewDeployment: bool | None = None,
                       healthCheckGracePeriodSeconds: int | None = None,
                       enableExecuteCommand: bool | None = None, enableECSManagedTags: bool | None = None,
                       loadBalancers: list | None = None, propagateTags: str | None = None,
                       serviceRegistries: list | None = None) -> dict[str, Any]:
        """Change desiredCount or start a new rolling deployment (new task definition, network, LBs, ...).

        Not modelled: serviceRegistries, Service Connect, VPC Lattice, volume configurations,
        changing the deployment controller, availabilityZoneRebalancing.
        """
        c = self._svc_cluster(cluster)
        svc = self._svc_lookup(c, service)
        if svc.status != "ACTIVE":
            raise _not_active()
        if serviceRegistries:
            raise NotModelledError("service discovery (serviceRegistries)", operation_name="UpdateService")
        daemon = svc.scheduling_strategy == "DAEMON"
        if desiredCount is not None:
            if daemon:
                raise invalid_parameter("The DAEMON scheduling strategy does not support a desired count.")
            if desiredCount < 0:
                raise invalid_parameter("desiredCount must be greater than or equal to 0.")
        if propagateTags is not None and propagateTags not in ("TASK_DEFINITION", "SERVICE", "NONE"):
            raise invalid_parameter("propagateTags should be one of [TASK_DEFINITION,SERVICE,NONE]")
        if healthCheckGracePeriodSeconds is not None and not 0 <= healthCheckGracePeriodSeconds <= 2147483647:
            raise invalid_parameter("healthCheckGracePeriodSeconds must be between 0 and 2147483647.")
        primary = svc.primary
        td = self._resolve_task_definition(taskDefinition, for_use=True) if taskDefinition else \
            primary.task_definition
        max_pct, min_pct, breaker, rollback = self._svc_deployment_config(
            deploymentConfiguration, svc.maximum_percent, svc.minimum_healthy_percent, svc.breaker_enable,
            svc.breaker_rollback, daemon=daemon)
        if daemon and placementStrategy:
            raise invalid_parameter("Placement strategies are not supported with the DAEMON scheduling strategy.")
        launch_type, cps = primary.launch_type, primary.capacity_provider_strategy
        if capacityProviderStrategy is not None:
            launch_type, cps = self._svc_capacity(c, None, capacityProviderStrategy)
            if cps:
                self._split_capacity(c, None, cps, 1)
        if launch_type is not None and td.compatibilities and launch_type not in td.compatibilities:
            raise invalid_parameter(f"Task definition does not support launch_type {launch_type}.")
        strategies = self._svc_check_strategies(placementStrategy) if placementStrategy is not None \
            else primary.placement_strategy
        constraints = self._svc_check_constraints(placementConstraints, td) if placementConstraints is not None \
            else primary.placement_constraints
        network = networkConfiguration if networkConfiguration is not None else primary.network_configuration
        network = self._svc_check_network(network, td)
        lbs = self._svc_check_load_balancers(loadBalancers, td) if loadBalancers is not None \
            else self._svc_check_load_balancers(primary.load_balancers, td)
        # --- validated: apply ---
        svc.maximum_percent, svc.minimum_healthy_percent = max_pct, min_pct
        svc.breaker_enable, svc.breaker_rollback = breaker, rollback
        if desiredCount is not None:
            svc.desired_count = desiredCount
        if healthCheckGracePeriodSeconds is not None:
            svc.health_check_grace = healthCheckGracePeriodSeconds
        if enableExecuteCommand is not None:
            svc.enable_execute_command = enableExecuteCommand
        if enableECSManagedTags is not None:
            svc.enable_ecs_managed_tags = enableECSManagedTags
        if propagateTags is not None:
            svc.propagate_tags = propagateTags
        new_td = td is not primary.task_definition
        redeploy = bool(forceNewDeployment) or new_td or any(
            p is not None for p in (networkConfiguration, loadBalancers, placementConstraints, placementStrategy,
                                    capacityProviderStrategy, platformVersion))
        if redeploy:
            if new_td:  # §4.5: a new task definition clears the throttle
                svc.start_failures = 0
                svc.throttle_until = None
                svc.events.clear("throttle")
            self._svc_start_deployment(svc, self._svc_new_deployment(
                td, launch_type, cps, platformVersion if platformVersion is not None else primary.platform_version,
                network, lbs, constraints, strategies))
        svc.busy = True
        self._svc_kick(svc)
        return {"service": self._svc_api(svc)}

    @operation
    def delete_service(self, service: str, cluster: str | None = None, force: bool | None = None) -> dict[str, Any]:
        """Delete a service: it goes DRAINING, its tasks stop, then INACTIVE (§4.6).

        Not modelled: the later purge of INACTIVE services (ServiceNotFoundException after a while).
        """
        c = self._svc_cluster(cluster, allow_inactive=True)
        svc = self._svc_lookup(c, service)
        if svc.status != "ACTIVE":
            raise _not_active()
        if svc.scheduling_strategy == "REPLICA" and svc.desired_count > 0 and not force:
            raise invalid_parameter("The service cannot be stopped while it is scaled above 0.")
        svc.desired_count = 0
        svc.status = "DRAINING"
        svc.busy = True
        svc.events.clear("steady")
        self._svc_kick(svc)
        return {"service": self._svc_api(svc)}

    @operation
    def describe_services(self, services: list, cluster: str | None = None,
                          include: list | None = None) -> dict[str, Any]:
        """Describe up to 10 services by name or ARN; unknown ones come back in `failures` as MISSING.

        Not modelled: purging INACTIVE services (they stay describable until a service of the same name
        replaces them), task sets, service revisions.
        """
        c = self._cluster(cluster, allow_inactive=True)
        for item in include or []:
            if item != "TAGS":
                raise invalid_parameter("include should be one of [TAGS]")
        if not services:
            raise invalid_parameter("Services cannot be empty.")
        if len(services) > 10:
            raise invalid_parameter("services can have at most 10 items.")
        found, failures = [], []
        for i, ref in enumerate(services):
            check_type(f"services[{i}]", ref, str)
            name = self._svc_name(ref)
            svc = c.services.get(name)
            if svc is None or (ref.startswith("arn:") and ref != svc.arn and f"service/{name}" not in ref):
                arn = ref if ref.startswith("arn:") else self.sim.arn("ecs", f"service/{c.name}/{ref}")
                failures.append({"arn": arn, "reason": "MISSING"})
            else:
                found.append(self._svc_api(svc, include_tags="TAGS" in (include or [])))
        return {"services": found, "failures": failures}

    @operation
    def list_services(self, cluster: str | None = None, nextToken: str | None = None,
                      maxResults: int | None = None, launchType: str | None = None,
                      schedulingStrategy: str | None = None) -> dict[str, Any]:
        """List ACTIVE services' ARNs (DRAINING and INACTIVE ones are not listed), in creation order.

        Not modelled: the resourceManagementType filter.
        """
        c = self._cluster(cluster)
        if launchType is not None and launchType not in _LAUNCH_TYPES:
            raise invalid_parameter("launchType should be one of [EC2,FARGATE,EXTERNAL]")
        if schedulingStrategy is not None and schedulingStrategy not in ("REPLICA", "DAEMON"):
            raise invalid_parameter("schedulingStrategy should be one of [REPLICA,DAEMON]")
        arns = [s.arn for s in c.services.values() if s.status == "ACTIVE"
                and (launchType is None or s.primary.launch_type == launchType)
                and (schedulingStrategy is None or s.scheduling_strategy == schedulingStrategy)]
        return self._listed("serviceArns", arns, nextToken, maxResults, default_max=10)

    # ============================================================================================
    # validation helpers
    # ============================================================================================

    def _svc_cluster(self, ref: str | None, *, allow_inactive: bool = False) -> Cluster:
        c = self._cluster(ref, allow_inactive=True)
        if c.status == "INACTIVE" and not allow_inactive:
            raise aws_error("ClusterNotFoundException", "The referenced cluster was inactive.")
        return c

    @staticmethod
    def _svc_name(ref: str) -> str:
        if ref.startswith("arn:"):
            return ref.rsplit("/", 1)[-1]
        return ref

    def _svc_lookup(self, c: Cluster, ref: str) -> Service:
        svc = c.services.get(self._svc_name(ref))
        if svc is None:
            raise _service_not_found()
        return svc

    @staticmethod
    def _svc_check_controller(controller: dict | None) -> None:
        if controller is None:
            return
        kind = controller.get("type", "ECS")
        if kind == "ECS":
            return
        if kind in ("CODE_DEPLOY", "EXTERNAL"):
            raise NotModelledError(f"the {kind} deployment controller", operation_name="CreateService")
        raise invalid_parameter("deploymentController.type should be one of [ECS,CODE_DEPLOY,EXTERNAL]")

    def _svc_capacity(self, c: Cluster, launch_type: str | None,
                      cps: list | None) -> tuple[str | None, list[dict[str, Any]]]:
        if launch_type is not None and cps:
            raise invalid_parameter("Specifying both a launch type and capacity provider strategy is not "
                                    "supported. Remove one and try again.")
        if launch_type is not None:
            if launch_type not in _LAUNCH_TYPES:
                raise invalid_parameter("launchType should be one of [EC2,FARGATE,EXTERNAL]")
            return launch_type, []
        if cps:
            out = []
            for i, item in enumerate(cps):
                check_type(f"capacityProviderStrategy[{i}]", item, dict)
                if not isinstance(item.get("capacityProvider"), str):
                    raise invalid_parameter("The capacity provider strategy item must name a capacityProvider.")
                for key in ("base", "weight"):
                    if key in item:
                        check_type(f"capacityProviderStrategy[{i}].{key}", item[key], int)
                out.append(dict(item))
            return None, out
        if c.default_capacity_provider_strategy:
            return None, [dict(s) for s in c.default_capacity_provider_strategy]
        return "EC2", []

    @staticmethod
    def _svc_deployment_config(cfg: dict | None, max_pct: int, min_pct: int, breaker: bool, rollback: bool,
                               *, daemon: bool) -> tuple[int, int, bool, bool]:
        if cfg is None:
            return max_pct, min_pct, breaker, rollback
        check_type("deploymentConfiguration", cfg, dict)
        if "maximumPercent" in cfg:
            max_pct = check_type("deploymentConfiguration.maximumPercent", cfg["maximumPercent"], int)
            if daemon and max_pct != 100:
                raise invalid_parameter("The maximumPercent parameter must be 100 for services with the DAEMON "
                                        "scheduling strategy.")
        if "minimumHealthyPercent" in cfg:
            min_pct = check_type("deploymentConfiguration.minimumHealthyPercent", cfg["minimumHealthyPercent"], int)
        if "deploymentCircuitBreaker" in cfg:
            cb = check_type("deploymentConfiguration.deploymentCircuitBreaker", cfg["deploymentCircuitBreaker"], dict)
            for key in ("enable", "rollback"):
                if key not in cb:
                    raise invalid_parameter(f"deploymentCircuitBreaker.{key} must be specified.")
            breaker = check_type("deploymentConfiguration.deploymentCircuitBreaker.enable", cb["enable"], bool)
            rollback = check_type("deploymentConfiguration.deploymentCircuitBreaker.rollback", cb["rollback"], bool)
        for key in cfg:
            if key not in ("maximumPercent", "minimumHealthyPercent", "deploymentCircuitBreaker"):
                raise NotModelledError(f"deploymentConfiguration.{key}", operation_name="CreateService")
        if not 0 <= min_pct <= 100:
            raise invalid_parameter("minimumHealthyPercent must be between 0 and 100.")
        if max_pct < 100 and not daemon:
            raise invalid_parameter("maximumPercent must be greater than or equal to 100.")
        if max_pct > 2000:
            raise invalid_parameter("maximumPercent must be less than or equal to 2000.")
        return max_pct, min_pct, breaker, rollback

    @staticmethod
    def _svc_check_strategies(strategies: list | None) -> list[dict[str, Any]]:
        """Validated as RunTask validates them (sim/ecs/placement.py), kept in API shape."""
        return [st.to_api() for st in placement.parse_strategies(strategies)]

    @staticmethod
    def _svc_check_constraints(constraints: list | None, td: TaskDefinition) -> list[dict[str, Any]]:
        parsed = placement.parse_constraints(constraints)
        if len(parsed) + len(td.placement_constraints) > placement.MAX_CONSTRAINTS:
            raise invalid_parameter("The number of placement constraints must be at most "
                                    f"{placement.MAX_CONSTRAINTS}, counting the task definition's.")
        return [pc.to_api() for pc in parsed]

    def _svc_check_network(self, network: dict | None, td: TaskDefinition) -> dict[str, Any] | None:
        """awsvpc needs a networkConfiguration, other modes refuse one; checked as RunTask checks it."""
        if td.network_mode == "awsvpc" and not network:
            raise invalid_parameter("Network Configuration must be provided when networkMode 'awsvpc' is "
                                    "specified.")
        if network is None:
            return None
        check_type("networkConfiguration", network, dict)
        if td.network_mode != "awsvpc":
            raise invalid_parameter("Network Configuration is not valid for the given networkMode of this task "
                                    "definition.")
        checker = getattr(self, "_check_network", None)
        if checker is not None:
            network = checker(network)
            subnets = getattr(self, "_subnets", None)
            if subnets is not None and network is not None:
                subnets(network)  # unknown subnets are refused now, not at the first launch
        return network

    def _svc_check_load_balancers(self, lbs: list | None, td: TaskDefinition) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for i, lb in enumerate(lbs or []):
            check_type(f"loadBalancers[{i}]", lb, dict)
            if lb.get("loadBalancerName"):
                raise NotModelledError("Classic Load Balancers (loadBalancerName)", operation_name="CreateService")
            arn, name, port = lb.get("targetGroupArn"), lb.get("containerName"), lb.get("containerPort")
            if not isinstance(arn, str) or not arn:
                raise invalid_parameter("targetGroupArn must be specified for Application and Network Load "
                                        "Balancers.")
            if not isinstance(name, str) or not isinstance(port, int) or isinstance(port, bool):
                raise invalid_parameter("containerName and containerPort must be specified for a load balancer.")
            container = td.container(name)
            if container is None:
                raise invalid_parameter(f"The container {name} does not exist in the task definition.")
            if not any(pm.container_port == port for pm in container.port_mappings):
                raise invalid_parameter(f"The container {name} did not have a container port {port} defined.")
            tg = self._svc_target_group(arn)
            if tg is None:
                raise invalid_parameter(f"Target Group {arn} does not exist.")
            if not getattr(tg, "load_balancer_arns", None):
                raise invalid_parameter(f"The target group with targetGroupArn {arn} does not have an associated "
                                        "load balancer.")
            if td.network_mode == "awsvpc" and getattr(tg, "target_type", "instance") == "instance":
                raise invalid_parameter(f"The provided target group {arn} has target type instance, which is "
                                        "incompatible with the awsvpc network mode specified in the task "
                                        "definition.")
            if td.network_mode in ("bridge", "host") and getattr(tg, "target_type", "instance") == "ip":
                raise invalid_parameter(f"The provided target group {arn} has target type ip, which is "
                                        f"incompatible with the {td.network_mode} network mode specified in the "
                                        "task definition.")
            out.append({"targetGroupArn": arn, "containerName": name, "containerPort": port})
        return out

    def _svc_target_group(self, arn: str) -> Any:
        try:
            elb = self.sim.backend("elbv2")
        except NotModelledError:
            return None
        try:
            return elb._target_group(arn)  # type: ignore[attr-defined]
        except ClientError:
            return None

    # ============================================================================================
    # records and API shapes
    # ============================================================================================

    def _svc_new_deployment(self, td: TaskDefinition, launch_type: str | None, cps: list[dict[str, Any]],
                            platform_version: str | None, network: dict[str, Any] | None,
                            lbs: list[dict[str, Any]], constraints: list[dict[str, Any]],
                            strategies: list[dict[str, Any]]) -> Deployment:
        digits = str(int(self.sim.new_hex(16), 16) % 9 * 10 ** 18 + int(self.sim.new_hex(16), 16) % 10 ** 18
                     + 10 ** 18)
        now = self.sim.now
        if platform_version is None and (launch_type == "FARGATE" or any(
                str(s.get("capacityProvider", "")).startswith("FARGATE") for s in cps)):
            platform_version = "LATEST"
        dep = Deployment(id=f"ecs-svc/{digits[:19]}", task_definition=td, created_at=now, updated_at=now,
                         launch_type=launch_type, capacity_provider_strategy=cps, platform_version=platform_version,
                         network_configuration=network, load_balancers=lbs, placement_constraints=constraints,
                         placement_strategy=strategies)
        dep.rollout_state_reason = f"ECS deployment {dep.id} in progress."
        return dep

    def _svc_start_deployment(self, svc: Service, dep: Deployment, *, reason: str | None = None) -> None:
        for old in svc.deployments:
            old.status = "ACTIVE"
            old.updated_at = self.sim.now
        svc.deployments.insert(0, dep)
        if reason:
            dep.rollout_state_reason = reason
        svc.events.clear("steady")
        svc.events.clear("stuck")
        svc.events.clear("place")

    def _svc_deployment_api(self, svc: Service, dep: Deployment) -> dict[str, Any]:
        running = sum(1 for t in dep.tasks.values() if t.last_status == "RUNNING")
        pending = sum(1 for t in dep.tasks.values() if t.last_status in ("PROVISIONING", "PENDING", "ACTIVATING"))
        out: dict[str, Any] = {
            "id": dep.id, "status": dep.status, "taskDefinition": dep.task_definition.arn,
            "desiredCount": svc.desired_count if dep is svc.primary else dep.live(),
            "pendingCount": pending, "runningCount": running, "failedTasks": dep.failed_tasks,
            "createdAt": dep.created_at, "updatedAt": dep.updated_at,
            "rolloutState": dep.rollout_state, "rolloutStateReason": dep.rollout_state_reason,
        }
        if dep.launch_type:
            out["launchType"] = dep.launch_type
        if dep.capacity_provider_strategy:
            out["capacityProviderStrategy"] = [dict(s) for s in dep.capacity_provider_strategy]
        if dep.platform_version:
            out["platformVersion"] = dep.platform_version
            out["platformFamily"] = "Linux"
        if dep.network_configuration:
            out["networkConfiguration"] = dep.network_configuration
        return out

    def _svc_api(self, svc: Service, *, include_tags: bool = False) -> dict[str, Any]:
        primary = svc.primary
        tasks = svc.all_tasks()
        out: dict[str, Any] = {
            "serviceArn": svc.arn, "serviceName": svc.name, "clusterArn": svc.cluster.arn,
            "loadBalancers": [dict(lb) for lb in primary.load_balancers], "serviceRegistries": [],
            "status": svc.status, "desiredCount": svc.desired_count,
            "runningCount": sum(1 for t in tasks if t.last_status == "RUNNING"),
            "pendingCount": sum(1 for t in tasks if t.last_status in ("PROVISIONING", "PENDING", "ACTIVATING")),
            "taskDefinition": primary.task_definition.arn,
            "deploymentConfiguration": {
                "deploymentCircuitBreaker": {"enable": svc.breaker_enable, "rollback": svc.breaker_rollback},
                "maximumPercent": svc.maximum_percent, "minimumHealthyPercent": svc.minimum_healthy_percent},
            "deployments": [self._svc_deployment_api(svc, d) for d in svc.deployments],
            "events": [dict(e) for e in svc.events.items],
            "createdAt": svc.created_at,
            "placementConstraints": [dict(p) for p in primary.placement_constraints],
            "placementStrategy": [dict(p) for p in primary.placement_strategy],
            "schedulingStrategy": svc.scheduling_strategy,
            "deploymentController": {"type": "ECS"},
            "createdBy": svc.created_by,
            "enableECSManagedTags": svc.enable_ecs_managed_tags,
            "propagateTags": svc.propagate_tags,
            "enableExecuteCommand": svc.enable_execute_command,
        }
        if primary.launch_type:
            out["launchType"] = primary.launch_type
        if primary.capacity_provider_strategy:
            out["capacityProviderStrategy"] = [dict(s) for s in primary.capacity_provider_strategy]
        if primary.platform_version:
            out["platformVersion"] = primary.platform_version
            out["platformFamily"] = "Linux"
        if primary.network_configuration:
            out["networkConfiguration"] = primary.network_configuration
        if primary.load_balancers or svc.health_check_grace:
            out["healthCheckGracePeriodSeconds"] = svc.health_check_grace
        if svc.role_arn:
            out["roleArn"] = svc.role_arn
        if include_tags:
            out["tags"] = [dict(t) for t in svc.tags]
        return out

    # ============================================================================================
    # the scheduler: wiring
    # ============================================================================================

    def _svc_setup(self) -> None:
        listeners = getattr(self, "_task_listeners", None)
        if listeners is not None and self._svc_on_task not in listeners:
            listeners.append(self._svc_on_task)
        if self._svc_tick_handle is None:
            self._svc_tick_handle = self.sim.every(TICK_SECONDS, self._svc_tick, name="ecs service scheduler")

    def _busy(self) -> bool:
        for c in self.clusters.values():
            for svc in c.services.values():
                if svc.status != "INACTIVE" and (svc.busy or svc.seen_cluster_version != c.version):
                    return True
        return False

    def _svc_kick(self, svc: Service) -> None:
        if svc.kick_pending:
            return
        svc.kick_pending = True

        def run() -> None:
            svc.kick_pending = False
            self._svc_reconcile(svc)

        self.sim.schedule(0, run, name=f"service {svc.name}")

    def _svc_tick(self) -> None:
        for c in list(self.clusters.values()):
            for svc in list(c.services.values()):
                if svc.status != "INACTIVE":
                    self._svc_reconcile(svc)

    def _svc_event(self, svc: Service, message: str) -> None:
        svc.events.add(self.sim.new_uuid(), self.sim.now, message)

    def _svc_condition(self, svc: Service, key: str, message: str) -> None:
        svc.events.condition(key, self.sim.new_uuid, self.sim.now, message)

    # ============================================================================================
    # the scheduler: following tasks
    # ============================================================================================

    def _svc_on_task(self, task: Task) -> None:
        """Task listener: keep the deployment counters in step with the task's status."""
        info: TaskInfo | None = task.extra.get("service")
        if info is None:
            if not task.group.startswith("service:"):
                return
            svc = task.cluster.services.get(task.group[8:])
            if svc is None or svc.status == "INACTIVE":
                return
            dep = svc.deployment(task.started_by)
            if dep is None:
                return
            info = TaskInfo(service=svc, deployment=dep, state="new")
            task.extra["service"] = info
            task.extra["deploymentId"] = dep.id
            dep.tasks[task.id] = task
            if task.container_instance is not None:
                svc.by_instance.setdefault(task.container_instance.id, set()).add(task.id)
                if task.container_instance.status in ("DRAINING", "INACTIVE"):
                    svc.displaced[task.id] = task
        svc = info.service
        if task.last_status == "RUNNING":
            if not info.ever_running and not task.stopped:
                self._svc_became_running(svc, info, task)
            if not info.healthy and task.health_status == "HEALTHY" and not info.deployment.load_balancers \
                    and self._svc_has_health_check(info.deployment):
                info.healthy = True
        if task.health_status == "UNHEALTHY" and not task.stopped:
            svc.hc_unhealthy[task.id] = task
        elif svc.hc_unhealthy:
            svc.hc_unhealthy.pop(task.id, None)
        self._svc_set_state(info, task)
        if not svc.kick_pending:
            self._svc_kick(svc)

    @staticmethod
    def _svc_has_health_check(dep: Deployment) -> bool:
        found = dep.has_health_check
        if found is None:
            found = dep.has_health_check = any(c.essential and c.health_check for c in dep.task_definition.containers)
        return found

    @staticmethod
    def _svc_classify(info: TaskInfo, task: Task) -> str:
        if task.stopped:
            return STOPPED
        if info.stopping or task.desired_status == "STOPPED" or task.last_status in _STOPPING_STATUSES:
            return STOPPING
        if task.last_status == "RUNNING":
            return HEALTHY if info.healthy else RUNNING
        return PENDING

    def _svc_set_state(self, info: TaskInfo, task: Task) -> None:
        new = self._svc_classify(info, task)
        old = info.state
        if new == old:
            return
        dep, svc = info.deployment, info.service
        if old in dep.counts:
            dep.counts[old] -= 1
        info.state = new
        if new == STOPPING and info.targets and not info.stopping:
            # stopped by someone else (StopTask, an exiting container, a lost host): out of its groups now
            for arn, n in self._svc_deregister(svc, info).items():
                self._svc_event(svc, ev.deregistered(svc.name, n, arn))
        if new != STOPPED:
            dep.counts[new] += 1
            return
        # the task is gone
        dep.tasks.pop(task.id, None)
        svc.displaced.pop(task.id, None)
        svc.hc_unhealthy.pop(task.id, None)
        svc.health_stopping.discard(task.id)
        svc.lb_tasks.pop(task.id, None)
        if task.container_instance is not None:
            held = svc.by_instance.get(task.container_instance.id)
            if held is not None:
                held.discard(task.id)
                if not held:
                    del svc.by_instance[task.container_instance.id]
        if info.targets:
            self._svc_deregister(svc, info)
        if not info.ever_running and not info.stopping and task.stop_code in _START_FAILURE_CODES:
            self._svc_count_failure(svc, dep, info, start_failure=True)

    def _svc_count_failure(self, svc: Service, dep: Deployment, info: TaskInfo, *, start_failure: bool) -> None:
        if info.counted_failure:
            return
        info.counted_failure = True
        dep.failed_tasks += 1
        dep.breaker_count += 1
        dep.updated_at = self.sim.now
        if start_failure:
            svc.start_failures += 1
            delay = throttle_delay(svc.start_failures)
            if delay > 0:
                svc.throttle_until = self.sim.now + timedelta(seconds=delay)
                self._svc_condition(svc, "throttle", ev.throttled(svc.name))
        if svc.breaker_enable and dep is svc.primary and dep.rollout_state == "IN_PROGRESS" and \
                dep.breaker_count >= breaker_threshold(svc.desired_count):
            self._svc_trip_breaker(svc, dep)

    def _svc_trip_breaker(self, svc: Service, dep: Deployment) -> None:
        """§4.4: the deployment FAILS; with rollback, the last COMPLETED deployment is redeployed."""
        dep.rollout_state = "FAILED"
        dep.rollout_state_reason = "ECS deployment circuit breaker: tasks failed to start."
        dep.updated_at = self.sim.now
        self._svc_event(svc, ev.deployment_failed(svc.name, dep.id))
        target = svc.last_completed
        if svc.breaker_rollback and target is not None:
            back = self._svc_new_deployment(
                target.task_definition, target.launch_type, target.capacity_provider_strategy,
                target.platform_version, target.network_configuration, target.load_balancers,
                target.placement_constraints, target.placement_strategy)
            self._svc_event(svc, ev.rolling_back(svc.name, dep.id, target.id))
            self._svc_start_deployment(
                svc, back, reason=f"ECS deployment circuit breaker: rolling back to deploymentId {target.id}.")
            if back.task_definition is not dep.task_definition:
                svc.start_failures = 0
                svc.throttle_until = None
                svc.events.clear("throttle")

    def _svc_became_running(self, svc: Service, info: TaskInfo, task: Task) -> None:
        info.ever_running = True
        info.running_at = self.sim.now
        svc.start_failures = 0
        svc.throttle_until = None
        svc.events.clear("throttle")
        dep = info.deployment
        if dep.load_balancers:
            self._svc_register(svc, info, task)
            svc.lb_tasks[task.id] = task
        elif not self._svc_has_health_check(dep):
            svc.health_queue.append((self.sim.now + timedelta(seconds=HEALTHY_AFTER), task))
            self._svc_arm_health(svc)

    def _svc_arm_health(self, svc: Service) -> None:
        if not svc.health_queue or svc.health_kick is not None:
            return
        when = svc.health_queue[0][0]

        def due() -> None:
            svc.health_kick = None
            self._svc_reconcile(svc)

        svc.health_kick = self.sim.schedule_at(when, due, name=f"service {svc.name} health")

    def _svc_process_health(self, svc: Service) -> None:
        now = self.sim.now
        q = svc.health_queue
        while q and q[0][0] <= now:
            _, task = q.popleft()
            info = task.extra.get("service")
            if info is None or task.stopped:
                continue
            info.healthy = True
            self._svc_set_state(info, task)
            self._svc_healthy(svc, info)
        self._svc_arm_health(svc)

    def _svc_healthy(self, svc: Service, info: TaskInfo) -> None:
        if info.deployment.breaker_count:  # resetOnHealthyTask (§4.4, simple model)
            info.deployment.breaker_count = 0

    # --- load balancers ---------------------------------------------------------------------

    def _svc_on_target_health(self, tg_arn: str, target_id: str, port: int, old: str, new: str) -> None:
        """elbv2 health listener: a target of one of our tasks changed state; look at its service."""
        task = self._svc_targets.get((tg_arn, target_id, port))
        if task is not None and "service" in task.extra:
            self._svc_kick(task.extra["service"].service)

    def _svc_register(self, svc: Service, info: TaskInfo, task: Task) -> None:
        elb = self.sim.backend("elbv2")
        listeners = getattr(elb, "_health_listeners", None)
        if listeners is not None and self._svc_on_target_health not in listeners:
            listeners.append(self._svc_on_target_health)
        for lb in info.deployment.load_balancers:
            arn, port = lb["targetGroupArn"], lb["containerPort"]
            tg = self._svc_target_group(arn)
            if tg is None:
                continue
            if getattr(tg, "target_type", "instance") == "ip":
                target, tport = task.private_ip, port
            else:
                if task.container_instance is None:
                    continue
                target, tport = task.container_instance.ec2_instance_id, None
                for c in task.containers:
                    if c.name != lb["containerName"]:
                        continue
                    for b in c.network_bindings:
                        if b.get("containerPort") == port:
                            tport = b.get("hostPort")
                            break
                if tport is None:
                    tport = port
            if target is None:
                continue
            try:
                elb._register_task_target(arn, target, tport, task=task,  # type: ignore[attr-defined]
                                          container_name=lb["containerName"])
            except ClientError:  # the target group went away: nothing to register with
                continue
            info.targets.append((arn, target, tport))
            self._svc_targets[(arn, target, tport)] = task
            svc.pending_registered[arn] = svc.pending_registered.get(arn, 0) + 1

    def _svc_deregister(self, svc: Service, info: TaskInfo) -> dict[str, int]:
        """Take the task's targets out of their groups (they drain); return counts per target group."""
        elb = self.sim.backend("elbv2")
        counts: dict[str, int] = {}
        for arn, target, port in info.targets:
            self._svc_targets.pop((arn, target, port), None)
            with contextlib.suppress(ClientError):
                elb._deregister_task_target(arn, target, port)  # type: ignore[attr-defined]
            counts[arn] = counts.get(arn, 0) + 1
        info.targets = []
        return counts

    def _svc_drain_delay(self, info: TaskInfo) -> float:
        delay = 0.0
        for arn, _, _ in info.targets:
            tg = self._svc_target_group(arn)
            delay = max(delay, float(getattr(tg, "deregistration_delay", 300) or 0))
        return delay

    def _svc_health_reason(self, tg_arn: str, target_id: str, port: int) -> str:
        elb = self.sim.backend("elbv2")
        fn = getattr(elb, "_target_health_reason", None)
        reason = fn(tg_arn, target_id, port) if fn is not None else (None, None)
        return reason[1] or reason[0] or "Health checks failed"

    def _svc_check_lb_health(self, svc: Service) -> list[tuple[Task, str]]:
        """Mark tasks whose targets are healthy; return tasks that failed ELB health checks past the grace."""
        if not svc.lb_tasks:
            return []
        elb = self.sim.backend("elbv2")
        failed: list[tuple[Task, str]] = []
        now = self.sim.now
        for task in list(svc.lb_tasks.values()):
            info: TaskInfo = task.extra["service"]
            if info.stopping or task.stopped:
                continue
            states = [(arn, elb._target_health_state(arn, t, p)) for arn, t, p in info.targets]  # type: ignore[attr-defined]
            started = info.running_at or now
            in_grace = (now - started).total_seconds() < svc.health_check_grace
            bad = next((arn for arn, s in states if s == "unhealthy"), None)
            if bad is not None and not in_grace:
                failed.append((task, bad))
                continue
            hc_ok = not self._svc_has_health_check(info.deployment) or task.health_status == "HEALTHY"
            healthy = bool(states) and all(s == "healthy" for _, s in states) and hc_ok
            if healthy != info.healthy:
                info.healthy = healthy
                self._svc_set_state(info, task)
                if healthy:
                    self._svc_healthy(svc, info)
        return failed

    # ============================================================================================
    # the scheduler: launching and stopping
    # ============================================================================================

    def _svc_fast_targets(self, svc: Service, dep: Deployment, n: int) -> list[Any] | None:
        """The default service placement (§3.3) computed with heaps, or None when it does not apply.

        Same rule as `placement.place` with spread(attribute:ecs.availability-zone), spread(instanceId):
        among instances that fit, the AZ with the fewest tasks of the service, then the instance with the
        fewest, ties to the instance that registered first. Used for plain EC2 tasks without
        constraints or static host ports so that thousands of tasks place in O(n log instances).
        """
        td = dep.task_definition
        if svc.scheduling_strategy != "REPLICA" or dep.placement_strategy or dep.placement_constraints \
                or td.placement_constraints or dep.launch_type != "EC2" or td.network_mode == "awsvpc" \
                or n < 20 or getattr(td, "cpu_architecture", None):
            return None
        plan_fn = getattr(self, "_plan", None)
        if plan_fn is None:
            return None
        needs = plan_fn(td, {}, "EC2").needs
        if needs.tcp or needs.udp or needs.dynamic_udp:
            return None
        import heapq

        c = svc.cluster
        az_count: dict[str, int] = defaultdict(int)
        for ci in c.container_instances.values():
            if ci.status in ("ACTIVE", "DRAINING"):
                az_count[ci.attributes.get("ecs.availability-zone")] += len(svc.by_instance.get(ci.id, ()))
        heaps: dict[Any, list[tuple[int, int, Any]]] = defaultdict(list)
        left: dict[str, list[int]] = {}
        for index, ci in enumerate(c.container_instances.values()):
            if ci.status != "ACTIVE" or not ci.agent_connected or ci.capacity_provider_name is not None \
                    or "ecs.capability.external" in ci.attributes \
                    or any(a not in ci.attributes for a in needs.attributes):
                continue
            dyn = placement.free_dynamic(ci, "tcp") if needs.dynamic_tcp else 0
            left[ci.id] = [ci.remaining_cpu, ci.remaining_memory, dyn]
            heaps[ci.attributes.get("ecs.availability-zone")].append(
                (len(svc.by_instance.get(ci.id, ())), index, ci))
        for h in heaps.values():
            heapq.heapify(h)
        chosen: list[Any] = []
        while len(chosen) < n and heaps:
            low = min(az_count[az] for az in heaps)
            az = min((az for az in heaps if az_count[az] == low), key=lambda a: heaps[a][0][:2])
            h = heaps[az]
            count, index, ci = heapq.heappop(h)
            room = left[ci.id]
            if room[0] >= needs.cpu and room[1] >= needs.memory and room[2] >= needs.dynamic_tcp:
                room[0] -= needs.cpu
                room[1] -= needs.memory
                room[2] -= needs.dynamic_tcp
                chosen.append(ci)
                az_count[az] += 1
                heapq.heappush(h, (count + 1, index, ci))
            if not h:
                del heaps[az]
        return chosen if len(chosen) == n else None

    def _svc_launch(self, svc: Service, dep: Deployment, count: int,
                    target_instances: list[Any] | None = None) -> tuple[list[Task], list[dict[str, Any]]]:
        if target_instances is None and dep.capacity_provider_strategy:
            split = self._svc_split(svc, dep, count)
            if split:
                tasks, failures = [], []
                for name, k in split.items():
                    made, fails = self._svc_launch_once(svc, dep, k, None, [{"capacityProvider": name, "weight": 1}])
                    tasks += made
                    failures += fails
                return tasks, failures
        if target_instances is None:
            target_instances = self._svc_fast_targets(svc, dep, count)
        return self._svc_launch_once(svc, dep, count, target_instances, dep.capacity_provider_strategy or None)

    def _svc_split(self, svc: Service, dep: Deployment, count: int) -> dict[str, int] | None:
        """Which capacity provider each new task uses, continuing the deployment's split (§7 base/weight)."""
        existing: dict[str, int] = defaultdict(int)
        for t in dep.tasks.values():
            if t.capacity_provider_name and t.extra["service"].state in LIVE:
                existing[t.capacity_provider_name] += 1
        try:
            split = self._split_capacity(svc.cluster, None, dep.capacity_provider_strategy, count,
                                         existing=dict(existing))
        except (ClientError, SimulatorError):
            return None
        out: dict[str, int] = {}
        for _, name in split:
            if name is not None:
                out[name] = out.get(name, 0) + 1
        return out

    def _svc_launch_once(self, svc: Service, dep: Deployment, count: int, target_instances: list[Any] | None,
                         strategy: list[dict[str, Any]] | None) -> tuple[list[Task], list[dict[str, Any]]]:
        tags: list[dict[str, str]] = []
        if svc.propagate_tags == "SERVICE":
            tags = [dict(t) for t in svc.tags]
        elif svc.propagate_tags == "TASK_DEFINITION":
            tags = [dict(t) for t in dep.task_definition.tags]
        default = DEFAULT_SERVICE_STRATEGY if svc.scheduling_strategy == "REPLICA" else None
        # §2.2: a deregistered revision cannot start new services or tasks, but services already using it
        # keep scaling
        try:
            tasks, failures = self._launch_tasks(  # type: ignore[attr-defined]
                svc.cluster, dep.task_definition, count, launch_type=dep.launch_type,
                capacity_provider_strategy=strategy,
                placement_strategy=dep.placement_strategy or None,
                placement_constraints=dep.placement_constraints or None, group=f"service:{svc.name}",
                started_by=dep.id, network_configuration=dep.network_configuration, tags=tags or None,
                target_instances=target_instances, default_strategy=default,
                enable_execute_command=svc.enable_execute_command, platform_version=dep.platform_version,
                allow_inactive=True)
        except ClientError as err:
            if "No Container Instances" in err.aws_message:
                return [], [{"arn": None, "reason": None}]
            return [], [{"arn": None, "reason": "ERROR", "detail": err.aws_message}]
        except SimulatorError as err:  # e.g. NotModelledError: an event must never crash the clock
            return [], [{"arn": None, "reason": "ERROR", "detail": str(err)}]
        for t in tasks:
            if "service" not in t.extra:
                self._svc_on_task(t)
        if tasks:
            dep.updated_at = self.sim.now
            ids = [t.id for t in tasks]
            for i in range(0, len(ids), 10):
                self._svc_event(svc, ev.started(svc.name, ids[i:i + 10]))
        return tasks, failures

    def _svc_placement_event(self, svc: Service, failures: list[dict[str, Any]]) -> None:
        order = [placement.AGENT, placement.CPU, placement.MEMORY, placement.PORTS, placement.PORTS_UDP,
                 placement.ATTRIBUTE, placement.LOCATION, placement.DISTINCT]
        # the closest match is the instance that passed the most checks (§3.1 order)
        first = max(failures, key=lambda f: order.index(f["reason"]) if f.get("reason") in order else -1,
                    default={})
        reason = first.get("reason")
        if reason == "ERROR":
            message = ev.unable_to_place_other(svc.name, str(first.get("detail", "Internal error.")))
        else:
            arn = first.get("arn")
            ci_id = arn.rsplit("/", 1)[-1] if isinstance(arn, str) else None
            message = ev.unable_to_place(svc.name, reason, ci_id)
        self._svc_condition(svc, "place", message)

    def _svc_stop(self, svc: Service, tasks: list[Task], reason: str | None = None) -> None:
        """The scheduler stops tasks: LB targets are deregistered and drain first (§4.7)."""
        if not tasks:
            return
        reason = reason or f"Scaling activity initiated by (deployment {svc.primary.id})"
        draining: dict[str, int] = {}
        to_drain: list[Task] = []
        delay = 0.0
        for task in tasks:
            info: TaskInfo = task.extra["service"]
            info.stopping = True
            self._svc_set_state(info, task)
            if info.targets:
                delay = max(delay, self._svc_drain_delay(info))
                draining[info.deployment.id] = draining.get(info.deployment.id, 0) + 1
                to_drain.append(task)
        ids = [t.id for t in tasks]
        for i in range(0, len(ids), 10):
            self._svc_event(svc, ev.stopped(svc.name, ids[i:i + 10]))
        for dep_id, n in draining.items():
            self._svc_event(svc, ev.draining(svc.name, dep_id, n))
        deregistered: dict[str, int] = defaultdict(int)
        for task in to_drain:
            # the task stays DEACTIVATING while its targets drain (tasks.py honours deactivate_seconds)
            task.extra["deactivate_seconds"] = max(1.0, delay)
            for arn, n in self._svc_deregister(svc, task.extra["service"]).items():
                deregistered[arn] += n
        for task in tasks:
            if not task.stopped:
                self._stop_task(task, stop_code="ServiceSchedulerInitiated", reason=reason)  # type: ignore[attr-defined]
        if deregistered:
            def finish() -> None:
                for arn, n in deregistered.items():
                    self._svc_event(svc, ev.deregistered(svc.name, n, arn))

            self.sim.schedule(delay, finish, name=f"service {svc.name} targets drained")

    def _svc_scale_in_order(self, svc: Service, candidates: list[Task], k: int) -> list[Task]:
        """Which `k` tasks to stop (§3.2/§3.3): not-yet-running first, then by the service's strategy.

        Default and spread: the AZ with the most tasks of this service, then the instance with the most
        (ties: lowest instance id, then newest task). binpack: the instance that will have the most of the
        field left. random: seeded random choice.
        """
        if k <= 0:
            return []
        if k >= len(candidates):
            return list(candidates)
        pending = [t for t in candidates if t.last_status != "RUNNING"]
        if len(pending) >= k:
            return pending[:k]
        chosen = list(pending)
        running = [t for t in candidates if t.last_status == "RUNNING"]
        need = k - len(chosen)
        strategy = svc.primary.placement_strategy
        first = strategy[0] if strategy else {"type": "spread"}
        if first.get("type") == "random":
            return chosen + self.sim.rng.sample(running, need)
        if first.get("type") == "binpack":
            fld = str(first.get("field", "memory")).lower()
            left: dict[str, int] = {}
            pool = list(running)
            for _ in range(need):
                def after(t: Task) -> tuple[int, str]:
                    ci = t.container_instance
                    if ci is None:
                        return (0, t.id)
                    base = left.setdefault(ci.id, ci.remaining_cpu if fld == "cpu" else ci.remaining_memory)
                    return (base + (t.cpu if fld == "cpu" else t.memory), t.id)
                pick = max(pool, key=after)
                pool.remove(pick)
                if pick.container_instance is not None:
                    ci_id = pick.container_instance.id
                    left[ci_id] = left.get(ci_id, 0) + (pick.cpu if fld == "cpu" else pick.memory)
                chosen.append(pick)
            return chosen
        # spread / default: balance the spread field's values (default: the AZ), then instances, among
        # all live tasks of the service; spread on instanceId balances instances only
        fld = str(first.get("field") or "attribute:ecs.availability-zone")
        if fld in ("instanceId", "host"):
            def bucket(t: Task) -> str:
                return ""
        elif fld == "attribute:ecs.availability-zone":
            bucket = self._svc_az
        else:
            def bucket(t: Task) -> str:
                ci = t.container_instance
                return str(ci.attributes.get(fld[10:], "")) if ci is not None else ""
        az_count: dict[str, int] = defaultdict(int)
        inst_count: dict[str, int] = defaultdict(int)
        for t in svc.all_tasks():
            info = t.extra.get("service")
            if info is None or info.state not in LIVE:
                continue
            az_count[bucket(t)] += 1
            inst_count[self._svc_inst(t)] += 1
        by_az: dict[str, dict[str, list[Task]]] = defaultdict(lambda: defaultdict(list))
        for t in running:
            by_az[bucket(t)][self._svc_inst(t)].append(t)
        for _ in range(need):
            az = min(by_az, key=lambda a: (-az_count[a], a))
            insts = by_az[az]
            inst = min(insts, key=lambda i: (-inst_count[i], i))
            pick = insts[inst].pop()
            chosen.append(pick)
            az_count[az] -= 1
            inst_count[inst] -= 1
            if not insts[inst]:
                del insts[inst]
                if not insts:
                    del by_az[az]
        return chosen

    @staticmethod
    def _svc_az(t: Task) -> str:
        if t.container_instance is not None:
            return t.container_instance.availability_zone
        return t.availability_zone or ""

    @staticmethod
    def _svc_inst(t: Task) -> str:
        return t.container_instance.id if t.container_instance is not None else t.id

    # ============================================================================================
    # the scheduler: one reconcile pass
    # ============================================================================================

    def _svc_refresh_instances(self, svc: Service) -> None:
        c = svc.cluster
        if svc.seen_cluster_version == c.version:
            return
        svc.seen_cluster_version = c.version
        svc.displaced = {}
        exprs: list[Any] = []
        if svc.scheduling_strategy == "DAEMON":  # §4.2: tasks that stop meeting the constraints are stopped
            for pc in [*svc.primary.placement_constraints, *svc.primary.task_definition.placement_constraints]:
                if pc.get("type") == "memberOf" and pc.get("expression"):
                    expr = cql.parse(pc["expression"])
                    if not expr.dynamic:
                        exprs.append(expr)
        for dep in svc.deployments:
            dep.ineligible.clear()
            for t in dep.tasks.values():
                ci = t.container_instance
                if ci is None:
                    continue
                if ci.status in ("DRAINING", "INACTIVE") or \
                        (exprs and not all(e.evaluate(ci, _StaticContext()) for e in exprs)):
                    svc.displaced[t.id] = t

    def _svc_reconcile(self, svc: Service) -> None:
        if svc.status == "INACTIVE" or not svc.deployments:
            svc.busy = False
            return
        self._svc_refresh_instances(svc)
        self._svc_process_health(svc)
        for arn, n in list(svc.pending_registered.items()):
            self._svc_event(svc, ev.registered(svc.name, n, arn))
        svc.pending_registered.clear()
        # tasks failing health checks are replaced (§4.3): all at once when maximumPercent leaves room
        # for their replacements, otherwise one at a time
        unhealthy: list[tuple[Task, str, str | None]] = []
        for task, arn in self._svc_check_lb_health(svc):
            info: TaskInfo = task.extra["service"]
            target = next((t, p) for a, t, p in info.targets if a == arn)
            unhealthy.append((task, f"Task failed ELB health checks in (target-group {arn})",
                              ev.unhealthy_target(svc.name, target[0], target[1], arn,
                                                  self._svc_health_reason(arn, *target))))
        for task in list(svc.hc_unhealthy.values()):
            info = task.extra["service"]
            if task.health_status == "UNHEALTHY" and info.state in (RUNNING, HEALTHY) and \
                    (self.sim.now - (info.running_at or self.sim.now)).total_seconds() >= svc.health_check_grace:
                unhealthy.append((task, "Task failed container health checks", None))
        if unhealthy:
            chosen = unhealthy
            if svc.scheduling_strategy == "REPLICA" and svc.status == "ACTIVE":
                room = upper_bound(svc.desired_count, svc.maximum_percent) - \
                    sum(d.occupancy() for d in svc.deployments)
                if room < len(unhealthy):
                    n = max(room, 0) + (0 if svc.health_stopping else 1)
                    chosen = unhealthy[:n]
            for task, reason, message in chosen:
                info = task.extra["service"]
                if message:
                    self._svc_event(svc, message)
                self._svc_count_failure(svc, info.deployment, info, start_failure=False)
                svc.health_stopping.add(task.id)
                self._svc_stop(svc, [task], reason)
        if svc.status == "DRAINING":
            self._svc_reconcile_deleted(svc)
        elif svc.scheduling_strategy == "DAEMON":
            self._svc_reconcile_daemon(svc)
        else:
            self._svc_reconcile_replica(svc)

    def _svc_reconcile_deleted(self, svc: Service) -> None:
        live = [t for d in svc.deployments for t in d.tasks.values() if t.extra["service"].state in LIVE]
        self._svc_stop(svc, live)
        if all(d.live() == 0 for d in svc.deployments):
            svc.status = "INACTIVE"
            svc.busy = False
        else:
            svc.busy = True

    def _svc_live(self, dep: Deployment) -> list[Task]:
        return [t for t in dep.tasks.values() if t.extra["service"].state in LIVE]

    def _svc_reconcile_replica(self, svc: Service) -> None:
        now = self.sim.now
        D = svc.desired_count
        primary = svc.primary
        max_total = upper_bound(D, svc.maximum_percent)
        min_healthy = lower_bound(D, svc.minimum_healthy_percent)
        acted = False
        # §5.2: PENDING service tasks on a draining instance stop at once
        displaced_live = [t for t in svc.displaced.values() if t.extra["service"].state in LIVE]
        pend_displaced = [t for t in displaced_live if t.extra["service"].state != HEALTHY and
                          t.last_status != "RUNNING"]
        if pend_displaced:
            self._svc_stop(svc, pend_displaced)
            acted = True
        # tasks of the primary deployment that stay
        keep_count = primary.live() - sum(1 for t in displaced_live
                                          if t.extra["service"].deployment is primary and
                                          t.extra["service"].state in LIVE)
        if keep_count > D:
            keep = [t for t in self._svc_live(primary) if t.id not in svc.displaced]
            self._svc_stop(svc, self._svc_scale_in_order(svc, keep, keep_count - D))
            keep_count = D
            acted = True
        # start new primary tasks within maximumPercent
        occupancy = sum(d.occupancy() for d in svc.deployments)
        room = max_total - occupancy
        need = D - keep_count
        throttled = svc.throttle_until is not None and now < svc.throttle_until
        failed = primary.rollout_state == "FAILED"
        placement_failed = False
        backing_off = svc.start_failures >= THROTTLE_AFTER and (primary.counts[PENDING] + primary.counts[STOPPING]) > 0
        if need > 0 and room > 0 and not throttled and not failed and not backing_off:
            n = min(need, room)
            if svc.start_failures >= THROTTLE_AFTER:  # §4.5: while backing off, retry one task at a time
                n = 1
            tasks, failures = self._svc_launch(svc, primary, n)
            if tasks:
                acted = True
            if len(tasks) < n:
                placement_failed = True
                self._svc_placement_event(svc, failures)
            else:
                svc.events.clear("place")
        elif need <= 0:
            svc.events.clear("place")
        # stop doomed tasks (old deployments, displaced) within minimumHealthyPercent
        doomed: list[Task] = []
        if not failed:
            for d in svc.deployments[1:]:
                doomed.extend(self._svc_live(d))
        doomed.extend(t for t in displaced_live if t.extra["service"].deployment is primary
                      and t.extra["service"].state in LIVE)
        doomed = [t for t in doomed if t.extra["service"].state in LIVE]
        can_stop = 0
        if doomed:
            not_healthy = [t for t in doomed if t.extra["service"].state != HEALTHY]
            healthy_doomed = [t for t in doomed if t.extra["service"].state == HEALTHY]
            if not_healthy:
                self._svc_stop(svc, not_healthy)
                acted = True
            healthy_total = sum(d.counts[HEALTHY] for d in svc.deployments)
            can_stop = healthy_total - min_healthy
            if can_stop > 0 and healthy_doomed:
                self._svc_stop(svc, self._svc_scale_in_order(svc, healthy_doomed, can_stop))
                acted = True
        # §4.3 upper bound: after a scale-in during a deployment, RUNNING + PENDING may exceed
        # floor(desired x max%); trim not-yet-healthy primary tasks first, then healthy tasks above the floor
        excess = sum(d.live() for d in svc.deployments) - max_total
        if excess > 0:
            unready = sorted((t for t in self._svc_live(primary) if t.extra["service"].state != HEALTHY),
                             key=lambda t: t.created_at, reverse=True)[:excess]
            self._svc_stop(svc, unready)
            excess -= len(unready)
            acted = acted or bool(unready)
        if excess > 0:
            spare = sum(d.counts[HEALTHY] for d in svc.deployments) - min_healthy
            if spare > 0:
                old = [t for d in svc.deployments[1:] for t in self._svc_live(d)]
                pick = self._svc_scale_in_order(svc, old, min(excess, spare))
                if len(pick) < min(excess, spare):
                    pick += self._svc_scale_in_order(svc, self._svc_live(primary), min(excess, spare) - len(pick))
                self._svc_stop(svc, pick)
                acted = acted or bool(pick)
        # completion, steady state, stuck
        in_flight = any(d.counts[PENDING] or d.counts[RUNNING] or d.counts[STOPPING] for d in svc.deployments) \
            or bool(svc.health_queue)
        primary_healthy_keep = primary.counts[HEALTHY] - sum(
            1 for t in displaced_live if t.extra["service"].deployment is primary
            and t.extra["service"].state == HEALTHY)
        old_left = any(d.occupancy() for d in svc.deployments[1:])
        if primary.rollout_state == "IN_PROGRESS" and primary_healthy_keep >= D and not old_left:
            primary.rollout_state = "COMPLETED"
            primary.rollout_state_reason = f"ECS deployment {primary.id} completed."
            primary.updated_at = now
            svc.deployments[1:] = []
            svc.last_completed = primary
            self._svc_event(svc, ev.deployment_completed(svc.name, primary.id))
        steady = (primary.rollout_state == "COMPLETED" and len(svc.deployments) == 1
                  and primary.counts[HEALTHY] == D and primary.live() == D and primary.counts[STOPPING] == 0
                  and not displaced_live)
        if steady:
            self._svc_condition(svc, "steady", ev.steady_state(svc.name))
        else:
            svc.events.clear("steady")
        work = keep_count < D or bool(doomed)
        stuck = (work and not acted and not in_flight and not throttled and not failed and not placement_failed
                 and room <= 0 and can_stop <= 0)
        if stuck:
            self._svc_condition(svc, "stuck", ev.stuck(svc.name))
        else:
            svc.events.clear("stuck")
        blocked = stuck or throttled or (failed and not in_flight) or (placement_failed and not in_flight)
        svc.busy = not steady and not blocked and (acted or in_flight or work)

    def _svc_reconcile_daemon(self, svc: Service) -> None:
        """§4.2: one task per ACTIVE instance that meets the constraints; none on DRAINING instances."""
        primary = svc.primary
        c = svc.cluster
        acted = False
        displaced_live = [t for t in svc.displaced.values() if t.extra["service"].state in LIVE]
        if displaced_live:
            self._svc_stop(svc, displaced_live)
            acted = True
        eligible = [ci for ci in c.container_instances.values()
                    if ci.status == "ACTIVE" and ci.agent_connected and ci.id not in primary.ineligible]
        D = len(eligible)
        svc.desired_count = D
        min_healthy = lower_bound(D, svc.minimum_healthy_percent)
        max_total = upper_bound(D, svc.maximum_percent)
        occupancy = sum(d.occupancy() for d in svc.deployments)
        room = max_total - occupancy
        free = [ci for ci in eligible if not svc.by_instance.get(ci.id)]
        failed = primary.rollout_state == "FAILED"
        throttled = svc.throttle_until is not None and self.sim.now < svc.throttle_until
        if free and room > 0 and not failed and not throttled:
            targets = free[:room]
            tasks, failures = self._svc_launch(svc, primary, len(targets), target_instances=targets)
            acted = acted or bool(tasks)
            placed = {t.container_instance.id for t in tasks if t.container_instance is not None}
            for ci in targets:
                if ci.id not in placed:
                    primary.ineligible.add(ci.id)
            # instances that do not meet the constraints simply are not the daemon's; only resource
            # shortages are placement failures worth an event
            short = [f for f in failures if f.get("reason") not in (placement.ATTRIBUTE, placement.DISTINCT)]
            if short:
                self._svc_placement_event(svc, short)
            svc.desired_count = D - sum(1 for ci in targets if ci.id not in placed)
        doomed = [] if failed else [t for d in svc.deployments[1:] for t in self._svc_live(d)]
        can_stop = 0
        if doomed:
            not_healthy = [t for t in doomed if t.extra["service"].state != HEALTHY]
            if not_healthy:
                self._svc_stop(svc, not_healthy)
                acted = True
            healthy_total = sum(d.counts[HEALTHY] for d in svc.deployments)
            healthy_doomed = [t for t in doomed if t.extra["service"].state == HEALTHY]
            can_stop = healthy_total - min_healthy
            if can_stop > 0 and healthy_doomed:
                self._svc_stop(svc, self._svc_scale_in_order(svc, healthy_doomed, can_stop))
                acted = True
        D = svc.desired_count
        in_flight = any(d.counts[PENDING] or d.counts[RUNNING] or d.counts[STOPPING] for d in svc.deployments) \
            or bool(svc.health_queue)
        old_left = any(d.occupancy() for d in svc.deployments[1:])
        if primary.rollout_state == "IN_PROGRESS" and primary.counts[HEALTHY] >= D and not old_left \
                and not in_flight:
            primary.rollout_state = "COMPLETED"
            primary.rollout_state_reason = f"ECS deployment {primary.id} completed."
            primary.updated_at = self.sim.now
            svc.deployments[1:] = []
            svc.last_completed = primary
            self._svc_event(svc, ev.deployment_completed(svc.name, primary.id))
        steady = (primary.rollout_state == "COMPLETED" and len(svc.deployments) == 1
                  and primary.counts[HEALTHY] == D and primary.live() == D and not in_flight)
        if steady:
            self._svc_condition(svc, "steady", ev.steady_state(svc.name))
        else:
            svc.events.clear("steady")
        # §4.3: with minimumHealthyPercent 100 (maximumPercent is always 100) a deployment cannot move
        stuck = bool(doomed) and not acted and not in_flight and not failed and not throttled \
            and can_stop <= 0 and not free
        if stuck:
            self._svc_condition(svc, "stuck", ev.stuck(svc.name))
        else:
            svc.events.clear("stuck")
        svc.busy = not steady and (acted or in_flight) and not throttled
