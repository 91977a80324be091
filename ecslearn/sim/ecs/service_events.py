"""Service events (ecs-reference §4.8): wording, newest-first order, the 100-event cap and suppression.

A *condition* event (steady state, unable to place, stuck deployment, throttled) is written once and then
suppressed while its cause lasts; it is written again when its cause clears and comes back, when the
message changes, or after 6 hours. Activity events (started/stopped tasks, targets) are always written.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

MAX_EVENTS = 100
SUPPRESS_FOR = timedelta(hours=6)
TROUBLESHOOTING = "For more information, see the Troubleshooting section of the Amazon ECS Developer Guide."

# RunTask failure reason -> what the "unable to place a task" event says about the closest instance
_CLOSEST = {
    "RESOURCE:CPU": "has insufficient CPU units available.",
    "RESOURCE:MEMORY": f"has insufficient memory available. {TROUBLESHOOTING}",
    "RESOURCE:PORTS": "is already using a port required by your task.",
    "RESOURCE:PORTS_UDP": "is already using a port required by your task.",
    "RESOURCE:ENI": f"has insufficient free elastic network interface resources. {TROUBLESHOOTING}",
    "RESOURCE:GPU": f"has insufficient GPU resources available. {TROUBLESHOOTING}",
    "ATTRIBUTE": f"is missing an attribute required by your task. {TROUBLESHOOTING}",
    "AGENT": 'encountered error "AGENT".',
    "LOCATION": f"is in a different Availability Zone from the task's subnets. {TROUBLESHOOTING}",
}


class ServiceEvents:
    """One service's event log: a newest-first list of `{id, createdAt, message}` dicts."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []
        #: condition key -> (message, when written)
        self.conditions: dict[str, tuple[str, datetime]] = {}

    def add(self, event_id: str, now: datetime, message: str) -> None:
        self.items.insert(0, {"id": event_id, "createdAt": now, "message": message})
        del self.items[MAX_EVENTS:]

    def condition(self, key: str, event_id_fn: Any, now: datetime, message: str) -> bool:
        """Write `message` unless the same condition is active with the same message for < 6 h."""
        seen = self.conditions.get(key)
        if seen is not None and seen[0] == message and now - seen[1] < SUPPRESS_FOR:
            return False
        self.conditions[key] = (message, now)
        self.add(event_id_fn(), now, message)
        return True

    def clear(self, key: str) -> None:
        """The condition's cause went away: the next occurrence is written again."""
        self.conditions.pop(key, None)

    def active(self, key: str) -> bool:
        return key in self.conditions

    def messages(self) -> list[str]:
        return [e["message"] for e in self.items]


# --- wording (§4.8) ---------------------------------------------------------------------------------

def steady_state(svc: str) -> str:
    return f"(service {svc}) has reached a steady state."


def started(svc: str, task_ids: list[str]) -> str:
    tasks = " ".join(f"(task {t})" for t in task_ids)
    return f"(service {svc}) has started {len(task_ids)} tasks: {tasks}."


def stopped(svc: str, task_ids: list[str]) -> str:
    tasks = " ".join(f"(task {t})" for t in task_ids)
    return f"(service {svc}) has stopped {len(task_ids)} running tasks: {tasks}."


def registered(svc: str, n: int, tg_arn: str) -> str:
    return f"(service {svc}) registered {n} targets in (target-group {tg_arn})"


def deregistered(svc: str, n: int, tg_arn: str) -> str:
    return f"(service {svc}) deregistered {n} targets in (target-group {tg_arn})"


def draining(svc: str, deployment_id: str, n: int) -> str:
    return f"(service {svc}, taskSet {deployment_id}) has begun draining connections on {n} tasks."


def deployment_completed(svc: str, deployment_id: str) -> str:
    return f"(service {svc}) (deployment {deployment_id}) deployment completed."


def deployment_failed(svc: str, deployment_id: str) -> str:
    return f"(service {svc}) (deployment {deployment_id}) deployment failed: tasks failed to start."


def rolling_back(svc: str, failed_id: str, target_id: str) -> str:
    return (f"(service {svc}) (deployment {failed_id}) deployment circuit breaker: rolling back to "
            f"deploymentId {target_id}.")


def throttled(svc: str) -> str:
    return f"(service {svc}) is unable to consistently start tasks successfully."


def stuck(svc: str) -> str:
    return (f"service {svc} was unable to stop or start tasks during a deployment because of the service "
            "deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.")


def unhealthy_target(svc: str, target: str, port: int | None, tg_arn: str, reason: str) -> str:
    return (f"service {svc} (instance {target}) (port {port}) is unhealthy in (target-group {tg_arn}) "
            f"due to (reason {reason})")


def unable_to_place(svc: str, reason: str | None, instance_id: str | None) -> str:
    """The placement-failure event; `reason` is a RunTask failure reason or None for an empty cluster."""
    head = f"service {svc} was unable to place a task because no container instance met all of its requirements."
    if reason is None or instance_id is None:
        return f"{head} Reason: No Container Instances were found in your cluster. {TROUBLESHOOTING}"
    tail = _CLOSEST.get(reason, f'encountered error "{reason}".')
    return f"{head} The closest matching container-instance {instance_id} {tail}"


def unable_to_place_other(svc: str, text: str) -> str:
    return f"service {svc} was unable to place a task. Reason: {text}"
