# shellcheck shell=bash
# shellcheck disable=SC2034  # PLAY_ENV is read by the play and refuse functions of run.sh
# Sourced by tests/aws/run.sh last. Issue 14 item 9: playbooks/aws_destroy.yml removes environment repl -- its
# instances (brokers and KRaft controllers with termination protection, ZooKeeper, bastion), records and zone, key
# pair, NAT gateway and Elastic IP, S3 endpoint, the peering with prod, route tables, subnets, IGW, security groups and
# VPC -- keeps repl's data volumes (the controllers' too) and final snapshots, and leaves everything tagged
# kafkaops:env=prod byte for byte as it was.
# Refused without the confirmation naming repl; --check changes nothing; a second run changes nothing.
env_check() { "$BIN/python" tests/aws/check_env.py --endpoint "$ENDPOINT" "$@"; }
REPL_DOMAIN=$(domain_of repl)

env_check --env prod --domain "$DOMAIN" --save "$WORK/prod-before.json" >/dev/null
env_check --env repl --domain "$REPL_DOMAIN" --save "$WORK/repl-before.json" >/dev/null
PLAY_ENV=repl
refuse "aws_destroy.yml repl confirmed with another name" "Confirm with -e aws_destroy_confirm=repl (got 'prod')" \
  playbooks/aws_destroy.yml -e aws_destroy_confirm=prod
play changed "aws_destroy.yml repl --check" playbooks/aws_destroy.yml -e aws_destroy_confirm=repl --check
out=$(env_check --env repl --domain "$REPL_DOMAIN" --save "$WORK/repl-check.json" --previous "$WORK/repl-before.json") ||
  { echo "$out"; echo "FAILED: aws_destroy --check changed repl" >&2; exit 1; }
play changed "aws_destroy.yml repl" playbooks/aws_destroy.yml -e aws_destroy_confirm=repl
grep -q "Environment repl: kept .* data volume(s)" "$WORK/step$STEP.log" ||
  { echo "FAILED: aws_destroy did not list what it kept" >&2; exit 1; }
kept=$("$BIN/python" -c "
import json, sys
snap = json.load(open(sys.argv[1]))
vols = [v for v in snap['volumes'] if ['kafkaops:role', 'kafka-data'] in v[3]]
print(len(vols), len(snap['snapshots']))" "$WORK/repl-before.json")
out=$(env_check --env repl --domain "$REPL_DOMAIN" --absent --kept-volumes "${kept% *}" --kept-snapshots "${kept#* }") ||
  { echo "$out"; echo "FAILED: repl not removed" >&2; exit 1; }
note "repl destroyed: $(grep -c '^ok' <<<"$out") checks (no VPC, zone, instance, EIP, key, NAT, peering; ${kept% *} data volume(s), ${kept#* } snapshot(s) kept)"
# The KRaft controllers of cluster k (50-kraft.sh) went like the brokers: instances terminated, their data volumes kept.
out=$("$BIN/python" - "$WORK/repl-before.json" "$ENDPOINT" <<'PY'
import json, sys
import boto3
snap = json.load(open(sys.argv[1]))
controllers = [i[0] for i in snap["instances"] if ["kafkaops:role", "kafka_controller"] in i[3]]
data = [v for v in snap["volumes"] if ["kafkaops:role", "kafka-data"] in v[3]]
volumes = [v[0] for v in data if any(t[0] == "kafkaops:controller_id" for t in v[3])]
assert len(controllers) == 3 and len(volumes) == 3, (controllers, volumes)
ec2 = boto3.client("ec2", endpoint_url=sys.argv[2], region_name="eu-central-1")
states = {i["State"]["Name"] for r in ec2.describe_instances(InstanceIds=controllers)["Reservations"] for i in r["Instances"]}
assert states == {"terminated"}, states
kept = {v["State"] for v in ec2.describe_volumes(VolumeIds=volumes)["Volumes"]}
assert kept == {"available"}, kept
print(f"{len(controllers)} KRaft controllers terminated, their {len(volumes)} data volumes kept (detached)")
PY
) || { echo "$out"; echo "FAILED: repl's KRaft controllers" >&2; exit 1; }
note "repl destroyed: $out"
out=$(env_check --env prod --domain "$DOMAIN" --save "$WORK/prod-after.json" --previous "$WORK/prod-before.json") ||
  { echo "$out"; echo "FAILED: destroying repl changed prod" >&2; exit 1; }
note "prod after repl's teardown: $(grep '^ok' <<<"$out" | tail -1 | sed 's/^ok: //')"
play 0 "aws_destroy.yml repl (second run)" playbooks/aws_destroy.yml -e aws_destroy_confirm=repl
PLAY_ENV=prod
