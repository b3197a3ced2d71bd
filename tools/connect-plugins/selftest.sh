#!/usr/bin/env bash
# End-to-end check of the kafkaops S3 connector, on 127.0.0.1 only (ports 31000-31099):
#
#   tools/connect-plugins/selftest.sh [RECORDS=1000]
#
# 1. builds (or reuses) the plugin tarball (tools/connect-plugins/build.sh) and takes the Kafka
#    bundle from KAFKA_TGZ or build/kafka (building it with tools/kafka-bundle/build.sh only when
#    there is none), and unpacks both into a scratch directory;
# 2. starts moto's S3 server (:31004) and creates a bucket, one ZooKeeper (:31001) and one
#    PLAINTEXT broker (:31002), and a Connect standalone worker (REST :31003) whose plugin.path
#    holds only the unpacked plugin (plugin.discovery=service_load: proves the service manifests);
# 3. checks /connector-plugins lists both connectors and that config/validate reports a wrong
#    converter and a missing bucket;
# 4. produces RECORDS records (distinct keys, non-UTF-8 value bytes, headers, timestamps) to a
#    3-partition topic, runs two backups (plain JSON lines; gzip with file.max.records=137) and
#    waits until each prefix holds exactly those records (decoded, compared as a set, no duplicates);
# 5. produces RECORDS more records, freezes the broker (SIGSTOP) so that the sinks write objects
#    whose offsets they cannot commit, kills the worker (SIGKILL), resumes the broker, starts the
#    worker again and re-creates the backups: all 2*RECORDS records must reach S3 (rewritten
#    objects are counted through bucket versioning; the plain backup must not have any record in
#    two objects, the gzip one with file.max.records may keep an overlapping object); then sets
#    the plain backup's committed offsets back to its newest objects (PATCH .../offsets) and
#    checks that exactly those object names are rewritten, without duplicates;
# 6. restores the gzip backup into a new topic (restore.target.topic) and the plain one into
#    another (restore.topic.rename), and compares key, value, headers, timestamp and partition of
#    every record consumed; restarts the first restore and checks nothing is produced twice.
# Every process it started is stopped and the scratch directory removed on exit (KEEP=1 keeps the
# directory, with the logs, for debugging).
#
# Environment: VENV (Python venv with moto, boto3, confluent-kafka; default <repo>/.venv),
# KAFKA_TGZ (Kafka bundle; default: the newest build/kafka/kafka_2.13-3.*.tgz: the broker runs with ZooKeeper), KEEP.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
RECORDS="${1:-1000}"
VENV="${VENV:-$REPO/.venv}"
PY="$VENV/bin/python"
BASE=31000
ZK_PORT=$((BASE + 1))
BROKER_PORT=$((BASE + 2))
REST_PORT=$((BASE + 3))
S3_PORT=$((BASE + 4))
BOOTSTRAP="127.0.0.1:$BROKER_PORT"
S3_URL="http://127.0.0.1:$S3_PORT"
REST="http://127.0.0.1:$REST_PORT"
BUCKET=kafkaops-backup
TOPIC=orders
T0=$SECONDS

die() { echo "selftest: FAIL: $*" >&2; exit 1; }
log() { printf '[%4ds] %s\n' "$((SECONDS - T0))" "$*"; }

[[ "$RECORDS" =~ ^[1-9][0-9]*$ ]] || die "RECORDS must be a positive number (got '$RECORDS')"
[[ -x "$VENV/bin/moto_server" && -x "$PY" ]] || die "no moto_server/python in $VENV (make venv)"
"$PY" -c 'import boto3, confluent_kafka' 2>/dev/null || die "$VENV lacks boto3 or confluent-kafka"
command -v curl >/dev/null || die "curl is required"
for port in $ZK_PORT $BROKER_PORT $REST_PORT $S3_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then die "port $port is in use"; fi
done

