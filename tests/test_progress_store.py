"""The learner state store: atomic writes, corrupt and newer files kept aside, lessons and resets."""

from __future__ import annotations

import json
import os

import pytest

from ecslearn.errors import ProgressError
from ecslearn.progress import LearnerState, ProgressStore, data_dir
from ecslearn.progress.store import STATE_FORMAT


def test_state_lives_under_ecslearn_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ECSLEARN_HOME", str(tmp_path / "home"))
    assert data_dir() == tmp_path / "home"
    assert ProgressStore().path == tmp_path / "home" / "state.json"


def test_round_trip_keeps_answers_lessons_and_other_sections(tmp_path):
    store = ProgressStore(tmp_path / "state.json")
    with store.transaction() as state:
        state.record_answer("fargate-pair", False, seed=7, answer="B")
        state.set_position("03-services", "scale-up")
        state.mark_step_done("03-services", "create")
        state.mark_step_done("03-services", "create")
        state.exam_attempts.append({"form": "SAA-C03", "score": 700})
        state.review_cards["fargate-pair"] = {"due": "2026-01-01"}
    data = json.loads((tmp_path / "state.json").read_text())
    assert data["format"] == STATE_FORMAT
    assert data["quiz"]["answers"][0]["question"] == "fargate-pair"
    loaded = ProgressStore(tmp_path / "state.json").load()
    assert loaded.answers_for("fargate-pair")[0].seed == 7
    assert loaded.current_lesson == "03-services"
    assert loaded.lesson("03-services").done_steps == ["create"]
    assert loaded.lesson_status("03-services") == "in progress"
    assert loaded.exam_attempts == [{"form": "SAA-C03", "score": 700}]
    assert loaded.missed_recently() == ["fargate-pair"]


def test_unknown_sections_survive_a_save(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"format": 1, "quiz": {"answers": []}, "future_feature": {"x": 1}}))
    store = ProgressStore(path)
    with store.transaction() as state:
        state.record_answer("q", True)
    assert json.loads(path.read_text())["future_feature"] == {"x": 1}


def test_an_interrupted_write_leaves_the_previous_state_intact(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    store = ProgressStore(path)
    with store.transaction() as state:
        state.record_answer("first", True)
    before = path.read_text()

    def crash(*_args, **_kwargs):
        raise KeyboardInterrupt  # as if Ctrl-C arrived between writing the temp file and the rename

    monkeypatch.setattr(os, "replace", crash)
    state = store.load()
    state.record_answer("second", True)
    with pytest.raises(KeyboardInterrupt):
        store.save(state)
    monkeypatch.undo()
    assert path.read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == ["state.json"]  # no temp file
    assert [a.question for a in ProgressStore(path).load().quiz_answers] == ["first"]


def test_a_write_that_dies_mid_json_leaves_the_previous_state(tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    store = ProgressStore(path)
    store.save(LearnerState())
    before = path.read_text()
    real_dump = json.dump

    def half_dump(obj, fh, **kw):
        fh.write('{"format": 1, "quiz": ')
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(json, "dump", half_dump)
    with pytest.raises(OSError):
        store.save(LearnerState())
    monkeypatch.setattr(json, "dump", real_dump)
    assert path.read_text() == before


@pytest.mark.parametrize("text", ["{not json", "[1, 2]", '{"quiz": {}}', '{"format": 1, "lessons": []}'])
def test_a_corrupt_file_is_kept_aside_and_reported(tmp_path, text):
    path = tmp_path / "state.json"
    path.write_text(text)
    store = ProgressStore(path)
    state = store.load()
    assert state.quiz_answers == []
    assert len(store.warnings) == 1
    warning = store.warnings[0]
    assert warning.kept_at is not None and warning.kept_at.read_text() == text
    assert warning.kept_at.name.startswith("state.json.corrupt-")
    assert f"your learner state {path} could not be read" in warning.message
    assert f"It was kept as {warning.kept_at}" in warning.message
    assert not path.exists()


def test_a_newer_file_is_kept_aside_with_advice(tmp_path):
    path = tmp_path / "state.json"
    path.write_text(json.dumps({"format": STATE_FORMAT + 1}))
    store = ProgressStore(path)
    store.load()
    assert "written by a newer ecslearn" in store.warnings[0].message
    assert store.warnings[0].message.endswith("update ecslearn to keep using it")


def test_strict_mode_raises_instead_of_moving(tmp_path):
    path = tmp_path / "state.json"
    path.write_text("{oops")
    with pytest.raises(ProgressError, match="could not be read"):
        ProgressStore(path, strict=True).load()
    assert path.read_text() == "{oops"


def test_reset_one_lesson_and_reset_all(tmp_path):
    store = ProgressStore(tmp_path / "state.json")
    with store.transaction() as state:
        state.set_position("01-intro", "s1")
        state.set_position("02-clusters", "s2")
        state.complete_lesson("01-intro")
    assert store.reset_lesson("02-clusters") is True
    assert store.reset_lesson("02-clusters") is False
    state = store.load()
    assert set(state.lessons) == {"01-intro"} and state.current_lesson is None
    assert state.lesson_status("01-intro") == "done"
    backup = store.reset_all()
    assert backup is not None and backup.exists()
    assert store.load().lessons == {}
    assert store.reset_all() is None


def test_unwritable_home_is_a_clear_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ProgressError, match="cannot write the learner state"):
        ProgressStore(blocker / "state.json").save(LearnerState())


def test_concurrent_writers_lose_no_answers(tmp_path):
    import multiprocessing

    path = tmp_path / "state.json"
    ctx = multiprocessing.get_context("fork")
    procs = [ctx.Process(target=_write_many, args=(str(path), f"w{i}", 15)) for i in range(3)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(30)
        assert p.exitcode == 0
    answers = ProgressStore(path).load().quiz_answers
    assert len(answers) == 45
    assert {a.question for a in answers} == {"w0", "w1", "w2"}


def _write_many(path: str, name: str, n: int) -> None:
    store = ProgressStore(path)
    for _ in range(n):
        store.record_answer(name, True)
