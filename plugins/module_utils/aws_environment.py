# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the aws_environment_info module reads: one environment's AWS resources, found by their tags.

Every reader takes boto3 clients (``read_environment`` and ``read_outside`` take the
AnsibleAWSModule for its ``client()`` and ``region``) and returns plain dicts, sorted so that
two reads of the same state compare equal. Only resources tagged ``kafkaops:env=<env>`` count.
"""

from __future__ import annotations

from ansible_collections.kafkaops.cluster.plugins.module_utils.aws_resources import paged
from ansible_collections.kafkaops.cluster.plugins.module_utils.aws_resources import tags_of

LIVE_INSTANCE_STATES = ["pending", "running", "stopping", "stopped", "shutting-down"]
LIVE_PEERING_STATES = {"pending-acceptance", "provisioning", "active"}


class OwnershipError(Exception):
    """More than one VPC claims to be an environment's."""


def owned(resource, env):
    return tags_of(resource).get("kafkaops:env") == env


def flt(**filters):
    return [{"Name": name.replace("__", ":").replace("_", "-"), "Values": values} for name, values in filters.items()]


def find_vpc(ec2, env):
    vpcs = [
        v
        for v in ec2.describe_vpcs(Filters=[{"Name": "tag:kafkaops:env", "Values": [env]}])["Vpcs"]
        if owned(v, env) and tags_of(v).get("kafkaops:role") == "vpc"
    ]
    if len(vpcs) > 1:
        raise OwnershipError(
            f"{len(vpcs)} VPCs are tagged kafkaops:env={env}, kafkaops:role=vpc"
            f" ({', '.join(v['VpcId'] for v in vpcs)}): which one is the environment's is unclear;"
            " remove the tags from the other ones"
        )
    return vpcs[0] if vpcs else None


def read_network(ec2, env, vpc_id):
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    subnets = [s for s in paged(ec2, "describe_subnets", "Subnets", Filters=in_vpc) if owned(s, env)]
    tables = []
    for rt in paged(ec2, "describe_route_tables", "RouteTables", Filters=in_vpc):
        if rt["VpcId"] != vpc_id or not owned(rt, env) or any(a.get("Main") for a in rt.get("Associations", [])):
            continue
        tables.append(
            {
                "id": rt["RouteTableId"],
                "name": tags_of(rt).get("Name", ""),
                "role": tags_of(rt).get("kafkaops:role", ""),
                "subnet_ids": sorted(a["SubnetId"] for a in rt.get("Associations", []) if a.get("SubnetId")),
                "routes": [
                    {
                        "destination": r.get("DestinationCidrBlock") or r.get("DestinationPrefixListId", ""),
                        "target": r.get("NatGatewayId")
                        or r.get("VpcPeeringConnectionId")
                        or r.get("GatewayId")
                        or r.get("NetworkInterfaceId", ""),
                        "origin": r.get("Origin", ""),
                        "state": r.get("State", ""),
                    }
                    for r in rt.get("Routes", [])
                ],
                "tags": tags_of(rt),
            }
        )
    igws = [
        {"id": g["InternetGatewayId"], "tags": tags_of(g)}
        for g in ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])[
            "InternetGateways"
        ]
        if owned(g, env) and any(a.get("VpcId") == vpc_id for a in g.get("Attachments", []))
    ]
    nats = [
        {
            "id": n["NatGatewayId"],
            "name": tags_of(n).get("Name", ""),
            "subnet_id": n.get("SubnetId", ""),
            "state": n["State"],
            "allocation_ids": [a["AllocationId"] for a in n.get("NatGatewayAddresses", []) if a.get("AllocationId")],
            "network_interface_ids": [
                a["NetworkInterfaceId"] for a in n.get("NatGatewayAddresses", []) if a.get("NetworkInterfaceId")
            ],
            "tags": tags_of(n),
        }
        for n in paged(ec2, "describe_nat_gateways", "NatGateways", Filter=in_vpc)
        if n.get("VpcId") == vpc_id and n["State"] in ("pending", "available") and owned(n, env)
    ]
    endpoints = [
        {
            "id": e["VpcEndpointId"],
            "service": e["ServiceName"],
            "type": e.get("VpcEndpointType", ""),
            "route_table_ids": sorted(e.get("RouteTableIds", [])),
            "tags": tags_of(e),
        }
        for e in paged(ec2, "describe_vpc_endpoints", "VpcEndpoints", Filters=in_vpc)
        if e["VpcId"] == vpc_id and e.get("State", "").lower() in ("pending", "available") and owned(e, env)
    ]
    groups = [
        {
            "id": g["GroupId"],
            "name": g["GroupName"],
            "description": g.get("Description", ""),
            "rule_count": len(g.get("IpPermissions", [])) + len(g.get("IpPermissionsEgress", [])),
            "tags": tags_of(g),
        }
        for g in paged(ec2, "describe_security_groups", "SecurityGroups", Filters=in_vpc)
        if g.get("VpcId") == vpc_id and g["GroupName"] != "default" and owned(g, env)
    ]
    return {
        "subnets": sorted(
            (
                {
                    "id": s["SubnetId"],
                    "cidr": s["CidrBlock"],
                    "az": s["AvailabilityZone"],
                    "name": tags_of(s).get("Name", ""),
                    "role": tags_of(s).get("kafkaops:role", ""),
                    "map_public": bool(s.get("MapPublicIpOnLaunch")),
                    "tags": tags_of(s),
                }
                for s in subnets
                if s["VpcId"] == vpc_id
            ),
            key=lambda s: s["cidr"],
        ),
        "route_tables": sorted(tables, key=lambda t: t["name"]),
        "internet_gateways": igws,
        "nat_gateways": sorted(nats, key=lambda n: n["name"]),
        "vpc_endpoints": endpoints,
        "security_groups": sorted(groups, key=lambda g: g["name"]),
    }