WORK="$(mktemp -d "${TMPDIR:-/tmp}/s3-connector-selftest.XXXXXX")"
PIDS=()
cleanup() {
  rc=$?
  # Stop in reverse start order (Connect first), only the processes started here.
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
    kill -CONT "${PIDS[$i]}" 2>/dev/null || true
    kill "${PIDS[$i]}" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [[ $rc -ne 0 ]]; then
    for f in "$WORK"/logs/connect/connect.log "$WORK"/broker.out "$WORK"/moto.out; do
      [[ -f "$f" ]] || continue
      echo "----- last lines of $f" >&2
      grep -E 'ERROR|Exception|WARN' "$f" | tail -n 25 >&2 || true
    done
  fi
  if [[ "${KEEP:-0}" == 1 ]]; then echo "selftest: kept $WORK"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- artifacts -------------------------------------------------------------------------------
# The Kafka bundle: KAFKA_TGZ, else the newest 3.x one built (make bundle; this broker runs with ZooKeeper,
# which Kafka 4 removed), else build it now.
if [[ -z "${KAFKA_TGZ:-}" ]]; then
  KAFKA_TGZ="$(find "$REPO/build/kafka" -maxdepth 1 -name 'kafka_2.13-3.*.tgz' 2>/dev/null | sort -V | tail -n1)"
fi
if [[ -z "$KAFKA_TGZ" ]]; then
  "$REPO/tools/kafka-bundle/build.sh" >"$WORK/kafka-bundle.log" 2>&1 \
    || { cat "$WORK/kafka-bundle.log" >&2; die "Kafka bundle build failed"; }
  KAFKA_TGZ="$(find "$REPO/build/kafka" -maxdepth 1 -name 'kafka_2.13-3.*.tgz' | sort -V | tail -n1)"
fi
[[ -f "$KAFKA_TGZ" ]] || die "no Kafka bundle at $KAFKA_TGZ"
"$HERE/build.sh" >"$WORK/plugin-build.log" 2>&1 || { cat "$WORK/plugin-build.log" >&2; die "plugin build failed"; }
log "plugin: $(grep -E '^connect plugins: (built|cached)' "$WORK/plugin-build.log" | sed 's/^connect plugins: //')"
PLUGIN_TGZ="$(sed -n 's/^connect plugins: \(built\|cached\) \([^ ]*\.tgz\).*/\2/p' "$WORK/plugin-build.log")"
[[ -f "$PLUGIN_TGZ" ]] || die "cannot find the plugin tarball in the output of build.sh"
mkdir -p "$WORK/plugins" "$WORK/logs"
tar -C "$WORK" -xzf "$KAFKA_TGZ"
tar -C "$WORK/plugins" -xzf "$PLUGIN_TGZ"
KAFKA="$(find "$WORK" -maxdepth 1 -type d -name 'kafka_2.13-*' | head -n1)"
JAVA=(java -cp "$KAFKA/libs/*")

# shellcheck source=../lib/wait.sh
source "$HERE/../lib/wait.sh"
wait_for() { # wait_for SECONDS DESCRIPTION PID LOG COMMAND...: wait_ready, or stop the selftest
  wait_ready "$@" || die "not ready: $2 (above: what it printed)"
}

# --- S3 (moto) -------------------------------------------------------------------------------
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$S3_PORT" >"$WORK/moto.out" 2>&1 &
PIDS+=($!)
wait_for 120 "moto S3 on :$S3_PORT" "$!" "$WORK/moto.out" curl -sf "$S3_URL/"
"$PY" "$HERE/selftest.py" bucket --s3 "$S3_URL" --bucket "$BUCKET" >/dev/null

# --- ZooKeeper + broker (PLAINTEXT, loopback) --------------------------------------------------
cat >"$WORK/zookeeper.properties" <<P
dataDir=$WORK/zookeeper
clientPort=$ZK_PORT
clientPortAddress=127.0.0.1
admin.enableServer=false
P
"${JAVA[@]}" -Xmx128m -Dlog4j.configuration="file:$KAFKA/config/log4j.properties" -Dkafka.logs.dir="$WORK/logs/zk" \
  org.apache.zookeeper.server.quorum.QuorumPeerMain "$WORK/zookeeper.properties" >"$WORK/zookeeper.out" 2>&1 &
PIDS+=($!)
cat >"$WORK/server.properties" <<P
broker.id=0
listeners=PLAINTEXT://127.0.0.1:$BROKER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$BROKER_PORT
zookeeper.connect=127.0.0.1:$ZK_PORT/selftest
log.dirs=$WORK/kafka-data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=3
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
P
"${JAVA[@]}" -Xmx384m -Dlog4j.configuration="file:$KAFKA/config/log4j.properties" -Dkafka.logs.dir="$WORK/logs/broker" \
  kafka.Kafka "$WORK/server.properties" >"$WORK/broker.out" 2>&1 &
BROKER_PID=$!
PIDS+=("$BROKER_PID")
wait_for 240 "the broker on :$BROKER_PORT" "$BROKER_PID" "$WORK/broker.out" grep -q '\] started (kafka.server.KafkaServer)' "$WORK/logs/broker/server.log"
log "moto S3 :$S3_PORT, ZooKeeper :$ZK_PORT, broker :$BROKER_PORT up"
"$PY" "$HERE/selftest.py" topics --bootstrap "$BOOTSTRAP" --partitions 3 \
  "$TOPIC" "$TOPIC-restored" "$TOPIC-restored-plain" >/dev/null

# --- Connect standalone ----------------------------------------------------------------------
cat >"$WORK/worker.properties" <<P
bootstrap.servers=$BOOTSTRAP
listeners=http://127.0.0.1:$REST_PORT
plugin.path=$WORK/plugins
plugin.discovery=service_load
key.converter=org.apache.kafka.connect.converters.ByteArrayConverter
value.converter=org.apache.kafka.connect.converters.ByteArrayConverter
header.converter=org.apache.kafka.connect.converters.ByteArrayConverter
offset.storage.file.filename=$WORK/connect.offsets
offset.flush.interval.ms=2000
# The sink consumers of a killed worker leave their group after 6 s instead of 45 s.
consumer.session.timeout.ms=6000
consumer.heartbeat.interval.ms=1000
P
start_connect() {
  "${JAVA[@]}" -Xmx512m -Dlog4j.configuration="file:$KAFKA/config/connect-log4j.properties" \
    -Dkafka.logs.dir="$WORK/logs/connect" \
    org.apache.kafka.connect.cli.ConnectStandalone "$WORK/worker.properties" >>"$WORK/connect.out" 2>&1 &
  CONNECT_PID=$!
  PIDS+=("$CONNECT_PID")
  wait_for 240 "Connect REST on :$REST_PORT" "$CONNECT_PID" "$WORK/connect.out" curl -sf "$REST/connectors"
}
start_connect
log "Connect standalone worker :$REST_PORT up"

rest() { # rest METHOD PATH [JSON] -> body on stdout; fails on HTTP >= 400
  local out code
  out="$(curl -s -o "$WORK/rest.body" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} "$REST$2")" || die "REST $1 $2: curl failed"
  code="$out"
  [[ "$code" -lt 400 ]] || die "REST $1 $2: HTTP $code $(cat "$WORK/rest.body")"
  cat "$WORK/rest.body"
}

plugins="$(rest GET /connector-plugins)"
for cls in io.kafkaops.connect.s3.S3SinkConnector io.kafkaops.connect.s3.S3SourceConnector; do
  grep -q "\"class\":\"$cls\"" <<<"$plugins" || die "$cls not in /connector-plugins: $plugins"
done
log "/connector-plugins lists S3SinkConnector and S3SourceConnector ($(grep -o '"class":"io.kafkaops[^}]*' <<<"$plugins" | head -n1 | grep -o '"version":"[^"]*"'))"

