"""Exam forms, timed attempts and scoring. Returns data; never prints.

- **Form** (`draw_form`): the questions tagged for the exam (`SAA-C03:2.1` → domain 2), split over the
  exam's domains by weight with the largest-remainder method (a domain with too few questions gives
  its share to the others), shuffled and given variant seeds from one RNG seeded by the exam seed, so
  the same seed draws the same questions, variants and order every time. A full-length form (as many
  questions as the real exam) marks the real exam's share of unscored ("pilot") items, chosen by the
  seed, and reveals them only in the result.
- **Attempt** (`Attempt`): a JSON-serialisable record of the form, the answers, the flags, where the
  learner is and how much exam time was used. The caller saves it after every change (the learner
  state's `exams.current`), so a crash or Ctrl-C loses nothing: `ecslearn exam --resume` picks it up.
  Time counts only while the exam runs (time between a crash and the resume is not charged).
- **Session** (`ExamSession`): navigation (next/back/goto), answers, flags, the time limit, with an
  injectable clock.
- **Scoring** (`score_attempt`): every answer graded with the quiz engine (multi all-or-nothing;
  unanswered = wrong, no guessing penalty), raw score over scored items, per-domain breakdown, and
  an UNOFFICIAL scaled estimate (`scaled_estimate`): AWS equates forms with a method it does not
  publish, so ecslearn maps the raw fraction piecewise-linearly through three points: 0 → 100,
  the exam's `estimate_pass_fraction` → the pass mark, 1 → 1000. Pass/fail is raw fraction ≥
  that fraction (equivalently, estimate ≥ pass mark).
"""

from __future__ import annotations

import math
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ecslearn.content.model import ContentSet, Kind, Question
from ecslearn.content.variants import ConcreteQuestion, variant
from ecslearn.errors import ContentError, ScenarioError, SimulatorError, UsageError
from ecslearn.exam.data import ExamInfo, domain_of
from ecslearn.quiz.engine import Engine, Grade, answer_text

ATTEMPT_FORMAT = 1


# --- forms ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExamItem:
    """One question of a form: which question, its variant seed, its domain and tag, scored or pilot."""

    question: str
    seed: int
    domain: int
    tag: str
    scored: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "seed": self.seed, "domain": self.domain, "tag": self.tag,
                "scored": self.scored}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ExamItem:
        return cls(str(d["question"]), int(d["seed"]), int(d["domain"]), str(d["tag"]), bool(d.get("scored", True)))


def exam_pool(content: ContentSet, exam: ExamInfo) -> dict[int, list[Question]]:
    """The questions tagged for `exam`, by domain (content order; domains the exam does not list are left out)."""
    known = {d.id for d in exam.domains}
    pool: dict[int, list[Question]] = {d.id: [] for d in exam.domains}
    for q in content.questions:
        found = domain_of(q.exams, exam.code)
        if found and found[0] in known:
            pool[found[0]].append(q)
    return pool


def allocate(weights: dict[int, float], available: dict[int, int], n: int) -> dict[int, int]:
    """Split `n` questions over domains by weight (largest remainder), never more than a domain has.

    A domain that cannot fill its share gives the rest to the others, in proportion to their weights.
    """
    n = max(0, min(n, sum(available.get(d, 0) for d in weights)))
    alloc = {d: 0 for d in weights}
    pool = [d for d in sorted(weights) if weights[d] > 0 and available.get(d, 0) > 0]
    remaining = n
    while remaining > 0 and pool:
        total = sum(weights[d] for d in pool)
        quota = {d: remaining * weights[d] / total for d in pool}
        share = {d: math.floor(quota[d]) for d in pool}
        left = remaining - sum(share.values())
        for d in sorted(pool, key=lambda d: (-(quota[d] - share[d]), -weights[d], d))[:left]:
            share[d] += 1
        over = [d for d in pool if share[d] > available[d]]
        if not over:
            for d in pool:
                alloc[d] += share[d]
            break
        for d in over:  # fill the short domains completely and split what is left again
            alloc[d] = available[d]
            remaining -= available[d]
        pool = [d for d in pool if d not in over]
    return alloc


def default_count(exam: ExamInfo, available: int) -> int:
    """The real exam's length, or the whole pool when the bank is smaller."""
    return min(exam.total, available)


def default_minutes(exam: ExamInfo, count: int) -> int:
    """The real exam's time, pro rata for a shorter form (at least 1 minute)."""
    if count >= exam.total:
        return exam.minutes
    return max(1, math.ceil(exam.minutes * count / exam.total))


