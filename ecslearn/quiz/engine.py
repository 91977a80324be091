"""Grading against the simulator: keys derived by running scenarios, answers graded by their effect.

- single/multi with option `change`s: each option is applied to a fresh seeded simulator after the
  setup; the options whose `expect` checks hold are the right ones.
- single/multi with `ask`: the options whose `value` equals the ask result are the right ones.
- predict: the key is the ask result; the learner's value is compared after normalising.
- config / command / taskdef: the learner's answer is applied and graded by `expect`, so any answer
  that works passes (the `solution` is only shown as one answer that works).
- order / match / concept: declared keys (not simulator-checked; counted separately).

Nothing here prints: every function returns data (`Key`, `Grade`, `OptionOutcome`).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from typing import Any

from ecslearn.content.model import LETTERS, MISSING, Kind, Question, Step
from ecslearn.content.variants import ConcreteQuestion, variant
from ecslearn.errors import EcslearnError
from ecslearn.scenario import Evidence, Scenario, jsonable


class AnswerFormatError(EcslearnError):
    """The learner's answer cannot be read (e.g. `E` when the options are A-D)."""


# --- results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionOutcome:
    """What the simulator does with one option: `right` and the evidence."""

    letter: str
    text: str
    right: bool
    evidence: Evidence
    why: str | None = None


@dataclass(frozen=True)
class Key:
    """The right answer of a concrete question, as the simulator (or the declaration) gives it."""

    kind: Kind
    letters: tuple[str, ...] = ()          # choice kinds (sorted) and order/match (in sequence)
    value: Any = None                      # predict
    solution: str | None = None            # free-form kinds: one answer that works
    simulator_checked: bool = False
    options: dict[str, OptionOutcome] = field(default_factory=dict)
    evidence: Evidence | None = None       # predict/ask: how the value was found


@dataclass(frozen=True)
class Grade:
    """The result of one answer."""

    question_id: str
    seed: int
    kind: Kind
    correct: bool
    given: str
    correct_answer: str
    explanation: str
    sources: tuple[str, ...]
    evidence: Evidence | None = None
    why: str | None = None                 # the maintainer's note on the chosen option
    simulator_checked: bool = False

    def to_dict(self) -> dict[str, Any]:
        return jsonable({
            "question": self.question_id, "seed": self.seed, "kind": self.kind.value, "correct": self.correct,
            "given": self.given, "correct_answer": self.correct_answer, "explanation": self.explanation,
            "sources": list(self.sources), "why": self.why, "simulator_checked": self.simulator_checked,
            "evidence": self.evidence.to_dict() if self.evidence else None,
        })


@dataclass(frozen=True)
class Solved:
    """A concrete question with its key, as exporters and exam forms need it (no simulator needed later)."""

    id: str
    seed: int
    values: dict[str, Any]
    kind: Kind
    prompt: str
    options: tuple[tuple[str, str], ...]     # (letter, text) for choice kinds
    shown_items: tuple[str, ...]             # order: items as shown; match: right-hand items as shown
    left_items: tuple[str, ...]              # match: left-hand items
    select: int
    key: tuple[str, ...]                     # right letters (choice) or letter sequence (order/match)
    value: Any                               # predict: the value to type
    answer_text: str
    explanation: str
    sources: tuple[str, ...]
    topic: str
    difficulty: str
    exams: tuple[str, ...]
    simulator_checked: bool

    def to_dict(self) -> dict[str, Any]:
        return jsonable({k: (v.value if isinstance(v, Kind) else v) for k, v in vars(self).items()})


# --- presenting a question ------------------------------------------------------------------------


def display_order(cq: ConcreteQuestion) -> list[int]:
    """For order questions: the shuffled positions shown as A, B, C ... (never the right order)."""
    n = len(cq.question.items) if cq.question.kind is Kind.ORDER else len(cq.question.pairs)
    idx = list(range(n))
    rng = random.Random(f"order:{cq.id}:{cq.seed}")
    rng.shuffle(idx)
    if idx == sorted(idx) and n > 1:
        idx = idx[1:] + idx[:1]
    return idx


def shown_items(cq: ConcreteQuestion) -> list[str]:
    """Order: the items as shown (A, B, ...). Match: the right-hand items as shown."""
    q = cq.question
    order = display_order(cq)
    if q.kind is Kind.ORDER:
        return [q.items[i] for i in order]
    if q.kind is Kind.MATCH:
        return [q.pairs[i].right for i in order]
    return []


# --- keys -----------------------------------------------------------------------------------------


