"""SSM Parameter Store: the public ECS-optimized AMI parameters and user parameters."""

from __future__ import annotations

import json

import pytest

from ecslearn.sim import ClientError

ECS = "/aws/service/ecs/optimized-ami"


def err(info) -> tuple[str, str]:
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


@pytest.mark.parametrize(("path", "arch", "name_part"), [
    (f"{ECS}/amazon-linux-2023/recommended/image_id", "x86_64", "al2023-ami-ecs"),
    (f"{ECS}/amazon-linux-2023/arm64/recommended/image_id", "arm64", "al2023-ami-ecs"),
    (f"{ECS}/amazon-linux-2/recommended/image_id", "x86_64", "amzn2-ami-ecs"),
    (f"{ECS}/amazon-linux-2/arm64/recommended/image_id", "arm64", "amzn2-ami-ecs"),
    ("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64", "x86_64", "al2023-ami-2023"),
    ("/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64", "arm64", "al2023-ami-2023"),
    ("/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-x86_64-gp2", "x86_64", "amzn2-ami-kernel"),
])
def test_public_ami_parameters(sim, path, arch, name_part):
    p = sim.client("ssm").get_parameter(Name=path)["Parameter"]
    assert p["Name"] == path and p["Type"] == "String" and p["Version"] == 1
    assert p["ARN"] == f"arn:aws:ssm:us-east-1::parameter{path}"
    img = sim.client("ec2").describe_images(ImageIds=[p["Value"]])["Images"][0]
    assert img["Architecture"] == arch and img["Name"].startswith(name_part)


def test_recommended_json(sim):
    ssm = sim.client("ssm")
    value = json.loads(ssm.get_parameter(Name=f"{ECS}/amazon-linux-2023/recommended")["Parameter"]["Value"])
    assert set(value) >= {"image_id", "image_name", "ecs_agent_version", "os"}
    assert value["image_id"] == ssm.get_parameter(
        Name=f"{ECS}/amazon-linux-2023/recommended/image_id")["Parameter"]["Value"]
    assert value["os"] == "Amazon Linux 2023"
    assert ssm.get_parameter(Name=f"{ECS}/amazon-linux-2023/recommended/image_name")["Parameter"]["Value"] == \
        value["image_name"]


def test_get_parameters_reports_invalid_names(sim):
    out = sim.client("ssm").get_parameters(Names=[f"{ECS}/amazon-linux-2/recommended/image_id", "/nope"])
    assert len(out["Parameters"]) == 1 and out["InvalidParameters"] == ["/nope"]


def test_missing_parameter(sim):
    with pytest.raises(ClientError) as info:
        sim.client("ssm").get_parameter(Name=f"{ECS}/amazon-linux-2024/recommended/image_id")
    assert err(info)[0] == "ParameterNotFound"
    assert info.value.operation_name == "GetParameter"


def test_user_parameters_and_versions(sim):
    ssm = sim.client("ssm")
    assert ssm.put_parameter(Name="/app/url", Value="http://a", Type="String") == {"Version": 1, "Tier": "Standard"}
    with pytest.raises(ClientError) as info:
        ssm.put_parameter(Name="/app/url", Value="http://b", Type="String")
    assert err(info)[0] == "ParameterAlreadyExists"
    assert ssm.put_parameter(Name="/app/url", Value="http://b", Overwrite=True)["Version"] == 2
    p = ssm.get_parameter(Name="/app/url")["Parameter"]
    assert (p["Value"], p["Version"], p["Type"]) == ("http://b", 2, "String")
    assert p["ARN"] == "arn:aws:ssm:us-east-1:123456789012:parameter/app/url"
    assert ssm.get_parameter(Name="/app/url:1")["Parameter"]["Value"] == "http://a"
    with pytest.raises(ClientError) as info:
        ssm.get_parameter(Name="/app/url:7")
    assert err(info)[0] == "ParameterVersionNotFound"
    by_arn = ssm.get_parameter(Name="arn:aws:ssm:us-east-1:123456789012:parameter/app/url")["Parameter"]
    assert by_arn["Value"] == "http://b"
    ssm.put_parameter(Name="plain", Value="x,y", Type="StringList")
    assert ssm.get_parameter(Name="plain")["Parameter"]["ARN"].endswith(":parameter/plain")
    ssm.delete_parameter(Name="/app/url")
    with pytest.raises(ClientError) as info:
        ssm.delete_parameter(Name="/app/url")
    assert err(info)[0] == "ParameterNotFound"


