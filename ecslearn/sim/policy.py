"""IAM policy documents: parsing, the AWS managed policies ECS users meet, and a small evaluator.

The evaluator answers "may this identity do `action` on `resource`?" the way IAM does for one account
with identity-based policies only:

* a request is denied unless some statement allows it (implicit deny);
* an explicit `Deny` wins over any `Allow`;
* `Action`/`NotAction` match case-insensitively with `*` and `?` wildcards (`s3:Get*`, `ecr:*`, `*`);
* `Resource`/`NotResource` match case-sensitively with the same wildcards.

Not modelled: `Condition` blocks are *not evaluated*: the simulator assumes every condition holds
(so `aws:SourceAccount` conditions in trust policies, or `ecs:CreateAction` in
AmazonEC2ContainerServiceforEC2Role, behave as if the request met them). Resource-based policies
(ECR repository policies, secret policies), permission boundaries, SCPs and session policies are not
part of the decision. `NotPrincipal` is refused as not modelled.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
from typing import Any

from ecslearn.errors import NotModelledError
from ecslearn.sim.errors import aws_error

POLICY_VERSIONS = ("2012-10-17", "2008-10-17")

_ECR_PULL = ["ecr:GetAuthorizationToken", "ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
             "ecr:BatchGetImage"]

#: AWS managed policies: ARN → (name, path, description, document). Statements as AWS publishes them.
MANAGED_POLICIES: dict[str, tuple[str, str, str, dict[str, Any]]] = {
    "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy": (
        "AmazonECSTaskExecutionRolePolicy", "/service-role/",
        "Provides access to other AWS service resources that are required to run Amazon ECS tasks",
        {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Action": [*_ECR_PULL, "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*"}]}),
    "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role": (
        "AmazonEC2ContainerServiceforEC2Role", "/service-role/",
        "Default policy for the Amazon EC2 Role for Amazon EC2 Container Service.",
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow",
             "Action": ["ec2:DescribeTags", "ecs:CreateCluster", "ecs:DeregisterContainerInstance",
                        "ecs:DiscoverPollEndpoint", "ecs:Poll", "ecs:RegisterContainerInstance",
                        "ecs:StartTelemetrySession", "ecs:UpdateContainerInstancesState", "ecs:Submit*",
                        *_ECR_PULL, "logs:CreateLogStream", "logs:PutLogEvents"],
             "Resource": "*"},
            {"Effect": "Allow", "Action": "ecs:TagResource", "Resource": "*",
             "Condition": {"StringEquals": {"ecs:CreateAction": ["CreateCluster",
                                                                 "RegisterContainerInstance"]}}}]}),
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly": (
        "AmazonEC2ContainerRegistryReadOnly", "/",
        "Provides read-only access to Amazon EC2 Container Registry repositories.",
        {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Action": [*_ECR_PULL, "ecr:GetRepositoryPolicy", "ecr:DescribeRepositories", "ecr:ListImages",
                       "ecr:DescribeImages", "ecr:GetLifecyclePolicy", "ecr:GetLifecyclePolicyPreview",
                       "ecr:ListTagsForResource", "ecr:DescribeImageScanFindings"],
            "Resource": "*"}]}),
    "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess": (
        "AmazonS3ReadOnlyAccess", "/", "Provides read only access to all buckets via the AWS Management Console.",
        {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow",
            "Action": ["s3:Get*", "s3:List*", "s3:Describe*", "s3-object-lambda:Get*", "s3-object-lambda:List*"],
            "Resource": "*"}]}),
    "arn:aws:iam::aws:policy/AmazonS3FullAccess": (
        "AmazonS3FullAccess", "/", "Provides full access to all buckets via the AWS Management Console.",
        {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["s3:*", "s3-object-lambda:*"], "Resource": "*"}]}),
    "arn:aws:iam::aws:policy/CloudWatchLogsFullAccess": (
        "CloudWatchLogsFullAccess", "/", "Provides full access to CloudWatch Logs",
        {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["logs:*", "cloudwatch:GenerateQuery"], "Resource": "*"}]}),
    "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceEventsRole": (
        "AmazonEC2ContainerServiceEventsRole", "/service-role/",
        "Policy to enable CloudWatch Events for EC2 Container Service",
        {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["ecs:RunTask"], "Resource": ["*"]},
            {"Effect": "Allow", "Action": "iam:PassRole", "Resource": ["*"],
             "Condition": {"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}},
            {"Effect": "Allow", "Action": "ecs:TagResource", "Resource": "*",
             "Condition": {"StringEquals": {"ecs:CreateAction": ["RunTask"]}}}]}),
    "arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess": (
        "AmazonSSMReadOnlyAccess", "/", "Provides read only access to Amazon SSM.",
        {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["ssm:Describe*", "ssm:Get*", "ssm:List*"], "Resource": "*"}]}),
}


def malformed(message: str) -> Exception:
    return aws_error("MalformedPolicyDocument", message)


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list):
        return value
    return [value]


def parse_document(doc: Any, *, trust: bool = False) -> dict[str, Any]:
    """A policy as given to IAM (JSON string, or a dict as awscli's `file://` sometimes passes) → dict.

    Raises MalformedPolicyDocument with IAM's wording for JSON or structure problems.
    """
    if isinstance(doc, dict):
        parsed: Any = doc
    elif isinstance(doc, str):
        if not doc.strip():
            raise malformed("Syntax errors in policy.")
        try:
            parsed = json.loads(doc)
        except ValueError:
            raise malformed("This policy contains invalid Json") from None
    else:
        raise malformed("This policy contains invalid Json")
    if not isinstance(parsed, dict):
        raise malformed("Syntax errors in policy.")
    version = parsed.get("Version")
    if version is not None and version not in POLICY_VERSIONS:
        raise malformed("The policy failed legacy parsing")
    if "Statement" not in parsed:
        raise malformed("Syntax errors in policy.")
    statements = _as_list(parsed["Statement"])
    if not statements:
        raise malformed("Syntax errors in policy.")
    for st in statements:
        if not isinstance(st, dict):
            raise malformed("Syntax errors in policy.")
        if st.get("Effect") not in ("Allow", "Deny"):
            raise malformed("Syntax errors in policy.")
        if ("Action" in st) == ("NotAction" in st):
            raise malformed("Policy statement must contain actions.")
        for key in ("Action", "NotAction"):
            if key in st and not all(isinstance(a, str) for a in _as_list(st[key])):
                raise malformed("Syntax errors in policy.")
            if key in st:
                for action in _as_list(st[key]):
                    if action != "*" and ":" not in action:
                        raise malformed(f"Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, "
                                        f"etc. Please fix: {action}")
        if trust:
            if "NotPrincipal" in st:
                raise NotModelledError("NotPrincipal in trust policies")
            if "Principal" not in st:
                raise malformed("AssumeRolepolicy contained an invalid principal element.")
            principal = st["Principal"]
            if principal != "*" and not (isinstance(principal, dict) and principal and all(
                    k in ("Service", "AWS", "Federated", "CanonicalUser")
                    and all(isinstance(v, str) for v in _as_list(val)) for k, val in principal.items())):
                raise malformed("Invalid principal in policy: " + json.dumps(principal, sort_keys=True))
            if "Resource" in st:
                raise malformed("Has prohibited field Resource")
        else:
            if "Principal" in st or "NotPrincipal" in st:
                raise malformed("Policy document should not specify a principal.")
            if ("Resource" in st) == ("NotResource" in st):
                raise malformed("Policy statement must contain resources.")
            for key in ("Resource", "NotResource"):
                if key in st and not all(isinstance(r, str) for r in _as_list(st[key])):
                    raise malformed("Syntax errors in policy.")
        cond = st.get("Condition")
        if cond is not None and not isinstance(cond, dict):
            raise malformed("Syntax errors in policy.")
    return parsed


@functools.lru_cache(maxsize=4096)
def _pattern(glob: str, case: bool) -> re.Pattern[str]:
    return re.compile(fnmatch.translate(glob), 0 if case else re.IGNORECASE)


def _match(globs: Any, value: str, *, case: bool) -> bool:
    return any(isinstance(g, str) and _pattern(g, case).match(value) for g in _as_list(globs))


def _statement_applies(st: dict[str, Any], action: str, resource: str) -> bool:
    if "Action" in st:
        if not _match(st["Action"], action, case=False):
            return False
    elif "NotAction" in st:
        if _match(st["NotAction"], action, case=False):
            return False
    else:
        return False
    if "Resource" in st:
        return _match(st["Resource"], resource, case=True)
    if "NotResource" in st:
        return not _match(st["NotResource"], resource, case=True)
    return False


def evaluate(documents: list[dict[str, Any]], action: str, resource: str = "*") -> str:
    """'Allow', 'Deny' (explicit) or 'ImplicitDeny' for one request against identity policies."""
    allowed = False
    for doc in documents:
        for st in _as_list(doc.get("Statement", [])):
            if not isinstance(st, dict) or not _statement_applies(st, action, resource):
                continue
            if st.get("Effect") == "Deny":
                return "Deny"
            if st.get("Effect") == "Allow":
                allowed = True
    return "Allow" if allowed else "ImplicitDeny"


def trusts(document: dict[str, Any], principal_service: str, action: str = "sts:AssumeRole") -> bool:
    """Whether a trust (assume-role) policy lets a service principal call `action` (Deny wins)."""
    allowed = False
    for st in _as_list(document.get("Statement", [])):
        if not isinstance(st, dict):
            continue
        if "Action" in st and not _match(st["Action"], action, case=False):
            continue
        if "NotAction" in st and _match(st["NotAction"], action, case=False):
            continue
        principal = st.get("Principal")
        if principal == "*":
            hit = True
        elif isinstance(principal, dict):
            hit = any(_match(v, principal_service, case=False) for v in _as_list(principal.get("Service", [])))
            hit = hit or principal.get("AWS") == "*"
        else:
            hit = False
        if not hit:
            continue
        if st.get("Effect") == "Deny":
            return False
        if st.get("Effect") == "Allow":
            allowed = True
    return allowed


def trust_document(*services: str) -> dict[str, Any]:
    """The trust policy the console creates for a service role."""
    return {"Version": "2012-10-17", "Statement": [{
        "Sid": "", "Effect": "Allow", "Principal": {"Service": list(services) if len(services) > 1 else services[0]},
        "Action": "sts:AssumeRole"}]}
