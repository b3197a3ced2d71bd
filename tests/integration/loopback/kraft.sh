#!/usr/bin/env bash
# A secured KRaft cluster (Kafka 4.x, no ZooKeeper) on loopback for the module integration targets, the KRaft twin of
# cluster.sh: C dedicated controllers (node ids 1001..) + N brokers (node ids 0..N-1), all on 127.0.0.1.
#
#   kraft.sh start DIR [BASE_PORT=30200] [BROKERS=3] [CONTROLLERS=1]   # brokers BASE+1..BASE+N, controllers BASE+91..
#   kraft.sh stop DIR                                                 # the brokers first, then the controllers
#
# One node of a running cluster (NAME as its files in DIR are named: broker-I, controller-J):
#   kraft.sh stop-node DIR NAME        # stop it (SIGTERM: a broker shuts down in a controlled way), keep its data
#   kraft.sh start-node DIR NAME       # start it again from its data and wait until it says it has started
#   kraft.sh add-controller DIR ID     # a new controller with node id ID (port BASE+91+ID-1001, otherwise like the
#                                      # first one), formatted with --no-initial-controllers: it joins the quorum as an
#                                      # observer, for kafka_controller_voters to add as a voter (KIP-853)
#
# Secured like cluster.sh: the brokers' listener is SASL_PLAINTEXT with PLAIN and SCRAM-SHA-512 (inter-broker PLAIN),
# StandardAuthorizer with allow.everyone.if.no.acl.found=false and super users admin and broker. The controllers listen
# on the CONTROLLER listener (SASL_PLAINTEXT, PLAIN: SCRAM cannot authenticate controllers), which brokers and
# controllers log into as broker; clients never use it. The quorum is dynamic (KIP-853:
# controller.quorum.bootstrap.servers; kafka-storage format --standalone with one controller, --initial-controllers
# with each controller's directory id otherwise). The admin's SCRAM-SHA-512 credential is bootstrapped at format time
# (--add-scram, through a java @argfile: never on a command line), so SCRAM logins work from the first start.
#
# Credentials (test-only): admin/admin-secret, broker/broker-secret. Uses the newest 4.x bundle in build/kafka
# (`tools/kafka-bundle/build.sh --version 4.3.1`; KAFKA_TGZ overrides). Prints
#   bootstrap_servers=127.0.0.1:B1,... controllers=127.0.0.1:C1,... cluster_id=...
# when every node has started (each broker unfenced). Only processes it started are stopped (by the PIDs it recorded).
set -euo pipefail
cmd=${1:?usage: kraft.sh start|stop DIR [BASE_PORT] [BROKERS] [CONTROLLERS] | stop-node|start-node DIR NAME | add-controller DIR ID}
dir=${2:?usage: kraft.sh start|stop DIR [BASE_PORT] [BROKERS] [CONTROLLERS] | stop-node|start-node DIR NAME | add-controller DIR ID}
base=${3:-30200}
brokers=${4:-3}
controllers=${5:-1}
repo=$(cd "$(dirname "$0")/../../.." && pwd)
# shellcheck source=../../../tools/lib/wait.sh
source "$repo/tools/lib/wait.sh"
# As cluster.sh: the client compiler only (LAB_JVM_OPTS overrides it; empty: the JVM's defaults).
read -ra lab_jvm_opts <<<"${LAB_JVM_OPTS--XX:TieredStopAtLevel=1}"
tgz=${KAFKA_TGZ:-$(find "$repo/build/kafka" -maxdepth 1 -name 'kafka_2.13-[4-9].*.tgz' 2>/dev/null | sort -V | tail -1)}

stop_pids() {
    # SIGTERM to every process at once (a broker's controlled shutdown takes seconds), then wait; SIGKILL after 60 s.
    local pidfile pids=() pid
    for pidfile in "$@"; do
        [ -f "$pidfile" ] || continue
        pid=$(cat "$pidfile")
        kill "$pid" 2>/dev/null && pids+=("$pid")
    done
    for _ in $(seq 1 120); do
        local alive=0
        for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
        [ "$alive" = 0 ] && break
        sleep 0.5
    done
    for pid in "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    rm -f "$@"
}

