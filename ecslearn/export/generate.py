"""Instructor generation: seeded, simulator-keyed question variants (issue 9).

    gen = generate(content, seed=7, variants=3, topic="placement")      # N variants per question
    gen = generate(content, seed=7, roster=read_roster("students.csv"))  # one set per student

Seeds. Variant i of a run with seed S uses `stable_seed("variant", S, i)`; a student's variants use
`stable_seed("student", S, student_id)`. `stable_seed` is SHA-256 based (never Python's `hash()`), so
the same inputs give the same variants on every machine and every run. Variant 0 of a question with no
`params:` is the only variant it has (more would be copies).

Keys. Every variant's key comes from the simulator (`quiz.engine.Engine`), then is *checked* before
output; a variant that fails is skipped and reported (`Generated.skipped`), never exported:
- single/multi decided by the simulator: some option is right, exactly one for `single`, and a
  declared `answer` (rendered) agrees;
- predict: the simulator gives a value and a declared `answer` agrees with it;
- config/command/taskdef: the question's `solution` passes when graded by its effect;
- order/match/concept: declared keys (marked `simulator_checked: false`).
Variants with the same drawn values are the same question, so their key is derived once (the
simulator is deterministic) and reused: this keeps 1,000 variants within the benchmark's 3 seconds.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ecslearn.content import variants
from ecslearn.content.model import MISSING, ContentSet, Kind, Question
from ecslearn.content.variants import ConcreteQuestion, draw, variant
from ecslearn.errors import EcslearnError, ExportError, UsageError
from ecslearn.quiz.engine import Engine, Key, Solved, answer_text, declared_letters, predicted, shown_items
from ecslearn.scenario import jsonable

_STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$")


def stable_seed(*parts: Any) -> int:
    """A seed from `parts` that is the same on every machine and run (SHA-256, 31 bits)."""
    digest = hashlib.sha256(":".join(str(p) for p in parts).encode("utf-8")).digest()
    return int.from_bytes(digest[:4], "big") & 0x7FFFFFFF


# --- rosters ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Student:
    id: str
    name: str = ""


def read_roster(path: str | Path) -> list[Student]:
    """A CSV file with an `id` column (and optionally `name`); clear errors for every problem."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"no roster file at {source}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"cannot read the roster {source}: {getattr(err, 'strerror', None) or err}") from None
    return parse_roster(text, str(source))


def parse_roster(text: str, source: str = "roster") -> list[Student]:
    try:
        rows = list(csv.DictReader(io.StringIO(text)))
    except csv.Error as err:
        raise UsageError(f"{source}: not a valid CSV file: {err}") from None
    reader_fields = csv.DictReader(io.StringIO(text)).fieldnames or []
    columns = {(f or "").strip().lower(): f for f in reader_fields}
    if "id" not in columns:
        raise UsageError(f"{source}: the roster needs an 'id' column (found: {', '.join(map(str, reader_fields)) or 'nothing'})",
                         hint="the first line names the columns, for example: id,name")
    id_col, name_col = columns["id"], columns.get("name")
    students: list[Student] = []
    seen: dict[str, int] = {}
    problems: list[str] = []
    for line, row in enumerate(rows, 2):
        sid = (row.get(id_col) or "").strip()
        if not sid:
            problems.append(f"{source}:{line}: empty student id")
            continue
        if not _STUDENT_ID.match(sid):
            problems.append(f"{source}:{line}: student id {sid!r} may hold only letters, digits, '.', '_', '+' "
                            "and '-' (it names the student's output folder)")
            continue
        if sid.lower() in seen:
            problems.append(f"{source}:{line}: student id {sid!r} is also on line {seen[sid.lower()]}")
            continue
        seen[sid.lower()] = line
        students.append(Student(sid, (row.get(name_col) or "").strip() if name_col else ""))
    if problems:
        raise UsageError("bad roster:\n  " + "\n  ".join(problems))
    if not students:
        raise UsageError(f"{source}: the roster lists no students")
    return students


# --- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One keyed, checked variant, with everything an exporter needs (no simulator needed later)."""

    name: str                         # unique in its set: `fargate-run-count-v2`
    solved: Solved
    option_why: dict[str, str] = field(default_factory=dict)  # letter -> maintainer note
    solution: str | None = None       # free-form kinds: one answer that works
    student: str | None = None

    @property
    def kind(self) -> Kind:
        return self.solved.kind

    def correct_pairs(self) -> list[tuple[str, str]]:
        """match: (left, right) in the left items' order; order: (item, position) in the right order."""
        s = self.solved
        idx = [ord(letter) - 65 for letter in s.key]
        if s.kind is Kind.MATCH:
            return [(left, s.shown_items[i]) for left, i in zip(s.left_items, idx)]
        if s.kind is Kind.ORDER:
            return [(s.shown_items[i], str(pos)) for pos, i in enumerate(idx, 1)]
        return []

    def to_dict(self) -> dict[str, Any]:
        out = self.solved.to_dict()
        out.update({"name": self.name, "student": self.student, "solution": self.solution,
                    "option_why": dict(self.option_why)})
        return jsonable(out)


