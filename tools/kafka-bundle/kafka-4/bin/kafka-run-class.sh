#!/bin/sh
# kafka-run-class.sh CLASS [ARGS...]
#
# Runs a Java main class of this Kafka bundle with every jar of <home>/libs on the classpath,
# where <home> is the directory above this script's real location (symlinks followed), e.g.
# /opt/kafka.  Written for the kafkaops.cluster bundle (not Apache's script); the systemd units
# do not use it, it is for people typing the runbook's commands.
#
# Environment:
#   JAVA_HOME                   run $JAVA_HOME/bin/java (default: java from PATH)
#   KAFKA_HEAP_OPTS             default -Xmx256M
#   KAFKA_JVM_PERFORMANCE_OPTS  GC/JIT flags (default: none, the JVM's own defaults)
#   KAFKA_LOG4J_OPTS            default -Dlog4j2.configurationFile=<home>/config/tools-log4j2.yaml
#                               (warnings and errors only, on stderr)
#   KAFKA_OPTS                  anything else, e.g. -Djava.security.auth.login.config=/path/jaas.conf
#   LOG_DIR                     if set: -Dkafka.logs.dir=$LOG_DIR (where the Log4j 2 file appenders write)
# The *_OPTS values are split on white space (no quoting inside them, no paths with spaces).
set -eu

if [ $# -lt 1 ]; then
  echo "usage: $0 CLASS [ARGS...]" >&2
  exit 2
fi
class=$1
shift

bin=$(dirname "$(readlink -f "$0")")
home=$(dirname "$bin")

if [ -n "${JAVA_HOME:-}" ]; then
  java=$JAVA_HOME/bin/java
  if [ ! -x "$java" ]; then
    echo "$0: $java not found or not executable (check JAVA_HOME)" >&2
    exit 1
  fi
else
  java=java
fi

# The unquoted ${..._OPTS} below are split into separate options on purpose; set -f keeps a
# '*' in them from being expanded as a file name pattern.  When a variable is unset, the quoted
# default after ':-' / ':+' is used as one single argument.
set -f
# shellcheck disable=SC2086
exec "$java" \
  ${KAFKA_HEAP_OPTS:--Xmx256M} \
  ${KAFKA_JVM_PERFORMANCE_OPTS:-} \
  -Djava.awt.headless=true \
  ${KAFKA_LOG4J_OPTS:-"-Dlog4j2.configurationFile=$home/config/tools-log4j2.yaml"} \
  ${LOG_DIR:+"-Dkafka.logs.dir=$LOG_DIR"} \
  ${KAFKA_OPTS:-} \
  -cp "$home/libs/*" \
  "$class" "$@"