# Validation must report the wrong converter and the missing bucket with usable messages.
bad="$(rest PUT /connector-plugins/S3SinkConnector/config/validate \
  '{"connector.class":"io.kafkaops.connect.s3.S3SinkConnector","name":"bad","topics":"orders",
    "value.converter":"org.apache.kafka.connect.json.JsonConverter","file.compression.type":"zstd"}')"
"$PY" - "$bad" <<'PYCHECK' || die "config/validate did not report the expected errors: $bad"
import json, sys
r = json.loads(sys.argv[1])
errs = {c["value"]["name"]: c["value"]["errors"] for c in r["configs"] if c["value"]["errors"]}
want = {"format.output.type", "aws.s3.bucket.name", "file.compression.type"}
assert want <= set(errs), errs
assert "value.converter=org.apache.kafka.connect.json.JsonConverter is not supported" in errs["format.output.type"][0], errs
print(f"selftest: config/validate: error_count={r['error_count']}: " + "; ".join(f"{k}: {v[0]}" for k, v in sorted(errs.items()) if k in want))
PYCHECK

# --- backup ----------------------------------------------------------------------------------
p0=$SECONDS
"$PY" "$HERE/selftest.py" produce --bootstrap "$BOOTSTRAP" --topic "$TOPIC" --count "$RECORDS" \
  --expected "$WORK/expected.json" | sed 's/^/selftest: /'
log "produced in $((SECONDS - p0)) s"

common='"aws.access.key.id":"selftest","aws.secret.access.key":"selftest-secret",
  "aws.s3.bucket.name":"'"$BUCKET"'","aws.s3.region":"us-east-1","aws.s3.endpoint":"'"$S3_URL"'",
  "key.converter":"org.apache.kafka.connect.converters.ByteArrayConverter",
  "value.converter":"org.apache.kafka.connect.converters.ByteArrayConverter",
  "header.converter":"org.apache.kafka.connect.converters.ByteArrayConverter"'
