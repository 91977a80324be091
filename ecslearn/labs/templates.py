"""Lab templates: broken ECS worlds a learner repairs with the real `aws` CLI (issue 9).

A template turns a seeded `random.Random` into a `LabSpec`: the setup (`aws ...` lines, boto3-style
calls, clock moves, scenario steps such as `workload`) that builds the broken world, the checks
(scenario `expect` checks, with labels the learner sees) that fail in that world, and a reference
solution (`aws ...` lines) after which they pass. The generator (`labs.generator`) proves both before writing a lab file.

Templates (see `TEMPLATES`): container port vs target-group port, Fargate task without awsvpc, a
cpu/memory pair Fargate refuses, an execution role without ECR permissions, an ECS_CLUSTER typo, a
placement constraint no instance meets, a health-check grace period too short for an app that warms
up slowly. That last one stages the image's behaviour with a `workload` step (`sim.workloads`), which a
saved world records as a `workload` event (`sim.world`), so the lab file rebuilds it.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ecslearn.content.model import Step

ECS_AMI = "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
NGINX = "public.ecr.aws/nginx/nginx:latest"
EXEC_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
ACCOUNT = "123456789012"
REGION = "us-east-1"

_CLUSTERS = ("prod", "staging", "shop", "payments", "orders", "media", "search", "billing")
_FAMILIES = ("web", "api", "frontend", "catalog", "checkout", "worker-http", "portal", "gateway")


@dataclass
class LabSpec:
    """What a template produces for one seed (everything JSON-serialisable)."""

    template: str
    title: str
    task: str                                   # what the learner is asked to do (learner-facing)
    setup: list[Any]                            # `aws ...` lines, {"call", "params", "save"}, {"advance"}, {"settle"},
                                                # or scenario Steps (e.g. Step("workload", {...}): recorded in the world)
    checks: list[dict[str, Any]]                # {"call", "params", "query", "<op>": expected, "label"}
    solution: list[str]                         # `aws ...` lines
    hints: list[str] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class LabTemplate:
    name: str
    title: str
    build: Callable[[random.Random], LabSpec]


def _q(value: Any) -> str:
    """Shell-quote JSON for an aws CLI line (single quotes; the JSON we write has none)."""
    text = json.dumps(value, separators=(",", ":"))
    assert "'" not in text
    return f"'{text}'"


def _instances(cluster: str, count: int, itype: str = "t3.medium") -> list[Any]:
    return [f"aws ec2 run-instances --image-id {ECS_AMI} --instance-type {itype} --count {count} "
            f"--iam-instance-profile Name=ecsInstanceRole "
            f"--user-data 'echo ECS_CLUSTER={cluster} >> /etc/ecs/ecs.config'", {"settle": 600}]


def _subnet_save() -> dict[str, Any]:
    return {"call": "ec2.describe_subnets", "params": {"Filters": [{"Name": "default-for-az", "Values": ["true"]}]},
            "save": {"subnet": "Subnets[0].SubnetId", "subnet2": "Subnets[1].SubnetId", "vpc": "Subnets[0].VpcId"}}


def _running_check(cluster: str, family: str, count: int, launch: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"cluster": cluster, "family": family, "desiredStatus": "RUNNING"}
    if launch:
        params["launchType"] = launch
    what = f"{launch.title()} " if launch else ""
    return {"call": "ecs.list_tasks", "params": params, "query": "length(taskArns)", "ge": count,
            "label": f"at least {count} {what}task(s) of family {family} are RUNNING in cluster {cluster}"}


def _fargate_run(cluster: str, family: str, count: int = 1) -> str:
    return (f"aws ecs run-task --cluster {cluster} --task-definition {family} --launch-type FARGATE --count {count} "
            "--network-configuration 'awsvpcConfiguration={subnets=[${subnet}],assignPublicIp=ENABLED}'")


# --- templates ----------------------------------------------------------------------------------------


def port_mismatch(rng: random.Random) -> LabSpec:
    cluster, family = rng.choice(_CLUSTERS), rng.choice(_FAMILIES)
    wrong = rng.choice([8080, 8000, 3000, 5000, 8443])
    desired = rng.randint(1, 3)
    tg = f"{family}-tg"
    container = [{"name": family, "image": NGINX, "essential": True,
                  "portMappings": [{"containerPort": wrong, "protocol": "tcp"}]}]
    setup: list[Any] = [
        f"aws ecs create-cluster --cluster-name {cluster}",
        _subnet_save(),
        {"call": "elbv2.create_load_balancer", "params": {"Name": f"{family}-alb", "Subnets": ["${subnet}", "${subnet2}"]},
         "save": {"alb": "LoadBalancers[0].LoadBalancerArn"}},
        {"call": "elbv2.create_target_group", "params": {"Name": tg, "Protocol": "HTTP", "Port": 80, "VpcId": "${vpc}",
                                                         "TargetType": "ip"},
         "save": {"tg": "TargetGroups[0].TargetGroupArn"}},
        {"call": "elbv2.create_listener", "params": {"LoadBalancerArn": "${alb}", "Protocol": "HTTP", "Port": 80,
                                                     "DefaultActions": [{"Type": "forward", "TargetGroupArn": "${tg}"}]}},
        f"aws ecs register-task-definition --family {family} --requires-compatibilities FARGATE --network-mode awsvpc "
        f"--cpu 256 --memory 512 --container-definitions {_q(container)}",
        {"call": "ecs.create_service", "params": {
            "cluster": cluster, "serviceName": family, "taskDefinition": family, "desiredCount": desired,
            "launchType": "FARGATE",
            "loadBalancers": [{"targetGroupArn": "${tg}", "containerName": family, "containerPort": wrong}],
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["${subnet}"], "assignPublicIp": "ENABLED"}}}},
        {"settle": 900},
    ]
    fixed = [{**container[0], "portMappings": [{"containerPort": 80, "protocol": "tcp"}]}]
    solution = [
        f"aws ecs register-task-definition --family {family} --requires-compatibilities FARGATE --network-mode awsvpc "
        f"--cpu 256 --memory 512 --container-definitions {_q(fixed)}",
        f"aws ecs update-service --cluster {cluster} --service {family} --task-definition {family} "
        f"--load-balancers targetGroupArn=${{tg}},containerName={family},containerPort=80",
    ]
    checks = [
        {"call": "elbv2.describe_target_health", "params": {"TargetGroupArn": "${tg}"},
         "query": "length(TargetHealthDescriptions[?TargetHealth.State=='healthy'])", "ge": desired,
         "label": f"{desired} healthy target(s) in target group {tg}"},
        {"call": "ecs.describe_services", "params": {"cluster": cluster, "services": [family]},
         "query": "services[0].runningCount", "eq": desired,
         "label": f"service {family} runs {desired} task(s)"},
    ]
    task = (f"The service `{family}` in cluster `{cluster}` sits behind the load balancer `{family}-alb`, but its "
            f"targets never become healthy and its tasks keep being replaced. The container image is nginx, "
            f"which listens on port 80. Make the service healthy (keep its name and its target group `{tg}`).")
    return LabSpec("port-mismatch", "Container port vs target-group port", task, setup, checks, solution,
                   ["Compare the task definition's portMappings with the port nginx listens on.",
                    "aws elbv2 describe-target-health shows why targets are unhealthy."],
                   {"cluster": cluster, "family": family, "wrong_port": wrong, "desired": desired})


def fargate_no_awsvpc(rng: random.Random) -> LabSpec:
    cluster, family = rng.choice(_CLUSTERS), rng.choice(_FAMILIES)
    mode = rng.choice(["bridge", "host"])
    container = [{"name": family, "image": NGINX, "essential": True, "memory": 256}]
    setup: list[Any] = [
        f"aws ecs create-cluster --cluster-name {cluster}",
        _subnet_save(),
        f"aws ecs register-task-definition --family {family} --network-mode {mode} "
        f"--container-definitions {_q(container)}",
        _fargate_run(cluster, family),
        {"settle": 300},
    ]
    fixed = [{"name": family, "image": NGINX, "essential": True}]
    solution = [
        f"aws ecs register-task-definition --family {family} --requires-compatibilities FARGATE --network-mode awsvpc "
        f"--cpu 256 --memory 512 --container-definitions {_q(fixed)}",
        _fargate_run(cluster, family),
    ]
    checks = [_running_check(cluster, family, 1, "FARGATE")]
    task = (f"A teammate tried to run the task definition `{family}` on Fargate in cluster `{cluster}`, and "
            f"`aws ecs run-task --launch-type FARGATE` was refused. Get one task of family `{family}` RUNNING "
            "on Fargate (a new revision of the same family is fine).")
    return LabSpec("fargate-no-awsvpc", "Fargate task without awsvpc", task, setup, checks, solution,
                   ["Which network mode does every Fargate task use?",
                    "Fargate also needs requiresCompatibilities FARGATE and task-level cpu and memory."],
                   {"cluster": cluster, "family": family, "network_mode": mode})


_FARGATE_BAD = {"256": ["256", "4096", "8192"], "512": ["512", "8192", "16384"], "1024": ["1024", "512", "16384"],
                "2048": ["2048", "1024", "30720"], "4096": ["4096", "2048", "32768"]}
_FARGATE_GOOD = {"256": "512", "512": "1024", "1024": "2048", "2048": "4096", "4096": "8192"}


def fargate_cpu_memory(rng: random.Random) -> LabSpec:
    cluster, family = rng.choice(_CLUSTERS), rng.choice(_FAMILIES)
    cpu = rng.choice(sorted(_FARGATE_BAD))
    memory = rng.choice(_FARGATE_BAD[cpu])
    container = [{"name": family, "image": NGINX, "essential": True}]
    setup: list[Any] = [
        f"aws ecs create-cluster --cluster-name {cluster}",
        _subnet_save(),
        f"aws ecs register-task-definition --family {family} --requires-compatibilities FARGATE --network-mode awsvpc "
        f"--cpu {cpu} --memory {memory} --container-definitions {_q(container)}",
    ]
    solution = [
        f"aws ecs register-task-definition --family {family} --requires-compatibilities FARGATE --network-mode awsvpc "
        f"--cpu {cpu} --memory {_FARGATE_GOOD[cpu]} --container-definitions {_q(container)}",
        _fargate_run(cluster, family),
    ]
    checks = [
        {"call": "ecs.describe_task_definition", "params": {"taskDefinition": family},
         "query": "taskDefinition.cpu", "eq": cpu, "label": f"the latest {family} task definition keeps cpu {cpu}"},
        _running_check(cluster, family, 1, "FARGATE"),
    ]
    task = (f"Registering the Fargate task definition `{family}` with cpu {cpu} and memory {memory} MiB was "
            f"refused. Keep cpu {cpu}, pick a memory size Fargate accepts, register it and run one task of "
            f"family `{family}` on Fargate in cluster `{cluster}`.")
    return LabSpec("fargate-cpu-memory", "A cpu/memory pair Fargate refuses", task, setup, checks, solution,
                   ["Fargate supports only fixed cpu/memory combinations (see 'Task size' in the ECS guide)."],
                   {"cluster": cluster, "family": family, "cpu": cpu, "memory": memory})


def exec_role_ecr(rng: random.Random) -> LabSpec:
    cluster, family = rng.choice(_CLUSTERS), rng.choice(_FAMILIES)
    repo = f"{family}-app"
    role = rng.choice(["labExecutionRole", "appTaskExecRole", "ecsExecRoleLab"])
    tag = rng.choice(["v1", "v2", "1.0.0", "2024-06"])
    image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{repo}:{tag}"
    manifest = {"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 1000,
                           "digest": f"sha256:{rng.getrandbits(256):064x}"},
                "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 5000000,
                            "digest": f"sha256:{rng.getrandbits(256):064x}"}]}
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                                                     "Action": "sts:AssumeRole"}]}
    container = [{"name": family, "image": image, "essential": True}]
    setup: list[Any] = [
        f"aws ecs create-cluster --cluster-name {cluster}",
        _subnet_save(),
        f"aws ecr create-repository --repository-name {repo}",
        {"call": "ecr.put_image", "params": {"repositoryName": repo, "imageTag": tag,
                                             "imageManifest": json.dumps(manifest)}},
        {"call": "iam.create_role", "params": {"RoleName": role, "AssumeRolePolicyDocument": json.dumps(trust)}},
        f"aws ecs register-task-definition --family {family} --requires-compatibilities FARGATE --network-mode awsvpc "
        f"--cpu 256 --memory 512 --execution-role-arn arn:aws:iam::{ACCOUNT}:role/{role} "
        f"--container-definitions {_q(container)}",
        _fargate_run(cluster, family),
        {"settle": 600},
    ]
    solution = [
        f"aws iam attach-role-policy --role-name {role} --policy-arn {EXEC_POLICY}",
        _fargate_run(cluster, family),
    ]
    checks = [_running_check(cluster, family, 1, "FARGATE")]
    task = (f"Tasks of family `{family}` in cluster `{cluster}` stop right after they start; the image "
            f"`{repo}:{tag}` is in this account's ECR. Find out why and get one task RUNNING (do not change the "
            "image).")
    return LabSpec("exec-role-ecr", "Execution role without ECR permissions", task, setup, checks, solution,
                   ["aws ecs describe-tasks shows the stoppedReason of a stopped task.",
                    "Who pulls the image: the task role or the task execution role?"],
                   {"cluster": cluster, "family": family, "role": role, "image": image})


def _typo(name: str, rng: random.Random) -> str:
    if len(name) >= 3:
        i = rng.randrange(len(name) - 1)
        swapped = name[:i] + name[i + 1] + name[i] + name[i + 2:]
        if swapped != name:
            return swapped
    return name + "1"


def ecs_cluster_typo(rng: random.Random) -> LabSpec:
    cluster = rng.choice(_CLUSTERS)
    typo = _typo(cluster, rng)
    count = rng.randint(1, 2)
    setup: list[Any] = [f"aws ecs create-cluster --cluster-name {cluster}", *_instances(typo, count)]
    solution = [
        f"aws ec2 run-instances --image-id {ECS_AMI} --instance-type t3.medium --count {count} "
        f"--iam-instance-profile Name=ecsInstanceRole --user-data 'echo ECS_CLUSTER={cluster} >> /etc/ecs/ecs.config'",
    ]
    checks = [{"call": "ecs.describe_clusters", "params": {"clusters": [cluster]},
               "query": "clusters[0].registeredContainerInstancesCount", "ge": count,
               "label": f"at least {count} container instance(s) registered in cluster {cluster}"}]
    task = (f"{count} EC2 instance(s) were launched from the ECS-optimized AMI for cluster `{cluster}`, but "
            f"the cluster shows no container instances. Get {count} container instance(s) registered in "
            f"`{cluster}`.")
    return LabSpec("ecs-cluster-typo", "ECS_CLUSTER typo", task, setup, checks, solution,
                   ["aws ec2 describe-instance-attribute --attribute userData shows what the agent read "
                    "(base64).", "The agent reads ECS_CLUSTER from /etc/ecs/ecs.config."],
                   {"cluster": cluster, "typo": typo, "count": count})


def placement_constraint(rng: random.Random) -> LabSpec:
    cluster, family = rng.choice(_CLUSTERS), rng.choice(_FAMILIES)
    wanted = rng.choice(["m5.24xlarge", "c6i.32xlarge", "r6g.16xlarge", "p4d.24xlarge"])
    desired = rng.randint(1, 3)
    container = [{"name": family, "image": NGINX, "essential": True, "memory": 256}]
    setup: list[Any] = [
        f"aws ecs create-cluster --cluster-name {cluster}", *_instances(cluster, 2),
        f"aws ecs register-task-definition --family {family} --container-definitions {_q(container)}",
        f"aws ecs create-service --cluster {cluster} --service-name {family} --task-definition {family} "
        f"--desired-count {desired} --placement-constraints "
        f"'type=memberOf,expression=\"attribute:ecs.instance-type == {wanted}\"'",
        {"settle": 600},
    ]
    solution = [f"aws ecs update-service --cluster {cluster} --service {family} --placement-constraints '[]'"]
    checks = [{"call": "ecs.describe_services", "params": {"cluster": cluster, "services": [family]},
               "query": "services[0].runningCount", "eq": desired,
               "label": f"service {family} runs {desired} task(s)"}]
    task = (f"The service `{family}` in cluster `{cluster}` has desired count {desired} but runs nothing, although "
            "the cluster has two t3.medium container instances with room to spare. Make it run its tasks on "
            "them (keep the service).")
    return LabSpec("placement-constraint", "A placement constraint nobody can meet", task, setup, checks, solution,
                   ["The service's events say why it cannot place a task.",
                    "aws ecs describe-services --query 'services[0].placementConstraints'"],
                   {"cluster": cluster, "family": family, "instance_type": wanted, "desired": desired})


def grace_period(rng: random.Random) -> LabSpec:
    """§4.3, §4.7: ELB health checks are enforced once the grace period is over; an app that needs ~2
    minutes to answer 200 is stopped ("Task failed ELB health checks") before it is ready, again and again."""
    cluster, family = rng.choice(_CLUSTERS), rng.choice(_FAMILIES)
    warmup = rng.choice([90, 120, 150])
    grace = rng.choice([0, 30])
    desired = rng.randint(1, 3)
    tg = f"{family}-tg"
    image = f"{rng.choice(['acme', 'example', 'shopco'])}/{family}:{rng.choice(['3.2.0', '2024.11', 'v7'])}"
    container = [{"name": family, "image": image, "essential": True,
                  "portMappings": [{"containerPort": 8080, "protocol": "tcp"}]}]
    setup: list[Any] = [
        Step("workload", {"image": image, "http_ready_after": warmup, "listens_on": [8080],
                          "log_lines": [f"Starting {family}: loading caches and warming up the JVM..."]}),
        f"aws ecs create-cluster --cluster-name {cluster}",
        _subnet_save(),
        {"call": "elbv2.create_load_balancer", "params": {"Name": f"{family}-alb", "Subnets": ["${subnet}", "${subnet2}"]},
         "save": {"alb": "LoadBalancers[0].LoadBalancerArn"}},
        {"call": "elbv2.create_target_group", "params": {
            "Name": tg, "Protocol": "HTTP", "Port": 8080, "VpcId": "${vpc}", "TargetType": "ip",
            "HealthCheckPath": "/health", "HealthCheckIntervalSeconds": 15, "HealthCheckTimeoutSeconds": 5},
         "save": {"tg": "TargetGroups[0].TargetGroupArn"}},
        {"call": "elbv2.modify_target_group_attributes", "params": {
            "TargetGroupArn": "${tg}", "Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "10"}]}},
        {"call": "elbv2.create_listener", "params": {"LoadBalancerArn": "${alb}", "Protocol": "HTTP", "Port": 80,
                                                     "DefaultActions": [{"Type": "forward", "TargetGroupArn": "${tg}"}]}},
        f"aws ecs register-task-definition --family {family} --requires-compatibilities FARGATE --network-mode awsvpc "
        f"--cpu 512 --memory 1024 --container-definitions {_q(container)}",
        {"call": "ecs.create_service", "params": {
            "cluster": cluster, "serviceName": family, "taskDefinition": family, "desiredCount": desired,
            "launchType": "FARGATE", "healthCheckGracePeriodSeconds": grace,
            "loadBalancers": [{"targetGroupArn": "${tg}", "containerName": family, "containerPort": 8080}],
            "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["${subnet}"], "assignPublicIp": "ENABLED"}}}},
        {"settle": 900},
    ]
    solution = [f"aws ecs update-service --cluster {cluster} --service {family} --health-check-grace-period-seconds 300"]
    checks = [
        {"call": "elbv2.describe_target_health", "params": {"TargetGroupArn": "${tg}"},
         "query": "length(TargetHealthDescriptions[?TargetHealth.State=='healthy'])", "ge": desired,
         "label": f"{desired} healthy target(s) in target group {tg}"},
        {"call": "ecs.describe_services", "params": {"cluster": cluster, "services": [family]},
         "query": "services[0].runningCount", "eq": desired,
         "label": f"service {family} runs {desired} task(s)"},
        {"call": "ecs.describe_services", "params": {"cluster": cluster, "services": [family]},
         "query": "services[0].events[0].message", "contains": "has reached a steady state",
         "label": f"service {family} has reached a steady state"},
    ]
    task = (f"The service `{family}` in cluster `{cluster}` sits behind the load balancer `{family}-alb`. Its "
            f"tasks start, run for a minute or so, and are replaced, again and again; its targets never become "
            f"healthy. The developers say the app (`{image}`) is fine: it just needs about {warmup // 60} "
            f"minutes after it starts before it answers on /health. Make the service healthy without changing "
            f"the image, the health check or the target group `{tg}`.")
    return LabSpec("grace-period", "A health-check grace period too short", task, setup, checks, solution,
                   ["The service's events and the stopped tasks' stoppedReason say why ECS replaces them.",
                    "aws ecs describe-services --query 'services[0].healthCheckGracePeriodSeconds'",
                    "During the grace period ECS ignores failing load balancer health checks."],
                   {"cluster": cluster, "family": family, "image": image, "warmup": warmup, "grace": grace,
                    "desired": desired})


TEMPLATES: dict[str, LabTemplate] = {t.name: t for t in (
    LabTemplate("port-mismatch", "Container port vs target-group port", port_mismatch),
    LabTemplate("fargate-no-awsvpc", "Fargate task without awsvpc", fargate_no_awsvpc),
    LabTemplate("fargate-cpu-memory", "A cpu/memory pair Fargate refuses", fargate_cpu_memory),
    LabTemplate("exec-role-ecr", "Execution role without ECR permissions", exec_role_ecr),
    LabTemplate("ecs-cluster-typo", "ECS_CLUSTER typo", ecs_cluster_typo),
    LabTemplate("placement-constraint", "A placement constraint nobody can meet", placement_constraint),
    LabTemplate("grace-period", "A health-check grace period too short", grace_period),
)}
