"""Labs: 20 generated with a seed, each proven broken and fixed; grading a correct and an incorrect world."""

from __future__ import annotations

import csv
import io
import json

import pytest

from ecslearn.cli.main import main
from ecslearn.labs.generator import build_lab, generate_labs, prove, write_labs
from ecslearn.labs.grader import grade_submission, gradebook_csv
from ecslearn.labs.model import load_lab, solution_steps
from ecslearn.labs.runner import WorldScenario, evaluate
from ecslearn.labs.templates import TEMPLATES
from ecslearn.sim.world import save_world, world_from_dict


@pytest.fixture(scope="module")
def labs():
    return generate_labs(20, seed=11)


def test_twenty_labs_broken_then_fixed(labs):
    assert len(labs) == 20
    assert {lab.section["template"] for lab in labs} == set(TEMPLATES)
    assert "grace-period" in TEMPLATES
    assert len({lab.id for lab in labs}) == 20
    for lab in labs:
        checks = lab.checks()
        before = evaluate(world_from_dict(lab.world), checks)
        assert not all(c.passed for c in before), lab.id
        sim = world_from_dict(lab.world)
        sc = WorldScenario(sim)
        sc.apply(solution_steps(lab.solution))
        assert all(c.passed for c in sc.evaluate(checks)), lab.id


def test_generation_is_deterministic(labs):
    again = generate_labs(3, seed=11)
    assert [lab.to_json() for lab in again] == [lab.to_json() for lab in labs[:3]]


def test_a_lab_that_is_not_broken_is_refused():
    from ecslearn.labs.generator import LabError

    lab = build_lab(TEMPLATES["placement-constraint"], 3)
    lab.section["checks"] = [{"call": "ecs.list_clusters", "params": {}, "query": "length(clusterArns)", "ge": 1}]
    with pytest.raises(LabError, match="not broken"):
        prove(lab)


def _submission(lab, path, *, solve: bool):
    sim = world_from_dict(lab.world)
    if solve:
        WorldScenario(sim).apply(solution_steps(lab.solution))
    save_world(sim, path)
    return path


def test_grade_correct_and_incorrect_submissions(labs, tmp_path, capsys):
    one_each = labs[:len(TEMPLATES)]   # one lab of every template, the grace-period one included
    assert {lab.section["template"] for lab in one_each} == set(TEMPLATES)
    written = write_labs(one_each, tmp_path / "labs")
    assert (tmp_path / "labs" / "solutions.md").is_file() and len(written) == len(TEMPLATES) + 2
    tasks = (tmp_path / "labs" / "tasks.md").read_text()
    assert all(lab.file_name in tasks for lab in one_each)
    assert not any(line in tasks for lab in one_each for line in lab.solution)   # no solutions for students
    for lab in one_each:
        path = tmp_path / "labs" / lab.file_name
        loaded = load_lab(path)
        assert loaded.world == lab.world
        good = _submission(loaded, tmp_path / f"{lab.id}-good.json", solve=True)
        bad = _submission(loaded, tmp_path / f"{lab.id}-bad.json", solve=False)
        g, b = grade_submission(loaded, good), grade_submission(loaded, bad)
        assert g.error is None and g.score == 1.0 and g.passed == g.total >= 1
        assert b.error is None and b.score < 1.0
        failing = [c for c in b.checks if not c.passed]
        assert failing and all("expected" in c.line() and "actual" in c.line() for c in failing)
    # the CLI: several submissions, one CSV gradebook with per-check feedback
    lab = labs[0]
    path = tmp_path / "labs" / lab.file_name
    good, bad = tmp_path / f"{lab.id}-good.json", tmp_path / f"{lab.id}-bad.json"
    other = tmp_path / "other.json"
    save_world(world_from_dict(labs[1].world), other)
    book = tmp_path / "grades.csv"
    main_args = ["grade", "--scenario", str(path), str(good), str(bad), str(other), "--out", str(book)]
    try:
        main(main_args)
    except SystemExit as exc:
        assert exc.code == 0
    rows = list(csv.DictReader(io.StringIO(book.read_text())))
    assert [r["score"] for r in rows] == ["1.000", rows[1]["score"], "0.000"]
    assert float(rows[1]["score"]) < 1 and "FAIL" in rows[1]["feedback"] and "expected" in rows[1]["feedback"]
    assert "did not start from lab" in rows[2]["error"]
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main(main_args)   # the gradebook exists: refused without --force
    assert exc.value.code != 0 and "already exists" in capsys.readouterr().err


def test_lab_file_is_a_world_file_for_the_sandbox(labs, tmp_path):
    from ecslearn.shell.engine import ShellEngine

    path = tmp_path / "lab.json"
    path.write_text(labs[2].to_json())
    engine = ShellEngine(scenario=path, cwd=tmp_path)
    listed = engine.execute("aws ecs list-clusters --query clusterArns --output text")
    assert listed.exit_code == 0 and ":cluster/" in listed.stdout   # the lab's world was replayed
    assert json.loads(path.read_text())["kind"] == "ecslearn-world"


def test_bad_lab_file_is_a_clear_error(tmp_path, capsys):
    bad = tmp_path / "x.json"
    bad.write_text('{"kind": "ecslearn-world", "format": 1, "seed": 0, "events": []}')
    with pytest.raises(SystemExit) as exc:
        main(["grade", "--scenario", str(bad), str(bad)])
    err = capsys.readouterr().err
    assert exc.value.code != 0 and "not an ecslearn lab file" in err and "Traceback" not in err
    assert gradebook_csv([]).startswith("submission,lab,score")


def test_lab_templates_cli(tmp_path, capsys):
    main_ok = ["generate", "--list-labs"]
    try:
        main(main_ok)
    except SystemExit as exc:
        assert exc.code == 0
    listed = capsys.readouterr().out
    assert all(name in listed for name in TEMPLATES)
    with pytest.raises(SystemExit) as exc:
        main(["generate", "--labs", "1", "--lab-template", "port-mismatc", "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert exc.value.code != 0 and "did you mean 'port-mismatch'" in err
    assert not (tmp_path / "x").exists()
    with pytest.raises(SystemExit) as exc:
        main(["grade", "--scenario", str(tmp_path / "missing.lab.json"), "a.json"])
    assert exc.value.code != 0 and "no lab file" in capsys.readouterr().err


def test_gradebook_to_a_missing_folder_is_refused(labs, tmp_path, capsys):
    path = tmp_path / "lab.json"
    path.write_text(labs[0].to_json())
    with pytest.raises(SystemExit) as exc:
        main(["grade", "--scenario", str(path), str(path), "--out", str(tmp_path / "nope" / "g.csv")])
    assert exc.value.code != 0 and "does not exist" in capsys.readouterr().err
