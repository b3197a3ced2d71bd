# shellcheck shell=bash
# shellcheck disable=SC2034  # PLAY_ENV is read by the play and refuse functions of run.sh
# Sourced by tests/aws/run.sh (uses play, refuse, note, $INV, $WORK, $MAIN, $PROVISION, $ENDPOINT, $BIN).
# Issue 14 items 1 and 2: two environments (prod and repl) and a second cluster (x) in repl, side by side in one account.
# Retiring and replacing a broker of repl -- with exactly the variables scale.yml / replace_broker.yml pass to the
# provider (provision_env, provision_cluster and the hosts as the aws_ec2 inventory lists them), without -e aws_env,
# although group_vars/all would otherwise make prod the environment -- changes only cluster repl: every instance,
# volume and DNS record of prod and of x stays byte for byte the same. A run whose aws_env says otherwise, or whose hosts' instance
# or volume ids are not those AWS finds, is refused with nothing changed.

# hosts_json GROUP BROKER_IDS: the hosts of GROUP with those broker ids, as scale.yml builds provision_retire_hosts.
hosts_json() {
  "$BIN/ansible-inventory" -i "$INV" --list 2>/dev/null | "$BIN/python" -c '
import json, sys
def plain(v):
    if isinstance(v, dict):
        return v["__ansible_unsafe"] if set(v) == {"__ansible_unsafe"} else {k: plain(x) for k, x in v.items()}
    return [plain(x) for x in v] if isinstance(v, list) else v
inv = plain(json.load(sys.stdin))
group, ids = sys.argv[1], [int(i) for i in sys.argv[2].split(",")]
out = []
for name in sorted(inv[group]["hosts"]):
    h = inv["_meta"]["hostvars"][name]
    if h["kafka_broker_id"] in ids:
        out.append({"name": name, "broker_id": h["kafka_broker_id"], "env": h["kafkaops_aws_env"],
                    "cluster": h["kafkaops_cluster_name"], "instance_id": h["instance_id"],
                    "volume_id": h["kafka_data_volume_id"]})
print(json.dumps(out))' "$1" "$2"
}
snapshot() { "$BIN/python" tests/aws/snapshot.py --endpoint "$ENDPOINT" "$@"; }

REPL_DOMAIN=$(domain_of repl)
PLAY_ENV=repl
play changed "environment.yml -e aws_env=repl" playbooks/environment.yml
play changed "site.yml's provisioning -e aws_env=repl (2 brokers)" "$MAIN" -e kafka_broker_count=2 -e zookeeper_count=1 \
  -e zookeeper_allow_small_ensemble=true
play changed "a second cluster x in repl (-e aws_cluster_name=x, 1 broker)" "$MAIN" -e aws_cluster_name=x \
  -e kafka_broker_count=1 -e zookeeper_count=1 -e zookeeper_allow_small_ensemble=true

# Names are unique per cluster (item 2): x's hosts, records and volumes carry its name; nothing collides.
"$BIN/ansible-inventory" -i "$INV" --list >"$WORK/inventory2.json" 2>/dev/null
"$BIN/python" - "$WORK/inventory2.json" "$DOMAIN" "$REPL_DOMAIN" "$ENDPOINT" <<'PY' || { echo "FAILED: unique names" >&2; exit 1; }
import collections, json, sys
import boto3
def plain(v):
    if isinstance(v, dict):
        return v["__ansible_unsafe"] if set(v) == {"__ansible_unsafe"} else {k: plain(x) for k, x in v.items()}
    return [plain(x) for x in v] if isinstance(v, list) else v
inv, prod, repl, endpoint = plain(json.load(open(sys.argv[1]))), sys.argv[2], sys.argv[3], sys.argv[4]
assert sorted(inv["x_kafka"]["hosts"]) == [f"kafka-0.x.{repl}"], inv["x_kafka"]["hosts"]
assert sorted(inv["prod_kafka"]["hosts"]) == [f"kafka-{i}.{prod}" for i in range(3)], inv["prod_kafka"]["hosts"]
assert sorted(inv["repl_kafka"]["hosts"]) == [f"kafka-{i}.{repl}" for i in range(2)], inv["repl_kafka"]["hosts"]
ec2 = boto3.client("ec2", endpoint_url=endpoint, region_name="eu-central-1")
names = collections.Counter(
    t["Value"] for v in ec2.describe_volumes()["Volumes"] for t in v.get("Tags", []) if t["Key"] == "Name")
