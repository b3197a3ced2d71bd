#!/usr/bin/env bash
# Start a secured loopback cluster, run every module integration target against it, stop it.
#   tests/integration/module_targets.sh [target,target...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/kafkaops-it.XXXXXX)
base=${IT_BASE_PORT:-50000}
trap '"$here/loopback/cluster.sh" stop "$dir"; rm -rf "$dir"' EXIT
targets=${1:-$(ls "$here/targets" | paste -sd, -)}
"$here/loopback/cluster.sh" start "$dir" "$base" 3
# Targets that need Kafka Connect get a worker (REST on base+83) and it_connect.
connect_url=
if [[ ",$targets," == *",kafka_connector,"* ]]; then
    connect_url=$("$here/loopback/cluster.sh" connect-start "$dir" | sed -n 's/^connect_url=//p')
fi
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
if [ -n "$connect_url" ]; then
    printf 'it_connect:\n  connect_url: ["%s"]\n' "$connect_url" >>"$dir/connection.yml"
fi
ansible-playbook "$here/run_targets.yml" -e "@$dir/connection.yml" -e "targets=$targets" -e "prefix=it$$"
