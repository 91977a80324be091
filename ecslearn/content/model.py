"""Typed content: quiz files, questions, options and the scenario steps and checks they carry.

Learner-facing text (prompt, option text, items, pairs, hints) is kept apart from maintainer fields
(answer, explanation, setup, ask, expect, sources, notes, params, solution) both in the YAML schema
(see `schema.py`) and here: `Question.learner` is everything a learner may see before answering.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ecslearn.errors import SourceLocation

FORMAT_VERSION = 1
LETTERS = string.ascii_uppercase


class Kind(StrEnum):
    SINGLE = "single"      # one of N; with options' `change` or `value`, the simulator picks the key
    MULTI = "multi"        # "Select TWO": all-or-nothing
    PREDICT = "predict"    # the learner types a value; the key is `ask` evaluated on the scenario
    CONFIG = "config"      # ecs.config lines applied to a new container instance; graded by `expect`
    COMMAND = "command"    # `aws ...` lines run against the scenario; graded by `expect`
    TASKDEF = "taskdef"    # a task definition (JSON/YAML) registered and run; graded by `expect`
    ORDER = "order"        # put items in order (declared order, or from `ask`)
    MATCH = "match"        # match left items to right items (declared pairs)
    CONCEPT = "concept"    # no scenario: a declared key, counted separately


CHOICE_KINDS = frozenset({Kind.SINGLE, Kind.MULTI, Kind.CONCEPT})
FREE_KINDS = frozenset({Kind.PREDICT, Kind.CONFIG, Kind.COMMAND, Kind.TASKDEF})
EFFECT_KINDS = frozenset({Kind.CONFIG, Kind.COMMAND, Kind.TASKDEF})


class Difficulty(StrEnum):
    EASY = "easy"
    MEDIUM = "medium"
    HARD = "hard"


@dataclass(frozen=True)
class Call:
    """A boto3-style call on the simulator: `ecs.describe_clusters` with `params`."""

    service: str
    operation: str
    params: dict[str, Any] = field(default_factory=dict)
    #: name → JMESPath over the response; later steps use the value as `${name}`
    save: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.service}.{self.operation}"


@dataclass(frozen=True)
class Step:
    """One scenario step.

    `action` is one of: `aws` (value: a command line), `call` (value: Call), `advance` (value: seconds),
    `settle` (value: True), `config` (value: ecs.config lines for a new container instance),
    `taskdef` (value: a task-definition patch merged into the question's `taskdef`, registered and run),
    `workload` (value: {image, <sim.workloads.Workload fields>}: what an image does when it runs),
    `push` (value: {image: an ECR URI, workload?, size_mb?, content?}: a docker push to ECR).
    """

    action: str
    value: Any
    location: SourceLocation | None = None
    #: per-step overrides: `launch` (RunInstances params) on a config step, `run` (RunTask params)
    #: on a taskdef step; they win over the question's `launch` / `run`
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Query:
    """`ask:`: a call and a JMESPath query over its response."""

    call: Call
    query: str
    location: SourceLocation | None = None


COMPARATORS = ("eq", "ne", "gt", "ge", "lt", "le", "contains", "in", "matches", "exists")


@dataclass(frozen=True)
class Check:
    """One `expect:` item: a call, a JMESPath query and a comparison with an expected value."""

    call: Call
    query: str
    op: str
    expected: Any
    location: SourceLocation | None = None
    label: str | None = None

    def describe(self) -> str:
        if self.label:
            return self.label
        if self.op == "exists":
            return f"{self.call} {self.query} {'exists' if self.expected else 'does not exist'}"
        return f"{self.call} {self.query} {self.op} {self.expected!r}"


_MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>", "__bool__": lambda self: False})()
MISSING: Any = _MISSING


@dataclass(frozen=True)
class Option:
    """A choice: learner `text`; maintainer `value` (compared with `ask`), `change` and `why`."""

    letter: str
    text: str
    value: Any = MISSING
    change: tuple[Step, ...] = ()
    why: str | None = None
    location: SourceLocation | None = None

    @property
    def has_value(self) -> bool:
        return self.value is not MISSING


@dataclass(frozen=True)
class Pair:
    left: str
    right: str


@dataclass(frozen=True)
class Param:
    """A variant parameter: `choices` or an inclusive integer `range`."""

    name: str
    choices: tuple[Any, ...] = ()
    low: int | None = None
    high: int | None = None

    def values(self) -> list[Any]:
        if self.choices:
            return list(self.choices)
        assert self.low is not None and self.high is not None
        return list(range(self.low, self.high + 1))


@dataclass(frozen=True)
class LearnerView:
    """What a learner may see before answering (no key, no explanation, no scenario)."""

    prompt: str
    options: tuple[str, ...]
    items: tuple[str, ...]
    pairs_left: tuple[str, ...]
    pairs_right: tuple[str, ...]
    hints: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    id: str
    kind: Kind
    topic: str
    difficulty: Difficulty
    exams: tuple[str, ...]
    # learner fields
    prompt: str
    options: tuple[Option, ...] = ()
    items: tuple[str, ...] = ()
    pairs: tuple[Pair, ...] = ()
    hints: tuple[str, ...] = ()
    # maintainer fields
    answer: Any = MISSING
    explanation: str = ""
    sources: tuple[str, ...] = ()
    notes: str | None = None
    setup: tuple[Step, ...] = ()
    ask: Query | None = None
    expect: tuple[Check, ...] = ()
    params: tuple[Param, ...] = ()
    taskdef: dict[str, Any] | None = None
    run: dict[str, Any] | None = None
    launch: dict[str, Any] | None = None
    solution: str | None = None
    counterexamples: tuple[str, ...] = ()
    #: show the options in a per-seed order (the file's `shuffle: true`); the key follows the options
    shuffle: bool = False
    # where it came from
    location: SourceLocation | None = None
    answer_location: SourceLocation | None = None
    quiz: str = ""           # the quiz file's slug (`02-placement`)
    variant_seed: int | None = None
    variant_values: dict[str, Any] = field(default_factory=dict)

    @property
    def simulator_checked(self) -> bool:
        """True when the simulator decides the key (not a declared one)."""
        if self.kind is Kind.CONCEPT:
            return False
        if self.kind in (Kind.ORDER, Kind.MATCH):
            return self.ask is not None
        if self.kind in (Kind.SINGLE, Kind.MULTI):
            return bool(self.expect) or self.ask is not None
        return True

    @property
    def has_scenario(self) -> bool:
        return bool(self.setup) or self.ask is not None or bool(self.expect)

    @property
    def select(self) -> int:
        """How many options a learner must pick (multi: "Select TWO"); from the declared answer."""
        if isinstance(self.answer, (list, tuple)):
            return len(self.answer)
        return 1

    @property
    def learner(self) -> LearnerView:
        return LearnerView(
            prompt=self.prompt,
            options=tuple(o.text for o in self.options),
            items=self.items,
            pairs_left=tuple(p.left for p in self.pairs),
            pairs_right=tuple(p.right for p in self.pairs),
            hints=self.hints,
        )

    def option(self, letter: str) -> Option | None:
        for opt in self.options:
            if opt.letter == letter.upper():
                return opt
        return None


@dataclass(frozen=True)
class QuizFile:
    """One `quizzes/NN-slug.yaml` file."""

    path: str                 # as shown in messages
    slug: str                 # `02-placement`
    title: str
    format: int
    questions: tuple[Question, ...]
    description: str | None = None


@dataclass(frozen=True)
class ContentSet:
    """Everything loaded from one content root."""

    root: str
    quizzes: tuple[QuizFile, ...]
    lessons: tuple[Any, ...] = ()   # filled by the lesson loader when it exists

    @property
    def questions(self) -> list[Question]:
        return [q for quiz in self.quizzes for q in quiz.questions]

    def question(self, qid: str) -> Question | None:
        for q in self.questions:
            if q.id == qid:
                return q
        return None
