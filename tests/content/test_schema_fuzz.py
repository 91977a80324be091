"""Any YAML data gives problems, never an exception (a traceback would be a bug)."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from ecslearn.content.schema import (
    ASK_KEYS,
    CHECK_KEYS,
    FILE_KEYS,
    OPTION_KEYS,
    PARAM_KEYS,
    QUESTION_KEYS,
    STEP_ACTIONS,
    parse_quiz,
)
from ecslearn.content.yamlio import load_text

KEYS = sorted(set(FILE_KEYS + QUESTION_KEYS + OPTION_KEYS + ASK_KEYS + CHECK_KEYS + STEP_ACTIONS + PARAM_KEYS)
              | {"left", "right", "save"})
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from(
    ["single", "multi", "predict", "config", "command", "taskdef", "order", "match", "concept", "easy",
     "clusters", "ecs.list_clusters", "ecs.nope", "length(@)", "[?", "A", "B", "aws ecs list-clusters",
     "SAA-C03:1.1", "https://docs.aws.amazon.com/x", "{{ x }}", "x-y", ""]))
DATA = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)), max_leaves=10)


def _yaml(value) -> str:
    return json.dumps(value)  # JSON is YAML, and gives the loader real nodes with lines


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(KEYS), DATA, max_size=6))
def test_random_files_never_crash_the_parser(doc):
    doc = {"format": 1, "title": "t", **doc}
    data, _ = load_text(_yaml(doc), "f.yaml")
    _, found = parse_quiz(data, "f.yaml", "01-f")
    assert all(p.location.path == "f.yaml" for p in found)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from(KEYS), DATA, max_size=10), min_size=1, max_size=3))
def test_random_questions_never_crash_the_parser(questions):
    doc = {"format": 1, "title": "t", "questions": questions}
    data, _ = load_text(_yaml(doc), "f.yaml")
    parse_quiz(data, "f.yaml", "01-f")
