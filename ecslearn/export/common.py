"""Helpers the exporters share: Moodle fractions, display text, what each format cannot express."""

from __future__ import annotations

from typing import Any

from ecslearn.content.model import Kind

#: the grade fractions Moodle accepts (question/format.php `get_grade_options`), as text
MOODLE_FRACTIONS = {1: "100", 2: "50", 3: "33.33333", 4: "25", 5: "20", 6: "16.66667", 7: "14.28571",
                    8: "12.5", 9: "11.11111", 10: "10"}

#: how each format renders each kind (see ecslearn/export/INSTRUCTORS.md and `ecslearn generate --help`)
LIMITS = {
    "gift": "order becomes matching (item -> position); config/command/taskdef become essay questions "
            "with the working solution as feedback (graded by hand)",
    "moodle-xml": "order becomes matching (item -> position); config/command/taskdef become essay with the "
                  "solution in the grader information; multi gives partial credit for a subset of the right "
                  "options (each right option 100/k %, each wrong option -100 %) because core Moodle has no "
                  "all-or-nothing multichoice",
    "qti": "order becomes matching_question; config/command/taskdef become essay_question; multi is "
           "multiple_answers_question (all-or-nothing in Canvas)",
    "anki": "every kind is a front/back card (the back holds the key, the explanation and the sources)",
}


def right_fraction(count: int) -> str:
    """The fraction of each right option of a multi with `count` right options (sum = 100)."""
    return MOODLE_FRACTIONS.get(count, f"{100 / count:.5f}")


def predict_is_numeric(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(value_text(v) for v in value)
    return "null" if value is None else str(value)


def is_choice(kind: Kind) -> bool:
    return kind in (Kind.SINGLE, Kind.MULTI, Kind.CONCEPT)


def is_free(kind: Kind) -> bool:
    return kind in (Kind.CONFIG, Kind.COMMAND, Kind.TASKDEF)


def feedback_text(item: Any) -> str:
    """General feedback: the explanation, then the sources."""
    s = item.solved
    text = s.explanation.strip()
    if s.sources:
        text += "\n\nSources: " + " ".join(s.sources)
    return text
