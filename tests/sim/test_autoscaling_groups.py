"""EC2 Auto Scaling groups: launch, spread over zones, scale in by the default policy, protection."""

from __future__ import annotations

import pytest

from ecslearn.sim import ClientError
from ecslearn.sim.autoscaling import create_launch_template


@pytest.fixture
def setup(sim):
    ec2, autoscaling = sim.client("ec2"), sim.client("autoscaling")
    ami = sim.client("ssm").get_parameter(
        Name="/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id")["Parameter"]["Value"]
    subnets = sorted(ec2.describe_subnets()["Subnets"], key=lambda s: s["AvailabilityZone"])
    autoscaling.create_launch_configuration(LaunchConfigurationName="lc", ImageId=ami, InstanceType="t3.micro")
    return {"ami": ami, "subnets": ",".join(s["SubnetId"] for s in subnets[:2])}


def group(sim, name="g"):
    return sim.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]


def code_of(info) -> str:
    return info.value.response["Error"]["Code"]


def test_group_launches_spreads_and_goes_in_service(sim, setup):
    autoscaling = sim.client("autoscaling")
    autoscaling.create_auto_scaling_group(AutoScalingGroupName="g", LaunchConfigurationName="lc", MinSize=1,
                                          MaxSize=5, DesiredCapacity=3, VPCZoneIdentifier=setup["subnets"],
                                          Tags=[{"Key": "team", "Value": "web", "PropagateAtLaunch": True}])
    g = group(sim)
    assert [i["LifecycleState"] for i in g["Instances"]] == ["Pending"] * 3
    assert sorted(i["AvailabilityZone"] for i in g["Instances"]) == ["us-east-1a", "us-east-1a", "us-east-1b"]
    sim.settle()
    g = group(sim)
    assert [i["LifecycleState"] for i in g["Instances"]] == ["InService"] * 3
    ids = [i["InstanceId"] for i in g["Instances"]]
    reservations = sim.client("ec2").describe_instances(InstanceIds=ids)["Reservations"]
    tags = [{t["Key"]: t["Value"] for t in r["Instances"][0].get("Tags", [])} for r in reservations]
    assert all(t.get("team") == "web" and t.get("aws:autoscaling:groupName") == "g" for t in tags)
    # scale in: the zone with the most instances, then the oldest instance
    autoscaling.set_desired_capacity(AutoScalingGroupName="g", DesiredCapacity=2)
    sim.settle()
    g = group(sim)
    assert sorted(i["AvailabilityZone"] for i in g["Instances"]) == ["us-east-1a", "us-east-1b"]
    assert ids[0] not in [i["InstanceId"] for i in g["Instances"]]
    activities = autoscaling.describe_scaling_activities(AutoScalingGroupName="g")["Activities"]
    assert activities[0]["Description"] == f"Terminating EC2 instance: {ids[0]}"
    assert "changing the desired capacity from 3 to 2" in activities[0]["Cause"]


def test_protected_instances_are_not_scaled_in_and_lost_instances_are_replaced(sim, setup):
    autoscaling = sim.client("autoscaling")
    autoscaling.create_auto_scaling_group(AutoScalingGroupName="g", LaunchConfigurationName="lc", MinSize=0,
                                          MaxSize=4, DesiredCapacity=2, VPCZoneIdentifier=setup["subnets"],
                                          NewInstancesProtectedFromScaleIn=True)
    sim.settle()
    ids = [i["InstanceId"] for i in group(sim)["Instances"]]
    autoscaling.set_desired_capacity(AutoScalingGroupName="g", DesiredCapacity=1)
    sim.advance(30)
    assert len(group(sim)["Instances"]) == 2  # both protected: nothing can go
    autoscaling.set_instance_protection(InstanceIds=[ids[1]], AutoScalingGroupName="g", ProtectedFromScaleIn=False)
    sim.advance(30)
    assert [i["InstanceId"] for i in group(sim)["Instances"]] == [ids[0]]
    sim.client("ec2").terminate_instances(InstanceIds=[ids[0]])
    sim.advance(30)
    g = group(sim)
    assert ids[0] not in [i["InstanceId"] for i in g["Instances"]] and len(g["Instances"]) == 1


