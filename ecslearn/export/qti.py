"""QTI 1.2 zip for Canvas (and other LMSs that import IMS QTI 1.2 content packages).

The zip holds `imsmanifest.xml` (an IMS content package whose resource of type
`imsqti_xmlv1p2` points at the assessment) and `<ident>/<ident>.xml`, a `<questestinterop>` with one
`<assessment>`, one `<section>` and an `<item>` per question. Each item has Canvas's
`question_type` metadata, a `<presentation>` and a `<resprocessing>` that sets SCORE to 100 for the
right response. Kinds: single/concept → multiple_choice_question; multi → multiple_answers_question
(all-or-nothing in Canvas); predict → numerical_question (exact) or short_answer_question;
match → matching_question; order → matching_question (item → position);
config/command/taskdef → essay_question (the working solution as general feedback).
Zip entries have a fixed date, so the same input gives the same bytes.
"""

from __future__ import annotations

import hashlib
import io
import xml.etree.ElementTree as ET
import zipfile

from ecslearn.content.model import Kind
from ecslearn.export.common import feedback_text, is_choice, is_free, predict_is_numeric, value_text
from ecslearn.export.generate import Item

QTI_NS = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
FIXED_DATE = (2020, 1, 1, 0, 0, 0)


def ident(*parts: str) -> str:
    return "g" + hashlib.sha256(":".join(parts).encode()).hexdigest()[:24]


def _mat(parent: ET.Element, text: str) -> None:
    material = ET.SubElement(parent, "material")
    mt = ET.SubElement(material, "mattext", {"texttype": "text/plain"})
    mt.text = text


def _meta(item_el: ET.Element, fields: dict[str, str]) -> None:
    md = ET.SubElement(ET.SubElement(item_el, "itemmetadata"), "qtimetadata")
    for label, entry in fields.items():
        f = ET.SubElement(md, "qtimetadatafield")
        ET.SubElement(f, "fieldlabel").text = label
        ET.SubElement(f, "fieldentry").text = entry


def _score(rp: ET.Element, conditions: list[ET.Element], value: str = "100", *, add: bool = False) -> None:
    rc = ET.SubElement(rp, "respcondition", {"continue": "No" if not add else "Yes"})
    cv = ET.SubElement(rc, "conditionvar")
    if len(conditions) > 1:
        and_ = ET.SubElement(cv, "and")
        for c in conditions:
            and_.append(c)
    else:
        cv.extend(conditions)
    ET.SubElement(rc, "setvar", {"action": "Add" if add else "Set", "varname": "SCORE"}).text = value


def _var(tag: str, respident: str, value: str) -> ET.Element:
    el = ET.Element(tag, {"respident": respident})
    el.text = value
    return el


