#!/usr/bin/env bash
# The Kafka side of scaling and broker replacement (issue 6), in the lifecycle lab
# (inventories/lifecycle: 1 ZooKeeper + 3 brokers, cluster lc), with the playbooks users run:
#   scale 3 -> 5 (brokers 3 and 4 join and get replicas), re-run changes nothing, scale to 2 refused
#   with nothing changed; broker 4's host goes down: scale 5 -> 3 refused without admin_drain_allow_dead,
#   then a run with it is killed half way through its throttled drain (the throttle and the move stay),
#   the re-run finishes the move, removes every throttle and retires 3 and 4 (broker 4's replicas
#   re-created from the others; containers and volumes removed, every message still consumable,
#   0 offline), re-run changes nothing, restarts left pending by a run
#   that stopped early are done by the next run (only the marked servers restart), broker 1's container destroyed
#   while messages keep coming, replace_broker.yml brings it back on its own volume (same segment
#   inodes: no re-replication) with URP 0, replacing a broker without a volume is refused.
# Usage: tests/lifecycle/run.sh   (KEEP_LAB=1 keeps the lab afterwards)
# On a lab that is already up (make molecule-default runs it on the molecule default scenario's lab
# after verify and before the reliability suite, through that scenario's docker_containers inventory):
#   LIFECYCLE_INV=molecule/default/inventory LIFECYCLE_LAB=molecule LIFECYCLE_HOST_PREFIX=mol- \
#   LIFECYCLE_REUSE_LAB=1 tests/lifecycle/run.sh
# (REUSE: no destroy and site.yml first, the lab stays; the lab must hold brokers 0-2 and no topic lc-*).
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.venv/bin}
INV=${LIFECYCLE_INV:-inventories/lifecycle}
LAB=${LIFECYCLE_LAB:-lifecycle}          # the lab's kafkaops.lab label
HOST=${LIFECYCLE_HOST_PREFIX:-lc-}       # container names: ${HOST}zk-0, ${HOST}kafka-N
REUSE=${LIFECYCLE_REUSE_LAB:-0}
LOGS=build/lifecycle
rm -rf "$LOGS" && mkdir -p "$LOGS"
STEP=0
LAST_LOG=""
TIMES=()

fail() { echo "lifecycle: FAILED: $*" >&2; exit 1; }

# play NAME EXPECT PLAYBOOK [ARGS...]; EXPECT: ok | unchanged | "fail:<text the output must contain>"
play() {
  local name=$1 expect=$2 playbook=$3; shift 3
  STEP=$((STEP + 1))
  local log start=$SECONDS rc=0
  log=$LOGS/$(printf '%02d' "$STEP")-$name.log
  LAST_LOG=$log
  echo "lifecycle: $name ..."
  "$BIN/ansible-playbook" -i "$INV" "$playbook" -e lifecycle_host_prefix="$HOST" "$@" >"$log" 2>&1 || rc=$?
  local took=$((SECONDS - start))
  TIMES+=("$name ${took}s")
  case $expect in
    ok|unchanged)
      [ $rc -eq 0 ] || { tail -40 "$log"; fail "$name exited $rc (log: $log)"; }
      if [ "$expect" = unchanged ] && grep -E '^\S+ +: ok=.* changed=[1-9]' "$log"; then
        grep -B3 -E '^(changed|ok): \[' "$log" | grep -B3 '^changed' | head -40
        fail "$name changed something on a re-run (log: $log)"
      fi ;;
    fail:*)
      [ $rc -ne 0 ] || fail "$name should have been refused (log: $log)"
      grep -qF -- "${expect#fail:}" "$log" || { tail -30 "$log"; fail "$name failed without '${expect#fail:}' (log: $log)"; } ;;
  esac
  echo "lifecycle: $name: $expect (${took}s)"
}

# killed_run PLAYBOOK [ARGS...]: start the playbook, wait until kafka_reassign has run 10 s on the
# admin host (throttle set, move started), then SIGKILL the module there (as an async timeout would)
# and the playbook with its workers.
killed_run() {
  local playbook=$1; shift
  STEP=$((STEP + 1))
  local log start=$SECONDS
  log=$LOGS/$(printf '%02d' "$STEP")-killed-run.log
  echo "lifecycle: killed-run ..."
  setsid "$BIN/ansible-playbook" -i "$INV" "$playbook" -e lifecycle_host_prefix="$HOST" "$@" >"$log" 2>&1 &
  local pid=$! waited=0
  until grep -q 'Move every replica off the brokers to retire' "$log"; do
    kill -0 "$pid" 2>/dev/null || { tail -30 "$log"; fail "killed-run ended before the move (log: $log)"; }
    [ $waited -lt 300 ] || fail "killed-run: no move after 300 s (log: $log)"
    sleep 1; waited=$((waited + 1))
  done
  sleep 10
  docker exec "${HOST}kafka-0" pkill -9 -f /opt/kafkaops/venv/bin/python || fail "killed-run: no module process to kill"
  kill -9 -- -"$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  TIMES+=("killed-run $((SECONDS - start))s")
  echo "lifecycle: killed-run: module and playbook killed ($((SECONDS - start))s)"
}

destroy() { "$BIN/ansible-playbook" -i "$INV" playbooks/lab_destroy.yml -e lab_destroy_confirm=true >"$LOGS/destroy.log" 2>&1; }
main_pid() { docker exec "$1" systemctl show -p MainPID --value "$2"; }
count_containers() { docker ps -aq --filter label=kafkaops.lab="$LAB" --filter label=kafkaops.role=kafka | wc -l; }
if [ "$REUSE" = 1 ]; then
  echo "lifecycle: on the lab that is up ($INV)"
