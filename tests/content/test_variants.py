"""Seeded variants: parameters drawn per seed, rendered with StrictUndefined, types kept."""

from __future__ import annotations

import dataclasses

import pytest

from ecslearn.content.model import Call, Difficulty, Kind, Param, Query, Question, Step
from ecslearn.content.variants import draw, variant, variant_count
from ecslearn.errors import ContentError


def make(**kw):
    base = dict(id="v", kind=Kind.PREDICT, topic="clusters", difficulty=Difficulty.EASY, exams=("ECS-PRACTICE:1.1",),
                prompt="Run {{ count }} tasks in {{ name }}", explanation="x", sources=("https://docs.aws.amazon.com/",),
                params=(Param("count", low=1, high=3), Param("name", choices=("a", "b"))),
                setup=(Step("call", Call("ecs", "create_cluster", {"clusterName": "{{ name }}-{{ count }}"})),),
                ask=Query(Call("ecs", "list_clusters", {"maxResults": "{{ count }}"}), "length(clusterArns)"))
    base.update(kw)
    return Question(**base)


def test_values_are_drawn_per_seed_and_rendered_everywhere():
    q = make()
    assert variant_count(q) == 6
    assert draw(q, 1) == draw(q, 1)
    seen = {tuple(sorted(draw(q, s).items())) for s in range(40)}
    assert len(seen) == 6
    cq = variant(q, 7)
    n, name = cq.values["count"], cq.values["name"]
    assert cq.question.prompt == f"Run {n} tasks in {name}"
    assert cq.question.setup[0].value.params == {"clusterName": f"{name}-{n}"}
    assert cq.question.ask.call.params == {"maxResults": n}  # a whole expression keeps its type
    assert cq.question.params == () and cq.question.variant_seed == 7
    assert q.prompt.startswith("Run {{")  # the original is untouched


def test_an_undefined_name_is_a_content_error():
    q = make(prompt="Run {{ cuont }} tasks")
    with pytest.raises(ContentError, match=r"question 'v': template problem.*'cuont' is undefined"):
        variant(q, 0)


def test_the_sandbox_refuses_unsafe_templates():
    q = make(prompt="{{ ''.__class__.__mro__ }}")
    with pytest.raises(ContentError, match="template problem"):
        variant(q, 0)


def test_questions_without_params_keep_their_text():
    q = dataclasses.replace(make(), params=(), prompt="Literal {{ braces }} stay")
    cq = variant(q, 3)
    assert cq.question.prompt == "Literal {{ braces }} stay" and cq.seed == 3 and cq.values == {}


def test_shuffle_reorders_options_per_seed_and_the_declared_answer_follows():
    from ecslearn.content.model import Option

    opts = tuple(Option(letter, f"option {i}") for i, letter in enumerate("ABCD"))
    q = make(kind=Kind.MULTI, params=(), setup=(), ask=None, options=opts, answer=["A", "C"], shuffle=True)
    orders = set()
    for seed in range(12):
        cq = variant(q, seed)
        shown = cq.question
        assert [o.letter for o in shown.options] == list("ABCD")
        assert sorted(shown.option(a).text for a in shown.answer) == ["option 0", "option 2"]
        orders.add(tuple(o.text for o in shown.options))
        assert variant(q, seed).question.options == shown.options          # same seed, same order
    assert len(orders) > 3
    plain = variant(q, 5, shuffle=False).question                           # authors' view: the file order
    assert [o.text for o in plain.options] == [f"option {i}" for i in range(4)] and plain.answer == ["A", "C"]
    assert variant(dataclasses.replace(q, shuffle=False), 5).question.options == opts


def test_the_shuffle_key_must_be_a_boolean(tmp_path):
    from ecslearn.content.schema import parse_quiz
    from ecslearn.content.yamlio import load_text

    data, _ = load_text("format: 1\ntitle: t\nshuffle: yes please\nquestions: []\n", "quizzes/01-t.yaml")
    _, problems = parse_quiz(data, "quizzes/01-t.yaml", "01-t")
    assert any("'shuffle' must be true or false" in str(p) and ":3:" in str(p) for p in problems)