def item_element(item: Item, number: int) -> ET.Element:
    s = item.solved
    if s.kind is Kind.MULTI:
        qtype = "multiple_answers_question"
    elif is_choice(s.kind):
        qtype = "multiple_choice_question"
    elif s.kind is Kind.PREDICT:
        qtype = "numerical_question" if predict_is_numeric(s.value) else "short_answer_question"
    elif s.kind in (Kind.MATCH, Kind.ORDER):
        qtype = "matching_question"
    elif is_free(s.kind):
        qtype = "essay_question"
    else:  # pragma: no cover
        raise AssertionError(s.kind)
    iid = ident(item.name, str(s.seed), item.student or "")
    el = ET.Element("item", {"ident": iid, "title": item.name})
    _meta(el, {"question_type": qtype, "points_possible": "1.0", "original_answer_ids": "",
               "assessment_question_identifierref": ident("aq", iid)})
    pres = ET.SubElement(el, "presentation")
    prompt = s.prompt.strip() + (f"\n\n(Select {s.select}.)" if s.kind is Kind.MULTI else "")
    _mat(pres, prompt)
    rp = ET.SubElement(el, "resprocessing")
    outcomes = ET.SubElement(rp, "outcomes")
    ET.SubElement(outcomes, "decvar", {"maxvalue": "100", "minvalue": "0", "varname": "SCORE", "vartype": "Decimal"})
    if is_choice(s.kind):
        resp = ET.SubElement(pres, "response_lid", {"ident": "response1",
                                                   "rcardinality": "Multiple" if s.kind is Kind.MULTI else "Single"})
        rc = ET.SubElement(resp, "render_choice")
        for letter, text in s.options:
            label = ET.SubElement(rc, "response_label", {"ident": f"{iid}_{letter}"})
            _mat(label, text)
        if s.kind is Kind.MULTI:
            conds = []
            for letter, _ in s.options:
                v = _var("varequal", "response1", f"{iid}_{letter}")
                if letter in s.key:
                    conds.append(v)
                else:
                    not_ = ET.Element("not")
                    not_.append(v)
                    conds.append(not_)
            _score(rp, conds)
        else:
            _score(rp, [_var("varequal", "response1", f"{iid}_{s.key[0]}")])
    elif qtype == "numerical_question":
        resp = ET.SubElement(pres, "response_str", {"ident": "response1", "rcardinality": "Single"})
        ET.SubElement(resp, "render_fib", {"fibtype": "Decimal"}).append(ET.Element("response_label", {"ident": "answer1"}))
        rc = ET.SubElement(rp, "respcondition", {"continue": "No"})
        cv = ET.SubElement(rc, "conditionvar")
        or_ = ET.SubElement(cv, "or")
        or_.append(_var("varequal", "response1", value_text(s.value)))
        and_ = ET.SubElement(or_, "and")
        and_.append(_var("vargte", "response1", value_text(s.value)))
        and_.append(_var("varlte", "response1", value_text(s.value)))
        ET.SubElement(rc, "setvar", {"action": "Set", "varname": "SCORE"}).text = "100"
    elif qtype == "short_answer_question":
        resp = ET.SubElement(pres, "response_str", {"ident": "response1", "rcardinality": "Single"})
        ET.SubElement(resp, "render_fib").append(ET.Element("response_label", {"ident": "answer1", "rshuffle": "No"}))
        _score(rp, [_var("varequal", "response1", value_text(s.value))])
    elif qtype == "matching_question":
        pairs = item.correct_pairs()
        if s.kind is Kind.ORDER:
            pairs = [(left, f"position {right}") for left, right in pairs]
        rights = sorted({r for _, r in pairs})
        right_ids = {r: f"{iid}_r{i}" for i, r in enumerate(rights)}
        share = f"{100 / len(pairs):.2f}"
        for i, (left, right) in enumerate(pairs):
            resp = ET.SubElement(pres, "response_lid", {"ident": f"response_{iid}_l{i}"})
            _mat(resp, left)
            rc = ET.SubElement(resp, "render_choice")
            for r in rights:
                label = ET.SubElement(rc, "response_label", {"ident": right_ids[r]})
                _mat(label, r)
            _score(rp, [_var("varequal", f"response_{iid}_l{i}", right_ids[right])], share, add=True)
    else:  # essay
        resp = ET.SubElement(pres, "response_str", {"ident": "response1", "rcardinality": "Single"})
        ET.SubElement(resp, "render_fib").append(ET.Element("response_label", {"ident": "answer1", "rshuffle": "No"}))
        rc = ET.SubElement(rp, "respcondition", {"continue": "No"})
        ET.SubElement(ET.SubElement(rc, "conditionvar"), "other")
    fb_text = feedback_text(item)
    if item.solution:
        fb_text = f"One answer that works:\n{item.solution.strip()}\n\n{fb_text}"
    ET.SubElement(el, "itemfeedback", {"ident": "general_fb"}).append(_flow(fb_text))
    return el


def _flow(text: str) -> ET.Element:
    flow = ET.Element("flow_mat")
    _mat(flow, text)
    return flow


def _xml(root: ET.Element) -> bytes:
    ET.indent(root, space=" ")
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="utf-8", xml_declaration=False) + b"\n"


def assessment_xml(items: list[Item], title: str, aid: str) -> bytes:
    root = ET.Element("questestinterop", {"xmlns": QTI_NS})
    assessment = ET.SubElement(root, "assessment", {"ident": aid, "title": title})
    md = ET.SubElement(ET.SubElement(assessment, "qtimetadata"), "qtimetadatafield")
    ET.SubElement(md, "fieldlabel").text = "cc_maxattempts"
    ET.SubElement(md, "fieldentry").text = "1"
    section = ET.SubElement(assessment, "section", {"ident": "root_section"})
    for n, item in enumerate(items, 1):
        section.append(item_element(item, n))
    return _xml(root)


def manifest_xml(aid: str, title: str) -> bytes:
    root = ET.Element("manifest", {"identifier": ident("manifest", aid), "xmlns": CP_NS})
    md = ET.SubElement(root, "metadata")
    ET.SubElement(md, "schema").text = "IMS Content"
    ET.SubElement(md, "schemaversion").text = "1.1.3"
    ET.SubElement(root, "organizations")
    resources = ET.SubElement(root, "resources")
    res = ET.SubElement(resources, "resource", {"identifier": aid, "type": "imsqti_xmlv1p2",
                                                "href": f"{aid}/{aid}.xml"})
    ET.SubElement(res, "file", {"href": f"{aid}/{aid}.xml"})
    return _xml(root)


def render(items: list[Item], *, title: str = "ecslearn") -> bytes:
    """The zip's bytes (deterministic)."""
    aid = ident("assessment", title, *[i.name + ":" + str(i.solved.seed) for i in items])
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in (("imsmanifest.xml", manifest_xml(aid, title)),
                           (f"{aid}/{aid}.xml", assessment_xml(items, title, aid))):
            info = zipfile.ZipInfo(name, FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buf.getvalue()
