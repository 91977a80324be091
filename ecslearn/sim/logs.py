"""Simulated Amazon CloudWatch Logs: log groups, streams, events, retention and simple filter patterns.

The ECS awslogs driver (`sim/ecs/startchecks.py`) writes here through `_ensure_stream` and `_append`.
Timestamps are milliseconds since the epoch, as in the API. Retention is applied on a daily tick.

Filter patterns (FilterLogEvents): terms separated by spaces must all appear (case-sensitive);
`"quoted phrases"` match exactly; `?a ?b` matches either term; `-term` excludes. JSON (`{ $.x = 1 }`)
and space-delimited (`[ip, user, ...]`) patterns are not modelled.
"""

from __future__ import annotations

import itertools
import re
import shlex
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ecslearn.errors import NotModelledError
from ecslearn.sim.base import Backend, check_type, operation
from ecslearn.sim.errors import aws_error

RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
                  3288, 3653)
_GROUP_NAME = re.compile(r"^[.\-_/#A-Za-z0-9]{1,512}$")
_STREAM_NAME = re.compile(r"^[^:*]{1,512}$")


def to_ms(when: datetime) -> int:
    return round(when.timestamp() * 1000)


@dataclass
class LogEvent:
    timestamp: int
    message: str
    ingestion_time: int
    event_id: str


@dataclass
class LogStream:
    name: str
    created: int
    events: list[LogEvent] = field(default_factory=list)
    last_ingestion: int | None = None


@dataclass
class LogGroup:
    name: str
    created: int
    retention: int | None = None
    kms_key_id: str | None = None
    tags: dict[str, str] = field(default_factory=dict)
    log_group_class: str = "STANDARD"
    streams: dict[str, LogStream] = field(default_factory=dict)


def _group_missing() -> Exception:
    return aws_error("ResourceNotFoundException", "The specified log group does not exist.")


def _stream_missing() -> Exception:
    return aws_error("ResourceNotFoundException", "The specified log stream does not exist.")


def compile_filter(pattern: str | None) -> Any:
    """A predicate message → bool for a simple filter pattern (see the module docstring)."""
    if pattern is None or not pattern.strip():
        return lambda _m: True
    text = pattern.strip()
    if text.startswith("{") or text.startswith("["):
        raise NotModelledError("JSON and space-delimited CloudWatch Logs filter patterns")
    try:
        terms = shlex.split(text)
    except ValueError:
        raise aws_error("InvalidParameterException", "Invalid character(s) in term '\"'") from None
    required, optional, excluded = [], [], []
    for term in terms:
        if term.startswith("?") and len(term) > 1:
            optional.append(term[1:])
        elif term.startswith("-") and len(term) > 1:
            excluded.append(term[1:])
        else:
            required.append(term)

    def match(message: str) -> bool:
        if any(t in message for t in excluded):
            return False
        if optional and not any(t in message for t in optional):
            return False
        return all(t in message for t in required)

    return match


