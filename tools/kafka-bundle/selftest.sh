#!/usr/bin/env bash
# Smoke test of an offline Kafka bundle made by build.sh.
#
#   tools/kafka-bundle/selftest.sh DIR_OR_TGZ
#
# DIR_OR_TGZ: the extracted kafka_2.13-<v>/ directory, or the .tgz (extracted to a temp dir).
# Everything listens on 127.0.0.1 only, on free high ports (ZooKeeper from 22181, Kafka from
# 29092, Connect REST from 28083).  Uses the bundle's own sample config files with loopback
# overrides appended, and its log4j files, and checks:
#   - ZooKeeper (QuorumPeerMain) answers ruok/srvr, admin Jetty server not started
#   - broker (kafka.Kafka) registers in ZooKeeper under the /kafka chroot
#   - TopicCommand create/describe, ConsoleProducer -> ConsoleConsumer round trip,
#     ProducerPerformance / ConsumerPerformance
#   - ConnectDistributed starts, REST answers, lists FileStream + MirrorMaker 2 connector plugins
#   - MirrorMaker (MM2 dedicated mode) prints its usage
#   - no "SLF4J:" / "log4j:WARN|ERROR" lines (missing/duplicate binding, bad log4j config)
# Kills every process it started and removes its temp dir (KEEP=1 keeps the dir for
# inspection).  Exits non-zero on the first failure.  Needs java (17) on PATH.
set -euo pipefail

die() { echo "selftest: FAIL: $*" >&2; exit 1; }
say() { printf 'selftest: [%3ss] %s\n' "$((SECONDS - T0))" "$*"; }
T0=$SECONDS

