#!/usr/bin/env bash
# Start a secured loopback cluster, run every module integration target against it, stop it.
#   tests/integration/module_targets.sh [target,target...]
# Besides the directories under targets/, the list may name diff_rendering (in the default list): after the
# targets, diff_rendering.yml runs with --diff and diff_rendering.py checks its printed output (issue 13 item 11).
#
# IT_METADATA_MODE=kraft (make module-tests-kraft) runs against a KRaft cluster instead (loopback/kraft.sh, Kafka 4.x:
# IT_KRAFT_CONTROLLERS controllers, default 1, node ids 1001.., and 3 brokers; base port 30200 unless IT_BASE_PORT),
# building the 4.x bundle first when build/kafka has none (KAFKA_TGZ overrides). The default list is then the targets
# named *_kraft, which the ZooKeeper run leaves out. Targets get it_metadata_mode and, in KRaft, kafka_controller_ids,
# it_kraft_script and it_kraft_dir (kraft.sh and the cluster's directory, to stop, start or add nodes).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
mode=${IT_METADATA_MODE:-zookeeper}
target_names() { find "$here/targets" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort; }
case "$mode" in
    zookeeper) cluster=$here/loopback/cluster.sh; base=${IT_BASE_PORT:-30000}; default_targets=$(target_names | grep -v '_kraft$'; echo diff_rendering) ;;
    kraft) cluster=$here/loopback/kraft.sh; base=${IT_BASE_PORT:-30200}; default_targets=$(target_names | grep '_kraft$') ;;
    *) echo "IT_METADATA_MODE must be zookeeper or kraft, not $mode" >&2; exit 2 ;;
esac
controllers=${IT_KRAFT_CONTROLLERS:-1}
targets=${1:-$(paste -sd, - <<<"$default_targets")}
diff_rendering=
if [[ ",$targets," == *",diff_rendering,"* ]]; then
    diff_rendering=1
    targets=$(tr , '\n' <<<"$targets" | grep -vx diff_rendering | paste -sd, - || true)
fi
if [ "$mode" = kraft ]; then
    if [[ ",$targets," == *",kafka_connector,"* || -n "$diff_rendering" ]]; then
        echo "kafka_connector and diff_rendering need a Connect worker, which the KRaft loopback does not start" >&2
        exit 2
    fi
    if [ -z "${KAFKA_TGZ:-}" ] && ! compgen -G "$repo/build/kafka/kafka_2.13-[4-9].*.tgz" >/dev/null; then
        "$repo/tools/kafka-bundle/build.sh" --version "${KRAFT_VERSION:-4.3.1}" --out "$repo/build/kafka"
    fi
fi
dir=$(mktemp -d /tmp/kafkaops-it.XXXXXX)
# Cleanup keeps the run's exit status: a stop or removal that fails (a file still being written while rm -rf
# walks the directory) is a warning, not a failed test run (under set -e the trap's first failing command
# would otherwise become the script's exit status after every target passed).
cleanup() {
    local rc=$?
    "$cluster" stop "$dir" || echo "module_targets: WARNING: stopping the cluster in $dir failed" >&2
    # A failed run keeps the nodes' output and logs for a look (the data directories go).
    if [ "$rc" -ne 0 ]; then
        local keep=$repo/build/module-tests-$mode-logs
        rm -rf "$keep" && mkdir -p "$keep" && cp -r "$dir"/*.out "$dir"/*.properties "$dir/logs" "$keep"/ 2>/dev/null
        echo "module_targets: the nodes' output and logs are in $keep" >&2
    fi
    rm -rf "$dir" || echo "module_targets: WARNING: could not remove $dir" >&2
    exit "$rc"
}
trap cleanup EXIT
started=$SECONDS
if [ "$mode" = kraft ]; then
    "$cluster" start "$dir" "$base" 3 "$controllers"
else
    "$cluster" start "$dir" "$base" 3
fi
echo "$mode cluster started in $((SECONDS - started)) s"
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
it_metadata_mode: $mode
kafka_broker_ids: [0, 1, 2]
Y
if [ "$mode" = kraft ]; then
    echo "kafka_controller_ids: [$(seq -s ', ' 1001 $((1000 + controllers)))]" >>"$dir/connection.yml"
    # The loopback itself, for targets that stop, start or add nodes (kraft.sh stop-node / start-node / add-controller).
    printf 'it_kraft_script: %s\nit_kraft_dir: %s\n' "$cluster" "$dir" >>"$dir/connection.yml"
else
    cat >>"$dir/connection.yml" <<Y
it_zookeeper:
  zookeeper_hosts: "127.0.0.1:$base"
  zookeeper_sasl_username: kafka
  zookeeper_sasl_password: zk-secret
Y
fi
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
