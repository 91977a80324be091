"""The sandbox shell: its engine, tab completion, and `ecslearn sandbox` with a piped script."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ecslearn.shell.completion import complete
from ecslearn.shell.engine import ShellEngine
from ecslearn.shell.repl import run_script

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def engine(tmp_path) -> ShellEngine:
    return ShellEngine(seed=0, cwd=tmp_path)


def test_aws_lines_run_the_real_cli(engine):
    out = engine.execute("aws ecs create-cluster --cluster-name prod --query cluster.status --output text")
    assert (out.kind, out.exit_code, out.stdout, out.stderr) == ("aws", 0, "ACTIVE\n", "")
    err = engine.execute("aws ecs delete-cluster --cluster nope")
    assert err.exit_code == 254
    assert err.stderr == ("\nAn error occurred (ClusterNotFoundException) when calling the DeleteCluster "
                          "operation: Cluster not found.\n")


def test_time_shows_and_moves_the_clock(engine):
    assert engine.execute("time").stdout == \
        "Simulated time: 2026-01-05 09:00:00 UTC (0 s since the start).\n"
    assert engine.execute("time +90").stdout == \
        "Advanced 90 s. Simulated time: 2026-01-05 09:01:30 UTC (90 s since the start).\n"
    assert engine.execute("time +2m").stdout.startswith("Advanced 2 min. Simulated time: 2026-01-05 09:03:30")
    assert engine.execute("time +1h").stdout.startswith("Advanced 60 min.")
    assert engine.sim.now.isoformat() == "2026-01-05T10:03:30+00:00"
    for bad in ("time 60", "time +x", "time +5 +6", "time -5"):
        result = engine.execute(bad)
        assert result.exit_code == 2 and result.stderr.startswith("usage: time"), bad
    assert engine.execute("time +99d").stderr == "time moves at most 720 h at once\n"


def test_settle_runs_until_nothing_is_in_flight(engine):
    assert engine.execute("settle").stdout.startswith("Nothing in flight.")
    ami = next(i["ImageId"] for i in engine.sim.client("ec2").describe_images(Owners=["amazon"])["Images"]
               if "ecs" in i["Name"])
    assert engine.execute(f"aws ec2 run-instances --image-id {ami} --instance-type t3.micro --count 1").ok
    out = engine.execute("settle")
    assert out.stdout.startswith("Advanced ") and "until nothing was in flight" in out.stdout
    state = engine.execute("aws ec2 describe-instances --query Reservations[0].Instances[0].State.Name "
                           "--output text")
    assert state.stdout == "running\n"


def test_blank_lines_comments_and_continuations(engine):
    assert engine.execute("").kind == "empty"
    assert engine.execute("   # just a note").kind == "empty"
    assert engine.needs_more("aws ecs create-cluster \\")
    assert engine.needs_more("aws ecs create-cluster --cluster-name 'pro")
    assert not engine.needs_more("aws ecs list-clusters")
    out = engine.execute("aws ecs create-cluster \\\n  --cluster-name prod --query cluster.clusterName")
    assert out.stdout == '"prod"\n'
    # a trailing comment ends the line, as in a shell (even with a quote in it)
    assert not engine.needs_more("aws ecs list-clusters # don't")
    assert engine.execute("aws ecs list-clusters --output text # don't").stdout == \
        "CLUSTERARNS\tarn:aws:ecs:us-east-1:123456789012:cluster/prod\n"
    assert engine.execute("time +5 # five seconds").ok


def test_unknown_commands_get_a_clear_message(engine):
    typo = engine.execute("tiem +5")
    assert typo.exit_code == 127
    assert typo.stderr == "tiem: command not found. Did you mean `time`? Type `help` for the commands.\n"
    forgot_aws = engine.execute("ecs list-clusters")
    assert forgot_aws.stderr == ("ecs: command not found. AWS CLI commands start with `aws`: "
                                 "did you mean `aws ecs list-clusters`?\n")
    other = engine.execute("kubectl get pods")
    assert other.stderr == ("kubectl: command not found. Type `help` for the commands; "
                            "AWS CLI commands start with `aws`.\n")
    assert "Commands:" in engine.execute("help").stdout


def test_bad_aws_input_shows_the_clis_message_never_a_traceback(engine):
    cases = {
        "aws ecs create-cluster --cli-input-json '{\"clusterName\": '": "Error parsing parameter 'cli-input-json'",
        "aws ecs create-cluster --cluster-name prod --tags key=a,valu=b":
            'Unknown parameter in tags[0]: "valu", must be one of: key, value',
        "aws ecs list-clusters --max-results many": "invalid literal for int()",
        "aws ecs describe-clusterz": "Invalid choice: 'describe-clusterz', maybe you meant:",
    }
    for line, message in cases.items():
        result = engine.execute(line)
        assert result.exit_code != 0, line
        assert message in result.stderr, (line, result.stderr)
        assert "Traceback" not in result.stderr + result.stdout


def test_save_and_reset(engine, tmp_path):
    engine.execute("aws ecs create-cluster --cluster-name prod")
    engine.execute("time +30")
    assert engine.unsaved
    out = engine.execute("save worlds/prod.json")
    assert out.exit_code == 0 and out.stdout.startswith("Saved the world (2 events) to worlds/prod.json.")
    assert not engine.unsaved
    data = json.loads((tmp_path / "worlds" / "prod.json").read_text())
    assert [e.get("call") or "advance" for e in data["events"]] == ["ecs.create_cluster", "advance"]
    assert engine.execute("save").stderr == "usage: save FILE\n"
    assert "Reset to a fresh account (seed 0)" in engine.execute("reset").stdout
    assert engine.execute("aws ecs list-clusters --output text").stdout == ""

    loaded = ShellEngine(scenario=tmp_path / "worlds" / "prod.json", cwd=tmp_path)
    assert loaded.execute("aws ecs list-clusters --output text").stdout.count("cluster/prod") == 1
    loaded.execute("aws ecs create-cluster --cluster-name extra")
    loaded.execute("reset")
    assert "extra" not in loaded.execute("aws ecs list-clusters --output text").stdout
    assert loaded.sim.now.isoformat() == "2026-01-05T09:00:30+00:00"


def test_quit_and_exit(engine):
    assert engine.execute("quit").quit and engine.execute("exit").quit


def test_completion_from_the_botocore_model(engine):
    def texts(line: str) -> list[str]:
        return [c.text for c in complete(engine, line)]

    assert texts("ti") == ["time"]
    assert "aws" in texts("") and "settle" in texts("")
    assert "ecs" in texts("aws e") and "ec2" in texts("aws e") and "s3" not in texts("aws e")
    assert texts("aws ecs run-") == ["run-task"]
    assert "--placement-strategy" in texts("aws ecs run-task --pl")
    assert "--cluster" in texts("aws ecs run-task --") and "--output" in texts("aws ecs run-task --")
    assert texts("aws ecs run-task --cluster prod --cl") == ["--cli-connect-timeout", "--cli-input-json",
                                                            "--cli-read-timeout", "--client-token"]
    assert texts("aws ecs run-task --launch-type ") == ["EC2", "FARGATE", "EXTERNAL", "MANAGED_INSTANCES"]
    assert texts("aws ecs run-task --launch-type F") == ["FARGATE"]
    assert texts("aws --output t") == ["text", "table"]
    assert texts("aws --output table ecs list-cl") == ["list-clusters"]
    assert "get-login-password" in texts("aws ecr get-")
    assert texts("aws ecs list-clusters --query ") == []
    (engine.cwd / "cluster.json").write_text("{}")
    (engine.cwd / "defs").mkdir()
    (engine.cwd / "defs" / "web.json").write_text("{}")
    assert texts("aws ecs create-cluster --cli-input-json file://c") == ["file://cluster.json"]
    assert texts("aws ecs create-cluster --cli-input-json file://") == ["file://cluster.json", "file://defs/"]
    assert texts("aws ecs register-task-definition --cli-input-json fileb://defs/w") == ["fileb://defs/web.json"]
    candidate = complete(engine, "aws ecs run-ta")[0]
    assert (candidate.text, candidate.replace) == ("run-task", len("run-ta"))


def test_run_script_reads_lines_and_returns_the_last_exit_code(engine, tmp_path):
    script = io.StringIO("aws ecs create-cluster --cluster-name a --query cluster.clusterName \\\n"
                         "  --output text\n\n# comment\naws ecs delete-cluster --cluster nope\n")
    out, err = io.StringIO(), io.StringIO()
    assert run_script(engine, script, out, err, save_to=tmp_path / "w.json") == 254
    assert out.getvalue() == "a\n"
    assert "ClusterNotFoundException" in err.getvalue()
    assert err.getvalue().endswith(f"Saved the world to {tmp_path / 'w.json'}.\n")
    assert (tmp_path / "w.json").exists()
    # quit stops reading
    out2 = io.StringIO()
    assert run_script(engine, io.StringIO("quit\naws ecs list-clusters\n"), out2, io.StringIO()) == 0
    assert out2.getvalue() == ""


def _sandbox(args: list[str], script: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, "-m", "ecslearn", "sandbox", *args], input=script, text=True,
                          capture_output=True, cwd=cwd, env=env, timeout=60)


def test_ecslearn_sandbox_with_a_piped_script_saves_and_loads_worlds(tmp_path):
    script = ("aws ecs create-cluster --cluster-name prod --output table\n"
              "time +60\n"
              "nonsense\n"
              "aws ecs list-clusters --query clusterArns[0] --output text\n")
    first = _sandbox(["--seed", "5", "--save", "world.json"], script, tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[1].strip("| ") == "CreateCluster"
    assert "Advanced 60 s. Simulated time: 2026-01-05 09:01:00 UTC" in first.stdout
    assert first.stdout.endswith("arn:aws:ecs:us-east-1:123456789012:cluster/prod\n")
    assert "nonsense: command not found." in first.stderr
    assert "Traceback" not in first.stderr
    saved = json.loads((tmp_path / "world.json").read_text())
    assert saved["seed"] == 5

    second = _sandbox(["--scenario", "world.json"], "time\naws ecs describe-clusters --clusters prod "
                      "--query clusters[0].status --output text\n", tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout == ("Simulated time: 2026-01-05 09:01:00 UTC (0 s since the start).\nACTIVE\n")


def test_ecslearn_sandbox_bad_options_and_files(tmp_path):
    both = _sandbox(["--scenario", "w.json", "--seed", "1"], "", tmp_path)
    assert both.returncode == 2 and "error: --seed does not go with --scenario" in both.stderr
    missing = _sandbox(["--scenario", "nope.json"], "", tmp_path)
    assert missing.returncode != 0 and "no world file at" in missing.stderr
    (tmp_path / "bad.json").write_text('{"format": 7, "kind": "ecslearn-world", "seed": 0}')
    newer = _sandbox(["--scenario", "bad.json"], "", tmp_path)
    assert newer.returncode != 0
    assert "saved by a newer ecslearn (world format 7)" in " ".join(newer.stderr.split())
    for result in (both, missing, newer):
        assert "Traceback" not in result.stderr


def test_the_last_commands_exit_code_is_the_sandboxs(tmp_path):
    failed = _sandbox([], "aws ecs delete-cluster --cluster nope\n", tmp_path)
    assert failed.returncode == 254
    assert failed.stderr == ("\nAn error occurred (ClusterNotFoundException) when calling the DeleteCluster "
                             "operation: Cluster not found.\n")


def test_ecslearn_help_does_not_import_the_heavy_modules(tmp_path):
    code = ("import sys; from ecslearn.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('awscli', 'botocore', 'prompt_toolkit', 'boto3') if m in sys.modules]\n"
            "print('HEAVY', heavy)\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert "sandbox" in out.stdout
    assert "HEAVY []" in out.stdout


def test_a_lesson_can_bring_its_own_world_and_commands(tmp_path):
    from ecslearn.shell.engine import ShellResult
    from ecslearn.sim.world import RecordingSimulator

    def setup() -> RecordingSimulator:
        sim = RecordingSimulator(seed=9)
        sim.client("ecs").create_cluster(clusterName="lesson")
        return sim

    engine = ShellEngine(sim=setup(), reset=setup, cwd=tmp_path)
    checked: list[list[str]] = []

    def check(args: list[str]) -> ShellResult:
        checked.append(args)
        clusters = engine.sim.client("ecs").list_clusters()["clusterArns"]
        return ShellResult(f"{len(clusters)} cluster(s)\n", exit_code=0 if len(clusters) == 2 else 1)

    engine.add_command("check", "check", "check this step", check)
    assert engine.execute("check").stdout == "1 cluster(s)\n"
    engine.execute("aws ecs create-cluster --cluster-name second")
    assert engine.execute("check now").ok and checked == [[], ["now"]]
    assert "check this step" in engine.execute("help").stdout
    assert engine.execute("chek").stderr.startswith("chek: command not found. Did you mean `check`?")
    assert [c.text for c in complete(engine, "ch")] == ["check"]
    assert engine.execute("reset").stdout.startswith("Reset to the starting world.")
    assert engine.execute("check").stdout == "1 cluster(s)\n"


_WORDS = ["aws", "ecs", "ec2", "iam", "s3", "list-clusters", "create-cluster", "run-task", "describe-tasks",
          "--cluster", "--cluster-name", "--output", "table", "json", "text", "yaml", "--query", "'[0'",
          "clusters[0]", "--count", "-1", "0", "11", "--cli-input-json", "'{\"clusterName\": 1}'", "{", "\"",
          "--placement-strategy", "type=binpack,field=memory", "type=spread", "field=", "=", ",", "file://x",
          "time", "+5", "+", "settle", "save", "reset", "help", "#", "\\", "--debug", "--region", "eu-west-1",
          "--tags", "key=a,value=b", "key=", "--no-paginate", "--page-size", "none"]


@pytest.fixture(scope="module")
def fuzz_engine(tmp_path_factory) -> ShellEngine:
    return ShellEngine(seed=0, cwd=tmp_path_factory.mktemp("fuzz"))


def test_no_line_ever_shows_a_traceback(fuzz_engine):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    lines = st.one_of(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map(" ".join),
                      st.text(max_size=40))

    @settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))
    @given(line=lines)
    def run(line: str) -> None:
        if line.strip().split(" ")[:1] == ["reset"]:
            return  # a reset costs a new AWS CLI driver: covered elsewhere
        result = fuzz_engine.execute(line)
        assert isinstance(result.exit_code, int)
        assert "Traceback" not in result.stdout + result.stderr, line
        if result.exit_code != 0:
            assert result.stderr.strip() or result.kind == "aws", line

    run()


def test_ecslearn_sandbox_draws_the_cluster_map(tmp_path):
    script = ("aws ecs create-cluster --cluster-name prod\n"
              "aws ecs create-cluster --cluster-name batch\n"
              "map\n")
    proc = _sandbox([], script, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "cluster prod ACTIVE" in proc.stdout
    assert "cluster batch ACTIVE" in proc.stdout
    assert "Traceback" not in proc.stdout + proc.stderr