[[ $# -eq 1 ]] || { sed -n '2,19p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
SRC="$1"
command -v java >/dev/null 2>&1 || die "java not found on PATH"

WORK="$(mktemp -d "${TMPDIR:-/tmp}/kafka-selftest.XXXXXX")"
PIDS=()
cleanup() {
  local rc=$?
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  if [[ $rc -ne 0 ]]; then
    for f in "$WORK"/logs/*.out "$WORK"/logs/server.log; do
      [[ -f "$f" ]] || continue
      echo "----- last lines of $f" >&2
      tail -n 25 "$f" >&2
    done
  fi
  if [[ "${KEEP:-0}" == 1 ]]; then echo "selftest: kept $WORK" >&2; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- locate the bundle --------------------------------------------------------
if [[ -f "$SRC" ]]; then
  mkdir -p "$WORK/x"
  tar -xzf "$SRC" -C "$WORK/x"
  K="$(find "$WORK/x" -mindepth 1 -maxdepth 1 -type d | head -n1)"
else
  K="$(cd "$SRC" && pwd)"
fi
[[ -d "$K/libs" && -d "$K/config" ]] || die "$SRC is not a bundle (no libs/ and config/)"
VERSION="$(find "$K/libs" -name 'kafka_2.13-*.jar' | sed 's:.*/kafka_2.13-\(.*\)\.jar$:\1:' | head -n1)"
say "bundle $K (Kafka $VERSION, $(find "$K/libs" -name '*.jar' | wc -l) jars), $(java -version 2>&1 | head -n1)"

LOGS="$WORK/logs"
mkdir -p "$LOGS" "$WORK/zk" "$WORK/kafka" "$WORK/plugins"
CP="$K/libs/*"
TOOL_JVM=(-Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$CP"
          "-Dlog4j.configuration=file:$K/config/tools-log4j.properties")

# ---- helpers ------------------------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  local p=$1
  while port_busy "$p"; do p=$((p + 1)); [[ $p -lt $(($1 + 200)) ]] || die "no free port near $1"; done
  echo "$p"
}
# 4-letter word to ZooKeeper.
zk4() (
  exec 3<>"/dev/tcp/127.0.0.1/$ZK_PORT" || exit 1
  printf '%s' "$1" >&3
  timeout 5 cat <&3 || true
)
# Minimal HTTP GET (no curl needed): prints the body.
http_get() (
  port=$1 path=$2
  exec 4<>"/dev/tcp/127.0.0.1/$port" || exit 1
  printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n' "$path" >&4
  resp="$(timeout 10 cat <&4)" || true
  [[ "$resp" == "HTTP/1."?" 200"* ]] || exit 1
  printf '%s\n' "${resp#*$'\r\n\r\n'}"
)
# wait_for SECONDS DESCRIPTION PID COMMAND...   (fails early if PID died)
wait_for() {
  local secs=$1 what=$2 pid=$3; shift 3
  local end=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    kill -0 "$pid" 2>/dev/null || die "$what: process $pid exited"
    [[ $SECONDS -lt $end ]] || die "$what: not ready after ${secs}s"
    sleep 0.5
  done
}
tool() { java "${TOOL_JVM[@]}" "$@"; }

ZK_PORT="$(free_port 22181)"
KAFKA_PORT="$(free_port 29092)"
CONNECT_PORT="$(free_port 28083)"
BS="127.0.0.1:$KAFKA_PORT"
say "ports: zookeeper $ZK_PORT, kafka $KAFKA_PORT, connect $CONNECT_PORT (127.0.0.1 only)"

# ---- ZooKeeper ----------------------------------------------------------------
# Sample file first, loopback/test overrides last (later keys win).
{ cat "$K/config/zookeeper.properties"; cat <<EOF

# --- selftest overrides
dataDir=$WORK/zk
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
autopurge.purgeInterval=0
EOF
} >"$WORK/zookeeper.properties"
grep -q '^admin.enableServer=false' "$WORK/zookeeper.properties" || die "sample zookeeper.properties lacks admin.enableServer=false"

java -Xmx128m -cp "$CP" "-Dlog4j.configuration=file:$K/config/log4j.properties" \
  "-Dkafka.logs.dir=$LOGS/zk" \
  org.apache.zookeeper.server.quorum.QuorumPeerMain "$WORK/zookeeper.properties" \
  >"$LOGS/zookeeper.out" 2>&1 &
ZK_PID=$!; PIDS+=("$ZK_PID")
zk_ok() { [[ "$(zk4 ruok)" == imok ]]; }
wait_for 30 "zookeeper" "$ZK_PID" zk_ok
say "zookeeper up (pid $ZK_PID): $(zk4 srvr | grep -m1 'Zookeeper version' | cut -d, -f1)"
grep -qi 'Started AdminServer\|JettyAdminServer' "$LOGS/zookeeper.out" && die "zookeeper started its Jetty admin server"

# ---- Kafka broker -------------------------------------------------------------
{ cat "$K/config/server.properties"; cat <<EOF

# --- selftest overrides
broker.id=0
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
zookeeper.connect=127.0.0.1:$ZK_PORT/kafka
log.dirs=$WORK/kafka
EOF
} >"$WORK/server.properties"

java -Xmx384m -cp "$CP" "-Dlog4j.configuration=file:$K/config/log4j.properties" \
  "-Dkafka.logs.dir=$LOGS/kafka" \
  kafka.Kafka "$WORK/server.properties" >"$LOGS/kafka.out" 2>&1 &
KAFKA_PID=$!; PIDS+=("$KAFKA_PID")
kafka_started() { grep -q 'started (kafka.server.KafkaServer)' "$LOGS/kafka.out"; }
wait_for 45 "kafka broker" "$KAFKA_PID" kafka_started
say "kafka broker started (pid $KAFKA_PID)"
[[ -s "$LOGS/kafka/server.log" ]] || die "log4j.properties did not write \${kafka.logs.dir}/server.log"
[[ -s "$LOGS/kafka/state-change.log" ]] || die "state-change.log not written"

# Registration in ZooKeeper (ZooKeeper's own CLI, non-interactive).
ids="$(java -Xmx64m -XX:TieredStopAtLevel=1 -cp "$CP" "-Dlog4j.configuration=file:$K/config/tools-log4j.properties" \
        org.apache.zookeeper.ZooKeeperMain -server "127.0.0.1:$ZK_PORT" ls /kafka/brokers/ids 2>&1 | tail -n1)"
[[ "$ids" == "[0]" ]] || die "broker 0 not registered in ZooKeeper: ls /kafka/brokers/ids -> $ids"
say "broker registered: /kafka/brokers/ids = $ids"

# ---- tools ------------------------------------------------------------------
T=selftest
tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BS" --create --topic "$T" \
  --partitions 3 --replication-factor 1 >"$LOGS/topic-create.out" 2>&1 || die "TopicCommand --create failed"
tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BS" --describe --topic "$T" \
  >"$LOGS/topic-describe.out" 2>&1 || die "TopicCommand --describe failed"
grep -q "PartitionCount: 3" "$LOGS/topic-describe.out" || die "topic describe: unexpected output"
say "TopicCommand: created + described topic $T (3 partitions)"

seq -f 'msg-%g' 1 20 | tool kafka.tools.ConsoleProducer --bootstrap-server "$BS" --topic "$T" \
  >"$LOGS/producer.out" 2>&1 || die "ConsoleProducer failed"
tool org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$BS" --topic "$T" \
  --from-beginning --max-messages 20 --timeout-ms 20000 >"$LOGS/consumer.txt" 2>"$LOGS/consumer.out" \
  || die "ConsoleConsumer failed"
[[ "$(sort "$LOGS/consumer.txt" | tr '\n' ' ')" == "$(seq -f 'msg-%g' 1 20 | sort | tr '\n' ' ')" ]] \
  || die "consumed messages differ from produced ones"
say "ConsoleProducer -> ConsoleConsumer: 20/20 messages round-tripped"

tool org.apache.kafka.tools.ProducerPerformance --topic "$T" --num-records 5000 --record-size 100 \
  --throughput -1 --producer-props "bootstrap.servers=$BS" acks=all >"$LOGS/perf-producer.out" 2>&1 \
  || die "ProducerPerformance failed"
grep -q '5000 records sent' "$LOGS/perf-producer.out" || die "ProducerPerformance: unexpected output"
tool org.apache.kafka.tools.ConsumerPerformance --bootstrap-server "$BS" --topic "$T" \
  --messages 5000 --timeout 20000 >"$LOGS/perf-consumer.out" 2>&1 || die "ConsumerPerformance failed"
say "ProducerPerformance: $(grep -m1 'records sent' "$LOGS/perf-producer.out" | cut -d, -f1-2); ConsumerPerformance ok"

# ---- Kafka Connect (distributed worker) -------------------------------------------
{ cat "$K/config/connect-distributed.properties"; cat <<EOF

# --- selftest overrides
bootstrap.servers=$BS
group.id=selftest-connect
listeners=HTTP://127.0.0.1:$CONNECT_PORT
rest.advertised.host.name=127.0.0.1
plugin.path=$WORK/plugins
config.storage.topic=selftest-connect-configs
offset.storage.topic=selftest-connect-offsets
status.storage.topic=selftest-connect-status
EOF
} >"$WORK/connect-distributed.properties"
java -Xmx384m -XX:+UseSerialGC -cp "$CP" "-Dlog4j.configuration=file:$K/config/connect-log4j.properties" \
  "-Dkafka.logs.dir=$LOGS/connect" \
  org.apache.kafka.connect.cli.ConnectDistributed "$WORK/connect-distributed.properties" \
  >"$LOGS/connect.out" 2>&1 &
CONNECT_PID=$!; PIDS+=("$CONNECT_PID")
connect_plugins() { http_get "$CONNECT_PORT" /connector-plugins >"$WORK/plugins.json"; }
wait_for 60 "connect worker" "$CONNECT_PID" connect_plugins
for c in FileStreamSourceConnector FileStreamSinkConnector MirrorSourceConnector \
         MirrorCheckpointConnector MirrorHeartbeatConnector; do
  grep -q "$c" "$WORK/plugins.json" || die "Connect does not list plugin $c"
done
say "ConnectDistributed up (pid $CONNECT_PID), REST lists FileStream* and Mirror* connectors"
kill "$CONNECT_PID" 2>/dev/null || true

# ---- MirrorMaker 2 ------------------------------------------------------------
java -Xmx128m -XX:TieredStopAtLevel=1 -cp "$CP" "-Dlog4j.configuration=file:$K/config/connect-log4j.properties" \
  "-Dkafka.logs.dir=$LOGS/mm2" \
  org.apache.kafka.connect.mirror.MirrorMaker --help >"$LOGS/mm2.out" 2>&1 || true
grep -q 'usage: connect-mirror-maker' "$LOGS/mm2.out" || die "MirrorMaker --help did not print its usage"
grep -q 'ClassNotFound\|NoClassDefFound' "$LOGS/mm2.out" && die "MirrorMaker: missing classes"
say "MirrorMaker (MM2) prints usage"

# ---- logging sanity ------------------------------------------------------------
if grep -H -E '^SLF4J:|^log4j:(WARN|ERROR)|ClassNotFoundException|NoClassDefFoundError' "$LOGS"/*.out; then
  die "logging/classpath warnings found (see lines above)"
fi
say "no SLF4J/log4j warnings, no missing classes in any output"
say "PASS (Kafka $VERSION) in $((SECONDS - T0)) s"
