"""Amazon EC2 as far as ECS needs it: the default VPC, Amazon's AMIs, instances and their lifecycle.

The simulated account starts like a real one (DESIGN.md): a default VPC 172.31.0.0/16 with one default
subnet per Availability Zone (us-east-1a … us-east-1f), and Amazon-owned AMIs (ECS-optimized Amazon
Linux 2023 for x86_64 and arm64, ECS-optimized Amazon Linux 2, plain Amazon Linux 2023 without the
agent). Instances move through their states on the simulator clock; the ECS agent
(`ecslearn.sim.agent`) starts on ECS-optimized AMIs once an instance is running.

Timing (simulated seconds): pending → running after `PENDING_SECONDS`; stopping → stopped after
`STOPPING_SECONDS`; shutting-down → terminated after `SHUTTING_DOWN_SECONDS`. Terminated instances
stay visible to DescribeInstances for about an hour, as on AWS.
"""

from __future__ import annotations

import base64
import binascii
import fnmatch
import gzip
import ipaddress
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from ecslearn.errors import NotModelledError
from ecslearn.sim.base import Backend, check_type, operation
from ecslearn.sim.errors import aws_error
from ecslearn.sim.instance_types import INSTANCE_TYPES, InstanceType

PENDING_SECONDS = 10
STOPPING_SECONDS = 20
SHUTTING_DOWN_SECONDS = 20
TERMINATED_VISIBLE_SECONDS = 3600

AZ_LETTERS = "abcdef"
AMAZON_OWNER = "137112412989"  # owner of the Amazon Linux AMIs
ECS_AMI_OWNER = "591542846629"  # owner of the ECS-optimized AMIs

STATE_CODES = {"pending": 0, "running": 16, "shutting-down": 32, "terminated": 48, "stopping": 64,
               "stopped": 80}


@dataclass
class Subnet:
    id: str
    vpc_id: str
    availability_zone: str
    availability_zone_id: str
    cidr_block: str
    map_public_ip_on_launch: bool = True
    default_for_az: bool = True
    arn: str = ""
    tags: list[dict[str, str]] = field(default_factory=list)
    #: private IPs handed out (instances, task ENIs)
    used_ips: set[str] = field(default_factory=set)
    _cursor: int = 0

    @property
    def network(self) -> ipaddress.IPv4Network:
        return ipaddress.IPv4Network(self.cidr_block)

    @property
    def usable(self) -> int:
        """Addresses AWS lets you use: the first four and the last one of each subnet are reserved."""
        return self.network.num_addresses - 5

    def available_ips(self) -> int:
        return self.usable - len(self.used_ips)


@dataclass
class Vpc:
    id: str
    cidr_block: str
    is_default: bool
    dhcp_options_id: str
    default_security_group_id: str
    tags: list[dict[str, str]] = field(default_factory=list)


@dataclass(frozen=True)
class Image:
    id: str
    name: str
    description: str
    architecture: str
    owner_id: str
    creation_date: str
    ecs_optimized: bool
    os: str  # "Amazon Linux 2023" / "Amazon Linux 2"
    agent_version: str | None = None
    agent_hash: str | None = None
    docker_version: str | None = None
    ssm_path: str | None = None  # the public SSM parameter that points at it

    def api(self) -> dict[str, Any]:
        return {
            "Architecture": self.architecture,
            "CreationDate": self.creation_date,
            "ImageId": self.id,
            "ImageLocation": f"amazon/{self.name}",
            "ImageType": "machine",
            "Public": True,
            "OwnerId": self.owner_id,
            "PlatformDetails": "Linux/UNIX",
            "UsageOperation": "RunInstances",
            "State": "available",
            "BlockDeviceMappings": [{"DeviceName": "/dev/xvda", "Ebs": {
                "DeleteOnTermination": True, "SnapshotId": "snap-" + self.id[4:], "VolumeSize": 30,
                "VolumeType": "gp3", "Encrypted": False}}],
            "Description": self.description,
            "EnaSupport": True,
            "Hypervisor": "xen",
            "ImageOwnerAlias": "amazon",
            "Name": self.name,
            "RootDeviceName": "/dev/xvda",
            "RootDeviceType": "ebs",
            "SriovNetSupport": "simple",
            "VirtualizationType": "hvm",
            "BootMode": "uefi-preferred" if self.architecture == "x86_64" else "uefi",
            "ImdsSupport": "v2.0" if "2023" in self.os else None,
        }


def _clean(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}


# Amazon-owned AMIs in us-east-1 (ids are ecslearn's own; names follow Amazon's naming scheme).
_AGENT_VERSION = "1.89.0"
_AGENT_HASH = "d1e3a8b5"
IMAGES: tuple[Image, ...] = (
    Image("ami-0e2a9c7d51f3b8a64", "al2023-ami-ecs-hvm-2023.0.20250110-kernel-6.1-x86_64",
          "Amazon Linux AMI 2023.0.20250110 x86_64 ECS HVM EBS", "x86_64", ECS_AMI_OWNER,
          "2025-01-10T21:04:31.000Z", True, "Amazon Linux 2023", _AGENT_VERSION, _AGENT_HASH,
          "DockerVersion: 25.0.8", "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended"),
    Image("ami-07c4f1b2e9d08a3c5", "al2023-ami-ecs-hvm-2023.0.20250110-kernel-6.1-arm64",
          "Amazon Linux AMI 2023.0.20250110 arm64 ECS HVM EBS", "arm64", ECS_AMI_OWNER,
          "2025-01-10T21:05:12.000Z", True, "Amazon Linux 2023", _AGENT_VERSION, _AGENT_HASH,
          "DockerVersion: 25.0.8", "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended"),
    Image("ami-0a5f3e8c21b7d9046", "amzn2-ami-ecs-hvm-2.0.20250110-x86_64-ebs",
          "Amazon Linux AMI 2.0.20250110 x86_64 ECS HVM GP2", "x86_64", ECS_AMI_OWNER,
          "2025-01-10T20:58:40.000Z", True, "Amazon Linux 2", _AGENT_VERSION, _AGENT_HASH,
          "DockerVersion: 20.10.25", "/aws/service/ecs/optimized-ami/amazon-linux-2/recommended"),
    Image("ami-0d4c19e7a3b58f216", "amzn2-ami-ecs-hvm-2.0.20250110-arm64-ebs",
          "Amazon Linux AMI 2.0.20250110 arm64 ECS HVM GP2", "arm64", ECS_AMI_OWNER,
          "2025-01-10T20:59:31.000Z", True, "Amazon Linux 2", _AGENT_VERSION, _AGENT_HASH,
          "DockerVersion: 20.10.25", "/aws/service/ecs/optimized-ami/amazon-linux-2/arm64/recommended"),
    Image("ami-0b8d6a4f3c9e12d57", "al2023-ami-2023.6.20250107.0-kernel-6.1-x86_64",
          "Amazon Linux 2023 AMI 2023.6.20250107.0 x86_64 HVM kernel-6.1", "x86_64", AMAZON_OWNER,
          "2025-01-07T18:22:05.000Z", False, "Amazon Linux 2023",
          ssm_path="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"),
    Image("ami-03f7b2d9e6a1c4085", "al2023-ami-2023.6.20250107.0-kernel-6.1-arm64",
          "Amazon Linux 2023 AMI 2023.6.20250107.0 arm64 HVM kernel-6.1", "arm64", AMAZON_OWNER,
          "2025-01-07T18:23:44.000Z", False, "Amazon Linux 2023",
          ssm_path="/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"),
    Image("ami-0f1e2d3c4b5a69788", "amzn2-ami-kernel-5.10-hvm-2.0.20250108.0-x86_64-gp2",
          "Amazon Linux 2 Kernel 5.10 AMI 2.0.20250108.0 x86_64 HVM gp2", "x86_64", AMAZON_OWNER,
          "2025-01-08T19:41:12.000Z", False, "Amazon Linux 2",
          ssm_path="/aws/service/ami-amazon-linux-latest/amzn2-ami-kernel-5.10-hvm-x86_64-gp2"),
)


