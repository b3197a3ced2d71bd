#!/usr/bin/env bash
# A secured Kafka cluster on loopback for developing and testing the modules without Docker:
# 1 ZooKeeper (SASL enforced) + N brokers (SASL_PLAINTEXT with PLAIN and SCRAM-SHA-512, ACL
# authorizer, super users admin and broker, zookeeper.set.acl=true), all on 127.0.0.1.
#
#   cluster.sh start DIR [BASE_PORT=30500] [BROKERS=3]   # ZooKeeper BASE, brokers BASE+1..BASE+N
#   cluster.sh stop DIR                                 # also stops the Connect worker, if any
#   cluster.sh connect-start DIR                        # + a Kafka Connect worker (ports read from DIR)
#   cluster.sh connect-stop DIR
#
# The Connect worker (optional, started after `start`) listens on http://127.0.0.1:BASE+83, logs
# into the brokers as admin (SASL PLAIN), keeps its internal topics (replication factor
# min(BROKERS, 3)) in the cluster and has no plugin.path: the connectors of the bundle's libs/
# (FileStreamSource/Sink, MirrorMaker 2) are installed. It prints connect_url=... when ready.
#
# Credentials (test-only): admin/admin-secret, broker/broker-secret; ZooKeeper kafka/zk-secret.
# Uses the newest 3.x bundle (the last line with ZooKeeper) built by `make bundle` (KAFKA_TGZ overrides); a 4.x
# bundle beside it (KRaft only: loopback/kraft.sh) is not picked. Only processes it started are
# stopped (by the PIDs it recorded).
set -euo pipefail
cmd=${1:?usage: cluster.sh start|stop|connect-start|connect-stop DIR [BASE_PORT] [BROKERS]}
dir=${2:?usage: cluster.sh start|stop|connect-start|connect-stop DIR [BASE_PORT] [BROKERS]}
base=${3:-30500}
brokers=${4:-3}
repo=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=../../../tools/lib/wait.sh
source "$repo/tools/lib/wait.sh"
# The client compiler only, as in the Docker labs (inventories/local): less CPU on a small machine
# (bench/jvm). LAB_JVM_OPTS overrides it (empty: the JVM's defaults).
read -ra lab_jvm_opts <<<"${LAB_JVM_OPTS--XX:TieredStopAtLevel=1}"
tgz=${KAFKA_TGZ:-$(find "$repo/build/kafka" -maxdepth 1 -name 'kafka_2.13-3.*.tgz' 2>/dev/null | sort -V | tail -1)}

stop_pid() {
    local pidfile=$1 pid
    [ -f "$pidfile" ] || return 0
    pid=$(cat "$pidfile")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$pidfile"
}

connect_stop() {
    # Before the brokers: a worker without brokers takes long to shut down.
    stop_pid "$dir/connect.pid"
}

connect_start() {
    [ -f "$dir/zookeeper.properties" ] || { echo "no cluster in $dir: run cluster.sh start first" >&2; exit 1; }
    local zk_port n kafka port rf servers i
    zk_port=$(sed -n 's/^clientPort=//p' "$dir/zookeeper.properties")
    n=$(find "$dir" -maxdepth 1 -name 'broker-*.properties' | wc -l)
    kafka=$(find "$dir" -maxdepth 1 -type d -name 'kafka_*' | sort | tail -1)
    port=$((zk_port + 83))
    rf=$((n < 3 ? n : 3))
    servers=$(seq -s, $((zk_port + 1)) $((zk_port + n)) | sed 's/\([0-9]*\)/127.0.0.1:\1/g')
    if [ -f "$dir/connect.pid" ] && kill -0 "$(cat "$dir/connect.pid")" 2>/dev/null; then
        echo "connect_url=http://127.0.0.1:$port"
        return 0
    fi
    local login='org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret";'
    {
        cat <<P
bootstrap.servers=$servers
group.id=kafkaops-it-connect
listeners=http://127.0.0.1:$port
rest.advertised.host.name=127.0.0.1
rest.advertised.port=$port
plugin.path=
config.storage.topic=_kafkaops-it-connect-configs
offset.storage.topic=_kafkaops-it-connect-offsets
status.storage.topic=_kafkaops-it-connect-status
config.storage.replication.factor=$rf
offset.storage.replication.factor=$rf
status.storage.replication.factor=$rf
offset.storage.partitions=5
status.storage.partitions=3
key.converter=org.apache.kafka.connect.json.JsonConverter
value.converter=org.apache.kafka.connect.json.JsonConverter
key.converter.schemas.enable=false
value.converter.schemas.enable=false
offset.flush.interval.ms=1000
scheduled.rebalance.max.delay.ms=0
P
        # The worker's own clients and those of its connectors all log in as admin.
        for prefix in "" producer. consumer. admin.; do
            echo "${prefix}security.protocol=SASL_PLAINTEXT"
            echo "${prefix}sasl.mechanism=PLAIN"
            echo "${prefix}sasl.jaas.config=$login"
        done
    } >"$dir/connect.properties"
    chmod 600 "$dir/connect.properties"
    nohup java "${lab_jvm_opts[@]}" -cp "$kafka/libs/*" -Dlog4j.configuration="file:$kafka/config/connect-log4j.properties" \
        -Xmx256m -Dkafka.logs.dir="$dir/logs/connect" \
        org.apache.kafka.connect.cli.ConnectDistributed "$dir/connect.properties" >"$dir/connect.out" 2>&1 &
    echo $! >"$dir/connect.pid"
    # Ready when /health (Kafka >= 3.9) or, on older workers, after 30 s /connectors answers 200.
    local started=$SECONDS
    # shellcheck disable=SC2329  # called by wait_ready
    connect_ready() {
        curl -fsS -o /dev/null "http://127.0.0.1:$port/health" 2>/dev/null \
            || { [ $((SECONDS - started)) -gt 30 ] && curl -fsS -o /dev/null "http://127.0.0.1:$port/connectors" 2>/dev/null; }
    }
    if wait_ready 240 "the Connect worker on :$port" "$(cat "$dir/connect.pid")" "$dir/connect.out" connect_ready; then
        echo "connect_url=http://127.0.0.1:$port"
        return 0
    fi
    echo "the Connect worker did not become ready; see $dir/connect.out and $dir/logs/connect" >&2
    connect_stop
    exit 1
}

