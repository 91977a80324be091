"""Saved worlds: record, save, load, and the replayed world is the same world."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecslearn.errors import ScenarioError
from ecslearn.sim import ClientError, Simulator
from ecslearn.sim.world import (
    FORMAT,
    RecordingSimulator,
    load_world,
    save_world,
    world_from_dict,
    world_to_dict,
)


def _ecs_ami(sim) -> str:
    images = sim.client("ec2").describe_images(Owners=["amazon"])["Images"]
    return next(i["ImageId"] for i in images if "ecs" in i["Name"] and i.get("Architecture") == "x86_64")


def _state(sim) -> dict:
    """What a learner could look at: clusters, instances, container instances, the clock."""
    ecs, ec2 = sim.client("ecs"), sim.client("ec2")
    arns = ecs.list_clusters()["clusterArns"]
    out = {
        "now": sim.now,
        "clusters": ecs.describe_clusters(clusters=arns, include=["TAGS", "SETTINGS", "STATISTICS"]),
        "instances": ec2.describe_instances(),
    }
    out["container_instances"] = {}
    out["tasks"] = {}
    for arn in arns:
        cis = ecs.list_container_instances(cluster=arn)["containerInstanceArns"]
        out["container_instances"][arn] = ecs.describe_container_instances(cluster=arn, containerInstances=cis) \
            if cis else []
        tasks = ecs.list_tasks(cluster=arn, desiredStatus="RUNNING")["taskArns"] + \
            ecs.list_tasks(cluster=arn, desiredStatus="STOPPED")["taskArns"]
        out["tasks"][arn] = ecs.describe_tasks(cluster=arn, tasks=tasks) if tasks else []
    return out


def _build(sim: RecordingSimulator) -> None:
    ecs, ec2 = sim.client("ecs"), sim.client("ec2")
    ecs.create_cluster(clusterName="prod", tags=[{"key": "team", "value": "web"}])
    ecs.create_cluster(clusterName="dev")
    sim.advance(30)
    ec2.run_instances(ImageId=_ecs_ami(sim), InstanceType="m5.large", MinCount=2, MaxCount=2,
                      UserData="#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config",
                      IamInstanceProfile={"Name": "ecsInstanceRole"})
    with pytest.raises(ClientError):
        ecs.delete_cluster(cluster="missing")
    sim.settle()
    ecs.delete_cluster(cluster="dev")
    ecs.register_task_definition(family="web", containerDefinitions=[
        {"name": "web", "image": "nginx", "memory": 512, "essential": True,
         "portMappings": [{"containerPort": 80, "hostPort": 0}]}])
    ecs.run_task(cluster="prod", taskDefinition="web", count=5,
                 placementStrategy=[{"type": "random"}])
    sim.advance(120)
    running = ecs.list_tasks(cluster="prod")["taskArns"]
    assert len(running) == 5
    ecs.stop_task(cluster="prod", task=running[0], reason="by hand")
    sim.advance(60)


def test_a_saved_world_loads_into_the_same_state(tmp_path):
    sim = RecordingSimulator(seed=7)
    _build(sim)
    path = save_world(sim, tmp_path / "prod.world.json", description="two instances in prod")
    data = json.loads(path.read_text())
    assert data["format"] == FORMAT and data["kind"] == "ecslearn-world" and data["seed"] == 7
    assert data["description"] == "two instances in prod"
    assert data["events"][0] == {"call": "ecs.create_cluster",
                                 "params": {"clusterName": "prod", "tags": [{"key": "team", "value": "web"}]}}
    assert {"advance": 30} in data["events"] and {"settle": 3600.0} in data["events"]
    assert {"call": "ecs.delete_cluster", "params": {"cluster": "missing"},
            "error": "ClusterNotFoundException"} in data["events"]
    # the describe calls made by _ecs_ami are recorded too (they change nothing, replay is harmless)
    assert any(e.get("call") == "ec2.describe_images" for e in data["events"])

    again = load_world(path)
    assert isinstance(again, RecordingSimulator)
    assert _state(again) == _state(sim)
    # the loaded world keeps recording: saving it again gives the same file (plus what _state did)
    assert again.events[:len(data["events"])] == data["events"]
    # and it keeps going the same way as the original
    sim.advance(600)
    again.advance(600)
    assert _state(again) == _state(sim)
    assert again.new_hex() == sim.new_hex()


def test_world_round_trip_through_the_aws_cli_and_boto3(tmp_path):
    from ecslearn.sim import boto3_session
    from ecslearn.sim.bridge import AwsCli

    sim = RecordingSimulator(seed=3)
    cli = AwsCli(sim, cwd=tmp_path)
    assert cli.run("aws ecs create-cluster --cluster-name from-cli --tags key=a,value=b").exit_code == 0
    assert cli.run("aws ecs delete-cluster --cluster nope").exit_code == 254
    assert cli.run("aws ecs create-cluster --cluster-name 'bad name!'").exit_code == 254
    boto3_session(sim).client("ecs").create_cluster(clusterName="from-boto3")
    save_world(sim, tmp_path / "w.json")
    events = json.loads((tmp_path / "w.json").read_text())["events"]
    assert [e["call"] for e in events] == ["ecs.create_cluster", "ecs.delete_cluster", "ecs.create_cluster",
                                           "ecs.create_cluster"]
    loaded = load_world(tmp_path / "w.json")
    assert loaded.client("ecs").list_clusters() == sim.client("ecs").list_clusters()


def test_datetimes_and_bytes_in_parameters_survive_the_file(tmp_path):
    sim = RecordingSimulator(seed=0)
    when = sim.now + timedelta(hours=1)
    sim._record({"call": "ecs.list_clusters", "params": sim._snapshot({"at": when, "blob": b"\x00\xff"})})
    data = world_to_dict(sim)
    assert data["events"][0]["params"] == {"at": {"$datetime": when.isoformat()}, "blob": {"$bytes": "AP8="}}
    from ecslearn.sim.world import _decode

    assert _decode(data["events"][0]["params"]) == {"at": when, "blob": b"\x00\xff"}


def test_unsavable_parameters_are_reported_when_saving(tmp_path):
    sim = RecordingSimulator(seed=0)
    sim._record({"call": "ecs.list_clusters", "params": sim._snapshot({"x": object()})})
    with pytest.raises(ScenarioError, match=r"call 1 \(ecs.list_clusters\) has a parameter with no JSON form"):
        save_world(sim, tmp_path / "w.json")
    assert not (tmp_path / "w.json").exists()


def test_a_plain_simulator_cannot_be_saved(tmp_path):
    with pytest.raises(ScenarioError, match="does not record its history"):
        save_world(Simulator(0), tmp_path / "w.json")


def _write(tmp_path, content) -> str:
    path = tmp_path / "w.json"
    path.write_text(content if isinstance(content, str) else json.dumps(content))
    return str(path)


GOOD = {"format": 1, "kind": "ecslearn-world", "seed": 1, "events": []}


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", r"w.json:1: not a valid world file \(bad JSON"),
    ({"format": 1, "kind": "something-else", "seed": 1}, "not an ecslearn world file"),
    ([1, 2], "not an ecslearn world file"),
    ({**GOOD, "format": 2}, r"saved by a newer ecslearn \(world format 2\); this version reads format 1"),
    ({**GOOD, "format": "1"}, "'format' must be a whole number"),
    ({**GOOD, "seed": "x"}, "'seed' must be a whole number"),
    ({**GOOD, "events": {}}, "'events' must be a list"),
    ({**GOOD, "events": [{"advance": -5}]}, "event 1: 'advance' must be a number of seconds >= 0"),
    ({**GOOD, "events": [{"call": "nope"}]}, "event 1 must have \"call\""),
    ({**GOOD, "events": [{"call": "s3.list_buckets"}]}, "event 1: unknown service 's3'"),
    ({**GOOD, "events": [{"call": "ecs.no_such_op"}]}, "ecs has no operation 'no_such_op'"),
    ({**GOOD, "events": [{"call": "ecs.delete_cluster", "params": {"cluster": "x"}}]},
     r"event 1 \(ecs.delete_cluster\) did not replay as recorded: .*Cluster not found"),
    ({**GOOD, "events": [{"call": "ecs.create_cluster", "params": {"clusterName": "x"}, "error": "Boom"}]},
     "was refused with Boom when it was recorded, but succeeds now"),
    ({**GOOD, "events": [{"call": "ecs.create_cluster", "params": {"clusterName": 5}}]},
     r"did not replay: Parameter validation failed"),
    ({**GOOD, "events": [{"advance": 10}], "now": "2026-01-05T09:00:00+00:00"}, "clock is"),
    ({**GOOD, "start": "yesterday"}, "'start' is not an ISO 8601 time"),
])
def test_bad_world_files_get_clear_errors(tmp_path, content, message):
    with pytest.raises(ScenarioError, match=message):
        load_world(_write(tmp_path, content))


def test_missing_world_file(tmp_path):
    with pytest.raises(ScenarioError, match="no world file at"):
        load_world(tmp_path / "nope.json")


def test_newer_format_error_has_a_hint(tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_world(_write(tmp_path, {**GOOD, "format": 9}))
    assert info.value.hint == "upgrade ecslearn to load it"


_ACTIONS = st.lists(st.one_of(
    st.tuples(st.just("create"), st.sampled_from(["a", "b", "c", "bad name"])),
    st.tuples(st.just("delete"), st.sampled_from(["a", "b", "c", "zz"])),
    st.tuples(st.just("advance"), st.integers(0, 500)),
    st.tuples(st.just("settle"), st.just(0)),
), max_size=12)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**16), actions=_ACTIONS)
def test_any_recorded_history_replays_to_the_same_world(seed, actions):
    sim = RecordingSimulator(seed)
    ecs = sim.client("ecs")
    for kind, arg in actions:
        try:
            if kind == "create":
                ecs.create_cluster(clusterName=arg)
            elif kind == "delete":
                ecs.delete_cluster(cluster=arg)
            elif kind == "advance":
                sim.advance(arg)
            else:
                sim.settle()
        except ClientError:
            pass
    again = world_from_dict(json.loads(json.dumps(world_to_dict(sim))))
    assert again.now == sim.now
    arns = ecs.list_clusters()["clusterArns"]
    assert again.client("ecs").list_clusters()["clusterArns"] == arns
    assert again.client("ecs").describe_clusters(clusters=arns) == ecs.describe_clusters(clusters=arns)
