"""Instructor exports: GIFT, Moodle XML, QTI 1.2, Anki, Markdown/HTML handouts and JSON (issue 9).

    gen = generate.generate(content, seed=7, variants=3)
    written = write_exports(gen, ["gift", "anki"], "out/", force=False)

Everything is written through `output.OutputDir` (only inside the named folder, staged and moved into
place at the end, no overwrite without `force`). Same input and seed give byte-identical files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ecslearn.errors import UsageError

FORMATS = ("gift", "moodle-xml", "qti", "anki", "markdown", "html", "json")

#: the files each format writes (per set: the folder itself, or one folder per student)
FILES = {
    "gift": ("questions.gift.txt",),
    "moodle-xml": ("questions.moodle.xml",),
    "qti": ("questions.qti.zip",),
    "anki": ("questions.apkg",),
    "markdown": ("handout.md", "answer-key.md"),
    "html": ("handout.html", "answer-key.html"),
    "json": ("variants.json",),
}


def parse_formats(values: list[str] | None) -> list[str]:
    out: list[str] = []
    for value in values or ["json"]:
        for part in value.split(","):
            fmt = part.strip().lower()
            if not fmt:
                continue
            if fmt not in FORMATS:
                raise UsageError(f"unknown format '{fmt}'", hint=f"formats: {', '.join(FORMATS)}")
            if fmt not in out:
                out.append(fmt)
    if not out:
        raise UsageError("no --format given", hint=f"formats: {', '.join(FORMATS)}")
    return out


def write_exports(gen: Any, formats: list[str], out: str | os.PathLike[str], *, force: bool = False,
                  title: str = "ecslearn", template: str | Path | None = None,
                  timestamp: float | None = None) -> list[Path]:
    """Write every set of `gen` in every format; return the final paths (nothing is left half-written)."""
    from ecslearn.export import anki, gift, handouts, jsonout, moodle_xml, qti
    from ecslearn.export.output import OutputDir, safe_name

    if template is not None and not ({"markdown", "html"} & set(formats)):
        raise UsageError("--template is for the markdown and html handouts; add --format markdown or html")
    # compile templates before touching the output folder (a bad template writes nothing)
    tpl: dict[str, Any] = {}
    for fmt, html in (("markdown", False), ("html", True)):
        if fmt in formats:
            ext = "md" if fmt == "markdown" else "html"
            tpl[fmt] = (handouts.load_template(template, html=html) if template is not None
                        else handouts.builtin(f"handout.{ext}.j2", html=html),
                        handouts.builtin(f"key.{ext}.j2", html=html))
    with OutputDir(out, force=force) as target:
        for vset in gen.sets:
            prefix = f"{safe_name(vset.student.id, 'student id')}/" if vset.student else ""
            set_title = f"{title} ({vset.student.id})" if vset.student else title
            items = vset.items
            for fmt in formats:
                files = FILES[fmt]
                if fmt == "gift":
                    target.write_text(prefix + files[0], gift.render(items, title=set_title))
                elif fmt == "moodle-xml":
                    target.write_text(prefix + files[0], moodle_xml.render(items, title=set_title))
                elif fmt == "qti":
                    target.write_bytes(prefix + files[0], qti.render(items, title=set_title))
                elif fmt == "anki":
                    target.write_bytes(prefix + files[0], anki.render(items, title=set_title, timestamp=timestamp))
                elif fmt in ("markdown", "html"):
                    ctx = handouts.context(items, title=set_title, student=vset.student,
                                           seed=None if vset.student else gen.seed)
                    handout_tpl, key_tpl = tpl[fmt]
                    target.write_text(prefix + files[0], handouts.render(handout_tpl, ctx))
                    target.write_text(prefix + files[1], handouts.render(key_tpl, ctx))
                elif fmt == "json":
                    target.write_text(prefix + files[0], jsonout.render(items, title=set_title, gen=gen, vset=vset))
        return target.commit()
