"""Simulated Amazon EventBridge rules with schedule expressions, and the ECS RunTask target.

Schedules (shared with `sim/scheduler.py`):
* `rate(N unit)`: unit minute(s)/hour(s)/day(s), singular exactly when N is 1; the first run is one
  interval after the rule is created (or enabled).
* `cron(Minutes Hours Day-of-month Month Day-of-week Year)`: AWS's six fields, evaluated in UTC by the
  croniter library. One of day-of-month and day-of-week must be `?`; day-of-week 1-7 is SUN-SAT (names
  work too), `L`, `W` and `#` as in AWS. The expression is translated to croniter's syntax (`?` → `*`,
  day-of-week numbers minus one, `5L` → `L4`, the year as croniter's 7th field).

Rules are checked once a simulated minute, on the minute (EventBridge's granularity is one minute): a
schedule that fell due since the last check runs then, once.

An ECS target (`Arn` = a cluster ARN, `RoleArn`, `EcsParameters`) runs `TaskCount` tasks through the
same path as RunTask, with `startedBy` = `events-rule/<rule-name>`. The target's role must trust
events.amazonaws.com and allow ecs:RunTask on the task definition, plus iam:PassRole on the task's
task and execution roles (the AWS managed policy AmazonEC2ContainerServiceEventsRole does). A failed
invocation starts nothing; it is recorded in `EventsBackend.invocations` (on AWS it shows up only as the
rule's FailedInvocations metric).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ecslearn.errors import EcslearnError, NotModelledError, ParamValidationError
from ecslearn.sim.base import Backend, check_type, operation
from ecslearn.sim.errors import ClientError, aws_error

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_CRON = re.compile(r"^cron\((.*)\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
_RULE_NAME = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")


class BadSchedule(ValueError):
    """A schedule expression AWS would refuse."""


def _dow_to_croniter(field_text: str) -> str:
    """AWS day-of-week (1=SUN … 7=SAT, `xL`, `x#n`) → croniter's (0=SUN … 6=SAT, `L<x>`, `x#n`)."""
    out = []
    for item in field_text.split(","):
        m = re.fullmatch(r"(\d)L", item)
        if m:
            out.append(f"L{int(m.group(1)) - 1}")
            continue
        for n in re.findall(r"(?<![#/\d])\d+", item):
            if not 1 <= int(n) <= 7:
                raise BadSchedule(f"day-of-week {n} is out of range 1-7")
        out.append(re.sub(r"(?<![#/\d])(\d+)", lambda mm: str(int(mm.group(1)) - 1), item))
    return ",".join(out)


