"""Clusters and tags."""

from __future__ import annotations

import pytest

from ecslearn.sim import ClientError


def test_create_is_idempotent_and_listed(sim):
    ecs = sim.client("ecs")
    first = ecs.create_cluster(clusterName="prod")["cluster"]
    again = ecs.create_cluster(clusterName="prod")["cluster"]
    assert first["clusterArn"] == again["clusterArn"] == "arn:aws:ecs:us-east-1:123456789012:cluster/prod"
    assert ecs.list_clusters()["clusterArns"] == [first["clusterArn"]]


def test_no_cluster_until_created(sim):
    assert sim.client("ecs").list_clusters()["clusterArns"] == []


def test_describe_missing_is_a_failure_not_an_error(sim):
    out = sim.client("ecs").describe_clusters(clusters=["ghost"])
    assert out["clusters"] == []
    assert out["failures"] == [{"arn": "arn:aws:ecs:us-east-1:123456789012:cluster/ghost", "reason": "MISSING"}]


def test_delete_makes_cluster_inactive(sim):
    ecs = sim.client("ecs")
    ecs.create_cluster(clusterName="tmp")
    assert ecs.delete_cluster(cluster="tmp")["cluster"]["status"] == "INACTIVE"
    assert ecs.list_clusters()["clusterArns"] == []
    assert ecs.describe_clusters(clusters=["tmp"])["clusters"][0]["status"] == "INACTIVE"
    with pytest.raises(ClientError, match="Cluster not found"):
        ecs.delete_cluster(cluster="tmp")


def test_invalid_cluster_name(sim):
    with pytest.raises(ClientError) as info:
        sim.client("ecs").create_cluster(clusterName="bad name!")
    assert info.value.code == "InvalidParameterException"


def test_tags_round_trip(sim):
    ecs = sim.client("ecs")
    arn = ecs.create_cluster(clusterName="prod", tags=[{"key": "team", "value": "a"}])["cluster"]["clusterArn"]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "prod"}, {"key": "team", "value": "b"}])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [
        {"key": "team", "value": "b"}, {"key": "env", "value": "prod"}]
    ecs.untag_resource(resourceArn=arn, tagKeys=["team"])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "prod"}]
    with pytest.raises(ClientError):
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "aws:x", "value": "1"}])


def test_list_clusters_pages(sim):
    ecs = sim.client("ecs")
    for i in range(5):
        ecs.create_cluster(clusterName=f"c{i}")
    first = ecs.list_clusters(maxResults=2)
    assert len(first["clusterArns"]) == 2
    second = ecs.list_clusters(maxResults=2, nextToken=first["nextToken"])
    assert second["clusterArns"][0].endswith("c2")


@pytest.mark.parametrize("token", ["abc", "-2"])
def test_list_clusters_refuses_a_bad_token(sim, token):
    with pytest.raises(ClientError) as info:
        sim.client("ecs").list_clusters(nextToken=token)
    assert info.value.code == "InvalidParameterException"
