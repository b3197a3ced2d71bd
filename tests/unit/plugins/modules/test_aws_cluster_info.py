# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""aws_cluster_info against moto's in-process AWS: one pass, amazon.aws shapes, one cluster only."""

from __future__ import annotations

import boto3
import pytest
from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from botocore.exceptions import NoCredentialsError

moto = pytest.importorskip("moto")

from ansible_collections.amazon.aws.plugins.modules.ec2_vol_info import get_volume_info  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.modules import aws_cluster_info as info  # noqa: E402

REGION = "eu-central-1"


class FakeModule:
    region = REGION

    def client(self, service):
        return boto3.client(service, region_name=REGION)


def tags(**kv):
    return [{"Key": k.replace("__", ":"), "Value": v} for k, v in kv.items()]


def make_cluster(ec2, r53, env, cluster, cidr):
    vpc = ec2.create_vpc(
        CidrBlock=cidr,
        TagSpecifications=[{"ResourceType": "vpc", "Tags": tags(kafkaops__env=env, kafkaops__role="vpc")}],
    )["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(
        VpcId=vpc,
        CidrBlock=cidr.replace(".0.0/16", ".3.0/24"),
        AvailabilityZone=f"{REGION}a",
        TagSpecifications=[
            {"ResourceType": "subnet", "Tags": tags(kafkaops__env=env, kafkaops__role="private-subnet")}
        ],
    )["Subnet"]["SubnetId"]
    ec2.create_security_group(GroupName=f"kafkaops-{env}-cluster", Description="cluster", VpcId=vpc)
    zone = r53.create_hosted_zone(
        Name=f"{env}.kafka.internal",
        CallerReference=env,
        HostedZoneConfig={"PrivateZone": True},
        VPC={"VPCRegion": REGION, "VPCId": vpc},
    )["HostedZone"]["Id"]
    r53.change_resource_record_sets(
        HostedZoneId=zone,
        ChangeBatch={
            "Changes": [
                {
                    "Action": "CREATE",
                    "ResourceRecordSet": {
                        "Name": f"kafka-0.{env}.kafka.internal",
                        "Type": "A",
                        "TTL": 60,
                        "ResourceRecords": [{"Value": "10.0.3.5"}],
                    },
                }
            ]
        },
    )
    image = ec2.describe_images()["Images"][0]["ImageId"]
    inst = ec2.run_instances(
        ImageId=image,
        MinCount=1,
        MaxCount=1,
        SubnetId=subnet,
        TagSpecifications=[
            {
                "ResourceType": "instance",
                "Tags": tags(
                    kafkaops__env=env, kafkaops__cluster=cluster, kafkaops__fqdn=f"kafka-0.{env}.kafka.internal"
                ),
            }
        ],
    )["Instances"][0]["InstanceId"]
    ec2.modify_instance_attribute(InstanceId=inst, DisableApiTermination={"Value": True})
    vol = ec2.create_volume(
        AvailabilityZone=f"{REGION}a",
        Size=10,
        VolumeType="gp3",
        TagSpecifications=[
            {
                "ResourceType": "volume",
                "Tags": tags(kafkaops__env=env, kafkaops__cluster=cluster, kafkaops__role="kafka-data"),
            }
        ],
    )["VolumeId"]
    ec2.attach_volume(VolumeId=vol, InstanceId=inst, Device="/dev/sdf")
    return image, vpc, subnet, inst, vol


def params(env, cluster, **over):
    base = {
        "env": env,
        "cluster": cluster,
        "ami_id": None,
        "subnet_ids": [],
        "security_group_name": f"kafkaops-{env}-cluster",
        "extra_security_group_names": [],
        "domain": f"{env}.kafka.internal",
        "instance_types": [],
        "instance_states": ["pending", "running", "stopping", "stopped"],
    }
    base.update(over)
    return base


