"""Application Auto Scaling for ECS services (ecs-reference §4.9).

Scalable targets are ECS services (`service/<cluster>/<service>`, `ecs:service:DesiredCount`).
Everything is evaluated once a minute on the simulator's clock, right after CloudWatch has collected
the minute's metrics and evaluated alarms (`ecslearn.sim.cloudwatch`):

- **Target tracking** creates two CloudWatch alarms as AWS does: `AlarmHigh` (3 of 3 one-minute
  datapoints above the target) and `AlarmLow` (15 of 15 below 90 % of the target; not created with
  DisableScaleIn). While AlarmHigh is in ALARM the policy asks for `ceil(running × metric / target)`
  tasks; while AlarmLow is in ALARM it asks for that (smaller) number.
- **Step scaling** runs when a CloudWatch alarm whose AlarmActions name the policy is in ALARM (every
  minute while it stays there); the step is chosen by `metric - threshold`.
- **Several policies**: scale out if **any** policy says so (the largest wins); scale in only if **all**
  target-tracking policies with scale-in enabled agree (the smallest reduction wins).
- **Steps start from the RUNNING count**, not the desired count; results are clamped to min/max.
- **Cooldowns**: after a scale-in, no further scale-in for ScaleInCooldown (step: Cooldown); a scale-out
  during the scale-out cooldown happens only when it asks for more than is already desired (the
  capacity added by the previous scale-out counts).
- **Deployments**: no scale-in while the service has more than one deployment or its PRIMARY
  deployment is IN_PROGRESS; scale-out continues.
- **Scheduled actions** (`at()`, `rate()`, `cron()` with AWS's six fields, parsed by croniter) change
  min/max; if the desired count is then out of range it is moved into it at once.

Desired counts change through the ECS API (`update_service`), so the service scheduler does the rest.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ecslearn.errors import NotModelledError
from ecslearn.sim.base import Backend, check_type, operation, page_slice
from ecslearn.sim.errors import ClientError, aws_error

NAMESPACES = ("ecs", "elasticmapreduce", "ec2", "appstream", "dynamodb", "rds", "sagemaker", "custom-resource",
              "comprehend", "lambda", "cassandra", "kafka", "elasticache", "neptune", "workspaces")
DIMENSION = "ecs:service:DesiredCount"
_RESOURCE = re.compile(r"^service/([A-Za-z0-9_-]{1,255})/([A-Za-z0-9_-]{1,255})$")
PREDEFINED = {
    "ECSServiceAverageCPUUtilization": ("AWS/ECS", "CPUUtilization", "Average"),
    "ECSServiceAverageMemoryUtilization": ("AWS/ECS", "MemoryUtilization", "Average"),
    "ALBRequestCountPerTarget": ("AWS/ApplicationELB", "RequestCountPerTarget", "Sum"),
}
DEFAULT_COOLDOWN = 300
SERVICE_ROLE = ("role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
                "AWSServiceRoleForApplicationAutoScaling_ECSService")


def validation(message: str) -> ClientError:
    return aws_error("ValidationException", message)


@dataclass
class ScalableTarget:
    resource_id: str
    cluster: str
    service: str
    min_capacity: int
    max_capacity: int
    role_arn: str
    arn: str
    created_at: datetime
    suspended: dict[str, bool] = field(default_factory=lambda: {
        "DynamicScalingInSuspended": False, "DynamicScalingOutSuspended": False,
        "ScheduledScalingSuspended": False})
    tags: dict[str, str] = field(default_factory=dict)
    last_scale_in: datetime | None = None
    last_scale_out: datetime | None = None


@dataclass
class Policy:
    name: str
    arn: str
    resource_id: str
    type: str
    created_at: datetime
    step: dict[str, Any] | None = None
    tracking: dict[str, Any] | None = None
    alarms: list[tuple[str, str]] = field(default_factory=list)  # (name, arn)
    high_alarm: str | None = None
    low_alarm: str | None = None
    last_out: datetime | None = None
    last_out_capacity: int | None = None
    last_in: datetime | None = None


@dataclass
class ScheduledAction:
    name: str
    arn: str
    resource_id: str
    schedule: str
    timezone: str
    created_at: datetime
    start: datetime | None
    end: datetime | None
    min_capacity: int | None
    max_capacity: int | None
    next_run: datetime | None = None
    anchor: datetime | None = None  # where rate() schedules count from


@dataclass
class Activity:
    id: str
    resource_id: str
    description: str
    cause: str
    start: datetime
    end: datetime
    status: str
    message: str


# --- schedules ------------------------------------------------------------------------------------
# The same at()/rate()/cron() parser as EventBridge (`ecslearn.sim.events.parse_schedule`, croniter
# underneath): AWS's six cron fields, day-of-week 1-7 from Sunday, `L`, `W`, `#`, and a year field.


def check_schedule(schedule: str, tz: ZoneInfo) -> None:
    from ecslearn.sim.events import BadSchedule, parse_schedule

    try:
        parse_schedule(schedule, allow_at=True, tz=tz)
    except BadSchedule as err:
        raise validation(f"Invalid schedule expression: {schedule} ({err}). Use at(yyyy-mm-ddThh:mm:ss), "
                         "rate(value unit) or cron(minutes hours day-of-month month day-of-week year)") from None


def next_run(schedule: str, tz_name: str, after: datetime, created: datetime) -> datetime | None:
    """The first run strictly after `after` (UTC), or None when the schedule has no more runs."""
    from ecslearn.sim.events import parse_schedule

    when = parse_schedule(schedule, allow_at=True, tz=ZoneInfo(tz_name)).next_after(after, created)
    return when.astimezone(UTC) if when is not None else None


# --- the backend ----------------------------------------------------------------------------------


class AppAutoScalingBackend(Backend):
    """Application Auto Scaling, ECS services only."""

    service_name = "application-autoscaling"

    def __init__(self, sim) -> None:  # type: ignore[no-untyped-def]
        super().__init__(sim)
        self.targets: dict[str, ScalableTarget] = {}
        self.policies: dict[tuple[str, str], Policy] = {}  # (resource id, name)
        self.scheduled: dict[tuple[str, str], ScheduledAction] = {}
        self.activities: list[Activity] = []
        self._step_triggers: list[tuple[str, Any]] = []  # (policy arn, alarm) this minute
        cw = sim.backend("cloudwatch")
        cw._tick_hooks.append(self._tick)
        cw._action_handlers[self.sim.arn("autoscaling", "scalingPolicy:")] = self._alarm_action

    # --- helpers ----------------------------------------------------------------------------------

    @staticmethod
    def _check_namespace(namespace: str) -> None:
        if namespace not in NAMESPACES:
            raise validation(f"1 validation error detected: Value '{namespace}' at 'serviceNamespace' failed to "
                             f"satisfy constraint: Member must satisfy enum value set: [{', '.join(NAMESPACES)}]")
        if namespace != "ecs":
            raise NotModelledError(f"Application Auto Scaling for {namespace}")

    def _check_target_ref(self, namespace: str, resource_id: str, dimension: str) -> tuple[str, str]:
        self._check_namespace(namespace)
        if dimension != DIMENSION:
            raise validation(f"Unsupported scalable dimension '{dimension}' for service namespace ecs "
                             f"(use {DIMENSION})")
        m = _RESOURCE.match(resource_id)
        if not m:
            raise validation(f"Unsupported resource ID '{resource_id}': use service/<cluster-name>/<service-name>")
        return m.group(1), m.group(2)

    def _target(self, namespace: str, resource_id: str, dimension: str) -> ScalableTarget:
        self._check_target_ref(namespace, resource_id, dimension)
        target = self.targets.get(resource_id)
        if target is None:
            raise aws_error("ObjectNotFoundException",
                            f"No scalable target registered for service namespace: {namespace}, resource ID: "
                            f"{resource_id}, scalable dimension: {dimension}")
        return target

    def _service(self, cluster: str, service: str) -> dict[str, Any] | None:
        try:
            out = self.sim.client("ecs").describe_services(cluster=cluster, services=[service])
        except ClientError:
            return None
        found = out.get("services") or []
        return found[0] if found and found[0].get("status") == "ACTIVE" else None

    def _activity(self, target: ScalableTarget, description: str, cause: str, status: str = "Successful",
                  message: str | None = None) -> None:
        self.activities.append(Activity(
            id=self.sim.new_uuid(), resource_id=target.resource_id, description=description, cause=cause,
            start=self.sim.now, end=self.sim.now, status=status, message=message or ""))

    def _set_desired(self, target: ScalableTarget, count: int, cause: str) -> bool:
        try:
            self.sim.client("ecs").update_service(cluster=target.cluster, service=target.service,
                                                  desiredCount=count)
        except ClientError as err:
            self._activity(target, f"Setting desired count to {count}.", cause, "Failed",
                           f"Failed to set desired count to {count}. Reason: {err.aws_message}")
            return False
        self._activity(target, f"Setting desired count to {count}.", cause, "Successful",
                       f"Successfully set desired count to {count}. Change successfully fulfilled by ecs.")
        return True

    def _clamp_into_range(self, target: ScalableTarget) -> None:
        svc = self._service(target.cluster, target.service)
        if svc is None:
            return
        desired = svc.get("desiredCount", 0)
        if desired < target.min_capacity:
            self._set_desired(target, target.min_capacity, f"minimum capacity was set to {target.min_capacity}")
        elif desired > target.max_capacity:
            self._set_desired(target, target.max_capacity, f"maximum capacity was set to {target.max_capacity}")

    # --- scalable targets -------------------------------------------------------------------------

    def _target_api(self, t: ScalableTarget) -> dict[str, Any]:
        return {"ServiceNamespace": "ecs", "ResourceId": t.resource_id, "ScalableDimension": DIMENSION,
                "MinCapacity": t.min_capacity, "MaxCapacity": t.max_capacity, "RoleARN": t.role_arn,
                "CreationTime": t.created_at, "SuspendedState": dict(t.suspended), "ScalableTargetARN": t.arn}

    @operation
    def register_scalable_target(self, ServiceNamespace: str, ResourceId: str, ScalableDimension: str,
                                 MinCapacity: int | None = None, MaxCapacity: int | None = None,
                                 RoleARN: str | None = None, SuspendedState: dict | None = None,
                                 Tags: dict | None = None) -> dict[str, Any]:
        """Register (or update) an ECS service as a scalable target with min and max capacity.

        Not modelled: other service namespaces, predictive scaling.
        """
        cluster, service = self._check_target_ref(ServiceNamespace, ResourceId, ScalableDimension)
        for name, value in (("minCapacity", MinCapacity), ("maxCapacity", MaxCapacity)):
            if value is not None and value < 0:
                raise validation(f"1 validation error detected: Value '{value}' at '{name}' failed to satisfy "
                                 "constraint: Member must have value greater than or equal to 0")
        existing = self.targets.get(ResourceId)
        if existing is None and (MinCapacity is None or MaxCapacity is None):
            raise validation("MinCapacity and MaxCapacity are required to register a new scalable target")
        low = MinCapacity if MinCapacity is not None else existing.min_capacity  # type: ignore[union-attr]
        high = MaxCapacity if MaxCapacity is not None else existing.max_capacity  # type: ignore[union-attr]
        if low > high:
            raise validation(f"Minimum capacity ({low}) cannot be greater than maximum capacity ({high})")
        if self._service(cluster, service) is None:
            raise validation(f"ECS service doesn't exist: {ResourceId}")
        suspended = None
        if SuspendedState is not None:
            check_type("SuspendedState", SuspendedState, dict)
            suspended = {}
            for key in ("DynamicScalingInSuspended", "DynamicScalingOutSuspended", "ScheduledScalingSuspended"):
                value = SuspendedState.get(key, False)
                check_type(f"SuspendedState.{key}", value, bool)
                suspended[key] = value
        tags = {}
        for k, v in (Tags or {}).items():
            check_type(f"Tags.{k}", v, str)
            tags[str(k)] = v
        if existing is None:
            existing = ScalableTarget(
                resource_id=ResourceId, cluster=cluster, service=service, min_capacity=low, max_capacity=high,
                role_arn=RoleARN or self.sim.arn("iam", SERVICE_ROLE, region=""),
                arn=self.sim.arn("application-autoscaling", f"scalable-target/{self.sim.new_hex(32)[:32]}"),
                created_at=self.sim.now, tags=tags)
            self.targets[ResourceId] = existing
        else:
            existing.min_capacity, existing.max_capacity = low, high
            existing.tags.update(tags)
        if suspended is not None:
            existing.suspended = suspended
        self._clamp_into_range(existing)
        return {"ScalableTargetARN": existing.arn}

    @operation
    def describe_scalable_targets(self, ServiceNamespace: str, ResourceIds: list | None = None,
                                  ScalableDimension: str | None = None, MaxResults: int | None = None,
                                  NextToken: str | None = None) -> dict[str, Any]:
        """Describe registered scalable targets."""
        self._check_namespace(ServiceNamespace)
        for i, r in enumerate(ResourceIds or []):
            check_type(f"ResourceIds[{i}]", r, str)
        found = [t for t in self.targets.values() if (not ResourceIds or t.resource_id in ResourceIds)
                 and (ScalableDimension in (None, DIMENSION))]
        page, token = self._page(found, MaxResults, NextToken)
        out: dict[str, Any] = {"ScalableTargets": [self._target_api(t) for t in page]}
        if token:
            out["NextToken"] = token
        return out

    @operation
    def deregister_scalable_target(self, ServiceNamespace: str, ResourceId: str,
                                   ScalableDimension: str) -> dict[str, Any]:
        """Deregister a target; its scaling policies (and their alarms) and scheduled actions go too."""
        target = self._target(ServiceNamespace, ResourceId, ScalableDimension)
        for key, policy in list(self.policies.items()):
            if policy.resource_id == target.resource_id:
                self._drop_policy(key)
        for key in [k for k in self.scheduled if k[0] == target.resource_id]:
            del self.scheduled[key]
        del self.targets[target.resource_id]
        return {}

    @staticmethod
    def _page(items: list[Any], max_results: int | None, token: str | None) -> tuple[list[Any], str | None]:
        size = max_results or 50
        if not 1 <= size <= 50:
            raise validation("MaxResults must be between 1 and 50")
        return page_slice(items, token, size, lambda: validation("Invalid NextToken"))

    # --- scaling policies -------------------------------------------------------------------------

    def _check_tracking(self, cfg: dict) -> dict[str, Any]:
        check_type("TargetTrackingScalingPolicyConfiguration", cfg, dict)
        value = cfg.get("TargetValue")
        if value is None:
            raise validation("TargetValue is required for target tracking scaling policies")
        check_type("TargetTrackingScalingPolicyConfiguration.TargetValue", value, (int, float, Decimal))
        value = float(value)
        if not math.isfinite(value) or value <= 0:
            raise validation("TargetValue must be greater than 0")
        pre, custom = cfg.get("PredefinedMetricSpecification"), cfg.get("CustomizedMetricSpecification")
        if (pre is None) == (custom is None):
            raise validation("Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification "
                             "must be specified")
        out: dict[str, Any] = {"TargetValue": float(value)}
        if pre is not None:
            check_type("TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification", pre, dict)
            kind = pre.get("PredefinedMetricType")
            if kind not in PREDEFINED:
                if isinstance(kind, str) and kind.startswith("ECSService"):
                    raise NotModelledError(f"the predefined metric {kind}")
                raise validation(f"Unsupported predefined metric type '{kind}' for service namespace ecs")
            spec: dict[str, Any] = {"PredefinedMetricType": kind}
            if kind == "ALBRequestCountPerTarget":
                label = pre.get("ResourceLabel")
                if not isinstance(label, str) or not re.fullmatch(
                        r"app/[^/]+/[0-9a-f]+/targetgroup/[^/]+/[0-9a-f]+", label):
                    raise validation("ResourceLabel is required for ALBRequestCountPerTarget and must look like "
                                     "app/<load-balancer-name>/<id>/targetgroup/<target-group-name>/<id>")
                spec["ResourceLabel"] = label
            elif pre.get("ResourceLabel") is not None:
                raise validation(f"ResourceLabel is not allowed for predefined metric type {kind}")
            out["PredefinedMetricSpecification"] = spec
        else:
            check_type("TargetTrackingScalingPolicyConfiguration.CustomizedMetricSpecification", custom, dict)
            if "Metrics" in custom:
                raise NotModelledError("metric math in target tracking")
            for k in ("MetricName", "Namespace", "Statistic"):
                if not isinstance(custom.get(k), str):
                    raise validation(f"CustomizedMetricSpecification.{k} is required")
            if custom["Statistic"] not in ("Average", "Minimum", "Maximum", "SampleCount", "Sum"):
                raise validation(f"Unsupported statistic {custom['Statistic']}")
            dims = custom.get("Dimensions") or []
            check_type("CustomizedMetricSpecification.Dimensions", dims, (list, tuple))
            for j, d in enumerate(dims):
                check_type(f"CustomizedMetricSpecification.Dimensions[{j}]", d, dict)
                check_type(f"CustomizedMetricSpecification.Dimensions[{j}].Name", d.get("Name"), str)
                check_type(f"CustomizedMetricSpecification.Dimensions[{j}].Value", d.get("Value"), str)
            out["CustomizedMetricSpecification"] = {
                "MetricName": custom["MetricName"], "Namespace": custom["Namespace"],
                "Dimensions": [{"Name": d["Name"], "Value": d["Value"]} for d in dims], "Statistic": custom["Statistic"]}
        for key in ("ScaleOutCooldown", "ScaleInCooldown"):
            v = cfg.get(key, DEFAULT_COOLDOWN)
            check_type(f"TargetTrackingScalingPolicyConfiguration.{key}", v, int)
            if not 0 <= v <= 86400:
                raise validation(f"{key} must be between 0 and 86400")
            out[key] = v
        disable = cfg.get("DisableScaleIn", False)
        check_type("TargetTrackingScalingPolicyConfiguration.DisableScaleIn", disable, bool)
        out["DisableScaleIn"] = disable
        return out

    def _check_step(self, cfg: dict) -> dict[str, Any]:
        check_type("StepScalingPolicyConfiguration", cfg, dict)
        kind = cfg.get("AdjustmentType")
        if kind not in ("ChangeInCapacity", "PercentChangeInCapacity", "ExactCapacity"):
            raise validation("AdjustmentType must be ChangeInCapacity, PercentChangeInCapacity or ExactCapacity")
        steps = cfg.get("StepAdjustments")
        if not isinstance(steps, list) or not steps:
            raise validation("StepAdjustments must contain at least one step adjustment")
        clean = []
        for i, s in enumerate(steps):
            check_type(f"StepScalingPolicyConfiguration.StepAdjustments[{i}]", s, dict)
            adj = s.get("ScalingAdjustment")
            check_type(f"StepScalingPolicyConfiguration.StepAdjustments[{i}].ScalingAdjustment", adj, int)
            lo, hi = s.get("MetricIntervalLowerBound"), s.get("MetricIntervalUpperBound")
            for b, name in ((lo, "MetricIntervalLowerBound"), (hi, "MetricIntervalUpperBound")):
                if b is not None:
                    check_type(f"StepScalingPolicyConfiguration.StepAdjustments[{i}].{name}", b, (int, float, Decimal))
                    if not math.isfinite(float(b)):
                        raise validation(f"{name} must be a finite number")
            if lo is None and hi is None and len(steps) > 1:
                raise validation("Only one step adjustment can have both bounds unset")
            if lo is not None and hi is not None and lo >= hi:
                raise validation("MetricIntervalLowerBound must be less than MetricIntervalUpperBound")
            entry: dict[str, Any] = {"ScalingAdjustment": adj}
            if lo is not None:
                entry["MetricIntervalLowerBound"] = float(lo)
            if hi is not None:
                entry["MetricIntervalUpperBound"] = float(hi)
            clean.append(entry)
        ordered = sorted(clean, key=lambda e: e.get("MetricIntervalLowerBound", -math.inf))
        for a, b in itertools.pairwise(ordered):
            if a.get("MetricIntervalUpperBound", math.inf) != b.get("MetricIntervalLowerBound", -math.inf):
                raise validation("Step adjustments must not overlap or leave gaps between their intervals")
        out: dict[str, Any] = {"AdjustmentType": kind, "StepAdjustments": clean}
        cooldown = cfg.get("Cooldown", DEFAULT_COOLDOWN)
        check_type("StepScalingPolicyConfiguration.Cooldown", cooldown, int)
        out["Cooldown"] = cooldown
        agg = cfg.get("MetricAggregationType", "Average")
        if agg not in ("Average", "Minimum", "Maximum"):
            raise validation("MetricAggregationType must be Average, Minimum or Maximum")
        out["MetricAggregationType"] = agg
        if "MinAdjustmentMagnitude" in cfg:
            mag = cfg["MinAdjustmentMagnitude"]
            check_type("StepScalingPolicyConfiguration.MinAdjustmentMagnitude", mag, int)
            if kind != "PercentChangeInCapacity":
                raise validation("MinAdjustmentMagnitude is only allowed with PercentChangeInCapacity")
            out["MinAdjustmentMagnitude"] = mag
        return out

    def _policy_api(self, p: Policy) -> dict[str, Any]:
        out: dict[str, Any] = {"PolicyARN": p.arn, "PolicyName": p.name, "ServiceNamespace": "ecs",
                               "ResourceId": p.resource_id, "ScalableDimension": DIMENSION,
                               "PolicyType": p.type, "Alarms": [{"AlarmName": n, "AlarmARN": a} for n, a in p.alarms],
                               "CreationTime": p.created_at}
        if p.step is not None:
            out["StepScalingPolicyConfiguration"] = p.step
        if p.tracking is not None:
            out["TargetTrackingScalingPolicyConfiguration"] = p.tracking
        return out

    def _tracking_metric(self, tracking: dict[str, Any]) -> tuple[str, str, list[dict[str, str]], str]:
        pre = tracking.get("PredefinedMetricSpecification")
        if pre is None:
            c = tracking["CustomizedMetricSpecification"]
            return c["Namespace"], c["MetricName"], c["Dimensions"], c["Statistic"]
        ns, name, stat = PREDEFINED[pre["PredefinedMetricType"]]
        if ns == "AWS/ECS":
            return ns, name, [], stat  # dimensions filled by the caller
        label = pre["ResourceLabel"]
        return ns, name, [{"Name": "TargetGroup", "Value": label[label.index("targetgroup/"):]}], stat

    def _create_tracking_alarms(self, policy: Policy, target: ScalableTarget) -> None:
        assert policy.tracking is not None
        ns, name, dims, stat = self._tracking_metric(policy.tracking)
        if ns == "AWS/ECS" and not dims:
            dims = [{"Name": "ClusterName", "Value": target.cluster}, {"Name": "ServiceName", "Value": target.service}]
        cw = self.sim.client("cloudwatch")
        value = policy.tracking["TargetValue"]
        specs = [("AlarmHigh", "GreaterThanThreshold", value, 3)]
        if not policy.tracking["DisableScaleIn"]:
            specs.append(("AlarmLow", "LessThanThreshold", round(value * 0.9, 6), 15))
        for suffix, op, threshold, periods in specs:
            alarm_name = f"TargetTracking-{target.resource_id}-{suffix}-{self.sim.new_uuid()}"
            cw.put_metric_alarm(
                AlarmName=alarm_name, AlarmDescription=(
                    f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy.arn}."),
                ActionsEnabled=True, AlarmActions=[policy.arn], MetricName=name, Namespace=ns, Statistic=stat,
                Dimensions=dims, Period=60, EvaluationPeriods=periods, DatapointsToAlarm=periods,
                Threshold=threshold, ComparisonOperator=op)
            policy.alarms.append((alarm_name, self.sim.arn("cloudwatch", f"alarm:{alarm_name}")))
            if suffix == "AlarmHigh":
                policy.high_alarm = alarm_name
            else:
                policy.low_alarm = alarm_name

    def _drop_policy(self, key: tuple[str, str]) -> None:
        policy = self.policies.pop(key)
        if policy.alarms and self.sim.has_backend("cloudwatch"):
            cw = self.sim.backend("cloudwatch")
            for name, _ in policy.alarms:
                cw.alarms.pop(name, None)  # type: ignore[attr-defined]

    @operation
    def put_scaling_policy(self, PolicyName: str, ServiceNamespace: str, ResourceId: str, ScalableDimension: str,
                           PolicyType: str | None = None, StepScalingPolicyConfiguration: dict | None = None,
                           TargetTrackingScalingPolicyConfiguration: dict | None = None) -> dict[str, Any]:
        """Create or replace a target tracking or step scaling policy on a registered ECS service.

        Not modelled: predictive scaling, metric math in customized metrics, high-resolution metrics.
        """
        target = self._target(ServiceNamespace, ResourceId, ScalableDimension)
        if not re.fullmatch(r"[\x20-\x7e]{1,256}", PolicyName) or ":" in PolicyName or "/" in PolicyName:
            raise validation("PolicyName must be 1-256 printable characters without ':' or '/'")
        kind = PolicyType or "StepScaling"
        if kind == "PredictiveScaling":
            raise NotModelledError("predictive scaling", operation_name="PutScalingPolicy")
        if kind not in ("StepScaling", "TargetTrackingScaling"):
            raise validation(f"Unsupported policy type '{kind}'")
        if kind == "StepScaling":
            if StepScalingPolicyConfiguration is None or TargetTrackingScalingPolicyConfiguration is not None:
                raise validation("StepScalingPolicyConfiguration (and only it) is required for StepScaling")
            step, tracking = self._check_step(StepScalingPolicyConfiguration), None
        else:
            if TargetTrackingScalingPolicyConfiguration is None or StepScalingPolicyConfiguration is not None:
                raise validation("TargetTrackingScalingPolicyConfiguration (and only it) is required for "
                                 "TargetTrackingScaling")
            step, tracking = None, self._check_tracking(TargetTrackingScalingPolicyConfiguration)
        key = (ResourceId, PolicyName)
        old = self.policies.get(key)
        if old is not None and old.type != kind:
            raise validation(f"Policy {PolicyName} already exists with type {old.type}; delete it first")
        if old is None and len([p for p in self.policies.values() if p.resource_id == ResourceId]) >= 50:
            raise aws_error("LimitExceededException", "You can have up to 50 scaling policies per scalable target")
        arn = old.arn if old is not None else self.sim.arn(
            "autoscaling", f"scalingPolicy:{self.sim.new_uuid()}:resource/ecs/{ResourceId}:policyName/{PolicyName}")
        if old is not None:
            self._drop_policy(key)
        policy = Policy(name=PolicyName, arn=arn, resource_id=ResourceId, type=kind,
                        created_at=old.created_at if old else self.sim.now, step=step, tracking=tracking)
        self.policies[key] = policy
        if tracking is not None:
            self._create_tracking_alarms(policy, target)
        return {"PolicyARN": arn, "Alarms": [{"AlarmName": n, "AlarmARN": a} for n, a in policy.alarms]}

    @operation
    def describe_scaling_policies(self, ServiceNamespace: str, PolicyNames: list | None = None,
                                  ResourceId: str | None = None, ScalableDimension: str | None = None,
                                  MaxResults: int | None = None, NextToken: str | None = None) -> dict[str, Any]:
        """Describe scaling policies (with the alarms target tracking created)."""
        self._check_namespace(ServiceNamespace)
        found = [p for p in self.policies.values()
                 if (ResourceId is None or p.resource_id == ResourceId) and (not PolicyNames or p.name in PolicyNames)]
        page, token = self._page(found, MaxResults, NextToken)
        out: dict[str, Any] = {"ScalingPolicies": [self._policy_api(p) for p in page]}
        if token:
            out["NextToken"] = token
        return out

    @operation
    def delete_scaling_policy(self, PolicyName: str, ServiceNamespace: str, ResourceId: str,
                              ScalableDimension: str) -> dict[str, Any]:
        """Delete a policy (target tracking alarms are deleted with it)."""
        self._target(ServiceNamespace, ResourceId, ScalableDimension)
        if (ResourceId, PolicyName) not in self.policies:
            raise aws_error("ObjectNotFoundException",
                            f"No scaling policy found for service namespace: ecs, resource ID: {ResourceId}, "
                            f"scalable dimension: {DIMENSION}, policy name: {PolicyName}")
        self._drop_policy((ResourceId, PolicyName))
        return {}

    # --- scheduled actions ------------------------------------------------------------------------

    def _scheduled_api(self, a: ScheduledAction) -> dict[str, Any]:
        out: dict[str, Any] = {"ScheduledActionName": a.name, "ScheduledActionARN": a.arn, "ServiceNamespace": "ecs",
                               "Schedule": a.schedule, "Timezone": a.timezone, "ResourceId": a.resource_id,
                               "ScalableDimension": DIMENSION, "ScalableTargetAction": {},
                               "CreationTime": a.created_at}
        if a.min_capacity is not None:
            out["ScalableTargetAction"]["MinCapacity"] = a.min_capacity
        if a.max_capacity is not None:
            out["ScalableTargetAction"]["MaxCapacity"] = a.max_capacity
        if a.start is not None:
            out["StartTime"] = a.start
        if a.end is not None:
            out["EndTime"] = a.end
        return out

    @operation
    def put_scheduled_action(self, ServiceNamespace: str, ScheduledActionName: str, ResourceId: str,
                             ScalableDimension: str, Schedule: str | None = None, Timezone: str | None = None,
                             StartTime: Any = None, EndTime: Any = None,
                             ScalableTargetAction: dict | None = None) -> dict[str, Any]:
        """Create or update a scheduled min/max change: at(...), rate(...) or cron(...) in a time zone."""
        self._target(ServiceNamespace, ResourceId, ScalableDimension)
        if not re.fullmatch(r"[\x20-\x7e]{1,256}", ScheduledActionName) or ":" in ScheduledActionName \
                or "/" in ScheduledActionName:
            raise validation("ScheduledActionName must be 1-256 printable characters without ':' or '/'")
        key = (ResourceId, ScheduledActionName)
        old = self.scheduled.get(key)
        schedule = Schedule if Schedule is not None else (old.schedule if old else None)
        if schedule is None:
            raise validation("Schedule is required")
        tz_name = Timezone or (old.timezone if old else "UTC")
        try:
            tz = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise validation(f"Invalid Timezone: {tz_name}") from None
        check_schedule(schedule, tz)
        for name, value in (("StartTime", StartTime), ("EndTime", EndTime)):
            if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
                raise validation(f"{name} must be a timezone-aware datetime")
        if StartTime is not None and EndTime is not None and StartTime >= EndTime:
            raise validation("StartTime must be before EndTime")
        action = ScalableTargetAction if ScalableTargetAction is not None else (
            {"MinCapacity": old.min_capacity, "MaxCapacity": old.max_capacity} if old else {})
        check_type("ScalableTargetAction", action, dict)
        low, high = action.get("MinCapacity"), action.get("MaxCapacity")
        for name, value in (("MinCapacity", low), ("MaxCapacity", high)):
            if value is not None:
                check_type(f"ScalableTargetAction.{name}", value, int)
                if value < 0:
                    raise validation(f"ScalableTargetAction.{name} must be >= 0")
        if low is None and high is None:
            raise validation("ScalableTargetAction needs MinCapacity, MaxCapacity or both")
        if low is not None and high is not None and low > high:
            raise validation(f"Minimum capacity ({low}) cannot be greater than maximum capacity ({high})")
        arn = old.arn if old else self.sim.arn(
            "autoscaling", f"scheduledAction:{self.sim.new_uuid()}:resource/ecs/{ResourceId}:"
                           f"scheduledActionName/{ScheduledActionName}")
        created = old.created_at if old else self.sim.now
        act = ScheduledAction(name=ScheduledActionName, arn=arn, resource_id=ResourceId, schedule=schedule,
                              timezone=tz_name, created_at=created, start=StartTime, end=EndTime,
                              min_capacity=low, max_capacity=high)
        later = StartTime is not None and StartTime > self.sim.now
        act.anchor = StartTime if later else self.sim.now
        act.next_run = next_run(schedule, tz_name, act.anchor - timedelta(microseconds=1) if later else act.anchor,
                                act.anchor)
        self.scheduled[key] = act
        return {"ScheduledActionARN": arn}

    @operation
    def describe_scheduled_actions(self, ServiceNamespace: str, ScheduledActionNames: list | None = None,
                                   ResourceId: str | None = None, ScalableDimension: str | None = None,
                                   MaxResults: int | None = None, NextToken: str | None = None) -> dict[str, Any]:
        """Describe scheduled actions."""
        self._check_namespace(ServiceNamespace)
        found = [a for a in self.scheduled.values() if (ResourceId is None or a.resource_id == ResourceId)
                 and (not ScheduledActionNames or a.name in ScheduledActionNames)]
        page, token = self._page(found, MaxResults, NextToken)
        out: dict[str, Any] = {"ScheduledActions": [self._scheduled_api(a) for a in page]}
        if token:
            out["NextToken"] = token
        return out

    @operation
    def delete_scheduled_action(self, ServiceNamespace: str, ScheduledActionName: str, ResourceId: str,
                                ScalableDimension: str) -> dict[str, Any]:
        """Delete a scheduled action."""
        self._target(ServiceNamespace, ResourceId, ScalableDimension)
        if self.scheduled.pop((ResourceId, ScheduledActionName), None) is None:
            raise aws_error("ObjectNotFoundException",
                            f"No scheduled action found for service namespace: ecs, resource ID: {ResourceId}, "
                            f"scalable dimension: {DIMENSION}, scheduled action name: {ScheduledActionName}")
        return {}

    @operation
    def describe_scaling_activities(self, ServiceNamespace: str, ResourceId: str | None = None,
                                    ScalableDimension: str | None = None, MaxResults: int | None = None,
                                    NextToken: str | None = None,
                                    IncludeNotScaledActivities: bool | None = None) -> dict[str, Any]:
        """Scaling activities, newest first, with AWS-style Description, Cause and StatusMessage.

        Not modelled: NotScaledReasons (IncludeNotScaledActivities).
        """
        self._check_namespace(ServiceNamespace)
        if IncludeNotScaledActivities:
            raise NotModelledError("not-scaled activities", operation_name="DescribeScalingActivities")
        found = [a for a in reversed(self.activities) if ResourceId is None or a.resource_id == ResourceId]
        page, token = self._page(found, MaxResults, NextToken)
        out: dict[str, Any] = {"ScalingActivities": [{
            "ActivityId": a.id, "ServiceNamespace": "ecs", "ResourceId": a.resource_id,
            "ScalableDimension": DIMENSION, "Description": a.description, "Cause": a.cause,
            "StartTime": a.start, "EndTime": a.end, "StatusCode": a.status, "StatusMessage": a.message,
        } for a in page]}
        if token:
            out["NextToken"] = token
        return out

    # --- the minute tick --------------------------------------------------------------------------

    def _alarm_action(self, arn: str, alarm: Any) -> None:
        self._step_triggers.append((arn, alarm))

    def _policy_by_arn(self, arn: str) -> Policy | None:
        return next((p for p in self.policies.values() if p.arn == arn), None)

    def _tick(self) -> None:
        triggers, self._step_triggers = self._step_triggers, []
        for action in sorted(self.scheduled.values(), key=lambda a: (a.next_run or self.sim.now, a.name)):
            if action.next_run is not None and action.next_run <= self.sim.now:
                self._run_scheduled(action)
        for target in list(self.targets.values()):
            self._evaluate(target, triggers)

    def _run_scheduled(self, action: ScheduledAction) -> None:
        now = self.sim.now
        action.next_run = next_run(action.schedule, action.timezone, now, action.anchor or action.created_at)
        target = self.targets.get(action.resource_id)
        if target is None or target.suspended["ScheduledScalingSuspended"]:
            return
        if action.end is not None and now > action.end:
            action.next_run = None
            return
        low = action.min_capacity if action.min_capacity is not None else target.min_capacity
        high = action.max_capacity if action.max_capacity is not None else target.max_capacity
        if action.min_capacity is not None and action.max_capacity is None:
            high = max(high, low)
        if action.max_capacity is not None and action.min_capacity is None:
            low = min(low, high)
        target.min_capacity, target.max_capacity = low, high
        parts = []
        if action.min_capacity is not None:
            parts.append(f"min capacity to {low}")
        if action.max_capacity is not None:
            parts.append(f"max capacity to {high}")
        self._activity(target, "Setting " + " and ".join(parts), f"scheduled action name {action.name} was triggered",
                       "Successful", "Successfully set " + " and ".join(parts) + ".")
        self._clamp_into_range(target)

    def _evaluate(self, target: ScalableTarget, triggers: list[tuple[str, Any]]) -> None:
        policies = [p for p in self.policies.values() if p.resource_id == target.resource_id]
        mine = [(self._policy_by_arn(arn), alarm) for arn, alarm in triggers]
        steps = [(p, a) for p, a in mine if p is not None and p.resource_id == target.resource_id
                 and p.type == "StepScaling"]
        if not policies:
            return
        svc = self._service(target.cluster, target.service)
        if svc is None:
            return
        running, desired = int(svc.get("runningCount", 0)), int(svc.get("desiredCount", 0))
        cw = self.sim.backend("cloudwatch")
        now = self.sim.now
        outs: list[tuple[int, Policy, str]] = []
        ins: dict[str, tuple[int, Policy, str]] = {}
        voters = [p for p in policies if p.type == "TargetTrackingScaling" and not p.tracking["DisableScaleIn"]]  # type: ignore[index]
        for p in policies:
            if p.type != "TargetTrackingScaling":
                continue
            assert p.tracking is not None
            value = p.tracking["TargetValue"]
            high = cw._alarm(p.high_alarm) if p.high_alarm else None  # type: ignore[attr-defined]
            low = cw._alarm(p.low_alarm) if p.low_alarm else None  # type: ignore[attr-defined]
            if high is not None and high.state == "ALARM" and high.last_value is not None and running > 0:
                n = max(running + 1, math.ceil(running * high.last_value / value - 1e-9))
                outs.append((n, p, high.name))
            elif low is not None and low.state == "ALARM" and low.last_value is not None and running > 0:
                n = max(0, math.ceil(running * low.last_value / value - 1e-9))
                cooled = p.last_in is None or now - p.last_in >= timedelta(seconds=p.tracking["ScaleInCooldown"])
                if cooled:
                    ins[p.arn] = (n, p, low.name)
        step_ins: list[tuple[int, Policy, str]] = []
        for p, alarm in steps:
            assert p.step is not None
            n = self._step_capacity(p, alarm, running)
            if n is None:
                continue
            if n > desired:
                if p.last_out is not None and now - p.last_out < timedelta(seconds=p.step["Cooldown"]) \
                        and n <= (p.last_out_capacity or 0):
                    continue
                outs.append((n, p, alarm.name))
            elif n < desired:
                if p.last_in is not None and now - p.last_in < timedelta(seconds=p.step["Cooldown"]):
                    continue
                step_ins.append((n, p, alarm.name))
        if outs and not target.suspended["DynamicScalingOutSuspended"]:
            n, p, alarm_name = max(outs, key=lambda o: (o[0], o[1].name))
            n = min(max(n, target.min_capacity), target.max_capacity)
            if n > desired and self._set_desired(
                    target, n, f"monitor alarm {alarm_name} in state ALARM triggered policy {p.name}"):
                p.last_out, p.last_out_capacity = now, n
                target.last_scale_out = now
                for other in policies:  # a scale-out ends scale-in cooldowns
                    other.last_in = None
            return
        if target.suspended["DynamicScalingInSuspended"]:
            return
        candidates: list[tuple[int, Policy, str]] = []
        if voters:
            if len(ins) != len(voters):
                return  # scale in only when every target tracking policy agrees
            candidates = list(ins.values())
        candidates += step_ins
        if not candidates:
            return
        deployments = svc.get("deployments") or []
        if len(deployments) > 1 or any(d.get("status") == "PRIMARY" and d.get("rolloutState") == "IN_PROGRESS"
                                       for d in deployments):
            return  # §4.9: scale-in is paused during a deployment
        n, p, alarm_name = max(candidates, key=lambda c: (c[0], c[1].name))
        n = max(min(n, target.max_capacity), target.min_capacity)
        if n < desired and self._set_desired(
                target, n, f"monitor alarm {alarm_name} in state ALARM triggered policy {p.name}"):
            for _, policy, _ in candidates:
                policy.last_in = now
            target.last_scale_in = now

    @staticmethod
    def _step_capacity(p: Policy, alarm: Any, running: int) -> int | None:
        assert p.step is not None
        if alarm.last_value is None:
            return None
        breach = alarm.last_value - alarm.threshold
        chosen = None
        for s in p.step["StepAdjustments"]:
            lo = s.get("MetricIntervalLowerBound", -math.inf)
            hi = s.get("MetricIntervalUpperBound", math.inf)
            if (breach >= 0 and lo <= breach < hi) or (breach < 0 and lo < breach <= hi):
                chosen = s
                break
        if chosen is None:
            return None
        adj = chosen["ScalingAdjustment"]
        kind = p.step["AdjustmentType"]
        if kind == "ExactCapacity":
            return max(0, adj)
        if kind == "ChangeInCapacity":
            return max(0, running + adj)
        change = running * adj / 100
        change = math.ceil(change) if change > 0 else math.floor(change) if change < 0 else 0
        magnitude = p.step.get("MinAdjustmentMagnitude")
        if magnitude and 0 < abs(change) < magnitude:
            change = magnitude if change > 0 else -magnitude
        return max(0, running + change)


__all__ = ["AppAutoScalingBackend", "check_schedule", "next_run"]
