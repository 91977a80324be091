"""Labs in an instructor's content pack: `labs/NN-slug.yaml`, checked by `ecslearn content check`.

    format: 1
    id: no-capacity                       # kebab-case, unique in the pack
    title: A cluster with no capacity
    task: |                               # what the learner is asked to do
      The cluster prod has no container instances. Register one.
    hints: [Container instances are EC2 instances whose ECS agent registers.]
    setup:                                # builds the broken world (quiz `setup:` steps)
      - aws ecs create-cluster --cluster-name prod
    expect:                               # fail in the broken world, pass once fixed (quiz checks)
      - {call: ecs.describe_clusters, params: {clusters: [prod]},
         query: "clusters[0].registeredContainerInstancesCount", ge: 1, label: one instance registered}
    solution:                             # `aws ...` lines that fix it
      - aws ec2 run-instances ...

The checker parses it with the quiz parser's rules (path:line problems, "did you mean"), then builds
the world and proves it broken before and fixed by `solution` (as `ecslearn generate --labs` does).
A pack's labs are lab templates for `ecslearn generate --labs N --content-dir PACK`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ecslearn.content.model import Check, Step
from ecslearn.content.schema import FILE_RE, ID_RE, _Parser, _plain
from ecslearn.content.yamlio import LocatedDict, load_file
from ecslearn.errors import ContentProblem, EcslearnError, SourceLocation
from ecslearn.labs.templates import LabSpec, LabTemplate

LAB_KEYS = ("format", "id", "title", "task", "hints", "setup", "expect", "solution", "sources", "notes")
LAB_REQUIRED = ("format", "id", "title", "task", "setup", "expect", "solution")
AREA = "labs"


@dataclass(frozen=True)
class PackLab:
    id: str
    title: str
    task: str
    hints: tuple[str, ...]
    setup: tuple[Step, ...]
    expect: tuple[Check, ...]
    solution: tuple[str, ...]
    path: str

    def template(self) -> LabTemplate:
        def build(_rng: random.Random) -> LabSpec:
            return LabSpec(self.id, self.title, self.task, list(self.setup),
                           [check_to_dict(c) for c in self.expect], list(self.solution), list(self.hints))

        return LabTemplate(self.id, self.title, build)


def check_to_dict(check: Check) -> dict[str, Any]:
    out: dict[str, Any] = {"call": f"{check.call.service}.{check.call.operation}",
                           "params": _plain(check.call.params), "query": check.query,
                           check.op: _plain(check.expected)}
    if check.label:
        out["label"] = check.label
    if check.call.save:  # a later check may use what this one saves
        out["save"] = _plain(check.call.save)
    return out


def parse_lab(data: Any, display: str) -> tuple[PackLab | None, list[ContentProblem]]:
    p = _Parser(display)
    if not isinstance(data, LocatedDict):
        p.problem(1, "a lab file is a mapping with format, id, title, task, setup, expect and solution")
        return None, p.problems
    p.keys(data, LAB_KEYS, LAB_REQUIRED, "the lab")
    if "format" in data and not p.format(data):
        return None, p.problems
    lab_id = p.text(data, "id", "the lab", required=True) or ""
    if lab_id and not ID_RE.match(lab_id):
        p.problem(data.value_line("id"), f"lab id '{lab_id}' must be kebab-case (such as no-capacity)")
    title = p.text(data, "title", "the lab", required=True) or ""
    task = p.text(data, "task", "the lab", required=True) or ""
    hints = p.str_list(data, "hints", "the lab")
    setup = p.steps(data, "setup", "the lab")
    expect = p.checks(data, "the lab") if "expect" in data else ()
    solution = p.str_list(data, "solution", "the lab", min_items=1)
    for i, line in enumerate(solution):
        if not line.strip().startswith("aws "):
            raw = data["solution"]
            where = raw.line_of(i) if hasattr(raw, "line_of") else data.value_line("solution")
            p.problem(where, f"solution line {i + 1} must be an 'aws ...' command")
    if p.problems:
        return None, p.problems
    return PackLab(lab_id, title, task, tuple(hints), tuple(setup), tuple(expect),
                   tuple(s.strip() for s in solution), display), []


def load_pack_labs(root: str | Path) -> tuple[list[PackLab], list[ContentProblem]]:
    folder = Path(root) / AREA
    if not folder.is_dir():
        return [], []
    labs: list[PackLab] = []
    problems: list[ContentProblem] = []
    seen: dict[str, str] = {}
    for entry in sorted(folder.iterdir()):
        display = str(Path(root) / AREA / entry.name)
        if entry.name == ".DS_Store":
            continue
        if not (entry.is_file() and FILE_RE.match(entry.name)):
            problems.append(ContentProblem(SourceLocation(display), "unexpected file in labs/: only files named "
                                                                    "NN-slug.yaml belong here"))
            continue
        data, found = load_file(entry, display)
        problems.extend(found)
        if data is None:
            continue
        lab, found = parse_lab(data, display)
        problems.extend(found)
        if lab is None:
            continue
        if lab.id in seen:
            problems.append(ContentProblem(SourceLocation(display), f"duplicate lab id '{lab.id}' (also in {seen[lab.id]})"))
            continue
        seen[lab.id] = display
        labs.append(lab)
    return labs, problems


def check_labs(ctx: Any) -> list[ContentProblem]:
    """The `labs` checker of `content check`: parse every lab, then prove it broken and fixed."""
    from ecslearn.labs.generator import build_lab, prove

    labs, problems = load_pack_labs(ctx.root)
    if not getattr(ctx, "simulate", True):
        return problems
    for lab in labs:
        try:
            built = build_lab(lab.template(), 0)
            prove(built)
        except EcslearnError as err:
            problems.append(ContentProblem(SourceLocation(lab.path), err.message))
    return problems
