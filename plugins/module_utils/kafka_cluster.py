# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Cluster state: metadata, partition health, broker membership, topics.

Readers call the client libraries inside ``translate_errors``; everything that
computes something from what was read is a pure function (unit tested with
fake metadata objects shaped like confluent_kafka's ClusterMetadata).
"""

from __future__ import annotations

import json

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KAFKA_ERRORS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import kafka_error_code
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import poll_until
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import translate_errors

try:
    from confluent_kafka.admin import NewTopic
except ImportError:
    pass  # KafkaModule reports the missing library.

try:
    from kazoo.exceptions import NoNodeError
except ImportError:
    # KafkaModule.zookeeper() reports the missing library before this is needed.
    class NoNodeError(Exception):
        """Placeholder, never raised without kazoo."""


# ---------------------------------------------------------------------------
# Pure functions
# ---------------------------------------------------------------------------


def partition_label(topic, partition):
    return f"{topic}-{partition}"


def partition_health(metadata):
    """Count under-replicated and offline partitions in a ClusterMetadata.

    Same definitions as ``kafka-topics.sh --describe``:
    under-replicated means fewer in-sync replicas than assigned replicas (an
    offline partition usually is under-replicated as well); offline means no
    leader (``leader`` is -1).
    """
    under_replicated = []
    offline = []
    partition_count = 0
    for topic in sorted(metadata.topics):
        partitions = metadata.topics[topic].partitions
        for partition_id in sorted(partitions):
            partition = partitions[partition_id]
            partition_count += 1
            label = partition_label(topic, partition_id)
            if partition.leader is None or partition.leader < 0:
                offline.append(label)
            if len(partition.isrs) < len(partition.replicas):
                under_replicated.append(label)
    return dict(
        topic_count=len(metadata.topics),
        partition_count=partition_count,
        under_replicated_partitions=len(under_replicated),
        under_replicated_partition_list=under_replicated,
        offline_partitions=len(offline),
        offline_partition_list=offline,
    )


def compare_broker_ids(expected, actual):
    """``{missing, unexpected}``: sorted ids expected but absent / present but not expected."""
    expected = set(expected)
    actual = set(actual)
    return dict(missing=sorted(expected - actual), unexpected=sorted(actual - expected))


def broker_membership_check(expected, views):
    """Compare each view of the live brokers with ``expected``.

    ``views`` maps a view name (``admin_client``, ``zookeeper``) to its list of
    broker ids; views that are None (not queried) are skipped.
    Returns ``(check, problems)``: ``check`` maps each view to its
    ``{missing, unexpected}``; ``problems`` is a list of readable sentences,
    empty when every view matches.
    """
    check = {}
    problems = []
    for name, ids in views.items():
        if ids is None:
            continue
        result = compare_broker_ids(expected, ids)
        check[name] = result
        parts = []
        if result["missing"]:
            parts.append(f"missing broker ids {result['missing']}")
        if result["unexpected"]:
            parts.append(f"unexpected broker ids {result['unexpected']}")
        if parts:
            problems.append(f"{VIEW_LABELS.get(name, name)} reports {' and '.join(parts)} (sees {sorted(ids)})")
    return check, problems


VIEW_LABELS = dict(admin_client="AdminClient (describe_cluster)", zookeeper="ZooKeeper (/brokers/ids)")


def broker_membership_message(expected, problems):
    return f"Live brokers do not match expected_broker_ids {sorted(set(expected))}: {'; '.join(problems)}"


def zookeeper_path(chroot, path):
    """Join a Kafka chroot (``/kafka``, ``kafka/``, ``/`` or empty) and an absolute path."""
    chroot = "/" + (chroot or "").strip("/")
    if chroot == "/":
        return path
    return chroot + path


def parse_broker_ids(children):
    """Broker ids from the children of ``/brokers/ids`` (strings), sorted as ints."""
    return sorted(int(child) for child in children if to_native(child).isdigit())


def parse_controller_id(data):
    """Broker id from the JSON in ZooKeeper's ``/controller`` znode, or None."""
    if not data:
        return None
    try:
        value = json.loads(to_native(data))
    except ValueError:
        return None
    if isinstance(value, dict) and isinstance(value.get("brokerid"), int):
        return value["brokerid"]
    return None


def topic_state(metadata, name):
    """``{name, partitions, replication_factor}`` of topic ``name``, or None if absent."""
    topic = metadata.topics.get(name)
    if topic is None:
        return None
    if topic.error is not None and kafka_error_code(topic.error) == "UNKNOWN_TOPIC_OR_PART":
        return None
    partitions = topic.partitions
    replication_factor = max((len(p.replicas) for p in partitions.values()), default=0)
    return dict(name=name, partitions=len(partitions), replication_factor=replication_factor)


def topic_is_ready(metadata, name, partitions):
    """True when the topic has ``partitions`` partitions and each has a leader."""
    topic = metadata.topics.get(name)
    if topic is None or len(topic.partitions) < partitions:
        return False
    return all(p.leader is not None and p.leader >= 0 for p in topic.partitions.values())


def replication_factor_problem(replication_factor, live_broker_ids):
    """A message when the topic cannot be created with that RF, else None."""
    live = sorted(live_broker_ids)
    if replication_factor > len(live):
        return (
            f"replication_factor {replication_factor} is greater than the number of live brokers ({len(live)}: {live})"
        )
    return None


# ---------------------------------------------------------------------------
# Readers and writers
# ---------------------------------------------------------------------------


@translate_errors("read cluster metadata")
def cluster_metadata(admin, timeout):
    """Full ClusterMetadata (all topics). Never triggers topic auto-creation."""
    return admin.list_topics(timeout=timeout)


def zookeeper_broker_ids(zk, chroot):
    """Sorted broker ids registered under ``<chroot>/brokers/ids``."""
    path = zookeeper_path(chroot, "/brokers/ids")
    with translate_errors(f"list {path} in ZooKeeper"):
        try:
            return parse_broker_ids(zk.get_children(path))
        except NoNodeError as e:
            raise KafkaOpsError(
                f"list {path} in ZooKeeper",
                exception=e,
                reason="the znode does not exist (check zookeeper_chroot)",
            ) from e


def zookeeper_controller_id(zk, chroot):
    """Broker id of the active controller according to ``<chroot>/controller``, or None."""
    path = zookeeper_path(chroot, "/controller")
    with translate_errors(f"read {path} in ZooKeeper"):
        try:
            data, _stat = zk.get(path)
        except NoNodeError:
            return None
    return parse_controller_id(data)


def create_topic(admin, name, partitions, replication_factor, config, timeout):
    """Create a topic; returns False if it already existed (lost a race), else True."""
    action = f"create topic {name}"
    with translate_errors(action):
        new_topic = NewTopic(
            name,
            num_partitions=partitions,
            replication_factor=replication_factor,
            config={key: to_native(value) for key, value in (config or {}).items()},
        )
        futures = admin.create_topics([new_topic], operation_timeout=timeout, request_timeout=timeout)
        try:
            futures[name].result()
        except KAFKA_ERRORS as e:
            if kafka_error_code(e) == "TOPIC_ALREADY_EXISTS":
                return False
            raise
    return True


def wait_for_topic(admin, name, partitions, timeout, request_timeout):
    """Re-read metadata until every partition of the new topic has a leader."""
    return poll_until(
        lambda: cluster_metadata(admin, request_timeout),
        lambda metadata: topic_is_ready(metadata, name, partitions),
        timeout,
        f"wait for topic {name}",
        lambda metadata: f"its {partitions} partition(s) did not all get a leader within {timeout}s",
    )
