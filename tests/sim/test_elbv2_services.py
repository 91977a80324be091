"""Load balancers in front of ECS services: dynamic ports, awsvpc IP targets, health from workloads."""

from __future__ import annotations

import pytest

from ecslearn.sim.traffic import send_request, spread
from ecslearn.sim.workloads import set_workload


@pytest.fixture
def world(sim):
    """A cluster with one t3.large container instance and an active ALB listening on port 80."""
    ec2, elb, ecs = sim.client("ec2"), sim.client("elbv2"), sim.client("ecs")
    ami = sim.client("ssm").get_parameter(
        Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")["Parameter"]["Value"]
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    ecs.create_cluster(clusterName="prod")
    ec2.run_instances(ImageId=ami, InstanceType="t3.large", MinCount=1, MaxCount=1, SubnetId=subnets[0]["SubnetId"],
                      IamInstanceProfile={"Name": "ecsInstanceRole"},
                      UserData="#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config")
    lb = elb.create_load_balancer(Name="web", Subnets=[s["SubnetId"] for s in subnets[:2]])["LoadBalancers"][0]
    sim.settle()
    return {"vpc": subnets[0]["VpcId"], "lb": lb, "subnets": [s["SubnetId"] for s in subnets[:2]]}


def forward_to(sim, world, name, target_type="instance", port=80):
    elb = sim.client("elbv2")
    tg = elb.create_target_group(Name=name, Protocol="HTTP", Port=port, VpcId=world["vpc"],
                                 TargetType=target_type, HealthCheckIntervalSeconds=10,
                                 HealthCheckTimeoutSeconds=5)["TargetGroups"][0]["TargetGroupArn"]
    elb.create_listener(LoadBalancerArn=world["lb"]["LoadBalancerArn"], Port=80,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])
    return tg


def bridge_service(sim, tg, image="nginx", count=3, name="web", grace=0):
    """A bridge-mode service with dynamic host ports; `grace` keeps ECS from replacing unhealthy tasks."""
    ecs = sim.client("ecs")
    ecs.register_task_definition(family=name, containerDefinitions=[
        {"name": "web", "image": image, "memory": 256, "portMappings": [{"containerPort": 80, "hostPort": 0}]}])
    ecs.create_service(cluster="prod", serviceName=name, taskDefinition=name, desiredCount=count,
                       healthCheckGracePeriodSeconds=grace, loadBalancers=[{"targetGroupArn": tg, "containerName": "web", "containerPort": 80}])


def health(sim, tg):
    return sim.client("elbv2").describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]


def test_dynamic_host_ports_put_several_copies_on_one_instance(sim, world):
    tg = forward_to(sim, world, "web")
    bridge_service(sim, tg)
    sim.settle()
    targets = health(sim, tg)
    assert len(targets) == 3
    assert len({t["Target"]["Id"] for t in targets}) == 1  # one instance ...
    ports = sorted(t["Target"]["Port"] for t in targets)
    assert len(set(ports)) == 3 and all(p != 80 for p in ports)  # ... three different host ports
    assert {t["TargetHealth"]["State"] for t in targets} == {"healthy"}
    tasks = sim.client("ecs").list_tasks(cluster="prod", serviceName="web")["taskArns"]
    assert sorted(spread(sim, world["lb"]["DNSName"], 9).items()) == sorted((arn, 3) for arn in tasks)
    r = send_request(sim, world["lb"]["DNSName"])
    assert r.status_code == 200 and r.target[0] == targets[0]["Target"]["Id"] and r.task_arn in tasks


def test_health_follows_the_image_workload(sim, world):
    tg = forward_to(sim, world, "web")
    set_workload(sim, "web:broken", http_status=404)
    bridge_service(sim, tg, image="web:broken", count=1, grace=600)
    sim.advance(40)  # started, registered, then two failed checks 10 s apart
    [t] = health(sim, tg)
    assert t["TargetHealth"] == {"State": "unhealthy", "Reason": "Target.ResponseCodeMismatch",
                                 "Description": "Health checks failed with these codes: [404]"}
    r = send_request(sim, world["lb"]["DNSName"])
    assert r.failed_open and r.status_code == 404  # the only target is unhealthy: fail open, app answers 404
    sim.client("elbv2").modify_target_group(TargetGroupArn=tg, Matcher={"HttpCode": "200,404"})
    sim.advance(60)  # healthy threshold (5) consecutive successes at a 10 s interval
    states = {t["TargetHealth"]["State"] for t in health(sim, tg)}
    assert "healthy" in states


def test_a_container_that_does_not_listen_on_the_port_fails_checks(sim, world):
    tg = forward_to(sim, world, "web")
    set_workload(sim, "web:wrong-port", listens_on=[8080])
    bridge_service(sim, tg, image="web:wrong-port", count=1, grace=600)
    sim.advance(40)
    [t] = health(sim, tg)
    assert (t["TargetHealth"]["State"], t["TargetHealth"]["Reason"]) == ("unhealthy", "Target.FailedHealthChecks")
    assert send_request(sim, world["lb"]["DNSName"]).status_code == 502


