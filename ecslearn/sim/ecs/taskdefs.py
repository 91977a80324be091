"""ECS task definitions: register, describe, list, deregister and delete (ecs-reference §2, errors §8).

Validation follows ecs-reference §2 and uses the codes and wording of §8 where it gives them. Where the
reference gives no wording, ecslearn uses the wording written next to the rule below, consistently.

Choices ecslearn makes (documented, since AWS does not say):
- Fargate pair errors use the newer wording of §8: "No Fargate configuration exists for given values:
  <cpu> CPU, <memory> memory. See the Amazon ECS documentation for the valid values." with the values
  normalised to CPU units and MiB.
- `networkMode` is in the response only when it was given (real EC2 definitions registered without it
  come back without it); the stored record says `bridge` then, the EC2 default (§2.5).
- Task `cpu`/`memory` come back normalised as strings of units / MiB ("1 vCPU" → "1024", "2GB" → "2048").
- Enum violations the client does not catch (networkMode, protocol, logDriver, ...) are ClientException
  "1 validation error detected: Value 'x' at 'containerDefinitions.1.member.portMappings.1.member.protocol'
  failed to satisfy constraint: Member must satisfy enum value set: [tcp, udp]" (AWS's validation style).
- ListTaskDefinitions status=INACTIVE lists every INACTIVE revision (AWS documents "as long as a task or
  service references them"; in practice they stay listed).
- DeleteTaskDefinitions moves a revision to DELETE_IN_PROGRESS; it is purged (gone from describe and
  list) once no running task or service references it and `TD_PURGE_DELAY` seconds have passed.
  Revision numbers are never reused and family names stay reserved.
- `_resolve_task_definition(ref, for_use=True)`: unknown → InvalidParameterException "TaskDefinition not
  found."; INACTIVE or DELETE_IN_PROGRESS → InvalidParameterException "TaskDefinition is inactive".
  With for_use=False (describe): unknown → ClientException "Unable to describe task definition.".

requiresAttributes, computed in this order (duplicates dropped; order matches real responses seen):
  for every container: logging-driver.<driver> (com.amazonaws.ecs.capability.logging-driver.<d>);
  docker-remote-api.1.24 if healthCheck; ecs.capability.execution-role-awslogs if awslogs and an
  execution role; com.amazonaws.ecs.capability.ecr-auth if the image is in ECR
  (`<acct>.dkr.ecr.<region>.amazonaws.com/...`); the log driver's Docker API version (json-file, syslog
  1.18; awslogs, journald 1.19; gelf, fluentd 1.20; splunk 1.22); docker-remote-api.1.21 if
  memoryReservation; then com.amazonaws.ecs.capability.task-iam-role if taskRoleArn; then for every
  container: ecs.capability.container-health-check if healthCheck; ecs.capability.execution-role-ecr-pull
  if ECR image and execution role; ecs.capability.secrets.ssm.environment-variables /
  ecs.capability.secrets.asm.environment-variables for secrets from SSM / Secrets Manager;
  ecs.capability.private-registry-authentication.secretsmanager if repositoryCredentials;
  ecs.capability.env-files.s3 if environmentFiles; com.amazonaws.ecs.capability.privileged-container if
  privileged; docker-remote-api.1.18 if dockerLabels or ulimits; ecs.capability.firelens.<type> if
  firelensConfiguration; ecs.capability.container-ordering if dependsOn;
  ecs.capability.container-port-range if a containerPortRange; ecs.capability.secrets.<ssm|asm>.bootstrap.log-driver
  for logConfiguration.secretOptions; then for the task: docker-remote-api.1.18 if networkMode is awsvpc,
  host or none; ecs.capability.task-eni if awsvpc; com.amazonaws.ecs.capability.task-iam-role-network-host
  if taskRoleArn with host mode; ecs.capability.pid-ipc-namespace-sharing if pidMode or ipcMode;
  ecs.capability.extensible-ephemeral-storage if ephemeralStorage (a Fargate-only capability: no EC2
  agent advertises it, so such a definition never places on EC2 instances, as on AWS).

compatibilities: EC2 always; FARGATE too when the definition meets every Fargate rule (task cpu and
memory forming a valid pair of §2.4, awsvpc, no ipcMode, pidMode only `task`, no privileged container,
log drivers awslogs/splunk/awsfirelens with awslogs-stream-prefix, an execution role for ECR images and
awslogs, stopTimeout 2..120, no Docker or host-path volumes); EXTERNAL and MANAGED_INSTANCES when asked
for in requiresCompatibilities (stored; running them is the tasks module's concern).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim.base import operation, type_error
from ecslearn.sim.ecs.core import EcsCore
from ecslearn.sim.ecs.models import ContainerDef, PortMapping, TaskDefinition
from ecslearn.sim.errors import ClientError, client_exception, invalid_parameter

# --- the tables of §2 -----------------------------------------------------------------------------

#: Fargate task sizes (§2.4): CPU units → the valid memory values in MiB.
FARGATE_TASK_SIZES: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: (1024, 2048, 3072, 4096),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

COMPATIBILITIES = ("EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES")
NETWORK_MODES = ("bridge", "host", "awsvpc", "none")
LOG_DRIVERS = ("json-file", "syslog", "journald", "gelf", "fluentd", "awslogs", "splunk", "awsfirelens")
FARGATE_LOG_DRIVERS = ("awslogs", "splunk", "awsfirelens")
EC2_TASK_CPU_RANGE = (128, 196608)  # current model (§2.3; the 2023 guide said 10240)
MIN_CONTAINER_MEMORY = 6  # MiB, Docker >= 20.10 (§2.3)
MAX_CONTAINERS = 10
MAX_PLACEMENT_CONSTRAINTS = 10
TD_PURGE_DELAY = 600.0  # seconds a DELETE_IN_PROGRESS revision stays describable (ecslearn's choice)
REGISTERED_BY = "arn:aws:iam::{account}:root"

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_IMAGE_CHARS = re.compile(r"^[A-Za-z0-9\-_:./#]{1,255}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr(-fips)?\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/", re.ASCII)
_CPU_UNITS = re.compile(r"^\d+$", re.ASCII)
_CPU_VCPU = re.compile(r"^(\d+(?:\.\d+)?|\.\d+) ?vcpu$", re.IGNORECASE | re.ASCII)
_MEM_MIB = re.compile(r"^\d+$", re.ASCII)
_MEM_GB = re.compile(r"^(\d+(?:\.\d+)?|\.\d+) ?gb$", re.IGNORECASE | re.ASCII)
_PORT_RANGE = re.compile(r"^(\d{1,5})-(\d{1,5})$", re.ASCII)
_TD_ARN = re.compile(r"^arn:aws[a-z-]*:ecs:([a-z0-9-]*):(\d*):task-definition/(.*)$", re.ASCII | re.DOTALL)

_LOG_DRIVER_API = {"json-file": "1.18", "syslog": "1.18", "awslogs": "1.19", "journald": "1.19",
                   "gelf": "1.20", "fluentd": "1.20", "splunk": "1.22"}
_CAP = "com.amazonaws.ecs.capability."
_HEALTH_LIMITS = {"interval": (5, 300, 30), "timeout": (2, 60, 5), "retries": (1, 10, 3),
                  "startPeriod": (0, 300, None)}
_DEPENDENCY_CONDITIONS = ("START", "COMPLETE", "SUCCESS", "HEALTHY")
_CPU_ARCHITECTURES = ("X86_64", "ARM64")
_OS_FAMILIES = ("WINDOWS_SERVER_2019_FULL", "WINDOWS_SERVER_2019_CORE", "WINDOWS_SERVER_2016_FULL",
                "WINDOWS_SERVER_2004_CORE", "WINDOWS_SERVER_2022_CORE", "WINDOWS_SERVER_2022_FULL",
                "WINDOWS_SERVER_2025_CORE", "WINDOWS_SERVER_2025_FULL", "WINDOWS_SERVER_20H2_CORE", "LINUX")


def parse_task_cpu(text: str) -> int | None:
    """Task-level cpu as AWS accepts it ("1024", "1 vCPU", "0.25 vcpu") → CPU units, or None if invalid."""
    if text.strip() != text or len(text) > 32:
        return None
    if _CPU_UNITS.match(text):
        return int(text)
    m = _CPU_VCPU.match(text)
    if not m:
        return None
    try:
        units = Decimal(m.group(1)) * 1024
    except InvalidOperation:  # pragma: no cover - the regex admits only numbers
        return None
    return int(units) if units == units.to_integral_value() else None


def parse_task_memory(text: str) -> int | None:
    """Task-level memory ("2048", "2GB", "0.5 GB") → MiB, or None if invalid."""
    if text.strip() != text or len(text) > 32:
        return None
    if _MEM_MIB.match(text):
        return int(text)
    m = _MEM_GB.match(text)
    if not m:
        return None
    mib = Decimal(m.group(1)) * 1024
    return int(mib) if mib == mib.to_integral_value() else None


def fargate_pair_valid(cpu: int, memory: int) -> bool:
    """True when (cpu units, MiB) is a Fargate task size of §2.4."""
    return memory in FARGATE_TASK_SIZES.get(cpu, ())


def is_ecr_image(image: str) -> bool:
    """True for `<acct>.dkr.ecr.<region>.amazonaws.com/<repo>...` images."""
    return bool(_ECR_IMAGE.match(image))


# --- nested shapes, as botocore's model gives them (generated from botocore's ecs service-2.json) ---
# member type codes: s str, i int, b bool, f float, [X] list of X, {X} map of str → X, else a shape name.
_SHAPES: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "ContainerDefinition": ({"name": "s", "image": "s", "repositoryCredentials": "RepositoryCredentials",
                             "cpu": "i", "memory": "i", "memoryReservation": "i", "links": "[s]",
                             "portMappings": "[PortMapping]", "essential": "b",
                             "restartPolicy": "ContainerRestartPolicy", "entryPoint": "[s]",
                             "command": "[s]", "environment": "[KeyValuePair]",
                             "environmentFiles": "[EnvironmentFile]", "mountPoints": "[MountPoint]",
                             "volumesFrom": "[VolumeFrom]", "linuxParameters": "LinuxParameters",
                             "secrets": "[Secret]", "dependsOn": "[ContainerDependency]",
                             "startTimeout": "i", "stopTimeout": "i", "versionConsistency": "s",
                             "hostname": "s", "user": "s", "workingDirectory": "s",
                             "disableNetworking": "b", "privileged": "b", "readonlyRootFilesystem": "b",
                             "dnsServers": "[s]", "dnsSearchDomains": "[s]", "extraHosts": "[HostEntry]",
                             "dockerSecurityOptions": "[s]", "interactive": "b", "pseudoTerminal": "b",
                             "dockerLabels": "{s}", "ulimits": "[Ulimit]",
                             "logConfiguration": "LogConfiguration", "healthCheck": "HealthCheck",
                             "systemControls": "[SystemControl]",
                             "resourceRequirements": "[ResourceRequirement]",
                             "firelensConfiguration": "FirelensConfiguration", "credentialSpecs": "[s]"},
                            ()),
    "RepositoryCredentials": ({"credentialsParameter": "s"}, ("credentialsParameter",)),
    "PortMapping": ({"containerPort": "i", "hostPort": "i", "protocol": "s", "name": "s",
                     "appProtocol": "s", "containerPortRange": "s"}, ()),
    "ContainerRestartPolicy": ({"enabled": "b", "ignoredExitCodes": "[i]", "restartAttemptPeriod": "i"},
                               ("enabled",)),
    "KeyValuePair": ({"name": "s", "value": "s"}, ()),
    "EnvironmentFile": ({"value": "s", "type": "s"}, ("value", "type")),
    "MountPoint": ({"sourceVolume": "s", "containerPath": "s", "readOnly": "b"}, ()),
    "VolumeFrom": ({"sourceContainer": "s", "readOnly": "b"}, ()),
    "LinuxParameters": ({"capabilities": "KernelCapabilities", "devices": "[Device]",
                         "initProcessEnabled": "b", "sharedMemorySize": "i", "tmpfs": "[Tmpfs]",
                         "maxSwap": "i", "swappiness": "i"}, ()),
    "KernelCapabilities": ({"add": "[s]", "drop": "[s]"}, ()),
    "Device": ({"hostPath": "s", "containerPath": "s", "permissions": "[s]"}, ("hostPath",)),
    "Tmpfs": ({"containerPath": "s", "size": "i", "mountOptions": "[s]"}, ("containerPath", "size")),
    "Secret": ({"name": "s", "valueFrom": "s"}, ("name", "valueFrom")),
    "ContainerDependency": ({"containerName": "s", "condition": "s"}, ("containerName", "condition")),
    "HostEntry": ({"hostname": "s", "ipAddress": "s"}, ("hostname", "ipAddress")),
    "Ulimit": ({"name": "s", "softLimit": "i", "hardLimit": "i"}, ("name", "softLimit", "hardLimit")),
    "LogConfiguration": ({"logDriver": "s", "options": "{s}", "secretOptions": "[Secret]"},
                         ("logDriver",)),
    "HealthCheck": ({"command": "[s]", "interval": "i", "timeout": "i", "retries": "i",
                     "startPeriod": "i"}, ("command",)),
    "SystemControl": ({"namespace": "s", "value": "s"}, ()),
    "ResourceRequirement": ({"value": "s", "type": "s"}, ("value", "type")),
    "FirelensConfiguration": ({"type": "s", "options": "{s}"}, ("type",)),
    "Volume": ({"name": "s", "host": "HostVolumeProperties",
                "dockerVolumeConfiguration": "DockerVolumeConfiguration",
                "efsVolumeConfiguration": "EFSVolumeConfiguration",
                "s3filesVolumeConfiguration": "S3FilesVolumeConfiguration",
                "fsxWindowsFileServerVolumeConfiguration": "FSxWindowsFileServerVolumeConfiguration",
                "configuredAtLaunch": "b"}, ()),
    "HostVolumeProperties": ({"sourcePath": "s"}, ()),
    "DockerVolumeConfiguration": ({"scope": "s", "autoprovision": "b", "driver": "s", "driverOpts": "{s}",
                                   "labels": "{s}"}, ()),
    "EFSVolumeConfiguration": ({"fileSystemId": "s", "rootDirectory": "s", "transitEncryption": "s",
                                "transitEncryptionPort": "i",
                                "authorizationConfig": "EFSAuthorizationConfig"}, ("fileSystemId",)),
    "EFSAuthorizationConfig": ({"accessPointId": "s", "iam": "s"}, ()),
    "S3FilesVolumeConfiguration": ({"fileSystemArn": "s", "rootDirectory": "s",
                                    "transitEncryptionPort": "i", "accessPointArn": "s"},
                                   ("fileSystemArn",)),
    "FSxWindowsFileServerVolumeConfiguration": ({"fileSystemId": "s", "rootDirectory": "s",
                                                 "authorizationConfig": "FSxWindowsFileServerAuthorizationConfig"},
                                                ("fileSystemId", "rootDirectory", "authorizationConfig")),
    "FSxWindowsFileServerAuthorizationConfig": ({"credentialsParameter": "s", "domain": "s"},
                                                ("credentialsParameter", "domain")),
    "TaskDefinitionPlacementConstraint": ({"type": "s", "expression": "s"}, ()),
    "Tag": ({"key": "s", "value": "s"}, ()),
    "ProxyConfiguration": ({"type": "s", "containerName": "s", "properties": "[KeyValuePair]"},
                           ("containerName",)),
    "InferenceAccelerator": ({"deviceName": "s", "deviceType": "s"}, ("deviceName", "deviceType")),
    "EphemeralStorage": ({"sizeInGiB": "i"}, ("sizeInGiB",)),
    "RuntimePlatform": ({"cpuArchitecture": "s", "operatingSystemFamily": "s"}, ()),
}

_TOP_SHAPES = {
    "containerDefinitions": "[ContainerDefinition]",
    "volumes": "[Volume]",
    "placementConstraints": "[TaskDefinitionPlacementConstraint]",
    "requiresCompatibilities": "[s]",
    "tags": "[Tag]",
    "proxyConfiguration": "ProxyConfiguration",
    "inferenceAccelerators": "[InferenceAccelerator]",
    "ephemeralStorage": "EphemeralStorage",
    "runtimePlatform": "RuntimePlatform",
}

_PY_TYPES: dict[str, tuple[type, ...]] = {"s": (str,), "i": (int,), "b": (bool,), "f": (float, int)}


def _shape_errors(path: str, value: Any, spec: str, errors: list[str]) -> None:
    """Collect botocore-style validation problems for `value` against a type code (see `_SHAPES`)."""
    if spec in _PY_TYPES:
        valid = _PY_TYPES[spec]
        bad = not isinstance(value, valid) or (isinstance(value, bool) and spec != "b")
        if bad:
            errors.append(type_error(path, value, valid).report)
        return
    if spec.startswith("["):
        if not isinstance(value, (list, tuple)):
            errors.append(type_error(path, value, (list,)).report)
            return
        for i, item in enumerate(value):
            _shape_errors(f"{path}[{i}]", item, spec[1:-1], errors)
        return
    if spec.startswith("{"):
        if not isinstance(value, dict):
            errors.append(type_error(path, value, (dict,)).report)
            return
        for key, item in value.items():
            _shape_errors(f"{path} (key: {key!r})", key, "s", errors)
            _shape_errors(f"{path}.{key}", item, spec[1:-1], errors)
        return
    members, required = _SHAPES[spec]
    if not isinstance(value, dict):
        errors.append(type_error(path, value, (dict,)).report)
        return
    for name in required:
        if name not in value:
            errors.append(f'Missing required parameter in {path}: "{name}"')
    for key, item in value.items():
        if key not in members:
            errors.append(f'Unknown parameter in {path}: "{key}", must be one of: {", ".join(members)}')
        else:
            _shape_errors(f"{path}.{key}", item, members[key], errors)


def _enum_error(value: Any, where: str, allowed: tuple[str, ...]) -> ClientError:
    return client_exception(
        f"1 validation error detected: Value '{value}' at '{where}' failed to satisfy constraint: "
        f"Member must satisfy enum value set: [{', '.join(allowed)}]")


def _at(*parts: str | int) -> str:
    """AWS's validation path: ('containerDefinitions', 0, 'portMappings', 1) → containerDefinitions.1.member..."""
    out: list[str] = []
    for part in parts:
        out.append(f"{part + 1}.member" if isinstance(part, int) else part)
    return ".".join(out)


