"""Simulated AWS Secrets Manager: secrets with versions and staging labels (AWSCURRENT/AWSPREVIOUS).

Used by ECS for container `secrets` and `repositoryCredentials` (ecs-reference §2.7, §2.9).
Internal API: `SecretsManagerBackend._secret(secret_id)` (name, full ARN or partial ARN) and
`_current_string(secret)`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ecslearn.errors import NotModelledError
from ecslearn.sim.base import Backend, check_type, operation
from ecslearn.sim.errors import aws_error

_NAME = re.compile(r"^[A-Za-z0-9/_+=.@-]{1,512}$")
_SUFFIX_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


@dataclass
class SecretVersion:
    id: str
    created_at: datetime
    string: str | None
    binary: bytes | None
    stages: list[str]


@dataclass
class Secret:
    name: str
    arn: str
    created_at: datetime
    description: str | None = None
    kms_key_id: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    versions: dict[str, SecretVersion] = field(default_factory=dict)
    changed_at: datetime | None = None
    accessed_at: datetime | None = None
    deletion_date: datetime | None = None

    def version(self, version_id: str | None = None, stage: str | None = None) -> SecretVersion | None:
        if version_id is not None:
            found = self.versions.get(version_id)
            if found is not None and stage is not None and stage not in found.stages:
                return None
            return found
        stage = stage or "AWSCURRENT"
        return next((v for v in self.versions.values() if stage in v.stages), None)


def _not_found() -> Exception:
    return aws_error("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")


def _deleted() -> Exception:
    return aws_error("InvalidRequestException", "You can't perform this operation on the secret because it was "
                                                "marked for deletion.")


class SecretsManagerBackend(Backend):
    """AWS Secrets Manager."""

    service_name = "secretsmanager"

    def __init__(self, sim) -> None:  # type: ignore[no-untyped-def]
        super().__init__(sim)
        self.secrets: dict[str, Secret] = {}  # by name

    # --- internal API ------------------------------------------------------------------------

    def _secret(self, secret_id: str) -> Secret | None:
        """A secret by name, full ARN or partial ARN (without the 6-character suffix); None if unknown."""
        if not isinstance(secret_id, str) or not secret_id:
            return None
        for name in [n for n, s in self.secrets.items()
                     if s.deletion_date is not None and s.deletion_date <= self.sim.now]:
            del self.secrets[name]
        if secret_id.startswith("arn:"):
            for s in self.secrets.values():
                if s.arn == secret_id or s.arn[:-7] == secret_id:
                    return s
            return None
        return self.secrets.get(secret_id)

    def _current_string(self, secret: Secret) -> str | None:
        version = secret.version()
        secret.accessed_at = self.sim.now.replace(hour=0, minute=0, second=0, microsecond=0)
        return version.string if version else None

    def _get(self, secret_id: str, *, allow_deleted: bool = False) -> Secret:
        found = self._secret(secret_id)
        if found is None:
            raise _not_found()
        if found.deletion_date is not None and not allow_deleted:
            raise _deleted()
        return found

    def _suffix(self) -> str:
        value = int(self.sim.new_hex(12), 16)
        return "".join(_SUFFIX_CHARS[(value >> (6 * i)) % len(_SUFFIX_CHARS)] for i in range(6))

    def _add_version(self, secret: Secret, string: str | None, binary: Any,
                     token: str | None) -> SecretVersion:
        if binary is not None:
            if not isinstance(binary, bytes | bytearray):
                raise aws_error("InvalidParameterException", "SecretBinary must be a binary value (bytes).")
            binary = bytes(binary)
        if string is None and binary is None:
            raise aws_error("InvalidRequestException", "You must provide either SecretString or SecretBinary.")
        if string is not None and binary is not None:
            raise aws_error("InvalidParameterException", "You can't specify both a binary secret value and a "
                                                         "string secret value in the same secret.")
        if string is not None and len(string.encode()) > 65536:
            raise aws_error("InvalidParameterException", "Secret value exceeds the maximum size of 65536 bytes.")
        version_id = token or self.sim.new_uuid()
        if version_id in secret.versions:
            existing = secret.versions[version_id]
            if existing.string == string and existing.binary == binary:
                return existing
            raise aws_error("ResourceExistsException", "You can't modify an existing version, you can only create "
                                                       "new versions.")
        for v in secret.versions.values():
            if "AWSPREVIOUS" in v.stages:
                v.stages.remove("AWSPREVIOUS")
        for v in secret.versions.values():
            if "AWSCURRENT" in v.stages:
                v.stages.remove("AWSCURRENT")
                v.stages.append("AWSPREVIOUS")
        # versions with no staging label are dropped, as Secrets Manager eventually does
        for vid in [vid for vid, v in secret.versions.items() if not v.stages]:
            del secret.versions[vid]
        version = SecretVersion(version_id, self.sim.now, string, binary, ["AWSCURRENT"])
        secret.versions[version_id] = version
        secret.changed_at = self.sim.now
        return version

    @staticmethod
    def _check_tags(tags: list[Any] | None) -> list[dict[str, str]]:
        out = []
        for i, t in enumerate(tags or []):
            check_type(f"Tags[{i}]", t, dict)
            key, value = t.get("Key"), t.get("Value", "")
            if not isinstance(key, str) or not key or not isinstance(value, str):
                raise aws_error("ValidationException", "Invalid tag: tag keys and values must be strings.")
            out.append({"Key": key, "Value": value})
        return out

    # --- operations --------------------------------------------------------------------------

    @operation
    def create_secret(self, Name: str, ClientRequestToken: str | None = None, Description: str | None = None,
                      KmsKeyId: str | None = None, SecretBinary: bytes | None = None,
                      SecretString: str | None = None, Tags: list | None = None,
                      AddReplicaRegions: list | None = None,
                      ForceOverwriteReplicaSecret: bool | None = None) -> dict[str, Any]:
        """Create a secret with a first version labelled AWSCURRENT (ARN ends in `-` + 6 random characters).

        Not modelled: replica regions, customer KMS keys (KmsKeyId is stored only), rotation.
        """
        if AddReplicaRegions:
            raise NotModelledError("Secrets Manager replica regions")
        if not _NAME.match(Name):
            raise aws_error("ValidationException", "Invalid name. Must be a valid name containing alphanumeric "
                                                   "characters, or any of the following: -/_+=.@!")
        tags = self._check_tags(Tags)
        existing = self.secrets.get(Name)
        if existing is not None:
            if existing.deletion_date is not None:
                raise aws_error("InvalidRequestException", "You can't create this secret because a secret with "
                                                           "this name is already scheduled for deletion.")
            raise aws_error("ResourceExistsException", f"The operation failed because the secret {Name} already "
                                                       "exists.")
        secret = Secret(Name, self.sim.arn("secretsmanager", f"secret:{Name}-{self._suffix()}"), self.sim.now,
                        Description, KmsKeyId, tags)
        out: dict[str, Any] = {"ARN": secret.arn, "Name": Name}
        if SecretString is not None or SecretBinary is not None:
            out["VersionId"] = self._add_version(secret, SecretString, SecretBinary,
                                                 ClientRequestToken).id
        self.secrets[Name] = secret
        return out

    @operation
    def get_secret_value(self, SecretId: str, VersionId: str | None = None,
                         VersionStage: str | None = None) -> dict[str, Any]:
        """Return a secret's value (AWSCURRENT unless a version id or stage is given)."""
        secret = self._get(SecretId)
        version = secret.version(VersionId, VersionStage)
        if version is None:
            raise aws_error("ResourceNotFoundException", "Secrets Manager can't find the specified secret value "
                                                         f"for {'VersionId' if VersionId else 'staging label'}: "
                                                         f"{VersionId or VersionStage or 'AWSCURRENT'}")
        secret.accessed_at = self.sim.now.replace(hour=0, minute=0, second=0, microsecond=0)
        out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name, "VersionId": version.id,
                               "VersionStages": list(version.stages), "CreatedDate": version.created_at}
        if version.string is not None:
            out["SecretString"] = version.string
        if version.binary is not None:
            out["SecretBinary"] = version.binary
        return out

    @operation
    def put_secret_value(self, SecretId: str, ClientRequestToken: str | None = None,
                         SecretBinary: bytes | None = None, SecretString: str | None = None,
                         VersionStages: list | None = None, RotationToken: str | None = None) -> dict[str, Any]:
        """Store a new version; it becomes AWSCURRENT and the old current one AWSPREVIOUS.

        Not modelled: custom VersionStages, rotation tokens.
        """
        if VersionStages not in (None, ["AWSCURRENT"]) or RotationToken is not None:
            raise NotModelledError("custom secret version stages and rotation")
        secret = self._get(SecretId)
        version = self._add_version(secret, SecretString, SecretBinary, ClientRequestToken)
        return {"ARN": secret.arn, "Name": secret.name, "VersionId": version.id,
                "VersionStages": list(version.stages)}

    @operation
    def update_secret(self, SecretId: str, ClientRequestToken: str | None = None, Description: str | None = None,
                      KmsKeyId: str | None = None, SecretBinary: bytes | None = None,
                      SecretString: str | None = None) -> dict[str, Any]:
        """Change a secret's description and/or store a new value."""
        secret = self._get(SecretId)
        if Description is not None:
            secret.description = Description
        if KmsKeyId is not None:
            secret.kms_key_id = KmsKeyId
        out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name}
        if SecretString is not None or SecretBinary is not None:
            out["VersionId"] = self._add_version(secret, SecretString, SecretBinary,
                                                 ClientRequestToken).id
        return out

    def _describe(self, secret: Secret) -> dict[str, Any]:
        out: dict[str, Any] = {"ARN": secret.arn, "Name": secret.name, "CreatedDate": secret.created_at,
                               "LastChangedDate": secret.changed_at or secret.created_at,
                               "VersionIdsToStages": {v.id: list(v.stages) for v in secret.versions.values()},
                               "Tags": [dict(t) for t in secret.tags]}
        if secret.description is not None:
            out["Description"] = secret.description
        if secret.kms_key_id is not None:
            out["KmsKeyId"] = secret.kms_key_id
        if secret.accessed_at is not None:
            out["LastAccessedDate"] = secret.accessed_at
        if secret.deletion_date is not None:
            out["DeletedDate"] = secret.deletion_date
        return out

    @operation
    def describe_secret(self, SecretId: str) -> dict[str, Any]:
        """Describe a secret (never its value)."""
        return self._describe(self._get(SecretId, allow_deleted=True))

    @operation
    def list_secrets(self, IncludePlannedDeletion: bool | None = None, MaxResults: int | None = None,
                     NextToken: str | None = None, Filters: list | None = None,
                     SortOrder: str | None = None) -> dict[str, Any]:
        """List secrets (by name).

        Not modelled: Filters.
        """
        if Filters:
            raise NotModelledError("ListSecrets Filters")
        items = [self._describe(s) for s in sorted(self.secrets.values(), key=lambda s: s.name,
                                                   reverse=SortOrder == "desc")
                 if IncludePlannedDeletion or s.deletion_date is None]
        for item in items:
            item.pop("VersionIdsToStages", None)
        start = int(NextToken) if NextToken and NextToken.isdigit() else 0
        size = MaxResults or 100
        out: dict[str, Any] = {"SecretList": items[start:start + size]}
        if start + size < len(items):
            out["NextToken"] = str(start + size)
        return out

    @operation
    def delete_secret(self, SecretId: str, RecoveryWindowInDays: int | None = None,
                      ForceDeleteWithoutRecovery: bool | None = None) -> dict[str, Any]:
        """Schedule a secret for deletion (7-30 days, default 30) or delete it at once with force."""
        secret = self._get(SecretId, allow_deleted=True)
        if RecoveryWindowInDays is not None and ForceDeleteWithoutRecovery:
            raise aws_error("InvalidParameterException", "You can't use ForceDeleteWithoutRecovery in conjunction "
                                                         "with RecoveryWindowInDays.")
        if RecoveryWindowInDays is not None and not 7 <= RecoveryWindowInDays <= 30:
            raise aws_error("InvalidParameterException", "The RecoveryWindowInDays value must be between 7 and 30 "
                                                         "days (inclusive).")
        if ForceDeleteWithoutRecovery:
            del self.secrets[secret.name]
            return {"ARN": secret.arn, "Name": secret.name, "DeletionDate": self.sim.now}
        if secret.deletion_date is not None:
            raise _deleted()
        days = RecoveryWindowInDays or 30
        secret.deletion_date = self.sim.now + timedelta(days=days)  # purged lazily once the date passes
        return {"ARN": secret.arn, "Name": secret.name, "DeletionDate": secret.deletion_date}

    @operation
    def restore_secret(self, SecretId: str) -> dict[str, Any]:
        """Cancel a scheduled deletion."""
        secret = self._get(SecretId, allow_deleted=True)
        secret.deletion_date = None
        return {"ARN": secret.arn, "Name": secret.name}