def test_validation_and_delete(sim, setup):
    autoscaling = sim.client("autoscaling")
    with pytest.raises(ClientError) as e:
        autoscaling.create_auto_scaling_group(AutoScalingGroupName="g", LaunchConfigurationName="lc", MinSize=3,
                                              MaxSize=1, VPCZoneIdentifier=setup["subnets"])
    assert code_of(e) == "ValidationError" and "Max bound, 1" in str(e.value)
    with pytest.raises(ClientError) as e:
        autoscaling.create_auto_scaling_group(AutoScalingGroupName="g", LaunchConfigurationName="missing",
                                              MinSize=0, MaxSize=1, VPCZoneIdentifier=setup["subnets"])
    assert code_of(e) == "ValidationError"
    with pytest.raises(ClientError) as e:
        autoscaling.create_auto_scaling_group(AutoScalingGroupName="g", MinSize=0, MaxSize=1,
                                              VPCZoneIdentifier=setup["subnets"])
    assert "LaunchTemplate, LaunchConfigurationName" in str(e.value)
    autoscaling.create_auto_scaling_group(AutoScalingGroupName="g", LaunchConfigurationName="lc", MinSize=0,
                                          MaxSize=2, DesiredCapacity=1, VPCZoneIdentifier=setup["subnets"])
    with pytest.raises(ClientError) as e:
        autoscaling.create_auto_scaling_group(AutoScalingGroupName="g", LaunchConfigurationName="lc", MinSize=0,
                                              MaxSize=2, VPCZoneIdentifier=setup["subnets"])
    assert code_of(e) == "AlreadyExists"
    with pytest.raises(ClientError) as e:
        autoscaling.set_desired_capacity(AutoScalingGroupName="g", DesiredCapacity=3)
    assert code_of(e) == "ValidationError"
    autoscaling.update_auto_scaling_group(AutoScalingGroupName="g", MinSize=2)  # raises desired to the min
    assert group(sim)["DesiredCapacity"] == 2
    with pytest.raises(ClientError) as e:
        autoscaling.delete_auto_scaling_group(AutoScalingGroupName="g")
    assert code_of(e) == "ResourceInUse"
    with pytest.raises(ClientError) as e:
        autoscaling.delete_launch_configuration(LaunchConfigurationName="lc")
    assert code_of(e) == "ResourceInUse"
    autoscaling.delete_auto_scaling_group(AutoScalingGroupName="g", ForceDelete=True)
    assert autoscaling.describe_auto_scaling_groups()["AutoScalingGroups"] == []
    sim.settle()
    states = {r["Instances"][0]["State"]["Name"]
              for r in sim.client("ec2").describe_instances()["Reservations"]}
    assert states == {"terminated"}


def test_launch_template_store(sim, setup):
    ids = create_launch_template(sim, "ecs-nodes", {"ImageId": setup["ami"], "InstanceType": "t3.small"})
    autoscaling = sim.client("autoscaling")
    autoscaling.create_auto_scaling_group(AutoScalingGroupName="g", MinSize=1, MaxSize=1,
                                          LaunchTemplate={"LaunchTemplateName": "ecs-nodes", "Version": "$Latest"},
                                          VPCZoneIdentifier=setup["subnets"])
    g = group(sim)
    assert g["LaunchTemplate"]["LaunchTemplateId"] == ids["LaunchTemplateId"]
    assert g["Instances"][0]["InstanceType"] == "t3.small"
    with pytest.raises(ClientError):
        autoscaling.create_auto_scaling_group(AutoScalingGroupName="h", MinSize=1, MaxSize=1,
                                              LaunchTemplate={"LaunchTemplateId": "lt-0000"},
                                              VPCZoneIdentifier=setup["subnets"])
