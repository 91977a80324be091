"""Lesson YAML → `Lesson`, every problem reported as `path:line: message` (the quiz parser's rules).

The parser extends the quiz parser (`content.schema._Parser`), so unknown keys, "did you mean",
`format:` in both directions, checks, `ask:`, setup steps and inline questions are read and reported
exactly as in quizzes.
"""

from __future__ import annotations

import re
from typing import Any

from ecslearn.content.model import MISSING
from ecslearn.content.schema import ID_RE, TOPICS, _Parser, _plain, suggest, type_name
from ecslearn.content.yamlio import LocatedDict, LocatedList
from ecslearn.errors import ContentProblem
from ecslearn.lesson.model import Lesson, LessonStep, StepKind

LESSON_KEYS = ("format", "id", "title", "summary", "objectives", "topics", "sources", "seed", "world", "setup",
               "launch", "steps")
#: a saved world shipped beside a lesson (`ecslearn sandbox` → `save 04-broken.world.json`)
WORLD_FILE_RE = re.compile(r"^\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\.world\.json$")
LESSON_REQUIRED = ("format", "id", "title", "summary", "objectives", "steps")
STEP_KINDS = tuple(k.value for k in StepKind)
STEP_KEYS: dict[StepKind, tuple[str, ...]] = {
    StepKind.SAY: ("id", "title", "say"),
    StepKind.DO: ("id", "title", "do", "expect", "hints", "solution", "explain"),
    StepKind.PREDICT: ("id", "title", "predict", "run", "ask", "answer", "explain"),
    StepKind.QUIZ: ("id", "title", "quiz"),
}
STEP_REQUIRED: dict[StepKind, tuple[str, ...]] = {
    StepKind.SAY: ("id",),
    StepKind.DO: ("id", "expect", "hints", "solution"),
    StepKind.PREDICT: ("id", "ask"),
    StepKind.QUIZ: ("id",),
}
ALL_STEP_KEYS = tuple(dict.fromkeys(k for keys in STEP_KEYS.values() for k in keys))

