"""Image pulls, registry credentials and container secrets at task start (ecs-reference §1.3, §2.7, §2.9, §5.5, §6)."""

from __future__ import annotations

import base64
import json

import pytest

from ecslearn.sim.docker import docker_push, private_registry

HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
ACCOUNT = "123456789012"
EXEC_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"
TASKS_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}]})
EC2_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def role(sim, name, *, trust=TASKS_TRUST, managed=(), inline=None):
    iam = sim.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)["Role"]["Arn"]
    for p in managed:
        iam.attach_role_policy(RoleName=name, PolicyArn=p)
    if inline:
        iam.put_role_policy(RoleName=name, PolicyName="inline", PolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": inline}))
    return arn


def subnet(sim):
    return sim.client("ec2").describe_subnets()["Subnets"][0]["SubnetId"]


def fargate_task(sim, containers, *, execution_role=None, public_ip=True, family="app", task_role=None):
    ecs = sim.client("ecs")
    ecs.create_cluster(clusterName="prod")
    kwargs = {}
    if execution_role:
        kwargs["executionRoleArn"] = execution_role
    if task_role:
        kwargs["taskRoleArn"] = task_role
    ecs.register_task_definition(family=family, requiresCompatibilities=["FARGATE"], networkMode="awsvpc",
                                 cpu="256", memory="512", containerDefinitions=containers, **kwargs)
    out = ecs.run_task(cluster="prod", taskDefinition=family, launchType="FARGATE", networkConfiguration={
        "awsvpcConfiguration": {"subnets": [subnet(sim)],
                                "assignPublicIp": "ENABLED" if public_ip else "DISABLED"}})
    assert out["failures"] == []
    sim.settle()
    return ecs.describe_tasks(cluster="prod", tasks=[out["tasks"][0]["taskArn"]])["tasks"][0]


def ec2_instance(sim, *, config_lines=(), profile="ecsInstanceRole"):
    ecs = sim.client("ecs")
    ecs.create_cluster(clusterName="prod")
    ami = sim.client("ssm").get_parameter(
        Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")["Parameter"]["Value"]
    lines = ["ECS_CLUSTER=prod", *config_lines]
    user_data = "#!/bin/bash\n" + "".join(f"cat >> /etc/ecs/ecs.config <<'EOF'\n{line}\nEOF\n" for line in lines)
    sim.client("ec2").run_instances(ImageId=ami, InstanceType="t3.medium", MinCount=1, MaxCount=1,
                                    UserData=user_data, IamInstanceProfile={"Name": profile})
    sim.settle()
    assert ecs.list_container_instances(cluster="prod")["containerInstanceArns"], "instance did not register"


def ec2_task(sim, containers, *, execution_role=None, family="app", register=True, task_role=None,
             network_mode="bridge"):
    ecs = sim.client("ecs")
    if register:
        kwargs = {}
        if execution_role:
            kwargs["executionRoleArn"] = execution_role
        if task_role:
            kwargs["taskRoleArn"] = task_role
        ecs.register_task_definition(family=family, networkMode=network_mode,
                                     containerDefinitions=[{"memory": 128, **c} for c in containers], **kwargs)
    extra = {}
    if network_mode == "awsvpc":
        extra["networkConfiguration"] = {"awsvpcConfiguration": {"subnets": [
            s["SubnetId"] for s in sim.client("ec2").describe_subnets()["Subnets"]]}}
    out = ecs.run_task(cluster="prod", taskDefinition=family, launchType="EC2", **extra)
    assert out["failures"] == [], out["failures"]
    sim.settle()
    return ecs.describe_tasks(cluster="prod", tasks=[out["tasks"][0]["taskArn"]])["tasks"][0]


def pushed(sim, repo="web", tag="v1"):
    if repo not in sim.backend("ecr").repos:
        sim.client("ecr").create_repository(repositoryName=repo)
    docker_push(sim, f"{HOST}/{repo}:{tag}")
    return f"{HOST}/{repo}:{tag}"


# --- ECR on Fargate --------------------------------------------------------------------------------


def test_fargate_ecr_pull_needs_the_execution_role_policy(sim):
    image = pushed(sim)
    bare = role(sim, "bare-exec")
    task = fargate_task(sim, [{"name": "web", "image": image}], execution_role=bare)
    assert task["lastStatus"] == "STOPPED" and task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"] == (
        f"CannotPullContainerError: AccessDeniedException: User: arn:aws:sts::{ACCOUNT}:assumed-role/bare-exec/"
        f"{task['taskArn'].rsplit('/', 1)[1]} is not authorized to perform: ecr:GetAuthorizationToken on "
        "resource: * because no identity-based policy allows the ecr:GetAuthorizationToken action")
    assert "lastRecordedPullTime" not in sim.client("ecr").describe_images(repositoryName="web")["imageDetails"][0]
    sim.client("iam").attach_role_policy(RoleName="bare-exec", PolicyArn=EXEC_POLICY)
    task = fargate_task(sim, [{"name": "web", "image": image}], execution_role=bare)
    assert task["lastStatus"] == "RUNNING"
    detail = sim.client("ecr").describe_images(repositoryName="web")["imageDetails"][0]
    assert "lastRecordedPullTime" in detail
    assert task["containers"][0]["imageDigest"] == detail["imageDigest"]


def test_fargate_explicit_deny_on_the_repository(sim):
    image = pushed(sim)
    arn = role(sim, "exec-deny", managed=[EXEC_POLICY], inline=[
        {"Effect": "Deny", "Action": "ecr:BatchGetImage", "Resource": f"arn:aws:ecr:us-east-1:{ACCOUNT}:repository/web"}])
    task = fargate_task(sim, [{"name": "web", "image": image}], execution_role=arn)
    assert task["stoppedReason"].endswith(
        f"is not authorized to perform: ecr:BatchGetImage on resource: arn:aws:ecr:us-east-1:{ACCOUNT}:repository/web "
        "with an explicit deny in an identity-based policy")


def test_missing_repository_and_missing_tag(sim):
    execution = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"
    task = fargate_task(sim, [{"name": "web", "image": f"{HOST}/nope:v1"}], execution_role=execution)
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"] == f"CannotPullContainerError: API error (404): repository {HOST}/nope not found"
    pushed(sim)
    task = fargate_task(sim, [{"name": "web", "image": f"{HOST}/web:v2"}], execution_role=execution, family="b")
    assert task["stoppedReason"] == (f"CannotPullContainerError: API error (404): manifest for {HOST}/web:v2 not found: "
                                     "manifest unknown: Requested image not found")


def test_fargate_without_a_route_times_out(sim):
    image = pushed(sim)
    execution = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"
    task = fargate_task(sim, [{"name": "web", "image": image}], execution_role=execution, public_ip=False)
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"] == (f"CannotPullContainerError: API error (500): Get https://{HOST}/v2/: net/http: "
                                     "request canceled while waiting for connection (Client.Timeout exceeded while "
                                     "awaiting headers)")
    hub = fargate_task(sim, [{"name": "web", "image": "nginx:1.27"}], public_ip=False, family="hub")
    assert "Get https://registry-1.docker.io/v2/" in hub["stoppedReason"]
    ok = fargate_task(sim, [{"name": "web", "image": "public.ecr.aws/nginx/nginx:latest"}], family="pub")
    assert ok["lastStatus"] == "RUNNING"


