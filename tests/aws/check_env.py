"""Assert what playbooks/environment.yml left in (moto's) EC2 and Route53.

python tests/aws/check_env.py --endpoint URL --env prod --domain D
"""

import argparse
import sys

import boto3

CLUSTER_PORTS = {2181, 2888, 3888, 9093, 9095, 8083, 8084}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--region", default="eu-central-1")
    parser.add_argument("--env", required=True)
    parser.add_argument("--domain", required=True)
    args = parser.parse_args()
    ec2 = boto3.client("ec2", endpoint_url=args.endpoint, region_name=args.region)
    r53 = boto3.client("route53", endpoint_url=args.endpoint, region_name=args.region)
    env = [{"Name": "tag:kafkaops:env", "Values": [args.env]}]
    checks = []

    def check(condition, message):
        if not condition:
            print(f"FAIL: {message}")
            sys.exit(1)
        checks.append(message)
        print(f"ok: {message}")

    vpcs = ec2.describe_vpcs(Filters=env)["Vpcs"]
    check(len(vpcs) == 1, "one VPC tagged kafkaops:env")
    vpc = vpcs[0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=env)["Subnets"]
    roles = {s["SubnetId"]: {t["Key"]: t["Value"] for t in s["Tags"]}["kafkaops:role"] for s in subnets}
    private = [s for s in subnets if roles[s["SubnetId"]] == "private-subnet"]
    public = [s for s in subnets if roles[s["SubnetId"]] == "public-subnet"]
    check(
        len({s["AvailabilityZone"] for s in private}) == 3 and len(public) == 1, "3 private subnets in 3 AZs, 1 public"
    )
    igws = ec2.describe_internet_gateways(Filters=env)["InternetGateways"]
    check(len(igws) == 1 and igws[0]["Attachments"][0]["VpcId"] == vpc, "internet gateway attached to the VPC")
    tables = ec2.describe_route_tables(Filters=env)["RouteTables"]
    routes = [r for t in tables for r in t["Routes"] if r.get("GatewayId") == igws[0]["InternetGatewayId"]]
    associated = {a.get("SubnetId") for t in tables for a in t["Associations"]}
    check(bool(routes) and public[0]["SubnetId"] in associated, "public subnet routes 0.0.0.0/0 through the IGW")
    groups = {
        g["GroupName"]: g
        for g in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]
    }
    cluster, bastion = groups[f"kafkaops-{args.env}-cluster"], groups[f"kafkaops-{args.env}-bastion"]
    self_ports = {
        p["FromPort"]
        for p in cluster["IpPermissions"]
        if any(g["GroupId"] == cluster["GroupId"] for g in p.get("UserIdGroupPairs", []))
    }
    check(self_ports == CLUSTER_PORTS, f"cluster SG: ports {sorted(self_ports)} between members")
    ssh = [p for p in cluster["IpPermissions"] if p["FromPort"] == 22]
    check(
        all(not p.get("IpRanges") for p in ssh)
        and any(g["GroupId"] == bastion["GroupId"] for p in ssh for g in p["UserIdGroupPairs"]),
        "cluster SG: SSH only from the bastion SG",
    )
    clients = {p["FromPort"] for p in cluster["IpPermissions"] if p.get("IpRanges")}
    check(clients == {9093, 9095}, "cluster SG: client ports 9093/9095 from aws_client_cidrs")
    check([p["FromPort"] for p in bastion["IpPermissions"]] == [22], "bastion SG: SSH from aws_ssh_cidrs")
    keys = ec2.describe_key_pairs(KeyNames=[f"kafkaops-{args.env}"])["KeyPairs"]
    check(len(keys) == 1, "key pair imported")
    filters = env + [
        {"Name": "tag:kafkaops:role", "Values": ["bastion"]},
        {"Name": "instance-state-name", "Values": ["running"]},
    ]
    bastions = [i for r in ec2.describe_instances(Filters=filters)["Reservations"] for i in r["Instances"]]
    check(len(bastions) == 1 and bastions[0]["SubnetId"] == public[0]["SubnetId"], "one bastion in the public subnet")
    root = [m["Ebs"]["VolumeId"] for m in bastions[0]["BlockDeviceMappings"]]
    vols = ec2.describe_volumes(VolumeIds=root)["Volumes"]
    check(all(v["Encrypted"] for v in vols), "bastion root disk encrypted")
    zones = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == args.domain + "."]
    check(len(zones) == 1 and zones[0]["Config"]["PrivateZone"], f"private zone {args.domain}")
    zone = r53.get_hosted_zone(Id=zones[0]["Id"])
    check(any(v["VPCId"] == vpc for v in zone.get("VPCs", [])), "zone attached to the VPC")
    print(f"{len(checks)} checks passed")


if __name__ == "__main__":
    main()
