#!/usr/bin/env bash
# Run `make <stage>` for each stage in order, time each one, and end with a stage timing table
# (stage, seconds, budget) against the budgets in tests/stage-budgets.tsv. Over budget is a
# warning line, never a failure; the first failing stage stops the run (its exit code is kept) and
# the table still prints, so a slow or failing stage is visible in every CI log.
# Usage: tools/ci/stages.sh LANE[+LANE...] ...   (make test runs it; TIMES_FILE=... keeps the TSV)
# A LANE is STAGE[,STAGE...]: its stages run one after the other, and the lanes of a LANE+LANE spec run
# side by side, their output lines prefixed with [stage]: on 2 cores, for stages that mostly wait (on
# Kafka, on downloads) and do not share ports or container names. A lane stops at its first failing
# stage; the other lanes finish what they run (their stages are still timed), and no later spec starts.
# The cpu column is how busy the machine's CPUs were during the stage (from /proc/stat; side-by-side
# stages share one figure): near 100 % a stage is CPU-bound, far below it mostly waits. cpu-s is the CPU-seconds
# spent meanwhile, in brackets those of Docker's containers (the labs' nodes): where a stage's cost lies. own is the
# stage's own CPU-seconds (its processes' cgroup, containers excepted), so also those of stages side by side or in the
# background.
# A spec ~LANE starts that lane in the background at nice 19 and goes on with the next spec at once: it runs beside
# every later spec, on the CPU they leave idle (the labs and the loopback clusters are nice 0 and come first, though
# on 2 cores they still slow down: molecule-default took 901-1089 s beside it, 830 s alone), and the run waits for it
# before the table. For CPU-bound stages that wait on nothing (lint, unit
# tests, moto): their times then measure idle CPU, not their cost. A background failure stops the run at the next
# spec boundary, as a failing lane does.
# Each stage's output is also kept in build/stage-logs/STAGE.log; after the table, a failed stage's failure is
# repeated (its last failed Ansible task, or its last error lines), so the end of a CI log names what failed even
# when the lanes' output interleaved or a later stage printed on.
set -uo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")
cd "$(dirname "$0")/../.." || exit 1
budgets=tests/stage-budgets.tsv
times=${TIMES_FILE:-build/stage-times.tsv}
logs=${STAGE_LOGS:-build/stage-logs}
mkdir -p "$(dirname "$times")" "$logs"
[ "${1:-}" = --lane ] || printf 'stage\tseconds\tresult\town_cpu_s\tcpu\tcpu_s\n' >"$times"
rc=0

# cpu_ticks: "busy total" jiffies of all CPUs since boot (0 0 where /proc/stat is missing).
cpu_ticks() {
  local _cpu user nice system idle iowait irq softirq steal
  if read -r _cpu user nice system idle iowait irq softirq steal _ </proc/stat 2>/dev/null; then
    echo "$((user + nice + system + irq + softirq + steal)) $((user + nice + system + idle + iowait + irq + softirq + steal))"
  else
    echo "0 0"
  fi
}

# cpu_busy "BUSY TOTAL": percentage of CPU time spent busy since those cpu_ticks.
cpu_busy() {
  local b0 t0 b1 t1
  read -r b0 t0 <<<"$1"
  read -r b1 t1 <<<"$(cpu_ticks)"
  if [ $((t1 - t0)) -gt 0 ]; then echo "$((100 * (b1 - b0) / (t1 - t0)))%"; else echo -; fi
}

# containers_ns: CPU nanoseconds Docker's containers have used (cgroup v1 cpuacct; - where it cannot be read).
containers_ns() { cat /sys/fs/cgroup/cpuacct/docker/cpuacct.usage 2>/dev/null || echo -; }

# cpu_seconds "BUSY TOTAL" NS: CPU-seconds all CPUs spent busy since those cpu_ticks, and in brackets those of the
# containers since that containers_ns (the labs' JVMs and every command run in them): the rest is this machine's
# own processes (Ansible's controller, the loopback clusters, moto, the linters).
cpu_seconds() {
  local b0 t0 b1 t1 now out
  read -r b0 t0 <<<"$1"
  read -r b1 t1 <<<"$(cpu_ticks)"
  out=$(((b1 - b0) / $(getconf CLK_TCK)))
  now=$(containers_ns)
  if [ "$2" != - ] && [ "$now" != - ]; then out="$out ($(((now - $2) / 1000000000)))"; fi
  echo "$out"
}