@dataclass(frozen=True)
class Skipped:
    question: str
    seed: int
    reason: str
    student: str | None = None

    def __str__(self) -> str:
        who = f" for student {self.student}" if self.student else ""
        return f"{self.question} (seed {self.seed}){who}: {self.reason}"


@dataclass
class VariantSet:
    """The items of one output set: the whole run, or one student's."""

    items: list[Item]
    student: Student | None = None
    seed: int = 0


@dataclass
class Generated:
    seed: int
    sets: list[VariantSet]
    skipped: list[Skipped]
    keys_derived: int = 0             # distinct simulator derivations (variants share identical ones)

    @property
    def count(self) -> int:
        return sum(len(s.items) for s in self.sets)

    @property
    def distinct(self) -> int:
        """How many different questions the variants are (a small parameter space repeats values)."""
        return len({(i.solved.id, json.dumps(jsonable(i.solved.values), sort_keys=True))
                    for s in self.sets for i in s.items})


# --- selection ---------------------------------------------------------------------------------------


def select(content: ContentSet, *, topic: str | None = None, exam: str | None = None,
           ids: list[str] | None = None) -> list[Question]:
    """Filter the bank (same rules and messages as `ecslearn quiz`), in bank order (or `ids` order)."""
    from ecslearn.quiz.session import select_questions

    chosen = select_questions(content, topic=topic, exam=exam, ids=ids or None)
    if ids:
        return [q for q in (content.question(cq.id) for cq in chosen) if q is not None]
    wanted = {cq.id for cq in chosen}
    return [q for q in content.questions if q.id in wanted]


# --- keying and checking ------------------------------------------------------------------------------


class Keyer:
    """Derives and checks keys; identical variants (same question, same values) share one derivation."""

    def __init__(self) -> None:
        self.engine = Engine()
        self._cache: dict[tuple[str, str], tuple[Key | None, str | None]] = {}
        self._rendered: dict[tuple[str, str], Question] = {}

    def keyed(self, cq: ConcreteQuestion) -> tuple[Key | None, str | None]:
        token = (cq.id, json.dumps(jsonable(cq.values), sort_keys=True))
        hit = self._cache.get(token)
        if hit is None:
            hit = self._derive(cq)
            self._cache[token] = hit
        return hit

    def concrete(self, q: Question, seed: int) -> ConcreteQuestion:
        """`variant(q, seed)`, rendering each distinct set of drawn values once (rendering compiles
        templates; the same values always render the same question, only its seed differs)."""
        if not q.params:
            return variant(q, seed, shuffle=False)   # exports keep the file's order; LMSs shuffle themselves
        values = draw(q, seed)
        token = (q.id, json.dumps(jsonable(values), sort_keys=True))
        rendered = self._rendered.get(token)
        if rendered is None:
            rendered = variants.render(q, values, seed)
            self._rendered[token] = rendered
        return ConcreteQuestion(dataclasses.replace(rendered, variant_seed=seed), seed, values)

    @property
    def derived(self) -> int:
        return len(self._cache)

    def _derive(self, cq: ConcreteQuestion) -> tuple[Key | None, str | None]:
        try:
            key = self.engine.key(cq)
        except EcslearnError as err:
            return None, f"the simulator could not run this variant: {err.message}"
        try:
            return key, self._problem(cq, key)
        except EcslearnError as err:
            return None, f"the simulator could not check this variant: {err.message}"

    def _problem(self, cq: ConcreteQuestion, key: Key) -> str | None:
        q = cq.question
        if q.kind in (Kind.SINGLE, Kind.MULTI) and key.simulator_checked:
            if not key.letters:
                return "the simulator finds no right option"
            if q.kind is Kind.SINGLE and len(key.letters) != 1:
                return f"the simulator finds several right options ({', '.join(key.letters)}) in a single-answer question"
            if q.answer is not MISSING:
                declared = sorted(declared_letters(q.answer))
                if declared != list(key.letters):
                    return f"declared answer {','.join(declared)} but the simulator says {','.join(key.letters)}"
        elif q.kind is Kind.PREDICT:
            if key.value is None:
                return "the simulator's answer is empty"
            if q.answer is not MISSING and not predicted(str(q.answer), key.value):
                return f"declared answer {q.answer!r} but the simulator says {key.value!r}"
        elif q.kind in (Kind.CONFIG, Kind.COMMAND, Kind.TASKDEF):
            if not q.solution:
                return "no solution to verify"
            grade = self.engine.grade(cq, q.solution)
            if not grade.correct:
                why = grade.evidence.headline() if grade.evidence else None
                return f"the solution does not pass in the simulator: {why or 'its checks fail'}"
        elif q.kind in (Kind.CONCEPT,) and not key.letters:
            return "no declared answer"
        return None

    def item(self, cq: ConcreteQuestion, name: str, student: str | None = None) -> Item | Skipped:
        key, problem = self.keyed(cq)
        if key is None or problem:
            return Skipped(cq.id, cq.seed, problem or "no key", student)
        q = cq.question
        eng = self.engine
        solved = Solved(
            id=q.id, seed=cq.seed, values=dict(cq.values), kind=q.kind, prompt=str(q.prompt),
            options=tuple((o.letter, str(o.text)) for o in q.options),
            shown_items=tuple(str(i) for i in shown_items(cq)), left_items=tuple(str(p.left) for p in q.pairs),
            select=(max(2, len(key.letters)) if q.kind is Kind.MULTI and q.answer is MISSING
                    else eng.select_count(cq)),
            key=_order_key(cq, key), value=key.value, answer_text=answer_text(cq, _with_order(cq, key)),
            explanation=str(q.explanation), sources=q.sources, topic=q.topic, difficulty=q.difficulty.value,
            exams=q.exams, simulator_checked=key.simulator_checked)
        why = {o.letter: o.why for o in q.options if o.why}
        return Item(name, solved, why, q.solution if q.kind in (Kind.CONFIG, Kind.COMMAND, Kind.TASKDEF) else None,
                    student)