def test_secure_string(sim):
    ssm = sim.client("ssm")
    ssm.put_parameter(Name="/app/db-password", Value="s3cret", Type="SecureString")
    hidden = ssm.get_parameter(Name="/app/db-password")["Parameter"]
    assert hidden["Value"] != "s3cret" and hidden["Type"] == "SecureString"
    assert ssm.get_parameter(Name="/app/db-password", WithDecryption=True)["Parameter"]["Value"] == "s3cret"
    meta = ssm.describe_parameters()["Parameters"][0]
    assert meta["KeyId"] == "alias/aws/ssm" and "Value" not in meta


def test_internal_lookup_for_secrets(sim):
    ssm = sim.client("ssm")
    ssm.put_parameter(Name="/app/token", Value="t", Type="SecureString")
    backend = sim.backend("ssm")
    assert backend._parameter("/app/token").value == "t"
    assert backend._parameter("arn:aws:ssm:us-east-1:123456789012:parameter/app/token").value == "t"
    assert backend._parameter("/app/none") is None
    assert backend._parameter(f"{ECS}/amazon-linux-2023/recommended/image_id") is not None


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"Name": "/aws/mine", "Value": "x", "Type": "String"}, "ValidationException"),
    ({"Name": "ssm-thing", "Value": "x", "Type": "String"}, "ValidationException"),
    ({"Name": "/bad name", "Value": "x", "Type": "String"}, "ValidationException"),
    ({"Name": "/x", "Value": "x"}, "ValidationException"),
    ({"Name": "/x", "Value": "x", "Type": "Number"}, "ValidationException"),
    ({"Name": "/x", "Value": "", "Type": "String"}, "ValidationException"),
    ({"Name": "/x", "Value": "v" * 4097, "Type": "String"}, "ValidationException"),
    ({"Name": "/x", "Value": "abc", "Type": "String", "AllowedPattern": "^[0-9]+$"},
     "ParameterPatternMismatchException"),
    ({"Name": "/x", "Value": "ami-123", "Type": "String", "DataType": "aws:ec2:image"}, "ValidationException"),
])
def test_put_parameter_errors(sim, kwargs, code):
    with pytest.raises(ClientError) as info:
        sim.client("ssm").put_parameter(**kwargs)
    assert err(info)[0] == code


def test_describe_parameters_filters_and_by_path(sim):
    ssm = sim.client("ssm")
    for name in ("/app/a", "/app/b", "/app/deep/c", "/other/d"):
        ssm.put_parameter(Name=name, Value="v", Type="String")
    ssm.put_parameter(Name="/app/s", Value="v", Type="SecureString")

    def names(**kw):
        return [p["Name"] for p in ssm.describe_parameters(**kw)["Parameters"]]

    assert names(ParameterFilters=[{"Key": "Path", "Values": ["/app"]}]) == ["/app/a", "/app/b", "/app/s"]
    assert names(ParameterFilters=[{"Key": "Path", "Option": "Recursive", "Values": ["/app"]}]) == \
        ["/app/a", "/app/b", "/app/deep/c", "/app/s"]
    assert names(ParameterFilters=[{"Key": "Type", "Values": ["SecureString"]}]) == ["/app/s"]
    assert names(ParameterFilters=[{"Key": "Name", "Option": "BeginsWith", "Values": ["/other"]}]) == ["/other/d"]
    with pytest.raises(ClientError):
        ssm.describe_parameters(ParameterFilters=[{"Key": "Colour", "Values": ["x"]}])
    by_path = ssm.get_parameters_by_path(Path="/app", Recursive=True, MaxResults=10)["Parameters"]
    assert [p["Name"] for p in by_path] == ["/app/a", "/app/b", "/app/deep/c", "/app/s"]
    public = ssm.get_parameters_by_path(Path=f"{ECS}/amazon-linux-2023/recommended")["Parameters"]
    assert any(p["Name"].endswith("/image_id") for p in public)
