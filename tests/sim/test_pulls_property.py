"""Whatever a task definition says about images, secrets and logs, a task starts or fails cleanly."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim import ClientError, Simulator
from ecslearn.sim.ecs.startchecks import workload_call

HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
images = st.sampled_from(["nginx", "public.ecr.aws/nginx/nginx:1", f"{HOST}/web:v1", f"{HOST}/nope",
                          "registry.example.com/a/b:1", "acme/api@sha256:" + "a" * 64, "localhost:5000/x"])
value_froms = st.one_of(st.text(max_size=12), st.sampled_from([
    "/p", "arn:aws:ssm:us-east-1:123456789012:parameter/p",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:s-abcdef:k::",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:s", "arn:aws:secretsmanager:x"]))
log_options = st.dictionaries(st.sampled_from(["awslogs-group", "awslogs-region", "awslogs-stream-prefix",
                                               "awslogs-create-group"]),
                              st.sampled_from(["/g", "us-east-1", "eu-west-1", "true", "false", "p"]), max_size=4)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(image=images, secrets=st.lists(value_froms, max_size=2), creds=st.one_of(st.none(), value_froms),
       options=log_options, with_exec=st.booleans(), public=st.booleans())
def test_any_start_check_outcome_is_clean(image, secrets, creds, options, with_exec, public):
    sim = Simulator(seed=9)
    sim.client("ecr").create_repository(repositoryName="web")
    sim.client("ssm").put_parameter(Name="/p", Value="v", Type="String")
    sim.client("logs").create_log_group(logGroupName="/g")
    ecs = sim.client("ecs")
    ecs.create_cluster(clusterName="prod")
    container = {"name": "c", "image": image,
                 "secrets": [{"name": f"S{i}", "valueFrom": v} for i, v in enumerate(secrets)]}
    if creds is not None:
        container["repositoryCredentials"] = {"credentialsParameter": creds}
    if options:
        container["logConfiguration"] = {"logDriver": "awslogs", "options": options}
    kwargs = {"executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole"} if with_exec else {}
    try:
        ecs.register_task_definition(family="f", requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                     cpu="256", memory="512", containerDefinitions=[container], **kwargs)
        subnet = sim.client("ec2").describe_subnets()["Subnets"][0]["SubnetId"]
        out = ecs.run_task(cluster="prod", taskDefinition="f", launchType="FARGATE", networkConfiguration={
            "awsvpcConfiguration": {"subnets": [subnet], "assignPublicIp": "ENABLED" if public else "DISABLED"}})
    except (ClientError, ParamValidationError, NotModelledError):
        return
    sim.settle()
    task = ecs.describe_tasks(cluster="prod", tasks=[out["tasks"][0]["taskArn"]])["tasks"][0]
    assert task["lastStatus"] in ("RUNNING", "STOPPED")
    if task["lastStatus"] == "STOPPED":
        assert task["stopCode"] == "TaskFailedToStart" and task["stoppedReason"]
    else:
        assert workload_call(sim, task["taskArn"], "s3:GetObject")["error"] is not None
