#!/usr/bin/env bash
# What the labs' JVM option (-XX:TieredStopAtLevel=1: the client compiler only) saves on a small machine:
# starts the loopback cluster (tests/integration/loopback/cluster.sh: 1 ZooKeeper + 3 brokers, SASL)
# ROUNDS times with the JVM's defaults and with the labs' option, in turn, and prints per variant the
# median wall time until every broker is ready and the CPU seconds its JVMs used by then, and the
# ratios. Usage: bench/jvm/bench.sh [ROUNDS]   (default 3; needs `make bundle`). Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${1:-3}
WORK=$(mktemp -d /tmp/kafkaops-jvm-bench.XXXXXX)
trap 'tests/integration/loopback/cluster.sh stop "$WORK/c" >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT

# jvm_cpu DIR: CPU seconds (user + system) of the JVMs whose command line names DIR.
jvm_cpu() {
  local ticks=0 pid stat
  for pid in $(pgrep -f "java.*$1" || true); do
    read -ra stat <"/proc/$pid/stat" || continue
    ticks=$((ticks + stat[13] + stat[14]))
  done
  echo "scale=1; $ticks / $(getconf CLK_TCK)" | bc
}

# one LABEL OPTS: a cluster start with LAB_JVM_OPTS=OPTS; appends "wall cpu" to $WORK/LABEL.
one() {
  local t0 t1
  rm -rf "$WORK/c"
  t0=$(date +%s.%N)
  LAB_JVM_OPTS=$2 tests/integration/loopback/cluster.sh start "$WORK/c" 31700 3 >"$WORK/$1.log" 2>&1 ||
    { tail -20 "$WORK/$1.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$(echo "$t1 - $t0" | bc) $(jvm_cpu "$WORK/c")" >>"$WORK/$1"
  tests/integration/loopback/cluster.sh stop "$WORK/c" >/dev/null 2>&1
}

median() { sort -n | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

for _ in $(seq "$ROUNDS"); do
  one default ""
  one c1 "-XX:TieredStopAtLevel=1"
done
for v in default c1; do
  eval "${v}_wall=$(cut -d' ' -f1 "$WORK/$v" | median) ${v}_cpu=$(cut -d' ' -f2 "$WORK/$v" | median)"
done
# shellcheck disable=SC2154  # set by the eval above
{
  printf '%-32s %10s %12s\n' "JVM options ($ROUNDS rounds, median)" "wall s" "JVM cpu s"
  printf '%-32s %10.1f %12.1f\n' "JVM defaults (C2)" "$default_wall" "$default_cpu"
  printf '%-32s %10.1f %12.1f\n' "-XX:TieredStopAtLevel=1 (labs)" "$c1_wall" "$c1_cpu"
  printf '%-32s %10.2f %12.2f\n' "ratio labs/defaults" "$(echo "$c1_wall / $default_wall" | bc -l)" \
    "$(echo "$c1_cpu / $default_cpu" | bc -l)"
}
