"""Workloads: image behaviour as data (DESIGN.md "Simulated workloads"), lookup order and validation."""

from __future__ import annotations

import pytest

from ecslearn.errors import SimulatorError
from ecslearn.sim import Simulator
from ecslearn.sim.workloads import DEFAULT, Workload, set_workload, split_image, workload_for


def test_lookup_order_exact_then_repository_then_catalogue_then_default(sim):
    set_workload(sim, "web", exit_code=2, exit_after=9)
    set_workload(sim, "web:v2", Workload(http_status=503))
    assert workload_for(sim, "web:v2").http_status == 503
    assert workload_for(sim, "web:v1").exit_code == 2
    assert workload_for(sim, "web@sha256:" + "a" * 64).exit_code == 2
    assert workload_for(sim, "other:1") == DEFAULT
    assert workload_for(sim, "nginx:1.27").listens_on == (80,)
    assert workload_for(sim, "public.ecr.aws/nginx/nginx:latest").listens_on == (80,)
    assert workload_for(sim, "docker.io/library/httpd").keeps_running
    assert workload_for(sim, "amazon/amazon-ecs-sample").listens_on == (80,)
    set_workload(sim, "nginx", exit_code=1)
    assert workload_for(sim, "nginx:1.27").exit_code == 1  # set_workload wins over the catalogue


def test_catalogue_shell_images_follow_their_command(sim):
    assert workload_for(sim, "busybox").exit_code == 0
    assert workload_for(sim, "busybox", command=["sleep", "30"]).exit_after == 30
    assert workload_for(sim, "alpine:3", command=["sh", "-c", "while true; do date; sleep 5; done"]).keeps_running
    assert workload_for(sim, "busybox", command=["tail", "-f", "/dev/null"]).keeps_running
    assert workload_for(sim, "busybox", command=["echo", "hi"]).exit_code == 0
    assert workload_for(sim, "hello-world").log_lines[0] == "Hello from Docker!"


def test_postgres_needs_a_password(sim):
    bare = workload_for(sim, "postgres:16")
    assert bare.exit_code == 1 and "POSTGRES_PASSWORD" in " ".join(bare.log_lines)
    ok = workload_for(sim, "postgres:16", environment=[{"name": "POSTGRES_PASSWORD", "value": "x"}])
    assert ok.keeps_running and ok.listens_on == (5432,)
    assert workload_for(sim, "redis").http_status == 0


def test_from_dict_validates():
    w = Workload.from_dict({"exit_code": 137, "exit_after": 5, "log_lines": "a\nb", "listens_on": [8080]})
    assert w.exit_code == 137 and w.log_lines == ("a", "b") and w.listens_on == (8080,)
    assert Workload.from_dict(w.to_dict()) == w
    for bad, fragment in [({"exit_code": "1"}, "exit_code"), ({"exit_code": 300}, "between 0 and 255"),
                          ({"colour": 1}, "unknown workload field"), ({"container_health": "OK"}, "HEALTHY"),
                          ({"exit_after": -1}, "exit_after"), ({"http_status": 42}, "http_status"),
                          ({"listens_on": [0]}, "listens_on"), ({"ignores_sigterm": "yes"}, "true or false"),
                          ([], "mapping")]:
        with pytest.raises(SimulatorError, match=fragment):
            Workload.from_dict(bad)


def test_behaviour_over_time():
    w = Workload(http_fails_after=30, health_fails_after=60)
    assert (w.http_status_at(10), w.http_status_at(30)) == (200, 500)
    assert (w.health_at(59), w.health_at(60)) == ("HEALTHY", "UNHEALTHY")
    assert Workload(listens_on=(80,)).serves(80) and not Workload(listens_on=(80,)).serves(81)
    assert DEFAULT.serves(1234)


def test_set_workload_errors(sim):
    with pytest.raises(SimulatorError):
        set_workload(sim, "", exit_code=1)
    with pytest.raises(SimulatorError):
        set_workload(sim, "x", Workload(), exit_code=1)
    with pytest.raises(SimulatorError, match="unknown workload field"):
        set_workload(sim, "x", colour="red")


def test_registry_lives_on_the_ecs_backend_and_per_simulator():
    a, b = Simulator(0), Simulator(0)
    set_workload(a, "web", exit_code=1)
    assert a.backend("ecs").workloads["web"].exit_code == 1
    assert workload_for(b, "web") == DEFAULT


@pytest.mark.parametrize(("image", "expected"), [
    ("nginx", ("nginx", None)), ("nginx:1.2", ("nginx", "1.2")),
    ("localhost:5000/app:v1", ("localhost:5000/app", "v1")), ("localhost:5000/app", ("localhost:5000/app", None)),
    ("123.dkr.ecr.us-east-1.amazonaws.com/web@sha256:ab", ("123.dkr.ecr.us-east-1.amazonaws.com/web", "sha256:ab")),
])
def test_split_image(image, expected):
    assert split_image(image) == expected
