"""The simulated Amazon ECS control plane: one backend composed of one mixin per area."""

from __future__ import annotations

from ecslearn.sim.ecs.capacity import CapacityProvidersMixin
from ecslearn.sim.ecs.clusters import ClustersMixin
from ecslearn.sim.ecs.instances import ContainerInstancesMixin
from ecslearn.sim.ecs.services import ServicesMixin
from ecslearn.sim.ecs.startchecks import StartChecksMixin
from ecslearn.sim.ecs.taskdefs import TaskDefinitionsMixin
from ecslearn.sim.ecs.tasks import TasksMixin


class EcsBackend(
    ClustersMixin,
    TaskDefinitionsMixin,
    ContainerInstancesMixin,
    TasksMixin,
    ServicesMixin,
    CapacityProvidersMixin,
    StartChecksMixin,
):
    """Amazon ECS. Each mixin's `_init_<area>()` sets up its state."""

    service_name = "ecs"

    def __init__(self, sim) -> None:  # type: ignore[no-untyped-def]
        super().__init__(sim)
        for klass in reversed(type(self).__mro__):
            init = vars(klass).get("_init_state")
            if init is not None:
                init(self)

    def busy(self) -> bool:
        return any(klass._busy(self) for klass in type(self).__mro__ if "_busy" in vars(klass))


__all__ = ["EcsBackend"]
