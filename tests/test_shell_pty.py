"""`ecslearn sandbox` in a pseudo-terminal, typed into as a person would (pexpect)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pexpect
import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")


def _spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1", "PROMPT_TOOLKIT_NO_CPR": "1",
           "TERM": "xterm", "ECSLEARN_HOME": str(tmp_path / "home")}
    return pexpect.spawn(sys.executable, ["-m", "ecslearn", "sandbox", *args], env=env, cwd=str(tmp_path),
                         encoding="utf-8", timeout=30, dimensions=(40, 120))


def test_typing_aws_commands_in_a_terminal(tmp_path):
    child = _spawn(tmp_path, "--save", "world.json")
    try:
        child.expect_exact("sandbox 09:00:00 $")
        child.sendline("aws ecs create-cluster --cluster-name prod --output table")
        child.expect_exact("CreateCluster")
        child.expect_exact("arn:aws:ecs:us-east-1:123456789012:cluster/prod")
        child.expect_exact("sandbox 09:00:00 $")

        # tab completion of an operation from the botocore model
        child.send("aws ecs describe-clus")
        child.send("\t")
        child.expect_exact("ters")
        # Ctrl-C drops the line being typed: nothing runs, a fresh prompt comes back
        child.send("\x03")
        child.expect_exact("sandbox 09:00:00 $")

        child.sendline("aws ecs delete-cluster --cluster nope")
        child.expect_exact("An error occurred (ClusterNotFoundException) when calling the DeleteCluster "
                           "operation: Cluster not found.")
        child.sendline("tiem +60")
        child.expect_exact("Did you mean `time`?")
        child.sendline("time +60")
        child.expect_exact("Advanced 60 s.")
        child.expect_exact("sandbox 09:01:00 $")
        child.sendeof()  # Ctrl-D leaves
        child.expect_exact("Saved the world to world.json.")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    text = child.before or ""
    assert "Traceback" not in text
    events = json.loads((tmp_path / "world.json").read_text())["events"]
    assert [e.get("call", "advance") for e in events] == ["ecs.create_cluster", "ecs.delete_cluster", "advance"]
    assert (tmp_path / "home" / "sandbox_history").read_text().count("aws ecs create-cluster") == 1


def test_quit_in_a_terminal(tmp_path):
    child = _spawn(tmp_path)
    try:
        child.expect_exact("sandbox 09:00:00 $")
        child.sendline("aws ecs list-clusters --output text")
        child.expect_exact("sandbox 09:00:00 $")
        child.sendline("quit")
        child.expect_exact("This world was not saved")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
