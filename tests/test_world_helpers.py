"""Saved worlds keep what simulator helpers stage: image behaviour, docker push and docker login."""

from __future__ import annotations

import json

import pytest

from ecslearn.errors import ScenarioError, SimulatorError
from ecslearn.sim import Simulator
from ecslearn.sim.docker import DockerError, docker_login, docker_push
from ecslearn.sim.workloads import Workload, set_workload, workload_for
from ecslearn.sim.world import RecordingSimulator, load_world, save_world, world_from_dict, world_to_dict

IMAGE = "web:v2"


def _run_fargate(sim, image: str) -> str:
    ecs, ec2 = sim.client("ecs"), sim.client("ec2")
    ecs.create_cluster(clusterName="prod")
    subnet = ec2.describe_subnets()["Subnets"][0]["SubnetId"]
    ecs.register_task_definition(family="web", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512",
                                 containerDefinitions=[{"name": "web", "image": image, "essential": True}])
    return ecs.run_task(cluster="prod", taskDefinition="web", launchType="FARGATE", networkConfiguration={
        "awsvpcConfiguration": {"subnets": [subnet], "assignPublicIp": "ENABLED"}})["tasks"][0]["taskArn"]


def _exit_code(sim, task_arn: str):
    task = sim.client("ecs").describe_tasks(cluster="prod", tasks=[task_arn])["tasks"][0]
    return task["lastStatus"], task["containers"][0].get("exitCode")


def test_a_workload_set_before_saving_makes_the_loaded_world_behave_the_same(tmp_path):
    sim = RecordingSimulator(seed=3)
    set_workload(sim, IMAGE, exit_code=3, exit_after=5, log_lines=("panic: no config",))
    assert sim.events[-1] == {"workload": {"image": IMAGE, "behaviour": workload_for(sim, IMAGE).to_dict()}}
    save_world(sim, tmp_path / "w.json")
    again = load_world(tmp_path / "w.json")
    assert workload_for(again, IMAGE) == workload_for(sim, IMAGE)
    task = _run_fargate(again, IMAGE)
    again.settle()
    assert _exit_code(again, task) == ("STOPPED", 3)


def test_a_running_world_with_a_workload_replays_to_the_same_state(tmp_path):
    sim = RecordingSimulator(seed=5)
    set_workload(sim, IMAGE, exit_code=7, exit_after=30)
    task = _run_fargate(sim, IMAGE)
    sim.settle()
    assert _exit_code(sim, task) == ("STOPPED", 7)
    path = save_world(sim, tmp_path / "w.json")
    again = load_world(path)
    assert again.now == sim.now
    assert _exit_code(again, task) == ("STOPPED", 7)
    # without the workload event the same history gives a different world (the task would keep running)
    data = json.loads(path.read_text())
    data["events"] = [e for e in data["events"] if "workload" not in e]
    data.pop("now")
    plain = world_from_dict(data)
    assert _exit_code(plain, task) != ("STOPPED", 7)


def test_field_changes_are_recorded_as_the_whole_behaviour():
    sim = RecordingSimulator(seed=1)
    set_workload(sim, IMAGE, http_status=503)
    set_workload(sim, IMAGE, exit_code=2)  # keeps http_status 503 from before
    again = world_from_dict(world_to_dict(sim))
    assert workload_for(again, IMAGE) == Workload(http_status=503, exit_code=2)
    assert len(again.events) == 2  # the loaded world keeps recording the same log


def test_refused_set_workload_is_not_recorded():
    sim = RecordingSimulator(seed=1)
    with pytest.raises(SimulatorError):
        set_workload(sim, IMAGE, exit_code=999)
    with pytest.raises(SimulatorError):
        set_workload(sim, "", exit_code=1)
    assert sim.events == []


def test_a_plain_simulator_still_takes_workloads():
    sim = Simulator(seed=1)
    set_workload(sim, IMAGE, exit_code=1)
    assert workload_for(sim, IMAGE).exit_code == 1


