#!/usr/bin/env bash
# Make sure a Docker engine answers. On a bare Debian machine install Debian's docker.io and
# start dockerd in the background (there is no init system managing it here).
set -euo pipefail

if docker info >/dev/null 2>&1; then
    exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
    echo "ensure-docker: installing Debian's docker.io and debootstrap" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q docker.io debootstrap >/dev/null
fi

# shellcheck source=../lib/wait.sh
source "$(dirname "$0")/../lib/wait.sh"
pid=-
if ! pgrep -x dockerd >/dev/null 2>&1; then
    echo "ensure-docker: starting dockerd (log: /var/log/dockerd.log)" >&2
    # Without the caller's descriptors above 2: dockerd outlives the caller, and an inherited one (a
    # flock'd lock, a pipe to a log filter) would stay held or open as long as dockerd runs.
    (
        for fd in /proc/self/fd/*; do
            fd=${fd##*/}
            if [ "$fd" -gt 2 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
        done
        exec nohup dockerd >/var/log/dockerd.log 2>&1
    ) &
    pid=$!
fi
wait_ready 120 "dockerd (docker info)" "$pid" /var/log/dockerd.log docker info
