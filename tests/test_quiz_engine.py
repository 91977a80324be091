"""The quiz engine: keys from the simulator, grading by effect, "try this option", variants."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ecslearn.content.catalog import load_content
from ecslearn.content.variants import draw, variant
from ecslearn.quiz.engine import Engine, parse_letters, parse_sequence, predicted, shown_items

GOOD = Path(__file__).resolve().parent / "fixtures" / "content" / "good"


@pytest.fixture(scope="module")
def content():
    return load_content(GOOD)


@pytest.fixture(scope="module")
def engine():
    return Engine()


def test_choice_key_comes_from_the_simulator_with_evidence_for_each_option(content, engine):
    q = content.question("fx-fargate")
    key = engine.key(q)
    assert key.letters == ("A",) and key.simulator_checked
    wrong = engine.grade(q, "b")
    assert not wrong.correct and wrong.given == "B"
    assert wrong.correct_answer == "A) cpu 256 memory 512"
    assert wrong.evidence.headline() == (
        "your task definition was refused: ClientException: No Fargate configuration exists for given values: "
        "256 CPU, 4096 memory. See the Amazon ECS documentation for the valid values.")
    assert wrong.why == "256 CPU units allow at most 2048 MiB."
    assert engine.grade(q, "A").correct


def test_try_option_runs_a_distractor_and_shows_what_happens(content, engine):
    q = content.question("fx-fargate")
    outcome = engine.try_option(q, "c")
    assert outcome.letter == "C" and not outcome.right
    assert "1024 CPU, 512 memory" in outcome.evidence.headline()
    assert engine.try_option(q, "A").right


def test_predict_compares_values_loosely(content, engine):
    q = content.question("fx-status")
    assert engine.grade(q, " active \n").correct
    graded = engine.grade(q, "RUNNING")
    assert not graded.correct and graded.correct_answer == "ACTIVE"
    assert graded.evidence.value == "ACTIVE"


def test_command_answers_are_graded_by_effect_so_any_working_command_passes(content, engine):
    q = content.question("fx-insights")
    assert engine.grade(q, "aws ecs update-cluster-settings --cluster prod "
                           "--settings name=containerInsights,value=enabled").correct
    # a different command with the same effect also passes
    arn = "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
    assert engine.grade(q, f"aws ecs update-cluster-settings --cluster {arn} \\\n"
                           "  --settings '[{\"name\": \"containerInsights\", \"value\": \"enabled\"}]'").correct
    wrong = engine.grade(q, "aws ecs update-cluster-settings --cluster prod --settings name=containerInsights,value=disabled")
    assert not wrong.correct
    assert "but the simulator says disabled" in wrong.evidence.headline()
    not_aws = engine.grade(q, "kubectl get pods")
    assert not not_aws.correct
    assert not_aws.evidence.notes == ("each line must be an aws command; this one is not: kubectl get pods",)


def test_cli_errors_become_evidence(content, engine):
    q = content.question("fx-insights")
    graded = engine.grade(q, "aws ecs update-cluster-settings --cluster nope --settings name=containerInsights,value=enabled")
    assert not graded.correct
    assert graded.evidence.steps[0].error_code == "ClusterNotFoundException"


def test_order_and_match_show_shuffled_items_and_grade_sequences(content, engine):
    q = content.question("fx-order")
    cq = variant(q, 3)
    shown = shown_items(cq)
    assert sorted(shown) == sorted(q.items) and shown != list(q.items)
    right = ",".join("ABC"[shown.index(item)] for item in q.items)
    assert engine.grade(cq, right).correct
    assert not engine.grade(cq, ",".join(reversed(right.split(",")))).correct
    bad = engine.grade(cq, "A,A,B")
    assert not bad.correct and "give each of the letters A, B, C once" in bad.evidence.notes[0]
    m = variant(content.question("fx-match"), 1)
    rights = shown_items(m)
    answer = ",".join("AB"[rights.index(p.right)] for p in m.question.pairs)
    assert engine.grade(m, answer).correct


def test_concept_uses_the_declared_key(content, engine):
    q = content.question("fx-concept")
    assert not engine.key(q).simulator_checked
    assert engine.grade(q, "a").correct
    out = engine.grade(q, "E")
    assert not out.correct and out.evidence.notes == ("'E' is not an option; answer with letters A-B",)


def test_variants_are_seeded_and_keys_computed_per_variant(content, engine):
    q = content.question("fx-twice")
    assert draw(q, 0) == draw(q, 0)
    names = {variant(q, s).values["name"] for s in range(20)}
    assert names == {"a", "b"}
    cq = variant(q, 5)
    assert cq.question.prompt == f"After creating {cq.values['name']} twice, how many clusters exist?"
    assert cq.question.setup[0].value.params == {"clusterName": cq.values["name"]}
    assert engine.key(cq).letters == ("A",)


def test_grade_serialises_to_json(content, engine):
    data = engine.grade(content.question("fx-fargate"), "B").to_dict()
    assert json.loads(json.dumps(data))["evidence"]["steps"][0]["error_code"] == "ClientException"


@pytest.mark.parametrize(("text", "letters"), [("B", ["B"]), ("a, c", ["A", "C"]), ("CA", ["A", "C"]),
                                               ("c) ", ["C"])])
def test_parse_letters(text, letters):
    assert parse_letters(text, ["A", "B", "C"]) == letters


def test_parse_sequence_and_predicted():
    assert parse_sequence("CAB", 3) == ["C", "A", "B"]
    assert predicted("3", 3) and predicted("3.0", 3) and not predicted("three", 3)
    assert predicted("yes", True) and predicted("b, a", ["a", "b"])


def test_select_count_comes_from_the_declaration_or_the_simulator(content, engine):
    import dataclasses

    from ecslearn.content.model import MISSING, Kind

    assert engine.select_count(content.question("fx-fargate")) == 1
    multi = dataclasses.replace(content.question("fx-fargate"), id="fx-multi", kind=Kind.MULTI, answer=MISSING)
    assert engine.select_count(multi) == 2
    concept = dataclasses.replace(content.question("fx-concept"), answer=["A", "B"])
    assert engine.select_count(concept) == 2


def test_a_question_whose_scenario_breaks_is_skipped_not_fatal(content):
    import dataclasses
    import io

    from ecslearn.content.model import Call, Step
    from ecslearn.quiz.session import PracticeResult
    from ecslearn.ui.console import make_console
    from ecslearn.ui.prompt import LinePrompter
    from ecslearn.ui.quiz import run_practice

    broken = dataclasses.replace(content.question("fx-status"),
                                 setup=(Step("call", Call("ecs", "delete_cluster", {"cluster": "gone"})),))
    questions = [variant(broken, 0), variant(content.question("fx-concept"), 0)]
    out = io.StringIO()
    result = PracticeResult(seed=0, planned=2)
    recorded = []
    run_practice(questions, LinePrompter(io.StringIO("A\n")), make_console(file=out, width=200), Engine(), result,
                 lambda cq, g: recorded.append(g.question_id))
    assert recorded == ["fx-concept"]
    assert result.skipped[0]["question"] == "fx-status"
    assert "ClusterNotFoundException" in result.skipped[0]["error"]
    assert "Question fx-status could not be run and is skipped" in out.getvalue()


def test_solve_gives_a_variant_with_its_key_for_exporters(content, engine):
    solved = engine.solve(content.question("fx-twice"), 9)
    assert solved.values and solved.prompt == f"After creating {solved.values['name']} twice, how many clusters exist?"
    assert (solved.key, solved.select, solved.simulator_checked) == (("A",), 1, True)
    assert solved.options == (("A", "1"), ("B", "2"))
    data = solved.to_dict()
    assert data["kind"] == "single" and data["answer_text"] == "A) 1"
    order = engine.solve(content.question("fx-order"), 2)
    assert [order.shown_items["ABC".index(letter)] for letter in order.key] == ["PENDING", "RUNNING", "STOPPED"]
    assert engine.solve(content.question("fx-status")).value == "ACTIVE"