stop() {
    shopt -s nullglob
    stop_pids "$dir"/broker-*.pid
    stop_pids "$dir"/controller-*.pid
}

# Kafka's Uuid form (16 random bytes, URL-safe Base64 without padding, not starting with '-'), made without a JVM.
uuid() {
    local id
    while :; do
        id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')
        [ "${id:0:1}" != - ] && { echo "$id"; return; }
    done
}

# Format node NAME (one JVM). The arguments reach the JVM through an @argfile (mode 0600, removed afterwards): the
# SCRAM password never shows in the process list.
format_node() {
    local name=$1 args
    shift
    args="$dir/$name.format-args"
    (umask 077 && printf '"%s"\n' kafka.tools.StorageTool format --cluster-id "$cluster_id" \
        --config "$dir/$name.properties" --ignore-formatted "$@" >"$args")
    local rc=0
    "${java_cmd[@]}" -Xmx128m -Dlog4j2.configurationFile="$kafka/config/tools-log4j2.yaml" "@$args" \
        >"$dir/$name.format.out" 2>&1 || rc=$?
    rm -f "$args"
    return $rc
}
# Start node NAME in the background (its PID in DIR/NAME.pid); a controller's heap is 192 MB, a broker's 256 MB.
start_node() {
    local name=$1 heap=256m
    [[ $name == controller-* ]] && heap=192m
    nohup "${java_cmd[@]}" "-Xmx$heap" -Dlog4j2.configurationFile="$kafka/config/log4j2.yaml" \
        -Dkafka.logs.dir="$dir/logs/$name" kafka.Kafka "$dir/$name.properties" >"$dir/$name.out" 2>&1 &
    echo $! >"$dir/$name.pid"
}

# last_problem FILE: the last WARN or ERROR line of a node's output, shortened.
last_problem() { grep -E '\] (WARN|ERROR) ' "$1" | tail -n 1 | cut -c1-200; }

# The bundle a running cluster was started from (the node commands use the one unpacked in DIR).
use_unpacked_bundle() {
    kafka=$(find "$dir" -mindepth 1 -maxdepth 1 -type d -name 'kafka_2.13-*' | sort -V | tail -1)
    [ -n "$kafka" ] || { echo "no cluster in $dir (no unpacked Kafka bundle)" >&2; exit 1; }
    java_cmd=(java "${lab_jvm_opts[@]}" -cp "$kafka/libs/*")
}

# Start the formatted node NAME and wait until it says "Kafka Server started" (a broker: once it is unfenced).
start_one() {
    local name=$1
    [ -f "$dir/$name.properties" ] || { echo "no node $name in $dir" >&2; exit 2; }
    if [ -f "$dir/$name.pid" ] && kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null; then
        echo "$name is running already" >&2
        return 0
    fi
    start_node "$name"
    wait_ready 300 "$name to start" "$(cat "$dir/$name.pid")" "$dir/$name.out" \
        grep -q "Kafka Server started" "$dir/$name.out"
}

# A controller like controller-0 with node id ID, formatted to join as an observer (--no-initial-controllers).
add_controller() {
    local id=$1 name port0 port
    [[ $id =~ ^[0-9]+$ ]] && [ "$id" -gt 1001 ] || { echo "ID must be a node id above 1001, not $id" >&2; exit 2; }
    name=controller-$((id - 1001))
    [ ! -e "$dir/$name.properties" ] || { echo "$name (node id $id) exists in $dir already" >&2; exit 2; }
    port0=$(sed -n 's/^listeners=CONTROLLER:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p' "$dir/controller-0.properties")
    port=$((port0 + id - 1001))
    cluster_id=$(sed -n 's/^cluster\.id=//p' "$dir/controller-0/meta.properties")
    (umask 077 && sed -e "s/^node\.id=.*/node.id=$id/" -e "/^\(advertised\.\)\{0,1\}listeners=/s/:$port0\$/:$port/" \
        -e "s|^log\.dirs=.*|log.dirs=$dir/$name|" "$dir/controller-0.properties" >"$dir/$name.properties")
    format_node "$name" --no-initial-controllers || {
        echo "formatting $name failed:" >&2
        tail -n 20 "$dir/$name.format.out" >&2
        exit 1
    }
    start_one "$name"
    echo "controller=$id endpoint=CONTROLLER://127.0.0.1:$port"
}

