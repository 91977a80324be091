"""Repository hygiene: lint boundaries, generated docs, every command documented."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_ruff_clean_including_import_boundaries():
    """rich/questionary only in ui/, typer only in cli/ (ruff banned-api), and the rest of the lint."""
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists() and shutil.which("ruff") is None:
        pytest.skip("ruff is not installed")
    proc = subprocess.run([ruff, "check", "ecslearn", "tests", "benchmarks"], cwd=ROOT, capture_output=True,
                          text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_simulator_docs_are_generated_and_current():
    """docs/SIMULATOR.md is `ecslearn sim coverage --markdown`; regenerate it when operations change."""
    from ecslearn.sim.coverage import coverage_table, render_markdown

    expected = render_markdown(coverage_table())
    current = (ROOT / "docs" / "SIMULATOR.md").read_text(encoding="utf-8")
    assert current == expected, "docs/SIMULATOR.md is stale: run `ecslearn sim coverage --markdown > docs/SIMULATOR.md`"


def test_sim_package_imports_no_ui_or_content_libraries():
    """The simulator is standard library only (botocore lazily in bridge/base error paths)."""
    code = (
        "import sys, ecslearn.sim\n"
        "from ecslearn.sim import Simulator\n"
        "from ecslearn.sim.simulator import SERVICES\n"
        "s = Simulator(0)\n"
        "for name in SERVICES:\n"
        "    s.client(name)\n"
        "s.client('ecs').create_cluster(clusterName='prod')\n"
        "s.advance(120)\n"
        "bad = [m for m in ('rich','typer','yaml','questionary','jinja2','botocore','awscli') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == ""


def test_ci_runs_exactly_the_readmes_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    commands = [line.strip() for line in readme[:6] if line.startswith("    ")]
    assert len(commands) == 2, "the README's first lines give two commands: run ecslearn, run the tests"
    assert commands[0].endswith("ecslearn") and "pytest" in commands[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert commands[1] in ci
