"""Practice sessions: which questions to ask (filters, count, seed) and the results of a run."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ecslearn.content.model import ContentSet, Question
from ecslearn.content.schema import KNOWN_EXAMS, TOPICS, suggest
from ecslearn.content.variants import ConcreteQuestion, variant
from ecslearn.errors import UsageError
from ecslearn.quiz.engine import Grade


class UnknownQuestionError(UsageError):
    """`--question ID` names no question."""


def select_questions(content: ContentSet, *, topic: str | None = None, exam: str | None = None,
                     count: int | None = None, seed: int = 0, ids: list[str] | None = None,
                     only: set[str] | None = None) -> list[ConcreteQuestion]:
    """Pick the questions of a practice run: filtered, shuffled by `seed`, each with its variant seed.

    `ids` names questions explicitly (in that order); `only` restricts the pool (e.g. missed questions).
    """
    pool: list[Question] = content.questions
    if only is not None:
        pool = [q for q in pool if q.id in only]
    if ids:
        known = {q.id: q for q in pool}
        chosen = []
        for qid in ids:
            if qid not in known:
                raise UnknownQuestionError(f"no question with id '{qid}'{suggest(qid, known)}",
                                           hint="`ecslearn quiz --list` shows every question id")
            chosen.append(known[qid])
        pool = chosen
    if topic:
        topics = sorted({q.topic for q in content.questions})
        if topic not in TOPICS and topic not in topics:
            raise UsageError(f"unknown topic '{topic}'{suggest(topic, topics)}",
                             hint=f"topics with questions: {', '.join(topics)}")
        pool = [q for q in pool if q.topic == topic]
    if exam:
        code = exam.upper()
        if code.split(":")[0] not in KNOWN_EXAMS:
            raise UsageError(f"unknown exam '{exam}'{suggest(code, KNOWN_EXAMS)}",
                             hint=f"exams: {', '.join(KNOWN_EXAMS)}")
        pool = [q for q in pool if any(t == code or t.startswith(code + ":") or t.startswith(code + ".")
                                       for t in q.exams)]
    if not pool:
        raise UsageError("no question matches these filters",
                         hint="try without --topic/--exam, or `ecslearn quiz --list`")
    rng = random.Random(f"practice:{seed}")
    order = list(pool)
    if not ids:
        rng.shuffle(order)
    if count is not None:
        if count < 1:
            raise UsageError("--count must be at least 1")
        order = order[:count]
    return [variant(q, rng.randrange(1_000_000)) for q in order]


@dataclass
class PracticeResult:
    """What a practice run produced (also the `--json` output)."""

    seed: int
    planned: int
    grades: list[Grade] = field(default_factory=list)
    interrupted: bool = False
    ended_early: bool = False   # the learner quit or input ended
    skipped: list[dict[str, Any]] = field(default_factory=list)  # questions whose scenario failed to run

    @property
    def answered(self) -> int:
        return len(self.grades)

    @property
    def correct(self) -> int:
        return sum(1 for g in self.grades if g.correct)

    def by_topic(self, topics: dict[str, str]) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for g in self.grades:
            row = out.setdefault(topics.get(g.question_id, "?"), {"answered": 0, "correct": 0})
            row["answered"] += 1
            row["correct"] += int(g.correct)
        return out

    def to_dict(self, topics: dict[str, str] | None = None) -> dict[str, Any]:
        return {
            "seed": self.seed, "planned": self.planned, "answered": self.answered, "correct": self.correct,
            "score": round(self.correct / self.answered, 3) if self.answered else None,
            "interrupted": self.interrupted, "ended_early": self.ended_early,
            "by_topic": self.by_topic(topics or {}), "skipped": list(self.skipped),
            "results": [g.to_dict() for g in self.grades],
        }