def draw_form(content: ContentSet, exam: ExamInfo, count: int | None = None, seed: int = 0) -> list[ExamItem]:
    """The seeded form: questions weighted by domain, shuffled, with variant seeds; see the module doc."""
    pool = exam_pool(content, exam)
    available = {d: len(qs) for d, qs in pool.items()}
    total_available = sum(available.values())
    if total_available == 0:
        raise UsageError(f"no question is tagged for {exam.code} yet",
                         hint="`ecslearn quiz --list` shows each question's exam tags")
    if count is None:
        count = default_count(exam, total_available)
    if count < 1:
        raise UsageError("--count must be at least 1")
    rng = random.Random(f"exam:{exam.code}:{seed}")
    alloc = allocate({d.id: d.weight for d in exam.domains}, available, count)
    chosen: list[tuple[int, Question]] = []
    for d in sorted(pool):
        picks = list(pool[d])
        rng.shuffle(picks)
        chosen.extend((d, q) for q in picks[:alloc[d]])
    rng.shuffle(chosen)
    pilots: set[int] = set()
    if len(chosen) >= exam.total and exam.unscored:
        pilots = set(rng.sample(range(len(chosen)), round(exam.unscored * len(chosen) / exam.total)))
    items = []
    for i, (d, q) in enumerate(chosen):
        found = domain_of(q.exams, exam.code)
        assert found is not None
        items.append(ExamItem(q.id, rng.randrange(1_000_000), d, found[1], i not in pilots))
    return items


def concrete(content: ContentSet, item: ExamItem) -> ConcreteQuestion:
    q = content.question(item.question)
    if q is None:
        raise UsageError(f"question '{item.question}' of this exam is no longer in the question bank",
                         hint="start a new exam: ecslearn exam --new")
    return variant(q, item.seed)


