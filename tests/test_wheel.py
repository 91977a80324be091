"""The built wheel ships exactly the tracked lessons and quizzes (force-include copies whatever is on disk)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.wheel


def _tracked(folder: str) -> set[str]:
    proc = subprocess.run(["git", "ls-files", folder], cwd=ROOT, capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip("not a git checkout")
    return {line for line in proc.stdout.splitlines() if line}


def test_wheel_contains_tracked_content_and_entry_point(tmp_path):
    pytest.importorskip("hatchling")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    src = tmp_path / "src"
    # build from a clean export of the tracked files, so stray local files cannot leak in or hide a gap
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for rel in files.splitlines():
        if not (ROOT / rel).is_file():
            continue
        dest = src / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / rel, dest)
    out = tmp_path / "dist"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(src)],
        capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    wheel = next(out.glob("ecslearn-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("lessons", "quizzes"):
        shipped = {n.split("_content/", 1)[1] for n in names if n.startswith(f"ecslearn/_content/{folder}/")}
        assert shipped == _tracked(folder)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "ecslearn = ecslearn.cli.main:main" in zipfile.ZipFile(wheel).read(entry).decode()


def test_installed_wheel_finds_and_checks_its_bundled_content(tmp_path):
    """An installed wheel (here: unpacked, as pip installs it) finds ecslearn/_content, not a checkout."""
    pytest.importorskip("hatchling")
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    src = tmp_path / "src"
    files = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    for rel in files.splitlines():
        if (ROOT / rel).is_file():
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / rel, src / rel)
    out = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out),
                    str(src)], check=True, capture_output=True)
    site = tmp_path / "site"
    zipfile.ZipFile(next(out.glob("ecslearn-*.whl"))).extractall(site)
    code = ("from ecslearn.content.catalog import find_root\n"
            "r = find_root(None)\n"
            "print(r.origin, r.path)\n")
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(site), "HOME": str(tmp_path), "ECSLEARN_HOME": str(tmp_path)}
    found = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    origin, _, path = found.stdout.strip().partition(" /")
    assert origin == "installed package"
    assert path.endswith("ecslearn/_content")
    check = subprocess.run([sys.executable, "-m", "ecslearn", "content", "check", "--no-simulate"], cwd=tmp_path,
                           env=env, capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
