"""Scheduled tasks: EventBridge rules and EventBridge Scheduler running ECS tasks on simulated time."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim import ClientError, Simulator
from ecslearn.sim.events import BadSchedule, parse_schedule
from tests.sim.test_pulls import ACCOUNT, role

EVENTS_ROLE = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceEventsRole"
CLUSTER = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod"


def _trust(service):
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


def _setup(sim):
    ecs = sim.client("ecs")
    ecs.create_cluster(clusterName="prod")
    td = ecs.register_task_definition(
        family="report", requiresCompatibilities=["FARGATE"], networkMode="awsvpc", cpu="256", memory="512",
        containerDefinitions=[{"name": "job", "image": "busybox", "command": ["sleep", "60"]}])["taskDefinition"]
    subnet = sim.client("ec2").describe_subnets()["Subnets"][0]["SubnetId"]
    return td["taskDefinitionArn"], subnet


def _ecs_params(td_arn, subnet, **extra):
    return {"TaskDefinitionArn": td_arn, "TaskCount": 1, "LaunchType": "FARGATE",
            "NetworkConfiguration": {"awsvpcConfiguration": {"Subnets": [subnet], "AssignPublicIp": "ENABLED"}},
            **extra}


def _tasks(sim, started_by):
    ecs = sim.backend("ecs")
    return sorted((t for t in ecs.clusters["prod"].tasks.values() if t.started_by == started_by),
                  key=lambda t: t.created_at)


def test_weekday_0900_cron_rule_runs_a_task_each_weekday(sim):
    assert sim.now.weekday() == 0 and sim.now.hour == 9  # the simulator starts on a Monday at 09:00
    td_arn, subnet = _setup(sim)
    events = sim.client("events")
    role_arn = role(sim, "events-ecs", trust=_trust("events.amazonaws.com"), managed=[EVENTS_ROLE])
    events.put_rule(Name="nightly-report", ScheduleExpression="cron(0 9 ? * MON-FRI *)")
    events.put_targets(Rule="nightly-report", Targets=[{"Id": "report", "Arn": CLUSTER, "RoleArn": role_arn,
                                                        "EcsParameters": _ecs_params(td_arn, subnet)}])
    sim.advance(86400 + 30)  # Tuesday 09:00:30: the first run's task is up (it sleeps 60 s)
    first = _tasks(sim, "events-rule/nightly-report")
    assert [t.created_at for t in first] == [datetime(2026, 1, 6, 9, 0, tzinfo=UTC)]
    described = sim.client("ecs").describe_tasks(cluster="prod", tasks=[first[0].arn])["tasks"][0]
    assert described["startedBy"] == "events-rule/nightly-report"
    assert described["lastStatus"] in ("RUNNING", "ACTIVATING", "PENDING")
    sim.advance(13 * 86400 - 30)
    invocations = sim.backend("events").invocations
    started = [r["time"] for r in invocations]
    assert len(started) == 10
    assert all(t.hour == 9 and t.minute == 0 and t.second == 0 for t in started)
    assert [t.weekday() for t in started] == [1, 2, 3, 4, 0, 1, 2, 3, 4, 0]  # Tue..Fri, Mon, ... no weekend
    assert all(r["error"] is None and len(r["taskArns"]) == 1 for r in invocations)
    events.disable_rule(Name="nightly-report")
    sim.advance(7 * 86400)
    assert len(sim.backend("events").invocations) == 10
    assert events.describe_rule(Name="nightly-report")["State"] == "DISABLED"


def test_rate_rule_and_target_role_problems(sim):
    td_arn, subnet = _setup(sim)
    events = sim.client("events")
    untrusted = role(sim, "not-events", managed=[EVENTS_ROLE])  # trusts ecs-tasks, not events
    events.put_rule(Name="every-hour", ScheduleExpression="rate(1 hour)")
    events.put_targets(Rule="every-hour", Targets=[{"Id": "t", "Arn": CLUSTER, "RoleArn": untrusted,
                                                    "EcsParameters": _ecs_params(td_arn, subnet)}])
    sim.advance(3600 + 60)
    invocations = sim.backend("events").invocations
    assert len(invocations) == 1 and invocations[0]["taskArns"] == []
    assert "cannot be assumed" in invocations[0]["error"]
    no_run = role(sim, "no-run", trust=_trust("events.amazonaws.com"))
    events.put_targets(Rule="every-hour", Targets=[{"Id": "t", "Arn": CLUSTER, "RoleArn": no_run,
                                                    "EcsParameters": _ecs_params(td_arn, subnet, TaskCount=2)}])
    sim.advance(3600)
    assert "ecs:RunTask" in invocations[-1]["error"]
    sim.client("iam").attach_role_policy(RoleName="no-run", PolicyArn=EVENTS_ROLE)
    sim.advance(3600)
    assert invocations[-1]["error"] is None and len(invocations[-1]["taskArns"]) == 2
    with pytest.raises(ClientError) as info:
        events.delete_rule(Name="every-hour")
    assert info.value.response["Error"]["Code"] == "ValidationException"
    events.remove_targets(Rule="every-hour", Ids=["t"])
    events.delete_rule(Name="every-hour")
    assert events.list_rules()["Rules"] == []


def test_rule_validation(sim):
    events = sim.client("events")
    for bad in ("cron(0 9 * * MON-FRI *)", "cron(0 9 ? * ? *)", "cron(0 9 * *)", "rate(1 hours)", "rate(5 minute)",
                "rate(0 minutes)", "every day"):
        with pytest.raises(ClientError) as info:
            events.put_rule(Name="r", ScheduleExpression=bad)
        assert info.value.response["Error"] == {"Code": "ValidationException",
                                                "Message": "Parameter ScheduleExpression is not valid."}
    events.put_rule(Name="r", ScheduleExpression="rate(5 minutes)", State="DISABLED")
    with pytest.raises(ClientError) as info:
        events.put_targets(Rule="r", Targets=[{"Id": "t", "Arn": CLUSTER,
                                               "EcsParameters": {"TaskDefinitionArn": "x"}}])
    assert info.value.response["Error"]["Message"] == "RoleArn is required for target: t."
    with pytest.raises(ClientError) as info:
        events.describe_rule(Name="missing")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(NotModelledError):
        events.put_rule(Name="p", EventPattern=json.dumps({"source": ["aws.ecs"]}))


@pytest.mark.parametrize(("aws", "first", "second"), [
    ("cron(0 9 ? * MON-FRI *)", datetime(2026, 1, 6, 9, 0), datetime(2026, 1, 7, 9, 0)),
    ("cron(0 12 ? * 2 *)", datetime(2026, 1, 5, 12, 0), datetime(2026, 1, 12, 12, 0)),  # 2 = Monday in AWS
    ("cron(0/15 * * * ? *)", datetime(2026, 1, 5, 9, 15), datetime(2026, 1, 5, 9, 30)),
    ("cron(0 0 L * ? *)", datetime(2026, 1, 31, 0, 0), datetime(2026, 2, 28, 0, 0)),
    ("cron(0 10 ? * 6#3 *)", datetime(2026, 1, 16, 10, 0), datetime(2026, 2, 20, 10, 0)),  # 3rd Friday
    ("cron(0 10 ? * 6L *)", datetime(2026, 1, 30, 10, 0), datetime(2026, 2, 27, 10, 0)),  # last Friday
    ("cron(30 8 1 1 ? 2027)", datetime(2027, 1, 1, 8, 30), None),
    ("rate(2 hours)", datetime(2026, 1, 5, 11, 0), datetime(2026, 1, 5, 13, 0)),
])
def test_expressions(aws, first, second):
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    expr = parse_schedule(aws)
    one = expr.next_after(start, start)
    assert one == first.replace(tzinfo=UTC)
    two = expr.next_after(one, start)
    assert two == (second.replace(tzinfo=UTC) if second else None)


def test_scheduler_schedule_runs_tasks(sim):
    td_arn, subnet = _setup(sim)
    scheduler = sim.client("scheduler")
    role_arn = role(sim, "sched", trust=_trust("scheduler.amazonaws.com"), managed=[EVENTS_ROLE])
    target = {"Arn": CLUSTER, "RoleArn": role_arn, "EcsParameters": _ecs_params(td_arn, subnet)}
    arn = scheduler.create_schedule(Name="weekday-report", ScheduleExpression="cron(0 9 ? * MON-FRI *)",
                                    FlexibleTimeWindow={"Mode": "OFF"}, Target=target)["ScheduleArn"]
    assert arn == f"arn:aws:scheduler:us-east-1:{ACCOUNT}:schedule/default/weekday-report"
    sim.advance(7 * 86400)
    runs = [r["time"] for r in sim.backend("scheduler").invocations if r["taskArns"]]
    assert [t.weekday() for t in runs] == [1, 2, 3, 4, 0]
    assert all(t.hour == 9 and t.minute == 0 for t in runs)
    got = scheduler.get_schedule(Name="weekday-report")
    assert got["ScheduleExpression"] == "cron(0 9 ? * MON-FRI *)" and got["State"] == "ENABLED"
    assert [s["Name"] for s in scheduler.list_schedules()["Schedules"]] == ["weekday-report"]
    scheduler.delete_schedule(Name="weekday-report")
    with pytest.raises(ClientError) as info:
        scheduler.get_schedule(Name="weekday-report")
    assert info.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_scheduler_one_time_flexible_and_timezone(sim):
    td_arn, subnet = _setup(sim)
    scheduler = sim.client("scheduler")
    role_arn = role(sim, "sched", trust=_trust("scheduler.amazonaws.com"), managed=[EVENTS_ROLE])
    target = {"Arn": CLUSTER, "RoleArn": role_arn, "EcsParameters": _ecs_params(td_arn, subnet)}
    scheduler.create_schedule(Name="once", ScheduleExpression="at(2026-01-05T12:00:00)",
                              FlexibleTimeWindow={"Mode": "OFF"}, Target=target, ActionAfterCompletion="DELETE")
    scheduler.create_schedule(Name="flex", ScheduleExpression="cron(0 18 * * ? *)",
                              FlexibleTimeWindow={"Mode": "FLEXIBLE", "MaximumWindowInMinutes": 15}, Target=target)
    scheduler.create_schedule(Name="ny", ScheduleExpression="cron(0 9 * * ? *)",
                              ScheduleExpressionTimezone="America/New_York",
                              FlexibleTimeWindow={"Mode": "OFF"}, Target=target)
    sim.advance(86400)
    runs: dict[str, list[datetime]] = {}
    for r in sim.backend("scheduler").invocations:
        assert r["error"] is None and len(r["taskArns"]) == 1
        runs.setdefault(r["schedule"], []).append(r["time"])
    assert runs["once"] == [datetime(2026, 1, 5, 12, 0, tzinfo=UTC)]
    assert [s["Name"] for s in scheduler.list_schedules()["Schedules"]] == ["flex", "ny"]
    assert len(runs["flex"]) == 1
    base = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)
    assert base <= runs["flex"][0] < base + timedelta(minutes=15)
    assert runs["ny"] == [datetime(2026, 1, 5, 14, 0, tzinfo=UTC)]  # 09:00 EST = 14:00 UTC
    with pytest.raises(ClientError) as info:
        scheduler.create_schedule(Name="bad", ScheduleExpression="cron(0 9 * * * *)",
                                  FlexibleTimeWindow={"Mode": "OFF"}, Target=target)
    assert info.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as info:
        scheduler.create_schedule(Name="ny", ScheduleExpression="rate(1 day)", FlexibleTimeWindow={"Mode": "OFF"},
                                  Target=target)
    assert info.value.response["Error"]["Code"] == "ConflictException"


@settings(max_examples=60, deadline=None)
@given(text=st.one_of(st.text(max_size=30), st.builds(
    lambda fs: "cron(" + " ".join(fs) + ")",
    st.lists(st.sampled_from(["0", "*", "?", "9", "1-5", "MON-FRI", "L", "6L", "5#2", "0/15", "2027", "x"]),
             min_size=4, max_size=7))))
def test_random_schedule_expressions_never_crash(text):
    start = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    try:
        expr = parse_schedule(text, allow_at=True)
    except BadSchedule:
        return
    expr.next_after(start, start)
    sim = Simulator(seed=5)
    with contextlib.suppress(ClientError, ParamValidationError, NotModelledError):
        sim.client("events").put_rule(Name="r", ScheduleExpression=text)
    sim.advance(3600)
