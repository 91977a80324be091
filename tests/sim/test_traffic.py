"""traffic.send_request: listener and rule matching, target choice, status codes."""

from __future__ import annotations

import pytest

from ecslearn.sim.elbv2 import wildcard_match
from ecslearn.sim.traffic import send_request, spread


@pytest.fixture
def alb(sim):
    """An active ALB with a default `web` group, an `api` group for /api/* and a host rule."""
    ec2, elb = sim.client("ec2"), sim.client("elbv2")
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    vpc = subnets[0]["VpcId"]
    lb = elb.create_load_balancer(Name="web", Subnets=[s["SubnetId"] for s in subnets[:2]])["LoadBalancers"][0]
    tgs = {name: elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc,
                                         TargetType="ip")["TargetGroups"][0]["TargetGroupArn"]
           for name in ("web", "api", "admin")}
    listener = elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                                   DefaultActions=[{"Type": "forward", "TargetGroupArn": tgs["web"]}])
    larn = listener["Listeners"][0]["ListenerArn"]
    elb.create_rule(ListenerArn=larn, Priority=20, Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}],
                    Actions=[{"Type": "forward", "TargetGroupArn": tgs["api"]}])
    elb.create_rule(ListenerArn=larn, Priority=10,
                    Conditions=[{"Field": "host-header", "HostHeaderConfig": {"Values": ["admin.*.com"]}}],
                    Actions=[{"Type": "forward", "TargetGroupArn": tgs["admin"]}])
    elb.create_rule(ListenerArn=larn, Priority=30,
                    Conditions=[{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/v?/health"]}}],
                    Actions=[{"Type": "fixed-response", "FixedResponseConfig": {
                        "StatusCode": "200", "ContentType": "text/plain", "MessageBody": "ok"}}])
    base = subnets[0]["CidrBlock"].split("/")[0].rsplit(".", 1)[0]
    return {"dns": lb["DNSName"], "tgs": tgs, "listener": larn, "base": base, "vpc": vpc}


def test_dns_does_not_resolve_while_provisioning(sim, alb):
    r = send_request(sim, alb["dns"])
    assert r.status_code is None and "provisioning" in r.reason
    sim.settle()
    assert send_request(sim, alb["dns"]).status_code == 503  # no targets yet
    assert send_request(sim, "nope.us-east-1.elb.amazonaws.com").status_code is None
    assert send_request(sim, f"http://{alb['dns']}:8080/").status_code is None  # no listener on 8080


def test_rules_in_priority_order_with_wildcards(sim, alb):
    sim.settle()
    r = send_request(sim, alb["dns"], "/api/users?id=3")
    assert (r.rule_priority, r.target_group_arn) == ("20", alb["tgs"]["api"])
    assert send_request(sim, f"http://{alb['dns']}/api/users").target_group_arn == alb["tgs"]["api"]
    assert send_request(sim, alb["dns"], "/API/users").target_group_arn == alb["tgs"]["web"]  # case-sensitive
    assert send_request(sim, alb["dns"], "/api").target_group_arn == alb["tgs"]["web"]  # /api/* needs the slash
    # host header: case-insensitive, wins over the path rule by priority
    r = send_request(sim, alb["dns"], "/api/users", host="ADMIN.example.com")
    assert (r.rule_priority, r.target_group_arn) == ("10", alb["tgs"]["admin"])
    r = send_request(sim, alb["dns"], "/v1/health")
    assert (r.status_code, r.body, r.rule_priority) == (200, "ok", "30")
    assert send_request(sim, alb["dns"], "/v10/health").rule_priority == "default"
    assert send_request(sim, alb["dns"], "/").rule_priority == "default"


@pytest.mark.parametrize(("pattern", "value", "case", "expected"), [
    ("/api/*", "/api/", True, True), ("/api/*", "/api", True, False), ("*.example.com", "a.b.example.com", False, True),
    ("/img/?.png", "/img/a.png", True, True), ("/img/?.png", "/img/ab.png", True, False),
    ("/a.b", "/aXb", True, False), ("*", "", True, True), ("/Api", "/api", False, True), ("/Api", "/api", True, False),
])
def test_wildcards(pattern, value, case, expected):
    assert wildcard_match(pattern, value, case_sensitive=case) is expected


def test_no_healthy_target_is_503_all_unhealthy_fails_open_to_502(sim, alb):
    elb = sim.client("elbv2")
    sim.settle()
    ips = [f"{alb['base']}.{n}" for n in (20, 21)]
    elb.register_targets(TargetGroupArn=alb["tgs"]["web"], Targets=[{"Id": ip} for ip in ips])
    r = send_request(sim, alb["dns"])
    assert r.status_code == 503 and "initial" in r.reason  # initial targets get no traffic
    sim.settle()  # nothing listens at these addresses: both become unhealthy
    states = {d["TargetHealth"]["State"] for d in
              elb.describe_target_health(TargetGroupArn=alb["tgs"]["web"])["TargetHealthDescriptions"]}
    assert states == {"unhealthy"}
    answers = [send_request(sim, alb["dns"]) for _ in range(4)]
    assert all(a.failed_open and a.status_code == 502 for a in answers)
    assert [a.target[0] for a in answers] == [ips[0], ips[1], ips[0], ips[1]]  # round robin, deterministic
    assert spread(sim, alb["dns"], 6) == {f"{ips[0]}:80": 3, f"{ips[1]}:80": 3}


def test_weighted_forward_and_redirect(sim, alb):
    elb = sim.client("elbv2")
    sim.settle()
    elb.modify_listener(ListenerArn=alb["listener"], DefaultActions=[{"Type": "forward", "ForwardConfig": {
        "TargetGroups": [{"TargetGroupArn": alb["tgs"]["web"], "Weight": 3},
                         {"TargetGroupArn": alb["tgs"]["admin"], "Weight": 1}]}}])
    picks = [send_request(sim, alb["dns"], "/x").target_group_arn for _ in range(8)]
    assert picks.count(alb["tgs"]["web"]) == 6 and picks.count(alb["tgs"]["admin"]) == 2
    elb.create_rule(ListenerArn=alb["listener"], Priority=1, Conditions=[{"Field": "path-pattern", "Values": ["/old"]}],
                    Actions=[{"Type": "redirect", "RedirectConfig": {"StatusCode": "HTTP_301", "Path": "/new",
                                                                      "Protocol": "HTTPS", "Port": "443"}}])
    r = send_request(sim, alb["dns"], "/old")
    assert r.status_code == 301 and r.headers["Location"] == f"https://{alb['dns']}:443/new"