def test_an_execution_role_that_does_not_trust_ecs_tasks(sim):
    image = pushed(sim)
    arn = role(sim, "ec2-only", trust=EC2_TRUST, managed=[EXEC_POLICY])
    task = fargate_task(sim, [{"name": "web", "image": image}], execution_role=arn)
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"].startswith(f"ECS was unable to assume the role '{arn}' that was provided for this task.")


# --- ECR on EC2 --------------------------------------------------------------------------------------


def test_ec2_pulls_with_the_instance_role(sim):
    image = pushed(sim)
    ec2_instance(sim)
    task = ec2_task(sim, [{"name": "web", "image": image}])
    assert task["lastStatus"] == "RUNNING"


def test_ec2_instance_role_without_ecr_permissions(sim):
    image = pushed(sim)
    role(sim, "node", trust=EC2_TRUST, inline=[{"Effect": "Allow", "Action": ["ecs:*", "ec2:DescribeTags"],
                                                 "Resource": "*"}])
    iam = sim.client("iam")
    iam.create_instance_profile(InstanceProfileName="node")
    iam.add_role_to_instance_profile(InstanceProfileName="node", RoleName="node")
    ec2_instance(sim, profile="node", config_lines=["ECS_IMAGE_PULL_BEHAVIOR=always"])
    task = ec2_task(sim, [{"name": "web", "image": image}])
    instance_id = sim.client("ecs").describe_container_instances(
        cluster="prod", containerInstances=[task["containerInstanceArn"]])["containerInstances"][0]["ec2InstanceId"]
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"] == (
        f"CannotPullContainerError: AccessDeniedException: User: arn:aws:sts::{ACCOUNT}:assumed-role/node/"
        f"{instance_id} is not authorized to perform: ecr:GetAuthorizationToken on resource: * because no "
        "identity-based policy allows the ecr:GetAuthorizationToken action")
    # an execution role, when the task has one, is used instead of the instance role
    task = ec2_task(sim, [{"name": "web", "image": image}], family="with-exec",
                    execution_role=f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole")
    assert task["lastStatus"] == "RUNNING"


@pytest.mark.parametrize(("behaviour", "second_runs"), [("always", False), ("default", True), ("once", True),
                                                       ("prefer-cached", True)])
def test_image_pull_behaviour_and_the_instance_cache(sim, behaviour, second_runs):
    image = pushed(sim)
    ec2_instance(sim, config_lines=[f"ECS_IMAGE_PULL_BEHAVIOR={behaviour}"])
    assert ec2_task(sim, [{"name": "web", "image": image}])["lastStatus"] == "RUNNING"
    pulled = sim.client("ecr").describe_images(repositoryName="web")["imageDetails"][0]["lastRecordedPullTime"]
    # the instance role loses its ECR permissions: only a cached image can still start
    sim.client("iam").put_role_policy(RoleName="ecsInstanceRole", PolicyName="no-ecr", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "ecr:*", "Resource": "*"}]}))
    sim.advance(60)
    second = ec2_task(sim, [{"name": "web", "image": image}], register=False)
    assert (second["lastStatus"] == "RUNNING") == second_runs
    if not second_runs:
        assert second["stoppedReason"].startswith("CannotPullContainerError: AccessDeniedException")
    again = sim.client("ecr").describe_images(repositoryName="web")["imageDetails"][0]["lastRecordedPullTime"]
    assert again == pulled  # nobody pulled from ECR the second time