def test_reads_one_cluster_in_amazon_aws_shapes(aws):
    ec2, r53 = aws
    image, vpc, subnet, inst, vol = make_cluster(ec2, r53, "prod", "prod", "10.0.0.0/16")
    make_cluster(ec2, r53, "repl", "repl", "10.1.0.0/16")

    types = ["t3.medium", "m7g.large", "t9.bogus"]
    got = info.read_cluster(FakeModule(), params("prod", "prod", ami_id=image, instance_types=types))

    assert got["caller"]["account"] and got["caller_error"] == ""
    assert [i["image_id"] for i in got["images"]] == [image] and got["images"][0]["architecture"]
    assert got["instance_types"] == {"t3.medium": ["x86_64"], "m7g.large": ["arm64"], "t9.bogus": []}
    assert [v["id"] for v in got["vpcs"]] == [vpc] and got["vpcs"][0]["tags"]["kafkaops:role"] == "vpc"
    assert [(s["id"], s["subnet_id"], s["vpc_id"]) for s in got["subnets"]] == [(subnet, subnet, vpc)]
    assert [g["group_name"] for g in got["security_groups"]] == ["kafkaops-prod-cluster"]
    assert {z["name"] for z in got["hosted_zones"]} == {"prod.kafka.internal.", "repl.kafka.internal."}
    assert all("private_zone" in z["config"] for z in got["hosted_zones"])
    a_records = [r for r in got["resource_record_sets"] if r["type"] == "A"]
    assert [(r["name"], r["resource_records"]) for r in a_records] == [
        ("kafka-0.prod.kafka.internal.", [{"value": "10.0.3.5"}])
    ]
    # ec2_instance_info with include_attributes=[disableApiTermination]: snake case, tags as a dict.
    assert [i["instance_id"] for i in got["instances"]] == [inst]
    instance = got["instances"][0]
    assert instance["tags"]["kafkaops:fqdn"] == "kafka-0.prod.kafka.internal"
    assert instance["attributes"]["disable_api_termination"]["value"] is True
    assert instance["block_device_mappings"][-1]["device_name"] == "/dev/sdf"
    # ec2_vol_info's own formatting, field for field.
    raw = ec2.describe_volumes(VolumeIds=[vol])["Volumes"][0]
    raw.setdefault("SnapshotId", "")  # AWS always returns it; moto leaves it out (see tests/aws/moto_server.py)
    expected = get_volume_info(camel_dict_to_snake_dict(raw, ignore_list=["Tags"]), REGION)
    assert got["volumes"] == [expected]


def test_given_subnets_and_missing_things(aws):
    ec2, r53 = aws
    vpc, subnet = make_cluster(ec2, r53, "prod", "prod", "10.0.0.0/16")[1:3]

    got = info.read_cluster(FakeModule(), params("prod", "other", ami_id="ami-00000000", subnet_ids=[subnet]))
    assert got["images"] == []  # an AMI that does not exist: empty, for the role's clear refusal
    assert [s["id"] for s in got["subnets"]] == [subnet]
    assert got["instances"] == [] and got["volumes"] == []  # another cluster of the same environment

    # The monitoring host's group, read beside the cluster's once it exists (and only then).
    extra = {"extra_security_group_names": ["kafkaops-prod-monitoring"]}
    got = info.read_cluster(FakeModule(), params("prod", "prod", **extra))
    assert [g["group_name"] for g in got["security_groups"]] == ["kafkaops-prod-cluster"]
    ec2.create_security_group(GroupName="kafkaops-prod-monitoring", Description="monitoring", VpcId=vpc)
    got = info.read_cluster(FakeModule(), params("prod", "prod", **extra))
    names = sorted(g["group_name"] for g in got["security_groups"])
    assert names == ["kafkaops-prod-cluster", "kafkaops-prod-monitoring"]

    got = info.read_cluster(FakeModule(), params("nowhere", "nowhere"))
    assert got["vpcs"] == [] and got["subnets"] == [] and got["security_groups"] == []
    assert got["resource_record_sets"] == []


def test_no_credentials_reads_nothing(aws):
    class NoCredentials:
        def get_caller_identity(self):
            raise NoCredentialsError()

    class Module(FakeModule):
        def client(self, service):
            assert service == "sts", f"{service} read without credentials"
            return NoCredentials()

    got = info.read_cluster(Module(), params("prod", "prod"))
    assert got["caller"] == {} and "credentials" in got["caller_error"].lower()
    assert got["vpcs"] == [] and got["instances"] == []


def test_without_cluster_or_domain_reads_neither(aws):
    ec2, r53 = aws
    image, vpc = make_cluster(ec2, r53, "prod", "prod", "10.0.0.0/16")[:2]
    got = info.read_cluster(FakeModule(), params("prod", None, ami_id=image, domain=None))
    assert [i["image_id"] for i in got["images"]] == [image] and [v["id"] for v in got["vpcs"]] == [vpc]
    assert got["instances"] == [] and got["volumes"] == []
    assert got["hosted_zones"] == [] and got["resource_record_sets"] == []