@dataclass
class Instance:
    id: str
    reservation_id: str
    image: Image
    type: InstanceType
    subnet: Subnet
    private_ip: str
    launch_time: datetime
    launch_index: int
    user_data: str | None  # decoded text
    iam_instance_profile: dict[str, str] | None  # {"Arn", "Id"} as DescribeInstances shows it
    security_group_ids: list[str]
    key_name: str | None = None
    state: str = "pending"
    state_transition_reason: str = ""
    state_reason: dict[str, str] | None = None
    public_ip: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)
    client_token: str = ""
    terminated_at: datetime | None = None
    #: the pending state-change event (an EventHandle)
    next_event: Any = None
    #: the ECS agent's state on this instance (`ecslearn.sim.agent.AgentState`), None without an agent
    agent: Any = None

    @property
    def availability_zone(self) -> str:
        return self.subnet.availability_zone

    @property
    def vpc_id(self) -> str:
        return self.subnet.vpc_id

    @property
    def profile_name(self) -> str | None:
        if not self.iam_instance_profile:
            return None
        return self.iam_instance_profile["Arn"].rsplit("/", 1)[-1]

    def private_dns(self) -> str:
        return "ip-" + self.private_ip.replace(".", "-") + ".ec2.internal"


def _matches(value: Any, patterns: list[str]) -> bool:
    """EC2 filter values: any pattern matches; `*` and `?` are wildcards."""
    text = str(value).lower() if isinstance(value, bool) else str(value)
    return any(fnmatch.fnmatchcase(text, str(p)) for p in patterns)


def decode_user_data(raw: str) -> str:
    """UserData as the instance sees it: base64 (as boto3 and the CLI send it) or plain text; gzip allowed."""
    data: bytes | None = None
    stripped = "".join(raw.split())
    if stripped and len(stripped) % 4 == 0:
        try:
            data = base64.b64decode(stripped, validate=True)
        except (binascii.Error, ValueError):
            data = None
    if data is not None:
        if data[:2] == b"\x1f\x8b":
            try:
                data = gzip.decompress(data)
            except (OSError, EOFError):
                return raw
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return raw
        if all(ch.isprintable() or ch in "\n\r\t" for ch in text):
            return text
    return raw


