#!/usr/bin/env bash
# The aws provider against moto on 127.0.0.1 (port 32600-32699): environment.yml, provision_aws main / retire /
# replace, the aws_ec2 inventory and the preflight refusals. Every playbook runs the way users run it, through
# inventories/aws (the aws_ec2 inventory and its group_vars, pointed at moto by AWS_URL), with only the AMI and the SSH
# key given on the command line. Then the step files tests/aws/steps/*.sh run in name order (sourced: they use play,
# refuse, check and note). Prints what it asserted. Usage: tests/aws/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=${BIN:-$ROOT/.venv/bin}
export ANSIBLE_CONFIG=$ROOT/ansible.cfg ANSIBLE_FORCE_COLOR=false ANSIBLE_NOCOLOR=1 ANSIBLE_DEPRECATION_WARNINGS=false
WORK=$(mktemp -d /tmp/kafkaops-aws-tests.XXXXXX)
MOTO_PID=""
cleanup() {
  local rc=$?
  if [[ -n $MOTO_PID ]]; then kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; fi
  # A failed run (or AWS_KEEP_LOGS=1) keeps its playbook logs (step<N>.log) and moto's log for a look.
  if [[ ($rc == 0 && -z ${AWS_KEEP_LOGS:-}) || -n ${CI:-} ]]; then rm -rf "$WORK"; else echo "tests/aws: logs kept in $WORK" >&2; fi
}
trap cleanup EXIT

# shellcheck source=free_port.sh
source "$ROOT/tests/aws/free_port.sh"
PORT=$(free_port)
[[ -n $PORT ]] || { echo "no free port in 32600-32699" >&2; exit 1; }
ENDPOINT=http://127.0.0.1:$PORT
"$BIN/python" tests/aws/moto_server.py -H 127.0.0.1 -p "$PORT" >"$WORK/moto.log" 2>&1 &
MOTO_PID=$!
# shellcheck source=../../tools/lib/wait.sh
source "$ROOT/tools/lib/wait.sh"
wait_ready 120 "moto on :$PORT" "$MOTO_PID" "$WORK/moto.log" curl -sf -o /dev/null "$ENDPOINT/moto-api/"

