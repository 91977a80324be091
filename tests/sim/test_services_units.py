"""Pure parts of the service scheduler: §4.3 bounds, §4.4 threshold, §4.5 back-off, §4.8 event log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from ecslearn.sim import Simulator
from ecslearn.sim.ecs import service_events as ev
from ecslearn.sim.ecs.deployments import (
    breaker_threshold,
    lower_bound,
    throttle_delay,
    upper_bound,
)


@pytest.mark.parametrize(("desired", "min_pct", "max_pct", "low", "high"), [
    (4, 100, 200, 4, 8),
    (4, 50, 200, 2, 8),
    (4, 50, 100, 2, 4),
    (2, 75, 100, 2, 2),
    (3, 100, 125, 3, 3),
    (1, 100, 200, 1, 2),
    (1, 0, 100, 0, 1),
])
def test_bounds_follow_the_reference_table(desired, min_pct, max_pct, low, high):
    assert lower_bound(desired, min_pct) == low
    assert upper_bound(desired, max_pct) == high


@pytest.mark.parametrize(("desired", "threshold"), [(1, 10), (20, 10), (25, 13), (400, 200), (800, 200)])
def test_circuit_breaker_threshold(desired, threshold):
    assert breaker_threshold(desired) == threshold


def test_throttle_grows_to_fifteen_minutes():
    delays = [throttle_delay(n) for n in range(1, 12)]
    assert delays[:2] == [0.0, 0.0]
    assert delays == sorted(delays)
    assert max(delays) == 900.0


def test_event_log_newest_first_capped_and_suppressed():
    sim = Simulator(seed=1)
    log = ev.ServiceEvents()
    now = sim.now
    for i in range(150):
        log.add(f"id{i}", now, f"m{i}")
    assert len(log.items) == 100
    assert log.items[0]["message"] == "m149"
    assert log.condition("steady", sim.new_uuid, now, ev.steady_state("web")) is True
    assert log.condition("steady", sim.new_uuid, now + timedelta(hours=1), ev.steady_state("web")) is False
    assert log.condition("steady", sim.new_uuid, now + timedelta(hours=6), ev.steady_state("web")) is True
    log.clear("steady")
    assert log.condition("steady", sim.new_uuid, now + timedelta(hours=6, seconds=1), ev.steady_state("web"))
    assert log.items[0]["message"] == "(service web) has reached a steady state."


def test_placement_event_wording():
    assert ev.unable_to_place("web", None, None) == (
        "service web was unable to place a task because no container instance met all of its requirements. "
        "Reason: No Container Instances were found in your cluster. For more information, see the "
        "Troubleshooting section of the Amazon ECS Developer Guide.")
    assert ev.unable_to_place("web", "RESOURCE:CPU", "abc").endswith(
        "The closest matching container-instance abc has insufficient CPU units available.")
    assert ev.unable_to_place("web", "RESOURCE:PORTS", "abc").endswith(
        "is already using a port required by your task.")