# --- private registries ------------------------------------------------------------------------------


def test_private_registry_through_repository_credentials(sim):
    private_registry(sim, "registry.example.com", username="bob", password="hunter2")
    sm = sim.client("secretsmanager")
    secret_arn = sm.create_secret(Name="registry-creds",
                                  SecretString=json.dumps({"username": "bob", "password": "hunter2"}))["ARN"]
    image = "registry.example.com/team/app:1.0"
    exec_arn = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"
    no_creds = fargate_task(sim, [{"name": "app", "image": image}], execution_role=exec_arn, family="a")
    assert no_creds["stoppedReason"] == ("CannotPullContainerError: Error response from daemon: Head "
                                         "https://registry.example.com/v2/team/app/manifests/1.0: no basic auth "
                                         "credentials")
    container = {"name": "app", "image": image, "repositoryCredentials": {"credentialsParameter": secret_arn}}
    denied = fargate_task(sim, [container], execution_role=exec_arn, family="b")
    task_id = denied["taskArn"].rsplit("/", 1)[1]
    assert denied["stopCode"] == "TaskFailedToStart"
    assert denied["stoppedReason"] == (
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
        "unable to retrieve secret from asm: service call has been retried 1 time(s): AccessDeniedException: User: "
        f"arn:aws:sts::{ACCOUNT}:assumed-role/ecsTaskExecutionRole/{task_id} is not authorized to perform: "
        f"secretsmanager:GetSecretValue on resource: {secret_arn} because no identity-based policy allows the "
        "secretsmanager:GetSecretValue action")
    sim.client("iam").put_role_policy(RoleName="ecsTaskExecutionRole", PolicyName="creds", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                                                "Resource": secret_arn}]}))
    assert fargate_task(sim, [container], execution_role=exec_arn, family="c")["lastStatus"] == "RUNNING"
    sm.put_secret_value(SecretId="registry-creds", SecretString=json.dumps({"username": "bob", "password": "nope"}))
    wrong = fargate_task(sim, [container], execution_role=exec_arn, family="d")
    assert wrong["stoppedReason"].endswith("unauthorized: incorrect username or password")


