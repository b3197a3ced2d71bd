"""Assert what playbooks/environment.yml left in (moto's) EC2 and Route53, or that aws_destroy.yml removed it.

python tests/aws/check_env.py --endpoint URL --env prod --domain D [--nat single|per_az|none] [--sasl-plaintext]
    [--peer ENV] [--save S.json [--previous P.json]]      the environment as environment.yml makes it
python tests/aws/check_env.py --endpoint URL --env repl --domain D --absent [--kept-volumes N] [--kept-snapshots N]
                                                          nothing of it left but its data volumes and snapshots
--save writes every resource tagged kafkaops:env=ENV (VPC, subnets, route tables with routes and associations,
security groups with rules, NAT gateways, Elastic IPs, endpoints, instances, volumes, snapshots, key pairs, zone with
its VPCs and records); with --previous it fails unless that is byte for byte what the earlier snapshot holds.
moto does not route traffic: these checks assert the resources and their associations, not that packets flow.
"""

import argparse
import json
import sys

import boto3

CLUSTER_PORTS = {2181, 2888, 3888, 9093, 9095, 9097, 8083, 8084}
LIVE = ["pending", "running", "stopping", "stopped", "shutting-down"]


def tags_of(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags") or []}


class Checker:
    def __init__(self):
        self.passed = []

    def __call__(self, condition, message):
        if not condition:
            print(f"FAIL: {message}")
            sys.exit(1)
        self.passed.append(message)
        print(f"ok: {message}")


def find(ec2, r53, env, domain):
    by_env = [{"Name": "tag:kafkaops:env", "Values": [env]}]
    vpcs = [v for v in ec2.describe_vpcs(Filters=by_env)["Vpcs"] if tags_of(v).get("kafkaops:role") == "vpc"]
    zones = [
        z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == domain + "." and z["Config"]["PrivateZone"]
    ]
    return by_env, vpcs, zones


def rules(perms):
    out = []
    for p in perms:
        targets = (
            [r["CidrIp"] for r in p.get("IpRanges", [])]
            + [g["GroupId"] for g in p.get("UserIdGroupPairs", [])]
            + [x["PrefixListId"] for x in p.get("PrefixListIds", [])]
        )
        out.extend((p["IpProtocol"], p.get("FromPort"), p.get("ToPort"), t) for t in targets)
    return sorted(out, key=str)


def snapshot(ec2, r53, env, domain):
    """Every resource tagged kafkaops:env=env, as plain sorted data."""
    by_env, vpcs, zones = find(ec2, r53, env, domain)
    in_vpcs = [{"Name": "vpc-id", "Values": [v["VpcId"] for v in vpcs]}]
    snap = {"vpcs": sorted((v["VpcId"], v["CidrBlock"], sorted(tags_of(v).items())) for v in vpcs)}
    if vpcs:
        snap["subnets"] = sorted(
            (s["SubnetId"], s["CidrBlock"], s["AvailabilityZone"], sorted(tags_of(s).items()))
            for s in ec2.describe_subnets(Filters=in_vpcs)["Subnets"]
        )
        snap["route_tables"] = sorted(
            (
                t["RouteTableId"],
                sorted(tags_of(t).items()),
                sorted(str(sorted(r.items())) for r in t["Routes"]),
                sorted(str(a.get("SubnetId") or a.get("Main")) for a in t["Associations"]),
            )
            for t in ec2.describe_route_tables(Filters=in_vpcs)["RouteTables"]
        )
        snap["security_groups"] = sorted(
            (
                g["GroupId"],
                g["GroupName"],
                sorted(tags_of(g).items()),
                rules(g["IpPermissions"]),
                rules(g["IpPermissionsEgress"]),
            )
            for g in ec2.describe_security_groups(Filters=in_vpcs)["SecurityGroups"]
        )
        snap["endpoints"] = sorted(
            (e["VpcEndpointId"], e["State"], sorted(e["RouteTableIds"]), sorted(tags_of(e).items()))
            for e in ec2.describe_vpc_endpoints(Filters=in_vpcs)["VpcEndpoints"]
        )
        snap["nat_gateways"] = sorted(
            (n["NatGatewayId"], n["State"], n["SubnetId"], sorted(tags_of(n).items()))
            for n in ec2.describe_nat_gateways(Filter=in_vpcs)["NatGateways"]
            if n["VpcId"] in [v["VpcId"] for v in vpcs]
        )
        snap["igws"] = sorted(
            (g["InternetGatewayId"], sorted(tags_of(g).items()))
            for g in ec2.describe_internet_gateways(Filters=by_env)["InternetGateways"]
        )
    snap["instances"] = sorted(
        (
            i["InstanceId"],
            i["State"]["Name"],
            i.get("SubnetId"),
            sorted(tags_of(i).items()),
            sorted(i.get("MetadataOptions", {}).items()),
            sorted((m["DeviceName"], m["Ebs"]["VolumeId"]) for m in i.get("BlockDeviceMappings", [])),
        )
        for r in ec2.describe_instances(Filters=by_env)["Reservations"]
        for i in r["Instances"]
        if i["State"]["Name"] != "terminated"
    )
    snap["volumes"] = sorted(
        (
            v["VolumeId"],
            v["State"],
            v["Size"],
            sorted(tags_of(v).items()),
            sorted(a["InstanceId"] for a in v["Attachments"]),
        )
        for v in ec2.describe_volumes(Filters=by_env)["Volumes"]
    )
    snap["snapshots"] = sorted(
        (s["SnapshotId"], sorted(tags_of(s).items()))
        for s in ec2.describe_snapshots(OwnerIds=["self"], Filters=by_env)["Snapshots"]
    )
    snap["eips"] = sorted(
        (a["PublicIp"], a.get("AssociationId", ""), sorted(tags_of(a).items()))
        for a in ec2.describe_addresses(Filters=by_env)["Addresses"]
    )
    snap["key_pairs"] = sorted(k["KeyName"] for k in ec2.describe_key_pairs(Filters=by_env)["KeyPairs"])
    iam = boto3.client("iam", endpoint_url=ec2.meta.endpoint_url, region_name=ec2.meta.region_name)
    snap["iam_roles"] = sorted(
        (
            r["RoleName"],
            sorted(
                p["InstanceProfileName"]
                for p in iam.list_instance_profiles_for_role(RoleName=r["RoleName"])["InstanceProfiles"]
            ),
        )
        for r in iam.list_roles()["Roles"]
        if {t["Key"]: t["Value"] for t in iam.list_role_tags(RoleName=r["RoleName"])["Tags"]}.get("kafkaops:env") == env
    )
    snap["zones"] = []
    for z in zones:
        detail = r53.get_hosted_zone(Id=z["Id"])
        records = r53.list_resource_record_sets(HostedZoneId=z["Id"])["ResourceRecordSets"]
        snap["zones"].append(
            (
                z["Id"],
                sorted(v["VPCId"] for v in detail.get("VPCs", [])),
                sorted(
                    (r["Name"], r["Type"], sorted(x["Value"] for x in r.get("ResourceRecords", []))) for r in records
                ),
            )
        )
    return json.loads(json.dumps(snap, default=str))


def check_present(ec2, r53, args, check):
    by_env, vpcs, zones = find(ec2, r53, args.env, args.domain)
    check(len(vpcs) == 1, "one VPC tagged kafkaops:env")
    vpc = vpcs[0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=by_env)["Subnets"]
    role = {s["SubnetId"]: tags_of(s).get("kafkaops:role") for s in subnets}
    private = sorted(
        (s for s in subnets if role[s["SubnetId"]] == "private-subnet"), key=lambda s: s["AvailabilityZone"]
    )
    public = sorted((s for s in subnets if role[s["SubnetId"]] == "public-subnet"), key=lambda s: s["AvailabilityZone"])
    azs = sorted({s["AvailabilityZone"] for s in private})
    # (per_az adds the public subnets of the other zones; a later single / none keeps them.)
    check(
        len(azs) == 3 and len(public) >= (3 if args.nat == "per_az" else 1),
        f"3 private subnets in 3 AZs, {len(public)} public",
    )
    real_azs = {
        z["ZoneName"]
        for z in ec2.describe_availability_zones(Filters=[{"Name": "zone-type", "Values": ["availability-zone"]}])[
            "AvailabilityZones"
        ]
    }
    check(set(azs) <= real_azs, f"subnets only in availability zones (no Local Zone): {azs}")
    igws = ec2.describe_internet_gateways(Filters=by_env)["InternetGateways"]
    check(len(igws) == 1 and igws[0]["Attachments"][0]["VpcId"] == vpc, "internet gateway attached to the VPC")
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["RouteTables"]
    by_subnet = {a["SubnetId"]: t for t in tables for a in t["Associations"] if a.get("SubnetId")}
    check(
        all(
            any(
                r.get("GatewayId") == igws[0]["InternetGatewayId"] and r.get("DestinationCidrBlock") == "0.0.0.0/0"
                for r in by_subnet.get(s["SubnetId"], {}).get("Routes", [])
            )
            for s in public
        ),
        "public subnets route 0.0.0.0/0 through the IGW",
    )

    # Item 3: egress of the private subnets.
    nats = [
        n
        for n in ec2.describe_nat_gateways(Filter=[{"Name": "vpc-id", "Values": [vpc]}])["NatGateways"]
        if n["State"] in ("pending", "available") and tags_of(n).get("kafkaops:env") == args.env
    ]
    want_nats = {"none": 0, "single": 1, "per_az": 3}[args.nat]
    check(
        len(nats) == want_nats and {n["SubnetId"] for n in nats} <= {s["SubnetId"] for s in public},
        f"aws_nat_gateways={args.nat}: {len(nats)} NAT gateway(s) in the public subnet(s)",
    )
    eips = {a["AllocationId"]: a for a in ec2.describe_addresses(Filters=by_env)["Addresses"]}
    check(
        all(a["AllocationId"] in eips for n in nats for a in n["NatGatewayAddresses"]),
        "each NAT gateway has an Elastic IP tagged kafkaops:env",
    )
    private_tables = [by_subnet.get(s["SubnetId"]) for s in private]
    check(
        all(t is not None and tags_of(t).get("kafkaops:role") == "private-routes" for t in private_tables)
        and len({t["RouteTableId"] for t in private_tables}) == 3,
        "each private subnet is associated with its own private route table",
    )
    nat_of = {n["SubnetId"]: n["NatGatewayId"] for n in nats}
    for subnet, table in zip(private, private_tables, strict=True):
        default = [r for r in table["Routes"] if r.get("DestinationCidrBlock") == "0.0.0.0/0"]
        if args.nat == "none":
            check(not default, f"{subnet['AvailabilityZone']}: no default route (aws_nat_gateways=none)")
        else:
            same_az = [p["SubnetId"] for p in public if p["AvailabilityZone"] == subnet["AvailabilityZone"]]
            expected = nat_of[same_az[0]] if args.nat == "per_az" else nats[0]["NatGatewayId"]
            check(
                len(default) == 1 and default[0].get("NatGatewayId") == expected,
                f"{subnet['AvailabilityZone']}: 0.0.0.0/0 through {'its zone' if args.nat == 'per_az' else 'the'} NAT",
            )
    endpoints = [
        e
        for e in ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["VpcEndpoints"]
        if e["ServiceName"].endswith(".s3") and e["State"].lower() == "available"
    ]
    check(
        len(endpoints) == 1
        and endpoints[0]["VpcEndpointType"] == "Gateway"
        and sorted(endpoints[0]["RouteTableIds"]) == sorted(t["RouteTableId"] for t in private_tables),
        "S3 gateway endpoint on the three private route tables",
    )

    # Item 5: security groups, clients, bastion.
    groups = {
        g["GroupName"]: g
        for g in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
    }
    cluster, bastion = groups[f"kafkaops-{args.env}-cluster"], groups[f"kafkaops-{args.env}-bastion"]
    cid, bid = cluster["GroupId"], bastion["GroupId"]
    ingress = rules(cluster["IpPermissions"])
    check(
        {r[1] for r in ingress if r[3] == cid} == CLUSTER_PORTS,
        "cluster SG: ZooKeeper, Kafka, KRaft controller (9097), Connect ports between members only",
    )
    check(
        {r[1] for r in ingress if r[3] == bid} == {22} | set(args.client_ports),
        f"cluster SG: SSH and {args.client_ports} from the bastion",
    )
    client = {r[1] for r in ingress if r[3] == "10.0.0.0/8"}
    check(client == set(args.client_ports), f"cluster SG: clients get {sorted(client)} only")
    check(
        not [r for r in ingress if r[1] == 22 and not r[3].startswith("sg-")],
        "cluster SG: SSH only from the bastion SG",
    )
    egress = rules(cluster["IpPermissionsEgress"])
    check(("-1", None, None, "0.0.0.0/0") not in egress, "cluster SG: no allow-all egress")
    check(("-1", None, None, cid) in egress, "cluster SG: all egress to the members")
    internet = {r[1] for r in egress if r[3] == "0.0.0.0/0"}
    if args.nat == "none":
        s3 = [r for r in egress if r[3].startswith("pl-")]
        check(
            not internet and [r[1] for r in s3] == [443],
            "cluster SG: no internet egress, 443 to the S3 prefix list only",
        )
    else:
        check(internet == {80, 443}, "cluster SG: egress 80/443 to the internet (through NAT)")
    begress = rules(bastion["IpPermissionsEgress"])
    check(("-1", None, None, "0.0.0.0/0") not in begress, "bastion SG: no allow-all egress")
    check(
        {r[1] for r in begress if r[3] == cid} == {22} | set(args.client_ports)
        and {r[1] for r in begress if r[3] == "0.0.0.0/0"} == {80, 443},
        "bastion SG: egress SSH/Kafka to the cluster SG, 80/443 out",
    )
    check([r[1] for r in rules(bastion["IpPermissions"])] == [22], "bastion SG: SSH from aws_ssh_cidrs")
    keys = ec2.describe_key_pairs(KeyNames=[f"kafkaops-{args.env}"])["KeyPairs"]
    check(len(keys) == 1, "key pair imported")
    filters = by_env + [
        {"Name": "tag:kafkaops:role", "Values": ["bastion"]},
        {"Name": "instance-state-name", "Values": ["running"]},
    ]
    bastions = [i for r in ec2.describe_instances(Filters=filters)["Reservations"] for i in r["Instances"]]
    check(len(bastions) == 1 and bastions[0]["SubnetId"] == public[0]["SubnetId"], "one bastion in the public subnet")
    md = bastions[0]["MetadataOptions"]
    check(
        md["HttpTokens"] == "required" and md["HttpPutResponseHopLimit"] == 1 and md["HttpEndpoint"] == "enabled",
        "bastion: IMDSv2 only (http_tokens required), hop limit 1",
    )
    protection = ec2.describe_instance_attribute(
        InstanceId=bastions[0]["InstanceId"], Attribute="disableApiTermination"
    )
    check(not protection["DisableApiTermination"]["Value"], "bastion: no termination protection (disposable)")
    root = [m["Ebs"]["VolumeId"] for m in bastions[0]["BlockDeviceMappings"]]
    check(all(v["Encrypted"] for v in ec2.describe_volumes(VolumeIds=root)["Volumes"]), "bastion root disk encrypted")
    check(len(zones) == 1, f"private zone {args.domain}")
    zone = r53.get_hosted_zone(Id=zones[0]["Id"])
    zone_vpcs = {v["VPCId"] for v in zone.get("VPCs", [])}
    check(vpc in zone_vpcs, "zone attached to the VPC")

    # Item 8: peering with each --peer.
    for peer in args.peer:
        peer_vpcs = [
            v
            for v in ec2.describe_vpcs(Filters=[{"Name": "tag:kafkaops:env", "Values": [peer]}])["Vpcs"]
            if tags_of(v).get("kafkaops:role") == "vpc"
        ]
        check(len(peer_vpcs) == 1, f"peer {peer}: one VPC")
        pvpc, pcidr = peer_vpcs[0]["VpcId"], peer_vpcs[0]["CidrBlock"]
        pcxs = [
            p
            for p in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
            if {p["RequesterVpcInfo"]["VpcId"], p["AccepterVpcInfo"]["VpcId"]} == {vpc, pvpc}
            and p["Status"]["Code"] == "active"
        ]
        check(len(pcxs) == 1, f"peer {peer}: one active VPC peering")
        pcx = pcxs[0]["VpcPeeringConnectionId"]
        check(
            all(
                any(
                    r.get("DestinationCidrBlock") == pcidr and r.get("VpcPeeringConnectionId") == pcx
                    for r in t["Routes"]
                )
                for t in private_tables
            ),
            f"peer {peer}: every private route table routes {pcidr} through {pcx}",
        )
        check(pvpc in zone_vpcs, f"peer {peer}: this environment's zone is associated with {peer}'s VPC")
        peer_private = sorted(
            s["CidrBlock"]
            for s in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [pvpc]}])["Subnets"]
            if tags_of(s).get("kafkaops:role") == "private-subnet"
        )
        from_peer = sorted({(r[1], r[3]) for r in ingress if r[3] in peer_private})
        check(
            from_peer == [(9095, c) for c in peer_private],
            f"peer {peer}: 9095 (only; no ZooKeeper) from its private subnets",
        )
        to_peer = sorted({(r[1], r[3]) for r in egress if r[3] in peer_private})
        check(to_peer == [(9095, c) for c in peer_private], f"peer {peer}: egress 9095 to its private subnets")