class Engine:
    """Grades questions; caches each concrete question's key (deriving one runs simulators)."""

    def __init__(self) -> None:
        self._keys: dict[tuple[str, int], tuple[ConcreteQuestion, Key]] = {}

    def concrete(self, question: Question | ConcreteQuestion, seed: int = 0) -> ConcreteQuestion:
        return question if isinstance(question, ConcreteQuestion) else variant(question, seed)

    def scenario(self, cq: ConcreteQuestion) -> Scenario:
        """A fresh simulator with the question's setup applied."""
        q = cq.question
        sc = Scenario(cq.seed, taskdef=q.taskdef, run=q.run, launch=q.launch)
        sc.setup(q.setup)
        return sc

    def run_change(self, cq: ConcreteQuestion, steps: tuple[Step, ...] | list[Step]) -> Evidence:
        """Apply `steps` after the setup on a fresh simulator and evaluate `expect`."""
        sc = self.scenario(cq)
        outcomes = sc.apply(steps)
        checks = sc.evaluate(cq.question.expect)
        return sc.evidence(outcomes, checks)

    def key(self, question: Question | ConcreteQuestion, seed: int = 0) -> Key:
        cq = self.concrete(question, seed)
        cache_key = (cq.id, cq.seed)
        hit = self._keys.get(cache_key)
        if hit is not None and (hit[0].question is cq.question or hit[0].question == cq.question):
            return hit[1]
        key = self._derive(cq)
        self._keys[cache_key] = (cq, key)
        return key

    def _derive(self, cq: ConcreteQuestion) -> Key:
        q = cq.question
        if q.kind in (Kind.SINGLE, Kind.MULTI) and q.ask is None:
            outcomes = {}
            for opt in q.options:
                ev = self.run_change(cq, opt.change)
                outcomes[opt.letter] = OptionOutcome(opt.letter, opt.text, ev.passed, ev, opt.why)
            right = tuple(sorted(k for k, o in outcomes.items() if o.right))
            return Key(q.kind, letters=right, simulator_checked=True, options=outcomes)
        if q.kind in (Kind.SINGLE, Kind.MULTI, Kind.PREDICT):
            assert q.ask is not None
            sc = self.scenario(cq)
            value = sc.ask(q.ask)
            ev = sc.evidence(value=value, has_value=True)
            if q.kind is Kind.PREDICT:
                return Key(q.kind, value=value, simulator_checked=True, evidence=ev)
            outcomes = {o.letter: OptionOutcome(o.letter, o.text, values_equal(o.value, value), ev, o.why)
                        for o in q.options}
            right = tuple(sorted(k for k, o in outcomes.items() if o.right))
            return Key(q.kind, letters=right, simulator_checked=True, options=outcomes, evidence=ev)
        if q.kind in (Kind.CONFIG, Kind.COMMAND, Kind.TASKDEF):
            return Key(q.kind, solution=q.solution, simulator_checked=True)
        if q.kind is Kind.ORDER:
            order = display_order(cq)
            # the item at right position r is shown at display index order.index(r)
            return Key(q.kind, letters=tuple(LETTERS[order.index(r)] for r in range(len(q.items))))
        if q.kind is Kind.MATCH:
            order = display_order(cq)
            return Key(q.kind, letters=tuple(LETTERS[order.index(r)] for r in range(len(q.pairs))))
        # concept: the declared key
        return Key(q.kind, letters=tuple(sorted(declared_letters(q.answer))))

    def solve(self, question: Question | ConcreteQuestion, seed: int = 0) -> Solved:
        """The variant for `seed` with its simulator-derived key (instructor generation, exam forms)."""
        cq = self.concrete(question, seed)
        q = cq.question
        key = self.key(cq)
        return Solved(
            id=q.id, seed=cq.seed, values=dict(cq.values), kind=q.kind, prompt=q.prompt,
            options=tuple((o.letter, o.text) for o in q.options), shown_items=tuple(shown_items(cq)),
            left_items=tuple(p.left for p in q.pairs), select=self.select_count(cq), key=key.letters,
            value=key.value, answer_text=answer_text(cq, key), explanation=q.explanation, sources=q.sources,
            topic=q.topic, difficulty=q.difficulty.value, exams=q.exams, simulator_checked=key.simulator_checked)

    def select_count(self, question: Question | ConcreteQuestion, seed: int = 0) -> int:
        """How many options the learner picks ("Select TWO"): declared, else from the simulator's key."""
        cq = self.concrete(question, seed)
        q = cq.question
        if q.kind is Kind.SINGLE:
            return 1
        if q.kind is Kind.MULTI and q.answer is MISSING:
            return max(2, len(self.key(cq).letters))
        return q.select

    # --- grading -------------------------------------------------------------------------------

    def grade(self, question: Question | ConcreteQuestion, answer: str, seed: int = 0) -> Grade:
        """Grade one answer (text as typed: `B`, `A,C`, a value, config lines, commands, JSON/YAML)."""
        cq = self.concrete(question, seed)
        q = cq.question
        key = self.key(cq)
        text = answer.strip("\n")
        evidence: Evidence | None = None
        why = None
        if q.kind in (Kind.SINGLE, Kind.MULTI, Kind.CONCEPT):
            try:
                chosen = parse_letters(text, [o.letter for o in q.options])
            except AnswerFormatError as err:
                return self._grade(cq, key, False, text, Evidence(notes=(err.message,)), None)
            correct = tuple(sorted(chosen)) == key.letters
            if len(chosen) == 1 and chosen[0] in key.options:
                evidence = key.options[chosen[0]].evidence
                why = key.options[chosen[0]].why
            elif key.evidence is not None:
                evidence = key.evidence
            if len(chosen) == 1 and why is None:
                opt = q.option(chosen[0])
                why = opt.why if opt else None
            return self._grade(cq, key, correct, ",".join(chosen), evidence, why)
        if q.kind in (Kind.ORDER, Kind.MATCH):
            n = len(q.items) if q.kind is Kind.ORDER else len(q.pairs)
            try:
                chosen = parse_sequence(text, n)
            except AnswerFormatError as err:
                return self._grade(cq, key, False, text, Evidence(notes=(err.message,)), None)
            return self._grade(cq, key, tuple(chosen) == key.letters, ",".join(chosen), None, None)
        if q.kind is Kind.PREDICT:
            ok = predicted(text, key.value)
            return self._grade(cq, key, ok, text.strip(), key.evidence, None)
        steps = answer_steps(q, text)
        if isinstance(steps, str):  # unreadable answer: explain, count as wrong
            return self._grade(cq, key, False, text, Evidence(notes=(steps,)), None)
        evidence = self.run_change(cq, steps)
        return self._grade(cq, key, evidence.passed, text, evidence, None)

    def _grade(self, cq: ConcreteQuestion, key: Key, correct: bool, given: str, evidence: Evidence | None,
               why: str | None) -> Grade:
        q = cq.question
        return Grade(question_id=q.id, seed=cq.seed, kind=q.kind, correct=correct, given=given,
                     correct_answer=answer_text(cq, key), explanation=q.explanation, sources=q.sources,
                     evidence=evidence, why=why, simulator_checked=key.simulator_checked)

    def try_option(self, question: Question | ConcreteQuestion, letter: str, seed: int = 0) -> OptionOutcome:
        """Run one option through the simulator and report what happened ("try this option")."""
        cq = self.concrete(question, seed)
        q = cq.question
        opt = q.option(letter)
        if opt is None:
            raise AnswerFormatError(f"no option {letter!r}; options are {q.options[0].letter}-{q.options[-1].letter}")
        key = self.key(cq)
        found = key.options.get(opt.letter)
        if found is not None:
            return found
        return OptionOutcome(opt.letter, opt.text, opt.letter in key.letters,
                             Evidence(notes=("this question has no scenario: its key is declared",)), opt.why)


