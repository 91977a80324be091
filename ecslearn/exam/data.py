"""The exam facts shipped in `ecslearn/data/exams.json` (one versioned file): codes, counts, minutes,
pass marks, domains and weights, sources (research-learning-tools.md §4.1).

Standard library only: `content.schema` reads the exam codes from here, so the content checker and
the exam engine always agree on which exams exist.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field
from importlib.resources import files
from typing import Any

from ecslearn.errors import UsageError

_TAG_RE = re.compile(r"^(?P<code>[A-Z0-9-]+?):(?P<domain>\d+)\.(?P<task>\d+)$")


@dataclass(frozen=True)
class Domain:
    id: int
    name: str
    weight: float
    topics: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExamInfo:
    """One exam's facts."""

    code: str
    name: str
    status: str
    total: int
    scored: int
    unscored: int
    minutes: int
    passing_score: int
    estimate_pass_fraction: float
    item_types: tuple[str, ...]
    domains: tuple[Domain, ...]
    verified_on: str
    notes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def domain(self, domain_id: int) -> Domain | None:
        return next((d for d in self.domains if d.id == domain_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "name": self.name, "status": self.status,
            "questions": {"total": self.total, "scored": self.scored, "unscored": self.unscored},
            "minutes": self.minutes, "passing_score": self.passing_score,
            "estimate_pass_fraction": self.estimate_pass_fraction, "item_types": list(self.item_types),
            "domains": [{"id": d.id, "name": d.name, "weight": d.weight} for d in self.domains],
            "verified_on": self.verified_on, "notes": list(self.notes), "sources": list(self.sources),
        }


@dataclass(frozen=True)
class ExamData:
    version: str
    scale_min: int
    scale_max: int
    exams: dict[str, ExamInfo] = field(default_factory=dict)

    def get(self, code: str) -> ExamInfo:
        key = code.strip().upper()
        if key not in self.exams:
            import difflib

            close = difflib.get_close_matches(key, list(self.exams), n=1)
            raise UsageError(f"unknown exam '{code}'" + (f" (did you mean '{close[0]}'?)" if close else ""),
                             hint=f"exams: {', '.join(self.exams)}")
        return self.exams[key]


def parse(doc: dict[str, Any]) -> ExamData:
    """Build ExamData from the JSON document (KeyError/TypeError/ValueError on a wrong shape)."""
    exams: dict[str, ExamInfo] = {}
    for e in doc["exams"]:
        q = e["questions"]
        domains = tuple(Domain(int(d["id"]), str(d["name"]), float(d["weight"]), tuple(d.get("topics", ())))
                        for d in e["domains"])
        info = ExamInfo(
            code=str(e["code"]), name=str(e["name"]), status=str(e.get("status", "")), total=int(q["total"]),
            scored=int(q["scored"]), unscored=int(q["unscored"]), minutes=int(e["minutes"]),
            passing_score=int(e["passing_score"]), estimate_pass_fraction=float(e["estimate_pass_fraction"]),
            item_types=tuple(e.get("item_types", ())), domains=domains, verified_on=str(e["verified_on"]),
            notes=tuple(e.get("notes", ())), sources=tuple(e.get("sources", ())))
        if info.scored + info.unscored != info.total:
            raise ValueError(f"{info.code}: scored + unscored != total")
        if not 0 < info.estimate_pass_fraction < 1:
            raise ValueError(f"{info.code}: estimate_pass_fraction must be between 0 and 1")
        exams[info.code] = info
    return ExamData(version=str(doc["version"]), scale_min=int(doc["scale"]["min"]),
                    scale_max=int(doc["scale"]["max"]), exams=exams)


@functools.cache
def load() -> ExamData:
    """The bundled exam facts (cached)."""
    text = files("ecslearn").joinpath("data", "exams.json").read_text(encoding="utf-8")
    return parse(json.loads(text))


def exam_codes() -> tuple[str, ...]:
    """Every known exam code, sorted (what a question's `exams:` tags may name)."""
    return tuple(sorted(load().exams))


def exam_domains(code: str) -> tuple[int, ...]:
    """The domain numbers of exam `code` (empty for an unknown code)."""
    info = load().exams.get(code)
    return tuple(d.id for d in info.domains) if info else ()


def split_tag(tag: str) -> tuple[str, int, int] | None:
    """`SAA-C03:2.1` → ("SAA-C03", 2, 1); None if it is not a CODE:domain.task tag."""
    m = _TAG_RE.match(tag.strip())
    if not m:
        return None
    return m.group("code"), int(m.group("domain")), int(m.group("task"))


def domain_of(tags: tuple[str, ...] | list[str], code: str) -> tuple[int, str] | None:
    """The (domain, tag) of the first of `tags` for exam `code` (the domain is the number before the dot)."""
    for tag in tags:
        parts = split_tag(tag)
        if parts and parts[0] == code:
            return parts[1], tag
    return None