def read_instances(ec2, env, vpc_id):
    found = []
    filters = flt(vpc_id=[vpc_id], tag__kafkaops__env=[env], instance_state_name=LIVE_INSTANCE_STATES)
    for reservation in paged(ec2, "describe_instances", "Reservations", Filters=filters):
        for inst in reservation["Instances"]:
            if inst.get("VpcId") != vpc_id or not owned(inst, env) or inst["State"]["Name"] not in LIVE_INSTANCE_STATES:
                continue
            protection = ec2.describe_instance_attribute(
                InstanceId=inst["InstanceId"], Attribute="disableApiTermination"
            )
            tags = tags_of(inst)
            found.append(
                {
                    "id": inst["InstanceId"],
                    "name": tags.get("Name", ""),
                    "role": tags.get("kafkaops:role", ""),
                    "cluster": tags.get("kafkaops:cluster", ""),
                    "fqdn": tags.get("kafkaops:fqdn", ""),
                    "state": inst["State"]["Name"],
                    "subnet_id": inst.get("SubnetId", ""),
                    "instance_type": inst.get("InstanceType", ""),
                    "key_name": inst.get("KeyName", ""),
                    "security_group_ids": sorted(g["GroupId"] for g in inst.get("SecurityGroups", [])),
                    "metadata": {
                        "http_endpoint": inst.get("MetadataOptions", {}).get("HttpEndpoint", ""),
                        "http_tokens": inst.get("MetadataOptions", {}).get("HttpTokens", ""),
                        "http_put_response_hop_limit": inst.get("MetadataOptions", {}).get("HttpPutResponseHopLimit"),
                    },
                    "termination_protection": bool(protection.get("DisableApiTermination", {}).get("Value")),
                    "tags": tags,
                }
            )
    return sorted(found, key=lambda i: (i["name"], i["id"]))