# Only moto: dummy credentials, no instance metadata service, no profile from the host.
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=eu-central-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
unset AWS_PROFILE AWS_SESSION_TOKEN
# inventories/aws reads its endpoint from AWS_URL (the aws_ec2 plugin and group_vars/all's aws_endpoint_url).
export AWS_URL=$ENDPOINT
INV=inventories/aws
# The environment a play is run for (-e aws_env=$PLAY_ENV, as the README's commands do); empty: none given.
PLAY_ENV=prod
ENV=prod
domain_of() { "$BIN/python" -c "
import sys, yaml
print(yaml.safe_load(open('$INV/group_vars/all/10-environments.yml'))['aws_environments'][sys.argv[1]]['domain'])" "$1"; }
DOMAIN=$(domain_of "$ENV")
AMI=$("$BIN/python" -c "
import boto3
ec2 = boto3.client('ec2', endpoint_url='$ENDPOINT')
print(sorted(i['ImageId'] for i in ec2.describe_images(Filters=[{'Name': 'name', 'Values': ['ubuntu/images/*']}])['Images'])[0])")
# What a user of inventories/aws replaces before the first run (group_vars/all/00-aws.yml says REPLACE).
cat >"$WORK/vars.yml" <<VARS
aws_ami_id: $AMI
aws_ssh_public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMtsTuJ0A7vsqjQ4SlEW6GJpiRnPq1h9KbM0w0D0lWJ6 kafkaops-test
VARS

SUMMARY=()
STEP=0
START=$SECONDS
note() { SUMMARY+=("$*"); echo "== $*"; }
# play EXPECT NAME PLAYBOOK [ARGS...]: EXPECT is 0 (changed=0), changed (changed>0) or any.
play() {
  local expect=$1 name=$2; shift 2
  STEP=$((STEP + 1))
  local log=$WORK/step$STEP.log start=$SECONDS
  if ! "$BIN/ansible-playbook" -i "$INV" -e "@$WORK/vars.yml" ${PLAY_ENV:+-e aws_env=$PLAY_ENV} "$@" >"$log" 2>&1; then
    tail -40 "$log"; echo "FAILED: $name" >&2; exit 1
  fi
  local changed
  changed=$(sed -n 's/^localhost *: .*changed=\([0-9]*\).*/\1/p' "$log" | tail -1)
  case $expect in
    0) [[ $changed == 0 ]] || { grep -B3 '^changed:' "$log" | tail -30; echo "FAILED: $name changed=$changed, expected 0" >&2; exit 1; } ;;
    changed) [[ $changed -gt 0 ]] || { echo "FAILED: $name changed nothing" >&2; exit 1; } ;;
  esac
  note "$name: ok (changed=$changed, $((SECONDS - start)) s)"
}
# refuse NAME MESSAGE PLAYBOOK [ARGS...]: the play must fail with MESSAGE and change nothing.
refuse() {
  local name=$1 message=$2; shift 2
  STEP=$((STEP + 1))
  local log=$WORK/step$STEP.log start=$SECONDS
  if "$BIN/ansible-playbook" -i "$INV" -e "@$WORK/vars.yml" ${PLAY_ENV:+-e aws_env=$PLAY_ENV} "$@" >"$log" 2>&1; then
    echo "FAILED: $name succeeded" >&2; exit 1
  fi
  grep -qF -- "$message" "$log" || { tail -30 "$log"; echo "FAILED: $name: no message '$message'" >&2; exit 1; }
  grep -q '^localhost *: .*changed=0 ' "$log" || { echo "FAILED: $name changed something" >&2; exit 1; }
  note "$name: refused with '$message', changed=0 ($((SECONDS - start)) s)"
}
check() {
  local name=$1; shift
  local out
  out=$("$BIN/python" tests/aws/check_state.py --endpoint "$ENDPOINT" --env "$ENV" --domain "$DOMAIN" "$@") ||
    { echo "$out"; echo "FAILED: $name" >&2; exit 1; }
  note "$name: $(tail -1 <<<"$out") -- $(grep -c '^ok' <<<"$out") checks incl. $(grep '^ok' <<<"$out" | grep -E 'round-robin|new|same|nothing' | sed 's/^ok: //' | paste -sd ';' -)"
}
# main: the provisioning play site.yml imports; retire / replace: the entry points scale.yml / replace_broker.yml use.
MAIN=playbooks/provision.yml
PROVISION=tests/aws/provision.yml

# Preflight refusals before the environment exists.
refuse "main without an environment" "run playbooks/environment.yml first" $MAIN
# 1. Environment: create, then idempotent, then a no-op in check mode.
play changed "environment.yml (create)" playbooks/environment.yml
play 0 "environment.yml (second run)" playbooks/environment.yml
play 0 "environment.yml --check" playbooks/environment.yml --check
"$BIN/python" tests/aws/check_env.py --endpoint "$ENDPOINT" --env "$ENV" --domain "$DOMAIN" >"$WORK/env.out" ||
  { cat "$WORK/env.out"; echo "FAILED: environment resources" >&2; exit 1; }
note "environment resources: $(tail -1 "$WORK/env.out")"

# 2. Three brokers, twice.
play changed "provision main, 3 brokers" $MAIN
check "state after main (3)" --brokers 0,1,2 --save "$WORK/s3.json"
play 0 "provision main, 3 brokers (second run)" $MAIN
check "state after second main (3)" --brokers 0,1,2 --save "$WORK/s3b.json" --previous "$WORK/s3.json" --unchanged

# 3. The dynamic inventory against moto.
"$BIN/ansible-inventory" -i "$INV" --list >"$WORK/inventory.json" 2>"$WORK/inventory.err"
"$BIN/python" - "$WORK/inventory.json" "$DOMAIN" <<'PY' || { cat "$WORK/inventory.err"; echo "FAILED: inventory" >&2; exit 1; }
import json, sys
def plain(value):  # ansible-inventory --list marks strings from AWS as {"__ansible_unsafe": "..."}
    if isinstance(value, dict):
        return value["__ansible_unsafe"] if set(value) == {"__ansible_unsafe"} else {k: plain(v) for k, v in value.items()}
    return [plain(v) for v in value] if isinstance(value, list) else value
