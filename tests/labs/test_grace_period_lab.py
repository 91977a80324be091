"""The grace-period lab: a slow-starting app behind an ALB, a grace period too short (issue 9).

The image's warm-up is a workload, which the lab file (a saved world) records and replays; a student
opens the lab in the sandbox, raises the grace period, lets time pass and saves; the grader gives full
marks. Waiting alone, or a grace period still too short, does not fix it.
"""

from __future__ import annotations

import json

import pytest

from ecslearn.labs.generator import build_lab, generate_labs, prove
from ecslearn.labs.grader import grade_submission
from ecslearn.labs.model import load_lab
from ecslearn.labs.templates import TEMPLATES
from ecslearn.sim.workloads import workload_for
from ecslearn.sim.world import load_world, world_from_dict


@pytest.fixture(scope="module")
def lab():
    return build_lab(TEMPLATES["grace-period"], 4)


def test_the_lab_file_records_the_slow_image(lab):
    values = lab.section["values"]
    events = [e for e in lab.world["events"] if "workload" in e]
    assert [e["workload"]["image"] for e in events] == [values["image"]]
    assert events[0]["workload"]["behaviour"]["http_ready_after"] == values["warmup"]
    sim = world_from_dict(lab.world)
    assert workload_for(sim, values["image"]).http_ready_after == values["warmup"]


def test_the_broken_world_keeps_replacing_tasks_that_fail_elb_health_checks(lab):
    values = lab.section["values"]
    sim = world_from_dict(lab.world)
    ecs = sim.client("ecs")
    service = ecs.describe_services(cluster=values["cluster"], services=[values["family"]])["services"][0]
    assert service["healthCheckGracePeriodSeconds"] == values["grace"] < values["warmup"]
    stopped = ecs.list_tasks(cluster=values["cluster"], desiredStatus="STOPPED")["taskArns"]
    assert len(stopped) >= 3
    reasons = {t["stoppedReason"].split(" (")[0]
               for t in ecs.describe_tasks(cluster=values["cluster"], tasks=stopped[:100])["tasks"]}
    assert reasons == {"Task failed ELB health checks in"}
    messages = [e["message"] for e in service["events"]]
    assert any("is unhealthy in (target-group" in m and "[503]" in m for m in messages)
    sim.advance(1800)  # waiting does not fix it
    assert any(not c.passed for c in _evaluate(sim, lab))


def _evaluate(sim, lab):
    from ecslearn.labs.runner import evaluate

    return evaluate(sim, lab.checks())


def _student(lab, tmp_path, lines, wait=600, name="student"):
    """What a student does: open the lab in the sandbox, type commands, let time pass, save."""
    from ecslearn.shell.engine import ShellEngine

    path = tmp_path / "grace.lab.json"
    path.write_text(lab.to_json())
    engine = ShellEngine(scenario=path, cwd=tmp_path)
    for line in lines:
        result = engine.execute(line)
        assert result.ok, (line, result)
    engine.execute(f"time +{wait}")
    saved = engine.save(tmp_path / f"{name}.world.json")
    return load_lab(path), saved


def test_a_students_fixed_world_gets_full_marks(lab, tmp_path):
    v = lab.section["values"]
    fix = f"aws ecs update-service --cluster {v['cluster']} --service {v['family']} --health-check-grace-period-seconds 400"
    loaded, saved = _student(lab, tmp_path, [fix])
    events = json.loads(saved.read_text())["events"]
    assert events[: len(lab.world["events"])] == lab.world["events"]  # the workload event is kept
    result = grade_submission(loaded, saved)
    assert result.error is None and result.score == 1.0, [c.line() for c in result.checks]
    again = load_world(saved)  # the saved world loads on its own and stays healthy
    again.advance(3600)
    assert all(c.passed for c in _evaluate(again, loaded))


def test_a_grace_period_still_too_short_does_not_pass(lab, tmp_path):
    v = lab.section["values"]
    short = f"aws ecs update-service --cluster {v['cluster']} --service {v['family']} --health-check-grace-period-seconds 45"
    loaded, saved = _student(lab, tmp_path, [short], name="short")
    result = grade_submission(loaded, saved)
    assert result.error is None and result.score < 1.0


def test_grace_period_labs_from_many_seeds_are_proven():
    for seed in range(8):
        prove(build_lab(TEMPLATES["grace-period"], seed))
    labs = generate_labs(2, seed=5, templates=["grace-period"])
    assert {lab.section["values"]["grace"] for lab in labs} <= {0, 30}
