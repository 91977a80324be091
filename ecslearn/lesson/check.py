"""`check_lessons(ctx)`: the lesson half of `ecslearn content check` (found by content/check.py).

Structure (keys, ids, lines) comes from the parser. Then each lesson is replayed from its setup, in
order, on one fresh seeded world, exactly as a learner who follows the solutions would see it:

- each `do` step's checks must be false before its solution and true after it, and every solution
  line must succeed;
- each `predict` step's `run` lines must succeed and its `ask` must give a value (equal to `answer`
  when one is declared);
- each `quiz` step's ids must name questions in quizzes/, and inline questions are checked like
  quiz questions (keys re-derived by the simulator, distractors shown wrong).
"""

from __future__ import annotations

from ecslearn.content.check import CheckContext, check_question
from ecslearn.content.model import MISSING
from ecslearn.errors import (
    ContentError,
    ContentProblem,
    NotModelledError,
    ScenarioError,
    SimulatorError,
    SourceLocation,
)
from ecslearn.lesson.catalog import load_lessons
from ecslearn.lesson.model import Lesson, StepKind
from ecslearn.lesson.schema import quiz_kind_problem
from ecslearn.lesson.world import LessonWorld, show_value


def check_lessons(ctx: CheckContext) -> list[ContentProblem]:
    lessons, problems = load_lessons(ctx.root)
    known = {q.id: q for q in ctx.content.questions}
    for lesson in lessons:
        loc = lesson.location or SourceLocation(lesson.path)
        if lesson.id in ctx.ids:
            problems.append(ContentProblem(loc, f"duplicate id '{lesson.id}' (also used at {ctx.ids[lesson.id]}); "
                                                "ids are unique across all quizzes and lessons"))
        else:
            ctx.ids[lesson.id] = loc
        for step in lesson.steps:
            for qid in step.question_ids:
                if qid in known:
                    problem = quiz_kind_problem(known[qid].kind.value, qid, f"step '{step.id}'")
                    if problem is not None:
                        problems.append(ContentProblem(step.location or loc, problem))
                else:
                    import difflib

                    close = difflib.get_close_matches(qid, sorted(known), n=1, cutoff=0.6)
                    problems.append(ContentProblem(step.location or loc, f"step '{step.id}': no question "
                                                   f"'{qid}' in quizzes/" + (f"; did you mean '{close[0]}'?"
                                                                            if close else "")))
            for q in step.questions:
                if q.id in ctx.ids:
                    problems.append(ContentProblem(q.location or loc, f"duplicate id '{q.id}' (also used at "
                                                                      f"{ctx.ids[q.id]})"))
                else:
                    ctx.ids[q.id] = q.location or loc
        if ctx.simulate:
            seen: list = []
            found = replay(lesson, seen)
            problems.extend(found)
            again: list = []
            if not found and (replay(lesson, again) or again != seen):
                problems.append(ContentProblem(loc, f"lesson '{lesson.id}' gives a different result on a second "
                                                    "replay with the same seed; the lesson must be deterministic"))
            if any(s.questions for s in lesson.steps):
                from ecslearn.quiz.engine import Engine

                for step in lesson.steps:
                    for q in step.questions:
                        found, _ = check_question(q, Engine(), second=Engine())
                        problems.extend(found)
    return problems


def replay(lesson: Lesson, seen: list | None = None) -> list[ContentProblem]:
    """Play the lesson by its solutions; return a problem for every step that does not behave.

    `seen` collects what each check and `ask` found, so two replays can be compared.
    """
    seen = [] if seen is None else seen
    out: list[ContentProblem] = []
    loc = lesson.location or SourceLocation(lesson.path)
    try:
        world = LessonWorld(lesson)
    except (ScenarioError, SimulatorError, ContentError) as err:
        return [ContentProblem(loc, f"lesson '{lesson.id}': the setup failed: {err.message}")]
    for step in lesson.steps:
        where = step.location or loc
        subject = f"step '{step.id}'"
        try:
            if step.kind is StepKind.DO:
                before = world.check(step.expect)
                seen.append(("before", step.id, before.to_dict()))
                if before.passed:
                    out.append(ContentProblem(where, f"{subject}: the checks already hold before the solution; "
                                                     "the step is solved as shipped"))
            for line in step.changes_world:
                result = world.run_line(line)
                if not result.ok:
                    message = (result.stderr or result.stdout).strip().splitlines()
                    out.append(ContentProblem(where, f"{subject}: `{line}` failed: "
                                                     f"{message[-1] if message else 'error'}"))
                    return out  # later steps would fail for this reason too
            if step.kind is StepKind.DO:
                after = world.check(step.expect)
                seen.append(("after", step.id, after.to_dict()))
                if not after.passed:
                    out.append(ContentProblem(where, f"{subject}: the solution does not pass the checks: "
                                                     f"{after.headline}"))
                    return out
            elif step.kind is StepKind.PREDICT and step.ask is not None:
                value = world.ask(step.ask)
                seen.append(("ask", step.id, show_value(value)))
                if value is None:
                    out.append(ContentProblem(where, f"{subject}: 'ask' gives nothing (null); check the call "
                                                     "and the query"))
                elif step.answer is not MISSING:
                    from ecslearn.quiz.engine import predicted

                    if not predicted(show_value(step.answer), value):
                        out.append(ContentProblem(where, f"{subject}: declared answer {show_value(step.answer)} "
                                                         f"but the simulator says {show_value(value)}"))
        except NotModelledError as err:
            out.append(ContentProblem(where, f"{subject}: uses something the simulator does not model: {err.message}"))
            return out
        except (ScenarioError, SimulatorError) as err:
            out.append(ContentProblem(where, f"{subject}: {err.message}"))
            return out
    return out


__all__ = ["check_lessons", "replay"]
