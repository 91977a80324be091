"""Scenarios: build a Simulator from a content `setup:`, apply a change, evaluate `ask:` and `expect:`.

Everything is data: steps are `aws ...` lines (run through the real AWS CLI bound to the simulator),
boto3-style calls, `advance`/`settle`, new container instances from ecs.config lines, or task
definitions to register and run. Queries are JMESPath over the simulator's responses, never `eval`.

What the simulator said along the way (responses, refusals, RunTask failures, stopped tasks' reasons,
service events) is kept as `Evidence`, so feedback can show the learner why an answer is right or wrong.
"""

from __future__ import annotations

import copy
import json
import re
import shlex
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ecslearn.content.model import Call, Check, Query, Step
from ecslearn.errors import NotModelledError, ScenarioError, SimulatorError
from ecslearn.sim import Simulator
from ecslearn.sim.errors import ClientError

_VAR = re.compile(r"\$\{([a-z_][a-z0-9_]*)\}")

def _run_aws(sim: Simulator, line: str) -> Any:
    """Run an `aws ...` line against `sim` through the shared, rebound AWS CLI driver."""
    from ecslearn.sim.bridge import run_shared

    return run_shared(sim, line)
ECS_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"
DEFAULT_INSTANCE_TYPE = "t3.medium"
SETTLE_SECONDS = 900.0
#: the largest image a `push:` step makes (megabytes)
MAX_PUSH_MB = 10240


# --- results ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepOutcome:
    """What one step did: `ok`, and on refusal the AWS error code and message (or CLI output)."""

    description: str
    ok: bool
    error_code: str | None = None
    error_message: str | None = None
    failures: tuple[dict[str, Any], ...] = ()
    output: str | None = None

    def summary(self) -> str:
        if self.error_code:
            return f"{self.description}: refused: {self.error_code}: {self.error_message}"
        if not self.ok:
            return f"{self.description}: failed: {self.error_message or 'error'}"
        if self.failures:
            reasons = ", ".join(str(f.get("reason")) for f in self.failures)
            return f"{self.description}: failures: {reasons}"
        return f"{self.description}: ok"


@dataclass(frozen=True)
class CheckOutcome:
    description: str
    passed: bool
    actual: Any
    expected: Any
    op: str
    error: str | None = None
    #: what explains the answer, when the call gives one (a traffic request's `reason`)
    note: str | None = None


@dataclass(frozen=True)
class Evidence:
    """What the simulator said: the change's steps, the checks, and the state that explains them."""

    steps: tuple[StepOutcome, ...] = ()
    checks: tuple[CheckOutcome, ...] = ()
    value: Any = None                     # the `ask` result, when there is one
    has_value: bool = False
    stopped_tasks: tuple[str, ...] = ()   # "task 1a2b (web): Essential container in task exited"
    service_events: tuple[str, ...] = ()  # last events of each service
    notes: tuple[str, ...] = ()

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    def headline(self) -> str | None:
        """One sentence for feedback: the first refusal, else the first failing check."""
        for s in self.steps:
            if s.error_code:
                return f"{s.description} was refused: {s.error_code}: {s.error_message}"
            if not s.ok:
                return f"{s.description} failed: {s.error_message}"
        for s in self.steps:
            if s.failures:
                reasons = "; ".join(f"{f.get('reason')}" + (f" ({f['detail']})" if f.get("detail") else "")
                                    for f in s.failures)
                return f"{s.description} could not place every task: {reasons}"
        for c in self.checks:
            if not c.passed:
                why = self.stopped_tasks[:1] or self.service_events[:1] or self.notes[:1]
                return f"expected {c.description}, but the simulator says {_show(c.actual)}" + \
                    (f" ({why[0]})" if why else "")
        return None

    def to_dict(self) -> dict[str, Any]:
        return jsonable({
            "steps": [vars(s) for s in self.steps],
            "checks": [vars(c) for c in self.checks],
            **({"value": self.value} if self.has_value else {}),
            "stopped_tasks": list(self.stopped_tasks),
            "service_events": list(self.service_events),
            "notes": list(self.notes),
            "headline": self.headline(),
        })


