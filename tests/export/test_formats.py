"""Round trips: GIFT (test parser), Moodle XML (by structure), Anki (.apkg as SQLite), QTI 1.2 zip."""

from __future__ import annotations

import io
import sqlite3
import xml.etree.ElementTree as ET
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ecslearn.content.model import Kind
from ecslearn.export import anki, gift, moodle_xml, qti
from ecslearn.export.common import right_fraction, value_text
from ecslearn.export.generate import generate
from tests.export import giftparse
from tests.export.conftest import IDS


def test_every_kind_is_covered(gen):
    kinds = {i.kind for i in gen.sets[0].items}
    assert kinds == set(Kind)
    assert not gen.skipped
    # three variants of each parameterised question, one of the others
    names = [i.name for i in gen.sets[0].items]
    assert "fargate-run-count-v3" in names and "new-cluster-status" in names
    assert len(names) == len(set(names))


def test_gift_round_trip(gen):
    items = gen.sets[0].items
    parsed = {q.name: q for q in giftparse.parse(gift.render(items))}
    assert set(parsed) == {i.name for i in items}
    for item in items:
        s, q = item.solved, parsed[item.name]
        assert q.fmt == "markdown"
        assert q.text.startswith(s.prompt.strip())
        assert q.general_feedback and s.explanation.strip()[:40] in q.general_feedback
        if s.kind in (Kind.SINGLE, Kind.CONCEPT):
            assert [a.text for a in q.answers] == [t for _, t in s.options]
            assert [a.correct for a in q.answers] == [letter in s.key for letter, _ in s.options]
        elif s.kind is Kind.MULTI:
            right = right_fraction(len(s.key))
            assert [a.weight for a in q.answers] == [float(right) if letter in s.key else -100.0
                                                     for letter, _ in s.options]
            assert sum(a.weight for a in q.answers if a.weight > 0) == pytest.approx(100, abs=0.01)
            assert [a.text for a in q.answers] == [t for _, t in s.options]
            assert any(a.feedback for a in q.answers)   # the option's `why`
        elif s.kind is Kind.PREDICT:
            if isinstance(s.value, int):
                assert q.kind == "numerical" and q.number == str(s.value)
            else:
                assert q.kind == "shortanswer" and q.answers[0].text == value_text(s.value)
        elif s.kind is Kind.MATCH:
            assert q.pairs == item.correct_pairs()
        elif s.kind is Kind.ORDER:
            assert [a for a, _ in q.pairs] == [a for a, _ in item.correct_pairs()]
            assert [b for _, b in q.pairs] == [f"position {n}" for n in range(1, len(q.pairs) + 1)]
        else:
            assert q.kind == "essay"
            assert item.solution.strip().splitlines()[0] in q.general_feedback


def test_gift_escapes_special_characters():
    assert gift.escape("a=b ~c {d} #e :f \\ g\nh") == "a\\=b \\~c \\{d\\} \\#e \\:f \\\\ g\\nh"
    assert giftparse.unescape(gift.escape("x {y} = z: ~w #\nnext")) == "x {y} = z: ~w #\nnext"


def test_moodle_xml_structure(gen):
    items = gen.sets[0].items
    root = ET.fromstring(moodle_xml.render(items))
    assert root.tag == "quiz"
    questions = [q for q in root.findall("question") if q.get("type") != "category"]
    assert [q.findtext("name/text") for q in questions] == [i.name for i in items]
    for item, q in zip(items, questions):
        s = item.solved
        assert q.findtext("questiontext/text") .startswith(s.prompt.strip())
        assert q.findtext("idnumber") == f"{s.id}~{s.seed}"
        assert s.explanation.strip()[:40] in q.findtext("generalfeedback/text")
        answers = q.findall("answer")
        if s.kind in (Kind.SINGLE, Kind.CONCEPT, Kind.MULTI):
            assert q.get("type") == "multichoice"
            assert q.findtext("single") == ("false" if s.kind is Kind.MULTI else "true")
            assert [a.findtext("text") for a in answers] == [t for _, t in s.options]
            fractions = [float(a.get("fraction")) for a in answers]
            if s.kind is Kind.MULTI:
                assert [f < 0 for f in fractions] == [letter not in s.key for letter, _ in s.options]
                assert sum(f for f in fractions if f > 0) == pytest.approx(100, abs=0.01)
                assert all(f == -100 for f in fractions if f < 0)
            else:
                assert fractions == [100.0 if letter in s.key else 0.0 for letter, _ in s.options]
        elif s.kind is Kind.PREDICT:
            assert q.get("type") == ("numerical" if isinstance(s.value, int) else "shortanswer")
            assert [a.findtext("text") for a in answers] == [value_text(s.value)]
            assert answers[0].get("fraction") == "100"
        elif s.kind in (Kind.MATCH, Kind.ORDER):
            assert q.get("type") == "matching"
            subs = [(sq.findtext("text"), sq.findtext("answer/text")) for sq in q.findall("subquestion")]
            expected = item.correct_pairs()
            if s.kind is Kind.ORDER:
                expected = [(a, f"position {b}") for a, b in expected]
            assert subs == expected
        else:
            assert q.get("type") == "essay"
            assert item.solution.strip().splitlines()[0] in q.findtext("graderinfo/text")


