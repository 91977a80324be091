"""A small test-only Moodle GIFT parser (pygiftparser on PyPI dates from 2017 and is not used).

It understands what ecslearn writes: `//` comments, `::name::[format]text {answers}` with `=`/`~`
answers, `%weight%`, `#feedback`, `####general feedback`, `#number`, `a -> b` matching, essay `{}`,
and backslash escapes (`\\n` is a newline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass
class Answer:
    text: str
    correct: bool
    weight: float | None
    feedback: str | None = None


@dataclass
class GiftQuestion:
    name: str
    fmt: str
    text: str
    kind: str                         # multichoice, numerical, shortanswer, matching, essay
    answers: list[Answer] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    number: str | None = None
    general_feedback: str | None = None


def _split_unescaped(text: str, seps: str) -> list[tuple[str, str]]:
    """Split at unescaped separator characters; returns (separator, chunk) pairs ('' for the head)."""
    out, cur, sep, i = [], [], "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            cur.append(text[i:i + 2])
            i += 2
            continue
        if ch in seps:
            out.append((sep, "".join(cur)))
            cur, sep = [], ch
        else:
            cur.append(ch)
        i += 1
    out.append((sep, "".join(cur)))
    return out


def unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text).strip()


def _find_unescaped(text: str, ch: str, start: int = 0) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == ch:
            return i
        i += 1
    return -1


def parse(source: str) -> list[GiftQuestion]:
    blocks, cur = [], []
    for line in source.splitlines():
        if line.strip().startswith("//"):
            continue
        if not line.strip():
            if cur:
                blocks.append("\n".join(cur))
                cur = []
            continue
        cur.append(line)
    if cur:
        blocks.append("\n".join(cur))
    return [_question(b) for b in blocks]


def _question(block: str) -> GiftQuestion:
    assert block.startswith("::"), block[:80]
    end = block.index("::", 2)
    name = unescape(block[2:end])
    rest = block[end + 2:]
    m = re.match(r"\[(\w+)\]", rest)
    fmt = m.group(1) if m else "moodle"
    rest = rest[m.end():] if m else rest
    open_ = _find_unescaped(rest, "{")
    close = len(rest) - 1 - rest[::-1].index("}")
    text = unescape(rest[:open_])
    body = rest[open_ + 1:close].strip()
    q = GiftQuestion(name, fmt, text, "essay")
    general = None
    gpos = body.find("####")
    while gpos > 0 and body[gpos - 1] == "\\":
        gpos = body.find("####", gpos + 1)
    if gpos >= 0:
        general = unescape(body[gpos + 4:])
        body = body[:gpos].strip()
    q.general_feedback = general
    if not body:
        return q
    if body.startswith("#"):
        q.kind, q.number = "numerical", unescape(body[1:])
        return q
    parts = [(s, c) for s, c in _split_unescaped(body, "=~") if s]
    if any("->" in c for _, c in parts):
        q.kind = "matching"
        for _, chunk in parts:
            left, right = chunk.split("->", 1)
            q.pairs.append((unescape(left), unescape(right)))
        return q
    if len(parts) == 1 and parts[0][0] == "=":
        q.kind = "shortanswer"
    else:
        q.kind = "multichoice"
    for sep, chunk in parts:
        weight = None
        wm = re.match(r"\s*%(-?[\d.]+)%", chunk)
        if wm:
            weight = float(wm.group(1))
            chunk = chunk[wm.end():]
        fb_parts = _split_unescaped(chunk, "#")
        text = unescape(fb_parts[0][1])
        feedback = unescape(fb_parts[1][1]) if len(fb_parts) > 1 else None
        q.answers.append(Answer(text, sep == "=" or (weight is not None and weight > 0), weight, feedback))
    return q
