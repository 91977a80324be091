"""The YAML loader keeps line numbers, collects duplicate keys, and turns YAML errors into problems."""

from __future__ import annotations

from ecslearn.content.yamlio import LocatedDict, LocatedList, load_file, load_text, plain


def test_lines_of_mappings_keys_values_and_items():
    data, problems = load_text("a: 1\nb:\n  - x\n  - {c: 2}\nd:\n  e: f\n", "f.yaml")
    assert problems == []
    assert isinstance(data, LocatedDict) and data.line == 1
    assert data.line_of("b") == 2 and data.value_line("b") == 3 and data.line_of("missing") == 1
    assert isinstance(data["b"], LocatedList) and data["b"].item_lines == [3, 4]
    assert data["b"][1].line == 4 and data["d"].line_of("e") == 6
    assert plain(data) == {"a": 1, "b": ["x", {"c": 2}], "d": {"e": "f"}}
    assert type(plain(data)) is dict


def test_every_duplicate_key_is_reported_with_both_lines():
    _, problems = load_text("a: 1\nb: 2\na: 3\nb: 4\n", "f.yaml")
    assert [str(p) for p in problems] == ["f.yaml:3: duplicate key 'a' (first defined on line 1)",
                                         "f.yaml:4: duplicate key 'b' (first defined on line 2)"]


def test_merge_keys_still_work():
    data, problems = load_text("base: &b {x: 1}\nnew:\n  <<: *b\n  y: 2\n", "f.yaml")
    assert problems == [] and plain(data["new"]) == {"x": 1, "y": 2}


def test_syntax_errors_become_problems_with_a_line():
    data, problems = load_text("a: [1\nb: 2\n", "f.yaml")
    assert data is None
    assert [str(p) for p in problems] == ["f.yaml:2: invalid YAML: expected ',' or ']', but got ':'"]
    _, problems = load_text("a: b: c\n", "g.yaml")
    assert str(problems[0]) == "g.yaml:1: invalid YAML: mapping values are not allowed here"


def test_unreadable_files_are_problems(tmp_path):
    bad = tmp_path / "01-x.yaml"
    bad.write_bytes(b"\xff\xfe\x00bad")
    assert [p.message for p in load_file(bad)[1]] == ["not UTF-8 text; save the file as UTF-8"]
    assert load_file(tmp_path / "missing.yaml")[1][0].message.startswith("cannot read the file")
