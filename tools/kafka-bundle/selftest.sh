#!/usr/bin/env bash
# Smoke test of an offline Kafka bundle made by build.sh.
#
#   tools/kafka-bundle/selftest.sh DIR_OR_TGZ
#
# DIR_OR_TGZ: the extracted kafka_2.13-<v>/ directory, or the .tgz (extracted to a temp dir).
# Everything listens on 127.0.0.1 only, on free high ports (ZooKeeper from 22181, Kafka from
# 29092, Connect REST from 28083).  Uses the bundle's own sample config files with loopback
# overrides appended, its log4j files, and only its bin/ scripts, called through a symlinked
# home (like /opt/kafka -> /opt/kafka_2.13-<v>) as the runbook does.  Checks:
#   - bin/ has every wrapper, mode 0755; the server/shell wrappers print usage without arguments
#   - ZooKeeper (zookeeper-server-start.sh) answers ruok/srvr, admin Jetty server not started
#   - broker (kafka-server-start.sh, ACL authorizer on) registers under the /kafka chroot
#     (zookeeper-shell.sh ... ls /kafka/brokers/ids); the wrappers exec java (same PID) with
#     KAFKA_HEAP_OPTS / LOG_DIR / log4j applied
#   - kafka-broker-api-versions (with JAVA_HOME), kafka-topics create/describe/list,
#     kafka-configs alter/describe, kafka-acls add/list, console producer -> consumer round trip,
#     producer/consumer perf tests, kafka-get-offsets, kafka-consumer-groups, kafka-reassign-partitions
#   - connect-distributed.sh starts, REST lists FileStream + MirrorMaker 2 connector plugins
#   - connect-mirror-maker.sh (MM2 dedicated mode) prints its usage
#   - every wrapper of bin/ was used; no "SLF4J:" / "log4j:WARN|ERROR" lines, no missing classes
# Kills every process it started (by PID) and removes its temp dir (KEEP=1 keeps the dir for
# inspection).  Exits non-zero on the first failure.  Needs java (17) on PATH.
set -euo pipefail

die() { echo "selftest: FAIL: $*" >&2; exit 1; }
say() { printf 'selftest: [%3ss] %s\n' "$((SECONDS - T0))" "$*"; }
T0=$SECONDS

