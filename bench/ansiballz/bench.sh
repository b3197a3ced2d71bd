#!/usr/bin/env bash
# AnsiballZ payloads kept between runs (tools/ansiballz-cache) against ansible-core's own per-run cache:
#   bench/ansiballz/bench.sh [ROUNDS]
# runs bench/ansiballz/modules.yml (ten different modules on localhost) ROUNDS times (default 5) with the cache off
# (KAFKAOPS_ANSIBALLZ_CACHE_DIR empty) and on (a directory of its own, filled by a first run that is not counted), in
# turn, and prints the median wall time and CPU-seconds (ansible-playbook, its workers and the module runs) of each
# and their ratio. Needs `make venv`; no lab. Not part of `make test`.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=${BIN:-$ROOT/.venv/bin}
ROUNDS=${1:-5}
export ANSIBLE_CONFIG=$ROOT/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=false
export AWS_ACCESS_KEY_ID=bench AWS_SECRET_ACCESS_KEY=bench AWS_URL=http://127.0.0.1:1 AWS_EC2_METADATA_DISABLED=true
WORK=$(mktemp -d /tmp/kafkaops-ansiballz-bench.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
mkdir -m 0700 "$WORK/cache"

one() {  # one NAME CACHE_DIR: a run, its "wall cpu" appended to $WORK/NAME
  KAFKAOPS_ANSIBALLZ_CACHE_DIR=$2 /usr/bin/time -f '%e %U %S' -o "$WORK/time" \
    "$BIN/ansible-playbook" -i localhost, bench/ansiballz/modules.yml >"$WORK/run.log" 2>&1 ||
    { tail -30 "$WORK/run.log"; echo "ansiballz bench: the playbook failed" >&2; exit 1; }
  [[ $(grep -c '^ok: \|^fatal: ' "$WORK/run.log") -ge 10 ]] || { cat "$WORK/run.log"; echo "ansiballz bench: a module did not run" >&2; exit 1; }
  [[ -z ${1:-} ]] || awk '{ printf "%s %.2f\n", $1, $2 + $3 }' "$WORK/time" >>"$WORK/$1"
}
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

one "" "$WORK/cache"
for _ in $(seq "$ROUNDS"); do
  one off ""
  one on "$WORK/cache"
done
off_wall=$(cut -d' ' -f1 "$WORK/off" | median) off_cpu=$(cut -d' ' -f2 "$WORK/off" | median)
on_wall=$(cut -d' ' -f1 "$WORK/on" | median) on_cpu=$(cut -d' ' -f2 "$WORK/on" | median)
printf '%-44s %8s %8s\n' "10 modules on localhost ($ROUNDS rounds, median)" "wall s" "CPU-s"
printf '%-44s %8.2f %8.2f\n' "ansible-core's cache (one run)" "$off_wall" "$off_cpu"
printf '%-44s %8.2f %8.2f\n' "payloads kept between runs" "$on_wall" "$on_cpu"
printf '%-44s %8.2f %8.2f\n' "ratio kept/one run" "$(echo "$on_wall / $off_wall" | bc -l)" "$(echo "$on_cpu / $off_cpu" | bc -l)"
