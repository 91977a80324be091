"""Loading every lesson of a content root (`lessons/NN-slug.yaml`) and finding one by id, number or slug."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from ecslearn.content.catalog import area_files, display_path, find_root
from ecslearn.content.yamlio import load_file
from ecslearn.errors import ContentCheckFailed, ContentProblem, EcslearnError, SourceLocation
from ecslearn.lesson.model import Lesson
from ecslearn.lesson.schema import WORLD_FILE_RE, parse_lesson


class LessonNotFoundError(EcslearnError):
    """No lesson has that id, number or slug."""


def load_lessons(root: str | Path) -> tuple[list[Lesson], list[ContentProblem]]:
    """Every lesson under `root/lessons`, in NN- order, and every problem found (stray files too)."""
    root = Path(root)
    files, found_problems = area_files(root, "lessons")
    # saved worlds beside lessons are content too (each must be used by a lesson; see below)
    worlds = {Path(p.location.path).name for p in found_problems if WORLD_FILE_RE.match(Path(p.location.path).name)
              and (root / "lessons" / Path(p.location.path).name).is_file()}
    problems = [p for p in found_problems if Path(p.location.path).name not in worlds]
    lessons: list[Lesson] = []
    for path in files:
        display = display_path(root, path)
        data, found = load_file(path, display)
        problems.extend(found)
        if data is None and found:
            continue
        lesson, found = parse_lesson(data, display, path.stem)
        problems.extend(found)
        if lesson is not None and lesson.world is not None:
            world_file = path.parent / lesson.world
            if not world_file.is_file():
                problems.append(ContentProblem(lesson.location or SourceLocation(display),
                                               f"the lesson's world file {lesson.world} is not in lessons/"))
                continue
            lesson = replace(lesson, world_path=str(world_file))
        if lesson is not None:
            lessons.append(lesson)
    used = {lesson.world for lesson in lessons}
    for name in sorted(worlds - used):
        problems.append(ContentProblem(SourceLocation(display_path(root, root / "lessons" / name)),
                                       "a world file that no lesson uses (`world: " + name + "`); remove it or "
                                       "use it, since everything in lessons/ ships in the wheel"))
    seen: dict[str, SourceLocation] = {}
    numbers: dict[int, str] = {}
    for lesson in lessons:
        loc = lesson.location or SourceLocation(lesson.path)
        if lesson.id in seen:
            problems.append(ContentProblem(loc, f"duplicate lesson id '{lesson.id}' (also used at {seen[lesson.id]})"))
        seen.setdefault(lesson.id, loc)
        if lesson.number in numbers:
            problems.append(ContentProblem(SourceLocation(lesson.path), f"lesson number {lesson.number:02d} is also "
                                                                        f"used by {numbers[lesson.number]}"))
        numbers.setdefault(lesson.number, lesson.path)
    return lessons, problems


def bundled_lessons(content_dir: str | Path | None = None, *, strict: bool = True) -> list[Lesson]:
    """The lessons learners use (ContentCheckFailed if any lesson file has a problem and strict)."""
    root = find_root(content_dir)
    lessons, problems = load_lessons(root.path)
    if problems and strict:
        raise ContentCheckFailed(problems)
    return lessons


def find_lesson(lessons: list[Lesson], name: str) -> Lesson:
    """A lesson by id (`containers-and-orchestration`), number (`1`, `01`) or slug (`01-containers`)."""
    name = name.strip()
    for lesson in lessons:
        if name in (lesson.id, lesson.slug):
            return lesson
        if name.isdigit() and int(name) == lesson.number:
            return lesson
    import difflib

    names = [lesson.id for lesson in lessons]
    close = difflib.get_close_matches(name, names, n=1, cutoff=0.5)
    hint = f"did you mean '{close[0]}'? " if close else ""
    raise LessonNotFoundError(f"no lesson '{name}'", hint=f"{hint}`ecslearn lessons` lists them")


__all__ = ["LessonNotFoundError", "bundled_lessons", "find_lesson", "load_lessons"]
