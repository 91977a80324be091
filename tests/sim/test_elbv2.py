"""elbv2: load balancers, target groups, listeners, rules, target registration and health."""

from __future__ import annotations

import pytest

from ecslearn.errors import NotModelledError
from ecslearn.sim import ClientError, Simulator


@pytest.fixture
def net(sim):
    subnets = sim.client("ec2").describe_subnets()["Subnets"]
    subnets.sort(key=lambda s: s["AvailabilityZone"])
    return {"vpc": subnets[0]["VpcId"], "subnets": [s["SubnetId"] for s in subnets],
            "cidr": subnets[0]["CidrBlock"]}


def make_alb(sim, net, name="web"):
    elb = sim.client("elbv2")
    return elb.create_load_balancer(Name=name, Subnets=net["subnets"][:2])["LoadBalancers"][0]


def make_tg(sim, net, name="tg", **kw):
    kw.setdefault("Protocol", "HTTP")
    kw.setdefault("Port", 80)
    return sim.client("elbv2").create_target_group(Name=name, VpcId=net["vpc"], **kw)["TargetGroups"][0]


def code_of(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def test_alb_is_provisioning_then_active_with_aws_dns_name(sim, net):
    lb = make_alb(sim, net)
    assert lb["State"] == {"Code": "provisioning"}
    assert lb["Type"] == "application" and lb["Scheme"] == "internet-facing"
    assert lb["DNSName"].startswith("web-") and lb["DNSName"].endswith(".us-east-1.elb.amazonaws.com")
    assert lb["DNSName"][4:].split(".")[0].isdigit()
    assert lb["LoadBalancerArn"].startswith(
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/")
    assert sorted(z["ZoneName"] for z in lb["AvailabilityZones"]) == ["us-east-1a", "us-east-1b"]
    sim.settle()
    again = sim.client("elbv2").describe_load_balancers(Names=["web"])["LoadBalancers"][0]
    assert again["State"] == {"Code": "active"}


def test_load_balancer_validation(sim, net):
    elb = sim.client("elbv2")
    with pytest.raises(ClientError) as e:
        elb.create_load_balancer(Name="one", Subnets=net["subnets"][:1])
    assert code_of(e) == "ValidationError" and "two different Availability Zones" in str(e.value)
    nlb = elb.create_load_balancer(Name="nlb", Type="network", Subnets=net["subnets"][:1])["LoadBalancers"][0]
    assert nlb["Type"] == "network" and ":loadbalancer/net/nlb/" in nlb["LoadBalancerArn"]
    with pytest.raises(ClientError) as e:
        elb.create_load_balancer(Name="-bad", Subnets=net["subnets"][:2])
    assert code_of(e) == "ValidationError"
    with pytest.raises(ClientError) as e:
        elb.create_load_balancer(Name="nlb", Subnets=net["subnets"][:2])
    assert code_of(e) == "DuplicateLoadBalancerName"
    with pytest.raises(ClientError) as e:
        elb.describe_load_balancers(Names=["missing"])
    assert code_of(e) == "LoadBalancerNotFound"
    with pytest.raises(ClientError) as e:
        elb.create_load_balancer(Name="x", Subnets=["subnet-nope", net["subnets"][0]])
    assert code_of(e) == "SubnetNotFound"
    with pytest.raises(NotModelledError):
        elb.create_load_balancer(Name="gw", Type="gateway", Subnets=net["subnets"][:1])
    # SubnetMappings form
    lb = elb.create_load_balancer(Name="mapped", SubnetMappings=[{"SubnetId": s} for s in net["subnets"][2:4]])
    assert len(lb["LoadBalancers"][0]["AvailabilityZones"]) == 2


def test_target_group_defaults_and_validation(sim, net):
    tg = make_tg(sim, net)
    assert (tg["HealthCheckIntervalSeconds"], tg["HealthCheckTimeoutSeconds"], tg["HealthyThresholdCount"],
            tg["UnhealthyThresholdCount"], tg["Matcher"], tg["HealthCheckPath"], tg["TargetType"]) == \
        (30, 5, 5, 2, {"HttpCode": "200"}, "/", "instance")
    tcp = make_tg(sim, net, name="tcp", Protocol="TCP", Port=6379)
    assert tcp["HealthCheckProtocol"] == "TCP" and "Matcher" not in tcp and tcp["HealthCheckTimeoutSeconds"] == 10
    elb = sim.client("elbv2")
    for bad in ({"HealthCheckIntervalSeconds": 4}, {"HealthyThresholdCount": 11},
                {"HealthCheckTimeoutSeconds": 30}, {"Matcher": {"HttpCode": "600"}},
                {"TargetType": "container"}, {"HealthCheckPath": "health"}):
        with pytest.raises(ClientError) as e:
            make_tg(sim, net, name="bad", **bad)
        assert code_of(e) == "ValidationError", bad
    with pytest.raises(ClientError) as e:
        make_tg(sim, net, Port=8080)
    assert code_of(e) == "DuplicateTargetGroupName"
    assert make_tg(sim, net)["TargetGroupArn"] == tg["TargetGroupArn"]  # same settings: idempotent
    attrs = {a["Key"]: a["Value"] for a in elb.describe_target_group_attributes(
        TargetGroupArn=tg["TargetGroupArn"])["Attributes"]}
    assert attrs["deregistration_delay.timeout_seconds"] == "300"
    elb.modify_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"], Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": "30"}])
    assert sim.backend("elbv2")._target_group(tg["TargetGroupArn"]).deregistration_delay == 30
    with pytest.raises(ClientError) as e:
        elb.modify_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"], Attributes=[
            {"Key": "deregistration_delay.timeout_seconds", "Value": "4000"}])
    assert code_of(e) == "ValidationError"
    with pytest.raises(ClientError) as e:
        elb.describe_target_groups(TargetGroupArns=[tg["TargetGroupArn"] + "0"])
    assert code_of(e) == "TargetGroupNotFound"
    with pytest.raises(ClientError) as e:
        sim.backend("elbv2")._target_group("arn:nope")
    assert code_of(e) == "TargetGroupNotFound"


