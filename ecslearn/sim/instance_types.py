"""EC2 instance types the simulator knows: real vCPU counts, memory (MiB), architecture and ENI limits.

Figures are the published EC2 specifications (https://aws.amazon.com/ec2/instance-types/ and
`aws ec2 describe-instance-types`). `kernel_memory_mib` models what the ECS agent reads from
/proc/meminfo, which is below the advertised size (ecs-reference §5.1).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class InstanceType:
    name: str
    vcpus: int
    memory_mib: int
    architecture: str  # "x86_64" or "arm64"
    threads_per_core: int
    max_enis: int
    ipv4_per_eni: int
    burstable: bool = False
    clock_ghz: float = 3.1
    free_tier: bool = False

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def size(self) -> str:
        return self.name.split(".", 1)[1]

    @property
    def cores(self) -> int:
        return max(1, self.vcpus // self.threads_per_core)

    @property
    def is_metal(self) -> bool:
        return self.size.startswith("metal")

    def kernel_memory_mib(self) -> int:
        """MemTotal from /proc/meminfo in MiB, as the ECS agent reads it (ecs-reference §5.1).

        The kernel and platform keep part of the installed memory, so the agent sees less than the
        advertised size. ecslearn models the reserve as 2.44 % of the advertised MiB plus 7 MiB,
        rounded: fitted to the two published figures, an m4.large (8192 MiB advertised) whose
        `free -b` shows 8373026816 bytes = 7985 MiB (ECS Developer Guide, memory-management), and a
        2 GiB instance that registered "Remaining mem: 1991" (amazon-ecs-agent issue 2146).
        """
        return self.memory_mib - (round(self.memory_mib * 0.0244) + 7)

    def api(self) -> dict:
        """The `InstanceTypeInfo` shape of DescribeInstanceTypes."""
        return {
            "InstanceType": self.name,
            "CurrentGeneration": True,
            "FreeTierEligible": self.free_tier,
            "SupportedUsageClasses": ["on-demand", "spot"],
            "SupportedRootDeviceTypes": ["ebs"],
            "SupportedVirtualizationTypes": ["hvm"],
            "BareMetal": self.is_metal,
            "Hypervisor": "" if self.is_metal else ("xen" if self.family == "t2" else "nitro"),
            "ProcessorInfo": {"SupportedArchitectures": [self.architecture],
                              "SustainedClockSpeedInGhz": self.clock_ghz},
            "VCpuInfo": {"DefaultVCpus": self.vcpus, "DefaultCores": self.cores,
                         "DefaultThreadsPerCore": self.threads_per_core},
            "MemoryInfo": {"SizeInMiB": self.memory_mib},
            "InstanceStorageSupported": False,
            "EbsInfo": {"EbsOptimizedSupport": "unsupported" if self.family == "t2" else "default",
                        "EncryptionSupport": "supported", "NvmeSupport": "unsupported" if self.family == "t2"
                        else "required"},
            "NetworkInfo": {"MaximumNetworkInterfaces": self.max_enis,
                            "Ipv4AddressesPerInterface": self.ipv4_per_eni,
                            "Ipv6Supported": True, "EnaSupport": "unsupported" if self.family == "t2"
                            else "required", "DefaultNetworkCardIndex": 0},
            "PlacementGroupInfo": {"SupportedStrategies": ["partition", "spread"] if self.burstable
                                   else ["cluster", "partition", "spread"]},
            "HibernationSupported": self.family in ("t2", "t3", "m5", "c5", "r5"),
            "BurstablePerformanceSupported": self.burstable,
            "DedicatedHostsSupported": not self.burstable or self.family == "t3",
            "AutoRecoverySupported": True,
            "SupportedBootModes": ["uefi"] if self.architecture == "arm64" else ["legacy-bios", "uefi"],
        }


# (size, vCPUs, memory MiB, max ENIs, IPv4 addresses per ENI)
_T2 = [("nano", 1, 512, 2, 2), ("micro", 1, 1024, 2, 2), ("small", 1, 2048, 3, 4),
       ("medium", 2, 4096, 3, 6), ("large", 2, 8192, 3, 12), ("xlarge", 4, 16384, 3, 15),
       ("2xlarge", 8, 32768, 3, 15)]
_T3 = [("nano", 2, 512, 2, 2), ("micro", 2, 1024, 2, 2), ("small", 2, 2048, 3, 4),
       ("medium", 2, 4096, 3, 6), ("large", 2, 8192, 3, 12), ("xlarge", 4, 16384, 4, 15),
       ("2xlarge", 8, 32768, 4, 15)]
_M5 = [("large", 2, 8192, 3, 10), ("xlarge", 4, 16384, 4, 15), ("2xlarge", 8, 32768, 4, 15),
       ("4xlarge", 16, 65536, 8, 30), ("8xlarge", 32, 131072, 8, 30), ("12xlarge", 48, 196608, 8, 30),
       ("16xlarge", 64, 262144, 15, 50), ("24xlarge", 96, 393216, 15, 50), ("metal", 96, 393216, 15, 50)]
_C5 = [("large", 2, 4096, 3, 10), ("xlarge", 4, 8192, 4, 15), ("2xlarge", 8, 16384, 4, 15),
       ("4xlarge", 16, 32768, 8, 30), ("9xlarge", 36, 73728, 8, 30), ("12xlarge", 48, 98304, 8, 30),
       ("18xlarge", 72, 147456, 15, 50), ("24xlarge", 96, 196608, 15, 50), ("metal", 96, 196608, 15, 50)]
_R5 = [("large", 2, 16384, 3, 10), ("xlarge", 4, 32768, 4, 15), ("2xlarge", 8, 65536, 4, 15),
       ("4xlarge", 16, 131072, 8, 30), ("8xlarge", 32, 262144, 8, 30), ("12xlarge", 48, 393216, 8, 30),
       ("16xlarge", 64, 524288, 15, 50), ("24xlarge", 96, 786432, 15, 50), ("metal", 96, 786432, 15, 50)]
_M6G = [("medium", 1, 4096, 2, 4), ("large", 2, 8192, 3, 10), ("xlarge", 4, 16384, 4, 15),
        ("2xlarge", 8, 32768, 4, 15), ("4xlarge", 16, 65536, 8, 30), ("8xlarge", 32, 131072, 8, 30),
        ("12xlarge", 48, 196608, 8, 30), ("16xlarge", 64, 262144, 15, 50), ("metal", 64, 262144, 15, 50)]
_T4G = [("nano", 2, 512, 2, 2), ("micro", 2, 1024, 2, 2), ("small", 2, 2048, 3, 4),
        ("medium", 2, 4096, 3, 6), ("large", 2, 8192, 3, 12), ("xlarge", 4, 16384, 4, 15),
        ("2xlarge", 8, 32768, 4, 15)]
_C6G = [("medium", 1, 2048, 2, 4), ("large", 2, 4096, 3, 10), ("xlarge", 4, 8192, 4, 15),
        ("2xlarge", 8, 16384, 4, 15), ("4xlarge", 16, 32768, 8, 30), ("8xlarge", 32, 65536, 8, 30),
        ("12xlarge", 48, 98304, 8, 30), ("16xlarge", 64, 131072, 15, 50), ("metal", 64, 131072, 15, 50)]

# family → (sizes, architecture, threads per core, burstable, sustained clock GHz)
_FAMILIES = {
    "t2": (_T2, "x86_64", 1, True, 3.0),
    "t3": (_T3, "x86_64", 2, True, 2.5),
    "t4g": (_T4G, "arm64", 1, True, 2.5),
    "m5": (_M5, "x86_64", 2, False, 3.1),
    "c5": (_C5, "x86_64", 2, False, 3.4),
    "r5": (_R5, "x86_64", 2, False, 3.1),
    "m6g": (_M6G, "arm64", 1, False, 2.5),
    "c6g": (_C6G, "arm64", 1, False, 2.5),
}

INSTANCE_TYPES: dict[str, InstanceType] = {}
for _family, (_sizes, _arch, _tpc, _burst, _ghz) in _FAMILIES.items():
    for _size, _vcpus, _mem, _enis, _ips in _sizes:
        _name = f"{_family}.{_size}"
        INSTANCE_TYPES[_name] = InstanceType(
            name=_name, vcpus=_vcpus, memory_mib=_mem, architecture=_arch,
            threads_per_core=_tpc if _vcpus > 1 else 1, max_enis=_enis, ipv4_per_eni=_ips,
            burstable=_burst, clock_ghz=_ghz, free_tier=_name in ("t2.micro", "t3.micro"))


def instance_type(name: str) -> InstanceType | None:
    return INSTANCE_TYPES.get(name)


__all__ = ["INSTANCE_TYPES", "InstanceType", "instance_type"]