class Ec2Backend(Backend):
    """Amazon EC2: VPCs, subnets, AZs, AMIs, instance types and instances."""

    service_name = "ec2"

    def __init__(self, sim) -> None:  # type: ignore[no-untyped-def]
        super().__init__(sim)
        # default-resource ids come from their own RNG so that creating this backend early or late
        # never shifts the ids of anything else
        rng = random.Random(f"ec2-defaults:{sim.seed}")

        def rid(prefix: str) -> str:
            return f"{prefix}-{rng.getrandbits(68):017x}"

        self.vpcs: dict[str, Vpc] = {}
        self.subnets: dict[str, Subnet] = {}
        self.images: dict[str, Image] = {img.id: img for img in IMAGES}
        self.instances: dict[str, Instance] = {}
        vpc = Vpc(rid("vpc"), "172.31.0.0/16", True, rid("dopt"), rid("sg"))
        self.vpcs[vpc.id] = vpc
        self.default_vpc = vpc
        for i, letter in enumerate(AZ_LETTERS):
            sid = rid("subnet")
            self.subnets[sid] = Subnet(
                id=sid, vpc_id=vpc.id, availability_zone=f"{self.region}{letter}",
                availability_zone_id=f"{self._az_id_prefix()}-az{i + 1}", cidr_block=f"172.31.{16 * i}.0/20",
                arn=f"arn:aws:ec2:{self.region}:{self.account_id}:subnet/{sid}")
        self._public_ip_counter = 0
        self._public_rng = random.Random(f"ec2-public-ips:{sim.seed}")

    def _az_id_prefix(self) -> str:
        parts = self.region.split("-")  # us-east-1 → use1
        return parts[0] + "".join(p[0] for p in parts[1:-1]) + parts[-1]

    # --- internal API for other backends ---------------------------------------------------

    def _subnet(self, subnet_id: str) -> Subnet:
        """The subnet with this id, or InvalidSubnetID.NotFound."""
        found = self.subnets.get(subnet_id) if isinstance(subnet_id, str) else None
        if found is None:
            raise aws_error("InvalidSubnetID.NotFound", f"The subnet ID '{subnet_id}' does not exist")
        return found

    def default_subnets(self) -> list[Subnet]:
        """The default subnets, in AZ order (us-east-1a first)."""
        return sorted((s for s in self.subnets.values() if s.default_for_az),
                      key=lambda s: s.availability_zone)

    def _subnet_for_az(self, az: str) -> Subnet | None:
        return next((s for s in self.default_subnets() if s.availability_zone == az), None)

    def _subnet_has_nat_route(self, subnet_id: str) -> bool:
        """Whether a subnet reaches the internet through a NAT gateway: never, in ecslearn.

        The default subnets route 0.0.0.0/0 to the VPC's internet gateway, so only resources with a
        public IP reach the internet (and public registries); NAT gateways are not modelled.
        """
        return False

    def _allocate_private_ip(self, subnet_id: str) -> str:
        """A free private IP of the subnet: deterministic, never handed out twice until released.

        Addresses are visited in a fixed scattered order (a stride through the subnet), so they look
        like real ones (172.31.23.145) yet depend only on the order of allocations.
        """
        subnet = self._subnet(subnet_id)
        net = subnet.network
        size = subnet.usable
        if size <= 0 or len(subnet.used_ips) >= size:
            raise aws_error("InsufficientFreeAddressesInSubnet",
                            f"There are not enough free addresses in subnet '{subnet_id}' to satisfy the "
                            "requested number of instances.")
        stride = 1
        for candidate in (1009, 997, 991, 983, 7, 3, 1):
            if size % candidate and _gcd(candidate, size) == 1:
                stride = candidate
                break
        base = net.network_address
        while True:
            offset = 4 + (subnet._cursor * stride + 37) % size
            subnet._cursor += 1
            ip = str(base + offset)
            if ip not in subnet.used_ips:
                subnet.used_ips.add(ip)
                return ip

    def _release_private_ip(self, subnet_id: str, ip: str) -> None:
        subnet = self.subnets.get(subnet_id)
        if subnet is not None:
            subnet.used_ips.discard(ip)

    def _instance(self, instance_id: str) -> Instance | None:
        inst = self.instances.get(instance_id) if isinstance(instance_id, str) else None
        if inst is not None and self._expired(inst):
            return None
        return inst

    def _image(self, image_id: str) -> Image | None:
        return self.images.get(image_id)

    def _expired(self, inst: Instance) -> bool:
        return inst.state == "terminated" and inst.terminated_at is not None and \
            self.sim.now - inst.terminated_at > timedelta(seconds=TERMINATED_VISIBLE_SECONDS)

    def _new_public_ip(self) -> str:
        self._public_ip_counter += 1
        first = self._public_rng.choice((3, 18, 34, 44, 52, 54, 100, 107))
        return f"{first}.{self._public_rng.randrange(1, 255)}.{self._public_rng.randrange(0, 256)}." \
               f"{self._public_rng.randrange(1, 255)}"

    # --- lifecycle ---------------------------------------------------------------------------

    def _agent(self):  # type: ignore[no-untyped-def]
        from ecslearn.sim import agent

        return agent

    def _set_state(self, inst: Instance, state: str) -> None:
        inst.state = state

    def _became_running(self, inst: Instance) -> None:
        inst.next_event = None
        if inst.state != "pending":
            return
        self._set_state(inst, "running")
        self._agent().on_instance_running(self.sim, inst)

    def _became_stopped(self, inst: Instance) -> None:
        inst.next_event = None
        if inst.state != "stopping":
            return
        self._set_state(inst, "stopped")
        inst.public_ip = None
        self._agent().on_instance_down(self.sim, inst, terminated=False)

    def _became_terminated(self, inst: Instance) -> None:
        inst.next_event = None
        if inst.state != "shutting-down":
            return
        self._set_state(inst, "terminated")
        inst.terminated_at = self.sim.now
        inst.public_ip = None
        self._release_private_ip(inst.subnet.id, inst.private_ip)
        self._agent().on_instance_down(self.sim, inst, terminated=True)

    # --- response shapes ----------------------------------------------------------------------

    def _state_api(self, state: str) -> dict[str, Any]:
        return {"Code": STATE_CODES[state], "Name": state}

    def _instance_api(self, inst: Instance) -> dict[str, Any]:
        running_like = inst.state not in ("terminated",)
        out: dict[str, Any] = {
            "AmiLaunchIndex": inst.launch_index,
            "ImageId": inst.image.id,
            "InstanceId": inst.id,
            "InstanceType": inst.type.name,
            "LaunchTime": inst.launch_time,
            "Monitoring": {"State": "disabled"},
            "Placement": {"AvailabilityZone": inst.availability_zone, "GroupName": "", "Tenancy": "default"},
            "PrivateDnsName": inst.private_dns() if running_like else "",
            "ProductCodes": [],
            "PublicDnsName": "",
            "State": self._state_api(inst.state),
            "StateTransitionReason": inst.state_transition_reason,
            "Architecture": inst.image.architecture,
            "BlockDeviceMappings": [],
            "ClientToken": inst.client_token,
            "EbsOptimized": False,
            "EnaSupport": True,
            "Hypervisor": "xen" if inst.type.family == "t2" else "nitro",
            "NetworkInterfaces": [],
            "RootDeviceName": "/dev/xvda",
            "RootDeviceType": "ebs",
            "SecurityGroups": [],
            "SourceDestCheck": True,
            "VirtualizationType": "hvm",
            "CpuOptions": {"CoreCount": inst.type.cores, "ThreadsPerCore": inst.type.threads_per_core},
            "PlatformDetails": "Linux/UNIX",
            "UsageOperation": "RunInstances",
            "MetadataOptions": {"State": "applied", "HttpTokens": "required", "HttpPutResponseHopLimit": 2,
                                "HttpEndpoint": "enabled"},
        }
        if inst.key_name:
            out["KeyName"] = inst.key_name
        if running_like:
            groups = [{"GroupId": g, "GroupName": "default" if g == self.default_vpc.default_security_group_id
                       else g} for g in inst.security_group_ids]
            out["PrivateIpAddress"] = inst.private_ip
            out["SubnetId"] = inst.subnet.id
            out["VpcId"] = inst.vpc_id
            out["SecurityGroups"] = groups
            eni = {
                "Attachment": {"AttachTime": inst.launch_time, "AttachmentId": "eni-attach-" + inst.id[2:],
                               "DeleteOnTermination": True, "DeviceIndex": 0, "Status": "attached",
                               "NetworkCardIndex": 0},
                "Description": "", "Groups": groups, "Ipv6Addresses": [],
                "MacAddress": ":".join(inst.id[2 + 2 * i:4 + 2 * i] for i in range(6)),
                "NetworkInterfaceId": "eni-" + inst.id[2:], "OwnerId": self.account_id,
                "PrivateDnsName": inst.private_dns(), "PrivateIpAddress": inst.private_ip,
                "PrivateIpAddresses": [{"Primary": True, "PrivateDnsName": inst.private_dns(),
                                        "PrivateIpAddress": inst.private_ip}],
                "SourceDestCheck": True, "Status": "in-use", "SubnetId": inst.subnet.id,
                "VpcId": inst.vpc_id, "InterfaceType": "interface",
            }
            if inst.public_ip:
                eni["Association"] = {"IpOwnerId": "amazon", "PublicDnsName": "", "PublicIp": inst.public_ip}
            out["NetworkInterfaces"] = [eni]
            out["BlockDeviceMappings"] = [{"DeviceName": "/dev/xvda", "Ebs": {
                "AttachTime": inst.launch_time, "DeleteOnTermination": True, "Status": "attached",
                "VolumeId": "vol-" + inst.id[2:]}}]
        if inst.public_ip:
            out["PublicIpAddress"] = inst.public_ip
        if inst.iam_instance_profile:
            out["IamInstanceProfile"] = dict(inst.iam_instance_profile)
        if inst.tags:
            out["Tags"] = [dict(t) for t in inst.tags]
        if inst.state_reason:
            out["StateReason"] = dict(inst.state_reason)
        return out

    # --- operations: instances ----------------------------------------------------------------

    @operation
    def run_instances(self, MinCount: int, MaxCount: int, ImageId: str | None = None,
                      InstanceType: str | None = None, SubnetId: str | None = None,
                      Placement: dict | None = None, UserData: str | None = None,
                      IamInstanceProfile: dict | None = None, TagSpecifications: list | None = None,
                      SecurityGroupIds: list | None = None, SecurityGroups: list | None = None,
                      KeyName: str | None = None, ClientToken: str | None = None,
                      Monitoring: dict | None = None, MetadataOptions: dict | None = None,
                      EbsOptimized: bool | None = None, DryRun: bool | None = None,
                      BlockDeviceMappings: list | None = None,
                      LaunchTemplate: dict | None = None) -> dict[str, Any]:
        """Launch instances: pending now, running after a few seconds; the ECS agent starts on ECS AMIs.

        Not modelled: launch templates, network-interface specifications, Spot options, placement
        groups, dedicated tenancy, instance-count limits, EBS volume settings (accepted, not used),
        security groups beyond their ids, key pairs beyond the name.
        """
        if LaunchTemplate is not None:
            raise NotModelledError("the LaunchTemplate parameter of RunInstances", operation_name="RunInstances")
        if DryRun:
            raise aws_error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
        if MinCount < 1:
            raise aws_error("InvalidParameterValue", f"Invalid value '{MinCount}' for minCount. "
                            "Must be greater than 0.")
        if MaxCount < MinCount:
            raise aws_error("InvalidParameterValue", "The maximum count must be greater than or equal to "
                            "the minimum count.")
        if ImageId is None:
            raise aws_error("MissingParameter", "The request must contain the parameter ImageId")
        image = self._resolve_image(ImageId)
        type_name = InstanceType or "m1.small"
        itype = INSTANCE_TYPES.get(type_name)
        if itype is None:
            raise aws_error("InvalidParameterValue", f"Invalid value '{type_name}' for InstanceType.")
        if itype.architecture != image.architecture:
            raise aws_error(
                "InvalidParameterValue",
                f"The architecture '{itype.architecture}' of the specified instance type does not match the "
                f"architecture '{image.architecture}' of the specified AMI. Specify an instance type and an "
                "AMI that have matching architectures, and try again. You can use 'describe-instance-types' "
                "or 'describe-images' to discover the architecture of the instance type or AMI.")
        subnet = self._choose_subnet(SubnetId, Placement)
        profile = self._resolve_profile(IamInstanceProfile)
        tags = self._instance_tags(TagSpecifications)
        groups = self._security_groups(SecurityGroupIds, SecurityGroups)
        user_data = None
        if UserData is not None:
            user_data = decode_user_data(UserData)
        if KeyName is not None and not KeyName:
            raise aws_error("InvalidKeyPair.NotFound", "The key pair '' does not exist")
        count = MaxCount
        if subnet.available_ips() < MinCount:
            raise aws_error("InsufficientFreeAddressesInSubnet",
                            f"There are not enough free addresses in subnet '{subnet.id}' to satisfy the "
                            "requested number of instances.")
        count = min(count, subnet.available_ips())
        reservation_id = "r-" + self.sim.new_hex(17)
        launched: list[Instance] = []
        for index in range(count):
            inst = Instance(
                id="i-" + self.sim.new_hex(17), reservation_id=reservation_id, image=image, type=itype,
                subnet=subnet, private_ip=self._allocate_private_ip(subnet.id), launch_time=self.sim.now,
                launch_index=index, user_data=user_data, iam_instance_profile=profile,
                security_group_ids=groups, key_name=KeyName, tags=[dict(t) for t in tags],
                client_token=ClientToken or "")
            if subnet.map_public_ip_on_launch:
                inst.public_ip = self._new_public_ip()
            self.instances[inst.id] = inst
            self._agent().on_instance_launched(self.sim, inst)
            inst.next_event = self.sim.schedule(PENDING_SECONDS, lambda i=inst: self._became_running(i),
                                                name=f"ec2 {inst.id} running")
            launched.append(inst)
        return {"Groups": [], "Instances": [self._instance_api(i) for i in launched],
                "OwnerId": self.account_id, "ReservationId": reservation_id}

    def _resolve_image(self, image_id: str) -> Image:
        if image_id.startswith("resolve:ssm:"):
            name = image_id[len("resolve:ssm:"):]
            param = self.sim.backend("ssm")._parameter(name)  # type: ignore[attr-defined]
            if param is None:
                raise aws_error("InvalidParameterValue",
                                f"Error resolving SSM parameter {name}: parameter not found.")
            image_id = param.value
        if not image_id.startswith("ami-") or len(image_id) < 12:
            raise aws_error("InvalidAMIID.Malformed", f'Invalid id: "{image_id}" (expecting "ami-...")')
        image = self.images.get(image_id)
        if image is None:
            raise aws_error("InvalidAMIID.NotFound", f"The image id '[{image_id}]' does not exist")
        return image

    def _choose_subnet(self, subnet_id: str | None, placement: dict | None) -> Subnet:
        az = None
        if placement is not None:
            for key, value in placement.items():
                if key == "AvailabilityZone":
                    az = check_type("Placement.AvailabilityZone", value, str)
                elif key == "Tenancy":
                    if check_type("Placement.Tenancy", value, str) != "default":
                        raise NotModelledError("dedicated tenancy", operation_name="RunInstances")
                elif key in ("GroupName", "AvailabilityZoneId", "HostId", "Affinity", "PartitionNumber",
                             "HostResourceGroupArn", "GroupId", "SpreadDomain"):
                    if value:
                        raise NotModelledError(f"Placement.{key} in RunInstances", operation_name="RunInstances")
                else:
                    from ecslearn.errors import ParamValidationError

                    raise ParamValidationError(f'Unknown parameter in Placement: "{key}", must be one of: '
                                               "AvailabilityZone, Affinity, GroupName, PartitionNumber, "
                                               "HostId, Tenancy, SpreadDomain, HostResourceGroupArn, GroupId")
        if subnet_id is not None:
            subnet = self._subnet(subnet_id)
            if az is not None and az != subnet.availability_zone:
                raise aws_error("InvalidParameterValue",
                                f"Value ({az}) for parameter availabilityZone is invalid. Subnet "
                                f"'{subnet.id}' is in the availability zone {subnet.availability_zone}")
            return subnet
        if az is not None:
            subnet = self._subnet_for_az(az)
            if subnet is None:
                raise aws_error("InvalidParameterValue", f"Invalid availability zone: [{az}]")
            return subnet
        return self.default_subnets()[0]

    def _resolve_profile(self, spec: dict | None) -> dict[str, str] | None:
        if spec is None:
            return None
        for key in spec:
            if key not in ("Arn", "Name"):
                from ecslearn.errors import ParamValidationError

                raise ParamValidationError(f'Unknown parameter in IamInstanceProfile: "{key}", must be one '
                                           "of: Arn, Name")
        arn = spec.get("Arn")
        name = spec.get("Name")
        if arn is not None:
            check_type("IamInstanceProfile.Arn", arn, str)
            if ":instance-profile/" not in arn:
                raise aws_error("InvalidParameterValue",
                                f"Value ({arn}) for parameter iamInstanceProfile.arn is invalid. Invalid IAM "
                                "Instance Profile ARN")
            name = arn.rsplit("/", 1)[-1]
        elif name is not None:
            check_type("IamInstanceProfile.Name", name, str)
            arn = f"arn:aws:iam::{self.account_id}:instance-profile/{name}"
        else:
            return None
        if not name:
            raise aws_error("InvalidParameterValue",
                            "Value () for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance "
                            "Profile name")
        found = self._iam_profile(name if spec.get("Arn") is None else arn)
        if found is False:
            kind = "arn" if spec.get("Arn") is not None else "name"
            value = spec.get("Arn") if kind == "arn" else name
            raise aws_error("InvalidParameterValue",
                            f"Value ({value}) for parameter iamInstanceProfile.{kind} is invalid. Invalid IAM "
                            f"Instance Profile {'ARN' if kind == 'arn' else 'name'}")
        if found not in (None, False) and getattr(found, "id", None):
            return {"Arn": found.arn, "Id": found.id}
        pid = "AIPA" + "".join(ch for ch in name.upper() if ch.isalnum())[:8].ljust(8, "X") + "EXAMPLE1"
        return {"Arn": arn, "Id": pid[:21]}

    def _iam_profile(self, name_or_arn: str) -> Any:
        """The iam backend's instance profile, False when IAM says it does not exist, None without IAM."""
        try:
            iam = self.sim.backend("iam")
        except NotModelledError:
            return None
        probe = getattr(iam, "_profile", None)
        if probe is None:
            return None
        found = probe(name_or_arn)
        return False if found is None else found

    def _instance_tags(self, specs: list | None) -> list[dict[str, str]]:
        tags: list[dict[str, str]] = []
        for i, spec in enumerate(specs or []):
            check_type(f"TagSpecifications[{i}]", spec, dict)
            rtype = spec.get("ResourceType")
            if rtype not in ("instance", "volume", "network-interface"):
                raise aws_error("InvalidParameterValue",
                                f"'{rtype}' is not a valid taggable resource type for this operation.")
            for j, tag in enumerate(check_type(f"TagSpecifications[{i}].Tags", spec.get("Tags", []),
                                               (list, tuple))):
                check_type(f"TagSpecifications[{i}].Tags[{j}]", tag, dict)
                key = check_type(f"TagSpecifications[{i}].Tags[{j}].Key", tag.get("Key", ""), str)
                value = check_type(f"TagSpecifications[{i}].Tags[{j}].Value", tag.get("Value", ""), str)
                if not key or len(key) > 128:
                    raise aws_error("InvalidParameterValue", "Tag keys must be between 1 and 128 characters.")
                if key.lower().startswith("aws:"):
                    raise aws_error("InvalidParameterValue",
                                    "Tag keys starting with 'aws:' are reserved for internal use")
                if rtype == "instance":
                    tags = [t for t in tags if t["Key"] != key] + [{"Key": key, "Value": value}]
        return tags

    def _security_groups(self, ids: list | None, names: list | None) -> list[str]:
        out: list[str] = []
        for i, gid in enumerate(ids or []):
            check_type(f"SecurityGroupIds[{i}]", gid, str)
            if not gid.startswith("sg-"):
                raise aws_error("InvalidGroupId.Malformed", f'Invalid id: "{gid}" (expecting "sg-...")')
            out.append(gid)
        for i, name in enumerate(names or []):
            check_type(f"SecurityGroups[{i}]", name, str)
            if name != "default":
                raise aws_error("InvalidGroup.NotFound",
                                f"The security group '{name}' does not exist in default VPC "
                                f"'{self.default_vpc.id}'")
            out.append(self.default_vpc.default_security_group_id)
        return out or [self.default_vpc.default_security_group_id]

    def _instances_by_ids(self, ids: list) -> list[Instance]:
        found, missing = [], []
        for i, iid in enumerate(ids):
            check_type(f"InstanceIds[{i}]", iid, str)
            if not iid.startswith("i-") or len(iid) < 10:
                raise aws_error("InvalidInstanceID.Malformed", f'Invalid id: "{iid}"')
            inst = self._instance(iid)
            if inst is None:
                missing.append(iid)
            else:
                found.append(inst)
        if missing:
            if len(missing) == 1:
                raise aws_error("InvalidInstanceID.NotFound", f"The instance ID '{missing[0]}' does not exist")
            raise aws_error("InvalidInstanceID.NotFound",
                            f"The instance IDs '{', '.join(missing)}' do not exist")
        return found

    def _change(self, inst: Instance, previous: str) -> dict[str, Any]:
        return {"InstanceId": inst.id, "CurrentState": self._state_api(inst.state),
                "PreviousState": self._state_api(previous)}

    def _cancel_next(self, inst: Instance) -> None:
        if inst.next_event is not None:
            inst.next_event.cancel()
            inst.next_event = None

    @operation
    def terminate_instances(self, InstanceIds: list, DryRun: bool | None = None) -> dict[str, Any]:
        """Terminate instances: shutting-down now, terminated after a few seconds; ECS deregisters running ones.

        Not modelled: termination protection, instance-initiated shutdown behaviour.
        """
        if DryRun:
            raise aws_error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
        changes = []
        for inst in self._instances_by_ids(InstanceIds):
            previous = inst.state
            if previous not in ("shutting-down", "terminated"):
                self._cancel_next(inst)
                inst.state = "shutting-down"
                inst.state_transition_reason = f"User initiated ({self.sim.now:%Y-%m-%d %H:%M:%S} GMT)"
                inst.state_reason = {"Code": "Client.UserInitiatedShutdown",
                                     "Message": "Client.UserInitiatedShutdown: User initiated shutdown"}
                self._agent().on_instance_shutting_down(self.sim, inst)
                inst.next_event = self.sim.schedule(SHUTTING_DOWN_SECONDS,
                                                    lambda i=inst: self._became_terminated(i),
                                                    name=f"ec2 {inst.id} terminated")
            changes.append(self._change(inst, previous))
        return {"TerminatingInstances": changes}

    @operation
    def stop_instances(self, InstanceIds: list, Force: bool | None = None, Hibernate: bool | None = None,
                       DryRun: bool | None = None) -> dict[str, Any]:
        """Stop running instances: stopping now, stopped after a few seconds; ECS sees the agent disconnect.

        Not modelled: hibernation.
        """
        if Hibernate:
            raise NotModelledError("hibernation", operation_name="StopInstances")
        if DryRun:
            raise aws_error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
        instances = self._instances_by_ids(InstanceIds)
        for inst in instances:
            if inst.state not in ("running", "stopping", "stopped"):
                raise aws_error("IncorrectInstanceState",
                                f"The instance '{inst.id}' is not in a state from which it can be stopped.")
        changes = []
        for inst in instances:
            previous = inst.state
            if previous == "running":
                self._cancel_next(inst)
                inst.state = "stopping"
                inst.state_transition_reason = f"User initiated ({self.sim.now:%Y-%m-%d %H:%M:%S} GMT)"
                inst.state_reason = {"Code": "Client.UserInitiatedShutdown",
                                     "Message": "Client.UserInitiatedShutdown: User initiated shutdown"}
                self._agent().on_instance_shutting_down(self.sim, inst)
                inst.next_event = self.sim.schedule(STOPPING_SECONDS, lambda i=inst: self._became_stopped(i),
                                                    name=f"ec2 {inst.id} stopped")
            changes.append(self._change(inst, previous))
        return {"StoppingInstances": changes}

    @operation
    def start_instances(self, InstanceIds: list, DryRun: bool | None = None,
                        AdditionalInfo: str | None = None) -> dict[str, Any]:
        """Start stopped instances: pending now, running after a few seconds; the agent reconnects."""
        if DryRun:
            raise aws_error("DryRunOperation", "Request would have succeeded, but DryRun flag is set.")
        instances = self._instances_by_ids(InstanceIds)
        for inst in instances:
            if inst.state not in ("stopped", "pending", "running"):
                raise aws_error("IncorrectInstanceState",
                                f"The instance '{inst.id}' is not in a state from which it can be started.")
        changes = []
        for inst in instances:
            previous = inst.state
            if previous == "stopped":
                inst.state = "pending"
                inst.state_transition_reason = ""
                inst.state_reason = None
                if inst.subnet.map_public_ip_on_launch:
                    inst.public_ip = self._new_public_ip()
                inst.next_event = self.sim.schedule(PENDING_SECONDS, lambda i=inst: self._became_running(i),
                                                    name=f"ec2 {inst.id} running")
            changes.append(self._change(inst, previous))
        return {"StartingInstances": changes}

    _INSTANCE_FILTERS = ("instance-state-name", "instance-state-code", "instance-id", "availability-zone",
                         "instance-type", "image-id", "subnet-id", "vpc-id", "tag-key", "private-ip-address",
                         "reservation-id", "iam-instance-profile.arn", "architecture")

    def _instance_filter_value(self, inst: Instance, name: str) -> list[Any]:
        if name.startswith("tag:"):
            key = name[4:]
            return [t["Value"] for t in inst.tags if t["Key"] == key]
        return {
            "instance-state-name": [inst.state],
            "instance-state-code": [STATE_CODES[inst.state]],
            "instance-id": [inst.id],
            "availability-zone": [inst.availability_zone],
            "instance-type": [inst.type.name],
            "image-id": [inst.image.id],
            "subnet-id": [inst.subnet.id],
            "vpc-id": [inst.vpc_id],
            "tag-key": [t["Key"] for t in inst.tags],
            "private-ip-address": [inst.private_ip],
            "reservation-id": [inst.reservation_id],
            "iam-instance-profile.arn": [inst.iam_instance_profile["Arn"]] if inst.iam_instance_profile else [],
            "architecture": [inst.image.architecture],
        }[name]

    @staticmethod
    def _filters(filters: list | None, allowed: tuple[str, ...], *, tags: bool = True) -> list[tuple[str, list]]:
        out = []
        for i, f in enumerate(filters or []):
            check_type(f"Filters[{i}]", f, dict)
            name = check_type(f"Filters[{i}].Name", f.get("Name", ""), str)
            values = check_type(f"Filters[{i}].Values", f.get("Values", []), (list, tuple))
            for j, v in enumerate(values):
                check_type(f"Filters[{i}].Values[{j}]", v, str)
            if name not in allowed and not (tags and name.startswith("tag:")):
                raise aws_error("InvalidParameterValue", f"The filter '{name}' is invalid")
            out.append((name, list(values)))
        return out

    @operation
    def describe_instances(self, InstanceIds: list | None = None, Filters: list | None = None,
                           MaxResults: int | None = None, NextToken: str | None = None,
                           DryRun: bool | None = None) -> dict[str, Any]:
        """Describe instances, grouped by reservation (terminated ones stay visible for about an hour).

        Not modelled: filters other than instance-state-name/code, instance-id, availability-zone,
        instance-type, image-id, subnet-id, vpc-id, tag:<key>, tag-key, private-ip-address,
        reservation-id, iam-instance-profile.arn and architecture.
        """
        filters = self._filters(Filters, self._INSTANCE_FILTERS)
        if InstanceIds:
            candidates = self._instances_by_ids(InstanceIds)
        else:
            candidates = [i for i in self.instances.values() if not self._expired(i)]
        chosen = [inst for inst in candidates
                  if all(any(_matches(v, values) for v in self._instance_filter_value(inst, name))
                         for name, values in filters)]
        if MaxResults is not None and InstanceIds:
            raise aws_error("InvalidParameterCombination",
                            "The parameter instancesSet cannot be used with the parameter maxResults")
        start = int(NextToken) if NextToken and NextToken.isdigit() else 0
        size = MaxResults or 1000
        if MaxResults is not None and not 5 <= MaxResults <= 1000:
            raise aws_error("InvalidParameterValue",
                            f"Value ( {MaxResults} ) for parameter maxResults is invalid. Expecting a value "
                            "between 5 and 1000.")
        page = chosen[start:start + size]
        reservations: dict[str, dict[str, Any]] = {}
        for inst in page:
            res = reservations.setdefault(inst.reservation_id, {
                "Groups": [], "Instances": [], "OwnerId": self.account_id,
                "ReservationId": inst.reservation_id})
            res["Instances"].append(self._instance_api(inst))
        out: dict[str, Any] = {"Reservations": list(reservations.values())}
        if start + size < len(chosen):
            out["NextToken"] = str(start + size)
        return out

    _ATTRIBUTES = ("instanceType", "userData", "groupSet", "sourceDestCheck", "ebsOptimized", "enaSupport",
                   "rootDeviceName", "disableApiTermination", "disableApiStop", "instanceInitiatedShutdownBehavior")

    @operation
    def describe_instance_attribute(self, Attribute: str, InstanceId: str,
                                    DryRun: bool | None = None) -> dict[str, Any]:
        """Read one attribute of an instance (userData comes back base64-encoded, as on AWS).

        Not modelled: kernel, ramdisk, productCodes, blockDeviceMapping, sriovNetSupport, enclaveOptions.
        """
        [inst] = self._instances_by_ids([InstanceId])
        if Attribute not in self._ATTRIBUTES:
            if Attribute in ("kernel", "ramdisk", "productCodes", "blockDeviceMapping", "sriovNetSupport",
                             "enclaveOptions"):
                raise NotModelledError(f"the {Attribute} instance attribute", operation_name="DescribeInstanceAttribute")
            raise aws_error("InvalidParameterValue",
                            f"Value ({Attribute}) for parameter attribute is invalid. Unknown attribute.")
        out: dict[str, Any] = {"InstanceId": inst.id}
        if Attribute == "userData":
            out["UserData"] = ({"Value": base64.b64encode(inst.user_data.encode()).decode()}
                               if inst.user_data else {})
        elif Attribute == "instanceType":
            out["InstanceType"] = {"Value": inst.type.name}
        elif Attribute == "groupSet":
            out["Groups"] = [{"GroupId": g} for g in inst.security_group_ids]
        elif Attribute == "rootDeviceName":
            out["RootDeviceName"] = {"Value": "/dev/xvda"}
        elif Attribute == "instanceInitiatedShutdownBehavior":
            out["InstanceInitiatedShutdownBehavior"] = {"Value": "stop"}
        else:
            key = Attribute[0].upper() + Attribute[1:]
            out[key] = {"Value": Attribute in ("sourceDestCheck", "enaSupport")}
        return out

    def _association_api(self, inst: Instance, state: str = "associated") -> dict[str, Any]:
        assert inst.iam_instance_profile is not None
        return {"AssociationId": "iip-assoc-" + inst.id[2:], "InstanceId": inst.id,
                "IamInstanceProfile": dict(inst.iam_instance_profile), "State": state}

    @operation
    def associate_iam_instance_profile(self, IamInstanceProfile: dict, InstanceId: str) -> dict[str, Any]:
        """Attach an instance profile to an instance that has none (the agent then gets credentials)."""
        [inst] = self._instances_by_ids([InstanceId])
        if inst.state in ("shutting-down", "terminated"):
            raise aws_error("IncorrectInstanceState",
                            f"The instance '{inst.id}' is not in a state from which it can be associated.")
        if inst.iam_instance_profile:
            raise aws_error("IncorrectState", f"There is an existing association for instance {inst.id}")
        profile = self._resolve_profile(IamInstanceProfile)
        if profile is None:
            raise aws_error("InvalidParameterValue", "An instance profile name or ARN is required.")
        inst.iam_instance_profile = profile
        return {"IamInstanceProfileAssociation": self._association_api(inst, "associating")}

    @operation
    def disassociate_iam_instance_profile(self, AssociationId: str) -> dict[str, Any]:
        """Detach an instance's instance profile (the agent loses its credentials)."""
        inst = next((i for i in self.instances.values() if i.iam_instance_profile
                     and "iip-assoc-" + i.id[2:] == AssociationId and not self._expired(i)), None)
        if inst is None:
            raise aws_error("InvalidAssociationID.NotFound",
                            f"An association with ID {AssociationId} does not exist.")
        out = self._association_api(inst, "disassociating")
        inst.iam_instance_profile = None
        return {"IamInstanceProfileAssociation": out}

    @operation
    def describe_iam_instance_profile_associations(self, AssociationIds: list | None = None,
                                                   Filters: list | None = None, MaxResults: int | None = None,
                                                   NextToken: str | None = None) -> dict[str, Any]:
        """List instance-profile associations, by id or by instance-id/state filters."""
        filters = self._filters(Filters, ("instance-id", "state"), tags=False)
        out = []
        for inst in self.instances.values():
            if not inst.iam_instance_profile or self._expired(inst) or inst.state == "terminated":
                continue
            assoc = self._association_api(inst)
            if AssociationIds and assoc["AssociationId"] not in AssociationIds:
                continue
            values = {"instance-id": inst.id, "state": "associated"}
            if all(_matches(values[n], vals) for n, vals in filters):
                out.append(assoc)
        return {"IamInstanceProfileAssociations": out}

    # --- tags ---------------------------------------------------------------------------------

    def _taggable(self, rid: str) -> tuple[str, Any]:
        if rid.startswith("i-"):
            inst = self._instance(rid)
            if inst is None:
                raise aws_error("InvalidInstanceID.NotFound", f"The instance ID '{rid}' does not exist")
            return "instance", inst
        if rid.startswith("subnet-"):
            return "subnet", self._subnet(rid)
        if rid.startswith("vpc-"):
            vpc = self.vpcs.get(rid)
            if vpc is None:
                raise aws_error("InvalidVpcID.NotFound", f"The vpc ID '{rid}' does not exist")
            return "vpc", vpc
        if rid.startswith("ami-"):
            raise NotModelledError("tags on AMIs", operation_name="CreateTags")
        raise aws_error("InvalidID", f'The ID \'{rid}\' is not valid')

    @staticmethod
    def _tag_list(tags: list, *, need_value: bool) -> list[tuple[str, str | None]]:
        out = []
        for i, tag in enumerate(tags):
            check_type(f"Tags[{i}]", tag, dict)
            key = check_type(f"Tags[{i}].Key", tag.get("Key", ""), str)
            value = tag.get("Value")
            if value is not None:
                check_type(f"Tags[{i}].Value", value, str)
            if not key or len(key) > 128:
                raise aws_error("InvalidParameterValue", "Tag keys must be between 1 and 128 characters.")
            if key.lower().startswith("aws:"):
                raise aws_error("InvalidParameterValue", "Tag keys starting with 'aws:' are reserved for internal use")
            if value is not None and len(value) > 256:
                raise aws_error("InvalidParameterValue", "Tag values must be at most 256 characters.")
            out.append((key, value if value is not None else ("" if need_value else None)))
        return out

    @operation
    def create_tags(self, Resources: list, Tags: list, DryRun: bool | None = None) -> dict[str, Any]:
        """Add or overwrite tags on instances, subnets and VPCs.

        Not modelled: tags on AMIs, volumes, network interfaces and security groups.
        """
        targets = []
        for i, rid in enumerate(Resources):
            check_type(f"Resources[{i}]", rid, str)
            targets.append(self._taggable(rid)[1])
        new = self._tag_list(Tags, need_value=True)
        for obj in targets:
            merged = {t["Key"]: t["Value"] for t in obj.tags}
            merged.update({k: v for k, v in new})
            if len(merged) > 50:
                raise aws_error("TagLimitExceeded", "The maximum number of tags per resource (50) has been reached.")
            obj.tags = [{"Key": k, "Value": v} for k, v in merged.items()]
        return {}

    @operation
    def delete_tags(self, Resources: list, Tags: list | None = None, DryRun: bool | None = None) -> dict[str, Any]:
        """Remove tags (all of them when Tags is omitted; only matching values when a Value is given)."""
        targets = []
        for i, rid in enumerate(Resources):
            check_type(f"Resources[{i}]", rid, str)
            targets.append(self._taggable(rid)[1])
        doomed = self._tag_list(Tags, need_value=False) if Tags is not None else None
        for obj in targets:
            if doomed is None:
                obj.tags = []
                continue
            obj.tags = [t for t in obj.tags if not any(
                t["Key"] == k and (v is None or t["Value"] == v) for k, v in doomed)]
        return {}

    @operation
    def describe_tags(self, Filters: list | None = None, MaxResults: int | None = None,
                      NextToken: str | None = None, DryRun: bool | None = None) -> dict[str, Any]:
        """List tags of instances, subnets and VPCs, filtered by resource-id, resource-type, key or value."""
        filters = self._filters(Filters, ("resource-id", "resource-type", "key", "value"), tags=False)
        rows = []
        pools: list[tuple[str, list[Any]]] = [
            ("instance", [i for i in self.instances.values() if not self._expired(i)]),
            ("subnet", list(self.subnets.values())), ("vpc", list(self.vpcs.values()))]
        for rtype, objs in pools:
            for obj in objs:
                for t in obj.tags:
                    row = {"Key": t["Key"], "ResourceId": obj.id, "ResourceType": rtype, "Value": t["Value"]}
                    values = {"resource-id": obj.id, "resource-type": rtype, "key": t["Key"], "value": t["Value"]}
                    if all(_matches(values[n], vals) for n, vals in filters):
                        rows.append(row)
        start = int(NextToken) if NextToken and NextToken.isdigit() else 0
        size = MaxResults or 1000
        out: dict[str, Any] = {"Tags": rows[start:start + size]}
        if start + size < len(rows):
            out["NextToken"] = str(start + size)
        return out

    # --- operations: images, types, network ---------------------------------------------------

    @operation
    def describe_images(self, ImageIds: list | None = None, Owners: list | None = None,
                        Filters: list | None = None, ExecutableUsers: list | None = None,
                        IncludeDeprecated: bool | None = None, MaxResults: int | None = None,
                        NextToken: str | None = None, DryRun: bool | None = None) -> dict[str, Any]:
        """Describe Amazon's public AMIs (ECS-optimized AL2023 and AL2 for x86_64/arm64, plain AL2023 and AL2).

        Not modelled: your own AMIs (CreateImage), the thousands of other public AMIs, launch
        permissions.
        """
        filters = self._filters(Filters, ("name", "architecture", "image-id", "owner-alias", "owner-id",
                                          "state", "is-public", "description", "image-type",
                                          "virtualization-type", "root-device-type"), tags=False)
        if ImageIds:
            images = []
            for i, iid in enumerate(ImageIds):
                check_type(f"ImageIds[{i}]", iid, str)
                if not iid.startswith("ami-"):
                    raise aws_error("InvalidAMIID.Malformed", f'Invalid id: "{iid}" (expecting "ami-...")')
                img = self.images.get(iid)
                if img is None:
                    raise aws_error("InvalidAMIID.NotFound", f"The image id '[{iid}]' does not exist")
                images.append(img)
        else:
            images = list(self.images.values())
        if Owners:
            wanted = set()
            for i, o in enumerate(Owners):
                check_type(f"Owners[{i}]", o, str)
                wanted.add(o)
            images = [img for img in images if "amazon" in wanted or img.owner_id in wanted]

        def value(img: Image, name: str) -> str:
            return {"name": img.name, "architecture": img.architecture, "image-id": img.id,
                    "owner-alias": "amazon", "owner-id": img.owner_id, "state": "available",
                    "is-public": "true", "description": img.description, "image-type": "machine",
                    "virtualization-type": "hvm", "root-device-type": "ebs"}[name]

        images = [img for img in images if all(_matches(value(img, n), vals) for n, vals in filters)]
        return {"Images": [_clean(img.api()) for img in images]}

    @operation
    def describe_instance_types(self, InstanceTypes: list | None = None, Filters: list | None = None,
                                MaxResults: int | None = None, NextToken: str | None = None,
                                DryRun: bool | None = None) -> dict[str, Any]:
        """Describe instance types (t2, t3, t4g, m5, c5, r5, m6g, c6g) with their real vCPUs and memory.

        Not modelled: other families; filters other than instance-type,
        processor-info.supported-architecture, vcpu-info.default-vcpus, memory-info.size-in-mib,
        current-generation, burstable-performance-supported, free-tier-eligible.
        """
        filters = self._filters(Filters, ("instance-type", "processor-info.supported-architecture",
                                          "vcpu-info.default-vcpus", "memory-info.size-in-mib",
                                          "current-generation", "burstable-performance-supported",
                                          "free-tier-eligible"), tags=False)
        if InstanceTypes:
            missing = []
            types = []
            for i, name in enumerate(InstanceTypes):
                check_type(f"InstanceTypes[{i}]", name, str)
                t = INSTANCE_TYPES.get(name)
                if t is None:
                    missing.append(name)
                else:
                    types.append(t)
            if missing:
                raise aws_error("InvalidInstanceType",
                                f"The following supplied instance types do not exist: [{', '.join(missing)}]")
        else:
            types = list(INSTANCE_TYPES.values())

        def value(t: InstanceType, name: str) -> str:
            api = t.api()
            return {"instance-type": t.name, "processor-info.supported-architecture": t.architecture,
                    "vcpu-info.default-vcpus": str(t.vcpus), "memory-info.size-in-mib": str(t.memory_mib),
                    "current-generation": str(api["CurrentGeneration"]).lower(),
                    "burstable-performance-supported": str(t.burstable).lower(),
                    "free-tier-eligible": str(t.free_tier).lower()}[name]

        types = [t for t in types if all(_matches(value(t, n), vals) for n, vals in filters)]
        if MaxResults is not None and not 5 <= MaxResults <= 100:
            raise aws_error("InvalidParameterValue",
                            f"Value ( {MaxResults} ) for parameter maxResults is invalid. Expecting a value "
                            "between 5 and 100.")
        start = int(NextToken) if NextToken and NextToken.isdigit() else 0
        size = MaxResults or 100
        out: dict[str, Any] = {"InstanceTypes": [t.api() for t in types[start:start + size]]}
        if start + size < len(types):
            out["NextToken"] = str(start + size)
        return out

    @operation
    def describe_vpcs(self, VpcIds: list | None = None, Filters: list | None = None,
                      MaxResults: int | None = None, NextToken: str | None = None,
                      DryRun: bool | None = None) -> dict[str, Any]:
        """Describe VPCs (the account has its default VPC, 172.31.0.0/16).

        Not modelled: CreateVpc and VPCs of your own.
        """
        filters = self._filters(Filters, ("vpc-id", "is-default", "cidr", "cidr-block", "state", "owner-id"))
        vpcs = list(self.vpcs.values())
        if VpcIds:
            for i, vid in enumerate(VpcIds):
                check_type(f"VpcIds[{i}]", vid, str)
                if vid not in self.vpcs:
                    raise aws_error("InvalidVpcID.NotFound", f"The vpc ID '{vid}' does not exist")
            vpcs = [self.vpcs[v] for v in VpcIds]

        def value(v: Vpc, name: str) -> list[str]:
            if name.startswith("tag:"):
                return [t["Value"] for t in v.tags if t["Key"] == name[4:]]
            return [{"vpc-id": v.id, "is-default": str(v.is_default).lower(), "cidr": v.cidr_block,
                     "cidr-block": v.cidr_block, "state": "available", "owner-id": self.account_id}[name]]

        vpcs = [v for v in vpcs if all(any(_matches(x, vals) for x in value(v, n)) for n, vals in filters)]
        return {"Vpcs": [{
            "CidrBlock": v.cidr_block, "DhcpOptionsId": v.dhcp_options_id, "State": "available",
            "VpcId": v.id, "OwnerId": self.account_id, "InstanceTenancy": "default",
            "CidrBlockAssociationSet": [{"AssociationId": "vpc-cidr-assoc-" + v.id[4:],
                                         "CidrBlock": v.cidr_block,
                                         "CidrBlockState": {"State": "associated"}}],
            "IsDefault": v.is_default} | ({"Tags": list(v.tags)} if v.tags else {}) for v in vpcs]}

    def _subnet_api(self, s: Subnet) -> dict[str, Any]:
        out = {
            "AvailabilityZone": s.availability_zone, "AvailabilityZoneId": s.availability_zone_id,
            "AvailableIpAddressCount": s.available_ips(), "CidrBlock": s.cidr_block,
            "DefaultForAz": s.default_for_az, "MapPublicIpOnLaunch": s.map_public_ip_on_launch,
            "MapCustomerOwnedIpOnLaunch": False, "State": "available", "SubnetId": s.id, "VpcId": s.vpc_id,
            "OwnerId": self.account_id, "AssignIpv6AddressOnCreation": False,
            "Ipv6CidrBlockAssociationSet": [], "SubnetArn": s.arn, "EnableDns64": False,
            "Ipv6Native": False,
            "PrivateDnsNameOptionsOnLaunch": {"HostnameType": "ip-name", "EnableResourceNameDnsARecord": False,
                                              "EnableResourceNameDnsAAAARecord": False},
        }
        if s.tags:
            out["Tags"] = list(s.tags)
        return out

    @operation
    def describe_subnets(self, SubnetIds: list | None = None, Filters: list | None = None,
                         MaxResults: int | None = None, NextToken: str | None = None,
                         DryRun: bool | None = None) -> dict[str, Any]:
        """Describe subnets (one default subnet per AZ in the default VPC).

        Not modelled: CreateSubnet and subnets of your own.
        """
        filters = self._filters(Filters, ("vpc-id", "availability-zone", "availability-zone-id",
                                          "default-for-az", "subnet-id", "cidr-block", "state",
                                          "map-public-ip-on-launch"))
        subnets = sorted(self.subnets.values(), key=lambda s: s.availability_zone)
        if SubnetIds:
            subnets = []
            for i, sid in enumerate(SubnetIds):
                check_type(f"SubnetIds[{i}]", sid, str)
                subnets.append(self._subnet(sid))

        def value(s: Subnet, name: str) -> list[str]:
            if name.startswith("tag:"):
                return [t["Value"] for t in s.tags if t["Key"] == name[4:]]
            return [{"vpc-id": s.vpc_id, "availability-zone": s.availability_zone,
                     "availability-zone-id": s.availability_zone_id,
                     "default-for-az": str(s.default_for_az).lower(), "subnet-id": s.id,
                     "cidr-block": s.cidr_block, "state": "available",
                     "map-public-ip-on-launch": str(s.map_public_ip_on_launch).lower()}[name]]

        subnets = [s for s in subnets if all(any(_matches(x, vals) for x in value(s, n)) for n, vals in filters)]
        return {"Subnets": [self._subnet_api(s) for s in subnets]}

    @operation
    def describe_availability_zones(self, ZoneNames: list | None = None, ZoneIds: list | None = None,
                                    Filters: list | None = None, AllAvailabilityZones: bool | None = None,
                                    DryRun: bool | None = None) -> dict[str, Any]:
        """Describe the region's Availability Zones (us-east-1a … us-east-1f).

        Not modelled: Local Zones and Wavelength Zones.
        """
        filters = self._filters(Filters, ("zone-name", "zone-id", "state", "region-name", "zone-type",
                                          "opt-in-status", "group-name"), tags=False)
        zones = [{"State": "available", "OptInStatus": "opt-in-not-required", "Messages": [],
                  "RegionName": self.region, "ZoneName": s.availability_zone,
                  "ZoneId": s.availability_zone_id, "GroupName": self.region,
                  "NetworkBorderGroup": self.region, "ZoneType": "availability-zone"}
                 for s in self.default_subnets()]
        for field_name, wanted in (("ZoneName", ZoneNames), ("ZoneId", ZoneIds)):
            if wanted:
                for i, z in enumerate(wanted):
                    check_type(f"{field_name}s[{i}]", z, str)
                    if not any(zone[field_name] == z for zone in zones):
                        raise aws_error("InvalidParameterValue",
                                        f"The zone '{z}' does not exist in the current region ({self.region}).")
                zones = [z for z in zones if z[field_name] in wanted]
        keys = {"zone-name": "ZoneName", "zone-id": "ZoneId", "state": "State", "region-name": "RegionName",
                "zone-type": "ZoneType", "opt-in-status": "OptInStatus", "group-name": "GroupName"}
        zones = [z for z in zones if all(_matches(z[keys[n]], vals) for n, vals in filters)]
        return {"AvailabilityZones": zones}


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


__all__ = ["IMAGES", "Ec2Backend", "Image", "Instance", "Subnet", "Vpc", "decode_user_data"]