# Each stage runs in a cpuacct cgroup of its own (cgroup v1, below this shell's, where it may create one): its own
# CPU-seconds, every process it started included (JVMs, moto, daemons that outlive their script), Docker's containers
# not (they have cgroups of their own, counted in the brackets above). "-" where that cannot be done.
cg_parent=""
cg_path=$(sed -n 's/^[0-9]*:\([^:]*,\)\{0,1\}cpuacct\(,[^:]*\)\{0,1\}:\(.*\)$/\3/p' /proc/self/cgroup 2>/dev/null | head -n 1)
if [ -n "$cg_path" ] && [ -w "/sys/fs/cgroup/cpuacct${cg_path%/}/cgroup.procs" ]; then
  cg_parent=/sys/fs/cgroup/cpuacct${cg_path%/}
fi

run_start=$SECONDS
run_ticks=$(cpu_ticks)
run_containers=$(containers_ns)

budget_of() { awk -v s="$1" '$1 == s {print $2; found=1} END {if (!found) print "-"}' "$budgets"; }

table() {
  local total=$((SECONDS - run_start)) warnings=()
  echo
  echo "== stage timing (budgets: $budgets) =="
  printf '%-22s %8s %8s %5s %16s %7s  %s\n' stage seconds budget cpu 'cpu-s (labs)' 'own' result
  while IFS=$'\t' read -r stage secs result own cpu cpu_s; do
    [ "$stage" = stage ] && continue
    local budget; budget=$(budget_of "$stage")
    printf '%-22s %8s %8s %5s %16s %7s  %s\n' "$stage" "$secs" "$budget" "${cpu:--}" "${cpu_s:--}" "${own:--}" "$result"
    if [ "$budget" != - ] && [ "$secs" -gt "$budget" ]; then
      warnings+=("WARNING: stage $stage took ${secs}s, over its budget of ${budget}s")
    fi
  done <"$times"
  local total_budget; total_budget=$(budget_of total)
  printf '%-22s %8s %8s %5s %16s\n' total "$total" "$total_budget" "$(cpu_busy "$run_ticks")" \
    "$(cpu_seconds "$run_ticks" "$run_containers")"
  if [ "$total_budget" != - ] && [ "$total" -gt "$total_budget" ]; then
    warnings+=("WARNING: the whole run took ${total}s, over its budget of ${total_budget}s")
  fi
  for w in "${warnings[@]}"; do echo "$w"; done
}

# run_stage STAGE PREFIX: make STAGE, timed, its line appended to $times.STAGE; PREFIX non-empty
# prefixes every output line (stages running side by side).
run_stage() {
  local stage=$1 prefix=$2 start=$SECONDS rc result cg="" own=-
  if [ -n "$cg_parent" ]; then
    cg=$cg_parent/kafkaops-stage-$stage-$$
    { mkdir -p "$cg" && echo "$BASHPID" >"$cg/cgroup.procs"; } 2>/dev/null || cg=""
  fi
  if [ -n "$prefix" ]; then
    make --no-print-directory "$stage" 2>&1 | tee "$logs/$stage.log" | sed -u "s/^/[$stage] /"
  else
    make --no-print-directory "$stage" 2>&1 | tee "$logs/$stage.log"
  fi
  rc=${PIPESTATUS[0]}
  if [ -n "$cg" ]; then
    own=$(($(cat "$cg/cpuacct.usage") / 1000000000))
    echo "$BASHPID" >"$cg_parent/cgroup.procs"
    rmdir "$cg" 2>/dev/null  # a process the stage left running keeps it
  fi
  if [ "$rc" -eq 0 ]; then result=ok; else result="FAILED (exit $rc)"; fi
  printf '%s\t%s\t%s\t%s\n' "$stage" "$((SECONDS - start))" "$result" "$own" >"$times.$stage"
  return "$rc"
}

