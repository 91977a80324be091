"""Traffic for lessons: `curl` in the shells, and `traffic.*` calls in checks, `ask:` and setup.

`curl http://<alb-dns>/api/users` sends one simulated request through `sim.traffic.send_request` and
prints who answered: the status line, the listener rule, the target group, the target and its task.

    $ curl http://web-123.us-east-1.elb.amazonaws.com/api/users
    HTTP/1.1 200 OK
    answered by: task 3f2a9c1e (target group api, target 10.0.1.12:80)
    rule: priority 10 on the listener on port 80

Content uses the same thing as data: `{call: traffic.send_request, params: {url: ..., path: /api/x}}`
gives `Response.to_dict()` (status_code, rule_priority, target_group_name, target_group_arn, task_arn,
target, reason, ...), and `traffic.spread` sends `count` requests and counts the answers per task
(`{counts: {<task ARN or Id:Port or status>: n}, tasks: [...], distinct: N, requests: count}`).

Checks and `ask:` only *look*: `probe()` puts the load balancers' round-robin state back afterwards,
so checking after every command never changes which task answers the learner's next `curl`.
"""

from __future__ import annotations

import shlex
from contextlib import contextmanager
from http import HTTPStatus
from typing import Any

from ecslearn.errors import SimulatorError

#: the pseudo-service content may call, its operations and their parameters (required first)
SERVICE = "traffic"
OPERATIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "send_request": (("url",), ("path", "host")),
    "spread": (("url", "count"), ("path", "host")),
}
MAX_SPREAD = 1000


def check_params(operation: str, params: Any) -> str | None:
    """A problem with a `traffic.<operation>` call's params (for the content parser), or None."""
    if operation not in OPERATIONS:
        return f"traffic has no operation '{operation}'; it has: {', '.join(OPERATIONS)}"
    required, optional = OPERATIONS[operation]
    unknown = [k for k in params if k not in required + optional]
    if unknown:
        return f"unknown parameter '{unknown[0]}' for traffic.{operation}; it takes: {', '.join(required + optional)}"
    missing = [k for k in required if k not in params]
    if missing:
        return f"traffic.{operation} needs '{missing[0]}'"
    return None


