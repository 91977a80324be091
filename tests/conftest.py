"""Shared fixtures."""

from __future__ import annotations

import pytest

from ecslearn.sim import Simulator


@pytest.fixture
def sim() -> Simulator:
    return Simulator(seed=0)


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Never touch the real user's learner state."""
    monkeypatch.setenv("ECSLEARN_HOME", str(tmp_path / "ecslearn-home"))
    monkeypatch.setenv("NO_COLOR", "1")
