"""Start-up cost of `ecslearn --help` against a bare two-command Typer app.

    python benchmarks/startup.py [--runs 20] [--json]

Each run is a fresh interpreter (`python -c ...` / `python -m ecslearn --help`), timed with
time.perf_counter around subprocess.run; the table shows the median and best of N runs, and which
heavy modules `ecslearn --help` imported (it must import none of them).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time

BARE_APP = """
import typer
app = typer.Typer()
@app.command()
def one(): pass
@app.command()
def two(): pass
app(args=["--help"], prog_name="bare")
"""

HEAVY = ("botocore", "awscli", "boto3", "jinja2", "genanki", "yaml", "prompt_toolkit", "questionary", "fsrs",
         "croniter", "jmespath")

PROBE = """
import sys
from ecslearn.cli.main import main
try:
    main(["--help"])
except SystemExit:
    pass
heavy = HEAVY_LIST
print("HEAVY=" + ",".join(sorted(m for m in heavy if m in sys.modules)), file=sys.stderr)
""".replace("HEAVY_LIST", repr(HEAVY))


def _time(cmd: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        out.append(time.perf_counter() - start)
    return out


def heavy_modules_on_help() -> list[str]:
    """Heavy modules that `ecslearn --help` imports (should be none)."""
    proc = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, check=True)
    line = next(x for x in proc.stderr.splitlines() if x.startswith("HEAVY="))
    return [m for m in line[len("HEAVY="):].split(",") if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    python = sys.executable
    rows = {
        "python -c pass": _time([python, "-c", "pass"], args.runs),
        "bare 2-command Typer app --help": _time([python, "-c", BARE_APP], args.runs),
        "ecslearn --help": _time([python, "-m", "ecslearn", "--help"], args.runs),
    }
    result = {name: {"median_ms": round(statistics.median(v) * 1000, 1), "best_ms": round(min(v) * 1000, 1)}
              for name, v in rows.items()}
    heavy = heavy_modules_on_help()
    if args.json:
        print(json.dumps({"runs": args.runs, "results": result, "heavy_imported": heavy}, indent=2))
        return
    print(f"{'command':<36} {'median':>9} {'best':>9}   ({args.runs} runs)")
    for name, r in result.items():
        print(f"{name:<36} {r['median_ms']:>7.1f}ms {r['best_ms']:>7.1f}ms")
    print(f"heavy modules imported by --help: {', '.join(heavy) or 'none'}")


if __name__ == "__main__":
    main()