#: the lines a `solution:` or `run:` may hold: what a learner types in the lesson shell
TIME_RE = re.compile(r"^time\s+\+(\d+(?:\.\d+)?)([smhd]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}


def line_kind(line: str) -> str | None:
    """`aws`, `time`, `settle` or `curl` for a line a solution may hold, else None."""
    text = line.strip()
    if text.startswith("aws "):
        return "aws"
    if text.startswith("curl "):
        return "curl"
    if TIME_RE.match(text):
        return "time"
    if text == "settle":
        return "settle"
    return None


def time_seconds(line: str) -> float:
    m = TIME_RE.match(line.strip())
    assert m is not None
    return float(m.group(1)) * _UNITS[m.group(2)]


class LessonParser(_Parser):
    """Reads one lesson file."""

    def lesson(self, data: Any, slug: str) -> Lesson | None:
        if data is None:
            self.problem(1, "the file is empty; a lesson needs 'format: 1', 'id', 'title', 'summary', "
                            "'objectives' and 'steps'")
            return None
        if not isinstance(data, LocatedDict):
            self.problem(getattr(data, "line", 1), f"a lesson file must be a mapping, not {type_name(data)}")
            return None
        if not self.format(data):
            return None
        start = len(self.problems)
        self.keys(data, LESSON_KEYS, LESSON_REQUIRED, "the lesson")
        lid = self.ident(data, "the lesson")
        title = self.text(data, "title", "the lesson", required=True)
        summary = self.text(data, "summary", "the lesson", required=True)
        objectives = self.str_list(data, "objectives", "the lesson", min_items=1)
        topics = self.str_list(data, "topics", "the lesson")
        for i, topic in enumerate(topics):
            if topic not in TOPICS:
                raw = data["topics"]
                line = raw.line_of(i) if isinstance(raw, LocatedList) else data.value_line("topics")
                self.problem(line, f"unknown topic '{topic}' in the lesson"
                                   f"{suggest(topic, TOPICS) or '; topics: ' + ', '.join(TOPICS)}")
        sources = self.sources(data, "the lesson") if "sources" in data else []
        seed = data.get("seed", 0)
        if not isinstance(seed, int) or isinstance(seed, bool) or seed < 0:
            self.problem(data.value_line("seed"), "'seed' of the lesson must be a whole number >= 0")
            seed = 0
        world = self.text(data, "world", "the lesson")
        if world is not None and not WORLD_FILE_RE.match(world):
            self.problem(data.value_line("world"), f"'world' of the lesson must name a file beside it called "
                                                   f"NN-slug.world.json (such as 04-broken.world.json), not {world!r}")
        setup = self.steps(data, "setup", "the lesson")
        launch = self.submapping(data, "launch", "the lesson")
        steps: list[LessonStep] = []
        raw = data.get("steps")
        if "steps" in data:
            if not isinstance(raw, LocatedList) or not raw:
                self.problem(data.value_line("steps"), f"'steps' must be a non-empty list of steps, not "
                                                       f"{type_name(raw)}")
            else:
                seen: dict[str, int] = {}
                for i, item in enumerate(raw):
                    step = self.step(item, raw.line_of(i), i + 1, slug)
                    if step is None:
                        continue
                    if step.id in seen:
                        self.problem(raw.line_of(i), f"step id '{step.id}' is used twice in this lesson (also "
                                                     f"at line {seen[step.id]}); step ids are unique in a lesson")
                        continue
                    seen[step.id] = raw.line_of(i)
                    steps.append(step)
        if len(self.problems) != start or lid is None or title is None or summary is None:
            return None
        return Lesson(id=lid, slug=slug, number=int(slug[:2]), title=title, summary=summary,
                      objectives=tuple(objectives), setup=tuple(setup), steps=tuple(steps), path=self.display,
                      seed=seed, sources=tuple(sources), topics=tuple(topics), launch=launch,
                      location=self.loc(data.line), world=world)

    def ident(self, d: LocatedDict, what: str) -> str | None:
        raw = d.get("id")
        if isinstance(raw, str) and ID_RE.match(raw):
            return raw
        if "id" in d:
            self.problem(d.value_line("id"), f"id '{raw}' of {what} is not kebab-case (lowercase letters, digits "
                                             "and single hyphens, such as 'create-a-cluster')")
        return None

    def lines(self, d: LocatedDict, key: str, what: str, *, min_items: int = 0) -> list[str]:
        """A list of lines a learner types: `aws ...`, `time +60`, `settle`, `curl URL`."""
        out = []
        items = self.str_list(d, key, what, min_items=min_items)
        raw = d.get(key)
        for i, item in enumerate(items):
            line = raw.line_of(i) if isinstance(raw, LocatedList) else d.value_line(key)
            text = " ".join(item.replace("\\\n", " ").split()) if not item.strip().startswith("aws ") \
                else item.replace("\\\n", " ").strip()
            if line_kind(text) is None:
                self.problem(line, f"line {i + 1} of '{key}' in {what} must be what a learner types: an "
                                   f"'aws ...' command, 'time +SECONDS' (or +Nm, +Nh), 'settle' or 'curl URL', not {item!r}")
                continue
            out.append(text)
        return out

    def step(self, raw: Any, line: int, number: int, slug: str) -> LessonStep | None:
        d = self.mapping(raw, line, f"step {number}")
        if d is None:
            return None
        sid_raw = d.get("id")
        what = f"step '{sid_raw}'" if isinstance(sid_raw, str) else f"step {number}"
        kinds = [k for k in StepKind if k.value in d]
        if len(kinds) != 1:
            if kinds:
                self.problem(line, f"{what} has {' and '.join(k.value for k in kinds)}; a step is exactly one "
                                   f"of: {', '.join(STEP_KINDS)}")
            else:
                unknown = [k for k in d if k not in ALL_STEP_KEYS]
                near = suggest(unknown[0], STEP_KINDS) if unknown else ""
                self.problem(line, f"{what} needs one of: {', '.join(STEP_KINDS)}{near}")
            return None
        kind = kinds[0]
        start = len(self.problems)
        self.keys(d, STEP_KEYS[kind], STEP_REQUIRED[kind], what, known=ALL_STEP_KEYS)
        sid = self.ident(d, what)
        title = self.text(d, "title", what)
        if kind is StepKind.QUIZ:
            ids, questions = self.quiz(d, what, slug)
            if len(self.problems) != start or sid is None:
                return None
            return LessonStep(sid, kind, "", title=title, question_ids=tuple(ids), questions=tuple(questions),
                              location=self.loc(line))
        text = self.text(d, kind.value, what, required=True)
        explain = self.text(d, "explain", what)
        step = LessonStep(sid or "", kind, text or "", title=title, explain=explain, location=self.loc(line))
        if kind is StepKind.DO:
            expect = self.checks(d, what) if "expect" in d else ()
            hints = self.str_list(d, "hints", what, min_items=1)
            solution = self.lines(d, "solution", what, min_items=1)
            step = LessonStep(step.id, kind, step.text, title=title, explain=explain, expect=tuple(expect),
                              hints=tuple(hints), solution=tuple(solution), location=step.location)
        elif kind is StepKind.PREDICT:
            ask = self.ask(d, what) if "ask" in d else None
            run = self.lines(d, "run", what)
            answer = _plain(d["answer"]) if "answer" in d else MISSING
            step = LessonStep(step.id, kind, step.text, title=title, explain=explain, run=tuple(run), ask=ask,
                              answer=answer, location=step.location)
        if len(self.problems) != start or sid is None or text is None:
            return None
        return step

    def quiz(self, d: LocatedDict, what: str, slug: str) -> tuple[list[str], list[Any]]:
        raw = d["quiz"]
        if isinstance(raw, (str, LocatedDict)):
            raw = LocatedList([raw])
            raw.line = d.value_line("quiz")
        if not isinstance(raw, LocatedList) or not raw:
            self.problem(d.value_line("quiz"), f"'quiz' in {what} must be a list of question ids or questions, "
                                               f"not {type_name(raw)}")
            return [], []
        ids, questions = [], []
        for i, item in enumerate(raw):
            line = raw.line_of(i)
            if isinstance(item, str):
                if not ID_RE.match(item):
                    self.problem(line, f"question id '{item}' in {what} is not kebab-case")
                    continue
                ids.append(item)
            elif isinstance(item, dict):
                q = self.question(item, line, i + 1, slug)
                if q is not None:
                    problem = quiz_kind_problem(q.kind.value, q.id, what)
                    if problem is not None:
                        self.problem(line, problem)
                        continue
                    questions.append(q)
            else:
                self.problem(line, f"item {i + 1} of 'quiz' in {what} must be a question id or a question, "
                                   f"not {type_name(item)}")
        return ids, questions


#: quiz kinds a lesson's `quiz` step cannot ask, and why (the lesson shell takes one line as the answer;
#: `config` works: its lines go on one line separated by `;`)
QUIZ_KINDS_NOT_IN_LESSONS: dict[str, str] = {
    "command": "its answer is `aws ...` lines, which the lesson shell runs as commands instead of taking "
               "them as the answer; make it a `do` step (expect + solution) or leave it in quizzes/",
    "taskdef": "its answer is a task definition written over several lines, which one line of the lesson "
               "shell cannot hold; make it a `do` step (aws ecs register-task-definition) or leave it in "
               "quizzes/",
}


def quiz_kind_problem(kind: str, qid: str, what: str) -> str | None:
    """The message for a question of `kind` in a lesson's quiz step, or None when a lesson can ask it."""
    why = QUIZ_KINDS_NOT_IN_LESSONS.get(kind)
    if why is None:
        return None
    return f"question '{qid}' in {what} is a {kind} question, which a lesson cannot ask: {why}"


def parse_lesson(data: Any, display: str, slug: str) -> tuple[Lesson | None, list[ContentProblem]]:
    """Build a Lesson from loaded YAML; return it (None if unusable) and every problem found."""
    parser = LessonParser(display)
    lesson = parser.lesson(data, slug)
    return lesson, parser.problems


__all__ = ["LESSON_KEYS", "QUIZ_KINDS_NOT_IN_LESSONS", "LessonParser", "line_kind", "parse_lesson",
           "quiz_kind_problem", "time_seconds"]