def test_listener_rules_priorities_and_default_rule(sim, net):
    elb = sim.client("elbv2")
    lb = make_alb(sim, net)
    web, api = make_tg(sim, net, "web"), make_tg(sim, net, "api")
    listener = elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                                   DefaultActions=[{"Type": "forward",
                                                    "TargetGroupArn": web["TargetGroupArn"]}])["Listeners"][0]
    larn = listener["ListenerArn"]
    with pytest.raises(ClientError) as e:
        elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol="HTTP", Port=80,
                            DefaultActions=[{"Type": "forward", "TargetGroupArn": web["TargetGroupArn"]}])
    assert code_of(e) == "DuplicateListener"
    rule = elb.create_rule(ListenerArn=larn, Priority=10,
                           Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}],
                           Actions=[{"Type": "forward", "TargetGroupArn": api["TargetGroupArn"]}])["Rules"][0]
    assert rule["Priority"] == "10" and rule["IsDefault"] is False
    assert rule["Conditions"][0]["PathPatternConfig"] == {"Values": ["/api/*"]}
    with pytest.raises(ClientError) as e:
        elb.create_rule(ListenerArn=larn, Priority=10,
                        Conditions=[{"Field": "host-header", "HostHeaderConfig": {"Values": ["*.example.com"]}}],
                        Actions=[{"Type": "forward", "TargetGroupArn": api["TargetGroupArn"]}])
    assert code_of(e) == "PriorityInUse"
    for prio in (0, 50001):
        with pytest.raises(ClientError) as e:
            elb.create_rule(ListenerArn=larn, Priority=prio,
                            Conditions=[{"Field": "path-pattern", "Values": ["/x"]}],
                            Actions=[{"Type": "forward", "TargetGroupArn": api["TargetGroupArn"]}])
        assert code_of(e) == "ValidationError"
    elb.create_rule(ListenerArn=larn, Priority=5,
                    Conditions=[{"Field": "host-header", "HostHeaderConfig": {"Values": ["admin.example.com"]}}],
                    Actions=[{"Type": "fixed-response",
                              "FixedResponseConfig": {"StatusCode": "403", "MessageBody": "no"}}])
    rules = elb.describe_rules(ListenerArn=larn)["Rules"]
    assert [r["Priority"] for r in rules] == ["5", "10", "default"]
    assert rules[-1]["IsDefault"] is True and rules[-1]["Conditions"] == []
    # both target groups now belong to the load balancer
    tgs = elb.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"]
    assert {t["TargetGroupName"] for t in tgs} == {"web", "api"}
    with pytest.raises(ClientError) as e:
        elb.delete_target_group(TargetGroupArn=api["TargetGroupArn"])
    assert code_of(e) == "ResourceInUse"
    with pytest.raises(ClientError) as e:
        elb.delete_rule(RuleArn=rules[-1]["RuleArn"])
    assert code_of(e) == "OperationNotPermitted"
    elb.modify_rule(RuleArn=rule["RuleArn"], Conditions=[{"Field": "path-pattern", "Values": ["/v2/*"]}])
    assert elb.describe_rules(RuleArns=[rule["RuleArn"]])["Rules"][0]["Conditions"][0]["Values"] == ["/v2/*"]
    elb.delete_rule(RuleArn=rule["RuleArn"])
    elb.delete_target_group(TargetGroupArn=api["TargetGroupArn"])
    elb.delete_listener(ListenerArn=larn)
    assert elb.describe_target_groups(Names=["web"])["TargetGroups"][0]["LoadBalancerArns"] == []
    with pytest.raises(ClientError) as e:
        elb.describe_listeners(ListenerArns=[larn])
    assert code_of(e) == "ListenerNotFound"
    with pytest.raises(NotModelledError):
        elb.create_rule(ListenerArn=elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"], Port=8080,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": web["TargetGroupArn"]}])["Listeners"][0][
                "ListenerArn"], Priority=1, Conditions=[{"Field": "source-ip", "Values": ["10.0.0.0/8"]}],
            Actions=[{"Type": "forward", "TargetGroupArn": web["TargetGroupArn"]}])


