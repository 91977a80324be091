"""JSON export: every keyed variant with its key, explanation and sources, plus what was skipped."""

from __future__ import annotations

import json
from typing import Any

from ecslearn.export.generate import Generated, Item, VariantSet


def document(items: list[Item], *, title: str, gen: Generated, vset: VariantSet) -> dict[str, Any]:
    student = vset.student
    skipped = [vars(s) for s in gen.skipped if student is None or s.student == student.id]
    return {"format": 1, "kind": "ecslearn-variants", "title": title, "seed": gen.seed,
            "student": {"id": student.id, "name": student.name, "seed": vset.seed} if student else None,
            "items": [i.to_dict() for i in items], "skipped": skipped}


def render(items: list[Item], *, title: str, gen: Generated, vset: VariantSet) -> str:
    return json.dumps(document(items, title=title, gen=gen, vset=vset), indent=1, ensure_ascii=False,
                      sort_keys=False) + "\n"