def _order_key(cq: ConcreteQuestion, key: Key) -> tuple[str, ...]:
    return _with_order(cq, key).letters


def _with_order(cq: ConcreteQuestion, key: Key) -> Key:
    """order/match keys depend on the variant's display shuffle (its seed), not on the shared key."""
    if cq.question.kind in (Kind.ORDER, Kind.MATCH):
        from ecslearn.content.model import LETTERS
        from ecslearn.quiz.engine import display_order

        order = display_order(cq)
        n = len(order)
        return Key(key.kind, letters=tuple(LETTERS[order.index(r)] for r in range(n)))
    return key


# --- generation --------------------------------------------------------------------------------------


def generate(content: ContentSet | list[Question], *, seed: int = 0, variants: int = 1,
             topic: str | None = None, exam: str | None = None, ids: list[str] | None = None,
             roster: list[Student] | None = None, keyer: Keyer | None = None) -> Generated:
    """Variants keyed and checked by the simulator (see the module docstring)."""
    if variants < 1:
        raise UsageError("--variants must be at least 1")
    if roster is not None and variants != 1:
        raise UsageError("--variants does not go with --roster: each student gets one variant of each question")
    questions = content if isinstance(content, list) else select(content, topic=topic, exam=exam, ids=ids)
    keyer = keyer or Keyer()
    skipped: list[Skipped] = []
    sets: list[VariantSet] = []
    if roster is None:
        items: list[Item] = []
        for q in questions:
            count = variants if q.params else 1
            for i in range(count):
                vseed = stable_seed("variant", seed, i)
                name = q.id if count == 1 else f"{q.id}-v{i + 1}"
                out = _one(keyer, q, vseed, name, None)
                (items if isinstance(out, Item) else skipped).append(out)  # type: ignore[arg-type]
        sets.append(VariantSet(items, None, seed))
    else:
        for student in roster:
            sseed = stable_seed("student", seed, student.id)
            items = []
            for q in questions:
                out = _one(keyer, q, sseed, q.id, student.id)
                (items if isinstance(out, Item) else skipped).append(out)  # type: ignore[arg-type]
            sets.append(VariantSet(items, student, sseed))
    if not any(s.items for s in sets):
        detail = "".join(f"\n  {s}" for s in skipped[:10])
        raise ExportError("no variant could be keyed by the simulator, so there is nothing to export" + detail)
    return Generated(seed, sets, skipped, keyer.derived)


def _one(keyer: Keyer, q: Question, seed: int, name: str, student: str | None) -> Item | Skipped:
    try:
        cq = keyer.concrete(q, seed)
    except EcslearnError as err:
        return Skipped(q.id, seed, f"the variant cannot be rendered: {err.message}", student)
    return keyer.item(cq, name, student)
