"""Simulated Amazon EventBridge Scheduler: schedules (rate, cron, at) whose ECS targets run tasks.

Expressions and the ECS target are shared with `sim/events.py` (see there). Scheduler specifics:
`ScheduleExpressionTimezone` (an IANA name) applies to cron() and at(); `StartDate`/`EndDate` bound
the runs; `FlexibleTimeWindow` Mode FLEXIBLE delays each run by a seeded random number of minutes
within `MaximumWindowInMinutes`; `ActionAfterCompletion=DELETE` deletes a one-time at() schedule after
it ran. Schedules are checked once a simulated minute, on the minute. The target role must trust
scheduler.amazonaws.com. Tasks are started with `startedBy` = `scheduler/<schedule-name>` (the value
AWS uses here was not verified). Invocations are recorded in `SchedulerBackend.invocations`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim.base import Backend, check_type, operation
from ecslearn.sim.errors import aws_error
from ecslearn.sim.events import (
    BadSchedule,
    ScheduleExpression,
    _minute_delay,
    check_ecs_parameters,
    parse_schedule,
    run_ecs_target,
)

_NAME = re.compile(r"^[0-9a-zA-Z-_.]{1,64}$")


@dataclass
class Schedule:
    name: str
    group: str
    arn: str
    expression: ScheduleExpression
    timezone: str
    target: dict[str, Any]
    flexible: dict[str, Any]
    state: str
    created: datetime
    modified: datetime
    description: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    after_completion: str = "NONE"
    next_run: datetime | None = None  # the scheduled time
    fire_at: datetime | None = None  # the scheduled time plus the flexible-window delay


class SchedulerBackend(Backend):
    """Amazon EventBridge Scheduler (the default schedule group)."""

    service_name = "scheduler"

    def __init__(self, sim) -> None:  # type: ignore[no-untyped-def]
        super().__init__(sim)
        self.schedules: dict[tuple[str, str], Schedule] = {}
        #: every invocation: {"time", "schedule", "taskArns", "failures", "error"}
        self.invocations: list[dict[str, Any]] = []
        self._tick = sim.every(60, self._check, name="scheduler schedules", first_delay=_minute_delay(sim.now))

    # --- helpers ---------------------------------------------------------------------------------

    def _group(self, group: str | None) -> str:
        group = group or "default"
        if group != "default":
            raise NotModelledError("EventBridge Scheduler schedule groups other than default")
        return group

    def _get(self, name: str, group: str | None) -> Schedule:
        g = self._group(group)
        found = self.schedules.get((g, name))
        if found is None:
            raise aws_error("ResourceNotFoundException", f"Schedule {name} does not exist.", status=404)
        return found

    def _plan_next(self, s: Schedule, after: datetime) -> None:
        moment = max(after, s.start - timedelta(microseconds=1)) if s.start else after
        nxt = s.expression.next_after(moment, s.created)
        if nxt is not None and s.end is not None and nxt > s.end:
            nxt = None
        s.next_run = nxt
        s.fire_at = nxt
        if nxt is not None and s.flexible.get("Mode") == "FLEXIBLE":
            window = int(s.flexible.get("MaximumWindowInMinutes", 1))
            s.fire_at = nxt + timedelta(minutes=self.sim.rng.randrange(window))

    def _check(self) -> None:
        now = self.sim.now
        for key, s in list(self.schedules.items()):
            if s.state != "ENABLED" or s.fire_at is None or s.fire_at > now:
                continue
            scheduled = s.next_run
            self._plan_next(s, max(now, scheduled or now))
            target = s.target
            record = run_ecs_target(self.sim, principal="scheduler.amazonaws.com", role_arn=target.get("RoleArn"),
                                    cluster_arn=target["Arn"], params=target["EcsParameters"],
                                    started_by=f"scheduler/{s.name}"[:128])
            record.update({"schedule": s.name, "scheduledTime": scheduled})
            self.invocations.append(record)
            if s.expression.kind == "at" and s.after_completion == "DELETE":
                del self.schedules[key]

    def _check_inputs(self, ScheduleExpression: str, FlexibleTimeWindow: dict, Target: dict,
                      ScheduleExpressionTimezone: str | None, State: str | None,
                      ActionAfterCompletion: str | None) -> tuple[Any, Any]:
        tz = None
        if ScheduleExpressionTimezone and ScheduleExpressionTimezone != "UTC":
            from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

            try:
                tz = ZoneInfo(ScheduleExpressionTimezone)
            except (ZoneInfoNotFoundError, ValueError):
                raise aws_error("ValidationException",
                                f"Invalid time zone: {ScheduleExpressionTimezone}") from None
        try:
            expr = parse_schedule(ScheduleExpression, allow_at=True, tz=tz)
        except BadSchedule:
            raise aws_error("ValidationException", f"Invalid Schedule Expression {ScheduleExpression}.") from None
        mode = FlexibleTimeWindow.get("Mode")
        if mode not in ("OFF", "FLEXIBLE"):
            raise aws_error("ValidationException", "1 validation error detected: Value at 'flexibleTimeWindow.mode' "
                                                   "failed to satisfy constraint: Member must satisfy enum value set: "
                                                   "[OFF, FLEXIBLE]")
        window = FlexibleTimeWindow.get("MaximumWindowInMinutes")
        if mode == "FLEXIBLE":
            if not isinstance(window, int) or isinstance(window, bool) or not 1 <= window <= 1440:
                raise aws_error("ValidationException", "MaximumWindowInMinutes must be between 1 and 1440 when Mode "
                                                       "is FLEXIBLE.")
        elif window is not None:
            raise aws_error("ValidationException", "MaximumWindowInMinutes is only allowed when Mode is FLEXIBLE.")
        for key in ("Arn", "RoleArn"):
            if key not in Target:
                raise ParamValidationError(f'Missing required parameter in Target: "{key}"')
            check_type(f"Target.{key}", Target[key], str)
        if ":ecs:" not in Target["Arn"] or ":cluster/" not in Target["Arn"]:
            raise NotModelledError("EventBridge Scheduler targets other than ECS clusters")
        if "EcsParameters" not in Target:
            raise aws_error("ValidationException", "EcsParameters is required for an Amazon ECS target.")
        check_ecs_parameters(Target["EcsParameters"], "Target.EcsParameters")
        for key in ("RetryPolicy", "DeadLetterConfig", "Input"):
            if key in Target:
                raise NotModelledError(f"EventBridge Scheduler target {key}")
        if State not in (None, "ENABLED", "DISABLED"):
            raise aws_error("ValidationException", "1 validation error detected: Value at 'state' failed to satisfy "
                                                   "constraint: Member must satisfy enum value set: [ENABLED, "
                                                   "DISABLED]")
        if ActionAfterCompletion not in (None, "NONE", "DELETE"):
            raise aws_error("ValidationException", "1 validation error detected: Value at 'actionAfterCompletion' "
                                                   "failed to satisfy constraint: Member must satisfy enum value "
                                                   "set: [NONE, DELETE]")
        return expr, tz

    def _api(self, s: Schedule) -> dict[str, Any]:
        out: dict[str, Any] = {"Arn": s.arn, "Name": s.name, "GroupName": s.group, "State": s.state,
                               "ScheduleExpression": s.expression.text, "ScheduleExpressionTimezone": s.timezone,
                               "FlexibleTimeWindow": dict(s.flexible), "Target": dict(s.target),
                               "CreationDate": s.created, "LastModificationDate": s.modified,
                               "ActionAfterCompletion": s.after_completion}
        if s.description is not None:
            out["Description"] = s.description
        if s.start is not None:
            out["StartDate"] = s.start
        if s.end is not None:
            out["EndDate"] = s.end
        return out

    # --- operations ------------------------------------------------------------------------------

    @operation
    def create_schedule(self, Name: str, ScheduleExpression: str, FlexibleTimeWindow: dict, Target: dict,
                        GroupName: str | None = None, State: str | None = None, Description: str | None = None,
                        ScheduleExpressionTimezone: str | None = None, StartDate: datetime | None = None,
                        EndDate: datetime | None = None, ActionAfterCompletion: str | None = None,
                        KmsKeyArn: str | None = None, ClientToken: str | None = None) -> dict[str, Any]:
        """Create a schedule (rate, cron or at) whose ECS target runs tasks at the scheduled times.

        Not modelled: targets other than ECS, schedule groups other than default, retry policies,
        dead-letter queues, KMS keys.
        """
        group = self._group(GroupName)
        if not _NAME.match(Name):
            raise aws_error("ValidationException", f"1 validation error detected: Value '{Name}' at 'name' failed to "
                                                   "satisfy constraint: Member must satisfy regular expression "
                                                   "pattern: ^[0-9a-zA-Z-_.]+$")
        expr, _tz = self._check_inputs(ScheduleExpression, FlexibleTimeWindow, Target, ScheduleExpressionTimezone,
                                       State, ActionAfterCompletion)
        for label, value in (("StartDate", StartDate), ("EndDate", EndDate)):
            if value is not None and (not isinstance(value, datetime) or value.tzinfo is None):
                raise ParamValidationError(f"Invalid type for parameter {label}, value: {value!r}, type: "
                                           f"{type(value)!r}, valid types: <class 'datetime.datetime'>, "
                                           "timestamp string")
        if (group, Name) in self.schedules:
            raise aws_error("ConflictException", f"Schedule {Name} already exists.", status=409)
        s = Schedule(Name, group, self.sim.arn("scheduler", f"schedule/{group}/{Name}"), expr,
                     ScheduleExpressionTimezone or "UTC", dict(Target), dict(FlexibleTimeWindow), State or "ENABLED",
                     self.sim.now, self.sim.now, Description, StartDate, EndDate, ActionAfterCompletion or "NONE")
        self._plan_next(s, self.sim.now)
        self.schedules[(group, Name)] = s
        return {"ScheduleArn": s.arn}

    @operation
    def update_schedule(self, Name: str, ScheduleExpression: str, FlexibleTimeWindow: dict, Target: dict,
                        GroupName: str | None = None, State: str | None = None, Description: str | None = None,
                        ScheduleExpressionTimezone: str | None = None, StartDate: datetime | None = None,
                        EndDate: datetime | None = None, ActionAfterCompletion: str | None = None,
                        KmsKeyArn: str | None = None, ClientToken: str | None = None) -> dict[str, Any]:
        """Replace a schedule's definition (like the real API, every field is set again)."""
        s = self._get(Name, GroupName)
        expr, _tz = self._check_inputs(ScheduleExpression, FlexibleTimeWindow, Target, ScheduleExpressionTimezone,
                                       State, ActionAfterCompletion)
        s.expression, s.target, s.flexible = expr, dict(Target), dict(FlexibleTimeWindow)
        s.timezone = ScheduleExpressionTimezone or "UTC"
        s.state, s.description = State or "ENABLED", Description
        s.start, s.end, s.after_completion = StartDate, EndDate, ActionAfterCompletion or "NONE"
        s.modified = self.sim.now
        self._plan_next(s, self.sim.now)
        return {"ScheduleArn": s.arn}

    @operation
    def get_schedule(self, Name: str, GroupName: str | None = None) -> dict[str, Any]:
        """Describe a schedule."""
        return self._api(self._get(Name, GroupName))

    @operation
    def list_schedules(self, GroupName: str | None = None, MaxResults: int | None = None,
                       NamePrefix: str | None = None, NextToken: str | None = None,
                       State: str | None = None) -> dict[str, Any]:
        """List schedules (summaries), by name prefix and state."""
        if GroupName is not None:
            self._group(GroupName)
        items = []
        for s in sorted(self.schedules.values(), key=lambda s: s.name):
            if (NamePrefix and not s.name.startswith(NamePrefix)) or (State and s.state != State):
                continue
            items.append({"Arn": s.arn, "Name": s.name, "GroupName": s.group, "State": s.state,
                          "CreationDate": s.created, "LastModificationDate": s.modified,
                          "Target": {"Arn": s.target["Arn"]}})
        start = int(NextToken) if NextToken and NextToken.isdigit() else 0
        size = MaxResults or 100
        out: dict[str, Any] = {"Schedules": items[start:start + size]}
        if start + size < len(items):
            out["NextToken"] = str(start + size)
        return out

    @operation
    def delete_schedule(self, Name: str, GroupName: str | None = None, ClientToken: str | None = None) -> dict[str, Any]:
        """Delete a schedule."""
        s = self._get(Name, GroupName)
        del self.schedules[(s.group, s.name)]
        return {}
