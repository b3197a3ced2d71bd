"""Assert what provision_aws left in (moto's) EC2, IAM and Route53, and save it for the next step's comparison.

python tests/aws/check_state.py --endpoint URL --env prod --domain D --brokers 0,1,2 --save S.json
    [--cluster C] [--zookeepers N] [--controllers 1001,1002,1003 [--controller-volume-size GIB]
    [--controller-kms-key ARN]]
    [--previous P.json] [--added N] [--unchanged] [--replaced ID]
    [--services connect] [--connect-profile NAME --s3-bucket B --s3-prefix P [--s3-kms-key ARN]]
    [--volume-size GIB] [--volume-iops N] [--volume-throughput N] [--volume-kms-key ARN --kms-brokers 3]
Always: every broker, controller and ZooKeeper instance requires IMDSv2 (hop limit 1) and has termination protection.
--cluster: only that cluster's instances, volumes and records (default: every cluster of the environment).
Prints one "ok" line per assertion; exits 1 on the first failure.
"""

import argparse
import json
import sys

import boto3

LIVE = ["pending", "running", "stopping", "stopped"]


def read_state(endpoint, region, env, domain, device, cluster=None):
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=region)
    profiles = {}
    r53 = boto3.client("route53", endpoint_url=endpoint, region_name=region)
    by_cluster = [{"Name": "tag:kafkaops:cluster", "Values": [cluster]}] if cluster else []
    filters = [
        {"Name": "tag:kafkaops:env", "Values": [env]},
        {"Name": "instance-state-name", "Values": LIVE},
    ] + by_cluster
    instances = [i for r in ec2.describe_instances(Filters=filters)["Reservations"] for i in r["Instances"]]
    hosts = {}
    for inst in instances:
        tags = {t["Key"]: t["Value"] for t in inst.get("Tags", [])}
        if tags.get("kafkaops:role") not in ("kafka", "kafka_controller", "zookeeper"):
            continue
        data = [m["Ebs"]["VolumeId"] for m in inst.get("BlockDeviceMappings", []) if m["DeviceName"] == device]
        metadata = inst.get("MetadataOptions", {})
        protection = ec2.describe_instance_attribute(InstanceId=inst["InstanceId"], Attribute="disableApiTermination")
        profiles[tags["kafkaops:fqdn"]] = inst.get("IamInstanceProfile", {}).get("Arn")
        hosts[tags["kafkaops:fqdn"]] = {
            "role": tags["kafkaops:role"],
            "instance_id": inst["InstanceId"],
            "ip": inst["PrivateIpAddress"],
            "az": inst["Placement"]["AvailabilityZone"],
            "data_volumes": data,
            "broker_id": tags.get("kafkaops:broker_id"),
            "controller_id": tags.get("kafkaops:controller_id"),
            "zookeeper_id": tags.get("kafkaops:zookeeper_id"),
            "name": tags.get("Name"),
            "cluster": tags.get("kafkaops:cluster"),
            "imds": [metadata.get("HttpTokens"), metadata.get("HttpPutResponseHopLimit")],
            "protected": protection["DisableApiTermination"]["Value"],
            "profile": profiles[tags["kafkaops:fqdn"]],
            "services": tags.get("kafkaops:services"),
        }
    vol_filters = [
        {"Name": "tag:kafkaops:env", "Values": [env]},
        {"Name": "tag:kafkaops:role", "Values": ["kafka-data"]},
    ] + by_cluster
    volumes = {}
    for vol in ec2.describe_volumes(Filters=vol_filters)["Volumes"]:
        tags = {t["Key"]: t["Value"] for t in vol.get("Tags", [])}
        volumes[vol["VolumeId"]] = {
            "broker_id": tags.get("kafkaops:broker_id"),
            "controller_id": tags.get("kafkaops:controller_id"),
            "fqdn": tags.get("kafkaops:fqdn"),
            "encrypted": vol["Encrypted"],
            "type": vol["VolumeType"],
            "attachments": [(a["InstanceId"], a["Device"]) for a in vol.get("Attachments", [])],
            "size": vol["Size"],
            "iops": vol.get("Iops"),
            "throughput": vol.get("Throughput"),
            "kms_key": vol.get("KmsKeyId"),
        }
    zone = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == domain + "."][0]
    records = {}
    # A cluster other than the environment's own has its names under <cluster>.<domain>.
    cluster_domain = domain if not cluster or cluster == env else f"{cluster}.{domain}"
    for rs in r53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]:
        name = rs["Name"].rstrip(".")
        if rs["Type"] == "A" and (not cluster or name.partition(".")[2] == cluster_domain):
            records[name] = sorted(v["Value"] for v in rs["ResourceRecords"])
    return {"hosts": hosts, "volumes": volumes, "records": records}


