"""The Simulator: one simulated AWS account and region, its clock, its seeded randomness and its services.

Everything that changes state goes through a backend operation or through an event on the clock.
There is no wall clock, no global state and no environment switch: the same seed and the same calls
give the same world.
"""

from __future__ import annotations

import heapq
import importlib
import itertools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from ecslearn.errors import NotModelledError, SimulatorError
from ecslearn.sim.base import Backend, Client

DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "123456789012"
# A Monday morning, so weekday schedules in lessons read naturally.
DEFAULT_START = datetime(2026, 1, 5, 9, 0, 0, tzinfo=UTC)
SETTLE_LIMIT = 3600.0

# Service name (as boto3 names it) → "module:Class". A backend is created the first time it is used.
SERVICES: dict[str, str] = {
    "ecs": "ecslearn.sim.ecs:EcsBackend",
    "ec2": "ecslearn.sim.ec2:Ec2Backend",
    "ssm": "ecslearn.sim.ssm:SsmBackend",
    "iam": "ecslearn.sim.iam:IamBackend",
    "ecr": "ecslearn.sim.ecr:EcrBackend",
    "logs": "ecslearn.sim.logs:LogsBackend",
    "secretsmanager": "ecslearn.sim.secretsmanager:SecretsManagerBackend",
    "events": "ecslearn.sim.events:EventsBackend",
    "scheduler": "ecslearn.sim.scheduler:SchedulerBackend",
    "elbv2": "ecslearn.sim.elbv2:Elbv2Backend",
    "application-autoscaling": "ecslearn.sim.appautoscaling:AppAutoScalingBackend",
    "autoscaling": "ecslearn.sim.autoscaling:AutoScalingBackend",
    "cloudwatch": "ecslearn.sim.cloudwatch:CloudWatchBackend",
    "sts": "ecslearn.sim.sts:StsBackend",
}


@dataclass(order=True)
class _Event:
    when: datetime
    seq: int
    fn: Callable[[], None] = field(compare=False)
    periodic: float | None = field(compare=False, default=None)
    name: str = field(compare=False, default="")
    cancelled: bool = field(compare=False, default=False)
    done: bool = field(compare=False, default=False)


class EventHandle:
    """Returned by `schedule`/`every`; `cancel()` drops the event."""

    def __init__(self, event: _Event, sim: Simulator) -> None:
        self._event = event
        self._sim = sim

    def cancel(self) -> None:
        event = self._event
        if not event.cancelled and not event.done:
            event.cancelled = True
            if event.periodic is None:
                self._sim._oneshots -= 1

    @property
    def when(self) -> datetime:
        return self._event.when

    @property
    def active(self) -> bool:
        return not self._event.cancelled