create_backups() {
  rest PUT /connectors/backup-plain/config '{"connector.class":"io.kafkaops.connect.s3.S3SinkConnector",
    "tasks.max":"2","topics":"'"$TOPIC"'","file.name.prefix":"plain/",'"$common"'}' >/dev/null
  rest PUT /connectors/backup-gzip/config '{"connector.class":"io.kafkaops.connect.s3.S3SinkConnector",
    "tasks.max":"1","topics":"'"$TOPIC"'","file.name.prefix":"gzip/","file.compression.type":"gzip",
    "file.max.records":"137",'"$common"'}' >/dev/null
}
s0=$SECONDS
create_backups
"$PY" "$HERE/selftest.py" wait-s3 --s3 "$S3_URL" --bucket "$BUCKET" --prefix plain/ --topic "$TOPIC" \
  --expected "$WORK/expected.json" --timeout 120 | sed 's/^/selftest: /'
"$PY" "$HERE/selftest.py" wait-s3 --s3 "$S3_URL" --bucket "$BUCKET" --prefix gzip/ --topic "$TOPIC" \
  --expected "$WORK/expected.json" --timeout 60 --max-records 137 --gzip | sed 's/^/selftest: /'
log "backup: $RECORDS records found in both prefixes $((SECONDS - s0)) s after the sink connectors were created"
# After another commit interval nothing new may appear (no duplicate objects for committed data).
sleep 3
"$PY" "$HERE/selftest.py" wait-s3 --s3 "$S3_URL" --bucket "$BUCKET" --prefix plain/ --topic "$TOPIC" \
  --expected "$WORK/expected.json" --timeout 0 | sed 's/^/selftest: still /'

# --- crash -----------------------------------------------------------------------------------
# A second batch is produced, then the broker is frozen (SIGSTOP): the sink tasks still write
# what they fetched at their next commit (every 2 s), but cannot commit the offsets. The worker
# is then killed (SIGKILL), the broker resumed, the worker started again and the connectors
# (not persisted in standalone mode) created again: they consume again from the last committed
# offsets and rewrite the same object names. Every record must be in S3; the plain backup must
# have no record in two objects; the gzip one (file.max.records) may keep an overlapping object.
c0=$SECONDS
"$PY" "$HERE/selftest.py" produce --bootstrap "$BOOTSTRAP" --topic "$TOPIC" --start "$RECORDS" --count "$RECORDS" \
  --append --expected "$WORK/expected.json" | sed 's/^/selftest: /'
sleep 0.5
kill -STOP "$BROKER_PID"
# Objects written while the broker is frozen (the commit of their offsets cannot happen).
"$PY" "$HERE/selftest.py" wait-s3 --s3 "$S3_URL" --bucket "$BUCKET" --prefix plain/ --topic "$TOPIC" \
  --expected "$WORK/expected.json" --timeout 5 >"$WORK/frozen.out" 2>&1 || true
kill -9 "$CONNECT_PID"
wait "$CONNECT_PID" 2>/dev/null || true
kill -CONT "$BROKER_PID"
sed -n 's/^s3:/selftest: broker frozen, worker killed; before the restart s3:/p' "$WORK/frozen.out"
TOTAL=$((2 * RECORDS))
start_connect
create_backups
"$PY" "$HERE/selftest.py" wait-s3 --s3 "$S3_URL" --bucket "$BUCKET" --prefix plain/ --topic "$TOPIC" \
  --expected "$WORK/expected.json" --timeout 120 | sed 's/^/selftest: /'
"$PY" "$HERE/selftest.py" wait-s3 --s3 "$S3_URL" --bucket "$BUCKET" --prefix gzip/ --topic "$TOPIC" \
  --expected "$WORK/expected.json" --timeout 60 --max-records 137 --gzip --allow-duplicates | sed 's/^/selftest: /'
log "crash: all $TOTAL records in S3 $((SECONDS - c0)) s after the second batch was produced"