def _notes(apkg: bytes) -> list[tuple[str, str]]:
    with zipfile.ZipFile(io.BytesIO(apkg)) as zf:
        assert set(zf.namelist()) == {"collection.anki2", "media"}
        db = zf.read("collection.anki2")
    conn = sqlite3.connect(":memory:")
    conn.deserialize(db)
    rows = conn.execute("select guid, flds, mid from notes order by id").fetchall()
    models = conn.execute("select models from col").fetchone()[0]
    conn.close()
    assert str(anki.MODEL_ID) in models
    assert {mid for _, _, mid in rows} == {anki.MODEL_ID}
    return [(guid, flds) for guid, flds, _ in rows]


def test_anki_notes_and_guids_stable_across_generations(content, gen):
    items = gen.sets[0].items
    first = anki.render(items)
    notes = _notes(first)
    assert [g for g, _ in notes] == [anki.note_guid(i) for i in items]
    assert len({g for g, _ in notes}) == len(items)
    for (_, flds), item in zip(notes, items):
        fields = flds.split("\x1f")
        assert fields[2:] == [item.solved.id, str(item.solved.seed)]
    # a second, independent generation: same notes, same guids, same bytes
    again = generate(content, seed=7, variants=3, ids=IDS)
    second = anki.render(again.sets[0].items)
    assert _notes(second) == notes
    assert second == first
    # a later timestamp (for a changed deck) keeps the guids
    assert [g for g, _ in _notes(anki.render(items, timestamp=anki.DEFAULT_TIMESTAMP + 86400))] == [g for g, _ in notes]


def test_qti_zip_structure(gen):
    items = gen.sets[0].items
    data = qti.render(items, title="Week 3")
    ns = {"q": qti.QTI_NS, "cp": qti.CP_NS}
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = zf.namelist()
        manifest = ET.fromstring(zf.read("imsmanifest.xml"))
        resources = manifest.findall("cp:resources/cp:resource", ns)
        assert len(resources) == 1 and resources[0].get("type") == "imsqti_xmlv1p2"
        href = resources[0].get("href")
        assert href in names and resources[0].find("cp:file", ns).get("href") == href
        root = ET.fromstring(zf.read(href))
    assert root.tag == f"{{{qti.QTI_NS}}}questestinterop"
    assessment = root.find("q:assessment", ns)
    assert assessment.get("title") == "Week 3"
    qitems = assessment.findall("q:section/q:item", ns)
    assert [i.get("title") for i in qitems] == [i.name for i in items]
    idents = [i.get("ident") for i in qitems]
    assert len(set(idents)) == len(idents)
    want = {Kind.SINGLE: "multiple_choice_question", Kind.CONCEPT: "multiple_choice_question",
            Kind.MULTI: "multiple_answers_question", Kind.MATCH: "matching_question",
            Kind.ORDER: "matching_question", Kind.CONFIG: "essay_question", Kind.COMMAND: "essay_question",
            Kind.TASKDEF: "essay_question"}
    for el, item in zip(qitems, items):
        fields = {f.findtext("q:fieldlabel", namespaces=ns): f.findtext("q:fieldentry", namespaces=ns)
                  for f in el.findall("q:itemmetadata/q:qtimetadata/q:qtimetadatafield", ns)}
        s = item.solved
        if s.kind is Kind.PREDICT:
            assert fields["question_type"] in ("numerical_question", "short_answer_question")
        else:
            assert fields["question_type"] == want[s.kind]
        assert el.find("q:presentation/q:material/q:mattext", ns).text.startswith(s.prompt.strip())
        assert el.find("q:resprocessing/q:outcomes/q:decvar", ns).get("varname") == "SCORE"
        if s.kind in (Kind.SINGLE, Kind.CONCEPT):
            labels = [lab.get("ident") for lab in el.findall("q:presentation/q:response_lid/q:render_choice/q:response_label", ns)]
            assert len(labels) == len(s.options)
            right = el.find("q:resprocessing/q:respcondition/q:conditionvar/q:varequal", ns).text
            assert right == labels[ord(s.key[0]) - 65]
    assert qti.render(items, title="Week 3") == data


def test_generation_renders_each_variant_as_variant_does(content):
    """Generation renders each distinct set of drawn values once; every variant must still be `variant()`'s."""
    from ecslearn.content.variants import variant
    from ecslearn.export.generate import Keyer, stable_seed

    keyer, checked = Keyer(), 0
    for q in content.questions:
        if not q.params:
            continue
        for i in range(4):
            seed = stable_seed("variant", 5, i)
            assert keyer.concrete(q, seed) == variant(q, seed, shuffle=False), q.id
            checked += 1
    assert checked >= 8


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=80))
def test_gift_escape_round_trips_any_text(text):
    escaped = gift.escape(text)
    assert "\n" not in escaped
    assert giftparse.unescape(escaped) == text.strip()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_safe_names_never_escape(name):
    from pathlib import PurePosixPath

    from ecslearn.errors import ExportError
    from ecslearn.export.output import safe_name

    try:
        ok = safe_name(name)
    except ExportError:
        return
    parts = PurePosixPath(ok).parts
    assert not PurePosixPath(ok).is_absolute() and ".." not in parts
    assert all(not p.startswith(".") for p in parts)