def test_awsvpc_tasks_register_their_ip_and_container_port(sim, world):
    tg = forward_to(sim, world, "api", target_type="ip")
    ecs = sim.client("ecs")
    ecs.register_task_definition(family="api", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                 cpu="256", memory="512", containerDefinitions=[
                                     {"name": "api", "image": "nginx", "portMappings": [{"containerPort": 80}]}])  # nginx serves 80
    ecs.create_service(cluster="prod", serviceName="api", taskDefinition="api", desiredCount=2, launchType="FARGATE",
                       networkConfiguration={"awsvpcConfiguration": {"subnets": world["subnets"],
                                                                     "assignPublicIp": "ENABLED"}},
                       loadBalancers=[{"targetGroupArn": tg, "containerName": "api", "containerPort": 80}])
    sim.settle()
    tasks = ecs.describe_tasks(cluster="prod", tasks=ecs.list_tasks(cluster="prod", serviceName="api")["taskArns"])
    ips = sorted(t["containers"][0]["networkInterfaces"][0]["privateIpv4Address"] for t in tasks["tasks"])
    targets = health(sim, tg)
    assert sorted(t["Target"]["Id"] for t in targets) == ips
    assert {t["Target"]["Port"] for t in targets} == {80}
    assert {t["TargetHealth"]["State"] for t in targets} == {"healthy"}
    assert send_request(sim, world["lb"]["DNSName"]).status_code == 200


def test_scale_in_drains_the_target_for_the_deregistration_delay(sim, world):
    tg = forward_to(sim, world, "web")
    sim.client("elbv2").modify_target_group_attributes(TargetGroupArn=tg, Attributes=[
        {"Key": "deregistration_delay.timeout_seconds", "Value": "45"}])
    bridge_service(sim, tg, count=2)
    sim.settle()
    sim.client("ecs").update_service(cluster="prod", service="web", desiredCount=1)
    sim.advance(5)
    states = sorted(t["TargetHealth"]["State"] for t in health(sim, tg))
    assert states == ["draining", "healthy"]
    draining = next(t for t in health(sim, tg) if t["TargetHealth"]["State"] == "draining")
    assert draining["TargetHealth"]["Reason"] == "Target.DeregistrationInProgress"
    # a draining target gets no new requests
    answers = {send_request(sim, world["lb"]["DNSName"]).target for _ in range(4)}
    assert (draining["Target"]["Id"], draining["Target"]["Port"]) not in answers
    sim.advance(60)
    assert [t["TargetHealth"]["State"] for t in health(sim, tg)] == ["healthy"]


def test_network_load_balancer_tcp_checks_pass_for_a_non_http_server(sim, world):
    elb, ecs = sim.client("elbv2"), sim.client("ecs")
    nlb = elb.create_load_balancer(Name="cache", Type="network", Subnets=world["subnets"][:1])["LoadBalancers"][0]
    tcp = elb.create_target_group(Name="redis-tcp", Protocol="TCP", Port=6379, VpcId=world["vpc"],
                                  HealthCheckIntervalSeconds=10, HealthCheckTimeoutSeconds=5)["TargetGroups"][0][
        "TargetGroupArn"]
    http = elb.create_target_group(Name="redis-http", Protocol="TCP", Port=6379, VpcId=world["vpc"],
                                   HealthCheckProtocol="HTTP", HealthCheckIntervalSeconds=10,
                                   HealthCheckTimeoutSeconds=5)["TargetGroups"][0][
        "TargetGroupArn"]
    elb.create_listener(LoadBalancerArn=nlb["LoadBalancerArn"], Protocol="TCP", Port=6379,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": tcp}])
    elb.create_listener(LoadBalancerArn=nlb["LoadBalancerArn"], Protocol="TCP", Port=6380,
                        DefaultActions=[{"Type": "forward", "TargetGroupArn": http}])
    ecs.register_task_definition(family="redis", containerDefinitions=[
        {"name": "redis", "image": "redis", "memory": 256, "portMappings": [{"containerPort": 6379, "hostPort": 0}]}])
    ecs.create_service(cluster="prod", serviceName="redis", taskDefinition="redis", desiredCount=1,
                       healthCheckGracePeriodSeconds=600, loadBalancers=[
                           {"targetGroupArn": tcp, "containerName": "redis", "containerPort": 6379},
                           {"targetGroupArn": http, "containerName": "redis", "containerPort": 6379}])
    sim.advance(60)
    assert [t["TargetHealth"]["State"] for t in health(sim, tcp)] == ["healthy"]
    [t] = health(sim, http)  # redis does not answer HTTP: the HTTP check times out
    assert (t["TargetHealth"]["State"], t["TargetHealth"]["Reason"]) == ("unhealthy", "Target.Timeout")
    sim.advance(60)  # the NLB is active after its 90 s of provisioning
    r = send_request(sim, f"http://{nlb['DNSName']}:6379/")
    assert r.status_code is None and "accepted the TCP connection" in r.reason and r.task_arn is not None
