#!/bin/sh
# connect-mirror-maker.sh mm2.properties [--clusters NAME ...]
# Runs MirrorMaker 2 in dedicated mode (org.apache.kafka.connect.mirror.MirrorMaker) in the
# foreground, for manual use: the systemd units start java themselves.
# Defaults (override through the environment): KAFKA_HEAP_OPTS="-Xms256M -Xmx2G",
# KAFKA_LOG4J_OPTS=<home>/config/connect-log4j.properties, LOG_DIR=<home>/logs (connect.log).
if [ $# -lt 1 ]; then
  echo "usage: $0 mm2.properties [--clusters NAME ...]" >&2
  exit 2
fi
bin=$(dirname "$(readlink -f "$0")")
home=$(dirname "$bin")
export KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256M -Xmx2G}"
export KAFKA_LOG4J_OPTS="${KAFKA_LOG4J_OPTS:--Dlog4j2.configurationFile=$home/config/connect-log4j2.yaml}"
export LOG_DIR="${LOG_DIR:-$home/logs}"
mkdir -p "$LOG_DIR" || exit 1
exec "$bin/kafka-run-class.sh" org.apache.kafka.connect.mirror.MirrorMaker "$@"
