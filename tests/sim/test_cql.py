"""The cluster query language (ecs-reference §3.4): every subject, operator and alias, table-driven."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecslearn.sim import cql
from ecslearn.sim.errors import ClientError


class Ctx:
    def __init__(self, running: int = 0, groups: tuple[str, ...] = ()):
        self.running, self.groups = running, groups

    def running_tasks_count(self, ci):
        return self.running

    def task_groups(self, ci):
        return set(self.groups)


CI = SimpleNamespace(
    attributes={"ecs.instance-type": "t2.micro", "ecs.availability-zone": "us-east-1a", "stack": "prod",
                "weight": "10", "ecs.capability.task-eni": None, "ecs.os-type": "linux"},
    agent_connected=True, agent_version="1.89.0", ec2_instance_id="i-0abc123",
    registered_at=datetime(2018, 6, 18, 22, 28, 28, tzinfo=UTC))
CTX = Ctx(running=3, groups=("service:web", "family:batch"))

TABLE = [
    # attribute: every operator and alias
    ("attribute:ecs.instance-type == t2.micro", True),
    ("attribute:ecs.instance-type equals t2.micro", True),
    ("attribute:ecs.instance-type == t2.small", False),
    ("attribute:ecs.instance-type != t2.small", True),
    ("attribute:ecs.instance-type not_equals t2.micro", False),
    ("attribute:weight > 9", True),
    ("attribute:weight greater_than 10", False),
    ("attribute:weight >= 10", True),
    ("attribute:weight greater_than_equal 11", False),
    ("attribute:weight < 11", True),
    ("attribute:weight less_than 10", False),
    ("attribute:weight <= 10", True),
    ("attribute:weight less_than_equal 9", False),
    ("attribute:weight > 9.5", True),  # numeric, not text ("10" < "9.5" as text)
    ("attribute:stack exists", True),
    ("attribute:nothing exists", False),
    ("attribute:nothing !exists", True),
    ("attribute:stack not_exists", False),
    ("attribute:ecs.capability.task-eni exists", True),  # a capability without a value
    ("attribute:ecs.capability.task-eni == x", False),
    ("attribute:ecs.availability-zone in [us-east-1a, us-east-1b]", True),
    ("attribute:ecs.availability-zone in [us-east-1c]", False),
    ("attribute:ecs.availability-zone !in [us-east-1c, us-east-1d]", True),
    ("attribute:ecs.availability-zone not_in [us-east-1a]", False),
    ("attribute:ecs.instance-type =~ t2.*", True),
    ("attribute:ecs.instance-type matches m5.*", False),
    ("attribute:ecs.instance-type =~ t2", False),  # whole-value match, as Java's matches()
    ("attribute:ecs.instance-type !~ m5.*", True),
    ("attribute:ecs.instance-type not_matches t2\\.micro", False),
    ("attribute:nothing == x", False),
    ("attribute:nothing != x", True),
    ("attribute:nothing not_in [x]", True),
    ("attribute:nothing !~ x.*", True),
    ("attribute:stack == 'prod'", True),
    ('attribute:stack == "prod"', True),
    # the other subjects
    ("agentConnected == true", True),
    ("agentConnected != true", False),
    ("agentConnected in [false]", False),
    ("agentConnected =~ tr.*", True),
    ("agentVersion >= 1.9.0", True),  # numeric part by part: 89 > 9
    ("agentVersion < 1.100", True),
    ("agentVersion == 1.89.0", True),
    ("agentVersion != 1.89.0", False),
    ("agentVersion > 1.89.0", False),
    ("agentVersion <= 1.89.0", True),
    ("ec2InstanceId == i-0abc123", True),
    ("ec2InstanceId in [i-1, i-0abc123]", True),
    ("ec2InstanceId not_in [i-0abc123]", False),
    ("ec2InstanceId =~ i-0.*", True),
    ("ec2InstanceId !~ i-0.*", False),
    ("registeredAt == 2018-06-18", True),
    ("registeredAt > 2018-06-17", True),
    ("registeredAt < 2018-06-18T22:28:29Z", True),
    ("registeredAt >= 2018-06-18T22:28:28Z", True),
    ("registeredAt <= 2018-06-18T22:00:00Z", False),
    ("registeredAt != 2018-06-18T22:28:28Z", False),
    ("runningTasksCount == 3", True),
    ("runningTasksCount > 3", False),
    ("runningTasksCount <= 3", True),
    ("runningTasksCount != 0", True),
    ("task:group == service:web", True),
    ("task:group == service:db", False),
    ("task:group != service:db", True),
    ("task:group != service:web", False),
    ("task:group in [service:db, family:batch]", True),
    ("task:group not_in [service:db]", True),
    ("task:group =~ service:.*", True),
    ("task:group !~ family:.*", False),
    ("task:group exists", True),
    # combinators, aliases, precedence, parentheses
    ("attribute:stack == prod && agentConnected == true", True),
    ("attribute:stack == prod and attribute:stack == dev", False),
    ("attribute:stack == dev || agentConnected == true", True),
    ("attribute:stack == dev or attribute:stack == test", False),
    ("!(attribute:stack == dev)", True),
    ("not(task:group == service:web)", False),
    ("not (task:group == database)", True),
    ("! attribute:stack exists", False),
    ("attribute:stack == dev or attribute:stack == prod and agentConnected == false", False),
    ("(attribute:stack == dev or attribute:stack == prod) and agentConnected == true", True),
    ("attribute:stack == dev || attribute:stack == prod && runningTasksCount == 3", True),
    ("((attribute:stack == prod))", True),
    ("(attribute:ecs.instance-type =~ (t2|m5).*)", True),
    ("attribute:ecs.instance-type=~t2.*&&attribute:stack==prod", False),  # `&&` is part of the bare value
    ("attribute:ecs.os-type == linux and not attribute:ecs.instance-type in [t2.small]", True),
]


@pytest.mark.parametrize(("expression", "expected"), TABLE)
def test_expression_table(expression, expected):
    assert cql.parse(expression).evaluate(CI, CTX) is expected


ERRORS = [
    ("", "empty expression at position 1"),
    ("attribute:stack", "expected an operator but found end of expression at position 16"),
    ("attribute:stack equal prod", "unknown operator 'equal' at position 17"),
    ("colour == red", "unknown subject 'colour' at position 1"),
    ("attribute:stack == prod &&", "found end of expression at position 27"),
    ("(attribute:stack == prod", "missing ')' for the '(' at position 1"),
    ("attribute:stack == prod)", "unexpected ')' at position 24"),
    ("attribute:stack in prod", "expected '[' to start a list but found 'prod' at position 20"),
    ("attribute:stack in [a, b", "missing ']' at the end of the list"),
    ("attribute:stack in []", "a list needs at least one value"),
    ("attribute:stack =~ [", "invalid regular expression"),
    ("agentVersion =~ 1.*", "operator '=~' cannot be used with 'agentVersion' at position 14"),
    ("runningTasksCount exists", "cannot be used with 'runningTasksCount'"),
    ("runningTasksCount > many", "runningTasksCount needs a whole number"),
    ("registeredAt > yesterday", "registeredAt needs a date"),
    ("agentVersion > latest", "agentVersion needs a version"),
    ("attribute:stack == prod attribute:x == y", "unexpected 'attribute:x' at position 25"),
    ("attribute:stack ==", "needs a value"),
    ("attribute:stack == 'prod", "unterminated quoted value"),
]


@pytest.mark.parametrize(("expression", "fragment"), ERRORS)
def test_syntax_errors_name_the_position(expression, fragment):
    with pytest.raises(ClientError) as info:
        cql.parse(expression)
    assert info.value.code == "InvalidParameterException"
    assert fragment in info.value.aws_message
    assert info.value.aws_message.startswith("Invalid placement constraint expression: ")


def test_length_limit_is_2000_characters():
    long_ok = "attribute:stack == " + "x" * (2000 - len("attribute:stack == "))
    assert len(long_ok) == 2000
    cql.parse(long_ok)
    with pytest.raises(ClientError, match="at most 2000"):
        cql.parse(long_ok + "x")


def test_dynamic_flag_marks_expressions_that_read_task_state():
    assert cql.parse("task:group == x").dynamic
    assert cql.parse("runningTasksCount > 1 or attribute:a exists").dynamic
    assert not cql.parse("attribute:a exists and ec2InstanceId != i-1").dynamic


def test_non_string_expression_is_refused():
    with pytest.raises(ClientError):
        cql.parse(None)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="attribue:cs.-_ =!<>~&|()[],'\"agentVrsionCd0123456789TZn", max_size=60))
def test_any_text_parses_or_raises_invalid_parameter(text):
    try:
        expr = cql.parse(text)
    except ClientError as err:
        assert err.code == "InvalidParameterException"
        assert " at position " in err.aws_message or "characters" in err.aws_message
    else:
        assert isinstance(expr.evaluate(CI, CTX), bool)