[[ $# -eq 1 ]] || { sed -n '2,/^[^#]/{/^#/p;}' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }
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
    for f in "$WORK"/*.txt "$WORK"/logs/*.out "$WORK"/logs/kafka/server.log; do
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
WRAPPERS=(kafka-run-class.sh
          kafka-topics.sh kafka-console-producer.sh kafka-console-consumer.sh
          kafka-producer-perf-test.sh kafka-consumer-perf-test.sh kafka-consumer-groups.sh
          kafka-configs.sh kafka-acls.sh kafka-reassign-partitions.sh kafka-broker-api-versions.sh
          kafka-get-offsets.sh zookeeper-shell.sh kafka-server-start.sh zookeeper-server-start.sh
          connect-distributed.sh connect-mirror-maker.sh
          kafka-storage.sh kafka-metadata-quorum.sh kafka-features.sh kafka-cluster.sh)
if [[ -f "$SRC" ]]; then
  mkdir -p "$WORK/x"
  tar -xzf "$SRC" -C "$WORK/x"
  K="$(find "$WORK/x" -mindepth 1 -maxdepth 1 -type d | head -n1)"
  # Modes as stored in the tarball (not as extracted under this umask).
  bad="$(tar -tvzf "$SRC" | awk '$NF ~ /\/bin\/[^\/]+$/ && $1 != "-rwxr-xr-x" {print $1, $NF}')"
  [[ -z "$bad" ]] || die "bin/ entries not 0755 in the tarball: $bad"
else
  K="$(cd "$SRC" && pwd)"
fi
[[ -d "$K/libs" && -d "$K/config" ]] || die "$SRC is not a bundle (no libs/ and config/)"
K="$(readlink -f "$K")"  # the scripts resolve their home the same way
[[ -d "$K/bin" ]] || die "$SRC has no bin/ (bundle built before the bin/ scripts were added?)"
for w in "${WRAPPERS[@]}"; do [[ -x "$K/bin/$w" ]] || die "bin/$w missing or not executable"; done
for w in "$K"/bin/*; do
  [[ " ${WRAPPERS[*]} " == *" $(basename "$w") "* ]] || die "bin/$(basename "$w") is not known to this selftest"
done
VERSION="$(find "$K/libs" -name 'kafka_2.13-*.jar' | sed 's:.*/kafka_2.13-\(.*\)\.jar$:\1:' | head -n1)"
say "bundle $K (Kafka $VERSION, $(find "$K/libs" -name '*.jar' | wc -l) jars, ${#WRAPPERS[@]} bin/ scripts), $(java -version 2>&1 | head -n1)"

# The runbook's layout: a stable symlinked home (/opt/kafka -> /opt/kafka_2.13-<v>), and a
# wrapper symlinked from elsewhere on PATH (the scripts must follow both).
ln -s "$K" "$WORK/kafka"
B="$WORK/kafka/bin"
mkdir -p "$WORK/path"
ln -s "$B/kafka-topics.sh" "$WORK/path/kafka-topics.sh"

LOGS="$WORK/logs"
mkdir -p "$LOGS" "$WORK/zk" "$WORK/kafka-data" "$WORK/plugins"

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
USED=()
# tool WRAPPER ARGS...: run bin/WRAPPER with small-JVM settings (quick start), at most 120 s.
tool() {
  local w=$1; shift
  USED+=("$w")
  KAFKA_JVM_PERFORMANCE_OPTS="-XX:+UseSerialGC -XX:TieredStopAtLevel=1" \
    timeout --foreground 120 "$B/$w" "$@"
}
# A server wrapper must exec java (so PID is the JVM that cleanup kills) with our settings.
check_jvm() {
  local what=$1 pid=$2 cmd; shift 2
  [[ -r "/proc/$pid/cmdline" ]] || return 0  # no /proc: skip
  [[ "$(cat "/proc/$pid/comm")" == java ]] || die "$what: pid $pid is $(cat "/proc/$pid/comm"), not java (no exec?)"
  cmd="$(tr '\0' '\n' <"/proc/$pid/cmdline")"
  local want
  for want in "$@"; do
    grep -qxF -- "$want" <<<"$cmd" || die "$what: java command line lacks '$want': $(tr '\n' ' ' <<<"$cmd")"
  done
}

ZK_PORT="$(free_port 22181)"
KAFKA_PORT="$(free_port 29092)"
CONNECT_PORT="$(free_port 28083)"
BS="127.0.0.1:$KAFKA_PORT"
say "ports: zookeeper $ZK_PORT, kafka $KAFKA_PORT, connect $CONNECT_PORT (127.0.0.1 only)"

# ---- wrapper argument checks (no JVM started) ------------------------------------
for w in kafka-run-class.sh zookeeper-shell.sh kafka-server-start.sh zookeeper-server-start.sh \
         connect-distributed.sh connect-mirror-maker.sh; do
  rc=0; out="$("$B/$w" 2>&1 </dev/null)" || rc=$?
  [[ $rc -eq 2 && "$out" == usage:* ]] || die "bin/$w without arguments: expected usage and exit 2, got $rc: $out"
done
rc=0; out="$(JAVA_HOME="$WORK/no-such-jdk" "$B/kafka-topics.sh" --version 2>&1)" || rc=$?
[[ $rc -ne 0 && "$out" == *"check JAVA_HOME"* ]] || die "a bad JAVA_HOME was not reported: $out"
say "wrappers: usage without arguments, bad JAVA_HOME reported"

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

USED+=(zookeeper-server-start.sh kafka-run-class.sh)
KAFKA_HEAP_OPTS=-Xmx128m LOG_DIR="$LOGS/zk" \
  "$B/zookeeper-server-start.sh" "$WORK/zookeeper.properties" >"$LOGS/zookeeper.out" 2>&1 </dev/null &
ZK_PID=$!; PIDS+=("$ZK_PID")
zk_ok() { [[ "$(zk4 ruok)" == imok ]]; }
wait_for 30 "zookeeper" "$ZK_PID" zk_ok
check_jvm zookeeper "$ZK_PID" -Xmx128m "-Dkafka.logs.dir=$LOGS/zk" \
  "-Dlog4j.configuration=file:$K/config/log4j.properties" org.apache.zookeeper.server.quorum.QuorumPeerMain
say "zookeeper up (zookeeper-server-start.sh, pid $ZK_PID): $(zk4 srvr | grep -m1 'Zookeeper version' | cut -d, -f1)"
grep -qi 'Started AdminServer\|JettyAdminServer' "$LOGS/zookeeper.out" && die "zookeeper started its Jetty admin server"
[[ -s "$LOGS/zk/server.log" ]] || die "zookeeper: LOG_DIR/server.log not written"

# ---- Kafka broker -------------------------------------------------------------
# The ACL authorizer as in production; the PLAINTEXT principal ANONYMOUS is a super user here.
{ cat "$K/config/server.properties"; cat <<EOF

# --- selftest overrides
broker.id=0
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
zookeeper.connect=127.0.0.1:$ZK_PORT/kafka
log.dirs=$WORK/kafka-data
authorizer.class.name=kafka.security.authorizer.AclAuthorizer
super.users=User:ANONYMOUS
EOF
} >"$WORK/server.properties"

USED+=(kafka-server-start.sh)
KAFKA_HEAP_OPTS=-Xmx384m LOG_DIR="$LOGS/kafka" \
  "$B/kafka-server-start.sh" "$WORK/server.properties" >"$LOGS/kafka.out" 2>&1 </dev/null &
KAFKA_PID=$!; PIDS+=("$KAFKA_PID")
kafka_started() { grep -q 'started (kafka.server.KafkaServer)' "$LOGS/kafka.out"; }
wait_for 45 "kafka broker" "$KAFKA_PID" kafka_started
check_jvm kafka "$KAFKA_PID" -Xmx384m "-Dkafka.logs.dir=$LOGS/kafka" \
  "-Dlog4j.configuration=file:$K/config/log4j.properties" -cp "$K/libs/*" kafka.Kafka "$WORK/server.properties"
say "kafka broker started (kafka-server-start.sh, pid $KAFKA_PID; java -Xmx384m, kafka.logs.dir, log4j.properties)"
[[ -s "$LOGS/kafka/server.log" ]] || die "log4j.properties did not write \${kafka.logs.dir}/server.log"
[[ -s "$LOGS/kafka/state-change.log" ]] || die "state-change.log not written"

# Registration in ZooKeeper: the runbook's command, then commands piped in (no jline).
tool zookeeper-shell.sh "127.0.0.1:$ZK_PORT" ls /kafka/brokers/ids >"$WORK/zk-ls.txt" 2>"$LOGS/zk-shell.out" </dev/null \
  || die "zookeeper-shell.sh ls failed"
ids="$(tail -n1 "$WORK/zk-ls.txt")"
[[ "$ids" == "[0]" ]] || die "broker 0 not registered in ZooKeeper: zookeeper-shell.sh ls /kafka/brokers/ids -> $ids"
printf 'get /kafka/controller\nquit\n' >"$WORK/zk-commands.txt"
tool zookeeper-shell.sh "127.0.0.1:$ZK_PORT" <"$WORK/zk-commands.txt" >"$WORK/zk-stdin.txt" 2>>"$LOGS/zk-shell.out" \
  || die "zookeeper-shell.sh with commands on stdin failed"
grep -q '"brokerid":0' "$WORK/zk-stdin.txt" || die "zookeeper-shell.sh with commands on stdin: no controller znode"
say "zookeeper-shell.sh: /kafka/brokers/ids = $ids; commands on stdin work too (controller: broker 0)"

# ---- tools --------------------------------------------------------------------
JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")" \
  tool kafka-broker-api-versions.sh --bootstrap-server "$BS" >"$WORK/api-versions.txt" 2>"$LOGS/api-versions.out" \
  || die "kafka-broker-api-versions.sh failed"
grep -q "^127.0.0.1:$KAFKA_PORT (id: 0 " "$WORK/api-versions.txt" || die "kafka-broker-api-versions.sh: broker 0 not listed"
say "kafka-broker-api-versions.sh (JAVA_HOME set): broker 0 answers, $(grep -c '): ' "$WORK/api-versions.txt") APIs"

# The KRaft tools a ZooKeeper cluster's migration uses (on this ZooKeeper broker: what they can do here).
uuid="$(tool kafka-storage.sh random-uuid 2>"$LOGS/storage.out")" || die "kafka-storage.sh random-uuid failed"
USED+=(kafka-storage.sh)  # tool ran in the command substitution's subshell
[[ "$uuid" =~ ^[A-Za-z0-9_-]{22}$ ]] || die "kafka-storage.sh random-uuid: unexpected output '$uuid'"
tool kafka-cluster.sh cluster-id --bootstrap-server "$BS" >"$WORK/cluster-id.txt" 2>"$LOGS/cluster-id.out" \
  || die "kafka-cluster.sh cluster-id failed"
grep -q '^Cluster ID: ' "$WORK/cluster-id.txt" || die "kafka-cluster.sh cluster-id: $(cat "$WORK/cluster-id.txt")"
tool kafka-features.sh --bootstrap-server "$BS" describe >"$WORK/features.txt" 2>"$LOGS/features.out" \
  || die "kafka-features.sh describe failed"
rc=0; tool kafka-metadata-quorum.sh --bootstrap-server "$BS" describe --status >"$WORK/quorum.txt" 2>&1 || rc=$?
[[ $rc -ne 0 ]] || die "kafka-metadata-quorum.sh describe succeeded against a ZooKeeper broker: $(cat "$WORK/quorum.txt")"
say "KRaft tools: kafka-storage.sh random-uuid, kafka-cluster.sh $(cat "$WORK/cluster-id.txt"), kafka-features.sh describe, kafka-metadata-quorum.sh refused by a ZooKeeper broker (rc $rc)"

T=selftest
tool kafka-topics.sh --bootstrap-server "$BS" --create --topic "$T" \
  --partitions 3 --replication-factor 1 >"$LOGS/topic-create.out" 2>&1 || die "kafka-topics.sh --create failed"
tool kafka-topics.sh --bootstrap-server "$BS" --describe --topic "$T" \
  >"$LOGS/topic-describe.out" 2>&1 || die "kafka-topics.sh --describe failed"
grep -q "PartitionCount: 3" "$LOGS/topic-describe.out" || die "topic describe: unexpected output"
timeout --foreground 120 "$WORK/path/kafka-topics.sh" --bootstrap-server "$BS" --list >"$WORK/topics.txt" 2>"$LOGS/topic-list.out" \
  || die "kafka-topics.sh --list through a symlink failed"
grep -qx "$T" "$WORK/topics.txt" || die "kafka-topics.sh --list does not show $T"
say "kafka-topics.sh: created + described topic $T (3 partitions), listed through a symlinked wrapper"

tool kafka-configs.sh --bootstrap-server "$BS" --alter --entity-type topics --entity-name "$T" \
  --add-config retention.ms=3600000 >"$LOGS/configs-alter.out" 2>&1 || die "kafka-configs.sh --alter failed"
tool kafka-configs.sh --bootstrap-server "$BS" --describe --entity-type topics --entity-name "$T" \
  >"$LOGS/configs-describe.out" 2>&1 || die "kafka-configs.sh --describe failed"
grep -q 'retention.ms=3600000' "$LOGS/configs-describe.out" || die "kafka-configs.sh: retention.ms not set"
say "kafka-configs.sh: set + read back retention.ms=3600000 on $T"

tool kafka-acls.sh --bootstrap-server "$BS" --add --allow-principal User:alice --operation Read \
  --topic selftest-acl >"$LOGS/acls-add.out" 2>&1 || die "kafka-acls.sh --add failed"
tool kafka-acls.sh --bootstrap-server "$BS" --list --topic selftest-acl >"$LOGS/acls-list.out" 2>&1 \
  || die "kafka-acls.sh --list failed"
grep -q 'principal=User:alice.*operation=READ.*permissionType=ALLOW' "$LOGS/acls-list.out" \
  || die "kafka-acls.sh --list does not show the ACL for User:alice"
say "kafka-acls.sh: added + listed an ACL (User:alice READ topic selftest-acl)"

seq -f 'msg-%g' 1 20 >"$WORK/messages.txt"
tool kafka-console-producer.sh --bootstrap-server "$BS" --topic "$T" <"$WORK/messages.txt" \
  >"$LOGS/producer.out" 2>&1 || die "kafka-console-producer.sh failed"
tool kafka-console-consumer.sh --bootstrap-server "$BS" --topic "$T" --group selftest-console \
  --from-beginning --max-messages 20 --timeout-ms 20000 >"$WORK/consumer.txt" 2>"$LOGS/consumer.out" </dev/null \
  || die "kafka-console-consumer.sh failed"
[[ "$(sort "$WORK/consumer.txt" | tr '\n' ' ')" == "$(sort "$WORK/messages.txt" | tr '\n' ' ')" ]] \
  || die "consumed messages differ from produced ones"
say "kafka-console-producer.sh -> kafka-console-consumer.sh: 20/20 messages round-tripped"

tool kafka-producer-perf-test.sh --topic "$T" --num-records 1000 --record-size 100 \
  --throughput -1 --producer-props "bootstrap.servers=$BS" acks=all >"$LOGS/perf-producer.out" 2>&1 </dev/null \
  || die "kafka-producer-perf-test.sh failed"
grep -q '^1000 records sent' "$LOGS/perf-producer.out" || die "kafka-producer-perf-test.sh: unexpected output"
tool kafka-consumer-perf-test.sh --bootstrap-server "$BS" --topic "$T" \
  --messages 1000 --timeout 20000 >"$LOGS/perf-consumer.out" 2>&1 </dev/null || die "kafka-consumer-perf-test.sh failed"
grep -q 'data.consumed.in.nMsg' "$LOGS/perf-consumer.out" || die "kafka-consumer-perf-test.sh: unexpected output"
say "kafka-producer-perf-test.sh: $(grep -m1 'records sent' "$LOGS/perf-producer.out" | cut -d, -f1-2); kafka-consumer-perf-test.sh ok"

tool kafka-get-offsets.sh --bootstrap-server "$BS" --topic "$T" >"$WORK/offsets.txt" 2>"$LOGS/offsets.out" </dev/null \
  || die "kafka-get-offsets.sh failed"
total="$(awk -F: -v t="$T" '$1 == t {n++; s += $3} END {print n + 0, s + 0}' "$WORK/offsets.txt")"
[[ "$total" == "3 1020" ]] || die "kafka-get-offsets.sh: expected 3 partitions / 1020 records, got '$total'"
say "kafka-get-offsets.sh: 3 partitions, end offsets sum to 1020 (20 console + 1000 perf)"

tool kafka-consumer-groups.sh --bootstrap-server "$BS" --list >"$WORK/groups.txt" 2>"$LOGS/groups-list.out" </dev/null \
  || die "kafka-consumer-groups.sh --list failed"
grep -qx selftest-console "$WORK/groups.txt" || die "kafka-consumer-groups.sh --list lacks selftest-console"
tool kafka-consumer-groups.sh --bootstrap-server "$BS" --describe --group selftest-console \
  >"$WORK/group.txt" 2>"$LOGS/groups-describe.out" </dev/null || die "kafka-consumer-groups.sh --describe failed"
rows="$(awk -v t="$T" '$1 == "selftest-console" && $2 == t' "$WORK/group.txt" | wc -l)"
[[ "$rows" -eq 3 ]] || die "kafka-consumer-groups.sh --describe: expected 3 partitions of $T, got $rows"
say "kafka-consumer-groups.sh: group selftest-console listed, described on 3 partitions"

tool kafka-reassign-partitions.sh --bootstrap-server "$BS" --list >"$WORK/reassign.txt" 2>"$LOGS/reassign.out" </dev/null \
  || die "kafka-reassign-partitions.sh --list failed"
grep -q 'No partition reassignments found' "$WORK/reassign.txt" || die "kafka-reassign-partitions.sh --list: unexpected output"
say "kafka-reassign-partitions.sh --list: no reassignments in progress"

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
USED+=(connect-distributed.sh)
KAFKA_HEAP_OPTS=-Xmx384m KAFKA_JVM_PERFORMANCE_OPTS=-XX:+UseSerialGC LOG_DIR="$LOGS/connect" \
  "$B/connect-distributed.sh" "$WORK/connect-distributed.properties" >"$LOGS/connect.out" 2>&1 </dev/null &
CONNECT_PID=$!; PIDS+=("$CONNECT_PID")
connect_plugins() { http_get "$CONNECT_PORT" /connector-plugins >"$WORK/plugins.json"; }
wait_for 60 "connect worker" "$CONNECT_PID" connect_plugins
check_jvm connect "$CONNECT_PID" -Xmx384m "-Dkafka.logs.dir=$LOGS/connect" \
  "-Dlog4j.configuration=file:$K/config/connect-log4j.properties" org.apache.kafka.connect.cli.ConnectDistributed
for c in FileStreamSourceConnector FileStreamSinkConnector MirrorSourceConnector \
         MirrorCheckpointConnector MirrorHeartbeatConnector; do
  grep -q "$c" "$WORK/plugins.json" || die "Connect does not list plugin $c"
done
[[ -s "$LOGS/connect/connect.log" ]] || die "connect-log4j.properties did not write \${kafka.logs.dir}/connect.log"
say "connect-distributed.sh up (pid $CONNECT_PID), REST lists FileStream* and Mirror* connectors"
kill "$CONNECT_PID" 2>/dev/null || true

# ---- MirrorMaker 2 ------------------------------------------------------------
KAFKA_HEAP_OPTS=-Xmx128m LOG_DIR="$LOGS/mm2" tool connect-mirror-maker.sh --help >"$LOGS/mm2.out" 2>&1 </dev/null || true
grep -q 'usage: connect-mirror-maker' "$LOGS/mm2.out" || die "connect-mirror-maker.sh --help did not print its usage"
say "connect-mirror-maker.sh (MM2) prints usage"

# ---- coverage and logging sanity -----------------------------------------------------
for w in "${WRAPPERS[@]}"; do
  [[ " ${USED[*]} " == *" $w "* ]] || die "bin/$w was not exercised by this selftest"
done
say "all ${#WRAPPERS[@]} bin/ scripts exercised"
if grep -H -E '^SLF4J:|^log4j:(WARN|ERROR)|ClassNotFoundException|NoClassDefFoundError|Could not find or load main class' "$LOGS"/*.out; then
  die "logging/classpath warnings found (see lines above)"
fi
say "no SLF4J/log4j warnings, no missing classes in any output"
say "PASS (Kafka $VERSION) in $((SECONDS - T0)) s"
