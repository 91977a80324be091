"""ECS container instances: registration by the agent, describe/list, draining, deregistration, attributes.

Container instances come only from EC2 instances whose agent registers (`ecslearn.sim.agent`); there
is no public RegisterContainerInstance here (ecs-reference §5.1, §5.2, §3.4).
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from ecslearn.errors import NotModelledError
from ecslearn.sim.base import check_type, operation
from ecslearn.sim.ecs.core import EcsCore
from ecslearn.sim.ecs.models import Cluster, ContainerInstance
from ecslearn.sim.errors import aws_error, invalid_parameter

INACTIVE_VISIBLE_SECONDS = 3600  # deregistered instances stay describable for about an hour (§5.1)
MAX_CUSTOM_ATTRIBUTES = 10  # per resource (§3.4)
_ATTR_NAME = re.compile(r"^[A-Za-z0-9_./\\-]{1,128}$")
_RESERVED_PREFIXES = ("ecs.", "com.amazonaws.ecs.")
_INCLUDE = ("TAGS", "CONTAINER_INSTANCE_HEALTH")
_STATUSES = ("ACTIVE", "DRAINING", "REGISTERING", "DEREGISTERING", "REGISTRATION_FAILED")
_PENDING_STATES = ("PROVISIONING", "PENDING", "ACTIVATING")


def _resource(name: str, value: Any) -> dict[str, Any]:
    """One `Resource` entry as ECS returns it (all numeric members present, unused ones zero)."""
    out: dict[str, Any] = {"name": name, "type": "STRINGSET" if isinstance(value, list) else "INTEGER",
                           "doubleValue": 0.0, "longValue": 0, "integerValue": 0}
    if isinstance(value, list):
        out["stringSetValue"] = value
    else:
        out["integerValue"] = value
    return out


class _CqlContext:
    """The cql.Context for ListContainerInstances filters."""

    def __init__(self, cluster: Cluster) -> None:
        self.cluster = cluster

    def running_tasks_count(self, ci: ContainerInstance) -> int:
        tasks = self.cluster.tasks
        return sum(1 for tid in ci.task_ids if tid in tasks and tasks[tid].last_status == "RUNNING")

    def task_groups(self, ci: ContainerInstance) -> set[str]:
        tasks = self.cluster.tasks
        return {tasks[tid].group for tid in ci.task_ids if tid in tasks}


class ContainerInstancesMixin(EcsCore):
    """DescribeContainerInstances, ListContainerInstances, UpdateContainerInstancesState,
    DeregisterContainerInstance, PutAttributes, ListAttributes, DeleteAttributes, and the agent's side."""

    # --- internal API (the agent and other mixins) ---------------------------------------------

    def _container_instance_arn(self, cluster: Cluster, ci_id: str) -> str:
        return self.sim.arn("ecs", f"container-instance/{cluster.name}/{ci_id}")

    def _register_container_instance(self, cluster: Cluster, ec2_instance: Any, config: Any, *, cpu: int,
                                     memory: int, attributes: dict[str, str | None],
                                     custom_attributes: dict[str, str] | None = None,
                                     tags: list[dict[str, str]] | None = None) -> ContainerInstance:
        """What RegisterContainerInstance does for the agent: a new ACTIVE, connected instance (§5.1)."""
        ci_id = self.sim.new_hex(32)
        custom = dict(custom_attributes or {})
        attrs = dict(attributes)
        attrs.update(custom)
        image = ec2_instance.image
        ci = ContainerInstance(
            id=ci_id, arn=self._container_instance_arn(cluster, ci_id), cluster=cluster,
            ec2_instance_id=ec2_instance.id, registered_at=self.sim.now, registered_cpu=cpu,
            registered_memory=memory, reserved_tcp=list(config.ecs_reserved_ports),
            reserved_udp=list(config.ecs_reserved_ports_udp),
            dynamic_port_range=tuple(config.dynamic_host_port_range),  # type: ignore[arg-type]
            availability_zone=ec2_instance.availability_zone, attributes=attrs,
            custom_attribute_names=set(custom), agent_version=image.agent_version or "1.89.0",
            docker_version=image.docker_version or "DockerVersion: 25.0.8", remaining_cpu=cpu,
            remaining_memory=memory, tags=[dict(t) for t in tags or []], config=config,
            agent_hash=image.agent_hash)
        cluster.container_instances[ci_id] = ci
        cluster.version += 1
        self._arn_index[ci.arn] = ci
        return ci

    def _container_instance_by_arn(self, arn: str) -> ContainerInstance | None:
        obj = self._arn_index.get(arn)
        return obj if isinstance(obj, ContainerInstance) else None

    def _container_instance_for_ec2(self, instance_id: str) -> ContainerInstance | None:
        """The newest registration of an EC2 instance (any cluster, INACTIVE included), or None."""
        found = None
        for cluster in self.clusters.values():
            for ci in cluster.container_instances.values():
                if ci.ec2_instance_id == instance_id and (found is None or ci.registered_at >= found.registered_at):
                    found = ci
        return found

    def _agent_connected(self, ci: ContainerInstance, connected: bool) -> None:
        if ci.agent_connected != connected:
            ci.agent_connected = connected
            ci.version += 1
            ci.cluster.version += 1

    def _stop_instance_tasks(self, ci: ContainerInstance, *, stop_code: str, reason: str) -> None:
        stop = getattr(self, "_stop_task", None)
        if stop is None:
            return
        for task_id in sorted(ci.task_ids):
            task = ci.cluster.tasks.get(task_id)
            if task is not None and not task.stopped:
                stop(task, stop_code=stop_code, reason=reason)

    def _host_gone(self, ci: ContainerInstance, *, terminated: bool) -> None:
        """The EC2 instance stopped or terminated (§5.1): the agent disconnects and the tasks stop.

        A running instance that is terminated is deregistered (INACTIVE). Stopped ones stay ACTIVE with
        agentConnected=false, and so do instances terminated while stopped or disconnected: ECS does
        not deregister those automatically (§5.1), so they block DeleteCluster until deregistered.
        The stopCode for host loss is not documented (§10); ecslearn uses TerminationNotice.
        """
        if ci.status == "INACTIVE":
            return
        was_connected = ci.agent_connected
        word = "terminated" if terminated else "stopped"
        self._agent_connected(ci, False)
        self._stop_instance_tasks(ci, stop_code="TerminationNotice",
                                  reason=f"Host EC2 (instance {ci.ec2_instance_id}) {word}.")
        if terminated and was_connected:
            self._make_inactive(ci)

    def _make_inactive(self, ci: ContainerInstance) -> None:
        ci.status = "INACTIVE"
        ci.agent_connected = False
        ci.deregistered_at = self.sim.now
        ci.version += 1
        ci.cluster.version += 1
        self._status_changed(ci)

    def _status_changed(self, ci: ContainerInstance) -> None:
        hook = getattr(self, "_container_instance_status_changed", None)
        if hook is not None:
            hook(ci)

    def _visible(self, ci: ContainerInstance) -> bool:
        return ci.status != "INACTIVE" or ci.deregistered_at is None or \
            self.sim.now - ci.deregistered_at <= timedelta(seconds=INACTIVE_VISIBLE_SECONDS)

    @staticmethod
    def _check_attribute(name: Any, value: Any, *, allow_reserved: bool = False) -> str | None:
        """None if a custom attribute is valid, else the reason (§3.4 name/value rules)."""
        if not isinstance(name, str) or not _ATTR_NAME.match(name):
            return (f"Attribute name '{name}' is invalid. Names can be 1-128 characters long and contain "
                    "letters (uppercase and lowercase), numbers, hyphens, underscores, forward slashes, back "
                    "slashes, or periods.")
        if not allow_reserved and name.startswith(_RESERVED_PREFIXES):
            return f"Attribute name '{name}' is reserved: names that begin with 'ecs.' or 'com.amazonaws.ecs.' " \
                   "are set by Amazon ECS."
        if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= 128
                                  or value != value.strip()):
                return (f"Attribute value '{value}' for attribute '{name}' is invalid. Values can be 1-128 "
                        "characters long, with no leading or trailing whitespace.")
        return None

    def _check_custom_attributes(self, attrs: dict[str, str]) -> str | None:
        """Validate ECS_INSTANCE_ATTRIBUTES for registration; None when fine."""
        for name, value in attrs.items():
            problem = self._check_attribute(name, value)
            if problem:
                return problem
        if len(attrs) > MAX_CUSTOM_ATTRIBUTES:
            return f"You can apply up to {MAX_CUSTOM_ATTRIBUTES} custom attributes per resource."
        return None

    def _find_instance(self, cluster: Cluster, ref: Any, *, include_inactive: bool = True) -> ContainerInstance | None:
        if not isinstance(ref, str) or not ref:
            return None
        ci_id = ref
        if ref.startswith("arn:"):
            if ":container-instance/" not in ref:
                return None
            rest = ref.split(":container-instance/", 1)[1]
            parts = rest.split("/")
            if len(parts) == 2 and parts[0] != cluster.name:
                return None
            ci_id = parts[-1]
        elif "/" in ref:
            name, _, ci_id = ref.rpartition("/")
            if name != cluster.name:
                return None
        ci = cluster.container_instances.get(ci_id)
        if ci is None or not self._visible(ci):
            return None
        if ci.status == "INACTIVE" and not include_inactive:
            return None
        return ci

    def _missing_arn(self, cluster: Cluster, ref: Any) -> str:
        if isinstance(ref, str) and ref.startswith("arn:"):
            return ref
        return self._container_instance_arn(cluster, str(ref))

    # --- response shape ----------------------------------------------------------------------------

    def _container_instance_api(self, ci: ContainerInstance, include: list[str] | None = None) -> dict[str, Any]:
        include = include or []
        tasks = [ci.cluster.tasks[t] for t in sorted(ci.task_ids) if t in ci.cluster.tasks]
        live = [t for t in tasks if not t.stopped]
        reserved_tcp = [str(p) for p in ci.reserved_tcp]
        reserved_udp = [str(p) for p in ci.reserved_udp]
        used_tcp = [str(p) for p in sorted(ci.used_tcp) if p not in ci.reserved_tcp]
        used_udp = [str(p) for p in sorted(ci.used_udp) if p not in ci.reserved_udp]
        out: dict[str, Any] = {
            "containerInstanceArn": ci.arn,
            "ec2InstanceId": ci.ec2_instance_id,
            "version": ci.version,
            "versionInfo": {"agentVersion": ci.agent_version,
                            "agentHash": ci.agent_hash or "d1e3a8b5",
                            "dockerVersion": ci.docker_version},
            "remainingResources": [
                _resource("CPU", ci.remaining_cpu), _resource("MEMORY", ci.remaining_memory),
                _resource("PORTS", reserved_tcp + used_tcp), _resource("PORTS_UDP", reserved_udp + used_udp)],
            "registeredResources": [
                _resource("CPU", ci.registered_cpu), _resource("MEMORY", ci.registered_memory),
                _resource("PORTS", reserved_tcp), _resource("PORTS_UDP", reserved_udp)],
            "status": ci.status,
            "agentConnected": ci.agent_connected,
            "runningTasksCount": sum(1 for t in live if t.desired_status == "RUNNING"),
            "pendingTasksCount": sum(1 for t in live if t.last_status in _PENDING_STATES),
            "attributes": [{"name": n} if v is None else {"name": n, "value": v} for n, v in ci.attributes.items()],
            "registeredAt": ci.registered_at,
            "attachments": [],
        }
        if ci.capacity_provider_name:
            out["capacityProviderName"] = ci.capacity_provider_name
        if ci.status_reason:
            out["statusReason"] = ci.status_reason
        if "TAGS" in include:
            out["tags"] = [dict(t) for t in ci.tags]
        if "CONTAINER_INSTANCE_HEALTH" in include:
            status = "OK" if ci.agent_connected else "INSUFFICIENT_DATA"
            out["healthStatus"] = {"overallStatus": status, "details": [
                {"type": "CONTAINER_RUNTIME", "status": status, "lastUpdated": self.sim.now,
                 "lastStatusChange": ci.registered_at}]}
        return out

    # --- operations ------------------------------------------------------------------------------

    @operation
    def describe_container_instances(self, containerInstances: list, cluster: str | None = None,
                                     include: list | None = None) -> dict[str, Any]:
        """Describe container instances by id or ARN; unknown ones come back as MISSING failures.

        Not modelled: attachments (ENI trunking), agentUpdateStatus.
        """
        c = self._cluster(cluster)
        for i, item in enumerate(include or []):
            check_type(f"include[{i}]", item, str)
            if item not in _INCLUDE:
                raise invalid_parameter(f"include should be one of [{','.join(_INCLUDE)}]")
        if not containerInstances:
            raise invalid_parameter("containerInstances can not be empty.")
        if len(containerInstances) > 100:
            raise invalid_parameter("containerInstances can have at most 100 items.")
        found, failures = [], []
        for i, ref in enumerate(containerInstances):
            check_type(f"containerInstances[{i}]", ref, str)
            ci = self._find_instance(c, ref)
            if ci is None:
                failures.append({"arn": self._missing_arn(c, ref), "reason": "MISSING"})
            else:
                found.append(self._container_instance_api(ci, include))
        return {"containerInstances": found, "failures": failures}

    @operation
    def list_container_instances(self, cluster: str | None = None, filter: str | None = None,
                                 nextToken: str | None = None, maxResults: int | None = None,
                                 status: str | None = None) -> dict[str, Any]:
        """List container instance ARNs (ACTIVE and DRAINING unless `status` says), with a query-language filter."""
        c = self._cluster(cluster)
        if status is not None and status not in _STATUSES:
            raise invalid_parameter(f"status should be one of [{', '.join(_STATUSES)}]")
        instances = [ci for ci in c.container_instances.values() if ci.status != "INACTIVE"]
        if status is not None:
            instances = [ci for ci in instances if ci.status == status]
        if filter is not None:
            try:
                from ecslearn.sim import cql
            except ImportError:  # pragma: no cover - cql ships with the simulator
                raise NotModelledError("the filter parameter of ListContainerInstances",
                                       operation_name="ListContainerInstances") from None
            expr = cql.parse(filter)
            ctx = _CqlContext(c)
            instances = [ci for ci in instances if expr.evaluate(ci, ctx)]
        return self._listed("containerInstanceArns", [ci.arn for ci in instances], nextToken, maxResults)

    @operation
    def update_container_instances_state(self, containerInstances: list, status: str,
                                         cluster: str | None = None) -> dict[str, Any]:
        """Set up to 10 instances to ACTIVE or DRAINING (§5.2); standalone tasks are left alone.

        Not modelled: DRAINING caused by Spot interruption notices.
        """
        c = self._cluster(cluster)
        if status not in ("ACTIVE", "DRAINING"):
            raise invalid_parameter("Container instance status should be one of [ACTIVE, DRAINING].")
        if len(containerInstances) > 10:
            raise invalid_parameter("containerInstances can have at most 10 items.")
        found, failures = [], []
        for i, ref in enumerate(containerInstances):
            check_type(f"containerInstances[{i}]", ref, str)
            ci = self._find_instance(c, ref)
            if ci is None:
                failures.append({"arn": self._missing_arn(c, ref), "reason": "MISSING"})
                continue
            if ci.status not in ("ACTIVE", "DRAINING"):
                failures.append({"arn": ci.arn, "reason": ci.status,
                                 "detail": f"The container instance is {ci.status} and cannot be set to {status}."})
                continue
            if ci.status != status:
                ci.status = status
                ci.version += 1
                c.version += 1
                self._status_changed(ci)
            found.append(self._container_instance_api(ci))
        return {"containerInstances": found, "failures": failures}

    @operation
    def deregister_container_instance(self, containerInstance: str, cluster: str | None = None,
                                      force: bool | None = None) -> dict[str, Any]:
        """Deregister an instance (INACTIVE, describable for about an hour); with tasks, only with force.

        With force the tasks on it are orphaned: ECS stops tracking them (they show STOPPED with
        `Container instance deregistration forced by user`) and services replace them elsewhere.
        The EC2 instance keeps running; its agent exits.
        """
        c = self._cluster(cluster)
        ci = self._find_instance(c, containerInstance, include_inactive=False)
        if ci is None:
            raise invalid_parameter("The referenced container instance was not found.")
        live = [t for t in (c.tasks.get(tid) for tid in ci.task_ids) if t is not None and not t.stopped]
        if live and not force:
            raise invalid_parameter("Found running tasks on the instance.")
        if live:
            self._stop_instance_tasks(ci, stop_code="UserInitiated",
                                      reason="Container instance deregistration forced by user")
        self._make_inactive(ci)
        from ecslearn.sim import agent

        agent.on_deregistered(self.sim, ci)
        return {"containerInstance": self._container_instance_api(ci)}

    # --- attributes --------------------------------------------------------------------------------

    def _attribute_target(self, c: Cluster, i: int, attr: Any) -> tuple[ContainerInstance, str, str | None]:
        check_type(f"attributes[{i}]", attr, dict)
        for key in attr:
            if key not in ("name", "value", "targetType", "targetId"):
                from ecslearn.errors import ParamValidationError

                raise ParamValidationError(f'Unknown parameter in attributes[{i}]: "{key}", must be one of: '
                                           "name, value, targetType, targetId")
        if "name" not in attr:
            from ecslearn.errors import ParamValidationError

            raise ParamValidationError(f'Missing required parameter in attributes[{i}]: "name"')
        name = check_type(f"attributes[{i}].name", attr["name"], str)
        value = attr.get("value")
        if value is not None:
            check_type(f"attributes[{i}].value", value, str)
        target_type = attr.get("targetType", "container-instance")
        if target_type is not None:
            check_type(f"attributes[{i}].targetType", target_type, str)
        if target_type not in (None, "container-instance"):
            raise invalid_parameter("targetType should be one of [container-instance]")
        target = attr.get("targetId")
        if target is None:
            raise invalid_parameter("An attribute must have a targetId (a container instance ID or ARN).")
        check_type(f"attributes[{i}].targetId", target, str)
        ci = self._find_instance(c, target, include_inactive=False)
        if ci is None:
            raise aws_error("TargetNotFoundException", f"Could not find {target}.")
        return ci, name, value

    def _attribute_api(self, ci: ContainerInstance, name: str, value: str | None) -> dict[str, Any]:
        out: dict[str, Any] = {"name": name, "targetType": "container-instance", "targetId": ci.arn}
        if value is not None:
            out["value"] = value
        return out

    @operation
    def put_attributes(self, attributes: list, cluster: str | None = None) -> dict[str, Any]:
        """Create or update custom attributes on container instances (at most 10 per instance)."""
        c = self._cluster(cluster)
        if not attributes:
            raise invalid_parameter("attributes can not be empty.")
        planned: list[tuple[ContainerInstance, str, str | None]] = []
        for i, attr in enumerate(attributes):
            ci, name, value = self._attribute_target(c, i, attr)
            problem = self._check_attribute(name, value)
            if problem:
                raise invalid_parameter(problem)
            planned.append((ci, name, value))
        # the limit counts what each instance would have afterwards
        after: dict[str, set[str]] = {}
        for ci, name, _ in planned:
            after.setdefault(ci.id, set(ci.custom_attribute_names)).add(name)
        if any(len(names) > MAX_CUSTOM_ATTRIBUTES for names in after.values()):
            raise aws_error("AttributeLimitExceededException",
                            f"You can apply up to {MAX_CUSTOM_ATTRIBUTES} custom attributes per resource.")
        for ci, name, value in planned:
            ci.attributes[name] = value
            ci.custom_attribute_names.add(name)
            ci.version += 1
            c.version += 1
        return {"attributes": [self._attribute_api(ci, n, v) for ci, n, v in planned]}

    @operation
    def delete_attributes(self, attributes: list, cluster: str | None = None) -> dict[str, Any]:
        """Delete custom attributes from container instances."""
        c = self._cluster(cluster)
        if not attributes:
            raise invalid_parameter("attributes can not be empty.")
        planned = []
        for i, attr in enumerate(attributes):
            ci, name, value = self._attribute_target(c, i, attr)
            if name.startswith(_RESERVED_PREFIXES):
                raise invalid_parameter(self._check_attribute(name, None) or "Attribute name is reserved.")
            planned.append((ci, name, value))
        for ci, name, _ in planned:
            if name in ci.custom_attribute_names:
                ci.custom_attribute_names.discard(name)
                ci.attributes.pop(name, None)
                ci.version += 1
                c.version += 1
        return {"attributes": [self._attribute_api(ci, n, v) for ci, n, v in planned]}

    @operation
    def list_attributes(self, targetType: str, cluster: str | None = None, attributeName: str | None = None,
                        attributeValue: str | None = None, nextToken: str | None = None,
                        maxResults: int | None = None) -> dict[str, Any]:
        """List the attributes of a cluster's container instances, optionally by name and value."""
        c = self._cluster(cluster)
        if targetType != "container-instance":
            raise invalid_parameter("targetType should be one of [container-instance]")
        if attributeValue is not None and attributeName is None:
            raise invalid_parameter("attributeName must be specified when attributeValue is specified.")
        out_items = []
        for ci in c.container_instances.values():
            if ci.status == "INACTIVE":
                continue
            for name, value in ci.attributes.items():
                if attributeName is not None and name != attributeName:
                    continue
                if attributeValue is not None and value != attributeValue:
                    continue
                out_items.append(self._attribute_api(ci, name, value))
        return self._listed("attributes", out_items, nextToken, maxResults)
