"""Secrets Manager: secrets, versions, lookups by name and ARN, deletion."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim import ClientError, Simulator


def _err(info) -> tuple[str, str]:
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_create_get_put_versions(sim):
    sm = sim.client("secretsmanager")
    out = sm.create_secret(Name="prod/db", SecretString='{"password":"s3cret"}')
    assert out["ARN"].startswith("arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-")
    assert len(out["ARN"].rsplit("-", 1)[1]) == 6
    for ref in ("prod/db", out["ARN"], out["ARN"][:-7]):
        assert sm.get_secret_value(SecretId=ref)["SecretString"] == '{"password":"s3cret"}'
    sm.put_secret_value(SecretId="prod/db", SecretString='{"password":"new"}')
    assert sm.get_secret_value(SecretId="prod/db")["SecretString"] == '{"password":"new"}'
    assert sm.get_secret_value(SecretId="prod/db", VersionStage="AWSPREVIOUS")["SecretString"] == \
        '{"password":"s3cret"}'
    stages = sm.describe_secret(SecretId="prod/db")["VersionIdsToStages"]
    assert sorted(s for v in stages.values() for s in v) == ["AWSCURRENT", "AWSPREVIOUS"]
    with pytest.raises(ClientError) as info:
        sm.create_secret(Name="prod/db", SecretString="x")
    assert _err(info) == ("ResourceExistsException", "The operation failed because the secret prod/db already exists.")
    with pytest.raises(ClientError) as info:
        sm.get_secret_value(SecretId="nope")
    assert _err(info) == ("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")


def test_delete_restore_and_force(sim):
    sm = sim.client("secretsmanager")
    sm.create_secret(Name="a", SecretString="1")
    out = sm.delete_secret(SecretId="a", RecoveryWindowInDays=7)
    assert (out["DeletionDate"] - sim.now).days == 7
    with pytest.raises(ClientError) as info:
        sm.get_secret_value(SecretId="a")
    assert _err(info)[0] == "InvalidRequestException"
    sm.restore_secret(SecretId="a")
    assert sm.get_secret_value(SecretId="a")["SecretString"] == "1"
    sm.delete_secret(SecretId="a", RecoveryWindowInDays=7)
    sim.advance(8 * 86400)
    with pytest.raises(ClientError) as info:
        sm.describe_secret(SecretId="a")
    assert _err(info)[0] == "ResourceNotFoundException"
    assert sim.settle() == 0  # a scheduled deletion is not work in flight
    sm.create_secret(Name="b", SecretString="1")
    sm.delete_secret(SecretId="b", ForceDeleteWithoutRecovery=True)
    assert sm.list_secrets()["SecretList"] == []
    with pytest.raises(ClientError) as info:
        sm.delete_secret(SecretId="b", RecoveryWindowInDays=3)
    assert _err(info)[0] == "ResourceNotFoundException"


@settings(max_examples=40, deadline=None)
@given(name=st.text(max_size=10), value=st.one_of(st.none(), st.text(max_size=10)),
       days=st.one_of(st.none(), st.integers(-5, 40)))
def test_random_input_never_crashes(name, value, days):
    sim = Simulator(seed=4)
    sm = sim.client("secretsmanager")
    for call in (lambda: sm.create_secret(Name=name, SecretString=value),
                 lambda: sm.put_secret_value(SecretId=name, SecretString=value),
                 lambda: sm.get_secret_value(SecretId=name),
                 lambda: sm.delete_secret(SecretId=name, RecoveryWindowInDays=days)):
        with contextlib.suppress(ClientError, ParamValidationError, NotModelledError):
            call()
