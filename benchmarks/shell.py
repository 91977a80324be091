"""How fast the sandbox shell answers a typical `aws ...` command once started (target: < 50 ms).

    python benchmarks/shell.py [--runs 30] [--json]

Times, with time.perf_counter in this process: creating the awscli driver (AwsCli, once per shell),
the first command of a service (botocore loads that service's model), then each typical command
`--runs` times on a warm driver (median, p90, worst). The simulator holds a cluster and a few EC2
container instances, as in a lesson.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ecslearn.sim import Simulator
from ecslearn.sim.bridge import AwsCli

COMMANDS = [
    "aws ecs list-clusters",
    "aws ecs describe-clusters --clusters prod --output table",
    "aws ecs describe-clusters --clusters prod --query clusters[0].status --output text",
    "aws ecs create-cluster --cluster-name prod --tags key=team,value=web",
    "aws ec2 describe-instances --query Reservations[].Instances[].[InstanceId,State.Name] --output text",
    "aws ecs delete-cluster --cluster missing",
]


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    sim = Simulator(seed=0)
    sim.client("ecs").create_cluster(clusterName="prod")
    ec2 = sim.client("ec2")
    ami = next(i["ImageId"] for i in ec2.describe_images(Owners=["amazon"])["Images"] if "ecs" in i["Name"])
    ec2.run_instances(ImageId=ami, InstanceType="m5.large", MinCount=3, MaxCount=3,
                      UserData="#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config")
    sim.settle()

    t0 = time.perf_counter()
    cli = AwsCli(sim)
    create = time.perf_counter() - t0
    first: dict[str, float] = {}
    for service, command in (("ecs", COMMANDS[0]), ("ec2", COMMANDS[4])):
        t0 = time.perf_counter()
        cli.run(command)
        first[service] = time.perf_counter() - t0

    rows = []
    for command in COMMANDS:
        times = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            result = cli.run(command)
            times.append(time.perf_counter() - t0)
        times.sort()
        rows.append({"command": command, "exit_code": result.exit_code, "median_ms": _ms(statistics.median(times)),
                     "p90_ms": _ms(times[int(len(times) * 0.9) - 1]), "worst_ms": _ms(times[-1])})
    # the same through the sandbox shell's engine (line parsing + the recording simulator)
    from ecslearn.shell.engine import ShellEngine

    engine = ShellEngine(seed=0)
    engine.execute(COMMANDS[0])
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        engine.execute(COMMANDS[1])
        times.append(time.perf_counter() - t0)
    rows.append({"command": f"(shell engine) {COMMANDS[1]}", "exit_code": 0,
                 "median_ms": _ms(statistics.median(sorted(times))),
                 "p90_ms": _ms(sorted(times)[int(len(times) * 0.9) - 1]), "worst_ms": _ms(max(times))})
    report = {"create_driver_ms": _ms(create), "first_command_ms": {k: _ms(v) for k, v in first.items()},
              "runs": args.runs, "commands": rows,
              "target_ms": 50, "all_under_target": all(r["median_ms"] < 50 for r in rows)}
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"AwsCli() (awscli driver, once per shell): {report['create_driver_ms']} ms")
    for service, ms in report["first_command_ms"].items():
        print(f"first {service} command (loads the service model): {ms} ms")
    print(f"\nwarm commands, {args.runs} runs each (median / p90 / worst, ms):")
    for r in rows:
        print(f"  {r['median_ms']:6.1f} {r['p90_ms']:6.1f} {r['worst_ms']:6.1f}  [{r['exit_code']}] {r['command']}")
    print(f"\ntarget < 50 ms per command: {'met' if report['all_under_target'] else 'NOT met'}")


if __name__ == "__main__":
    main()