else
  [ "${KEEP_LAB:-0}" = 1 ] || trap destroy EXIT
  destroy
  play site ok playbooks/site.yml
fi
play produce-a ok tests/lifecycle/produce.yml -e batch=a
play check-3 ok tests/lifecycle/check.yml -e '{"expect_brokers": [0, 1, 2], "expect_messages": 2000}'

play scale-up-5 ok playbooks/scale.yml -e kafka_broker_count=5
play check-5 ok tests/lifecycle/check.yml -e '{"expect_brokers": [0, 1, 2, 3, 4], "expect_messages": 2000, "expect_replicas_on": [3, 4]}'
play scale-up-5-again unchanged playbooks/scale.yml -e kafka_broker_count=5

play scale-down-2-refused "fail:Refusing to scale down to 2 brokers" playbooks/scale.yml -e kafka_broker_count=2
[ "$(count_containers)" -eq 5 ] || fail "the refused scale-down removed containers"
play check-5-after-refusal ok tests/lifecycle/check.yml -e '{"expect_brokers": [0, 1, 2, 3, 4], "expect_messages": 2000}'

# Scale 5 -> 3 with broker 4's host down and the run killed half way through the throttled drain.
play bulk ok tests/lifecycle/bulk.yml
echo "lifecycle: broker 4's host goes down"
docker kill "${HOST}kafka-4" >/dev/null
# ZooKeeper deregisters it when its session expires (zookeeper.session.timeout.ms, 18 s); until then
# the cluster still lists it (a drain then fails on its throttle config and changes nothing).
sleep 20
play scale-down-3-dead-refused "fail:are not live" playbooks/scale.yml -e kafka_broker_count=3
killed_run playbooks/scale.yml -e kafka_broker_count=3 -e admin_drain_allow_dead=true -e kafka_reassign_throttle_bytes_per_sec=10240
play throttles-left ok tests/lifecycle/throttles.yml -e expect_throttle=true
play scale-down-3 ok playbooks/scale.yml -e kafka_broker_count=3 -e admin_drain_allow_dead=true
[ "$(count_containers)" -eq 3 ] || fail "scale-down to 3 left $(count_containers) broker containers"
for id in 3 4; do
  [ -z "$(docker volume ls -q --filter label=kafkaops.lab="$LAB" --filter label=kafkaops.broker_id=$id)" ] || fail "broker $id's data volume is still there"
done
play throttles-gone ok tests/lifecycle/throttles.yml
play check-3-after-down ok tests/lifecycle/check.yml -e '{"expect_brokers": [0, 1, 2], "expect_messages": 2000, "expect_no_replicas_on": [3, 4]}'
play scale-down-3-again unchanged playbooks/scale.yml -e kafka_broker_count=3 -e admin_drain_allow_dead=true

echo "lifecycle: restarts left pending by a run that stopped early (marks on ZooKeeper and broker 2) are done by the next run"
zk_pid=$(main_pid "${HOST}zk-0" zookeeper) k0_pid=$(main_pid "${HOST}kafka-0" kafka) k2_pid=$(main_pid "${HOST}kafka-2" kafka)
docker exec "${HOST}zk-0" sh -c 'echo "left by a failed run" >/etc/zookeeper/.restart-pending'
docker exec "${HOST}kafka-2" sh -c 'echo "left by a failed run" >/etc/kafka/.restart-pending'
play pending-restarts ok playbooks/site.yml
[ "$(main_pid "${HOST}zk-0" zookeeper)" != "$zk_pid" ] || fail "ZooKeeper's pending restart was not done"
[ "$(main_pid "${HOST}kafka-2" kafka)" != "$k2_pid" ] || fail "broker 2's pending restart was not done"
[ "$(main_pid "${HOST}kafka-0" kafka)" = "$k0_pid" ] || fail "broker 0 was restarted without a mark"
docker exec "${HOST}zk-0" test ! -e /etc/zookeeper/.restart-pending || fail "ZooKeeper's mark was not cleared"
docker exec "${HOST}kafka-2" test ! -e /etc/kafka/.restart-pending || fail "broker 2's mark was not cleared"
grep -qF "ZooKeeper ${HOST}zk-0 restarted" "$LAST_LOG" || fail "no ZooKeeper restart report"

play segments-before ok tests/lifecycle/segments.yml -e broker_id=1 -e out="$PWD/$LOGS/segments-before.txt"
echo "lifecycle: broker 1 fails (container removed) while 1000 more messages are produced"
docker rm -f "${HOST}kafka-1" >/dev/null
play produce-b ok tests/lifecycle/produce.yml -e batch=b -e count=1000
play replace-1 ok playbooks/replace_broker.yml -e broker_id=1
play segments-after ok tests/lifecycle/segments.yml -e broker_id=1 -e out="$PWD/$LOGS/segments-after.txt"
[ -s "$LOGS/segments-before.txt" ] && [ "$(wc -l <"$LOGS/segments-before.txt")" -gt 0 ] || fail "broker 1 held no segments before"
diff "$LOGS/segments-before.txt" "$LOGS/segments-after.txt" || fail "broker 1's log segments changed (data was not reused)"
echo "lifecycle: broker 1 kept its $(wc -l <"$LOGS/segments-before.txt") log segments (same inodes)"
play check-after-replace ok tests/lifecycle/check.yml -e '{"expect_brokers": [0, 1, 2], "expect_messages": 3000}'
play replace-unknown-refused "fail:has no data volume" playbooks/replace_broker.yml -e broker_id=7

echo "lifecycle: passed; step times: ${TIMES[*]}"