def call(sim: Any, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    """Run `traffic.<operation>(**params)` on `sim`; SimulatorError for a bad call."""
    from ecslearn.sim import traffic

    problem = check_params(operation, params)
    if problem is not None:
        raise SimulatorError(problem)
    for key in ("url", "path", "host"):
        if key in params and not isinstance(params[key], str):
            raise SimulatorError(f"'{key}' of traffic.{operation} must be a string, not {params[key]!r}")
    path = params.get("path", "/")
    if operation == "send_request":
        return traffic.send_request(sim, params["url"], path, host=params.get("host")).to_dict()
    count = params["count"]
    if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_SPREAD:
        raise SimulatorError(f"'count' of traffic.spread must be a whole number from 1 to {MAX_SPREAD}")
    counts = traffic.spread(sim, params["url"], count, path, host=params.get("host"))
    tasks = sorted(k for k in counts if k.startswith("arn:"))
    return {"counts": counts, "tasks": tasks, "distinct": len(counts), "requests": count}


@contextmanager
def probe(sim: Any):
    """Send requests that leave no trace: round-robin positions and request counters are put back."""
    elb = sim.backend("elbv2") if sim.has_backend("elbv2") else None
    saved: list[tuple[Any, str, Any]] = []
    if elb is not None:
        for tg in elb.target_groups.values():
            saved += [(tg, "rr_counter", tg.rr_counter), (tg, "requests", tg.requests)]
            saved += [(t, "requests", t.requests) for t in tg.targets.values()]
        for lb in elb.load_balancers.values():
            for listener in lb.listeners.values():
                saved += [(r, "wrr_state", dict(r.wrr_state)) for r in listener.ordered_rules()]
    try:
        yield
    finally:
        for obj, attr, value in saved:
            setattr(obj, attr, value)


# --- the curl command ---------------------------------------------------------------------------------

CURL_USAGE = "curl [-H 'Host: NAME'] URL"
CURL_HELP = "send a request to a load balancer: which rule and task answered"


def curl(sim: Any, args: list[str]) -> tuple[str, str, int]:
    """`curl` in a shell: (stdout, stderr, exit code), exit codes as curl's (6: no host, 7: refused)."""
    from ecslearn.sim import traffic

    url = None
    host = None
    it = iter(args)
    for arg in it:
        if arg in ("-H", "--header"):
            header = next(it, None)
            if header is None or ":" not in header:
                return "", f"curl: option {arg}: needs a header such as 'Host: api.example.com'\n", 2
            name, value = header.split(":", 1)
            if name.strip().lower() == "host":
                host = value.strip()
        elif arg in ("-s", "--silent", "-i", "--include", "-v", "--verbose", "-L", "--location"):
            continue
        elif arg.startswith("-"):
            return "", f"curl: option {arg}: not offered here; try `curl URL` or `curl -H 'Host: NAME' URL`\n", 2
        elif url is None:
            url = arg
        else:
            return "", f"usage: {CURL_USAGE}\n", 2
    if url is None:
        return "", (f"usage: {CURL_USAGE}\n(the load balancer's DNS name: aws elbv2 describe-load-balancers "
                    "--query 'LoadBalancers[].DNSName')\n"), 2
    try:
        r = traffic.send_request(sim, url, None, host=host)
    except SimulatorError as err:
        return "", f"curl: (3) {err.message}\n", 3
    if r.status_code is None:
        code = 6 if r.reason.startswith("Could not resolve") else 7
        return "", f"curl: ({code}) {r.reason}\n", code
    return format_response(r), "", 0


def format_response(r: Any) -> str:
    """A `Response` as the curl command shows it."""
    try:
        phrase = HTTPStatus(r.status_code).phrase
    except ValueError:
        phrase = ""
    lines = [f"HTTP/1.1 {r.status_code} {phrase}".rstrip()]
    for name, value in sorted((r.headers or {}).items()):
        lines.append(f"{name}: {value}")
    if r.task_arn or r.target:
        who = f"task {r.task_arn.rsplit('/', 1)[-1][:8]}" if r.task_arn else "a target with no task"
        where = [f"target group {r.target_group_name}"] if r.target_group_name else []
        if r.target:
            where.append(f"target {r.target[0]}:{r.target[1]}")
        lines.append(f"answered by: {who} ({', '.join(where)})")
    else:
        lines.append(f"answered by: the load balancer ({r.reason})")
    if r.rule_priority is not None:
        rule = "the default rule" if r.rule_priority == "default" else f"priority {r.rule_priority}"
        lines.append(f"rule: {rule} on the listener on port {r.listener_port}")
    if r.failed_open:
        lines.append("note: every target is unhealthy, so the load balancer fails open")
    if r.status_code >= 500 or (r.task_arn is None and r.target is None):
        lines.append(f"why: {r.reason}")
    if r.body:
        lines += ["", r.body]
    return "\n".join(lines) + "\n"


def add_curl(engine: Any) -> None:
    """Offer `curl` in a sandbox `ShellEngine` (its world at the time of each call)."""
    from ecslearn.shell.engine import ShellResult

    def handler(args: list[str]) -> ShellResult:
        stdout, stderr, code = curl(engine.sim, args)
        return ShellResult(stdout, stderr, code, kind="shell" if code == 0 else "error")

    engine.add_command("curl", CURL_USAGE, CURL_HELP, handler)


def parse_curl_line(line: str) -> list[str]:
    """The arguments of a `curl ...` line (ValueError for an unclosed quote)."""
    return shlex.split(line, comments=True)[1:]


__all__ = ["CURL_HELP", "CURL_USAGE", "OPERATIONS", "SERVICE", "add_curl", "call", "check_params", "curl", "format_response",
           "parse_curl_line", "probe"]
