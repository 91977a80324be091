"""Amazon EC2 Auto Scaling groups: enough of them for ECS capacity providers (ecs-reference §7).

A group keeps `DesiredCapacity` instances, launched through the EC2 backend (`run_instances`) from its
launch configuration or launch template, spread over the Availability Zones of `VPCZoneIdentifier`
(the zone with the fewest instances first, ties in subnet order). Instances go Pending → InService
(when EC2 reports them running) → Terminating → Terminated. On scale-in the default termination
policy picks the zone with the most instances, then the oldest instance; instances protected from
scale-in are never chosen. An instance that stops or is terminated outside the group is replaced.
The group is reconciled at once on every change and every 10 simulated seconds.

Launch templates: the EC2 backend does not model `CreateLaunchTemplate`, so this module keeps a
simplified store of its own, filled with `create_launch_template(sim, name, data)` (LaunchTemplateData
keys ImageId, InstanceType, UserData, IamInstanceProfile, SecurityGroupIds, TagSpecifications). A
group's `LaunchTemplate={"LaunchTemplateName"|"LaunchTemplateId", "Version"}` refers to it.

Internal API (capacity providers): `_group(name_or_arn)`, `_group_of_instance(instance_id)`,
`_set_protection(group, instance_id, protected)`, `_instance_type_name(group)`.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from ecslearn.errors import NotModelledError
from ecslearn.sim.base import Backend, check_type, operation
from ecslearn.sim.errors import ClientError, aws_error

if TYPE_CHECKING:
    from ecslearn.sim.simulator import Simulator

RECONCILE_SECONDS = 10.0
_NAME = re.compile(r"^[\x20-\x7e]{1,255}$")


def validation(message: str) -> ClientError:
    return aws_error("ValidationError", message)


@dataclass
class LaunchSpec:
    """A launch configuration or (simplified) launch template."""

    name: str
    arn: str
    id: str
    created_at: datetime
    image_id: str
    instance_type: str
    user_data: str | None = None
    iam_instance_profile: str | None = None  # name or ARN
    security_groups: list[str] = field(default_factory=list)
    key_name: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    is_template: bool = False


@dataclass
class GroupInstance:
    id: str
    az: str
    subnet_id: str
    launched_at: datetime
    lifecycle: str = "Pending"
    health: str = "Healthy"
    protected: bool = False
    spec_name: str = ""


@dataclass
class Group:
    name: str
    arn: str
    spec: LaunchSpec
    min_size: int
    max_size: int
    desired: int
    subnets: list[tuple[str, str]]  # (subnet id, az) in the order given
    created_at: datetime
    new_protected: bool = False
    default_cooldown: int = 300
    health_check_type: str = "EC2"
    health_check_grace: int = 0
    tags: list[dict[str, Any]] = field(default_factory=list)
    instances: dict[str, GroupInstance] = field(default_factory=dict)
    status: str | None = None  # "Delete in progress" while force-deleting

    def live(self) -> list[GroupInstance]:
        return [i for i in self.instances.values() if i.lifecycle in ("Pending", "InService")]


@dataclass
class Activity:
    id: str
    group: str
    description: str
    cause: str
    start: datetime
    end: datetime
    status: str = "Successful"


def create_launch_template(sim: Simulator, name: str, data: dict[str, Any]) -> dict[str, Any]:
    """Create a launch template in the simplified store (see the module docstring); returns its ids."""
    return sim.backend("autoscaling")._create_template(name, data)  # type: ignore[attr-defined,no-any-return]


class AutoScalingBackend(Backend):
    """EC2 Auto Scaling groups, launch configurations and a simplified launch-template store."""

    service_name = "autoscaling"

    def __init__(self, sim) -> None:  # type: ignore[no-untyped-def]
        super().__init__(sim)
        self.groups: dict[str, Group] = {}
        self.launch_configurations: dict[str, LaunchSpec] = {}
        self.launch_templates: dict[str, LaunchSpec] = {}
        self.activities: list[Activity] = []
        self._cause: str | None = None
        self._ticker = sim.every(RECONCILE_SECONDS, self._reconcile_all, name="autoscaling reconcile")

    def busy(self) -> bool:
        return any(i.lifecycle == "Pending" for g in self.groups.values() for i in g.live())

    # --- helpers ----------------------------------------------------------------------------------

    def _ec2(self) -> Any:
        return self.sim.backend("ec2")

    def _group(self, ref: str) -> Group:
        if not isinstance(ref, str):
            raise validation(f"AutoScalingGroup name not found - AutoScalingGroup {ref!r} not found")
        name = ref.rsplit("autoScalingGroupName/", 1)[-1] if isinstance(ref, str) and ref.startswith("arn:") else ref
        group = self.groups.get(name) if isinstance(name, str) else None
        if group is None:
            raise validation(f"AutoScalingGroup name not found - AutoScalingGroup {ref} not found")
        return group

    def _group_of_instance(self, instance_id: str) -> Group | None:
        for g in self.groups.values():
            gi = g.instances.get(instance_id)
            if gi is not None and gi.lifecycle in ("Pending", "InService"):
                return g
        return None

    def _set_protection(self, group: Group, instance_id: str, protected: bool) -> None:
        gi = group.instances.get(instance_id)
        if gi is not None:
            gi.protected = protected

    @staticmethod
    def _instance_type_name(group: Group) -> str:
        return group.spec.instance_type

    def _activity(self, group: Group, description: str, cause: str, status: str = "Successful") -> None:
        self.activities.append(Activity(self.sim.new_uuid(), group.name, description, cause, self.sim.now,
                                        self.sim.now, status))

    def _stamp(self) -> str:
        return self.sim.now.strftime("%Y-%m-%dT%H:%M:%SZ")

    # --- launch configurations and templates ------------------------------------------------------

    @operation
    def create_launch_configuration(self, LaunchConfigurationName: str, ImageId: str | None = None,
                                    InstanceType: str | None = None, UserData: str | None = None,
                                    IamInstanceProfile: str | None = None, SecurityGroups: list | None = None,
                                    KeyName: str | None = None, InstanceMonitoring: dict | None = None,
                                    AssociatePublicIpAddress: bool | None = None,
                                    BlockDeviceMappings: list | None = None,
                                    MetadataOptions: dict | None = None, EbsOptimized: bool | None = None,
                                    InstanceId: str | None = None) -> dict[str, Any]:
        """Create a launch configuration (image, instance type, user data, instance profile).

        Not modelled: creating one from an instance (InstanceId), Spot prices, ClassicLink, tenancy.
        """
        if InstanceId is not None:
            raise NotModelledError("launch configurations from an instance", operation_name="CreateLaunchConfiguration")
        if not _NAME.match(LaunchConfigurationName):
            raise validation("LaunchConfigurationName must be 1-255 printable characters")
        if LaunchConfigurationName in self.launch_configurations:
            raise aws_error("AlreadyExists", f"Launch Configuration by this name already exists - A launch "
                            f"configuration already exists with the name {LaunchConfigurationName}")
        if ImageId is None or InstanceType is None:
            raise validation("ImageId and InstanceType are required when not creating from an instance")
        ec2 = self._ec2()
        if ec2._image(ImageId) is None:
            raise validation(f"AMI cannot be described - The image id '[{ImageId}]' does not exist")
        from ecslearn.sim.instance_types import instance_type

        if instance_type(InstanceType) is None:
            raise validation(f"Invalid instance type: {InstanceType}")
        groups = [check_type(f"SecurityGroups[{i}]", g, str) for i, g in enumerate(SecurityGroups or [])]
        spec = LaunchSpec(name=LaunchConfigurationName,
                          arn=self.sim.arn("autoscaling", f"launchConfiguration:{self.sim.new_uuid()}:"
                                                          f"launchConfigurationName/{LaunchConfigurationName}"),
                          id=LaunchConfigurationName, created_at=self.sim.now, image_id=ImageId,
                          instance_type=InstanceType, user_data=UserData, iam_instance_profile=IamInstanceProfile,
                          security_groups=groups, key_name=KeyName)
        self.launch_configurations[LaunchConfigurationName] = spec
        return {}

    @operation
    def describe_launch_configurations(self, LaunchConfigurationNames: list | None = None,
                                       NextToken: str | None = None, MaxRecords: int | None = None) -> dict[str, Any]:
        """Describe launch configurations."""
        found = [s for s in self.launch_configurations.values()
                 if not LaunchConfigurationNames or s.name in LaunchConfigurationNames]
        return {"LaunchConfigurations": [{
            "LaunchConfigurationName": s.name, "LaunchConfigurationARN": s.arn, "ImageId": s.image_id,
            "InstanceType": s.instance_type, "UserData": s.user_data or "", "SecurityGroups": list(s.security_groups),
            "KeyName": s.key_name or "", "IamInstanceProfile": s.iam_instance_profile, "CreatedTime": s.created_at,
            "BlockDeviceMappings": [], "KernelId": "", "RamdiskId": "",
            "InstanceMonitoring": {"Enabled": True}, "EbsOptimized": False} for s in found]}

    @operation
    def delete_launch_configuration(self, LaunchConfigurationName: str) -> dict[str, Any]:
        """Delete a launch configuration no group uses."""
        if LaunchConfigurationName not in self.launch_configurations:
            raise validation(f"Launch configuration name not found - Launch configuration "
                             f"{LaunchConfigurationName} not found")
        if any(g.spec.name == LaunchConfigurationName and not g.spec.is_template for g in self.groups.values()):
            raise aws_error("ResourceInUse", "Cannot delete launch configuration "
                            f"{LaunchConfigurationName} because it is attached to AutoScalingGroup")
        del self.launch_configurations[LaunchConfigurationName]
        return {}

    def _create_template(self, name: str, data: dict[str, Any]) -> dict[str, Any]:
        if not isinstance(name, str) or not re.fullmatch(r"[a-zA-Z0-9().\-/_]{3,128}", name):
            raise aws_error("InvalidLaunchTemplateName.MalformedException",
                            "A launch template name must be between 3 and 128 characters, and may contain "
                            "letters, numbers, and the following characters: - ( ) . / _.'")
        if any(t.name == name for t in self.launch_templates.values()):
            raise aws_error("InvalidLaunchTemplateName.AlreadyExistsException",
                            "Launch template name already in use.")
        check_type("LaunchTemplateData", data, dict)
        image, itype = data.get("ImageId"), data.get("InstanceType")
        if not isinstance(image, str) or not isinstance(itype, str):
            raise NotModelledError("launch templates without ImageId and InstanceType")
        profile = data.get("IamInstanceProfile") or {}
        check_type("LaunchTemplateData.IamInstanceProfile", profile, dict)
        tags: list[dict[str, str]] = []
        for spec in data.get("TagSpecifications") or []:
            if isinstance(spec, dict) and spec.get("ResourceType") == "instance":
                tags += [dict(t) for t in spec.get("Tags") or []]
        lt_id = "lt-" + self.sim.new_hex(17)
        spec = LaunchSpec(name=name, arn=self.sim.arn("ec2", f"launch-template/{lt_id}"), id=lt_id,
                          created_at=self.sim.now, image_id=image, instance_type=itype,
                          user_data=data.get("UserData"),
                          iam_instance_profile=profile.get("Arn") or profile.get("Name"),
                          security_groups=list(data.get("SecurityGroupIds") or []), key_name=data.get("KeyName"),
                          tags=tags, is_template=True)
        self.launch_templates[lt_id] = spec
        return {"LaunchTemplateId": lt_id, "LaunchTemplateName": name, "DefaultVersionNumber": 1,
                "LatestVersionNumber": 1}

    def _resolve_spec(self, lc_name: str | None, template: dict | None) -> LaunchSpec:
        if (lc_name is None) == (template is None):
            raise validation("Valid requests must contain either LaunchTemplate, LaunchConfigurationName, "
                             "InstanceId or MixedInstancesPolicy parameter.")
        if lc_name is not None:
            spec = self.launch_configurations.get(lc_name)
            if spec is None:
                raise validation(f"Launch configuration name not found - Launch configuration {lc_name} not found")
            return spec
        check_type("LaunchTemplate", template, dict)
        assert template is not None
        version = template.get("Version", "$Default")
        if version not in ("$Default", "$Latest", "1"):
            raise NotModelledError("launch template versions other than 1")
        by_id, by_name = template.get("LaunchTemplateId"), template.get("LaunchTemplateName")
        found = None
        if by_id is not None:
            found = self.launch_templates.get(by_id)
        elif by_name is not None:
            found = next((t for t in self.launch_templates.values() if t.name == by_name), None)
        else:
            raise validation("A launch template needs LaunchTemplateId or LaunchTemplateName")
        if found is None:
            raise validation(f"You must use a valid fully-formed launch template. The specified launch template, "
                             f"with template {'ID' if by_id else 'name'} {by_id or by_name}, does not exist.")
        return found

    def _resolve_subnets(self, zone_identifier: str | None, zones: list | None) -> list[tuple[str, str]]:
        ec2 = self._ec2()
        out: list[tuple[str, str]] = []
        if zone_identifier:
            for sid in [s.strip() for s in zone_identifier.split(",") if s.strip()]:
                try:
                    subnet = ec2._subnet(sid)
                except ClientError:
                    raise validation(f"The subnet ID '{sid}' does not exist") from None
                out.append((subnet.id, subnet.availability_zone))
            if len({ec2._subnet(s).vpc_id for s, _ in out}) > 1:
                raise validation("The subnets must all be in the same VPC")
        elif zones:
            for az in zones:
                subnet = ec2._subnet_for_az(az) if isinstance(az, str) else None
                if subnet is None:
                    raise validation(f"The availability zone {az} is not legal")
                out.append((subnet.id, az))
        else:
            raise validation("At least one Availability Zone or VPC Subnet is required.")
        return out

    # --- groups -----------------------------------------------------------------------------------

    @operation
    def create_auto_scaling_group(self, AutoScalingGroupName: str, MinSize: int, MaxSize: int,
                                  LaunchConfigurationName: str | None = None, LaunchTemplate: dict | None = None,
                                  MixedInstancesPolicy: dict | None = None, DesiredCapacity: int | None = None,
                                  DefaultCooldown: int | None = None, AvailabilityZones: list | None = None,
                                  HealthCheckType: str | None = None, HealthCheckGracePeriod: int | None = None,
                                  VPCZoneIdentifier: str | None = None, TerminationPolicies: list | None = None,
                                  NewInstancesProtectedFromScaleIn: bool | None = None,
                                  CapacityRebalance: bool | None = None, Tags: list | None = None,
                                  ServiceLinkedRoleARN: str | None = None,
                                  TargetGroupARNs: list | None = None) -> dict[str, Any]:
        """Create a group and launch its desired instances (LaunchConfigurationName or LaunchTemplate).

        Not modelled: mixed instances policies, load balancer/target group attachment, lifecycle hooks,
        warm pools, termination policies other than Default, instance refresh, ELB health checks
        (HealthCheckType is stored), cooldowns, scaling policies on the group.
        """
        if MixedInstancesPolicy is not None:
            raise NotModelledError("mixed instances policies", operation_name="CreateAutoScalingGroup")
        if TargetGroupARNs:
            raise NotModelledError("target groups on Auto Scaling groups", operation_name="CreateAutoScalingGroup")
        if TerminationPolicies and TerminationPolicies != ["Default"]:
            raise NotModelledError("termination policies other than Default", operation_name="CreateAutoScalingGroup")
        if not _NAME.match(AutoScalingGroupName):
            raise validation("AutoScalingGroupName must be 1-255 printable characters")
        if AutoScalingGroupName in self.groups:
            raise aws_error("AlreadyExists", f"AutoScalingGroup by this name already exists - A group with the "
                            f"name {AutoScalingGroupName} already exists")
        spec = self._resolve_spec(LaunchConfigurationName, LaunchTemplate)
        desired = MinSize if DesiredCapacity is None else DesiredCapacity
        self._check_sizes(MinSize, MaxSize, desired)
        subnets = self._resolve_subnets(VPCZoneIdentifier, AvailabilityZones)
        if HealthCheckType not in (None, "EC2", "ELB"):
            raise validation(f"Invalid health check type: {HealthCheckType}")
        tags = []
        for i, t in enumerate(Tags or []):
            check_type(f"Tags[{i}]", t, dict)
            if not isinstance(t.get("Key"), str):
                raise validation("Tag keys must be strings")
            tags.append({"ResourceId": AutoScalingGroupName, "ResourceType": "auto-scaling-group", "Key": t["Key"],
                         "Value": t.get("Value", ""), "PropagateAtLaunch": bool(t.get("PropagateAtLaunch", False))})
        group = Group(name=AutoScalingGroupName,
                      arn=self.sim.arn("autoscaling", f"autoScalingGroup:{self.sim.new_uuid()}:"
                                                      f"autoScalingGroupName/{AutoScalingGroupName}"),
                      spec=spec, min_size=MinSize, max_size=MaxSize, desired=desired, subnets=subnets,
                      created_at=self.sim.now, new_protected=bool(NewInstancesProtectedFromScaleIn),
                      default_cooldown=300 if DefaultCooldown is None else DefaultCooldown,
                      health_check_type=HealthCheckType or "EC2", health_check_grace=HealthCheckGracePeriod or 0,
                      tags=tags)
        self.groups[group.name] = group
        self._cause = (f"At {self._stamp()} a user request created an AutoScalingGroup changing the desired "
                       f"capacity from 0 to {desired}.")
        self._reconcile(group)
        return {}

    @staticmethod
    def _check_sizes(low: int, high: int, desired: int) -> None:
        if low < 0 or high < 0:
            raise validation("MinSize and MaxSize must be >= 0")
        if low > high:
            raise validation(f"Max bound, {high}, must be greater than or equal to min bound, {low}")
        if not low <= desired <= high:
            raise validation(f"Desired capacity:{desired} must be between the specified min size:{low} and "
                             f"max size:{high}")

    def _group_api(self, g: Group) -> dict[str, Any]:
        out: dict[str, Any] = {
            "AutoScalingGroupName": g.name, "AutoScalingGroupARN": g.arn, "MinSize": g.min_size,
            "MaxSize": g.max_size, "DesiredCapacity": g.desired, "DefaultCooldown": g.default_cooldown,
            "AvailabilityZones": sorted({az for _, az in g.subnets}), "LoadBalancerNames": [], "TargetGroupARNs": [],
            "HealthCheckType": g.health_check_type, "HealthCheckGracePeriod": g.health_check_grace,
            "Instances": [self._instance_api(g, i) for i in g.instances.values() if i.lifecycle != "Terminated"],
            "CreatedTime": g.created_at, "SuspendedProcesses": [], "EnabledMetrics": [],
            "VPCZoneIdentifier": ",".join(s for s, _ in g.subnets), "Tags": [dict(t) for t in g.tags],
            "TerminationPolicies": ["Default"], "NewInstancesProtectedFromScaleIn": g.new_protected,
            "ServiceLinkedRoleARN": self.sim.arn("iam", "role/aws-service-role/autoscaling.amazonaws.com/"
                                                        "AWSServiceRoleForAutoScaling", region=""),
            "CapacityRebalance": False,
        }
        if g.spec.is_template:
            out["LaunchTemplate"] = {"LaunchTemplateId": g.spec.id, "LaunchTemplateName": g.spec.name,
                                     "Version": "$Default"}
        else:
            out["LaunchConfigurationName"] = g.spec.name
        if g.status:
            out["Status"] = g.status
        return out

    def _instance_api(self, g: Group, i: GroupInstance, *, with_group: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"InstanceId": i.id, "InstanceType": g.spec.instance_type, "AvailabilityZone": i.az,
                               "LifecycleState": i.lifecycle, "HealthStatus": i.health,
                               "ProtectedFromScaleIn": i.protected}
        if g.spec.is_template:
            out["LaunchTemplate"] = {"LaunchTemplateId": g.spec.id, "LaunchTemplateName": g.spec.name,
                                     "Version": "1"}
        else:
            out["LaunchConfigurationName"] = g.spec.name
        if with_group:
            out["AutoScalingGroupName"] = g.name
            out["HealthStatus"] = i.health.upper()
        return out

    @operation
    def describe_auto_scaling_groups(self, AutoScalingGroupNames: list | None = None, NextToken: str | None = None,
                                     MaxRecords: int | None = None, Filters: list | None = None,
                                     IncludeInstances: bool | None = None) -> dict[str, Any]:
        """Describe groups (with their instances and lifecycle states).

        Not modelled: Filters.
        """
        if Filters:
            raise NotModelledError("Filters in DescribeAutoScalingGroups", operation_name="DescribeAutoScalingGroups")
        found = [g for g in self.groups.values() if not AutoScalingGroupNames or g.name in AutoScalingGroupNames]
        out = [self._group_api(g) for g in found]
        if IncludeInstances is False:
            for g in out:
                g["Instances"] = []
        return {"AutoScalingGroups": out}

    @operation
    def describe_auto_scaling_instances(self, InstanceIds: list | None = None, MaxRecords: int | None = None,
                                        NextToken: str | None = None) -> dict[str, Any]:
        """Describe instances that belong to groups."""
        out = []
        for g in self.groups.values():
            for i in g.instances.values():
                if i.lifecycle != "Terminated" and (not InstanceIds or i.id in InstanceIds):
                    out.append(self._instance_api(g, i, with_group=True))
        return {"AutoScalingInstances": out}

    @operation
    def update_auto_scaling_group(self, AutoScalingGroupName: str, LaunchConfigurationName: str | None = None,
                                  LaunchTemplate: dict | None = None, MinSize: int | None = None,
                                  MaxSize: int | None = None, DesiredCapacity: int | None = None,
                                  DefaultCooldown: int | None = None, AvailabilityZones: list | None = None,
                                  HealthCheckType: str | None = None, HealthCheckGracePeriod: int | None = None,
                                  VPCZoneIdentifier: str | None = None,
                                  NewInstancesProtectedFromScaleIn: bool | None = None,
                                  MixedInstancesPolicy: dict | None = None) -> dict[str, Any]:
        """Change sizes, launch configuration/template, subnets or new-instance protection.

        A new MinSize above the desired capacity raises it; a new MaxSize below it lowers it.
        """
        g = self._group(AutoScalingGroupName)
        if MixedInstancesPolicy is not None:
            raise NotModelledError("mixed instances policies", operation_name="UpdateAutoScalingGroup")
        spec = g.spec
        if LaunchConfigurationName is not None or LaunchTemplate is not None:
            spec = self._resolve_spec(LaunchConfigurationName, LaunchTemplate)
        low = g.min_size if MinSize is None else MinSize
        high = g.max_size if MaxSize is None else MaxSize
        desired = g.desired if DesiredCapacity is None else DesiredCapacity
        if DesiredCapacity is None:
            desired = min(max(desired, low), high) if low <= high else desired
        self._check_sizes(low, high, desired)
        subnets = g.subnets
        if VPCZoneIdentifier is not None or AvailabilityZones is not None:
            subnets = self._resolve_subnets(VPCZoneIdentifier, AvailabilityZones)
        if HealthCheckType not in (None, "EC2", "ELB"):
            raise validation(f"Invalid health check type: {HealthCheckType}")
        old = g.desired
        g.spec, g.min_size, g.max_size, g.desired, g.subnets = spec, low, high, desired, subnets
        if DefaultCooldown is not None:
            g.default_cooldown = DefaultCooldown
        if HealthCheckType is not None:
            g.health_check_type = HealthCheckType
        if HealthCheckGracePeriod is not None:
            g.health_check_grace = HealthCheckGracePeriod
        if NewInstancesProtectedFromScaleIn is not None:
            g.new_protected = NewInstancesProtectedFromScaleIn
        self._cause = (f"At {self._stamp()} a user request update of AutoScalingGroup constraints to min: {low}, "
                       f"max: {high}, desired: {desired} changing the desired capacity from {old} to {desired}.")
        self._reconcile(g)
        return {}

    @operation
    def set_desired_capacity(self, AutoScalingGroupName: str, DesiredCapacity: int,
                             HonorCooldown: bool | None = None) -> dict[str, Any]:
        """Set the desired capacity (between MinSize and MaxSize).

        Not modelled: HonorCooldown (cooldowns are not modelled).
        """
        g = self._group(AutoScalingGroupName)
        if not g.min_size <= DesiredCapacity <= g.max_size:
            raise validation(f"New SetDesiredCapacity value {DesiredCapacity} is below min value {g.min_size} for "
                             f"the AutoScalingGroup." if DesiredCapacity < g.min_size else
                             f"New SetDesiredCapacity value {DesiredCapacity} is above max value {g.max_size} for "
                             f"the AutoScalingGroup.")
        old, g.desired = g.desired, DesiredCapacity
        self._cause = (f"At {self._stamp()} a user request explicitly set group desired capacity changing the "
                       f"desired capacity from {old} to {DesiredCapacity}.")
        self._reconcile(g)
        return {}

    @operation
    def set_instance_protection(self, InstanceIds: list, AutoScalingGroupName: str,
                                ProtectedFromScaleIn: bool) -> dict[str, Any]:
        """Protect instances from (or expose them to) scale-in."""
        g = self._group(AutoScalingGroupName)
        for i, iid in enumerate(InstanceIds):
            check_type(f"InstanceIds[{i}]", iid, str)
        for iid in InstanceIds:
            gi = g.instances.get(iid)
            if gi is None or gi.lifecycle == "Terminated":
                raise validation(f"The instance {iid} is not part of Auto Scaling group {g.name}.")
        for iid in InstanceIds:
            g.instances[iid].protected = ProtectedFromScaleIn
        return {}

    @operation
    def terminate_instance_in_auto_scaling_group(self, InstanceId: str,
                                                 ShouldDecrementDesiredCapacity: bool) -> dict[str, Any]:
        """Terminate one instance; the group replaces it unless the desired capacity is decremented."""
        g = self._group_of_instance(InstanceId)
        if g is None:
            raise validation(f"Instance Id not found - No managed instance found for instance ID: {InstanceId}")
        gi = g.instances[InstanceId]
        if ShouldDecrementDesiredCapacity:
            if g.desired - 1 < g.min_size:
                raise validation(f"Currently, desiredSize equals minSize ({g.min_size}). Terminating instance "
                                 "without replacement will violate group's min size constraint. Either set "
                                 "shouldDecrementDesiredCapacity flag to false or lower group's min size.")
            g.desired -= 1
        self._terminate(g, gi, f"At {self._stamp()} instance {InstanceId} was taken out of service in response "
                               "to a user request.")
        self._reconcile(g)
        act = self.activities[-1]
        return {"Activity": self._activity_api(act)}

    @operation
    def delete_auto_scaling_group(self, AutoScalingGroupName: str, ForceDelete: bool | None = None) -> dict[str, Any]:
        """Delete an empty group, or terminate its instances first with ForceDelete."""
        g = self._group(AutoScalingGroupName)
        if g.live() and not ForceDelete:
            raise aws_error("ResourceInUse", "You cannot delete an AutoScalingGroup while there are instances or "
                            "pending Spot instance request(s) still in the group.")
        for gi in g.live():
            self._terminate(g, gi, f"At {self._stamp()} the AutoScalingGroup was deleted.")
        del self.groups[g.name]
        return {}

    def _activity_api(self, a: Activity) -> dict[str, Any]:
        return {"ActivityId": a.id, "AutoScalingGroupName": a.group, "Description": a.description,
                "Cause": a.cause, "StartTime": a.start, "EndTime": a.end, "StatusCode": a.status, "Progress": 100}

    @operation
    def describe_scaling_activities(self, AutoScalingGroupName: str | None = None, ActivityIds: list | None = None,
                                    MaxRecords: int | None = None, NextToken: str | None = None,
                                    IncludeDeletedGroups: bool | None = None) -> dict[str, Any]:
        """Launches and terminations, newest first."""
        found = [a for a in reversed(self.activities)
                 if (AutoScalingGroupName is None or a.group == AutoScalingGroupName)
                 and (not ActivityIds or a.id in ActivityIds)]
        return {"Activities": [self._activity_api(a) for a in found[:MaxRecords or 100]]}

    # --- reconciliation ---------------------------------------------------------------------------

    def _reconcile_all(self) -> None:
        for g in list(self.groups.values()):
            self._reconcile(g)

    def _reconcile(self, g: Group) -> None:
        ec2 = self._ec2()
        for gi in list(g.instances.values()):
            if gi.lifecycle not in ("Pending", "InService", "Terminating"):
                continue
            inst = ec2._instance(gi.id)
            state = inst.state if inst is not None else "terminated"
            if gi.lifecycle == "Pending" and state == "running":
                gi.lifecycle = "InService"
            elif gi.lifecycle == "Terminating" and state == "terminated":
                gi.lifecycle = "Terminated"
            elif gi.lifecycle in ("Pending", "InService") and state in ("stopping", "stopped", "shutting-down",
                                                                         "terminated"):
                gi.health = "Unhealthy"
                self._terminate(g, gi, f"At {self._stamp()} an instance was taken out of service in response to "
                                       f"an EC2 instance status check failure.")
        cause = self._cause or f"At {self._stamp()} the group's desired capacity was {g.desired}."
        self._cause = None
        live = g.live()
        if len(live) < g.desired:
            for _ in range(g.desired - len(live)):
                if not self._launch(g, cause):
                    break
        elif len(live) > g.desired:
            extra = len(live) - g.desired
            for _ in range(extra):
                victim = self._choose_victim(g)
                if victim is None:
                    break
                before = len(g.live())
                self._terminate(g, victim, f"{cause} An instance was taken out of service in response to a "
                                           "difference between desired and actual capacity, shrinking the capacity "
                                           f"from {before} to {before - 1}.")

    def _launch(self, g: Group, cause: str) -> bool:
        counts = {sid: 0 for sid, _ in g.subnets}
        by_az = {az: 0 for _, az in g.subnets}
        for gi in g.live():
            by_az[gi.az] = by_az.get(gi.az, 0) + 1
        subnet_id, az = min(g.subnets, key=lambda s: (by_az.get(s[1], 0), list(counts).index(s[0])))
        spec = g.spec
        kwargs: dict[str, Any] = {"ImageId": spec.image_id, "InstanceType": spec.instance_type, "MinCount": 1,
                                  "MaxCount": 1, "SubnetId": subnet_id}
        if spec.user_data is not None:
            kwargs["UserData"] = spec.user_data
        if spec.iam_instance_profile:
            key = "Arn" if spec.iam_instance_profile.startswith("arn:") else "Name"
            kwargs["IamInstanceProfile"] = {key: spec.iam_instance_profile}
        if spec.security_groups:
            kwargs["SecurityGroupIds"] = list(spec.security_groups)
        if spec.key_name:
            kwargs["KeyName"] = spec.key_name
        tags = [{"Key": t["Key"], "Value": t["Value"]} for t in g.tags if t["PropagateAtLaunch"]] + \
            [dict(t) for t in spec.tags]
        if tags:
            kwargs["TagSpecifications"] = [{"ResourceType": "instance", "Tags": tags}]
        try:
            out = self.sim.client("ec2").run_instances(**kwargs)
        except ClientError as err:
            self._activity(g, "Launching a new EC2 instance.  Status Reason: " + err.aws_message, cause, "Failed")
            return False
        iid = out["Instances"][0]["InstanceId"]
        inst = self._ec2()._instance(iid)
        if inst is not None:  # the group tag AWS adds itself (a reserved aws: key)
            inst.tags.append({"Key": "aws:autoscaling:groupName", "Value": g.name})
        g.instances[iid] = GroupInstance(id=iid, az=az, subnet_id=subnet_id, launched_at=self.sim.now,
                                         protected=g.new_protected, spec_name=spec.name)
        self._activity(g, f"Launching a new EC2 instance: {iid}",
                       f"{cause} An instance was started in response to a difference between desired and actual "
                       f"capacity, increasing the capacity from {len(g.live()) - 1} to {len(g.live())}.")
        return True

    @staticmethod
    def _choose_victim(g: Group) -> GroupInstance | None:
        candidates = [i for i in g.live() if not i.protected]
        if not candidates:
            return None
        by_az: dict[str, int] = {}
        for gi in g.live():
            by_az[gi.az] = by_az.get(gi.az, 0) + 1
        return min(candidates, key=lambda i: (-by_az[i.az], i.launched_at, i.id))

    def _terminate(self, g: Group, gi: GroupInstance, cause: str) -> None:
        gi.lifecycle = "Terminating"
        inst = self._ec2()._instance(gi.id)
        if inst is not None and inst.state not in ("terminated", "shutting-down"):
            with contextlib.suppress(ClientError):
                self.sim.client("ec2").terminate_instances(InstanceIds=[gi.id])
        self._activity(g, f"Terminating EC2 instance: {gi.id}", cause)


__all__ = ["AutoScalingBackend", "create_launch_template"]
