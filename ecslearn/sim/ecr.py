"""Simulated Amazon ECR: repositories, images (push = PutImage), authorization tokens, lifecycle
policies, repository policies and basic scanning (ecs-reference §6).

Images are pushed with `sim/docker.py:docker_push` (which plays `docker push`) or with PutImage.
A digest is the sha256 of the manifest bytes, as in ECR. Lifecycle policies are evaluated on a daily
tick of the simulated clock (AWS: "within 24 hours"), with the rules of §6.

Internal API: `parse_image(ref)`, `EcrBackend._find_repo(name)`, `_resolve(repo, tag_or_digest)`,
`_record_pull(image)`, `_token_valid(password)`, `_registry_host()`.
Also a small catalogue of non-ECR registries (`external`): see `sim/docker.py:private_registry`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ecslearn.errors import NotModelledError
from ecslearn.sim.base import Backend, check_type, operation, page_slice
from ecslearn.sim.errors import aws_error

MANIFEST_V2 = "application/vnd.docker.distribution.manifest.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
_MEDIA_TYPES = (MANIFEST_V2, OCI_MANIFEST, "application/vnd.docker.distribution.manifest.list.v2+json",
                "application/vnd.oci.image.index.v1+json")
_REPO_NAME = re.compile(r"^[a-z](?:[a-z0-9]|[._-](?=[a-z0-9])|/(?=[a-z0-9]))*$")
_REPO_PATTERN = "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
ECR_HOST = re.compile(r"^(\d{12})\.dkr\.ecr(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$")
DOCKER_HUB_HOSTS = ("docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com")
TOKEN_HOURS = 12
DAY = 86400.0

#: Real, well-known CVEs used for simulated basic-scan findings when an image declares none.
_CVE_CATALOGUE = (
    ("CVE-2023-4911", "HIGH", "glibc", "A buffer overflow in the GNU C Library's dynamic loader ld.so "
                                       "(GLIBC_TUNABLES) may allow local privilege escalation."),
    ("CVE-2023-38545", "CRITICAL", "curl", "A heap buffer overflow in curl's SOCKS5 proxy handshake."),
    ("CVE-2022-37434", "CRITICAL", "zlib", "A heap-based buffer over-read or overflow in zlib's inflate "
                                           "via a large gzip header extra field."),
    ("CVE-2023-0464", "HIGH", "openssl", "Excessive resource use verifying X.509 policy constraints."),
    ("CVE-2022-40674", "HIGH", "expat", "A use-after-free in expat's doContent function."),
    ("CVE-2023-29491", "MEDIUM", "ncurses", "Local users can corrupt memory via malformed terminfo data."),
    ("CVE-2023-2650", "MEDIUM", "openssl", "Processing some specially crafted ASN.1 object identifiers may be "
                                           "very slow."),
    ("CVE-2022-4899", "LOW", "zstd", "An empty string passed to --output-dir-flat leads to a crash."),
    ("CVE-2016-2781", "LOW", "coreutils", "chroot --userspec allows local users to escape to the parent "
                                          "session via a crafted TIOCSTI ioctl call."),
)
_SEVERITIES = ("CRITICAL", "HIGH", "MEDIUM", "LOW", "INFORMATIONAL", "UNDEFINED")


@dataclass(frozen=True)
class ImageRef:
    """A parsed image reference: registry host, repository path, tag or digest."""

    registry: str  # "docker.io" for Docker Hub
    repository: str  # "library/nginx", "web", "team/app"
    tag: str | None
    digest: str | None

    @property
    def is_ecr(self) -> bool:
        return ECR_HOST.match(self.registry) is not None

    @property
    def is_docker_hub(self) -> bool:
        return self.registry in DOCKER_HUB_HOSTS

    @property
    def is_public_ecr(self) -> bool:
        return self.registry == "public.ecr.aws"

    @property
    def reference(self) -> str:
        return self.digest or self.tag or "latest"

    def full(self) -> str:
        sep = "@" if self.digest else ":"
        return f"{self.registry}/{self.repository}{sep}{self.reference}"


def parse_image(image: str) -> ImageRef:
    """Parse a Docker image reference as the Docker engine does (Docker Hub default, `library/`)."""
    name, digest = image, None
    if "@" in name:
        name, _, digest = name.partition("@")
    tag = None
    slash, colon = name.rfind("/"), name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1:]
    first, _, rest = name.partition("/")
    if rest and ("." in first or ":" in first or first == "localhost"):
        registry, repository = first.lower(), rest
    else:
        registry, repository = "docker.io", name
    if registry in DOCKER_HUB_HOSTS:
        registry = "docker.io"
        if "/" not in repository:
            repository = f"library/{repository}"
    if tag is None and digest is None:
        tag = "latest"
    return ImageRef(registry, repository, tag, digest)


@dataclass
class EcrImage:
    digest: str
    manifest: str
    media_type: str
    pushed_at: datetime
    size: int
    tags: list[str] = field(default_factory=list)
    last_pull: datetime | None = None
    scan_status: str | None = None  # IN_PROGRESS | COMPLETE
    scan_completed_at: datetime | None = None
    #: declared vulnerabilities: [{"name", "severity", "description"?, "package"?}] or None (derive)
    vulnerabilities: list[dict[str, Any]] | None = None


@dataclass
class Repository:
    name: str
    arn: str
    uri: str
    created_at: datetime
    mutability: str = "MUTABLE"
    scan_on_push: bool = False
    encryption: dict[str, str] = field(default_factory=lambda: {"encryptionType": "AES256"})
    tags: list[dict[str, str]] = field(default_factory=list)
    images: dict[str, EcrImage] = field(default_factory=dict)  # by digest, in push order
    lifecycle_policy: str | None = None
    lifecycle_evaluated_at: datetime | None = None
    preview: dict[str, Any] | None = None
    policy: str | None = None

    def by_tag(self, tag: str) -> EcrImage | None:
        return next((i for i in self.images.values() if tag in i.tags), None)


def _id_str(image_id: dict[str, Any]) -> str:
    d = image_id.get("imageDigest")
    t = image_id.get("imageTag")
    return "{{imageDigest:'{}', imageTag:'{}'}}".format(d if d else "null", t if t else "null")


class EcrBackend(Backend):
    """Amazon ECR (private registry of the simulated account)."""

    service_name = "ecr"

    def __init__(self, sim) -> None:  # type: ignore[no-untyped-def]
        super().__init__(sim)
        self.repos: dict[str, Repository] = {}
        #: issued authorization passwords → expiry
        self.tokens: dict[str, datetime] = {}
        #: non-ECR registries: host → {"username", "password", "private": set of repositories or None (all)}
        self.external: dict[str, dict[str, Any]] = {}
        self._tick = sim.every(DAY, self._lifecycle_tick, name="ecr lifecycle policies")

    # --- helpers -------------------------------------------------------------------------------

    def _registry_host(self) -> str:
        return f"{self.account_id}.dkr.ecr.{self.region}.amazonaws.com"

    def _err_repo_missing(self, name: str) -> Exception:
        return aws_error("RepositoryNotFoundException", f"The repository with name '{name}' does not exist in the "
                                                        f"registry with id '{self.account_id}'")

    def _find_repo(self, name: str) -> Repository | None:
        return self.repos.get(name)

    def _repo(self, name: str, registry_id: str | None = None) -> Repository:
        self._check_registry(registry_id)
        if not isinstance(name, str) or not name:
            raise aws_error("InvalidParameterException", "Invalid parameter at 'repositoryName' failed to satisfy "
                                                         "constraint: 'must satisfy regular expression "
                                                         f"'{_REPO_PATTERN}''")
        found = self.repos.get(name)
        if found is None:
            raise self._err_repo_missing(name)
        return found

    def _check_registry(self, registry_id: str | None) -> None:
        if registry_id is not None and registry_id != self.account_id:
            raise NotModelledError("cross-account ECR registries")

    def _repo_api(self, r: Repository) -> dict[str, Any]:
        return {"repositoryArn": r.arn, "registryId": self.account_id, "repositoryName": r.name,
                "repositoryUri": r.uri, "createdAt": r.created_at, "imageTagMutability": r.mutability,
                "imageScanningConfiguration": {"scanOnPush": r.scan_on_push},
                "encryptionConfiguration": dict(r.encryption)}

    def _check_image_ids(self, image_ids: list[Any]) -> list[dict[str, str]]:
        out = []
        for i, iid in enumerate(image_ids):
            check_type(f"imageIds[{i}]", iid, dict)
            for key in iid:
                if key not in ("imageDigest", "imageTag"):
                    from ecslearn.errors import ParamValidationError
                    raise ParamValidationError(f'Unknown parameter in imageIds[{i}]: "{key}", must be one of: '
                                               "imageDigest, imageTag")
                check_type(f"imageIds[{i}].{key}", iid[key], str)
            out.append(iid)
        return out

    def _resolve(self, repo: Repository, ref: str) -> EcrImage | None:
        """An image by tag or digest."""
        if ref.startswith("sha256:"):
            return repo.images.get(ref)
        return repo.by_tag(ref)

    def _record_pull(self, image: EcrImage) -> None:
        image.last_pull = self.sim.now

    def _token_valid(self, password: str) -> bool:
        expiry = self.tokens.get(password)
        return expiry is not None and self.sim.now < expiry

    def _find_by_id(self, repo: Repository, iid: dict[str, str]) -> tuple[EcrImage | None, str | None]:
        """(image, failure code) for an ImageIdentifier."""
        digest, tag = iid.get("imageDigest"), iid.get("imageTag")
        if not digest and not tag:
            return None, "MissingDigestAndTag"
        if digest and not _DIGEST.match(digest):
            return None, "InvalidImageDigest"
        if tag and not _TAG.match(tag):
            return None, "InvalidImageTag"
        if digest:
            image = repo.images.get(digest)
            if image is None:
                return None, "ImageNotFound"
            if tag and tag not in image.tags:
                return None, "ImageTagDoesNotMatchDigest" if repo.by_tag(tag) else "ImageNotFound"
            return image, None
        image = repo.by_tag(tag or "")
        return (image, None) if image else (None, "ImageNotFound")

    _FAILURE_REASONS = {"ImageNotFound": "Requested image not found",
                        "MissingDigestAndTag": "Invalid request parameters: both tag and digest cannot be null",
                        "InvalidImageDigest": "Invalid request parameters: image digest should satisfy the regex "
                                              "'[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
                        "InvalidImageTag": "Invalid request parameters: image tag should satisfy the regex "
                                           "'[a-zA-Z0-9-_.]+'",
                        "ImageTagDoesNotMatchDigest": "Invalid request parameters: given tag does not map to the "
                                                      "given digest"}

    def _failure(self, iid: dict[str, str], code: str) -> dict[str, Any]:
        return {"imageId": dict(iid), "failureCode": code, "failureReason": self._FAILURE_REASONS[code]}

    @staticmethod
    def _page(items: list[Any], token: str | None, max_results: int | None, limit: int = 1000,
              default: int = 100) -> tuple[list[Any], str | None]:
        if max_results is not None and not 1 <= max_results <= limit:
            raise aws_error("InvalidParameterException", f"Invalid parameter at 'maxResults' failed to satisfy "
                                                         f"constraint: 'Member must have value less than or equal "
                                                         f"to {limit}'")
        return page_slice(items, token, max_results or default, lambda: aws_error(
            "InvalidParameterException",
            "Invalid parameter at 'nextToken' failed to satisfy constraint: 'Invalid pagination token.'"))

    def _listed(self, key: str, items: list[Any], next_token: str | None, max_results: int | None,
                **limits: Any) -> dict[str, Any]:
        """A List* response: one page of `items` under `key`, plus `nextToken` when more remain."""
        page, token = self._page(items, next_token, max_results, **limits)
        out: dict[str, Any] = {key: page}
        if token:
            out["nextToken"] = token
        return out

    # --- repositories ----------------------------------------------------------------------------

    @operation
    def create_repository(self, repositoryName: str, registryId: str | None = None, tags: list | None = None,
                          imageTagMutability: str | None = None,
                          imageScanningConfiguration: dict | None = None,
                          encryptionConfiguration: dict | None = None) -> dict[str, Any]:
        """Create a private repository (naming rules of §6, tag mutability, scan on push, encryption).

        Not modelled: imageTagMutabilityExclusionFilters and the *_WITH_EXCLUSION modes, KMS_DSSE,
        registry-level scanning configuration (Enhanced scanning), pull-through cache and replication.
        """
        self._check_registry(registryId)
        if not 2 <= len(repositoryName) <= 256 or not _REPO_NAME.match(repositoryName):
            raise aws_error("InvalidParameterException",
                            "Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy "
                            f"regular expression '{_REPO_PATTERN}''")
        mutability = imageTagMutability or "MUTABLE"
        if mutability in ("IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"):
            raise NotModelledError(f"ECR imageTagMutability {mutability}")
        if mutability not in ("MUTABLE", "IMMUTABLE"):
            raise aws_error("InvalidParameterException", "Invalid parameter at 'imageTagMutability' failed to "
                                                         "satisfy constraint: 'Member must satisfy enum value set: "
                                                         "[MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, "
                                                         "MUTABLE_WITH_EXCLUSION]'")
        scan = False
        if imageScanningConfiguration is not None:
            scan = check_type("imageScanningConfiguration.scanOnPush",
                              imageScanningConfiguration.get("scanOnPush", False), bool)
        encryption = self._encryption(encryptionConfiguration)
        tag_list = self._check_tags(tags)
        if repositoryName in self.repos:
            raise aws_error("RepositoryAlreadyExistsException",
                            f"The repository with name '{repositoryName}' already exists in the registry with id "
                            f"'{self.account_id}'")
        repo = Repository(repositoryName, self.sim.arn("ecr", f"repository/{repositoryName}"),
                          f"{self._registry_host()}/{repositoryName}", self.sim.now, mutability, scan, encryption,
                          tag_list)
        self.repos[repositoryName] = repo
        return {"repository": self._repo_api(repo)}

    def _encryption(self, cfg: dict[str, Any] | None) -> dict[str, str]:
        if cfg is None:
            return {"encryptionType": "AES256"}
        etype = cfg.get("encryptionType")
        check_type("encryptionConfiguration.encryptionType", etype, str)
        if etype == "AES256":
            if cfg.get("kmsKey"):
                raise aws_error("InvalidParameterException", "Invalid parameter at 'kmsKey' failed to satisfy "
                                                             "constraint: 'kmsKey can only be specified when "
                                                             "encryptionType is KMS'")
            return {"encryptionType": "AES256"}
        if etype == "KMS":
            key = cfg.get("kmsKey")
            if key is None:  # the AWS managed key aws/ecr of this account and region
                h = hashlib.sha256(f"{self.account_id}:{self.region}:aws/ecr".encode()).hexdigest()
                key = self.sim.arn("kms", f"key/{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}")
            check_type("encryptionConfiguration.kmsKey", key, str)
            return {"encryptionType": "KMS", "kmsKey": key}
        if etype == "KMS_DSSE":
            raise NotModelledError("ECR KMS_DSSE encryption")
        raise aws_error("InvalidParameterException", "Invalid parameter at 'encryptionType' failed to satisfy "
                                                     "constraint: 'Member must satisfy enum value set: [AES256, KMS, "
                                                     "KMS_DSSE]'")

    def _check_tags(self, tags: list[Any] | None) -> list[dict[str, str]]:
        out = []
        for i, t in enumerate(tags or []):
            check_type(f"tags[{i}]", t, dict)
            key, value = t.get("Key"), t.get("Value", "")
            if not isinstance(key, str) or not 1 <= len(key) <= 128 or not isinstance(value, str) \
                    or len(value) > 256:
                raise aws_error("InvalidTagParameterException", "Invalid parameter at 'tags' failed to satisfy "
                                                                "constraint: 'Member must satisfy constraint'")
            out.append({"Key": key, "Value": value})
        return out

    @operation
    def describe_repositories(self, registryId: str | None = None, repositoryNames: list | None = None,
                              nextToken: str | None = None, maxResults: int | None = None) -> dict[str, Any]:
        """Describe repositories (all, or by name: one missing name is RepositoryNotFoundException)."""
        self._check_registry(registryId)
        if repositoryNames is not None:
            if nextToken or maxResults:
                raise aws_error("InvalidParameterException", "Invalid parameter at 'repositoryNames' failed to "
                                                             "satisfy constraint: 'nextToken and maxResults cannot "
                                                             "be used with repositoryNames'")
            found = []
            for i, name in enumerate(repositoryNames):
                check_type(f"repositoryNames[{i}]", name, str)
                found.append(self._repo_api(self._repo(name)))
            return {"repositories": found}
        items = [self._repo_api(r) for r in self.repos.values()]
        return self._listed("repositories", items, nextToken, maxResults)

    @operation
    def delete_repository(self, repositoryName: str, registryId: str | None = None,
                          force: bool | None = None) -> dict[str, Any]:
        """Delete a repository; one that still has images needs force=True."""
        repo = self._repo(repositoryName, registryId)
        if repo.images and not force:
            raise aws_error("RepositoryNotEmptyException",
                            f"The repository with name '{repo.name}' in registry with id '{self.account_id}' cannot "
                            "be deleted because it still contains images")
        del self.repos[repo.name]
        return {"repository": self._repo_api(repo)}

    @operation
    def put_image_tag_mutability(self, repositoryName: str, imageTagMutability: str,
                                 registryId: str | None = None) -> dict[str, Any]:
        """Switch a repository between MUTABLE and IMMUTABLE tags.

        Not modelled: the *_WITH_EXCLUSION modes.
        """
        repo = self._repo(repositoryName, registryId)
        if imageTagMutability not in ("MUTABLE", "IMMUTABLE"):
            if imageTagMutability.endswith("_WITH_EXCLUSION"):
                raise NotModelledError(f"ECR imageTagMutability {imageTagMutability}")
            raise aws_error("InvalidParameterException", "Invalid parameter at 'imageTagMutability' failed to "
                                                         "satisfy constraint: 'Member must satisfy enum value set: "
                                                         "[MUTABLE, IMMUTABLE, IMMUTABLE_WITH_EXCLUSION, "
                                                         "MUTABLE_WITH_EXCLUSION]'")
        repo.mutability = imageTagMutability
        return {"registryId": self.account_id, "repositoryName": repo.name, "imageTagMutability": repo.mutability}

    @operation
    def put_image_scanning_configuration(self, repositoryName: str, imageScanningConfiguration: dict,
                                         registryId: str | None = None) -> dict[str, Any]:
        """Turn scan on push on or off for a repository (basic scanning)."""
        repo = self._repo(repositoryName, registryId)
        repo.scan_on_push = check_type("imageScanningConfiguration.scanOnPush",
                                       imageScanningConfiguration.get("scanOnPush", False), bool)
        return {"registryId": self.account_id, "repositoryName": repo.name,
                "imageScanningConfiguration": {"scanOnPush": repo.scan_on_push}}

    def _repo_by_arn(self, arn: str) -> Repository:
        repo = next((r for r in self.repos.values() if r.arn == arn), None)
        if repo is None:
            if not isinstance(arn, str) or ":repository/" not in arn:
                raise aws_error("InvalidParameterException", f"Invalid parameter at 'resourceArn' failed to satisfy "
                                                             f"constraint: 'Invalid ARN: {arn}'")
            raise self._err_repo_missing(arn.rsplit("repository/", 1)[-1])
        return repo

    @operation
    def list_tags_for_resource(self, resourceArn: str) -> dict[str, Any]:
        """List a repository's tags."""
        return {"tags": [dict(t) for t in self._repo_by_arn(resourceArn).tags]}

    @operation
    def tag_resource(self, resourceArn: str, tags: list) -> dict[str, Any]:
        """Add or overwrite tags on a repository."""
        repo = self._repo_by_arn(resourceArn)
        merged = {t["Key"]: t["Value"] for t in repo.tags}
        merged.update({t["Key"]: t["Value"] for t in self._check_tags(tags)})
        repo.tags = [{"Key": k, "Value": v} for k, v in merged.items()]
        return {}

    @operation
    def untag_resource(self, resourceArn: str, tagKeys: list) -> dict[str, Any]:
        """Remove tags from a repository by key."""
        repo = self._repo_by_arn(resourceArn)
        keys = {k for k in tagKeys if isinstance(k, str)}
        repo.tags = [t for t in repo.tags if t["Key"] not in keys]
        return {}

    # --- images ----------------------------------------------------------------------------------

    def _push(self, repo: Repository, manifest: str, media_type: str, tag: str | None,
              digest: str | None = None, *, size: int | None = None,
              vulnerabilities: list[dict[str, Any]] | None = None) -> EcrImage:
        computed = "sha256:" + hashlib.sha256(manifest.encode()).hexdigest()
        if digest is not None and digest != computed:
            raise aws_error("ImageDigestDoesNotMatchException",
                            f"Provided image digest '{digest}' does not match actual image digest '{computed}'")
        if tag is not None and not _TAG.match(tag):
            raise aws_error("InvalidParameterException", "Invalid parameter at 'imageTag' failed to satisfy "
                                                         "constraint: 'Member must satisfy regular expression "
                                                         "pattern: [a-zA-Z0-9-_.]+'")
        existing = repo.images.get(computed)
        holder = repo.by_tag(tag) if tag else None
        if existing is not None and (tag is None or tag in existing.tags):
            raise aws_error("ImageAlreadyExistsException",
                            f"Image with digest '{computed}' and tag '{tag if tag else 'null'}' already exists in the "
                            f"repository with name '{repo.name}' in registry with id '{self.account_id}'")
        if holder is not None and holder is not existing and repo.mutability == "IMMUTABLE":
            raise aws_error("ImageTagAlreadyExistsException",
                            f"The image tag '{tag}' already exists in the '{repo.name}' repository and cannot be "
                            "overwritten because the repository is immutable.")
        if holder is not None and holder is not existing:
            holder.tags.remove(tag)  # the tag moves; the old image may become untagged
        if existing is None:
            existing = EcrImage(computed, manifest, media_type, self.sim.now,
                                size if size is not None else _manifest_size(manifest))
            existing.vulnerabilities = vulnerabilities
            repo.images[computed] = existing
            if repo.scan_on_push:
                self._start_scan(existing)
        if tag:
            existing.tags.append(tag)
        return existing

    @operation
    def put_image(self, repositoryName: str, imageManifest: str, registryId: str | None = None,
                  imageManifestMediaType: str | None = None, imageTag: str | None = None,
                  imageDigest: str | None = None) -> dict[str, Any]:
        """Store an image manifest under a tag (what `docker push` ends with); digest = sha256(manifest).

        Not modelled: layer uploads (layers are assumed present), manifest lists / multi-arch indexes.
        """
        repo = self._repo(repositoryName, registryId)
        try:
            manifest = json.loads(imageManifest)
        except ValueError:
            manifest = None
        if not isinstance(manifest, dict):
            raise aws_error("InvalidParameterException", "Invalid parameter at 'ImageManifest' failed to satisfy "
                                                         "constraint: 'Invalid JSON syntax'")
        media_type = imageManifestMediaType or manifest.get("mediaType") or MANIFEST_V2
        if media_type not in _MEDIA_TYPES:
            raise aws_error("UnsupportedImageTypeException", f"Invalid parameter at 'imageManifestMediaType': "
                                                             f"unsupported media type '{media_type}'")
        image = self._push(repo, imageManifest, media_type, imageTag, imageDigest)
        image_id: dict[str, str] = {"imageDigest": image.digest}
        if imageTag:
            image_id["imageTag"] = imageTag
        return {"image": {"registryId": self.account_id, "repositoryName": repo.name, "imageId": image_id,
                          "imageManifest": image.manifest, "imageManifestMediaType": image.media_type}}

    @operation
    def batch_get_image(self, repositoryName: str, imageIds: list, registryId: str | None = None,
                        acceptedMediaTypes: list | None = None) -> dict[str, Any]:
        """Return image manifests by tag or digest; unknown ids come back in failures."""
        repo = self._repo(repositoryName, registryId)
        images, failures = [], []
        for iid in self._check_image_ids(imageIds):
            image, code = self._find_by_id(repo, iid)
            if image is None:
                failures.append(self._failure(iid, code or "ImageNotFound"))
                continue
            out_id = {"imageDigest": image.digest}
            tag = iid.get("imageTag") or (image.tags[0] if image.tags and not iid.get("imageDigest") else None)
            if iid.get("imageTag"):
                out_id["imageTag"] = iid["imageTag"]
            elif tag:
                out_id["imageTag"] = tag
            images.append({"registryId": self.account_id, "repositoryName": repo.name, "imageId": out_id,
                           "imageManifest": image.manifest, "imageManifestMediaType": image.media_type})
        return {"images": images, "failures": failures}

    def _image_detail(self, repo: Repository, image: EcrImage) -> dict[str, Any]:
        out: dict[str, Any] = {"registryId": self.account_id, "repositoryName": repo.name,
                               "imageDigest": image.digest, "imageSizeInBytes": image.size,
                               "imagePushedAt": image.pushed_at, "imageManifestMediaType": image.media_type,
                               "artifactMediaType": "application/vnd.docker.container.image.v1+json"}
        if image.tags:
            out["imageTags"] = list(image.tags)
        if image.last_pull is not None:
            out["lastRecordedPullTime"] = image.last_pull
        if image.scan_status is not None:
            out["imageScanStatus"] = self._scan_status(image)
            if image.scan_status == "COMPLETE":
                out["imageScanFindingsSummary"] = {
                    "imageScanCompletedAt": image.scan_completed_at,
                    "vulnerabilitySourceUpdatedAt": image.scan_completed_at,
                    "findingSeverityCounts": self._severity_counts(image)}
        return out

    @operation
    def describe_images(self, repositoryName: str, registryId: str | None = None, imageIds: list | None = None,
                        nextToken: str | None = None, maxResults: int | None = None,
                        filter: dict | None = None) -> dict[str, Any]:
        """Describe images (size, tags, push and last-pull time, scan summary); filter by tagStatus."""
        repo = self._repo(repositoryName, registryId)
        if imageIds is not None:
            out = []
            for iid in self._check_image_ids(imageIds):
                image, _code = self._find_by_id(repo, iid)
                if image is None:
                    raise aws_error("ImageNotFoundException",
                                    f"The image with imageId {_id_str(iid)} does not exist within the repository "
                                    f"with name '{repo.name}' in the registry with id '{self.account_id}'")
                out.append(self._image_detail(repo, image))
            return {"imageDetails": out}
        status = self._tag_status(filter)
        items = [self._image_detail(repo, i) for i in repo.images.values() if self._status_ok(i, status)]
        return self._listed("imageDetails", items, nextToken, maxResults)

    @staticmethod
    def _tag_status(flt: dict[str, Any] | None) -> str:
        if not flt:
            return "ANY"
        status = flt.get("tagStatus", "ANY")
        if status not in ("TAGGED", "UNTAGGED", "ANY"):
            raise aws_error("InvalidParameterException", "Invalid parameter at 'filter.tagStatus' failed to "
                                                         "satisfy constraint: 'Member must satisfy enum value set: "
                                                         "[TAGGED, UNTAGGED, ANY]'")
        return status

    @staticmethod
    def _status_ok(image: EcrImage, status: str) -> bool:
        return status == "ANY" or (status == "TAGGED") == bool(image.tags)

    @operation
    def list_images(self, repositoryName: str, registryId: str | None = None, nextToken: str | None = None,
                    maxResults: int | None = None, filter: dict | None = None) -> dict[str, Any]:
        """List image ids (one entry per tag; untagged images by digest only)."""
        repo = self._repo(repositoryName, registryId)
        status = self._tag_status(filter)
        ids: list[dict[str, str]] = []
        for image in repo.images.values():
            if not self._status_ok(image, status):
                continue
            if image.tags:
                ids.extend({"imageDigest": image.digest, "imageTag": t} for t in image.tags)
            else:
                ids.append({"imageDigest": image.digest})
        return self._listed("imageIds", ids, nextToken, maxResults)

    @operation
    def batch_delete_image(self, repositoryName: str, imageIds: list, registryId: str | None = None) -> dict[str, Any]:
        """Delete images by digest (all tags) or remove tags (the image goes with its last tag)."""
        repo = self._repo(repositoryName, registryId)
        deleted, failures = [], []
        for iid in self._check_image_ids(imageIds):
            image, code = self._find_by_id(repo, iid)
            if image is None:
                failures.append(self._failure(iid, code or "ImageNotFound"))
                continue
            if iid.get("imageDigest"):
                for t in image.tags or [None]:
                    deleted.append({"imageDigest": image.digest, **({"imageTag": t} if t else {})})
                del repo.images[image.digest]
            else:
                tag = iid["imageTag"]
                image.tags.remove(tag)
                deleted.append({"imageDigest": image.digest, "imageTag": tag})
                if not image.tags:
                    del repo.images[image.digest]
        return {"imageIds": deleted, "failures": failures}

    # --- authorization ----------------------------------------------------------------------------

    @operation
    def get_authorization_token(self, registryIds: list | None = None) -> dict[str, Any]:
        """A base64 `AWS:<password>` token valid for 12 simulated hours, and the registry endpoint."""
        for i, rid in enumerate(registryIds or []):
            check_type(f"registryIds[{i}]", rid, str)
            self._check_registry(rid)
        password = base64.b64encode(bytes.fromhex(self.sim.new_hex(96))).decode()
        expires = self.sim.now + timedelta(hours=TOKEN_HOURS)
        self.tokens[password] = expires
        token = base64.b64encode(f"AWS:{password}".encode()).decode()
        return {"authorizationData": [{"authorizationToken": token, "expiresAt": expires,
                                       "proxyEndpoint": f"https://{self._registry_host()}"}]}

    # --- repository policies --------------------------------------------------------------------

    @operation
    def set_repository_policy(self, repositoryName: str, policyText: str, registryId: str | None = None,
                              force: bool | None = None) -> dict[str, Any]:
        """Attach a repository (resource-based) policy.

        Not modelled: the policy is stored and returned but not used in pull decisions (same-account
        pulls are decided by the puller's identity policies).
        """
        repo = self._repo(repositoryName, registryId)
        try:
            doc = json.loads(policyText)
        except ValueError:
            doc = None
        statements = doc.get("Statement") if isinstance(doc, dict) else None
        if not isinstance(statements, list | dict) or not statements or any(
                not isinstance(s, dict) or "Principal" not in s or s.get("Effect") not in ("Allow", "Deny")
                for s in (statements if isinstance(statements, list) else [statements])):
            raise aws_error("InvalidParameterException", "Invalid parameter at 'PolicyText' failed to satisfy "
                                                         "constraint: 'Invalid repository policy provided'")
        repo.policy = policyText
        return {"registryId": self.account_id, "repositoryName": repo.name, "policyText": policyText}

    @operation
    def get_repository_policy(self, repositoryName: str, registryId: str | None = None) -> dict[str, Any]:
        """Return a repository's policy."""
        return self._policy_api(self._repo(repositoryName, registryId))

    @operation
    def delete_repository_policy(self, repositoryName: str, registryId: str | None = None) -> dict[str, Any]:
        """Remove a repository's policy."""
        repo = self._repo(repositoryName, registryId)
        out = self._policy_api(repo)
        repo.policy = None
        return out

    def _policy_api(self, repo: Any) -> dict[str, Any]:
        """A repository's policy as Get/DeleteRepositoryPolicy return it, or their not-found error."""
        if repo.policy is None:
            raise aws_error("RepositoryPolicyNotFoundException",
                            f"Repository policy does not exist for the repository with name '{repo.name}' in the "
                            f"registry with id '{self.account_id}'")
        return {"registryId": self.account_id, "repositoryName": repo.name, "policyText": repo.policy}

    # --- lifecycle policies ------------------------------------------------------------------------

    def _lifecycle_invalid(self, why: str) -> Exception:
        return aws_error("InvalidParameterException", "Invalid parameter at 'LifecyclePolicyText' failed to satisfy "
                                                      f"constraint: 'Lifecycle policy validation failure: {why}'")

    def _parse_lifecycle(self, text: str) -> list[dict[str, Any]]:
        """Validate a lifecycle policy (§6) and return its rules sorted by rulePriority."""
        try:
            doc = json.loads(text)
        except ValueError:
            raise self._lifecycle_invalid("Could not parse the policy text as JSON.") from None
        if not isinstance(doc, dict) or not isinstance(doc.get("rules"), list) or not doc["rules"]:
            raise self._lifecycle_invalid('object has missing required properties (["rules"])')
        rules, priorities = [], set()
        untagged_rules = 0
        for rule in doc["rules"]:
            if not isinstance(rule, dict):
                raise self._lifecycle_invalid("Each rule must be an object.")
            prio = rule.get("rulePriority")
            if not isinstance(prio, int) or isinstance(prio, bool) or prio < 1:
                raise self._lifecycle_invalid("rulePriority must be an integer greater than 0.")
            if prio in priorities:
                raise self._lifecycle_invalid(f"The rule with priority {prio} is duplicated. Every rule must have "
                                              "a unique rulePriority.")
            priorities.add(prio)
            sel = rule.get("selection")
            if not isinstance(sel, dict):
                raise self._lifecycle_invalid('object has missing required properties (["selection"])')
            status = sel.get("tagStatus")
            if status not in ("tagged", "untagged", "any"):
                raise self._lifecycle_invalid(f'instance value ("{status}") not found in enum (possible values: '
                                              '["tagged","untagged","any"])')
            if "tagPatternList" in sel:
                raise NotModelledError("ECR lifecycle tagPatternList")
            prefixes = sel.get("tagPrefixList")
            if status == "tagged":
                if not isinstance(prefixes, list) or not prefixes or not all(isinstance(p, str) for p in prefixes):
                    raise self._lifecycle_invalid("tagPrefixList or tagPatternList is required when tagStatus is "
                                                  "tagged.")
            elif prefixes is not None:
                raise self._lifecycle_invalid("tagPrefixList can only be used with tagStatus tagged.")
            if status == "untagged":
                untagged_rules += 1
            ctype = sel.get("countType")
            number = sel.get("countNumber")
            if ctype not in ("imageCountMoreThan", "sinceImagePushed"):
                raise self._lifecycle_invalid(f'instance value ("{ctype}") not found in enum (possible values: '
                                              '["imageCountMoreThan","sinceImagePushed"])')
            if not isinstance(number, int) or isinstance(number, bool) or number < 1:
                raise self._lifecycle_invalid("countNumber must be an integer greater than 0.")
            if ctype == "sinceImagePushed" and sel.get("countUnit") != "days":
                raise self._lifecycle_invalid("countUnit must be days when countType is sinceImagePushed.")
            if ctype == "imageCountMoreThan" and "countUnit" in sel:
                raise self._lifecycle_invalid("countUnit can only be used when countType is sinceImagePushed.")
            action = rule.get("action")
            if not isinstance(action, dict) or action.get("type") != "expire":
                if isinstance(action, dict) and action.get("type") == "transition":
                    raise NotModelledError("ECR lifecycle transition (archive) actions")
                raise self._lifecycle_invalid('instance value not found in enum (possible values: ["expire"])')
            rules.append(rule)
        if untagged_rules > 1:
            raise self._lifecycle_invalid("Only one rule can select untagged images.")
        rules.sort(key=lambda r: r["rulePriority"])
        any_rules = [r for r in rules if r["selection"]["tagStatus"] == "any"]
        if (any_rules and rules[-1] is not any_rules[-1]) or len(any_rules) > 1:
            raise self._lifecycle_invalid("A rule with tagStatus any must have the highest rulePriority.")
        return rules

    def _lifecycle_plan(self, repo: Repository, rules: list[dict[str, Any]]) -> list[tuple[EcrImage, int]]:
        """(image, rulePriority) for each image the rules expire now; each image by one rule at most."""
        expired: dict[str, tuple[EcrImage, int]] = {}
        for rule in rules:
            sel = rule["selection"]
            candidates = [i for i in repo.images.values() if i.digest not in expired and _selects(sel, i)]
            if sel["countType"] == "imageCountMoreThan":
                newest_first = sorted(candidates, key=lambda i: i.pushed_at, reverse=True)
                chosen = newest_first[sel["countNumber"]:]
            else:
                cutoff = self.sim.now - timedelta(days=sel["countNumber"])
                chosen = [i for i in candidates if i.pushed_at <= cutoff]
            for image in sorted(chosen, key=lambda i: i.pushed_at):  # oldest first
                expired[image.digest] = (image, rule["rulePriority"])
        return sorted(expired.values(), key=lambda pair: pair[0].pushed_at)

    def _lifecycle_tick(self) -> None:
        for repo in list(self.repos.values()):
            if repo.lifecycle_policy is None:
                continue
            rules = self._parse_lifecycle(repo.lifecycle_policy)
            for image, _ in self._lifecycle_plan(repo, rules):
                repo.images.pop(image.digest, None)
            repo.lifecycle_evaluated_at = self.sim.now

    @operation
    def put_lifecycle_policy(self, repositoryName: str, lifecyclePolicyText: str,
                             registryId: str | None = None) -> dict[str, Any]:
        """Set a lifecycle policy; it is applied on the next daily evaluation (within 24 h, as in AWS).

        Not modelled: tagPatternList, transition (archive) actions.
        """
        repo = self._repo(repositoryName, registryId)
        self._parse_lifecycle(lifecyclePolicyText)
        repo.lifecycle_policy = lifecyclePolicyText
        return {"registryId": self.account_id, "repositoryName": repo.name,
                "lifecyclePolicyText": lifecyclePolicyText}

    def _lifecycle(self, repo: Repository) -> str:
        if repo.lifecycle_policy is None:
            raise aws_error("LifecyclePolicyNotFoundException",
                            f"Lifecycle policy does not exist for the repository with name '{repo.name}' in the "
                            f"registry with id '{self.account_id}'")
        return repo.lifecycle_policy

    @operation
    def get_lifecycle_policy(self, repositoryName: str, registryId: str | None = None) -> dict[str, Any]:
        """Return a repository's lifecycle policy and when it was last evaluated."""
        repo = self._repo(repositoryName, registryId)
        out: dict[str, Any] = {"registryId": self.account_id, "repositoryName": repo.name,
                               "lifecyclePolicyText": self._lifecycle(repo)}
        if repo.lifecycle_evaluated_at is not None:
            out["lastEvaluatedAt"] = repo.lifecycle_evaluated_at
        return out

    @operation
    def delete_lifecycle_policy(self, repositoryName: str, registryId: str | None = None) -> dict[str, Any]:
        """Remove a repository's lifecycle policy."""
        repo = self._repo(repositoryName, registryId)
        text = self._lifecycle(repo)
        out: dict[str, Any] = {"registryId": self.account_id, "repositoryName": repo.name,
                               "lifecyclePolicyText": text}
        if repo.lifecycle_evaluated_at is not None:
            out["lastEvaluatedAt"] = repo.lifecycle_evaluated_at
        repo.lifecycle_policy = None
        return out

    @operation
    def start_lifecycle_policy_preview(self, repositoryName: str, registryId: str | None = None,
                                       lifecyclePolicyText: str | None = None) -> dict[str, Any]:
        """Dry-run a lifecycle policy (the given one or the repository's) against the images now."""
        repo = self._repo(repositoryName, registryId)
        text = lifecyclePolicyText if lifecyclePolicyText is not None else self._lifecycle(repo)
        rules = self._parse_lifecycle(text)
        results = [{"imageTags": list(image.tags), "imageDigest": image.digest, "imagePushedAt": image.pushed_at,
                    "action": {"type": "EXPIRE"}, "appliedRulePriority": prio}
                   for image, prio in self._lifecycle_plan(repo, rules)]
        repo.preview = {"text": text, "results": results}
        return {"registryId": self.account_id, "repositoryName": repo.name, "lifecyclePolicyText": text,
                "status": "IN_PROGRESS"}

    @operation
    def get_lifecycle_policy_preview(self, repositoryName: str, registryId: str | None = None,
                                     imageIds: list | None = None, nextToken: str | None = None,
                                     maxResults: int | None = None, filter: dict | None = None) -> dict[str, Any]:
        """The result of the last preview: which images the policy would expire, by which rule."""
        repo = self._repo(repositoryName, registryId)
        if repo.preview is None:
            raise aws_error("LifecyclePolicyPreviewNotFoundException",
                            f"There is no dry run for the repository with name '{repo.name}' in the registry with "
                            f"id '{self.account_id}'")
        results = repo.preview["results"]
        if imageIds is not None:
            wanted = self._check_image_ids(imageIds)
            results = [r for r in results if any(w.get("imageDigest") == r["imageDigest"]
                                                 or w.get("imageTag") in r["imageTags"] for w in wanted)]
        page, token = self._page(results, nextToken, maxResults, limit=100)
        out: dict[str, Any] = {"registryId": self.account_id, "repositoryName": repo.name,
                               "lifecyclePolicyText": repo.preview["text"], "status": "COMPLETE",
                               "previewResults": page, "summary": {"expiringImageTotalCount": len(results)}}
        if token:
            out["nextToken"] = token
        return out

    # --- scanning ----------------------------------------------------------------------------------

    def _start_scan(self, image: EcrImage) -> None:
        image.scan_status = "IN_PROGRESS"
        image.scan_completed_at = None

        def done() -> None:
            image.scan_status = "COMPLETE"
            image.scan_completed_at = self.sim.now

        self.sim.schedule(10, done, name=f"ecr scan {image.digest[:19]}")

    def _findings(self, image: EcrImage) -> list[dict[str, Any]]:
        if image.vulnerabilities is not None:
            raw = image.vulnerabilities
        else:
            seed = int(image.digest[7:15], 16)
            count = seed % 4
            raw = [dict(zip(("name", "severity", "package", "description"), _CVE_CATALOGUE[(seed // 4 + k * 3)
                                                                                           % len(_CVE_CATALOGUE)],
                            strict=True)) for k in range(count)]
        out = []
        for v in raw:
            name = str(v.get("name", "CVE-0000-0000"))
            severity = v.get("severity", "UNDEFINED")
            out.append({"name": name, "description": v.get("description", ""),
                        "uri": f"https://security-tracker.debian.org/tracker/{name}",
                        "severity": severity if severity in _SEVERITIES else "UNDEFINED",
                        "attributes": [{"key": "package_name", "value": str(v.get("package", "unknown"))}]})
        return out

    def _severity_counts(self, image: EcrImage) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in self._findings(image):
            counts[f["severity"]] = counts.get(f["severity"], 0) + 1
        return counts

    def _scan_status(self, image: EcrImage) -> dict[str, str]:
        if image.scan_status == "COMPLETE":
            return {"status": "COMPLETE", "description": "The scan was completed successfully."}
        return {"status": "IN_PROGRESS", "description": "The scan is in progress."}

    @operation
    def start_image_scan(self, repositoryName: str, imageId: dict, registryId: str | None = None) -> dict[str, Any]:
        """Start a basic scan of one image; findings are ready about 10 simulated seconds later.

        Not modelled: Enhanced scanning (Amazon Inspector), the once-per-24-hours scan quota.
        """
        repo = self._repo(repositoryName, registryId)
        iid = self._check_image_ids([imageId])[0]
        image, _ = self._find_by_id(repo, iid)
        if image is None:
            raise aws_error("ImageNotFoundException",
                            f"The image with imageId {_id_str(iid)} does not exist within the repository with name "
                            f"'{repo.name}' in the registry with id '{self.account_id}'")
        self._start_scan(image)
        return {"registryId": self.account_id, "repositoryName": repo.name, "imageId": dict(iid),
                "imageScanStatus": self._scan_status(image)}

    @operation
    def describe_image_scan_findings(self, repositoryName: str, imageId: dict, registryId: str | None = None,
                                     nextToken: str | None = None, maxResults: int | None = None) -> dict[str, Any]:
        """Return the findings of an image's last basic scan (deterministic from the image, or declared CVEs)."""
        repo = self._repo(repositoryName, registryId)
        iid = self._check_image_ids([imageId])[0]
        image, _ = self._find_by_id(repo, iid)
        if image is None:
            raise aws_error("ImageNotFoundException",
                            f"The image with imageId {_id_str(iid)} does not exist within the repository with name "
                            f"'{repo.name}' in the registry with id '{self.account_id}'")
        if image.scan_status is None:
            raise aws_error("ScanNotFoundException",
                            f"Image scan does not exist for the image with '{_id_str(iid)}' in the repository with "
                            f"name '{repo.name}' in the registry with id '{self.account_id}'")
        out: dict[str, Any] = {"registryId": self.account_id, "repositoryName": repo.name,
                               "imageId": {"imageDigest": image.digest, **({"imageTag": iid["imageTag"]}
                                                                          if iid.get("imageTag") else {})},
                               "imageScanStatus": self._scan_status(image)}
        if image.scan_status == "COMPLETE":
            findings = self._findings(image)
            page, token = self._page(findings, nextToken, maxResults)
            out["imageScanFindings"] = {"imageScanCompletedAt": image.scan_completed_at,
                                        "vulnerabilitySourceUpdatedAt": image.scan_completed_at,
                                        "findingSeverityCounts": self._severity_counts(image), "findings": page}
            if token:
                out["nextToken"] = token
        return out


def _selects(sel: dict[str, Any], image: EcrImage) -> bool:
    status = sel["tagStatus"]
    if status == "untagged":
        return not image.tags
    if status == "tagged":
        return bool(image.tags) and all(any(t.startswith(p) for t in image.tags) for p in sel["tagPrefixList"])
    return True


def _manifest_size(manifest: str) -> int:
    try:
        doc = json.loads(manifest)
        return int(sum(layer.get("size", 0) for layer in doc.get("layers", [])) + doc.get("config", {}).get("size", 0))
    except (ValueError, AttributeError, TypeError):
        return len(manifest)


def build_manifest(seed: str, size_bytes: int) -> str:
    """A deterministic Docker image manifest (schema 2) for a simulated push."""
    def digest(part: str) -> str:
        return "sha256:" + hashlib.sha256(f"{seed}:{part}".encode()).hexdigest()

    layer_sizes = [size_bytes // 2, size_bytes // 3, size_bytes - size_bytes // 2 - size_bytes // 3 - 1500]
    doc = {"schemaVersion": 2, "mediaType": MANIFEST_V2,
           "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1500,
                      "digest": digest("config")},
           "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": max(0, s),
                       "digest": digest(f"layer{i}")} for i, s in enumerate(layer_sizes)]}
    return json.dumps(doc, indent=3)
