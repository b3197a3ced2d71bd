#!/usr/bin/env bash
# Take docs/prometheus-under-replicated.png: Prometheus's graph of the under-replicated partitions per cluster, from
# the `make demo` lab's monitoring host, in Debian's Chromium (headless; installed when missing). Stop a broker for a
# minute beforehand (docker exec kafka-2 systemctl stop kafka; ... start kafka) for something to see.
# Usage: tools/docs/prometheus-screenshot.sh [CONTAINER] [RANGE]   (defaults: kafka-0, 30m)
set -euo pipefail
cd "$(dirname "$0")/../.."
container=${1:-kafka-0}
range=${2:-30m}
out=docs/prometheus-under-replicated.png
command -v chromium >/dev/null || {
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
}
# The lab opens Prometheus's UI on the lab network (inventories/local: monitoring_listen_address), which this machine
# reaches at the container's address.
address=$(docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$container")
expr=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' \
  'sum by (cluster) (kafka_server_replicamanager_underreplicatedpartitions)')
url="http://$address:9090/graph?g0.expr=$expr&g0.tab=0&g0.range_input=$range"
profile=$(mktemp -d /tmp/kafkaops-chromium.XXXXXX)
trap 'rm -rf "$profile"' EXIT
# No background networking: this machine's closed network refuses it (ENVIRONMENT).
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --hide-scrollbars --user-data-dir="$profile" \
  --window-size=1280,960 --virtual-time-budget=15000 --screenshot="$PWD/$out" "$url" 2>/dev/null
echo "prometheus screenshot: $out ($url)"
