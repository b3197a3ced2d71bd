#!/usr/bin/env bash
# Smoke test of a Kafka 4.x (KRaft) bundle made by build.sh: one combined-mode node.
#
#   tools/kafka-bundle/selftest-kraft.sh DIR_OR_TGZ
#
# DIR_OR_TGZ: the extracted kafka_2.13-<v>/ directory, or the .tgz (extracted to a temp dir).
# Everything listens on 127.0.0.1 only, on two free ports from 30900-30999 (client + controller).
# Steps, each checked:
#   - bin/kafka-storage.sh random-uuid gives a cluster id
#   - bin/kafka-storage.sh format --standalone (dynamic quorum, KIP-853) of a minimal
#     server.properties: process.roles=broker,controller, controller.quorum.bootstrap.servers
#   - the node starts as the systemd units start it: java -cp 'libs/*'
#     -Dlog4j2.configurationFile=config/log4j2.yaml -Dkafka.logs.dir=... kafka.Kafka server.properties
#     and writes server.log through Log4j 2
#   - bin/kafka-topics.sh --create / --describe
#   - bin/kafka-metadata-quorum.sh describe --status: leader 1, voters [1]
#   - bin/kafka-features.sh describe: metadata.version finalized
#   - bin/kafka-cluster.sh cluster-id: the id given to format
#   - no "SLF4J:" / Log4j 2 StatusLogger error lines, no missing classes
# Stops the node (SIGTERM, by PID; SIGKILL after 30 s) and removes its temp dir (KEEP=1 keeps it).
# Exits non-zero with "selftest-kraft: FAIL: ..." on the first failure.  Needs java (17+) on PATH.
set -euo pipefail

die() { echo "selftest-kraft: FAIL: $*" >&2; exit 1; }
say() { printf 'selftest-kraft: [%3ss] %s\n' "$((SECONDS - T0))" "$*"; }
T0=$SECONDS

