"""Exam forms (seeded, domain-weighted), the data file, scoring and the unofficial scaled estimate."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecslearn.content.catalog import load_content
from ecslearn.content.schema import KNOWN_EXAMS
from ecslearn.errors import UsageError
from ecslearn.exam import data
from ecslearn.exam.engine import (
    Attempt,
    ExamItem,
    ExamSession,
    allocate,
    default_minutes,
    draw_form,
    new_attempt,
    scaled_estimate,
    score_attempt,
)

BANK = Path(__file__).resolve().parent / "fixtures" / "bank"


@pytest.fixture(scope="module")
def content():
    return load_content(BANK)


def test_the_data_file_has_every_exam_and_the_schema_reads_its_codes():
    exams = data.load()
    assert set(exams.exams) == {"SAA-C03", "DVA-C02", "SOA-C03", "CLF-C02", "ECS-PRACTICE"}
    assert data.exam_codes() == KNOWN_EXAMS
    saa = exams.get("saa-c03")
    assert (saa.total, saa.scored, saa.unscored, saa.minutes, saa.passing_score) == (65, 50, 15, 130, 720)
    clf = exams.get("CLF-C02")
    assert (clf.minutes, clf.passing_score) == (90, 700)
    assert [d.weight for d in saa.domains] == [30, 26, 24, 20]
    assert any("180 minutes" in n for n in exams.get("SOA-C03").notes)  # the timing caveat travels with the data
    for info in exams.exams.values():
        assert sum(d.weight for d in info.domains) == 100
        assert info.verified_on
    with pytest.raises(UsageError, match="did you mean 'SAA-C03'"):
        exams.get("SAA-C3")


def test_allocation_is_largest_remainder_and_respects_what_each_domain_has():
    w = {1: 30, 2: 26, 3: 24, 4: 20}
    assert allocate(w, {1: 9, 2: 9, 3: 9, 4: 9}, 10) == {1: 3, 2: 3, 3: 2, 4: 2}
    assert allocate(w, {1: 9, 2: 9, 3: 9, 4: 9}, 20) == {1: 6, 2: 5, 3: 5, 4: 4}
    # domain 1 has only one question: the other 9 split 26:24:20 → 3.34, 3.09, 2.57 → 3, 3, 2 + the
    # largest remainder (0.57) → 3, 3, 3
    assert allocate(w, {1: 1, 2: 9, 3: 9, 4: 9}, 10) == {1: 1, 2: 3, 3: 3, 4: 3}
    # never more than the pool
    assert allocate(w, {1: 1, 2: 1, 3: 0, 4: 1}, 10) == {1: 1, 2: 1, 3: 0, 4: 1}


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.integers(1, 6), st.integers(1, 40), min_size=1, max_size=6),
       st.dictionaries(st.integers(1, 6), st.integers(0, 30), max_size=6), st.integers(0, 120))
def test_allocation_invariants(weights, available, n):
    alloc = allocate(weights, available, n)
    assert sum(alloc.values()) == min(n, sum(available.get(d, 0) for d in weights))
    for d, k in alloc.items():
        assert 0 <= k <= available.get(d, 0)


def test_a_seeded_form_is_the_same_every_time_and_follows_the_weights(content):
    saa = data.load().get("SAA-C03")
    a = draw_form(content, saa, 20, seed=42)
    b = draw_form(content, saa, 20, seed=42)
    assert a == b
    assert draw_form(content, saa, 20, seed=43) != a
    assert len({i.question for i in a}) == 20
    mix = {d.id: sum(1 for i in a if i.domain == d.id) for d in saa.domains}
    for d in saa.domains:
        assert abs(mix[d.id] - 20 * d.weight / 100) < 1, mix
    assert mix == {1: 6, 2: 5, 3: 5, 4: 4}
    # the domain is the number before the dot of the exam's tag
    for item in a:
        assert item.tag.startswith(f"SAA-C03:{item.domain}.")
    # shuffled across domains, not grouped
    assert [i.domain for i in a] != sorted(i.domain for i in a)


def test_full_length_forms_mark_pilot_items_and_short_forms_do_not(content):
    saa = data.load().get("SAA-C03")
    assert all(i.scored for i in draw_form(content, saa, 20, seed=1))
    ecs = data.load().get("ECS-PRACTICE")
    form = draw_form(content, ecs, None, seed=1)  # the bank is smaller than the exam: the whole pool
    assert len(form) == 5 and all(i.scored for i in form)


def test_minutes_are_pro_rata_for_short_forms():
    saa = data.load().get("SAA-C03")
    assert default_minutes(saa, 65) == 130
    assert default_minutes(saa, 10) == 20
    assert default_minutes(data.load().get("CLF-C02"), 13) == 18


@pytest.mark.parametrize(("fraction", "expected"), [
    (0.0, 100), (1.0, 1000), (0.72, 720), (0.36, 410), (0.86, 860), (0.5, 531), (0.719, 719),
])
def test_scaled_estimate_is_piecewise_linear_through_the_pass_mark(fraction, expected):
    # 0 → 100, 0.72 → 720, 1 → 1000: 0.36 is half way to the pass mark (100 + 620/2), 0.86 half way above it;
    # 0.5: 100 + 620 * 0.5 / 0.72 = 530.55 → 531; just under the pass fraction never rounds up to a pass
    assert scaled_estimate(fraction, data.load().get("SAA-C03")) == expected


def test_clf_estimate_uses_its_own_pass_mark():
    clf = data.load().get("CLF-C02")
    assert scaled_estimate(0.70, clf) == 700
    assert scaled_estimate(0.85, clf) == 850  # 700 + 300 * 0.15 / 0.30


def _attempt(items: list[ExamItem], answers: dict[int, str]) -> Attempt:
    return Attempt(exam="SAA-C03", seed=0, minutes=10, items=items, answers=answers, id="t1")


def test_scoring_raw_domains_multi_all_or_nothing_and_unanswered(content):
    saa = data.load().get("SAA-C03")
    items = [
        ExamItem("ex-saa-d1-q1", 0, 1, "SAA-C03:1.2"),   # right
        ExamItem("ex-saa-d1-q2", 0, 1, "SAA-C03:1.3"),   # multi A,D: only A given → wrong
        ExamItem("ex-saa-d2-q1", 0, 2, "SAA-C03:2.2"),   # right
        ExamItem("ex-saa-d2-q2", 0, 2, "SAA-C03:2.3"),   # unanswered → wrong
        ExamItem("ex-saa-d3-q1", 0, 3, "SAA-C03:3.2"),   # wrong letter
        ExamItem("ex-predict-status", 5, 3, "SAA-C03:3.9"),  # predict, simulator-checked: right
        ExamItem("ex-saa-d4-q1", 0, 4, "SAA-C03:4.2", scored=False),  # pilot: wrong but not counted
        ExamItem("ex-saa-d4-q2", 0, 4, "SAA-C03:4.3"),   # multi letters in any case/order: right
    ]
    items[7] = ExamItem("ex-saa-d1-q2", 1, 1, "SAA-C03:1.3")
    answers = {0: "A", 1: "A", 2: "a", 4: "C", 5: "active", 6: "B", 7: "d, a"}
    result = score_attempt(_attempt(items, answers), content, saa)
    assert (result.correct, result.total) == (4, 7)
    by = {d.id: (d.correct, d.total) for d in result.domains}
    assert by == {1: (2, 3), 2: (1, 2), 3: (1, 2), 4: (0, 0)}
    assert result.scaled == scaled_estimate(4 / 7, saa) == 592   # 100 + 620 * (4/7) / 0.72 = 592.06
    assert result.passed is False
    wrong = [r.number for r in result.wrong]
    assert wrong == [2, 4, 5, 7]
    unanswered = result.items[3]
    assert not unanswered.answered and unanswered.grade is not None
    assert "Right answer d2q2" in unanswered.grade.correct_answer
    predict = result.items[5].grade
    assert predict.correct and predict.evidence is not None and predict.evidence.value == "ACTIVE"
    d = result.to_dict()
    assert d["scaled_estimate"]["unofficial"] is True and "Unofficial estimate" in d["scaled_estimate"]["note"]
    assert d["unscored_items"] == [7]
    assert d["raw"] == {"correct": 4, "total": 7, "percent": 57.1}


def test_a_perfect_attempt_passes_with_1000(content):
    saa = data.load().get("SAA-C03")
    items = [ExamItem(f"ex-saa-d{d}-q3", 0, d, f"SAA-C03:{d}.1") for d in (1, 2, 3, 4)]
    result = score_attempt(_attempt(items, dict.fromkeys(range(4), "A")), content, saa)
    assert (result.correct, result.total, result.scaled, result.passed) == (4, 4, 1000, True)


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def test_session_navigation_flags_saves_and_time_limit(content):
    saa = data.load().get("SAA-C03")
    attempt = new_attempt(content, saa, count=4, minutes=1, seed=3)
    saved = []
    clock = FakeClock()
    s = ExamSession(attempt, save=lambda a: saved.append(a.to_dict()), clock=clock)
    assert s.answer("A") and s.next() and s.toggle_flag()
    assert not s.back() or s.index == 0
    s.go(4)
    assert not s.next()
    clock.t += 30
    assert s.answer("B")
    assert saved[-1]["answers"] == {"0": "A", "3": "B"} and saved[-1]["flags"] == [1]
    assert saved[-1]["elapsed"] == 30
    assert attempt.status() == {"answered": [1, 4], "unanswered": [2, 3], "flagged": [2]}
    clock.t += 31
    assert s.expired() and s.time_left() == 0
    assert not s.answer("C")  # too late: not recorded
    assert attempt.answers[3] == "B"
    # a resumed attempt continues from the time used, not the wall clock
    again = Attempt.from_dict(saved[-1])
    s2 = ExamSession(again, clock=FakeClock())
    assert s2.time_left() == 30
    with pytest.raises(UsageError):
        s2.go(9)


def test_content_check_refuses_a_domain_the_exam_does_not_have(tmp_path):
    from ecslearn.errors import ContentCheckFailed

    (tmp_path / "quizzes").mkdir()
    text = (BANK / "quizzes" / "01-exam.yaml").read_text().replace("SAA-C03:4.3", "SAA-C03:9.3")
    (tmp_path / "quizzes" / "01-x.yaml").write_text(text)
    with pytest.raises(ContentCheckFailed) as err:
        load_content(tmp_path)
    assert "names domain 9, which SAA-C03 does not have; its domains are 1, 2, 3, 4" in str(err.value.problems[0])
    assert data.exam_domains("ECS-PRACTICE") == (1, 2, 3, 4, 5, 6, 7) and data.exam_domains("NOPE") == ()
