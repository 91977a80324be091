"""Finding the content root and loading every quiz file in it (lessons plug in through `check.py`).

The root is a folder holding `quizzes/` and/or `lessons/`. It is found in this order (STYLE.md §4.2):
`--content-dir` / `ECSLEARN_CONTENT_DIR`; the copy bundled in an installed wheel
(`importlib.resources.files("ecslearn") / "_content"`); the source checkout next to the package.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ecslearn.content.model import ContentSet, Question, QuizFile
from ecslearn.content.schema import FILE_RE, parse_quiz
from ecslearn.content.yamlio import load_file
from ecslearn.errors import ContentCheckFailed, ContentNotFoundError, ContentProblem, SourceLocation

ENV_VAR = "ECSLEARN_CONTENT_DIR"
AREAS = ("quizzes", "lessons")
#: files an editor or the OS may leave that are not content (never shipped: see STYLE.md §4.2 trap 1)
_IGNORED = (".DS_Store",)


@dataclass(frozen=True)
class ContentRoot:
    path: Path
    origin: str   # "--content-dir", "ECSLEARN_CONTENT_DIR", "installed package", "source checkout"

    def area(self, name: str) -> Path:
        return self.path / name


def _is_root(path: Path) -> bool:
    return path.is_dir() and any((path / a).is_dir() for a in AREAS)


def find_root(content_dir: str | Path | None = None) -> ContentRoot:
    """Resolve the content root, or raise ContentNotFoundError naming every place tried."""
    tried: list[str] = []
    if content_dir is not None:
        path = Path(content_dir).expanduser()
        if _is_root(path):
            return ContentRoot(path, "--content-dir")
        hint = "pass the folder that contains quizzes/ (for example: ecslearn content check ./my-pack)"
        if path.name in AREAS and _is_root(path.parent):
            hint = f"pass the folder above it: {path.parent}"
        raise ContentNotFoundError(f"no content in {path}: expected a folder holding quizzes/ or lessons/",
                                   hint=hint)
    env = os.environ.get(ENV_VAR)
    if env:
        path = Path(env).expanduser()
        if _is_root(path):
            return ContentRoot(path, ENV_VAR)
        tried.append(f"{path} (from {ENV_VAR})")
    try:
        from importlib.resources import files

        bundled = files("ecslearn") / "_content"
        if bundled.is_dir():
            return ContentRoot(Path(str(bundled)), "installed package")
        tried.append(f"{bundled} (installed package)")
    except (ModuleNotFoundError, TypeError):  # pragma: no cover - a zipped install
        tried.append("ecslearn/_content (installed package)")
    import ecslearn

    checkout = Path(ecslearn.__file__).resolve().parents[1]
    if _is_root(checkout):
        return ContentRoot(checkout, "source checkout")
    tried.append(f"{checkout} (source checkout)")
    raise ContentNotFoundError("no ecslearn content found; looked in:\n  " + "\n  ".join(tried),
                               hint=f"pass --content-dir DIR or set {ENV_VAR}")


def display_path(root: Path, file: Path) -> str:
    """How a file is named in messages: under the root as the user gave it."""
    try:
        return str(root / file.relative_to(root))
    except ValueError:
        return str(file)


def area_files(root: Path, area: str) -> tuple[list[Path], list[ContentProblem]]:
    """The NN-slug.yaml files of an area, in order; anything else there is a problem (a stray file)."""
    folder = root / area
    if not folder.is_dir():
        return [], []
    files, problems = [], []
    for entry in sorted(folder.iterdir()):
        if entry.name in _IGNORED:
            continue
        if entry.is_file() and FILE_RE.match(entry.name):
            files.append(entry)
        else:
            problems.append(ContentProblem(
                SourceLocation(display_path(root, entry)),
                f"unexpected {'folder' if entry.is_dir() else 'file'} in {area}/: only files named NN-slug.yaml "
                f"(such as 03-placement.yaml) belong here, and everything here ships in the wheel"))
    return files, problems


def load_quizzes(root: Path) -> tuple[list[QuizFile], list[ContentProblem]]:
    """Load every quiz file under `root/quizzes`; return what loaded and every problem found."""
    files, problems = area_files(root, "quizzes")
    quizzes: list[QuizFile] = []
    for path in files:
        display = display_path(root, path)
        data, found = load_file(path, display)
        problems.extend(found)
        if data is None and found:
            continue
        quiz, found = parse_quiz(data, display, path.stem)
        problems.extend(found)
        if quiz is not None:
            quizzes.append(quiz)
    return quizzes, problems


def duplicate_ids(questions: list[Question], seen: dict[str, SourceLocation] | None = None) -> list[ContentProblem]:
    """A problem for every id used twice (ids are unique across all content)."""
    seen = {} if seen is None else seen
    out = []
    for q in questions:
        loc = q.location or SourceLocation("?")
        if q.id in seen:
            out.append(ContentProblem(loc, f"duplicate id '{q.id}' (also used at {seen[q.id]}); ids are "
                                           "unique across all quizzes and lessons"))
        else:
            seen[q.id] = loc
    return out


def load_content(content_dir: str | Path | None = None, *, strict: bool = True) -> ContentSet:
    """Load the content for learners: raise ContentCheckFailed if any file has a problem (strict)."""
    root = find_root(content_dir)
    quizzes, problems = load_quizzes(root.path)
    problems.extend(duplicate_ids([q for quiz in quizzes for q in quiz.questions]))
    if problems and strict:
        raise ContentCheckFailed(problems)
    return ContentSet(root=str(root.path), quizzes=tuple(quizzes))
