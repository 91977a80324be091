"""Path- and host-based routing to ECS services, as a lesson shows it with send_request."""

from __future__ import annotations

from ecslearn.sim.traffic import send_request, spread


def test_path_rule_sends_api_to_another_service(sim):
    ec2, elb, ecs = sim.client("ec2"), sim.client("elbv2"), sim.client("ecs")
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    vpc, ids = subnets[0]["VpcId"], [s["SubnetId"] for s in subnets[:2]]
    lb = elb.create_load_balancer(Name="shop", Subnets=ids)["LoadBalancers"][0]
    groups = {name: elb.create_target_group(Name=name, Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")[
        "TargetGroups"][0]["TargetGroupArn"] for name in ("web", "api", "admin")}
    listener = elb.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Port=80, DefaultActions=[
        {"Type": "forward", "TargetGroupArn": groups["web"]}])["Listeners"][0]["ListenerArn"]
    elb.create_rule(ListenerArn=listener, Priority=10, Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}],
                    Actions=[{"Type": "forward", "TargetGroupArn": groups["api"]}])
    elb.create_rule(ListenerArn=listener, Priority=5, Conditions=[
        {"Field": "host-header", "HostHeaderConfig": {"Values": ["admin.example.com"]}}],
        Actions=[{"Type": "forward", "TargetGroupArn": groups["admin"]}])
    ecs.create_cluster(clusterName="prod")
    for name, count in (("web", 2), ("api", 3), ("admin", 1)):
        ecs.register_task_definition(family=name, networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                     cpu="256", memory="512", containerDefinitions=[
                                         {"name": name, "image": "nginx", "portMappings": [{"containerPort": 80}]}])
        ecs.create_service(cluster="prod", serviceName=name, taskDefinition=name, desiredCount=count,
                           launchType="FARGATE", networkConfiguration={"awsvpcConfiguration": {
                               "subnets": ids, "assignPublicIp": "ENABLED"}},
                           loadBalancers=[{"targetGroupArn": groups[name], "containerName": name, "containerPort": 80}])
    sim.settle()
    tasks = {name: set(ecs.list_tasks(cluster="prod", serviceName=name)["taskArns"]) for name in groups}
    dns = lb["DNSName"]

    r = send_request(sim, f"http://{dns}/api/orders/7")
    assert (r.status_code, r.rule_priority, r.target_group_name) == (200, "10", "api")
    assert r.task_arn in tasks["api"]
    api_spread = spread(sim, dns, 6, "/api/orders")
    assert set(api_spread) == tasks["api"] and set(api_spread.values()) == {2}  # round robin over 3 tasks
    web_spread = spread(sim, dns, 4, "/index.html")
    assert set(web_spread) == tasks["web"] and set(web_spread.values()) == {2}
    r = send_request(sim, dns, "/api/orders", host="admin.example.com")
    assert r.rule_priority == "5" and r.task_arn in tasks["admin"]
    # the api service scales to zero: its path now answers 503, the rest still works
    ecs.update_service(cluster="prod", service="api", desiredCount=0)
    sim.settle()
    assert send_request(sim, dns, "/api/orders").status_code == 503
    assert send_request(sim, dns, "/").status_code == 200
