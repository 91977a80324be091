"""IAM: roles, trust policies, managed/inline policies, instance profiles and the internal API."""

from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim import ClientError, Simulator

EXEC_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
S3_RO = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"
TASKS_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def _code(info) -> tuple[str, str]:
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_default_account_roles(sim):
    iam = sim.client("iam")
    profile = iam.get_instance_profile(InstanceProfileName="ecsInstanceRole")["InstanceProfile"]
    assert [r["RoleName"] for r in profile["Roles"]] == ["ecsInstanceRole"]
    attached = iam.list_attached_role_policies(RoleName="ecsTaskExecutionRole")["AttachedPolicies"]
    assert attached == [{"PolicyName": "AmazonECSTaskExecutionRolePolicy", "PolicyArn": EXEC_POLICY}]
    iam_b = sim.backend("iam")
    assert iam_b._instance_profile_role("ecsInstanceRole") == "arn:aws:iam::123456789012:role/ecsInstanceRole"
    assert iam_b._instance_profile_role(profile["Arn"]) == "arn:aws:iam::123456789012:role/ecsInstanceRole"
    assert iam_b._can_assume("arn:aws:iam::123456789012:role/ecsInstanceRole", "ec2.amazonaws.com")
    assert not iam_b._can_assume("arn:aws:iam::123456789012:role/ecsInstanceRole", "ecs-tasks.amazonaws.com")
    assert iam_b._can_assume("arn:aws:iam::123456789012:role/ecsTaskExecutionRole", "ecs-tasks.amazonaws.com")
    exec_arn = "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"
    assert iam_b._allowed(exec_arn, "ecr:BatchGetImage", "arn:aws:ecr:us-east-1:123456789012:repository/web")
    assert not iam_b._allowed(exec_arn, "s3:GetObject", "arn:aws:s3:::bucket/key")
    assert iam_b._allowed("arn:aws:iam::123456789012:role/ecsInstanceRole", "ecs:SubmitTaskStateChange")


def test_create_role_and_errors(sim):
    iam = sim.client("iam")
    role = iam.create_role(RoleName="app", AssumeRolePolicyDocument=TASKS_TRUST, Description="d",
                           Tags=[{"Key": "team", "Value": "a"}])["Role"]
    assert role["Arn"] == "arn:aws:iam::123456789012:role/app"
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    assert role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    with pytest.raises(ClientError) as info:
        iam.create_role(RoleName="app", AssumeRolePolicyDocument=TASKS_TRUST)
    assert _code(info) == ("EntityAlreadyExists", "Role with name app already exists.")
    with pytest.raises(ClientError) as info:
        iam.get_role(RoleName="nope")
    assert _code(info) == ("NoSuchEntity", "The role with name nope cannot be found.")
    with pytest.raises(ClientError) as info:
        iam.create_role(RoleName="bad", AssumeRolePolicyDocument="{not json")
    assert _code(info)[0] == "MalformedPolicyDocument"
    with pytest.raises(ClientError) as info:
        iam.create_role(RoleName="bad name!", AssumeRolePolicyDocument=TASKS_TRUST)
    assert _code(info)[0] == "ValidationError"
    # a path goes into the ARN
    pathed = iam.create_role(RoleName="p", Path="/svc/", AssumeRolePolicyDocument=TASKS_TRUST)["Role"]
    assert pathed["Arn"] == "arn:aws:iam::123456789012:role/svc/p"
    assert {r["RoleName"] for r in iam.list_roles(PathPrefix="/svc/")["Roles"]} == {"p"}


