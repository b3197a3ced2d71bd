#!/bin/sh
# kafka-consumer-perf-test.sh: consumer throughput test.
#   kafka-consumer-perf-test.sh --bootstrap-server HOST:PORT --topic TOPIC --messages N [--consumer.config FILE]
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" org.apache.kafka.tools.ConsumerPerformance "$@"
