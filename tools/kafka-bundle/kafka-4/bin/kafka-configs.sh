#!/bin/sh
# kafka-configs.sh: describe/alter dynamic configs of brokers, topics, users (SCRAM credentials), clients.
#   kafka-configs.sh --bootstrap-server HOST:PORT [--command-config FILE] --describe --entity-type topics --entity-name TOPIC
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" kafka.admin.ConfigCommand "$@"