# --- attempts -----------------------------------------------------------------------------------


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Attempt:
    """An exam in progress (or submitted): everything needed to resume it and to score it."""

    exam: str
    seed: int
    minutes: float
    items: list[ExamItem]
    id: str = field(default_factory=lambda: secrets.token_hex(4))
    answers: dict[int, str] = field(default_factory=dict)   # item index → answer text as typed
    flags: set[int] = field(default_factory=set)
    position: int = 0
    elapsed: float = 0.0                                      # exam seconds used so far
    started_at: str = field(default_factory=_now_iso)
    content_dir: str | None = None

    @property
    def limit(self) -> float:
        return self.minutes * 60

    def to_dict(self) -> dict[str, Any]:
        return {"format": ATTEMPT_FORMAT, "id": self.id, "exam": self.exam, "seed": self.seed,
                "minutes": self.minutes, "started_at": self.started_at, "elapsed": round(self.elapsed, 3),
                "position": self.position, "content_dir": self.content_dir,
                "items": [i.to_dict() for i in self.items],
                "answers": {str(k): v for k, v in sorted(self.answers.items())}, "flags": sorted(self.flags)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Attempt:
        return cls(exam=str(d["exam"]), seed=int(d["seed"]), minutes=float(d["minutes"]),
                   items=[ExamItem.from_dict(i) for i in d["items"]], id=str(d["id"]),
                   answers={int(k): str(v) for k, v in d.get("answers", {}).items()},
                   flags={int(f) for f in d.get("flags", [])}, position=int(d.get("position", 0)),
                   elapsed=float(d.get("elapsed", 0.0)), started_at=str(d.get("started_at", "")),
                   content_dir=d.get("content_dir"))

    def status(self) -> dict[str, list[int]]:
        """Item numbers (1-based) answered, unanswered and flagged: the review screen."""
        n = len(self.items)
        return {"answered": [i + 1 for i in range(n) if i in self.answers],
                "unanswered": [i + 1 for i in range(n) if i not in self.answers],
                "flagged": [i + 1 for i in sorted(self.flags)]}


class ExamSession:
    """Navigation, answers, flags and the clock of one attempt; `save` is called after every change."""

    def __init__(self, attempt: Attempt, *, save: Callable[[Attempt], None] | None = None,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.attempt = attempt
        self._save = save
        self._clock = clock
        self._base = attempt.elapsed
        self._since = clock()

    # time
    def elapsed(self) -> float:
        return self._base + (self._clock() - self._since)

    def time_left(self) -> float:
        return max(0.0, self.attempt.limit - self.elapsed())

    def expired(self) -> bool:
        return self.elapsed() >= self.attempt.limit

    def checkpoint(self) -> None:
        """Record the time used and save (after every answer, flag or move)."""
        self.attempt.elapsed = min(self.elapsed(), self.attempt.limit)
        if self._save is not None:
            self._save(self.attempt)

    # navigation
    @property
    def index(self) -> int:
        return self.attempt.position

    def go(self, number: int) -> None:
        """Go to question `number` (1-based)."""
        if not 1 <= number <= len(self.attempt.items):
            raise UsageError(f"there is no question {number}; questions are 1-{len(self.attempt.items)}")
        self.attempt.position = number - 1
        self.checkpoint()

    def next(self) -> bool:
        """Move on; False at the last question (stays there)."""
        if self.attempt.position + 1 >= len(self.attempt.items):
            return False
        self.attempt.position += 1
        self.checkpoint()
        return True

    def back(self) -> bool:
        if self.attempt.position == 0:
            return False
        self.attempt.position -= 1
        self.checkpoint()
        return True

    def answer(self, text: str) -> bool:
        """Record an answer for the current question; False (and nothing recorded) once time is up."""
        if self.expired():
            return False
        if text.strip():
            self.attempt.answers[self.attempt.position] = text
        else:
            self.attempt.answers.pop(self.attempt.position, None)
        self.checkpoint()
        return True

    def toggle_flag(self) -> bool:
        """Flag (or unflag) the current question; returns whether it is now flagged."""
        pos = self.attempt.position
        if pos in self.attempt.flags:
            self.attempt.flags.discard(pos)
        else:
            self.attempt.flags.add(pos)
        self.checkpoint()
        return pos in self.attempt.flags


# --- scoring ------------------------------------------------------------------------------------


def scaled_estimate(fraction: float, exam: ExamInfo, lo: int = 100, hi: int = 1000) -> int:
    """UNOFFICIAL estimate on AWS's 100-1000 scale: piecewise linear, the pass fraction at the pass mark."""
    p = exam.estimate_pass_fraction
    fraction = min(1.0, max(0.0, fraction))
    if fraction <= p:
        value = lo + (exam.passing_score - lo) * fraction / p
    else:
        value = exam.passing_score + (hi - exam.passing_score) * (fraction - p) / (1 - p)
    scaled = math.floor(value + 0.5)
    if fraction + 1e-9 < p:
        scaled = min(scaled, exam.passing_score - 1)  # rounding never turns a fail into a pass
    return scaled


SCALE_NOTE = ("Unofficial estimate: AWS scales scores with an equating method it does not publish. ecslearn maps "
              "the raw fraction linearly from 0 → 100 to the assumed pass fraction → the pass mark, and from there "
              "to 1 → 1000.")


@dataclass
class ItemResult:
    number: int
    item: ExamItem
    answered: bool
    flagged: bool
    grade: Grade | None          # None when the question's scenario could not be run
    topic: str = ""
    prompt: str = ""
    error: str | None = None
    options: tuple[tuple[str, str], ...] = ()   # (letter, text) of choice questions, as shown

    @property
    def correct(self) -> bool:
        return bool(self.grade and self.grade.correct)

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, **self.item.to_dict(), "topic": self.topic, "answered": self.answered,
                "flagged": self.flagged, "correct": self.correct, "prompt": self.prompt, "error": self.error,
                "options": [list(o) for o in self.options],
                "grade": self.grade.to_dict() if self.grade else None}


@dataclass
class DomainScore:
    id: int
    name: str
    weight: float
    total: int
    correct: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.correct / self.total, 1) if self.total else None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "weight": self.weight, "total": self.total,
                "correct": self.correct, "percent": self.percent}


