"""`ecslearn quiz` in a pseudo-terminal, driven as a person would drive it (pexpect)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

GOOD = Path(__file__).resolve().parent / "fixtures" / "content" / "good"


def spawn(home: Path, *args: str):
    # no cursor-position requests: pexpect is not a terminal that answers them (each would wait ~2 s)
    env = {**os.environ, "ECSLEARN_HOME": str(home), "NO_COLOR": "1", "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    env.pop("ECSLEARN_CONTENT_DIR", None)
    return pexpect.spawn(sys.executable, ["-m", "ecslearn", "quiz", "--content-dir", str(GOOD), *args],
                         env=env, encoding="utf-8", timeout=30, dimensions=(40, 160))


def saved(home: Path) -> list[tuple[str, bool]]:
    data = json.loads((home / "state.json").read_text())
    return [(a["question"], a["correct"]) for a in data["quiz"]["answers"]]


def test_a_person_answers_wrong_tries_a_distractor_answers_right_and_quits(tmp_path):
    home = tmp_path / "home"
    child = spawn(home, "-q", "fx-fargate", "-q", "fx-status", "-q", "fx-concept")
    child.expect("Question 1/3")
    child.expect("Which size registers for Fargate")
    child.expect("Your answer")
    child.send("b")          # the letter moves the pointer ...
    child.send("\r")         # ... Enter submits
    child.expect("Not quite")
    child.expect("A\\) cpu 256 memory 512")
    child.expect("No Fargate configuration exists for given values: 256 CPU, 4096 memory")
    child.expect("Sources:")
    child.expect("What next")
    child.send("t")
    child.send("\r")
    child.expect("Which option")
    child.send("c")
    child.send("\r")
    child.expect("Option C\\) cpu 1024 memory 512: (\x1b\\[[0-9;]*m)*wrong")
    child.expect("1024 CPU, 512 memory")
    child.expect("What next")
    child.send("n")
    child.send("\r")
    child.expect("Question 2/3")
    child.expect("Your answer")
    child.send("active\r")
    child.expect("Correct")
    child.expect("What next")
    child.send("q")
    child.send("\r")
    child.expect("Score: 1/2 \\(50%\\)")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert saved(home) == [("fx-fargate", False), ("fx-status", True)]


def test_ctrl_c_at_a_prompt_saves_and_exits_130(tmp_path):
    home = tmp_path / "home"
    child = spawn(home, "-q", "fx-status", "-q", "fx-concept")
    child.expect("Your answer")
    child.send("ACTIVE\r")
    child.expect("Correct")
    child.expect("What next")
    child.send("n")
    child.send("\r")
    child.expect("Question 2/2")
    child.expect("Your answer")
    child.sendcontrol("c")
    child.expect("Interrupted: 1 answer\\(s\\) saved to")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in (child.before or "")
    assert saved(home) == [("fx-status", True)]
