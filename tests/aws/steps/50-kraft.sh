# shellcheck shell=bash
# shellcheck disable=SC2034  # PLAY_ENV is read by the play and refuse functions of run.sh
# Sourced by tests/aws/run.sh after 40-peering.sh (uses play, refuse, check, note, $MAIN, $INV, $WORK, $ENDPOINT, $BIN).
# Issue 16 item 7: a KRaft cluster k (kafka_metadata_mode=kraft, no ZooKeeper, 1 broker) in environment repl, made by
# 30-isolation.sh beside its clusters repl and x. provision_aws launches 3 controllers controller-0..2.k.<repl domain>,
# one per AZ, tagged kafkaops:role=kafka_controller and kafkaops:controller_id 1001-1003, each with its own encrypted
# 20 GiB data volume (the brokers' KMS key, aws_kafka_data_volume_kms_key_id) attached at /dev/sdf, an A record each
# (not in the brokers' round-robin name), IMDSv2 and termination protection; the aws_ec2 inventory groups them in
# kafka_controller and k_kafka_controller with kafka_controller_id and kafka_data_volume_id. A second run changes
# nothing; an even controller count and fewer controllers than exist are refused with nothing changed. scale.yml's
# provider step for a controller (retire entry point, controller 1003 of the inventory) removes exactly its instance,
# volume and record, and main launches it again. 90-destroy.sh then removes them with environment repl.
KRAFT_START=$SECONDS
REPL_DOMAIN=$(domain_of repl)
KRAFT_KEY=$("$BIN/python" -c "
import boto3
kms = boto3.client('kms', endpoint_url='$ENDPOINT', region_name='eu-central-1')
print(kms.create_key(Description='kafkaops test: data volumes of cluster k')['KeyMetadata']['Arn'])")
KRAFT=(-e aws_cluster_name=k -e kafka_metadata_mode=kraft -e zookeeper_count=0 -e kafka_broker_count=1
  -e aws_kafka_data_volume_kms_key_id="$KRAFT_KEY")
kraft_check() {
  local out
  out=$("$BIN/python" tests/aws/check_state.py --endpoint "$ENDPOINT" --env repl --domain "$REPL_DOMAIN" --cluster k \
    --brokers 0 --zookeepers 0 --controllers 1001,1002,1003 --controller-volume-size 20 \
    --controller-kms-key "$KRAFT_KEY" --volume-kms-key "$KRAFT_KEY" --kms-brokers 0 "$@") ||
    { echo "$out" >&2; echo "FAILED: KRaft cluster k" >&2; exit 1; }
  echo "$out"
}

PLAY_ENV=repl
play changed "KRaft cluster k in repl (3 controllers, 1 broker, no ZooKeeper)" "$MAIN" "${KRAFT[@]}"
sed -n '/controller_fqdn_dns/,/controller_private_dns/p' "$WORK/step$STEP.log" | grep -q "controller-2.k.$REPL_DOMAIN" ||
  { echo "FAILED: the report does not list the controllers" >&2; exit 1; }
out=$(kraft_check --save "$WORK/k1.json")
note "KRaft cluster k: $(grep -c '^ok' <<<"$out") checks (3 controllers in 3 AZs, tags, encrypted 20 GiB volumes with" \
  "the brokers' KMS key attached at /dev/sdf, A records, IMDSv2, termination protection)"
play 0 "KRaft cluster k (second run)" "$MAIN" "${KRAFT[@]}"
refuse "KRaft cluster k with 4 controllers" "kafka_controller_count=4 (need an odd number >= 3" "$MAIN" "${KRAFT[@]}" \
  -e kafka_controller_count=4
refuse "KRaft cluster k with 1 controller while 3 exist" "controller ids [1002, 1003] beyond" "$MAIN" "${KRAFT[@]}" \
  -e kafka_controller_count=1 -e kafka_controller_allow_small_quorum=true
out=$(kraft_check --save "$WORK/k2.json" --previous "$WORK/k1.json" --unchanged)
note "KRaft cluster k after the second run and the refusals: $(grep 'nothing changed' <<<"$out" | sed 's/^ok: //')"

# The aws_ec2 inventory: groups, controller ids and data volumes as the kafka_controller play reads them.
"$BIN/ansible-inventory" -i "$INV" --list >"$WORK/inventory-k.json" 2>/dev/null
out=$("$BIN/python" - "$WORK/inventory-k.json" "$WORK/k1.json" "$REPL_DOMAIN" <<'PY'
import json, sys
def plain(v):
    if isinstance(v, dict):
        return v["__ansible_unsafe"] if set(v) == {"__ansible_unsafe"} else {k: plain(x) for k, x in v.items()}
    return [plain(x) for x in v] if isinstance(v, list) else v
inv, state, domain = plain(json.load(open(sys.argv[1]))), json.load(open(sys.argv[2])), sys.argv[3]
hv = inv["_meta"]["hostvars"]
controllers = [f"controller-{i}.k.{domain}" for i in range(3)]
assert sorted(inv["kafka_controller"]["hosts"]) == controllers, inv["kafka_controller"]["hosts"]
assert sorted(inv["k_kafka_controller"]["hosts"]) == controllers, inv["k_kafka_controller"]["hosts"]
assert sorted(inv["k_kafka"]["hosts"]) == [f"kafka-0.k.{domain}"], inv["k_kafka"]["hosts"]
assert "k_zookeeper" not in inv and not set(controllers) & set(inv["kafka"]["hosts"] + inv["zookeeper"]["hosts"])
assert [hv[h]["kafka_controller_id"] for h in controllers] == [1001, 1002, 1003]
assert all(hv[h]["kafkaops_controller_group"] == "k_kafka_controller" for h in controllers + inv["k_kafka"]["hosts"])
assert all("kafka_broker_id" not in hv[h] and "zookeeper_id" not in hv[h] for h in controllers)
assert len({hv[h]["broker_rack"] for h in controllers}) == 3
assert [hv[h]["kafka_data_volume_id"] for h in controllers] == [state["hosts"][h]["data_volumes"][0] for h in controllers]
assert all(hv[h]["kafkaops_fqdn"] == h and hv[h]["ansible_host"] == state["hosts"][h]["ip"] for h in controllers)
print("groups kafka_controller = k_kafka_controller (3), kafka_controller_id 1001-1003, kafkaops_controller_group,"
      " one AZ each, kafka_data_volume_id = the attached volume")
PY
) || { echo "$out"; echo "FAILED: aws_ec2 inventory of cluster k" >&2; exit 1; }
note "aws_ec2 inventory: $out"

# scale.yml -e kafka_controller_count=N down, its provider step (after controller 1003 left the quorum and stopped): the
# retire entry point removes controller 1003's instance, data volume and A record and nothing else, for the inventory's
# host only (no -e aws_env: the host's environment decides); main then launches it again (a new instance and volume).
K3=$("$BIN/python" - "$WORK/inventory-k.json" "$REPL_DOMAIN" <<'PY'
import json, sys
def plain(v):
    if isinstance(v, dict):
        return v["__ansible_unsafe"] if set(v) == {"__ansible_unsafe"} else {k: plain(x) for k, x in v.items()}
    return [plain(x) for x in v] if isinstance(v, list) else v
hv, host = plain(json.load(open(sys.argv[1])))["_meta"]["hostvars"], f"controller-2.k.{sys.argv[2]}"
print(json.dumps([{"name": host, "controller_id": hv[host]["kafka_controller_id"], "env": hv[host]["kafkaops_aws_env"],
                   "cluster": hv[host]["kafkaops_cluster_name"], "instance_id": hv[host]["instance_id"],
                   "volume_id": hv[host]["kafka_data_volume_id"]}]))
PY
)
PLAY_ENV=""
refuse "retire k's controller 1003 naming it as a broker" "Refusing to retire brokers none and controllers 1003" "$PROVISION" \
  "${KRAFT[@]}" -e provision_entry=retire -e provision_env=repl -e provision_cluster=k -e provision_retire_confirm=true \
  -e "{\"provision_retire_controller_ids\": [1003], \"provision_retire_hosts\": ${K3//controller_id/broker_id}}"
play changed "retire k's controller 1003 as scale.yml does (provision_env=repl, the inventory's host)" "$PROVISION" \
  "${KRAFT[@]}" -e provision_entry=retire -e provision_env=repl -e provision_cluster=k -e provision_retire_confirm=true \
  -e "{\"provision_retire_controller_ids\": [1003], \"provision_retire_hosts\": $K3}"
out=$(kraft_check --controllers 1001,1002 --save "$WORK/k3.json")
note "KRaft cluster k after retiring controller 1003: $(grep -c '^ok' <<<"$out") checks (instance, volume, A record gone)"
PLAY_ENV=repl
play changed "KRaft cluster k: controller 1003 launched again" "$MAIN" "${KRAFT[@]}"
out=$(kraft_check --save "$WORK/k4.json")
note "KRaft cluster k with 3 controllers again: $(grep -c '^ok' <<<"$out") checks"
note "KRaft step: $((SECONDS - KRAFT_START)) s"
PLAY_ENV=prod
