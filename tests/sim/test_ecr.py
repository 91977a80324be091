"""ECR: repositories, pushes, tags, auth tokens, docker login/push, lifecycle policies, scans."""

from __future__ import annotations

import base64
import contextlib
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim import ClientError, Simulator
from ecslearn.sim.docker import DockerError, docker_login, docker_push

HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def _err(info) -> tuple[str, str]:
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_create_describe_delete_repository(sim):
    ecr = sim.client("ecr")
    repo = ecr.create_repository(repositoryName="team/web", imageTagMutability="IMMUTABLE",
                                 imageScanningConfiguration={"scanOnPush": True},
                                 encryptionConfiguration={"encryptionType": "KMS"})["repository"]
    assert repo["repositoryUri"] == f"{HOST}/team/web"
    assert repo["repositoryArn"] == "arn:aws:ecr:us-east-1:123456789012:repository/team/web"
    assert repo["encryptionConfiguration"]["encryptionType"] == "KMS"
    assert repo["encryptionConfiguration"]["kmsKey"].startswith("arn:aws:kms:us-east-1:123456789012:key/")
    assert ecr.describe_repositories()["repositories"][0]["imageScanningConfiguration"] == {"scanOnPush": True}
    with pytest.raises(ClientError) as info:
        ecr.create_repository(repositoryName="team/web")
    assert _err(info) == ("RepositoryAlreadyExistsException",
                          "The repository with name 'team/web' already exists in the registry with id '123456789012'")
    for bad in ("Web", "1web", "a--b", "a//b", "web/", "x"):
        with pytest.raises(ClientError) as info:
            ecr.create_repository(repositoryName=bad)
        assert _err(info)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as info:
        ecr.describe_repositories(repositoryNames=["nope"])
    assert _err(info) == ("RepositoryNotFoundException",
                          "The repository with name 'nope' does not exist in the registry with id '123456789012'")
    docker_push(sim, f"{HOST}/team/web:v1")
    with pytest.raises(ClientError) as info:
        ecr.delete_repository(repositoryName="team/web")
    assert _err(info)[0] == "RepositoryNotEmptyException"
    ecr.delete_repository(repositoryName="team/web", force=True)
    assert ecr.describe_repositories()["repositories"] == []


def test_push_tags_digests_and_immutability(sim):
    ecr = sim.client("ecr")
    ecr.create_repository(repositoryName="web")
    d1 = docker_push(sim, f"{HOST}/web:latest", size_mb=10)
    d2 = docker_push(sim, f"{HOST}/web:latest", size_mb=12)  # a new build moves the tag
    assert d1 != d2 and d1.startswith("sha256:")
    details = {d["imageDigest"]: d for d in ecr.describe_images(repositoryName="web")["imageDetails"]}
    assert "imageTags" not in details[d1] and details[d2]["imageTags"] == ["latest"]
    assert details[d2]["imageSizeInBytes"] == 12 * 1024 * 1024
    untagged = ecr.list_images(repositoryName="web", filter={"tagStatus": "UNTAGGED"})["imageIds"]
    assert untagged == [{"imageDigest": d1}]
    # put_image with the manifest: digest is sha256 of the manifest; same digest + tag exists
    img = ecr.batch_get_image(repositoryName="web", imageIds=[{"imageTag": "latest"}])["images"][0]
    with pytest.raises(ClientError) as info:
        ecr.put_image(repositoryName="web", imageManifest=img["imageManifest"], imageTag="latest")
    assert _err(info)[0] == "ImageAlreadyExistsException"
    ecr.put_image(repositoryName="web", imageManifest=img["imageManifest"], imageTag="v1")  # re-tag
    assert sorted(ecr.describe_images(repositoryName="web", imageIds=[{"imageDigest": d2}])["imageDetails"][0][
        "imageTags"]) == ["latest", "v1"]
    ecr.put_image_tag_mutability(repositoryName="web", imageTagMutability="IMMUTABLE")
    with pytest.raises(ClientError) as info:
        ecr.put_image(repositoryName="web", imageManifest=json.dumps({"schemaVersion": 2, "layers": []}),
                      imageTag="v1")
    assert _err(info) == ("ImageTagAlreadyExistsException",
                          "The image tag 'v1' already exists in the 'web' repository and cannot be overwritten "
                          "because the repository is immutable.")
    with pytest.raises(DockerError, match="tag invalid: The image tag 'v1' already exists"):
        docker_push(sim, f"{HOST}/web:v1")
    failures = ecr.batch_get_image(repositoryName="web", imageIds=[{"imageTag": "v9"}])["failures"]
    assert failures == [{"imageId": {"imageTag": "v9"}, "failureCode": "ImageNotFound",
                         "failureReason": "Requested image not found"}]
    with pytest.raises(ClientError) as info:
        ecr.describe_images(repositoryName="web", imageIds=[{"imageTag": "v9"}])
    assert _err(info)[0] == "ImageNotFoundException"
    # deleting the last tag deletes the image
    out = ecr.batch_delete_image(repositoryName="web", imageIds=[{"imageTag": "v1"}, {"imageTag": "latest"},
                                                                 {"imageTag": "gone"}])
    assert len(out["imageIds"]) == 2 and out["failures"][0]["failureCode"] == "ImageNotFound"
    assert [d["imageDigest"] for d in ecr.describe_images(repositoryName="web")["imageDetails"]] == [d1]


