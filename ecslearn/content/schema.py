"""YAML data → typed content, collecting every problem as `path:line: message` (never stopping early).

The schema is declared once below (which keys a quiz file, a question, an option, a step or a check
may have, and which are learner-facing). Unknown keys are problems with a "did you mean" suggestion
from difflib; so are unknown topics, exam codes and services.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
from collections.abc import Iterable
from typing import Any

from ecslearn.content.model import (
    COMPARATORS,
    FORMAT_VERSION,
    LETTERS,
    MISSING,
    Call,
    Check,
    Difficulty,
    Kind,
    Option,
    Pair,
    Param,
    Query,
    Question,
    QuizFile,
    Step,
)
from ecslearn.content.yamlio import LocatedDict, LocatedList
from ecslearn.errors import ContentProblem, SourceLocation
from ecslearn.exam.data import exam_codes, exam_domains

# --- the schema -----------------------------------------------------------------------------------

ID_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
FILE_RE = re.compile(r"^\d\d-[a-z0-9]+(?:-[a-z0-9]+)*\.yaml$")
EXAM_TAG_RE = re.compile(r"^(?P<code>[A-Z0-9-]+?):(?P<task>\d+\.\d+)$")
CALL_RE = re.compile(r"^(?P<service>[a-z0-9-]+)\.(?P<op>[a-z][a-z0-9_]*)$")
PARAM_NAME_RE = re.compile(r"^[a-z_][a-z0-9_]*$")

#: Exams whose guides cover ECS (research-learning-tools.md §4), plus ecslearn's own practice tag:
#: read from the exam data file (ecslearn/data/exams.json), so the checker and `ecslearn exam` agree.
KNOWN_EXAMS = exam_codes()

TOPICS = (
    "clusters", "container-instances", "agent-config", "task-definitions", "task-lifecycle",
    "launch-types", "fargate", "placement", "networking", "services", "deployments",
    "load-balancing", "ecr", "iam", "logging", "monitoring", "scaling", "capacity-providers",
    "scheduled-tasks", "secrets", "ecs-vs-others", "tagging",
)

FILE_KEYS = ("format", "title", "description", "shuffle", "questions")
FILE_REQUIRED = ("format", "title", "questions")

#: Question keys a learner sees (before answering) ...
LEARNER_KEYS = ("prompt", "options", "items", "pairs", "hints")
#: ... identity and metadata ...
META_KEYS = ("id", "kind", "topic", "difficulty", "exams")
#: ... and the maintainer's key, scenario and notes.
MAINTAINER_KEYS = ("answer", "explanation", "sources", "notes", "setup", "ask", "expect", "params",
                   "taskdef", "run", "launch", "solution", "counterexamples")
QUESTION_KEYS = META_KEYS + LEARNER_KEYS + MAINTAINER_KEYS
QUESTION_REQUIRED = ("id", "kind", "topic", "difficulty", "exams", "prompt", "explanation", "sources")

_COMMON = set(META_KEYS) | {"prompt", "hints", "explanation", "sources", "notes", "params"}
KIND_KEYS: dict[Kind, set[str]] = {
    Kind.SINGLE: _COMMON | {"options", "answer", "setup", "ask", "expect", "taskdef", "run", "launch"},
    Kind.MULTI: _COMMON | {"options", "answer", "setup", "ask", "expect", "taskdef", "run", "launch"},
    Kind.CONCEPT: _COMMON | {"options", "answer"},
    Kind.PREDICT: _COMMON | {"setup", "ask", "answer"},
    Kind.CONFIG: _COMMON | {"setup", "expect", "launch", "solution", "counterexamples"},
    Kind.COMMAND: _COMMON | {"setup", "expect", "solution", "counterexamples", "taskdef", "run", "launch"},
    Kind.TASKDEF: _COMMON | {"setup", "expect", "taskdef", "run", "launch", "solution", "counterexamples"},
    Kind.ORDER: _COMMON | {"items"},
    Kind.MATCH: _COMMON | {"pairs"},
}

OPTION_KEYS = ("text", "value", "change", "why")
CALL_KEYS = ("call", "params", "save")
ASK_KEYS = ("call", "params", "query")
CHECK_KEYS = ("call", "params", "query", "label", "save", *COMPARATORS)
STEP_ACTIONS = ("call", "advance", "settle", "config", "taskdef", "workload", "push")
#: keys of a `push:` step's mapping (`image` is required)
PUSH_KEYS = ("image", "workload", "size_mb", "content")
PAIR_KEYS = ("left", "right")
PARAM_KEYS = ("choices", "range")
MAX_OPTIONS = 8


def suggest(word: str, candidates: Iterable[str]) -> str:
    """`; did you mean 'x'?` for a near miss, else ``."""
    close = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def type_name(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _services() -> list[str]:
    from ecslearn.sim.simulator import SERVICES

    return sorted(SERVICES)


# --- the parser -----------------------------------------------------------------------------------


class _Parser:
    """Turns one file's data into a QuizFile while collecting problems."""

    def __init__(self, display: str) -> None:
        self.display = display
        self.problems: list[ContentProblem] = []

    # helpers
    def loc(self, line: int | None) -> SourceLocation:
        return SourceLocation(self.display, line or None)

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(ContentProblem(self.loc(line), message))

    def keys(self, d: LocatedDict, allowed: Iterable[str], required: Iterable[str], what: str,
             *, known: Iterable[str] = ()) -> None:
        allowed = list(allowed)
        known = set(known)
        for key in d:
            if key in allowed:
                continue
            if key in known:
                self.problem(d.line_of(key), f"key '{key}' does not apply to {what}")
            else:
                hint = suggest(key, allowed) or f"; allowed keys: {', '.join(allowed)}"
                self.problem(d.line_of(key), f"unknown key '{key}' in {what}{hint}")
        for key in required:
            if key not in d:
                self.problem(d.line, f"{what} is missing required key '{key}'")

    def text(self, d: LocatedDict, key: str, what: str, *, required: bool = False) -> str | None:
        if key not in d:
            return None
        value = d[key]
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(d.value_line(key), f"'{key}' in {what} must be a non-empty string, "
                                            f"not {type_name(value)}")
            return None
        return value

    def str_list(self, d: LocatedDict, key: str, what: str, *, min_items: int = 0) -> list[str]:
        if key not in d:
            return []
        value = d[key]
        if isinstance(value, str) and min_items <= 1:
            value = LocatedList([value])
            value.line = d.value_line(key)
        if not isinstance(value, list):
            self.problem(d.value_line(key), f"'{key}' in {what} must be a list of strings, not {type_name(value)}")
            return []
        out: list[str] = []
        for i, item in enumerate(value):
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str) or not item.strip():
                line = value.line_of(i) if isinstance(value, LocatedList) else d.value_line(key)
                self.problem(line, f"item {i + 1} of '{key}' in {what} must be a non-empty string, "
                                   f"not {type_name(item)}")
                continue
            out.append(item)
        if len(value) < min_items:
            self.problem(d.value_line(key), f"'{key}' in {what} needs at least {min_items} item(s)")
        return out

    def mapping(self, value: Any, line: int, what: str) -> LocatedDict | None:
        if not isinstance(value, dict):
            self.problem(line, f"{what} must be a mapping, not {type_name(value)}")
            return None
        return value  # type: ignore[return-value]

    # --- file -------------------------------------------------------------------------------

    def quiz_file(self, data: Any, slug: str) -> QuizFile | None:
        if data is None:
            self.problem(1, "the file is empty; a quiz file needs 'format: 1', a 'title' and 'questions'")
            return None
        if not isinstance(data, LocatedDict):
            self.problem(getattr(data, "line", 1), f"a quiz file must be a mapping, not {type_name(data)}")
            return None
        if not self.format(data):
            return None
        self.keys(data, FILE_KEYS, FILE_REQUIRED, "the quiz file")
        title = self.text(data, "title", "the quiz file", required=True) or slug
        description = self.text(data, "description", "the quiz file")
        shuffle = data.get("shuffle", False)
        if not isinstance(shuffle, bool):
            self.problem(data.value_line("shuffle"), f"'shuffle' must be true or false, not {type_name(shuffle)}")
            shuffle = False
        questions: list[Question] = []
        raw = data.get("questions")
        if "questions" in data:
            if not isinstance(raw, LocatedList) or not raw:
                self.problem(data.value_line("questions"),
                             f"'questions' must be a non-empty list of questions, not {type_name(raw)}")
            else:
                for i, item in enumerate(raw):
                    q = self.question(item, raw.line_of(i), i + 1, slug)
                    if q is not None:
                        questions.append(dataclasses.replace(q, shuffle=shuffle) if shuffle else q)
        return QuizFile(path=self.display, slug=slug, title=title, format=FORMAT_VERSION,
                        questions=tuple(questions), description=description)

    def format(self, data: LocatedDict) -> bool:
        """Check `format:` in both directions (rustlings' "update" / "migrate")."""
        if "format" not in data:
            self.problem(data.line, f"missing required key 'format' (add 'format: {FORMAT_VERSION}' at the top)")
            return True
        value = data["format"]
        line = data.value_line("format")
        if not isinstance(value, int) or isinstance(value, bool):
            self.problem(line, f"'format' must be a whole number such as {FORMAT_VERSION}, not {type_name(value)}")
            return False
        if value > FORMAT_VERSION:
            self.problem(line, f"format {value} is newer than this ecslearn understands (format "
                               f"{FORMAT_VERSION}); update ecslearn to read this file")
            return False
        if value < FORMAT_VERSION:
            self.problem(line, f"format {value} is older than this ecslearn supports; migrate the file to "
                               f"format {FORMAT_VERSION}")
            return False
        return True

    # --- question ---------------------------------------------------------------------------

    def question(self, raw: Any, line: int, number: int, slug: str) -> Question | None:
        d = self.mapping(raw, line, f"question {number}")
        if d is None:
            return None
        start = len(self.problems)
        qid_raw = d.get("id")
        what = f"question '{qid_raw}'" if isinstance(qid_raw, str) else f"question {number}"
        ok = True

        kind_raw = d.get("kind")
        kind: Kind | None = None
        if "kind" in d:
            try:
                kind = Kind(kind_raw)
            except ValueError:
                self.problem(d.value_line("kind"), f"unknown kind '{kind_raw}' in {what}"
                             f"{suggest(kind_raw, [k.value for k in Kind]) or '; kinds: ' + ', '.join(k.value for k in Kind)}")
                ok = False
        allowed = sorted(KIND_KEYS[kind]) if kind else list(QUESTION_KEYS)
        self.keys(d, [k for k in QUESTION_KEYS if k in allowed], QUESTION_REQUIRED, what, known=QUESTION_KEYS)

        qid = None
        if isinstance(qid_raw, str) and ID_RE.match(qid_raw):
            qid = qid_raw
        elif "id" in d:
            self.problem(d.value_line("id"), f"id '{qid_raw}' is not kebab-case (lowercase letters, digits and "
                                             "single hyphens, such as 'spread-across-azs')")
            ok = False

        topic = self.text(d, "topic", what, required=True)
        if topic is not None and topic not in TOPICS:
            self.problem(d.value_line("topic"), f"unknown topic '{topic}' in {what}"
                                                f"{suggest(topic, TOPICS) or '; topics: ' + ', '.join(TOPICS)}")
            ok = False
        difficulty = None
        if "difficulty" in d:
            try:
                difficulty = Difficulty(d["difficulty"])
            except ValueError:
                self.problem(d.value_line("difficulty"), f"'difficulty' in {what} must be one of easy, medium, "
                                                         f"hard, not {d['difficulty']!r}")
                ok = False
        exams = self.exams(d, what)
        prompt = self.text(d, "prompt", what, required=True)
        explanation = self.text(d, "explanation", what, required=True)
        sources = self.sources(d, what)
        hints = self.str_list(d, "hints", what)
        notes = self.text(d, "notes", what)
        params = self.params(d, what)

        options = self.options(d, what) if "options" in d else ()
        items = tuple(self.str_list(d, "items", what, min_items=2)) if "items" in d else ()
        pairs = self.pairs(d, what) if "pairs" in d else ()
        setup = self.steps(d, "setup", what)
        ask = self.ask(d, what) if "ask" in d else None
        expect = self.checks(d, what) if "expect" in d else ()
        taskdef = self.submapping(d, "taskdef", what)
        run = self.submapping(d, "run", what)
        launch = self.submapping(d, "launch", what)
        solution = self.text(d, "solution", what, required=True)
        counterexamples = tuple(self.str_list(d, "counterexamples", what))

        if kind is None or qid is None or difficulty is None or prompt is None or explanation is None or not ok:
            return None
        answer, answer_line = d.get("answer", MISSING), d.line_of("answer")
        q = Question(
            id=qid, kind=kind, topic=topic or "", difficulty=difficulty, exams=tuple(exams), prompt=prompt,
            options=tuple(options), items=items, pairs=tuple(pairs), hints=tuple(hints),
            answer=_plain(answer), explanation=explanation, sources=tuple(sources), notes=notes,
            setup=tuple(setup), ask=ask, expect=tuple(expect), params=tuple(params),
            taskdef=taskdef, run=run, launch=launch, solution=solution, counterexamples=counterexamples,
            location=self.loc(d.line), answer_location=self.loc(answer_line), quiz=slug,
        )
        self.kind_rules(q, d, what)
        # a question with any problem is left out, so the simulator checks never run on half a question
        return q if len(self.problems) == start else None

    def kind_rules(self, q: Question, d: LocatedDict, what: str) -> None:
        """What each kind needs (the structural half; check.py runs the simulator half)."""
        line = d.line
        if q.kind in (Kind.SINGLE, Kind.MULTI, Kind.CONCEPT):
            if len(q.options) < 2:
                self.problem(d.line_of("options") if "options" in d else line,
                             f"{what} needs at least 2 options")
                return
            letters = [o.letter for o in q.options]
            self.answer_letters(q, d, what, letters, required=q.kind is Kind.CONCEPT)
        if q.kind in (Kind.SINGLE, Kind.MULTI):
            with_change = [o for o in q.options if o.change]
            if q.ask is not None:
                missing = [o.letter for o in q.options if not o.has_value]
                if missing:
                    self.problem(q.ask.location.line if q.ask.location else line,
                                 f"{what} has 'ask', so every option needs a 'value' to compare with the answer "
                                 f"(missing on {', '.join(missing)})")
                if q.expect:
                    self.problem(d.line_of("expect"), f"{what} has both 'ask' and 'expect'; use one of them")
            elif q.expect:
                if not with_change:
                    self.problem(d.line_of("expect"), f"{what} has 'expect' but no option carries a 'change' to "
                                                      "apply before the checks")
            else:
                self.problem(line, f"{what} has no scenario: give options a 'change' plus 'expect', or add 'ask' "
                                   "and option 'value's; a question with a declared key only is kind: concept")
        if q.kind is Kind.PREDICT and "ask" not in d:
            self.problem(line, f"{what} is missing required key 'ask' (the query whose result the learner predicts)")
        if q.kind in (Kind.CONFIG, Kind.COMMAND, Kind.TASKDEF):
            if not q.expect:
                self.problem(line, f"{what} is missing required key 'expect' (the checks that grade an answer)")
            if q.solution is None:
                self.problem(line, f"{what} is missing required key 'solution' (a reference answer that must pass)")
        if q.kind is Kind.ORDER and len(q.items) < 2:
            self.problem(line, f"{what} needs at least 2 'items', listed in the right order")
        if q.kind is Kind.MATCH and len(q.pairs) < 2:
            self.problem(line, f"{what} needs at least 2 'pairs'")
        if q.kind is Kind.MULTI and isinstance(q.answer, (list, tuple)) and len(q.answer) < 2:
            self.problem(d.line_of("answer"), f"{what} is kind multi, so 'answer' lists at least two letters")
        uses_taskdef = any(s.action == "taskdef" for o in q.options for s in o.change) or q.kind is Kind.TASKDEF
        if uses_taskdef and q.run is not None and q.kind is not Kind.TASKDEF and q.taskdef is None:
            self.problem(line, f"{what} patches a task definition but has no base 'taskdef'")

    def answer_letters(self, q: Question, d: LocatedDict, what: str, letters: list[str], *, required: bool) -> None:
        if q.answer is MISSING:
            if required:
                self.problem(d.line, f"{what} is missing required key 'answer' (kind concept declares its key)")
            return
        raw = q.answer
        if isinstance(raw, str):
            given = [p.strip() for p in raw.split(",")] if "," in raw else [raw.strip()]
        elif isinstance(raw, list):
            given = raw
        else:
            self.problem(d.value_line("answer"), f"'answer' in {what} must be a letter such as B or a list such as "
                                                 f"[A, C], not {type_name(raw)}")
            return
        for letter in given:
            if not isinstance(letter, str) or letter not in letters:
                self.problem(d.value_line("answer"), f"answer {letter!r} of {what} names no option "
                                                     f"(options are {letters[0]}-{letters[-1]})")
        if q.kind is Kind.SINGLE and len(given) != 1:
            self.problem(d.value_line("answer"), f"{what} is kind single, so 'answer' is exactly one letter; "
                                                 "use kind multi for several")

    def exams(self, d: LocatedDict, what: str) -> list[str]:
        tags = self.str_list(d, "exams", what, min_items=1)
        out = []
        for i, tag in enumerate(tags):
            raw = d["exams"]
            line = raw.line_of(i) if isinstance(raw, LocatedList) else d.value_line("exams")
            m = EXAM_TAG_RE.match(tag)
            if not m:
                self.problem(line, f"exam tag '{tag}' in {what} must look like SAA-C03:2.1 (exam code : task statement)")
                continue
            code = m.group("code")
            if code not in KNOWN_EXAMS:
                self.problem(line, f"unknown exam '{code}' in '{tag}'; known exams: {', '.join(KNOWN_EXAMS)}"
                                   f"{suggest(code, KNOWN_EXAMS)}")
                continue
            domains = exam_domains(code)
            domain = int(m.group("task").split(".")[0])
            if domain not in domains:
                self.problem(line, f"exam tag '{tag}' in {what} names domain {domain}, which {code} does not have; "
                                   f"its domains are {', '.join(str(n) for n in domains)} (ecslearn/data/exams.json)")
                continue
            out.append(tag)
        return out

    def sources(self, d: LocatedDict, what: str) -> list[str]:
        urls = self.str_list(d, "sources", what, min_items=1)
        raw = d.get("sources")
        out = []
        for i, url in enumerate(urls):
            line = raw.line_of(i) if isinstance(raw, LocatedList) else d.value_line("sources")
            if not url.startswith("https://"):
                self.problem(line, f"source '{url}' in {what} must be an https:// URL "
                                   "(AWS documentation preferred: https://docs.aws.amazon.com/...)")
                continue
            out.append(url)
        return out

    def submapping(self, d: LocatedDict, key: str, what: str) -> dict[str, Any] | None:
        if key not in d:
            return None
        m = self.mapping(d[key], d.value_line(key), f"'{key}' in {what}")
        return _plain(m) if m is not None else None

    def params(self, d: LocatedDict, what: str) -> list[Param]:
        if "params" not in d:
            return []
        m = self.mapping(d["params"], d.value_line("params"), f"'params' in {what}")
        if m is None:
            return []
        out = []
        for name, spec_raw in m.items():
            pline = m.line_of(name)
            if not isinstance(name, str) or not PARAM_NAME_RE.match(name):
                self.problem(pline, f"parameter name {name!r} in {what} must be a lowercase identifier (like count)")
                continue
            spec = self.mapping(spec_raw, pline, f"parameter '{name}' of {what}")
            if spec is None:
                continue
            pwhat = f"parameter '{name}' of {what}"
            self.keys(spec, PARAM_KEYS, (), pwhat)
            if ("choices" in spec) == ("range" in spec):
                self.problem(pline, f"{pwhat} needs exactly one of 'choices' (a list) or 'range' ([low, high])")
                continue
            if "choices" in spec:
                choices = spec["choices"]
                if not isinstance(choices, list) or len(choices) < 2:
                    self.problem(spec.value_line("choices"), f"'choices' of {pwhat} must be a list of at least 2 values")
                    continue
                out.append(Param(name, choices=tuple(_plain(choices))))
            else:
                rng = spec["range"]
                if (not isinstance(rng, list) or len(rng) != 2
                        or not all(isinstance(x, int) and not isinstance(x, bool) for x in rng) or rng[0] >= rng[1]):
                    self.problem(spec.value_line("range"), f"'range' of {pwhat} must be [low, high], two whole "
                                                           "numbers with low < high")
                    continue
                out.append(Param(name, low=rng[0], high=rng[1]))
        return out

    def options(self, d: LocatedDict, what: str) -> tuple[Option, ...]:
        raw = d["options"]
        if not isinstance(raw, LocatedList):
            self.problem(d.value_line("options"), f"'options' in {what} must be a list, not {type_name(raw)}")
            return ()
        if len(raw) > MAX_OPTIONS:
            self.problem(d.value_line("options"), f"{what} has {len(raw)} options; at most {MAX_OPTIONS}")
            return ()
        out = []
        for i, item in enumerate(raw):
            letter = LETTERS[i]
            owhat = f"option {letter} of {what}"
            line = raw.line_of(i)
            if isinstance(item, (str, int, float)) and not isinstance(item, bool):
                out.append(Option(letter=letter, text=str(item), location=self.loc(line)))
                continue
            o = self.mapping(item, line, owhat)
            if o is None:
                continue
            self.keys(o, OPTION_KEYS, ("text",), owhat)
            text = self.text(o, "text", owhat, required=True)
            change = self.steps(o, "change", owhat)
            why = self.text(o, "why", owhat)
            value = _plain(o["value"]) if "value" in o else MISSING
            if text is not None:
                out.append(Option(letter=letter, text=text, value=value, change=tuple(change), why=why,
                                  location=self.loc(o.line)))
        return tuple(out)

    def pairs(self, d: LocatedDict, what: str) -> tuple[Pair, ...]:
        raw = d["pairs"]
        if not isinstance(raw, LocatedList):
            self.problem(d.value_line("pairs"), f"'pairs' in {what} must be a list, not {type_name(raw)}")
            return ()
        out = []
        for i, item in enumerate(raw):
            pwhat = f"pair {i + 1} of {what}"
            p = self.mapping(item, raw.line_of(i), pwhat)
            if p is None:
                continue
            self.keys(p, PAIR_KEYS, PAIR_KEYS, pwhat)
            left, right = self.text(p, "left", pwhat, required=True), self.text(p, "right", pwhat, required=True)
            if left and right:
                out.append(Pair(left, right))
        return tuple(out)

    # --- scenario pieces --------------------------------------------------------------------

    def call(self, m: LocatedDict, what: str) -> Call | None:
        name = m.get("call")
        if not isinstance(name, str):
            self.problem(m.value_line("call"), f"'call' in {what} must be service.operation such as "
                                               f"ecs.describe_clusters, not {type_name(name)}")
            return None
        match = CALL_RE.match(name)
        if not match:
            self.problem(m.value_line("call"), f"'call' in {what} must be service.operation such as "
                                               f"ecs.describe_clusters, not '{name}'")
            return None
        service = match.group("service")
        services = _services()
        if service == "traffic":  # simulated HTTP requests to a load balancer (ecslearn/lesson/traffic.py)
            from ecslearn.lesson.traffic import check_params

            params = m.get("params") or {}
            problem = check_params(match.group("op"), params if isinstance(params, dict) else {})
            if problem is not None:
                self.problem(m.value_line("call"), f"{problem} (in {what})")
                return None
        elif service not in services:
            self.problem(m.value_line("call"), f"unknown service '{service}' in {what}{suggest(service, services)}")
            return None
        params = m.get("params", {})
        if params is None:
            params = {}
        if not isinstance(params, dict):
            self.problem(m.value_line("params"), f"'params' in {what} must be a mapping, not {type_name(params)}")
            return None
        save = m.get("save", {})
        if not isinstance(save, dict) or not all(isinstance(k, str) and PARAM_NAME_RE.match(k) and isinstance(v, str)
                                                 for k, v in save.items()):
            self.problem(m.value_line("save"), f"'save' in {what} must map names to JMESPath queries, such as "
                                               "{subnet: 'Subnets[0].SubnetId'}")
            return None
        return Call(service, match.group("op"), _plain(params), _plain(save))

    def query(self, m: LocatedDict, what: str) -> str | None:
        q = m.get("query")
        if not isinstance(q, str) or not q.strip():
            self.problem(m.value_line("query") if "query" in m else m.line,
                         f"{what} needs a 'query' (a JMESPath expression over the response)")
            return None
        if "{{" in q or "${" in q:
            return q  # a template, or a saved value filled in when it runs; compiled then
        import jmespath
        from jmespath.exceptions import JMESPathError

        try:
            jmespath.compile(q)
        except JMESPathError as err:
            detail = getattr(err, "msg", None) or str(err).splitlines()[0]
            pos = getattr(err, "lex_position", None)
            self.problem(m.value_line("query"), f"'query' in {what} is not valid JMESPath: {detail}"
                                                + (f" (at character {pos + 1})" if isinstance(pos, int) else ""))
            return None
        return q

    def ask(self, d: LocatedDict, what: str) -> Query | None:
        m = self.mapping(d["ask"], d.value_line("ask"), f"'ask' in {what}")
        if m is None:
            return None
        awhat = f"'ask' of {what}"
        self.keys(m, ASK_KEYS, ("call", "query"), awhat)
        call = self.call(m, awhat) if "call" in m else None
        query = self.query(m, awhat)
        if call is None or query is None:
            return None
        return Query(call, query, self.loc(m.line))

    def checks(self, d: LocatedDict, what: str) -> tuple[Check, ...]:
        raw = d["expect"]
        if not isinstance(raw, LocatedList) or not raw:
            self.problem(d.value_line("expect"), f"'expect' in {what} must be a non-empty list of checks")
            return ()
        out = []
        for i, item in enumerate(raw):
            cwhat = f"check {i + 1} of {what}"
            m = self.mapping(item, raw.line_of(i), cwhat)
            if m is None:
                continue
            self.keys(m, CHECK_KEYS, ("call", "query"), cwhat)
            ops = [k for k in COMPARATORS if k in m]
            if len(ops) != 1:
                self.problem(m.line, f"{cwhat} needs exactly one comparison ({', '.join(COMPARATORS)})"
                                     + (f"; it has {', '.join(ops)}" if ops else ""))
                continue
            op = ops[0]
            expected = _plain(m[op])
            if op == "matches":
                if not isinstance(expected, str):
                    self.problem(m.value_line(op), f"'matches' in {cwhat} must be a regular expression string")
                    continue
                try:
                    re.compile(expected)
                except re.error as err:
                    self.problem(m.value_line(op), f"'matches' in {cwhat} is not a valid regular expression: {err}")
                    continue
            if op == "in" and not isinstance(expected, list):
                self.problem(m.value_line(op), f"'in' in {cwhat} must be a list of allowed values")
                continue
            if op == "exists" and not isinstance(expected, bool):
                self.problem(m.value_line(op), f"'exists' in {cwhat} must be true or false")
                continue
            if op in ("gt", "ge", "lt", "le") and (not isinstance(expected, (int, float)) or isinstance(expected, bool)):
                self.problem(m.value_line(op), f"'{op}' in {cwhat} must be a number")
                continue
            call = self.call(m, cwhat) if "call" in m else None
            query = self.query(m, cwhat)
            label = self.text(m, "label", cwhat)
            if call is not None and query is not None:
                out.append(Check(call, query, op, expected, self.loc(m.line), label))
        return tuple(out)

    def steps(self, d: LocatedDict, key: str, what: str) -> list[Step]:
        if key not in d:
            return []
        raw = d[key]
        if not isinstance(raw, LocatedList):
            self.problem(d.value_line(key), f"'{key}' in {what} must be a list of steps, not {type_name(raw)}")
            return []
        out = []
        for i, item in enumerate(raw):
            line = raw.line_of(i)
            swhat = f"{key} step {i + 1} of {what}"
            if isinstance(item, str):
                if not item.strip().startswith("aws "):
                    self.problem(line, f"{swhat} is text but not an 'aws ...' command; write a call as "
                                       "{call: ecs.create_cluster, params: {...}}")
                    continue
                out.append(Step("aws", item.strip(), self.loc(line)))
                continue
            m = self.mapping(item, line, swhat)
            if m is None:
                continue
            actions = [a for a in STEP_ACTIONS if a in m]
            if len(actions) != 1:
                unknown = [k for k in m if k not in STEP_ACTIONS and k != "params"]
                if unknown and not actions:
                    self.problem(m.line_of(unknown[0]), f"unknown key '{unknown[0]}' in {swhat}"
                                 f"{suggest(unknown[0], STEP_ACTIONS) or '; a step is an aws line or one of: ' + ', '.join(STEP_ACTIONS)}")
                else:
                    self.problem(line, f"{swhat} needs exactly one of: {', '.join(STEP_ACTIONS)}")
                continue
            action = actions[0]
            if action == "call":
                self.keys(m, CALL_KEYS, ("call",), swhat)
                call = self.call(m, swhat)
                if call is not None:
                    out.append(Step("call", call, self.loc(line)))
                continue
            extra_keys = {"config": ("launch",), "taskdef": ("run",)}.get(action, ())
            self.keys(m, (action, *extra_keys), (), swhat)
            extra: dict[str, Any] = {}
            for key in extra_keys:
                if key in m:
                    sub = self.mapping(m[key], m.value_line(key), f"'{key}' in {swhat}")
                    if sub is not None:
                        extra[key] = _plain(sub)
            value = m[action]
            if action == "advance":
                if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                    self.problem(m.value_line(action), f"'advance' in {swhat} must be a number of seconds >= 0")
                    continue
            elif action == "settle":
                if value is not True:
                    self.problem(m.value_line(action), f"'settle' in {swhat} must be true")
                    continue
            elif action == "config":
                if isinstance(value, str):
                    value = [ln for ln in value.splitlines() if ln.strip()]
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    self.problem(m.value_line(action), f"'config' in {swhat} must be a list of ecs.config lines")
                    continue
                value = tuple(value)
            elif action == "taskdef":
                if not isinstance(value, dict):
                    self.problem(m.value_line(action), f"'taskdef' in {swhat} must be a mapping (a patch to the "
                                                       "question's task definition)")
                    continue
                value = _plain(value)
            elif action in ("workload", "push"):
                value = self.image_step(action, value, m.value_line(action), swhat)
                if value is None:
                    continue
            out.append(Step(action, value, self.loc(line), extra))
        return out


    def image_step(self, action: str, value: Any, line: int, swhat: str) -> dict[str, Any] | None:
        """`{workload: {image: web:v2, exit_code: 1}}` or `{push: {image: <ECR uri>, workload: {...}}}`."""
        from ecslearn.errors import SimulatorError
        from ecslearn.sim.workloads import Workload

        what = f"'{action}' in {swhat}"
        if not isinstance(value, dict):
            self.problem(line, f"{what} must be a mapping with 'image'" +
                         (" and the workload's fields, such as {image: web:v2, exit_code: 1, exit_after: 5}"
                          if action == "workload" else ", such as {image: <ECR repository URI>:v2, workload: "
                                                       "{http_status: 500}}"))
            return None
        value = _plain(value)
        image = value.get("image")
        if not isinstance(image, str) or not image.strip():
            self.problem(line, f"{what} needs 'image' (an image reference such as web:v2), not {type_name(image)}")
            return None
        if action == "push":
            unknown = [k for k in value if k not in PUSH_KEYS]
            if unknown:
                self.problem(line, f"unknown key '{unknown[0]}' in {what}"
                                   f"{suggest(unknown[0], PUSH_KEYS) or '; allowed keys: ' + ', '.join(PUSH_KEYS)}")
                return None
            fields = value.get("workload")
            if fields is not None and not isinstance(fields, dict):
                self.problem(line, f"'workload' of {what} must be a mapping of workload fields, not "
                                   f"{type_name(fields)}")
                return None
            size = value.get("size_mb")
            if size is not None and not _templated(size) and (not isinstance(size, (int, float))
                                                              or isinstance(size, bool) or not 0 < size <= 10240):
                self.problem(line, f"'size_mb' of {what} must be a positive number of megabytes (at most 10240)")
                return None
        else:
            fields = {k: v for k, v in value.items() if k != "image"}
        if fields and not _templated(fields):
            try:
                Workload.from_dict(fields)
            except SimulatorError as err:
                self.problem(line, f"{what}: {err.message}")
                return None
        return value


def _templated(value: Any) -> bool:
    """True when a value holds a `{{ ... }}` template or a `${name}` (checked once it is filled in)."""
    if isinstance(value, str):
        return "{{" in value or "${" in value
    if isinstance(value, dict):
        return any(_templated(v) for v in value.values())
    if isinstance(value, list):
        return any(_templated(v) for v in value)
    return False


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parse_quiz(data: Any, display: str, slug: str) -> tuple[QuizFile | None, list[ContentProblem]]:
    """Build a QuizFile from loaded YAML; return it (None if unusable) and every problem found."""
    parser = _Parser(display)
    quiz = parser.quiz_file(data, slug)
    return quiz, parser.problems
