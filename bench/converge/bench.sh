#!/usr/bin/env bash
# What a converge that changes nothing costs on a lab that is up: runs playbooks/site.yml RUNS times against it and
# prints, per run and as medians, the wall time, the controller's CPU-seconds (ansible-playbook and everything it
# started: workers, local module runs, the docker CLI), the CPU-seconds of the lab's containers (the module runs on
# the nodes, their JVMs meanwhile) and the host-task executions of the recap. Every run must report changed=0.
# Not part of make test. Usage: bench/converge/bench.sh [RUNS] [INVENTORY]   (default 3, inventories/local: make demo)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=${BIN:-$ROOT/.venv/bin}
RUNS=${1:-3}
INV=${2:-inventories/local}
export ANSIBLE_CONFIG=$ROOT/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=false
USAGE=/sys/fs/cgroup/cpuacct/docker/cpuacct.usage
[[ -r $USAGE ]] || { echo "converge bench: $USAGE is not readable (cgroup v1 cpuacct and Docker needed)" >&2; exit 1; }
WORK=$(mktemp -d /tmp/kafkaops-converge-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT

walls=() owns=() nodes=()
for i in $(seq "$RUNS"); do
  c0=$(cat "$USAGE")
  /usr/bin/time -f '%e %U %S' -o "$WORK/time" "$BIN/ansible-playbook" -i "$INV" playbooks/site.yml >"$WORK/run.log" 2>&1 ||
    { tail -30 "$WORK/run.log"; echo "converge bench: site.yml failed" >&2; exit 1; }
  c1=$(cat "$USAGE")
  if grep -E '^\S+ +: ok=' "$WORK/run.log" | grep -q 'changed=[1-9]'; then
    grep -E '^\S+ +: ok=' "$WORK/run.log"
    echo "converge bench: run $i changed something: converge the lab first (make demo)" >&2
    exit 1
  fi
  read -r wall user sys <"$WORK/time"
  own=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.1f", u + s }')
  containers=$(awk -v a="$c0" -v b="$c1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
  tasks=$(sed -nE 's/^\S+ +: ok=([0-9]+) +changed=([0-9]+) .*skipped=([0-9]+) .*/\1 \2 \3/p' "$WORK/run.log" |
    awk '{ n += $1 + $2 + $3 } END { print n }')
  echo "run $i: ${wall} s wall, controller ${own} CPU-s, containers ${containers} CPU-s, ${tasks} host-task executions"
  walls+=("$wall") owns+=("$own") nodes+=("$containers")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
w=$(median "${walls[@]}") o=$(median "${owns[@]}") n=$(median "${nodes[@]}")
echo "median of $RUNS no-op converges of $INV: $w s wall, $(awk -v o="$o" -v n="$n" 'BEGIN { printf "%.1f", o + n }') CPU-s" \
  "(controller $o, containers $n)"
