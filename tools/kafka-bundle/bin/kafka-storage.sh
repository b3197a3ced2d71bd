#!/bin/sh
# kafka-storage.sh: format and inspect KRaft metadata/log directories.
#   kafka-storage.sh random-uuid
#   kafka-storage.sh format -t CLUSTER_ID -c server.properties --standalone | --initial-controllers ... | --no-initial-controllers
#   kafka-storage.sh info -c server.properties
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" kafka.tools.StorageTool "$@"
