"""boto3 clients and the real AWS CLI (awscli v1) driving the simulator in-process."""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime

import botocore.exceptions
import pytest

from ecslearn.sim import Simulator, boto3_session
from ecslearn.sim.bridge import AwsCli, CliResult

ECS_AMI_PARAM = "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id"


@pytest.fixture
def cli(sim, tmp_path) -> AwsCli:
    return AwsCli(sim, cwd=tmp_path)


def _ecs_ami(sim: Simulator) -> str:
    images = sim.client("ec2").describe_images(Owners=["amazon"])["Images"]
    return next(i["ImageId"] for i in images if "ecs" in i["Name"] and i.get("Architecture") == "x86_64")


# --- boto3 --------------------------------------------------------------------------------------


def test_boto3_clients_drive_the_simulator(sim):
    ecs = boto3_session(sim).client("ecs")
    assert ecs.meta.region_name == "us-east-1"
    made = ecs.create_cluster(clusterName="prod")
    assert made["cluster"]["status"] == "ACTIVE"
    assert made["ResponseMetadata"]["HTTPStatusCode"] == 200
    # the same state is visible through the simulator's own client and vice versa
    sim.client("ecs").create_cluster(clusterName="dev")
    assert ecs.list_clusters()["clusterArns"] == [
        "arn:aws:ecs:us-east-1:123456789012:cluster/prod", "arn:aws:ecs:us-east-1:123456789012:cluster/dev"]
    pages = list(ecs.get_paginator("list_clusters").paginate(PaginationConfig={"PageSize": 1}))
    assert [p["clusterArns"] for p in pages] == [[made["cluster"]["clusterArn"]],
                                                 ["arn:aws:ecs:us-east-1:123456789012:cluster/dev"]]


def test_boto3_errors_are_botocores_own_exceptions(sim):
    ecs = boto3_session(sim).client("ecs")
    with pytest.raises(ecs.exceptions.ClusterNotFoundException) as info:
        ecs.delete_cluster(cluster="missing")
    err = info.value
    assert isinstance(err, botocore.exceptions.ClientError)
    assert err.response["Error"] == {"Code": "ClusterNotFoundException", "Message": "Cluster not found."}
    assert str(err) == ("An error occurred (ClusterNotFoundException) when calling the DeleteCluster "
                        "operation: Cluster not found.")
    # botocore validates against the real model before anything reaches the simulator
    with pytest.raises(botocore.exceptions.ParamValidationError, match="Invalid type for parameter clusterName"):
        ecs.create_cluster(clusterName=5)


def test_boto3_unmodelled_things_say_so(sim):
    session = boto3_session(sim)
    with pytest.raises(botocore.exceptions.ClientError) as info:
        session.client("ecs").create_task_set(service="s", cluster="c", taskDefinition="t")
    assert info.value.response["Error"] == {"Code": "NotModelled",
                                            "Message": "ecslearn does not model ecs CreateTaskSet yet"}
    with pytest.raises(botocore.exceptions.ClientError, match="does not model the s3 service"):
        session.client("s3").list_buckets()
    with pytest.raises(botocore.exceptions.ClientError, match="does not model region eu-west-1"):
        session.client("ecs", region_name="eu-west-1").list_clusters()


def test_boto3_session_ignores_the_users_environment(sim, monkeypatch, tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\nregion = eu-west-1\n[profile other]\nregion = ap-south-1\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "does-not-exist")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "real-key-must-not-be-used")
    session = boto3_session(sim)
    assert session.region_name == "us-east-1"
    assert session.get_credentials().access_key != "real-key-must-not-be-used"
    assert session.client("sts").get_caller_identity()["Account"] == "123456789012"


