"""Helpers for the task, placement and accounting tests: container instances through the real path.

Instances come from `ec2.run_instances` with the ECS-optimized AMI of the public SSM parameter and
ecs.config in the user data, so the agent registers them as it would on AWS.
"""

from __future__ import annotations

from typing import Any

from ecslearn.sim import Simulator

AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"


def ecs_ami(sim: Simulator) -> str:
    return sim.client("ssm").get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]


def add_instances(sim: Simulator, cluster: str = "prod", count: int = 1, *, instance_type: str = "m5.large",
                  az: str = "us-east-1a", config: tuple[str, ...] = ()) -> list[str]:
    """Launch EC2 instances that join `cluster`; return their container-instance ARNs in launch order."""
    lines = [f"ECS_CLUSTER={cluster}", *config]
    user_data = "#!/bin/bash\n" + "".join(f"echo '{line}' >> /etc/ecs/ecs.config\n" for line in lines)
    out = sim.client("ec2").run_instances(
        ImageId=ecs_ami(sim), InstanceType=instance_type, MinCount=count, MaxCount=count, UserData=user_data,
        IamInstanceProfile={"Name": "ecsInstanceRole"}, Placement={"AvailabilityZone": az})
    ids = [i["InstanceId"] for i in out["Instances"]]
    sim.advance(120)
    ecs = sim.client("ecs")
    arns: list[str] = []
    token = None
    while True:
        page = ecs.list_container_instances(cluster=cluster, maxResults=100, **({"nextToken": token} if token else {}))
        arns += page["containerInstanceArns"]
        token = page.get("nextToken")
        if not token:
            break
    by_ec2 = {}
    for i in range(0, len(arns), 100):
        for ci in ecs.describe_container_instances(cluster=cluster, containerInstances=arns[i:i + 100])[
                "containerInstances"]:
            by_ec2[ci["ec2InstanceId"]] = ci["containerInstanceArn"]
    missing = [i for i in ids if i not in by_ec2]
    assert not missing, f"instances did not register: {missing}"
    return [by_ec2[i] for i in ids]


def world(seed: int = 0, *, azs: tuple[str, ...] = ("us-east-1a",), per_az: int = 1,
          instance_type: str = "m5.large", cluster: str = "prod") -> tuple[Simulator, Any, list[str]]:
    """A simulator with one cluster and `per_az` instances in each AZ (registration order = AZ order)."""
    sim = Simulator(seed)
    ecs = sim.client("ecs")
    ecs.create_cluster(clusterName=cluster)
    arns: list[str] = []
    for az in azs:
        arns += add_instances(sim, cluster, per_az, instance_type=instance_type, az=az)
    return sim, ecs, arns


def register(ecs: Any, family: str = "web", *, image: str = "nginx", memory: int | None = 512, cpu: int = 256,
             ports: list[dict[str, Any]] | None = None, network_mode: str | None = None,
             containers: list[dict[str, Any]] | None = None, **extra: Any) -> str:
    """Register a one-container task definition (or the given containers); return its ARN."""
    if containers is None:
        c: dict[str, Any] = {"name": family, "image": image, "cpu": cpu, "essential": True}
        if memory is not None:
            c["memory"] = memory
        if ports is not None:
            c["portMappings"] = ports
        containers = [c]
    if network_mode is not None:
        extra["networkMode"] = network_mode
    return ecs.register_task_definition(family=family, containerDefinitions=containers, **extra)[
        "taskDefinition"]["taskDefinitionArn"]


def instance_of(ecs: Any, task: dict[str, Any], cluster: str = "prod") -> str:
    return task["containerInstanceArn"]


def describe(ecs: Any, arns: list[str], cluster: str = "prod") -> list[dict[str, Any]]:
    return ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]


def remaining(ecs: Any, ci_arn: str, cluster: str = "prod") -> dict[str, Any]:
    ci = ecs.describe_container_instances(cluster=cluster, containerInstances=[ci_arn])["containerInstances"][0]
    out: dict[str, Any] = {}
    for r in ci["remainingResources"]:
        out[r["name"]] = r.get("stringSetValue") if r["type"] == "STRINGSET" else r["integerValue"]
    return out


def subnets_by_az(sim: Simulator) -> dict[str, str]:
    return {s["AvailabilityZone"]: s["SubnetId"] for s in sim.client("ec2").describe_subnets()["Subnets"]
            if s.get("DefaultForAz")}