class LogsBackend(Backend):
    """Amazon CloudWatch Logs."""

    service_name = "logs"

    def __init__(self, sim) -> None:  # type: ignore[no-untyped-def]
        super().__init__(sim)
        self.groups: dict[str, LogGroup] = {}
        self._events = 0
        self._tick = sim.every(86400, self._apply_retention, name="logs retention")

    # --- internal API (the awslogs driver) -----------------------------------------------------

    def _group_arn(self, name: str) -> str:
        return self.sim.arn("logs", f"log-group:{name}")

    def _now_ms(self) -> int:
        return to_ms(self.sim.now)

    def _group(self, name: str) -> LogGroup:
        found = self.groups.get(name) if isinstance(name, str) else None
        if found is None:
            raise _group_missing()
        return found

    def _stream(self, group: str, stream: str) -> LogStream:
        found = self._group(group).streams.get(stream)
        if found is None:
            raise _stream_missing()
        return found

    def _ensure_group(self, name: str) -> LogGroup:
        if name not in self.groups:
            self.groups[name] = LogGroup(name, self._now_ms())
        return self.groups[name]

    def _ensure_stream(self, group: str, stream: str) -> LogStream:
        g = self._group(group)
        if stream not in g.streams:
            g.streams[stream] = LogStream(stream, self._now_ms())
        return g.streams[stream]

    def _append(self, group: str, stream: str, messages: list[str], *, timestamp: int | None = None) -> None:
        """Write lines to a stream (the group and stream must exist)."""
        s = self._stream(group, stream)
        now = self._now_ms()
        for message in messages:
            self._events += 1
            s.events.append(LogEvent(timestamp if timestamp is not None else now, message, now,
                                     f"{self._events:056d}"))
        s.last_ingestion = now

    def _apply_retention(self) -> None:
        for g in self.groups.values():
            if g.retention is None:
                continue
            cutoff = to_ms(self.sim.now - timedelta(days=g.retention))
            for s in g.streams.values():
                s.events = [e for e in s.events if e.timestamp >= cutoff]

    # --- paging ----------------------------------------------------------------------------------

    @staticmethod
    def _page(items: list[Any], token: str | None, limit: int | None, maximum: int, default: int) \
            -> tuple[list[Any], str | None]:
        if limit is not None and not 1 <= limit <= maximum:
            raise aws_error("InvalidParameterException", f"1 validation error detected: Value '{limit}' at 'limit' "
                                                         "failed to satisfy constraint: Member must have value less "
                                                         f"than or equal to {maximum}")
        start = 0
        if token:
            try:
                start = int(token.rsplit("/", 1)[-1])
            except ValueError:
                raise aws_error("InvalidParameterException", "The specified nextToken is invalid.") from None
        size = limit or default
        return items[start:start + size], (str(start + size) if start + size < len(items) else None)

    # --- log groups --------------------------------------------------------------------------------

    @operation
    def create_log_group(self, logGroupName: str, kmsKeyId: str | None = None, tags: dict | None = None,
                         logGroupClass: str | None = None) -> dict[str, Any]:
        """Create a log group (no retention: events never expire).

        Not modelled: KMS encryption (kmsKeyId is stored only), the INFREQUENT_ACCESS class's limits.
        """
        if not _GROUP_NAME.match(logGroupName):
            raise aws_error("InvalidParameterException", f"1 validation error detected: Value '{logGroupName}' at "
                                                         "'logGroupName' failed to satisfy constraint: Member must "
                                                         "satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+")
        if logGroupClass not in (None, "STANDARD", "INFREQUENT_ACCESS"):
            raise aws_error("InvalidParameterException", "1 validation error detected: Value at 'logGroupClass' "
                                                         "failed to satisfy constraint: Member must satisfy enum "
                                                         "value set: [STANDARD, INFREQUENT_ACCESS]")
        for k, v in (tags or {}).items():
            check_type(f"tags.{k}", v, str)
        if logGroupName in self.groups:
            raise aws_error("ResourceAlreadyExistsException", "The specified log group already exists")
        g = self._ensure_group(logGroupName)
        g.kms_key_id = kmsKeyId
        g.tags = dict(tags or {})
        g.log_group_class = logGroupClass or "STANDARD"
        return {}

    def _group_api(self, g: LogGroup) -> dict[str, Any]:
        out: dict[str, Any] = {"logGroupName": g.name, "creationTime": g.created, "metricFilterCount": 0,
                               "arn": self._group_arn(g.name) + ":*", "logGroupArn": self._group_arn(g.name),
                               "storedBytes": sum(len(e.message) for s in g.streams.values() for e in s.events),
                               "logGroupClass": g.log_group_class}
        if g.retention is not None:
            out["retentionInDays"] = g.retention
        if g.kms_key_id:
            out["kmsKeyId"] = g.kms_key_id
        return out

    @operation
    def describe_log_groups(self, logGroupNamePrefix: str | None = None, nextToken: str | None = None,
                            limit: int | None = None, logGroupNamePattern: str | None = None,
                            accountIdentifiers: list | None = None, includeLinkedAccounts: bool | None = None,
                            logGroupClass: str | None = None, logGroupIdentifiers: list | None = None
                            ) -> dict[str, Any]:
        """Describe log groups (sorted by name), by prefix or by a substring pattern."""
        if logGroupNamePrefix and logGroupNamePattern:
            raise aws_error("InvalidParameterException", "LogGroupNamePrefix and LogGroupNamePattern are mutually "
                                                         "exclusive parameters.")
        if accountIdentifiers or includeLinkedAccounts:
            raise NotModelledError("cross-account log groups")
        groups = sorted(self.groups.values(), key=lambda g: g.name)
        if logGroupNamePrefix:
            groups = [g for g in groups if g.name.startswith(logGroupNamePrefix)]
        if logGroupNamePattern:
            groups = [g for g in groups if logGroupNamePattern.lower() in g.name.lower()]
        if logGroupClass:
            groups = [g for g in groups if g.log_group_class == logGroupClass]
        if logGroupIdentifiers:
            for i, ident in enumerate(logGroupIdentifiers):
                check_type(f"logGroupIdentifiers[{i}]", ident, str)
            wanted = set(logGroupIdentifiers)
            groups = [g for g in groups if g.name in wanted or self._group_arn(g.name) in wanted]
        page, token = self._page([self._group_api(g) for g in groups], nextToken, limit, 50, 50)
        out: dict[str, Any] = {"logGroups": page}
        if token:
            out["nextToken"] = token
        return out

    @operation
    def delete_log_group(self, logGroupName: str) -> dict[str, Any]:
        """Delete a log group with all its streams and events."""
        self._group(logGroupName)
        del self.groups[logGroupName]
        return {}

    @operation
    def put_retention_policy(self, logGroupName: str, retentionInDays: int) -> dict[str, Any]:
        """Set how many days events are kept (events older than that go on the next daily sweep)."""
        if retentionInDays not in RETENTION_DAYS:
            raise aws_error("InvalidParameterException",
                            f"1 validation error detected: Value '{retentionInDays}' at 'retentionInDays' failed to "
                            "satisfy constraint: Member must satisfy enum value set: "
                            f"[{', '.join(str(d) for d in RETENTION_DAYS)}]")
        self._group(logGroupName).retention = retentionInDays
        return {}

    @operation
    def delete_retention_policy(self, logGroupName: str) -> dict[str, Any]:
        """Keep events forever again."""
        self._group(logGroupName).retention = None
        return {}

    @operation
    def list_tags_for_resource(self, resourceArn: str) -> dict[str, Any]:
        """List a log group's tags (by log group ARN)."""
        name = resourceArn.split(":log-group:", 1)[-1].removesuffix(":*")
        return {"tags": dict(self._group(name).tags)}

    # --- streams and events -------------------------------------------------------------------------

    @operation
    def create_log_stream(self, logGroupName: str, logStreamName: str) -> dict[str, Any]:
        """Create a log stream in a group."""
        if not _STREAM_NAME.match(logStreamName):
            raise aws_error("InvalidParameterException", f"1 validation error detected: Value '{logStreamName}' at "
                                                         "'logStreamName' failed to satisfy constraint: Member must "
                                                         "satisfy regular expression pattern: [^:*]*")
        g = self._group(logGroupName)
        if logStreamName in g.streams:
            raise aws_error("ResourceAlreadyExistsException", "The specified log stream already exists")
        self._ensure_stream(logGroupName, logStreamName)
        return {}

    def _stream_api(self, g: LogGroup, s: LogStream) -> dict[str, Any]:
        out: dict[str, Any] = {"logStreamName": s.name, "creationTime": s.created,
                               "arn": f"{self._group_arn(g.name)}:log-stream:{s.name}", "storedBytes": 0}
        if s.events:
            out["firstEventTimestamp"] = min(e.timestamp for e in s.events)
            out["lastEventTimestamp"] = max(e.timestamp for e in s.events)
        if s.last_ingestion is not None:
            out["lastIngestionTime"] = s.last_ingestion
        return out

    @operation
    def describe_log_streams(self, logGroupName: str | None = None, logGroupIdentifier: str | None = None,
                             logStreamNamePrefix: str | None = None, orderBy: str | None = None,
                             descending: bool | None = None, nextToken: str | None = None,
                             limit: int | None = None) -> dict[str, Any]:
        """Describe a group's streams, by name (optionally a prefix) or by last event time."""
        name = logGroupName or (logGroupIdentifier or "").split(":log-group:", 1)[-1].removesuffix(":*")
        if not name:
            raise aws_error("InvalidParameterException", "Either logGroupName or logGroupIdentifier should be "
                                                         "provided.")
        g = self._group(name)
        if orderBy not in (None, "LogStreamName", "LastEventTime"):
            raise aws_error("InvalidParameterException", "1 validation error detected: Value at 'orderBy' failed "
                                                         "to satisfy constraint: Member must satisfy enum value set: "
                                                         "[LogStreamName, LastEventTime]")
        if orderBy == "LastEventTime" and logStreamNamePrefix:
            raise aws_error("InvalidParameterException", "Cannot order by LastEventTime with a logStreamNamePrefix.")
        streams = [s for s in g.streams.values() if s.name.startswith(logStreamNamePrefix or "")]
        if orderBy == "LastEventTime":
            streams.sort(key=lambda s: (max((e.timestamp for e in s.events), default=0), s.name),
                         reverse=bool(descending))
        else:
            streams.sort(key=lambda s: s.name, reverse=bool(descending))
        page, token = self._page([self._stream_api(g, s) for s in streams], nextToken, limit, 50, 50)
        out: dict[str, Any] = {"logStreams": page}
        if token:
            out["nextToken"] = token
        return out

    @operation
    def put_log_events(self, logGroupName: str, logStreamName: str, logEvents: list,
                       sequenceToken: str | None = None, entity: dict | None = None) -> dict[str, Any]:
        """Append events (each {timestamp, message}) to a stream.

        Not modelled: the 14-day-old / 2-hour-future rejection windows beyond a simple check, entities.
        """
        s = self._stream(logGroupName, logStreamName)
        if not logEvents:
            raise aws_error("InvalidParameterException", "1 validation error detected: Value '[]' at 'logEvents' "
                                                         "failed to satisfy constraint: Member must have length "
                                                         "greater than or equal to 1")
        now = self._now_ms()
        events = []
        for i, e in enumerate(logEvents):
            check_type(f"logEvents[{i}]", e, dict)
            check_type(f"logEvents[{i}].timestamp", e.get("timestamp"), int)
            check_type(f"logEvents[{i}].message", e.get("message"), str)
            events.append((e["timestamp"], e["message"]))
        if any(b[0] < a[0] for a, b in itertools.pairwise(events)):
            raise aws_error("InvalidParameterException", "Log events in a single PutLogEvents request must be in "
                                                         "chronological order.")
        too_old = [i for i, (ts, _) in enumerate(events) if ts < now - 14 * 86400 * 1000]
        too_new = [i for i, (ts, _) in enumerate(events) if ts > now + 2 * 3600 * 1000]
        for i, (ts, message) in enumerate(events):
            if i in too_old or i in too_new:
                continue
            self._events += 1
            s.events.append(LogEvent(ts, message, now, f"{self._events:056d}"))
        s.last_ingestion = now
        out: dict[str, Any] = {"nextSequenceToken": f"{self._events:056d}"}
        rejected: dict[str, int] = {}
        if too_old:
            rejected["tooOldLogEventEndIndex"] = max(too_old) + 1
        if too_new:
            rejected["tooNewLogEventStartIndex"] = min(too_new)
        if rejected:
            out["rejectedLogEventsInfo"] = rejected
        return out

    @operation
    def get_log_events(self, logStreamName: str, logGroupName: str | None = None,
                       logGroupIdentifier: str | None = None, startTime: int | None = None,
                       endTime: int | None = None, nextToken: str | None = None, limit: int | None = None,
                       startFromHead: bool | None = None, unmask: bool | None = None) -> dict[str, Any]:
        """Read a stream's events in time order (the last `limit` unless startFromHead)."""
        name = logGroupName or (logGroupIdentifier or "").split(":log-group:", 1)[-1].removesuffix(":*")
        s = self._stream(name, logStreamName)
        events = sorted((e for e in s.events
                         if (startTime is None or e.timestamp >= startTime)
                         and (endTime is None or e.timestamp < endTime)), key=lambda e: e.timestamp)
        if limit is not None and not 1 <= limit <= 10000:
            raise aws_error("InvalidParameterException", "limit must be between 1 and 10000.")
        size = limit or 10000
        if nextToken:
            try:
                direction, _, offset = nextToken.partition("/")
                start = int(offset)
            except ValueError:
                raise aws_error("InvalidParameterException", "The specified nextToken is invalid.") from None
            if direction == "b":
                start = max(0, start - size)
        elif startFromHead:
            start = 0
        else:
            start = max(0, len(events) - size)
        page = events[start:start + size]
        return {"events": [{"timestamp": e.timestamp, "message": e.message, "ingestionTime": e.ingestion_time}
                           for e in page],
                "nextForwardToken": f"f/{start + len(page):056d}", "nextBackwardToken": f"b/{start:056d}"}

    @operation
    def filter_log_events(self, logGroupName: str | None = None, logGroupIdentifier: str | None = None,
                          logStreamNames: list | None = None, logStreamNamePrefix: str | None = None,
                          startTime: int | None = None, endTime: int | None = None, filterPattern: str | None = None,
                          nextToken: str | None = None, limit: int | None = None, interleaved: bool | None = None,
                          unmask: bool | None = None) -> dict[str, Any]:
        """Search a group's events with a simple filter pattern (terms, "phrases", ?either, -exclude)."""
        name = logGroupName or (logGroupIdentifier or "").split(":log-group:", 1)[-1].removesuffix(":*")
        g = self._group(name)
        if logStreamNames and logStreamNamePrefix:
            raise aws_error("InvalidParameterException", "logStreamNames and logStreamNamePrefix are mutually "
                                                         "exclusive parameters.")
        predicate = compile_filter(filterPattern)
        for i, name_ in enumerate(logStreamNames or []):
            check_type(f"logStreamNames[{i}]", name_, str)
        streams = [s for s in g.streams.values()
                   if (not logStreamNames or s.name in logStreamNames)
                   and s.name.startswith(logStreamNamePrefix or "")]
        found = []
        for s in streams:
            for e in s.events:
                if (startTime is None or e.timestamp >= startTime) and (endTime is None or e.timestamp <= endTime) \
                        and predicate(e.message):
                    found.append((e.timestamp, s.name, e))
        found.sort(key=lambda t: (t[0], t[2].event_id))
        items = [{"logStreamName": sname, "timestamp": e.timestamp, "message": e.message,
                  "ingestionTime": e.ingestion_time, "eventId": e.event_id} for _, sname, e in found]
        page, token = self._page(items, nextToken, limit, 10000, 10000)
        out: dict[str, Any] = {"events": page,
                               "searchedLogStreams": [{"logStreamName": s.name, "searchedCompletely": True}
                                                      for s in streams]}
        if token:
            out["nextToken"] = token
        return out


__all__ = ["LogsBackend", "compile_filter", "to_ms"]