def test_boto3_ec2_run_instances_keeps_datetimes_and_drops_generated_client_token(sim):
    ec2 = boto3_session(sim).client("ec2")
    ami = boto3_session(sim).client("ssm").get_parameter(Name=ECS_AMI_PARAM)["Parameter"]["Value"]
    assert ami in {i["ImageId"] for i in ec2.describe_images(Owners=["amazon"])["Images"]}
    out = ec2.run_instances(ImageId=ami, InstanceType="m5.large", MinCount=1, MaxCount=1,
                            UserData="#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config")
    inst = out["Instances"][0]
    assert isinstance(inst["LaunchTime"], datetime) and inst["LaunchTime"] == sim.now
    # botocore invents a ClientToken for RunInstances; the simulator must not see it as the user's
    assert "ClientToken" not in inst or inst["ClientToken"] in ("", None)
    ec2.get_waiter("instance_running").wait(InstanceIds=[inst["InstanceId"]])  # moves the simulated clock
    state = ec2.describe_instances(InstanceIds=[inst["InstanceId"]])["Reservations"][0]["Instances"][0]["State"]
    assert state["Name"] == "running"


def test_boto3_resources_work_too(sim):
    ec2 = boto3_session(sim).resource("ec2")
    vpcs = list(ec2.vpcs.all())
    assert len(vpcs) == 1 and vpcs[0].is_default
    assert sorted(s.availability_zone for s in vpcs[0].subnets.all()) == [f"us-east-1{z}" for z in "abcdef"]


# --- the AWS CLI ----------------------------------------------------------------------------------


def test_cli_prints_json_table_and_text(cli):
    made = cli.run("aws ecs create-cluster --cluster-name prod")
    assert made.exit_code == 0 and made.stderr == ""
    assert json.loads(made.stdout)["cluster"]["clusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
    assert made.stdout.startswith('{\n    "cluster": {\n        "clusterArn"')  # awscli's 4-space JSON

    table = cli.run("aws ecs list-clusters --output table")
    assert table == CliResult(0, (
        "-------------------------------------------------------\n"
        "|                    ListClusters                     |\n"
        "+-----------------------------------------------------+\n"
        "||                    clusterArns                    ||\n"
        "|+---------------------------------------------------+|\n"
        "||  arn:aws:ecs:us-east-1:123456789012:cluster/prod  ||\n"
        "|+---------------------------------------------------+|\n"), "")

    text = cli.run(["ecs", "describe-clusters", "--clusters", "prod", "nope", "--output", "text"])
    assert text.exit_code == 0
    assert text.stdout.splitlines() == [
        "CLUSTERS\t0\tarn:aws:ecs:us-east-1:123456789012:cluster/prod\tprod\t0\t0\t0\tACTIVE",
        "SETTINGS\tcontainerInsights\tdisabled",
        "FAILURES\tarn:aws:ecs:us-east-1:123456789012:cluster/nope\tMISSING",
    ]


def test_cli_service_error_text_and_exit_code(cli):
    out = cli.run("aws ecs delete-cluster --cluster missing")
    assert out == CliResult(254, "", "\nAn error occurred (ClusterNotFoundException) when calling the "
                                     "DeleteCluster operation: Cluster not found.\n")
    out = cli.run("aws ecs create-task-set --service s --cluster c --task-definition t")
    assert out.exit_code == 254
    assert out.stderr == ("\nAn error occurred (NotModelled) when calling the CreateTaskSet operation: "
                          "ecslearn does not model ecs CreateTaskSet yet\n")


def test_cli_query_and_shorthand(cli):
    out = cli.run("aws ecs create-cluster --cluster-name prod --tags key=team,value=web key=env,value=dev "
                  "--settings name=containerInsights,value=enabled --query \"cluster.tags[?key=='env'].value\" "
                  "--output text")
    assert out == CliResult(0, "dev\n", "")
    out = cli.run("aws ecs describe-clusters --clusters prod --include TAGS "
                  "--query 'clusters[0].{name: clusterName, insights: settings[0].value, tags: length(tags)}'")
    assert json.loads(out.stdout) == {"name": "prod", "insights": "enabled", "tags": 2}


def test_cli_input_json_and_file_paths_relative_to_the_working_directory(cli, tmp_path):
    (tmp_path / "cluster.json").write_text(json.dumps({"clusterName": "from-file",
                                                       "tags": [{"key": "k", "value": "v"}]}))
    out = cli.run("aws ecs create-cluster --cli-input-json file://cluster.json --query cluster.clusterName")
    assert out == CliResult(0, '"from-file"\n', "")
    inline = cli.run(["aws", "ecs", "create-cluster", "--cli-input-json", '{"clusterName": "inline"}',
                      "--query", "cluster.clusterName", "--output", "text"])
    assert inline == CliResult(0, "inline\n", "")
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "c.json").write_text('{"clusterName": "other-dir"}')
    assert cli.run("aws ecs create-cluster --cli-input-json file://c.json", cwd=other).exit_code == 0
    missing = cli.run("aws ecs create-cluster --cli-input-json file://nope.json")
    assert missing.exit_code == 252
    assert missing.stderr == ("\nError parsing parameter '--cli-input-json': Unable to load paramfile "
                              "file://nope.json: [Errno 2] No such file or directory: 'nope.json'\n")


