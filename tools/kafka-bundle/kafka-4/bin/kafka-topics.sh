#!/bin/sh
# kafka-topics.sh: create, list, describe, alter and delete topics.
#   kafka-topics.sh --bootstrap-server HOST:PORT [--command-config FILE] --list
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" org.apache.kafka.tools.TopicCommand "$@"
