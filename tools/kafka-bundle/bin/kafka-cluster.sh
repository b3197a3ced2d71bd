#!/bin/sh
# kafka-cluster.sh: print the cluster id, unregister a departed broker, list endpoints.
#   kafka-cluster.sh cluster-id --bootstrap-server HOST:PORT [--config FILE]
#   kafka-cluster.sh unregister --bootstrap-server HOST:PORT --id BROKER_ID
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" org.apache.kafka.tools.ClusterTool "$@"
