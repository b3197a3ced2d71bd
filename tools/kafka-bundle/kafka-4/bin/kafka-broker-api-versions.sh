#!/bin/sh
# kafka-broker-api-versions.sh: the API versions each broker supports (also a quick "are they up").
#   kafka-broker-api-versions.sh --bootstrap-server HOST:PORT [--command-config FILE]
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" org.apache.kafka.tools.BrokerApiVersionsCommand "$@"
