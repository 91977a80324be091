"""Typed lessons: `lessons/NN-slug.yaml`, `format: 1` (see docs/LESSONS.md).

A lesson has a starting world (`setup:`) and steps of four kinds:

- `say`: Markdown to read;
- `do`: a task checked against the simulator's state (`expect:` checks, the same as quiz scenarios),
  with hints in tiers and a `solution` written as the lines a learner would type;
- `predict`: the learner predicts a value, then `run:` lines are applied and `ask:` shows the truth;
- `quiz`: question ids from quizzes/ or inline questions, graded by the quiz engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ecslearn.content.model import MISSING, Check, Query, Question, Step
from ecslearn.errors import SourceLocation


class StepKind(StrEnum):
    SAY = "say"
    DO = "do"
    PREDICT = "predict"
    QUIZ = "quiz"


@dataclass(frozen=True)
class LessonStep:
    """One step. `text` is the step's Markdown (the value of its `say`/`do`/`predict` key)."""

    id: str
    kind: StepKind
    text: str
    title: str | None = None
    # do
    expect: tuple[Check, ...] = ()
    hints: tuple[str, ...] = ()
    solution: tuple[str, ...] = ()            # lines as a learner types them (aws ..., time +60, settle)
    explain: str | None = None                # shown once the step is done / the prediction is made
    # predict
    run: tuple[str, ...] = ()                 # lines applied after the learner predicts
    ask: Query | None = None
    answer: Any = MISSING
    # quiz
    question_ids: tuple[str, ...] = ()        # ids of questions in quizzes/
    questions: tuple[Question, ...] = ()      # inline questions
    location: SourceLocation | None = None

    @property
    def changes_world(self) -> tuple[str, ...]:
        """The lines this step applies once done (replayed to rebuild later steps' worlds)."""
        if self.kind is StepKind.DO:
            return self.solution
        if self.kind is StepKind.PREDICT:
            return self.run
        return ()


@dataclass(frozen=True)
class Lesson:
    """One `lessons/NN-slug.yaml` file."""

    id: str
    slug: str                                 # `01-containers`
    number: int                               # 1 (from the NN- prefix)
    title: str
    summary: str
    objectives: tuple[str, ...]
    setup: tuple[Step, ...]
    steps: tuple[LessonStep, ...]
    path: str
    seed: int = 0
    sources: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    launch: dict[str, Any] | None = None      # RunInstances parameters for `config:` setup steps
    location: SourceLocation | None = None
    world: str | None = None                  # `world:` as written: a saved world beside the lesson
    world_path: str | None = None             # ... resolved by the loader

    def index_of(self, step_id: str | None) -> int | None:
        for i, step in enumerate(self.steps):
            if step.id == step_id:
                return i
        return None


__all__ = ["Lesson", "LessonStep", "StepKind"]
