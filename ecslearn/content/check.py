"""`check_all(root)`: the one content checker, behind `ecslearn content check` and the test suite.

1. Structure: every file parses, keys are known, `format` is supported, ids are unique across all
   content, no stray files (STYLE.md §4.5 item 1).
2. Every simulator-checked key is re-derived: each option applied to a fresh seeded simulator; a
   declared `answer` must agree; every distractor must be wrong; a free-form `solution` must pass, the
   scenario must not pass as shipped, and every `counterexample` must fail (§4.5 item 2).
3. Variants are checked under several seeds; everything runs a second time with the same seed and
   must give the same keys (§4.5 item 4).

Lessons plug in through `register_checker` (or a module `ecslearn.lesson.check` with a function
`check_lessons(ctx: CheckContext) -> list[ContentProblem]`, found automatically).
"""

from __future__ import annotations

import importlib
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecslearn.content.catalog import duplicate_ids, load_quizzes
from ecslearn.content.model import ContentSet, Kind, Question
from ecslearn.content.variants import ConcreteQuestion, variant, variant_count
from ecslearn.errors import (
    ContentError,
    ContentNotFoundError,
    ContentProblem,
    NotModelledError,
    ScenarioError,
    SimulatorError,
    SourceLocation,
)

#: seeds for questions without params: a key that only holds for one simulator seed is a problem
PLAIN_SEEDS = (0, 1)
#: a parameterised question is checked under seeds covering every distinct variant, up to this many
VARIANT_SEEDS = 6
#: how far to search for seeds that draw a variant not seen yet
SEED_SEARCH = 200


@dataclass
class CheckContext:
    """What a checker gets: the root, the loaded content, ids seen so far (unique across content)."""

    root: Path
    content: ContentSet
    ids: dict[str, SourceLocation] = field(default_factory=dict)
    simulate: bool = True


Checker = Callable[[CheckContext], list[ContentProblem]]
_CHECKERS: dict[str, Checker] = {}
#: modules that provide more checkers when they exist (the lesson engine)
_PLUGIN_MODULES = (("lessons", "ecslearn.lesson.check", "check_lessons"),
                   ("labs", "ecslearn.labs.pack", "check_labs"))


def register_checker(name: str, fn: Checker) -> None:
    """Add a checker run by `check_all` after the quiz checks (e.g. `lessons`)."""
    _CHECKERS[name] = fn


def _checkers() -> dict[str, Checker]:
    found = dict(_CHECKERS)
    for name, module, attr in _PLUGIN_MODULES:
        if name in found:
            continue
        try:
            mod = importlib.import_module(module)
        except ModuleNotFoundError as err:
            if err.name and module.startswith(err.name):
                continue
            raise
        fn = getattr(mod, attr, None)
        if fn is not None:
            found[name] = fn
    return found


@dataclass
class Summary:
    files: int = 0
    questions: int = 0
    simulator_checked: int = 0
    declared: int = 0                         # concept, order, match: keys not proven by the simulator
    variants_checked: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_topic: dict[str, int] = field(default_factory=dict)
    checkers: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def simulator_share(self) -> float:
        return self.simulator_checked / self.questions if self.questions else 0.0


@dataclass
class CheckReport:
    root: str
    problems: list[ContentProblem]
    summary: Summary

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        s = self.summary
        return {
            "root": self.root,
            "ok": self.ok,
            "problems": [{"path": p.location.path, "line": p.location.line, "message": p.message,
                          "text": str(p)} for p in self.problems],
            "summary": {
                "files": s.files, "questions": s.questions, "simulator_checked": s.simulator_checked,
                "declared": s.declared, "simulator_share": round(s.simulator_share, 3),
                "variants_checked": s.variants_checked, "by_kind": s.by_kind, "by_topic": s.by_topic,
                "checkers": s.checkers, "seconds": round(s.seconds, 3),
            },
        }


