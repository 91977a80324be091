"""EC2: the default VPC, AMIs, instance types, the instance lifecycle and its errors."""

from __future__ import annotations

import base64

import pytest

from ecslearn.errors import ParamValidationError
from ecslearn.sim import ClientError, Simulator
from ecslearn.sim.ec2 import PENDING_SECONDS, SHUTTING_DOWN_SECONDS, STOPPING_SECONDS
from ecslearn.sim.instance_types import INSTANCE_TYPES


def ecs_ami(sim: Simulator, path: str = "amazon-linux-2023/recommended/image_id") -> str:
    return sim.client("ssm").get_parameter(Name=f"/aws/service/ecs/optimized-ami/{path}")["Parameter"]["Value"]


def image_by_name(sim: Simulator, pattern: str) -> dict:
    images = sim.client("ec2").describe_images(Owners=["amazon"], Filters=[{"Name": "name", "Values": [pattern]}])
    assert len(images["Images"]) == 1, images
    return images["Images"][0]


def launch(sim: Simulator, **kw) -> dict:
    kw.setdefault("ImageId", image_by_name(sim, "al2023-ami-ecs-hvm-*-x86_64")["ImageId"])
    kw.setdefault("InstanceType", "t3.micro")
    kw.setdefault("MinCount", 1)
    kw.setdefault("MaxCount", 1)
    return sim.client("ec2").run_instances(**kw)["Instances"][0]


def state(sim: Simulator, iid: str) -> str:
    res = sim.client("ec2").describe_instances(InstanceIds=[iid])["Reservations"]
    return res[0]["Instances"][0]["State"]["Name"]


def err(info) -> tuple[str, str]:
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


# --- the account's defaults -------------------------------------------------------------------


def test_default_vpc_and_one_default_subnet_per_az(sim):
    ec2 = sim.client("ec2")
    vpcs = ec2.describe_vpcs()["Vpcs"]
    assert len(vpcs) == 1 and vpcs[0]["IsDefault"] is True and vpcs[0]["CidrBlock"] == "172.31.0.0/16"
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpcs[0]["VpcId"]]}])["Subnets"]
    assert [s["AvailabilityZone"] for s in subnets] == [f"us-east-1{c}" for c in "abcdef"]
    assert [s["CidrBlock"] for s in subnets] == [f"172.31.{16 * i}.0/20" for i in range(6)]
    assert all(s["DefaultForAz"] and s["MapPublicIpOnLaunch"] for s in subnets)
    assert [s["AvailabilityZoneId"] for s in subnets] == [f"use1-az{i}" for i in range(1, 7)]
    assert subnets[0]["AvailableIpAddressCount"] == 4091
    only_b = ec2.describe_subnets(Filters=[{"Name": "availability-zone", "Values": ["us-east-1b"]},
                                           {"Name": "default-for-az", "Values": ["true"]}])["Subnets"]
    assert [s["CidrBlock"] for s in only_b] == ["172.31.16.0/20"]
    by_id = ec2.describe_subnets(SubnetIds=[subnets[2]["SubnetId"]])["Subnets"]
    assert by_id[0]["AvailabilityZone"] == "us-east-1c"


def test_availability_zones(sim):
    zones = sim.client("ec2").describe_availability_zones()["AvailabilityZones"]
    assert [(z["ZoneName"], z["ZoneId"]) for z in zones][:2] == [("us-east-1a", "use1-az1"), ("us-east-1b", "use1-az2")]
    assert len(zones) == 6 and all(z["State"] == "available" for z in zones)
    one = sim.client("ec2").describe_availability_zones(ZoneNames=["us-east-1f"])["AvailabilityZones"]
    assert [z["ZoneId"] for z in one] == ["use1-az6"]


def test_default_ids_do_not_depend_on_when_ec2_is_first_used():
    a = Simulator(seed=3)
    a.client("ecs").create_cluster(clusterName="x")
    vpc_a = a.client("ec2").describe_vpcs()["Vpcs"][0]["VpcId"]
    b = Simulator(seed=3)
    vpc_b = b.client("ec2").describe_vpcs()["Vpcs"][0]["VpcId"]
    b.client("ecs").create_cluster(clusterName="x")
    assert vpc_a == vpc_b
    assert a.client("ecs").describe_clusters(clusters=["x"])["clusters"][0]["clusterArn"] == \
        b.client("ecs").describe_clusters(clusters=["x"])["clusters"][0]["clusterArn"]


