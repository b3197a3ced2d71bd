#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: aws_cluster_info
short_description: Read, in one pass, what the provision_aws role needs to know about one cluster
version_added: 0.1.0
description:
  - Reads everything the C(provision_aws) role decides from, in one module run instead of nine (every AWS module run
    costs about a second of Python start-up and client set-up, most of a play's time) - the caller identity, the AMI,
    the environment's VPC, its private subnets (or the subnets O(subnet_ids)), the cluster's security group, the private
    hosted zone O(domain) and its record sets, the cluster's live instances (with their termination protection) and its
    data volumes.
  - Each result has the shape of the amazon.aws module that used to read it (M(amazon.aws.aws_caller_info),
    M(amazon.aws.ec2_ami_info), M(amazon.aws.ec2_vpc_net_info), M(amazon.aws.ec2_vpc_subnet_info),
    M(amazon.aws.ec2_security_group_info), M(amazon.aws.route53_info), M(amazon.aws.ec2_instance_info),
    M(amazon.aws.ec2_vol_info)), so the role's checks read them unchanged.
  - Without working credentials it reads nothing else and returns an empty RV(caller) and RV(caller_error), for the
    role to refuse with a clear message. An AMI id that does not exist gives an empty RV(images).
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  env:
    description: The environment, value of the C(kafkaops:env) tag.
    type: str
    required: true
  cluster:
    description: The cluster, value of the C(kafkaops:cluster) tag of its instances and data volumes; without it neither
      is read (RV(instances) and RV(volumes) stay empty).
    type: str
  ami_id:
    description: AMI to look up (RV(images)); none when omitted.
    type: str
  subnet_ids:
    description: Subnets to read by id; empty - the private subnets of the environment's VPC (tags
      C(kafkaops:env=<env>), C(kafkaops:role=private-subnet)).
    type: list
    elements: str
    default: []
  security_group_name:
    description: Name of the cluster's security group in the environment's VPC.
    type: str
  extra_security_group_names:
    description: Names of more security groups of the environment's VPC to read (the monitoring host's).
    type: list
    elements: str
    default: []
  domain:
    description: Name of the environment's private hosted zone; the zones and its record sets are read
      (RV(hosted_zones), RV(resource_record_sets)) only with it.
    type: str
  instance_types:
    description: Instance types whose supported architectures are returned (RV(instance_types)), to check the AMI
      against.
    type: list
    elements: str
    default: []
  instance_states:
    description: Instance states counted as live.
    type: list
    elements: str
    default: [pending, running, stopping, stopped]
extends_documentation_fragment:
  - amazon.aws.common.modules
  - amazon.aws.region.modules
  - amazon.aws.boto3
notes:
  - Read-only; supports check mode.
"""

EXAMPLES = r"""
- name: What exists of cluster prod
  kafkaops.cluster.aws_cluster_info:
    env: prod
    cluster: prod
    ami_id: ami-0123456789abcdef0
    security_group_name: kafkaops-prod-cluster
    domain: prod.kafka.internal
  register: prod
"""

RETURN = r"""
caller:
  description: C(account), C(arn) and C(user_id) of the credentials, as M(amazon.aws.aws_caller_info); empty without
    working credentials.
  returned: always
  type: dict
caller_error:
  description: Why the credentials did not work, or an empty string.
  returned: always
  type: str
images:
  description: The AMI O(ami_id) as M(amazon.aws.ec2_ami_info) lists it (empty when it does not exist).
  returned: always
  type: list
  elements: dict
vpcs:
  description: VPCs tagged C(kafkaops:env=<env>), C(kafkaops:role=vpc), as M(amazon.aws.ec2_vpc_net_info) lists them.
  returned: always
  type: list
  elements: dict
subnets:
  description: The subnets, as M(amazon.aws.ec2_vpc_subnet_info) lists them.
  returned: always
  type: list
  elements: dict
security_groups:
  description: The security groups O(security_group_name) and O(extra_security_group_names) of the VPC that exist, as
    M(amazon.aws.ec2_security_group_info) lists them.
  returned: always
  type: list
  elements: dict
hosted_zones:
  description: With O(domain), every hosted zone, as M(amazon.aws.route53_info) with C(query=hosted_zone) lists them.
  returned: always
  type: list
  elements: dict
resource_record_sets:
  description: Record sets of the first private zone named O(domain), as M(amazon.aws.route53_info) with
    C(query=record_sets) lists them.
  returned: always
  type: list
  elements: dict
