"""Snapshot every instance, volume and DNS record in (moto's) account, or compare one with an earlier snapshot.

python tests/aws/snapshot.py --endpoint URL --save S.json
python tests/aws/snapshot.py --endpoint URL --save S2.json --previous S.json --only-changed ENV:CLUSTER
    [--only-records NAME ...]
Compares byte for byte (ids, states, tags, attachments, record values) and fails when anything outside the given
cluster changed: instances and volumes are matched by their kafkaops:env / kafkaops:cluster tags; DNS records by name
(--only-records names the records the run may change). Prints one line per difference inside the cluster.
"""

import argparse
import json
import sys

import boto3


def tags_of(resource):
    return {t["Key"]: t["Value"] for t in resource.get("Tags", [])}


def read(endpoint, region):
    ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name=region)
    r53 = boto3.client("route53", endpoint_url=endpoint, region_name=region)
    instances = {}
    for reservation in ec2.describe_instances()["Reservations"]:
        for inst in reservation["Instances"]:
            if inst["State"]["Name"] == "terminated":
                continue
            instances[inst["InstanceId"]] = {
                "state": inst["State"]["Name"],
                "tags": tags_of(inst),
                "ip": inst.get("PrivateIpAddress"),
                "subnet": inst.get("SubnetId"),
                "devices": sorted((m["DeviceName"], m["Ebs"]["VolumeId"]) for m in inst.get("BlockDeviceMappings", [])),
            }
    volumes = {}
    for vol in ec2.describe_volumes()["Volumes"]:
        volumes[vol["VolumeId"]] = {
            "state": vol["State"],
            "size": vol["Size"],
            "tags": tags_of(vol),
            "attachments": sorted((a["InstanceId"], a["Device"]) for a in vol.get("Attachments", [])),
        }
    records = {}
    for zone in r53.list_hosted_zones()["HostedZones"]:
        for rs in r53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]:
            if rs["Type"] == "A":
                records[rs["Name"].rstrip(".")] = sorted(v["Value"] for v in rs["ResourceRecords"])
    return {"instances": instances, "volumes": volumes, "records": records}


def owner(resource):
    tags = resource["tags"]
    return f"{tags.get('kafkaops:env', '')}:{tags.get('kafkaops:cluster', '')}"


def compare(before, after, cluster, records_allowed):
    outside, inside = [], []
    for kind in ("instances", "volumes"):
        for rid in sorted(set(before[kind]) | set(after[kind])):
            old, new = before[kind].get(rid), after[kind].get(rid)
            if old == new:
                continue
            what = f"{kind[:-1]} {rid} ({(old or new)['tags'].get('Name', '')}): {old} -> {new}"
            (inside if owner(old or new) == cluster else outside).append(what)
    for name in sorted(set(before["records"]) | set(after["records"])):
        old, new = before["records"].get(name), after["records"].get(name)
        if old != new:
            (inside if name in records_allowed else outside).append(f"record {name}: {old} -> {new}")
    return outside, inside


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--region", default="eu-central-1")
    parser.add_argument("--save", required=True)
    parser.add_argument("--previous")
    parser.add_argument("--only-changed", help="ENV:CLUSTER whose instances and volumes may have changed")
    parser.add_argument("--only-records", nargs="*", default=[], help="DNS records that may have changed")
    args = parser.parse_args()
    state = read(args.endpoint, args.region)
    with open(args.save, "w") as f:
        json.dump(state, f, indent=1, sort_keys=True)
    if not args.previous:
        counts = {kind: len(state[kind]) for kind in ("instances", "volumes", "records")}
        print("ok: {instances} instances, {volumes} volumes, {records} records".format(**counts))
        return 0
    with open(args.previous) as f:
        before = json.load(f)
    # JSON turned the tuples into lists: compare like with like.
    state = json.loads(json.dumps(state))
    outside, inside = compare(before, state, args.only_changed or "", set(args.only_records))
    for line in inside:
        print(f"changed in {args.only_changed}: {line}")
    if outside:
        for line in outside:
            print(f"FAILED: changed outside {args.only_changed or 'nothing'}: {line}")
        return 1
    others = sum(1 for kind in ("instances", "volumes") for r in before[kind].values() if owner(r) != args.only_changed)
    print(
        f"ok: {others} instances/volumes of other clusters and "
        f"{len(set(before['records']) - set(args.only_records))} other records unchanged byte for byte; "
        f"{len(inside)} changes in {args.only_changed}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
