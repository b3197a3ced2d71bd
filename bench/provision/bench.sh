#!/usr/bin/env bash
# Time provision_aws main for 3 and for 30 brokers (3 ZooKeeper nodes each), each against a fresh moto server on
# 127.0.0.1 (port 32600-32699). The environment (playbooks/environment.yml) runs first and is timed separately.
# Prints t(3), t(30) and t(30)/t(3). Usage: bench/provision/bench.sh [SMALL LARGE]   (default 3 30)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
BIN=${BIN:-$ROOT/.venv/bin}
SMALL=${1:-3} LARGE=${2:-30}
export ANSIBLE_CONFIG=$ROOT/ansible.cfg ANSIBLE_NOCOLOR=1 ANSIBLE_DEPRECATION_WARNINGS=false
export AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=eu-central-1
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
WORK=$(mktemp -d /tmp/kafkaops-aws-bench.XXXXXX)
MOTO_PID=""
stop_moto() {
  if [[ -n $MOTO_PID ]]; then kill "$MOTO_PID" 2>/dev/null || true; wait "$MOTO_PID" 2>/dev/null || true; fi
  MOTO_PID=""
}
trap 'stop_moto; rm -rf "$WORK"' EXIT

# shellcheck source=../../tests/aws/free_port.sh
source "$ROOT/tests/aws/free_port.sh"

# run_one N: fresh moto, environment (timed apart), then main with N brokers; sets ENV_SECONDS and MAIN_SECONDS.
run_one() {
  local n=$1 port endpoint t0 t1 t2
  port=$(free_port)
  endpoint=http://127.0.0.1:$port
  "$BIN/python" tests/aws/moto_server.py -H 127.0.0.1 -p "$port" >"$WORK/moto-$n.log" 2>&1 &
  MOTO_PID=$!
  for _ in $(seq 50); do curl -sf -o /dev/null "$endpoint/moto-api/" && break; sleep 0.2; done
  cat >"$WORK/vars-$n.yml" <<VARS
aws_endpoint_url: $endpoint
aws_env: bench
aws_ami_id: ami-1e749f67
aws_ssh_public_key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMtsTuJ0A7vsqjQ4SlEW6GJpiRnPq1h9KbM0w0D0lWJ6 bench
kafka_broker_count: $n
VARS
  t0=$(date +%s.%N)
  "$BIN/ansible-playbook" -i localhost, -e "@$WORK/vars-$n.yml" playbooks/environment.yml >"$WORK/env-$n.log" 2>&1 ||
    { tail -30 "$WORK/env-$n.log" >&2; exit 1; }
  t1=$(date +%s.%N)
  "$BIN/ansible-playbook" -i localhost, -e "@$WORK/vars-$n.yml" tests/aws/provision.yml >"$WORK/main-$n.log" 2>&1 ||
    { tail -30 "$WORK/main-$n.log" >&2; exit 1; }
  t2=$(date +%s.%N)
  stop_moto
  ENV_SECONDS=$(echo "$t1 - $t0" | bc)
  MAIN_SECONDS=$(echo "$t2 - $t1" | bc)
}

run_one "$SMALL"
env_small=$ENV_SECONDS t_small=$MAIN_SECONDS
run_one "$LARGE"
env_large=$ENV_SECONDS t_large=$MAIN_SECONDS
printf 'environment.yml: %.1f s / %.1f s (not in the ratio)\n' "$env_small" "$env_large"
printf 't(%d) = %.1f s\nt(%d) = %.1f s\nt(%d)/t(%d) = %.2f (target <= 3)\n' \
  "$SMALL" "$t_small" "$LARGE" "$t_large" "$LARGE" "$SMALL" "$(echo "$t_large / $t_small" | bc -l)"
