#!/bin/sh
# zookeeper-shell.sh HOST:PORT[/CHROOT] [-zk-tls-config-file FILE] COMMAND [ARGS...]
#   e.g. zookeeper-shell.sh zk-1:2181 ls /kafka/brokers/ids
# ZooKeeper's CLI with Kafka's TLS option (org.apache.zookeeper.ZooKeeperMainWithTlsSupportForKafka).
# For an ensemble that requires SASL, point KAFKA_OPTS at a JAAS file:
#   KAFKA_OPTS=-Djava.security.auth.login.config=/path/zk-client-jaas.conf zookeeper-shell.sh ...
# Meant for non-interactive use: give one command on the command line (or pipe commands in,
# one per line).  The bundle has no jline jar ("JLine support is disabled"), so typed at a
# terminal there is no prompt, line editing, history or completion.
if [ $# -lt 1 ]; then
  echo "usage: $0 HOST:PORT[/CHROOT] [-zk-tls-config-file FILE] COMMAND [ARGS...]" >&2
  exit 2
fi
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" org.apache.zookeeper.ZooKeeperMainWithTlsSupportForKafka -server "$@"
