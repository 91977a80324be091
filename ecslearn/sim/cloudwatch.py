"""Amazon CloudWatch metrics and alarms, minimal but real, on the simulator's one-minute clock.

Every simulated minute the backend (1) collects datapoints from its collectors - ECS service CPU and
memory utilization and ALB request counts come from `ecslearn.sim.load` (ecs-reference §4.9: "ECS
sends metrics to CloudWatch every 1 minute"), other modules add their own (capacity providers add
`CapacityProviderReservation`) - (2) evaluates metric alarms, and (3) invokes alarm actions. As AWS
documents for Auto Scaling actions, an action whose ARN belongs to auto scaling is invoked **every
minute while the alarm stays in ALARM**, other actions only on a state change.

A datapoint computed at minute T describes the minute that ended at T and is timestamped T - 60 s.

Internal API: `_collectors` (callables returning `(namespace, name, dims, value, unit)` tuples),
`_tick_hooks` (callables run after alarms each minute), `_action_handlers` (ARN prefix → callable
`(action_arn, alarm)`), `put(...)`, `values(...)`, `_alarm(name)`.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from ecslearn.errors import NotModelledError
from ecslearn.sim.base import Backend, check_type, operation
from ecslearn.sim.errors import aws_error

TICK = 60.0
#: what a double parameter accepts (the AWS CLI passes JSON and shorthand numbers as Decimal)
NUMBER = (int, float, Decimal)
_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")
_OPERATORS = {
    "GreaterThanOrEqualToThreshold": (lambda v, t: v >= t, "greater than or equal to"),
    "GreaterThanThreshold": (lambda v, t: v > t, "greater than"),
    "LessThanThreshold": (lambda v, t: v < t, "less than"),
    "LessThanOrEqualToThreshold": (lambda v, t: v <= t, "less than or equal to"),
}
_UNITS = ("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes", "Gigabytes",
          "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
          "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
          "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second",
          "Count/Second", "None")

MetricKey = tuple[str, str, frozenset[tuple[str, str]]]


def invalid(message: str) -> Exception:
    return aws_error("InvalidParameterValue", message)


def number(path: str, value: Any) -> float:
    """A finite double parameter (int, float or the CLI's Decimal) as a float."""
    check_type(path, value, NUMBER)
    out = float(value)
    if not math.isfinite(out):
        raise invalid(f"The value {value} for parameter {path} is invalid.")
    return out


def _dims(dimensions: Any, path: str = "Dimensions") -> frozenset[tuple[str, str]]:
    out: dict[str, str] = {}
    for i, d in enumerate(dimensions or []):
        check_type(f"{path}[{i}]", d, dict)
        name, value = d.get("Name"), d.get("Value")
        check_type(f"{path}[{i}].Name", name, str)
        check_type(f"{path}[{i}].Value", value, str)
        if name in out:
            raise invalid(f"The dimension name '{name}' is duplicated")
        out[name] = value
    if len(out) > 30:
        raise invalid("The collection Dimensions must not have a size greater than 30.")
    return frozenset(out.items())


def _dims_api(dims: frozenset[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in sorted(dims)]


def aggregate(values: list[float], stat: str) -> float:
    if stat == "SampleCount":
        return float(len(values))
    if stat == "Sum":
        return float(sum(values))
    if stat == "Minimum":
        return float(min(values))
    if stat == "Maximum":
        return float(max(values))
    return float(sum(values) / len(values))


@dataclass
class Alarm:
    name: str
    arn: str
    namespace: str
    metric_name: str
    dimensions: frozenset[tuple[str, str]]
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    treat_missing: str
    actions_enabled: bool
    alarm_actions: list[str]
    ok_actions: list[str]
    insufficient_actions: list[str]
    description: str | None
    unit: str | None
    updated_at: datetime
    state: str = "INSUFFICIENT_DATA"
    state_reason: str = "Unchecked: Initial alarm creation"
    state_updated_at: datetime | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    #: the latest aggregated value evaluated (step scaling reads it)
    last_value: float | None = None


class CloudWatchBackend(Backend):
    """CloudWatch metrics (GetMetricStatistics, GetMetricData, ListMetrics, PutMetricData) and alarms."""

    service_name = "cloudwatch"

    def __init__(self, sim) -> None:  # type: ignore[no-untyped-def]
        super().__init__(sim)
        self.metrics: dict[MetricKey, list[tuple[datetime, float, str | None]]] = {}
        self.alarms: dict[str, Alarm] = {}
        self._collectors: list[Callable[[], list[tuple[str, str, dict[str, str], float, str]]]] = []
        self._tick_hooks: list[Callable[[], None]] = []
        self._action_handlers: dict[str, Callable[[str, Alarm], None]] = {}
        from ecslearn.sim.load import collect_service_metrics

        self._collectors.append(lambda: collect_service_metrics(sim))
        seconds = sim.now.second + sim.now.microsecond / 1e6
        self._ticker = sim.every(TICK, self._tick, name="cloudwatch minute", first_delay=TICK - seconds
                                 if seconds else TICK)

    # --- the minute tick -------------------------------------------------------------------------

    def _tick(self) -> None:
        stamp = self.sim.now - timedelta(seconds=TICK)
        for collect in list(self._collectors):
            for namespace, name, dims, value, unit in collect():
                self.put(namespace, name, dims, value, unit, stamp)
        for alarm in list(self.alarms.values()):
            self._evaluate(alarm)
        for hook in list(self._tick_hooks):
            hook()

    def put(self, namespace: str, name: str, dims: dict[str, str] | frozenset[tuple[str, str]], value: float,
            unit: str | None = None, timestamp: datetime | None = None) -> None:
        key = (namespace, name, dims if isinstance(dims, frozenset) else frozenset(dims.items()))
        self.metrics.setdefault(key, []).append((timestamp or self.sim.now, float(value), unit))

    def values(self, namespace: str, name: str, dims: dict[str, str], *, start: datetime,
               end: datetime) -> list[tuple[datetime, float]]:
        """Raw datapoints of one metric with start <= timestamp < end, oldest first."""
        series = self.metrics.get((namespace, name, frozenset(dims.items())), [])
        return [(ts, v) for ts, v, _ in series if start <= ts < end]

    def _period_values(self, key: MetricKey, stat: str, period: int, count: int) -> list[float | None]:
        """Aggregates of the last `count` whole periods ending now (oldest first; None = no data)."""
        series = self.metrics.get(key, [])
        end = self.sim.now
        out: list[float | None] = []
        for k in range(count, 0, -1):
            lo, hi = end - timedelta(seconds=k * period), end - timedelta(seconds=(k - 1) * period)
            vals = [v for ts, v, _ in series if lo <= ts < hi]
            out.append(aggregate(vals, stat) if vals else None)
        return out

    def _evaluate(self, alarm: Alarm) -> None:
        key = (alarm.namespace, alarm.metric_name, alarm.dimensions)
        values = self._period_values(key, alarm.statistic, alarm.period, alarm.evaluation_periods)
        compare, words = _OPERATORS[alarm.comparison]
        present = [v for v in values if v is not None]
        alarm.last_value = present[-1] if present else None
        if alarm.treat_missing == "breaching":
            flags = [True if v is None else compare(v, alarm.threshold) for v in values]
        elif alarm.treat_missing == "notBreaching":
            flags = [False if v is None else compare(v, alarm.threshold) for v in values]
        else:
            flags = [compare(v, alarm.threshold) for v in present]
        previous = alarm.state
        if not flags:
            if alarm.treat_missing == "ignore":
                new_state, reason = alarm.state, alarm.state_reason
            else:
                new_state = "INSUFFICIENT_DATA"
                reason = "Insufficient Data: no datapoints were received for the evaluation periods."
        else:
            breaching = sum(flags)
            shown = ", ".join(f"{_fmt(v)} ({(self.sim.now - timedelta(seconds=(len(values) - i) * alarm.period)):%d/%m/%y %H:%M:%S})"
                              for i, v in enumerate(values) if v is not None)
            if breaching >= alarm.datapoints_to_alarm:
                new_state = "ALARM"
                reason = (f"Threshold Crossed: {breaching} out of the last {alarm.evaluation_periods} datapoints "
                          f"[{shown}] were {words} the threshold ({_fmt(alarm.threshold)}) (minimum "
                          f"{alarm.datapoints_to_alarm} datapoints for OK -> ALARM transition).")
            else:
                new_state = "OK"
                reason = (f"Threshold Crossed: {len(flags) - breaching} datapoints [{shown}] were not {words} "
                          f"the threshold ({_fmt(alarm.threshold)}).")
        if new_state != previous:
            alarm.state, alarm.state_reason, alarm.state_updated_at = new_state, reason, self.sim.now
        if not alarm.actions_enabled:
            return
        actions = {"ALARM": alarm.alarm_actions, "OK": alarm.ok_actions,
                   "INSUFFICIENT_DATA": alarm.insufficient_actions}[alarm.state]
        for arn in actions:
            for prefix, handler in self._action_handlers.items():
                if arn.startswith(prefix):
                    autoscaling = prefix.startswith("arn:aws:autoscaling:")
                    if autoscaling or new_state != previous:
                        handler(arn, alarm)

    def _alarm(self, name: str) -> Alarm | None:
        return self.alarms.get(name)

    # --- metrics operations ----------------------------------------------------------------------

    @operation
    def put_metric_data(self, Namespace: str, MetricData: list) -> dict[str, Any]:
        """Publish custom datapoints (Value or Values/Counts; Timestamp defaults to now).

        Not modelled: StatisticValues, storage resolution below one minute, entity data.
        """
        if Namespace.startswith("AWS/"):
            raise invalid("The value AWS/ for parameter Namespace is invalid.")
        for i, d in enumerate(MetricData):
            check_type(f"MetricData[{i}]", d, dict)
            name = d.get("MetricName")
            check_type(f"MetricData[{i}].MetricName", name, str)
            dims = _dims(d.get("Dimensions"), f"MetricData[{i}].Dimensions")
            if "StatisticValues" in d:
                raise NotModelledError("StatisticValues in PutMetricData")
            stamp = d.get("Timestamp") or self.sim.now
            if not isinstance(stamp, datetime):
                raise invalid("Timestamp must be a datetime")
            unit = d.get("Unit")
            if unit is not None and unit not in _UNITS:
                raise invalid(f"The value {unit} for parameter MetricData.member.{i + 1}.Unit is invalid.")
            if "Value" in d:
                value = d["Value"]
                self.put(Namespace, name, dims, number(f"MetricData[{i}].Value", value), unit, stamp)
            else:
                values = d.get("Values") or []
                check_type(f"MetricData[{i}].Values", values, (list, tuple))
                counts = d.get("Counts") or [1] * len(values)
                check_type(f"MetricData[{i}].Counts", counts, (list, tuple))
                for j, (v, c) in enumerate(zip(values, counts)):
                    number(f"MetricData[{i}].Values[{j}]", v)
                    number(f"MetricData[{i}].Counts[{j}]", c)
                    if c < 0 or c > 1000:
                        raise invalid("Counts must be between 0 and 1000.")
                for v, c in zip(values, counts):
                    for _ in range(int(c)):
                        self.put(Namespace, name, dims, float(v), unit, stamp)
        return {}

    def _time_range(self, start: datetime, end: datetime) -> None:
        if not isinstance(start, datetime) or not isinstance(end, datetime):
            raise invalid("StartTime and EndTime must be datetimes")
        if start.tzinfo is None or end.tzinfo is None:
            raise invalid("StartTime and EndTime must be timezone-aware")
        if start >= end:
            raise invalid("The parameter StartTime must be less than the parameter EndTime.")

    @operation
    def get_metric_statistics(self, Namespace: str, MetricName: str, StartTime: Any, EndTime: Any,
                              Period: int, Dimensions: list | None = None, Statistics: list | None = None,
                              ExtendedStatistics: list | None = None, Unit: str | None = None) -> dict[str, Any]:
        """Aggregate one metric (exact dimensions) into periods with SampleCount/Average/Sum/Minimum/Maximum.

        Not modelled: extended (percentile) statistics, unit conversion.
        """
        self._time_range(StartTime, EndTime)
        if ExtendedStatistics:
            raise NotModelledError("percentile statistics", operation_name="GetMetricStatistics")
        if not Statistics:
            raise invalid("Must specify either Statistics or ExtendedStatistics.")
        for s in Statistics:
            if s not in _STATISTICS:
                raise invalid(f"The value {s} for parameter Statistics is invalid.")
        if Period < 60 or Period % 60:
            raise invalid("The parameter Period must be a multiple of 60.")
        dims = _dims(Dimensions)
        series = self.metrics.get((Namespace, MetricName, dims), [])
        buckets: dict[datetime, list[float]] = {}
        units: dict[datetime, str | None] = {}
        for ts, v, unit in series:
            if StartTime <= ts < EndTime and (Unit is None or unit == Unit):
                offset = math.floor((ts - StartTime).total_seconds() / Period)
                start = StartTime + timedelta(seconds=offset * Period)
                buckets.setdefault(start, []).append(v)
                units[start] = unit
        points = []
        for start in sorted(buckets):
            vals = buckets[start]
            point: dict[str, Any] = {"Timestamp": start, "Unit": units[start] or "None"}
            for s in Statistics:
                point[s] = aggregate(vals, s)
            points.append(point)
        return {"Label": MetricName, "Datapoints": points}

    @operation
    def get_metric_data(self, MetricDataQueries: list, StartTime: Any, EndTime: Any,
                        NextToken: str | None = None, ScanBy: str | None = None,
                        MaxDatapoints: int | None = None, LabelOptions: dict | None = None) -> dict[str, Any]:
        """Run MetricStat queries (one series per query, newest first by default).

        Not modelled: metric math Expressions, Metrics Insights queries, label options.
        """
        self._time_range(StartTime, EndTime)
        if not MetricDataQueries or len(MetricDataQueries) > 500:
            raise invalid("MetricDataQueries must have between 1 and 500 items.")
        results = []
        ids: set[str] = set()
        for i, q in enumerate(MetricDataQueries):
            check_type(f"MetricDataQueries[{i}]", q, dict)
            qid = q.get("Id")
            check_type(f"MetricDataQueries[{i}].Id", qid, str)
            if qid in ids:
                raise invalid(f"The value {qid} for parameter MetricDataQueries.member.{i + 1}.Id is duplicated.")
            ids.add(qid)
            if "Expression" in q:
                raise NotModelledError("metric math expressions", operation_name="GetMetricData")
            stat = q.get("MetricStat")
            check_type(f"MetricDataQueries[{i}].MetricStat", stat, dict)
            metric = stat.get("Metric")
            check_type(f"MetricDataQueries[{i}].MetricStat.Metric", metric, dict)
            period, statistic = stat.get("Period"), stat.get("Stat")
            check_type(f"MetricDataQueries[{i}].MetricStat.Period", period, int)
            check_type(f"MetricDataQueries[{i}].MetricStat.Metric.Namespace", metric.get("Namespace"), str)
            check_type(f"MetricDataQueries[{i}].MetricStat.Metric.MetricName", metric.get("MetricName"), str)
            if statistic not in _STATISTICS:
                raise NotModelledError(f"the statistic {statistic!r}", operation_name="GetMetricData")
            out = self.get_metric_statistics(
                Namespace=metric.get("Namespace"), MetricName=metric.get("MetricName"),
                Dimensions=metric.get("Dimensions"), StartTime=StartTime, EndTime=EndTime,
                Period=period, Statistics=[statistic])
            points = sorted(out["Datapoints"], key=lambda p: p["Timestamp"],
                            reverse=(ScanBy or "TimestampDescending") == "TimestampDescending")
            if q.get("ReturnData", True) is False:
                continue
            results.append({"Id": qid, "Label": q.get("Label") or metric.get("MetricName"),
                            "Timestamps": [p["Timestamp"] for p in points],
                            "Values": [p[statistic] for p in points], "StatusCode": "Complete"})
        return {"MetricDataResults": results, "Messages": []}

    @operation
    def list_metrics(self, Namespace: str | None = None, MetricName: str | None = None,
                     Dimensions: list | None = None, NextToken: str | None = None,
                     RecentlyActive: str | None = None) -> dict[str, Any]:
        """List metrics that have datapoints, filtered by namespace, name and dimensions (value optional)."""
        wanted = []
        for i, d in enumerate(Dimensions or []):
            check_type(f"Dimensions[{i}]", d, dict)
            wanted.append((d.get("Name"), d.get("Value")))
        found = []
        for ns, name, dims in self.metrics:
            if Namespace is not None and ns != Namespace:
                continue
            if MetricName is not None and name != MetricName:
                continue
            names = dict(dims)
            if any(n not in names or (v is not None and names[n] != v) for n, v in wanted):
                continue
            found.append({"Namespace": ns, "MetricName": name, "Dimensions": _dims_api(dims)})
        found.sort(key=lambda m: (m["Namespace"], m["MetricName"], str(m["Dimensions"])))
        return {"Metrics": found}

    # --- alarms ----------------------------------------------------------------------------------

    def _alarm_api(self, a: Alarm) -> dict[str, Any]:
        out: dict[str, Any] = {
            "AlarmName": a.name, "AlarmArn": a.arn, "AlarmConfigurationUpdatedTimestamp": a.updated_at,
            "ActionsEnabled": a.actions_enabled, "OKActions": list(a.ok_actions),
            "AlarmActions": list(a.alarm_actions), "InsufficientDataActions": list(a.insufficient_actions),
            "StateValue": a.state, "StateReason": a.state_reason,
            "StateUpdatedTimestamp": a.state_updated_at or a.updated_at,
            "MetricName": a.metric_name, "Namespace": a.namespace, "Statistic": a.statistic,
            "Dimensions": _dims_api(a.dimensions), "Period": a.period,
            "EvaluationPeriods": a.evaluation_periods, "DatapointsToAlarm": a.datapoints_to_alarm,
            "Threshold": a.threshold, "ComparisonOperator": a.comparison, "TreatMissingData": a.treat_missing,
        }
        if a.description is not None:
            out["AlarmDescription"] = a.description
        if a.unit is not None:
            out["Unit"] = a.unit
        return out

    @operation
    def put_metric_alarm(self, AlarmName: str, EvaluationPeriods: int, ComparisonOperator: str,
                         AlarmDescription: str | None = None, ActionsEnabled: bool | None = None,
                         OKActions: list | None = None, AlarmActions: list | None = None,
                         InsufficientDataActions: list | None = None, MetricName: str | None = None,
                         Namespace: str | None = None, Statistic: str | None = None,
                         ExtendedStatistic: str | None = None, Dimensions: list | None = None,
                         Period: int | None = None, Unit: str | None = None,
                         DatapointsToAlarm: int | None = None, Threshold: Any = None,
                         TreatMissingData: str | None = None, Metrics: list | None = None,
                         Tags: list | None = None) -> dict[str, Any]:
        """Create or replace a metric alarm on one metric with a static threshold.

        Not modelled: metric math alarms (Metrics), percentile statistics, anomaly detection thresholds,
        SNS/EC2 actions (their ARNs are stored; only auto scaling policy actions run).
        """
        if Metrics or ExtendedStatistic or ComparisonOperator.startswith("LessThanLower") or \
                ComparisonOperator.startswith("GreaterThanUpper"):
            raise NotModelledError("metric math, percentile and anomaly-detection alarms",
                                   operation_name="PutMetricAlarm")
        if ComparisonOperator not in _OPERATORS:
            raise invalid(f"The value {ComparisonOperator} for parameter ComparisonOperator is invalid.")
        for what, value in (("MetricName", MetricName), ("Namespace", Namespace), ("Statistic", Statistic),
                            ("Period", Period), ("Threshold", Threshold)):
            if value is None:
                raise aws_error("MissingParameter", f"The parameter {what} is required.")
        if Statistic not in _STATISTICS:
            raise invalid(f"The value {Statistic} for parameter Statistic is invalid.")
        assert Period is not None and Threshold is not None
        threshold = number("Threshold", Threshold)
        if Period < 10 or (Period >= 60 and Period % 60) or (Period not in (10, 20, 30) and Period < 60):
            raise invalid("The parameter Period must be 10, 20, 30 or a multiple of 60.")
        if EvaluationPeriods < 1:
            raise invalid("The parameter EvaluationPeriods must be greater than or equal to 1.")
        if Period * EvaluationPeriods > 86400 * 7:
            raise invalid("The evaluation window (Period x EvaluationPeriods) must not exceed 7 days.")
        m = DatapointsToAlarm if DatapointsToAlarm is not None else EvaluationPeriods
        if not 1 <= m <= EvaluationPeriods:
            raise invalid("DatapointsToAlarm must be between 1 and EvaluationPeriods.")
        treat = TreatMissingData or "missing"
        if treat not in ("breaching", "notBreaching", "ignore", "missing"):
            raise invalid(f"The value {treat} for parameter TreatMissingData is invalid.")
        lists = {}
        for what, value in (("OKActions", OKActions), ("AlarmActions", AlarmActions),
                            ("InsufficientDataActions", InsufficientDataActions)):
            items = [check_type(f"{what}[{i}]", a, str) for i, a in enumerate(value or [])]
            if len(items) > 5:
                raise invalid(f"The collection {what} must not have a size greater than 5.")
            lists[what] = items
        existing = self.alarms.get(AlarmName)
        alarm = Alarm(
            name=AlarmName, arn=self.sim.arn("cloudwatch", f"alarm:{AlarmName}"), namespace=Namespace,
            metric_name=MetricName, dimensions=_dims(Dimensions), statistic=Statistic, period=Period,
            evaluation_periods=EvaluationPeriods, datapoints_to_alarm=m, threshold=threshold,
            comparison=ComparisonOperator, treat_missing=treat,
            actions_enabled=True if ActionsEnabled is None else ActionsEnabled,
            alarm_actions=lists["AlarmActions"], ok_actions=lists["OKActions"],
            insufficient_actions=lists["InsufficientDataActions"], description=AlarmDescription, unit=Unit,
            updated_at=self.sim.now, tags=[dict(t) for t in Tags or []])
        if existing is not None:
            alarm.state, alarm.state_reason = existing.state, existing.state_reason
            alarm.state_updated_at = existing.state_updated_at
        self.alarms[AlarmName] = alarm
        return {}

    @operation
    def describe_alarms(self, AlarmNames: list | None = None, AlarmNamePrefix: str | None = None,
                        AlarmTypes: list | None = None, StateValue: str | None = None,
                        ActionPrefix: str | None = None, MaxRecords: int | None = None,
                        NextToken: str | None = None) -> dict[str, Any]:
        """Describe metric alarms by name, name prefix, state or action prefix."""
        if AlarmNames and AlarmNamePrefix:
            raise invalid("AlarmNames and AlarmNamePrefix cannot be used together.")
        if StateValue is not None and StateValue not in ("OK", "ALARM", "INSUFFICIENT_DATA"):
            raise invalid(f"The value {StateValue} for parameter StateValue is invalid.")
        for i, n in enumerate(AlarmNames or []):
            check_type(f"AlarmNames[{i}]", n, str)
        found = []
        for a in sorted(self.alarms.values(), key=lambda x: x.name):
            if AlarmNames and a.name not in AlarmNames:
                continue
            if AlarmNamePrefix and not a.name.startswith(AlarmNamePrefix):
                continue
            if StateValue and a.state != StateValue:
                continue
            if ActionPrefix and not any(x.startswith(ActionPrefix) for x in
                                        a.alarm_actions + a.ok_actions + a.insufficient_actions):
                continue
            found.append(self._alarm_api(a))
        if AlarmTypes and "MetricAlarm" not in AlarmTypes:
            found = []
        return {"MetricAlarms": found, "CompositeAlarms": []}

    @operation
    def delete_alarms(self, AlarmNames: list) -> dict[str, Any]:
        """Delete alarms (all names must exist)."""
        for i, n in enumerate(AlarmNames):
            check_type(f"AlarmNames[{i}]", n, str)
        missing = [n for n in AlarmNames if n not in self.alarms]
        if missing:
            raise aws_error("ResourceNotFound", f"Alarm(s) not found: {', '.join(map(str, missing))}")
        for n in AlarmNames:
            del self.alarms[n]
        return {}

    @operation
    def set_alarm_state(self, AlarmName: str, StateValue: str, StateReason: str,
                        StateReasonData: str | None = None) -> dict[str, Any]:
        """Set an alarm's state until its next evaluation (one minute later), as AWS does for testing."""
        alarm = self.alarms.get(AlarmName)
        if alarm is None:
            raise aws_error("ResourceNotFound", f"Alarm {AlarmName} not found")
        if StateValue not in ("OK", "ALARM", "INSUFFICIENT_DATA"):
            raise invalid(f"The value {StateValue} for parameter StateValue is invalid.")
        alarm.state, alarm.state_reason, alarm.state_updated_at = StateValue, StateReason, self.sim.now
        return {}


def _fmt(v: float) -> str:
    return f"{v:.1f}" if abs(v) >= 0.1 or v == 0 else f"{v:.4g}"


__all__ = ["Alarm", "CloudWatchBackend", "aggregate"]
