"""Task-definition status seen from tasks: INACTIVE blocks new tasks, DELETE_IN_PROGRESS lasts while in use
(ecs-reference §2.2)."""

from __future__ import annotations

import pytest

from ecslearn.sim import ClientError


@pytest.fixture
def world(sim):
    ecs = sim.client("ecs")
    ecs.create_cluster(clusterName="prod")
    subnet = sim.client("ec2").describe_subnets()["Subnets"][0]["SubnetId"]
    ecs.register_task_definition(family="api", networkMode="awsvpc", requiresCompatibilities=["FARGATE"],
                                 cpu="256", memory="512", containerDefinitions=[
                                     {"name": "app", "image": "nginx", "portMappings": [{"containerPort": 80}]}])

    def run(ref="api"):
        return ecs.run_task(cluster="prod", taskDefinition=ref, launchType="FARGATE", networkConfiguration={
            "awsvpcConfiguration": {"subnets": [subnet], "assignPublicIp": "ENABLED"}})
    return ecs, run


def error(call, *args):
    with pytest.raises(ClientError) as info:
        call(*args)
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def test_inactive_and_unknown_revisions_cannot_start_tasks(world):
    ecs, run = world
    assert run()["tasks"][0]["taskDefinitionArn"].endswith("task-definition/api:1")
    ecs.deregister_task_definition(taskDefinition="api:1")
    assert error(run, "api:1") == ("InvalidParameterException", "TaskDefinition is inactive")
    # the family has no ACTIVE revision left
    assert error(run, "api") == ("InvalidParameterException", "TaskDefinition not found.")
    assert error(run, "nothing:3") == ("InvalidParameterException", "TaskDefinition not found.")


def test_deleted_revision_stays_while_a_task_uses_it(world, sim):
    ecs, run = world
    task_arn = run()["tasks"][0]["taskArn"]
    sim.settle()
    ecs.deregister_task_definition(taskDefinition="api:1")
    ecs.delete_task_definitions(taskDefinitions=["api:1"])
    assert error(run, "api:1") == ("InvalidParameterException", "TaskDefinition is inactive")
    sim.advance(3600)
    assert ecs.describe_tasks(cluster="prod", tasks=[task_arn])["tasks"][0]["lastStatus"] == "RUNNING"
    assert ecs.describe_task_definition(taskDefinition="api:1")["taskDefinition"]["status"] == "DELETE_IN_PROGRESS"
    ecs.stop_task(cluster="prod", task=task_arn)
    sim.settle()
    sim.advance(60)
    assert error(lambda ref: ecs.describe_task_definition(taskDefinition=ref), "api:1") == (
        "ClientException", "Unable to describe task definition.")
    assert ecs.list_task_definitions(status="DELETE_IN_PROGRESS")["taskDefinitionArns"] == []
    again = ecs.register_task_definition(family="api", containerDefinitions=[
        {"name": "app", "image": "nginx", "memory": 64}])["taskDefinition"]
    assert again["revision"] == 2
