"""Random requests to EC2, SSM and the container-instance operations never escape as Python errors,
and random instance lifecycles keep EC2 and ECS consistent."""

from __future__ import annotations

import contextlib

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ecslearn.errors import NotModelledError, ParamValidationError
from ecslearn.sim import ClientError, Simulator
from ecslearn.sim.ec2 import IMAGES

EXPECTED = (ClientError, ParamValidationError, NotModelledError)

def _world() -> tuple[Simulator, str]:
    """A simulator with one running ECS instance (its id is the same on every call: same seed)."""
    sim = Simulator(seed=0)
    sim.client("ecs").create_cluster(clusterName="default")
    iid = sim.client("ec2").run_instances(ImageId=IMAGES[0].id, InstanceType="t3.micro", MinCount=1, MaxCount=1,
                                          IamInstanceProfile={"Name": "ecsInstanceRole"})["Instances"][0]["InstanceId"]
    sim.settle()
    return sim, iid


INSTANCE_ID = _world()[1]

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.text(max_size=12),
                    st.sampled_from([IMAGES[0].id, next(i.id for i in IMAGES if not i.ecs_optimized), "t3.micro", "m6g.large", "us-east-1b",
                                     "ecsInstanceRole", "instance", "running", INSTANCE_ID,
                                     "userData", "default"]))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                      st.dictionaries(st.text(max_size=8), inner, max_size=3)),
                      max_leaves=6)

RUN_KEYS = ["ImageId", "InstanceType", "MinCount", "MaxCount", "SubnetId", "Placement", "UserData",
            "IamInstanceProfile", "TagSpecifications", "SecurityGroupIds", "KeyName"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(RUN_KEYS), values, max_size=6))
def test_run_instances_random_parameters(params):
    sim = Simulator(seed=0)
    if isinstance(params.get("MaxCount"), int):
        params["MaxCount"] = min(params["MaxCount"], 3)
    with contextlib.suppress(EXPECTED):
        sim.client("ec2").run_instances(**params)
    sim.settle()


OPS = {
    "ec2": {"describe_instances": ["InstanceIds", "Filters", "MaxResults", "NextToken"],
            "describe_images": ["ImageIds", "Owners", "Filters"],
            "describe_subnets": ["SubnetIds", "Filters"],
            "describe_vpcs": ["VpcIds", "Filters"],
            "describe_availability_zones": ["ZoneNames", "ZoneIds", "Filters"],
            "describe_instance_types": ["InstanceTypes", "Filters", "MaxResults", "NextToken"],
            "stop_instances": ["InstanceIds", "Force"], "start_instances": ["InstanceIds"],
            "terminate_instances": ["InstanceIds"],
            "create_tags": ["Resources", "Tags"], "delete_tags": ["Resources", "Tags"],
            "describe_tags": ["Filters", "MaxResults"],
            "describe_instance_attribute": ["InstanceId", "Attribute"],
            "associate_iam_instance_profile": ["InstanceId", "IamInstanceProfile"],
            "describe_iam_instance_profile_associations": ["AssociationIds", "Filters"]},
    "ssm": {"get_parameter": ["Name", "WithDecryption"], "get_parameters": ["Names", "WithDecryption"],
            "put_parameter": ["Name", "Value", "Type", "Overwrite", "AllowedPattern", "Tags", "DataType"],
            "delete_parameter": ["Name"], "describe_parameters": ["Filters", "ParameterFilters", "MaxResults"]},
    "ecs": {"describe_container_instances": ["cluster", "containerInstances", "include"],
            "list_container_instances": ["cluster", "status", "filter", "maxResults", "nextToken"],
            "update_container_instances_state": ["cluster", "containerInstances", "status"],
            "deregister_container_instance": ["cluster", "containerInstance", "force"],
            "list_attributes": ["cluster", "targetType", "attributeName", "attributeValue"]},
}
CALLS = [(svc, op, keys) for svc, ops in OPS.items() for op, keys in ops.items()]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(CALLS), st.data())
def test_other_operations_random_parameters(call, data):
    svc, op, keys = call
    params = data.draw(st.dictionaries(st.sampled_from(keys), values, max_size=4))
    sim, _ = _world()
    with contextlib.suppress(EXPECTED):
        getattr(sim.client(svc), op)(**params)


ACTIONS = st.lists(st.tuples(st.sampled_from(["launch", "stop", "start", "terminate", "advance", "drain"]),
                             st.integers(0, 5)), max_size=14)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ACTIONS)
def test_random_lifecycles_keep_ec2_and_ecs_consistent(actions):
    sim = Simulator(seed=1)
    ec2, ecs = sim.client("ec2"), sim.client("ecs")
    ids: list[str] = []
    for action, n in actions:
        try:
            if action == "launch":
                ids.append(ec2.run_instances(ImageId=IMAGES[0].id, InstanceType="t3.small", MinCount=1, MaxCount=1,
                                             IamInstanceProfile={"Name": "ecsInstanceRole"})["Instances"][0]["InstanceId"])
            elif action in ("stop", "start", "terminate") and ids:
                getattr(ec2, f"{action}_instances")(InstanceIds=[ids[n % len(ids)]])
            elif action == "drain" and "default" in sim.backend("ecs").clusters:
                arns = ecs.list_container_instances()["containerInstanceArns"]
                if arns:
                    ecs.update_container_instances_state(containerInstances=[arns[n % len(arns)]], status="DRAINING")
            else:
                sim.advance(n * 13)
        except ClientError as exc:
            assert exc.code == "IncorrectInstanceState", exc
    sim.settle()
    backend = sim.backend("ecs")
    cluster = backend.clusters.get("default")
    registered = {} if cluster is None else {ci.ec2_instance_id: ci for ci in cluster.container_instances.values()}
    for iid in ids:
        state = sim.backend("ec2")._instance(iid).state
        ci = registered.get(iid)
        if state == "running":
            assert ci is not None and ci.status in ("ACTIVE", "DRAINING") and ci.agent_connected
        elif state == "stopped":
            assert ci is None or (ci.status in ("ACTIVE", "DRAINING") and not ci.agent_connected)
        elif state == "terminated":
            # running when terminated: deregistered; stopped first: left ACTIVE and disconnected (§5.1)
            assert ci is None or ci.status == "INACTIVE" or not ci.agent_connected
    # at most one registration per EC2 instance
    if cluster is not None:
        owners = [ci.ec2_instance_id for ci in cluster.container_instances.values()]
        assert len(owners) == len(set(owners))
