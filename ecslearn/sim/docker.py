"""The learner's Docker client, for lessons: `docker login`, `docker tag` + `docker push` to ECR, and a
catalogue of private (non-ECR) registries that tasks may pull from.

    token = sim.client("ecr").get_authorization_token()["authorizationData"][0]["authorizationToken"]
    password = base64.b64decode(token).decode().split(":", 1)[1]
    docker_login(sim, password, "123456789012.dkr.ecr.us-east-1.amazonaws.com")
    digest = docker_push(sim, "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:v1", logged_in=False)

Failures raise `DockerError` with the text the docker CLI prints.

Which images need credentials to pull (used by the ECS start checks):
* Docker Hub and `public.ecr.aws` images are public, unless a repository was declared private with
  `private_registry(sim, "docker.io", ..., repositories=["myorg/app"])`;
* images on any other registry host (e.g. `registry.example.com/team/app:1`) are private. If the host
  was declared with `private_registry`, only its username/password are accepted; an undeclared host
  accepts any credentials (the simulator cannot know them) but still refuses anonymous pulls.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from ecslearn.errors import NotModelledError, SimulatorError
from ecslearn.sim.ecr import MANIFEST_V2, build_manifest, parse_image
from ecslearn.sim.errors import ClientError

if TYPE_CHECKING:
    from ecslearn.sim.simulator import Simulator


class DockerError(SimulatorError):
    """What the docker CLI prints when a login, tag or push fails."""


def _ecr(sim: Simulator) -> Any:
    return sim.backend("ecr")


def _logins(sim: Simulator) -> dict[str, str]:
    ecr = _ecr(sim)
    found = getattr(ecr, "docker_logins", None)
    if found is None:
        found = {}
        ecr.docker_logins = found
    return found


def docker_login(sim: Simulator, password: str, registry: str, *, username: str = "AWS") -> str:
    """`docker login --username AWS --password-stdin <registry>`: check an ECR token's password."""
    from ecslearn.sim.workloads import recording

    event = {"docker_login": {"registry": registry, "password": password, "username": username}}
    with recording(sim, event, record_errors=True):  # a saved world replays the login
        return _docker_login(sim, password, registry, username=username)


def _docker_login(sim: Simulator, password: str, registry: str, *, username: str) -> str:
    ecr = _ecr(sim)
    host = registry.removeprefix("https://").removeprefix("http://").rstrip("/")
    if host != ecr._registry_host():
        if parse_image(f"{host}/x").is_ecr:
            raise DockerError(f"Error response from daemon: login attempt to https://{host}/v2/ failed with "
                              "status: 400 Bad Request")
        raise NotModelledError("docker login to registries other than this account's ECR")
    if username != "AWS" or not ecr._token_valid(password):
        raise DockerError(f"Error response from daemon: login attempt to https://{host}/v2/ failed with status: "
                          "400 Bad Request")
    _logins(sim)[host] = password
    return "Login Succeeded"


def docker_push(sim: Simulator, image_uri: str, *, workload: Any = None, size_mb: float = 50.0,
                logged_in: bool = True, content: str | None = None,
                vulnerabilities: list[dict[str, Any]] | None = None) -> str:
    """`docker tag` + `docker push <acct>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>`; returns the digest.

    `logged_in=True` skips the login check (the lesson assumes `docker login` ran); with False the
    last `docker_login` for the registry must still be valid (tokens last 12 simulated hours).
    `content` seeds the image bytes: the same content gives the same digest (a re-tag); by default
    every push is a new build. `workload` (a Workload or a dict of its fields) sets what the image does
    when it runs; `vulnerabilities` declares what a scan finds ([{"name", "severity", ...}]).
    """
    from ecslearn.sim.workloads import Workload, recording

    event: dict[str, Any] = {"image": image_uri, "size_mb": size_mb, "logged_in": logged_in, "content": content,
                             "vulnerabilities": vulnerabilities}
    if workload is not None:
        event["workload"] = workload.to_dict() if isinstance(workload, Workload) else workload
    with recording(sim, {"push": event}, record_errors=True):  # a saved world replays the push
        return _docker_push(sim, image_uri, workload=workload, size_mb=size_mb, logged_in=logged_in,
                            content=content, vulnerabilities=vulnerabilities)