def test_authorization_token_and_docker_login(sim):
    ecr = sim.client("ecr")
    ecr.create_repository(repositoryName="web")
    data = ecr.get_authorization_token()["authorizationData"][0]
    user, password = base64.b64decode(data["authorizationToken"]).decode().split(":", 1)
    assert user == "AWS"
    assert data["proxyEndpoint"] == f"https://{HOST}"
    assert (data["expiresAt"] - sim.now).total_seconds() == 12 * 3600
    with pytest.raises(DockerError, match="no basic auth credentials"):
        docker_push(sim, f"{HOST}/web:v1", logged_in=False)
    with pytest.raises(DockerError, match="400 Bad Request"):
        docker_login(sim, "wrong", HOST)
    assert docker_login(sim, password, HOST) == "Login Succeeded"
    docker_push(sim, f"{HOST}/web:v1", logged_in=False)
    with pytest.raises(DockerError) as info:
        docker_push(sim, f"{HOST}/api:v1")
    assert str(info.value) == ("name unknown: The repository with name 'api' does not exist in the registry "
                               "with id '123456789012'")
    sim.advance(12 * 3600 + 1)
    with pytest.raises(DockerError, match="authorization token has expired"):
        docker_push(sim, f"{HOST}/web:v2", logged_in=False)
    with pytest.raises(DockerError):
        docker_login(sim, password, HOST)


def _pushed_days_apart(sim, n_untagged: int) -> None:
    ecr = sim.client("ecr")
    ecr.create_repository(repositoryName="web")
    for _ in range(n_untagged + 1):
        docker_push(sim, f"{HOST}/web:latest")  # each new build leaves the previous one untagged
        sim.advance(86400)


def test_lifecycle_policy_expires_untagged_images_after_n_days(sim):
    ecr = sim.client("ecr")
    _pushed_days_apart(sim, 4)  # untagged images pushed 5, 4, 3, 2 days ago; latest 1 day ago
    policy = json.dumps({"rules": [{"rulePriority": 1, "description": "drop untagged after 3 days",
                                    "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                                  "countUnit": "days", "countNumber": 3},
                                    "action": {"type": "expire"}}]})
    ecr.put_lifecycle_policy(repositoryName="web", lifecyclePolicyText=policy)
    ecr.start_lifecycle_policy_preview(repositoryName="web")
    preview = ecr.get_lifecycle_policy_preview(repositoryName="web")
    assert preview["status"] == "COMPLETE" and preview["summary"]["expiringImageTotalCount"] == 3
    assert {r["appliedRulePriority"] for r in preview["previewResults"]} == {1}
    assert len(ecr.describe_images(repositoryName="web")["imageDetails"]) == 5  # nothing expired yet
    sim.advance(86400)  # the daily evaluation runs within 24 h
    remaining = ecr.describe_images(repositoryName="web")["imageDetails"]
    # at the evaluation the untagged images were 6, 5, 4 and 3 days old: all expired; `latest` stays
    assert [d.get("imageTags") for d in remaining] == [["latest"]]
    assert "lastEvaluatedAt" in ecr.get_lifecycle_policy(repositoryName="web")


