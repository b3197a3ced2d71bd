#!/usr/bin/env bash
# KRaft controllers added and removed with the playbook users run (issue 16 item 5), on a KRaft lab that is up
# (3 controllers + 3 brokers: make demo-kraft, or the molecule kraft scenario's lab):
#   scale.yml -e kafka_controller_count=5 --check (the plan, nothing changed: still 3 voters), then for real (controllers
#   1004 and 1005 join as observers and become voters; no running controller or broker restarts: every node bootstraps
#   from the three lowest ids, which stay), a re-run changes nothing, 4 controllers are refused with nothing changed,
#   then back to 3 (1004 and 1005 leave the quorum, stop, their containers and data volumes are removed; again no
#   restart), a re-run changes nothing.
#   After each step scale.yml's own verification names the quorum ("KRaft quorum: leader L, N voters, max lag M").
# Usage: tests/kraft/controllers.sh   (KRAFT_INV=molecule/kraft/inventory KRAFT_LAB=molkraft for the molecule kraft
#        scenario's lab; default inventories/kraft, lab kraft)
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-.venv/bin}
INV=${KRAFT_INV:-inventories/kraft}
LAB=${KRAFT_LAB:-kraft}
LOGS=build/kraft-controllers
rm -rf "$LOGS" && mkdir -p "$LOGS"
STEP=0
TIMES=()

fail() { echo "controllers: FAILED: $*" >&2; exit 1; }

# play NAME EXPECT [ARGS...] runs playbooks/scale.yml; EXPECT: ok | unchanged | "fail:<text the output must contain>"
play() {
  local name=$1 expect=$2; shift 2
  STEP=$((STEP + 1))
  local log start=$SECONDS rc=0
  log=$LOGS/$(printf '%02d' "$STEP")-$name.log
  LAST_LOG=$log
  echo "controllers: $name ..."
  "$BIN/ansible-playbook" -i "$INV" playbooks/scale.yml "$@" >"$log" 2>&1 || rc=$?
  local took=$((SECONDS - start))
  TIMES+=("$name ${took}s")
  case $expect in
    ok|unchanged)
      [ $rc -eq 0 ] || { tail -40 "$log"; fail "$name exited $rc (log: $log)"; }
      if [ "$expect" = unchanged ] && grep -E '^\S+ +: ok=.* changed=[1-9]' "$log"; then
        grep -B3 '^changed' "$log" | head -40
        fail "$name changed something on a re-run (log: $log)"
      fi ;;
    fail:*)
      [ $rc -ne 0 ] || fail "$name should have been refused (log: $log)"
      grep -qF -- "${expect#fail:}" "$log" || { tail -30 "$log"; fail "$name failed without '${expect#fail:}' (log: $log)"; }
      if grep -E '^\S+ +: ok=.* changed=[1-9]' "$log"; then fail "$name changed something (log: $log)"; fi ;;
  esac
  echo "controllers: $name: $expect (${took}s)"
}

# voters N: the verification at the end of the last run saw N voters and no lag problem.
voters() {
  grep -qE "KRaft quorum: leader [0-9]+, $1 voters" "$LAST_LOG" ||
    { grep -E "KRaft quorum" "$LAST_LOG" | tail -3; fail "expected $1 voters after $(basename "$LAST_LOG")"; }
  echo "controllers: $(grep -oE "KRaft quorum: leader [0-9]+, $1 voters[^\"']*" "$LAST_LOG" | tail -1)"
}

# no_restarts: the last run restarted no controller and no broker (their server.properties did not change).
no_restarts() {
  if ! grep -q "No controller needs a restart" "$LAST_LOG" || ! grep -q "No broker needs a restart" "$LAST_LOG"; then
    grep -E "Rolling restart, one" "$LAST_LOG" | head -3
    fail "$(basename "$LAST_LOG") restarted running nodes"
  fi
}

# lab_nodes: the lab's controller containers and data volumes, by name.
lab_nodes() {
  { docker ps -a --filter "label=kafkaops.lab=$LAB" --filter label=kafkaops.role=kafka_controller --format '{{.Names}}'
    docker volume ls --filter "label=kafkaops.lab=$LAB" --filter label=kafkaops.controller_id --format '{{.Name}}'; } | sort | tr '\n' ' '
}

play scale-5-check ok -e kafka_controller_count=5 --check
grep -q "Would start controllers 1004, 1005 and make them voters" "$LAST_LOG" || fail "the check run did not report the new voters"
[ "$(lab_nodes | wc -w)" = 6 ] || fail "the check run changed the lab: $(lab_nodes)"
play scale-5 ok -e kafka_controller_count=5
voters 5
no_restarts
[ "$(lab_nodes | wc -w)" = 10 ] || fail "expected 5 controller containers and volumes: $(lab_nodes)"
play scale-5-again unchanged -e kafka_controller_count=5
voters 5
play scale-4-refused "fail:only with an odd N >= 3" -e kafka_controller_count=4
play scale-3 ok -e kafka_controller_count=3
voters 3
no_restarts
nodes=$(lab_nodes)
if [ "$(wc -w <<<"$nodes")" != 6 ] || grep -qE 'controller-[34]' <<<"$nodes"; then
  fail "controllers 1004 and 1005 should be gone with their volumes: $nodes"
fi
play scale-3-again unchanged -e kafka_controller_count=3
voters 3
echo "controllers: passed; step times: ${TIMES[*]}"
