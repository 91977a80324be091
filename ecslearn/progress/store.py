"""The learner state: one human-readable JSON file per user, written atomically, with a format version.

Where: `$ECSLEARN_HOME/state.json` if ECSLEARN_HOME is set, else platformdirs' user data dir for
"ecslearn". Writes go to a temporary file in the same folder, are fsynced, then renamed over the old
file, so an interrupted write leaves the previous state intact. A file that cannot be read (corrupt
JSON, wrong shape, a newer format) is never overwritten: it is moved aside as
`state.json.corrupt-<timestamp>` and reported in `ProgressStore.warnings` (or raised as ProgressError
with `strict=True`). Progress is keyed by content ids, which are never renamed.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ecslearn.errors import ProgressError

STATE_FORMAT = 2
#: format 1 → 2: `exams.current` (the exam in progress) and `review.synced_answers` (how many quiz answers
#: the review engine has turned into cards) were added; a format-1 file is migrated on load (`migrate`).
FILE_NAME = "state.json"
HOME_ENV = "ECSLEARN_HOME"
_HEADER = "ecslearn learner state: keep this file to keep your progress; edit with care"


def data_dir() -> Path:
    """The folder holding the learner state (ECSLEARN_HOME overrides platformdirs)."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("ecslearn", appauthor=False))


def _now() -> str:
    # Learner state records real time (when a person answered), not simulated time.
    return datetime.now(UTC).isoformat(timespec="seconds")


# --- the state ----------------------------------------------------------------------------------


@dataclass
class QuizAnswer:
    """One answered question."""

    question: str
    correct: bool
    seed: int | None = None
    answer: str = ""
    at: str = field(default_factory=_now)
    mode: str = "practice"           # practice | exam | review | lesson

    def to_dict(self) -> dict[str, Any]:
        return {"question": self.question, "correct": self.correct, "seed": self.seed, "answer": self.answer,
                "at": self.at, "mode": self.mode}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> QuizAnswer:
        return cls(question=str(d["question"]), correct=bool(d["correct"]), seed=d.get("seed"),
                   answer=str(d.get("answer", "")), at=str(d.get("at", "")), mode=str(d.get("mode", "practice")))


@dataclass
class LessonProgress:
    """Where a learner is in one lesson."""

    current_step: str | None = None
    done_steps: list[str] = field(default_factory=list)
    started_at: str | None = None
    completed_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"current_step": self.current_step, "done_steps": list(self.done_steps),
                "started_at": self.started_at, "completed_at": self.completed_at}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LessonProgress:
        return cls(current_step=d.get("current_step"), done_steps=[str(s) for s in d.get("done_steps", [])],
                   started_at=d.get("started_at"), completed_at=d.get("completed_at"))


