"""Saved worlds: a simulator's situation in a file that someone else can load and continue.

The simulator is deterministic, so a world is not a dump of its state but the recipe that rebuilds it:
the seed (and region, account, start time) plus the ordered log of every operation call
(service, operation, parameters) and every move of the clock. Loading replays that log on a fresh
simulator and arrives at exactly the same state, ids and clock included.

    sim = RecordingSimulator(seed=7)          # a Simulator that keeps the log
    sim.client("ecs").create_cluster(clusterName="prod")
    sim.advance(60)
    save_world(sim, "prod.world.json")
    again = load_world("prod.world.json")      # a RecordingSimulator in the same state

What is recorded: calls made through `sim.client(...)` (and so through the boto3 session and the AWS
CLI of `sim.bridge`), `advance` and `settle`, and the simulator helpers that stage what no AWS operation
can: an image's behaviour (`sim.workloads.set_workload`), `docker push` and `docker login`
(`sim.docker.docker_push` / `docker_login`; see `RecordingSimulator.record_helper`). Calls that
backends make among themselves, or that events make while the clock runs, are not recorded: replaying
the outer call or the clock move makes them again. A call refused with an AWS error is recorded with its
error code (a refusal should change nothing, but replaying it keeps the world exact even if a backend
consumed an id before refusing) and must be refused the same way on replay. Calls refused before they
reach a backend (parameter validation, features ecslearn does not model) are not recorded. State
changed through other internal backend APIs (not operations, not the helpers above) is not recorded.

File format (JSON, versioned):

    {"format": 1, "kind": "ecslearn-world", "ecslearn": "0.1.0", "description": "...",
     "seed": 7, "region": "us-east-1", "account": "123456789012",
     "start": "2026-01-05T09:00:00+00:00", "now": "2026-01-05T09:01:00+00:00",
     "events": [{"call": "ecs.create_cluster", "params": {"clusterName": "prod"}},
                {"call": "ecs.delete_cluster", "params": {"cluster": "x"}, "error": "ClusterNotFoundException"},
                {"advance": 60}, {"settle": 3600},
                {"workload": {"image": "web:v2", "behaviour": {"exit_code": 1, ...every Workload field}}},
                {"push": {"image": "<acct>.dkr.ecr.<region>.amazonaws.com/web:v2", "workload": {...},
                          "size_mb": 50.0, "logged_in": true, "content": null, "vulnerabilities": null}},
                {"push": {...}, "error": "<what docker printed>"},
                {"docker_login": {"registry": "...", "password": "...", "username": "AWS"}}]}

The `workload`, `push` and `docker_login` events came after format 1 was first written; they did not
need a new format number because older files simply do not contain them. An ecslearn that predates them
(or a file with any other unknown event kind) stops with a ScenarioError naming the event.

Parameter values are JSON, except datetimes (`{"$datetime": "<ISO 8601>"}`) and bytes
(`{"$bytes": "<base64>"}`).
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ecslearn.errors import EcslearnError, ScenarioError
from ecslearn.sim.errors import ClientError
from ecslearn.sim.simulator import (
    DEFAULT_ACCOUNT,
    DEFAULT_REGION,
    DEFAULT_START,
    SERVICES,
    SETTLE_LIMIT,
    Simulator,
)

FORMAT = 1
KIND = "ecslearn-world"
#: the helper events (besides "call", "advance" and "settle") and the keys their payload may have
HELPER_EVENTS = {
    "workload": {"image", "behaviour"},
    "push": {"image", "workload", "size_mb", "logged_in", "content", "vulnerabilities"},
    "docker_login": {"registry", "password", "username"},
}


class _Unsavable:
    """A parameter value that has no JSON form (reported when the world is saved)."""

    def __init__(self, what: str) -> None:
        self.what = what


def _encode(value: Any, path: str = "params") -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise _UnsavableValue(f"{path} is {value!r}")
        return value
    if isinstance(value, datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, bytes | bytearray):
        return {"$bytes": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, list | tuple):
        return [_encode(v, f"{path}[{i}]") for i, v in enumerate(value)]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise _UnsavableValue(f"{path} has the key {k!r}, which is not a string")
            out[k] = _encode(v, f"{path}.{k}")
        return out
    raise _UnsavableValue(f"{path} is a {type(value).__name__}")


class _UnsavableValue(Exception):
    pass


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"$datetime"} and isinstance(value["$datetime"], str):
            return datetime.fromisoformat(value["$datetime"])
        if set(value) == {"$bytes"} and isinstance(value["$bytes"], str):
            return base64.b64decode(value["$bytes"])
        return {k: _decode(v) for k, v in value.items()}
    return value


class _RecordingClient:
    """Wraps a simulator client; each top-level call that reaches a backend goes into the log."""

    def __init__(self, inner: Any, sim: RecordingSimulator, service: str) -> None:
        self._inner = inner
        self._sim = sim
        self._service = service

    def __repr__(self) -> str:
        return repr(self._inner)

    def __dir__(self) -> list[str]:
        return dir(self._inner)

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._inner, name)
        if name.startswith("_") or not callable(target) or name == "can_paginate":
            return target
        sim, service = self._sim, self._service

        def call(**kwargs: Any) -> Any:
            outer = sim._depth == 0 and not sim._clock_running
            params = sim._snapshot(kwargs) if outer else None
            sim._depth += 1
            try:
                result = target(**kwargs)
            except ClientError as err:
                if outer:
                    sim._record({"call": f"{service}.{name}", "params": params, "error": err.code})
                raise
            finally:
                sim._depth -= 1
            if outer:
                sim._record({"call": f"{service}.{name}", "params": params})
            return result

        call.__name__ = name
        call.__doc__ = getattr(target, "__doc__", None)
        return call


class RecordingSimulator(Simulator):
    """A Simulator that keeps the log a saved world is made of (`events`). Same public contract."""

    def __init__(self, seed: int = 0, **kwargs: Any) -> None:
        super().__init__(seed, **kwargs)
        self.start = self.now
        #: the recorded events, in order, in their file form
        self.events: list[dict[str, Any]] = []
        self._depth = 0  # > 0 while an operation runs (its nested calls are not recorded)
        self._clock_running = False  # calls made by events while the clock runs are not recorded
        self._recording_clients: dict[str, _RecordingClient] = {}
        #: called with each event as it is recorded (the shell uses it to count unsaved changes)
        self.on_event: Callable[[dict[str, Any]], None] | None = None

    def client(self, service_name: str) -> Any:
        found = self._recording_clients.get(service_name)
        if found is None:
            found = _RecordingClient(super().client(service_name), self, service_name)
            self._recording_clients[service_name] = found
        return found

    def advance(self, seconds: float) -> None:
        outer = self._depth == 0 and not self._clock_running
        self._clock_running = True
        try:
            super().advance(seconds)
        finally:
            self._clock_running = False if outer else self._clock_running
        if outer:
            self._record({"advance": seconds})

    def settle(self, max_seconds: float = SETTLE_LIMIT) -> float:
        outer = self._depth == 0 and not self._clock_running
        self._clock_running = True
        try:
            advanced = super().settle(max_seconds)
        finally:
            self._clock_running = False if outer else self._clock_running
        if outer:
            self._record({"settle": max_seconds})
        return advanced

    @contextlib.contextmanager
    def record_helper(self, event: dict[str, Any], *, record_errors: bool = False) -> Iterator[None]:
        """Record a simulator helper (not an AWS operation) that changes the world, e.g.

            with sim.record_helper({"workload": {"image": image, "behaviour": w.to_dict()}}):
                ...change the state...

        Like an operation, only an outer use is recorded (not one made inside an operation, another
        helper or an event while the clock runs), and only when the body succeeds; with
        `record_errors`, a body that fails with an ecslearn error is recorded with `"error": message`
        (it may have used ids before failing) and must fail again on replay. The event's payload must be
        JSON (datetimes and bytes are encoded as for call parameters).
        """
        outer = self._depth == 0 and not self._clock_running
        payload = self._snapshot(event) if outer else None
        self._depth += 1
        try:
            yield
        except EcslearnError as err:
            self._depth -= 1
            if outer and record_errors:
                failed = payload if isinstance(payload, _Unsavable) else \
                    {**payload, "error": err.message or type(err).__name__}
                self._record(failed)
            raise
        except BaseException:
            self._depth -= 1
            raise
        self._depth -= 1
        if outer:
            self._record(payload)

    # --- internals ---------------------------------------------------------------------------

    def _snapshot(self, params: dict[str, Any]) -> Any:
        try:
            return _encode(params)
        except _UnsavableValue as err:
            return _Unsavable(str(err))

    def _record(self, event: dict[str, Any]) -> None:
        self.events.append(event)
        if self.on_event is not None:
            self.on_event(event)


# --- saving and loading --------------------------------------------------------------------------


def world_to_dict(sim: Simulator, *, description: str | None = None) -> dict[str, Any]:
    """The file form of a recorded simulator's world."""
    if not isinstance(sim, RecordingSimulator):
        raise ScenarioError("this simulator does not record its history, so its world cannot be saved",
                            hint="create it with ecslearn.sim.world.RecordingSimulator(seed)")
    events = []
    for i, event in enumerate(sim.events, 1):
        if isinstance(event, _Unsavable):
            raise ScenarioError(f"cannot save the world: event {i} (a simulator helper) has a value with no "
                                f"JSON form: {event.what}")
        params = event.get("params")
        if isinstance(params, _Unsavable):
            raise ScenarioError(f"cannot save the world: call {i} ({event['call']}) has a parameter with no "
                                f"JSON form: {params.what}")
        events.append(event)
    from ecslearn import __version__

    data: dict[str, Any] = {"format": FORMAT, "kind": KIND, "ecslearn": __version__}
    if description:
        data["description"] = description
    data.update({"seed": sim.seed, "region": sim.region, "account": sim.account_id,
                 "start": sim.start.isoformat(), "now": sim.now.isoformat(), "events": events})
    return data


