"""Imports every command module so that each registers its commands on `cli.main.app`.

Keep this list in the order the commands should appear in `ecslearn --help`.
"""

from __future__ import annotations

from ecslearn.cli import (
    content_cmd,  # noqa: F401
    exam_cmd,  # noqa: F401
    generate_cmd,  # noqa: F401
    grade_cmd,  # noqa: F401
    learn_cmd,  # noqa: F401
    map_cmd,  # noqa: F401
    progress_cmd,  # noqa: F401
    quiz_cmd,  # noqa: F401
    review_cmd,  # noqa: F401
    sandbox_cmd,  # noqa: F401
    sim_cmd,  # noqa: F401
    stats_cmd,  # noqa: F401
)
