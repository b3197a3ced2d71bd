# shellcheck shell=bash
# shellcheck disable=SC2034  # PLAY_ENV is read by the play and refuse functions of run.sh
# Sourced by tests/aws/run.sh after 50-kraft.sh (uses its KRAFT and REPL_DOMAIN), before 90-destroy.sh removes repl
# (with the monitoring group, and an instance that has two groups). Issue 18: with kafkaops_monitoring the environment
# gets the monitoring host's security group (no rule of its own) and the cluster's group opens the metrics ports
# (node_exporter 9100, the Prometheus endpoints 9404-9408) to it and to nothing else; provision gives it to the first
# broker only (the monitoring host), an instance launched before monitoring was on included. Each re-run changes nothing.
MON_START=$SECONDS
PLAY_ENV=repl
play changed "environment.yml repl with kafkaops_monitoring" playbooks/environment.yml -e kafkaops_monitoring=true
play 0 "environment.yml repl with kafkaops_monitoring (second run)" playbooks/environment.yml -e kafkaops_monitoring=true
play changed "KRaft cluster k with kafkaops_monitoring: kafka-0 gets the monitoring group" "$MAIN" "${KRAFT[@]}" \
  -e kafkaops_monitoring=true
play 0 "KRaft cluster k with kafkaops_monitoring (second run)" "$MAIN" "${KRAFT[@]}" -e kafkaops_monitoring=true
out=$("$BIN/python" - "$ENDPOINT" <<'PY'
import sys
import boto3

ec2 = boto3.client("ec2", endpoint_url=sys.argv[1], region_name="eu-central-1")
vpc = ec2.describe_vpcs(Filters=[{"Name": "tag:kafkaops:env", "Values": ["repl"]}])["Vpcs"][0]["VpcId"]
groups = {g["GroupName"]: g for g in ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["SecurityGroups"]}
mon, cluster = groups["kafkaops-repl-monitoring"], groups["kafkaops-repl-cluster"]
assert not mon["IpPermissions"] and not mon["IpPermissionsEgress"], ("monitoring SG has rules", mon)
from_mon = sorted(
    p["FromPort"]
    for p in cluster["IpPermissions"]
    for pair in p.get("UserIdGroupPairs", [])
    if pair["GroupId"] == mon["GroupId"]
)
assert from_mon == [9100, 9404, 9405, 9406, 9407, 9408], ("cluster SG ports from the monitoring SG", from_mon)
others = [g for g in groups.values() for p in g["IpPermissions"] for pair in p.get("UserIdGroupPairs", [])
          if pair["GroupId"] == mon["GroupId"] and g["GroupId"] != cluster["GroupId"]]
assert not others, ("other groups open to the monitoring SG", others)
metrics_elsewhere = [p for p in cluster["IpPermissions"] if p.get("FromPort") in from_mon
                     and [pair for pair in p.get("UserIdGroupPairs", []) if pair["GroupId"] != mon["GroupId"]] + p.get("IpRanges", [])]
assert not metrics_elsewhere, ("metrics ports open to more than the monitoring SG", metrics_elsewhere)
live = {"pending", "running", "stopping", "stopped"}
wanted = [{"Name": "tag:kafkaops:env", "Values": ["repl"]}, {"Name": "tag:kafkaops:cluster", "Values": ["k"]}]
with_mon = sorted(
    next(t["Value"] for t in i["Tags"] if t["Key"] == "kafkaops:fqdn")
    for r in ec2.describe_instances(Filters=wanted)["Reservations"]
    for i in r["Instances"]
    if i["State"]["Name"] in live and mon["GroupId"] in [g["GroupId"] for g in i["SecurityGroups"]]
)
assert [h.split(".")[0] for h in with_mon] == ["kafka-0"], ("instances with the monitoring SG", with_mon)
print(f"monitoring SG {mon['GroupId']}: no rules; cluster SG opens {from_mon} to it only; instances with it: {with_mon}")
PY
) || { echo "$out"; echo "FAILED: the monitoring host's security group" >&2; exit 1; }
note "$out"
note "monitoring step: $((SECONDS - MON_START)) s"
PLAY_ENV=prod
