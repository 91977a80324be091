"""The non-terminal prompter: one answer per line, multi-line answers end with a lone `.`."""

from __future__ import annotations

import io

import pytest

from ecslearn.ui.prompt import LinePrompter, default_prompter


def test_lines_and_multiline_answers():
    p = LinePrompter(io.StringIO("B\nA, C\nline one\n  line two\n.\nlast\n"))
    assert p.choice("?", [("A", "a"), ("B", "b")], 1) == "B"
    assert p.choice("?", [("A", "a"), ("B", "b"), ("C", "c")], 2) == "A, C"
    assert p.text("?", multiline=True) == "line one\n  line two"
    assert p.after(["A"]) == "next" and p.pick_option("?", [("A", "a")]) is None
    assert p.text("?", multiline=True) == "last"  # the end of input also ends a multi-line answer
    with pytest.raises(EOFError):
        p.text("?")


def test_without_a_terminal_answers_come_from_stdin():
    assert isinstance(default_prompter(io.StringIO("")), LinePrompter)