inv, domain = plain(json.load(open(sys.argv[1]))), sys.argv[2]
hv = inv["_meta"]["hostvars"]
kafka, zk = sorted(inv["kafka"]["hosts"]), sorted(inv["zookeeper"]["hosts"])
assert kafka == [f"kafka-{i}.{domain}" for i in range(3)], kafka
assert zk == [f"zk-{i}.{domain}" for i in range(3)], zk
assert sorted(inv["prod_kafka"]["hosts"]) == kafka and len(inv["bastion"]["hosts"]) == 1
assert [hv[h]["kafka_broker_id"] for h in kafka] == [0, 1, 2]
assert [hv[h]["zookeeper_id"] for h in zk] == [1, 2, 3]
assert len({hv[h]["broker_rack"] for h in kafka}) == 3
assert all(hv[h]["kafka_data_volume_id"].startswith("vol-") and hv[h]["kafkaops_kafka_group"] == "prod_kafka" for h in kafka)
assert all(hv[h]["ansible_host"] == hv[h]["private_ip_address"] for h in kafka + zk)
print("groups kafka/zookeeper/prod_kafka/bastion, broker ids 0-2, zookeeper ids 1-3, racks, data volume ids")
PY
# SSH as the plays would use it (rendered by ansible, no connection made): host keys checked with accept-new in the
# environment's known_hosts, the broker through the bastion with the same checks on the hop.
ANSIBLE_STDOUT_CALLBACK=json ANSIBLE_LOAD_CALLBACK_PLUGINS=1 "$BIN/ansible" -i "$INV" "kafka-0.$DOMAIN,bastion" \
  -m ansible.builtin.debug -a 'msg="{{ ansible_host_key_checking }} {{ ansible_ssh_common_args }}"' >"$WORK/ssh.json" 2>"$WORK/ssh.err" ||
  { cat "$WORK/ssh.json" "$WORK/ssh.err"; echo "FAILED: ssh settings" >&2; exit 1; }
"$BIN/python" - "$WORK/ssh.json" "kafka-0.$DOMAIN" <<'PY' || { echo "FAILED: ssh settings" >&2; exit 1; }
import json, sys
msgs = {h: r["msg"] for h, r in json.load(open(sys.argv[1]))["plays"][0]["tasks"][0]["hosts"].items()}
keys = "-o StrictHostKeyChecking=accept-new -o UserKnownHostsFile=~/.ssh/kafkaops_prod_known_hosts"
broker = msgs.pop(sys.argv[2])
assert broker.startswith(f'True {keys} -o ProxyCommand="ssh -W %h:%p {keys} admin@'), broker
assert list(msgs.values()) == [f"True {keys}"], msgs  # the bastion: directly, keys checked
PY
note "aws_ec2 inventory (AWS_URL=moto): ok; host keys checked (accept-new, per-environment known_hosts) on the bastion hop too"

# 4. Scale 3 -> 4, then main with 3 must refuse and change nothing.
play changed "provision main, 4 brokers" $MAIN -e kafka_broker_count=4
check "state after scale to 4" --brokers 0,1,2,3 --save "$WORK/s4.json" --previous "$WORK/s3b.json" --added 1
refuse "main with 3 while 4 exist" "playbooks/scale.yml" $MAIN -e kafka_broker_count=3
check "state after the refusal" --brokers 0,1,2,3 --save "$WORK/s4b.json" --previous "$WORK/s4.json" --unchanged

# 5. Retire broker 3 (with a final snapshot), twice.
play changed "provision retire [3]" $PROVISION -e provision_entry=retire -e '{"provision_retire_broker_ids": [3]}' \
  -e provision_retire_snapshot=true -e provision_retire_confirm=true
check "state after retire" --brokers 0,1,2 --save "$WORK/s5.json"
play 0 "provision retire [3] (second run)" $PROVISION -e provision_entry=retire -e '{"provision_retire_broker_ids": [3]}' \
  -e provision_retire_snapshot=true -e provision_retire_confirm=true
check "state after second retire" --brokers 0,1,2 --save "$WORK/s5b.json" --previous "$WORK/s5.json" --unchanged

refuse "retire without confirmation" "which drains them first" $PROVISION -e provision_entry=retire \
  -e '{"provision_retire_broker_ids": [2]}'

