"""What must succeed before a task's containers start: image pulls, secrets, log streams.

Placeholder: public images always pull and nothing else is checked. The ECR/IAM/logs change fills it in.
"""

from __future__ import annotations

from ecslearn.sim.ecs.core import EcsCore
from ecslearn.sim.ecs.models import Container, Task


class StartChecksMixin(EcsCore):
    def _task_start_failure(self, task: Task) -> tuple[str, str] | None:
        """Called when a task's images are pulled: None, or (stopCode, stoppedReason) to stop it."""
        return None

    def _container_started(self, task: Task, container: Container) -> None:
        """Called when a container reaches RUNNING (log streams are created here)."""

    def _container_output(self, task: Task, container: Container, lines: list[str]) -> None:
        """Called with lines a container's workload writes (the awslogs driver ships them)."""
