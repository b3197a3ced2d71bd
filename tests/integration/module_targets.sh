#!/usr/bin/env bash
# Start a secured loopback cluster, run every module integration target against it, stop it.
#   tests/integration/module_targets.sh [target,target...]
# Besides the directories under targets/, the list may name diff_rendering (in the default list): after the
# targets, diff_rendering.yml runs with --diff and diff_rendering.py checks its printed output (issue 13 item 11).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=$(mktemp -d /tmp/kafkaops-it.XXXXXX)
base=${IT_BASE_PORT:-30000}
trap '"$here/loopback/cluster.sh" stop "$dir"; rm -rf "$dir"' EXIT
targets=${1:-$( (ls "$here/targets"; echo diff_rendering) | paste -sd, -)}
diff_rendering=
if [[ ",$targets," == *",diff_rendering,"* ]]; then
    diff_rendering=1
    targets=$(tr , '\n' <<<"$targets" | grep -vx diff_rendering | paste -sd, - || true)
fi
"$here/loopback/cluster.sh" start "$dir" "$base" 3
# Targets that need Kafka Connect get a worker (REST on base+83) and it_connect; so does diff_rendering
# (kafka_connector's diff).
connect_url=
if [[ ",$targets," == *",kafka_connector,"* || -n "$diff_rendering" ]]; then
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
if [ -n "$targets" ]; then
    ansible-playbook "$here/run_targets.yml" -e "@$dir/connection.yml" -e "targets=$targets" -e "prefix=it$$"
fi
if [ -n "$diff_rendering" ]; then
    # As users see it: the default callback, no colours; the output is shown and kept for the check. The secret
    # (the SCRAM password and a connector password) must never appear in it.
    DIFF_SECRET=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
    export DIFF_SECRET
    started=$SECONDS
    ANSIBLE_STDOUT_CALLBACK=ansible.builtin.default ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 \
        ansible-playbook --diff "$here/diff_rendering.yml" -e "@$dir/connection.yml" -e "prefix=it$$" 2>&1 \
        | tee "$dir/diff_rendering.out"
    python3 "$here/diff_rendering.py" "$dir/diff_rendering.out" ${connect_url:+--connect}
    echo "diff_rendering: $((SECONDS - started)) s"
fi