instances:
  description: With O(cluster), its instances in O(instance_states), as M(amazon.aws.ec2_instance_info) lists them with
    C(include_attributes=[disableApiTermination]).
  returned: always
  type: list
  elements: dict
instance_types:
  description: For each type of O(instance_types), the architectures it runs (C(x86_64), C(arm64), ...); an empty
    list for a type the region does not offer.
  returned: always
  type: dict
  sample: {"m5.large": ["i386", "x86_64"], "m7g.large": ["arm64"]}
volumes:
  description: With O(cluster), its data volumes (C(kafkaops:role=kafka-data)), as M(amazon.aws.ec2_vol_info) lists
    them.
  returned: always
  type: list
  elements: dict
"""

try:
    from botocore.exceptions import BotoCoreError
    from botocore.exceptions import ClientError
    from botocore.exceptions import NoCredentialsError
except ImportError:
    pass  # AnsibleAWSModule reports a missing botocore

from ansible.module_utils.common.dict_transformations import camel_dict_to_snake_dict
from ansible_collections.amazon.aws.plugins.module_utils.modules import AnsibleAWSModule

from ansible_collections.kafkaops.cluster.plugins.module_utils.aws_resources import paged
from ansible_collections.kafkaops.cluster.plugins.module_utils.aws_resources import tags_of


def filters(**named):
    return [{"Name": name, "Values": values} for name, values in named.items()]


def snake_with_tags(resource, **extra):
    """camel_dict_to_snake_dict with the tags as a dict, as the amazon.aws info modules return them."""
    out = camel_dict_to_snake_dict(resource, ignore_list=["Tags"])
    out["tags"] = tags_of(resource)
    out.update(extra)
    return out


def read_caller(sts):
    """(caller, error): the identity, or ({}, why) when the credentials do not work."""
    try:
        ident = sts.get_caller_identity()
    except NoCredentialsError as e:
        return {}, str(e)
    except (BotoCoreError, ClientError) as e:
        return {}, str(e)
    return {"account": ident["Account"], "arn": ident["Arn"], "user_id": ident["UserId"]}, ""


def read_images(ec2, ami_id):
    if not ami_id:
        return []
    try:
        images = ec2.describe_images(ImageIds=[ami_id])["Images"]
    except ClientError as e:
        if e.response.get("Error", {}).get("Code", "").startswith("InvalidAMIID"):
            return []
        raise
    return [snake_with_tags(i) for i in images]


def read_instance_types(ec2, types):
    found = {}
    for name in types:
        try:
            described = ec2.describe_instance_types(InstanceTypes=[name])["InstanceTypes"]
        except ClientError as e:
            if e.response.get("Error", {}).get("Code", "") != "InvalidInstanceType":
                raise
            described = []
        found[name] = sorted(
            {arch for t in described for arch in t.get("ProcessorInfo", {}).get("SupportedArchitectures", [])}
        )
    return found


def read_network(ec2, env, subnet_ids, security_group_names):
    vpcs = ec2.describe_vpcs(Filters=filters(**{"tag:kafkaops:env": [env], "tag:kafkaops:role": ["vpc"]}))["Vpcs"]
    vpcs = [snake_with_tags(v, id=v["VpcId"]) for v in vpcs]
    if len(vpcs) != 1:
        return vpcs, [], []
    vpc_id = vpcs[0]["id"]
    if subnet_ids:
        wanted = filters(**{"subnet-id": subnet_ids})
    else:
        wanted = filters(**{"vpc-id": [vpc_id], "tag:kafkaops:env": [env], "tag:kafkaops:role": ["private-subnet"]})
    subnets = [snake_with_tags(s, id=s["SubnetId"]) for s in paged(ec2, "describe_subnets", "Subnets", Filters=wanted)]
    groups = []
    if security_group_names:
        groups = [
            snake_with_tags(g)
            for g in paged(
                ec2,
                "describe_security_groups",
                "SecurityGroups",
                Filters=filters(**{"vpc-id": [vpc_id], "group-name": security_group_names}),
            )
        ]
    return vpcs, subnets, groups


def read_zone(route53, domain):
    zones = paged(route53, "list_hosted_zones", "HostedZones")
    records = []
    name = domain.rstrip(".") + "."
    mine = [z for z in zones if z["Name"] == name and z.get("Config", {}).get("PrivateZone")]
    if mine:
        records = paged(route53, "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=mine[0]["Id"])
    return [camel_dict_to_snake_dict(z) for z in zones], [camel_dict_to_snake_dict(r) for r in records]


def read_instances(ec2, env, cluster, states):
    wanted = filters(**{"tag:kafkaops:env": [env], "tag:kafkaops:cluster": [cluster], "instance-state-name": states})
    found = []
    for reservation in paged(ec2, "describe_instances", "Reservations", Filters=wanted):
        for inst in reservation["Instances"]:
            attribute = ec2.describe_instance_attribute(
                InstanceId=inst["InstanceId"], Attribute="disableApiTermination"
            )
            inst["attributes"] = {"DisableApiTermination": attribute["DisableApiTermination"]}
            snaked = camel_dict_to_snake_dict(inst)
            snaked["tags"] = tags_of(inst)
            found.append(snaked)
    return found


def volume_info(volume, region):
    """One volume as amazon.aws.ec2_vol_info returns it."""
    v = camel_dict_to_snake_dict(volume, ignore_list=["Tags"])
    info = {
        "create_time": v["create_time"],
        "id": v["volume_id"],
        "encrypted": v["encrypted"],
        "iops": v.get("iops"),
        "size": v["size"],
        "snapshot_id": v.get("snapshot_id", ""),
        "status": v["state"],
        "type": v["volume_type"],
        "zone": v["availability_zone"],
        "region": region,
        "attachment_set": [
            {
                "attach_time": a.get("attach_time"),
                "device": a.get("device"),
                "instance_id": a.get("instance_id"),
                "status": a.get("state"),
                "delete_on_termination": a.get("delete_on_termination"),
            }
            for a in v.get("attachments", [])
        ],
        "tags": tags_of(volume) if "Tags" in volume else None,
    }
    if "throughput" in v:
        info["throughput"] = v["throughput"]
    return info


def read_volumes(ec2, env, cluster, region):
    wanted = filters(
        **{"tag:kafkaops:env": [env], "tag:kafkaops:cluster": [cluster], "tag:kafkaops:role": ["kafka-data"]}
    )
    return [volume_info(v, region) for v in paged(ec2, "describe_volumes", "Volumes", Filters=wanted)]


def read_cluster(module, params):
    result = {
        "caller": {},
        "caller_error": "",
        "images": [],
        "vpcs": [],
        "subnets": [],
        "security_groups": [],
        "hosted_zones": [],
        "resource_record_sets": [],
        "instance_types": {},
        "instances": [],
        "volumes": [],
    }
    result["caller"], result["caller_error"] = read_caller(module.client("sts"))
    if not result["caller"]:
        return result
    ec2 = module.client("ec2")
    result["images"] = read_images(ec2, params["ami_id"])
    result["instance_types"] = read_instance_types(ec2, params["instance_types"])
    result["vpcs"], result["subnets"], result["security_groups"] = read_network(
        ec2,
        params["env"],
        params["subnet_ids"],
        [n for n in [params["security_group_name"]] + params["extra_security_group_names"] if n],
    )
    if params["domain"]:
        result["hosted_zones"], result["resource_record_sets"] = read_zone(module.client("route53"), params["domain"])
    if params["cluster"]:
        result["instances"] = read_instances(ec2, params["env"], params["cluster"], params["instance_states"])
        result["volumes"] = read_volumes(ec2, params["env"], params["cluster"], module.region)
    return result


def main():
    module = AnsibleAWSModule(
        argument_spec=dict(
            env=dict(type="str", required=True),
            cluster=dict(type="str"),
            ami_id=dict(type="str"),
            subnet_ids=dict(type="list", elements="str", default=[]),
            security_group_name=dict(type="str"),
            extra_security_group_names=dict(type="list", elements="str", default=[]),
            domain=dict(type="str"),
            instance_types=dict(type="list", elements="str", default=[]),
            instance_states=dict(type="list", elements="str", default=["pending", "running", "stopping", "stopped"]),
        ),
        supports_check_mode=True,
    )
    try:
        result = read_cluster(module, module.params)
    except (BotoCoreError, ClientError) as e:
        cluster = module.params["cluster"]
        module.fail_json_aws(
            e, msg=f"Failed to read {'cluster ' + cluster + ' of ' if cluster else ''}{module.params['env']}"
        )
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
