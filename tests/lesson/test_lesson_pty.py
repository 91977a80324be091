"""A lesson in a pseudo-terminal, typed into as a person would (pexpect): fail a check, ask for a hint,
pass, quit, and come back to the same step with `ecslearn`; Ctrl-C drops a line, Ctrl-D leaves."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


def _spawn(home: Path, *args: str) -> pexpect.spawn:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1",
           "TERM": "xterm", "ECSLEARN_HOME": str(home)}
    env.pop("ECSLEARN_CONTENT_DIR", None)
    return pexpect.spawn(sys.executable, ["-m", "ecslearn", *args], env=env, cwd=str(home.parent),
                         encoding="utf-8", timeout=30, dimensions=(50, 100))


def test_fail_hint_pass_quit_and_resume(tmp_path):
    home = tmp_path / "home"
    child = _spawn(home, "learn", "1")
    try:
        child.expect_exact("Step 1/7")
        child.expect_exact("lesson 01 · step 1/7 $")
        child.sendline("next")
        child.expect_exact("lesson 01 · step 2/7 $")
        child.sendline("next")
        child.expect_exact("Step 3/7 · do · Create a cluster")
        child.expect_exact("lesson 01 · step 3/7 $")

        # a real aws command, but not what the step asks for: the check says why
        child.sendline("aws ecs create-cluster --cluster-name lern --query cluster.status --output text")
        child.expect_exact("ACTIVE")
        child.sendline("check")
        child.expect_exact("✘ cluster learn is ACTIVE")
        child.expect_exact("expected: ACTIVE")
        child.expect_exact("actual:   nothing")
        child.sendline("solution")
        child.expect_exact("The solution unlocks once the step passes or after the last hint")
        child.sendline("hint")
        child.expect_exact("Hint 1/3")

        # bad input gets the AWS CLI's own message, not a traceback
        child.sendline("aws ecs create-cluster --cluster-nme learn --bogus")
        child.expect_exact("Unknown options:")
        child.expect_exact("--bogus")
        child.sendline("aws ecs register-task-definition --family x --container-definitions '[{bad'")
        child.expect_exact("Error parsing parameter '--container-definitions'")
        child.sendline("chek")
        child.expect_exact("Did you mean `check`?")

        # Ctrl-C drops the line being typed: nothing runs, the prompt comes back
        child.send("aws ecs delete-cluster --cluster learn")
        child.send("\x03")
        child.expect_exact("lesson 01 · step 3/7 $")

        child.sendline("aws ecs create-cluster --cluster-name learn")
        child.expect_exact("✔ Step done!")
        child.expect_exact("lesson 01 · step 3/7 $")
        child.sendline("quit")
        child.expect_exact("Saved: lesson 01, step 3.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert "Traceback" not in (child.before or "")

    # `ecslearn` with no arguments resumes at the same step, already passed, in the same world
    child = _spawn(home)
    try:
        child.expect_exact("Resuming at step 3 of 7.")
        child.expect_exact("Step 3/7 · do · Create a cluster ✔")
        child.expect_exact("lesson 01 · step 3/7 $")
        child.sendline("aws ecs list-clusters --query 'length(clusterArns)'")
        child.expect_exact("1")
        child.sendline("next")
        child.expect_exact("Step 4/7 · predict")
        child.expect_exact("lesson 01 · step 4/7 $")
        child.sendeof()  # Ctrl-D leaves, and the place is saved
        child.expect_exact("Saved: lesson 01, step 4.")
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0