def test_cli_bad_input_never_shows_a_traceback(cli):
    bad_json = cli.run("aws ecs create-cluster --cli-input-json {bad")
    assert bad_json.exit_code == 252
    assert bad_json.stderr.startswith("\nError parsing parameter 'cli-input-json': Invalid JSON:")

    wrong_type = cli.run("aws ecs create-cluster --cluster-name prod --tags key=a,valu=b")
    assert wrong_type == CliResult(252, "", '\nParameter validation failed:\nUnknown parameter in tags[0]: '
                                            '"valu", must be one of: key, value\n')

    shorthand = cli.run("aws ecs list-clusters --max-results abc")
    assert shorthand.exit_code == 255 and "invalid literal for int()" in shorthand.stderr

    usage = cli.run("aws ecs")
    assert usage.exit_code == 252
    assert usage.stderr.endswith("aws: error: the following arguments are required: operation\n")

    typo = cli.run("aws ecs run-tsk")
    assert typo.exit_code == 252
    assert "Invalid choice: 'run-tsk', maybe you meant:\n\n  * run-task" in typo.stderr

    unknown = cli.run("aws ecs list-clusters --nope 1")
    assert unknown.exit_code == 252 and unknown.stderr.endswith("Unknown options: --nope, 1\n")

    quote = cli.run("aws ecs create-cluster --cluster-name 'unterminated")
    assert quote.exit_code == 252 and "No closing quotation" in quote.stderr

    for result in (bad_json, wrong_type, shorthand, usage, typo, unknown, quote):
        assert "Traceback" not in result.stderr + result.stdout


def test_cli_simulator_refusals_come_back_as_service_errors(cli):
    out = cli.run("aws ecs list-clusters --max-results 0")
    assert out == CliResult(254, "", "\nAn error occurred (InvalidParameterException) when calling the "
                                     "ListClusters operation: maxResults must be between 1 and 100.\n")
    bad = cli.run("aws ec2 describe-instances --instance-ids ''")
    assert bad.exit_code == 254
    assert bad.stderr.startswith("\nAn error occurred (InvalidInstanceID.Malformed) when calling the "
                                 "DescribeInstances operation:")


def test_cli_timestamps_print_as_the_wire_sends_them(cli, sim):
    ami = _ecs_ami(sim)
    out = cli.run(f"aws ec2 run-instances --image-id {ami} --instance-type m5.large --count 1 "
                  "--query Instances[0].LaunchTime --output text")
    assert out == CliResult(0, "2026-01-05T09:00:00.000Z\n", "")  # EC2 sends ISO 8601 with milliseconds
    role = cli.run("aws iam get-role --role-name ecsTaskExecutionRole "
                   "--query Role.[CreateDate,AssumeRolePolicyDocument.Statement[0].Principal.Service] "
                   "--output text")
    assert role.exit_code == 0
    created, principal = role.stdout.split()
    assert created.endswith("Z") and "." not in created  # IAM sends whole seconds
    assert principal == "ecs-tasks.amazonaws.com"  # policy documents decoded by botocore as for real


