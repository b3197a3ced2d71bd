#!/usr/bin/env bash
# The topic benchmark (bench.py) on a loopback cluster started for it and stopped afterwards, in either metadata mode:
#
#   bench/topics/loopback.sh zookeeper [RUNS=1] [OUT]                 # cluster.sh: 1 ZooKeeper + 3 brokers, 3.9.x
#   bench/topics/loopback.sh kraft [RUNS=1] [OUT] [CONTROLLERS=1]     # kraft.sh: C controllers + 3 brokers, 4.x
#
# RUNS runs of bench.py against the same cluster (each with its own topic prefix); with OUT, each run also writes its
# numbers to OUT/LABEL-runR.json (bench.py --json-out; LABEL zookeeper or kraft-cC) and the nodes' logs are kept in
# OUT/LABEL-logs. The CLI loop uses Kafka's TopicCommand from the bundle the
# cluster runs (the one unpacked in the cluster's directory). Extra bench.py options: BENCH_ARGS (split on spaces).
# Ports: ZooKeeper mode 30500 (brokers 30501-30503, bench.py's default), KRaft 30600 (brokers 30601-30603,
# controllers 30691..). KAFKA_TGZ overrides the bundle, as for cluster.sh / kraft.sh.
set -euo pipefail
mode=${1:?usage: loopback.sh zookeeper|kraft [RUNS] [OUT] [CONTROLLERS]}
runs=${2:-1}
out=${3:-}
controllers=${4:-1}
repo=$(cd "$(dirname "$0")/../.." && pwd)
loopback=$repo/tests/integration/loopback
read -ra extra <<<"${BENCH_ARGS:-}"

dir=$(mktemp -d /tmp/kafkaops-bench-cluster.XXXXXX)
case "$mode" in
    zookeeper)
        script=$loopback/cluster.sh
        start=("$script" start "$dir" 30500 3)
        bootstrap=127.0.0.1:30501,127.0.0.1:30502,127.0.0.1:30503
        label=zookeeper
        ;;
    kraft)
        script=$loopback/kraft.sh
        start=("$script" start "$dir" 30600 3 "$controllers")
        bootstrap=127.0.0.1:30601,127.0.0.1:30602,127.0.0.1:30603
        label=kraft-c$controllers
        ;;
    *) echo "mode must be zookeeper or kraft, not $mode" >&2; exit 2 ;;
esac
cleanup() {
    "$script" stop "$dir" >/dev/null 2>&1 || true
    # The nodes' logs (server.log: when each broker created each log) beside the numbers, then the cluster is gone.
    [ -z "$out" ] || [ ! -d "$dir/logs" ] || cp -r "$dir/logs" "$out/$label-logs"
    rm -rf "$dir"
}
trap cleanup EXIT

started=$(date +%s)
"${start[@]}"
echo "cluster started in $(($(date +%s) - started)) s ($dir)"
home=$(find "$dir" -mindepth 1 -maxdepth 1 -type d -name 'kafka_2.13-*' | sort -V | tail -1)
echo "Kafka: $(basename "$home")"
# The loopback clusters' test-only admin password (bench.py reads it from this variable, never from its arguments).
export KAFKA_SASL_PASSWORD=admin-secret
[ -z "$out" ] || mkdir -p "$out"
for run in $(seq 1 "$runs"); do
    echo "=== $label run $run/$runs ($(date -u +%FT%TZ))"
    json=()
    [ -z "$out" ] || json=(--json-out "$out/$label-run$run.json")
    "$repo/.venv/bin/python" "$repo/bench/topics/bench.py" --bootstrap "$bootstrap" --kafka-home "$home" \
        --prefix "bench-$label-$run-$(date +%s)" "${json[@]}" "${extra[@]}"
done
