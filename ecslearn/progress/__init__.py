"""The learner state store: quiz answers, lesson progress, exam attempts and review cards in one JSON file."""

from __future__ import annotations

from ecslearn.progress.store import (
    LearnerState,
    LessonProgress,
    ProgressStore,
    ProgressWarning,
    QuizAnswer,
    data_dir,
)

__all__ = ["LearnerState", "LessonProgress", "ProgressStore", "ProgressWarning", "QuizAnswer", "data_dir"]
