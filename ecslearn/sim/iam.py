"""Simulated AWS IAM: roles, trust policies, managed and inline policies, instance profiles.

The account starts as DESIGN.md says: role + instance profile `ecsInstanceRole` (trusting
ec2.amazonaws.com, AmazonEC2ContainerServiceforEC2Role attached) and role `ecsTaskExecutionRole`
(trusting ecs-tasks.amazonaws.com, AmazonECSTaskExecutionRolePolicy attached).

Internal API (other backends): `_role`, `_instance_profile_role`, `_can_assume`, `_allowed`,
`_decision`, `_role_documents`. Policy evaluation rules are in `sim/policy.py`.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ecslearn.errors import NotModelledError
from ecslearn.sim import policy as pol
from ecslearn.sim.base import Backend, check_type, operation, page_slice
from ecslearn.sim.errors import aws_error

_NAME = re.compile(r"^[\w+=,.@-]+$")
_PATH = re.compile(r"^(/|/[\x21-\x7e]*/)$")
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


@dataclass
class Role:
    name: str
    arn: str
    id: str
    path: str
    created_at: datetime
    trust: dict[str, Any]
    description: str | None = None
    max_session_duration: int = 3600
    tags: list[dict[str, str]] = field(default_factory=list)
    attached: list[str] = field(default_factory=list)  # managed policy ARNs
    inline: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_used: datetime | None = None

    def to_api(self) -> dict[str, Any]:
        out: dict[str, Any] = {"Path": self.path, "RoleName": self.name, "RoleId": self.id, "Arn": self.arn,
                               "CreateDate": self.created_at, "AssumeRolePolicyDocument": self.trust,
                               "MaxSessionDuration": self.max_session_duration}
        if self.description is not None:
            out["Description"] = self.description
        if self.tags:
            out["Tags"] = [dict(t) for t in self.tags]
        out["RoleLastUsed"] = {"LastUsedDate": self.last_used, "Region": "us-east-1"} if self.last_used else {}
        return out


@dataclass
class ManagedPolicy:
    name: str
    arn: str
    id: str
    path: str
    document: dict[str, Any]
    created_at: datetime
    description: str | None = None
    aws_managed: bool = False
    tags: list[dict[str, str]] = field(default_factory=list)

    def to_api(self, attachments: int) -> dict[str, Any]:
        out: dict[str, Any] = {"PolicyName": self.name, "PolicyId": self.id, "Arn": self.arn, "Path": self.path,
                               "DefaultVersionId": "v1", "AttachmentCount": attachments,
                               "PermissionsBoundaryUsageCount": 0, "IsAttachable": True,
                               "CreateDate": self.created_at, "UpdateDate": self.created_at}
        if self.description:
            out["Description"] = self.description
        if self.tags:
            out["Tags"] = [dict(t) for t in self.tags]
        return out


@dataclass
class InstanceProfile:
    name: str
    arn: str
    id: str
    path: str
    created_at: datetime
    roles: list[str] = field(default_factory=list)  # role names (at most one)
    tags: list[dict[str, str]] = field(default_factory=list)


def _validation(value: Any, member: str, pattern: str = "[\\w+=,.@-]+") -> Exception:
    return aws_error("ValidationError",
                     f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy constraint: "
                     f"Member must satisfy regular expression pattern: {pattern}")


def _check_name(value: str, member: str, max_len: int = 64) -> str:
    if not value or not _NAME.match(value):
        raise _validation(value, member)
    if len(value) > max_len:
        raise aws_error("ValidationError",
                        f"1 validation error detected: Value '{value}' at '{member}' failed to satisfy "
                        f"constraint: Member must have length less than or equal to {max_len}")
    return value


def _check_path(path: str | None) -> str:
    path = path or "/"
    if not _PATH.match(path) or len(path) > 512:
        raise _validation(path, "path", "(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)")
    return path


def _check_tags(tags: list[Any] | None) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for i, tag in enumerate(tags or []):
        check_type(f"Tags[{i}]", tag, dict)
        key, value = tag.get("Key"), tag.get("Value", "")
        if not isinstance(key, str) or not 1 <= len(key) <= 128 or not isinstance(value, str) or len(value) > 256:
            raise aws_error("ValidationError", "1 validation error detected: Value at 'tags' failed to satisfy "
                                               "constraint: Member must satisfy constraint")
        out.append({"Key": key, "Value": value})
    if len(out) > 50:
        raise aws_error("LimitExceeded", "Cannot exceed quota for TagsPerRole: 50")
    return out


def _policy_text(doc: Any) -> Any:
    """IAM accepts URL-encoded documents too (as the query API transports them)."""
    if isinstance(doc, str) and doc.startswith("%7B"):
        return urllib.parse.unquote(doc)
    return doc


def _no_such_role(name: str) -> Exception:
    return aws_error("NoSuchEntity", f"The role with name {name} cannot be found.", status=404)


def _no_such_profile(name: str) -> Exception:
    return aws_error("NoSuchEntity", f"Instance Profile {name} cannot be found.", status=404)


class IamBackend(Backend):
    """AWS IAM (global; ARNs have no region)."""

    service_name = "iam"

    def __init__(self, sim) -> None:  # type: ignore[no-untyped-def]
        super().__init__(sim)
        self.roles: dict[str, Role] = {}
        self.profiles: dict[str, InstanceProfile] = {}
        self.policies: dict[str, ManagedPolicy] = {}
        created = sim.now - timedelta(days=30)
        for arn, (name, path, desc, doc) in pol.MANAGED_POLICIES.items():
            self.policies[arn] = ManagedPolicy(name, arn, self._stable_id("ANPA", arn), path, doc,
                                               datetime(2017, 1, 1, tzinfo=created.tzinfo), desc, aws_managed=True)
        inst = self._add_role("ecsInstanceRole", pol.trust_document("ec2.amazonaws.com"), "/", created, stable=True)
        inst.attached.append("arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role")
        profile = InstanceProfile("ecsInstanceRole", self._arn("instance-profile/ecsInstanceRole"),
                                  self._stable_id("AIPA", "ecsInstanceRole"), "/", created, ["ecsInstanceRole"])
        self.profiles[profile.name] = profile
        execution = self._add_role("ecsTaskExecutionRole", pol.trust_document("ecs-tasks.amazonaws.com"), "/",
                                   created, stable=True)
        execution.attached.append("arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")

    # --- ids and lookups ---------------------------------------------------------------------

    def _arn(self, resource: str) -> str:
        return f"arn:aws:iam::{self.account_id}:{resource}"

    @staticmethod
    def _stable_id(prefix: str, seed: str) -> str:
        digest = hashlib.sha256(seed.encode()).digest()
        return prefix + "".join(_ID_ALPHABET[b % 32] for b in digest[:17])

    def _new_id(self, prefix: str) -> str:
        value = int(self.sim.new_hex(22), 16)
        chars = []
        for _ in range(17):
            value, rest = divmod(value, 32)
            chars.append(_ID_ALPHABET[rest])
        return prefix + "".join(chars)

    def _add_role(self, name: str, trust: dict[str, Any], path: str, created: datetime, *,
                  stable: bool = False, description: str | None = None) -> Role:
        role = Role(name, self._arn(f"role{path}{name}"),
                    self._stable_id("AROA", name) if stable else self._new_id("AROA"), path, created, trust,
                    description)
        self.roles[name.lower()] = role
        return role

    @staticmethod
    def _leaf(name_or_arn: str) -> str:
        if name_or_arn.startswith("arn:"):
            return name_or_arn.rsplit("/", 1)[-1]
        return name_or_arn

    def _role(self, name_or_arn: str) -> Role | None:
        """A role by name or ARN (IAM names are case-insensitive), or None."""
        if not isinstance(name_or_arn, str) or not name_or_arn:
            return None
        if name_or_arn.startswith("arn:"):
            if ":role/" not in name_or_arn:
                return None
            role = self.roles.get(self._leaf(name_or_arn).lower())
            return role if role is not None and role.arn == name_or_arn else None
        return self.roles.get(name_or_arn.lower())

    def _get_role(self, name: str) -> Role:
        role = self.roles.get(name.lower()) if isinstance(name, str) else None
        if role is None:
            raise _no_such_role(name)
        return role

    def _profile(self, name_or_arn: str) -> InstanceProfile | None:
        if not isinstance(name_or_arn, str) or not name_or_arn:
            return None
        if name_or_arn.startswith("arn:"):
            if ":instance-profile/" not in name_or_arn:
                return None
            found = self.profiles.get(self._leaf(name_or_arn))
            return found if found is not None and found.arn == name_or_arn else None
        return self.profiles.get(name_or_arn)

    def _instance_profile_role(self, name_or_arn: str) -> str | None:
        """The ARN of the role in an instance profile (by name or ARN), or None (no profile / no role)."""
        profile = self._profile(name_or_arn)
        if profile is None or not profile.roles:
            return None
        role = self.roles.get(profile.roles[0].lower())
        return role.arn if role else None

    def _can_assume(self, role_arn: str, service_principal: str) -> bool:
        """Whether the role exists and its trust policy lets `service_principal` call sts:AssumeRole."""
        role = self._role(role_arn)
        return role is not None and pol.trusts(role.trust, service_principal)

    def _role_documents(self, role: Role) -> list[dict[str, Any]]:
        docs = [self.policies[arn].document for arn in role.attached if arn in self.policies]
        docs.extend(role.inline.values())
        return docs

    def _decision(self, role_arn: str, action: str, resource: str = "*") -> str:
        """'Allow', 'Deny' (explicit), 'ImplicitDeny', or 'NoRole' when the role does not exist."""
        role = self._role(role_arn)
        if role is None:
            return "NoRole"
        return pol.evaluate(self._role_documents(role), action, resource)

    def _allowed(self, role_arn: str, action: str, resource: str = "*") -> bool:
        """Whether the role's identity policies (attached managed + inline) allow `action` on `resource`."""
        decision = self._decision(role_arn, action, resource)
        if decision == "Allow":
            role = self._role(role_arn)
            if role is not None:
                role.last_used = self.sim.now
        return decision == "Allow"

    def _policy(self, arn: str) -> ManagedPolicy:
        found = self.policies.get(arn) if isinstance(arn, str) else None
        if found is None:
            if not isinstance(arn, str) or not arn.startswith("arn:aws:iam::"):
                raise aws_error("InvalidInput", f"ARN {arn} is not valid.")
            raise aws_error("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.", status=404)
        return found

    def _attachments(self, arn: str) -> int:
        return sum(1 for r in self.roles.values() if arn in r.attached)

    @staticmethod
    def _paged(items: list[Any], marker: str | None, max_items: int | None, key: str) -> dict[str, Any]:
        if max_items is not None and not 1 <= max_items <= 1000:
            raise aws_error("ValidationError", "1 validation error detected: Value at 'maxItems' failed to "
                                               "satisfy constraint: Member must have value between 1 and 1000")
        page, nxt = page_slice(items, marker, max_items or 100, lambda: aws_error("ValidationError", "Invalid Marker."))
        out: dict[str, Any] = {key: page, "IsTruncated": nxt is not None}
        if nxt is not None:
            out["Marker"] = nxt
        return out

    # --- roles -------------------------------------------------------------------------------

    @operation
    def create_role(self, RoleName: str, AssumeRolePolicyDocument: str | dict, Path: str | None = None,
                    Description: str | None = None, MaxSessionDuration: int | None = None,
                    PermissionsBoundary: str | None = None, Tags: list | None = None) -> dict[str, Any]:
        """Create a role with a trust (assume-role) policy.

        Not modelled: PermissionsBoundary; Condition blocks in the trust policy are stored, not evaluated.
        """
        _check_name(RoleName, "roleName")
        path = _check_path(Path)
        if PermissionsBoundary is not None:
            raise NotModelledError("IAM permissions boundaries")
        if MaxSessionDuration is not None and not 3600 <= MaxSessionDuration <= 43200:
            raise aws_error("ValidationError", f"1 validation error detected: Value '{MaxSessionDuration}' at "
                                               "'maxSessionDuration' failed to satisfy constraint: Member must "
                                               "have value less than or equal to 43200")
        if Description is not None and len(Description) > 1000:
            raise aws_error("ValidationError", "1 validation error detected: Value at 'description' failed to "
                                               "satisfy constraint: Member must have length less than or equal "
                                               "to 1000")
        tags = _check_tags(Tags)
        trust = pol.parse_document(_policy_text(AssumeRolePolicyDocument), trust=True)
        if RoleName.lower() in self.roles:
            raise aws_error("EntityAlreadyExists", f"Role with name {RoleName} already exists.", status=409)
        role = self._add_role(RoleName, trust, path, self.sim.now, description=Description)
        role.tags = tags
        if MaxSessionDuration is not None:
            role.max_session_duration = MaxSessionDuration
        out = role.to_api()
        out.pop("RoleLastUsed", None)
        return {"Role": out}

    @operation
    def get_role(self, RoleName: str) -> dict[str, Any]:
        """Describe a role, its trust policy and when it was last used."""
        return {"Role": self._get_role(RoleName).to_api()}

    @operation
    def list_roles(self, PathPrefix: str | None = None, Marker: str | None = None,
                   MaxItems: int | None = None) -> dict[str, Any]:
        """List roles (sorted by name), optionally under a path prefix."""
        roles = sorted((r for r in self.roles.values() if r.path.startswith(PathPrefix or "/")),
                       key=lambda r: r.name.lower())
        items = []
        for r in roles:
            api = r.to_api()
            api.pop("RoleLastUsed", None)
            api.pop("Tags", None)
            items.append(api)
        return self._paged(items, Marker, MaxItems, "Roles")

    @operation
    def delete_role(self, RoleName: str) -> dict[str, Any]:
        """Delete a role that has no attached or inline policies and is in no instance profile."""
        role = self._get_role(RoleName)
        if any(role.name in p.roles for p in self.profiles.values()):
            raise aws_error("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.",
                            status=409)
        if role.attached:
            raise aws_error("DeleteConflict", "Cannot delete entity, must detach all policies first.", status=409)
        if role.inline:
            raise aws_error("DeleteConflict", "Cannot delete entity, must delete policies first.", status=409)
        del self.roles[role.name.lower()]
        return {}

    @operation
    def update_assume_role_policy(self, RoleName: str, PolicyDocument: str | dict) -> dict[str, Any]:
        """Replace a role's trust policy."""
        role = self._get_role(RoleName)
        role.trust = pol.parse_document(_policy_text(PolicyDocument), trust=True)
        return {}

    @operation
    def update_role(self, RoleName: str, Description: str | None = None,
                    MaxSessionDuration: int | None = None) -> dict[str, Any]:
        """Change a role's description or maximum session duration."""
        role = self._get_role(RoleName)
        if MaxSessionDuration is not None:
            if not 3600 <= MaxSessionDuration <= 43200:
                raise aws_error("ValidationError", f"1 validation error detected: Value '{MaxSessionDuration}' at "
                                                   "'maxSessionDuration' failed to satisfy constraint: Member must "
                                                   "have value less than or equal to 43200")
            role.max_session_duration = MaxSessionDuration
        if Description is not None:
            role.description = Description
        return {}

    @operation
    def tag_role(self, RoleName: str, Tags: list) -> dict[str, Any]:
        """Add or overwrite tags on a role."""
        role = self._get_role(RoleName)
        merged = {t["Key"]: t["Value"] for t in role.tags}
        merged.update({t["Key"]: t["Value"] for t in _check_tags(Tags)})
        role.tags = [{"Key": k, "Value": v} for k, v in merged.items()]
        return {}

    @operation
    def list_role_tags(self, RoleName: str, Marker: str | None = None, MaxItems: int | None = None) -> dict[str, Any]:
        """List a role's tags."""
        return self._paged([dict(t) for t in self._get_role(RoleName).tags], Marker, MaxItems, "Tags")

    # --- managed policies --------------------------------------------------------------------

    @operation
    def create_policy(self, PolicyName: str, PolicyDocument: str | dict, Path: str | None = None,
                      Description: str | None = None, Tags: list | None = None) -> dict[str, Any]:
        """Create a customer managed policy (one version, v1).

        Not modelled: policy versions (CreatePolicyVersion, SetDefaultPolicyVersion).
        """
        _check_name(PolicyName, "policyName", 128)
        path = _check_path(Path)
        tags = _check_tags(Tags)
        doc = pol.parse_document(_policy_text(PolicyDocument))
        arn = self._arn(f"policy{path}{PolicyName}")
        if arn in self.policies:
            raise aws_error("EntityAlreadyExists", f"A policy called {PolicyName} already exists. Duplicate names "
                                                   "are not allowed.", status=409)
        p = ManagedPolicy(PolicyName, arn, self._new_id("ANPA"), path, doc, self.sim.now, Description, tags=tags)
        self.policies[arn] = p
        return {"Policy": p.to_api(0)}

    @operation
    def get_policy(self, PolicyArn: str) -> dict[str, Any]:
        """Describe a managed policy (AWS managed or customer managed)."""
        p = self._policy(PolicyArn)
        return {"Policy": p.to_api(self._attachments(p.arn))}

    @operation
    def get_policy_version(self, PolicyArn: str, VersionId: str) -> dict[str, Any]:
        """Return a managed policy's document (only v1 exists in the simulator)."""
        p = self._policy(PolicyArn)
        if VersionId != "v1":
            raise aws_error("NoSuchEntity", f"Policy {PolicyArn} version {VersionId} does not exist or is not "
                                            "attachable.", status=404)
        return {"PolicyVersion": {"Document": p.document, "VersionId": "v1", "IsDefaultVersion": True,
                                  "CreateDate": p.created_at}}

    @operation
    def list_policies(self, Scope: str | None = None, OnlyAttached: bool | None = None, PathPrefix: str | None = None,
                      Marker: str | None = None, MaxItems: int | None = None) -> dict[str, Any]:
        """List managed policies (Scope All, AWS or Local)."""
        if Scope not in (None, "All", "AWS", "Local"):
            raise _validation(Scope, "scope", "All|AWS|Local")
        items = []
        for p in sorted(self.policies.values(), key=lambda p: p.name.lower()):
            if (Scope == "AWS" and not p.aws_managed) or (Scope == "Local" and p.aws_managed):
                continue
            if PathPrefix and not p.path.startswith(PathPrefix):
                continue
            count = self._attachments(p.arn)
            if OnlyAttached and not count:
                continue
            items.append(p.to_api(count))
        return self._paged(items, Marker, MaxItems, "Policies")

    @operation
    def delete_policy(self, PolicyArn: str) -> dict[str, Any]:
        """Delete a customer managed policy that is attached to nothing."""
        p = self._policy(PolicyArn)
        if p.aws_managed:
            raise aws_error("AccessDenied", "You cannot delete an AWS managed policy.", status=403)
        if self._attachments(p.arn):
            raise aws_error("DeleteConflict", "Cannot delete a policy attached to entities.", status=409)
        del self.policies[p.arn]
        return {}

    @operation
    def attach_role_policy(self, RoleName: str, PolicyArn: str) -> dict[str, Any]:
        """Attach a managed policy to a role (attaching twice is a no-op, as in IAM)."""
        role = self._get_role(RoleName)
        p = self._policy(PolicyArn)
        if p.arn not in role.attached:
            if len(role.attached) >= 10:
                raise aws_error("LimitExceeded", "Cannot exceed quota for PoliciesPerRole: 10", status=409)
            role.attached.append(p.arn)
        return {}

    @operation
    def detach_role_policy(self, RoleName: str, PolicyArn: str) -> dict[str, Any]:
        """Detach a managed policy from a role."""
        role = self._get_role(RoleName)
        if PolicyArn not in role.attached:
            self._policy(PolicyArn)
            raise aws_error("NoSuchEntity", f"Policy {PolicyArn} was not found.", status=404)
        role.attached.remove(PolicyArn)
        return {}

    @operation
    def list_attached_role_policies(self, RoleName: str, PathPrefix: str | None = None, Marker: str | None = None,
                                    MaxItems: int | None = None) -> dict[str, Any]:
        """List the managed policies attached to a role."""
        role = self._get_role(RoleName)
        items = [{"PolicyName": self.policies[a].name, "PolicyArn": a} for a in role.attached
                 if a in self.policies and self.policies[a].path.startswith(PathPrefix or "/")]
        return self._paged(items, Marker, MaxItems, "AttachedPolicies")

    # --- inline policies ---------------------------------------------------------------------

    @operation
    def put_role_policy(self, RoleName: str, PolicyName: str, PolicyDocument: str | dict) -> dict[str, Any]:
        """Add or replace an inline policy on a role."""
        role = self._get_role(RoleName)
        _check_name(PolicyName, "policyName", 128)
        doc = pol.parse_document(_policy_text(PolicyDocument))
        if len(json.dumps(doc, separators=(",", ":"))) > 10240:
            raise aws_error("LimitExceeded", "Maximum policy size of 10240 bytes exceeded for role "
                                             f"{role.name}", status=409)
        role.inline[PolicyName] = doc
        return {}

    @operation
    def get_role_policy(self, RoleName: str, PolicyName: str) -> dict[str, Any]:
        """Return an inline policy's document."""
        role = self._get_role(RoleName)
        doc = role.inline.get(PolicyName)
        if doc is None:
            raise aws_error("NoSuchEntity", f"The role policy with name {PolicyName} cannot be found.", status=404)
        return {"RoleName": role.name, "PolicyName": PolicyName, "PolicyDocument": doc}

    @operation
    def list_role_policies(self, RoleName: str, Marker: str | None = None, MaxItems: int | None = None) -> dict[str, Any]:
        """List the names of a role's inline policies."""
        role = self._get_role(RoleName)
        return self._paged(sorted(role.inline), Marker, MaxItems, "PolicyNames")

    @operation
    def delete_role_policy(self, RoleName: str, PolicyName: str) -> dict[str, Any]:
        """Delete an inline policy."""
        role = self._get_role(RoleName)
        if PolicyName not in role.inline:
            raise aws_error("NoSuchEntity", f"The role policy with name {PolicyName} cannot be found.", status=404)
        del role.inline[PolicyName]
        return {}

    # --- instance profiles -------------------------------------------------------------------

    def _profile_api(self, p: InstanceProfile) -> dict[str, Any]:
        roles = []
        for name in p.roles:
            role = self.roles.get(name.lower())
            if role is not None:
                api = role.to_api()
                api.pop("RoleLastUsed", None)
                api.pop("Tags", None)
                roles.append(api)
        out: dict[str, Any] = {"Path": p.path, "InstanceProfileName": p.name, "InstanceProfileId": p.id,
                               "Arn": p.arn, "CreateDate": p.created_at, "Roles": roles}
        if p.tags:
            out["Tags"] = [dict(t) for t in p.tags]
        return out

    def _get_profile(self, name: str) -> InstanceProfile:
        found = self.profiles.get(name)
        if found is None:
            raise _no_such_profile(name)
        return found

    @operation
    def create_instance_profile(self, InstanceProfileName: str, Path: str | None = None,
                                Tags: list | None = None) -> dict[str, Any]:
        """Create an (empty) instance profile."""
        _check_name(InstanceProfileName, "instanceProfileName", 128)
        path = _check_path(Path)
        tags = _check_tags(Tags)
        if InstanceProfileName in self.profiles:
            raise aws_error("EntityAlreadyExists", f"Instance Profile {InstanceProfileName} already exists.",
                            status=409)
        p = InstanceProfile(InstanceProfileName, self._arn(f"instance-profile{path}{InstanceProfileName}"),
                            self._new_id("AIPA"), path, self.sim.now, tags=tags)
        self.profiles[p.name] = p
        return {"InstanceProfile": self._profile_api(p)}

    @operation
    def get_instance_profile(self, InstanceProfileName: str) -> dict[str, Any]:
        """Describe an instance profile and its role."""
        return {"InstanceProfile": self._profile_api(self._get_profile(InstanceProfileName))}

    @operation
    def list_instance_profiles(self, PathPrefix: str | None = None, Marker: str | None = None,
                               MaxItems: int | None = None) -> dict[str, Any]:
        """List instance profiles (sorted by name)."""
        items = [self._profile_api(p) for p in sorted(self.profiles.values(), key=lambda p: p.name.lower())
                 if p.path.startswith(PathPrefix or "/")]
        return self._paged(items, Marker, MaxItems, "InstanceProfiles")

    @operation
    def list_instance_profiles_for_role(self, RoleName: str, Marker: str | None = None,
                                        MaxItems: int | None = None) -> dict[str, Any]:
        """List the instance profiles that contain a role."""
        role = self._get_role(RoleName)
        items = [self._profile_api(p) for p in self.profiles.values() if role.name in p.roles]
        return self._paged(items, Marker, MaxItems, "InstanceProfiles")

    @operation
    def add_role_to_instance_profile(self, InstanceProfileName: str, RoleName: str) -> dict[str, Any]:
        """Put a role in an instance profile (a profile holds at most one role)."""
        p = self._get_profile(InstanceProfileName)
        role = self._get_role(RoleName)
        if p.roles:
            raise aws_error("LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1",
                            status=409)
        p.roles.append(role.name)
        return {}

    @operation
    def remove_role_from_instance_profile(self, InstanceProfileName: str, RoleName: str) -> dict[str, Any]:
        """Take the role out of an instance profile."""
        p = self._get_profile(InstanceProfileName)
        role = self._get_role(RoleName)
        if role.name not in p.roles:
            raise aws_error("NoSuchEntity", f"The role with name {RoleName} cannot be found in instance profile "
                                            f"{InstanceProfileName}.", status=404)
        p.roles.remove(role.name)
        return {}

    @operation
    def delete_instance_profile(self, InstanceProfileName: str) -> dict[str, Any]:
        """Delete an instance profile that holds no role."""
        p = self._get_profile(InstanceProfileName)
        if p.roles:
            raise aws_error("DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.",
                            status=409)
        del self.profiles[p.name]
        return {}