# --- answers ------------------------------------------------------------------------------------------


def declared_letters(answer: Any) -> list[str]:
    if answer is MISSING or answer is None:
        return []
    if isinstance(answer, str):
        return [a.strip().upper() for a in answer.split(",") if a.strip()]
    if isinstance(answer, (list, tuple)):
        return [str(a).strip().upper() for a in answer]
    return [str(answer)]


def parse_letters(text: str, letters: list[str]) -> list[str]:
    """`B`, `a, c`, `AC` → sorted unique letters; AnswerFormatError if a letter names no option."""
    raw = text.replace(",", " ").replace(";", " ").split()
    if len(raw) == 1 and len(raw[0]) > 1 and raw[0].isalpha():
        raw = list(raw[0])
    chosen = []
    for item in raw:
        item = item.strip().rstrip(").").upper()
        if item not in letters:
            raise AnswerFormatError(f"{item!r} is not an option; answer with letters {letters[0]}-{letters[-1]}")
        if item not in chosen:
            chosen.append(item)
    if not chosen:
        raise AnswerFormatError(f"no answer given; answer with letters {letters[0]}-{letters[-1]}")
    return sorted(chosen)


def parse_sequence(text: str, n: int) -> list[str]:
    """`C, A, B` or `CAB` → letters in the given order, each used once."""
    raw = text.replace(",", " ").split()
    if len(raw) == 1 and len(raw[0]) == n:
        raw = list(raw[0])
    seq = [r.strip().upper() for r in raw]
    allowed = list(LETTERS[:n])
    if sorted(seq) != allowed:
        raise AnswerFormatError(f"give each of the letters {', '.join(allowed)} once, in order")
    return seq


def _norm_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip().lower()