@dataclass
class ScheduleExpression:
    """A parsed rate(), cron() or at() expression that can say when it next runs."""

    text: str
    kind: str  # rate | cron | at
    seconds: float = 0.0
    cron: str = ""
    at: datetime | None = None
    tz: Any = None

    def next_after(self, moment: datetime, anchor: datetime) -> datetime | None:
        """The first run strictly after `moment` (rate: counted from `anchor`); None when there is none."""
        if self.kind == "rate":
            if moment < anchor + timedelta(seconds=self.seconds):
                return anchor + timedelta(seconds=self.seconds)
            periods = int((moment - anchor).total_seconds() // self.seconds) + 1
            return anchor + timedelta(seconds=periods * self.seconds)
        if self.kind == "at":
            return self.at if self.at is not None and self.at > moment else None
        from croniter import CroniterBadDateError, croniter

        start = moment.astimezone(self.tz) if self.tz is not None else moment
        try:
            nxt = croniter(self.cron, start).get_next(datetime)
        except (CroniterBadDateError, ValueError, KeyError, TypeError, OverflowError):
            return None
        return nxt.astimezone(moment.tzinfo)


def parse_schedule(text: str, *, allow_at: bool = False, tz: Any = None) -> ScheduleExpression:
    """Parse an EventBridge schedule expression; BadSchedule for what AWS refuses."""
    if not isinstance(text, str):
        raise BadSchedule("not a string")
    text = text.strip()
    m = _RATE.match(text)
    if m:
        value, unit = int(m.group(1)), m.group(2)
        if value < 1 or (value == 1) != (not unit.endswith("s")):
            raise BadSchedule("rate value and unit do not agree")
        return ScheduleExpression(text, "rate", seconds=value * _UNIT_SECONDS[unit.rstrip("s")])
    m = _CRON.match(text)
    if m:
        fields = m.group(1).split()
        if len(fields) != 6:
            raise BadSchedule("cron() needs six fields")
        minute, hour, dom, month, dow, year = fields
        if (dom == "?") == (dow == "?"):
            raise BadSchedule("exactly one of day-of-month and day-of-week must be ?")
        if "?" in (minute, hour, month, year):
            raise BadSchedule("? is only allowed in day-of-month or day-of-week")
        dom = "*" if dom == "?" else dom
        dow = "*" if dow == "?" else _dow_to_croniter(dow)
        expr = f"{minute} {hour} {dom} {month} {dow} 0 {year}"
        from croniter import croniter

        if not croniter.is_valid(expr):
            raise BadSchedule("croniter rejects it")
        return ScheduleExpression(text, "cron", cron=expr, tz=tz)
    if allow_at:
        m = re.match(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$", text)
        if m:
            try:
                when = datetime.fromisoformat(m.group(1))
            except ValueError:
                raise BadSchedule("bad date") from None
            from datetime import UTC

            return ScheduleExpression(text, "at", at=when.replace(tzinfo=tz or UTC))
    raise BadSchedule("unknown expression")


# --- the ECS target, shared with the Scheduler -----------------------------------------------------


def _network(params: dict[str, Any], path: str) -> dict[str, Any] | None:
    net = params.get("NetworkConfiguration")
    if net is None:
        return None
    check_type(f"{path}.NetworkConfiguration", net, dict)
    av = net.get("awsvpcConfiguration")
    if av is None:
        return None
    check_type(f"{path}.NetworkConfiguration.awsvpcConfiguration", av, dict)
    for key in ("Subnets", "SecurityGroups"):
        if key in av:
            check_type(f"{path}.NetworkConfiguration.awsvpcConfiguration.{key}", av[key], (list, tuple))
            for i, item in enumerate(av[key]):
                check_type(f"{path}.NetworkConfiguration.awsvpcConfiguration.{key}[{i}]", item, str)
    if "AssignPublicIp" in av:
        check_type(f"{path}.NetworkConfiguration.awsvpcConfiguration.AssignPublicIp", av["AssignPublicIp"], str)
    out: dict[str, Any] = {"subnets": list(av.get("Subnets") or [])}
    if av.get("SecurityGroups"):
        out["securityGroups"] = list(av["SecurityGroups"])
    if av.get("AssignPublicIp"):
        out["assignPublicIp"] = av["AssignPublicIp"]
    return {"awsvpcConfiguration": out}


def check_ecs_parameters(params: Any, path: str) -> dict[str, Any]:
    """Validate an EcsParameters shape (events and scheduler share it)."""
    check_type(path, params, dict)
    known = ("TaskDefinitionArn", "TaskCount", "LaunchType", "NetworkConfiguration", "PlatformVersion", "Group",
             "CapacityProviderStrategy", "EnableECSManagedTags", "EnableExecuteCommand", "PlacementConstraints",
             "PlacementStrategy", "PropagateTags", "ReferenceId", "Tags")
    for key in params:
        if key not in known:
            raise ParamValidationError(f'Unknown parameter in {path}: "{key}", must be one of: {", ".join(known)}')
    if "TaskDefinitionArn" not in params:
        raise ParamValidationError(f'Missing required parameter in {path}: "TaskDefinitionArn"')
    check_type(f"{path}.TaskDefinitionArn", params["TaskDefinitionArn"], str)
    if "TaskCount" in params:
        check_type(f"{path}.TaskCount", params["TaskCount"], int)
    for key in ("LaunchType", "PlatformVersion", "Group", "PropagateTags", "ReferenceId"):
        if key in params:
            check_type(f"{path}.{key}", params[key], str)
    for key in ("CapacityProviderStrategy", "PlacementConstraints", "PlacementStrategy", "Tags"):
        if key in params:
            check_type(f"{path}.{key}", params[key], (list, tuple))
    _network(params, path)
    return params


def run_ecs_target(sim: Any, *, principal: str, role_arn: str | None, cluster_arn: str,
                   params: dict[str, Any], started_by: str) -> dict[str, Any]:
    """Invoke an ECS target: check the target role, then run the tasks. Returns an invocation record."""
    record: dict[str, Any] = {"time": sim.now, "taskArns": [], "failures": [], "error": None}
    iam = sim.backend("iam")
    ecs = sim.backend("ecs")
    if not role_arn or not iam._can_assume(role_arn, principal):
        record["error"] = f"The role {role_arn} cannot be assumed by {principal}."
        return record
    try:
        cluster = ecs._cluster(cluster_arn)
        td = ecs._resolve_task_definition(params["TaskDefinitionArn"])
    except ClientError as err:
        record["error"] = f"{err.code}: {err.aws_message}"
        return record
    if not iam._allowed(role_arn, "ecs:RunTask", td.arn):
        record["error"] = (f"AccessDeniedException: User: arn:aws:sts::{sim.account_id}:assumed-role/"
                           f"{role_arn.rsplit('/', 1)[-1]}/{principal.split('.')[0]} is not authorized to perform: "
                           f"ecs:RunTask on resource: {td.arn}")
        return record
    for passed in (td.task_role_arn, td.execution_role_arn):
        if passed and not iam._allowed(role_arn, "iam:PassRole", passed):
            record["error"] = (f"AccessDeniedException: User: arn:aws:sts::{sim.account_id}:assumed-role/"
                               f"{role_arn.rsplit('/', 1)[-1]}/{principal.split('.')[0]} is not authorized to "
                               f"perform: iam:PassRole on resource: {passed}")
            return record
    tags = [{"key": t.get("Key", ""), "value": t.get("Value", "")} for t in params.get("Tags") or []
            if isinstance(t, dict)]
    try:
        tasks, failures = ecs._launch_tasks(
            cluster, td, params.get("TaskCount", 1), launch_type=params.get("LaunchType"),
            capacity_provider_strategy=params.get("CapacityProviderStrategy") or None,
            placement_strategy=params.get("PlacementStrategy") or None,
            placement_constraints=params.get("PlacementConstraints") or None,
            group=params.get("Group") or f"family:{td.family}", started_by=started_by,
            network_configuration=_network(params, "EcsParameters"), tags=tags or None,
            enable_execute_command=bool(params.get("EnableExecuteCommand")),
            platform_version=params.get("PlatformVersion"))
    except ClientError as err:
        record["error"] = f"{err.code}: {err.aws_message}"
        return record
    except EcslearnError as err:  # not modelled, or parameters RunTask would refuse
        record["error"] = str(err)
        return record
    record["taskArns"] = [t.arn for t in tasks]
    record["failures"] = failures
    return record


def _minute_delay(now: datetime) -> float:
    """Seconds until the next whole minute (a full minute when exactly on one)."""
    into = now.second + now.microsecond / 1e6
    return 60.0 - into


# --- EventBridge rules -----------------------------------------------------------------------------


@dataclass
class Rule:
    name: str
    arn: str
    schedule: ScheduleExpression | None
    state: str
    description: str | None
    role_arn: str | None
    anchor: datetime
    tags: list[dict[str, str]] = field(default_factory=list)
    targets: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_run: datetime | None = None


class EventsBackend(Backend):
    """Amazon EventBridge (the default event bus; schedule rules)."""

    service_name = "events"

    def __init__(self, sim) -> None:  # type: ignore[no-untyped-def]
        super().__init__(sim)
        self.rules: dict[str, Rule] = {}
        #: every target invocation: {"time", "rule", "targetId", "taskArns", "failures", "error"}
        self.invocations: list[dict[str, Any]] = []
        self._tick = sim.every(60, self._check_rules, name="eventbridge schedules",
                               first_delay=_minute_delay(sim.now))

    def _rule(self, name: str, bus: str | None = None) -> Rule:
        self._bus(bus)
        found = self.rules.get(name)
        if found is None:
            raise aws_error("ResourceNotFoundException", f"Rule {name} does not exist on EventBus default.")
        return found

    @staticmethod
    def _bus(bus: str | None) -> None:
        if bus not in (None, "default") and not (isinstance(bus, str) and bus.endswith(":event-bus/default")):
            raise NotModelledError("custom EventBridge event buses")

    def _check_rules(self) -> None:
        now = self.sim.now
        for rule in list(self.rules.values()):
            if rule.state != "ENABLED" or rule.next_run is None or rule.next_run > now:
                continue
            rule.next_run = rule.schedule.next_after(now, rule.anchor) if rule.schedule else None
            self._fire(rule)

    def _fire(self, rule: Rule) -> None:
        for target_id, target in list(rule.targets.items()):
            params = target.get("EcsParameters")
            if params is None:
                continue
            record = run_ecs_target(self.sim, principal="events.amazonaws.com", role_arn=target.get("RoleArn"),
                                    cluster_arn=target["Arn"], params=params,
                                    started_by=f"events-rule/{rule.name}"[:128])
            record.update({"rule": rule.name, "targetId": target_id})
            self.invocations.append(record)

    def _rule_api(self, r: Rule) -> dict[str, Any]:
        out: dict[str, Any] = {"Name": r.name, "Arn": r.arn, "State": r.state, "EventBusName": "default"}
        if r.schedule is not None:
            out["ScheduleExpression"] = r.schedule.text
        if r.description is not None:
            out["Description"] = r.description
        if r.role_arn is not None:
            out["RoleArn"] = r.role_arn
        return out

    # --- rules -----------------------------------------------------------------------------------

    @operation
    def put_rule(self, Name: str, ScheduleExpression: str | None = None, EventPattern: str | None = None,
                 State: str | None = None, Description: str | None = None, RoleArn: str | None = None,
                 Tags: list | None = None, EventBusName: str | None = None) -> dict[str, Any]:
        """Create or update a schedule rule (rate() or cron()), ENABLED unless State says otherwise.

        Not modelled: event-pattern rules (no events are emitted), custom event buses, the
        ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS state.
        """
        self._bus(EventBusName)
        if not _RULE_NAME.match(Name):
            raise aws_error("ValidationException", f"1 validation error detected: Value '{Name}' at 'name' failed "
                                                   "to satisfy constraint: Member must satisfy regular expression "
                                                   "pattern: [\\.\\-_A-Za-z0-9]+")
        if EventPattern is not None:
            raise NotModelledError("EventBridge event-pattern rules")
        if ScheduleExpression is None:
            raise aws_error("ValidationException", "Parameter(s) EventPattern or ScheduleExpression must be "
                                                   "specified.")
        try:
            schedule = parse_schedule(ScheduleExpression)
        except BadSchedule:
            raise aws_error("ValidationException", "Parameter ScheduleExpression is not valid.") from None
        if State not in (None, "ENABLED", "DISABLED"):
            if State == "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS":
                raise NotModelledError("the ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS rule state")
            raise aws_error("ValidationException", f"1 validation error detected: Value '{State}' at 'state' failed "
                                                   "to satisfy constraint: Member must satisfy enum value set: "
                                                   "[ENABLED, DISABLED, ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS]")
        tags = []
        for i, t in enumerate(Tags or []):
            check_type(f"Tags[{i}]", t, dict)
            tags.append({"Key": str(t.get("Key", "")), "Value": str(t.get("Value", ""))})
        existing = self.rules.get(Name)
        rule = existing or Rule(Name, self.sim.arn("events", f"rule/{Name}"), schedule, "ENABLED", None, None,
                                self.sim.now)
        new_state = State or ("ENABLED" if existing is None else existing.state)
        changed = existing is None or existing.schedule is None or existing.schedule.text != schedule.text \
            or (existing.state != "ENABLED" and new_state == "ENABLED")
        rule.schedule = schedule
        rule.state = new_state
        if Description is not None:
            rule.description = Description
        if RoleArn is not None:
            rule.role_arn = RoleArn
        if tags:
            rule.tags = tags
        if changed:
            rule.anchor = self.sim.now
            rule.next_run = schedule.next_after(self.sim.now, rule.anchor)
        self.rules[Name] = rule
        return {"RuleArn": rule.arn}

    @operation
    def describe_rule(self, Name: str, EventBusName: str | None = None) -> dict[str, Any]:
        """Describe a rule."""
        return self._rule_api(self._rule(Name, EventBusName))

    @operation
    def list_rules(self, NamePrefix: str | None = None, EventBusName: str | None = None,
                   NextToken: str | None = None, Limit: int | None = None) -> dict[str, Any]:
        """List rules (by name)."""
        self._bus(EventBusName)
        rules = [self._rule_api(r) for r in sorted(self.rules.values(), key=lambda r: r.name)
                 if r.name.startswith(NamePrefix or "")]
        start = int(NextToken) if NextToken and NextToken.isdigit() else 0
        size = Limit or 100
        out: dict[str, Any] = {"Rules": rules[start:start + size]}
        if start + size < len(rules):
            out["NextToken"] = str(start + size)
        return out

    @operation
    def enable_rule(self, Name: str, EventBusName: str | None = None) -> dict[str, Any]:
        """Enable a rule: its schedule starts counting again from now."""
        rule = self._rule(Name, EventBusName)
        if rule.state != "ENABLED":
            rule.state = "ENABLED"
            rule.anchor = self.sim.now
            rule.next_run = rule.schedule.next_after(self.sim.now, rule.anchor) if rule.schedule else None
        return {}

    @operation
    def disable_rule(self, Name: str, EventBusName: str | None = None) -> dict[str, Any]:
        """Disable a rule: it stops running its targets."""
        self._rule(Name, EventBusName).state = "DISABLED"
        return {}

    @operation
    def delete_rule(self, Name: str, EventBusName: str | None = None, Force: bool | None = None) -> dict[str, Any]:
        """Delete a rule that has no targets (deleting a missing rule succeeds, as in EventBridge)."""
        self._bus(EventBusName)
        rule = self.rules.get(Name)
        if rule is None:
            return {}
        if rule.targets:
            raise aws_error("ValidationException", "Rule can't be deleted since it has targets.")
        del self.rules[Name]
        return {}

    # --- targets ---------------------------------------------------------------------------------

    @operation
    def put_targets(self, Rule: str, Targets: list, EventBusName: str | None = None) -> dict[str, Any]:
        """Add or replace targets; ECS targets (cluster ARN + EcsParameters + RoleArn) run tasks.

        Not modelled: targets other than ECS clusters (they are refused), Input/InputTransformer,
        retry policies and dead-letter queues.
        """
        rule = self._rule(Rule, EventBusName)
        if not 1 <= len(Targets) <= 10:
            raise aws_error("ValidationException", "1 validation error detected: Value at 'targets' failed to "
                                                   "satisfy constraint: Member must have length less than or equal "
                                                   "to 10")
        accepted = []
        for i, target in enumerate(Targets):
            path = f"Targets[{i}]"
            check_type(path, target, dict)
            for key in ("Id", "Arn"):
                if key not in target:
                    raise ParamValidationError(f'Missing required parameter in {path}: "{key}"')
                check_type(f"{path}.{key}", target[key], str)
            if not re.fullmatch(r"[.\-_A-Za-z0-9]{1,64}", target["Id"]):
                raise aws_error("ValidationException", f"1 validation error detected: Value '{target['Id']}' at "
                                                       "'targets.1.member.id' failed to satisfy constraint: Member "
                                                       "must satisfy regular expression pattern: [\\.\\-_A-Za-z0-9]+")
            if ":ecs:" not in target["Arn"] or ":cluster/" not in target["Arn"]:
                raise NotModelledError("EventBridge targets other than ECS clusters")
            if "EcsParameters" not in target:
                raise aws_error("ValidationException", f"EcsParameters must be specified for target: {target['Id']}.")
            check_ecs_parameters(target["EcsParameters"], f"{path}.EcsParameters")
            if not target.get("RoleArn"):
                raise aws_error("ValidationException", f"RoleArn is required for target: {target['Id']}.")
            check_type(f"{path}.RoleArn", target["RoleArn"], str)
            for key in ("InputTransformer", "RetryPolicy", "DeadLetterConfig"):
                if key in target:
                    raise NotModelledError(f"EventBridge target {key}")
            accepted.append(target)
        for target in accepted:
            rule.targets[target["Id"]] = dict(target)
        return {"FailedEntryCount": 0, "FailedEntries": []}

    @operation
    def list_targets_by_rule(self, Rule: str, EventBusName: str | None = None, NextToken: str | None = None,
                             Limit: int | None = None) -> dict[str, Any]:
        """List a rule's targets."""
        rule = self._rule(Rule, EventBusName)
        return {"Targets": [dict(t) for t in rule.targets.values()]}

    @operation
    def remove_targets(self, Rule: str, Ids: list, EventBusName: str | None = None,
                       Force: bool | None = None) -> dict[str, Any]:
        """Remove targets by id; unknown ids are reported in FailedEntries."""
        rule = self._rule(Rule, EventBusName)
        failed = []
        for i, target_id in enumerate(Ids):
            check_type(f"Ids[{i}]", target_id, str)
            if rule.targets.pop(target_id, None) is None:
                failed.append({"TargetId": target_id, "ErrorCode": "ResourceNotFoundException",
                               "ErrorMessage": f"Target {target_id} does not exist on rule {rule.name}."})
        return {"FailedEntryCount": len(failed), "FailedEntries": failed}
