"""How many review cards are due, read straight from the state file (no fsrs, no content): for `ecslearn` start-up."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path


def due_count(path: Path, now: datetime | None = None) -> int:
    """Cards due now plus questions missed since the last review sync (they become cards). 0 on any problem."""
    now = now or datetime.now(UTC)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        review = data.get("review") or {}
        cards = review.get("cards") or {}
        n = 0
        for card in cards.values():
            raw = (card.get("fsrs") or {}).get("due") if isinstance(card, dict) else None
            if raw is None:
                n += 1
                continue
            due = datetime.fromisoformat(raw)
            if (due if due.tzinfo else due.replace(tzinfo=UTC)) <= now:
                n += 1
        answers = (data.get("quiz") or {}).get("answers") or []
        synced = int(review.get("synced_answers", 0)) if data.get("format", 1) >= 2 else 0
        missed = {a.get("question") for a in answers[synced:]
                  if isinstance(a, dict) and not a.get("correct") and a.get("mode") not in ("review", "cram")}
        return n + len(missed - set(cards))
    except (OSError, ValueError, TypeError, AttributeError):
        return 0