def check_absent(ec2, r53, args, check):
    by_env, vpcs, zones = find(ec2, r53, args.env, args.domain)
    check(not vpcs, f"no VPC of {args.env}")
    check(not zones, f"no zone {args.domain}")
    snap = snapshot(ec2, r53, args.env, args.domain)
    check(not snap["instances"], "no instance (bastion, brokers, ZooKeeper)")
    check(not snap["eips"] and not snap["key_pairs"] and not snap["iam_roles"], "no Elastic IP, key pair, IAM role")
    nats = [
        n
        for n in ec2.describe_nat_gateways()["NatGateways"]
        if tags_of(n).get("kafkaops:env") == args.env and n["State"] != "deleted"
    ]
    check(not nats, "no NAT gateway")
    pcxs = [
        p
        for p in ec2.describe_vpc_peering_connections()["VpcPeeringConnections"]
        if args.env in tags_of(p).get("kafkaops:peering", "").split(",") and p["Status"]["Code"] != "deleted"
    ]
    check(not pcxs, "no VPC peering")
    kept = [v for v in snap["volumes"] if ["kafkaops:role", "kafka-data"] in v[3]]
    check(
        len(kept) == args.kept_volumes and all(v[1] == "available" for v in kept) and len(kept) == len(snap["volumes"]),
        f"{len(kept)} data volume(s) kept (detached), no other volume",
    )
    check(len(snap["snapshots"]) == args.kept_snapshots, f"{len(snap['snapshots'])} final snapshot(s) kept")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--region", default="eu-central-1")
    parser.add_argument("--env", required=True)
    parser.add_argument("--domain", required=True)
    parser.add_argument("--nat", choices=["none", "single", "per_az"], default="single")
    parser.add_argument("--sasl-plaintext", action="store_true", help="9093 open to clients too")
    parser.add_argument("--peer", action="append", default=[])
    parser.add_argument("--absent", action="store_true")
    parser.add_argument("--kept-volumes", type=int, default=0)
    parser.add_argument("--kept-snapshots", type=int, default=0)
    parser.add_argument("--save")
    parser.add_argument("--previous")
    args = parser.parse_args()
    args.client_ports = [9093, 9095] if args.sasl_plaintext else [9095]
    ec2 = boto3.client("ec2", endpoint_url=args.endpoint, region_name=args.region)
    r53 = boto3.client("route53", endpoint_url=args.endpoint, region_name=args.region)
    check = Checker()
    if args.absent:
        check_absent(ec2, r53, args, check)
    elif not args.save:
        check_present(ec2, r53, args, check)
    if args.save:
        snap = snapshot(ec2, r53, args.env, args.domain)
        with open(args.save, "w") as f:
            json.dump(snap, f, indent=1, sort_keys=True)
        if args.previous:
            with open(args.previous) as f:
                before = json.load(f)
            for kind in sorted(set(before) | set(snap)):
                if before.get(kind) != snap.get(kind):
                    print(f"  {kind}: {json.dumps(before.get(kind))}\n    -> {json.dumps(snap.get(kind))}")
            check(
                before == snap,
                f"everything tagged kafkaops:env={args.env} unchanged ({sum(len(v) for v in snap.values())} resources)",
            )
        else:
            check(True, f"snapshot of {args.env}: {sum(len(v) for v in snap.values())} resources")
    print(f"{len(check.passed)} checks passed")


if __name__ == "__main__":
    main()
