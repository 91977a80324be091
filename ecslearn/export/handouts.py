"""Markdown and print-ready HTML handouts, with a separate answer key, from Jinja2 templates.

Templates run in a `SandboxedEnvironment` with `StrictUndefined` (a misspelt name is an error, never an
empty string); HTML templates autoescape. Instructors' own templates (`--template FILE`) get the same
sandbox: they are untrusted input. The context of every template:

    title      the set's title
    student    {"id", "name"} or none
    seed       the course seed (none in per-student sets)
    questions  a list of {"number", "name", "id", "seed", "kind", "prompt", "options" [(letter, text)],
               "shown_items", "left_items", "select", "answer_text", "solution", "explanation",
               "sources", "topic", "difficulty", "exams", "simulator_checked", "values"}
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from ecslearn.errors import ExportError
from ecslearn.export.generate import Item, Student

TEMPLATES = Path(__file__).with_name("templates")
MAX_TEMPLATE_BYTES = 1_000_000


@functools.cache
def environment(autoescape: bool) -> Any:
    from jinja2 import StrictUndefined
    from jinja2.sandbox import SandboxedEnvironment

    return SandboxedEnvironment(undefined=StrictUndefined, autoescape=autoescape, keep_trailing_newline=True,
                                trim_blocks=False, lstrip_blocks=False)


def context(items: list[Item], *, title: str, student: Student | None, seed: int | None) -> dict[str, Any]:
    questions = []
    for n, item in enumerate(items, 1):
        s = item.solved
        questions.append({
            "number": n, "name": item.name, "id": s.id, "seed": s.seed, "kind": s.kind.value,
            "prompt": s.prompt.strip(), "options": [list(o) for o in s.options],
            "shown_items": list(s.shown_items), "left_items": list(s.left_items), "select": s.select,
            "answer_text": s.answer_text, "solution": (item.solution or "").strip() or None,
            "explanation": s.explanation.strip(), "sources": list(s.sources), "topic": s.topic,
            "difficulty": s.difficulty, "exams": list(s.exams), "simulator_checked": s.simulator_checked,
            "values": dict(s.values),
        })
    return {"title": title, "student": {"id": student.id, "name": student.name} if student else None,
            "seed": seed, "questions": questions}


def load_template(path: str | Path, *, html: bool) -> Any:
    """Compile an instructor's template (untrusted: sandboxed); ExportError with file:line on a problem."""
    from jinja2 import TemplateSyntaxError

    source = Path(path)
    try:
        if source.stat().st_size > MAX_TEMPLATE_BYTES:
            raise ExportError(f"the template {source} is larger than 1 MB")
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ExportError(f"no template file at {source}") from None
    except (OSError, UnicodeDecodeError) as err:
        raise ExportError(f"cannot read the template {source}: {getattr(err, 'strerror', None) or err}") from None
    try:
        return environment(html).from_string(text), str(source)
    except TemplateSyntaxError as err:
        raise ExportError(f"{source}:{err.lineno}: template syntax error: {err.message}") from None


def builtin(name: str, *, html: bool) -> Any:
    return load_template(TEMPLATES / name, html=html)


def render(template: Any, ctx: dict[str, Any]) -> str:
    """Render a (template, display name) pair; every template error becomes an ExportError."""
    from jinja2 import TemplateError
    from jinja2.exceptions import SecurityError

    tpl, display = template
    try:
        return tpl.render(**ctx)
    except SecurityError as err:
        raise ExportError(f"{display}: the template tried something the sandbox forbids: {err}") from None
    except TemplateError as err:
        line = _lineno(err)
        raise ExportError(f"{display}{':' + str(line) if line else ''}: template error: {err}") from None
    except (TypeError, ValueError, ArithmeticError, AttributeError, IndexError, KeyError, RecursionError) as err:
        raise ExportError(f"{display}: template error: {type(err).__name__}: {err}") from None


def _lineno(err: BaseException) -> int | None:
    tb = err.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return getattr(err, "lineno", None) or line