def test_cli_waiters_move_the_simulated_clock(cli, sim):
    ami = _ecs_ami(sim)
    start = sim.now
    iid = cli.run(f"aws ec2 run-instances --image-id {ami} --instance-type t3.micro --count 1 "
                  "--query Instances[0].InstanceId --output text").stdout.strip()
    assert cli.run(f"aws ec2 wait instance-running --instance-ids {iid}") == CliResult(0, "", "")
    assert sim.now > start
    assert cli.run(f"aws ec2 describe-instances --instance-ids {iid} "
                   "--query Reservations[0].Instances[0].State.Name --output text").stdout == "running\n"


def test_global_flags_do_not_stick_between_commands(cli):
    other = cli.run("aws --region eu-west-1 ecs list-clusters")
    assert other.exit_code == 254 and "does not model region eu-west-1" in other.stderr
    assert cli.run("aws ecs list-clusters").exit_code == 0
    profile = cli.run("aws --profile nobody ecs list-clusters")
    assert profile.exit_code == 255 and "The config profile (nobody) could not be found" in profile.stderr
    assert cli.run("aws ecs list-clusters").exit_code == 0


def test_help_is_plain_text_on_stdout(cli):
    out = cli.run("aws ecs help")
    assert out.exit_code == 0
    assert "create-cluster" in out.stdout and "run-task" in out.stdout
    assert cli.run("aws configure list").exit_code == 252
    assert cli.run("aws --debug --region us-east-1 configure set region x") == CliResult(
        252, "", "`aws configure` is not needed here: the simulated account has fixed credentials and lives "
                 "in us-east-1.\n")


