"""Imports every command module so that each registers its commands on `cli.main.app`.

Keep this list in the order the commands should appear in `ecslearn --help`.
"""

from __future__ import annotations

from ecslearn.cli import sim_cmd  # noqa: F401
