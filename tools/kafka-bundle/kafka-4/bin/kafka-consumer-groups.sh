#!/bin/sh
# kafka-consumer-groups.sh: list/describe consumer groups (lag), reset or delete their offsets.
#   kafka-consumer-groups.sh --bootstrap-server HOST:PORT [--command-config FILE] --describe --group GROUP
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" org.apache.kafka.tools.consumer.group.ConsumerGroupCommand "$@"