@pytest.mark.parametrize("auth_type", ["docker", "dockercfg"])
def test_private_registry_through_ecs_engine_auth_data(sim, auth_type):
    private_registry(sim, "docker.io", username="alice", password="pw", repositories=["acme/api"])
    if auth_type == "docker":
        data = {"https://index.docker.io/v1/": {"username": "alice", "password": "pw", "email": "a@example.com"}}
    else:
        data = {"https://index.docker.io/v1/": {"auth": base64.b64encode(b"alice:pw").decode(),
                                                "email": "a@example.com"}}
    ec2_instance(sim, config_lines=[f"ECS_ENGINE_AUTH_TYPE={auth_type}", f"ECS_ENGINE_AUTH_DATA={json.dumps(data)}"])
    assert ec2_task(sim, [{"name": "api", "image": "acme/api:2"}])["lastStatus"] == "RUNNING"
    assert ec2_task(sim, [{"name": "web", "image": "nginx"}], family="public")["lastStatus"] == "RUNNING"


def test_private_docker_hub_image_without_credentials(sim):
    private_registry(sim, "docker.io", username="alice", password="pw", repositories=["acme/api"])
    ec2_instance(sim)
    task = ec2_task(sim, [{"name": "api", "image": "acme/api:2"}])
    assert task["stoppedReason"] == ("CannotPullContainerError: Error response from daemon: pull access denied for "
                                     "acme/api, repository does not exist or may require 'docker login': denied: "
                                     "requested access to the resource is denied")


# --- container secrets --------------------------------------------------------------------------------


