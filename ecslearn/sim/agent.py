"""The ECS container agent on simulated EC2 instances (placeholder hooks; filled in next)."""

from __future__ import annotations

from typing import Any


def on_instance_launched(sim: Any, inst: Any) -> None:
    pass


def on_instance_running(sim: Any, inst: Any) -> None:
    pass


def on_instance_shutting_down(sim: Any, inst: Any) -> None:
    pass


def on_instance_down(sim: Any, inst: Any, *, terminated: bool) -> None:
    pass


def agent_log(sim: Any, instance_id: str) -> list[str]:
    return []