case "$cmd" in
    stop) stop; exit 0 ;;
    stop-node) stop_pids "$dir/${3:?usage: kraft.sh stop-node DIR NAME}.pid"; exit 0 ;;
    start-node) use_unpacked_bundle; start_one "${3:?usage: kraft.sh start-node DIR NAME}"; exit 0 ;;
    add-controller) use_unpacked_bundle; add_controller "${3:?usage: kraft.sh add-controller DIR ID}"; exit 0 ;;
    start) ;;
    *) echo "unknown command $cmd" >&2; exit 2 ;;
esac
[ -f "$tgz" ] || { echo "no Kafka 4.x bundle: run tools/kafka-bundle/build.sh --version 4.3.1 --out build/kafka" >&2; exit 1; }
[ "$controllers" -ge 1 ] || { echo "CONTROLLERS must be at least 1" >&2; exit 2; }

mkdir -p "$dir"
home=$(basename "$tgz" .tgz)
[ -d "$dir/$home" ] || tar -C "$dir" -xzf "$tgz"
kafka="$dir/$home"
[ -f "$kafka/config/log4j2.yaml" ] || { echo "$tgz is not a Kafka 4.x bundle (no config/log4j2.yaml)" >&2; exit 1; }
java_cmd=(java "${lab_jvm_opts[@]}" -cp "$kafka/libs/*")

cluster_id=$(uuid)
controller_port() { echo $((base + 91 + $1)); }
quorum=$(for j in $(seq 0 $((controllers - 1))); do printf '127.0.0.1:%s\n' "$(controller_port "$j")"; done | paste -sd, -)
servers=$(seq -s, $((base + 1)) $((base + brokers)) | sed 's/\([0-9]*\)/127.0.0.1:\1/g')
plain='org.apache.kafka.common.security.plain.PlainLoginModule required username="broker" password="broker-secret" user_broker="broker-secret" user_admin="admin-secret";'
rf=$((brokers < 3 ? brokers : 3))

# What every node has: the CONTROLLER listener's PLAIN login (server side for controllers, client side for brokers and
# for controllers talking to each other) and the authorizer.
common() {
    cat <<P
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=$quorum
sasl.mechanism.controller.protocol=PLAIN
listener.name.controller.plain.sasl.jaas.config=$plain
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
allow.everyone.if.no.acl.found=false
super.users=User:broker;User:admin
P
}

initial=()
for j in $(seq 0 $((controllers - 1))); do
    initial+=("$((1001 + j))@127.0.0.1:$(controller_port "$j"):$(uuid)")
done
for j in $(seq 0 $((controllers - 1))); do
    port=$(controller_port "$j")
    {
        cat <<P
process.roles=controller
node.id=$((1001 + j))
listeners=CONTROLLER://127.0.0.1:$port
advertised.listeners=CONTROLLER://127.0.0.1:$port
listener.security.protocol.map=CONTROLLER:SASL_PLAINTEXT
sasl.enabled.mechanisms=PLAIN
log.dirs=$dir/controller-$j
P
        common
    } >"$dir/controller-$j.properties"
done
for i in $(seq 0 $((brokers - 1))); do
    port=$((base + 1 + i))
    {
        cat <<P
process.roles=broker
node.id=$i
broker.rack=rack-$((i % 3))
listeners=SASL_PLAINTEXT://127.0.0.1:$port
advertised.listeners=SASL_PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=SASL_PLAINTEXT:SASL_PLAINTEXT,CONTROLLER:SASL_PLAINTEXT
inter.broker.listener.name=SASL_PLAINTEXT
sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=PLAIN
listener.name.sasl_plaintext.plain.sasl.jaas.config=$plain
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
log.dirs=$dir/data-$i
auto.create.topics.enable=false
default.replication.factor=$rf
min.insync.replicas=$((brokers < 2 ? 1 : 2))
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=$rf
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
P
        common
    } >"$dir/broker-$i.properties"