@dataclass
class LearnerState:
    """Everything ecslearn remembers about a learner. Sections other engines own are plain JSON data."""

    quiz_answers: list[QuizAnswer] = field(default_factory=list)
    lessons: dict[str, LessonProgress] = field(default_factory=dict)
    current_lesson: str | None = None
    exam_attempts: list[dict[str, Any]] = field(default_factory=list)   # owned by the exam engine
    review_cards: dict[str, dict[str, Any]] = field(default_factory=dict)  # owned by the review engine
    exam_current: dict[str, Any] | None = None   # the exam in progress (exam engine), resumable
    review_synced: int = 0                        # quiz answers already turned into review cards
    extra: dict[str, Any] = field(default_factory=dict)  # sections written by other ecslearn versions
    created_at: str = field(default_factory=_now)

    # --- quiz --------------------------------------------------------------------------------

    def record_answer(self, question: str, correct: bool, *, seed: int | None = None, answer: str = "",
                      mode: str = "practice") -> QuizAnswer:
        entry = QuizAnswer(question, correct, seed, answer, mode=mode)
        self.quiz_answers.append(entry)
        return entry

    def answers_for(self, question: str) -> list[QuizAnswer]:
        return [a for a in self.quiz_answers if a.question == question]

    def missed_recently(self, last: int = 50) -> list[str]:
        """Question ids whose latest answer (among the last `last`) was wrong."""
        latest: dict[str, bool] = {}
        for a in self.quiz_answers[-last:]:
            latest[a.question] = a.correct
        return [q for q, ok in latest.items() if not ok]

    # --- lessons -----------------------------------------------------------------------------

    def lesson(self, lesson_id: str) -> LessonProgress:
        """The progress of a lesson (created, empty, on first use)."""
        if lesson_id not in self.lessons:
            self.lessons[lesson_id] = LessonProgress(started_at=_now())
        return self.lessons[lesson_id]

    def set_position(self, lesson_id: str, step_id: str | None) -> None:
        self.current_lesson = lesson_id
        self.lesson(lesson_id).current_step = step_id

    def mark_step_done(self, lesson_id: str, step_id: str) -> None:
        progress = self.lesson(lesson_id)
        if step_id not in progress.done_steps:
            progress.done_steps.append(step_id)

    def complete_lesson(self, lesson_id: str) -> None:
        self.lesson(lesson_id).completed_at = _now()

    def lesson_status(self, lesson_id: str) -> str:
        """`done`, `in progress` or `not started`."""
        p = self.lessons.get(lesson_id)
        if p is None:
            return "not started"
        return "done" if p.completed_at else "in progress"

    def reset_lesson(self, lesson_id: str) -> bool:
        """Forget one lesson's progress; return False if there was none."""
        found = self.lessons.pop(lesson_id, None) is not None
        if self.current_lesson == lesson_id:
            self.current_lesson = None
        return found

    # --- serialisation ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {
            "_comment": _HEADER,
            "format": STATE_FORMAT,
            "created_at": self.created_at,
            "current_lesson": self.current_lesson,
            "lessons": {k: v.to_dict() for k, v in sorted(self.lessons.items())},
            "quiz": {"answers": [a.to_dict() for a in self.quiz_answers]},
            "exams": {"attempts": self.exam_attempts, "current": self.exam_current},
            "review": {"cards": self.review_cards, "synced_answers": self.review_synced},
            **self.extra,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> LearnerState:
        """Read a current-format document (KeyError/TypeError/ValueError on a wrong shape)."""
        known = {"_comment", "format", "created_at", "current_lesson", "lessons", "quiz", "exams", "review"}
        lessons = d.get("lessons", {})
        lessons = {} if lessons is None else lessons
        quiz = d.get("quiz", {}) or {}
        for name, value, kind in (("lessons", lessons, dict), ("quiz", quiz, dict),
                                  ("quiz.answers", quiz.get("answers", []) if isinstance(quiz, dict) else None, list)):
            if not isinstance(value, kind):
                raise TypeError(f"'{name}' must be {'an object' if kind is dict else 'a list'}")
        return cls(
            quiz_answers=[QuizAnswer.from_dict(a) for a in quiz.get("answers", [])],
            lessons={str(k): LessonProgress.from_dict(v) for k, v in lessons.items()},
            current_lesson=d.get("current_lesson"),
            exam_attempts=list((d.get("exams") or {}).get("attempts", [])),
            review_cards=dict((d.get("review") or {}).get("cards", {})),
            exam_current=(d.get("exams") or {}).get("current"),
            review_synced=int((d.get("review") or {}).get("synced_answers", 0)),
            extra={k: v for k, v in d.items() if k not in known},
            created_at=str(d.get("created_at") or _now()),
        )


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    """Bring an older state document up to STATE_FORMAT (a new dict; the file is rewritten on the next save).

    1 → 2: `exams` gains `current` (no exam in progress) and `review` gains `synced_answers: 0`, so the
    review engine turns the answers a learner missed before spaced review existed into cards.
    """
    data = dict(data)
    if data.get("format") == 1:
        exams = data.get("exams") if isinstance(data.get("exams"), dict) else {}
        review = data.get("review") if isinstance(data.get("review"), dict) else {}
        data["exams"] = {"attempts": list(exams.get("attempts", []) or []), "current": None}
        data["review"] = {"cards": dict(review.get("cards", {}) or {}), "synced_answers": 0}
        data["format"] = 2
    return data


