"""Scripted input that plays a lesson as a learner who follows the solutions would (for tests)."""

from __future__ import annotations

from ecslearn.content.model import MISSING, Kind
from ecslearn.lesson.model import Lesson, StepKind
from ecslearn.lesson.world import show_value


def right_answer(question, seed: int) -> str:
    from ecslearn.quiz.engine import Engine

    key = Engine().key(question, seed)
    if question.kind in (Kind.CONFIG, Kind.COMMAND, Kind.TASKDEF):
        from ecslearn.content.variants import variant

        solution = variant(question, seed).question.solution or ""
        return "; ".join(line.strip() for line in solution.strip().splitlines())
    if question.kind is Kind.PREDICT:
        return show_value(key.value)
    return ",".join(key.letters)


def script_for(lesson: Lesson, questions: dict) -> list[str]:
    """The lines that complete `lesson` from its first step (ending with the `next` that finishes it)."""
    lines: list[str] = []
    for step in lesson.steps:
        if step.kind is StepKind.DO:
            lines.append("check")            # fails first: the learner has not done anything yet
            lines.extend(step.solution)
            lines.append("check")
        elif step.kind is StepKind.PREDICT:
            lines.append(show_value(step.answer) if step.answer is not MISSING else "no idea")
        elif step.kind is StepKind.QUIZ:
            items = [questions[q] for q in step.question_ids] + list(step.questions)
            lines.extend(right_answer(q, lesson.seed) for q in items)
        lines.append("next")
    return lines