def test_describe_images_amazon_amis(sim):
    ec2 = sim.client("ec2")
    images = ec2.describe_images(Owners=["amazon"])["Images"]
    names = {i["Name"]: i for i in images}
    assert any("ecs" in n and n.endswith("x86_64") and n.startswith("al2023") for n in names)
    assert any("ecs" in n and n.endswith("arm64") for n in names)
    assert any(n.startswith("amzn2-ami-ecs") for n in names)
    assert any(n.startswith("al2023-ami-2023") for n in names)  # plain AL2023, no agent
    arm = image_by_name(sim, "al2023-ami-ecs-*arm64")
    assert arm["Architecture"] == "arm64"
    assert ec2.describe_images(ImageIds=[arm["ImageId"]])["Images"][0]["Name"] == arm["Name"]
    with pytest.raises(ClientError) as info:
        ec2.describe_images(ImageIds=["ami-0123456789abcdef0"])
    assert err(info)[0] == "InvalidAMIID.NotFound"


def test_ssm_parameter_points_at_the_ecs_ami(sim):
    ami = ecs_ami(sim)
    img = sim.client("ec2").describe_images(ImageIds=[ami])["Images"][0]
    assert img["Architecture"] == "x86_64" and "ecs" in img["Name"]
    arm = ecs_ami(sim, "amazon-linux-2023/arm64/recommended/image_id")
    assert sim.client("ec2").describe_images(ImageIds=[arm])["Images"][0]["Architecture"] == "arm64"


# --- instance types ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "vcpus", "mib", "arch"), [
    ("t3.nano", 2, 512, "x86_64"), ("t3.micro", 2, 1024, "x86_64"), ("t3.2xlarge", 8, 32768, "x86_64"),
    ("m5.large", 2, 8192, "x86_64"), ("m5.xlarge", 4, 16384, "x86_64"), ("m5.24xlarge", 96, 393216, "x86_64"),
    ("c5.large", 2, 4096, "x86_64"), ("c5.9xlarge", 36, 73728, "x86_64"), ("c5.18xlarge", 72, 147456, "x86_64"),
    ("r5.large", 2, 16384, "x86_64"), ("r5.24xlarge", 96, 786432, "x86_64"),
    ("m6g.medium", 1, 4096, "arm64"), ("m6g.16xlarge", 64, 262144, "arm64"),
])
def test_instance_types_have_real_figures(sim, name, vcpus, mib, arch):
    info = sim.client("ec2").describe_instance_types(InstanceTypes=[name])["InstanceTypes"][0]
    assert info["VCpuInfo"]["DefaultVCpus"] == vcpus
    assert info["MemoryInfo"]["SizeInMiB"] == mib
    assert info["ProcessorInfo"]["SupportedArchitectures"] == [arch]


def test_every_size_of_the_required_families_exists():
    for family, sizes in {
        "t3": ["nano", "micro", "small", "medium", "large", "xlarge", "2xlarge"],
        "m5": ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"],
        "c5": ["large", "xlarge", "2xlarge", "4xlarge", "9xlarge", "12xlarge", "18xlarge", "24xlarge"],
        "r5": ["large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge", "24xlarge"],
        "m6g": ["medium", "large", "xlarge", "2xlarge", "4xlarge", "8xlarge", "12xlarge", "16xlarge"],
    }.items():
        for size in sizes:
            assert f"{family}.{size}" in INSTANCE_TYPES


def test_describe_instance_types_filters_and_errors(sim):
    ec2 = sim.client("ec2")
    arm = ec2.describe_instance_types(Filters=[{"Name": "processor-info.supported-architecture",
                                                "Values": ["arm64"]}])["InstanceTypes"]
    assert arm and all(t["ProcessorInfo"]["SupportedArchitectures"] == ["arm64"] for t in arm)
    m5 = ec2.describe_instance_types(Filters=[{"Name": "instance-type", "Values": ["m5.*"]}])["InstanceTypes"]
    assert {t["InstanceType"] for t in m5} >= {"m5.large", "m5.24xlarge"}
    with pytest.raises(ClientError) as info:
        ec2.describe_instance_types(InstanceTypes=["t3.gigantic"])
    assert err(info) == ("InvalidInstanceType", "The following supplied instance types do not exist: [t3.gigantic]")
    page = ec2.describe_instance_types(MaxResults=5)
    assert len(page["InstanceTypes"]) == 5 and page["NextToken"]


# --- run_instances ----------------------------------------------------------------------------