def save_world(sim: Simulator, path: str | os.PathLike[str], *, description: str | None = None) -> Path:
    """Write the world to `path` (JSON, written atomically). Returns the path."""
    data = world_to_dict(sim, description=description)
    target = Path(path)
    text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError as err:
        raise ScenarioError(f"cannot write the world file {target}: {err.strerror or err}") from None
    return target


def load_world(path: str | os.PathLike[str]) -> RecordingSimulator:
    """Rebuild a saved world: a RecordingSimulator in exactly the saved state (it keeps recording)."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"no world file at {source}") from None
    except (OSError, UnicodeDecodeError) as err:
        detail = getattr(err, "strerror", None) or str(err)
        raise ScenarioError(f"cannot read the world file {source}: {detail}") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise ScenarioError(f"{source}:{err.lineno}: not a valid world file (bad JSON: {err.msg})") from None
    return world_from_dict(data, source=str(source))


def _check(cond: bool, source: str, message: str) -> None:
    if not cond:
        raise ScenarioError(f"{source}: {message}")


def _parse_time(value: Any, source: str, field: str) -> datetime:
    _check(isinstance(value, str), source, f"'{field}' must be an ISO 8601 time")
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise ScenarioError(f"{source}: '{field}' is not an ISO 8601 time: {value!r}") from None
    _check(when.tzinfo is not None, source, f"'{field}' must include a timezone")
    return when


def world_from_dict(data: Any, *, source: str = "<world>") -> RecordingSimulator:
    """Replay a world given in its file form (see the module docstring)."""
    _check(isinstance(data, dict) and data.get("kind") == KIND, source,
           "not an ecslearn world file (expected \"kind\": \"ecslearn-world\")")
    fmt = data.get("format")
    _check(isinstance(fmt, int) and not isinstance(fmt, bool), source, "'format' must be a whole number")
    if fmt > FORMAT:
        raise ScenarioError(f"{source} was saved by a newer ecslearn (world format {fmt}); this version reads "
                            f"format {FORMAT}", hint="upgrade ecslearn to load it")
    _check(fmt >= 1, source, f"unknown world format {fmt}")
    seed = data.get("seed")
    _check(isinstance(seed, int) and not isinstance(seed, bool), source, "'seed' must be a whole number")
    region = data.get("region", DEFAULT_REGION)
    account = data.get("account", DEFAULT_ACCOUNT)
    _check(isinstance(region, str) and isinstance(account, str), source, "'region' and 'account' must be text")
    start = _parse_time(data["start"], source, "start") if "start" in data else DEFAULT_START
    events = data.get("events", [])
    _check(isinstance(events, list), source, "'events' must be a list")

    sim = RecordingSimulator(seed, region=region, account_id=account, start=start)
    for number, event in enumerate(events, 1):
        _replay(sim, event, number, source)
    if "now" in data:
        now = _parse_time(data["now"], source, "now")
        if now != sim.now:
            raise ScenarioError(f"{source}: the replayed world's clock is {sim.now.isoformat()}, the file says "
                                f"{now.isoformat()}: this world was made by a simulator that behaves differently")
    return sim


def _replay(sim: RecordingSimulator, event: Any, number: int, source: str) -> None:
    where = f"event {number}"
    _check(isinstance(event, dict), source, f"{where} must be an object")
    if "advance" in event or "settle" in event:
        key = "advance" if "advance" in event else "settle"
        seconds = event[key]
        _check(isinstance(seconds, int | float) and not isinstance(seconds, bool) and seconds >= 0, source,
               f"{where}: '{key}' must be a number of seconds >= 0")
        _check(set(event) == {key}, source, f"{where}: unexpected keys {sorted(set(event) - {key})}")
        if key == "advance":
            sim.advance(seconds)
        else:
            sim.settle(seconds)
        return
    helper = next((k for k in HELPER_EVENTS if k in event), None)
    if helper is not None:
        _replay_helper(sim, event, helper, where, source)
        return
    if "call" not in event:
        kinds = ", ".join(["call", "advance", "settle", *HELPER_EVENTS])
        found = ", ".join(repr(k) for k in sorted(map(str, event))) or "nothing"
        raise ScenarioError(f"{source}: {where} is of an unknown kind (it has {found}; this ecslearn knows "
                            f"{kinds})", hint="it may have been saved by a newer ecslearn: upgrade to load it")
    call = event.get("call")
    _check(isinstance(call, str) and call.count(".") == 1, source,
           f"{where} must have \"call\": \"service.operation\", \"advance\" or \"settle\"")
    service, _, op = call.partition(".")
    _check(service in SERVICES, source, f"{where}: unknown service {service!r}")
    params = event.get("params", {})
    _check(isinstance(params, dict), source, f"{where}: 'params' must be an object")
    expected = event.get("error")
    _check(expected is None or isinstance(expected, str), source, f"{where}: 'error' must be an error code")
    _check(set(event) <= {"call", "params", "error"}, source,
           f"{where}: unexpected keys {sorted(set(event) - {'call', 'params', 'error'})}")
    try:
        method = getattr(sim.client(service), op)
    except (AttributeError, EcslearnError):
        raise ScenarioError(f"{source}: {where}: {service} has no operation {op!r} in this ecslearn") from None
    try:
        method(**_decode(params))
    except ClientError as err:
        if err.code != expected:
            raise ScenarioError(f"{source}: {where} ({call}) did not replay as recorded: {err.message}") from None
        return
    except EcslearnError as err:
        raise ScenarioError(f"{source}: {where} ({call}) did not replay: {err.message}") from None
    if expected is not None:
        raise ScenarioError(f"{source}: {where} ({call}) was refused with {expected} when it was recorded, "
                            "but succeeds now")


def _replay_helper(sim: RecordingSimulator, event: dict[str, Any], kind: str, where: str, source: str) -> None:
    from ecslearn.sim.docker import docker_login, docker_push
    from ecslearn.sim.workloads import Workload, set_workload

    payload = event[kind]
    _check(isinstance(payload, dict), source, f"{where}: '{kind}' must be an object")
    _check(set(event) <= {kind, "error"}, source, f"{where}: unexpected keys {sorted(set(event) - {kind, 'error'})}")
    unknown = set(payload) - HELPER_EVENTS[kind]
    _check(not unknown, source, f"{where}: unknown '{kind}' keys {sorted(unknown)}")
    expected = event.get("error")
    _check(expected is None or isinstance(expected, str), source, f"{where}: 'error' must be a message")
    args = _decode(payload)
    image = args.get("image")
    _check(kind == "docker_login" or (isinstance(image, str) and bool(image)), source,
           f"{where}: '{kind}' needs an image")
    try:
        if kind == "workload":
            set_workload(sim, image, Workload.from_dict(args.get("behaviour", {})))
        elif kind == "push":
            kwargs = {k: args[k] for k in ("workload", "size_mb", "logged_in", "content", "vulnerabilities")
                      if args.get(k) is not None}
            docker_push(sim, image, **kwargs)
        else:
            _check(isinstance(args.get("registry"), str) and isinstance(args.get("password"), str), source,
                   f"{where}: 'docker_login' needs a registry and a password")
            docker_login(sim, args["password"], args["registry"], username=str(args.get("username", "AWS")))
    except ScenarioError:
        raise
    except EcslearnError as err:
        if expected is None:
            raise ScenarioError(f"{source}: {where} ({kind}) did not replay: {err.message}") from None
        return
    except TypeError as err:
        raise ScenarioError(f"{source}: {where} ({kind}) has bad values: {err}") from None
    if expected is not None:
        raise ScenarioError(f"{source}: {where} ({kind}) failed when it was recorded ({expected}), but succeeds now")


__all__ = ["FORMAT", "HELPER_EVENTS", "RecordingSimulator", "load_world", "save_world", "world_from_dict", "world_to_dict"]
