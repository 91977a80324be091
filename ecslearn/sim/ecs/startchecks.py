"""What must succeed before a task's containers start: roles, registry credentials, secrets, image
pulls and awslogs streams (ecs-reference §1.3, §2.7-§2.9, §5.5, §6). And task-role calls by workloads.

`_task_start_failure(task)` runs when the task's images are pulled and returns None or
(`TaskFailedToStart`, stoppedReason). The checks, in order:

1. **Roles.** The execution role and the task role (task definition or RunTask override) must exist
   and trust `ecs-tasks.amazonaws.com`; otherwise the task stops with ECS's "ECS was unable to assume
   the role ..." text. (On AWS, RunTask itself refuses such a role; the simulator reports it on the task.)
2. **Secrets** (`secrets` and `repositoryCredentials`) are read with the **execution role** (every
   launch type, §2.7): SSM parameters need `ssm:GetParameters` on the parameter ARN, Secrets Manager
   secrets `secretsmanager:GetSecretValue` on the secret ARN. `valueFrom` is an SSM parameter name or
   ARN, or a Secrets Manager ARN optionally followed by `:json-key:version-stage:version-id`. Failures:
   Fargate `ResourceInitializationError: unable to pull secrets or registry auth: execution resource
   retrieval failed: unable to retrieve secret from asm: ...` (or `... secrets from ssm: ...`);
   EC2 the agent's `Fetching secret data from AWS Secrets Manager in region <r>: secret <arn>: ...` /
   `Fetching secret data from SSM Parameter Store in <r>: ...` (§1.3).
3. **Image pulls**, one container after the other:
   * a route to the registry: a Fargate task needs `assignPublicIp=ENABLED` (the default VPC's subnets
     are public and no NAT gateway or VPC endpoint is modelled); an EC2 task needs a public IP on its
     instance. Otherwise the timeout-shaped `CannotPullContainerError: API error (500): Get
     https://<registry>/v2/: net/http: request canceled while waiting for connection ...`;
   * ECR (this account and region): pulled with the execution role if the task has one, else (EC2
     only) with the instance role of the instance's profile. The role needs ecr:GetAuthorizationToken
     (`*`), ecr:BatchGetImage and ecr:GetDownloadUrlForLayer (repository ARN); BatchCheckLayerAvailability
     is not needed for a pull. A denial gives `CannotPullContainerError: AccessDeniedException: User:
     arn:aws:sts::<acct>:assumed-role/<role>/<session> is not authorized to perform: <action> on
     resource: <arn> because no identity-based policy allows the <action> action`. A missing
     repository: `CannotPullContainerError: API error (404): repository <host>/<repo> not found`; a
     missing tag or digest: `CannotPullContainerError: API error (404): manifest for <image> not found:
     manifest unknown: Requested image not found`. A pull records the image's lastRecordedPullTime.
     Other accounts' and regions' registries have no repositories here (so "not found").
   * Docker Hub and public.ecr.aws are public unless declared private; other hosts are private (see
     `sim/docker.py`). Credentials come from `repositoryCredentials` (a Secrets Manager secret holding
     `{"username", "password"}`, read with the execution role; ignored for ECR images, §2.9) or, on
     EC2, from ECS_ENGINE_AUTH_TYPE/ECS_ENGINE_AUTH_DATA matched by registry host (§5.5). None:
     Docker Hub `CannotPullContainerError: Error response from daemon: pull access denied for <repo>,
     repository does not exist or may require 'docker login': denied: requested access to the
     resource is denied`, other hosts `... Head https://<host>/v2/<repo>/manifests/<tag>: no basic
     auth credentials`. Wrong credentials: `... Get https://<host>/v2/: unauthorized: incorrect
     username or password`.
   * ECS_IMAGE_PULL_BEHAVIOR on EC2 (images cached per container instance): `default` pulls and
     falls back to a cached image when the pull fails; `always` pulls and fails with it; `once` and
     `prefer-cached` use a cached image without pulling (so without credentials) when there is one.
4. **awslogs** (`logConfiguration.logDriver=awslogs`): the role is the execution role on Fargate; on
   EC2 the execution role when the agent has ECS_ENABLE_AWSLOGS_EXECUTIONROLE_OVERRIDE and the task has
   one, else the instance role (§2.8). The log group must exist in `awslogs-region`, unless
   `awslogs-create-group` is "true" (then logs:CreateLogGroup is needed, on the resource
   `arn:aws:logs:<region>:<acct>:log-group:<group>:log-stream:` as the driver reports it, and the group is
   created; a denial reads `failed to create Cloudwatch log group: AccessDeniedException: ...`);
   logs:CreateLogStream is needed on the stream. Failures: Fargate `ResourceInitializationError: failed
   to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log
   stream: <error> : exit status 1`; EC2 (the Docker daemon's awslogs driver fails to start the
   container) `CannotStartContainerError: Error response from daemon: failed to initialize logging
   driver: failed to create Cloudwatch log stream: <error>`. Streams are created when each container
   starts: `<prefix>/<container-name>/<task-id>`, or the container's runtime id without a prefix.
   Without logs:PutLogEvents the container runs but its lines never arrive (as with the real driver).

Task roles (`workload_call`): the containers act with the task role only (taskRoleArn or the RunTask
override), and once a task role is set the SDK's container-credentials provider wins over the instance
profile (§2.7). Without a task role, a Fargate task has no credentials at all (`NoCredentialsError`),
while an EC2 task falls back to the instance role through IMDS (169.254.169.254), unless the task uses
awsvpc mode on an instance with ECS_AWSVPC_BLOCK_IMDS=true. (Blocking IMDS for bridge-mode tasks takes
iptables rules on the host, which the simulator does not model.)

Not modelled: KMS permissions (kms:Decrypt for customer keys), VPC endpoints and NAT gateways, Docker Hub
rate limits, resource-based policies (repository and secret policies), cross-account registries.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from ecslearn.errors import SimulatorError
from ecslearn.sim.ecr import parse_image
from ecslearn.sim.ecs.core import EcsCore
from ecslearn.sim.ecs.models import Container, Task

if TYPE_CHECKING:
    from ecslearn.sim.simulator import Simulator

TASKS_PRINCIPAL = "ecs-tasks.amazonaws.com"
FAILED = "TaskFailedToStart"


class _StartFailure(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _cannot_pull(detail: str) -> _StartFailure:
    return _StartFailure(f"CannotPullContainerError: {detail}")


class StartChecksMixin(EcsCore):
    def _init_state(self) -> None:
        #: container instance ARN → {image reference: digest} pulled there (ECS_IMAGE_PULL_BEHAVIOR)
        self._image_cache: dict[str, dict[str, str]] = {}

    # --- the hooks the task lifecycle calls -------------------------------------------------------

    def _task_start_failure(self, task: Task) -> tuple[str, str] | None:
        """Called when a task's images are pulled: None, or (stopCode, stoppedReason) to stop it."""
        try:
            self._check_roles(task)
            creds = self._fetch_secrets(task)
            for c in task.containers:
                c.image_digest = self._pull_image(task, c, creds.get(c.name))
            self._check_awslogs(task)
        except _StartFailure as failure:
            return FAILED, failure.reason
        return None

    def _container_started(self, task: Task, container: Container) -> None:
        """Called when a container reaches RUNNING: the awslogs driver creates its stream."""
        target = self._awslogs_target(task, container)
        if target is None:
            return
        group, stream, _role = target
        logs = self.sim.backend("logs")
        if group in logs.groups:
            logs._ensure_stream(group, stream)
            task.extra.setdefault("log_streams", {})[container.name] = (group, stream)

    def _container_output(self, task: Task, container: Container, lines: list[str]) -> None:
        """Called with lines a container's workload writes: the awslogs driver ships them."""
        target = self._awslogs_target(task, container)
        if target is None or not lines:
            return
        group, stream, role = target
        logs = self.sim.backend("logs")
        if group not in logs.groups or stream not in logs.groups[group].streams:
            return
        arn = f"{logs._group_arn(group)}:log-stream:{stream}"
        if role is None or not self._iam()._allowed(role, "logs:PutLogEvents", arn):
            return  # the driver's PutLogEvents calls fail; the lines are lost
        logs._append(group, stream, list(lines))

    # --- helpers ----------------------------------------------------------------------------------

    def _iam(self) -> Any:
        return self.sim.backend("iam")

    def _ec2_instance(self, task: Task) -> Any:
        ci = task.container_instance
        if ci is None or not ci.ec2_instance_id:
            return None
        return self.sim.backend("ec2")._instance(ci.ec2_instance_id)

    def _instance_role(self, task: Task) -> str | None:
        inst = self._ec2_instance(task)
        profile = getattr(inst, "iam_instance_profile", None) if inst is not None else None
        if not profile:
            return None
        return self._iam()._instance_profile_role(profile.get("Arn", ""))

    def _agent_config(self, task: Task) -> Any:
        ci = task.container_instance
        return getattr(ci, "config", None) if ci is not None else None

    def _session(self, task: Task, role_arn: str) -> str:
        """The STS assumed-role ARN a role acts as: task id for task roles, instance id for the instance."""
        name = role_arn.rsplit("/", 1)[-1]
        session = task.id
        if role_arn == self._instance_role(task) and task.container_instance is not None \
                and role_arn not in (task.execution_role_arn, task.task_role_arn):
            session = task.container_instance.ec2_instance_id
        return f"arn:aws:sts::{self.account_id}:assumed-role/{name}/{session}"

    def _denied(self, task: Task, role_arn: str, action: str, resource: str,
                code: str = "AccessDeniedException") -> str | None:
        """None when allowed, else AWS's AccessDenied text for this role, action and resource."""
        decision = self._iam()._decision(role_arn, action, resource)
        if decision == "Allow":
            self._iam()._allowed(role_arn, action, resource)  # records RoleLastUsed
            return None
        why = ("with an explicit deny in an identity-based policy" if decision == "Deny"
               else f"because no identity-based policy allows the {action} action")
        return (f"{code}: User: {self._session(task, role_arn)} is not authorized to perform: {action} on "
                f"resource: {resource} {why}")

    # --- 1. roles ---------------------------------------------------------------------------------

    def _assume_problem(self, role_arn: str | None) -> str | None:
        """ECS's text when a role given for a task cannot be assumed by ecs-tasks.amazonaws.com."""
        if role_arn is None or self._iam()._can_assume(role_arn, TASKS_PRINCIPAL):
            return None
        return (f"ECS was unable to assume the role '{role_arn}' that was provided for this task. Please verify "
                "that the role being passed has the proper trust relationship and permissions and that your IAM "
                "user has permissions to pass this role.")

    def _roles_problem(self, execution_role_arn: str | None, task_role_arn: str | None) -> str | None:
        """For RunTask/CreateService: ECS's text when the execution or task role cannot be assumed, else None."""
        return self._assume_problem(execution_role_arn) or self._assume_problem(task_role_arn)

    def _check_roles(self, task: Task) -> None:
        for role in (task.execution_role_arn, task.task_role_arn):
            problem = self._assume_problem(role)
            if problem:
                raise _StartFailure(problem)

    # --- 2. secrets -------------------------------------------------------------------------------

    def _secret_failure(self, task: Task, source: str, ref: str, error: str) -> _StartFailure:
        if task.is_fargate:
            where = "unable to retrieve secret from asm" if source == "asm" else "unable to retrieve secrets from ssm"
            return _StartFailure("ResourceInitializationError: unable to pull secrets or registry auth: execution "
                                 f"resource retrieval failed: {where}: service call has been retried 1 time(s): "
                                 f"{error}")
        if source == "asm":
            return _StartFailure(f"Fetching secret data from AWS Secrets Manager in region {self.region}: secret "
                                 f"{ref}: {error}")
        return _StartFailure(f"Fetching secret data from SSM Parameter Store in {self.region}: {error}")

    def _read_asm(self, task: Task, value_from: str, *, json_key_allowed: bool = True) -> str:
        """A Secrets Manager value (optionally one JSON key) read with the execution role."""
        parts = value_from.split(":")
        secret_ref = ":".join(parts[:7]) if value_from.startswith("arn:") else value_from
        json_key = parts[7] if json_key_allowed and len(parts) > 7 and parts[7] else None
        stage = parts[8] if len(parts) > 8 and parts[8] else None
        version_id = parts[9] if len(parts) > 9 and parts[9] else None
        role = task.execution_role_arn
        if role is None:
            raise self._secret_failure(task, "asm", secret_ref, "no execution role: the task definition needs an "
                                                                "executionRoleArn to read secrets")
        sm = self.sim.backend("secretsmanager")
        secret = sm._secret(secret_ref)
        resource = secret.arn if secret is not None else (
            secret_ref if secret_ref.startswith("arn:") else
            self.sim.arn("secretsmanager", f"secret:{secret_ref}"))
        denied = self._denied(task, role, "secretsmanager:GetSecretValue", resource)
        if denied:
            raise self._secret_failure(task, "asm", secret_ref, denied)
        if secret is None:
            raise self._secret_failure(task, "asm", secret_ref, "ResourceNotFoundException: Secrets Manager can't "
                                                                "find the specified secret.")
        if secret.deletion_date is not None:
            raise self._secret_failure(task, "asm", secret_ref,
                                       "InvalidRequestException: You can't perform this operation on the secret "
                                       "because it was marked for deletion.")
        version = secret.version(version_id, stage)
        if version is None or version.string is None:
            raise self._secret_failure(task, "asm", secret_ref,
                                       "ResourceNotFoundException: Secrets Manager can't find the specified "
                                       "secret value for staging label: " + (stage or "AWSCURRENT"))
        value = version.string
        if json_key is None:
            return value
        try:
            doc = json.loads(value)
        except ValueError:
            doc = None
        if not isinstance(doc, dict) or json_key not in doc:
            raise self._secret_failure(task, "asm", secret_ref,
                                       f"retrieved secret from Secrets Manager did not contain json key {json_key}")
        found = doc[json_key]
        return found if isinstance(found, str) else json.dumps(found)

    def _read_ssm(self, task: Task, value_from: str) -> str:
        role = task.execution_role_arn
        if role is None:
            raise self._secret_failure(task, "ssm", value_from, "no execution role: the task definition needs an "
                                                                "executionRoleArn to read secrets")
        if value_from.startswith("arn:"):
            resource = value_from
            name = value_from.split(":parameter", 1)[-1]
        else:
            name = value_from
            resource = self.sim.arn("ssm", "parameter" + (name if name.startswith("/") else "/" + name))
        denied = self._denied(task, role, "ssm:GetParameters", resource)
        if denied:
            raise self._secret_failure(task, "ssm", value_from, denied)
        param = self.sim.backend("ssm")._parameter(value_from)
        if param is None:
            raise self._secret_failure(task, "ssm", value_from, f"invalid parameters: {name}")
        return param.value

    def _fetch_secrets(self, task: Task) -> dict[str, tuple[str, str] | None]:
        """Resolve every container's `secrets` and `repositoryCredentials`; return registry credentials."""
        resolved: dict[str, dict[str, str]] = {}
        registry: dict[str, tuple[str, str] | None] = {}
        for c in task.containers:
            cdef = c.definition
            for item in cdef.secrets:
                name, value_from = item.get("name", ""), item.get("valueFrom", "")
                if ":secretsmanager:" in value_from:
                    value = self._read_asm(task, value_from)
                else:
                    value = self._read_ssm(task, value_from)
                resolved.setdefault(c.name, {})[name] = value
            rc = cdef.repository_credentials
            if rc and not parse_image(c.image).is_ecr:
                ref = str(rc.get("credentialsParameter", ""))
                text = self._read_asm(task, ref, json_key_allowed=False)
                try:
                    doc = json.loads(text)
                except ValueError:
                    doc = None
                if isinstance(doc, dict) and isinstance(doc.get("username"), str) \
                        and isinstance(doc.get("password"), str):
                    registry[c.name] = (doc["username"], doc["password"])
                else:
                    registry[c.name] = ("", "")  # unusable: the registry will refuse it
        if resolved:
            task.extra["secrets"] = resolved
            self._refresh_workloads(task, resolved)
        return registry

    def _refresh_workloads(self, task: Task, resolved: dict[str, dict[str, str]]) -> None:
        """Secrets become environment variables: images whose behaviour depends on the environment
        (postgres needs POSTGRES_PASSWORD) see them, as they would see `environment` entries."""
        from ecslearn.sim import workloads as wl

        for c in task.containers:
            values = resolved.get(c.name)
            if not values:
                continue
            co = next((o for o in task.overrides.get("containerOverrides", []) if o.get("name") == c.name), {})
            env = list(c.definition.environment)
            if "environment" in co:
                names = {e.get("name") for e in co["environment"]}
                env = [e for e in env if e.get("name") not in names] + list(co["environment"])
            env += [{"name": k, "value": v} for k, v in values.items()]
            command = co.get("command", c.definition.raw.get("command"))
            c.workload = wl.workload_for(self.sim, c.image, command=command, environment=env)

    # --- 3. image pulls ---------------------------------------------------------------------------

    def _has_route(self, task: Task) -> bool:
        if task.is_fargate:
            av = (task.network_configuration or {}).get("awsvpcConfiguration", {}) or {}
            if av.get("assignPublicIp") == "ENABLED":
                return True
            nat = getattr(self.sim.backend("ec2"), "_subnet_has_nat_route", None) if task.subnet_id else None
            return bool(nat and nat(task.subnet_id))
        inst = self._ec2_instance(task)
        if inst is None:
            return True  # an instance we cannot see: assume it is connected
        if getattr(inst, "public_ip", None):
            return True
        nat = getattr(self.sim.backend("ec2"), "_subnet_has_nat_route", None)
        subnet = getattr(inst, "subnet", None)
        return bool(nat and subnet is not None and nat(subnet.id))

    def _pull_image(self, task: Task, c: Container, credentials: tuple[str, str] | None) -> str:
        """Pull (or take from the instance cache) one container's image; return its digest."""
        image = c.image
        ref = parse_image(image)
        ci = task.container_instance
        config = self._agent_config(task)
        behaviour = getattr(config, "ecs_image_pull_behavior", "default") if not task.is_fargate else "always"
        cache = self._image_cache.setdefault(ci.arn, {}) if ci is not None and not task.is_fargate else None
        cached = cache.get(image) if cache is not None else None
        if cached and behaviour in ("once", "prefer-cached"):
            return cached
        try:
            digest = self._pull_remote(task, c, ref, credentials)
        except _StartFailure:
            if cached and behaviour == "default":
                return cached
            raise
        if cache is not None:
            cache[image] = digest
        return digest

    def _pull_remote(self, task: Task, c: Container, ref: Any, credentials: tuple[str, str] | None) -> str:
        host = ref.registry if not ref.is_docker_hub else "registry-1.docker.io"
        if not self._has_route(task):
            raise _cannot_pull(f"API error (500): Get https://{host}/v2/: net/http: request canceled while waiting "
                               "for connection (Client.Timeout exceeded while awaiting headers)")
        if ref.is_ecr:
            return self._pull_ecr(task, c, ref)
        from ecslearn.sim.docker import pull_needs_credentials

        private, entry = pull_needs_credentials(self.sim, c.image)
        if private:
            creds = credentials
            if creds is None and not task.is_fargate:
                config = self._agent_config(task)
                finder = getattr(config, "credentials_for", None)
                creds = finder(ref.registry) if finder is not None else None
            if creds is None:
                if ref.is_docker_hub:
                    short = ref.repository.removeprefix("library/")
                    raise _cannot_pull(f"Error response from daemon: pull access denied for {short}, repository does "
                                       "not exist or may require 'docker login': denied: requested access to the "
                                       "resource is denied")
                raise _cannot_pull(f"Error response from daemon: Head https://{host}/v2/{ref.repository}/manifests/"
                                   f"{ref.reference}: no basic auth credentials")
            if (entry is not None and (entry["username"], entry["password"]) != tuple(creds)) or not creds[0]:
                raise _cannot_pull(f"Error response from daemon: Get https://{host}/v2/: unauthorized: incorrect "
                                   "username or password")
        if ref.digest:
            return ref.digest
        return "sha256:" + hashlib.sha256(ref.full().encode()).hexdigest()

    def _pull_ecr(self, task: Task, c: Container, ref: Any) -> str:
        role = task.execution_role_arn
        if role is None and not task.is_fargate:
            role = self._instance_role(task)
        if role is None:
            raise _cannot_pull(f"Error response from daemon: Head https://{ref.registry}/v2/{ref.repository}/"
                               f"manifests/{ref.reference}: no basic auth credentials")
        m = parse_image(c.image)
        account, region = m.registry.split(".")[0], m.registry.split(".")[3]
        repo_arn = f"arn:aws:ecr:{region}:{account}:repository/{ref.repository}"
        for action, resource in (("ecr:GetAuthorizationToken", "*"), ("ecr:BatchGetImage", repo_arn),
                                 ("ecr:GetDownloadUrlForLayer", repo_arn)):
            denied = self._denied(task, role, action, resource)
            if denied:
                raise _cannot_pull(denied)
        ecr = self.sim.backend("ecr")
        repo = ecr._find_repo(ref.repository) if m.registry == ecr._registry_host() else None
        if repo is None:
            raise _cannot_pull(f"API error (404): repository {ref.registry}/{ref.repository} not found")
        found = ecr._resolve(repo, ref.reference)
        if found is None:
            raise _cannot_pull(f"API error (404): manifest for {c.image} not found: manifest unknown: Requested "
                               "image not found")
        ecr._record_pull(found)
        return found.digest

    # --- 4. awslogs -------------------------------------------------------------------------------

    def _awslogs_role(self, task: Task) -> str | None:
        if task.is_fargate:
            return task.execution_role_arn
        config = self._agent_config(task)
        if task.execution_role_arn and getattr(config, "ecs_enable_awslogs_executionrole_override", False):
            return task.execution_role_arn
        return self._instance_role(task)

    def _awslogs_target(self, task: Task, c: Container) -> tuple[str, str, str | None] | None:
        """(group, stream, role) for a container using awslogs in this region, else None."""
        lc = c.definition.log_configuration
        if not isinstance(lc, dict) or lc.get("logDriver") != "awslogs":
            return None
        options = lc.get("options") or {}
        group = options.get("awslogs-group")
        if not isinstance(group, str) or options.get("awslogs-region", self.region) != self.region:
            return None
        prefix = options.get("awslogs-stream-prefix")
        stream = f"{prefix}/{c.name}/{task.id}" if prefix else (c.runtime_id or f"{task.id}-{c.name}")
        return group, stream, self._awslogs_role(task)

    def _logs_failure(self, task: Task, error: str, what: str = "stream") -> _StartFailure:
        if task.is_fargate:
            return _StartFailure("ResourceInitializationError: failed to validate logger args: create stream has "
                                 f"been retried 1 times: failed to create Cloudwatch log {what}: {error} : exit "
                                 "status 1")
        return _StartFailure("CannotStartContainerError: Error response from daemon: failed to initialize logging "
                             f"driver: failed to create Cloudwatch log {what}: {error}")

    def _check_awslogs(self, task: Task) -> None:
        for c in task.containers:
            lc = c.definition.log_configuration
            if not isinstance(lc, dict) or lc.get("logDriver") != "awslogs":
                continue
            options = lc.get("options") or {}
            group = options.get("awslogs-group")
            region = options.get("awslogs-region", self.region)
            if not isinstance(group, str):
                continue  # registration requires it
            role = self._awslogs_role(task)
            if role is None:
                raise self._logs_failure(task, "NoCredentialProviders: no valid providers in chain")
            logs = self.sim.backend("logs")
            group_arn = f"arn:aws:logs:{region}:{self.account_id}:log-group:{group}"
            exists = region == self.region and group in logs.groups
            if not exists:
                if str(options.get("awslogs-create-group", "false")).lower() == "true":
                    denied = self._denied(task, role, "logs:CreateLogGroup", f"{group_arn}:log-stream:")
                    if denied:
                        raise self._logs_failure(task, denied, "group")
                    if region == self.region:
                        logs._ensure_group(group)
                else:
                    raise self._logs_failure(task, "ResourceNotFoundException: The specified log group does not "
                                                   "exist.")
            prefix = options.get("awslogs-stream-prefix")
            stream = f"{prefix}/{c.name}/{task.id}" if prefix else "*"
            denied = self._denied(task, role, "logs:CreateLogStream", f"{group_arn}:log-stream:{stream}")
            if denied:
                raise self._logs_failure(task, denied)

    # --- task roles -------------------------------------------------------------------------------

    def _find_task_by_arn(self, task_arn: str) -> Task | None:
        for cluster in self.clusters.values():
            for task in cluster.tasks.values():
                if task.arn == task_arn or task.id == task_arn:
                    return task
        return None

    def _workload_call(self, task_arn: str, action: str, resource: str = "*") -> dict[str, Any]:
        task = self._find_task_by_arn(task_arn)
        if task is None:
            raise SimulatorError(f"no task {task_arn} in the simulator")
        if task.last_status != "RUNNING":
            raise SimulatorError(f"task {task.id} is {task.last_status}: only a RUNNING task's containers make calls")
        role = task.task_role_arn
        if role is not None:
            problem = self._assume_problem(role)
            if problem:
                return {"allowed": False, "role": role, "error": f"AccessDenied: {problem}"}
        elif task.is_fargate:
            return {"allowed": False, "role": None, "error": "NoCredentialsError: Unable to locate credentials"}
        else:
            config = self._agent_config(task)
            blocked = (task.task_definition.network_mode == "awsvpc"
                       and getattr(config, "ecs_awsvpc_block_imds", False))
            role = None if blocked else self._instance_role(task)
            if role is None:
                return {"allowed": False, "role": None, "error": "NoCredentialsError: Unable to locate credentials"}
        code = "AccessDenied" if action.lower().startswith("s3:") else "AccessDeniedException"
        denied = self._denied(task, role, action, resource, code)
        return {"allowed": denied is None, "role": role, "error": denied}


def workload_call(sim: Simulator, task_arn: str, action: str, resource: str = "*") -> dict[str, Any]:
    """Make an AWS call from inside a RUNNING task's containers, with the credentials they would get.

    Returns {"allowed": bool, "error": "AccessDenied..." | "NoCredentialsError..." | None, "role": arn | None}.
    """
    return sim.backend("ecs")._workload_call(task_arn, action, resource)
