# shellcheck shell=bash
# shellcheck disable=SC2034  # PLAY_ENV is read by the play and refuse functions of run.sh
# Sourced by tests/aws/run.sh (uses play, refuse, note, $INV, $WORK, $ENDPOINT, $BIN, $DOMAIN, $PLAY_ENV).
# Issue 14 items 3 and 5, environment side. check_env.py (run by run.sh after environment.yml) already asserted prod's
# network: one NAT gateway with its Elastic IP, a route table per private subnet with 0.0.0.0/0 through it, the S3
# gateway endpoint on those tables, deliberate egress rules, clients on 9095 only, the bastion on IMDSv2 with hop limit
# 1. Here: bad input is refused before any change, and the 9093 opt-in is predicted by --check with its warning while
# nothing changes.
env_check() { "$BIN/python" tests/aws/check_env.py --endpoint "$ENDPOINT" "$@"; }

PLAY_ENV=prod
refuse "environment.yml with aws_nat_gateways=two" "value of aws_nat_gateways must be one of: none, single, per_az, got: two" \
  playbooks/environment.yml -e aws_nat_gateways=two
refuse "environment.yml with per_az and no public subnets for it" "per_az needs the 2 public subnets" \
  playbooks/environment.yml -e aws_nat_gateways=per_az -e '{"aws_nat_public_subnet_cidrs": []}'
play changed "environment.yml --check with aws_client_sasl_plaintext=true" playbooks/environment.yml --check \
  -e aws_client_sasl_plaintext=true
grep -q "WARNING: aws_client_sasl_plaintext=true opens 9093" "$WORK/step$STEP.log" ||
  { echo "FAILED: no warning for aws_client_sasl_plaintext" >&2; exit 1; }
grep -B2 '^changed' "$WORK/step$STEP.log" | grep -q "cluster's security group" ||
  { echo "FAILED: --check did not predict the security group change" >&2; exit 1; }
out=$(env_check --env prod --domain "$DOMAIN") || { echo "$out"; echo "FAILED: the --check run changed prod" >&2; exit 1; }
note "9093 opt-in: --check predicts the rule change and warns, prod still 9095-only ($(tail -1 <<<"$out"))"

# Issue 14 item 9: zones by type, AMI by architecture. moto here lists the Local Zone eu-central-1-ham-1a (it sorts
# first: tests/aws/moto_server.py); prod's private subnets must be in three real availability zones.
out=$("$BIN/python" - "$ENDPOINT" <<'PY'
import sys
import boto3
ec2 = boto3.client("ec2", endpoint_url=sys.argv[1], region_name="eu-central-1")
zones = {z["ZoneName"]: z["ZoneType"] for z in ec2.describe_availability_zones()["AvailabilityZones"]}
assert zones.get("eu-central-1-ham-1a") == "local-zone", zones
tags = [{"Name": "tag:kafkaops:env", "Values": ["prod"]}, {"Name": "tag:kafkaops:role", "Values": ["private-subnet"]}]
azs = sorted(s["AvailabilityZone"] for s in ec2.describe_subnets(Filters=tags)["Subnets"])
assert azs == ["eu-central-1a", "eu-central-1b", "eu-central-1c"], azs
arm = sorted(i["ImageId"] for i in ec2.describe_images()["Images"] if i["Architecture"] == "arm64")[0]
print(arm)
PY
) || { echo "$out"; echo "FAILED: zones or AMIs" >&2; exit 1; }
ARM_AMI=$out
note "private subnets in eu-central-1a/b/c although the Local Zone eu-central-1-ham-1a sorts first"
refuse "environment.yml with an arm64 AMI for a t3 bastion" "is built for arm64, but aws_instance_type_bastion=t3.micro runs" \
  playbooks/environment.yml -e aws_ami_id="$ARM_AMI"
refuse "provision main with an arm64 AMI for m5/t3 instances" "is built for arm64, but m5.large runs" \
  "$MAIN" -e aws_ami_id="$ARM_AMI"
grep -q "t3.medium runs" "$WORK/step$STEP.log" || { echo "FAILED: the refusal does not name t3.medium" >&2; exit 1; }
