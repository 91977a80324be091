"""The ECS simulator's public contract (see DESIGN.md): `Simulator`, `ClientError`, `boto3_session`.

Standard library only: nothing here imports rich, typer, yaml or botocore at import time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ecslearn.sim.errors import ClientError
from ecslearn.sim.simulator import Simulator

if TYPE_CHECKING:
    import boto3


def boto3_session(sim: Simulator) -> boto3.session.Session:
    """A boto3 Session whose clients answer from `sim` instead of AWS (no network, no credentials)."""
    from ecslearn.sim.bridge import boto3_session as _session

    return _session(sim)


def __getattr__(name: str) -> Any:
    raise AttributeError(name)


__all__ = ["ClientError", "Simulator", "boto3_session"]
