"""AWS Systems Manager Parameter Store: Amazon's public AMI parameters and your own parameters.

The public parameters under `/aws/service/ecs/optimized-ami/...` and
`/aws/service/ami-amazon-linux-latest/...` point at the AMIs of `ecslearn.sim.ec2.IMAGES`.
User parameters (String, StringList, SecureString) are kept with their version history; ECS resolves
container `secrets` from them through `SsmBackend._parameter`.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ecslearn.errors import NotModelledError
from ecslearn.sim.base import Backend, check_type, operation
from ecslearn.sim.errors import ClientError, aws_error

_NAME = re.compile(r"^[a-zA-Z0-9_.\-/]+$")
_TYPES = ("String", "StringList", "SecureString")
DEFAULT_KMS_KEY = "alias/aws/ssm"


@dataclass
class ParameterVersion:
    version: int
    value: str
    type: str
    modified: datetime
    description: str | None = None
    key_id: str | None = None
    labels: list[str] = field(default_factory=list)


@dataclass
class Parameter:
    name: str  # with its leading "/" when it has one
    arn: str
    type: str
    value: str
    version: int
    last_modified: datetime
    description: str | None = None
    key_id: str | None = None
    data_type: str = "text"
    tier: str = "Standard"
    public: bool = False
    history: list[ParameterVersion] = field(default_factory=list)
    tags: list[dict[str, str]] = field(default_factory=list)

    def at_version(self, version: int) -> ParameterVersion | None:
        return next((h for h in self.history if h.version == version), None)


class SsmBackend(Backend):
    """Parameter Store: GetParameter(s), PutParameter, DeleteParameter(s), DescribeParameters, by path."""

    service_name = "ssm"

    def __init__(self, sim) -> None:  # type: ignore[no-untyped-def]
        super().__init__(sim)
        self.parameters: dict[str, Parameter] = {}
        self._public: dict[str, Parameter] = {}
        self._build_public()

    # --- the public parameters ---------------------------------------------------------------

    def _build_public(self) -> None:
        from ecslearn.sim.ec2 import IMAGES

        created = datetime(2025, 1, 11, 2, 0, 0, tzinfo=self.sim.now.tzinfo)
        for img in IMAGES:
            if img.ssm_path is None:
                continue
            if img.ecs_optimized:
                rec = {
                    "ecs_agent_version": img.agent_version,
                    "ecs_runtime_version": "Docker version " + (img.docker_version or "").split(": ")[-1],
                    "image_id": img.id,
                    "image_name": img.name,
                    "os": img.os,
                    "schema_version": 1,
                    "source_image_name": img.name.replace("-ecs-hvm-", "-ami-minimal-").replace("-ebs", ""),
                }
                self._add_public(img.ssm_path, json.dumps(rec, separators=(",", ":")), created)
                for key, value in rec.items():
                    self._add_public(f"{img.ssm_path}/{key}", str(value), created,
                                     data_type="aws:ec2:image" if key == "image_id" else "text")
            else:
                self._add_public(img.ssm_path, img.id, created, data_type="aws:ec2:image")

    def _add_public(self, name: str, value: str, created: datetime, *, data_type: str = "text") -> None:
        arn = f"arn:aws:ssm:{self.region}::parameter{name}"
        self._public[name] = Parameter(name=name, arn=arn, type="String", value=value, version=1,
                                       last_modified=created, data_type=data_type, public=True,
                                       history=[ParameterVersion(1, value, "String", created)])

    # --- internal API ------------------------------------------------------------------------

    def _arn(self, name: str) -> str:
        return self.sim.arn("ssm", "parameter" + (name if name.startswith("/") else "/" + name))

    def _name_from_ref(self, ref: str) -> str:
        if ref.startswith("arn:"):
            _, _, rest = ref.partition(":parameter")
            if rest.startswith("/aws/"):
                return rest
            if rest.startswith("/") and not self._lookup(rest) and self._lookup(rest[1:]):
                return rest[1:]
            return rest
        return ref

    def _lookup(self, name: str) -> Parameter | None:
        return self.parameters.get(name) or self._public.get(name)

    def _parameter(self, name_or_arn: str) -> Parameter | None:
        """A parameter by name or ARN (public ones included), or None. Used to resolve ECS secrets."""
        if not isinstance(name_or_arn, str) or not name_or_arn:
            return None
        return self._lookup(self._name_from_ref(name_or_arn))

    # --- helpers -------------------------------------------------------------------------------

    @staticmethod
    def _cipher(value: str) -> str:
        """What a SecureString looks like without decryption: opaque base64."""
        return base64.b64encode(b"\x01\x02\x03\x00x" + value.encode()[::-1]).decode()

    def _api(self, p: Parameter, *, decrypt: bool, version: ParameterVersion | None = None,
             selector: str | None = None) -> dict[str, Any]:
        v = version or ParameterVersion(p.version, p.value, p.type, p.last_modified)
        value = v.value
        if v.type == "SecureString" and not decrypt:
            value = self._cipher(value)
        out: dict[str, Any] = {"Name": p.name, "Type": v.type, "Value": value, "Version": v.version,
                               "LastModifiedDate": v.modified, "ARN": p.arn, "DataType": p.data_type}
        if selector:
            out["Selector"] = selector
        return out

    def _resolve(self, ref: str) -> tuple[Parameter, ParameterVersion | None, str | None]:
        """`name`, `name:3` or `name:label` → (parameter, version, selector); ParameterNotFound otherwise."""
        name, selector, version = ref, None, None
        head, sep, rest = ref.partition(":parameter") if ref.startswith("arn:") else ("", "", ref)
        if ":" in rest:
            rest, tail = rest.rsplit(":", 1)
            name, selector = head + sep + rest, ":" + tail
        param = self._parameter(name)
        if param is None:
            raise aws_error("ParameterNotFound", "")
        if selector is not None:
            tail = selector[1:]
            if tail.isdigit():
                version = param.at_version(int(tail))
                if version is None:
                    raise aws_error("ParameterVersionNotFound",
                                    f"Systems Manager could not find version {tail} of {param.name}. "
                                    "Verify the version and try again.")
            else:
                version = next((h for h in param.history if tail in h.labels), None)
                if version is None:
                    raise aws_error("ParameterVersionNotFound",
                                    f"Systems Manager could not find label {tail} of {param.name}.")
        return param, version, selector

    # --- operations ----------------------------------------------------------------------------

    @operation
    def get_parameter(self, Name: str, WithDecryption: bool | None = None) -> dict[str, Any]:
        """Read one parameter (public AMI parameters included); `name:version` selects a version.

        Not modelled: KMS permissions, cross-account parameters, parameter policies.
        """
        param, version, selector = self._resolve(Name)
        return {"Parameter": self._api(param, decrypt=bool(WithDecryption), version=version, selector=selector)}

    @operation
    def get_parameters(self, Names: list, WithDecryption: bool | None = None) -> dict[str, Any]:
        """Read up to 10 parameters; unknown names come back in InvalidParameters."""
        if not 1 <= len(Names) <= 10:
            raise aws_error("ValidationException",
                            f"1 validation error detected: Value '{list(Names)}' at 'names' failed to satisfy "
                            "constraint: Member must have length less than or equal to 10")
        found, invalid = [], []
        for i, ref in enumerate(Names):
            check_type(f"Names[{i}]", ref, str)
            try:
                param, version, selector = self._resolve(ref)
            except ClientError as exc:
                if exc.code in ("ParameterNotFound", "ParameterVersionNotFound"):
                    invalid.append(ref)
                    continue
                raise
            found.append(self._api(param, decrypt=bool(WithDecryption), version=version, selector=selector))
        return {"Parameters": found, "InvalidParameters": invalid}

    @operation
    def get_parameters_by_path(self, Path: str, Recursive: bool | None = None,
                               WithDecryption: bool | None = None, ParameterFilters: list | None = None,
                               MaxResults: int | None = None, NextToken: str | None = None) -> dict[str, Any]:
        """Read the parameters under a path (one level, or all levels with Recursive).

        Not modelled: ParameterFilters.
        """
        if ParameterFilters:
            raise NotModelledError("ParameterFilters of GetParametersByPath", operation_name="GetParametersByPath")
        if not Path.startswith("/"):
            raise aws_error("ValidationException", "The parameter doesn't meet the parameter name requirements. "
                            "The parameter name must begin with a forward slash \"/\".")
        prefix = Path.rstrip("/") + "/"
        pool = self._public if Path.startswith("/aws/") else self.parameters
        hits = []
        for name, p in sorted(pool.items()):
            if not name.startswith(prefix):
                continue
            if not Recursive and "/" in name[len(prefix):]:
                continue
            hits.append(self._api(p, decrypt=bool(WithDecryption)))
        if MaxResults is not None and not 1 <= MaxResults <= 10:
            raise aws_error("ValidationException", "1 validation error detected: Value at 'maxResults' failed "
                            "to satisfy constraint: Member must have value less than or equal to 10")
        start = int(NextToken) if NextToken and NextToken.isdigit() else 0
        size = MaxResults or 10
        out: dict[str, Any] = {"Parameters": hits[start:start + size]}
        if start + size < len(hits):
            out["NextToken"] = str(start + size)
        return out

    @operation
    def put_parameter(self, Name: str, Value: str, Type: str | None = None, Description: str | None = None,
                      KeyId: str | None = None, Overwrite: bool | None = None,
                      AllowedPattern: str | None = None, Tags: list | None = None, Tier: str | None = None,
                      DataType: str | None = None) -> dict[str, Any]:
        """Create a parameter or, with Overwrite, a new version of it.

        Not modelled: Advanced/Intelligent-Tiering tiers and parameter policies, KMS key checks.
        """
        name = self._name_from_ref(Name)
        if not name or len(name) > 2048 or not _NAME.match(name):
            raise aws_error("ValidationException",
                            "Parameter name: can't be prefixed with \"aws\" or \"ssm\" (case-insensitive). If "
                            "formed as a path, it can consist of sub-paths divided by slash symbol; each "
                            "sub-path can be formed as a mix of letters, numbers and the following 3 symbols "
                            ".-_")
        first = name.lstrip("/").split("/", 1)[0].lower()
        if first.startswith("aws") or first.startswith("ssm"):
            raise aws_error("ValidationException",
                            "No access to reserved parameter name: " + name + ".")
        if name.count("/") > 15:
            raise aws_error("HierarchyLevelLimitExceededException",
                            "Parameter name hierarchy exceeds maximum level of 15.")
        if "/" in name and not name.startswith("/"):
            raise aws_error("ValidationException",
                            "Parameter name must be a fully qualified name.")
        if not Value:
            raise aws_error("ValidationException",
                            "1 validation error detected: Value '' at 'value' failed to satisfy constraint: "
                            "Member must have length greater than or equal to 1")
        if len(Value) > 4096:
            if Tier in ("Advanced", "Intelligent-Tiering"):
                raise NotModelledError("advanced SSM parameters", operation_name="PutParameter")
            raise aws_error("ValidationException", "Standard tier parameters support a maximum parameter value of "
                            "4096 characters. To create a larger parameter value, upgrade the parameter to use "
                            "the advanced-parameter tier.")
        if Type is not None and Type not in _TYPES:
            raise aws_error("ValidationException",
                            f"1 validation error detected: Value '{Type}' at 'type' failed to satisfy constraint: "
                            "Member must satisfy enum value set: [SecureString, StringList, String]")
        if Tier not in (None, "Standard"):
            raise NotModelledError(f"the {Tier} parameter tier", operation_name="PutParameter")
        if DataType not in (None, "text", "aws:ec2:image", "aws:ssm:integration"):
            raise aws_error("ValidationException",
                            f"The following data type is not supported: {DataType} (Data type names are all "
                            "lowercase.)")
        if AllowedPattern is not None:
            try:
                if not re.fullmatch(AllowedPattern, Value):
                    raise aws_error("ParameterPatternMismatchException",
                                    f"Parameter value, cannot be validated against allowedPattern: {AllowedPattern}")
            except re.error:
                raise aws_error("InvalidAllowedPatternException",
                                "The request does not meet the regular expression requirement.") from None
        if KeyId is not None and (Type or "") != "SecureString":
            existing_type = self.parameters[name].type if name in self.parameters else None
            if (Type or existing_type) != "SecureString":
                raise aws_error("ValidationException",
                                "KeyId is required for SecureString type parameter only.")
        tags = []
        for i, tag in enumerate(Tags or []):
            check_type(f"Tags[{i}]", tag, dict)
            key = check_type(f"Tags[{i}].Key", tag.get("Key", ""), str)
            check_type(f"Tags[{i}].Value", tag.get("Value", ""), str)
            if not key:
                raise aws_error("ValidationException", "Tag keys must not be empty.")
            tags.append({"Key": key, "Value": tag.get("Value", "")})
        if DataType == "aws:ec2:image":
            ec2 = self.sim.backend("ec2")
            if not re.fullmatch(r"ami-[0-9a-f]{8,17}", Value) or ec2._image(Value) is None:  # type: ignore[attr-defined]
                raise aws_error("ValidationException",
                                f"Parameter value {Value} is not a valid image id or image does not exist.")
        existing = self.parameters.get(name)
        now = self.sim.now
        if existing is not None:
            if not Overwrite:
                raise aws_error("ParameterAlreadyExists",
                                "The parameter already exists. To overwrite this value, set the overwrite option "
                                "in the request to true.")
            if tags:
                raise aws_error("ValidationException",
                                "Invalid request: tags and overwrite can't be used together. To create a parameter "
                                "with tags, please remove overwrite flag. To update tags for an existing "
                                "parameter, please use AddTagsToResource or RemoveTagsFromResource.")
            if len(existing.history) >= 100:
                raise aws_error("ParameterMaxVersionLimitExceeded",
                                f"You attempted to create a new version of {name} by calling the PutParameter API "
                                "with the overwrite flag. Version 1, the oldest version, can't be deleted because "
                                "it has a label associated with it.")
            ptype = Type or existing.type
            existing.version += 1
            existing.value = Value
            existing.type = ptype
            existing.last_modified = now
            if Description is not None:
                existing.description = Description
            existing.key_id = (KeyId or existing.key_id or DEFAULT_KMS_KEY) if ptype == "SecureString" else None
            if DataType:
                existing.data_type = DataType
            existing.history.append(ParameterVersion(existing.version, Value, ptype, now, existing.description,
                                                     existing.key_id))
            return {"Version": existing.version, "Tier": "Standard"}
        if Type is None:
            raise aws_error("ValidationException", "A parameter type is required when you create a parameter.")
        key_id = (KeyId or DEFAULT_KMS_KEY) if Type == "SecureString" else None
        param = Parameter(name=name, arn=self._arn(name), type=Type, value=Value, version=1, last_modified=now,
                          description=Description, key_id=key_id, data_type=DataType or "text", tags=tags,
                          history=[ParameterVersion(1, Value, Type, now, Description, key_id)])
        self.parameters[name] = param
        return {"Version": 1, "Tier": "Standard"}

    @operation
    def delete_parameter(self, Name: str) -> dict[str, Any]:
        """Delete a parameter and all its versions."""
        name = self._name_from_ref(Name)
        if name not in self.parameters:
            raise aws_error("ParameterNotFound", f"Parameter {Name} not found.")
        del self.parameters[name]
        return {}

    @operation
    def delete_parameters(self, Names: list) -> dict[str, Any]:
        """Delete up to 10 parameters; unknown names come back in InvalidParameters."""
        if not 1 <= len(Names) <= 10:
            raise aws_error("ValidationException", "1 validation error detected: Value at 'names' failed to "
                            "satisfy constraint: Member must have length less than or equal to 10")
        deleted, invalid = [], []
        for i, ref in enumerate(Names):
            check_type(f"Names[{i}]", ref, str)
            name = self._name_from_ref(ref)
            if name in self.parameters:
                del self.parameters[name]
                deleted.append(ref)
            else:
                invalid.append(ref)
        return {"DeletedParameters": deleted, "InvalidParameters": invalid}

    @operation
    def describe_parameters(self, Filters: list | None = None, ParameterFilters: list | None = None,
                            MaxResults: int | None = None, NextToken: str | None = None,
                            Shared: bool | None = None) -> dict[str, Any]:
        """List your parameters' metadata (never their values), filtered by Name, Type or Path.

        Not modelled: filters on KeyId, Label, Tier, DataType or tags; shared parameters.
        """
        if Shared:
            raise NotModelledError("shared SSM parameters", operation_name="DescribeParameters")
        params = sorted(self.parameters.values(), key=lambda p: p.name)
        conds: list[tuple[str, str, list[str]]] = []
        for i, f in enumerate(Filters or []):
            check_type(f"Filters[{i}]", f, dict)
            key = f.get("Key")
            if key not in ("Name", "Type", "KeyId"):
                raise aws_error("InvalidFilterKey", f"The following filter key is not valid: {key}.")
            if key == "KeyId":
                raise NotModelledError("the KeyId filter of DescribeParameters", operation_name="DescribeParameters")
            conds.append((key, "Contains" if key == "Name" else "Equals", list(f.get("Values") or [])))
        for i, f in enumerate(ParameterFilters or []):
            check_type(f"ParameterFilters[{i}]", f, dict)
            key = check_type(f"ParameterFilters[{i}].Key", f.get("Key", ""), str)
            option = f.get("Option") or ("OneLevel" if key == "Path" else "Equals")
            values = list(f.get("Values") or [])
            if key not in ("Name", "Type", "Path"):
                if key in ("KeyId", "Label", "Tier", "DataType") or key.startswith("tag:"):
                    raise NotModelledError(f"the {key} filter of DescribeParameters",
                                           operation_name="DescribeParameters")
                raise aws_error("InvalidFilterKey", f"The following filter key is not valid: {key}.")
            valid = {"Name": ("Equals", "BeginsWith", "Contains"), "Type": ("Equals", "BeginsWith"),
                     "Path": ("OneLevel", "Recursive")}[key]
            if option not in valid:
                raise aws_error("InvalidFilterOption",
                                f"The following filter option is not valid: {option}. Valid options include: "
                                f"[{', '.join(valid)}].")
            conds.append((key, option, values))

        def ok(p: Parameter) -> bool:
            for key, option, values in conds:
                if key == "Path":
                    good = False
                    for v in values:
                        prefix = v.rstrip("/") + "/"
                        rest = p.name[len(prefix):] if p.name.startswith(prefix) else None
                        if rest is not None and (option == "Recursive" or "/" not in rest):
                            good = True
                    if not good:
                        return False
                    continue
                field_value = p.name if key == "Name" else p.type
                if option == "Equals":
                    match = field_value in values or (key == "Name" and
                                                      any(field_value == v.lstrip("/") for v in values))
                elif option == "BeginsWith":
                    match = any(field_value.startswith(v) for v in values)
                else:
                    match = any(v in field_value for v in values)
                if not match:
                    return False
            return True

        chosen = [p for p in params if ok(p)]
        if MaxResults is not None and not 1 <= MaxResults <= 50:
            raise aws_error("ValidationException", "1 validation error detected: Value at 'maxResults' failed to "
                            "satisfy constraint: Member must have value less than or equal to 50")
        start = int(NextToken) if NextToken and NextToken.isdigit() else 0
        size = MaxResults or 50
        page = chosen[start:start + size]
        out: dict[str, Any] = {"Parameters": [{
            "Name": p.name, "ARN": p.arn, "Type": p.type, "LastModifiedDate": p.last_modified,
            "LastModifiedUser": f"arn:aws:iam::{self.account_id}:root", "Version": p.version,
            "Tier": p.tier, "Policies": [], "DataType": p.data_type}
            | ({"KeyId": p.key_id} if p.key_id else {})
            | ({"Description": p.description} if p.description else {}) for p in page]}
        if start + size < len(chosen):
            out["NextToken"] = str(start + size)
        return out

__all__ = ["Parameter", "ParameterVersion", "SsmBackend"]