# 6. Replace broker 1: new instance, same data volume, DNS follows; the old instance's SSH host key is forgotten
# (aws_known_hosts_file; inventories/aws checks host keys with accept-new), every other host's stays.
"$BIN/python" - "$WORK/s5b.json" "$WORK/known_hosts" <<'PY'
import json, sys
hosts = json.load(open(sys.argv[1]))["hosts"]
with open(sys.argv[2], "w") as out:
    for fqdn, host in sorted(hosts.items()):
        for name in (fqdn, host["ip"]):
            out.write(f"{name} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMtsTuJ0A7vsqjQ4SlEW6GJpiRnPq1h9KbM0w0D0lWJ6\n")
PY
play changed "provision replace 1" $PROVISION -e provision_entry=replace -e provision_replace_broker_id=1 \
  -e aws_known_hosts_file="$WORK/known_hosts"
check "state after replace" --brokers 0,1,2 --save "$WORK/s6.json" --previous "$WORK/s5b.json" --replaced 1
"$BIN/python" - "$WORK/s5b.json" "$WORK/known_hosts" "kafka-1.$DOMAIN" <<'PY' || { echo "FAILED: known_hosts after replace" >&2; exit 1; }
import json, sys
hosts = json.load(open(sys.argv[1]))["hosts"]
left = {line.split()[0] for line in open(sys.argv[2]) if line.strip()}
gone = {sys.argv[3], hosts[sys.argv[3]]["ip"]}
kept = {n for fqdn, h in hosts.items() if fqdn != sys.argv[3] for n in (fqdn, h["ip"])}
assert not (left & gone), f"still known: {left & gone}"
assert left == kept, f"lost: {kept - left}"
print(f"known_hosts: the replaced instance's name and IP forgotten, the other {len(hosts) - 1} hosts' keys kept")
PY

# 7. Clear errors.
refuse "bad AMI" "AMI ami-00000000 not found in region eu-central-1" $MAIN -e aws_ami_id=ami-00000000
refuse "unknown subnet" "Unknown subnet ids in aws_private_subnet_ids: ['subnet-0000dead']" $MAIN \
  -e '{"aws_private_subnet_ids": ["subnet-0000dead"]}'
refuse "replace without a data volume" "never creates an empty one" $PROVISION -e provision_entry=replace \
  -e provision_replace_broker_id=7
# Broker 1's data volume in an AZ without a subnet (aws_private_subnet_ids = the other AZs' subnets): refused before
# its instance is terminated.
OTHER_SUBNETS=$("$BIN/python" -c "
import boto3, json
ec2 = boto3.client('ec2', endpoint_url='$ENDPOINT')
tags = [{'Name': 'tag:kafkaops:env', 'Values': ['$ENV']}]
vol = ec2.describe_volumes(Filters=tags + [{'Name': 'tag:kafkaops:broker_id', 'Values': ['1']}])['Volumes'][0]
subnets = ec2.describe_subnets(Filters=tags + [{'Name': 'tag:kafkaops:role', 'Values': ['private-subnet']}])['Subnets']
print(json.dumps(sorted(s['SubnetId'] for s in subnets if s['AvailabilityZone'] != vol['AvailabilityZone'])))")
refuse "replace with no subnet in the volume's AZ" "attaches only to an instance in its own availability zone" \
  $PROVISION -e provision_entry=replace -e provision_replace_broker_id=1 -e "{\"aws_private_subnet_ids\": $OTHER_SUBNETS}"
check "state after the AZ refusal" --brokers 0,1,2 --save "$WORK/s7.json" --previous "$WORK/s6.json" --unchanged
(
  unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
  refuse "no credentials" "no AWS credentials" $MAIN
) || exit 1
SUMMARY+=("no credentials: refused with 'no AWS credentials', changed=0")

# AWS_STEPS=40-instances,90-destroy runs only those step files (when working on one); default: all.
for step in tests/aws/steps/*.sh; do
  [[ -e $step ]] || continue
  [[ -z ${AWS_STEPS:-} || ",$AWS_STEPS," == *",$(basename "$step" .sh),"* ]] || continue
  # shellcheck source=/dev/null
  source "$step"
done

echo
echo "tests/aws: all passed in $((SECONDS - START)) s against moto on $ENDPOINT"
printf '  - %s\n' "${SUMMARY[@]}"
