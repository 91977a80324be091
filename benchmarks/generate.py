"""Benchmark: 1,000 simulator-keyed variants generated and exported to GIFT (target: at most 3 s).

Run: python benchmarks/generate.py
Two runs in one process, each with a fresh key cache (every key is derived and checked again); the
first also pays one-time costs (imports, building the AWS CLI driver, ~0.5-1 s) and is printed apart.
Variants come from the bundled question bank: every parameterised question gets N variants (N chosen
so the total reaches 1,000), the others one each. Every variant's key is derived and checked by the
simulator; variants whose drawn values are identical share one derivation (the simulator is
deterministic), which the output reports as "distinct keys".
"""

from __future__ import annotations

import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecslearn.content.catalog import load_content
from ecslearn.export import write_exports
from ecslearn.export.generate import generate

TARGET = 1000
LIMIT = 3.0


def run(content, per: int) -> tuple[float, float, object, int]:
    start = time.perf_counter()
    gen = generate(content, seed=2026, variants=per)      # a fresh Keyer: every key derived again
    keyed = time.perf_counter()
    with tempfile.TemporaryDirectory() as out:
        write_exports(gen, ["gift"], out)
        size = (Path(out) / "questions.gift.txt").stat().st_size
    end = time.perf_counter()
    return keyed - start, end - keyed, gen, size


def main() -> int:
    content = load_content()
    questions = content.questions
    with_params = [q for q in questions if q.params]
    plain = len(questions) - len(with_params)
    per = math.ceil((TARGET - plain) / max(1, len(with_params)))
    cold_key, cold_gift, gen, size = run(content, per)
    warm_key, warm_gift, gen, size = run(content, per)
    total = warm_key + warm_gift
    print(f"{gen.count} keyed variants ({gen.keys_derived} distinct keys derived by the simulator, "
          f"{len(gen.skipped)} skipped) from {len(questions)} questions; GIFT file {size} bytes")
    print(f"first run in this process (imports, AWS CLI driver): {cold_key + cold_gift:.2f} s")
    print(f"warm run: generate + key + check {warm_key:.2f} s, GIFT export {warm_gift:.2f} s")
    ok = total <= LIMIT and gen.count >= TARGET
    print(f"total (warm): {total:.2f} s (target: <= {LIMIT:.0f} s for >= {TARGET}) -> {'OK' if ok else 'TOO SLOW'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
