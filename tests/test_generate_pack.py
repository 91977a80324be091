"""Instructor content packs: `content new` scaffolds pass `content check`; packs feed quiz and generate."""

from __future__ import annotations

import json

import pytest

from ecslearn.cli.main import main
from ecslearn.content.check import check_all
from ecslearn.errors import UsageError
from ecslearn.labs.scaffold import scaffold


def cli(args, capsys):
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def pack(tmp_path, capsys):
    root = tmp_path / "pack"
    for kind, area in (("question", "quizzes"), ("lesson", "lessons"), ("lab", "labs")):
        code, out, err = cli(["content", "new", kind, str(root / area / "01-my-first.yaml")], capsys)
        assert code == 0, err
        assert "wrote" in out
    return root


def test_scaffolds_pass_content_check(pack):
    report = check_all(pack)
    assert report.ok, [str(p) for p in report.problems]
    assert {"lessons", "labs"} <= set(report.summary.checkers)
    assert report.summary.questions == 1 and report.summary.variants_checked >= 1


def test_scaffold_never_overwrites_and_checks_the_place(pack, tmp_path):
    lab = pack / "labs" / "01-my-first.yaml"
    before = lab.read_text()
    with pytest.raises(UsageError, match="never overwrites"):
        scaffold("lab", lab)
    assert lab.read_text() == before
    with pytest.raises(UsageError, match="quizzes/ folder"):
        scaffold("question", tmp_path / "elsewhere" / "01-x.yaml")
    with pytest.raises(UsageError, match=r"NN-slug\.yaml"):
        scaffold("lesson", tmp_path / "lessons" / "intro.yaml")
    with pytest.raises(UsageError, match="unknown kind"):
        scaffold("exam", tmp_path / "quizzes" / "01-x.yaml")


def test_a_broken_pack_lab_is_reported_with_its_file(pack):
    lab = pack / "labs" / "01-my-first.yaml"
    lab.write_text(lab.read_text().replace("ECS_CLUSTER=prod >>", "ECS_CLUSTER=prdo >>"))
    report = check_all(pack)
    assert not report.ok
    assert any(p.location.path.endswith("01-my-first.yaml") and "does not fix it" in p.message
               for p in report.problems)
    (pack / "labs" / "02-typo.yaml").write_text("format: 1\nid: typo\ntitel: x\n")
    report = check_all(pack, simulate=False)
    messages = [str(p) for p in report.problems]
    assert any("02-typo.yaml:3: unknown key 'titel'" in m and "did you mean 'title'" in m for m in messages)


def test_pack_feeds_generate_quiz_and_labs(pack, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    code, stdout, err = cli(["generate", "--content-dir", str(pack), "--out", str(out), "--variants", "3",
                             "--format", "json", "--json"], capsys)
    assert code == 0, err
    doc = json.loads((out / "variants.json").read_text())
    assert [i["id"] for i in doc["items"]] == ["my-first-new-cluster-status"] * 3
    assert {i["value"] for i in doc["items"]} == {"ACTIVE"}
    # the environment variable works too
    monkeypatch.setenv("ECSLEARN_CONTENT_DIR", str(pack))
    code, stdout, err = cli(["quiz", "--list", "--json"], capsys)
    assert code == 0, err
    assert [r["id"] for r in json.loads(stdout)] == ["my-first-new-cluster-status"]
    code, stdout, err = cli(["generate", "--labs", "2", "--out", str(tmp_path / "labs"), "--json"], capsys)
    assert code == 0, err
    labs = json.loads(stdout)["labs"]
    assert [lab["template"] for lab in labs] == ["my-first", "my-first"]


def test_a_pack_lab_check_keeps_what_it_saves_for_the_next_check(tmp_path):
    from ecslearn.content.yamlio import load_text
    from ecslearn.labs.pack import check_to_dict, parse_lab

    text = """format: 1
id: two-step
title: Two-step check
task: Run a task.
setup:
  - aws ecs create-cluster --cluster-name prod
expect:
  - {call: ecs.list_clusters, query: "clusterArns[0]", exists: true, save: {first: "clusterArns[0]"}}
  - {call: ecs.describe_clusters, params: {clusters: ["${first}"]}, query: "clusters[0].clusterName", eq: prod}
solution:
  - aws ecs list-clusters
"""
    data, problems = load_text(text, "labs/01-two-step.yaml")
    assert problems == []
    lab, problems = parse_lab(data, "labs/01-two-step.yaml")
    assert problems == [] and lab is not None
    first = check_to_dict(lab.expect[0])
    assert first["save"] == {"first": "clusterArns[0]"}
