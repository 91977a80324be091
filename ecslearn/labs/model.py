"""The lab file: a saved world (ecslearn.sim.world format) with a `lab` section.

Because a lab file IS a world file (`world_from_dict` ignores the extra key), students open it directly:

    ecslearn sandbox --scenario lab.json --save mine.world.json

The `lab` section (format 1):

    {"format": 1, "id": "port-mismatch-1a2b3c4d", "template": "port-mismatch", "seed": 7,
     "title": "...", "task": "what the learner is asked to do", "hints": [...],
     "checks": [{"call": "ecs.describe_services", "params": {...}, "query": "services[0].runningCount",
                 "eq": 2, "label": "service web runs 2 task(s)"}],
     "solution": ["aws ecs update-service ..."], "values": {...}}

Checks use the quiz `expect:` vocabulary (one comparison of eq ne gt ge lt le contains in matches
exists) and are evaluated by `ecslearn.scenario`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecslearn.content.model import COMPARATORS, Call, Check, Step
from ecslearn.errors import ScenarioError

LAB_FORMAT = 1


@dataclass
class Lab:
    world: dict[str, Any]          # the world file's content, including "lab"

    @property
    def section(self) -> dict[str, Any]:
        return self.world["lab"]

    @property
    def id(self) -> str:
        return str(self.section["id"])

    @property
    def title(self) -> str:
        return str(self.section.get("title", ""))

    @property
    def file_name(self) -> str:
        return f"{self.id}.lab.json"

    @property
    def solution(self) -> list[str]:
        return list(self.section.get("solution", []))

    def checks(self) -> list[Check]:
        return [parse_check(c, f"{self.id}: check {i}") for i, c in enumerate(self.section.get("checks", []), 1)]

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "template": self.section.get("template"), "title": self.title,
                "file": self.file_name, "task": self.section.get("task")}

    def to_json(self) -> str:
        return json.dumps(self.world, indent=1, ensure_ascii=False) + "\n"


def parse_check(data: Any, where: str) -> Check:
    if not isinstance(data, dict):
        raise ScenarioError(f"{where}: a check must be an object")
    call = data.get("call")
    if not isinstance(call, str) or call.count(".") != 1:
        raise ScenarioError(f"{where}: 'call' must be \"service.operation\"")
    params = data.get("params", {})
    query = data.get("query")
    ops = [op for op in COMPARATORS if op in data]
    if not isinstance(params, dict) or not isinstance(query, str) or len(ops) != 1:
        raise ScenarioError(f"{where}: a check needs params (an object), a query and exactly one of "
                            f"{', '.join(COMPARATORS)}")
    unknown = set(data) - {"call", "params", "query", "label", *ops}
    if unknown:
        raise ScenarioError(f"{where}: unknown keys {sorted(unknown)}")
    service, _, op = call.partition(".")
    label = data.get("label")
    return Check(Call(service, op, params), query, ops[0], data[ops[0]], label=label if isinstance(label, str) else None)


def solution_steps(lines: list[str]) -> list[Step]:
    return [Step("aws", line) for line in lines]


def load_lab(path: str | Path) -> Lab:
    """Read a lab file; ScenarioError with a clear message if it is not one."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(f"no lab file at {source}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(f"cannot read the lab file {source}: {getattr(err, 'strerror', None) or err}") from None
    except json.JSONDecodeError as err:
        raise ScenarioError(f"{source}:{err.lineno}: not a lab file (bad JSON: {err.msg})") from None
    if not isinstance(data, dict) or data.get("kind") != "ecslearn-world" or not isinstance(data.get("lab"), dict):
        raise ScenarioError(f"{source} is not an ecslearn lab file (a world file with a \"lab\" section)",
                            hint="generate labs with: ecslearn generate --labs N --out DIR")
    fmt = data["lab"].get("format")
    if fmt != LAB_FORMAT:
        raise ScenarioError(f"{source}: unknown lab format {fmt!r} (this ecslearn reads format {LAB_FORMAT})")
    lab = Lab(data)
    if "id" not in lab.section:
        raise ScenarioError(f"{source}: the lab section has no id")
    lab.checks()  # validate now
    return lab