def test_lifecycle_count_rule_keeps_newest_and_priorities(sim):
    ecr = sim.client("ecr")
    ecr.create_repository(repositoryName="app")
    for i in range(5):
        docker_push(sim, f"{HOST}/app:prod-{i}")
        sim.advance(60)
    policy = json.dumps({"rules": [
        {"rulePriority": 1, "selection": {"tagStatus": "tagged", "tagPrefixList": ["prod"],
                                          "countType": "imageCountMoreThan", "countNumber": 2},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1},
         "action": {"type": "expire"}}]})
    ecr.start_lifecycle_policy_preview(repositoryName="app", lifecyclePolicyText=policy)
    results = ecr.get_lifecycle_policy_preview(repositoryName="app")["previewResults"]
    by_tag = {r["imageTags"][0]: r["appliedRulePriority"] for r in results}
    assert by_tag == {"prod-0": 1, "prod-1": 1, "prod-2": 1, "prod-3": 2}  # each image by one rule, oldest first
    with pytest.raises(ClientError) as info:
        ecr.put_lifecycle_policy(repositoryName="app", lifecyclePolicyText=json.dumps({"rules": [
            {"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan",
                                              "countNumber": 1}, "action": {"type": "expire"}},
            {"rulePriority": 2, "selection": {"tagStatus": "untagged", "countType": "imageCountMoreThan",
                                              "countNumber": 1}, "action": {"type": "expire"}}]}))
    assert _err(info)[0] == "InvalidParameterException"
    with pytest.raises(ClientError) as info:
        ecr.get_lifecycle_policy(repositoryName="app")
    assert _err(info)[0] == "LifecyclePolicyNotFoundException"


def test_scans_and_repository_policy(sim):
    ecr = sim.client("ecr")
    ecr.create_repository(repositoryName="web", imageScanningConfiguration={"scanOnPush": True})
    docker_push(sim, f"{HOST}/web:v1", vulnerabilities=[{"name": "CVE-2023-4911", "severity": "HIGH"}])
    out = ecr.describe_image_scan_findings(repositoryName="web", imageId={"imageTag": "v1"})
    assert out["imageScanStatus"]["status"] == "IN_PROGRESS"
    sim.settle()
    out = ecr.describe_image_scan_findings(repositoryName="web", imageId={"imageTag": "v1"})
    assert out["imageScanFindings"]["findingSeverityCounts"] == {"HIGH": 1}
    assert out["imageScanFindings"]["findings"][0]["name"] == "CVE-2023-4911"
    ecr.put_image_scanning_configuration(repositoryName="web", imageScanningConfiguration={"scanOnPush": False})
    docker_push(sim, f"{HOST}/web:v2")
    with pytest.raises(ClientError) as info:
        ecr.describe_image_scan_findings(repositoryName="web", imageId={"imageTag": "v2"})
    assert _err(info)[0] == "ScanNotFoundException"
    ecr.start_image_scan(repositoryName="web", imageId={"imageTag": "v2"})
    sim.settle()
    a = ecr.describe_image_scan_findings(repositoryName="web", imageId={"imageTag": "v2"})["imageScanFindings"]
    b = ecr.describe_image_scan_findings(repositoryName="web", imageId={"imageTag": "v2"})["imageScanFindings"]
    assert a == b  # deterministic
    with pytest.raises(ClientError) as info:
        ecr.get_repository_policy(repositoryName="web")
    assert _err(info)[0] == "RepositoryPolicyNotFoundException"
    text = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "ecr:BatchGetImage"}]})
    ecr.set_repository_policy(repositoryName="web", policyText=text)
    assert ecr.get_repository_policy(repositoryName="web")["policyText"] == text
    assert ecr.delete_repository_policy(repositoryName="web")["policyText"] == text
    for op in (ecr.get_repository_policy, ecr.delete_repository_policy):
        with pytest.raises(ClientError) as gone:
            op(repositoryName="web")
        assert _err(gone)[0] == "RepositoryPolicyNotFoundException"


