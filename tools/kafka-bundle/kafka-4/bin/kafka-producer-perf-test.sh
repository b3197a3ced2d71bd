#!/bin/sh
# kafka-producer-perf-test.sh: producer throughput/latency test.
#   kafka-producer-perf-test.sh --topic TOPIC --num-records N --record-size BYTES --throughput -1 \
#       --producer-props bootstrap.servers=HOST:PORT [--producer.config FILE]
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" org.apache.kafka.tools.ProducerPerformance "$@"
