"""Grading students' saved worlds against a lab's checks, and the CSV gradebook.

`grade_submission(lab, path)` loads the saved world (ecslearn.sim.world), checks it really started from
this lab (its seed, start and first events match the lab's world: a world from another lab or a fresh
sandbox is refused), lets the clock settle, and evaluates every check. Each result carries the
expected and actual values and, for a failing check, the simulator's evidence (stopped tasks' reasons,
service events). A submission that cannot be read gets a row with its error and score 0.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecslearn.errors import EcslearnError
from ecslearn.labs.model import Lab
from ecslearn.labs.runner import WorldScenario
from ecslearn.scenario import jsonable
from ecslearn.sim.world import load_world

CSV_COLUMNS = ["submission", "lab", "score", "passed", "total", "error", "feedback"]


@dataclass
class CheckResult:
    label: str
    passed: bool
    expected: Any
    actual: Any
    op: str
    why: str | None = None

    def line(self) -> str:
        mark = "PASS" if self.passed else "FAIL"
        text = f"{mark} {self.label}"
        if not self.passed:
            text += f" (expected {self.op} {_show(self.expected)}, actual {_show(self.actual)})"
            if self.why:
                text += f" [{self.why}]"
        return text


@dataclass
class SubmissionGrade:
    submission: str
    lab: str
    checks: list[CheckResult] = field(default_factory=list)
    error: str | None = None

    @property
    def passed(self) -> int:
        return sum(1 for c in self.checks if c.passed)

    @property
    def total(self) -> int:
        return len(self.checks)

    @property
    def score(self) -> float:
        return round(self.passed / self.total, 3) if self.total and not self.error else 0.0

    def row(self) -> dict[str, Any]:
        return {"submission": self.submission, "lab": self.lab, "score": f"{self.score:.3f}",
                "passed": self.passed, "total": self.total, "error": self.error or "",
                "feedback": " | ".join(c.line() for c in self.checks)}

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"submission": self.submission, "lab": self.lab, "score": self.score,
                         "passed": self.passed, "total": self.total, "error": self.error,
                         "checks": [vars(c) for c in self.checks]})


def _show(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(jsonable(value))


def _same_origin(lab: Lab, data: dict[str, Any]) -> str | None:
    world = lab.world
    for key in ("seed", "region", "account", "start"):
        if data.get(key) != world.get(key):
            return f"this world did not start from lab {lab.id} (its {key} differs)"
    events = world.get("events", [])
    if data.get("events", [])[:len(events)] != events:
        return f"this world did not start from lab {lab.id} (its history does not begin with the lab's)"
    return None


def grade_submission(lab: Lab, path: str | Path) -> SubmissionGrade:
    name = str(path)
    result = SubmissionGrade(name, lab.id)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        result.error = "no such file"
        return result
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        result.error = f"cannot read it: {getattr(err, 'msg', None) or getattr(err, 'strerror', None) or err}"
        return result
    if not isinstance(data, dict):
        result.error = "not an ecslearn world file"
        return result
    origin = _same_origin(lab, data)
    if origin:
        result.error = origin
        return result
    try:
        sim = load_world(path)
    except EcslearnError as err:
        result.error = err.message
        return result
    sc = WorldScenario(sim)
    sim.settle(900)
    outcomes = sc.evaluate(lab.checks())
    stopped, events = sc.observations()
    evidence = [*stopped, *events]
    for c in outcomes:
        result.checks.append(CheckResult(c.description, c.passed, c.expected, c.actual, c.op,
                                         None if c.passed else (c.error or (evidence[0] if evidence else None))))
    return result


def grade_all(lab: Lab, paths: list[str | Path]) -> list[SubmissionGrade]:
    return [grade_submission(lab, p) for p in paths]


def gradebook_csv(grades: list[SubmissionGrade]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for g in grades:
        writer.writerow(g.row())
    return buf.getvalue()