def test_run_instances_shape_and_lifecycle(sim):
    inst = launch(sim, Placement={"AvailabilityZone": "us-east-1b"},
                  TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": "web"}]}])
    assert inst["State"] == {"Code": 0, "Name": "pending"}
    assert inst["Placement"]["AvailabilityZone"] == "us-east-1b"
    assert inst["InstanceId"].startswith("i-") and len(inst["InstanceId"]) == 19
    assert inst["PrivateIpAddress"].startswith("172.31.") and "PublicIpAddress" in inst
    assert inst["Tags"] == [{"Key": "Name", "Value": "web"}]
    iid = inst["InstanceId"]
    sim.advance(PENDING_SECONDS - 1)
    assert state(sim, iid) == "pending"
    sim.advance(1)
    assert state(sim, iid) == "running"
    ec2 = sim.client("ec2")
    out = ec2.stop_instances(InstanceIds=[iid])["StoppingInstances"][0]
    assert out["PreviousState"]["Name"] == "running" and out["CurrentState"]["Name"] == "stopping"
    sim.advance(STOPPING_SECONDS)
    assert state(sim, iid) == "stopped"
    described = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    assert "PublicIpAddress" not in described and described["StateReason"]["Code"] == "Client.UserInitiatedShutdown"
    ec2.start_instances(InstanceIds=[iid])
    assert state(sim, iid) == "pending"
    sim.advance(PENDING_SECONDS)
    assert state(sim, iid) == "running"
    out = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]
    assert out["CurrentState"]["Name"] == "shutting-down"
    sim.advance(SHUTTING_DOWN_SECONDS)
    assert state(sim, iid) == "terminated"
    sim.advance(3000)
    assert state(sim, iid) == "terminated"  # still visible for about an hour
    sim.advance(700)
    with pytest.raises(ClientError) as info:
        ec2.describe_instances(InstanceIds=[iid])
    assert err(info)[0] == "InvalidInstanceID.NotFound"


def test_private_ips_are_unique_and_within_the_subnet(sim):
    ec2 = sim.client("ec2")
    resp = ec2.run_instances(ImageId=ecs_ami(sim), InstanceType="t3.nano", MinCount=40, MaxCount=40,
                             Placement={"AvailabilityZone": "us-east-1c"})
    out = resp["Instances"]
    ips = [i["PrivateIpAddress"] for i in out]
    assert len(set(ips)) == 40
    assert all(ip.startswith("172.31.") and 32 <= int(ip.split(".")[2]) < 48 for ip in ips)
    assert resp["ReservationId"].startswith("r-")
    assert [i["AmiLaunchIndex"] for i in out] == list(range(40))
    subnet = ec2.describe_subnets(Filters=[{"Name": "availability-zone", "Values": ["us-east-1c"]}])["Subnets"][0]
    assert subnet["AvailableIpAddressCount"] == 4091 - 40


def test_internal_subnet_api(sim):
    ec2 = sim.backend("ec2")
    subnets = ec2.default_subnets()
    assert [s.availability_zone for s in subnets] == [f"us-east-1{c}" for c in "abcdef"]
    s = ec2._subnet(subnets[1].id)
    assert (s.vpc_id, s.cidr_block, s.map_public_ip_on_launch, s.default_for_az) == \
        (ec2.default_vpc.id, "172.31.16.0/20", True, True)
    ips = {ec2._allocate_private_ip(s.id) for _ in range(100)}
    assert len(ips) == 100
    ip = sorted(ips)[0]
    ec2._release_private_ip(s.id, ip)
    assert ip not in s.used_ips
    with pytest.raises(ClientError) as info:
        ec2._subnet("subnet-nope")
    assert err(info)[0] == "InvalidSubnetID.NotFound"
    assert ec2._instance("i-0000000000000000") is None


def test_user_data_plain_and_base64_are_the_same(sim):
    text = "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n"
    a = launch(sim, UserData=text)["InstanceId"]
    b = launch(sim, UserData=base64.b64encode(text.encode()).decode())["InstanceId"]
    ec2 = sim.backend("ec2")
    assert ec2._instance(a).user_data == text == ec2._instance(b).user_data


def test_run_instances_in_a_subnet(sim):
    subnet = sim.client("ec2").describe_subnets()["Subnets"][4]
    inst = launch(sim, SubnetId=subnet["SubnetId"])
    assert inst["SubnetId"] == subnet["SubnetId"] and inst["Placement"]["AvailabilityZone"] == "us-east-1e"
    with pytest.raises(ClientError) as info:
        launch(sim, SubnetId=subnet["SubnetId"], Placement={"AvailabilityZone": "us-east-1a"})
    assert err(info)[0] == "InvalidParameterValue"