assert all(n == 1 for n in names.values()), names
assert f"kafka-0.x.{repl} data" in names and f"kafka-0.{repl} data" in names, names
r53 = boto3.client("route53", endpoint_url=endpoint, region_name="eu-central-1")
zone = [z for z in r53.list_hosted_zones()["HostedZones"] if z["Name"] == repl + "."][0]
records = {r["Name"].rstrip("."): r for r in r53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]}
assert len(records[f"kafka.x.{repl}"]["ResourceRecords"]) == 1 and len(records[f"kafka.{repl}"]["ResourceRecords"]) == 2
assert records[f"kafka-0.x.{repl}"]["ResourceRecords"] != records[f"kafka-0.{repl}"]["ResourceRecords"]
print("unique names: kafka-0.x.<repl domain>, kafka.x.<repl domain> (1 value) beside kafka.<repl domain> (2), volume Name tags unique")
PY
note "names unique per cluster (prod; repl and x in repl): hosts, records, volume Name tags"

snapshot --save "$WORK/iso0.json" >/dev/null
REPL1=$(hosts_json repl_kafka 1)
PROD0=$(hosts_json prod_kafka 0)
PLAY_ENV=""
# Refusals first: nothing may change.
PLAY_ENV=prod refuse "retire repl's broker 1 with -e aws_env=prod" "belong to environment 'repl'" "$PROVISION" \
  -e provision_entry=retire -e provision_env=repl -e provision_cluster=repl -e provision_retire_confirm=true \
  -e "{\"provision_retire_broker_ids\": [1], \"provision_retire_hosts\": $REPL1}"
WRONG=$("$BIN/python" -c "import json,sys; h=json.loads(sys.argv[1]); h[0]['instance_id']=json.loads(sys.argv[2])[0]['instance_id']; print(json.dumps(h))" "$REPL1" "$PROD0")
refuse "retire repl's broker 1 naming another instance id" "are not those of the drained hosts" "$PROVISION" \
  -e provision_entry=retire -e provision_env=repl -e provision_cluster=repl -e provision_retire_confirm=true \
  -e "{\"provision_retire_broker_ids\": [1], \"provision_retire_hosts\": $WRONG}"
snapshot --save "$WORK/iso1.json" --previous "$WORK/iso0.json" --only-changed none >/dev/null ||
  { echo "FAILED: a refusal changed something" >&2; exit 1; }

# scale.yml's provider step for repl 2 -> 1 (no -e aws_env: the hosts' environment decides).
play changed "retire repl's broker 1 as scale.yml does (provision_env=repl, the inventory's hosts)" "$PROVISION" \
  -e provision_entry=retire -e provision_env=repl -e provision_cluster=repl -e provision_retire_confirm=true \
  -e "{\"provision_retire_broker_ids\": [1], \"provision_retire_hosts\": $REPL1}"
out=$(snapshot --save "$WORK/iso2.json" --previous "$WORK/iso1.json" --only-changed repl:repl \
  --only-records "kafka-1.$REPL_DOMAIN" "kafka.$REPL_DOMAIN") || { echo "$out"; echo "FAILED: retire touched another cluster" >&2; exit 1; }
if ! grep -q "instance .*repl-kafka-1.*'state': 'running'.* -> None" <<<"$out" \
  || ! grep -q "record kafka-1.$REPL_DOMAIN: .* -> None" <<<"$out"; then
  echo "$out"; echo "FAILED: repl's kafka-1 (instance, A record) not retired" >&2; exit 1
fi
note "retire in repl: $(tail -1 <<<"$out")"

# replace_broker.yml's provider step for repl's broker 0.
REPL0=$("$BIN/python" -c "import json,sys; print(json.dumps(json.loads(sys.argv[1])[0]))" "$(hosts_json repl_kafka 0)")
play changed "replace repl's broker 0 as replace_broker.yml does" "$PROVISION" -e provision_entry=replace \
  -e provision_env=repl -e provision_cluster=repl -e provision_replace_broker_id=0 -e "{\"provision_replace_host\": $REPL0}"
out=$(snapshot --save "$WORK/iso3.json" --previous "$WORK/iso2.json" --only-changed repl:repl \
  --only-records "kafka-0.$REPL_DOMAIN" "kafka.$REPL_DOMAIN") || { echo "$out"; echo "FAILED: replace touched another cluster" >&2; exit 1; }
note "replace in repl: $(tail -1 <<<"$out")"
PLAY_ENV=prod