def test_two_clis_on_two_simulators_do_not_share_state(tmp_path):
    a, b = Simulator(seed=1), Simulator(seed=2)
    cli_a, cli_b = AwsCli(a, cwd=tmp_path), AwsCli(b, cwd=tmp_path)
    assert cli_a.run("aws ecs create-cluster --cluster-name only-in-a").exit_code == 0
    assert json.loads(cli_b.run("aws ecs list-clusters").stdout) == {"clusterArns": []}
    assert b.client("ecs").list_clusters()["clusterArns"] == []
    assert a.client("ecs").list_clusters()["clusterArns"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/only-in-a"]

    # from two threads at once: each command still sees its own simulator and its own output
    results: dict[str, list[CliResult]] = {"a": [], "b": []}

    def work(name: str, c: AwsCli) -> None:
        for i in range(15):
            results[name].append(c.run(f"aws ecs create-cluster --cluster-name {name}{i} "
                                       "--query cluster.clusterName --output text"))

    threads = [threading.Thread(target=work, args=("a", cli_a)), threading.Thread(target=work, args=("b", cli_b))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.stdout for r in results["a"]] == [f"a{i}\n" for i in range(15)]
    assert [r.stdout for r in results["b"]] == [f"b{i}\n" for i in range(15)]
    assert len(b.client("ecs").list_clusters()["clusterArns"]) == 15


def test_running_commands_leaves_no_global_state_behind(cli):
    import sys

    before = {n: list(logging.getLogger(n).handlers) for n in ("awscli", "botocore")}
    stdout, stderr, argv = sys.stdout, sys.stderr, list(sys.argv)
    for _ in range(3):
        cli.run("aws ecs list-clusters")
        cli.run("aws --debug ecs list-clusters")
        cli.run("aws ecs nope")
    assert {n: list(logging.getLogger(n).handlers) for n in ("awscli", "botocore")} == before
    assert (sys.stdout, sys.stderr, sys.argv) == (stdout, stderr, argv)


def _cluster_with_instances(cli: AwsCli, sim: Simulator, count: int = 2) -> None:
    from pathlib import Path

    Path(cli.cwd, "ud.sh").write_text("#!/bin/bash\necho ECS_CLUSTER=prod >> /etc/ecs/ecs.config\n")
    assert cli.run("aws ecs create-cluster --cluster-name prod").exit_code == 0
    out = cli.run(f"aws ec2 run-instances --image-id {_ecs_ami(sim)} --instance-type m5.large --count {count} "
                  "--user-data file://ud.sh --iam-instance-profile Name=ecsInstanceRole")
    assert out.exit_code == 0, out.stderr
    sim.settle()
    assert len(sim.client("ecs").list_container_instances(cluster="prod")["containerInstanceArns"]) == count


def test_famous_run_task_with_binpack_placement_prints_a_table(cli, sim):
    """`aws ecs run-task ... --placement-strategy type=binpack,field=memory --output table`."""
    _cluster_with_instances(cli, sim)
    reg = cli.run("aws ecs register-task-definition --family web --container-definitions "
                  "name=web,image=nginx,memory=512,essential=true --query taskDefinition.revision")
    assert reg == CliResult(0, "1\n", "")
    out = cli.run("aws ecs run-task --cluster prod --task-definition web --count 3 "
                  "--placement-strategy type=binpack,field=memory --output table")
    assert out.exit_code == 0, out.stderr
    lines = out.stdout.splitlines()
    width = len(lines[0])
    assert lines[0] == "-" * width and all(len(line) == width for line in lines)
    assert lines[1].strip("| ") == "RunTask" and lines[3].strip("| ") == "tasks"
    rows = {line.strip("|").split("|")[0].strip(): line.strip("|").split("|")[1].strip()
            for line in lines if line.startswith("||  ") and line.count("|") == 5}
    assert rows["launchType"] == "EC2" and rows["lastStatus"] == "PENDING" and rows["group"] == "family:web"
    assert rows["createdAt"] == "1767603640.0"  # ECS (JSON protocol) sends epoch seconds; awscli v1 prints them
    assert sum(line.startswith("||  taskArn ") for line in lines) == 3
    assert sum(line.startswith("|||  taskArn ") for line in lines) == 3  # in each task's containers
    # binpack on memory fills one instance before the other
    placed = cli.run("aws ecs list-tasks --cluster prod --query taskArns --output text").stdout.split()
    instances = {t["containerInstanceArn"] for t in
                 sim.client("ecs").describe_tasks(cluster="prod", tasks=placed)["tasks"]}
    assert len(placed) == 3 and len(instances) == 1


def test_boto3_run_task_and_failures_are_data(sim, tmp_path):
    cli = AwsCli(sim, cwd=tmp_path)
    _cluster_with_instances(cli, sim, count=1)
    ecs = boto3_session(sim).client("ecs")
    ecs.register_task_definition(family="big", containerDefinitions=[
        {"name": "big", "image": "nginx", "memory": 60000, "essential": True}])
    out = ecs.run_task(cluster="prod", taskDefinition="big", placementStrategy=[
        {"type": "binpack", "field": "memory"}])
    assert out["tasks"] == []
    assert [f["reason"] for f in out["failures"]] == ["RESOURCE:MEMORY"]


def test_ecr_get_login_password(cli):
    out = cli.run("aws ecr get-login-password")
    assert out.exit_code == 0 and out.stderr == ""
    assert len(out.stdout.strip()) > 20 and "\n" not in out.stdout.strip()
    made = cli.run("aws ecr create-repository --repository-name web --query repository.repositoryUri --output text")
    assert made == CliResult(0, "123456789012.dkr.ecr.us-east-1.amazonaws.com/web\n", "")


def test_cli_ignores_the_users_aws_environment_and_files(sim, tmp_path, monkeypatch):
    config = tmp_path / "config"
    config.write_text("[default]\nregion = eu-west-1\noutput = table\n")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "does-not-exist")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")
    monkeypatch.setenv("AWS_DEFAULT_OUTPUT", "text")
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".aws" / "cli").mkdir(parents=True)
    (tmp_path / ".aws" / "cli" / "alias").write_text("[toplevel]\nwhoami = sts get-caller-identity\n")
    cli = AwsCli(sim, cwd=tmp_path)
    out = cli.run("aws ecs list-clusters")
    assert out == CliResult(0, '{\n    "clusterArns": []\n}\n', "")
    assert cli.run("aws whoami").exit_code == 252  # the user's aliases are not read either