class Simulator:
    """A deterministic, in-process AWS account. See DESIGN.md for the public contract.

    >>> sim = Simulator(seed=0)
    >>> sim.client("ecs").create_cluster(clusterName="prod")["cluster"]["status"]
    'ACTIVE'
    """

    def __init__(self, seed: int = 0, *, region: str = DEFAULT_REGION, account_id: str = DEFAULT_ACCOUNT,
                 start: datetime = DEFAULT_START) -> None:
        if start.tzinfo is None:
            raise SimulatorError("the simulator's start time must be timezone-aware")
        self.seed = seed
        self.region = region
        self.account_id = account_id
        self._now = start
        #: decisions (random placement, workload jitter); separate from ids so that
        #: creating one more resource never changes which instance a random placement picks
        self.rng = random.Random(seed)
        self._id_rng = random.Random(f"ids:{seed}")
        self._queue: list[_Event] = []
        self._seq = itertools.count()
        self._backends: dict[str, Backend] = {}
        self._clients: dict[str, Client] = {}
        self._oneshots = 0  # one-shot events scheduled and not yet run or cancelled

    # --- public contract ---------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The simulated clock (timezone-aware UTC)."""
        return self._now

    def client(self, service_name: str) -> Client:
        """A client for one service, with boto3's method and parameter names."""
        if service_name not in self._clients:
            self._clients[service_name] = Client(self.backend(service_name))
        return self._clients[service_name]

    def advance(self, seconds: float) -> None:
        """Move simulated time forward, running every event that falls due on the way."""
        if seconds < 0:
            raise SimulatorError("time only moves forward: advance() takes a number of seconds >= 0")
        self._run_until(self._now + timedelta(seconds=seconds))

    def settle(self, max_seconds: float = SETTLE_LIMIT) -> float:
        """Advance until nothing is in flight (or `max_seconds` pass); return the seconds advanced."""
        start = self._now
        limit = start + timedelta(seconds=max_seconds)
        while self._in_flight():
            nxt = self._next_event_time()
            if nxt is None or nxt > limit:
                self._run_until(limit)
                break
            self._run_until(nxt)
        return (self._now - start).total_seconds()

    # --- for backends ------------------------------------------------------------------------

    def backend(self, service_name: str) -> Backend:
        """The backend object of a service (internal API: backends use it to reach each other)."""
        found = self._backends.get(service_name)
        if found is not None:
            return found
        target = SERVICES.get(service_name)
        if target is None:
            raise NotModelledError(f"the {service_name} service")
        module_name, _, class_name = target.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name == module_name:
                raise NotModelledError(f"the {service_name} service") from None
            raise
        backend = getattr(module, class_name)(self)
        self._backends[service_name] = backend
        return backend

    def has_backend(self, service_name: str) -> bool:
        """True once the service has been used in this simulator."""
        return service_name in self._backends

    def schedule(self, delay: float, fn: Callable[[], None], *, name: str = "") -> EventHandle:
        """Run `fn` after `delay` simulated seconds. One-shot events count as work in flight."""
        return self.schedule_at(self._now + timedelta(seconds=max(0.0, delay)), fn, name=name)

    def schedule_at(self, when: datetime, fn: Callable[[], None], *, name: str = "") -> EventHandle:
        event = _Event(max(when, self._now), next(self._seq), fn, None, name)
        heapq.heappush(self._queue, event)
        self._oneshots += 1
        return EventHandle(event, self)

    def every(self, interval: float, fn: Callable[[], None], *, name: str = "",
              first_delay: float | None = None) -> EventHandle:
        """Run `fn` every `interval` seconds. Periodic work alone does not keep `settle` going."""
        if interval <= 0:
            raise SimulatorError("interval must be positive")
        delay = interval if first_delay is None else first_delay
        event = _Event(self._now + timedelta(seconds=delay), next(self._seq), fn, interval, name)
        heapq.heappush(self._queue, event)
        return EventHandle(event, self)

    def new_hex(self, length: int = 32) -> str:
        """A fresh deterministic lowercase hex id (task ids, container instance ids, ...)."""
        return f"{self._id_rng.getrandbits(length * 4):0{length}x}"

    def new_uuid(self) -> str:
        h = self.new_hex(32)
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) % 4]}{h[17:20]}-{h[20:32]}"

    def arn(self, service: str, resource: str, *, region: str | None = None, account: str | None = None) -> str:
        region = self.region if region is None else region
        account = self.account_id if account is None else account
        return f"arn:aws:{service}:{region}:{account}:{resource}"

    # --- the event loop ----------------------------------------------------------------------

    def _next_event_time(self) -> datetime | None:
        while self._queue and self._queue[0].cancelled:
            heapq.heappop(self._queue)
        return self._queue[0].when if self._queue else None

    def _in_flight(self) -> bool:
        if self._oneshots > 0:
            return True
        return any(b.busy() for b in list(self._backends.values()))

    def _run_until(self, until: datetime) -> None:
        while self._queue:
            event = self._queue[0]
            if event.cancelled:
                heapq.heappop(self._queue)
                continue
            if event.when > until:
                break
            heapq.heappop(self._queue)
            self._now = max(self._now, event.when)
            if event.periodic is not None:
                event.when = event.when + timedelta(seconds=event.periodic)
                event.seq = next(self._seq)
                heapq.heappush(self._queue, event)
            else:
                event.done = True
                self._oneshots -= 1
            event.fn()
        self._now = max(self._now, until)

    def pending_events(self) -> list[tuple[datetime, str]]:
        """What is scheduled (for debugging and lessons): (time, name), soonest first."""
        return sorted((e.when, e.name) for e in self._queue if not e.cancelled)

    def describe(self) -> dict[str, Any]:
        return {"seed": self.seed, "region": self.region, "account": self.account_id, "now": self._now}
