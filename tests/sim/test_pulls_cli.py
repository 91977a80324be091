"""The whole ECR → Fargate → CloudWatch Logs path through the real AWS CLI, as a lesson would type it."""

from __future__ import annotations

import json

from ecslearn.sim import Simulator
from ecslearn.sim.bridge import AwsCli
from ecslearn.sim.docker import docker_login, docker_push

HOST = "123456789012.dkr.ecr.us-east-1.amazonaws.com"


def test_push_run_and_read_logs_with_the_aws_cli(tmp_path):
    sim = Simulator(seed=0)
    cli = AwsCli(sim, cwd=tmp_path)

    def aws(cmd):
        result = cli.run(cmd)
        assert result.exit_code == 0, result.stderr
        return result.stdout

    aws("aws ecr create-repository --repository-name web")
    password = aws("aws ecr get-login-password --region us-east-1").strip()
    assert docker_login(sim, password, HOST) == "Login Succeeded"
    docker_push(sim, f"{HOST}/web:v1", logged_in=False, workload={"log_lines": ["server started"]})
    aws("aws logs create-log-group --log-group-name /ecs/web")
    (tmp_path / "td.json").write_text(json.dumps({
        "family": "web", "requiresCompatibilities": ["FARGATE"], "networkMode": "awsvpc", "cpu": "256",
        "memory": "512", "executionRoleArn": "arn:aws:iam::123456789012:role/ecsTaskExecutionRole",
        "containerDefinitions": [{"name": "web", "image": f"{HOST}/web:v1", "logConfiguration": {
            "logDriver": "awslogs", "options": {"awslogs-group": "/ecs/web", "awslogs-region": "us-east-1",
                                                "awslogs-stream-prefix": "ecs"}}}]}))
    aws("aws ecs register-task-definition --cli-input-json file://td.json")
    aws("aws ecs create-cluster --cluster-name prod")
    subnet = aws("aws ec2 describe-subnets --query Subnets[0].SubnetId --output text").strip()
    task_arn = aws("aws ecs run-task --cluster prod --task-definition web --launch-type FARGATE "
                   f"--network-configuration awsvpcConfiguration={{subnets=[{subnet}],assignPublicIp=ENABLED}} "
                   "--query tasks[0].taskArn --output text").strip()
    sim.settle()
    assert aws(f"aws ecs describe-tasks --cluster prod --tasks {task_arn} --query tasks[0].lastStatus "
               "--output text").strip() == "RUNNING"
    task_id = task_arn.rsplit("/", 1)[1]
    out = aws(f"aws logs get-log-events --log-group-name /ecs/web --log-stream-name ecs/web/{task_id} "
              "--query events[].message --output text")
    assert out.strip() == "server started"
    # the execution role loses ECR access: the next task cannot pull
    aws("aws iam detach-role-policy --role-name ecsTaskExecutionRole --policy-arn "
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")
    task_arn = aws("aws ecs run-task --cluster prod --task-definition web --launch-type FARGATE "
                   f"--network-configuration awsvpcConfiguration={{subnets=[{subnet}],assignPublicIp=ENABLED}} "
                   "--query tasks[0].taskArn --output text").strip()
    sim.settle()
    reason = aws(f"aws ecs describe-tasks --cluster prod --tasks {task_arn} --query tasks[0].stoppedReason "
                 "--output text").strip()
    assert reason.startswith("CannotPullContainerError: AccessDeniedException: User: arn:aws:sts::123456789012:"
                             "assumed-role/ecsTaskExecutionRole/")
