"""`ecslearn content check` on the bundled content (target: < 5 s).

    python benchmarks/content_check.py [--runs 3] [--json] [DIR]

Times `check_all(root)` (wall seconds, time.perf_counter) in a fresh process per run, so imports and
the AWS CLI driver's start-up are included as a user sees them: structure, every key re-derived from
the simulator, every distractor, variants under several seeds and the second run.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LIMIT_SECONDS = 5.0

_ONE_RUN = """
import json, sys, time
sys.path.insert(0, {root!r})
start = time.perf_counter()
from ecslearn.content.check import check_all
report = check_all({target!r})
seconds = time.perf_counter() - start
s = report.summary
print(json.dumps({{"seconds": seconds, "questions": s.questions, "simulator_checked": s.simulator_checked,
                   "problems": len(report.problems)}}))
"""


def one_run(target: Path) -> dict:
    code = _ONE_RUN.format(root=str(ROOT), target=str(target))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", nargs="?", default=str(ROOT), help="content root (default: the checkout)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    runs = [one_run(Path(args.directory)) for _ in range(args.runs)]
    times = [r["seconds"] for r in runs]
    result = {"benchmark": "content check", "questions": runs[0]["questions"],
              "simulator_checked": runs[0]["simulator_checked"], "problems": runs[0]["problems"],
              "runs": args.runs, "median_s": round(statistics.median(times), 3), "worst_s": round(max(times), 3),
              "limit_s": LIMIT_SECONDS, "ok": max(times) < LIMIT_SECONDS}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(f"content check: {result['questions']} questions ({result['simulator_checked']} simulator-checked), "
              f"{result['problems']} problem(s); median {result['median_s']} s, worst {result['worst_s']} s "
              f"over {args.runs} runs (target < {LIMIT_SECONDS} s): {'ok' if result['ok'] else 'TOO SLOW'}")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