@dataclass
class ExamResult:
    exam: ExamInfo
    attempt_id: str
    seed: int
    items: list[ItemResult]
    correct: int
    total: int
    scaled: int
    passed: bool
    domains: list[DomainScore]
    time_used: float
    time_limit: float
    timed_out: bool = False
    submitted_at: str = field(default_factory=_now_iso)

    @property
    def fraction(self) -> float:
        return self.correct / self.total if self.total else 0.0

    @property
    def wrong(self) -> list[ItemResult]:
        return [r for r in self.items if not r.correct]

    def to_dict(self) -> dict[str, Any]:
        return {
            "exam": self.exam.code, "exam_name": self.exam.name, "attempt": self.attempt_id, "seed": self.seed,
            "submitted_at": self.submitted_at, "raw": {"correct": self.correct, "total": self.total,
                                                       "percent": round(100 * self.fraction, 1)},
            "scaled_estimate": {"value": self.scaled, "unofficial": True, "passing_score": self.exam.passing_score,
                                "assumed_pass_fraction": self.exam.estimate_pass_fraction, "note": SCALE_NOTE},
            "passed": self.passed, "domains": [d.to_dict() for d in self.domains],
            "time": {"used_seconds": round(self.time_used), "limit_seconds": round(self.time_limit),
                     "timed_out": self.timed_out},
            "unscored_items": [r.number for r in self.items if not r.item.scored],
            "items": [r.to_dict() for r in self.items],
        }

    def summary(self) -> dict[str, Any]:
        """What the learner state keeps in the history of attempts."""
        return {"id": self.attempt_id, "exam": self.exam.code, "seed": self.seed, "submitted_at": self.submitted_at,
                "correct": self.correct, "total": self.total, "scaled_estimate": self.scaled, "passed": self.passed,
                "timed_out": self.timed_out, "time_used": round(self.time_used),
                "domains": {str(d.id): {"correct": d.correct, "total": d.total} for d in self.domains},
                "items": [{"question": r.item.question, "seed": r.item.seed, "domain": r.item.domain,
                           "scored": r.item.scored, "answered": r.answered, "correct": r.correct}
                          for r in self.items]}


def _unanswered_grade(engine: Engine, cq: ConcreteQuestion) -> Grade:
    q = cq.question
    key = engine.key(cq)
    return Grade(question_id=q.id, seed=cq.seed, kind=q.kind, correct=False, given="",
                 correct_answer=answer_text(cq, key), explanation=q.explanation, sources=q.sources,
                 evidence=key.evidence, why=None, simulator_checked=key.simulator_checked)


def score_attempt(attempt: Attempt, content: ContentSet, exam: ExamInfo, engine: Engine | None = None, *,
                  timed_out: bool = False) -> ExamResult:
    """Grade every answer and compute the raw score, the per-domain breakdown and the scaled estimate.

    Unscored (pilot) items and items whose scenario cannot be run do not count.
    """
    engine = engine or Engine()
    results: list[ItemResult] = []
    for i, item in enumerate(attempt.items):
        answered = i in attempt.answers
        grade: Grade | None = None
        error = None
        topic = prompt = ""
        options: tuple[tuple[str, str], ...] = ()
        try:
            cq = concrete(content, item)
            topic, prompt = cq.question.topic, cq.question.prompt
            options = tuple((o.letter, o.text) for o in cq.question.options)
            grade = engine.grade(cq, attempt.answers[i]) if answered else _unanswered_grade(engine, cq)
        except (ContentError, ScenarioError, SimulatorError, UsageError) as err:
            error = getattr(err, "message", str(err))
        results.append(ItemResult(i + 1, item, answered, i in attempt.flags, grade, topic, prompt, error, options))
    counted = [r for r in results if r.item.scored and r.error is None]
    correct = sum(1 for r in counted if r.correct)
    total = len(counted)
    domains = []
    for d in exam.domains:
        rows = [r for r in counted if r.item.domain == d.id]
        if rows or d.weight:
            domains.append(DomainScore(d.id, d.name, d.weight, len(rows), sum(1 for r in rows if r.correct)))
    fraction = correct / total if total else 0.0
    passed = total > 0 and fraction + 1e-9 >= exam.estimate_pass_fraction
    return ExamResult(exam=exam, attempt_id=attempt.id, seed=attempt.seed, items=results, correct=correct,
                      total=total, scaled=scaled_estimate(fraction, exam), passed=passed, domains=domains,
                      time_used=min(attempt.elapsed, attempt.limit), time_limit=attempt.limit, timed_out=timed_out)


def new_attempt(content: ContentSet, exam: ExamInfo, *, count: int | None = None, minutes: float | None = None,
                seed: int | None = None, content_dir: str | None = None) -> Attempt:
    seed = seed if seed is not None else secrets.randbelow(1_000_000)
    items = draw_form(content, exam, count, seed)
    if minutes is not None and minutes <= 0:
        raise UsageError("--minutes must be more than 0")
    return Attempt(exam=exam.code, seed=seed, items=items,
                   minutes=minutes if minutes is not None else default_minutes(exam, len(items)),
                   content_dir=content_dir)


#: which answers the free-form kinds take over several lines (stdin: end with a line holding only '.')
MULTILINE_KINDS = (Kind.CONFIG, Kind.COMMAND, Kind.TASKDEF)