def check_all(root: str | Path, *, simulate: bool = True) -> CheckReport:
    """Check every content file under `root`; return every problem (sorted) and a summary."""
    started = time.perf_counter()
    root = Path(root)
    if not root.is_dir():
        raise ContentNotFoundError(f"no such folder: {root}")
    if not any((root / a).is_dir() for a in ("quizzes", "lessons")):
        raise ContentNotFoundError(f"no content in {root}: expected a folder holding quizzes/ or lessons/",
                                   hint="pass the folder that contains quizzes/")
    quizzes, problems = load_quizzes(root)
    questions = [q for quiz in quizzes for q in quiz.questions]
    ctx = CheckContext(root, ContentSet(root=str(root), quizzes=tuple(quizzes)), simulate=simulate)
    problems.extend(duplicate_ids(questions, ctx.ids))
    summary = Summary(files=len(quizzes), questions=len(questions))
    if simulate:
        from ecslearn.quiz.engine import Engine

        for q in questions:
            found, seeds = check_question(q, Engine(), second=Engine())
            problems.extend(found)
            summary.variants_checked += seeds if q.params else 0
    for q in questions:
        summary.by_kind[q.kind.value] = summary.by_kind.get(q.kind.value, 0) + 1
        summary.by_topic[q.topic] = summary.by_topic.get(q.topic, 0) + 1
        if q.simulator_checked:
            summary.simulator_checked += 1
        else:
            summary.declared += 1
    summary.by_kind = dict(sorted(summary.by_kind.items()))
    summary.by_topic = dict(Counter(summary.by_topic).most_common())
    for name, checker in _checkers().items():
        summary.checkers.append(name)
        problems.extend(checker(ctx))
    summary.seconds = time.perf_counter() - started
    problems = sorted(set(problems), key=lambda p: (p.location.path, p.location.line or 0, p.message))
    return CheckReport(str(root), problems, summary)


# --- one question ---------------------------------------------------------------------------------


def seeds_for(q: Question) -> list[int]:
    """Seeds to check: two for plain questions; for variants, one seed per distinct drawn variant.

    Consecutive seeds may draw the same values, so seeds are searched until every variant (at most
    VARIANT_SEEDS of them) has one; a variant that only one value produces is never left unchecked.
    """
    if not q.params:
        return list(PLAIN_SEEDS)
    from ecslearn.content.variants import draw

    wanted = min(VARIANT_SEEDS, variant_count(q))
    seen: dict[str, int] = {}
    for seed in range(SEED_SEARCH):
        key = repr(sorted(draw(q, seed).items()))
        seen.setdefault(key, seed)
        if len(seen) >= wanted:
            break
    seeds = sorted(seen.values())
    if len(seeds) < 2:  # a single variant still runs twice, under two simulator seeds
        seeds.append(next(s for s in range(SEED_SEARCH) if s not in seeds))
    return seeds


def check_question(q: Question, engine: Any, *, second: Any) -> tuple[list[ContentProblem], int]:
    """Re-derive a question's key under its seeds and compare with a second run; return problems."""
    out: list[ContentProblem] = []
    seeds = seeds_for(q)
    out.extend(_static(q))
    for seed in seeds:
        try:
            cq = variant(q, seed, shuffle=False)  # the file's letters, for messages to authors
        except ContentError as err:
            out.append(ContentProblem(q.location or SourceLocation("?"), err.bare_message))
            break
        try:
            found = _check_variant(cq, engine)
        except (ScenarioError, SimulatorError, ContentError) as err:
            out.append(_scenario_problem(q, cq, err))
            break
        if found:  # one seed's problems say enough; more seeds would repeat them
            out.extend(found)
            break
        if seed == seeds[0]:
            try:
                if _fingerprint(cq, engine) != _fingerprint(cq, second):
                    out.append(_problem(q, cq, q.location, "gives a different result on a second run with the "
                                                           "same seed; the scenario must be deterministic"))
            except (ScenarioError, SimulatorError, ContentError) as err:
                out.append(_scenario_problem(q, cq, err))
                break
    return out, len(seeds)


def _scenario_problem(q: Question, cq: ConcreteQuestion, err: Exception) -> ContentProblem:
    if isinstance(err, NotModelledError):
        return _problem(q, cq, q.location, f"uses something the simulator does not model: {err.message}")
    message = getattr(err, "message", str(err))
    return _problem(q, cq, q.location, f"the scenario failed: {message}")


