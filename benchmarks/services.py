"""The service scheduler at scale: 5,000 tasks on 1,000 container instances.

    python benchmarks/services.py [--instances 1000] [--desired 5000] [--json]

Through the public contract only: 1,000 ECS-optimized instances from `ec2.run_instances` (user data
`ECS_CLUSTER=prod`, spread over the default subnets' Availability Zones) register; then we time, in wall
seconds, `sim.settle()` after `create_service(desiredCount=5000)` (the service reaches a steady state)
and after `update_service(taskDefinition=<new revision>)` (the rolling deployment completes). Target:
each at most 2 s on the reference machine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecslearn.sim import Simulator

AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
USER_DATA = "#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config"
LIMIT_SECONDS = 2.0


def build(instances: int) -> Simulator:
    sim = Simulator(seed=0)
    ecs, ec2, ssm = sim.client("ecs"), sim.client("ec2"), sim.client("ssm")
    ecs.create_cluster(clusterName="prod")
    ami = ssm.get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    per = -(-instances // len(subnets))
    left = instances
    for subnet in subnets:
        n = min(per, left)
        if n <= 0:
            break
        ec2.run_instances(ImageId=ami, InstanceType="t3.medium", MinCount=n, MaxCount=n,
                          SubnetId=subnet["SubnetId"], UserData=USER_DATA,
                          IamInstanceProfile={"Name": "ecsInstanceRole"})
        left -= n
    sim.settle()
    registered = 0
    token = None
    while True:
        page = ecs.list_container_instances(cluster="prod", **({"nextToken": token} if token else {}))
        registered += len(page["containerInstanceArns"])
        token = page.get("nextToken")
        if not token:
            break
    assert registered == instances, f"only {registered} of {instances} instances registered"
    for version in ("1.26", "1.27"):
        ecs.register_task_definition(family="web", containerDefinitions=[
            {"name": "web", "image": f"nginx:{version}", "memory": 256, "cpu": 128,
             "portMappings": [{"containerPort": 80, "hostPort": 0}]}])
    return sim


def run(instances: int, desired: int) -> dict[str, float | int | str]:
    sim = build(instances)
    ecs = sim.client("ecs")
    t0 = time.perf_counter()
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web:1", desiredCount=desired)
    simulated_create = sim.settle()
    create_wall = time.perf_counter() - t0
    svc = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    assert svc["runningCount"] == desired, svc["runningCount"]
    assert svc["events"][0]["message"] == "(service web) has reached a steady state."
    t0 = time.perf_counter()
    ecs.update_service(cluster="prod", service="web", taskDefinition="web:2")
    simulated_deploy = sim.settle()
    deploy_wall = time.perf_counter() - t0
    svc = ecs.describe_services(cluster="prod", services=["web"])["services"][0]
    (dep,) = svc["deployments"]
    assert dep["rolloutState"] == "COMPLETED" and dep["taskDefinition"].endswith("web:2")
    assert svc["runningCount"] == desired
    return {"instances": instances, "desired": desired,
            "create_wall_s": round(create_wall, 3), "create_simulated_s": simulated_create,
            "deploy_wall_s": round(deploy_wall, 3), "deploy_simulated_s": simulated_deploy,
            "limit_s": LIMIT_SECONDS,
            "ok": "yes" if create_wall <= LIMIT_SECONDS and deploy_wall <= LIMIT_SECONDS else "NO"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=1000)
    parser.add_argument("--desired", type=int, default=5000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    result = run(args.instances, args.desired)
    if args.json:
        print(json.dumps(result))
    else:
        print(f"service of {result['desired']} tasks on {result['instances']} instances")
        print(f"  steady state after create_service: {result['create_wall_s']:.3f} s wall "
              f"({result['create_simulated_s']:.0f} s simulated)")
        print(f"  rolling deployment completed:      {result['deploy_wall_s']:.3f} s wall "
              f"({result['deploy_simulated_s']:.0f} s simulated)")
        print(f"  limit {LIMIT_SECONDS} s each: {result['ok']}")
    return 0 if result["ok"] == "yes" else 1


if __name__ == "__main__":
    raise SystemExit(main())