done
chmod 600 "$dir"/*.properties

# Format every node at once (one JVM each).
if [ "$controllers" -eq 1 ]; then
    quorum_args=(--standalone)
else
    quorum_args=(--initial-controllers "$(IFS=,; echo "${initial[*]}")")
fi
# share.version starts at 0 (no share groups; Kafka 4.3's release default is 1), so the kafka_features target has a
# feature to raise for real (UpdateFeatures on a running cluster); nothing else here uses share groups.
format_features=(--feature share.version=0)
format_pids=()
names=()
for j in $(seq 0 $((controllers - 1))); do
    format_node "controller-$j" "${quorum_args[@]}" "${format_features[@]}" \
        --add-scram 'SCRAM-SHA-512=[name=admin,password=admin-secret]' &
    format_pids+=($!)
    names+=("controller-$j")
done
for i in $(seq 0 $((brokers - 1))); do
    format_node "broker-$i" "${format_features[@]}" &
    format_pids+=($!)
    names+=("broker-$i")
done
failed=0
for k in "${!format_pids[@]}"; do
    if ! wait "${format_pids[$k]}"; then
        echo "formatting ${names[$k]} failed:" >&2
        tail -n 20 "$dir/${names[$k]}.format.out" >&2
        failed=1
    fi
done
[ "$failed" = 0 ] || exit 1

# A node that exits before it has started is started again (at most 3 times), as systemd's Restart=on-failure does in
# the labs (roles/_common/templates/java.service.j2): a broker that could not register with the quorum within
# initial.broker.registration.timeout.ms (60 s) exits. Two CI runs saw a broker that never got its registration
# through ("Unable to register the broker because the RPC got timed out before it could be sent", every 4 s);
# each restart is reported below.
declare -A node_restarts=()
restart_report=$dir/restarts.log
: >"$restart_report"
# started_or_restarted NAME...: every node named has started; one that exited before is started again.
started_or_restarted() {
    local name out all=0
    for name in "$@"; do
        out=$dir/$name.out
        grep -q "Kafka Server started" "$out" 2>/dev/null && continue
        all=1
        kill -0 "$(cat "$dir/$name.pid")" 2>/dev/null && continue
        [ "${node_restarts[$name]:-0}" -lt 3 ] || continue
        node_restarts[$name]=$((${node_restarts[$name]:-0} + 1))
        mv "$out" "$out.${node_restarts[$name]}"
        echo "$name exited before it started (restart ${node_restarts[$name]}); its last error:" \
            "$(last_problem "$out.${node_restarts[$name]}")" >>"$restart_report"
        start_node "$name"
    done
    return $all
}
controller_names=() broker_names=()
for j in $(seq 0 $((controllers - 1))); do controller_names+=("controller-$j"); done
for i in $(seq 0 $((brokers - 1))); do broker_names+=("broker-$i"); done

# The controllers first, then the brokers once every controller has started: a broker then finds the quorum at once.
# Ready when every node says "Kafka Server started" (a broker says it once the controller unfenced it). Up to 300 s
# in all, as cluster.sh: several JVMs starting on a loaded 2-core machine.
wait_start=$SECONDS
for name in "${controller_names[@]}"; do start_node "$name"; done
wait_ready 300 "$controllers controller(s) to start" - "$dir/controller-0.out" started_or_restarted "${controller_names[@]}" &&
    { for name in "${broker_names[@]}"; do start_node "$name"; done; }
ready=$?
[ "$ready" -ne 0 ] || wait_ready $((300 - (SECONDS - wait_start))) "$brokers brokers to start" - "$dir/broker-$((brokers - 1)).out" \
    started_or_restarted "${controller_names[@]}" "${broker_names[@]}" || ready=1
[ -s "$restart_report" ] && sed 's/^/kraft.sh: /' "$restart_report" >&2
if [ "$ready" -ne 0 ]; then
    # One line per node, last (a CI log shows its end): running or not, started or not, its last warning or error.
    for out in "$dir"/controller-*.out "$dir"/broker-*.out; do
        name=$(basename "$out" .out) state=exited
        kill -0 "$(cat "$dir/$name.pid" 2>/dev/null)" 2>/dev/null && state=running
        grep -q "Kafka Server started" "$out" && state="$state, started" || state="$state, not started"
        echo "$name ($state): $(last_problem "$out")" >&2
    done
    stop
    exit 1
fi
echo "bootstrap_servers=$servers controllers=$quorum cluster_id=$cluster_id"
