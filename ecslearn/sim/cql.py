"""The ECS cluster query language (ecs-reference §3.4), used by `memberOf` placement constraints.

Grammar (whitespace is free between tokens; keywords are case-sensitive as in AWS's examples):

    expression := or
    or         := and (('||' | 'or') and)*
    and        := unary (('&&' | 'and') unary)*
    unary      := ('!' | 'not') unary | '(' expression ')' | comparison
    comparison := subject operator [argument]
    subject    := agentConnected | agentVersion | attribute:<name> | ec2InstanceId | registeredAt
                  | runningTasksCount | task:group
    operator   := == equals != not_equals > greater_than >= greater_than_equal < less_than
                  <= less_than_equal exists !exists not_exists in !in not_in =~ matches !~ not_matches
    argument   := '[' value (',' value)* ']'  (only for in / not_in)  |  value
    value      := a quoted string ('...' or "...") or a run of non-blank characters; a bare value
                  ends at a blank, at ',' or ']' inside a list, and at a ')' that closes a group

Semantics:
* `attribute:<name>`: the instance's attribute value (capability attributes have no value and only
  answer `exists`). A missing attribute makes every comparison false except `!=`, `not_in`, `!~` and
  `!exists`, which are true. `>`/`<`... compare numerically when both sides are numbers, else as text.
* `agentConnected`: `true` / `false`. `ec2InstanceId`: text. `agentVersion`: dotted versions,
  compared part by part as numbers. `registeredAt`: `2018-06-18T22:28:28Z` or `2018-06-18`; a date
  alone compares the registration's calendar day (UTC).
* `runningTasksCount`: tasks on the instance whose lastStatus is RUNNING.
* `task:group`: the groups of the tasks placed on the instance and not yet STOPPED (tasks placed
  earlier in the same RunTask call count). `==`, `in`, `=~` are true when **some** task's group
  matches; `!=`, `not_in`, `!~` are their negations (no task of that group there); `exists` means the
  instance runs any task.
* Regular expressions are matched against the whole value (Java's `String.matches`).

A syntax error is an InvalidParameterException whose message names the 1-based character position,
e.g. `Invalid placement constraint expression: unknown operator 'equal' at position 17.` Expressions
longer than 2000 characters are refused.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Protocol

from ecslearn.sim.errors import ClientError, invalid_parameter

MAX_LENGTH = 2000

SUBJECTS = ("agentConnected", "agentVersion", "ec2InstanceId", "registeredAt", "runningTasksCount",
            "task:group")

# canonical operator ← every spelling
_ALIASES = {
    "==": "==", "equals": "==",
    "!=": "!=", "not_equals": "!=",
    ">": ">", "greater_than": ">",
    ">=": ">=", "greater_than_equal": ">=",
    "<": "<", "less_than": "<",
    "<=": "<=", "less_than_equal": "<=",
    "exists": "exists",
    "!exists": "!exists", "not_exists": "!exists",
    "in": "in",
    "!in": "!in", "not_in": "!in",
    "=~": "=~", "matches": "=~",
    "!~": "!~", "not_matches": "!~",
}
_NO_ARGUMENT = {"exists", "!exists"}
_ORDERING = {">", ">=", "<", "<="}
_STRINGY = {"==", "!=", "in", "!in", "=~", "!~"}
# which canonical operators each subject accepts (§3.4 table)
_ALLOWED: dict[str, set[str]] = {
    "agentConnected": set(_STRINGY),
    "agentVersion": {"==", "!="} | _ORDERING,
    "ec2InstanceId": set(_STRINGY),
    "registeredAt": {"==", "!="} | _ORDERING,
    "runningTasksCount": {"==", "!="} | _ORDERING,
    "task:group": set(_STRINGY) | _NO_ARGUMENT,
    "attribute": set(_ALIASES.values()),
}
# subjects whose answer can change without the cluster's version changing (not cached)
_DYNAMIC = ("runningTasksCount", "task:group", "agentConnected")
_SUBJECT_CHARS = re.compile(r"[A-Za-z0-9_.:\-/\\@]+")
_WORD_OP = re.compile(r"[A-Za-z_]+")
_ATTR_NAME = re.compile(r"^[A-Za-z0-9_./\\-]{1,128}$")


class InstanceView(Protocol):
    """What the evaluator reads from a container instance (models.ContainerInstance fits)."""

    attributes: dict[str, str | None]
    agent_connected: bool
    agent_version: str
    ec2_instance_id: str
    registered_at: datetime


class Context(Protocol):
    """Dynamic facts about an instance that live outside its record."""

    def running_tasks_count(self, ci: Any) -> int: ...

    def task_groups(self, ci: Any) -> Iterable[str]: ...


def _error(expr: str, what: str, pos: int) -> ClientError:
    return invalid_parameter(f"Invalid placement constraint expression: {what} at position {pos + 1}.")


# --- the tree ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    subject: str  # a SUBJECTS entry or "attribute:<name>"
    op: str  # canonical operator
    values: tuple[str, ...]  # () for exists; one value, or the list for in / not_in
    regex: re.Pattern[str] | None = None
    dynamic: bool = False  # depends on tasks on the instance (runningTasksCount, task:group)

    def evaluate(self, ci: Any, ctx: Context) -> bool:
        s = self.subject
        if s.startswith("attribute:"):
            name = s[10:]
            if name not in ci.attributes:
                return self.op in ("!=", "!in", "!~", "!exists")
            if self.op == "exists":
                return True
            if self.op == "!exists":
                return False
            value = ci.attributes[name]
            if value is None:
                return self.op in ("!=", "!in", "!~")
            return _compare_text(value, self.op, self.values, self.regex)
        if s == "task:group":
            groups = set(ctx.task_groups(ci))
            if self.op == "exists":
                return bool(groups)
            if self.op == "!exists":
                return not groups
            positive = {"==": "==", "!=": "==", "in": "in", "!in": "in", "=~": "=~", "!~": "=~"}[self.op]
            hit = any(_compare_text(g, positive, self.values, self.regex) for g in groups)
            return hit if positive == self.op else not hit
        if s == "agentConnected":
            return _compare_text("true" if ci.agent_connected else "false", self.op, self.values, self.regex)
        if s == "ec2InstanceId":
            return _compare_text(ci.ec2_instance_id, self.op, self.values, self.regex)
        if s == "agentVersion":
            return _ordered(_version_key(ci.agent_version), self.op, _version_key(self.values[0]))
        if s == "runningTasksCount":
            return _ordered(ctx.running_tasks_count(ci), self.op, int(self.values[0]))
        if s == "registeredAt":
            arg = _parse_when(self.values[0])
            when = ci.registered_at.astimezone(UTC)
            if isinstance(arg, datetime):
                return _ordered(when.replace(microsecond=0), self.op, arg)
            return _ordered(when.date(), self.op, arg)
        return False  # pragma: no cover - subjects are checked when parsing


def _compare_text(value: str, op: str, values: tuple[str, ...], regex: re.Pattern[str] | None) -> bool:
    if op == "==":
        return value == values[0]
    if op == "!=":
        return value != values[0]
    if op == "in":
        return value in values
    if op == "!in":
        return value not in values
    if op == "=~":
        return regex is not None and regex.fullmatch(value) is not None
    if op == "!~":
        return regex is None or regex.fullmatch(value) is None
    if op in _ORDERING:
        a, b = _number(value), _number(values[0])
        if a is not None and b is not None:
            return _ordered(a, op, b)
        return _ordered(value, op, values[0])
    return op == "exists"


def _ordered(a: Any, op: str, b: Any) -> bool:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if op == ">":
        return a > b
    if op == ">=":
        return a >= b
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    return False


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _version_key(text: str) -> tuple[int, ...]:
    parts = re.findall(r"\d+", text)
    return tuple(int(p) for p in parts) or (0,)


def _parse_when(text: str) -> datetime | date:
    if len(text) == 10:
        return date.fromisoformat(text)
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


@dataclass(frozen=True)
class Not:
    inner: Any

    def evaluate(self, ci: Any, ctx: Context) -> bool:
        return not self.inner.evaluate(ci, ctx)


@dataclass(frozen=True)
class And:
    parts: tuple[Any, ...]

    def evaluate(self, ci: Any, ctx: Context) -> bool:
        return all(p.evaluate(ci, ctx) for p in self.parts)


@dataclass(frozen=True)
class Or:
    parts: tuple[Any, ...]

    def evaluate(self, ci: Any, ctx: Context) -> bool:
        return any(p.evaluate(ci, ctx) for p in self.parts)


@dataclass(frozen=True)
class Expression:
    """A parsed expression. `dynamic`: it reads state that changes often (tasks, agent connection)."""

    text: str
    root: Any
    dynamic: bool

    def evaluate(self, ci: Any, ctx: Context) -> bool:
        return self.root.evaluate(ci, ctx)

    def matcher(self, ctx: Context) -> Callable[[Any], bool]:
        root = self.root
        return lambda ci: root.evaluate(ci, ctx)


# --- the parser -------------------------------------------------------------------------------


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.dynamic = False

    def error(self, what: str, pos: int | None = None) -> ClientError:
        return _error(self.text, what, self.pos if pos is None else pos)

    def skip(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def at_end(self) -> bool:
        self.skip()
        return self.pos >= len(self.text)

    def peek_word(self) -> str:
        m = _WORD_OP.match(self.text, self.pos)
        return m.group(0) if m else ""

    def take(self, token: str) -> bool:
        self.skip()
        if self.text.startswith(token, self.pos):
            end = self.pos + len(token)
            if token.isalpha() and end < len(self.text) and (self.text[end].isalnum() or self.text[end] in "_:"):
                return False  # `order` is not `or` + `der`
            self.pos = end
            return True
        return False

    def parse(self) -> Any:
        if self.at_end():
            raise self.error("empty expression")
        node = self.parse_or()
        if not self.at_end():
            raise self.error(f"unexpected {self.describe_here()}")
        return node

    def describe_here(self) -> str:
        m = re.compile(r"\S+").match(self.text, self.pos)
        return f"'{m.group(0)}'" if m else "end of expression"

    def parse_or(self) -> Any:
        parts = [self.parse_and()]
        while self.take("||") or self.take("or"):
            parts.append(self.parse_and())
        return parts[0] if len(parts) == 1 else Or(tuple(parts))

    def parse_and(self) -> Any:
        parts = [self.parse_unary()]
        while self.take("&&") or self.take("and"):
            parts.append(self.parse_unary())
        return parts[0] if len(parts) == 1 else And(tuple(parts))

    def parse_unary(self) -> Any:
        self.skip()
        if self.pos >= len(self.text):
            raise self.error("expected a subject, 'not' or '(' but found end of expression")
        if self.text[self.pos] == "!" and not self.text.startswith("!=", self.pos):
            self.pos += 1
            return Not(self.parse_unary())
        if self.peek_word() == "not" and not self.text.startswith("not_", self.pos):
            self.pos += 3
            return Not(self.parse_unary())
        if self.text[self.pos] == "(":
            open_at = self.pos
            self.pos += 1
            node = self.parse_or()
            self.skip()
            if self.pos >= len(self.text) or self.text[self.pos] != ")":
                raise self.error(f"missing ')' for the '(' at position {open_at + 1}, found {self.describe_here()}")
            self.pos += 1
            return node
        return self.parse_comparison()

    def parse_comparison(self) -> Comparison:
        start = self.pos
        m = _SUBJECT_CHARS.match(self.text, self.pos)
        if not m:
            raise self.error(f"expected a subject but found {self.describe_here()}")
        subject = m.group(0)
        if subject.startswith("attribute:"):
            name = subject[10:]
            if not _ATTR_NAME.match(name):
                raise self.error(f"invalid attribute name '{name}'", start)
            kind = "attribute"
        elif subject in SUBJECTS:
            kind = subject
        else:
            raise self.error(f"unknown subject '{subject}'", start)
        self.pos = m.end()
        self.skip()
        op_at = self.pos
        op = self.parse_operator()
        if op not in _ALLOWED[kind]:
            raise self.error(f"operator '{self.text[op_at:self.pos]}' cannot be used with '{subject}'", op_at)
        dynamic = kind in _DYNAMIC
        if dynamic:
            self.dynamic = True
        if op in _NO_ARGUMENT:
            return Comparison(subject, op, (), None, dynamic)
        self.skip()
        arg_at = self.pos
        if op in ("in", "!in"):
            values = self.parse_list()
        else:
            if self.pos >= len(self.text):
                raise self.error(f"operator '{self.text[op_at:self.pos].strip()}' needs a value")
            values = (self.parse_value(in_list=False),)
        regex = None
        if op in ("=~", "!~"):
            try:
                regex = re.compile(values[0])
            except re.error as err:
                raise self.error(f"invalid regular expression ({err.msg})", arg_at) from None
        self.check_values(kind, values, arg_at)
        return Comparison(subject, op, values, regex, dynamic)

    def check_values(self, kind: str, values: tuple[str, ...], at: int) -> None:
        if kind == "runningTasksCount":
            if not re.fullmatch(r"\d+", values[0]):
                raise self.error(f"runningTasksCount needs a whole number, not '{values[0]}'", at)
        elif kind == "registeredAt":
            try:
                if not re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?",
                                    values[0]):
                    raise ValueError(values[0])
                _parse_when(values[0])
            except ValueError:
                raise self.error(f"registeredAt needs a date such as 2018-06-18 or 2018-06-18T22:28:28Z, "
                                 f"not '{values[0]}'", at) from None
        elif kind == "agentVersion" and not re.fullmatch(r"\d+(\.\d+)*", values[0]):
            raise self.error(f"agentVersion needs a version such as 1.89.0, not '{values[0]}'", at)

    def parse_operator(self) -> str:
        text, p = self.text, self.pos
        if p >= len(text):
            raise self.error("expected an operator but found end of expression")
        for sym in ("==", "!=", ">=", "<=", "=~", "!~", ">", "<"):
            if text.startswith(sym, p):
                self.pos = p + len(sym)
                return _ALIASES[sym]
        if text[p] == "!":
            word = _WORD_OP.match(text, p + 1)
            if word and ("!" + word.group(0)) in _ALIASES:
                self.pos = word.end()
                return _ALIASES["!" + word.group(0)]
            raise self.error(f"unknown operator '{text[p:word.end() if word else p + 1]}'")
        word = _WORD_OP.match(text, p)
        if word and word.group(0) in _ALIASES:
            self.pos = word.end()
            return _ALIASES[word.group(0)]
        m = re.compile(r"\S+").match(text, p)
        raise self.error(f"unknown operator '{m.group(0) if m else ''}'")

    def parse_list(self) -> tuple[str, ...]:
        if self.pos >= len(self.text) or self.text[self.pos] != "[":
            raise self.error(f"expected '[' to start a list but found {self.describe_here()}")
        self.pos += 1
        values: list[str] = []
        while True:
            self.skip()
            if self.pos >= len(self.text):
                raise self.error("missing ']' at the end of the list")
            if self.text[self.pos] == "]" and not values:
                raise self.error("a list needs at least one value")
            values.append(self.parse_value(in_list=True))
            self.skip()
            if self.pos >= len(self.text):
                raise self.error("missing ']' at the end of the list")
            ch = self.text[self.pos]
            if ch == ",":
                self.pos += 1
                continue
            if ch == "]":
                self.pos += 1
                return tuple(values)
            raise self.error(f"expected ',' or ']' but found '{ch}'")

    def parse_value(self, *, in_list: bool) -> str:
        text, p = self.text, self.pos
        if p < len(text) and text[p] in "'\"":
            quote = text[p]
            end = text.find(quote, p + 1)
            if end < 0:
                raise self.error("unterminated quoted value")
            self.pos = end + 1
            return text[p + 1:end]
        depth = 0
        q = p
        while q < len(text):
            ch = text[q]
            if ch.isspace():
                break
            if in_list and ch in ",]":
                break
            if ch == "(":
                depth += 1
            elif ch == ")":
                if depth == 0:
                    break
                depth -= 1
            q += 1
        if q == p:
            raise self.error(f"expected a value but found {self.describe_here()}")
        self.pos = q
        return text[p:q]


@functools.lru_cache(maxsize=1024)
def _parse_cached(text: str) -> Expression:
    parser = _Parser(text)
    root = parser.parse()
    return Expression(text, root, parser.dynamic)


def parse(expression: Any) -> Expression:
    """Parse an expression or raise InvalidParameterException (naming the position)."""
    if not isinstance(expression, str):
        raise invalid_parameter("A memberOf placement constraint needs an expression.")
    if len(expression) > MAX_LENGTH:
        raise invalid_parameter(f"The placement constraint expression must be at most {MAX_LENGTH} characters.")
    return _parse_cached(expression)


def matches(expression: str, ci: Any, ctx: Context) -> bool:
    """Evaluate an expression against one container instance."""
    return parse(expression).evaluate(ci, ctx)
