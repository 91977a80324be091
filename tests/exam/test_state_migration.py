"""A learner state written before exams and review existed (format 1) loads, is migrated and keeps everything."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path

from ecslearn.cli.main import _announce_due_cards
from ecslearn.progress import ProgressStore
from ecslearn.progress.store import STATE_FORMAT
from ecslearn.review.engine import ReviewDeck

OLD = Path(__file__).resolve().parent / "fixtures" / "state-format1.json"


def test_a_format_1_file_loads_and_is_migrated(tmp_path):
    path = tmp_path / "state.json"
    shutil.copy(OLD, path)
    store = ProgressStore(path, strict=True)
    state = store.load()
    assert store.warnings == []
    assert state.exam_current is None and state.review_synced == 0
    assert state.current_lesson == "01-containers-and-orchestration"
    assert state.lesson("01-containers-and-orchestration").done_steps == ["intro"]
    assert [a.question for a in state.quiz_answers] == ["ex-saa-d1-q1", "ex-saa-d2-q1"]
    # the miss made before spaced review existed becomes a card
    assert ReviewDeck(state).sync(now=datetime(2026, 11, 3, tzinfo=UTC)) == ["ex-saa-d1-q1"]
    store.save(state)
    doc = json.loads(path.read_text())
    assert doc["format"] == STATE_FORMAT == 2
    assert doc["exams"] == {"attempts": [], "current": None}
    assert doc["review"]["synced_answers"] == 2 and list(doc["review"]["cards"]) == ["ex-saa-d1-q1"]
    assert doc["created_at"] == "2026-11-01T10:00:00+00:00"
    assert ProgressStore(path, strict=True).load().review_cards.keys() == {"ex-saa-d1-q1"}


def test_starting_ecslearn_announces_due_cards(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ECSLEARN_HOME", str(tmp_path))
    _announce_due_cards()
    assert capsys.readouterr().err == ""
    shutil.copy(OLD, tmp_path / "state.json")   # one old miss: due as soon as it becomes a card
    _announce_due_cards()
    assert capsys.readouterr().err == "1 review card due: ecslearn review\n"
