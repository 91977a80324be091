"""ECS instances: placeholder mixin, filled in by its own change."""

from __future__ import annotations

from ecslearn.sim.ecs.core import EcsCore


class ContainerInstancesMixin(EcsCore):
    pass
