"""YAML reading for content: a SafeLoader that keeps line numbers and reports duplicate keys.

Mappings load as `LocatedDict` and sequences as `LocatedList`; both know the line they start on and
the line of each key or item, so the schema can say `path:line: message` for any value. Problems
(invalid YAML, duplicate keys) are collected, never raised, so one run reports all of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ecslearn.errors import ContentProblem, SourceLocation


class LocatedDict(dict):
    """A mapping from YAML: `.line` (1-based), `.key_lines[key]` and `.value_lines[key]`."""

    line: int = 0
    key_lines: dict[Any, int]
    value_lines: dict[Any, int]

    def line_of(self, key: Any) -> int:
        """The line of `key` if present, else the mapping's own line."""
        return getattr(self, "key_lines", {}).get(key, self.line)

    def value_line(self, key: Any) -> int:
        return getattr(self, "value_lines", {}).get(key, self.line_of(key))


class LocatedList(list):
    """A sequence from YAML: `.line` and `.item_lines[i]` (1-based)."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        lines = getattr(self, "item_lines", [])
        return lines[index] if 0 <= index < len(lines) else self.line


class _Loader(yaml.SafeLoader):
    def __init__(self, stream: Any, display: str) -> None:
        super().__init__(stream)
        self.display = display
        self.problems: list[ContentProblem] = []


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """The same safe constructors on libyaml's parser (several times faster) for files that parse."""

    def __init__(self, stream: Any, display: str) -> None:
        super().__init__(stream)
        self.display = display
        self.problems: list[ContentProblem] = []


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LocatedDict:
    loader.flatten_mapping(node)  # merge keys (<<)
    out = LocatedDict()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    out.value_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            loader.problems.append(ContentProblem(
                SourceLocation(loader.display, key_node.start_mark.line + 1), "a mapping key must be a plain value"))
            continue
        line = key_node.start_mark.line + 1
        if key in out.key_lines:
            loader.problems.append(ContentProblem(
                SourceLocation(loader.display, line),
                f"duplicate key '{key}' (first defined on line {out.key_lines[key]})"))
            continue
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
        out.value_lines[key] = value_node.start_mark.line + 1
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LocatedList:
    out = LocatedList(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


for _cls in (_Loader, _FastLoader):
    _cls.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
    _cls.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load_text(text: str, display: str) -> tuple[Any, list[ContentProblem]]:
    """Parse YAML text; return (data or None, problems). `display` is the path shown in messages."""
    if _FastLoader is not _Loader:
        fast = _FastLoader(text, display)
        try:
            return fast.get_single_data(), fast.problems
        except yaml.YAMLError:
            pass  # parse again with the pure-Python parser, whose messages are clearer
        finally:
            fast.dispose()
    loader = _Loader(text, display)
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        what = err.problem or err.context or "not valid YAML"
        return None, [*loader.problems, ContentProblem(SourceLocation(display, line), f"invalid YAML: {what}")]
    except yaml.YAMLError as err:
        return None, [*loader.problems, ContentProblem(SourceLocation(display), f"invalid YAML: {err}")]
    finally:
        loader.dispose()
    return data, loader.problems


def load_file(path: Path, display: str | None = None) -> tuple[Any, list[ContentProblem]]:
    """Read and parse one YAML file (UTF-8); unreadable files become a problem, not an exception."""
    display = display or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None, [ContentProblem(SourceLocation(display), "not UTF-8 text; save the file as UTF-8")]
    except OSError as err:
        return None, [ContentProblem(SourceLocation(display), f"cannot read the file: {err.strerror or err}")]
    return load_text(text, display)


def plain(value: Any) -> Any:
    """Copy located containers into plain dicts and lists (for simulator calls and JSON)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
