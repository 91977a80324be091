"""The IAM policy evaluator: wildcards, explicit deny, and monotonic invariants (Hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecslearn.sim.policy import MANAGED_POLICIES, evaluate, parse_document, trusts

ACTIONS = ["s3:GetObject", "s3:PutObject", "s3:ListBucket", "ecr:BatchGetImage", "ecr:GetAuthorizationToken",
           "logs:CreateLogStream", "logs:PutLogEvents", "secretsmanager:GetSecretValue", "ssm:GetParameters"]
RESOURCES = ["*", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket/key", "arn:aws:s3:::other/key",
             "arn:aws:ecr:us-east-1:123456789012:repository/web"]
action_globs = st.sampled_from(["*", "s3:*", "s3:Get*", "S3:getobject", "ecr:*", "logs:Put*", "ssm:Get?arameters",
                                *ACTIONS])
resource_globs = st.sampled_from(["*", "arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", "arn:aws:s3:::*",
                                  "arn:aws:ecr:*:*:repository/*", *RESOURCES])
statements = st.fixed_dictionaries({
    "Effect": st.sampled_from(["Allow", "Deny"]),
    "Action": st.one_of(action_globs, st.lists(action_globs, min_size=1, max_size=3)),
    "Resource": st.one_of(resource_globs, st.lists(resource_globs, min_size=1, max_size=3)),
})
documents = st.lists(st.builds(lambda s: {"Version": "2012-10-17", "Statement": s},
                               st.lists(statements, min_size=1, max_size=3)), max_size=3)


def test_wildcards_and_case():
    doc = {"Statement": [{"Effect": "Allow", "Action": "S3:Get*", "Resource": "arn:aws:s3:::bucket/*"}]}
    assert evaluate([doc], "s3:GetObject", "arn:aws:s3:::bucket/a/b") == "Allow"
    assert evaluate([doc], "s3:getobject", "arn:aws:s3:::bucket/x") == "Allow"
    assert evaluate([doc], "s3:GetObject", "arn:aws:s3:::Bucket/x") == "ImplicitDeny"  # resources are case-sensitive
    assert evaluate([doc], "s3:PutObject", "arn:aws:s3:::bucket/x") == "ImplicitDeny"
    not_action = {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}
    assert evaluate([not_action], "s3:PutObject") == "Allow"
    assert evaluate([not_action], "iam:CreateRole") == "ImplicitDeny"
    not_resource = {"Statement": [{"Effect": "Deny", "Action": "*", "NotResource": "arn:aws:s3:::bucket/*"}]}
    assert evaluate([doc, not_resource], "s3:GetObject", "arn:aws:s3:::bucket/x") == "Allow"
    assert evaluate([not_resource], "s3:GetObject", "arn:aws:s3:::other/x") == "Deny"


def test_managed_policies_parse_and_trust():
    for _name, _path, _desc, doc in MANAGED_POLICIES.values():
        assert parse_document(doc) == doc
    execution = MANAGED_POLICIES["arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"][3]
    assert set(execution["Statement"][0]["Action"]) == {
        "ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
        "ecr:BatchGetImage", "logs:CreateLogStream", "logs:PutLogEvents"}
    trust = {"Statement": [{"Effect": "Allow", "Principal": {"Service": ["ecs-tasks.amazonaws.com"]},
                            "Action": "sts:AssumeRole", "Condition": {"StringEquals": {"aws:SourceAccount": "1"}}}]}
    assert trusts(trust, "ecs-tasks.amazonaws.com")  # conditions are assumed to hold
    assert not trusts(trust, "ec2.amazonaws.com")
    assert not trusts({"Statement": [*trust["Statement"], {"Effect": "Deny", "Principal": "*",
                                                           "Action": "sts:AssumeRole"}]}, "ecs-tasks.amazonaws.com")


@pytest.mark.parametrize("bad", ["", "{", "[]", '{"Statement": []}', '{"Statement": [{"Effect": "Maybe"}]}',
                                 '{"Version": "2020-01-01", "Statement": [{"Effect": "Allow", "Action": "*", '
                                 '"Resource": "*"}]}',
                                 '{"Statement": [{"Effect": "Allow", "Action": "GetObject", "Resource": "*"}]}'])
def test_malformed_documents(bad):
    from ecslearn.sim import ClientError

    with pytest.raises(ClientError) as info:
        parse_document(bad)
    assert info.value.response["Error"]["Code"] == "MalformedPolicyDocument"


@settings(max_examples=100, deadline=None)
@given(docs=documents, extra=statements, action=st.sampled_from(ACTIONS), resource=st.sampled_from(RESOURCES))
def test_explicit_deny_wins_and_evaluation_is_monotonic(docs, extra, action, resource):
    before = evaluate(docs, action, resource)
    after = evaluate([*docs, {"Statement": [extra]}], action, resource)
    assert evaluate(list(reversed(docs)), action, resource) == before  # order never matters
    if extra["Effect"] == "Allow":
        assert not (before == "Allow" and after != "Allow")  # more allows never take access away
        assert not (before == "Deny" and after != "Deny")  # ... and never beat an explicit deny
    else:
        assert not (before != "Allow" and after == "Allow")  # a deny never grants
        if before == "Deny":
            assert after == "Deny"
