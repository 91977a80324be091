"""`ecslearn stats`: accuracy by topic and exam domain per week, exam trend, cards due; 80 columns, NO_COLOR."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from ecslearn.exam import data
from ecslearn.progress import LearnerState, ProgressStore
from ecslearn.review.engine import ReviewDeck
from ecslearn.stats.engine import compute
from ecslearn.ui.stats import spark

BANK = Path(__file__).resolve().parent / "exam" / "fixtures" / "bank"
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)   # a Wednesday of ISO week 2026-W10


def _answer(state: LearnerState, qid: str, ok: bool, days_ago: int, mode: str = "practice") -> None:
    state.record_answer(qid, ok, mode=mode)
    state.quiz_answers[-1].at = (NOW - timedelta(days=days_ago)).isoformat()


def test_accuracy_by_topic_and_domain_per_week_and_exam_trend():
    st = LearnerState()
    _answer(st, "q1", False, 7)     # week W09
    _answer(st, "q1", True, 0)      # week W10
    _answer(st, "q2", True, 0)
    _answer(st, "q3", False, 0, "exam")
    st.lesson("01-a").completed_at = "2026-03-01T00:00:00+00:00"
    st.lesson("02-b")
    st.exam_attempts += [{"exam": "SAA-C03", "scaled_estimate": 531, "passed": False, "correct": 2, "total": 4},
                         {"exam": "SAA-C03", "scaled_estimate": 720, "passed": True, "correct": 3, "total": 4}]
    deck = ReviewDeck(st)
    deck.add("q3", now=NOW)
    deck.add("q9", now=NOW + timedelta(days=2))
    topics = {"q1": "fargate", "q2": "fargate", "q3": "services"}
    tags = {"q1": ("SAA-C03:1.1", "SAA-C03:1.2", "DVA-C02:3.1"), "q2": ("SAA-C03:2.1",), "q3": ("SAA-C03:2.1",)}
    doc = compute(st, topics=topics, tags=tags, exams=data.load(), lessons_total=5, now=NOW, weeks=2, days=3)
    assert doc["lessons"]["done"] == 1 and doc["lessons"]["in_progress"] == 1 and doc["lessons"]["total"] == 5
    assert doc["answers"]["answered"] == 4 and doc["answers"]["accuracy"] == 0.5
    assert doc["answers"]["by_mode"] == {"practice": {"answered": 3, "correct": 2}, "exam": {"answered": 1, "correct": 0}}
    # weakest first
    assert [(t["topic"], t["correct"], t["answered"]) for t in doc["by_topic"]] == [("services", 0, 1), ("fargate", 2, 3)]
    fargate = doc["by_topic"][1]
    assert [(w["week"], w["answered"], w["correct"]) for w in fargate["weeks"]] == [("2026-W09", 1, 0), ("2026-W10", 2, 2)]
    dom = {(d["exam"], d["domain"]): (d["correct"], d["answered"], d["name"]) for d in doc["by_domain"]}
    # q1 has two SAA domain-1 tags: counted once for domain 1
    assert dom == {("DVA-C02", 3): (1, 2, "Deployment"), ("SAA-C03", 1): (1, 2, "Design Secure Architectures"),
                   ("SAA-C03", 2): (1, 2, "Design Resilient Architectures")}
    assert doc["exams"]["trend"]["SAA-C03"] == {"attempts": 2, "first": 531, "last": 720, "best": 720, "change": 189}
    assert doc["review"]["cards"] == 2 and doc["review"]["due_now"] == 1
    assert [d["due"] for d in doc["review"]["next_days"]] == [1, 0, 1]
    json.dumps(doc)  # the --json document is plain JSON


def test_spark_marks_weeks_without_answers():
    assert spark([None, 0.0, 0.5, 1.0]) == "·▁▅█"


def test_stats_cli_fits_80_columns_without_colour(tmp_path):
    home = tmp_path / "home"
    store = ProgressStore(home / "state.json")
    with store.transaction() as st:
        for qid, ok in (("ex-saa-d1-q1", True), ("ex-saa-d2-q1", False), ("ex-saa-d3-q1", True)):
            st.record_answer(qid, ok)
        st.exam_attempts.append({"exam": "SAA-C03", "submitted_at": "2026-11-01T10:00:00+00:00", "correct": 3,
                                 "total": 4, "scaled_estimate": 798, "passed": True})
        ReviewDeck(st).sync()
    env = {**os.environ, "ECSLEARN_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "80"}
    env.pop("ECSLEARN_CONTENT_DIR", None)
    out = subprocess.run([sys.executable, "-m", "ecslearn", "stats", "--content-dir", str(BANK)], capture_output=True,
                         text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "\x1b[" not in text
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "Design Secure" in text and "SAA-C03 1" in text and "798" in text and "Review cards: 1, 1 due now" in text
    doc = json.loads(subprocess.run([sys.executable, "-m", "ecslearn", "stats", "--json", "--content-dir", str(BANK)],
                                    capture_output=True, text=True, env=env, timeout=60).stdout)
    assert doc["answers"]["answered"] == 3 and doc["by_topic"]