def test_ssm_resolve_in_image_id(sim):
    inst = launch(sim, ImageId="resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")
    assert inst["ImageId"] == ecs_ami(sim)


@pytest.mark.parametrize(("kwargs", "code", "message"), [
    ({"ImageId": "ami-0123456789abcdef0"}, "InvalidAMIID.NotFound", "The image id '[ami-0123456789abcdef0]' does not exist"),
    ({"ImageId": "nope"}, "InvalidAMIID.Malformed", None),
    ({"InstanceType": "t3.huge"}, "InvalidParameterValue", "Invalid value 't3.huge' for InstanceType."),
    ({"SubnetId": "subnet-0123456789abcdef0"}, "InvalidSubnetID.NotFound",
     "The subnet ID 'subnet-0123456789abcdef0' does not exist"),
    ({"Placement": {"AvailabilityZone": "us-east-1z"}}, "InvalidParameterValue", "Invalid availability zone: [us-east-1z]"),
    ({"MinCount": 0}, "InvalidParameterValue", None),
    ({"MinCount": 3, "MaxCount": 2}, "InvalidParameterValue", None),
    ({"InstanceType": "m6g.large"}, "InvalidParameterValue", None),
    ({"TagSpecifications": [{"ResourceType": "instance", "Tags": [{"Key": "aws:x", "Value": "1"}]}]},
     "InvalidParameterValue", None),
])
def test_run_instances_errors(sim, kwargs, code, message):
    with pytest.raises(ClientError) as info:
        launch(sim, **kwargs)
    assert err(info)[0] == code
    if message:
        assert err(info)[1] == message
    assert info.value.operation_name == "RunInstances"


def test_architecture_mismatch_message(sim):
    with pytest.raises(ClientError) as info:
        launch(sim, InstanceType="m6g.large")
    assert "The architecture 'arm64' of the specified instance type does not match the architecture " \
           "'x86_64' of the specified AMI" in err(info)[1]
    arm = ecs_ami(sim, "amazon-linux-2023/arm64/recommended/image_id")
    assert launch(sim, ImageId=arm, InstanceType="m6g.large")["Architecture"] == "arm64"
    with pytest.raises(ClientError):
        launch(sim, ImageId=arm, InstanceType="m5.large")


def test_bad_nested_shapes_are_param_errors(sim):
    with pytest.raises(ParamValidationError):
        launch(sim, Placement={"AvailabilityZone": 5})
    with pytest.raises(ParamValidationError):
        launch(sim, IamInstanceProfile={"Nom": "x"})


def test_state_errors(sim):
    ec2 = sim.client("ec2")
    iid = launch(sim)["InstanceId"]
    with pytest.raises(ClientError) as info:
        ec2.stop_instances(InstanceIds=[iid])  # still pending
    assert err(info) == ("IncorrectInstanceState",
                         f"The instance '{iid}' is not in a state from which it can be stopped.")
    sim.advance(PENDING_SECONDS)
    ec2.terminate_instances(InstanceIds=[iid])
    with pytest.raises(ClientError) as info:
        ec2.start_instances(InstanceIds=[iid])
    assert err(info)[0] == "IncorrectInstanceState"
    # terminating again is a no-op that reports the current state
    again = ec2.terminate_instances(InstanceIds=[iid])["TerminatingInstances"][0]
    assert again["PreviousState"]["Name"] == again["CurrentState"]["Name"] == "shutting-down"
    with pytest.raises(ClientError) as info:
        ec2.terminate_instances(InstanceIds=["i-0123456789abcdef0"])
    assert err(info) == ("InvalidInstanceID.NotFound", "The instance ID 'i-0123456789abcdef0' does not exist")