stop() {
    connect_stop
    for pidfile in "$dir"/*.pid; do
        stop_pid "$pidfile"
    done
}

case "$cmd" in
    stop) stop; exit 0 ;;
    connect-stop) connect_stop; exit 0 ;;
    connect-start) connect_start; exit 0 ;;
esac
[ "$cmd" = start ] || { echo "unknown command $cmd" >&2; exit 2; }
[ -f "$tgz" ] || { echo "no Kafka 3.x bundle: run make bundle" >&2; exit 1; }

mkdir -p "$dir"
home=$(basename "$tgz" .tgz)
[ -d "$dir/$home" ] || tar -C "$dir" -xzf "$tgz"
kafka="$dir/$home"
java_cmd=(java "${lab_jvm_opts[@]}" -cp "$kafka/libs/*" -Dlog4j.configuration="file:$kafka/config/log4j.properties")

cat > "$dir/zk-jaas.conf" <<J
Server { org.apache.zookeeper.server.auth.DigestLoginModule required user_kafka="zk-secret"; };
Client { org.apache.zookeeper.server.auth.DigestLoginModule required username="kafka" password="zk-secret"; };
J
chmod 600 "$dir/zk-jaas.conf"
cat > "$dir/zookeeper.properties" <<P
dataDir=$dir/zookeeper
clientPort=$base
clientPortAddress=127.0.0.1
admin.enableServer=false
4lw.commands.whitelist=srvr,mntr,ruok,stat
authProvider.sasl=org.apache.zookeeper.server.auth.SASLAuthenticationProvider
enforce.auth.enabled=true
enforce.auth.schemes=sasl
P
nohup "${java_cmd[@]}" -Xmx128m -Dkafka.logs.dir="$dir/logs/zookeeper" \
    -Djava.security.auth.login.config="$dir/zk-jaas.conf" \
    org.apache.zookeeper.server.quorum.QuorumPeerMain "$dir/zookeeper.properties" >"$dir/zookeeper.out" 2>&1 &
echo $! >"$dir/zookeeper.pid"
# The brokers give up on ZooKeeper after 18 s (zookeeper.connection.timeout.ms): start them once it answers, and say
# so (with its log) when it does not.
zk_ready() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$base && printf srvr >&3 && grep -q Mode <&3"; }
if ! wait_ready 120 "ZooKeeper on :$base" "$(cat "$dir/zookeeper.pid")" "$dir/zookeeper.out" zk_ready; then
    echo "see $dir/logs/zookeeper" >&2
    stop
    exit 1
fi

plain='org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" user_broker="broker-secret" user_admin="admin-secret";'
for i in $(seq 0 $((brokers - 1))); do
    port=$((base + 1 + i))
    cat >"$dir/broker-$i.properties" <<P
broker.id=$i
broker.rack=rack-$((i % 3))
listeners=SASL_PLAINTEXT://127.0.0.1:$port
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$port
security.inter.broker.protocol=SASL_PLAINTEXT
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config=$plain
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
zookeeper.connect=127.0.0.1:$base/kafka
zookeeper.set.acl=true
authorizer.class.name=kafka.security.authorizer.AclAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:broker;User:admin
log.dirs=$dir/data-$i
auto.create.topics.enable=false
default.replication.factor=$((brokers < 3 ? brokers : 3))
min.insync.replicas=$((brokers < 2 ? 1 : 2))
offsets.topic.replication.factor=$((brokers < 3 ? brokers : 3))
transaction.state.log.replication.factor=$((brokers < 3 ? brokers : 3))
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
P
    nohup "${java_cmd[@]}" -Xmx256m -Dkafka.logs.dir="$dir/logs/broker-$i" \
        -Djava.security.auth.login.config="$dir/zk-jaas.conf" \
        kafka.Kafka "$dir/broker-$i.properties" >"$dir/broker-$i.out" 2>&1 &
    echo $! >"$dir/broker-$i.pid"
done

# Ready when every broker registered itself (its log says "started"). Up to 300 s: four JVMs starting on a
# loaded 2-core machine have been seen to need more than 120 s.
all_started() {
    [ "$(cat "$dir"/logs/broker-*/server.log 2>/dev/null | grep -c "\] started (kafka.server.KafkaServer)")" -ge "$brokers" ]
}
if ! wait_ready 300 "$brokers brokers to start" - "$dir/broker-$((brokers - 1)).out" all_started; then
    for pidfile in "$dir"/*.pid; do
        kill -0 "$(cat "$pidfile")" 2>/dev/null || echo "${pidfile%.pid}: its process exited; see ${pidfile%.pid}.out" >&2
    done
    echo "see $dir/logs" >&2
    stop
    exit 1
fi
servers=$(seq -s, $((base + 1)) $((base + brokers)) | sed 's/\([0-9]*\)/127.0.0.1:\1/g')
echo "bootstrap_servers=$servers zookeeper=127.0.0.1:$base"
