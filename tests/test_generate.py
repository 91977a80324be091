"""`ecslearn generate` and the export writer: determinism, rosters, templates, safe output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ecslearn.cli.main import main
from ecslearn.errors import ExportError, UsageError
from ecslearn.export import FORMATS, write_exports
from ecslearn.export.generate import generate, parse_roster, stable_seed
from ecslearn.export.output import OutputDir, safe_name

IDS = ["fargate-run-count", "create-cluster-twice", "task-lifecycle-order", "enable-container-insights"]


def run(args, capsys):
    with pytest.raises(SystemExit) as exc:
        main(args)
    out = capsys.readouterr()
    return exc.value.code, out.out, out.err


def cli(args, capsys):
    try:
        main(args)
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def small(request):
    from ecslearn.content.catalog import load_content

    return generate(load_content(), seed=3, variants=2, ids=IDS)


def test_stable_seed_is_not_pythons_hash():
    assert stable_seed("student", 1, "s001") == stable_seed("student", 1, "s001")
    assert stable_seed("student", 1, "s001") != stable_seed("student", 1, "s002")
    assert stable_seed("x") == 762385986  # fixed forever: changing it changes every student's variants


def test_same_inputs_and_seed_give_byte_identical_files(tmp_path, capsys):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        code, _, err = cli(["generate", "--out", str(out), "--seed", "9", "--variants", "2", "--format",
                            ",".join(FORMATS), *[x for i in IDS for x in ("--id", i)]], capsys)
        assert code == 0, err
    assert tree(a) == tree(b)
    assert set(tree(a)) == {"questions.gift.txt", "questions.moodle.xml", "questions.qti.zip", "questions.apkg",
                            "handout.md", "answer-key.md", "handout.html", "answer-key.html", "variants.json"}
    doc = json.loads((a / "variants.json").read_text())
    assert doc["seed"] == 9 and len(doc["items"]) == 2 + 2 + 1 + 1
    # the handout has no answers; the key has them
    key = (a / "answer-key.md").read_text()
    assert "update-cluster-settings" in key and "update-cluster-settings" not in (a / "handout.md").read_text()


def test_roster_gives_one_set_per_student(tmp_path, capsys):
    roster = tmp_path / "students.csv"
    roster.write_text("id,name\ns001,Ada\ns002,Linus\n")
    out = tmp_path / "out"
    code, _, err = cli(["generate", "--out", str(out), "--seed", "4", "--roster", str(roster), "--format", "json",
                        "--format", "gift", "--id", "fargate-run-count", "--id", "create-cluster-twice"], capsys)
    assert code == 0, err
    for sid in ("s001", "s002"):
        doc = json.loads((out / sid / "variants.json").read_text())
        assert doc["student"]["id"] == sid
        assert doc["student"]["seed"] == stable_seed("student", 4, sid)
        assert {i["seed"] for i in doc["items"]} == {stable_seed("student", 4, sid)}
        assert (out / sid / "questions.gift.txt").is_file()


@pytest.mark.parametrize("text, message", [
    ("name\nAda\n", "needs an 'id' column"),
    ("id\n\n../evil\n", "may hold only"),
    ("id\ns1\nS1\n", "also on line"),
    ("id\n", "lists no students"),
])
def test_bad_roster_is_a_clear_error(text, message):
    with pytest.raises(UsageError, match=message):
        parse_roster(text, "r.csv")


def test_bad_roster_file_writes_nothing(tmp_path, capsys):
    roster = tmp_path / "r.csv"
    roster.write_text("who\nx\n")
    code, _, err = cli(["generate", "--out", str(tmp_path / "out"), "--roster", str(roster)], capsys)
    assert code != 0 and "id" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_bad_template_is_a_clear_error_and_writes_nothing(tmp_path, small):
    bad = tmp_path / "bad.md.j2"
    bad.write_text("# {{ title }}\n{% for q in questions %}\n{{ q.prompt }\n")
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(ExportError, match=r"bad\.md\.j2:\d+: template syntax error"):
        write_exports(small, ["markdown", "gift"], out, template=bad)
    assert list(out.iterdir()) == []
    undefined = tmp_path / "undef.md.j2"
    undefined.write_text("{{ nosuchname }}")
    with pytest.raises(ExportError, match="nosuchname"):
        write_exports(small, ["gift", "markdown"], out, template=undefined)
    assert list(out.iterdir()) == []


def test_instructor_template_is_sandboxed(tmp_path, small):
    evil = tmp_path / "evil.html.j2"
    evil.write_text("{{ questions.__class__.__mro__[1].__subclasses__() }}")
    with pytest.raises(ExportError, match=r"sandbox|unsafe|template"):
        write_exports(small, ["html"], tmp_path / "o", template=evil)
    good = tmp_path / "good.html.j2"
    good.write_text("<h1>{{ title }}</h1>{% for q in questions %}<p>{{ q.prompt }}</p>{% endfor %}")
    write_exports(small, ["html"], tmp_path / "o2", template=good, title="<b>Week 1</b>")
    html = (tmp_path / "o2" / "handout.html").read_text()
    assert "&lt;b&gt;Week 1&lt;/b&gt;" in html      # autoescaped
    assert (tmp_path / "o2" / "answer-key.html").is_file()


def test_missing_parent_folder_is_a_clear_error(tmp_path, capsys):
    code, _, err = cli(["generate", "--out", str(tmp_path / "no" / "such" / "dir"), "--id", "new-cluster-status"],
                       capsys)
    assert code != 0 and "does not exist" in err and "Traceback" not in err
    assert not (tmp_path / "no").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere")
def test_unwritable_output_is_a_clear_error(tmp_path, small):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        with pytest.raises(ExportError, match="cannot write"):
            write_exports(small, ["gift"], locked)
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o700)


def test_unwritable_output_as_root_simulated(tmp_path, small, monkeypatch):
    import tempfile

    def refuse(*a, **k):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", refuse)
    with pytest.raises(ExportError, match=r"cannot write in .*Permission denied"):
        write_exports(small, ["gift"], tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_refuses_to_overwrite_without_force_and_nothing_half_written(tmp_path, small):
    write_exports(small, ["gift"], tmp_path)
    before = tree(tmp_path)
    with pytest.raises(ExportError, match="already exists"):
        write_exports(small, ["json", "gift"], tmp_path)   # json is new, gift exists: neither is written
    assert tree(tmp_path) == before
    assert not any(p.name.startswith(".ecslearn-export-") for p in tmp_path.iterdir())
    write_exports(small, ["json", "gift"], tmp_path, force=True)
    assert (tmp_path / "variants.json").is_file()


def test_failure_midway_leaves_nothing(tmp_path, small, monkeypatch):
    from ecslearn.export import anki

    def boom(*a, **k):
        raise ExportError("disk full")

    monkeypatch.setattr(anki, "render", boom)
    with pytest.raises(ExportError, match="disk full"):
        write_exports(small, ["gift", "json", "anki"], tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_names_and_symlinks_cannot_escape(tmp_path):
    for bad in ("../x", "/etc/passwd", "a/../../b", ".hidden", "a\\b", ""):
        with pytest.raises(ExportError):
            safe_name(bad)
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "target"
    target.mkdir()
    (target / "s001").symlink_to(outside)
    (target / "link.txt").symlink_to(outside / "victim.txt")
    with OutputDir(target) as out:
        with pytest.raises(ExportError, match="not a plain folder"):
            out.write_text("s001/handout.md", "x")
        with pytest.raises(ExportError, match="symlink"):
            out.write_text("link.txt", "x")
    assert list(outside.iterdir()) == []
    # the output folder itself may be a symlink the user chose: it is resolved once
    alias = tmp_path / "alias"
    alias.symlink_to(outside)
    with OutputDir(alias) as out:
        out.write_text("ok.txt", "fine")
        out.commit()
    assert (outside / "ok.txt").read_text() == "fine"


def test_skipped_variants_are_reported(tmp_path, capsys):
    pack = tmp_path / "pack" / "quizzes"
    pack.mkdir(parents=True)
    (pack / "01-bad.yaml").write_text("""format: 1