def test_ip_targets_must_be_in_the_vpc_and_unused_until_a_listener_forwards(sim, net):
    elb = sim.client("elbv2")
    tg = make_tg(sim, net, TargetType="ip")
    arn = tg["TargetGroupArn"]
    with pytest.raises(ClientError) as e:
        elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": "10.9.9.9"}])
    assert code_of(e) == "InvalidTarget"
    base = net["cidr"].split("/")[0].rsplit(".", 1)[0]
    elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": f"{base}.50", "Port": 8080}])
    health = elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    assert health[0]["TargetHealth"]["State"] == "unused"
    assert health[0]["TargetHealth"]["Reason"] == "Target.NotInUse"
    assert health[0]["Target"] == {"Id": f"{base}.50", "Port": 8080}
    lb = make_alb(sim, net)
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": arn}])
    state = elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"][0]["TargetHealth"]
    assert state == {"State": "initial", "Reason": "Elb.RegistrationInProgress",
                     "Description": "Target registration is in progress"}
    # nothing answers at that address: two failed checks (10 s + 30 s) make it unhealthy
    sim.advance(11)
    assert elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"][0]["TargetHealth"][
        "Reason"] == "Elb.InitialHealthChecking"
    sim.advance(30)
    state = elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"][0]["TargetHealth"]
    assert state["State"] == "unhealthy" and state["Reason"] == "Target.FailedHealthChecks"
    not_registered = elb.describe_target_health(TargetGroupArn=arn, Targets=[{"Id": f"{base}.51", "Port": 80}])
    assert not_registered["TargetHealthDescriptions"][0]["TargetHealth"]["Reason"] == "Target.NotRegistered"