# --- lost commit -----------------------------------------------------------------------------
# Whether the kill above hit the moment between a write and its commit is luck; this makes it
# certain: the plain backup is stopped and its committed offsets set back to the first offset of
# each partition's newest object (Connect's offsets API), as if those commits had been lost. On
# resume it must rewrite exactly those object names (bucket versioning counts the rewrites) and
# leave no record in two objects.
w0=$SECONDS
body="$("$PY" "$HERE/selftest.py" rewind-body --s3 "$S3_URL" --bucket "$BUCKET" --prefix plain/ --topic "$TOPIC")"
rest PUT /connectors/backup-plain/stop >/dev/null
wait_for 60 "backup-plain STOPPED" "$CONNECT_PID" "$WORK/connect.out" bash -c "curl -sf $REST/connectors/backup-plain/status | grep -q '\"state\":\"STOPPED\"'"
rest PATCH /connectors/backup-plain/offsets "$body" >/dev/null
rest PUT /connectors/backup-plain/resume >/dev/null
nparts="$(grep -o kafka_partition <<<"$body" | wc -l)"
"$PY" "$HERE/selftest.py" wait-s3 --s3 "$S3_URL" --bucket "$BUCKET" --prefix plain/ --topic "$TOPIC" \
  --expected "$WORK/expected.json" --timeout 5 --min-overwritten "$nparts" >"$WORK/rewind.out" 2>&1 || true
for _ in $(seq 1 30); do
  grep -q 'match=yes' "$WORK/rewind.out" && break
  sleep 1
  "$PY" "$HERE/selftest.py" wait-s3 --s3 "$S3_URL" --bucket "$BUCKET" --prefix plain/ --topic "$TOPIC" \
    --expected "$WORK/expected.json" --timeout 0 --min-overwritten "$nparts" >"$WORK/rewind.out" 2>&1 || true
done
sed 's/^/selftest: after rewinding backup-plain: /' "$WORK/rewind.out"
grep -q 'match=yes' "$WORK/rewind.out" || die "the rewound backup did not rewrite its newest $nparts objects cleanly"
log "lost commit: $nparts newest objects rewritten under the same names, no duplicates ($((SECONDS - w0)) s)"

# --- restore ---------------------------------------------------------------------------------
r0=$SECONDS
rest PUT /connectors/restore-gzip/config '{"connector.class":"io.kafkaops.connect.s3.S3SourceConnector",
  "tasks.max":"2","topics":"'"$TOPIC"'","restore.target.topic":"'"$TOPIC"'-restored",
  "file.name.prefix":"gzip/",'"$common"'}' >/dev/null
rest PUT /connectors/restore-plain/config '{"connector.class":"io.kafkaops.connect.s3.S3SourceConnector",
  "tasks.max":"1","topics":"'"$TOPIC"'","restore.topic.rename":"'"$TOPIC:$TOPIC"'-restored-plain",
  "file.name.prefix":"plain/",'"$common"'}' >/dev/null
"$PY" "$HERE/selftest.py" consume --bootstrap "$BOOTSTRAP" --topic "$TOPIC-restored" \
  --expected "$WORK/expected.json" --timeout 120 | sed 's/^/selftest: /'
"$PY" "$HERE/selftest.py" consume --bootstrap "$BOOTSTRAP" --topic "$TOPIC-restored-plain" \
  --expected "$WORK/expected.json" --timeout 60 | sed 's/^/selftest: /'
log "restore: $TOTAL records restored into both topics $((SECONDS - r0)) s after the source connectors were created"

# Restart the restore (connector and tasks): it must resume from its stored offsets, not re-produce.
sleep 3 # > offset.flush.interval.ms, so the last offsets are stored
rest POST "/connectors/restore-gzip/restart?includeTasks=true&onlyFailed=false" >/dev/null
running() { # running CONNECTOR TASKS: the connector and that many tasks are RUNNING
  curl -sf "$REST/connectors/$1/status" | "$PY" -c 'import json, sys
s = json.load(sys.stdin)
states = [s["connector"]["state"]] + [t["state"] for t in s["tasks"]]
sys.exit(0 if states == ["RUNNING"] * (int(sys.argv[1]) + 1) else 1)' "$2"
}
wait_for 60 "restore-gzip RUNNING after restart" "$CONNECT_PID" "$WORK/connect.out" running restore-gzip 2
sleep 8
n="$("$PY" "$HERE/selftest.py" count --bootstrap "$BOOTSTRAP" --topic "$TOPIC-restored")"
[[ "$n" == "$TOTAL" ]] || die "$TOPIC-restored holds $n records after the restore restarted (want $TOTAL)"
grep -q 'Resuming orders-' "$WORK/logs/connect/connect.log" || die "the restarted restore did not resume from stored offsets"
log "restore restarted: $TOPIC-restored still holds $n records (resumed from stored offsets)"

for c in backup-plain backup-gzip restore-gzip restore-plain; do
  st="$(rest GET "/connectors/$c/status")"
  grep -q '"FAILED"' <<<"$st" && die "connector $c has a failed task: $st"
done
echo "selftest: PASS: $TOTAL records backed up (2 sinks, worker killed once) and restored (2 sources) in $((SECONDS - T0)) s"