def _docker_push(sim: Simulator, image_uri: str, *, workload: Any, size_mb: float, logged_in: bool,
                 content: str | None, vulnerabilities: list[dict[str, Any]] | None) -> str:
    if not isinstance(image_uri, str) or not image_uri:
        raise SimulatorError("docker push needs an image reference such as <registry>/<repository>:<tag>")
    if not isinstance(size_mb, int | float) or isinstance(size_mb, bool) or not 0 < size_mb <= 100_000:
        raise SimulatorError("size_mb must be a number of megabytes between 0 and 100000")
    ref = parse_image(image_uri)
    ecr = _ecr(sim)
    if not ref.is_ecr:
        raise NotModelledError("docker push to registries other than Amazon ECR")
    if ref.registry != ecr._registry_host():
        raise NotModelledError("pushing to another account's or region's ECR registry")
    if ref.digest:
        raise DockerError("An image does not exist locally with the tag: " + image_uri)
    if not logged_in:
        password = _logins(sim).get(ref.registry)
        if password is None:
            raise DockerError("no basic auth credentials")
        if not ecr._token_valid(password):
            raise DockerError("denied: Your authorization token has expired. Reauthenticate and try again.")
    repo = ecr._find_repo(ref.repository)
    if repo is None:
        raise DockerError(f"name unknown: The repository with name '{ref.repository}' does not exist in the "
                          f"registry with id '{sim.account_id}'")
    seed = content if content is not None else sim.new_hex(16)
    size = int(size_mb * 1024 * 1024)
    manifest = build_manifest(f"{ref.repository}:{seed}", size)
    try:
        image = ecr._push(repo, manifest, MANIFEST_V2, ref.tag, size=size, vulnerabilities=vulnerabilities)
    except ClientError as err:
        if err.code == "ImageAlreadyExistsException":  # docker: "Layer already exists", nothing to do
            image = ecr._resolve(repo, ref.tag or "latest")
        elif err.code == "ImageTagAlreadyExistsException":
            raise DockerError(f"tag invalid: {err.aws_message}") from None
        else:
            raise DockerError(err.aws_message) from None
    if workload is not None:
        from ecslearn.sim.workloads import Workload, set_workload

        if isinstance(workload, dict):
            workload = Workload.from_dict(workload)
        if not isinstance(workload, Workload):
            raise SimulatorError("workload must be a Workload or a mapping of its fields")
        set_workload(sim, f"{repo.uri}:{ref.tag}", workload)
        set_workload(sim, f"{repo.uri}@{image.digest}", dataclasses.replace(workload))
    return image.digest


def docker_pull(sim: Simulator, image_uri: str, *, logged_in: bool = True) -> str:
    """`docker pull <acct>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag|@digest>` by the learner; returns the digest.

    Records the pull (the image's lastRecordedPullTime). Login rules as for `docker_push`.
    """
    if not isinstance(image_uri, str) or not image_uri:
        raise SimulatorError("docker pull needs an image reference such as <registry>/<repository>:<tag>")
    ref = parse_image(image_uri)
    ecr = _ecr(sim)
    if not ref.is_ecr:
        raise NotModelledError("docker pull from registries other than Amazon ECR")
    if ref.registry != ecr._registry_host():
        raise NotModelledError("pulling from another account's or region's ECR registry")
    if not logged_in:
        password = _logins(sim).get(ref.registry)
        if password is None:
            raise DockerError(f"Error response from daemon: Head https://{ref.registry}/v2/{ref.repository}/manifests/"
                              f"{ref.reference}: no basic auth credentials")
        if not ecr._token_valid(password):
            raise DockerError("Error response from daemon: pull access denied: Your authorization token has "
                              "expired. Reauthenticate and try again.")
    repo = ecr._find_repo(ref.repository)
    if repo is None:
        raise DockerError(f"Error response from daemon: repository {ref.registry}/{ref.repository} not found: name "
                          f"unknown: The repository with name '{ref.repository}' does not exist in the registry "
                          f"with id '{sim.account_id}'")
    image = ecr._resolve(repo, ref.reference)
    if image is None:
        raise DockerError(f"Error response from daemon: manifest for {image_uri} not found: manifest unknown: "
                          "Requested image not found")
    ecr._record_pull(image)
    return image.digest


def private_registry(sim: Simulator, host: str, *, username: str, password: str,
                     repositories: list[str] | None = None) -> None:
    """Declare a private registry (or private Docker Hub repositories) and the credentials it accepts.

    For Docker Hub (`docker.io`) give `repositories` (e.g. `["myorg/app"]`); other hosts are private
    as a whole.
    """
    ref = parse_image(f"{host}/x")
    if ref.is_ecr or ref.is_public_ecr:
        raise SimulatorError("ECR registries are not declared as private registries")
    key = ref.registry
    if key == "docker.io" and not repositories:
        raise SimulatorError("give the private Docker Hub repositories (e.g. repositories=['myorg/app'])")
    repos = None
    if repositories is not None:
        repos = {parse_image(f"{key}/{r}").repository for r in repositories}
    _ecr(sim).external[key] = {"username": username, "password": password, "private": repos}


def pull_needs_credentials(sim: Simulator, image: str) -> tuple[bool, dict[str, Any] | None]:
    """(private?, declared registry entry or None) for a non-ECR image."""
    ref = parse_image(image)
    entry = _ecr(sim).external.get(ref.registry)
    if ref.is_docker_hub or ref.is_public_ecr:
        if entry and entry["private"] and ref.repository in entry["private"]:
            return True, entry
        return False, None
    if entry is not None and entry["private"] is not None and ref.repository not in entry["private"]:
        return False, entry
    return True, entry
