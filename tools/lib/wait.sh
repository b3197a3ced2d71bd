# shellcheck shell=bash
# Readiness waits for the test scripts, sourced: one place decides how long a cold start may take
# and what a failure says. A wait is sized for the slowest honest start (a JVM or moto starting
# beside other work on a loaded 2-core machine), returns as soon as the thing answers, stops early
# when the process it waits for has exited, and on failure says what was awaited, for how long,
# whether the process still runs, and the last lines it printed.
#
#   wait_ready SECONDS WHAT PID LOG COMMAND...
#     SECONDS  the longest wait; WHAT  what is awaited ("moto S3 on :31004");
#     PID      the process that should answer ("-" when there is none to watch);
#     LOG      its output file ("-" when none); COMMAND  succeeds once it is ready.
#   Returns 0 when ready (and prints "ready: WHAT after N s" on stderr), 1 otherwise.

wait_ready() {
  local limit=$1 what=$2 pid=$3 log=$4 start=$SECONDS why=""
  shift 4
  while :; do
    if "$@" >/dev/null 2>&1; then
      echo "ready: $what after $((SECONDS - start)) s" >&2
      return 0
    fi
    if [[ $pid != - ]] && ! kill -0 "$pid" 2>/dev/null; then
      why="its process ($pid) exited after $((SECONDS - start)) s"
      break
    fi
    if ((SECONDS - start >= limit)); then
      why="timed out after ${limit} s"
      [[ $pid != - ]] && why+=" (its process $pid still runs)"
      break
    fi
    sleep 0.5
  done
  {
    echo "FAIL: $why waiting for $what (ready when: $*)"
    if [[ $log != - && -s $log ]]; then
      echo "--- the last 40 lines of $log ---"
      tail -n 40 "$log"
      echo "--- end of $log ---"
    elif [[ $log != - ]]; then
      echo "($log is empty: the process printed nothing)"
    fi
  } >&2
  return 1
}
