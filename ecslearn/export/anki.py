"""Anki deck (.apkg) via genanki, stable across generations so a re-import updates instead of duplicating.

- The note model id is fixed (derived once from the text "ecslearn-anki-model-v1"); the deck id is
  derived from the deck name; both with SHA-256, never Python's `hash()`.
- Each note's GUID is `genanki.guid_for(question id, variant seed)` (plus the student id for roster
  output), so the same variant is the same note on every re-import.
- Note and card ids and modification times come from `timestamp` (default: a fixed time, so the same
  input gives the same bytes). Anki updates an existing note on import only when the incoming note is
  newer: pass a later `--timestamp` for a deck whose text changed.
- Fields: Front (prompt, options), Back (the key, the explanation, sources), Id, Seed.
"""

from __future__ import annotations

import hashlib
import html
import io
import itertools
import sqlite3
import zipfile

from ecslearn.content.model import Kind
from ecslearn.export.common import is_choice, value_text
from ecslearn.export.generate import Item

DEFAULT_TIMESTAMP = 1_767_225_600.0  # 2026-01-01T00:00:00Z: fixed, so output is reproducible
FIXED_DATE = (2020, 1, 1, 0, 0, 0)


def stable_id(text: str) -> int:
    """An Anki id (positive, below 2**31 * 1000 so it stays in SQLite's integer range comfortably)."""
    return (int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big") % (1 << 30)) + (1 << 30)


MODEL_ID = stable_id("ecslearn-anki-model-v1")


def _model():  # type: ignore[no-untyped-def]
    import genanki

    return genanki.Model(
        MODEL_ID, "ecslearn question",
        fields=[{"name": "Front"}, {"name": "Back"}, {"name": "Id"}, {"name": "Seed"}],
        templates=[{"name": "Card 1", "qfmt": "{{Front}}",
                    "afmt": "{{FrontSide}}<hr id=answer>{{Back}}"}],
        css=".card { font-family: sans-serif; text-align: left; } pre { white-space: pre-wrap; }")


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>")


def front(item: Item) -> str:
    s = item.solved
    parts = [_html(s.prompt.strip())]
    if is_choice(s.kind):
        parts.append("<br>".join(f"{letter}) {_html(text)}" for letter, text in s.options))
        if s.kind is Kind.MULTI:
            parts.append(f"(Select {s.select}.)")
    elif s.kind is Kind.ORDER:
        parts.append("Put in order:<br>" + "<br>".join(f"{chr(65 + i)}) {_html(t)}" for i, t in enumerate(s.shown_items)))
    elif s.kind is Kind.MATCH:
        parts.append("<br>".join(f"{i + 1}. {_html(t)}" for i, t in enumerate(s.left_items)))
        parts.append("<br>".join(f"{chr(65 + i)}) {_html(t)}" for i, t in enumerate(s.shown_items)))
    return "<br><br>".join(parts)


def back(item: Item) -> str:
    s = item.solved
    if s.kind is Kind.PREDICT:
        key = _html(value_text(s.value))
    elif item.solution:
        key = f"<pre>{html.escape(item.solution.strip())}</pre>"
    else:
        key = _html(s.answer_text)
    out = f"<b>{key}</b><br><br>{_html(s.explanation.strip())}"
    if s.sources:
        out += "<br><br>" + "<br>".join(f'<a href="{html.escape(u, quote=True)}">{html.escape(u)}</a>' for u in s.sources)
    return out


def note_guid(item: Item) -> str:
    import genanki

    parts = [item.solved.id, item.solved.seed] + ([item.student] if item.student else [])
    return genanki.guid_for(*parts)


def render(items: list[Item], *, title: str = "ecslearn", timestamp: float | None = None) -> bytes:
    """The .apkg's bytes (a zip holding the SQLite collection and an empty media map)."""
    import genanki

    ts = DEFAULT_TIMESTAMP if timestamp is None else float(timestamp)
    deck_name = f"ecslearn::{title}"
    deck = genanki.Deck(stable_id(f"ecslearn-deck:{deck_name}"), deck_name)
    model = _model()
    for item in items:
        tags = [item.solved.topic.replace(" ", "_"), *(e.replace(":", "_") for e in item.solved.exams)]
        deck.add_note(genanki.Note(model=model, fields=[front(item), back(item), item.solved.id, str(item.solved.seed)],
                                   guid=note_guid(item), tags=tags, sort_field=item.name))
    package = genanki.Package(deck)

    conn = sqlite3.connect(":memory:")
    try:
        package.write_to_db(conn.cursor(), ts, itertools.count(int(ts * 1000)))
        conn.commit()
        data = conn.serialize()
    finally:
        conn.close()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, payload in (("collection.anki2", data), ("media", b"{}")):
            info = zipfile.ZipInfo(name, FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, payload)
    return buf.getvalue()
