"""ECS clusters and resource tags."""

from __future__ import annotations

import re
from typing import Any

from ecslearn.sim.base import operation
from ecslearn.sim.ecs.core import EcsCore
from ecslearn.sim.ecs.models import Cluster
from ecslearn.sim.errors import aws_error, invalid_parameter

_CLUSTER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_INCLUDE = ("ATTACHMENTS", "CONFIGURATIONS", "SETTINGS", "STATISTICS", "TAGS")


class ClustersMixin(EcsCore):
    """Cluster operations and TagResource/UntagResource/ListTagsForResource for every ECS resource."""

    def _init_state(self) -> None:
        #: every taggable ECS resource by ARN (clusters, task definitions, tasks, instances, services, ...)
        self._arn_index: dict[str, Any] = {}

    # --- helpers used by other mixins ------------------------------------------------------

    def _ensure_cluster(self, name: str) -> Cluster:
        """Create a cluster if no ACTIVE one has this name (the agent's CreateCluster("default"))."""
        found = self.clusters.get(name)
        if found is not None and found.status == "ACTIVE":
            return found
        cluster = Cluster(name=name, arn=self._cluster_arn(name), created_at=self.sim.now,
                          settings=[{"name": "containerInsights", "value": "disabled"}])
        self.clusters[name] = cluster
        self._arn_index[cluster.arn] = cluster
        return cluster

    def _cluster_api(self, c: Cluster, include: list[str] | None = None) -> dict[str, Any]:
        include = include or []
        tasks = [t for t in c.tasks.values() if not t.stopped]
        out: dict[str, Any] = {
            "clusterArn": c.arn,
            "clusterName": c.name,
            "status": c.status,
            "registeredContainerInstancesCount": len(c.active_instances()),
            "runningTasksCount": sum(1 for t in tasks if t.last_status == "RUNNING"),
            "pendingTasksCount": sum(1 for t in tasks if t.last_status in ("PROVISIONING", "PENDING", "ACTIVATING")),
            "activeServicesCount": sum(1 for s in c.services.values() if getattr(s, "status", "ACTIVE") == "ACTIVE"),
            "statistics": [],
            "tags": list(c.tags) if "TAGS" in include else [],
            "settings": list(c.settings),
            "capacityProviders": list(c.capacity_providers),
            "defaultCapacityProviderStrategy": [dict(s) for s in c.default_capacity_provider_strategy],
        }
        if c.configuration is not None:
            out["configuration"] = c.configuration
        if "STATISTICS" in include:
            out["statistics"] = [
                {"name": "runningEC2TasksCount", "value": str(sum(1 for t in tasks if t.last_status == "RUNNING" and not t.is_fargate))},
                {"name": "runningFargateTasksCount", "value": str(sum(1 for t in tasks if t.last_status == "RUNNING" and t.is_fargate))},
                {"name": "pendingEC2TasksCount", "value": str(sum(1 for t in tasks if t.last_status == "PENDING" and not t.is_fargate))},
                {"name": "pendingFargateTasksCount", "value": str(sum(1 for t in tasks if t.last_status == "PENDING" and t.is_fargate))},
            ]
        return out

    # --- operations ------------------------------------------------------------------------

    @operation
    def create_cluster(self, clusterName: str = "default", tags: list | None = None,
                       settings: list | None = None, configuration: dict | None = None,
                       capacityProviders: list | None = None,
                       defaultCapacityProviderStrategy: list | None = None,
                       serviceConnectDefaults: dict | None = None) -> dict[str, Any]:
        """Create a cluster, or return the ACTIVE cluster that already has this name (CreateCluster is idempotent).

        Not modelled: serviceConnectDefaults namespaces, ExecuteCommand configuration effects.
        """
        if not _CLUSTER_NAME.match(clusterName):
            raise invalid_parameter(
                "Cluster name can have up to 255 characters. Valid characters are letters (uppercase and "
                "lowercase), numbers, underscores, and hyphens.")
        tag_list = self._check_tags(tags)
        for s in settings or []:
            if not isinstance(s, dict) or s.get("name") != "containerInsights" or \
                    s.get("value") not in ("enabled", "disabled", "enhanced"):
                raise invalid_parameter("Valid cluster settings are containerInsights with the value enabled, "
                                        "disabled or enhanced.")
        existing = self.clusters.get(clusterName)
        if existing is not None and existing.status == "ACTIVE":
            return {"cluster": self._cluster_api(existing)}
        cluster = self._ensure_cluster(clusterName)
        cluster.tags = tag_list
        if settings:
            cluster.settings = [dict(s) for s in settings]
        cluster.configuration = configuration
        cluster.service_connect_defaults = serviceConnectDefaults
        if capacityProviders or defaultCapacityProviderStrategy:
            self._set_cluster_capacity_providers(cluster, capacityProviders or [],
                                                 defaultCapacityProviderStrategy or [])
        return {"cluster": self._cluster_api(cluster, ["TAGS"])}

    @operation
    def describe_clusters(self, clusters: list | None = None, include: list | None = None) -> dict[str, Any]:
        """Describe clusters by name or ARN; unknown ones come back in `failures` as MISSING."""
        for item in include or []:
            if item not in _INCLUDE:
                raise invalid_parameter(f"include should be one of [{','.join(_INCLUDE)}]")
        found, failures = [], []
        for ref in clusters if clusters is not None else ["default"]:
            if not isinstance(ref, str):
                raise invalid_parameter("Cluster identifiers must be strings.")
            c = self.clusters.get(self._short_name(ref, "cluster"))
            if c is None:
                arn = ref if ref.startswith("arn:") else self._cluster_arn(ref)
                failures.append({"arn": arn, "reason": "MISSING"})
            else:
                found.append(self._cluster_api(c, include))
        return {"clusters": found, "failures": failures}

    @operation
    def list_clusters(self, nextToken: str | None = None, maxResults: int | None = None) -> dict[str, Any]:
        """List the ARNs of ACTIVE clusters, in creation order."""
        arns = [c.arn for c in self.clusters.values() if c.status == "ACTIVE"]
        return self._listed("clusterArns", arns, nextToken, maxResults)

    @operation
    def delete_cluster(self, cluster: str) -> dict[str, Any]:
        """Delete an empty cluster (it becomes INACTIVE); refuse with ClusterContains* otherwise."""
        c = self._cluster(cluster)
        if c.active_instances():
            raise aws_error("ClusterContainsContainerInstancesException",
                            "The Cluster cannot be deleted while Container Instances are active or draining.")
        if any(getattr(s, "status", "ACTIVE") in ("ACTIVE", "DRAINING") for s in c.services.values()):
            raise aws_error("ClusterContainsServicesException",
                            "The Cluster cannot be deleted while Services are active.")
        if any(not t.stopped for t in c.tasks.values()):
            raise aws_error("ClusterContainsTasksException",
                            "The Cluster cannot be deleted while Tasks are active.")
        if any(not p.startswith("FARGATE") for p in c.capacity_providers):
            raise aws_error("ClusterContainsCapacityProviderException",
                            "The Cluster cannot be deleted while Capacity Providers are associated with it.")
        c.status = "INACTIVE"
        c.version += 1
        return {"cluster": self._cluster_api(c)}

    @operation
    def update_cluster_settings(self, cluster: str, settings: list) -> dict[str, Any]:
        """Change cluster settings (containerInsights)."""
        c = self._cluster(cluster)
        for s in settings:
            if not isinstance(s, dict) or s.get("name") != "containerInsights" or \
                    s.get("value") not in ("enabled", "disabled", "enhanced"):
                raise invalid_parameter("Valid cluster settings are containerInsights with the value enabled, "
                                        "disabled or enhanced.")
        c.settings = [dict(s) for s in settings]
        return {"cluster": self._cluster_api(c, ["SETTINGS"])}

    # --- tags --------------------------------------------------------------------------------

    def _tagged(self, arn: str) -> Any:
        if not isinstance(arn, str) or not arn.startswith("arn:aws:ecs:"):
            raise invalid_parameter("The ARN provided is invalid.")
        obj = self._arn_index.get(arn)
        if obj is None or (getattr(obj, "status", None) == "INACTIVE" and not hasattr(obj, "revision")):
            raise aws_error("InvalidParameterException", "The specified resource is not found.")
        return obj

    @operation
    def tag_resource(self, resourceArn: str, tags: list) -> dict[str, Any]:
        """Add or overwrite tags on a cluster, task definition, task, container instance or service."""
        obj = self._tagged(resourceArn)
        new = self._check_tags(tags)
        merged = {t["key"]: t.get("value", "") for t in obj.tags}
        merged.update({t["key"]: t.get("value", "") for t in new})
        if len(merged) > 50:
            raise invalid_parameter("Tags must contain fewer than 50 tags.")
        obj.tags = [{"key": k, "value": v} for k, v in merged.items()]
        return {}

    @operation
    def untag_resource(self, resourceArn: str, tagKeys: list) -> dict[str, Any]:
        """Remove tags by key."""
        obj = self._tagged(resourceArn)
        obj.tags = [t for t in obj.tags if t["key"] not in set(tagKeys)]
        return {}

    @operation
    def list_tags_for_resource(self, resourceArn: str) -> dict[str, Any]:
        """List a resource's tags."""
        return {"tags": list(self._tagged(resourceArn).tags)}
