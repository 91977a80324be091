"""Progress statistics from the learner state: data only (the `ecslearn stats --json` document).

- lessons: done / in progress (and how many exist, when the caller knows);
- accuracy per topic and per exam domain, overall and per ISO week (the last `weeks` weeks), from
  every recorded answer (quiz, exam, review, cram, lesson); a question tagged for several exams
  counts towards each of their domains;
- exam attempts in order, with the trend of the unofficial scaled estimate per exam;
- review cards: how many, due now, due on each of the next days.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from ecslearn.exam.data import ExamData, split_tag
from ecslearn.progress.store import LearnerState


def _when(text: str) -> datetime | None:
    try:
        t = datetime.fromisoformat(text)
    except (TypeError, ValueError):
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def week_of(d: date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def _acc(correct: int, answered: int) -> float | None:
    return round(correct / answered, 3) if answered else None


def compute(state: LearnerState, *, topics: dict[str, str] | None = None, tags: dict[str, tuple[str, ...]] | None = None,
            exams: ExamData | None = None, lessons_total: int | None = None, now: datetime | None = None,
            weeks: int = 6, days: int = 7) -> dict[str, Any]:
    """The statistics document. `topics`/`tags` map question ids to their topic and exam tags."""
    now = now or datetime.now(UTC)
    topics = topics or {}
    tags = tags or {}
    week_keys = [week_of((now - timedelta(weeks=i)).date()) for i in range(weeks - 1, -1, -1)]

    # lessons
    done = sorted(k for k, v in state.lessons.items() if v.completed_at)
    started = sorted(k for k, v in state.lessons.items() if not v.completed_at)
    lessons = {"done": len(done), "in_progress": len(started), "total": lessons_total, "done_ids": done,
               "in_progress_ids": started}

    # answers by topic and by exam domain, overall and by week
    def empty() -> dict[str, Any]:
        return {"answered": 0, "correct": 0, "weeks": defaultdict(lambda: [0, 0])}

    by_topic: dict[str, dict[str, Any]] = defaultdict(empty)
    by_domain: dict[tuple[str, int], dict[str, Any]] = defaultdict(empty)
    overall = empty()
    by_mode: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a in state.quiz_answers:
        when = _when(a.at)
        week = week_of(when.date()) if when else None
        rows = [overall, by_topic[topics.get(a.question, "unknown")]]
        seen: set[tuple[str, int]] = set()
        for tag in tags.get(a.question, ()):
            parts = split_tag(tag)
            if parts and (parts[0], parts[1]) not in seen:
                seen.add((parts[0], parts[1]))
                rows.append(by_domain[(parts[0], parts[1])])
        for row in rows:
            row["answered"] += 1
            row["correct"] += int(a.correct)
            if week:
                row["weeks"][week][0] += 1
                row["weeks"][week][1] += int(a.correct)
        by_mode[a.mode][0] += 1
        by_mode[a.mode][1] += int(a.correct)

    def finish(row: dict[str, Any]) -> dict[str, Any]:
        return {"answered": row["answered"], "correct": row["correct"], "accuracy": _acc(row["correct"], row["answered"]),
                "weeks": [{"week": w, "answered": row["weeks"][w][0], "correct": row["weeks"][w][1],
                           "accuracy": _acc(row["weeks"][w][1], row["weeks"][w][0])} for w in week_keys]}

    topic_rows = [{"topic": t, **finish(r)} for t, r in by_topic.items()]
    topic_rows.sort(key=lambda r: (r["accuracy"] if r["accuracy"] is not None else 2, r["topic"]))  # weakest first
    domain_rows = []
    for (code, dom), row in sorted(by_domain.items()):
        name = None
        if exams is not None and code in exams.exams:
            d = exams.exams[code].domain(dom)
            name = d.name if d else None
        domain_rows.append({"exam": code, "domain": dom, "name": name, **finish(row)})

    # exam attempts and trend
    attempts = []
    for at in state.exam_attempts:
        if not isinstance(at, dict):
            continue
        attempts.append({k: at.get(k) for k in ("id", "exam", "submitted_at", "correct", "total", "scaled_estimate",
                                                  "passed", "timed_out")})
    trend: dict[str, dict[str, Any]] = {}
    for a in attempts:
        code = str(a.get("exam"))
        t = trend.setdefault(code, {"attempts": 0, "first": None, "last": None, "best": None, "change": None})
        scaled = a.get("scaled_estimate")
        t["attempts"] += 1
        if isinstance(scaled, int | float):
            t["first"] = scaled if t["first"] is None else t["first"]
            t["last"] = scaled
            t["best"] = scaled if t["best"] is None else max(t["best"], scaled)
            t["change"] = t["last"] - t["first"]

    # review cards
    from ecslearn.review.engine import ReviewDeck  # fsrs only when stats are computed

    deck = ReviewDeck(state)
    cards = deck.cards()
    review = {"cards": len(cards), "due_now": sum(1 for c in cards if c.due <= now),
              "next_days": deck.upcoming(now=now, days=days)}

    return {
        "generated_at": now.isoformat(timespec="seconds"),
        "lessons": lessons,
        "answers": {**finish(overall), "by_mode": {m: {"answered": v[0], "correct": v[1]} for m, v in by_mode.items()}},
        "by_topic": topic_rows,
        "by_domain": domain_rows,
        "exams": {"attempts": attempts, "trend": trend},
        "review": review,
    }
