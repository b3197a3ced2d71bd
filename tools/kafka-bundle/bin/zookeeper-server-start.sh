#!/bin/sh
# zookeeper-server-start.sh zookeeper.properties
# Runs a ZooKeeper server (org.apache.zookeeper.server.quorum.QuorumPeerMain) in the foreground,
# for manual use: the systemd units start java themselves.
# Defaults (override through the environment): KAFKA_HEAP_OPTS="-Xmx512M -Xms512M",
# KAFKA_LOG4J_OPTS=<home>/config/log4j.properties, LOG_DIR=<home>/logs (server.log).
if [ $# -ne 1 ]; then
  echo "usage: $0 zookeeper.properties" >&2
  exit 2
fi
bin=$(dirname "$(readlink -f "$0")")
home=$(dirname "$bin")
export KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx512M -Xms512M}"
export KAFKA_LOG4J_OPTS="${KAFKA_LOG4J_OPTS:--Dlog4j.configuration=file:$home/config/log4j.properties}"
export LOG_DIR="${LOG_DIR:-$home/logs}"
mkdir -p "$LOG_DIR" || exit 1
exec "$bin/kafka-run-class.sh" org.apache.zookeeper.server.quorum.QuorumPeerMain "$1"