def predicted(text: str, value: Any) -> bool:
    """Compare a typed prediction with the simulator's value (case, spacing and number format ignored)."""
    typed = text.strip().strip('"').strip("'")
    if isinstance(value, list):
        parts = sorted(_norm_scalar(p) for p in typed.replace(",", " ").split())
        return parts == sorted(_norm_scalar(v) for v in value)
    if isinstance(value, bool):
        return typed.lower() in (("true", "yes") if value else ("false", "no"))
    if isinstance(value, (int, float)):
        try:
            return float(typed) == float(value)
        except ValueError:
            return False
    if value is None:
        return typed.lower() in ("null", "none", "")
    return typed.lower() == _norm_scalar(value)


def values_equal(option_value: Any, actual: Any) -> bool:
    if option_value is MISSING:
        return False
    if isinstance(option_value, (int, float, bool, type(None))) or isinstance(actual, (list, dict)):
        return jsonable(option_value) == jsonable(actual) or (
            not isinstance(option_value, bool) and isinstance(option_value, (int, float))
            and isinstance(actual, (int, float)) and not isinstance(actual, bool) and option_value == actual)
    return predicted(str(option_value), actual)


def answer_steps(q: Question, text: str) -> list[Step] | str:
    """Turn a free-form answer into scenario steps, or return why it cannot be read."""
    if q.kind is Kind.CONFIG:
        lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.strip().startswith("#")]
        if not lines:
            return "no ecs.config lines given"
        return [Step("config", tuple(lines))]
    if q.kind is Kind.COMMAND:
        commands = split_commands(text)
        if not commands:
            return "no aws command given"
        bad = [c for c in commands if not c.startswith("aws ")]
        if bad:
            return f"each line must be an aws command; this one is not: {bad[0]}"
        return [Step("aws", c) for c in commands]
    if q.kind is Kind.TASKDEF:
        td = parse_taskdef(text)
        if isinstance(td, str):
            return td
        return [Step("taskdef_full", td)]
    return "this kind of question does not take a free-form answer"


def split_commands(text: str) -> list[str]:
    """Lines of a shell session: `\\` continues a line; blank lines and `#` comments are skipped."""
    out: list[str] = []
    current = ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        current += line
        if current.strip() and not current.strip().startswith("#"):
            out.append(current.strip().removeprefix("$ "))
        current = ""
    if current.strip():
        out.append(current.strip())
    return out


def parse_taskdef(text: str) -> dict[str, Any] | str:
    """A task definition written as JSON or YAML (as `--cli-input-json` or a CloudFormation snippet)."""
    text = text.strip()
    if not text:
        return "no task definition given"
    try:
        data = json.loads(text)
    except json.JSONDecodeError as jerr:
        from ecslearn.content.yamlio import load_text, plain

        data, problems = load_text(text, "your task definition")
        if problems or not isinstance(data, dict):
            if text.startswith("{"):
                return f"your task definition is not valid JSON: {jerr.msg} (line {jerr.lineno}, column {jerr.colno})"
            detail = problems[0].message if problems else "it is not a mapping"
            return f"your task definition is not valid JSON or YAML: {detail}"
        data = plain(data)
    if not isinstance(data, dict):
        return "a task definition is a JSON object such as {\"family\": \"web\", \"containerDefinitions\": [...]}"
    return data


def answer_text(cq: ConcreteQuestion, key: Key) -> str:
    """The right answer, written for a learner."""
    q = cq.question
    if q.kind in (Kind.SINGLE, Kind.MULTI, Kind.CONCEPT):
        if not key.letters:
            return "(no option is right)"
        return "\n".join(f"{letter}) {q.option(letter).text}" for letter in key.letters)  # type: ignore[union-attr]
    if q.kind is Kind.PREDICT:
        value = key.value
        if isinstance(value, list):
            return ", ".join(str(v) for v in value) if value else "(nothing)"
        if isinstance(value, bool):
            return "true" if value else "false"
        return "null" if value is None else str(value)
    if q.kind is Kind.ORDER:
        return "\n".join(f"{i + 1}. {q.items[i]}" for i in range(len(q.items))) + \
            f"\n(answer: {','.join(key.letters)})"
    if q.kind is Kind.MATCH:
        return "\n".join(f"{p.left} → {p.right}" for p in q.pairs) + f"\n(answer: {','.join(key.letters)})"
    return q.solution or ""


#: a process-wide engine for callers that do not need their own cache
DEFAULT_ENGINE = Engine()


def grade(question: Question | ConcreteQuestion, answer: str, seed: int = 0) -> Grade:
    return DEFAULT_ENGINE.grade(question, answer, seed)


def try_option(question: Question | ConcreteQuestion, letter: str, seed: int = 0) -> OptionOutcome:
    return DEFAULT_ENGINE.try_option(question, letter, seed)


def derive_key(question: Question | ConcreteQuestion, seed: int = 0) -> Key:
    return DEFAULT_ENGINE.key(question, seed)