def read_role(endpoint, region, name):
    """The IAM role NAME: trust policy, inline policies, managed policies, instance profiles (None when absent)."""
    iam = boto3.client("iam", endpoint_url=endpoint, region_name=region)
    try:
        role = iam.get_role(RoleName=name)["Role"]
    except iam.exceptions.NoSuchEntityException:
        return None
    inline = {
        policy: iam.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
        for policy in iam.list_role_policies(RoleName=name)["PolicyNames"]
    }
    return {
        "trust": role["AssumeRolePolicyDocument"],
        "inline": inline,
        "managed": iam.list_attached_role_policies(RoleName=name)["AttachedPolicies"],
        "profiles": [p["Arn"] for p in iam.list_instance_profiles_for_role(RoleName=name)["InstanceProfiles"]],
    }


def expected_policy(bucket, prefix, kms_key):
    """The least-privilege policy provision_aws gives the Connect hosts."""
    bucket_arn = f"arn:aws:s3:::{bucket}"
    listing = {"Sid": "ListBackupPrefix", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn}
    if prefix:
        listing["Condition"] = {"StringLike": {"s3:prefix": [prefix, prefix + "*"]}}
    statements = [
        listing,
        {
            "Sid": "ReadWriteBackupObjects",
            "Effect": "Allow",
            "Action": ["s3:AbortMultipartUpload", "s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
            "Resource": f"{bucket_arn}/{prefix}*",
        },
    ]
    if kms_key:
        statements.append(
            {
                "Sid": "UseBackupKey",
                "Effect": "Allow",
                "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
                "Resource": kms_key,
            }
        )
    return {"Version": "2012-10-17", "Statement": statements}


class Checker:
    def __init__(self):
        self.count = 0

    def check(self, condition, message):
        if not condition:
            print(f"FAIL: {message}")
            sys.exit(1)
        self.count += 1
        print(f"ok: {message}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--region", default="eu-central-1")
    parser.add_argument("--env", required=True)
    parser.add_argument("--domain", required=True)
    parser.add_argument("--device", default="/dev/sdf")
    parser.add_argument("--brokers", required=True, help="comma-separated broker ids expected")
    parser.add_argument("--zookeepers", type=int, default=3)
    parser.add_argument("--cluster", help="only this cluster (tag kafkaops:cluster) and its DNS names")
    parser.add_argument(
        "--controllers", default="", help="comma-separated KRaft controller ids expected (default none)"
    )
    parser.add_argument("--controller-volume-size", type=int, help="GiB of every controller data volume")
    parser.add_argument("--controller-kms-key", help="KMS key ARN every controller data volume is encrypted with")
    parser.add_argument("--save", required=True)
    parser.add_argument("--previous")
    parser.add_argument("--added", type=int, help="brokers added since --previous")
    parser.add_argument("--unchanged", action="store_true", help="nothing changed since --previous")
    parser.add_argument("--replaced", type=int, help="broker whose instance was replaced since --previous")
    parser.add_argument("--services", help="expected tag kafkaops:services of every broker")
    parser.add_argument("--connect-profile", help="IAM role/instance profile every broker (and no other instance) has")
    parser.add_argument("--s3-bucket", help="bucket of --connect-profile's policy")
    parser.add_argument("--s3-prefix", default="", help="prefix of --connect-profile's policy")
    parser.add_argument("--s3-kms-key", default="", help="KMS key ARN of --connect-profile's policy")
    parser.add_argument("--volume-size", type=int, help="GiB of every data volume")
    parser.add_argument("--volume-iops", type=int, help="IOPS of every data volume")
    parser.add_argument("--volume-throughput", type=int, help="MiB/s of every data volume")
    parser.add_argument("--volume-kms-key", help="KMS key ARN of the data volumes of --kms-brokers")
    parser.add_argument("--kms-brokers", default="", help="broker ids (comma-separated) with --volume-kms-key")
    args = parser.parse_args()

    state = read_state(args.endpoint, args.region, args.env, args.domain, args.device, args.cluster)
    with open(args.save, "w", encoding="utf-8") as handle:
        json.dump(state, handle, indent=1, sort_keys=True)
    c = Checker()
    expected = sorted(int(b) for b in args.brokers.split(",") if b)
    brokers = {f: h for f, h in state["hosts"].items() if h["role"] == "kafka"}
    zks = {f: h for f, h in state["hosts"].items() if h["role"] == "zookeeper"}
    controllers = {f: h for f, h in state["hosts"].items() if h["role"] == "kafka_controller"}
    ids = sorted(int(h["broker_id"]) for h in brokers.values())
    c.check(ids == expected, f"live broker instances {ids} == {expected}")
    c.check(len(zks) == args.zookeepers, f"{len(zks)} ZooKeeper instances")
    expected_controllers = sorted(int(i) for i in args.controllers.split(",") if i)
    controller_ids = sorted(int(h["controller_id"]) for h in controllers.values())
    c.check(
        controller_ids == expected_controllers, f"live controller instances {controller_ids} == {expected_controllers}"
    )
    # Each role's host N sits in subnet N % 3: every role spreads over the AZs (a cluster that lost its highest
    # controller may hold two hosts in one AZ of different roles).
    for role in ("kafka", "zookeeper", "kafka_controller"):
        role_azs = [h["az"] for h in state["hosts"].values() if h["role"] == role]
        c.check(len(set(role_azs)) == min(3, len(role_azs)), f"{role} hosts spread over the AZs {sorted(role_azs)}")
    if len(controllers) > 1:
        azs = sorted(h["az"] for h in controllers.values())
        c.check(len(set(azs)) == min(3, len(controllers)), f"controllers spread over the AZs {azs}")
    prefix = args.env if not args.cluster or args.cluster == args.env else f"{args.env}-{args.cluster}"
    cluster_domain = args.domain if not args.cluster or args.cluster == args.env else f"{args.cluster}.{args.domain}"
    for fqdn, host in sorted(controllers.items()):
        n = int(host["controller_id"]) - 1001
        c.check(
            fqdn == f"controller-{n}.{cluster_domain}"
            and host["name"] == f"{prefix}-controller-{n}"
            and host["cluster"] == (args.cluster or host["cluster"])
            and host["broker_id"] is None
            and host["zookeeper_id"] is None,
            f"{fqdn}: tagged kafkaops:role=kafka_controller, kafkaops:controller_id={host['controller_id']},"
            f" Name={host['name']}",
        )
    broker_volumes = {v: d for v, d in state["volumes"].items() if d["broker_id"] is not None}
    controller_volumes = {v: d for v, d in state["volumes"].items() if d["controller_id"] is not None}
    c.check(
        len(broker_volumes) + len(controller_volumes) == len(state["volumes"]),
        "every data volume is a broker's or a controller's",
    )
    vol_ids = sorted(int(v["broker_id"]) for v in broker_volumes.values())
    c.check(vol_ids == expected, f"one data volume per broker {vol_ids}")
    vol_ids = sorted(int(v["controller_id"]) for v in controller_volumes.values())
    c.check(vol_ids == expected_controllers, f"one data volume per controller {vol_ids}")
    c.check(all(v["encrypted"] and v["type"] == "gp3" for v in state["volumes"].values()), "data volumes encrypted gp3")
    for fqdn, host in sorted(brokers.items()) + sorted(controllers.items()):
        key = "broker_id" if host["role"] == "kafka" else "controller_id"
        vols = [v for v, d in state["volumes"].items() if d[key] == host[key]]
        attached = state["volumes"][vols[0]]["attachments"] if vols else []
        c.check(
            host["data_volumes"] == vols and attached == [(host["instance_id"], args.device)],
            f"{fqdn}: its volume {vols} attached at {args.device}",
        )
    for fqdn, host in sorted(state["hosts"].items()):
        c.check(state["records"].get(fqdn) == [host["ip"]], f"A record {fqdn} -> {host['ip']}")
    rr = state["records"].get("kafka." + cluster_domain, [])
    c.check(rr == sorted(h["ip"] for h in brokers.values()), f"round-robin kafka.{cluster_domain} has {len(rr)} values")
    stale = [n for n in state["records"] if n.startswith(("kafka-", "controller-")) and n not in state["hosts"]]
    c.check(not stale, f"no A records of removed brokers or controllers {stale}")
    weak = sorted(f for f, h in state["hosts"].items() if h["imds"] != ["required", 1] or not h["protected"])
    hardened = f"IMDSv2 only (hop limit 1) and termination protection on all {len(state['hosts'])} instances"
    c.check(not weak, f"{hardened} {weak}")
    if args.services is not None:
        services = sorted({h["services"] for h in brokers.values()})
        c.check(services == [args.services], f"tag kafkaops:services={services} on every broker")

    if args.connect_profile:
        role = read_role(args.endpoint, args.region, args.connect_profile)
        arn = f"arn:aws:iam::123456789012:instance-profile/{args.connect_profile}"
        with_profile = sorted(f for f, h in state["hosts"].items() if h["profile"] == arn)
        others = sorted(f for f, h in state["hosts"].items() if h["profile"] and h["profile"] != arn)
        c.check(with_profile == sorted(brokers) and not others, f"{arn} on the brokers only {with_profile}")
        c.check(role is not None and role["profiles"] == [arn], f"role {args.connect_profile} in that instance profile")
        trust = role["trust"]["Statement"]
        c.check(
            [(s["Effect"], s["Principal"], s["Action"]) for s in trust]
            == [("Allow", {"Service": "ec2.amazonaws.com"}, "sts:AssumeRole")],
            "the role trusts EC2 only",
        )
        want = expected_policy(args.s3_bucket, args.s3_prefix, args.s3_kms_key)
        c.check(
            role["inline"] == {"s3-backup": want} and not role["managed"],
            f"its only policy: s3:ListBucket on {args.s3_bucket} under '{args.s3_prefix}', objects below it"
            + (f", KMS key {args.s3_kms_key}" if args.s3_kms_key else ""),
        )
    for name, value in (("size", args.volume_size), ("iops", args.volume_iops), ("throughput", args.volume_throughput)):
        if value is not None:
            found = sorted({v[name] for v in broker_volumes.values()})
            c.check(found == [value], f"data volume {name} {found} == {value}")
    if args.controller_volume_size is not None:
        found = sorted({v["size"] for v in controller_volumes.values()})
        c.check(
            found == [args.controller_volume_size],
            f"controller data volume size {found} == {args.controller_volume_size}",
        )
    if args.controller_kms_key:
        keys = sorted({v["kms_key"] for v in controller_volumes.values()})
        c.check(keys == [args.controller_kms_key], f"controller data volumes encrypted with {keys}")
    if args.volume_kms_key:
        ids = {b for b in args.kms_brokers.split(",") if b}
        keyed = sorted(v["broker_id"] for v in broker_volumes.values() if v["kms_key"] == args.volume_kms_key)
        c.check(keyed == sorted(ids), f"data volumes of brokers {keyed} encrypted with {args.volume_kms_key}")

    if args.previous:
        with open(args.previous, encoding="utf-8") as handle:
            before = json.load(handle)
        new_instances = {h["instance_id"] for h in state["hosts"].values()} - {
            h["instance_id"] for h in before["hosts"].values()
        }
        new_volumes = set(state["volumes"]) - set(before["volumes"])
        if args.unchanged:
            c.check(
                json.loads(json.dumps(state, sort_keys=True)) == before,
                "nothing changed (instances, volumes, attachments, records)",
            )
        if args.added is not None:
            added_records = set(state["records"]) - set(before["records"])
            c.check(len(new_instances) == args.added, f"exactly {args.added} new instance(s)")
            c.check(len(new_volumes) == args.added, f"exactly {args.added} new volume(s)")
            c.check(len(added_records) == args.added, f"exactly {args.added} new A record(s) {sorted(added_records)}")
        if args.replaced is not None:
            fqdn = f"kafka-{args.replaced}.{args.domain}"
            old, new = before["hosts"][fqdn], state["hosts"][fqdn]
            message = f"{fqdn}: new instance {new['instance_id']} (was {old['instance_id']})"
            c.check(new_instances == {new["instance_id"]}, message)
            c.check(new["data_volumes"] == old["data_volumes"], f"{fqdn}: same data volume {new['data_volumes']}")
            c.check(not new_volumes and set(state["volumes"]) == set(before["volumes"]), "no volume created or deleted")
            c.check(new["az"] == old["az"], f"{fqdn}: same AZ {new['az']}")
    print(f"{c.count} assertions passed")


if __name__ == "__main__":
    main()
