"""Generating labs: build each broken world from a template, prove it broken, prove it fixed, write it.

    labs = generate_labs(20, seed=7)          # cycles through the templates
    write_labs(labs, "labs/", force=False)    # `<id>.lab.json` per lab, `tasks.md`, `solutions.md`

For each lab: a `RecordingSimulator(seed)` runs the template's setup (refusals are part of the story and
are recorded, as a learner's would be); `${name}` values saved during setup are filled into the checks
and the solution, so the file needs nothing else. Then, on the world *as saved* (`world_from_dict`):
the checks must not all pass (broken), and after the reference solution (run through the real AWS CLI,
then settle) they must all pass (fixed). A template that fails either proof is a bug: LabError.
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from ecslearn.content.model import Step
from ecslearn.errors import EcslearnError, ScenarioError
from ecslearn.labs.model import LAB_FORMAT, Lab, solution_steps
from ecslearn.labs.runner import WorldScenario, evaluate, to_step
from ecslearn.labs.templates import TEMPLATES, LabTemplate
from ecslearn.sim.world import RecordingSimulator, world_from_dict, world_to_dict


class LabError(EcslearnError):
    """A generated lab is not broken before, or not fixed by its reference solution."""


def lab_seed(seed: int, index: int) -> int:
    digest = hashlib.sha256(f"lab:{seed}:{index}".encode()).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


def build_lab(template: LabTemplate, seed: int) -> Lab:
    spec = template.build(random.Random(f"lab:{template.name}:{seed}"))
    sim = RecordingSimulator(seed)
    sc = WorldScenario(sim)
    for item in spec.setup:
        sc.step(item if isinstance(item, Step) else to_step(item))
    checks = sc.subst(spec.checks)
    solution = [sc.subst(line) for line in spec.solution]
    lab_id = f"{template.name}-{hashlib.sha256(f'{template.name}:{seed}'.encode()).hexdigest()[:8]}"
    world = world_to_dict(sim, description=f"ecslearn lab {lab_id}: {spec.title}. {spec.task}")
    world["lab"] = {"format": LAB_FORMAT, "id": lab_id, "template": template.name, "seed": seed,
                    "title": spec.title, "task": spec.task, "hints": spec.hints, "checks": checks,
                    "solution": solution, "values": spec.values}
    return Lab(world)


def prove(lab: Lab) -> None:
    """Broken before (some check fails), fixed after the reference solution (every check passes)."""
    checks = lab.checks()
    before = evaluate(world_from_dict(lab.world, source=lab.id), checks)
    if all(c.passed for c in before):
        raise LabError(f"lab {lab.id} is not broken: every check already passes")
    sim = world_from_dict(lab.world, source=lab.id)
    sc = WorldScenario(sim)
    outcomes = sc.apply(solution_steps(lab.solution))
    refused = [o.summary() for o in outcomes if not o.ok]
    after = sc.evaluate(checks)
    failing = [f"{c.description} (actual: {c.actual!r})" for c in after if not c.passed]
    if failing:
        raise LabError(f"lab {lab.id}: the reference solution does not fix it: " + "; ".join(failing)
                       + (f" (refused: {'; '.join(refused)})" if refused else ""))


def generate_labs(count: int, *, seed: int = 0, templates: list[str] | None = None,
                  extra: dict[str, LabTemplate] | None = None) -> list[Lab]:
    """`count` labs, proven broken and fixed; lab i uses template i mod len(templates).

    `extra` adds templates (a content pack's labs); when given, they are the default set.
    """
    from ecslearn.content.schema import suggest
    from ecslearn.errors import UsageError

    if count < 1:
        raise UsageError("--labs must be at least 1")
    available = {**TEMPLATES, **(extra or {})}
    names = list(templates) if templates else list(extra or TEMPLATES)
    for name in names:
        if name not in available:
            raise UsageError(f"unknown lab template '{name}'{suggest(name, list(available))}",
                             hint=f"templates: {', '.join(available)}")
    labs = []
    for i in range(count):
        template = available[names[i % len(names)]]
        try:
            lab = build_lab(template, lab_seed(seed, i))
        except ScenarioError as err:
            raise LabError(f"lab template {template.name} could not build its world: {err.message}") from None
        prove(lab)
        labs.append(lab)
    return labs


def solutions_markdown(labs: list[Lab]) -> str:
    out = ["# Lab solutions (instructors only)", ""]
    for lab in labs:
        out += [f"## {lab.id}: {lab.title}", "", lab.section.get("task", ""), "", "Reference solution:", "", "```"]
        out += lab.solution
        out += ["```", "", "Checks:", ""]
        out += [f"- {c.describe()}" for c in lab.checks()]
        out.append("")
    return "\n".join(out)


def tasks_markdown(labs: list[Lab]) -> str:
    """The students' sheet: each lab's task and hints, and how to open, save and hand in (no solutions)."""
    out = ["# Labs", "",
           "Each lab is a broken ECS account. Open it, repair it with `aws` commands, and save your world:", "",
           "```", "ecslearn sandbox --scenario LAB-FILE --save YOUR-NAME.world.json", "```", "",
           "Inside the sandbox, `time +60` moves the clock and `settle` waits until nothing is in flight. "
           "Hand in the saved world file.", ""]
    for lab in labs:
        out += [f"## {lab.title}", "", f"File: `{lab.file_name}`", "", lab.section.get("task", ""), ""]
        hints = lab.section.get("hints") or []
        if hints:
            out += ["Hints:", ""] + [f"- {h}" for h in hints] + [""]
    return "\n".join(out)


def write_labs(labs: list[Lab], out: str | Path, *, force: bool = False) -> list[Path]:
    from ecslearn.export.output import OutputDir

    with OutputDir(out, force=force) as target:
        for lab in labs:
            target.write_text(lab.file_name, lab.to_json())
        target.write_text("tasks.md", tasks_markdown(labs))
        target.write_text("solutions.md", solutions_markdown(labs))
        return target.commit()