def test_container_secrets_from_ssm_and_secrets_manager(sim):
    sim.client("ssm").put_parameter(Name="/prod/db-host", Value="db.internal", Type="String")
    arn = sim.client("secretsmanager").create_secret(Name="prod/db", SecretString=json.dumps(
        {"password": "s3cret"}))["ARN"]
    exec_arn = role(sim, "exec", managed=[EXEC_POLICY])
    container = {"name": "app", "image": "nginx", "secrets": [
        {"name": "DB_HOST", "valueFrom": "/prod/db-host"},
        {"name": "DB_PASSWORD", "valueFrom": f"{arn}:password::"}]}
    denied = fargate_task(sim, [container], execution_role=exec_arn, family="a")
    assert denied["stopCode"] == "TaskFailedToStart"
    assert denied["stoppedReason"].startswith(
        "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: "
        "unable to retrieve secrets from ssm: service call has been retried 1 time(s): AccessDeniedException: ")
    assert f"ssm:GetParameters on resource: arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/prod/db-host" in \
        denied["stoppedReason"]
    sim.client("iam").put_role_policy(RoleName="exec", PolicyName="secrets", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": f"arn:aws:ssm:us-east-1:{ACCOUNT}:parameter/prod/*"},
            {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": arn}]}))
    ok = fargate_task(sim, [container], execution_role=exec_arn, family="b")
    assert ok["lastStatus"] == "RUNNING"
    task = sim.backend("ecs")._find_task_by_arn(ok["taskArn"])
    assert task.extra["secrets"] == {"app": {"DB_HOST": "db.internal", "DB_PASSWORD": "s3cret"}}
    missing_key = dict(container, secrets=[{"name": "X", "valueFrom": f"{arn}:username::"}])
    bad = fargate_task(sim, [missing_key], execution_role=exec_arn, family="c")
    assert bad["stoppedReason"].endswith("retrieved secret from Secrets Manager did not contain json key username")
    missing_param = dict(container, secrets=[{"name": "X", "valueFrom": "/prod/none"}])
    bad = fargate_task(sim, [missing_param], execution_role=exec_arn, family="d")
    assert bad["stoppedReason"].endswith("unable to retrieve secrets from ssm: service call has been retried 1 "
                                         "time(s): invalid parameters: /prod/none")


def test_container_secret_failure_on_ec2_uses_the_agent_wording(sim):
    arn = sim.client("secretsmanager").create_secret(Name="prod/db", SecretString="pw")["ARN"]
    ec2_instance(sim)
    task = ec2_task(sim, [{"name": "app", "image": "nginx", "secrets": [{"name": "P", "valueFrom": arn}]}],
                    execution_role=f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole")
    assert task["stopCode"] == "TaskFailedToStart"
    assert task["stoppedReason"].startswith(
        f"Fetching secret data from AWS Secrets Manager in region us-east-1: secret {arn}: AccessDeniedException: ")


def test_secrets_reach_the_workload_as_environment(sim):
    sim.client("ssm").put_parameter(Name="/prod/pg-password", Value="pw", Type="SecureString")
    sim.client("iam").attach_role_policy(RoleName="ecsTaskExecutionRole",
                                         PolicyArn="arn:aws:iam::aws:policy/AmazonSSMReadOnlyAccess")
    exec_arn = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"
    with_secret = fargate_task(sim, [{"name": "db", "image": "postgres:16", "secrets": [
        {"name": "POSTGRES_PASSWORD", "valueFrom": "/prod/pg-password"}]}], execution_role=exec_arn, family="a")
    assert with_secret["lastStatus"] == "RUNNING"
    without = fargate_task(sim, [{"name": "db", "image": "postgres:16"}], execution_role=exec_arn, family="b")
    assert without["lastStatus"] == "STOPPED" and without["stopCode"] == "EssentialContainerExited"


def test_pushed_workload_decides_what_the_image_does(sim):
    sim.client("ecr").create_repository(repositoryName="web")
    docker_push(sim, f"{HOST}/web:broken", workload={"exit_code": 3, "exit_after": 5})
    task = fargate_task(sim, [{"name": "web", "image": f"{HOST}/web:broken"}],
                        execution_role=f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole")
    assert task["stopCode"] == "EssentialContainerExited"
    assert task["containers"][0]["exitCode"] == 3


def test_engine_auth_data_matches_other_registries_by_host(sim):
    private_registry(sim, "registry.example.com", username="ci", password="token")
    data = {"https://registry.example.com": {"username": "ci", "password": "token", "email": "ci@example.com"},
            "https://other.example.com": {"username": "x", "password": "y", "email": "x@example.com"}}
    ec2_instance(sim, config_lines=["ECS_ENGINE_AUTH_TYPE=docker", f"ECS_ENGINE_AUTH_DATA={json.dumps(data)}"])
    assert ec2_task(sim, [{"name": "app", "image": "registry.example.com/team/app:1"}])["lastStatus"] == "RUNNING"
    unknown = ec2_task(sim, [{"name": "app", "image": "third.example.com/team/app:1"}], family="third")
    assert unknown["stoppedReason"].endswith("no basic auth credentials")
