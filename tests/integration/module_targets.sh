#!/usr/bin/env bash
# Start a secured loopback cluster, run every module integration target against it, stop it.
#   tests/integration/module_targets.sh [target,target...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/kafkaops-it.XXXXXX)
base=${IT_BASE_PORT:-50000}
trap '"$here/loopback/cluster.sh" stop "$dir"; rm -rf "$dir"' EXIT
"$here/loopback/cluster.sh" start "$dir" "$base" 3
cat >"$dir/connection.yml" <<Y
it_connection:
  bootstrap_servers: ["127.0.0.1:$((base + 1))", "127.0.0.1:$((base + 2))", "127.0.0.1:$((base + 3))"]
  security_protocol: SASL_PLAINTEXT
  sasl_mechanism: PLAIN
  sasl_username: admin
  sasl_password: admin-secret
it_zookeeper:
  zookeeper_hosts: "127.0.0.1:$base"
  zookeeper_sasl_username: kafka
  zookeeper_sasl_password: zk-secret
kafka_broker_ids: [0, 1, 2]
Y
targets=${1:-$(ls "$here/targets" | paste -sd, -)}
ansible-playbook "$here/run_targets.yml" -e "@$dir/connection.yml" -e "targets=$targets" -e "prefix=it$$"
