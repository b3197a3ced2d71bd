#!/bin/sh
# kafka-metadata-quorum.sh: describe the KRaft quorum; add or remove controllers (dynamic quorum).
#   kafka-metadata-quorum.sh --bootstrap-server HOST:PORT [--command-config FILE] describe --status | --replication
#   kafka-metadata-quorum.sh --bootstrap-controller HOST:PORT describe --status
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" org.apache.kafka.tools.MetadataQuorumCommand "$@"