def test_deregistration_drains_for_the_delay(sim, net):
    elb = sim.client("elbv2")
    tg = make_tg(sim, net, TargetType="ip")
    arn = tg["TargetGroupArn"]
    elb.modify_target_group_attributes(TargetGroupArn=arn, Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": "60"}])
    lb = make_alb(sim, net)
    elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": arn}])
    base = net["cidr"].split("/")[0].rsplit(".", 1)[0]
    elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": f"{base}.7"}])
    backend = sim.backend("elbv2")
    assert backend._target_health_state(arn, f"{base}.7", 80) == "initial"
    elb.deregister_targets(TargetGroupArn=arn, Targets=[{"Id": f"{base}.7"}])
    th = elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"][0]["TargetHealth"]
    assert th["State"] == "draining" and th["Reason"] == "Target.DeregistrationInProgress"
    sim.advance(59)
    assert backend._target_health_state(arn, f"{base}.7", 80) == "draining"
    sim.advance(1)
    assert backend._target_health_state(arn, f"{base}.7", 80) is None
    assert elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"] == []
    with pytest.raises(ClientError) as e:
        elb.deregister_targets(TargetGroupArn=arn, Targets=[{"Id": f"{base}.7"}])
    assert code_of(e) == "InvalidTarget"


def test_instance_targets_must_exist_and_run(sim, net):
    elb = sim.client("elbv2")
    tg = make_tg(sim, net)
    with pytest.raises(ClientError) as e:
        elb.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": "i-0123456789abcdef0"}])
    assert code_of(e) == "InvalidTarget"
    ec2 = sim.client("ec2")
    image = next(i["ImageId"] for i in ec2.describe_images(Owners=["amazon"])["Images"]
                 if i["Name"].startswith("al2023-ami-2023") and i["Name"].endswith("x86_64"))
    inst = ec2.run_instances(ImageId=image, InstanceType="t3.micro", MinCount=1, MaxCount=1)["Instances"][0]
    with pytest.raises(ClientError) as e:  # still pending
        elb.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": inst["InstanceId"]}])
    assert code_of(e) == "InvalidTarget" and "running state" in str(e.value)
    sim.advance(60)
    elb.register_targets(TargetGroupArn=tg["TargetGroupArn"], Targets=[{"Id": inst["InstanceId"]}])
    assert elb.describe_target_health(TargetGroupArn=tg["TargetGroupArn"])["TargetHealthDescriptions"][0][
        "Target"]["AvailabilityZone"] == inst["Placement"]["AvailabilityZone"]


def test_tags_round_trip(sim, net):
    elb = sim.client("elbv2")
    tg = make_tg(sim, net, Tags=[{"Key": "team", "Value": "a"}])
    elb.add_tags(ResourceArns=[tg["TargetGroupArn"]], Tags=[{"Key": "env", "Value": "prod"}])
    tags = elb.describe_tags(ResourceArns=[tg["TargetGroupArn"]])["TagDescriptions"][0]["Tags"]
    assert tags == [{"Key": "team", "Value": "a"}, {"Key": "env", "Value": "prod"}]
    elb.remove_tags(ResourceArns=[tg["TargetGroupArn"]], TagKeys=["team"])
    assert elb.describe_tags(ResourceArns=[tg["TargetGroupArn"]])["TagDescriptions"][0]["Tags"] == [
        {"Key": "env", "Value": "prod"}]


def test_same_seed_same_load_balancer():
    a, b = Simulator(seed=3), Simulator(seed=3)
    out = []
    for sim in (a, b):
        subnets = sorted(sim.client("ec2").describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
        out.append(sim.client("elbv2").create_load_balancer(
            Name="w", Subnets=[s["SubnetId"] for s in subnets[:2]])["LoadBalancers"][0]["DNSName"])
    assert out[0] == out[1]


def test_deletion_protection_attribute(sim, net):
    elb = sim.client("elbv2")
    lb = make_alb(sim, net)
    attrs = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(
        LoadBalancerArn=lb["LoadBalancerArn"])["Attributes"]}
    assert attrs["idle_timeout.timeout_seconds"] == "60" and attrs["deletion_protection.enabled"] == "false"
    elb.modify_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"], Attributes=[
        {"Key": "deletion_protection.enabled", "Value": "true"}])
    with pytest.raises(ClientError) as e:
        elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
    assert code_of(e) == "OperationNotPermitted"
    with pytest.raises(ClientError) as e:
        elb.modify_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"], Attributes=[
            {"Key": "nope", "Value": "1"}])
    assert code_of(e) == "ValidationError"
    elb.modify_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"], Attributes=[
        {"Key": "deletion_protection.enabled", "Value": "false"}])
    elb.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
    assert elb.describe_load_balancers()["LoadBalancers"] == []
