"""ECS capacity providers (ecs-reference §7): FARGATE, FARGATE_SPOT, Auto Scaling group providers.

- `FARGATE` and `FARGATE_SPOT` always exist, cannot be created or deleted, and must be attached to a
  cluster (PutClusterCapacityProviders / CreateCluster) before a strategy can use them.
- A strategy is validated as §7 says: launchType and strategy are exclusive; weight 0-1000 (default 0)
  with at least one weight > 0; base 0-100000 (default 0) on at most one provider; at most 20 items;
  no mixing of Fargate and Auto Scaling group providers; every provider attached to the cluster.
- **Distribution** (`_split_capacity`): the provider with a base gets tasks first until its base is
  met; every further task goes to the provider that is furthest behind its weight share (the largest
  `weight / (weighted tasks + 1)`), ties to the provider listed first. Tasks counted towards a base do
  not count towards the weight share. Given the tasks a service already has (`existing=`), new tasks
  continue the same sequence, so a service ends up split exactly as if it had been started at once.
  Examples: FARGATE base 2 weight 1 + FARGATE_SPOT weight 1, 10 tasks → 6 + 4; weights 1:3, 4 tasks →
  1 + 3; weight 0 providers get nothing.
- **Fargate Spot interruption** (`interrupt_spot`): the two-minute warning and SIGTERM arrive together
  (the task is asked to stop at once; its containers have at most their stopTimeout, ≤120 s, before
  SIGKILL). stopCode `SpotInterruption` and stoppedReason `Your Spot Task was interrupted.`. The
  reference (§1.3, §10) notes that the documentation's sample event shows `TerminationNotice`; ecslearn
  uses the enum value named for the case, `SpotInterruption`.
- **Auto Scaling group providers with managed scaling**: every minute (on the CloudWatch clock)
  ECS computes `CapacityProviderReservation` = M / N × 100 (namespace `AWS/ECS/ManagedScaling`,
  dimensions `CapacityProviderName`, `ClusterName`), where N is the group's instances and M the
  instances needed: those running at least one non-daemon task, plus enough instances of the group's
  type to hold the tasks of services using the provider that could not be placed. With N = 0 and
  M > 0 the metric is 200. Above `targetCapacity` the group's desired capacity goes to
  ceil(M × 100 / targetCapacity) at once (at least `minimumScalingStepSize`, at most
  `maximumScalingStepSize` more); below it for 15 consecutive minutes, it goes down the same way.
  Instances launched by the group register with the cluster (their user data names it) and are
  marked with the provider's name. With managed termination protection ECS protects from scale-in
  every instance that runs a non-daemon task and unprotects idle ones.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ecslearn.errors import NotModelledError
from ecslearn.sim.base import check_type, operation
from ecslearn.sim.ecs.core import EcsCore
from ecslearn.sim.ecs.models import Cluster
from ecslearn.sim.errors import aws_error, client_exception, invalid_parameter

FARGATE_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
MAX_STRATEGY_ITEMS = 20
SPOT_REASON = "Your Spot Task was interrupted."
SPOT_STOP_CODE = "SpotInterruption"
SCALE_IN_MINUTES = 15
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")


class CapacityProvider:
    def __init__(self, name: str, arn: str, *, asg_arn: str | None = None, managed_scaling: dict[str, Any] | None = None,
                 termination_protection: str = "DISABLED", managed_draining: str = "ENABLED",
                 tags: list[dict[str, str]] | None = None) -> None:
        self.name = name
        self.arn = arn
        self.asg_arn = asg_arn
        self.managed_scaling = managed_scaling or {}
        self.termination_protection = termination_protection
        self.managed_draining = managed_draining
        self.tags = list(tags or [])
        self.status = "ACTIVE"
        self.update_status: str | None = None
        self.low_minutes = 0  # consecutive minutes below targetCapacity

    @property
    def is_fargate(self) -> bool:
        return self.name in FARGATE_PROVIDERS

    @property
    def asg_name(self) -> str | None:
        return self.asg_arn.rsplit("autoScalingGroupName/", 1)[-1] if self.asg_arn else None


def distribute(strategy: list[dict[str, Any]], count: int, existing: dict[str, int] | None = None) -> list[str]:
    """Provider names for `count` new tasks under a (validated) strategy; see the module docstring."""
    existing = dict(existing or {})
    names = [s["capacityProvider"] for s in strategy]
    base = {s["capacityProvider"]: int(s.get("base", 0) or 0) for s in strategy}
    weight = {s["capacityProvider"]: int(s.get("weight", 0) or 0) for s in strategy}
    # split existing counts into base-filling and weighted parts
    weighted = {n: max(0, existing.get(n, 0) - base[n]) for n in names}
    in_base = {n: min(existing.get(n, 0), base[n]) for n in names}
    out: list[str] = []
    for _ in range(count):
        owed = next((n for n in names if in_base[n] < base[n]), None)
        if owed is not None:
            in_base[owed] += 1
            out.append(owed)
            continue
        best = None
        for n in names:
            if weight[n] <= 0:
                continue
            score = weight[n] / (weighted[n] + 1)
            if best is None or score > best[0]:
                best = (score, n)
        if best is None:  # validation guarantees a weight > 0; keep total anyway
            best = (0.0, names[0])
        weighted[best[1]] += 1
        out.append(best[1])
    return out


class CapacityProvidersMixin(EcsCore):
    """CreateCapacityProvider, DescribeCapacityProviders, DeleteCapacityProvider, UpdateCapacityProvider,
    PutClusterCapacityProviders, and the capacity split every task launch uses."""

    def _init_state(self) -> None:
        self.capacity_providers: dict[str, CapacityProvider] = {
            name: CapacityProvider(name, self.sim.arn("ecs", f"capacity-provider/{name}"))
            for name in FARGATE_PROVIDERS}
        self._cp_clock = False

    # --- strategies ----------------------------------------------------------------------------

    def _check_strategy(self, cluster: Cluster | None, strategy: list[Any], *, path: str = "capacityProviderStrategy",
                        attached: list[str] | None = None) -> list[dict[str, Any]]:
        """Validate a strategy (§7) and return it with base/weight filled in."""
        check_type(path, strategy, (list, tuple))
        if len(strategy) > MAX_STRATEGY_ITEMS:
            raise invalid_parameter(f"The capacity provider strategy can contain a maximum of {MAX_STRATEGY_ITEMS} "
                                    "capacity providers.")
        out: list[dict[str, Any]] = []
        seen: set[str] = set()
        for i, item in enumerate(strategy):
            check_type(f"{path}[{i}]", item, dict)
            name = item.get("capacityProvider")
            check_type(f"{path}[{i}].capacityProvider", name, str)
            unknown = set(item) - {"capacityProvider", "base", "weight"}
            if unknown:
                from ecslearn.errors import ParamValidationError

                raise ParamValidationError(f'Unknown parameter in {path}[{i}]: "{sorted(unknown)[0]}", must be one '
                                           "of: capacityProvider, weight, base")
            base = item.get("base", 0)
            weight = item.get("weight", 0)
            check_type(f"{path}[{i}].base", base, int)
            check_type(f"{path}[{i}].weight", weight, int)
            if not 0 <= base <= 100000:
                raise invalid_parameter("The base value of a capacity provider strategy item must be between 0 and "
                                        "100000.")
            if not 0 <= weight <= 1000:
                raise invalid_parameter("The weight value of a capacity provider strategy item must be between 0 "
                                        "and 1000.")
            if name in seen:
                raise invalid_parameter(f"The capacity provider strategy contains {name} more than once.")
            seen.add(name)
            out.append({"capacityProvider": name, "weight": weight, "base": base})
        if not out:
            return out
        if not any(s["weight"] > 0 for s in out):
            raise invalid_parameter("At least one capacity provider in a capacity provider strategy must have a "
                                    "weight greater than zero.")
        if sum(1 for s in out if s["base"] > 0) > 1:
            raise invalid_parameter("Only one capacity provider in a capacity provider strategy can have a base "
                                    "value greater than zero.")
        kinds = {s["capacityProvider"] in FARGATE_PROVIDERS for s in out}
        if len(kinds) > 1:
            raise invalid_parameter("A capacity provider strategy cannot contain a mix of capacity providers using "
                                    "Auto Scaling groups and Fargate providers. Specify one or the other and try "
                                    "again.")
        for s in out:
            cp = self.capacity_providers.get(s["capacityProvider"])
            if cp is None or cp.status != "ACTIVE":
                raise invalid_parameter(f"The specified capacity provider {s['capacityProvider']} does not exist. "
                                        "Specify a valid capacity provider and try again.")
        names = attached if attached is not None else (cluster.capacity_providers if cluster is not None else None)
        if names is not None and any(s["capacityProvider"] not in names for s in out):
            raise invalid_parameter("The specified capacity provider strategy cannot contain a capacity provider "
                                    "that is not associated with the cluster. Associate the capacity provider with "
                                    "the cluster or specify a valid capacity provider and try again.")
        return out

    def _split_capacity(self, cluster: Cluster, launch_type: str | None,
                        capacity_provider_strategy: list[dict[str, Any]] | None, count: int, *,
                        existing: dict[str, int] | None = None) -> list[tuple[str, str | None]]:
        """Per task, (launchType, capacityProviderName) as §7 decides (see the module docstring).

        `existing`: tasks a service already runs per provider, so new ones continue its split.
        """
        if launch_type is not None and capacity_provider_strategy:
            raise invalid_parameter("Specifying both a launch type and capacity provider strategy is not "
                                    "supported. Remove one and try again.")
        if launch_type is not None:
            return [(launch_type, None)] * count
        strategy = capacity_provider_strategy or cluster.default_capacity_provider_strategy
        if not strategy:
            return [("EC2", None)] * count
        clean = self._check_strategy(cluster, list(strategy))
        self._cp_assign_instances(cluster)
        out: list[tuple[str, str | None]] = []
        for name in distribute(clean, count, existing):
            out.append(("FARGATE" if name in FARGATE_PROVIDERS else "EC2", name))
        return out

    def _set_cluster_capacity_providers(self, cluster: Cluster, providers: list[str],
                                        strategy: list[dict[str, Any]], *, from_put: bool = False) -> None:
        """Attach providers and a default strategy to a cluster, with PutClusterCapacityProviders' checks.

        Called by CreateCluster after it made the cluster: a refusal then undoes the creation, so a
        CreateCluster with a bad strategy creates nothing, as on AWS.
        """
        try:
            self._apply_cluster_capacity_providers(cluster, providers, strategy)
        except Exception:
            fresh = not from_put and cluster.created_at == self.sim.now and not cluster.container_instances \
                and not cluster.tasks and not cluster.services and not cluster.capacity_providers
            if fresh and self.clusters.get(cluster.name) is cluster:
                del self.clusters[cluster.name]
                self._arn_index.pop(cluster.arn, None)  # type: ignore[attr-defined]
            raise

    def _apply_cluster_capacity_providers(self, cluster: Cluster, providers: list[str],
                                          strategy: list[dict[str, Any]]) -> None:
        check_type("capacityProviders", providers, (list, tuple))
        names: list[str] = []
        for i, name in enumerate(providers):
            check_type(f"capacityProviders[{i}]", name, str)
            cp = self.capacity_providers.get(self._short_name(name, "capacity-provider"))
            if cp is None or cp.status != "ACTIVE":
                raise invalid_parameter(f"The specified capacity provider {name} does not exist. Specify a valid "
                                        "capacity provider and try again.")
            if cp.name in names:
                raise invalid_parameter(f"The capacity provider {cp.name} is listed more than once.")
            if not cp.is_fargate:
                other = next((c for c in self.clusters.values() if c is not cluster and c.status == "ACTIVE"
                              and cp.name in c.capacity_providers), None)
                if other is not None:
                    raise invalid_parameter(f"The capacity provider {cp.name} is already associated with the "
                                            f"cluster {other.name}. A capacity provider that uses an Auto Scaling "
                                            "group can be associated with only one cluster.")
            names.append(cp.name)
        clean = self._check_strategy(cluster, list(strategy), path="defaultCapacityProviderStrategy", attached=names)
        removed = [n for n in cluster.capacity_providers if n not in names]
        for name in removed:
            if self._cp_in_use(cluster, name):
                raise aws_error("ResourceInUseException", f"The specified capacity provider {name} is in use and "
                                "cannot be removed.")
        cluster.capacity_providers = names
        cluster.default_capacity_provider_strategy = clean
        cluster.version += 1
        if any(not self.capacity_providers[n].is_fargate for n in names):
            self._cp_start_clock()
            self._cp_assign_instances(cluster)

    def _cp_in_use(self, cluster: Cluster, name: str) -> bool:
        if any(not t.stopped and t.capacity_provider_name == name for t in cluster.tasks.values()):
            return True
        for svc in cluster.services.values():
            if getattr(svc, "status", "ACTIVE") == "INACTIVE":
                continue
            for dep in getattr(svc, "deployments", []) or []:
                if any(s.get("capacityProvider") == name for s in getattr(dep, "capacity_provider_strategy", []) or []):
                    return True
        return False

    # --- operations ----------------------------------------------------------------------------

    def _cp_api(self, cp: CapacityProvider) -> dict[str, Any]:
        out: dict[str, Any] = {"capacityProviderArn": cp.arn, "name": cp.name, "status": cp.status,
                               "tags": list(cp.tags)}
        if cp.is_fargate:
            out["type"] = cp.name
            return out
        out["type"] = "EC2_AUTOSCALING"
        out["autoScalingGroupProvider"] = {
            "autoScalingGroupArn": cp.asg_arn, "managedScaling": dict(cp.managed_scaling),
            "managedTerminationProtection": cp.termination_protection, "managedDraining": cp.managed_draining}
        if cp.update_status:
            out["updateStatus"] = cp.update_status
        return out

    def _check_managed_scaling(self, raw: Any, current: dict[str, Any] | None = None) -> dict[str, Any]:
        ms = dict(current or {"status": "DISABLED", "targetCapacity": 100, "minimumScalingStepSize": 1,
                              "maximumScalingStepSize": 10000, "instanceWarmupPeriod": 300})
        if raw is None:
            return ms
        check_type("autoScalingGroupProvider.managedScaling", raw, dict)
        for key, value in raw.items():
            if key == "status":
                if value not in ("ENABLED", "DISABLED"):
                    raise invalid_parameter("managedScaling.status must be ENABLED or DISABLED.")
            elif key in ("targetCapacity", "minimumScalingStepSize", "maximumScalingStepSize",
                         "instanceWarmupPeriod"):
                check_type(f"autoScalingGroupProvider.managedScaling.{key}", value, int)
            else:
                from ecslearn.errors import ParamValidationError

                raise ParamValidationError(f'Unknown parameter in autoScalingGroupProvider.managedScaling: "{key}", '
                                           "must be one of: status, targetCapacity, minimumScalingStepSize, "
                                           "maximumScalingStepSize, instanceWarmupPeriod")
            ms[key] = value
        if "status" not in raw and current is None:
            ms["status"] = "ENABLED"  # giving managedScaling settings turns it on, as the console does
        if not 1 <= ms["targetCapacity"] <= 100:
            raise invalid_parameter("The managed scaling target capacity must be between 1 and 100.")
        if not 1 <= ms["minimumScalingStepSize"] <= 10000 or not 1 <= ms["maximumScalingStepSize"] <= 10000:
            raise invalid_parameter("The managed scaling step sizes must be between 1 and 10000.")
        if ms["minimumScalingStepSize"] > ms["maximumScalingStepSize"]:
            raise invalid_parameter("The minimum scaling step size must be less than or equal to the maximum "
                                    "scaling step size.")
        if not 0 <= ms["instanceWarmupPeriod"] <= 10000:
            raise invalid_parameter("The instance warmup period must be between 0 and 10000 seconds.")
        return ms

    @operation
    def create_capacity_provider(self, name: str, autoScalingGroupProvider: dict | None = None,
                                 tags: list | None = None, cluster: str | None = None,
                                 managedInstancesProvider: dict | None = None) -> dict[str, Any]:
        """Create an Auto Scaling group capacity provider (managed scaling, managed termination protection).

        Not modelled: MANAGED_INSTANCES providers; managed draining and instanceWarmupPeriod are stored
        and returned but do not change the scaling; RunTask tasks waiting for capacity are not counted in
        CapacityProviderReservation (services' unplaced tasks are).
        """
        if managedInstancesProvider is not None or cluster is not None:
            raise NotModelledError("Amazon ECS Managed Instances capacity providers",
                                   operation_name="CreateCapacityProvider")
        if not _NAME.match(name):
            raise invalid_parameter("The capacity provider name can have up to 255 characters. Valid characters "
                                    "are letters (uppercase and lowercase), numbers, underscores, and hyphens.")
        if name.lower().startswith(("aws", "ecs", "fargate")):
            raise invalid_parameter("The capacity provider name cannot start with 'aws', 'ecs', or 'fargate'.")
        if autoScalingGroupProvider is None:
            raise invalid_parameter("An autoScalingGroupProvider must be specified.")
        existing = self.capacity_providers.get(name)
        if existing is not None and existing.status != "INACTIVE":
            raise client_exception("The specified capacity provider already exists. To change the configuration "
                                   "of an existing capacity provider, update the capacity provider.")
        asgp = autoScalingGroupProvider
        check_type("autoScalingGroupProvider", asgp, dict)
        asg_arn = asgp.get("autoScalingGroupArn")
        check_type("autoScalingGroupProvider.autoScalingGroupArn", asg_arn, str)
        autoscaling = self.sim.backend("autoscaling")
        try:
            group = autoscaling._group(asg_arn)  # type: ignore[attr-defined]
        except Exception:
            group = None
        if group is None or not asg_arn.startswith("arn:"):
            raise client_exception("The specified Auto Scaling group ARN is not valid. Specify a valid Auto Scaling "
                                   "group ARN and try again.")
        asg_arn = group.arn
        if any(cp.asg_arn == asg_arn and cp.status == "ACTIVE" for cp in self.capacity_providers.values()):
            raise client_exception("The specified Auto Scaling group is already in use by another capacity "
                                   "provider. Specify a different Auto Scaling group and try again.")
        ms = self._check_managed_scaling(asgp.get("managedScaling"))
        mtp = asgp.get("managedTerminationProtection", "DISABLED")
        if mtp not in ("ENABLED", "DISABLED"):
            raise invalid_parameter("managedTerminationProtection must be ENABLED or DISABLED.")
        if mtp == "ENABLED" and ms["status"] != "ENABLED":
            raise invalid_parameter("The managed termination protection setting for the capacity provider is "
                                    "invalid. To enable managed termination protection for a capacity provider, "
                                    "managed scaling must also be enabled.")
        if mtp == "ENABLED" and not group.new_protected:
            raise invalid_parameter("The managed termination protection setting for the capacity provider is "
                                    "invalid. To enable managed termination protection for a capacity provider, "
                                    "the Auto Scaling group must have instance protection from scale in enabled.")
        draining = asgp.get("managedDraining", "ENABLED")
        if draining not in ("ENABLED", "DISABLED"):
            raise invalid_parameter("managedDraining must be ENABLED or DISABLED.")
        cp = CapacityProvider(name, self.sim.arn("ecs", f"capacity-provider/{name}"), asg_arn=asg_arn,
                              managed_scaling=ms, termination_protection=mtp, managed_draining=draining,
                              tags=self._check_tags(tags))
        self.capacity_providers[name] = cp
        self._arn_index[cp.arn] = cp  # type: ignore[attr-defined]
        return {"capacityProvider": self._cp_api(cp)}

    @operation
    def update_capacity_provider(self, name: str, autoScalingGroupProvider: dict | None = None,
                                 cluster: str | None = None, managedInstancesProvider: dict | None = None) -> dict[str, Any]:
        """Change a provider's managed scaling, termination protection or draining settings."""
        if managedInstancesProvider is not None or cluster is not None:
            raise NotModelledError("Amazon ECS Managed Instances capacity providers",
                                   operation_name="UpdateCapacityProvider")
        cp = self.capacity_providers.get(self._short_name(name, "capacity-provider"))
        if cp is None or cp.status != "ACTIVE":
            raise client_exception("The specified capacity provider does not exist.")
        if cp.is_fargate:
            raise invalid_parameter("The specified capacity provider is reserved and cannot be updated.")
        if autoScalingGroupProvider is None:
            raise invalid_parameter("An autoScalingGroupProvider must be specified.")
        check_type("autoScalingGroupProvider", autoScalingGroupProvider, dict)
        ms = self._check_managed_scaling(autoScalingGroupProvider.get("managedScaling"), cp.managed_scaling)
        mtp = autoScalingGroupProvider.get("managedTerminationProtection", cp.termination_protection)
        if mtp not in ("ENABLED", "DISABLED"):
            raise invalid_parameter("managedTerminationProtection must be ENABLED or DISABLED.")
        if mtp == "ENABLED" and ms["status"] != "ENABLED":
            raise invalid_parameter("The managed termination protection setting for the capacity provider is "
                                    "invalid. To enable managed termination protection for a capacity provider, "
                                    "managed scaling must also be enabled.")
        cp.managed_scaling, cp.termination_protection = ms, mtp
        cp.managed_draining = autoScalingGroupProvider.get("managedDraining", cp.managed_draining)
        cp.update_status = "UPDATE_COMPLETE"
        return {"capacityProvider": self._cp_api(cp)}

    @operation
    def describe_capacity_providers(self, capacityProviders: list | None = None, include: list | None = None,
                                    maxResults: int | None = None, nextToken: str | None = None,
                                    cluster: str | None = None) -> dict[str, Any]:
        """Describe providers (FARGATE and FARGATE_SPOT always); unknown names come back as MISSING failures."""
        if include and any(x != "TAGS" for x in include):
            raise invalid_parameter("include should be one of [TAGS]")
        if capacityProviders:
            found, failures = [], []
            for ref in capacityProviders:
                check_type("capacityProviders[]", ref, str)
                cp = self.capacity_providers.get(self._short_name(ref, "capacity-provider"))
                if cp is None:
                    arn = ref if ref.startswith("arn:") else self.sim.arn("ecs", f"capacity-provider/{ref}")
                    failures.append({"arn": arn, "reason": "MISSING"})
                else:
                    found.append(self._cp_api(cp))
            return {"capacityProviders": found, "failures": failures}
        items = [self._cp_api(cp) for cp in self.capacity_providers.values() if cp.status != "INACTIVE"]
        page, token = self._page(items, nextToken, maxResults, default_max=10, limit=10)
        out: dict[str, Any] = {"capacityProviders": page, "failures": []}
        if token:
            out["nextToken"] = token
        return out

    @operation
    def delete_capacity_provider(self, capacityProvider: str, cluster: str | None = None) -> dict[str, Any]:
        """Delete a provider no cluster uses (it becomes INACTIVE); FARGATE and FARGATE_SPOT are reserved."""
        cp = self.capacity_providers.get(self._short_name(capacityProvider, "capacity-provider"))
        if cp is None or cp.status == "INACTIVE":
            raise client_exception("The specified capacity provider does not exist. Specify a valid name or ARN "
                                   "and try again.")
        if cp.is_fargate:
            raise invalid_parameter("The specified capacity provider is reserved and cannot be deleted.")
        for c in self.clusters.values():
            if c.status == "ACTIVE" and cp.name in c.capacity_providers:
                raise aws_error("ResourceInUseException", "The specified capacity provider is in use and cannot be "
                                "removed.")
        cp.status = "INACTIVE"
        return {"capacityProvider": self._cp_api(cp)}

    @operation
    def put_cluster_capacity_providers(self, cluster: str, capacityProviders: list,
                                       defaultCapacityProviderStrategy: list) -> dict[str, Any]:
        """Replace a cluster's providers and default strategy (providers in use cannot be removed)."""
        c = self._cluster(cluster)
        self._set_cluster_capacity_providers(c, capacityProviders, defaultCapacityProviderStrategy, from_put=True)
        return {"cluster": self._cluster_api(c)}  # type: ignore[attr-defined]

    # --- Auto Scaling group providers ----------------------------------------------------------

    def _cp_start_clock(self) -> None:
        if self._cp_clock:
            return
        self._cp_clock = True
        cw = self.sim.backend("cloudwatch")
        cw._collectors.append(self._cp_collect)  # type: ignore[attr-defined]
        cw._tick_hooks.append(self._cp_tick)  # type: ignore[attr-defined]

    def _cp_cluster_of(self, cp: CapacityProvider) -> Cluster | None:
        return next((c for c in self.clusters.values() if c.status == "ACTIVE" and cp.name in c.capacity_providers),
                    None)

    def _cp_assign_instances(self, cluster: Cluster) -> None:
        """Mark container instances launched by a provider's group with the provider's name."""
        providers = [self.capacity_providers[n] for n in cluster.capacity_providers
                     if n in self.capacity_providers and not self.capacity_providers[n].is_fargate]
        if not providers or not self.sim.has_backend("autoscaling"):
            return
        autoscaling = self.sim.backend("autoscaling")
        changed = False
        for ci in cluster.container_instances.values():
            if ci.capacity_provider_name is not None or ci.status == "INACTIVE":
                continue
            group = autoscaling._group_of_instance(ci.ec2_instance_id)  # type: ignore[attr-defined]
            if group is None:
                continue
            cp = next((p for p in providers if p.asg_arn == group.arn), None)
            if cp is not None:
                ci.capacity_provider_name = cp.name
                ci.version += 1
                changed = True
        if changed:
            cluster.version += 1

    def _cp_demand(self, cluster: Cluster, cp: CapacityProvider) -> tuple[int, int, int]:
        """(N instances in the group, instances running non-daemon tasks, extra instances needed)."""
        autoscaling = self.sim.backend("autoscaling")
        try:
            group = autoscaling._group(cp.asg_arn)  # type: ignore[attr-defined]
        except Exception:
            return 0, 0, 0
        members = {gi.id for gi in group.live()}
        n = len(members)
        busy = 0
        sample = None
        for ci in cluster.container_instances.values():
            if ci.ec2_instance_id not in members or ci.status == "INACTIVE":
                continue
            sample = ci
            if any(self._cp_non_daemon(cluster, tid) for tid in ci.task_ids):
                busy += 1
        cpu_need = mem_need = 0
        tasks_need = 0
        for svc in list(cluster.services.values()):
            info = self._cp_service_shortfall(cluster, svc, cp.name)
            if info is not None:
                k, cpu, mem = info
                tasks_need += k
                cpu_need += k * cpu
                mem_need += k * mem
        for task in cluster.tasks.values():  # capacity-provider tasks waiting for an instance
            if not task.stopped and task.capacity_provider_name == cp.name and task.container_instance is None \
                    and task.last_status == "PROVISIONING":
                tasks_need += 1
                cpu_need += task.cpu
                mem_need += task.memory
        extra = 0
        if tasks_need:
            inst_cpu, inst_mem = self._cp_instance_size(group, sample)
            spare_cpu = sum(ci.remaining_cpu for ci in cluster.container_instances.values()
                            if ci.ec2_instance_id in members and ci.status == "ACTIVE")
            spare_mem = sum(ci.remaining_memory for ci in cluster.container_instances.values()
                            if ci.ec2_instance_id in members and ci.status == "ACTIVE")
            pending = sum(1 for gi in group.live() if not any(
                ci.ec2_instance_id == gi.id for ci in cluster.container_instances.values()))
            cpu_short = max(0, cpu_need - spare_cpu)
            mem_short = max(0, mem_need - spare_mem)
            if cpu_short or mem_short:
                extra = max(1, math.ceil(max(cpu_short / max(inst_cpu, 1), mem_short / max(inst_mem, 1))))
                extra = max(0, extra - pending)
        return n, busy, extra

    def _cp_non_daemon(self, cluster: Cluster, task_id: str) -> bool:
        task = cluster.tasks.get(task_id)
        if task is None or task.stopped:
            return False
        if task.group.startswith("service:"):
            svc = cluster.services.get(task.group[8:])
            if svc is not None and getattr(svc, "scheduling_strategy", "REPLICA") == "DAEMON":
                return False
        return True

    def _cp_service_shortfall(self, cluster: Cluster, svc: Any, provider: str) -> tuple[int, int, int] | None:
        if getattr(svc, "status", "ACTIVE") != "ACTIVE" or getattr(svc, "scheduling_strategy", "REPLICA") == "DAEMON":
            return None
        try:
            api = self.describe_services(services=[svc.name], cluster=cluster.name)["services"][0]  # type: ignore[attr-defined]
        except Exception:
            return None
        strategy = api.get("capacityProviderStrategy") or []
        if not any(s.get("capacityProvider") == provider for s in strategy):
            return None
        short = api.get("desiredCount", 0) - api.get("runningCount", 0) - api.get("pendingCount", 0)
        if short <= 0:
            return None
        existing: dict[str, int] = {}
        group = f"service:{svc.name}"
        for t in cluster.tasks.values():
            if t.group == group and not t.stopped and t.capacity_provider_name:
                existing[t.capacity_provider_name] = existing.get(t.capacity_provider_name, 0) + 1
        try:
            clean = self._check_strategy(None, strategy)
        except Exception:
            return None
        k = sum(1 for n in distribute(clean, short, existing) if n == provider)
        try:
            td = self._resolve_task_definition(api["taskDefinition"], for_use=False)  # type: ignore[attr-defined]
            cpu, mem = td.placement_cpu(), td.placement_memory()
        except Exception:
            cpu, mem = 0, 0
        return k, cpu, mem

    def _cp_instance_size(self, group: Any, sample: Any) -> tuple[int, int]:
        if sample is not None:
            return sample.registered_cpu, sample.registered_memory
        from ecslearn.sim.instance_types import instance_type

        itype = instance_type(group.spec.instance_type)
        if itype is None:
            return 1024, 1024
        return itype.vcpus * 1024, int(itype.kernel_memory_mib())

    def _cp_reservation(self, n: int, busy: int, extra: int) -> float:
        m = busy + extra
        if n == 0:
            return 200.0 if m > 0 else 100.0
        return m / n * 100.0

    def _cp_managed(self) -> list[tuple[CapacityProvider, Cluster]]:
        out = []
        for cp in self.capacity_providers.values():
            if cp.is_fargate or cp.status != "ACTIVE" or cp.managed_scaling.get("status") != "ENABLED":
                continue
            cluster = self._cp_cluster_of(cp)
            if cluster is not None:
                out.append((cp, cluster))
        return out

    def _cp_collect(self) -> list[tuple[str, str, dict[str, str], float, str]]:
        out = []
        for cp, cluster in self._cp_managed():
            self._cp_assign_instances(cluster)
            n, busy, extra = self._cp_demand(cluster, cp)
            out.append(("AWS/ECS/ManagedScaling", "CapacityProviderReservation",
                        {"CapacityProviderName": cp.name, "ClusterName": cluster.name},
                        round(self._cp_reservation(n, busy, extra), 4), "Percent"))
        return out

    def _cp_tick(self) -> None:
        autoscaling = self.sim.backend("autoscaling")
        for cp, cluster in self._cp_managed():
            try:
                group = autoscaling._group(cp.asg_arn)  # type: ignore[attr-defined]
            except Exception:
                continue
            n, busy, extra = self._cp_demand(cluster, cp)
            if cp.termination_protection == "ENABLED":
                busy_ids = {ci.ec2_instance_id for ci in cluster.container_instances.values()
                            if any(self._cp_non_daemon(cluster, t) for t in ci.task_ids)}
                for gi in group.live():
                    registered = any(ci.ec2_instance_id == gi.id for ci in cluster.container_instances.values())
                    autoscaling._set_protection(group, gi.id, gi.id in busy_ids or not registered)  # type: ignore[attr-defined]
            ms = cp.managed_scaling
            target = ms["targetCapacity"]
            reservation = self._cp_reservation(n, busy, extra)
            m = busy + extra
            wanted = math.ceil(m * 100 / target - 1e-9) if m else 0
            if reservation > target:
                cp.low_minutes = 0
                step = min(max(wanted - group.desired, ms["minimumScalingStepSize"]), ms["maximumScalingStepSize"])
                new = min(group.max_size, group.desired + step)
            elif reservation < target:
                cp.low_minutes += 1
                if cp.low_minutes < SCALE_IN_MINUTES:
                    continue
                step = min(max(group.desired - wanted, ms["minimumScalingStepSize"]), ms["maximumScalingStepSize"])
                new = max(group.min_size, group.desired - step, wanted)
            else:
                cp.low_minutes = 0
                continue
            if new != group.desired:
                self.sim.client("autoscaling").set_desired_capacity(AutoScalingGroupName=group.name,
                                                                     DesiredCapacity=new)
                if new < group.desired:
                    cp.low_minutes = 0


def interrupt_spot(sim: Any, task_arn_or_count: str | int = 1, *, cluster: str | None = None) -> list[str]:
    """Reclaim Fargate Spot capacity: stop one task (by ARN) or the `count` oldest RUNNING Spot tasks.

    Each gets the two-minute warning and SIGTERM at once and stops with stopCode `SpotInterruption`
    and stoppedReason `Your Spot Task was interrupted.`. Returns the ARNs of the interrupted tasks.
    A service replaces them through its scheduler.
    """
    from ecslearn.errors import SimulatorError

    ecs = sim.backend("ecs")
    running = []
    for c in ecs.clusters.values():
        if cluster is not None and c.name != cluster:
            continue
        running += [t for t in c.tasks.values() if t.capacity_provider_name == "FARGATE_SPOT"
                    and t.last_status == "RUNNING" and t.desired_status == "RUNNING"]
    running.sort(key=lambda t: (t.started_at or t.created_at, t.arn))
    if isinstance(task_arn_or_count, str):
        chosen = [t for t in running if t.arn == task_arn_or_count or t.id == task_arn_or_count]
        if not chosen:
            raise SimulatorError(f"no RUNNING Fargate Spot task {task_arn_or_count}")
    elif isinstance(task_arn_or_count, int) and not isinstance(task_arn_or_count, bool) and task_arn_or_count >= 1:
        chosen = running[:task_arn_or_count]
    else:
        raise SimulatorError("interrupt_spot takes a task ARN or a count >= 1")
    for task in chosen:
        task.extra["spot_warning_at"] = sim.now
        ecs._stop_task(task, stop_code=SPOT_STOP_CODE, reason=SPOT_REASON)
    return [t.arn for t in chosen]


__all__ = ["CapacityProvidersMixin", "distribute", "interrupt_spot"]
