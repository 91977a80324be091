"""Random parameters thrown at every elbv2 operation and at send_request: only AWS-style errors."""

from __future__ import annotations

import contextlib
import inspect

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecslearn.errors import NotModelledError, ParamValidationError, SimulatorError
from ecslearn.sim import ClientError, Simulator
from ecslearn.sim.elbv2 import Elbv2Backend
from ecslearn.sim.traffic import send_request

_WORLD: dict = {}
OPS = sorted(Elbv2Backend.operations())
ALLOWED = (ClientError, ParamValidationError, NotModelledError)


def shared():
    if not _WORLD:
        sim = Simulator(seed=5)
        subnets = sorted(sim.client("ec2").describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
        elb = sim.client("elbv2")
        lb = elb.create_load_balancer(Name="w", Subnets=[s["SubnetId"] for s in subnets[:2]])["LoadBalancers"][0]
        tg = elb.create_target_group(Name="t", Protocol="HTTP", Port=80, VpcId=subnets[0]["VpcId"],
                                     TargetType="ip")["TargetGroups"][0]
        listener = elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Port=80, DefaultActions=[
            {"Type": "forward", "TargetGroupArn": tg["TargetGroupArn"]}])["Listeners"][0]
        base = subnets[0]["CidrBlock"].split("/")[0].rsplit(".", 1)[0]
        _WORLD.update(sim=sim, elb=elb, names=[
            lb["LoadBalancerArn"], tg["TargetGroupArn"], listener["ListenerArn"], subnets[0]["SubnetId"],
            subnets[1]["SubnetId"], subnets[0]["VpcId"], f"{base}.9", lb["DNSName"], "w", "t"])
    return _WORLD


scalars = st.one_of(st.none(), st.booleans(), st.integers(-3, 70000), st.floats(allow_nan=False, width=16),
                    st.text(max_size=8),
                    st.sampled_from(["HTTP", "HTTPS", "TCP", "forward", "fixed-response", "redirect", "ip",
                                     "instance", "path-pattern", "host-header", "/api/*", "*.example.com", "200",
                                     "HTTP_301", "application", "network", "internal",
                                     "deregistration_delay.timeout_seconds", "30", "default"]))
keys = st.sampled_from(["Type", "TargetGroupArn", "ForwardConfig", "TargetGroups", "Weight", "FixedResponseConfig",
                        "StatusCode", "MessageBody", "ContentType", "RedirectConfig", "Field", "Values",
                        "PathPatternConfig", "HostHeaderConfig", "Id", "Port", "Key", "Value", "SubnetId",
                        "HttpCode", "RuleArn", "Priority", "AvailabilityZone", "Order", "junk"])
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                       st.dictionaries(keys, inner, max_size=4)), max_leaves=10)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(OPS), st.data())
def test_random_parameters_give_aws_errors_only(op, data):
    w = shared()
    sig = inspect.signature(getattr(Elbv2Backend, op))
    kwargs = {}
    for name, p in sig.parameters.items():
        if name == "self":
            continue
        if p.default is inspect.Parameter.empty or data.draw(st.booleans()):
            kwargs[name] = data.draw(st.one_of(values, st.sampled_from(w["names"])))
    with contextlib.suppress(ALLOWED):
        getattr(w["elb"], op)(**kwargs)
    w["sim"].advance(7)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=30), st.text(max_size=12), st.one_of(st.none(), st.text(max_size=12)))
def test_send_request_never_crashes(url, path, host):
    w = shared()
    for target in (url, w["names"][7] + url[:5]):
        try:
            r = send_request(w["sim"], target, path, host=host)
        except SimulatorError:
            continue
        assert r.status_code is None or 100 <= r.status_code <= 599
