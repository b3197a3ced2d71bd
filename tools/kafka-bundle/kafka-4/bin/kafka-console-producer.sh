#!/bin/sh
# kafka-console-producer.sh: send the lines read from stdin to a topic.
#   kafka-console-producer.sh --bootstrap-server HOST:PORT --topic TOPIC [--producer.config FILE]
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" org.apache.kafka.tools.ConsoleProducer "$@"