def _show(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(jsonable(value))


def jsonable(value: Any) -> Any:
    """Responses as plain JSON data (datetimes → ISO strings), for JMESPath and for --json output."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


# --- comparisons --------------------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None


def compare(op: str, actual: Any, expected: Any) -> bool:
    """Apply one `expect:` comparison (eq, ne, gt, ge, lt, le, contains, in, matches, exists)."""
    if op == "exists":
        present = actual not in (None, [], {})
        return present is bool(expected)
    if op in ("eq", "ne"):
        same = actual == expected
        if not same and _number(actual) is not None and not isinstance(actual, str) and \
                not isinstance(expected, str) and _number(expected) is not None:
            same = _number(actual) == _number(expected)
        return same if op == "eq" else not same
    if op in ("gt", "ge", "lt", "le"):
        a, e = _number(actual), _number(expected)
        if a is None or e is None or isinstance(actual, str):
            return False
        return {"gt": a > e, "ge": a >= e, "lt": a < e, "le": a <= e}[op]
    if op == "contains":
        if isinstance(actual, str):
            return isinstance(expected, str) and expected in actual
        if isinstance(actual, list):
            return expected in actual
        return False
    if op == "in":
        return isinstance(expected, list) and actual in expected
    if op == "matches":
        return isinstance(actual, str) and re.search(expected, actual) is not None
    raise ScenarioError(f"unknown comparison '{op}'")


def search(query: str, data: Any) -> Any:
    """JMESPath over JSON-shaped data (jmespath is imported lazily: it comes with botocore)."""
    import jmespath
    from jmespath.exceptions import JMESPathError

    try:
        return jmespath.search(query, jsonable(data))
    except JMESPathError as err:
        raise ScenarioError(f"the query {query!r} is not valid JMESPath: {str(err).splitlines()[0]}") from None


def deep_merge(base: Any, patch: Any) -> Any:
    """A task-definition patch: mappings merge, lists of mappings merge by position, None deletes a key."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = dict(base)
        for key, value in patch.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = deep_merge(out[key], value)
            else:
                out[key] = copy.deepcopy(value)
        return out
    if isinstance(base, list) and isinstance(patch, list) and all(isinstance(x, dict) for x in base + patch):
        merged = [deep_merge(b, p) for b, p in zip(base, patch)]
        return merged + copy.deepcopy(base[len(patch):]) + copy.deepcopy(patch[len(base):])
    return copy.deepcopy(patch)


def user_data(lines: list[str] | tuple[str, ...]) -> str:
    """EC2 user data that appends ecs.config lines, the way the ECS documentation shows it."""
    out = ["#!/bin/bash"]
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        out.append(f"echo {shlex.quote(line)} >> /etc/ecs/ecs.config")
    return "\n".join(out) + "\n"


# --- the scenario -----------------------------------------------------------------------------------


class Scenario:
    """One fresh, seeded simulator for a question: run setup, apply a change, then ask or check.

    `taskdef`, `run` and `launch` are the question's maintainer fields: the base task definition that
    `taskdef` steps patch, the RunTask parameters used after registering it, and the RunInstances
    parameters for container instances created from ecs.config lines.
    """

    def __init__(self, seed: int = 0, *, taskdef: dict[str, Any] | None = None,
                 run: dict[str, Any] | None = None, launch: dict[str, Any] | None = None) -> None:
        self.sim = Simulator(seed)
        self.seed = seed
        self.taskdef = taskdef
        self.run_params = run
        self.launch = launch
        #: values saved by `save:` on earlier calls, used as `${name}` in later steps and checks
        self.vars: dict[str, Any] = {}
        #: EC2 instances launched from ecs.config lines (their agent log explains what happened)
        self.launched: list[str] = []

    def subst(self, value: Any) -> Any:
        """Replace `${name}` with saved values (a string that is only `${name}` keeps the value's type)."""
        if isinstance(value, str):
            whole = _VAR.fullmatch(value)
            if whole:
                return copy.deepcopy(self._var(whole.group(1)))
            return _VAR.sub(lambda m: str(self._var(m.group(1))), value)
        if isinstance(value, dict):
            return {k: self.subst(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.subst(v) for v in value]
        return value

    def subst_query(self, query: str) -> str:
        """A JMESPath query with `${name}` replaced by the saved value's text (quote it yourself:
        `tasks[?taskArn=='${task}']`); a value that is not a string is written as JSON."""
        def text(m: re.Match[str]) -> str:
            value = self._var(m.group(1))
            return value if isinstance(value, str) else json.dumps(jsonable(value))

        return _VAR.sub(text, query)

    def _var(self, name: str) -> Any:
        if name not in self.vars:
            raise ScenarioError(f"${{{name}}} is used before a step saved it (add save: {{{name}: <query>}} to "
                                "an earlier call)")
        return self.vars[name]

    # --- running steps ---------------------------------------------------------------------

    def setup(self, steps: tuple[Step, ...] | list[Step]) -> None:
        """Run a `setup:`: every step must succeed, else ScenarioError (the content is wrong)."""
        for i, step in enumerate(steps, 1):
            outcome = self.step(step)
            if not outcome.ok:
                where = f"{step.location}: " if step.location else ""
                raise ScenarioError(f"{where}setup step {i} ({outcome.description}) failed: "
                                    f"{outcome.error_code + ': ' if outcome.error_code else ''}"
                                    f"{outcome.error_message}")

    def apply(self, steps: tuple[Step, ...] | list[Step], *, settle: bool = True) -> list[StepOutcome]:
        """Apply a change (an option's or a learner's): refusals are outcomes, not exceptions."""
        outcomes = [self.step(s) for s in steps]
        if settle:
            self.sim.settle(SETTLE_SECONDS)
        return outcomes

    def step(self, step: Step) -> StepOutcome:
        action, value = step.action, step.value
        if action == "aws":
            return self.aws(value)
        if action == "call":
            return self.call_step(value)
        if action == "advance":
            self.sim.advance(float(value))
            return StepOutcome(f"advance {value} s", True)
        if action == "settle":
            self.sim.settle(SETTLE_SECONDS)
            return StepOutcome("settle", True)
        if action == "config":
            return self.launch_instance(list(value), step.extra.get("launch"))
        if action == "taskdef":
            return self.register_and_run(deep_merge(self.taskdef or {}, value), step.extra.get("run"))
        if action == "taskdef_full":
            return self.register_and_run(value)
        if action == "workload":
            return self.set_workload(self.subst(value))
        if action == "push":
            return self.push(self.subst(value))
        raise ScenarioError(f"unknown scenario step '{action}'")

    def call(self, call: Call, *, probe: bool = False) -> Any:
        """Run one call; AWS refusals raise sim.ClientError (callers decide what that means).

        `traffic.send_request` / `traffic.spread` send simulated HTTP requests to a load balancer
        (`ecslearn.lesson.traffic`); with `probe` (checks, `ask`) they leave no trace.
        """
        if call.service == "traffic":
            from ecslearn.lesson import traffic

            params = self.subst(call.params)
            if probe:
                with traffic.probe(self.sim):
                    response = traffic.call(self.sim, call.operation, params)
            else:
                response = traffic.call(self.sim, call.operation, params)
            for name, query in call.save.items():
                self.vars[name] = search(query, response)
            return response
        client = self.sim.client(call.service)
        try:
            fn = getattr(client, call.operation)
        except AttributeError:
            raise ScenarioError(f"the {call.service} client has no operation '{call.operation}'") from None
        response = fn(**self.subst(call.params))
        for name, query in call.save.items():
            self.vars[name] = search(query, response)
        return response

    def call_step(self, call: Call, description: str | None = None) -> StepOutcome:
        description = description or str(call)
        try:
            response = self.call(call)
        except ClientError as err:
            return StepOutcome(description, False, err.code, err.aws_message)
        except NotModelledError as err:
            return StepOutcome(description, False, "NotModelled", err.message)
        except SimulatorError as err:  # ParamValidationError and friends
            return StepOutcome(description, False, type(err).__name__, err.message)
        failures = tuple(jsonable(f) for f in (response.get("failures") or [])) if isinstance(response, dict) else ()
        return StepOutcome(description, True, failures=failures)

    def aws(self, line: str) -> StepOutcome:
        """Run an `aws ...` line through the real AWS CLI bound to this simulator."""
        result = _run_aws(self.sim, self.subst(line))
        description = _short(line)
        if result.exit_code == 0:
            return StepOutcome(description, True, output=result.stdout)
        message = result.stderr.strip() or result.stdout.strip()
        m = re.search(r"An error occurred \(([^)]+)\) when calling the \w+ operation: (.*)", message, re.S)
        if m:
            return StepOutcome(description, False, m.group(1), m.group(2).strip(), output=result.stdout)
        return StepOutcome(description, False, None, message or f"exit code {result.exit_code}",
                           output=result.stdout)

    def launch_instance(self, lines: list[str], launch: dict[str, Any] | None = None) -> StepOutcome:
        """Launch a new EC2 instance whose user data writes `lines` into /etc/ecs/ecs.config."""
        params: dict[str, Any] = {
            "InstanceType": DEFAULT_INSTANCE_TYPE, "MinCount": 1, "MaxCount": 1,
            "IamInstanceProfile": {"Name": "ecsInstanceRole"},
        }
        params.update(self.subst(self.launch or {}))
        params.update(self.subst(launch or {}))
        if "ImageId" not in params:
            try:
                found = self.sim.client("ssm").get_parameter(Name=ECS_AMI_PARAMETER)
                params["ImageId"] = found["Parameter"]["Value"]
            except (ClientError, NotModelledError, AttributeError) as err:
                raise ScenarioError(f"cannot find the ECS-optimized AMI in the simulator: {err}") from None
        params["UserData"] = user_data(self.subst(list(lines)))
        try:
            response = self.sim.client("ec2").run_instances(**params)
        except ClientError as err:
            return StepOutcome("the new container instance", False, err.code, err.aws_message)
        except SimulatorError as err:
            return StepOutcome("the new container instance", False, type(err).__name__, err.message)
        self.launched.extend(i["InstanceId"] for i in response.get("Instances", []))
        return StepOutcome("the new container instance", True)

    def register_and_run(self, td: dict[str, Any], run: dict[str, Any] | None = None) -> StepOutcome:
        """Register a task definition; if the question (or the step) has `run:`, run it; refusals are outcomes."""
        try:
            registered = self.sim.client("ecs").register_task_definition(**self.subst(td))
        except ClientError as err:
            return StepOutcome("your task definition", False, err.code, err.aws_message)
        except NotModelledError as err:
            return StepOutcome("your task definition", False, "NotModelled", err.message)
        except SimulatorError as err:
            return StepOutcome("your task definition", False, "ParamValidation", err.message)
        arn = registered["taskDefinition"]["taskDefinitionArn"]
        run_params = run if run is not None else self.run_params
        if run_params is None:
            return StepOutcome("your task definition", True)
        params = {"taskDefinition": arn, **self.subst(run_params)}
        return self.call_step(Call("ecs", "run_task", params), "running your task definition")

    def set_workload(self, spec: dict[str, Any]) -> StepOutcome:
        """`{workload: {image: web:v2, exit_code: 1, ...}}`: what the image does when it runs (sim.workloads).

        The fields not given keep the simulator's default (keeps running, answers HTTP 200).
        """
        from ecslearn.sim.workloads import Workload, set_workload

        image = spec.get("image")
        description = f"workload of {image}"
        if not isinstance(image, str) or not image.strip():
            return StepOutcome(description, False, None, "a workload step needs 'image' (such as web:v2)")
        try:
            workload = Workload.from_dict({k: v for k, v in spec.items() if k != "image"})
            set_workload(self.sim, image, workload)  # type: ignore[arg-type]
        except SimulatorError as err:
            return StepOutcome(description, False, None, err.message)
        return StepOutcome(description, True)

    def push(self, spec: dict[str, Any]) -> StepOutcome:
        """`{push: {image: <acct>.dkr.ecr.<region>.amazonaws.com/web:v2, workload: {...}}}`: a docker push to ECR.

        The repository must exist (create it in an earlier step); `workload` says what the image does,
        `size_mb` its size, `content` makes two pushes the same image (same digest).
        """
        from ecslearn.sim.docker import docker_push

        image = spec.get("image")
        description = f"docker push {image}"
        if not isinstance(image, str) or not image.strip():
            return StepOutcome(description, False, None, "a push step needs 'image' (an ECR repository URI:tag)")
        kwargs: dict[str, Any] = {k: spec[k] for k in ("workload", "size_mb", "content") if spec.get(k) is not None}
        if "content" in kwargs:
            kwargs["content"] = str(kwargs["content"])
        size = kwargs.get("size_mb", 50)
        if not isinstance(size, (int, float)) or isinstance(size, bool) or not 0 < size <= MAX_PUSH_MB:
            return StepOutcome(description, False, None, f"size_mb must be a number of megabytes from 0 to "
                                                         f"{MAX_PUSH_MB}, not {size!r}")
        try:
            digest = docker_push(self.sim, image, **kwargs)  # type: ignore[arg-type]
        except NotModelledError as err:
            return StepOutcome(description, False, "NotModelled", err.message)
        except SimulatorError as err:
            return StepOutcome(description, False, None, err.message)
        return StepOutcome(description, True, output=digest)

    # --- questions ---------------------------------------------------------------------------

    def ask(self, query: Query) -> Any:
        """Evaluate `ask:`; a refusal here is a content bug (ScenarioError)."""
        try:
            response = self.call(query.call, probe=True)
        except (ClientError, NotModelledError, SimulatorError) as err:
            where = f"{query.location}: " if query.location else ""
            raise ScenarioError(f"{where}ask ({query.call}) failed: {err}") from None
        return search(self.subst_query(query.query), response)

    def check(self, check: Check) -> CheckOutcome:
        """One check. It may `save:` values for the checks after it (a two-step check: list, then
        describe the first ARN); when the saving call is refused or finds nothing, the value is
        null and a later check that looks it up fails (it does not break)."""
        empty = sorted(n for n in _names(check.call.params) | _names(check.query) if n in self.vars
                       and self.vars[n] in (None, [], ""))
        if empty:
            why = f"nothing to look up: ${{{empty[0]}}} is empty (the check that saves it found nothing)"
            return CheckOutcome(check.describe(), False, None, self.subst(check.expected), check.op, error=why)
        try:
            response = self.call(check.call, probe=True)
        except ClientError as err:
            for name in check.call.save:
                self.vars[name] = None
            return CheckOutcome(check.describe(), check.op == "exists" and not check.expected,
                                f"{err.code}: {err.aws_message}", check.expected, check.op,
                                error=f"{err.code}: {err.aws_message}")
        except NotModelledError as err:
            raise ScenarioError(f"{check.location}: check uses something not modelled: {err.message}") from None
        except SimulatorError as err:
            raise ScenarioError(f"{check.location}: check {check.call} failed: {err.message}") from None
        actual = search(self.subst_query(check.query), response)
        expected = self.subst(check.expected)
        note = None
        if check.call.service == "traffic" and isinstance(response, dict) and isinstance(response.get("reason"), str):
            note = f"the load balancer: {response['reason']}"
        return CheckOutcome(check.describe(), compare(check.op, actual, expected), actual, expected, check.op,
                            note=note)

    def evaluate(self, checks: tuple[Check, ...] | list[Check]) -> list[CheckOutcome]:
        return [self.check(c) for c in checks]

    # --- explaining -----------------------------------------------------------------------------

    def observations(self, limit: int = 3) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Stopped tasks' reasons and the latest service events, for feedback (best effort)."""
        stopped: list[str] = []
        events: list[str] = []
        if not self.sim.has_backend("ecs"):
            return (), ()
        ecs = self.sim.client("ecs")
        try:
            clusters = ecs.list_clusters()["clusterArns"]
        except SimulatorError:
            return (), ()
        for cluster in clusters:
            try:
                arns = ecs.list_tasks(cluster=cluster, desiredStatus="STOPPED").get("taskArns", [])
                if arns:
                    for task in ecs.describe_tasks(cluster=cluster, tasks=arns[:limit]).get("tasks", []):
                        reason = task.get("stoppedReason") or task.get("stopCode") or "stopped"
                        short = task.get("taskArn", "").rsplit("/", 1)[-1][:8]
                        stopped.append(f"task {short}: {reason}")
            except (SimulatorError, AttributeError):
                pass
            try:
                services = ecs.list_services(cluster=cluster).get("serviceArns", [])
                if services:
                    for svc in ecs.describe_services(cluster=cluster, services=services[:10]).get("services", []):
                        for ev in (svc.get("events") or [])[:1]:
                            events.append(ev.get("message", ""))
            except (SimulatorError, AttributeError):
                pass
        return tuple(stopped[:limit]), tuple(events[:limit])

    def agent_lines(self, limit: int = 2) -> tuple[str, ...]:
        """The agent log's last warnings/errors for instances launched from ecs.config lines."""
        if not self.launched:
            return ()
        try:
            from ecslearn.sim.agent import agent_log
        except ImportError:  # pragma: no cover - the agent is part of the simulator
            return ()
        out: list[str] = []
        for instance_id in self.launched:
            lines = [ln for ln in agent_log(self.sim, instance_id)
                     if "level=error" in ln or "level=crit" in ln or "level=warn" in ln]
            out.extend(f"agent on {instance_id}: {_agent_msg(ln)}" for ln in lines[-limit:])
        return tuple(out)

    def evidence(self, steps: list[StepOutcome] | None = None, checks: list[CheckOutcome] | None = None,
                 *, value: Any = None, has_value: bool = False, notes: tuple[str, ...] = ()) -> Evidence:
        stopped, events = self.observations()
        return Evidence(steps=tuple(steps or ()), checks=tuple(checks or ()), value=value, has_value=has_value,
                        stopped_tasks=stopped, service_events=events, notes=(*self.agent_lines(), *notes))


def _names(value: Any) -> set[str]:
    """The `${name}`s a value (params, a query) uses."""
    if isinstance(value, str):
        return set(_VAR.findall(value))
    if isinstance(value, dict):
        return set().union(*(_names(v) for v in value.values())) if value else set()
    if isinstance(value, (list, tuple)):
        return set().union(*(_names(v) for v in value)) if value else set()
    return set()


def _agent_msg(line: str) -> str:
    """`level=error time=... msg="Unable to ..." module=...` → `Unable to ...`."""
    m = re.search(r'msg="((?:[^"\\]|\\.)*)"', line)
    return m.group(1).replace('\\"', '"') if m else line


def _short(line: str, width: int = 70) -> str:
    line = " ".join(line.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def build(setup: tuple[Step, ...] | list[Step], seed: int = 0, **kwargs: Any) -> Scenario:
    """A fresh Scenario with its setup applied (ScenarioError if the setup fails)."""
    scenario = Scenario(seed, **kwargs)
    scenario.setup(setup)
    return scenario


__all__ = ["CheckOutcome", "Evidence", "Scenario", "StepOutcome", "build", "compare",
           "deep_merge", "jsonable", "search", "user_data"]
