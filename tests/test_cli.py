"""The command line as a user meets it: version, help, errors, start-up cost."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ecslearn import __version__
from ecslearn.cli.main import main


def run_main(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as info:
        main(args)
    out = capsys.readouterr()
    code = info.value.code
    return (0 if code is None else int(code)), out.out, out.err


def test_version(capsys):
    code, out, _ = run_main(["--version"], capsys)
    assert code == 0
    assert out.strip() == f"ecslearn {__version__}"


def test_help_lists_only_real_commands(capsys):
    code, out, _ = run_main(["--help"], capsys)
    assert code == 0
    assert "sim" in out


def test_unknown_command_is_a_usage_error_not_a_traceback(capsys):
    code, out, err = run_main(["no-such-command"], capsys)
    assert code == 2
    assert "No such command" in err
    assert "Traceback" not in out + err


def test_python_dash_m_entry_point():
    proc = subprocess.run([sys.executable, "-m", "ecslearn", "--version"], capture_output=True, text=True)
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"ecslearn {__version__}"


def test_help_imports_no_heavy_module():
    """`ecslearn --help` must cost about what a bare Typer app costs: nothing heavy is imported."""
    sys.path.insert(0, "benchmarks")
    try:
        from startup import heavy_modules_on_help
    finally:
        sys.path.pop(0)
    assert heavy_modules_on_help() == []


def test_sim_coverage_json_lists_modelled_operations(capsys):
    import json

    code, out, _ = run_main(["sim", "coverage", "--json"], capsys)
    assert code == 0
    rows = {r["service"]: r for r in json.loads(out)}
    ops = {o["operation"] for o in rows["ecs"]["modelled"]}
    assert {"CreateCluster", "DescribeClusters", "DeleteCluster", "TagResource"} <= ops
    assert rows["ecs"]["aws_operations"] > len(ops)