[[ $# -eq 1 ]] || { sed -n '2,/^[^#]/{/^#/p;}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
SRC="$1"
command -v java >/dev/null 2>&1 || die "java not found on PATH"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kafka-selftest-kraft.XXXXXX")"
NODE_PID=""
cleanup() {
  local rc=$?
  if [[ -n "$NODE_PID" ]]; then
    kill "$NODE_PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$NODE_PID" 2>/dev/null || true
    wait "$NODE_PID" 2>/dev/null || true
  fi
  if [[ $rc -ne 0 ]]; then
    for f in "$WORK"/*.txt "$WORK"/node.out "$WORK"/logs/server.log; do
      [[ -f "$f" ]] || continue
      echo "----- last lines of $f" >&2
      tail -n 25 "$f" >&2
    done
  fi
  if [[ "${KEEP:-0}" == 1 ]]; then
    echo "selftest-kraft: kept $WORK" >&2
  else
    rm -rf "$WORK"
  fi
}
trap cleanup EXIT

# ---- the bundle ----------------------------------------------------------------------------
if [[ -d "$SRC" ]]; then
  HOME_DIR="$(cd "$SRC" && pwd)"
else
  [[ -f "$SRC" ]] || die "$SRC is neither a directory nor a file"
  mkdir -p "$WORK/unpacked"
  tar -C "$WORK/unpacked" -xzf "$SRC"
  HOME_DIR="$(find "$WORK/unpacked" -mindepth 1 -maxdepth 1 -type d -name 'kafka_*' | head -n1)"
  [[ -n "$HOME_DIR" ]] || die "no kafka_*/ directory in $SRC"
fi
BIN="$HOME_DIR/bin"
for w in kafka-run-class.sh kafka-storage.sh kafka-metadata-quorum.sh kafka-features.sh kafka-cluster.sh kafka-topics.sh; do
  [[ -x "$BIN/$w" ]] || die "bin/$w missing or not executable in $HOME_DIR"
done
[[ -f "$HOME_DIR/config/log4j2.yaml" ]] || die "config/log4j2.yaml missing (not a Kafka 4.x bundle?)"
say "bundle $HOME_DIR"

# ---- two free loopback ports in 30900-30999 --------------------------------------------------
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PORTS=()
for p in $(seq 30900 30999); do
  port_free "$p" && PORTS+=("$p")
  [[ ${#PORTS[@]} -eq 2 ]] && break
done
[[ ${#PORTS[@]} -eq 2 ]] || die "no two free ports in 127.0.0.1:30900-30999"
CLIENT_PORT=${PORTS[0]} CONTROLLER_PORT=${PORTS[1]}
BOOT="127.0.0.1:$CLIENT_PORT"
say "ports: client $CLIENT_PORT, controller $CONTROLLER_PORT"

cat >"$WORK/server.properties" <<EOF
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$CLIENT_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$CLIENT_PORT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
log.dirs=$WORK/data
num.partitions=1
default.replication.factor=1
offsets.topic.replication.factor=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
EOF

# Tools log warnings only, on stderr; keep both streams for the checks below.
run() { # name cmd...  -> $WORK/name.txt (stdout+stderr); fails with the output
  local name=$1; shift
  "$@" >"$WORK/$name.txt" 2>&1 || die "$name failed (exit $?): $*"
}

# ---- format --------------------------------------------------------------------------------
run random-uuid "$BIN/kafka-storage.sh" random-uuid
CLUSTER_ID="$(tail -n1 "$WORK/random-uuid.txt")"
[[ "$CLUSTER_ID" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "kafka-storage.sh random-uuid printed '$CLUSTER_ID'"
say "cluster id $CLUSTER_ID"
run format "$BIN/kafka-storage.sh" format -t "$CLUSTER_ID" -c "$WORK/server.properties" --standalone
grep -q "^cluster.id=$CLUSTER_ID\$" "$WORK/data/meta.properties" \
  || die "meta.properties does not carry cluster.id=$CLUSTER_ID"
say "formatted (--standalone): $(grep -o 'Formatting dynamic metadata voter directory.*' "$WORK/format.txt")"

# ---- start the node as the systemd units do ------------------------------------------------
mkdir -p "$WORK/logs"
java -Xmx512M -Xms512M -Djava.awt.headless=true -cp "$HOME_DIR/libs/*" \
  -Dlog4j2.configurationFile="$HOME_DIR/config/log4j2.yaml" -Dkafka.logs.dir="$WORK/logs" \
  kafka.Kafka "$WORK/server.properties" >"$WORK/node.out" 2>&1 &
NODE_PID=$!
for i in $(seq 1 120); do
  kill -0 "$NODE_PID" 2>/dev/null || die "the node exited during start-up"
  grep -q 'Kafka Server started' "$WORK/node.out" 2>/dev/null && break
  [[ $i -eq 120 ]] && die "the node did not log 'Kafka Server started' within 60 s"
  sleep 0.5
done
[[ -s "$WORK/logs/server.log" ]] || die "Log4j 2 wrote no logs/server.log (config/log4j2.yaml not applied?)"
say "node started (pid $NODE_PID), server.log written"

# ---- tools ---------------------------------------------------------------------------------
run topic-create "$BIN/kafka-topics.sh" --bootstrap-server "$BOOT" --create --topic selftest-kraft \
  --partitions 3 --replication-factor 1
run topic-describe "$BIN/kafka-topics.sh" --bootstrap-server "$BOOT" --describe --topic selftest-kraft
[[ "$(grep -c 'Partition: ' "$WORK/topic-describe.txt")" -eq 3 ]] \
  || die "kafka-topics.sh --describe does not show 3 partitions"
say "kafka-topics.sh: created and described selftest-kraft (3 partitions)"

run quorum "$BIN/kafka-metadata-quorum.sh" --bootstrap-server "$BOOT" describe --status
grep -Eq '^LeaderId: +1$' "$WORK/quorum.txt" || die "describe --status: LeaderId is not 1"
grep -Eq '^CurrentVoters: +\[\{"id": ?1' "$WORK/quorum.txt" || die "describe --status: voters are not [1]"
say "kafka-metadata-quorum.sh describe --status: $(grep -E '^(LeaderId|CurrentVoters):' "$WORK/quorum.txt" | tr -s ' \n' ' ')"

run features "$BIN/kafka-features.sh" --bootstrap-server "$BOOT" describe
grep -Eq 'Feature: metadata.version.*FinalizedVersionLevel: [0-9]' "$WORK/features.txt" \
  || die "kafka-features.sh describe shows no finalized metadata.version"
say "kafka-features.sh describe: $(grep -o 'Feature: metadata.version.*FinalizedVersionLevel: [^[:space:]]*' "$WORK/features.txt" | tr -s ' \t' ' ')"

run cluster-id "$BIN/kafka-cluster.sh" cluster-id --bootstrap-server "$BOOT"
grep -q "Cluster ID: $CLUSTER_ID" "$WORK/cluster-id.txt" \
  || die "kafka-cluster.sh cluster-id did not print Cluster ID: $CLUSTER_ID"
say "kafka-cluster.sh cluster-id: $CLUSTER_ID"

# ---- logging / class path hygiene ----------------------------------------------------------
if grep -El '^SLF4J:|StatusLogger|ClassNotFoundException|NoClassDefFoundError' \
     "$WORK"/*.txt "$WORK/node.out" "$WORK/logs/server.log" >"$WORK/bad-files.lst" 2>/dev/null; then
  die "logging/class path problems in: $(tr '\n' ' ' <"$WORK/bad-files.lst")"
fi

# ---- stop ----------------------------------------------------------------------------------
kill "$NODE_PID"
for i in $(seq 1 150); do
  kill -0 "$NODE_PID" 2>/dev/null || break
  [[ $i -eq 150 ]] && die "the node did not stop within 30 s of SIGTERM"
  sleep 0.2
done
wait "$NODE_PID" 2>/dev/null || true
NODE_PID=""
grep -q 'shut down completed' "$WORK/node.out" || die "the node did not log a clean shutdown"
say "node stopped cleanly"
say "OK"
