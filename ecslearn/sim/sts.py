"""Simulated AWS STS: who am I?"""

from __future__ import annotations

from typing import Any

from ecslearn.sim.base import Backend, operation


class StsBackend(Backend):
    """AWS STS (only GetCallerIdentity: the learner is the account's root-like admin user)."""

    service_name = "sts"

    @operation
    def get_caller_identity(self) -> dict[str, Any]:
        """Return the simulated caller: user `learner` in account 123456789012.

        Not modelled: assumed-role sessions (AssumeRole); every call is made as the same admin user.
        """
        return {"UserId": "AIDAEXAMPLELEARNER01", "Account": self.account_id,
                "Arn": f"arn:aws:iam::{self.account_id}:user/learner"}