def test_describe_instances_filters(sim):
    ec2 = sim.client("ec2")
    a = launch(sim, InstanceType="t3.small", Placement={"AvailabilityZone": "us-east-1a"},
               TagSpecifications=[{"ResourceType": "instance", "Tags": [{"Key": "env", "Value": "prod"}]}])
    b = launch(sim, InstanceType="m5.large", Placement={"AvailabilityZone": "us-east-1b"})
    sim.advance(PENDING_SECONDS)
    ec2.stop_instances(InstanceIds=[b["InstanceId"]])

    def ids(filters):
        return sorted(i["InstanceId"] for r in ec2.describe_instances(Filters=filters)["Reservations"]
                      for i in r["Instances"])

    assert ids([{"Name": "tag:env", "Values": ["prod"]}]) == [a["InstanceId"]]
    assert ids([{"Name": "instance-type", "Values": ["m5.*"]}]) == [b["InstanceId"]]
    assert ids([{"Name": "availability-zone", "Values": ["us-east-1a"]}]) == [a["InstanceId"]]
    assert ids([{"Name": "instance-state-name", "Values": ["stopping"]}]) == [b["InstanceId"]]
    assert ids([{"Name": "instance-id", "Values": [a["InstanceId"], b["InstanceId"]]}]) == \
        sorted([a["InstanceId"], b["InstanceId"]])
    with pytest.raises(ClientError) as info:
        ec2.describe_instances(Filters=[{"Name": "colour", "Values": ["red"]}])
    assert err(info) == ("InvalidParameterValue", "The filter 'colour' is invalid")


def test_describe_instance_attribute(sim):
    text = "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n"
    iid = launch(sim, UserData=text, InstanceType="c5.large")["InstanceId"]
    ec2 = sim.client("ec2")
    ud = ec2.describe_instance_attribute(InstanceId=iid, Attribute="userData")["UserData"]["Value"]
    assert base64.b64decode(ud).decode() == text
    assert ec2.describe_instance_attribute(InstanceId=iid, Attribute="instanceType")["InstanceType"] == \
        {"Value": "c5.large"}
    with pytest.raises(ClientError) as info:
        ec2.describe_instance_attribute(InstanceId=iid, Attribute="colour")
    assert err(info)[0] == "InvalidParameterValue"


def test_instance_profile_associations(sim):
    ec2 = sim.client("ec2")
    iid = launch(sim)["InstanceId"]
    assert ec2.describe_iam_instance_profile_associations()["IamInstanceProfileAssociations"] == []
    out = ec2.associate_iam_instance_profile(InstanceId=iid, IamInstanceProfile={"Name": "ecsInstanceRole"})
    assoc = out["IamInstanceProfileAssociation"]
    assert assoc["IamInstanceProfile"]["Arn"] == "arn:aws:iam::123456789012:instance-profile/ecsInstanceRole"
    with pytest.raises(ClientError) as info:
        ec2.associate_iam_instance_profile(InstanceId=iid, IamInstanceProfile={"Name": "ecsInstanceRole"})
    assert err(info)[0] == "IncorrectState"
    listed = ec2.describe_iam_instance_profile_associations(
        Filters=[{"Name": "instance-id", "Values": [iid]}])["IamInstanceProfileAssociations"]
    assert [a["AssociationId"] for a in listed] == [assoc["AssociationId"]]
    ec2.disassociate_iam_instance_profile(AssociationId=assoc["AssociationId"])
    inst = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    assert "IamInstanceProfile" not in inst
    with pytest.raises(ClientError) as info:
        ec2.associate_iam_instance_profile(InstanceId=iid, IamInstanceProfile={"Name": "noSuchProfile"})
    assert err(info)[0] == "InvalidParameterValue"


def test_tags(sim):
    ec2 = sim.client("ec2")
    iid = launch(sim)["InstanceId"]
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    ec2.create_tags(Resources=[iid, subnet], Tags=[{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": "a"}])
    rows = ec2.describe_tags(Filters=[{"Name": "resource-id", "Values": [iid]}])["Tags"]
    assert rows == [{"Key": "env", "ResourceId": iid, "ResourceType": "instance", "Value": "prod"},
                    {"Key": "team", "ResourceId": iid, "ResourceType": "instance", "Value": "a"}]
    assert [r["ResourceId"] for r in ec2.describe_tags(Filters=[{"Name": "key", "Values": ["env"]}])["Tags"]] == \
        [iid, subnet]
    ec2.delete_tags(Resources=[iid], Tags=[{"Key": "env", "Value": "other"}])  # value does not match
    ec2.delete_tags(Resources=[iid], Tags=[{"Key": "team"}])
    inst = ec2.describe_instances(InstanceIds=[iid])["Reservations"][0]["Instances"][0]
    assert inst["Tags"] == [{"Key": "env", "Value": "prod"}]
    with pytest.raises(ClientError) as info:
        ec2.create_tags(Resources=["i-0123456789abcdef0"], Tags=[{"Key": "x", "Value": "y"}])
    assert err(info)[0] == "InvalidInstanceID.NotFound"