# failure STAGE: what made STAGE fail, from its log: the last Ansible task that failed and was not ignored (its
# TASK line and the first lines of its error), else the FAILED/ERROR lines (pytest's summary, ansible-test's errors), else the last lines.
failure() {
  local log=$logs/$1.log excerpt
  excerpt=$(awk '
    function done_block() { if (bad) last = block }
    /^(TASK|RUNNING HANDLER) \[|^PLAY RECAP/ { done_block(); block = $0; n = 0; bad = 0; next }
    { if (++n <= 14) block = block "\n" $0 }
    /^(fatal|failed): \[/ { bad = 1 }
    /\.\.\.ignoring$/ { bad = 0 }
    END { done_block(); if (last != "") print last }' "$log")
  [ -n "$excerpt" ] || excerpt=$(grep -E '^(FAILED|ERROR)[: ]|^E  ' "$log" | tail -n 12)
  [ -n "$excerpt" ] || excerpt=$(grep -v '^[[:space:]]*$' "$log" | tail -n 12)
  echo
  echo "== stage $1 failed ($log): =="
  printf '%s\n' "$excerpt" | head -n 16 | cut -c1-300
}

# run_lane "a,b,c" PREFIX: stages a, b, c one after the other, stopping at the first failure.
run_lane() {
  local stage lane_stages
  IFS=, read -ra lane_stages <<<"$1"
  for stage in "${lane_stages[@]}"; do
    run_stage "$stage" "$2" || return $?
  done
}

# collect CPU CPU_S STAGE...: the timed stages' lines appended to the table's TSV, with the CPU figures of their group.
collect() {
  local cpu=$1 cpu_s=$2 stage; shift 2
  for stage in "$@"; do
    [ -f "$times.$stage" ] && printf '%s\t%s\t%s\n' "$(cat "$times.$stage")" "$cpu" "$cpu_s" >>"$times"
    rm -f "$times.$stage"
  done
}

# --lane LANE (the background lane, started by the loop below in a session of its own): the lane at nice 19, in an
# autogroup of nice 19. The kernel weighs each session's autogroup, and each container's cgroup, as one: nice alone
# would rank the lane below this run's other processes only, not below the labs' containers.
if [ "${1:-}" = --lane ]; then
  echo $$ >"$times.background-pgid"
  echo 19 >/proc/self/autogroup 2>/dev/null || true
  renice -n 19 -p $$ >/dev/null
  run_lane "$2" yes
  exit $?
fi

bg_pid="" bg_stages=() bg_rc_file=$times.background-rc
rm -f "$bg_rc_file" "$times.background-pgid"
# A run that is stopped (CI's time limit, ^C) takes the background lane's process group with it.
# shellcheck disable=SC2329  # called by the traps below
stop_background() {
  [ -f "$times.background-pgid" ] && kill -TERM -- "-$(cat "$times.background-pgid")" 2>/dev/null
  rm -f "$times.background-pgid"
}
trap 'stop_background; exit 130' INT TERM
trap stop_background EXIT
# background_failed: the background lane has ended with a failure.
background_failed() { [ -f "$bg_rc_file" ] && [ "$(cat "$bg_rc_file")" != 0 ]; }

# A spec a+b,c runs lane a beside lane b,c (each stage timed on its own); a plain spec runs alone; ~a,b starts
# lane a,b in the background (one at most).
for spec in "$@"; do
  if background_failed; then rc=$(cat "$bg_rc_file"); break; fi
  if [[ $spec == '~'* ]]; then
    IFS=, read -ra bg_stages <<<"${spec#\~}"
    echo "== background, nice 19: ${bg_stages[*]} ($(date -u +%H:%M:%S)) =="
    (setsid -w "$self" --lane "${spec#\~}"; echo $? >"$bg_rc_file") &
    bg_pid=$!
    continue
  fi
  IFS=+ read -ra lanes <<<"$spec"
  IFS=', ' read -ra group <<<"${spec//+/,}"
  group_ticks=$(cpu_ticks) group_containers=$(containers_ns)
  echo "== stage ${spec//+/ | }$([ ${#lanes[@]} -gt 1 ] && echo ' (lanes side by side)') ($(date -u +%H:%M:%S)) =="
  if [ ${#lanes[@]} -eq 1 ]; then
    run_lane "$spec" ""
    rc=$?
  else
    pids=()
    for lane in "${lanes[@]}"; do
      run_lane "$lane" yes &
      pids+=($!)
    done
    for pid in "${pids[@]}"; do
      wait "$pid" || { r=$?; [ "$rc" -ne 0 ] || rc=$r; }
    done
  fi
  collect "$(cpu_busy "$group_ticks")" "$(cpu_seconds "$group_ticks" "$group_containers")" "${group[@]}"
  [ "$rc" -eq 0 ] || break
done
if [ -n "$bg_pid" ]; then
  echo "== waiting for the background lane: ${bg_stages[*]} ($(date -u +%H:%M:%S)) =="
  wait "$bg_pid"
  rm -f "$times.background-pgid"  # ended: the EXIT trap must not signal a process group id the system may reuse
  collect nice - "${bg_stages[@]}"
  if [ "$rc" -eq 0 ] && background_failed; then rc=$(cat "$bg_rc_file"); fi
fi
rm -f "$bg_rc_file"
table
while IFS=$'\t' read -r stage _ result _ _ _; do
  case $result in FAILED*) failure "$stage" ;; esac
done <"$times"
exit "$rc"
