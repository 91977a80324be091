"""`check_all` on fixture content: one broken fixture per error kind, each with its exact message."""

from __future__ import annotations

from pathlib import Path

import pytest

from ecslearn.content.check import check_all
from ecslearn.errors import ContentNotFoundError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "content"
BAD = FIXTURES / "bad"

EXPECTED: dict[str, list[str]] = {
    "syntax": ["01-broken.yaml:7: invalid YAML: expected ',' or ']', but got ':'"],
    "duplicate-key": ["01-dup.yaml:14: duplicate key 'answer' (first defined on line 11)"],
    "unknown-key": ["01-unknown.yaml:6: unknown key 'promt' in question 'unknown-key'; did you mean 'prompt'?"],
    "wrong-type": ["01-type.yaml:6: 'difficulty' in question 'wrong-type' must be one of easy, medium, hard, not 5"],
    "missing-required": ["01-missing.yaml:4: question 'missing-explanation' is missing required key 'explanation'"],
    "bad-id": ["01-id.yaml:4: id 'Bad_Id' is not kebab-case (lowercase letters, digits and single hyphens, "
               "such as 'spread-across-azs')"],
    "duplicate-id": ["02-second.yaml:4: duplicate id 'same-id' (also used at {root}/quizzes/01-first.yaml:4); "
                     "ids are unique across all quizzes and lessons"],
    "unknown-exam": ["01-exam.yaml:6: unknown exam 'SAA-C02' in 'SAA-C02:1.1'; known exams: CLF-C02, DVA-C02, "
                     "ECS-PRACTICE, SAA-C03, SOA-C03; did you mean 'SAA-C03'?"],
    "unknown-topic": ["01-topic.yaml:6: unknown topic 'cluster' in question 'unknown-topic'; did you mean "
                      "'clusters'?"],
    "stray-file": ["notes.txt: unexpected file in quizzes/: only files named NN-slug.yaml (such as "
                   "03-placement.yaml) belong here, and everything here ships in the wheel"],
    "format-newer": ["01-new.yaml:1: format 2 is newer than this ecslearn understands (format 1); update ecslearn "
                     "to read this file"],
    "format-older": ["01-old.yaml:1: format 0 is older than this ecslearn supports; migrate the file to format 1"],
    "bad-query": ["01-query.yaml:10: 'query' in 'ask' of question 'bad-query' is not valid JMESPath: "
                  "Invalid jmespath expression (at character 14)"],
    "wrong-key": ["01-key.yaml:22: question 'wrong-key': declared answer B but the simulator says A"],
    "distractor-right": ["01-distractor.yaml:20: option C of question 'distractor-right': is a distractor, but the "
                         "simulator says it is right"],
    "setup-fails": ["01-setup.yaml:4: question 'setup-fails': the scenario failed: {root}/quizzes/01-setup.yaml:11: "
                    "setup step 1 (ecs.delete_cluster) failed: ClusterNotFoundException: Cluster not found."],
    "already-solved": ["01-solved.yaml:4: question 'already-solved': the checks already hold before any answer is "
                       "applied; the question is solved as shipped"],
}


@pytest.mark.parametrize("case", sorted(EXPECTED))
def test_each_broken_fixture_reports_its_exact_problem(case):
    root = BAD / case
    report = check_all(root)
    expected = [f"{root}/quizzes/" + line.format(root=root) for line in EXPECTED[case]]
    assert [str(p) for p in report.problems] == expected
    assert not report.ok


def test_a_solution_that_fails_says_why_with_the_agent_log():
    root = BAD / "solution-fails"
    problems = [str(p) for p in check_all(root).problems]
    assert len(problems) == 1
    assert problems[0].startswith(f"{root}/quizzes/01-solution.yaml:4: question 'solution-fails': the solution "
                                  "does not pass its own checks: expected one instance in prod, but the simulator "
                                  "says 0 (agent on i-")
    assert problems[0].endswith("Unable to register as a container instance with ECS: ClientException: "
                                "Cluster not found.)")


def test_every_error_kind_has_a_fixture():
    on_disk = {p.name for p in BAD.iterdir() if p.is_dir()}
    assert on_disk == set(EXPECTED) | {"solution-fails"}


def test_good_fixture_passes_and_is_summarised():
    report = check_all(FIXTURES / "good")
    assert report.problems == []
    s = report.summary
    assert (s.files, s.questions, s.simulator_checked, s.declared) == (1, 7, 4, 3)
    assert s.by_kind == {"command": 1, "concept": 1, "match": 1, "order": 1, "predict": 1, "single": 2}
    assert s.variants_checked == 2
    assert report.to_dict()["summary"]["simulator_share"] == round(4 / 7, 3)


def test_all_problems_in_a_file_are_reported_at_once(tmp_path):
    (tmp_path / "quizzes").mkdir()
    (tmp_path / "quizzes" / "01-many.yaml").write_text(
        "format: 1\ntitle: Many\nquestions:\n"
        "  - id: Bad_Id\n    kind: concept\n    topik: x\n"
        "  - id: second\n    kind: singel\n",
        encoding="utf-8")
    messages = [p.message for p in check_all(tmp_path).problems]
    assert "id 'Bad_Id' is not kebab-case (lowercase letters, digits and single hyphens, such as " \
           "'spread-across-azs')" in messages
    assert "unknown key 'topik' in question 'Bad_Id'; did you mean 'topic'?" in messages
    assert "unknown kind 'singel' in question 'second'; did you mean 'single'?" in messages
    assert "question 'second' is missing required key 'explanation'" in messages
    assert len(messages) >= 10


def test_a_folder_without_content_is_a_clear_error(tmp_path):
    with pytest.raises(ContentNotFoundError, match="expected a folder holding quizzes/ or lessons/"):
        check_all(tmp_path)
    with pytest.raises(ContentNotFoundError, match="no such folder"):
        check_all(tmp_path / "missing")


def test_second_run_gives_the_same_report():
    first = check_all(FIXTURES / "good").to_dict()
    second = check_all(FIXTURES / "good").to_dict()
    first["summary"].pop("seconds")
    second["summary"].pop("seconds")
    assert first == second
