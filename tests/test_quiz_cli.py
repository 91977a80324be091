"""`ecslearn quiz` and `ecslearn content check` as a script would run them (no terminal)."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ecslearn.cli.main import main

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "content"
GOOD = FIXTURES / "good"


class Result:
    def __init__(self, returncode: int, stdout: str, stderr: str) -> None:
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


@pytest.fixture
def home(tmp_path):
    return tmp_path / "home"


@pytest.fixture
def run(monkeypatch, capsys):
    """Run `ecslearn ARGS` in-process through main(), the error boundary, with stdin from a string."""

    def invoke(args, *, stdin="", env_home):
        monkeypatch.setenv("ECSLEARN_HOME", str(env_home))
        monkeypatch.setenv("COLUMNS", "500")
        monkeypatch.delenv("ECSLEARN_CONTENT_DIR", raising=False)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            main(list(args))
            code = 0
        except SystemExit as exit_:
            code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return invoke


def answers(home):
    return json.loads((home / "state.json").read_text())["quiz"]["answers"]


def test_scripted_run_prints_full_json_results_and_records_them(run, home):
    stdin = ("B\n"
             "active\n"
             "aws ecs update-cluster-settings --cluster prod \\\n"
             "  --settings name=containerInsights,value=enabled\n"
             ".\n")
    out = run(["quiz", "--content-dir", str(GOOD), "--json", "--seed", "4",
               "-q", "fx-fargate", "-q", "fx-status", "-q", "fx-insights"], stdin=stdin, env_home=home)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert (data["planned"], data["answered"], data["correct"], data["interrupted"]) == (3, 3, 2, False)
    first, second, third = data["results"]
    assert (first["question"], first["correct"], first["given"]) == ("fx-fargate", False, "B")
    assert first["correct_answer"] == "A) cpu 256 memory 512"
    assert first["evidence"]["headline"].startswith("your task definition was refused: ClientException: "
                                                    "No Fargate configuration exists")
    assert first["sources"] == ["https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html"]
    assert second["correct"] and third["correct"]
    assert data["by_topic"] == {"fargate": {"answered": 1, "correct": 0}, "clusters": {"answered": 1, "correct": 1},
                                "monitoring": {"answered": 1, "correct": 1}}
    assert [(a["question"], a["correct"]) for a in answers(home)] == [
        ("fx-fargate", False), ("fx-status", True), ("fx-insights", True)]
    # the questions and feedback went to stderr, so stdout is pure JSON
    assert "Question 1/3" in out.stderr and "Traceback" not in out.stderr


def test_plain_run_shows_feedback_and_the_same_seed_gives_the_same_quiz(run, home):
    one = run(["quiz", "--content-dir", str(GOOD), "--seed", "11", "--count", "3"], stdin="A\nA\nA\n", env_home=home)
    two = run(["quiz", "--content-dir", str(GOOD), "--seed", "11", "--count", "3"], stdin="A\nA\nA\n", env_home=home)
    assert one.returncode == 0, one.stderr
    ids = [line.split(" · ")[0] for line in one.stdout.splitlines() if " · " in line]
    assert len(ids) == 3 and ids == [line.split(" · ")[0] for line in two.stdout.splitlines() if " · " in line]
    assert "Why:" in one.stdout and "Sources:" in one.stdout and "Score: " in one.stdout


def test_input_ending_early_keeps_what_was_answered(run, home):
    out = run(["quiz", "--content-dir", str(GOOD), "-q", "fx-status", "-q", "fx-concept"], stdin="ACTIVE\n",
              env_home=home)
    assert out.returncode == 0
    assert "Score: 1/1 (100%)" in out.stdout
    assert len(answers(home)) == 1


def test_malformed_yaml_is_a_clear_error(run, home, tmp_path):
    root = FIXTURES / "bad" / "syntax"
    out = run(["quiz", "--content-dir", str(root)], env_home=home)
    assert out.returncode == 3
    assert out.stderr.splitlines()[:2] == [
        "error: 1 problem(s) in content:",
        f"{root}/quizzes/01-broken.yaml:7: invalid YAML: expected ',' or ']', but got ':'"]
    assert "Traceback" not in out.stderr


def test_unknown_question_id_suggests_the_near_one(run, home):
    out = run(["quiz", "--content-dir", str(GOOD), "-q", "fx-statu"], env_home=home)
    assert out.returncode == 2
    assert out.stderr.splitlines()[0] == "error: no question with id 'fx-statu'; did you mean 'fx-status'?"
    assert "Traceback" not in out.stderr


def test_missing_content_directory_is_a_clear_error(run, home, tmp_path):
    out = run(["quiz", "--content-dir", str(tmp_path / "nowhere")], env_home=home)
    assert out.returncode == 1
    assert out.stderr.startswith(f"error: no content in {tmp_path / 'nowhere'}: expected a folder holding "
                                 "quizzes/ or lessons/")
    assert "Traceback" not in out.stderr


def test_unknown_topic_and_exam_are_usage_errors(run, home):
    out = run(["quiz", "--content-dir", str(GOOD), "--topic", "fargat"], env_home=home)
    assert out.returncode == 2 and "error: unknown topic 'fargat'; did you mean 'fargate'?" in out.stderr
    out = run(["quiz", "--content-dir", str(GOOD), "--exam", "SAA-C02"], env_home=home)
    assert out.returncode == 2 and "error: unknown exam 'SAA-C02'; did you mean 'SAA-C03'?" in out.stderr


def test_exam_filter_keeps_only_tagged_questions(run, home):
    out = run(["quiz", "--content-dir", str(GOOD), "--exam", "SOA-C03", "--json"],
               stdin="aws ecs update-cluster-settings --cluster prod --settings name=containerInsights,value=enabled\n.\n",
               env_home=home)
    assert out.returncode == 0, out.stderr
    assert [r["question"] for r in json.loads(out.stdout)["results"]] == ["fx-insights"]


def test_ctrl_c_mid_quiz_saves_answers_and_exits_130(home):
    env = {**os.environ, "ECSLEARN_HOME": str(home), "NO_COLOR": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "ecslearn", "quiz", "--content-dir", str(GOOD),
                             "-q", "fx-status", "-q", "fx-concept"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stdin is not None
    proc.stdin.write("active\n")
    proc.stdin.flush()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if (home / "state.json").exists() and answers(home):
            break
        time.sleep(0.05)
    time.sleep(0.3)  # now it waits for the second answer
    proc.send_signal(signal.SIGINT)
    _stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert f"Interrupted: 1 answer(s) saved to {home / 'state.json'}." in stderr
    assert "Traceback" not in stderr
    assert [a["question"] for a in answers(home)] == ["fx-status"]


def test_a_corrupt_state_file_is_reported_and_kept(run, home):
    home.mkdir(parents=True)
    (home / "state.json").write_text("{broken")
    out = run(["quiz", "--content-dir", str(GOOD), "-q", "fx-status"], stdin="ACTIVE\n", env_home=home)
    assert out.returncode == 0
    assert "warning: your learner state" in out.stderr and "It was kept as" in out.stderr
    kept = [p for p in home.iterdir() if p.name.startswith("state.json.corrupt-")]
    assert len(kept) == 1 and kept[0].read_text() == "{broken"
    assert len(answers(home)) == 1


def test_list_shows_question_ids(run, home):
    out = run(["quiz", "--content-dir", str(GOOD), "--list", "--json"], env_home=home)
    assert [r["id"] for r in json.loads(out.stdout)][:2] == ["fx-status", "fx-fargate"]


def test_content_check_exits_3_with_path_line_messages(run, home):
    root = FIXTURES / "bad" / "wrong-key"
    out = run(["content", "check", str(root)], env_home=home)
    assert out.returncode == 3
    assert out.stdout.splitlines()[0] == (f"{root}/quizzes/01-key.yaml:22: question 'wrong-key': declared answer B "
                                          "but the simulator says A")
    data = json.loads(run(["content", "check", str(root), "--json"], env_home=home).stdout)
    assert data["ok"] is False and data["problems"][0]["line"] == 22


def test_content_check_passes_on_good_content(run, home):
    out = run(["content", "check", str(GOOD)], env_home=home)
    assert out.returncode == 0, out.stdout
    assert "7 question(s) in 1 file(s); 4 simulator-checked (57%)" in " ".join(out.stdout.split())
    assert out.stdout.rstrip().splitlines()[-1].startswith("no problems")


def test_missed_practises_only_what_was_answered_wrong(run, home):
    run(["quiz", "--content-dir", str(GOOD), "-q", "fx-status", "-q", "fx-concept"], stdin="ACTIVE\nB\n",
        env_home=home)
    out = run(["quiz", "--content-dir", str(GOOD), "--missed", "--json"], stdin="A\n", env_home=home)
    assert out.returncode == 0, out.stderr
    assert [(r["question"], r["correct"]) for r in json.loads(out.stdout)["results"]] == [("fx-concept", True)]
    out = run(["quiz", "--content-dir", str(GOOD), "--missed"], env_home=home)
    assert out.returncode == 2 and "error: no missed questions to practise" in out.stderr


def test_select_n_is_said_once_even_when_the_prompt_already_says_it(run, home):
    out = run(["quiz", "--question", "alb-path-and-host-routing", "--seed", "4"], stdin="A,B\n", env_home=home)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("Select TWO") == 1


def test_shuffled_options_are_graded_by_what_they_say_not_their_letter(run, home):
    """Bundled questions show their options in a per-seed order; the right letters move with them."""
    from ecslearn.content.catalog import find_root, load_content
    from ecslearn.content.variants import variant
    from ecslearn.quiz.engine import Engine

    q = next(q for q in load_content(find_root(None).path).questions if q.id == "alb-path-and-host-routing")
    orders, right = set(), {}
    for seed in range(6):
        cq = variant(q, seed)
        orders.add(tuple(o.text for o in cq.question.options))
        right[seed] = {cq.question.option(letter).text for letter in Engine().key(cq).letters}
    assert len(orders) > 1                                  # the order follows the seed
    assert len({frozenset(texts) for texts in right.values()}) == 1   # the right options do not
    first = run(["quiz", "--question", q.id, "--seed", "4", "--json"], stdin="A\n", env_home=home)
    shown = json.loads(first.stdout)["results"][0]["seed"]       # the variant seed the quiz drew
    letters = ",".join(Engine().key(variant(q, shown)).letters)
    again = run(["quiz", "--question", q.id, "--seed", "4", "--json"], stdin=letters + "\n", env_home=home)
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["results"][0]["correct"] is True
