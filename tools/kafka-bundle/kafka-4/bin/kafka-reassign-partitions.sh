#!/bin/sh
# kafka-reassign-partitions.sh: move partition replicas between brokers (generate/execute/verify/list).
#   kafka-reassign-partitions.sh --bootstrap-server HOST:PORT [--command-config FILE] --list
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" org.apache.kafka.tools.reassign.ReassignPartitionsCommand "$@"