def _ecr_uri(sim, repo: str) -> str:
    return sim.client("ecr").create_repository(repositoryName=repo)["repository"]["repositoryUri"]


def test_docker_push_with_a_workload_is_one_event_and_replays_the_same_digest(tmp_path):
    sim = RecordingSimulator(seed=9)
    uri = _ecr_uri(sim, "api")
    digest = docker_push(sim, f"{uri}:v1", workload={"exit_code": 4, "exit_after": 2})
    kinds = [next(iter(e)) for e in sim.events]
    assert kinds == ["call", "push"]  # the set_workload calls inside the push are not separate events
    again = load_world(save_world(sim, tmp_path / "w.json"))
    images = again.client("ecr").describe_images(repositoryName="api")["imageDetails"]
    assert [i["imageDigest"] for i in images] == [digest]
    assert workload_for(again, f"{uri}@{digest}").exit_code == 4
    assert workload_for(again, f"{uri}:v1") == workload_for(sim, f"{uri}:v1")
    assert again.now == sim.now and again.new_hex(8) == sim.new_hex(8)  # same ids from here on


def test_a_failed_push_is_recorded_and_must_fail_again():
    sim = RecordingSimulator(seed=9)
    uri = _ecr_uri(sim, "api")
    with pytest.raises(DockerError):
        docker_push(sim, uri.replace("/api", "/missing") + ":v1")
    assert "error" in sim.events[-1] and "push" in sim.events[-1]
    data = world_to_dict(sim)
    world_from_dict(data)
    data["events"][-1]["push"]["image"] = f"{uri}:v1"  # now it would succeed
    with pytest.raises(ScenarioError, match="failed when it was recorded"):
        world_from_dict(data)


def test_docker_login_is_replayed_so_a_later_push_needs_no_manual_login():
    sim = RecordingSimulator(seed=2)
    uri = _ecr_uri(sim, "api")
    token = sim.client("ecr").get_authorization_token()["authorizationData"][0]
    import base64

    password = base64.b64decode(token["authorizationToken"]).decode().partition(":")[2]
    docker_login(sim, password, uri.split("/")[0])
    docker_push(sim, f"{uri}:v1", logged_in=False)
    again = world_from_dict(world_to_dict(sim))
    assert len(again.client("ecr").describe_images(repositoryName="api")["imageDetails"]) == 1


@pytest.mark.parametrize("event, message", [
    ({"teleport": 5}, "unknown kind"),
    ({"workload": "web"}, "'workload' must be an object"),
    ({"workload": {"image": IMAGE, "behaviour": {"exit_code": "x"}}}, "did not replay"),
    ({"workload": {"image": IMAGE, "colour": "red"}}, "unknown 'workload' keys"),
    ({"workload": {"behaviour": {}}}, "needs an image"),
    ({"push": {"image": "nginx:latest"}}, "did not replay"),
    ({"docker_login": {"registry": 5}}, "needs a registry"),
])
def test_bad_helper_events_get_clear_errors(event, message):
    data = {"format": 1, "kind": "ecslearn-world", "seed": 1, "events": [event]}
    with pytest.raises(ScenarioError, match=message):
        world_from_dict(data, source="w.json")


def test_unknown_event_kind_says_so_and_hints_at_a_newer_ecslearn():
    data = {"format": 1, "kind": "ecslearn-world", "seed": 1, "events": [{"advance": 1}, {"teleport": 5}]}
    with pytest.raises(ScenarioError) as info:
        world_from_dict(data, source="w.json")
    assert "event 2" in info.value.message and "'teleport'" in info.value.message
    assert "workload" in info.value.message and "newer" in (info.value.hint or "")


def test_older_files_without_helper_events_still_load():
    data = {"format": 1, "kind": "ecslearn-world", "seed": 4,
            "events": [{"call": "ecs.create_cluster", "params": {"clusterName": "prod"}}, {"advance": 60}]}
    sim = world_from_dict(data)
    assert sim.client("ecs").list_clusters()["clusterArns"]
