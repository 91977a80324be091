"""The cluster map: the picture a learner gets from `map` and `ecslearn map`."""

from __future__ import annotations

import io
import re

from ecslearn.lesson.world import _Quiet
from ecslearn.lesson.worldmap import cluster_map
from ecslearn.sim.world import RecordingSimulator, save_world
from ecslearn.ui.console import make_console
from ecslearn.ui.map import bar, render_map

AMI = "resolve:ssm:/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"


def busy_world() -> RecordingSimulator:
    """Two EC2 instances in two AZs, a service that wants more memory than there is, two Fargate tasks,
    a task that exited, and an instance whose agent never joined (ECS_CLUSTER typo)."""
    sim = RecordingSimulator(0)
    ecs, ec2 = sim.client("ecs"), sim.client("ec2")
    ecs.create_cluster(clusterName="prod")
    for zone, cluster in (("us-east-1a", "prod"), ("us-east-1b", "prod"), ("us-east-1c", "prdo")):
        ec2.run_instances(ImageId=AMI, InstanceType="t3.small", MinCount=1, MaxCount=1,
                          Placement={"AvailabilityZone": zone}, IamInstanceProfile={"Name": "ecsInstanceRole"},
                          UserData=f"#!/bin/bash\necho ECS_CLUSTER={cluster} >> /etc/ecs/ecs.config")
    sim.advance(60)
    ecs.register_task_definition(family="web", containerDefinitions=[
        {"name": "web", "image": "nginx", "memory": 700, "cpu": 256}])
    ecs.create_service(cluster="prod", serviceName="web", taskDefinition="web", desiredCount=6)
    ecs.register_task_definition(family="api", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512", containerDefinitions=[{"name": "api", "image": "nginx"}])
    subnets = [s["SubnetId"] for s in ec2.describe_subnets()["Subnets"]][:2]
    ecs.run_task(cluster="prod", taskDefinition="api", launchType="FARGATE", count=2, networkConfiguration={
        "awsvpcConfiguration": {"subnets": subnets, "assignPublicIp": "ENABLED"}})
    ecs.register_task_definition(family="oneshot", containerDefinitions=[
        {"name": "job", "image": "busybox", "memory": 64}])
    sim.advance(120)
    ecs.run_task(cluster="prod", taskDefinition="oneshot")
    sim.advance(120)
    return sim


def draw(sim, width: int = 80) -> str:
    out = io.StringIO()
    render_map(make_console(file=out, width=width, color=False), cluster_map(_Quiet(sim)))
    return out.getvalue()


def test_the_map_data_follows_the_simulator():
    cmap = cluster_map(_Quiet(busy_world()))
    (prod,) = cmap.clusters
    assert [z.name for z in prod.zones] == ["us-east-1a", "us-east-1b"]
    instances = [i for z in prod.zones for i in z.instances]
    assert len(instances) == 2
    for inst in instances:
        assert (inst.cpu_total, inst.memory_total) == (2048, 1991)
        assert inst.memory_used == 700 * len([t for t in inst.tasks if t.family.startswith("web")])
    (web,) = prod.services
    assert (web.desired, web.running) == (6, 4)
    assert "insufficient memory" in (web.last_event or "")
    assert sorted(len(z.fargate) for z in prod.zones) == [1, 1]
    assert [t.stopped_reason for t in prod.stopped if t.family.startswith("oneshot")] == [
        "Essential container in task exited"]          # busybox exits at once
    (loose,) = cmap.loose
    assert loose.zone == "us-east-1c" and "Cluster not found" in (loose.note or "")


def test_the_picture_fits_80_columns_without_colour():
    text = draw(busy_world())
    assert "\x1b[" not in text                       # NO_COLOR: no escape codes at all
    assert max(len(line) for line in text.splitlines()) <= 80
    for expected in ("cluster prod ACTIVE · 2 instances", "us-east-1a", "us-east-1b", "CPU [", "MEM [",
                     "1400/1991 MiB", "● web:1", "RUNNING", "web EC2 desired 6 · running 4 · pending 0",
                     "last event:", "Fargate", "● api:1", "✕ oneshot:1", "Essential container in task exited",
                     "EC2 instances in no cluster", "Cluster not found"):
        assert expected in text, expected


def test_bars_are_characters_not_only_colour():
    assert bar(0, 100, 10).plain == "[░░░░░░░░░░]"
    assert bar(50, 100, 10).plain == "[█████░░░░░]"
    assert bar(100, 100, 10).plain == "[██████████]"
    assert bar(5, 0, 4).plain == "[░░░░]"             # nothing registered: no division by zero


def test_an_empty_account_says_so():
    assert "No clusters yet" in draw(RecordingSimulator(0))


def test_ecslearn_map_draws_a_saved_world(tmp_path, capsys):
    import pytest

    from ecslearn.cli.main import main

    save_world(busy_world(), tmp_path / "busy.json")
    with pytest.raises(SystemExit) as info:
        main(["map", "--scenario", str(tmp_path / "busy.json")])
    assert info.value.code in (0, None)
    out = capsys.readouterr().out
    assert "cluster prod ACTIVE" in out and "Fargate" in out
    assert not re.search(r"Traceback", out)


def test_ecslearn_map_without_a_world_or_a_lesson_is_a_clear_error(capsys):
    import pytest

    from ecslearn.cli.main import main

    with pytest.raises(SystemExit) as info:
        main(["map"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "no lesson in progress to draw" in err


def test_map_text_for_shells_that_print_strings():
    from ecslearn.ui.map import map_text

    sim = busy_world()
    plain = map_text(sim, width=80)
    assert plain == draw(sim)
    coloured = map_text(sim, width=80, color=True)
    assert "\x1b[" in coloured and "cluster" in coloured
