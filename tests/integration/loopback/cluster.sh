#!/usr/bin/env bash
# A secured Kafka cluster on loopback for developing and testing the modules without Docker:
# 1 ZooKeeper (SASL enforced) + N brokers (SASL_PLAINTEXT with PLAIN and SCRAM-SHA-512, ACL
# authorizer, super users admin and broker, zookeeper.set.acl=true), all on 127.0.0.1.
#
#   cluster.sh start DIR [BASE_PORT=51000] [BROKERS=3]   # ZooKeeper BASE, brokers BASE+1..BASE+N
#   cluster.sh stop DIR
#
# Credentials (test-only): admin/admin-secret, broker/broker-secret; ZooKeeper kafka/zk-secret.
# Uses the bundle built by `make bundle` (KAFKA_TGZ overrides). Only processes it started are
# stopped (by the PIDs it recorded).
set -euo pipefail
cmd=${1:?usage: cluster.sh start|stop DIR [BASE_PORT] [BROKERS]}
dir=${2:?usage: cluster.sh start|stop DIR [BASE_PORT] [BROKERS]}
base=${3:-51000}
brokers=${4:-3}
repo=$(cd "$(dirname "$0")/../../.." && pwd)
tgz=${KAFKA_TGZ:-$(ls "$repo"/build/kafka/kafka_2.13-*.tgz 2>/dev/null | sort | tail -1)}

stop() {
    for pidfile in "$dir"/*.pid; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$pid" 2>/dev/null || true
        rm -f "$pidfile"
    done
}

if [ "$cmd" = stop ]; then
    stop
    exit 0
fi
[ "$cmd" = start ] || { echo "unknown command $cmd" >&2; exit 2; }
[ -f "$tgz" ] || { echo "no Kafka bundle: run make bundle" >&2; exit 1; }

mkdir -p "$dir"
home=$(basename "$tgz" .tgz)
[ -d "$dir/$home" ] || tar -C "$dir" -xzf "$tgz"
kafka="$dir/$home"
java_cmd=(java -cp "$kafka/libs/*" -Dlog4j.configuration="file:$kafka/config/log4j.properties")

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

# Ready when every broker accepts connections and registered itself (its log says "started").
for _ in $(seq 1 120); do
    started=$(cat "$dir"/logs/broker-*/server.log 2>/dev/null | grep -c "\] started (kafka.server.KafkaServer)" || true)
    [ "$started" -ge "$brokers" ] && break
    sleep 1
done
if [ "$started" -lt "$brokers" ]; then
    echo "only $started of $brokers brokers started; see $dir/logs" >&2
    stop
    exit 1
fi
servers=$(seq -s, $((base + 1)) $((base + brokers)) | sed 's/\([0-9]*\)/127.0.0.1:\1/g')
echo "bootstrap_servers=$servers zookeeper=127.0.0.1:$base"
