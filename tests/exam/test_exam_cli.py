"""`ecslearn exam` driven from stdin (scripted), in a pseudo-terminal (pexpect) and killed mid-exam (resume)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from ecslearn.content.catalog import load_content
from ecslearn.exam import data
from ecslearn.exam.engine import ExamSession, new_attempt
from ecslearn.quiz.engine import Engine
from ecslearn.ui.console import make_console
from ecslearn.ui.exam import ExamRunner, LineExamInput

BANK = Path(__file__).resolve().parent / "fixtures" / "bank"


def run(home: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ECSLEARN_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "80"}
    env.pop("ECSLEARN_CONTENT_DIR", None)
    return subprocess.run([sys.executable, "-m", "ecslearn", "exam", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=60)


def state(home: Path) -> dict:
    return json.loads((home / "state.json").read_text())


def test_scripted_exam_is_the_same_for_the_same_seed_and_scores_as_answered(tmp_path):
    script = "A\nflag\nB\nback\nreview\ngoto 3\nA\nsubmit\n"
    one = run(tmp_path / "h1", "--exam", "SAA-C03", "--count", "4", "--seed", "7", "--content-dir", str(BANK),
              "--json", stdin=script)
    two = run(tmp_path / "h2", "--exam", "SAA-C03", "--count", "4", "--seed", "7", "--content-dir", str(BANK),
              "--json", stdin=script)
    assert one.returncode == 0, one.stderr
    a, b = json.loads(one.stdout), json.loads(two.stdout)
    assert [i["question"] for i in a["items"]] == [i["question"] for i in b["items"]]
    assert [i["question"] for i in a["items"]] == ["ex-saa-d1-q4", "ex-saa-d4-q5", "ex-saa-d3-q7", "ex-saa-d2-q1"]
    assert [(i["number"], i["answered"], i["flagged"], i["correct"]) for i in a["items"]] == [
        (1, True, False, True), (2, True, True, False), (3, True, False, True), (4, False, False, False)]
    assert a["raw"] == {"correct": 2, "total": 4, "percent": 50.0}
    assert a["scaled_estimate"]["value"] == 531 and a["scaled_estimate"]["unofficial"] and a["passed"] is False
    assert {d["id"]: (d["correct"], d["total"]) for d in a["domains"]} == {1: (1, 1), 2: (0, 1), 3: (1, 1), 4: (0, 1)}
    st = state(tmp_path / "h1")
    assert st["exams"]["current"] is None
    assert st["exams"]["attempts"][0]["scaled_estimate"] == 531
    assert [x["mode"] for x in st["quiz"]["answers"]] == ["exam"] * 4
    # the missed and unanswered questions became review cards
    assert sorted(st["review"]["cards"]) == ["ex-saa-d2-q1", "ex-saa-d4-q5"]


def test_text_result_has_breakdown_estimate_label_and_wrong_answer_review(tmp_path):
    out = run(tmp_path / "h", "--exam", "SAA-C03", "--count", "4", "--seed", "7", "--content-dir", str(BANK),
              stdin="A\nB\nA\n\nsubmit\n")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    assert "UNOFFICIAL ESTIMATE" in text and "Result: FAIL" in text
    assert "By domain" in text and "Design Secure Architectures" in text
    assert "Question 2 · SAA-C03:4.3" in text and "Right answer d4q5" in text and "Because A is right" in text
    assert "Question 4 · SAA-C03:2.2 · unanswered" in text
    assert max(len(line) for line in text.splitlines()) <= 80


def test_bad_answers_are_refused_and_multi_needs_the_right_number_of_letters(tmp_path):
    content = load_content(BANK)
    saa = data.load().get("SAA-C03")
    attempt = new_attempt(content, saa, count=28, seed=5)
    idx = next(i for i, it in enumerate(attempt.items) if it.question == "ex-saa-d1-q2")
    attempt.position = idx
    out = io.StringIO()
    runner = ExamRunner(ExamSession(attempt), content, make_console(file=out, width=80), LineExamInput(
        io.StringIO("A\nZ\nA,D\npause\n")), Engine())
    assert runner.run().status == "paused"
    assert "select 2 option(s) (you gave 1)" in out.getvalue()
    assert "'Z' is not an option" in out.getvalue()
    assert attempt.answers == {idx: "A,D"}


def test_time_limit_is_enforced_without_a_terminal(tmp_path):
    content = load_content(BANK)
    attempt = new_attempt(content, data.load().get("SAA-C03"), count=3, minutes=1, seed=1)
    now = [0.0]

    class SlowInput(LineExamInput):
        def read(self, **kw):  # type: ignore[no-untyped-def]
            line = super().read(**kw)
            now[0] += 25  # each line takes the learner 25 seconds
            return line

    runner = ExamRunner(ExamSession(attempt, clock=lambda: now[0]), content, make_console(file=io.StringIO()),
                        SlowInput(io.StringIO("A\nA\nA\nsubmit\n")), Engine())
    assert runner.run().status == "timeout"
    assert attempt.answers == {0: "A", 1: "A"}  # the third answer came at 75 s: too late


def test_resume_refuses_without_an_exam_and_a_second_exam_needs_new(tmp_path):
    home = tmp_path / "h"
    none = run(home, "--resume")
    assert none.returncode == 2 and "no exam in progress" in none.stderr
    first = run(home, "--exam", "SAA-C03", "--count", "3", "--seed", "1", "--content-dir", str(BANK), stdin="A\n")
    assert first.returncode == 0 and "ecslearn exam --resume" in first.stdout
    again = run(home, "--exam", "SAA-C03", "--content-dir", str(BANK))
    assert again.returncode == 2 and "an exam is in progress (SAA-C03, 1 of 3 answered)" in again.stderr
    fresh = run(home, "--new", "--exam", "SAA-C03", "--count", "2", "--seed", "2", "--content-dir", str(BANK),
                "--json", stdin="submit\n")
    assert fresh.returncode == 0 and json.loads(fresh.stdout)["raw"]["total"] == 2


def test_list_shows_the_exam_facts(tmp_path):
    out = run(tmp_path / "h", "--list", "--json")
    doc = json.loads(out.stdout)
    assert {e["code"] for e in doc["exams"]} >= {"SAA-C03", "CLF-C02", "ECS-PRACTICE"}
    assert "SOA-C03" in run(tmp_path / "h", "--list").stdout


def test_smoke_the_bundled_bank_gives_an_ecs_practice_exam(tmp_path):
    out = run(tmp_path / "h", "--count", "5", "--seed", "3", "--json", stdin="submit\n")
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["exam"] == "ECS-PRACTICE" and len(doc["items"]) == 5 and doc["raw"]["correct"] == 0


# --- a person at a terminal ------------------------------------------------------------------------

pexpect = pytest.importorskip("pexpect")


def spawn(home: Path, *args: str):
    env = {**os.environ, "ECSLEARN_HOME": str(home), "NO_COLOR": "1", "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    env.pop("ECSLEARN_CONTENT_DIR", None)
    return pexpect.spawn(sys.executable, ["-m", "ecslearn", "exam", *args], env=env, encoding="utf-8", timeout=30,
                         dimensions=(40, 120))


def test_a_person_takes_a_short_exam(tmp_path):
    home = tmp_path / "home"
    child = spawn(home, "--exam", "SAA-C03", "--count", "3", "--seed", "7", "--content-dir", str(BANK))
    child.expect("Question 1/3")
    child.expect("left")                  # the countdown
    child.expect("answer or command")
    child.sendline("b")                   # wrong on purpose ...
    child.expect("Question 2/3")
    child.expect("answer or command")
    child.sendline("flag")
    child.expect("Question 2 flagged for review")
    child.expect("answer or command")
    child.sendline("a")
    child.expect("Question 3/3")
    child.expect("answer or command")
    child.sendline("a")
    child.expect("Review")                # after the last question: the review screen
    child.expect("flagged: 2")
    child.expect("answer or command")
    child.sendline("goto 1")              # ... and changed
    child.expect("Question 1/3")
    child.expect("Your answer: B")
    child.expect("answer or command")
    child.sendline("a")
    child.expect("answer or command")
    child.sendline("submit")
    child.expect("Submit now\\? 0 unanswered, 1 flagged")
    child.sendline("y")
    child.expect("Raw score: 3/3")
    child.expect("Result: (\x1b\\[[0-9;]*m)*PASS")
    child.expect("By domain")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    st = state(home)
    assert st["exams"]["attempts"][0]["correct"] == 3


def test_killed_mid_exam_then_resumed_loses_no_answer(tmp_path):
    home = tmp_path / "home"
    child = spawn(home, "--exam", "SAA-C03", "--count", "4", "--seed", "7", "--content-dir", str(BANK))
    child.expect("Question 1/4")
    child.expect("answer or command")
    child.sendline("a")
    child.expect("Question 2/4")
    child.expect("answer or command")
    child.sendline("c")
    child.expect("Question 3/4")
    child.expect("answer or command")
    child.sendline("flag")
    child.expect("flagged for review")
    child.kill(signal.SIGKILL)            # a crash: no chance to save anything more
    child.close()
    saved = state(home)["exams"]["current"]
    assert saved["answers"] == {"0": "A", "1": "C"} and saved["flags"] == [2] and saved["position"] == 2
    child = spawn(home, "--resume")
    child.expect("Question 3/4")          # where the learner was
    child.expect("\\[flagged\\]")
    child.expect("answer or command")
    child.sendline("review")
    child.expect("answered: 2")
    child.expect("answer or command")
    child.sendline("submit")
    child.expect("Submit now")
    child.sendline("y")
    child.expect("Raw score: 1/4")
    child.expect(pexpect.EOF)
    child.close()
    attempt = state(home)["exams"]["attempts"][0]
    assert [(i["question"], i["answered"], i["correct"]) for i in attempt["items"]] == [
        ("ex-saa-d1-q4", True, True), ("ex-saa-d4-q5", True, False), ("ex-saa-d3-q7", False, False),
        ("ex-saa-d2-q1", False, False)]


def test_the_countdown_submits_at_zero_on_a_terminal(tmp_path):
    home = tmp_path / "home"
    child = spawn(home, "--exam", "SAA-C03", "--count", "2", "--seed", "7", "--minutes", "0.05",
                  "--content-dir", str(BANK))
    child.expect("answer or command")
    child.sendline("a")
    child.expect("Question 2/2")
    child.expect("answer or command")     # the learner stops typing; 3 seconds later ...
    child.expect("Time was up", timeout=15)
    child.expect("Raw score: 1/2")
    child.expect(pexpect.EOF)
    child.close()
    attempt = state(home)["exams"]["attempts"][0]
    assert attempt["timed_out"] is True and state(home)["exams"]["current"] is None


def test_ctrl_c_pauses_and_keeps_the_answers(tmp_path):
    home = tmp_path / "home"
    child = spawn(home, "--exam", "SAA-C03", "--count", "3", "--seed", "7", "--content-dir", str(BANK))
    child.expect("answer or command")
    child.sendline("a")
    child.expect("Question 2/3")
    child.expect("answer or command")
    child.sendcontrol("c")
    child.expect("Interrupted: 1 answer\\(s\\) saved")
    child.expect("ecslearn exam --resume")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert state(home)["exams"]["current"]["answers"] == {"0": "A"}


def test_asking_for_more_questions_than_the_bank_has_says_so(tmp_path):
    out = run(tmp_path / "h", "--exam", "ECS-PRACTICE", "--count", "50", "--seed", "1", "--content-dir", str(BANK),
              stdin="submit\n")
    assert "Only 5 question(s) are tagged for ECS-PRACTICE" in out.stdout
