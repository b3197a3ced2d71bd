#!/bin/sh
# kafka-console-consumer.sh: print the records of a topic on stdout.
#   kafka-console-consumer.sh --bootstrap-server HOST:PORT --topic TOPIC --from-beginning [--consumer.config FILE]
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" org.apache.kafka.tools.consumer.ConsoleConsumer "$@"