title: Broken key
questions:
  - id: wrong-declared
    kind: predict
    topic: clusters
    difficulty: easy
    exams: [SAA-C03:3.1]
    prompt: What status does a new cluster have?
    setup:
      - {call: ecs.create_cluster, params: {clusterName: prod}}
    ask: {call: ecs.describe_clusters, params: {clusters: [prod]}, query: "clusters[0].status"}
    explanation: It is ACTIVE.
    sources: [https://docs.aws.amazon.com/AmazonECS/latest/developerguide/clusters.html]
  - id: right-one
    kind: predict
    topic: clusters
    difficulty: easy
    exams: [SAA-C03:3.1]
    prompt: How many clusters?
    setup:
      - {call: ecs.create_cluster, params: {clusterName: prod}}
    ask: {call: ecs.list_clusters, query: "length(clusterArns)"}
    explanation: One.
    sources: [https://docs.aws.amazon.com/AmazonECS/latest/developerguide/clusters.html]
""")
    from ecslearn.content.catalog import load_content
    from ecslearn.export.generate import Keyer

    content = load_content(tmp_path / "pack")
    keyer = Keyer()
    # make the first question's key wrong the way a broken simulator or template would
    q = content.question("wrong-declared")
    import dataclasses

    bad = dataclasses.replace(q, answer="PENDING")
    gen = generate([bad, content.question("right-one")], seed=1, keyer=keyer)
    assert [i.name for i in gen.sets[0].items] == ["right-one"]
    assert len(gen.skipped) == 1 and "simulator says 'ACTIVE'" in str(gen.skipped[0])
    # through the CLI with --content-dir: both keyed, nothing skipped
    code, out, err = cli(["generate", "--content-dir", str(tmp_path / "pack"), "--out", str(tmp_path / "o"),
                          "--format", "gift", "--json"], capsys)
    assert code == 0, err
    summary = json.loads(out)
    assert summary["variants"] == 2 and summary["distinct"] == 2 and summary["skipped"] == 0