def _problem(q: Question, cq: ConcreteQuestion | None, loc: SourceLocation | None, message: str,
             *, subject: str | None = None) -> ContentProblem:
    subject = subject or f"question '{q.id}'"
    if cq is not None and cq.values:
        shown = ", ".join(f"{k}={v}" for k, v in cq.values.items())
        message = f"{message} (variant seed {cq.seed}: {shown})"
    return ContentProblem(loc or q.location or SourceLocation("?"), f"{subject}: {message}")


def _static(q: Question) -> list[ContentProblem]:
    out = []
    texts = [" ".join(o.text.split()) for o in q.options]
    for i, t in enumerate(texts):
        if t in texts[:i]:
            opt = q.options[i]
            out.append(_problem(q, None, opt.location, f"option {opt.letter} repeats option "
                                                       f"{q.options[texts.index(t)].letter}"))
    return out


def _fingerprint(cq: ConcreteQuestion, engine: Any) -> Any:
    key = engine.key(cq)
    q = cq.question
    if q.kind in (Kind.CONFIG, Kind.COMMAND, Kind.TASKDEF):
        return engine.grade(cq, q.solution or "").correct
    return (key.letters, repr(key.value))


def _check_variant(cq: ConcreteQuestion, engine: Any) -> list[ContentProblem]:
    from ecslearn.quiz.engine import declared_letters, predicted

    q = cq.question
    out: list[ContentProblem] = []
    if q.kind in (Kind.SINGLE, Kind.MULTI):
        key = engine.key(cq)
        right = list(key.letters)
        declared = sorted(declared_letters(q.answer))
        if declared and declared != right:
            if q.kind is Kind.SINGLE and len(declared) == 1 and len(right) == 1:
                out.append(_problem(q, cq, q.answer_location,
                                    f"declared answer {declared[0]} but the simulator says {right[0]}"))
            else:
                for letter in sorted(set(right) - set(declared)):
                    opt = q.option(letter)
                    out.append(_problem(q, cq, opt.location if opt else q.location,
                                        "is a distractor, but the simulator says it is right",
                                        subject=f"option {letter} of question '{q.id}'"))
                for letter in sorted(set(declared) - set(right)):
                    opt = q.option(letter)
                    why = key.options[letter].evidence.headline() if letter in key.options else None
                    out.append(_problem(q, cq, opt.location if opt else q.location,
                                        "is declared right, but the simulator says it is wrong"
                                        + (f": {why}" if why else ""),
                                        subject=f"option {letter} of question '{q.id}'"))
        elif q.kind is Kind.SINGLE and len(right) != 1:
            said = "no option is right" if not right else f"{len(right)} options are right ({', '.join(right)})"
            out.append(_problem(q, cq, q.location, f"the simulator says {said}; a single-choice question needs "
                                                   "exactly one"))
        elif q.kind is Kind.MULTI and len(right) < 2:
            said = "no option is right" if not right else f"only {right[0]} is right"
            out.append(_problem(q, cq, q.location, f"the simulator says {said}; a multi question needs at least "
                                                   "two right options (or make it kind single)"))
    elif q.kind is Kind.PREDICT:
        key = engine.key(cq)
        if key.value is None:
            out.append(_problem(q, cq, q.ask.location if q.ask else q.location,
                                "'ask' gives nothing (null); check the call and the query"))
        elif _declared(q) and not predicted(_text(q.answer), key.value):
            out.append(_problem(q, cq, q.answer_location,
                                f"declared answer {q.answer} but the simulator says {_text(key.value)}"))
    elif q.kind in (Kind.CONFIG, Kind.COMMAND, Kind.TASKDEF):
        grade = engine.grade(cq, q.solution or "")
        if not grade.correct:
            why = grade.evidence.headline() if grade.evidence else None
            out.append(_problem(q, cq, q.location, "the solution does not pass its own checks"
                                                   + (f": {why}" if why else "")))
        unsolved = engine.run_change(cq, [])
        if unsolved.passed:
            out.append(_problem(q, cq, q.location, "the checks already hold before any answer is applied; "
                                                   "the question is solved as shipped"))
        for i, counter in enumerate(q.counterexamples, 1):
            if engine.grade(cq, counter).correct:
                out.append(_problem(q, cq, q.location, f"counterexample {i} passes the checks, but it should fail"))
    return out


def _declared(q: Question) -> bool:
    from ecslearn.content.model import MISSING

    return q.answer is not MISSING


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