def read_peerings(ec2, env, vpc_id):
    found = []
    for side in ("requester-vpc-info.vpc-id", "accepter-vpc-info.vpc-id"):
        for pcx in paged(
            ec2,
            "describe_vpc_peering_connections",
            "VpcPeeringConnections",
            Filters=[{"Name": side, "Values": [vpc_id]}],
        ):
            ids = (pcx["RequesterVpcInfo"].get("VpcId"), pcx["AccepterVpcInfo"].get("VpcId"))
            names = tags_of(pcx).get("kafkaops:peering", "").split(",")
            if (
                vpc_id in ids
                and pcx["Status"]["Code"] in LIVE_PEERING_STATES
                and env in names
                and pcx["VpcPeeringConnectionId"] not in [f["id"] for f in found]
            ):
                found.append(
                    {
                        "id": pcx["VpcPeeringConnectionId"],
                        "status": pcx["Status"]["Code"],
                        "requester_vpc_id": ids[0],
                        "accepter_vpc_id": ids[1],
                        "tags": tags_of(pcx),
                    }
                )
    return sorted(found, key=lambda p: p["id"])


def read_zone(r53, env, domain, vpc_id, records):
    name = domain.rstrip(".") + "."
    for zone in paged(r53, "list_hosted_zones", "HostedZones"):
        if zone["Name"] != name or not zone.get("Config", {}).get("PrivateZone"):
            continue
        zone_id = zone["Id"].split("/")[-1]
        tags = {
            t["Key"]: t["Value"]
            for t in r53.list_tags_for_resource(ResourceType="hostedzone", ResourceId=zone_id)["ResourceTagSet"].get(
                "Tags", []
            )
        }
        vpcs = [{"id": v["VPCId"], "region": v["VPCRegion"]} for v in r53.get_hosted_zone(Id=zone_id).get("VPCs", [])]
        if tags.get("kafkaops:env") != env or (vpc_id and vpc_id not in [v["id"] for v in vpcs]):
            continue
        result = {"id": zone_id, "name": zone["Name"], "vpcs": sorted(vpcs, key=lambda v: v["id"]), "tags": tags}
        if records:
            result["records"] = [
                {
                    "name": rs["Name"],
                    "type": rs["Type"],
                    "ttl": rs.get("TTL"),
                    "values": [r["Value"] for r in rs.get("ResourceRecords", [])],
                    "alias": bool(rs.get("AliasTarget")),
                }
                for rs in paged(r53, "list_resource_record_sets", "ResourceRecordSets", HostedZoneId=zone_id)
            ]
        return result
    return None


