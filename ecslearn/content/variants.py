"""Seeded variants of parameterised questions: `variant(question, seed) -> ConcreteQuestion`.

A question's `params:` (choices or integer ranges) are drawn from a RNG seeded by the question id and
the seed, then rendered into every text and scenario field with a Jinja2 SandboxedEnvironment and
StrictUndefined (a missing name is an error, never an empty string). A field that is exactly one
expression (`"{{ count }}"`) keeps the value's type, so numbers stay numbers in call parameters.
The simulator computes each variant's key (quiz.engine), which is what instructor generation builds on.
"""

from __future__ import annotations

import dataclasses
import functools
import random
import re
from dataclasses import dataclass
from typing import Any

from ecslearn.content.model import Kind, Question
from ecslearn.errors import ContentError

_WHOLE_EXPR = re.compile(r"^\{\{(?P<expr>(?:(?!\}\}).)*)\}\}$", re.S)
#: fields never rendered (identity, metadata, locations), by the dataclass that has them
_SKIP = {
    "Question": {"id", "kind", "topic", "difficulty", "exams", "params", "location", "answer_location", "quiz",
                 "variant_seed", "variant_values", "shuffle"},
    "Option": {"letter", "location"},
    "Check": {"op", "location"},
    "Step": {"action", "location"},
    "Query": {"location"},
}


@dataclass(frozen=True)
class ConcreteQuestion:
    """A question with its parameters drawn and rendered, plus the seed its simulator uses."""

    question: Question        # rendered: no template left
    seed: int
    values: dict[str, Any]

    @property
    def id(self) -> str:
        return self.question.id


@functools.cache
def _env() -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)


def draw(question: Question, seed: int) -> dict[str, Any]:
    """The parameter values of one variant (deterministic in question id and seed)."""
    rng = random.Random(f"{question.id}:{seed}")
    return {p.name: rng.choice(p.values()) for p in question.params}


def variant_count(question: Question) -> int:
    """How many distinct variants the parameters allow."""
    n = 1
    for p in question.params:
        n *= len(p.values())
    return n


@functools.lru_cache(maxsize=4096)
def _compiled(text: str) -> tuple[bool, Any]:
    """A template compiled once per process: (True, expression) for a whole `{{ expr }}`, else (False, template).

    Compiling is most of the cost of rendering; instructor generation renders thousands of variants.
    """
    env = _env()
    m = _WHOLE_EXPR.match(text.strip())
    if m:
        return True, env.compile_expression(m.group("expr").strip(), undefined_to_none=False)
    return False, env.from_string(text)


def _render_str(text: str, values: dict[str, Any]) -> Any:
    if "{{" not in text and "{%" not in text:
        return text
    whole, compiled = _compiled(text)
    return compiled(**values) if whole else compiled.render(**values)


def _render(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return _render_str(value, values)
    if isinstance(value, dict):
        return {k: _render(v, values) for k, v in value.items()}
    if isinstance(value, list):
        return [_render(v, values) for v in value]
    if isinstance(value, tuple):
        return tuple(_render(v, values) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        skip = _SKIP.get(type(value).__name__, set())
        changes = {f.name: _render(getattr(value, f.name), values)
                   for f in dataclasses.fields(value) if f.name not in skip}
        return dataclasses.replace(value, **changes)
    return value


def render(question: Question, values: dict[str, Any], seed: int) -> Question:
    """Render every template in a question with `values`; raise ContentError on a template problem."""
    from jinja2 import TemplateError

    try:
        rendered = _render(question, values)
    except TemplateError as err:
        raise ContentError(f"question '{question.id}': template problem with params {values}: {err}",
                           question.location) from None
    return dataclasses.replace(rendered, params=(), variant_seed=seed, variant_values=dict(values))


def variant(question: Question, seed: int = 0, *, shuffle: bool = True) -> ConcreteQuestion:
    """The concrete question for `seed`: drawn parameters, rendered text and scenario, simulator seed.

    Options of a `shuffle: true` question come in a per-seed order (`shuffle=False` keeps the file's
    order, for messages to authors). The key is unaffected: each option is judged on its own content.
    """
    if not question.params:
        concrete = ConcreteQuestion(dataclasses.replace(question, variant_seed=seed), seed, {})
    else:
        values = draw(question, seed)
        concrete = ConcreteQuestion(render(question, values, seed), seed, values)
    return shuffled(concrete) if shuffle else concrete


def shuffled(cq: ConcreteQuestion) -> ConcreteQuestion:
    """Reorder a choice question's options for its seed and relabel them; a declared answer follows."""
    q = cq.question
    if not q.shuffle or q.kind not in (Kind.SINGLE, Kind.MULTI, Kind.CONCEPT) or len(q.options) < 2:
        return cq
    order = list(range(len(q.options)))
    random.Random(f"options:{q.id}:{cq.seed}").shuffle(order)
    letters = [o.letter for o in q.options]
    options = tuple(dataclasses.replace(q.options[j], letter=letters[i]) for i, j in enumerate(order))
    new_letter = {q.options[j].letter: letters[i] for i, j in enumerate(order)}
    answer = q.answer
    if isinstance(answer, str) and answer.upper() in new_letter:
        answer = new_letter[answer.upper()]
    elif isinstance(answer, (list, tuple)) and all(isinstance(a, str) and a.upper() in new_letter for a in answer):
        answer = sorted(new_letter[a.upper()] for a in answer)
    return ConcreteQuestion(dataclasses.replace(q, options=options, answer=answer), cq.seed, cq.values)
