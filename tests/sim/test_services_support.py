"""Helpers for the service tests: a cluster of real (simulated) EC2 container instances and task counts.

Everything goes through the public contract: ec2.run_instances with the ECS-optimized AMI from SSM and an
ECS_CLUSTER user data, register_task_definition, create_service, advance/settle.
"""

from __future__ import annotations

from typing import Any

from ecslearn.sim import Simulator

AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
USER_DATA = "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config"
PENDING_STATES = ("PROVISIONING", "PENDING", "ACTIVATING")


def launch_instances(sim: Simulator, count: int, *, instance_type: str = "t3.medium",
                     az_indexes: list[int] | None = None) -> list[str]:
    """Start `count` ECS-optimized instances, one per AZ in turn (us-east-1a, b, c unless told)."""
    ec2, ssm = sim.client("ec2"), sim.client("ssm")
    ami = ssm.get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    order = az_indexes if az_indexes is not None else [0, 1, 2]
    ids = []
    for i in range(count):
        subnet = subnets[order[i % len(order)]]
        out = ec2.run_instances(ImageId=ami, InstanceType=instance_type, MinCount=1, MaxCount=1,
                                SubnetId=subnet["SubnetId"], UserData=USER_DATA,
                                IamInstanceProfile={"Name": "ecsInstanceRole"})
        ids.append(out["Instances"][0]["InstanceId"])
    return ids


def world(seed: int = 0, instances: int = 3, **kw: Any) -> Simulator:
    """A simulator with cluster `prod` and `instances` registered container instances."""
    sim = Simulator(seed=seed)
    sim.client("ecs").create_cluster(clusterName="prod")
    launch_instances(sim, instances, **kw)
    sim.settle()
    assert len(sim.client("ecs").list_container_instances(cluster="prod")["containerInstanceArns"]) == instances
    return sim


def register(sim: Simulator, family: str = "web", image: str = "nginx:1.27", memory: int = 256,
             **container: Any) -> str:
    """Register a one-container task definition; returns `family:revision`."""
    cdef = {"name": family, "image": image, "memory": memory, **container}
    td = sim.client("ecs").register_task_definition(family=family, containerDefinitions=[cdef])["taskDefinition"]
    return f"{td['family']}:{td['revision']}"


def service_tasks(sim: Simulator, service: str, *, include_stopped: bool = False) -> list[dict[str, Any]]:
    """The service's tasks (desired RUNNING, and also desired STOPPED ones unless they are STOPPED)."""
    ecs = sim.client("ecs")
    arns: list[str] = []
    for status in ("RUNNING", "STOPPED"):
        token = None
        while True:
            kw: dict[str, Any] = {"cluster": "prod", "serviceName": service, "desiredStatus": status}
            if token:
                kw["nextToken"] = token
            page = ecs.list_tasks(**kw)
            arns += page["taskArns"]
            token = page.get("nextToken")
            if not token:
                break
    out: list[dict[str, Any]] = []
    for i in range(0, len(arns), 100):
        out += ecs.describe_tasks(cluster="prod", tasks=arns[i:i + 100])["tasks"]
    if not include_stopped:
        out = [t for t in out if t["lastStatus"] not in ("STOPPED", "DELETED")]
    return out


def counts(sim: Simulator, service: str = "web") -> tuple[int, int]:
    """(RUNNING, RUNNING + PENDING) tasks of the service, by lastStatus."""
    tasks = service_tasks(sim, service)
    running = sum(1 for t in tasks if t["lastStatus"] == "RUNNING")
    pending = sum(1 for t in tasks if t["lastStatus"] in PENDING_STATES)
    return running, running + pending


def describe(sim: Simulator, service: str = "web") -> dict[str, Any]:
    return sim.client("ecs").describe_services(cluster="prod", services=[service])["services"][0]


def messages(sim: Simulator, service: str = "web") -> list[str]:
    """Event messages, oldest first."""
    return [e["message"] for e in reversed(describe(sim, service)["events"])]


def trace(sim: Simulator, seconds: int, step: int = 1, service: str = "web") -> list[tuple[int, int]]:
    """Step the clock and record (RUNNING, RUNNING + PENDING) after every step."""
    out = []
    for _ in range(0, seconds, step):
        sim.advance(step)
        out.append(counts(sim, service))
    return out


def squeeze(values: list[int]) -> list[int]:
    """[1, 1, 2, 2, 1] -> [1, 2, 1]."""
    out: list[int] = []
    for v in values:
        if not out or out[-1] != v:
            out.append(v)
    return out