def read_outside(module, ec2, env, params):
    by_tag = [{"Name": "tag:kafkaops:env", "Values": [env]}]
    eips = [
        {
            "allocation_id": a.get("AllocationId", ""),
            "public_ip": a["PublicIp"],
            "name": tags_of(a).get("Name", ""),
            "association_id": a.get("AssociationId", ""),
            "network_interface_id": a.get("NetworkInterfaceId", ""),
            "instance_id": a.get("InstanceId", ""),
            "tags": tags_of(a),
        }
        for a in ec2.describe_addresses(Filters=by_tag)["Addresses"]
        if owned(a, env)
    ]
    keys = [
        {"name": k["KeyName"], "id": k.get("KeyPairId", ""), "tags": tags_of(k)}
        for k in ec2.describe_key_pairs(Filters=by_tag)["KeyPairs"]
        if owned(k, env)
    ]
    out = {
        "elastic_ips": sorted(eips, key=lambda a: a["name"]),
        "key_pairs": keys,
        "iam_roles": [],
        "volumes": [],
        "snapshots": [],
    }
    if params["iam"]:
        iam = module.client("iam")
        for role in paged(iam, "list_roles", "Roles"):
            tags = {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=role["RoleName"]).get("Tags", [])}
            if tags.get("kafkaops:env") == env:
                profiles = paged(iam, "list_instance_profiles_for_role", "InstanceProfiles", RoleName=role["RoleName"])
                out["iam_roles"].append(
                    {
                        "name": role["RoleName"],
                        "instance_profiles": [p["InstanceProfileName"] for p in profiles],
                        "tags": tags,
                    }
                )
    if params["data"]:
        volumes = paged(
            ec2,
            "describe_volumes",
            "Volumes",
            Filters=by_tag + [{"Name": "tag:kafkaops:role", "Values": ["kafka-data"]}],
        )
        out["volumes"] = sorted(
            (
                {
                    "id": v["VolumeId"],
                    "size": v["Size"],
                    "az": v["AvailabilityZone"],
                    "state": v["State"],
                    "fqdn": tags_of(v).get("kafkaops:fqdn", ""),
                    "tags": tags_of(v),
                }
                for v in volumes
                if owned(v, env) and tags_of(v).get("kafkaops:role") == "kafka-data"
            ),
            key=lambda v: v["id"],
        )
        snapshots = paged(
            ec2,
            "describe_snapshots",
            "Snapshots",
            OwnerIds=["self"],
            Filters=by_tag + [{"Name": "tag:kafkaops:role", "Values": ["kafka-data-final-snapshot"]}],
        )
        out["snapshots"] = sorted(
            (
                {
                    "id": s["SnapshotId"],
                    "volume_id": s.get("VolumeId", ""),
                    "description": s.get("Description", ""),
                    "tags": tags_of(s),
                }
                for s in snapshots
                if owned(s, env) and tags_of(s).get("kafkaops:role") == "kafka-data-final-snapshot"
            ),
            key=lambda s: s["id"],
        )
    return out


def read_peers(ec2, peers):
    out = {}
    for env in peers:
        vpc = find_vpc(ec2, env)
        if vpc is None:
            continue
        subnets = paged(
            ec2,
            "describe_subnets",
            "Subnets",
            Filters=flt(vpc_id=[vpc["VpcId"]], tag__kafkaops__role=["private-subnet"]),
        )
        out[env] = {
            "vpc_id": vpc["VpcId"],
            "cidr": vpc["CidrBlock"],
            "private_subnet_cidrs": sorted(
                s["CidrBlock"]
                for s in subnets
                if s["VpcId"] == vpc["VpcId"] and owned(s, env) and tags_of(s).get("kafkaops:role") == "private-subnet"
            ),
        }
    return out


def s3_prefix_list(ec2, region):
    lists = ec2.describe_prefix_lists(Filters=[{"Name": "prefix-list-name", "Values": [f"com.amazonaws.{region}.s3"]}])
    return next((p["PrefixListId"] for p in lists.get("PrefixLists", [])), "")


def read_environment(module, params):
    ec2 = module.client("ec2")
    env = params["env"]
    vpc = find_vpc(ec2, env)
    result = {
        "vpc": None,
        "subnets": [],
        "route_tables": [],
        "internet_gateways": [],
        "nat_gateways": [],
        "vpc_endpoints": [],
        "security_groups": [],
        "instances": [],
        "peerings": [],
        "zone": None,
    }
    vpc_id = ""
    if vpc is not None:
        vpc_id = vpc["VpcId"]
        result["vpc"] = {"id": vpc_id, "cidr": vpc["CidrBlock"], "tags": tags_of(vpc)}
        result.update(read_network(ec2, env, vpc_id))
        result["instances"] = read_instances(ec2, env, vpc_id)
        result["peerings"] = read_peerings(ec2, env, vpc_id)
    if params["domain"]:
        result["zone"] = read_zone(module.client("route53"), env, params["domain"], vpc_id, params["records"])
    result.update(read_outside(module, ec2, env, params))
    result["peers"] = read_peers(ec2, [p for p in params["peer_environments"] if p != env])
    result["s3_prefix_list_id"] = s3_prefix_list(ec2, module.region)
    return result
