"""Spaced review with FSRS (the `fsrs` package, no optimizer): cards, ratings, due dates. Returns data.

- A card is one question id, stored in the learner state's `review.cards` as
  `{"question", "fsrs": Card.to_dict(), "added_at", "source", "reviews", "last_rating", "last_seed"}`.
- Every missed question becomes a card: `ReviewDeck.sync` reads the quiz and exam answers recorded
  since the last sync (`review.synced_answers`). A question missed again after its last review is
  rated Again at the time of the miss. Answers given in review itself are not re-synced.
- Every question the learner rates becomes a card (`rate` adds it when missing; `add` adds it).
- FSRS works in UTC: every method takes `now` (a tz-aware datetime) so tests run on a simulated
  calendar. Fuzzing is off, so the same ratings on the same days always give the same due dates.
- Cram (`session(cram=True)`) picks cards without rating them: the schedule is untouched.
- Parameterised questions are re-drawn each review: `review_seed` gives a new variant seed per review.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from fsrs import Card, Rating, Scheduler

from ecslearn.errors import UsageError
from ecslearn.progress.store import LearnerState

RATINGS: dict[str, Rating] = {"again": Rating.Again, "hard": Rating.Hard, "good": Rating.Good, "easy": Rating.Easy}
RATING_KEYS = {"1": "again", "2": "hard", "3": "good", "4": "easy", "a": "again", "h": "hard", "g": "good",
               "e": "easy"}
#: answer modes that are not turned into cards by sync (they come from review itself)
_NOT_SYNCED = ("review", "cram")


def parse_rating(text: str) -> str:
    """`again`/`hard`/`good`/`easy`, `1`-`4` or the first letter → the rating name; UsageError otherwise."""
    t = text.strip().lower()
    if t in RATINGS:
        return t
    if t in RATING_KEYS:
        return RATING_KEYS[t]
    raise UsageError(f"'{text}' is not a rating: answer again, hard, good or easy (or 1-4)")


def utc(value: datetime | None = None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    if value.tzinfo is None:
        raise ValueError("FSRS needs timezone-aware UTC datetimes")
    return value.astimezone(UTC)


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        t = datetime.fromisoformat(text)
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def card_id(question: str) -> int:
    """A stable FSRS card id for a question (fsrs would otherwise use the wall clock)."""
    return int(hashlib.sha1(question.encode()).hexdigest()[:12], 16)


def default_scheduler() -> Scheduler:
    return Scheduler(enable_fuzzing=False)


@dataclass
class ReviewCard:
    question: str
    card: Card
    added_at: str
    source: str = "missed"
    reviews: int = 0
    last_rating: str | None = None
    last_seed: int | None = None

    @property
    def due(self) -> datetime:
        return self.card.due

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "fsrs": self.card.to_dict(), "added_at": self.added_at,
                "source": self.source, "reviews": self.reviews, "last_rating": self.last_rating,
                "last_seed": self.last_seed}

    @classmethod
    def from_dict(cls, question: str, d: dict[str, Any]) -> ReviewCard:
        raw = d.get("fsrs")
        if isinstance(raw, dict):
            card = Card.from_dict(raw)  # type: ignore[arg-type]
        else:  # a card written before review existed (or by hand): new, due when it was added
            due = _parse_time(d.get("added_at")) or _parse_time(d.get("due")) or utc()
            card = Card(card_id=card_id(question), due=due)
        return cls(question=question, card=card, added_at=str(d.get("added_at") or card.due.isoformat()),
                   source=str(d.get("source", "missed")), reviews=int(d.get("reviews", 0)),
                   last_rating=d.get("last_rating"), last_seed=d.get("last_seed"))


class ReviewDeck:
    """The learner's review cards, read from and written back to a LearnerState."""

    def __init__(self, state: LearnerState, scheduler: Scheduler | None = None) -> None:
        self.state = state
        self.scheduler = scheduler or default_scheduler()

    def cards(self) -> list[ReviewCard]:
        out = []
        for qid, d in self.state.review_cards.items():
            try:
                out.append(ReviewCard.from_dict(qid, d if isinstance(d, dict) else {}))
            except (KeyError, TypeError, ValueError):
                continue  # a damaged card is skipped, not fatal
        return out

    def get(self, question: str) -> ReviewCard | None:
        d = self.state.review_cards.get(question)
        return ReviewCard.from_dict(question, d) if isinstance(d, dict) else None

    def _put(self, card: ReviewCard) -> None:
        self.state.review_cards[card.question] = card.to_dict()

    def add(self, question: str, *, now: datetime | None = None, source: str = "added") -> ReviewCard:
        """Make `question` a card (due now); an existing card is returned unchanged."""
        found = self.get(question)
        if found is not None:
            return found
        now = utc(now)
        card = ReviewCard(question, Card(card_id=card_id(question), due=now), now.isoformat(timespec="seconds"),
                          source)
        self._put(card)
        return card

    def remove(self, question: str) -> bool:
        return self.state.review_cards.pop(question, None) is not None

    def rate(self, question: str, rating: str | Rating, *, now: datetime | None = None,
             seed: int | None = None) -> ReviewCard:
        """Record a review: FSRS computes the next due date. A question without a card gets one."""
        now = utc(now)
        name = rating if isinstance(rating, str) else rating.name.lower()
        name = parse_rating(name)
        card = self.get(question) or self.add(question, now=now, source="rated")
        new_card, _log = self.scheduler.review_card(card.card, RATINGS[name], review_datetime=now)
        card.card = new_card
        card.reviews += 1
        card.last_rating = name
        if seed is not None:
            card.last_seed = seed
        self._put(card)
        return card

    def sync(self, *, now: datetime | None = None) -> list[str]:
        """Turn the quiz and exam answers missed since the last sync into cards; return the new card ids."""
        now = utc(now)
        answers = self.state.quiz_answers
        start = min(max(0, self.state.review_synced), len(answers))
        added = []
        for a in answers[start:]:
            if a.correct or a.mode in _NOT_SYNCED:
                continue
            at = _parse_time(a.at) or now
            at = min(at, now)
            card = self.get(a.question)
            if card is None:
                self.add(a.question, now=at, source=f"missed in {a.mode}")
                added.append(a.question)
            elif card.reviews and (card.card.last_review is None or at > card.card.last_review):
                self.rate(a.question, "again", now=at)  # missed again after a review: a lapse
        self.state.review_synced = len(answers)
        return added

    def due(self, *, now: datetime | None = None) -> list[ReviewCard]:
        """Cards due at `now`, most overdue first."""
        now = utc(now)
        return sorted((c for c in self.cards() if c.due <= now), key=lambda c: (c.due, c.question))

    def session(self, *, now: datetime | None = None, count: int | None = None, cram: bool = False,
                only: set[str] | None = None) -> list[ReviewCard]:
        """The cards to review: due cards first; cram takes every card (due first, then soonest due).

        `only` keeps the cards whose question is in the loaded question bank.
        """
        now = utc(now)
        if cram:
            picked = sorted(self.cards(), key=lambda c: (c.due > now, c.due, c.question))
        else:
            picked = self.due(now=now)
        if only is not None:
            picked = [c for c in picked if c.question in only]
        return picked[:count] if count is not None else picked

    def upcoming(self, *, now: datetime | None = None, days: int = 7) -> list[dict[str, Any]]:
        """How many cards fall due on each of the next `days` days (day 0 = today, including overdue)."""
        now = utc(now)
        today = now.date()
        counts = [0] * days
        for c in self.cards():
            offset = (c.due.astimezone(UTC).date() - today).days
            if offset < days:
                counts[max(0, offset)] += 1
        return [{"date": (today + timedelta(days=i)).isoformat(), "due": n} for i, n in enumerate(counts)]


def review_seed(question: str, card: ReviewCard | None, session_seed: int, variants: int) -> int:
    """A fresh variant seed for this review (never the previous review's seed when there is a choice)."""
    rng = random.Random(f"review:{session_seed}:{question}:{card.reviews if card else 0}")
    seed = rng.randrange(1_000_000)
    if card is not None and card.last_seed is not None and variants > 1:
        while seed == card.last_seed:
            seed = rng.randrange(1_000_000)
    return seed
