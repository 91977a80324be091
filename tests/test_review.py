"""Spaced review: FSRS on a simulated calendar, cram leaves the schedule alone, misses become cards, CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ecslearn.errors import UsageError
from ecslearn.progress import LearnerState, ProgressStore
from ecslearn.review.due import due_count
from ecslearn.review.engine import ReviewDeck, parse_rating, review_seed

BANK = Path(__file__).resolve().parent / "exam" / "fixtures" / "bank"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_ratings_on_given_days_give_these_due_dates():
    """Each review happens when the card falls due; fuzzing is off, so the dates are exact (fsrs 6 defaults)."""
    deck = ReviewDeck(LearnerState())
    deck.add("q", now=T0)
    at = T0
    seen = []
    for rating in ["good", "good", "good", "good", "again", "good"]:
        card = deck.rate("q", rating, now=at)
        seen.append((at.isoformat(), rating, card.due.isoformat(), card.card.state.name))
        at = card.due
    assert seen == [
        ("2026-01-05T09:00:00+00:00", "good", "2026-01-05T09:10:00+00:00", "Learning"),   # 2nd learning step
        ("2026-01-05T09:10:00+00:00", "good", "2026-01-07T09:10:00+00:00", "Review"),     # graduates: 2 days
        ("2026-01-07T09:10:00+00:00", "good", "2026-01-18T09:10:00+00:00", "Review"),     # 11 days
        ("2026-01-18T09:10:00+00:00", "good", "2026-03-05T09:10:00+00:00", "Review"),     # 46 days
        ("2026-03-05T09:10:00+00:00", "again", "2026-03-05T09:20:00+00:00", "Relearning"),  # a lapse: 10 min
        ("2026-03-05T09:20:00+00:00", "good", "2026-03-08T09:20:00+00:00", "Review"),     # shorter interval now
    ]
    assert deck.get("q").reviews == 6 and deck.get("q").last_rating == "good"


def test_easy_schedules_further_than_good_and_hard_and_again_sooner():
    dues = {}
    for rating in ("again", "hard", "good", "easy"):
        deck = ReviewDeck(LearnerState())
        deck.add("q", now=T0)
        dues[rating] = deck.rate("q", rating, now=T0).due
    assert dues["again"] < dues["hard"] <= dues["good"] < dues["easy"]


def test_due_first_and_upcoming_days():
    deck = ReviewDeck(LearnerState())
    for qid, days in (("late", -3), ("now", 0), ("later", 2), ("far", 30)):
        deck.add(qid, now=T0 + timedelta(days=days))
    assert [c.question for c in deck.session(now=T0)] == ["late", "now"]
    assert [c.question for c in deck.session(now=T0, count=1)] == ["late"]
    cram = deck.session(now=T0, cram=True)
    assert [c.question for c in cram] == ["late", "now", "later", "far"]
    up = deck.upcoming(now=T0, days=3)
    assert [u["due"] for u in up] == [2, 0, 1] and up[0]["date"] == "2026-01-05"


def test_cram_leaves_the_schedule_unchanged(tmp_path, monkeypatch):
    home = tmp_path / "home"
    store = ProgressStore(home / "state.json")
    with store.transaction() as st:
        deck = ReviewDeck(st)
        deck.add("ex-saa-d1-q1", now=T0)
        deck.rate("ex-saa-d1-q1", "good", now=T0)   # due in the future now
        deck.add("ex-saa-d2-q1", now=T0)
    before = json.loads((home / "state.json").read_text())["review"]["cards"]
    out = cli(home, "--cram", "--seed", "1", "--json", stdin="A\nB\n")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert [r["rating"] for r in doc["reviewed"]] == [None, None] and doc["cram"] is True
    after = json.loads((home / "state.json").read_text())
    assert after["review"]["cards"] == before
    assert [a["mode"] for a in after["quiz"]["answers"]] == ["cram", "cram"]
    # a cram miss does not turn into a lapse on the next sync
    with store.transaction() as st:
        ReviewDeck(st).sync()
    assert json.loads((home / "state.json").read_text())["review"]["cards"] == before


def test_missed_quiz_and_exam_answers_become_cards_and_a_later_miss_is_a_lapse():
    st = LearnerState()
    st.record_answer("a", False, mode="practice")
    st.record_answer("b", True, mode="practice")
    st.record_answer("c", False, mode="exam")
    deck = ReviewDeck(st)
    assert deck.sync(now=T0) == ["a", "c"]
    assert deck.sync(now=T0) == []            # each answer is synced once
    deck.rate("a", "easy", now=T0)
    far = deck.get("a").due
    st.record_answer("a", False, mode="practice")
    st.quiz_answers[-1].at = (T0 + timedelta(days=1)).isoformat()
    deck.sync(now=T0 + timedelta(days=1))
    card = deck.get("a")
    assert card.last_rating == "again" and card.due < far


def test_rating_a_question_makes_it_a_card_and_ratings_parse():
    deck = ReviewDeck(LearnerState())
    deck.rate("new-one", "3", now=T0)
    assert deck.get("new-one").source == "rated"
    assert [parse_rating(x) for x in ("again", "H", "3", "Easy")] == ["again", "hard", "good", "easy"]
    with pytest.raises(UsageError):
        parse_rating("maybe")


def test_each_review_draws_a_new_variant():
    deck = ReviewDeck(LearnerState())
    card = deck.add("ex-param", now=T0)
    seeds = set()
    for _ in range(5):
        seed = review_seed("ex-param", card, 7, variants=4)
        assert seed != card.last_seed
        seeds.add(seed)
        card = deck.rate("ex-param", "good", now=T0, seed=seed)
    assert len(seeds) == 5


def test_fsrs_needs_aware_datetimes():
    deck = ReviewDeck(LearnerState())
    with pytest.raises(ValueError):
        deck.add("q", now=datetime(2026, 1, 1))


def test_due_count_is_cheap_and_counts_unsynced_misses(tmp_path):
    path = tmp_path / "state.json"
    assert due_count(path) == 0
    store = ProgressStore(path)
    with store.transaction() as st:
        st.record_answer("x", False)
        deck = ReviewDeck(st)
        deck.add("y", now=T0)
        deck.add("z", now=T0 + timedelta(days=400))
    assert due_count(path, now=T0 + timedelta(days=1)) == 2  # y is due, x is a miss not yet a card


def cli(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ECSLEARN_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "80"}
    env.pop("ECSLEARN_CONTENT_DIR", None)
    return subprocess.run([sys.executable, "-m", "ecslearn", "review", "--content-dir", str(BANK), *args],
                          input=stdin, capture_output=True, text=True, env=env, timeout=60)


def test_review_cli_rates_due_cards_and_reschedules_them(tmp_path):
    home = tmp_path / "home"
    assert "No review cards yet" in cli(home).stdout
    assert cli(home, "--add", "ex-saa-d1-q1", "--add", "ex-saa-d2-q1").returncode == 0
    assert "no question with id 'nope'" in cli(home, "--add", "nope").stderr
    out = cli(home, "--seed", "3", "--json", stdin="A\n\nC\nhard\n")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert [(r["question"], r["correct"], r["rating"]) for r in doc["reviewed"]] == [
        ("ex-saa-d1-q1", True, "good"), ("ex-saa-d2-q1", False, "hard")]
    cards = json.loads((home / "state.json").read_text())["review"]["cards"]
    assert cards["ex-saa-d1-q1"]["reviews"] == 1 and cards["ex-saa-d2-q1"]["last_rating"] == "hard"
    assert "No review card is due" in cli(home).stdout


def test_a_person_reviews_a_card_at_a_terminal(tmp_path):
    pexpect = pytest.importorskip("pexpect")
    home = tmp_path / "home"
    assert cli(home, "--add", "ex-saa-d1-q1").returncode == 0
    env = {**os.environ, "ECSLEARN_HOME": str(home), "NO_COLOR": "1", "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    env.pop("ECSLEARN_CONTENT_DIR", None)
    child = pexpect.spawn(sys.executable, ["-m", "ecslearn", "review", "--content-dir", str(BANK)], env=env,
                          encoding="utf-8", timeout=30, dimensions=(40, 120))
    child.expect("Your answer")
    child.send("a")
    child.send("\r")
    child.expect("Correct")
    child.expect("How well did you know it")
    child.send("4")                      # Easy
    child.send("\r")
    child.expect("Next review")
    child.expect("Review: 1 card")
    child.expect(pexpect.EOF)
    card = json.loads((home / "state.json").read_text())["review"]["cards"]["ex-saa-d1-q1"]
    assert card["last_rating"] == "easy" and card["reviews"] == 1
