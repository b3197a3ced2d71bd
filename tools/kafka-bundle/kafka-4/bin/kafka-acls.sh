#!/bin/sh
# kafka-acls.sh: list, add and remove ACLs.
#   kafka-acls.sh --bootstrap-server HOST:PORT --command-config FILE --list
bin=$(dirname "$(readlink -f "$0")")
exec "$bin/kafka-run-class.sh" org.apache.kafka.tools.AclCommand "$@"