def test_pulls_update_last_recorded_pull_time(sim):
    ecr = sim.client("ecr")
    ecr.create_repository(repositoryName="web")
    docker_push(sim, f"{HOST}/web:v1")
    backend = sim.backend("ecr")
    repo = backend._find_repo("web")
    backend._record_pull(backend._resolve(repo, "v1"))
    assert ecr.describe_images(repositoryName="web")["imageDetails"][0]["lastRecordedPullTime"] == sim.now


@settings(max_examples=50, deadline=None)
@given(name=st.text(max_size=12), tag=st.one_of(st.none(), st.text(max_size=8)),
       manifest=st.text(max_size=20), ids=st.lists(st.dictionaries(st.sampled_from(["imageTag", "imageDigest"]),
                                                                   st.text(max_size=6)), max_size=3))
def test_random_input_never_crashes(name, tag, manifest, ids):
    sim = Simulator(seed=3)
    ecr = sim.client("ecr")
    calls = [lambda: ecr.create_repository(repositoryName=name),
             lambda: ecr.put_image(repositoryName=name, imageManifest=manifest, imageTag=tag),
             lambda: ecr.batch_delete_image(repositoryName=name, imageIds=ids),
             lambda: ecr.batch_get_image(repositoryName=name, imageIds=ids),
             lambda: ecr.put_lifecycle_policy(repositoryName=name, lifecyclePolicyText=manifest)]
    for call in calls:
        with contextlib.suppress(ClientError, ParamValidationError, NotModelledError):
            call()


def test_docker_pull_and_repository_tags(sim):
    from ecslearn.sim.docker import docker_pull

    ecr = sim.client("ecr")
    arn = ecr.create_repository(repositoryName="web", tags=[{"Key": "team", "Value": "a"}])["repository"][
        "repositoryArn"]
    digest = docker_push(sim, f"{HOST}/web:v1")
    sim.advance(60)
    assert docker_pull(sim, f"{HOST}/web:v1") == digest
    assert docker_pull(sim, f"{HOST}/web@{digest}") == digest
    assert ecr.describe_images(repositoryName="web")["imageDetails"][0]["lastRecordedPullTime"] == sim.now
    with pytest.raises(DockerError, match=r"manifest for .*web:v2 not found"):
        docker_pull(sim, f"{HOST}/web:v2")
    with pytest.raises(DockerError, match="name unknown: The repository with name 'api' does not exist"):
        docker_pull(sim, f"{HOST}/api:v1")
    with pytest.raises(DockerError, match="no basic auth credentials"):
        docker_pull(sim, f"{HOST}/web:v1", logged_in=False)
    ecr.tag_resource(resourceArn=arn, tags=[{"Key": "env", "Value": "prod"}])
    ecr.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert ecr.list_tags_for_resource(resourceArn=arn)["tags"] == [{"Key": "env", "Value": "prod"}]


@pytest.mark.parametrize("kwargs", [
    {"image_uri": None},
    {"image_uri": ""},
    {"image_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1", "size_mb": float("nan")},
    {"image_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1", "size_mb": 1e300},
    {"image_uri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1", "size_mb": 0},
])
def test_docker_push_refuses_bad_input_with_a_message(kwargs):
    from ecslearn.errors import SimulatorError
    from ecslearn.sim import Simulator
    from ecslearn.sim.docker import docker_push

    sim = Simulator(0)
    sim.client("ecr").create_repository(repositoryName="web")
    with pytest.raises(SimulatorError):
        docker_push(sim, **kwargs)
