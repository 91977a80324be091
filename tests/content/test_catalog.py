"""Finding the content root: --content-dir, ECSLEARN_CONTENT_DIR, the installed copy, the checkout."""

from __future__ import annotations

from pathlib import Path

import pytest

import ecslearn
from ecslearn.content.catalog import find_root, load_content
from ecslearn.errors import ContentCheckFailed, ContentNotFoundError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "content"
CHECKOUT = Path(ecslearn.__file__).resolve().parents[1]


def test_explicit_directory_wins(monkeypatch):
    monkeypatch.setenv("ECSLEARN_CONTENT_DIR", str(FIXTURES / "bad" / "syntax"))
    root = find_root(FIXTURES / "good")
    assert (root.path, root.origin) == (FIXTURES / "good", "--content-dir")


def test_environment_variable_then_checkout(monkeypatch, tmp_path):
    monkeypatch.setenv("ECSLEARN_CONTENT_DIR", str(FIXTURES / "good"))
    assert find_root().origin == "ECSLEARN_CONTENT_DIR"
    monkeypatch.setenv("ECSLEARN_CONTENT_DIR", str(tmp_path / "nothing-here"))
    root = find_root()
    assert (root.path, root.origin) == (CHECKOUT, "source checkout")


def test_nothing_found_lists_every_place_tried(monkeypatch, tmp_path):
    monkeypatch.setenv("ECSLEARN_CONTENT_DIR", str(tmp_path / "env"))
    monkeypatch.setattr(ecslearn, "__file__", str(tmp_path / "site" / "ecslearn" / "__init__.py"))
    with pytest.raises(ContentNotFoundError) as info:
        find_root()
    message = info.value.message
    assert message.startswith("no ecslearn content found; looked in:")
    assert f"{tmp_path / 'env'} (from ECSLEARN_CONTENT_DIR)" in message
    assert "(installed package)" in message
    assert f"{tmp_path / 'site'} (source checkout)" in message
    assert info.value.hint == "pass --content-dir DIR or set ECSLEARN_CONTENT_DIR"


def test_a_bundled_copy_is_used_when_installed(monkeypatch, tmp_path):
    bundled = tmp_path / "_content"
    (bundled / "quizzes").mkdir(parents=True)

    class FakeFiles:
        def __truediv__(self, name):
            return bundled if name == "_content" else None

    monkeypatch.delenv("ECSLEARN_CONTENT_DIR", raising=False)
    monkeypatch.setattr("importlib.resources.files", lambda _pkg: FakeFiles())
    root = find_root()
    assert (root.path, root.origin) == (bundled, "installed package")


def test_learners_get_every_problem_at_once_when_content_is_broken():
    with pytest.raises(ContentCheckFailed) as info:
        load_content(FIXTURES / "bad" / "duplicate-id")
    assert len(info.value.problems) == 1 and "duplicate id 'same-id'" in info.value.message
    assert info.value.exit_code == 3
