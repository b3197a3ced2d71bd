# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""aws_environment_info and route53_zone_vpcs against moto's in-process AWS: two environments side by side."""

from __future__ import annotations

import pytest

from ansible_collections.kafkaops.cluster.plugins.modules import aws_environment_info as info
from ansible_collections.kafkaops.cluster.plugins.modules import route53_zone_vpcs as zv

REGION = "eu-central-1"


def tag(**tags):
    return [{"Key": k.replace("__", ":"), "Value": v} for k, v in tags.items()]


def make_env(ec2, r53, env, cidr, domain, instance=False):
    """A VPC with a private subnet, an IGW, a zone (and an instance), all tagged kafkaops:env=env."""
    vpc = ec2.create_vpc(
        CidrBlock=cidr,
        TagSpecifications=[{"ResourceType": "vpc", "Tags": tag(kafkaops__env=env, kafkaops__role="vpc")}],
    )["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(
        VpcId=vpc,
        CidrBlock=cidr.replace(".0.0/16", ".3.0/24"),
        AvailabilityZone=f"{REGION}a",
        TagSpecifications=[
            {"ResourceType": "subnet", "Tags": tag(kafkaops__env=env, kafkaops__role="private-subnet", Name=f"{env}-a")}
        ],
    )["Subnet"]["SubnetId"]
    if instance:
        image = ec2.describe_images()["Images"][0]["ImageId"]
        instance_id = ec2.run_instances(
            ImageId=image,
            MinCount=1,
            MaxCount=1,
            SubnetId=subnet,
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": tag(kafkaops__env=env, kafkaops__role="kafka", Name=f"{env}-k0")}
            ],
        )["Instances"][0]["InstanceId"]
        ec2.modify_instance_attribute(InstanceId=instance_id, DisableApiTermination={"Value": True})
    igw = ec2.create_internet_gateway(
        TagSpecifications=[{"ResourceType": "internet-gateway", "Tags": tag(kafkaops__env=env)}]
    )["InternetGateway"]["InternetGatewayId"]
    ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc)
    zone = r53.create_hosted_zone(
        Name=domain,
        CallerReference=env,
        HostedZoneConfig={"PrivateZone": True},
        VPC={"VPCRegion": REGION, "VPCId": vpc},
    )["HostedZone"]["Id"].split("/")[-1]
    r53.change_tags_for_resource(ResourceType="hostedzone", ResourceId=zone, AddTags=tag(kafkaops__env=env))
    return vpc, subnet, zone


def args(**kwargs):
    return dict(region=REGION, **kwargs)


def test_info_reads_only_its_environment(aws, run_module):
    ec2, r53 = aws
    prod_vpc, _subnet, prod_zone = make_env(ec2, r53, "prod", "172.16.0.0/16", "prod.example.", instance=True)
    repl_vpc, repl_subnet, _zone = make_env(ec2, r53, "repl", "172.17.0.0/16", "repl.example.", instance=True)
    # A resource tagged prod inside repl's VPC is not prod's (the VPC id decides too).
    ec2.create_subnet(
        VpcId=repl_vpc,
        CidrBlock="172.17.9.0/24",
        TagSpecifications=[
            {"ResourceType": "subnet", "Tags": tag(kafkaops__env="prod", kafkaops__role="private-subnet")}
        ],
    )
    pcx = ec2.create_vpc_peering_connection(
        VpcId=repl_vpc,
        PeerVpcId=prod_vpc,
        TagSpecifications=[{"ResourceType": "vpc-peering-connection", "Tags": tag(kafkaops__peering="prod,repl")}],
    )["VpcPeeringConnection"]["VpcPeeringConnectionId"]
    ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=pcx)

    failed, prod = run_module(info.main, args(env="prod", domain="prod.example", peer_environments=["repl"]))
    assert not failed, prod
    assert prod["vpc"]["id"] == prod_vpc
    assert [s["cidr"] for s in prod["subnets"]] == ["172.16.3.0/24"]
    assert [i["name"] for i in prod["instances"]] == ["prod-k0"]
    assert prod["instances"][0]["termination_protection"] is True
    assert len(prod["internet_gateways"]) == 1
    assert prod["zone"]["id"] == prod_zone and prod["zone"]["vpcs"] == [{"id": prod_vpc, "region": REGION}]
    assert [p["id"] for p in prod["peerings"]] == [pcx]
    assert prod["peers"] == {
        "repl": {"vpc_id": repl_vpc, "cidr": "172.17.0.0/16", "private_subnet_cidrs": ["172.17.3.0/24"]}
    }
    assert prod["s3_prefix_list_id"].startswith("pl-")

    # The zone of another environment's name is never returned; a missing environment reads as empty.
    failed, other = run_module(info.main, args(env="stage", domain="repl.example"))
    assert not failed and other["vpc"] is None and other["zone"] is None and other["instances"] == []
    assert repl_subnet not in [s["id"] for s in prod["subnets"]]


