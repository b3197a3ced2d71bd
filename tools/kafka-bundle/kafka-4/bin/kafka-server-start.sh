#!/bin/sh
# kafka-server-start.sh server.properties [--override PROPERTY=VALUE ...]
# Runs a broker (kafka.Kafka) in the foreground, for manual use: the systemd units start java
# themselves.  Stop it with Ctrl-C (controlled shutdown).
# Defaults (override through the environment): KAFKA_HEAP_OPTS="-Xmx1G -Xms1G",
# KAFKA_LOG4J_OPTS=<home>/config/log4j.properties, LOG_DIR=<home>/logs (server.log etc.).
if [ $# -lt 1 ]; then
  echo "usage: $0 server.properties [--override PROPERTY=VALUE ...]" >&2
  exit 2
fi
bin=$(dirname "$(readlink -f "$0")")
home=$(dirname "$bin")
export KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xmx1G -Xms1G}"
export KAFKA_LOG4J_OPTS="${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$home/config/log4j2.yaml}"
export LOG_DIR="${LOG_DIR:-$home/logs}"
mkdir -p "$LOG_DIR" || exit 1
exec "$bin/kafka-run-class.sh" kafka.Kafka "$@"
