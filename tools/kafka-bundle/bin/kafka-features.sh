#!/bin/sh
# kafka-features.sh: describe, upgrade or downgrade feature levels (metadata.version, ...).
#   kafka-features.sh --bootstrap-server HOST:PORT [--command-config FILE] describe
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" org.apache.kafka.tools.FeatureCommand "$@"