def test_info_refuses_two_vpcs(aws, run_module):
    ec2 = aws[0]
    for cidr in ("10.8.0.0/16", "10.9.0.0/16"):
        ec2.create_vpc(
            CidrBlock=cidr,
            TagSpecifications=[{"ResourceType": "vpc", "Tags": tag(kafkaops__env="prod", kafkaops__role="vpc")}],
        )
    failed, result = run_module(info.main, args(env="prod"))
    assert failed and "2 VPCs are tagged kafkaops:env=prod" in result["msg"]


@pytest.mark.parametrize(
    "current, wanted, purge, add, remove",
    [
        ([{"id": "vpc-1", "region": "r"}], [{"id": "vpc-1", "region": "r"}], True, [], []),
        (
            [{"id": "vpc-1", "region": "r"}],
            [{"id": "vpc-2", "region": "r"}, {"id": "vpc-1", "region": "r"}],
            True,
            [{"id": "vpc-2", "region": "r"}],
            [],
        ),
        (
            [{"id": "vpc-1", "region": "r"}, {"id": "vpc-2", "region": "r"}],
            [{"id": "vpc-1", "region": "r"}],
            False,
            [],
            [],
        ),
        (
            [{"id": "vpc-1", "region": "r"}, {"id": "vpc-2", "region": "r"}],
            [{"id": "vpc-1", "region": "r"}],
            True,
            [],
            [{"id": "vpc-2", "region": "r"}],
        ),
    ],
)
def test_zone_vpcs_plan(current, wanted, purge, add, remove):
    assert zv.plan(current, wanted, purge) == (add, remove)


def test_zone_vpcs_main(aws, run_module):
    ec2, r53 = aws
    prod_vpc, _subnet, prod_zone = make_env(ec2, r53, "prod", "172.16.0.0/16", "prod.example.")
    repl_vpc = make_env(ec2, r53, "repl", "172.17.0.0/16", "repl.example.")[0]
    both = [{"id": prod_vpc, "region": REGION}, {"id": repl_vpc, "region": REGION}]

    def vpcs():
        return sorted(v["VPCId"] for v in r53.get_hosted_zone(Id=prod_zone)["VPCs"])

    failed, result = run_module(zv.main, args(hosted_zone_id=prod_zone, vpcs=both, purge=True), check_mode=True)
    assert not failed and result["changed"] and result["added"] == [{"id": repl_vpc, "region": REGION}]
    assert vpcs() == [prod_vpc]  # check mode changed nothing
    failed, result = run_module(
        zv.main, args(hosted_zone_id=f"/hostedzone/{prod_zone}", vpcs=both, purge=True), diff=True
    )
    assert not failed and result["changed"] and vpcs() == sorted([prod_vpc, repl_vpc])
    assert result["diff"]["before"]["vpcs"] == [{"id": prod_vpc, "region": REGION}]
    failed, result = run_module(zv.main, args(hosted_zone_id=prod_zone, vpcs=both, purge=True))
    assert not failed and not result["changed"]
    failed, result = run_module(zv.main, args(hosted_zone_id=prod_zone, vpcs=both[:1], purge=True))
    assert not failed and result["removed"] == [{"id": repl_vpc, "region": REGION}] and vpcs() == [prod_vpc]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"vpcs": [{"id": "subnet-1", "region": REGION}]}, "'subnet-1' is not a VPC id"),
        ({"vpcs": [], "purge": True}, "without a VPC"),
    ],
)
def test_zone_vpcs_refuses_bad_input(aws, run_module, params, message):
    # Refused before anything is read: the zone does not even exist.
    failed, result = run_module(zv.main, args(hosted_zone_id="Z0000000000000000000", **params))
    assert failed and message in result["msg"] and "nothing was changed" in result["msg"]
