"""Running steps and checks against an existing (recording) simulator, reusing `ecslearn.scenario`."""

from __future__ import annotations

from typing import Any

from ecslearn.content.model import Call, Check, Step
from ecslearn.scenario import CheckOutcome, Scenario, StepOutcome
from ecslearn.sim import Simulator

_CLI: Any = None


def _cli(sim: Simulator) -> Any:
    """One AWS CLI driver for the process (building one costs ~0.3 s), rebound to each simulator."""
    global _CLI
    from ecslearn.sim.bridge import AwsCli

    if _CLI is None:
        _CLI = AwsCli(sim)
    else:
        _CLI.rebind(sim)
    return _CLI


class WorldScenario(Scenario):
    """A Scenario over a simulator that already exists (a lab's world, a student's saved world)."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.seed = sim.seed
        self.taskdef = None
        self.run_params = None
        self.launch = None
        self._cli = None
        self.vars: dict[str, Any] = {}
        self.launched: list[str] = []

    def aws(self, line: str) -> StepOutcome:
        self._cli = _cli(self.sim)
        return super().aws(line)


def to_step(item: Any) -> Step:
    """A template's setup item: an `aws ...` line, {"call", "params", "save"}, {"advance": s} or {"settle": s}."""
    if isinstance(item, str):
        return Step("aws", item)
    if "call" in item:
        service, _, op = item["call"].partition(".")
        return Step("call", Call(service, op, item.get("params", {}), item.get("save", {})))
    if "advance" in item:
        return Step("advance", item["advance"])
    return Step("settle", True)


def evaluate(sim: Simulator, checks: list[Check]) -> list[CheckOutcome]:
    return WorldScenario(sim).evaluate(checks)
