#!/bin/sh
# kafka-get-offsets.sh: print TOPIC:PARTITION:OFFSET (latest by default, --time -2 for earliest).
#   kafka-get-offsets.sh --bootstrap-server HOST:PORT [--command-config FILE] --topic TOPIC
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" org.apache.kafka.tools.GetOffsetShell "$@"