# --- the store -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProgressWarning:
    """Something the learner must be told (a state file was moved aside)."""

    message: str
    kept_at: Path | None = None

    def __str__(self) -> str:
        return self.message


class ProgressStore:
    """Loads and saves the learner state file. `strict=True` raises ProgressError instead of warning."""

    def __init__(self, path: Path | str | None = None, *, strict: bool = False) -> None:
        self.path = Path(path) if path is not None else data_dir() / FILE_NAME
        self.strict = strict
        self.warnings: list[ProgressWarning] = []

    def load(self) -> LearnerState:
        """The saved state, or a fresh one. An unreadable file is moved aside, never lost."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return LearnerState()
        except OSError as err:
            raise ProgressError(f"cannot read the learner state {self.path}: {err.strerror or err}") from None
        try:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("the top level is not an object")
            version = data.get("format")
            if not isinstance(version, int) or isinstance(version, bool):
                raise ValueError("it has no format version")
            if version > STATE_FORMAT:
                return self._set_aside(f"it was written by a newer ecslearn (format {version}; this one reads "
                                       f"format {STATE_FORMAT})", hint="update ecslearn to keep using it")
            if version < 1:
                raise ValueError(f"format {version} is not a format ecslearn ever wrote")
            return LearnerState.from_dict(migrate(data))
        except (ValueError, KeyError, TypeError, AttributeError) as err:
            return self._set_aside(f"it is not a valid state file ({err})")

    def _set_aside(self, why: str, *, hint: str | None = None) -> LearnerState:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        n = 1
        while aside.exists():
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{n}")
            n += 1
        message = (f"your learner state {self.path} could not be read: {why}. It was kept as {aside} and "
                   "ecslearn starts from empty progress")
        if self.strict:
            raise ProgressError(message, hint=hint or f"fix or remove {self.path}")
        try:
            os.replace(self.path, aside)
        except OSError as err:
            raise ProgressError(f"your learner state {self.path} could not be read ({why}) and could not be "
                                f"moved aside: {err.strerror or err}", hint=f"move {self.path} away yourself") from None
        self.warnings.append(ProgressWarning(message + (f"; {hint}" if hint else ""), aside))
        return LearnerState()

    def save(self, state: LearnerState) -> None:
        """Write atomically: temp file in the same folder, fsync, rename over the old file."""
        folder = self.path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        except OSError as err:
            raise ProgressError(f"cannot write the learner state in {folder}: {err.strerror or err}",
                                hint=f"set {HOME_ENV} to a folder you can write to") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(state.to_dict(), fh, indent=2, ensure_ascii=False)
                fh.write("\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        with contextlib.suppress(OSError):  # make the rename itself durable where the OS allows it
            dir_fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[LearnerState]:
        """`with store.transaction() as state: ...` loads, lets you change, then saves (not on error).

        An advisory lock (`state.json.lock`, POSIX) keeps two ecslearn processes, say a lesson shell and
        a quiz in another terminal, from overwriting each other's changes.
        """
        with self._locked():
            state = self.load()
            yield state
            self.save(state)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: no advisory lock
            yield
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fh = open(self.path.with_name(self.path.name + ".lock"), "a")  # noqa: SIM115
        except OSError:
            yield  # a read-only home: save() reports the real problem
            return
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            yield
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            fh.close()

    # --- conveniences ------------------------------------------------------------------------

    def record_answer(self, question: str, correct: bool, **kwargs: Any) -> None:
        with self.transaction() as state:
            state.record_answer(question, correct, **kwargs)

    def reset_lesson(self, lesson_id: str) -> bool:
        with self.transaction() as state:
            return state.reset_lesson(lesson_id)

    def reset_all(self) -> Path | None:
        """Start from empty progress; the old file is kept as `state.json.reset-<timestamp>`."""
        if not self.path.exists():
            return None
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup = self.path.with_name(f"{self.path.name}.reset-{stamp}")
        os.replace(self.path, backup)
        return backup
