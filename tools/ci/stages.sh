#!/usr/bin/env bash
# Run `make <stage>` for each stage in order, time each one, and end with a stage timing table
# (stage, seconds, budget) against the budgets in tests/stage-budgets.tsv. Over budget is a
# warning line, never a failure; the first failing stage stops the run (its exit code is kept) and
# the table still prints, so a slow or failing stage is visible in every CI log.
# Usage: tools/ci/stages.sh STAGE [STAGE...]      (make test runs it; TIMES_FILE=... keeps the TSV)
set -uo pipefail
cd "$(dirname "$0")/../.."
budgets=tests/stage-budgets.tsv
times=${TIMES_FILE:-build/stage-times.tsv}
mkdir -p "$(dirname "$times")"
printf 'stage\tseconds\tresult\n' >"$times"
run_start=$SECONDS
rc=0

budget_of() { awk -v s="$1" '$1 == s {print $2; found=1} END {if (!found) print "-"}' "$budgets"; }

table() {
  local total=$((SECONDS - run_start)) warnings=()
  echo
  echo "== stage timing (budgets: $budgets) =="
  printf '%-22s %8s %8s  %s\n' stage seconds budget result
  while IFS=$'\t' read -r stage secs result; do
    [ "$stage" = stage ] && continue
    local budget; budget=$(budget_of "$stage")
    printf '%-22s %8s %8s  %s\n' "$stage" "$secs" "$budget" "$result"
    if [ "$budget" != - ] && [ "$secs" -gt "$budget" ]; then
      warnings+=("WARNING: stage $stage took ${secs}s, over its budget of ${budget}s")
    fi
  done <"$times"
  local total_budget; total_budget=$(budget_of total)
  printf '%-22s %8s %8s\n' total "$total" "$total_budget"
  if [ "$total_budget" != - ] && [ "$total" -gt "$total_budget" ]; then
    warnings+=("WARNING: the whole run took ${total}s, over its budget of ${total_budget}s")
  fi
  for w in "${warnings[@]}"; do echo "$w"; done
}

for stage in "$@"; do
  echo "== stage $stage ($(date -u +%H:%M:%S)) =="
  start=$SECONDS
  make --no-print-directory "$stage"
  rc=$?
  secs=$((SECONDS - start))
  if [ $rc -eq 0 ]; then result=ok; else result="FAILED (exit $rc)"; fi
  printf '%s\t%s\t%s\n' "$stage" "$secs" "$result" >>"$times"
  [ $rc -eq 0 ] || break
done
table
exit $rc
