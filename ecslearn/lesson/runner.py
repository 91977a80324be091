"""The lesson runner: where the learner is, what each lesson command does. It returns `View`s, never prints.

`LessonRunner` holds one lesson at a time (and the catalog, to go on to the next lesson), the world of
the current step (`LessonWorld`), the hints shown, and the learner state store: the position is saved
on entering a step and after every step is done, so quitting at any moment loses nothing but the
typing done in the current step's world (see `world.py` for how worlds are rebuilt).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ecslearn.content.model import Kind, Question
from ecslearn.lesson.model import Lesson, LessonStep, StepKind
from ecslearn.lesson.world import LessonWorld, show_value


@dataclass(frozen=True)
class View:
    """Something to show. `kind` tells the UI how: see ui/lesson.py `render`.

    kinds: step (data: StepInfo), markdown (text), hint-text (text: Markdown, data: (n, total)), info / ok / bad / warn (text), check (data:
    CheckReport), code (text: title, data: lines), steps (data: list of (number, title, kind, status,
    current)), question (data: (ConcreteQuestion, number, total)), grade (data: Grade),
    logs (data: sections), map (data: ClusterMap), lessons (data: rows), done (text).
    """

    kind: str
    text: str = ""
    data: Any = None


@dataclass(frozen=True)
class StepInfo:
    lesson: Lesson
    step: LessonStep
    number: int               # 1-based
    total: int
    done: bool


@dataclass
class _StepState:
    hints: int = 0
    passed: bool = False
    predicted: bool = False
    quiz_index: int = 0
    attempts: int = 0


@dataclass
class LessonRunner:
    """Drive lessons. Create with `LessonRunner.start(...)`; every method returns a list of Views."""

    lessons: list[Lesson]
    lesson: Lesson
    store: Any                                   # ProgressStore
    questions: dict[str, Question] = field(default_factory=dict)
    cwd: str | os.PathLike[str] | None = None
    width: int = 80
    index: int = 0
    world: LessonWorld | None = None
    state: _StepState = field(default_factory=_StepState)
    complete: bool = False

    # --- starting ---------------------------------------------------------------------------

    @classmethod
    def start(cls, lessons: list[Lesson], lesson: Lesson, store: Any, *, questions: dict[str, Question] | None = None,
              cwd: str | os.PathLike[str] | None = None, width: int = 80) -> tuple[LessonRunner, list[View]]:
        """Open `lesson` where the learner left it (or at its first step)."""
        runner = cls(lessons, lesson, store, questions or {}, cwd, width)
        return runner, runner._open(lesson)

    def _open(self, lesson: Lesson) -> list[View]:
        self.lesson = lesson
        self.complete = False
        state = self.store.load()
        progress = state.lessons.get(lesson.id)
        index = 0
        resumed = False
        if progress is not None and progress.completed_at is None:
            found = lesson.index_of(progress.current_step)
            if found is not None:
                index, resumed = found, True
        views = [View("lesson", data=lesson)]
        if resumed and index:
            views.append(View("info", f"Resuming at step {index + 1} of {len(lesson.steps)}."))
        elif progress is not None and progress.completed_at:
            views.append(View("info", "You finished this lesson before; here it is again from the start."))
        done = progress is not None and self.lesson.steps[index].id in progress.done_steps and resumed
        return views + self._enter(index, done=done)

    @property
    def step(self) -> LessonStep:
        return self.lesson.steps[self.index]

    def _done_steps(self) -> list[str]:
        state = self.store.load()
        p = state.lessons.get(self.lesson.id)
        return list(p.done_steps) if p else []

    def _enter(self, index: int, *, done: bool = False, rebuild: bool = True) -> list[View]:
        """Go to step `index`: rebuild its world (at its end when it is already done), save the position."""
        self.index = index
        self.state = _StepState(passed=done, predicted=done, quiz_index=len(self.step.question_ids) +
                                len(self.step.questions) if done else 0)
        if rebuild or self.world is None:
            self.world = LessonWorld.at_step(self.lesson, index, include_current=done, cwd=self.cwd, width=self.width)
        with self.store.transaction() as st:
            st.set_position(self.lesson.id, self.step.id)
        return self._show_step()

    def _show_step(self) -> list[View]:
        step = self.step
        info = StepInfo(self.lesson, step, self.index + 1, len(self.lesson.steps),
                        step.id in self._done_steps() or self.state.passed)
        views = [View("step", data=info)]
        if step.kind is StepKind.QUIZ:
            views += self._show_question()
        elif step.kind is StepKind.DO and self.state.passed:
            views.append(View("ok", "Done. Type `next` to go on."))
        elif step.kind is StepKind.DO:
            views.append(View("hint", "Type aws commands; `check` shows what is still missing, `hint` helps."))
        elif step.kind is StepKind.SAY:
            views.append(View("hint", "Type `next` to go on."))
        elif step.kind is StepKind.PREDICT and not self.state.predicted:
            views.append(View("hint", "Type your prediction."))
        return views

    # --- questions in quiz steps --------------------------------------------------------------

    def _quiz_items(self) -> list[Question]:
        out = [self.questions[qid] for qid in self.step.question_ids if qid in self.questions]
        return out + list(self.step.questions)

    def _show_question(self) -> list[View]:
        items = self._quiz_items()
        if self.state.quiz_index >= len(items):
            return [View("ok", "Quiz done. Type `next` to go on.")] if items else []
        from ecslearn.content.variants import variant

        cq = variant(items[self.state.quiz_index], self.lesson.seed)
        views = [View("question", data=(cq, self.state.quiz_index + 1, len(items)))]
        if cq.question.kind is Kind.CONFIG:
            views.append(View("info", "Several lines? Separate them with `;` on one line."))
        return views

    # --- what the learner types ------------------------------------------------------------------

    def answer(self, text: str) -> list[View]:
        """A line that is not a command: a prediction or a quiz answer."""
        step = self.step
        text = text.strip()
        if step.kind is StepKind.PREDICT:
            return self._predict(text)
        if step.kind is StepKind.QUIZ:
            return self._quiz_answer(text)
        return []

    def _predict(self, text: str) -> list[View]:
        step = self.step
        if self.state.predicted:
            return [View("info", "You already made this prediction. Type `next` to go on.")]
        if not text:
            return [View("warn", "Type your prediction (a value), then Enter.")]
        from ecslearn.quiz.engine import predicted

        assert self.world is not None and step.ask is not None
        views = []
        for line in step.run:
            result = self.world.run_line(line)
            views.append(View("code", "The simulator runs:", [line]))
            if result.stdout.strip():
                views.append(View("output", result.stdout))
        value = self.world.ask(step.ask)
        right = predicted(text, value)
        self.state.predicted = True
        shown = show_value(value)
        if isinstance(value, bool) and text.lower() in ("yes", "no", "y", "n"):
            shown = "yes" if value else "no"
        views.append(View("ok" if right else "bad", ("✔ Right: " if right else f"✘ You said {text}; the simulator "
                                                    "says: ") + shown))
        if step.explain:
            views.append(View("markdown", step.explain))
        views += self._mark_done()
        return views

    def _quiz_answer(self, text: str) -> list[View]:
        items = self._quiz_items()
        if self.state.quiz_index >= len(items):
            return [View("info", "Quiz done. Type `next` to go on.")]
        if not text:
            return [View("warn", "Type your answer (a letter such as B, or A,C), then Enter.")]
        from ecslearn.quiz.engine import Engine

        q = items[self.state.quiz_index]
        if q.kind is Kind.CONFIG:  # several ecs.config lines on one shell line: `A=1; B=2`
            text = "\n".join(part.strip() for part in text.split(";"))
        grade = Engine().grade(q, text, seed=self.lesson.seed)
        with self.store.transaction() as st:
            st.record_answer(q.id, grade.correct, seed=self.lesson.seed, answer=grade.given, mode="lesson")
        self.state.quiz_index += 1
        views = [View("grade", data=grade)]
        if self.state.quiz_index >= len(items):
            views += self._mark_done()
        else:
            views += self._show_question()
        return views

    # --- checks -------------------------------------------------------------------------------

    def check(self, *, quiet: bool = False) -> list[View]:
        """`check` (quiet=False) or the automatic check after a command (quiet: only news of passing)."""
        step = self.step
        if step.kind is not StepKind.DO:
            if quiet:
                return []
            return [View("info", "Nothing to check in this step: " + {
                StepKind.SAY: "read it, then type `next`.",
                StepKind.PREDICT: "type your prediction." if not self.state.predicted else "type `next`.",
                StepKind.QUIZ: "answer the question." if not self._quiz_finished() else "type `next`.",
            }[step.kind])]
        assert self.world is not None
        report = self.world.check(step.expect)
        if report.passed:
            if self.state.passed and quiet:
                return []
            first = not self.state.passed
            self.state.passed = True
            views = [View("check", data=report)] if not quiet else []
            if first:
                views.append(View("ok", "✔ Step done!"))
                if step.explain:
                    views.append(View("markdown", step.explain))
                views += self._mark_done()
            else:
                views.append(View("ok", "✔ Still done. Type `next` to go on."))
            return views
        if quiet:
            return []
        self.state.attempts += 1
        views = [View("check", data=report)]
        if self.state.hints < len(step.hints):
            views.append(View("hint", "Type `hint` for a hint."))
        return views

    def _quiz_finished(self) -> bool:
        return self.state.quiz_index >= len(self._quiz_items())

    def _mark_done(self) -> list[View]:
        with self.store.transaction() as st:
            st.mark_step_done(self.lesson.id, self.step.id)
            st.set_position(self.lesson.id, self.step.id)
        last = self.index == len(self.lesson.steps) - 1
        return [View("hint", "Type `next` to finish the lesson." if last else "Type `next` to go on.")]

    def step_done(self) -> bool:
        step = self.step
        if step.kind is StepKind.SAY:
            return True
        if step.kind is StepKind.DO:
            return self.state.passed
        if step.kind is StepKind.PREDICT:
            return self.state.predicted
        return self._quiz_finished()

    # --- hints and solutions -------------------------------------------------------------------

    def hint(self) -> list[View]:
        step = self.step
        if step.kind is not StepKind.DO or not step.hints:
            return [View("info", "This step has no hints.")]
        total = len(step.hints)
        if self.state.hints >= total:
            return [View("hint-text", step.hints[-1], (total, total)),
                    View("info", "That was the last hint; `solution` shows one way to do it.")]
        self.state.hints += 1
        n = self.state.hints
        views = [View("hint-text", step.hints[n - 1], (n, total))]
        if n == len(step.hints) and not self.state.passed:
            views.append(View("info", "That was the last hint; `solution` now shows one way to do it."))
        return views

    def solution(self) -> list[View]:
        step = self.step
        if step.kind is not StepKind.DO:
            return [View("info", "This step has no solution to show.")]
        if not self.state.passed and self.state.hints < len(step.hints):
            left = len(step.hints) - self.state.hints
            return [View("warn", f"The solution unlocks once the step passes or after the last hint "
                                 f"({left} more: type `hint`).")]
        return [View("code", "One way to do it (type these lines):", list(step.solution))]

    # --- moving ---------------------------------------------------------------------------------

    def next(self) -> list[View]:
        if self.complete:
            return self._next_lesson()
        if not self.step_done():
            step = self.step
            why = {StepKind.DO: "its check does not pass yet (type `check` to see why, `hint` for help)",
                   StepKind.PREDICT: "make your prediction first (type a value)",
                   StepKind.QUIZ: "answer the question first"}.get(step.kind, "")
            return [View("warn", f"Not yet: {why}.")]
        if self.step.kind is StepKind.SAY:
            with self.store.transaction() as st:
                st.mark_step_done(self.lesson.id, self.step.id)
        if self.index + 1 >= len(self.lesson.steps):
            return self._finish()
        # the world carries on as the learner left it (it may already do what the next step asks)
        views = self._enter(self.index + 1, rebuild=False)
        if self.step.kind is StepKind.DO:
            views += self.check(quiet=True)
        return views

    def back(self) -> list[View]:
        if self.index == 0:
            return [View("info", "This is the first step.")]
        done = self.lesson.steps[self.index - 1].id in self._done_steps()
        return [View("info", "Back one step (its world is rebuilt)."), *self._enter(self.index - 1, done=done)]

    def reset(self) -> list[View]:
        self.world = None
        views = self._enter(self.index)
        note = View("info", f"Reset this step's world (the lesson's setup plus the solutions of the "
                            f"{self.index} earlier step(s)).")
        return [note, *views]

    def goto(self, number: int) -> list[View]:
        if not 1 <= number <= len(self.lesson.steps):
            return [View("warn", f"There is no step {number}; this lesson has {len(self.lesson.steps)}.")]
        done = self.lesson.steps[number - 1].id in self._done_steps()
        return self._enter(number - 1, done=done)

    def _finish(self) -> list[View]:
        with self.store.transaction() as st:
            st.complete_lesson(self.lesson.id)
            st.current_lesson = self.lesson.id
        self.complete = True
        following = self._following()
        text = f"Lesson {self.lesson.number:02d} complete: {self.lesson.title}."
        if following is not None:
            text += f"\nType `next` to start lesson {following.number:02d}: {following.title} (or `quit`)."
        else:
            text += "\nThat was the last lesson. Type `quit` to leave."
        return [View("done", text)]

    def _following(self) -> Lesson | None:
        for i, lesson in enumerate(self.lessons):
            if lesson.id == self.lesson.id and i + 1 < len(self.lessons):
                return self.lessons[i + 1]
        return None

    def _next_lesson(self) -> list[View]:
        following = self._following()
        if following is None:
            return [View("info", "That was the last lesson. Type `quit` to leave.")]
        self.world = None
        return self._open(following)

    # --- looking around ---------------------------------------------------------------------------

    def steps_list(self) -> list[View]:
        done = set(self._done_steps())
        rows = [(i + 1, s.title or s.id, s.kind.value, "done" if s.id in done else "", i == self.index)
                for i, s in enumerate(self.lesson.steps)]
        return [View("steps", self.lesson.title, rows)]

    def logs(self) -> list[View]:
        assert self.world is not None
        sections = self.world.logs()
        if not sections:
            return [View("info", "No logs yet: no EC2 instance runs the ECS agent and no task wrote to "
                                 "CloudWatch Logs.")]
        return [View("logs", data=sections)]

    def show(self) -> list[View]:
        return self._show_step()


__all__ = ["LessonRunner", "StepInfo", "View"]
