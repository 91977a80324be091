"""Send simulated HTTP requests to a load balancer and see which listener, rule, target and task answered.

    >>> r = send_request(sim, "http://web-1234567890.us-east-1.elb.amazonaws.com/api/users")
    >>> r.status_code, r.target_group_name, r.task_arn

Routing follows the ALB user guide:
- the listener is chosen by port (80 for `http://`, 443 for `https://`, or the URL's port);
- rules are evaluated in priority order, lowest first, and the default rule last; path patterns are
  case-sensitive and match the path without the query string, host headers are case-insensitive;
  `*` matches any run of characters and `?` exactly one;
- a forward action with several weighted target groups picks one by smooth weighted round robin;
- within a target group, requests go round robin (deterministically, in registration order) to the
  **healthy** targets. Targets that are `initial`, `draining` or `unused` get no new requests. If no
  target is healthy and every registered target is unhealthy, the load balancer fails open and routes
  to all of them. With no routable target the answer is **503**.
- the target's answer: its workload's HTTP status; **502** when nothing listens there (task not
  RUNNING, port not served, connection refused); **504** when the process answers no HTTP at all.

A network load balancer has no rules: each listener forwards to its target group; the status is the
application's answer (it is TCP: no 5xx from the load balancer itself, a refused connection is None).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ecslearn.errors import SimulatorError
from ecslearn.sim.elbv2 import Elbv2Backend, LoadBalancer, Rule, Target, TargetGroup, rule_matches

if TYPE_CHECKING:
    from ecslearn.sim.simulator import Simulator


@dataclass(frozen=True)
class Response:
    """What one request got, and the path it took through the load balancer."""

    status_code: int | None  # None: no HTTP answer at all (DNS does not resolve, connection refused)
    reason: str  # a one-line explanation for learners
    load_balancer_name: str | None = None
    listener_arn: str | None = None
    listener_port: int | None = None
    rule_arn: str | None = None
    rule_priority: str | None = None  # "10" or "default"
    target_group_arn: str | None = None
    target_group_name: str | None = None
    target: tuple[str, int] | None = None  # (Id, Port)
    task_arn: str | None = None
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    failed_open: bool = False

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 400

    def to_dict(self) -> dict[str, Any]:
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


def _parse(url: str, path: str | None) -> tuple[str, str, int, str]:
    """(scheme, host, port, path) of a DNS name or URL."""
    if "://" not in url:
        url = "http://" + url
    if not isinstance(url, str) or (path is not None and not isinstance(path, str)):
        raise SimulatorError("send_request takes a DNS name or URL and a path, as strings")
    try:
        parts = urlsplit(url)
        hostname = parts.hostname
    except ValueError as err:
        raise SimulatorError(f"not a URL: {url!r} ({err})") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise SimulatorError(f"send_request only speaks http and https, not {scheme!r}")
    try:
        port = parts.port
    except ValueError:
        raise SimulatorError(f"bad port in {url!r}") from None
    port = port or (443 if scheme == "https" else 80)
    url_path = parts.path or "/"
    chosen = path if path is not None and (path != "/" or url_path == "/") else url_path
    if not chosen.startswith("/"):
        chosen = "/" + chosen
    return scheme, (hostname or "").lower(), port, chosen.split("?", 1)[0]


def _pick_group(rule: Rule, action: dict[str, Any]) -> str:
    groups = action["ForwardConfig"]["TargetGroups"]
    live = [g for g in groups if g["Weight"] > 0] or groups
    if len(live) == 1:
        return live[0]["TargetGroupArn"]
    total = sum(g["Weight"] for g in live) or len(live)
    best = None
    for g in live:
        arn = g["TargetGroupArn"]
        rule.wrr_state[arn] = rule.wrr_state.get(arn, 0.0) + (g["Weight"] or 1)
        if best is None or rule.wrr_state[arn] > rule.wrr_state[best]:
            best = arn
    assert best is not None
    rule.wrr_state[best] -= total
    return best


def _pick_target(tg: TargetGroup) -> tuple[Target | None, bool]:
    """(target, failed_open): round robin over healthy targets, or over all when all are unhealthy."""
    targets = [t for t in tg.targets.values() if t.state != "draining"]
    healthy = [t for t in targets if t.state == "healthy"]
    failed_open = False
    if not healthy:
        if targets and all(t.state == "unhealthy" for t in targets):
            healthy, failed_open = targets, True
        else:
            return None, False
    target = healthy[tg.rr_counter % len(healthy)]
    tg.rr_counter += 1
    return target, failed_open


def send_request(sim: Simulator, dns_name_or_url: str, path: str = "/", *, host: str | None = None) -> Response:
    """Send one HTTP request to a load balancer and report who answered (see the module docstring)."""
    if host is not None and not isinstance(host, str):
        raise SimulatorError("host must be a string (the Host header)")
    elb: Elbv2Backend = sim.backend("elbv2")  # type: ignore[assignment]
    scheme, hostname, port, req_path = _parse(dns_name_or_url, path)
    lb: LoadBalancer | None = elb.load_balancer_by_dns(hostname)
    if lb is None:
        return Response(None, f"Could not resolve host: {hostname} (no load balancer has this DNS name)")
    if lb.state != "active":
        return Response(None, f"Could not resolve host: {hostname} (the load balancer is still {lb.state})",
                        load_balancer_name=lb.name)
    listener = next((x for x in lb.listeners.values() if x.port == port), None)
    if listener is None:
        return Response(None, f"Connection refused: load balancer {lb.name} has no listener on port {port}",
                        load_balancer_name=lb.name)
    if lb.type == "application" and (scheme == "https") != (listener.protocol == "HTTPS"):
        return Response(400 if listener.protocol == "HTTPS" else None,
                        f"The listener on port {port} speaks {listener.protocol}, the request used {scheme}",
                        load_balancer_name=lb.name, listener_arn=listener.arn, listener_port=port)
    host_header = (host or hostname).lower()
    rule = next(r for r in listener.ordered_rules()
                if lb.type != "application" or rule_matches(r, req_path, host_header))
    base: dict[str, Any] = {"load_balancer_name": lb.name, "listener_arn": listener.arn, "listener_port": port,
                            "rule_arn": rule.arn,
                            "rule_priority": "default" if rule.priority is None else str(rule.priority)}
    action = sorted(rule.actions, key=lambda a: a.get("Order", 0))[-1]
    if action["Type"] == "fixed-response":
        cfg = action["FixedResponseConfig"]
        return Response(int(cfg["StatusCode"]), f"Fixed response from rule {base['rule_priority']}",
                        body=cfg.get("MessageBody", ""), headers={"Content-Type": cfg["ContentType"]}, **base)
    if action["Type"] == "redirect":
        cfg = action["RedirectConfig"]
        proto = cfg["Protocol"].replace("#{protocol}", scheme).lower()
        to_port = cfg["Port"].replace("#{port}", str(port))
        to_host = cfg["Host"].replace("#{host}", host_header)
        to_path = cfg["Path"].replace("#{path}", req_path.lstrip("/"))
        location = f"{proto}://{to_host}:{to_port}{to_path}"
        return Response(int(cfg["StatusCode"][5:]), f"Redirect from rule {base['rule_priority']}",
                        headers={"Location": location}, **base)
    tg = elb.target_groups[_pick_group(rule, action)]
    base.update(target_group_arn=tg.arn, target_group_name=tg.name)
    target, failed_open = _pick_target(tg)
    tg.requests += 1
    if target is None:
        states = sorted({t.state for t in tg.targets.values()}) or ["no targets"]
        return Response(503 if lb.type == "application" else None,
                        f"No healthy target in target group {tg.name} ({', '.join(states)})", **base)
    target.requests += 1
    task, _ = elb._find_task(tg, target)
    base.update(target=(target.id, target.port), task_arn=getattr(task, "arn", None), failed_open=failed_open)
    kind, code = elb._answer(tg, target, target.port)
    note = " (failing open: every target is unhealthy)" if failed_open else ""
    who = f"task {task.arn.rsplit('/', 1)[-1]}" if task is not None else f"target {target.id}:{target.port}"
    if kind == "ok":
        return Response(code, f"{who} answered {code}{note}", **base)
    if lb.type != "application":
        if kind == "timeout":
            return Response(None, f"{who} accepted the TCP connection (it does not speak HTTP){note}", **base)
        return Response(None, f"{who} did not answer ({kind}){note}", **base)
    if kind == "timeout":
        return Response(504, f"{who} did not answer HTTP in time: the load balancer returns 504{note}", **base)
    return Response(502, f"{who} refused the connection: the load balancer returns 502{note}", **base)


def spread(sim: Simulator, dns_name_or_url: str, count: int, path: str = "/", *,
           host: str | None = None) -> dict[str, int]:
    """Send `count` requests and count answers per task ARN (or `Id:Port`, or the status when none)."""
    out: dict[str, int] = {}
    for _ in range(count):
        r = send_request(sim, dns_name_or_url, path, host=host)
        key = r.task_arn or (f"{r.target[0]}:{r.target[1]}" if r.target else str(r.status_code))
        out[key] = out.get(key, 0) + 1
    return out


__all__ = ["Response", "send_request", "spread"]