def test_policies_attach_inline_and_delete_conflicts(sim):
    iam = sim.client("iam")
    iam.create_role(RoleName="app", AssumeRolePolicyDocument=TASKS_TRUST)
    iam.attach_role_policy(RoleName="app", PolicyArn=S3_RO)
    assert iam.get_policy(PolicyArn=S3_RO)["Policy"]["AttachmentCount"] == 1
    with pytest.raises(ClientError) as info:
        iam.attach_role_policy(RoleName="app", PolicyArn="arn:aws:iam::aws:policy/Nope")
    assert _code(info) == ("NoSuchEntity", "Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.")
    iam.put_role_policy(RoleName="app", PolicyName="deny-secret", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::secret/*"}]}))
    assert iam.list_role_policies(RoleName="app")["PolicyNames"] == ["deny-secret"]
    assert iam.get_role_policy(RoleName="app", PolicyName="deny-secret")["PolicyDocument"]["Statement"][0][
        "Effect"] == "Deny"
    backend = sim.backend("iam")
    arn = "arn:aws:iam::123456789012:role/app"
    assert backend._allowed(arn, "s3:GetObject", "arn:aws:s3:::public/file")
    assert not backend._allowed(arn, "s3:GetObject", "arn:aws:s3:::secret/file")  # explicit deny wins
    assert not backend._allowed(arn, "s3:PutObject", "arn:aws:s3:::public/file")
    with pytest.raises(ClientError) as info:
        iam.put_role_policy(RoleName="app", PolicyName="x", PolicyDocument="[1,")
    assert _code(info) == ("MalformedPolicyDocument", "This policy contains invalid Json")
    with pytest.raises(ClientError) as info:
        iam.delete_role(RoleName="app")
    assert _code(info) == ("DeleteConflict", "Cannot delete entity, must detach all policies first.")
    iam.detach_role_policy(RoleName="app", PolicyArn=S3_RO)
    with pytest.raises(ClientError) as info:
        iam.delete_role(RoleName="app")
    assert _code(info) == ("DeleteConflict", "Cannot delete entity, must delete policies first.")
    iam.delete_role_policy(RoleName="app", PolicyName="deny-secret")
    iam.delete_role(RoleName="app")
    assert backend._role(arn) is None


def test_instance_profiles(sim):
    iam = sim.client("iam")
    iam.create_role(RoleName="node", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"},
                                                "Action": "sts:AssumeRole"}]}))
    iam.create_role(RoleName="other", AssumeRolePolicyDocument=TASKS_TRUST)
    prof = iam.create_instance_profile(InstanceProfileName="node-profile")["InstanceProfile"]
    assert prof["Roles"] == [] and prof["Arn"].endswith(":instance-profile/node-profile")
    assert sim.backend("iam")._instance_profile_role("node-profile") is None
    iam.add_role_to_instance_profile(InstanceProfileName="node-profile", RoleName="node")
    with pytest.raises(ClientError) as info:
        iam.add_role_to_instance_profile(InstanceProfileName="node-profile", RoleName="other")
    assert _code(info) == ("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
    with pytest.raises(ClientError) as info:
        iam.delete_role(RoleName="node")
    assert _code(info)[0] == "DeleteConflict"
    with pytest.raises(ClientError) as info:
        iam.delete_instance_profile(InstanceProfileName="node-profile")
    assert _code(info)[0] == "DeleteConflict"
    iam.remove_role_from_instance_profile(InstanceProfileName="node-profile", RoleName="node")
    iam.delete_instance_profile(InstanceProfileName="node-profile")
    with pytest.raises(ClientError) as info:
        iam.get_instance_profile(InstanceProfileName="node-profile")
    assert _code(info) == ("NoSuchEntity", "Instance Profile node-profile cannot be found.")


def test_update_assume_role_policy_changes_who_can_assume(sim):
    iam = sim.client("iam")
    arn = iam.create_role(RoleName="r", AssumeRolePolicyDocument=TASKS_TRUST)["Role"]["Arn"]
    backend = sim.backend("iam")
    assert backend._can_assume(arn, "ecs-tasks.amazonaws.com")
    iam.update_assume_role_policy(RoleName="r", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]},
                                                "Action": "sts:AssumeRole"}]}))
    assert not backend._can_assume(arn, "ecs-tasks.amazonaws.com")
    assert backend._can_assume(arn, "ec2.amazonaws.com")


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=5),
                     lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
                     max_leaves=8)


@settings(max_examples=60, deadline=None)
@given(doc=_json | st.text(max_size=30), name=st.text(max_size=10))
def test_random_policy_documents_never_crash(doc, name):
    sim = Simulator(seed=1)
    iam = sim.client("iam")
    text = doc if isinstance(doc, str) else json.dumps(doc)
    for call in (lambda: iam.create_role(RoleName=name or "x", AssumeRolePolicyDocument=text),
                 lambda: iam.put_role_policy(RoleName="ecsTaskExecutionRole", PolicyName=name or "p",
                                             PolicyDocument=text)):
        with contextlib.suppress(ClientError, ParamValidationError, NotModelledError):
            call()
    backend = sim.backend("iam")
    backend._allowed("arn:aws:iam::123456789012:role/ecsTaskExecutionRole", "s3:GetObject", "arn:aws:s3:::b/k")
