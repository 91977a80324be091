"""CloudWatch Logs: groups, streams, events, retention and filter patterns."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim import ClientError, Simulator
from ecslearn.sim.logs import to_ms


def _err(info) -> tuple[str, str]:
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_groups_streams_events(sim):
    logs = sim.client("logs")
    logs.create_log_group(logGroupName="/ecs/web")
    with pytest.raises(ClientError) as info:
        logs.create_log_group(logGroupName="/ecs/web")
    assert _err(info) == ("ResourceAlreadyExistsException", "The specified log group already exists")
    logs.create_log_stream(logGroupName="/ecs/web", logStreamName="ecs/web/abc")
    with pytest.raises(ClientError) as info:
        logs.create_log_stream(logGroupName="/ecs/nope", logStreamName="s")
    assert _err(info) == ("ResourceNotFoundException", "The specified log group does not exist.")
    now = to_ms(sim.now)
    logs.put_log_events(logGroupName="/ecs/web", logStreamName="ecs/web/abc",
                        logEvents=[{"timestamp": now, "message": "GET / 200"},
                                   {"timestamp": now + 1, "message": "GET /health 500 ERROR"}])
    with pytest.raises(ClientError) as info:
        logs.put_log_events(logGroupName="/ecs/web", logStreamName="missing",
                            logEvents=[{"timestamp": now, "message": "x"}])
    assert _err(info) == ("ResourceNotFoundException", "The specified log stream does not exist.")
    events = logs.get_log_events(logGroupName="/ecs/web", logStreamName="ecs/web/abc", startFromHead=True)["events"]
    assert [e["message"] for e in events] == ["GET / 200", "GET /health 500 ERROR"]
    stream = logs.describe_log_streams(logGroupName="/ecs/web")["logStreams"][0]
    assert stream["logStreamName"] == "ecs/web/abc" and stream["lastEventTimestamp"] == now + 1
    group = logs.describe_log_groups(logGroupNamePrefix="/ecs/")["logGroups"][0]
    assert group["logGroupName"] == "/ecs/web" and "retentionInDays" not in group
    assert group["arn"] == "arn:aws:logs:us-east-1:123456789012:log-group:/ecs/web:*"


def test_filter_patterns(sim):
    logs = sim.client("logs")
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="a")
    logs.create_log_stream(logGroupName="g", logStreamName="b")
    now = to_ms(sim.now)
    logs.put_log_events(logGroupName="g", logStreamName="a", logEvents=[
        {"timestamp": now, "message": "ERROR disk full"}, {"timestamp": now + 1, "message": "INFO ok"}])
    logs.put_log_events(logGroupName="g", logStreamName="b", logEvents=[
        {"timestamp": now, "message": "WARN slow request"}, {"timestamp": now + 2, "message": "ERROR timeout"}])

    def messages(pattern):
        return [e["message"] for e in logs.filter_log_events(logGroupName="g", filterPattern=pattern)["events"]]

    assert messages("ERROR") == ["ERROR disk full", "ERROR timeout"]
    assert messages("ERROR -timeout") == ["ERROR disk full"]
    assert messages("?WARN ?INFO") == ["WARN slow request", "INFO ok"]
    assert messages('"disk full"') == ["ERROR disk full"]
    assert len(messages("")) == 4
    with pytest.raises(NotModelledError):
        messages("{ $.level = \"error\" }")


def test_retention_and_delete(sim):
    logs = sim.client("logs")
    logs.create_log_group(logGroupName="g")
    logs.create_log_stream(logGroupName="g", logStreamName="s")
    logs.put_log_events(logGroupName="g", logStreamName="s", logEvents=[{"timestamp": to_ms(sim.now),
                                                                         "message": "old"}])
    with pytest.raises(ClientError) as info:
        logs.put_retention_policy(logGroupName="g", retentionInDays=2)
    assert _err(info)[0] == "InvalidParameterException"
    logs.put_retention_policy(logGroupName="g", retentionInDays=1)
    assert logs.describe_log_groups()["logGroups"][0]["retentionInDays"] == 1
    sim.advance(2 * 86400)
    assert logs.get_log_events(logGroupName="g", logStreamName="s")["events"] == []
    logs.delete_log_group(logGroupName="g")
    with pytest.raises(ClientError) as info:
        logs.delete_log_group(logGroupName="g")
    assert _err(info) == ("ResourceNotFoundException", "The specified log group does not exist.")


@settings(max_examples=50, deadline=None)
@given(group=st.text(max_size=10), stream=st.text(max_size=10), pattern=st.text(max_size=12),
       events=st.lists(st.dictionaries(st.sampled_from(["timestamp", "message"]),
                                       st.one_of(st.integers(), st.text(max_size=5))), max_size=3))
def test_random_input_never_crashes(group, stream, pattern, events):
    sim = Simulator(seed=2)
    logs = sim.client("logs")
    for call in (lambda: logs.create_log_group(logGroupName=group),
                 lambda: logs.create_log_stream(logGroupName=group, logStreamName=stream),
                 lambda: logs.put_log_events(logGroupName=group, logStreamName=stream, logEvents=events),
                 lambda: logs.filter_log_events(logGroupName=group, filterPattern=pattern)):
        with contextlib.suppress(ClientError, ParamValidationError, NotModelledError):
            call()