def _container_setting(name: str, setting: str, detail: str = "") -> ClientError:
    msg = f"Invalid '{setting}' setting for container '{name}'."
    return client_exception(f"{msg} {detail}" if detail else msg)


class _Registration:
    """Everything RegisterTaskDefinition decides about one request (validated, normalised)."""

    def __init__(self) -> None:
        self.containers: list[ContainerDef] = []
        self.container_api: list[dict[str, Any]] = []
        self.cpu: int | None = None
        self.memory: int | None = None


class TaskDefinitionsMixin(EcsCore):
    """RegisterTaskDefinition, DescribeTaskDefinition, ListTaskDefinitions, ListTaskDefinitionFamilies,
    DeregisterTaskDefinition and DeleteTaskDefinitions; `_resolve_task_definition` for other mixins."""

    def _init_state(self) -> None:
        #: every stored revision by ARN, in registration order
        self.task_definitions: dict[str, TaskDefinition] = {}
        #: family → revision → definition (purged revisions are removed; the family name stays reserved)
        self._td_families: dict[str, dict[int, TaskDefinition]] = {}
        #: family → highest revision ever registered (revisions are never reused)
        self._td_last_revision: dict[str, int] = {}
        #: ARNs in DELETE_IN_PROGRESS, waiting to be purged
        self._td_deleting: set[str] = set()

    # --- internal API for tasks, services and placement -----------------------------------------

    def _td_arn(self, family: str, revision: int) -> str:
        return self.sim.arn("ecs", f"task-definition/{family}:{revision}")

    def _parse_td_ref(self, ref: Any, *, code: str) -> tuple[str, int | None]:
        """`family`, `family:rev` or an ARN → (family, revision or None). Bad forms raise `code`."""
        def fail(message: str) -> ClientError:
            return client_exception(message) if code == "ClientException" else invalid_parameter(message)

        if not isinstance(ref, str) or not ref:
            raise fail("TaskDefinition should not be null or empty.")
        family_rev = ref
        if ref.startswith("arn:"):
            m = _TD_ARN.match(ref)
            if not m:
                raise fail(f"Invalid identifier: Unexpected ARN type: {ref}")
            if m.group(1) != self.region or m.group(2) != self.account_id:
                return "", None  # another region's or account's definition: never found here
            family_rev = m.group(3)
        family, sep, rev = family_rev.partition(":")
        if not sep:
            return family, None
        if not (rev.isascii() and rev.isdigit()) or len(rev) > 10:
            raise fail(f"Invalid revision number. Number: {rev}")
        return family, int(rev)

    def _find_task_definition(self, family: str, revision: int | None) -> TaskDefinition | None:
        revisions = self._td_families.get(family)
        if not revisions:
            return None
        if revision is not None:
            return revisions.get(revision)
        active = [td for td in revisions.values() if td.status == "ACTIVE"]
        return max(active, key=lambda td: td.revision) if active else None

    def _resolve_task_definition(self, ref: str, *, for_use: bool = True) -> TaskDefinition:
        """Resolve a `taskDefinition` parameter: family (latest ACTIVE revision), `family:revision` or ARN.

        for_use=True (RunTask, StartTask, CreateService, UpdateService): unknown → InvalidParameterException
        "TaskDefinition not found."; INACTIVE or DELETE_IN_PROGRESS → InvalidParameterException
        "TaskDefinition is inactive". for_use=False (describe): any stored revision resolves; unknown →
        ClientException "Unable to describe task definition.".
        """
        self._purge_deleted_task_definitions()
        family, revision = self._parse_td_ref(
            ref, code="InvalidParameterException" if for_use else "ClientException")
        td = self._find_task_definition(family, revision)
        if td is None:
            if for_use:
                raise invalid_parameter("TaskDefinition not found.")
            raise client_exception("Unable to describe task definition.")
        if for_use and td.status != "ACTIVE":
            raise invalid_parameter("TaskDefinition is inactive")
        return td

    def _task_definition_in_use(self, td: TaskDefinition) -> bool:
        """True while a task that is not STOPPED, or a service deployment, references the revision."""
        for cluster in self.clusters.values():
            for task in cluster.tasks.values():
                if task.task_definition is td and not task.stopped:
                    return True
            for service in cluster.services.values():
                refs = [getattr(service, "task_definition", None)]
                refs += [getattr(d, "task_definition", None) for d in getattr(service, "deployments", None) or []]
                if any(r is td or r == td.arn for r in refs):
                    return True
        return False

    def _purge_deleted_task_definitions(self) -> None:
        if not self._td_deleting:
            return
        for td in [self.task_definitions[arn] for arn in sorted(self._td_deleting)]:
            requested = td.api.get("deleteRequestedAt")
            if requested is not None and (self.sim.now - requested).total_seconds() < TD_PURGE_DELAY:
                continue
            if self._task_definition_in_use(td):
                continue
            del self.task_definitions[td.arn]
            self._td_deleting.discard(td.arn)
            self._td_families.get(td.family, {}).pop(td.revision, None)
            self._arn_index.pop(td.arn, None)  # type: ignore[attr-defined]

    # --- RegisterTaskDefinition -------------------------------------------------------------------

    @operation
    def register_task_definition(
        self, family: str, containerDefinitions: list, taskRoleArn: str | None = None,
        executionRoleArn: str | None = None, networkMode: str | None = None, volumes: list | None = None,
        placementConstraints: list | None = None, requiresCompatibilities: list | None = None,
        cpu: str | None = None, memory: str | None = None, tags: list | None = None,
        pidMode: str | None = None, ipcMode: str | None = None, proxyConfiguration: dict | None = None,
        inferenceAccelerators: list | None = None, ephemeralStorage: dict | None = None,
        runtimePlatform: dict | None = None, enableFaultInjection: bool | None = None,
    ) -> dict[str, Any]:
        """Register a new revision of a task definition family, validated as ECS validates it (§2).

        Not modelled: proxyConfiguration (App Mesh), inferenceAccelerators, EFS / FSx / S3 Files volumes and
        resourceRequirements (GPU) raise NotModelledError. Stored and returned but not acted on: linuxParameters,
        ulimits, systemControls, restartPolicy, dockerLabels, links, dnsServers and other Docker options,
        ephemeralStorage (only its 21..200 GiB range is checked), enableFaultInjection, Windows-specific rules
        (operatingSystemFamily is stored and recorded for placement). Secrets and repositoryCredentials are
        checked for shape only; whether the execution role can read them is decided when a task starts.
        """
        params = {"containerDefinitions": containerDefinitions, "volumes": volumes,
                  "placementConstraints": placementConstraints,
                  "requiresCompatibilities": requiresCompatibilities, "tags": tags,
                  "proxyConfiguration": proxyConfiguration, "inferenceAccelerators": inferenceAccelerators,
                  "ephemeralStorage": ephemeralStorage, "runtimePlatform": runtimePlatform}
        errors: list[str] = []
        for name, value in params.items():
            if value is not None:
                _shape_errors(name, value, _TOP_SHAPES[name], errors)
        if errors:
            raise ParamValidationError("\n".join(errors))

        # family
        if not family:
            raise client_exception("Family can not be blank.")
        if not _NAME.match(family):
            raise client_exception("Family contains invalid characters." if len(family) <= 255
                                   else "Family name can have up to 255 characters.")

        # features ecslearn does not model
        if proxyConfiguration is not None:
            raise NotModelledError("proxyConfiguration (App Mesh) in task definitions",
                                   operation_name="RegisterTaskDefinition")
        if inferenceAccelerators:
            raise NotModelledError("inferenceAccelerators", operation_name="RegisterTaskDefinition")
        for vol in volumes or []:
            for key in ("efsVolumeConfiguration", "fsxWindowsFileServerVolumeConfiguration",
                        "s3filesVolumeConfiguration"):
                if key in vol:
                    raise NotModelledError(f"{key} volumes", operation_name="RegisterTaskDefinition")
        for cd in containerDefinitions:
            if cd.get("resourceRequirements"):
                raise NotModelledError("resourceRequirements (GPU, inference accelerators)",
                                       operation_name="RegisterTaskDefinition")

        # enums and simple task-level settings
        requires = list(dict.fromkeys(requiresCompatibilities or []))
        for i, item in enumerate(requiresCompatibilities or []):
            if item not in COMPATIBILITIES:
                raise _enum_error(item, _at("requiresCompatibilities", i), COMPATIBILITIES)
        if networkMode is not None and networkMode not in NETWORK_MODES:
            raise _enum_error(networkMode, "networkMode", NETWORK_MODES)
        if pidMode is not None and pidMode not in ("host", "task"):
            raise _enum_error(pidMode, "pidMode", ("host", "task"))
        if ipcMode is not None and ipcMode not in ("host", "task", "none"):
            raise _enum_error(ipcMode, "ipcMode", ("host", "task", "none"))
        cpu_arch, os_family = self._check_runtime_platform(runtimePlatform)
        if ephemeralStorage is not None and not 21 <= ephemeralStorage["sizeInGiB"] <= 200:
            raise client_exception("The ephemeral storage size must be between 21 and 200 GiB.")
        mode = networkMode or "bridge"
        fargate_required = "FARGATE" in requires
        ec2_rules = not requires or any(c != "FARGATE" for c in requires)

        # containers
        if not containerDefinitions:
            raise client_exception("Container list cannot be empty.")
        if len(containerDefinitions) > MAX_CONTAINERS:
            raise client_exception(
                f"Too many containers: a task definition can have at most {MAX_CONTAINERS} containers.")
        reg = _Registration()
        seen: set[str] = set()
        for i, raw in enumerate(containerDefinitions):
            container, api = self._check_container(i, raw, mode)
            if container.name in seen:
                raise client_exception("Duplicate container names are not allowed.")
            seen.add(container.name)
            reg.containers.append(container)
            reg.container_api.append(api)
        if not any(c.essential for c in reg.containers):
            raise client_exception("A task definition must have at least one essential container.")
        self._check_dependencies(reg.containers)
        volume_names = self._check_volumes(volumes or [])
        for c in reg.containers:
            for mp in c.raw.get("mountPoints") or []:
                source = mp.get("sourceVolume")
                if source is not None and source not in volume_names:
                    raise client_exception(
                        f"Invalid 'mountPoints' setting for container '{c.name}'. "
                        f"The source volume '{source}' is not defined in the task definition.")

        # task-level cpu and memory (§2.3)
        if cpu is not None:
            reg.cpu = parse_task_cpu(cpu)
            if reg.cpu is None or not EC2_TASK_CPU_RANGE[0] <= reg.cpu <= EC2_TASK_CPU_RANGE[1]:
                raise invalid_parameter("Invalid 'cpu' setting for task.")
        if memory is not None:
            reg.memory = parse_task_memory(memory)
            if reg.memory is None or reg.memory < MIN_CONTAINER_MEMORY:
                raise invalid_parameter("Invalid 'memory' setting for task.")
        if ec2_rules and reg.memory is None:
            for c in reg.containers:
                if not c.memory and not c.memory_reservation:
                    raise client_exception(
                        f"Invalid setting for container '{c.name}'. At least one of 'memory' or "
                        "'memoryReservation' must be specified.")
        self._check_totals(reg)

        # placement constraints (memberOf only)
        constraints = self._check_placement_constraints(placementConstraints or [])

        # Fargate (§2.4, §2.5, §2.7, §2.8)
        problems = self._fargate_problems(reg, networkMode, pidMode, ipcMode, executionRoleArn, volumes or [])
        if fargate_required and problems:
            raise problems[0]
        tag_list = self._check_tags(tags)

        # the revision
        revision = self._td_last_revision.get(family, 0) + 1
        self._td_last_revision[family] = revision
        arn = self._td_arn(family, revision)
        compat = ["EC2"] + (["FARGATE"] if not problems else [])
        compat += [c for c in ("EXTERNAL", "MANAGED_INSTANCES") if c in requires]
        attrs = self._requires_attributes(reg, mode, networkMode, taskRoleArn, executionRoleArn,
                                          ephemeralStorage, pidMode is not None or ipcMode is not None)
        api: dict[str, Any] = {"taskDefinitionArn": arn, "containerDefinitions": reg.container_api,
                               "family": family}
        if taskRoleArn is not None:
            api["taskRoleArn"] = taskRoleArn
        if executionRoleArn is not None:
            api["executionRoleArn"] = executionRoleArn
        if networkMode is not None:
            api["networkMode"] = networkMode
        api.update({"revision": revision, "volumes": [dict(v) for v in volumes or []], "status": "ACTIVE",
                    "requiresAttributes": [{"name": a} for a in attrs],
                    "placementConstraints": constraints, "compatibilities": compat})
        if runtimePlatform is not None:
            api["runtimePlatform"] = dict(runtimePlatform)
        if requiresCompatibilities is not None:
            api["requiresCompatibilities"] = list(requiresCompatibilities)
        if reg.cpu is not None:
            api["cpu"] = str(reg.cpu)
        if reg.memory is not None:
            api["memory"] = str(reg.memory)
        if pidMode is not None:
            api["pidMode"] = pidMode
        if ipcMode is not None:
            api["ipcMode"] = ipcMode
        api["registeredAt"] = self.sim.now
        api["registeredBy"] = REGISTERED_BY.format(account=self.account_id)
        if ephemeralStorage is not None:
            api["ephemeralStorage"] = dict(ephemeralStorage)
        if enableFaultInjection is not None:
            api["enableFaultInjection"] = enableFaultInjection

        td = TaskDefinition(
            family=family, revision=revision, arn=arn, registered_at=self.sim.now,
            containers=reg.containers, api=api, network_mode=mode, cpu=reg.cpu, memory=reg.memory,
            requires_compatibilities=list(requiresCompatibilities or []), compatibilities=compat,
            requires_attributes=attrs, placement_constraints=constraints,
            execution_role_arn=executionRoleArn, task_role_arn=taskRoleArn, tags=tag_list,
            cpu_architecture=cpu_arch, operating_system_family=os_family,
        )
        self.task_definitions[arn] = td
        self._td_families.setdefault(family, {})[revision] = td
        self._arn_index[arn] = td  # type: ignore[attr-defined]
        out: dict[str, Any] = {"taskDefinition": td.to_api()}
        if tag_list:
            out["tags"] = list(tag_list)
        return out

    # --- validation helpers ------------------------------------------------------------------------

    @staticmethod
    def _check_runtime_platform(rp: dict[str, Any] | None) -> tuple[str | None, str | None]:
        if rp is None:
            return None, None
        arch, osf = rp.get("cpuArchitecture"), rp.get("operatingSystemFamily")
        if arch is not None and arch not in _CPU_ARCHITECTURES:
            raise _enum_error(arch, "runtimePlatform.cpuArchitecture", _CPU_ARCHITECTURES)
        if osf is not None and osf not in _OS_FAMILIES:
            raise _enum_error(osf, "runtimePlatform.operatingSystemFamily", _OS_FAMILIES)
        return arch, osf

    def _check_container(self, i: int, raw: dict[str, Any], mode: str) -> tuple[ContainerDef, dict[str, Any]]:
        """Validate one container definition; return the record and its response shape (defaults filled)."""
        name = raw.get("name")
        if not name:
            raise client_exception("Container.name should not be null or empty.")
        if not _NAME.match(name):
            raise client_exception("Container.name contains invalid characters.")
        image = raw.get("image")
        if not image:
            raise client_exception("Container.image should not be null or empty.")
        repo, at, digest = image.partition("@")
        if not _IMAGE_CHARS.match(repo) or (at and not _DIGEST.match(digest)):
            raise client_exception("Container.image contains invalid characters.")

        cpu = raw.get("cpu", 0)
        if cpu < 0 or cpu > EC2_TASK_CPU_RANGE[1]:
            raise _container_setting(name, "cpu")
        memory, reservation = raw.get("memory"), raw.get("memoryReservation")
        for setting, value in (("memory", memory), ("memoryReservation", reservation)):
            if value is not None and value < MIN_CONTAINER_MEMORY:
                raise _container_setting(name, setting,
                                         f"The minimum is {MIN_CONTAINER_MEMORY} MiB per container.")
        if memory is not None and reservation is not None and memory <= reservation:
            raise client_exception(f"Invalid setting for container '{name}'. 'memory' must be greater "
                                   "than 'memoryReservation'.")

        ports, ports_api = self._check_ports(i, name, raw.get("portMappings") or [], mode)
        if raw.get("hostname") is not None and mode == "awsvpc":
            raise client_exception("hostname is not supported on container when networkMode=awsvpc.")
        if raw.get("links") and mode != "bridge":
            raise client_exception(f"links are not supported when networkMode={mode}.")
        log_api = self._check_log_configuration(i, name, raw.get("logConfiguration"))
        health = self._check_health_check(name, raw.get("healthCheck"))
        for setting in ("stopTimeout", "startTimeout"):
            value = raw.get(setting)
            if value is not None and value < 0:
                raise _container_setting(name, setting)
        for secret in raw.get("secrets") or []:
            if not secret["name"] or not secret["valueFrom"]:
                raise client_exception(f"Invalid 'secrets' setting for container '{name}'. "
                                       "Secret name and valueFrom should not be null or empty.")
        for j, env_file in enumerate(raw.get("environmentFiles") or []):
            if env_file["type"] != "s3":
                raise _enum_error(env_file["type"], _at("containerDefinitions", i, "environmentFiles", j, "type"),
                                  ("s3",))
        firelens = raw.get("firelensConfiguration")
        if firelens is not None and firelens["type"] not in ("fluentd", "fluentbit"):
            raise _enum_error(firelens["type"], _at("containerDefinitions", i, "firelensConfiguration") + ".type",
                              ("fluentd", "fluentbit"))
        consistency = raw.get("versionConsistency")
        if consistency is not None and consistency not in ("enabled", "disabled"):
            raise _enum_error(consistency, _at("containerDefinitions", i, "versionConsistency"),
                              ("enabled", "disabled"))
        for j, dep in enumerate(raw.get("dependsOn") or []):
            if dep["condition"] not in _DEPENDENCY_CONDITIONS:
                raise _enum_error(dep["condition"], _at("containerDefinitions", i, "dependsOn", j, "condition"),
                                  _DEPENDENCY_CONDITIONS)

        essential = raw.get("essential", True)
        api: dict[str, Any] = {}
        for key in _SHAPES["ContainerDefinition"][0]:
            if key == "cpu":
                api["cpu"] = cpu
            elif key == "portMappings":
                api["portMappings"] = ports_api
            elif key == "essential":
                api["essential"] = essential
            elif key in ("environment", "mountPoints", "volumesFrom", "systemControls"):
                api[key] = [dict(x) for x in raw.get(key) or []]
            elif key == "logConfiguration":
                if log_api is not None:
                    api[key] = log_api
            elif key == "healthCheck":
                if health is not None:
                    api[key] = health
            elif key in raw:
                api[key] = raw[key]
        container = ContainerDef(
            name=name, image=image, essential=essential, cpu=cpu, memory=memory,
            memory_reservation=reservation, port_mappings=ports, log_configuration=log_api,
            health_check=health, stop_timeout=raw.get("stopTimeout"),
            secrets=[dict(s) for s in raw.get("secrets") or []],
            environment=[dict(e) for e in raw.get("environment") or []],
            repository_credentials=raw.get("repositoryCredentials"),
            depends_on=[dict(d) for d in raw.get("dependsOn") or []], raw=raw,
        )
        return container, api

    @staticmethod
    def _check_ports(i: int, name: str, mappings: list[dict[str, Any]],
                     mode: str) -> tuple[list[PortMapping], list[dict[str, Any]]]:
        """Port mappings under the network mode's rules (§2.5)."""
        if mappings and mode == "none":
            raise client_exception("Port mappings are not supported when networkMode=none.")
        records: list[PortMapping] = []
        api: list[dict[str, Any]] = []
        for j, pm in enumerate(mappings):
            protocol = pm.get("protocol", "tcp")
            if protocol not in ("tcp", "udp"):
                raise _enum_error(protocol, _at("containerDefinitions", i, "portMappings", j, "protocol"),
                                  ("tcp", "udp"))
            app_protocol = pm.get("appProtocol")
            if app_protocol is not None and app_protocol not in ("http", "http2", "grpc"):
                raise _enum_error(app_protocol, _at("containerDefinitions", i, "portMappings", j, "appProtocol"),
                                  ("http", "http2", "grpc"))
            container_port, host_port = pm.get("containerPort"), pm.get("hostPort")
            port_range = pm.get("containerPortRange")
            if port_range is not None:
                m = _PORT_RANGE.match(port_range)
                if (container_port is not None or host_port is not None or mode not in ("bridge", "awsvpc")
                        or not m or not 1 <= int(m.group(1)) < int(m.group(2)) <= 65535):
                    raise _container_setting(name, "containerPortRange")
                records.append(PortMapping(None, None, protocol, pm.get("name"), port_range, dict(pm)))
                api.append({"containerPortRange": port_range, "protocol": protocol,
                            **{k: pm[k] for k in ("name", "appProtocol") if k in pm}})
                continue
            if container_port is None or not 1 <= container_port <= 65535:
                raise _container_setting(name, "containerPort")
            if host_port is not None and not 0 <= host_port <= 65535:
                raise _container_setting(name, "hostPort")
            if mode in ("awsvpc", "host"):
                if host_port is not None and host_port != container_port:
                    raise client_exception(f"When networkMode={mode}, the host ports and container ports "
                                           "in port mappings must match.")
                host_port = container_port
                shown = container_port
            else:  # bridge: 0 or omitted = dynamic
                host_port = host_port or None
                shown = host_port or 0
            records.append(PortMapping(container_port, host_port, protocol, pm.get("name"), None, dict(pm)))
            entry: dict[str, Any] = {"containerPort": container_port, "hostPort": shown, "protocol": protocol}
            entry.update({k: pm[k] for k in ("name", "appProtocol") if k in pm})
            api.append(entry)
        return records, api

    @staticmethod
    def _check_log_configuration(i: int, name: str, log: dict[str, Any] | None) -> dict[str, Any] | None:
        """logConfiguration (§2.8): the driver enum and the awslogs options."""
        if log is None:
            return None
        driver = log["logDriver"]
        if driver not in LOG_DRIVERS:
            raise _enum_error(driver, _at("containerDefinitions", i, "logConfiguration") + ".logDriver",
                              LOG_DRIVERS)
        options = dict(log.get("options") or {})
        if driver == "awslogs":
            for key in ("awslogs-group", "awslogs-region"):
                if not options.get(key):
                    raise client_exception(f"Log driver awslogs option '{key}' should not be null or empty.")
            if "awslogs-create-group" in options and options["awslogs-create-group"] != "true":
                raise client_exception("Log driver awslogs option 'awslogs-create-group' should only be set "
                                       "to 'true', else omit option.")
            if "awslogs-datetime-format" in options and "awslogs-multiline-pattern" in options:
                raise client_exception("Log driver awslogs options 'awslogs-datetime-format' and "
                                       "'awslogs-multiline-pattern' cannot be used together.")
        if "mode" in options and options["mode"] not in ("blocking", "non-blocking"):
            raise client_exception(f"Log driver {driver} option 'mode' should be 'blocking' or 'non-blocking'.")
        out: dict[str, Any] = {"logDriver": driver}
        if "options" in log:
            out["options"] = options
        out["secretOptions"] = [dict(s) for s in log.get("secretOptions") or []]
        return out

    @staticmethod
    def _check_health_check(name: str, hc: dict[str, Any] | None) -> dict[str, Any] | None:
        """healthCheck: a command starting with CMD / CMD-SHELL / NONE; ranges and defaults of the model."""
        if hc is None:
            return None
        command = list(hc["command"])
        if not command or command[0] not in ("CMD", "CMD-SHELL", "NONE"):
            raise _container_setting(name, "healthCheck.command",
                                     "The command must start with CMD, CMD-SHELL or NONE.")
        out: dict[str, Any] = {"command": command}
        for key, (low, high, default) in _HEALTH_LIMITS.items():
            value = hc.get(key, default)
            if value is None:
                continue
            if not low <= value <= high:
                raise _container_setting(name, f"healthCheck.{key}",
                                         f"The value must be between {low} and {high}.")
            out[key] = value
        return out

    @staticmethod
    def _check_dependencies(containers: list[ContainerDef]) -> None:
        by_name = {c.name: c for c in containers}
        for c in containers:
            for dep in c.depends_on:
                target = by_name.get(dep["containerName"])
                if target is None or target is c:
                    raise client_exception(f"Invalid 'dependsOn' setting for container '{c.name}'. "
                                           f"Container '{dep['containerName']}' is not defined in the task "
                                           "definition.")
                if dep["condition"] == "HEALTHY" and target.health_check is None:
                    raise client_exception(f"Invalid 'dependsOn' setting for container '{c.name}'. The HEALTHY "
                                           f"condition needs a health check on container '{target.name}'.")

    @staticmethod
    def _check_volumes(volumes: list[dict[str, Any]]) -> set[str]:
        names: set[str] = set()
        for vol in volumes:
            vname = vol.get("name")
            if not vname or not _NAME.match(vname):
                raise client_exception("Volume.name should not be null or empty, and can contain only letters, "
                                       "numbers, hyphens and underscores.")
            if vname in names:
                raise client_exception(f"Duplicate volume name: {vname}.")
            scope = (vol.get("dockerVolumeConfiguration") or {}).get("scope")
            if scope is not None and scope not in ("task", "shared"):
                raise _enum_error(scope, "volumes.dockerVolumeConfiguration.scope", ("task", "shared"))
            names.add(vname)
        return names

    @staticmethod
    def _check_totals(reg: _Registration) -> None:
        """Container totals must fit inside task-level cpu and memory (§2.3)."""
        if reg.cpu is not None:
            total = sum(c.cpu for c in reg.containers)
            if total > reg.cpu:
                raise client_exception(f"Invalid 'cpu' setting for task. The containers' cpu total ({total}) "
                                       f"is greater than the task cpu ({reg.cpu}).")
        if reg.memory is not None:
            for c in reg.containers:
                if c.memory is not None and c.memory > reg.memory:
                    raise client_exception(f"Invalid 'memory' setting for container '{c.name}'. It is greater "
                                           f"than the task memory ({reg.memory} MiB).")
            total = sum(c.placement_memory() for c in reg.containers)
            if total > reg.memory:
                raise client_exception(f"Invalid 'memory' setting for task. The memory reserved by the "
                                       f"containers ({total} MiB) is greater than the task memory "
                                       f"({reg.memory} MiB).")

    def _check_placement_constraints(self, constraints: list[dict[str, Any]]) -> list[dict[str, str]]:
        if len(constraints) > MAX_PLACEMENT_CONSTRAINTS:
            raise client_exception(f"Too many placement constraints: at most {MAX_PLACEMENT_CONSTRAINTS} "
                                   "are allowed in a task definition.")
        out: list[dict[str, str]] = []
        for k, pc in enumerate(constraints):
            ctype = pc.get("type")
            if ctype != "memberOf":
                raise _enum_error(ctype, _at("placementConstraints", k, "type"), ("memberOf",))
            expression = pc.get("expression")
            if not expression:
                raise client_exception("Invalid placement constraint: memberOf needs an expression.")
            self._check_expression(expression)
            out.append({"type": "memberOf", "expression": expression})
        return out

    @staticmethod
    def _check_expression(expression: str) -> None:
        """Validate a cluster-query-language expression with `ecslearn.sim.cql` once that module exists."""
        try:
            from ecslearn.sim import cql  # type: ignore[attr-defined]
        except ImportError:
            return
        check = getattr(cql, "parse", None)
        if check is None:
            return
        try:
            check(expression)
        except ClientError:
            raise
        except (ValueError, SyntaxError) as err:
            raise invalid_parameter(str(err)) from None

    def _fargate_problems(self, reg: _Registration, network_mode: str | None,
                          pid_mode: str | None, ipc_mode: str | None, execution_role: str | None,
                          volumes: list[dict[str, Any]]) -> list[ClientError]:
        """Every reason the definition cannot run on Fargate, in the order registration reports them."""
        out: list[ClientError] = []
        if reg.cpu is None:
            out.append(client_exception("Fargate requires that 'cpu' be defined at the task level."))
        if reg.memory is None:
            out.append(client_exception("Fargate requires that 'memory' be defined at the task level."))
        if network_mode != "awsvpc":
            out.append(client_exception("Fargate only supports network mode 'awsvpc'."))
        if reg.cpu is not None and reg.memory is not None and not fargate_pair_valid(reg.cpu, reg.memory):
            out.append(client_exception(
                f"No Fargate configuration exists for given values: {reg.cpu} CPU, {reg.memory} memory. "
                "See the Amazon ECS documentation for the valid values."))
        if ipc_mode is not None:
            out.append(client_exception("Tasks using the Fargate launch type do not support ipcMode."))
        if pid_mode is not None and pid_mode != "task":
            out.append(client_exception(f"Tasks using the Fargate launch type do not support pidMode "
                                        f"'{pid_mode}'. The supported value for pidMode is 'task'."))
        for c in reg.containers:
            if c.raw.get("privileged"):
                out.append(client_exception("Tasks using the Fargate launch type do not support privileged "
                                            "containers."))
            log = c.log_configuration
            if log is not None:
                driver = log["logDriver"]
                if driver not in FARGATE_LOG_DRIVERS:
                    out.append(client_exception(f"Log driver {driver} is not supported by the Fargate launch "
                                                "type. Supported log drivers are awslogs, splunk and awsfirelens."))
                elif driver == "awslogs" and not (log.get("options") or {}).get("awslogs-stream-prefix"):
                    out.append(client_exception(
                        "Log driver awslogs option 'awslogs-stream-prefix' should not be null or empty."))
            if is_ecr_image(c.image) and not execution_role:
                out.append(client_exception(
                    "Fargate requires task definition to have execution role ARN to support ECR images."))
            if log is not None and log["logDriver"] == "awslogs" and not execution_role:
                out.append(client_exception(
                    "Fargate requires task definition to have execution role ARN to support log driver awslogs."))
            if c.stop_timeout is not None and not 2 <= c.stop_timeout <= 120:
                out.append(_container_setting(c.name, "stopTimeout",
                                              "On Fargate the value must be between 2 and 120 seconds."))
        for vol in volumes:
            if "dockerVolumeConfiguration" in vol:
                out.append(client_exception("Tasks using the Fargate launch type do not support "
                                            "dockerVolumeConfiguration volumes."))
            elif (vol.get("host") or {}).get("sourcePath"):
                out.append(client_exception("Tasks using the Fargate launch type do not support host volumes "
                                            "with a sourcePath."))
        return out

    @staticmethod
    def _requires_attributes(reg: _Registration, mode: str, network_mode: str | None, task_role: str | None,
                             execution_role: str | None, ephemeral: dict[str, Any] | None,
                             pid_ipc: bool) -> list[str]:
        """The computed requiresAttributes (rules and order in the module docstring)."""
        attrs: list[str] = []

        def add(name: str) -> None:
            if name not in attrs:
                attrs.append(name)

        api = _CAP + "docker-remote-api."
        for c in reg.containers:
            driver = (c.log_configuration or {}).get("logDriver")
            if driver:
                add(_CAP + f"logging-driver.{driver}")
            if c.health_check is not None:
                add(api + "1.24")
            if driver == "awslogs" and execution_role:
                add("ecs.capability.execution-role-awslogs")
            if is_ecr_image(c.image):
                add(_CAP + "ecr-auth")
            if driver in _LOG_DRIVER_API:
                add(api + _LOG_DRIVER_API[driver])
            if c.memory_reservation is not None:
                add(api + "1.21")
        if task_role:
            add(_CAP + "task-iam-role")
        for c in reg.containers:
            if c.health_check is not None:
                add("ecs.capability.container-health-check")
            if is_ecr_image(c.image) and execution_role:
                add("ecs.capability.execution-role-ecr-pull")
            for secret in c.secrets:
                source = "asm" if ":secretsmanager:" in secret["valueFrom"] else "ssm"
                add(f"ecs.capability.secrets.{source}.environment-variables")
            if c.repository_credentials is not None:
                add("ecs.capability.private-registry-authentication.secretsmanager")
            if c.raw.get("environmentFiles"):
                add("ecs.capability.env-files.s3")
            if c.raw.get("privileged"):
                add(_CAP + "privileged-container")
            if c.raw.get("dockerLabels") or c.raw.get("ulimits"):
                add(api + "1.18")
            if c.raw.get("firelensConfiguration"):
                add(f"ecs.capability.firelens.{c.raw['firelensConfiguration']['type']}")
            if c.depends_on:
                add("ecs.capability.container-ordering")
            if any(pm.container_port_range for pm in c.port_mappings):
                add("ecs.capability.container-port-range")
            for secret in (c.log_configuration or {}).get("secretOptions", []):
                source = "asm" if ":secretsmanager:" in secret["valueFrom"] else "ssm"
                add(f"ecs.capability.secrets.{source}.bootstrap.log-driver")
        if network_mode in ("awsvpc", "host", "none"):
            add(api + "1.18")
        if mode == "awsvpc":
            add("ecs.capability.task-eni")
        if task_role and mode == "host":
            add(_CAP + "task-iam-role-network-host")
        if pid_ipc:
            add("ecs.capability.pid-ipc-namespace-sharing")
        if ephemeral is not None:
            add("ecs.capability.extensible-ephemeral-storage")
        return attrs

    # --- the other operations ----------------------------------------------------------------------

    @operation
    def describe_task_definition(self, taskDefinition: str, include: list | None = None) -> dict[str, Any]:
        """Describe a revision: a family gives its latest ACTIVE revision; family:revision or an ARN any status.

        Not modelled: nothing beyond the notes on RegisterTaskDefinition.
        """
        for k, item in enumerate(include or []):
            if item != "TAGS":
                raise _enum_error(item, _at("include", k), ("TAGS",))
        td = self._resolve_task_definition(taskDefinition, for_use=False)
        out: dict[str, Any] = {"taskDefinition": td.to_api()}
        if include and "TAGS" in include:
            out["tags"] = list(td.tags)
        return out

    @operation
    def list_task_definitions(self, familyPrefix: str | None = None, status: str | None = None,
                              sort: str | None = None, nextToken: str | None = None,
                              maxResults: int | None = None) -> dict[str, Any]:
        """List revision ARNs by family then revision (ASC, the default) or the reverse (DESC).

        `familyPrefix` is the full family name, as in AWS. status=INACTIVE lists every INACTIVE revision.

        Not modelled: AWS hides INACTIVE revisions no task or service references any more; ecslearn keeps
        listing them.
        """
        statuses = ("ACTIVE", "INACTIVE", "DELETE_IN_PROGRESS")
        if status is not None and status not in statuses:
            raise _enum_error(status, "status", statuses)
        if sort is not None and sort not in ("ASC", "DESC"):
            raise _enum_error(sort, "sort", ("ASC", "DESC"))
        self._purge_deleted_task_definitions()
        wanted = status or "ACTIVE"
        found = [td for td in self.task_definitions.values()
                 if td.status == wanted and (familyPrefix is None or td.family == familyPrefix)]
        found.sort(key=lambda td: (td.family, td.revision), reverse=sort == "DESC")
        return self._listed("taskDefinitionArns", [td.arn for td in found], nextToken, maxResults)

    @operation
    def list_task_definition_families(self, familyPrefix: str | None = None, status: str | None = None,
                                      nextToken: str | None = None, maxResults: int | None = None) -> dict[str, Any]:
        """List family names (sorted); ACTIVE: has an ACTIVE revision, INACTIVE: has none, ALL (default): both.

        Not modelled: families whose every revision was deleted and purged are no longer listed (their
        names stay reserved for revision numbering).
        """
        statuses = ("ACTIVE", "INACTIVE", "ALL")
        if status is not None and status not in statuses:
            raise _enum_error(status, "status", statuses)
        self._purge_deleted_task_definitions()
        wanted = status or "ALL"
        names = []
        for family in sorted(self._td_families):
            revisions = self._td_families[family]
            if not revisions or (familyPrefix is not None and not family.startswith(familyPrefix)):
                continue
            active = any(td.status == "ACTIVE" for td in revisions.values())
            if wanted == "ALL" or (wanted == "ACTIVE") == active:
                names.append(family)
        return self._listed("families", names, nextToken, maxResults)

    def _revision_ref(self, ref: Any) -> TaskDefinition | None:
        """`family:revision` or ARN (a revision is required) → the stored revision or None."""
        family, revision = self._parse_td_ref(ref, code="ClientException")
        if revision is None:
            raise client_exception("A task definition revision must be specified: use family:revision "
                                   "or the full ARN.")
        return self._find_task_definition(family, revision)

    @operation
    def deregister_task_definition(self, taskDefinition: str) -> dict[str, Any]:
        """Mark a revision INACTIVE: it can still be described; new tasks and services cannot use it.

        Deregistering an INACTIVE revision again returns it unchanged.

        Not modelled: the up-to-10-minute window in which AWS may still accept the revision for new tasks
        (ecslearn blocks it at once).
        """
        self._purge_deleted_task_definitions()
        td = self._revision_ref(taskDefinition)
        if td is None or td.status == "DELETE_IN_PROGRESS":
            raise client_exception("The specified task definition does not exist.")
        if td.status == "ACTIVE":
            td.status = "INACTIVE"
            td.deregistered_at = self.sim.now
        return {"taskDefinition": td.to_api()}

    @operation
    def delete_task_definitions(self, taskDefinitions: list) -> dict[str, Any]:
        """Delete up to 10 INACTIVE revisions (they become DELETE_IN_PROGRESS); others come back in failures.

        Not modelled: AWS's own purge timing; ecslearn purges a revision TD_PURGE_DELAY (600) seconds after
        the request once no running task or service uses it.
        """
        if not taskDefinitions:
            raise invalid_parameter("taskDefinitions should not be empty.")
        if len(taskDefinitions) > 10:
            raise invalid_parameter("You can specify up to 10 task definitions.")
        errors: list[str] = []
        for k, ref in enumerate(taskDefinitions):
            _shape_errors(f"taskDefinitions[{k}]", ref, "s", errors)
        if errors:
            raise ParamValidationError("\n".join(errors))
        self._purge_deleted_task_definitions()
        done: list[dict[str, Any]] = []
        failures: list[dict[str, Any]] = []
        for ref in taskDefinitions:
            try:
                td = self._revision_ref(ref)
            except ClientError as err:
                failures.append({"arn": ref, "reason": err.aws_message})
                continue
            if td is None:
                failures.append({"arn": ref, "reason": "The specified task definition does not exist."})
                continue
            if td.status == "ACTIVE":
                failures.append({"arn": td.arn, "reason": "The specified task definition is still in ACTIVE "
                                 "status. Please deregister the target and try again."})
                continue
            if td.status == "INACTIVE":
                td.status = "DELETE_IN_PROGRESS"
                td.api["deleteRequestedAt"] = self.sim.now
                self._td_deleting.add(td.arn)
            done.append(td.to_api())
        return {"taskDefinitions": done, "failures": failures}
