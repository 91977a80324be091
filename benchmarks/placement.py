"""Task placement at scale: RunTask in batches of 10 on up to 3,000 container instances.

    python benchmarks/placement.py [--json FILE] [--quick] [--check]

Through the public contract only. Setup (not timed): one cluster, ECS-optimized m5.xlarge instances
from `ec2.run_instances` (AMI from the public SSM parameter, `ECS_CLUSTER=prod` in the user data)
spread evenly over us-east-1a/b/c, registered by the simulated agent; one task definition with one
container of 256 CPU units and 512 MiB in bridge mode with a dynamic host port (containerPort 80,
hostPort 0). Timed: only the `ecs.run_task(count=10, ...)` calls, in wall seconds (`time.perf_counter`,
the figure the target applies to) and in CPU seconds of this process (`time.process_time`, which shows
how much of the wall time was ours when the machine is busy).

Scenarios:
* the target: 1,000 instances, 10,000 tasks, binpack on memory, at most 1.0 s of placement time;
* spread (attribute:ecs.availability-zone, then instanceId) and random on the same size;
* growth: each strategy at 100/1,000, 1,000/10,000 and 3,000/30,000 (instances/tasks).

Before each timed run the previous scenario's simulator is collected (`gc.collect()`), so its
garbage is not billed to the next run; the collector otherwise runs as usual.

`--quick` skips the 3,000/30,000 row; `--check` exits 1 when the target is missed; `--json FILE`
writes every row as JSON.
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecslearn.sim import Simulator

AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
USER_DATA = "#!/bin/bash\necho 'ECS_CLUSTER=prod' >> /etc/ecs/ecs.config\n"
AZS = ("us-east-1a", "us-east-1b", "us-east-1c")
TARGET_SECONDS = 1.0
STRATEGIES: dict[str, list[dict[str, str]]] = {
    "binpack(memory)": [{"type": "binpack", "field": "memory"}],
    "spread(AZ, instanceId)": [{"type": "spread", "field": "attribute:ecs.availability-zone"},
                               {"type": "spread", "field": "instanceId"}],
    "random": [{"type": "random"}],
}


def build(instances: int) -> tuple[Simulator, float]:
    """A simulator with `instances` registered m5.xlarge container instances; returns the setup time."""
    start = time.perf_counter()
    sim = Simulator(seed=0)
    ecs, ec2, ssm = sim.client("ecs"), sim.client("ec2"), sim.client("ssm")
    ecs.create_cluster(clusterName="prod")
    ami = ssm.get_parameter(Name=AMI_PARAMETER)["Parameter"]["Value"]
    for i, az in enumerate(AZS):
        n = instances // len(AZS) + (1 if i < instances % len(AZS) else 0)
        if n:
            ec2.run_instances(ImageId=ami, InstanceType="m5.xlarge", MinCount=n, MaxCount=n, UserData=USER_DATA,
                              IamInstanceProfile={"Name": "ecsInstanceRole"}, Placement={"AvailabilityZone": az})
    sim.advance(120)  # the agents register
    registered = len(sim.backend("ecs").clusters["prod"].container_instances)
    if registered != instances:
        raise SystemExit(f"only {registered} of {instances} instances registered")
    ecs.register_task_definition(family="web", containerDefinitions=[{
        "name": "web", "image": "nginx", "cpu": 256, "memory": 512, "essential": True,
        "portMappings": [{"containerPort": 80, "hostPort": 0, "protocol": "tcp"}]}])
    return sim, time.perf_counter() - start


def run(instances: int, tasks: int, strategy: str) -> dict[str, Any]:
    sim, setup = build(instances)
    ecs = sim.client("ecs")
    gc.collect()  # the previous scenario's world is garbage now: do not bill its collection to this one
    placed = failures = 0
    timed = cpu = 0.0
    per_az: dict[str, int] = {}
    for _ in range(tasks // 10):
        t0, c0 = time.perf_counter(), time.process_time()
        out = ecs.run_task(cluster="prod", taskDefinition="web", count=10, placementStrategy=STRATEGIES[strategy])
        timed += time.perf_counter() - t0
        cpu += time.process_time() - c0
        placed += len(out["tasks"])
        failures += len(out["failures"])
        for t in out["tasks"]:
            per_az[t["availabilityZone"]] = per_az.get(t["availabilityZone"], 0) + 1
    used = sum(1 for ci in sim.backend("ecs").clusters["prod"].container_instances.values() if ci.task_ids)
    return {"instances": instances, "tasks": tasks, "strategy": strategy, "placed": placed,
            "failures": failures, "seconds": round(timed, 3), "cpu_seconds": round(cpu, 3), "us_per_task": round(timed / max(placed, 1) * 1e6, 1),
            "instances_used": used, "tasks_per_az": dict(sorted(per_az.items())), "setup_seconds": round(setup, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="FILE", help="write the rows as JSON")
    parser.add_argument("--quick", action="store_true", help="skip the 3,000/30,000 row")
    parser.add_argument("--check", action="store_true", help="exit 1 if the 1,000/10,000 binpack target is missed")
    args = parser.parse_args(argv)
    sizes = [(100, 1_000), (1_000, 10_000)] + ([] if args.quick else [(3_000, 30_000)])
    rows = []
    print(f"{'instances':>9} {'tasks':>6}  {'strategy':<24} {'placed':>6} {'seconds':>8} {'cpu s':>7} "
          f"{'us/task':>8} {'used':>5}  tasks per AZ")
    for strategy in STRATEGIES:
        for instances, tasks in sizes:
            row = run(instances, tasks, strategy)
            rows.append(row)
            print(f"{row['instances']:>9} {row['tasks']:>6}  {strategy:<24} {row['placed']:>6} "
                  f"{row['seconds']:>8.3f} {row['cpu_seconds']:>7.3f} {row['us_per_task']:>8.1f} "
                  f"{row['instances_used']:>5}  "
                  f"{'/'.join(str(v) for v in row['tasks_per_az'].values())}", flush=True)
    target = next(r for r in rows if r["strategy"] == "binpack(memory)" and r["instances"] == 1_000)
    ok = target["seconds"] <= TARGET_SECONDS and target["placed"] == 10_000
    print(f"\ntarget: 10,000 tasks on 1,000 instances with binpack(memory) in {target['seconds']:.3f} s "
          f"(limit {TARGET_SECONDS} s): {'met' if ok else 'MISSED'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"target_seconds": TARGET_SECONDS, "met": ok, "rows": rows},
                                              indent=2) + "\n")
    return 1 if args.check and not ok else 0


if __name__ == "__main__":
    raise SystemExit(main())
