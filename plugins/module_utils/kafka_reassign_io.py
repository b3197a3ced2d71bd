# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Partition reassignment: the reads and writes in ZooKeeper and through the AdminClient.

Why ZooKeeper: confluent-kafka (librdkafka, up to at least 2.16) has no binding for the
AlterPartitionReassignments / ListPartitionReassignments admin APIs (KIP-455). A Kafka
controller in ZooKeeper mode (up to 3.9) still executes a reassignment written to the
``<chroot>/admin/reassign_partitions`` znode, the mechanism ``kafka-reassign-partitions.sh
--zookeeper`` used, and removes each partition from that znode when it is done. The
per-topic znode ``<chroot>/brokers/topics/<topic>`` holds the authoritative replica
assignment (in preferred order) and, since Kafka 2.4, ``adding_replicas`` /
``removing_replicas`` of every reassignment in progress, whichever way it was started: the
equivalent of ListPartitionReassignments. Replication throttles are dynamic configs changed
through the AdminClient (``incremental_alter_configs``); the broker-level throttle rates are
not returned by DescribeConfigs in ZooKeeper mode, so their previous values are read from
``<chroot>/config/brokers/<id>``.

The documents are parsed and built by ``kafka_reassign_state`` (pure); this module only
moves them.
"""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import read_znode
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import zookeeper_path
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KAFKA_ERRORS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import error_reason
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import kafka_error_code
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import translate_errors
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import MARKER_ZNODE
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import REASSIGN_ZNODE
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import marker_json
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import parse_broker_throttles
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import parse_marker
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import parse_reassign_znode
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import parse_topic_znode
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import reassignment_json
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import TOPIC_THROTTLE_KEYS

try:
    from confluent_kafka import ElectionType
    from confluent_kafka import TopicPartition
    from confluent_kafka.admin import AlterConfigOpType
    from confluent_kafka.admin import ConfigEntry
    from confluent_kafka.admin import ConfigResource
    from confluent_kafka.admin import ConfigSource
    from confluent_kafka.admin import ResourceType
except ImportError:
    pass  # KafkaModule reports the missing library.

try:
    from kazoo.exceptions import NodeExistsError
    from kazoo.exceptions import NoNodeError
    from kazoo.security import CREATOR_ALL_ACL
    from kazoo.security import READ_ACL_UNSAFE
except ImportError:
    # KafkaModule.zookeeper() reports the missing library before this is needed.
    CREATOR_ALL_ACL = READ_ACL_UNSAFE = None

    class NoNodeError(Exception):
        """Placeholder, never raised without kazoo."""

    class NodeExistsError(Exception):
        """Placeholder, never raised without kazoo."""

# ---------------------------------------------------------------------------
# ZooKeeper
# ---------------------------------------------------------------------------


def read_znodes(zk, chroot, parent, names):
    """``{name: (path, data)}`` of the znodes ``<chroot><parent>/<name>``; data is None where there is none."""
    found = {}
    for name in names:
        path = zookeeper_path(chroot, f"{parent}/{name}")
        found[name] = path, read_znode(zk, path)
    return found


def _create_znode(zk, chroot, znode, data, secured, taken, makepath=False):
    """Create ``<chroot><znode>``; ``taken`` is the reason given when it exists already."""
    path = zookeeper_path(chroot, znode)
    action = f"create {path} in ZooKeeper"
    # Same ACL as the brokers' own znodes when ZooKeeper is secured (zookeeper.set.acl=true).
    acl = (CREATOR_ALL_ACL + READ_ACL_UNSAFE) if secured else None
    with translate_errors(action):
        try:
            zk.create(path, data, acl=acl, makepath=makepath)
        except NodeExistsError as e:
            raise KafkaOpsError(action, exception=e, reason=taken) from e


def list_topics(zk, chroot):
    """Topic names registered in ZooKeeper, without those marked for deletion."""
    path = zookeeper_path(chroot, "/brokers/topics")
    with translate_errors(f"list {path} in ZooKeeper"):
        try:
            topics = set(zk.get_children(path))
        except NoNodeError as e:
            raise KafkaOpsError(
                f"list {path} in ZooKeeper", exception=e, reason="the znode does not exist (check zookeeper_chroot)"
            ) from e
        try:
            deleting = set(zk.get_children(zookeeper_path(chroot, "/admin/delete_topics")))
        except NoNodeError:
            deleting = set()
    return sorted(to_native(t) for t in topics - deleting)


def read_topic_states(zk, chroot, topics):
    """``{topic: parse_topic_znode(...)}``; a topic that disappeared meanwhile is left out."""
    found = read_znodes(zk, chroot, "/brokers/topics", topics)
    return {topic: parse_topic_znode(data, topic) for topic, (_path, data) in found.items() if data is not None}


def read_pending(zk, chroot):
    """Parsed ``/admin/reassign_partitions`` (empty when no ZooKeeper-triggered reassignment runs)."""
    data = read_znode(zk, zookeeper_path(chroot, REASSIGN_ZNODE))
    return {} if data is None else parse_reassign_znode(data)


def start_reassignment(zk, chroot, moves, secured):
    """Create ``/admin/reassign_partitions``; the controller picks it up and deletes it when done."""
    _create_znode(
        zk,
        chroot,
        REASSIGN_ZNODE,
        reassignment_json(moves),
        secured,
        "another reassignment was started meanwhile; nothing was reassigned",
    )


def read_broker_throttles(zk, chroot, broker_ids):
    """``{broker: {key: value}}`` of the dynamic per-broker throttle rates in ``/config/brokers/<id>``."""
    found = read_znodes(zk, chroot, "/config/brokers", broker_ids)
    return {broker: parse_broker_throttles(data, path) for broker, (path, data) in found.items()}


def read_marker(zk, chroot):
    data = read_znode(zk, zookeeper_path(chroot, MARKER_ZNODE))
    return None if data is None else parse_marker(data)


def write_marker(zk, chroot, moves, restore, secured):
    _create_znode(
        zk,
        chroot,
        MARKER_ZNODE,
        marker_json(moves, restore),
        secured,
        "another kafka_reassign run started meanwhile; nothing was reassigned",
        makepath=True,
    )


def delete_marker(zk, chroot):
    path = zookeeper_path(chroot, MARKER_ZNODE)
    with translate_errors(f"delete {path} in ZooKeeper"):
        try:
            zk.delete(path)
        except NoNodeError:
            pass


# ---------------------------------------------------------------------------
# AdminClient (confluent-kafka) and the reassignment client (kafka-python)
# ---------------------------------------------------------------------------


def read_topic_throttles(admin, topics, timeout):
    """``{topic: {key: value or None}}`` of the topic-level throttled replica lists (dynamic only)."""
    if not topics:
        return {}
    action = f"describe the configuration of topics {sorted(topics)}"
    with translate_errors(action):
        resources = [ConfigResource(ResourceType.TOPIC, topic) for topic in sorted(topics)]
        futures = admin.describe_configs(resources, request_timeout=timeout)
        result = {}
        for resource, future in futures.items():
            entries = future.result()
            result[resource.name] = {}
            for key in TOPIC_THROTTLE_KEYS:
                entry = entries.get(key)
                source = getattr(entry, "source", None)
                dynamic = int(getattr(source, "value", source) or 0) == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
                result[resource.name][key] = entry.value if dynamic and entry.value else None
    return result


def _config_resource(kind, name, values):
    resource_type = dict(broker=ResourceType.BROKER, topic=ResourceType.TOPIC)[kind]
    entries = [
        ConfigEntry(key, None, incremental_operation=AlterConfigOpType.DELETE)
        if value is None
        else ConfigEntry(key, str(value), incremental_operation=AlterConfigOpType.SET)
        for key, value in sorted(values.items())
    ]
    return ConfigResource(resource_type, name, incremental_configs=entries)


def config_batches(changes):
    """Requests for ``changes``: each broker alone (librdkafka allows one BROKER resource per call,
    and the request must go to that broker), all topics together."""
    batches = [[change] for change in changes if change[0] == "broker"]
    topics = [change for change in changes if change[0] != "broker"]
    if topics:
        batches.append(topics)
    return batches


def alter_configs(admin, changes, timeout, action):
    """Apply ``(type, name, {key: value or None})`` changes with incremental_alter_configs (None = delete).

    Every change is tried; returns those that failed as ``[(change, reason)]``.
    """
    failures = []
    for batch in config_batches(changes):
        try:
            with translate_errors(action):
                resources = [(change, _config_resource(*change)) for change in batch]
                futures = admin.incremental_alter_configs([r for _c, r in resources], request_timeout=timeout)
                for change, resource in resources:
                    try:
                        futures[resource].result()
                    except KAFKA_ERRORS as e:
                        failures.append((change, error_reason(e)))
        except KafkaOpsError as e:
            failures.extend((change, e.reason) for change in batch)
    return failures


def cancel_reassignments(client, partitions, timeout):
    """Cancel the reassignments of ``[(topic, partition)]`` through the AlterPartitionReassignments API
    (kafka-python ``client``): each partition goes back to its original replicas; the controller also
    drops it from a reassignment started through ZooKeeper.

    Returns ``{cancelled, not_moving, failed: {label: reason}}``.
    """
    result = dict(cancelled=[], not_moving=[], failed={})
    if not partitions:
        return result
    # kafka-python is imported where it is used (KafkaModule.reassignment_client made ``client``).
    from kafka import TopicPartition as ReassignmentPartition  # pylint: disable=import-outside-toplevel
    from kafka.errors import KafkaError  # pylint: disable=import-outside-toplevel

    try:
        outcome = client.alter_partition_reassignments(
            {ReassignmentPartition(topic, p): None for topic, p in partitions}, timeout_ms=timeout * 1000
        )
    except KafkaError as e:
        raise KafkaOpsError("cancel the partition reassignment", exception=e, reason=str(e) or type(e).__name__) from e
    for topic, p in sorted(partitions):
        name = label(topic, p)
        error = outcome.get(ReassignmentPartition(topic, p), "no answer for this partition")
        if error is None:
            result["cancelled"].append(name)
        elif getattr(error, "__name__", "") == "NoReassignmentInProgressError":
            result["not_moving"].append(name)
        else:
            result["failed"][name] = to_native(getattr(error, "description", None) or getattr(error, "__name__", error))
    return result


def elect_preferred_leaders(admin, partitions, timeout):
    """Preferred leader election for ``[(topic, partition)]``.

    Returns ``{elected, not_needed, failed}``: labels, and ``{label: reason}``.
    """
    result = dict(elected=[], not_needed=[], failed={})
    if not partitions:
        return result
    with translate_errors("elect preferred leaders"):
        # No request_timeout/operation_timeout: confluent-kafka 2.16.1 raises SystemError for any
        # keyword argument of elect_leaders; socket.timeout.ms (request_timeout) bounds it instead.
        future = admin.elect_leaders(ElectionType.PREFERRED, [TopicPartition(topic, p) for topic, p in partitions])
        outcome = future.result(timeout=timeout + 5)
    for tp, error in sorted(outcome.items(), key=lambda item: (item[0].topic, item[0].partition)):
        name = label(tp.topic, tp.partition)
        if error is None:
            result["elected"].append(name)
        elif kafka_error_code(error) == "ELECTION_NOT_NEEDED":
            result["not_needed"].append(name)
        else:
            result["failed"][name] = error_reason(error)
    return result
