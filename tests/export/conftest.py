from __future__ import annotations

import pytest

from ecslearn.content.catalog import load_content
from ecslearn.export.generate import Keyer, generate

#: one question of every kind in the bundled bank
IDS = ["create-cluster-twice", "fargate-registrations", "fargate-run-count", "new-cluster-status",
       "iam-roles-match", "task-lifecycle-order", "agent-role-concept", "enable-container-insights",
       "write-fargate-taskdef", "join-cluster-config", "fargate-memory-for-cpu"]


@pytest.fixture(scope="session")
def content():
    return load_content()


@pytest.fixture(scope="session")
def keyer():
    return Keyer()


@pytest.fixture(scope="session")
def gen(content, keyer):
    return generate(content, seed=7, variants=3, ids=IDS, keyer=keyer)
