# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Partition reassignment: every read and write of kafka_reassign, through Kafka's admin APIs only.

The one place for what confluent-kafka lacks: confluent-kafka (librdkafka, up to at least 2.16) has no binding for
the AlterPartitionReassignments / ListPartitionReassignments admin APIs (KIP-455), so these go through kafka-python's
``KafkaAdminClient`` (``KafkaModule.reassignment_client``: the same bootstrap servers, SASL and TLS options), which
sends them to the active controller. The APIs exist since Kafka 2.4 and work the same in ZooKeeper and KRaft mode, so
no ZooKeeper access is needed in either. Everything else goes through confluent-kafka's AdminClient: the replica lists
from the cluster metadata, the throttle configs (``describe_configs``, ``incremental_alter_configs``; since Kafka 3.x
a broker's dynamic throttle rates are returned by DescribeConfigs in both modes - measured on 3.9.2 in ZooKeeper mode
and 4.3.1 in KRaft mode) and the preferred leader election (``elect_leaders``).

What Kafka refuses, as measured on the loopback clusters (3.9.2 ZooKeeper, 4.3.1 KRaft): AlterPartitionReassignments
answers per partition INVALID_REPLICA_ASSIGNMENT for a replica list that names a broker id that is not registered
(or, in ZooKeeper mode, not alive), names a broker twice or a negative id; UNKNOWN_TOPIC_OR_PARTITION for a topic or
partition that does not exist; a cancel (no target) of a partition that is not moving answers
NO_REASSIGNMENT_IN_PROGRESS. A new reassignment of a partition already moving replaces the old one; reassignments of
different partitions run side by side.

Broker metadata follows the controller within moments: right after AlterPartitionReassignments a broker may still show
the old replica list while the controller already lists the reassignment, so a moving partition's replicas are taken
from the reassignment listing (``kafka_reassign_state.topic_states``).
"""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KAFKA_ERRORS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import error_reason
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import kafka_error_code
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import translate_errors
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import BROKER_THROTTLE_KEYS
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


# ---------------------------------------------------------------------------
# The reassignment API (kafka-python)
# ---------------------------------------------------------------------------


def _kafka_python_error_text(error):
    """``NAME (description)`` of a kafka-python error class or instance."""
    name = getattr(error, "message", None) or getattr(error, "__name__", None) or type(error).__name__
    description = getattr(error, "description", None)
    return to_native(f"{name} ({description})" if description else name)


def _kafka_python_call(action, call):
    # kafka-python is imported where it is used (KafkaModule.reassignment_client made the client).
    from kafka.errors import KafkaError  # pylint: disable=import-outside-toplevel

    try:
        return call()
    except KafkaError as e:
        reason = _kafka_python_error_text(e)
        if str(e) and str(e) not in reason:
            reason = f"{reason}: {to_native(str(e))}"
        raise KafkaOpsError(action, exception=e, reason=reason) from e


def list_reassignments(client, timeout):
    """``{(topic, partition): {replicas, adding, removing}}`` of every reassignment in progress
    (ListPartitionReassignments, answered by the active controller)."""
    answer = _kafka_python_call(
        "list the partition reassignments in progress",
        lambda: client.list_partition_reassignments(timeout_ms=timeout * 1000),
    )
    return {
        (tp.topic, tp.partition): dict(
            replicas=[int(b) for b in entry.get("replicas") or []],
            adding=[int(b) for b in entry.get("adding_replicas") or []],
            removing=[int(b) for b in entry.get("removing_replicas") or []],
        )
        for tp, entry in answer.items()
    }


def _alter_reassignments(client, targets, timeout, action):
    """AlterPartitionReassignments for ``{(topic, partition): replicas or None}``; ``{(topic, partition): error or
    None}`` (an error class, as kafka-python returns it; a partition without an answer gets a text)."""
    from kafka import TopicPartition as ReassignmentPartition  # pylint: disable=import-outside-toplevel

    outcome = _kafka_python_call(
        action,
        lambda: client.alter_partition_reassignments(
            {ReassignmentPartition(topic, p): replicas for (topic, p), replicas in targets.items()},
            timeout_ms=timeout * 1000,
        ),
    )
    return {
        (topic, p): outcome.get(ReassignmentPartition(topic, p), "no answer for this partition") for topic, p in targets
    }


def start_reassignment(client, moves, timeout):
    """Start the reassignment of ``moves`` (each partition to its ``to`` replicas, the first the preferred leader).

    Returns ``{started: [labels], failed: {label: reason}}``; the partitions Kafka accepted move even when others were
    refused.
    """
    targets = {(topic, p): list(move["to"]) for topic in sorted(moves) for p, move in sorted(moves[topic].items())}
    outcome = _alter_reassignments(client, targets, timeout, "reassign partitions")
    result = dict(started=[], failed={})
    for (topic, p), error in sorted(outcome.items()):
        if error is None:
            result["started"].append(label(topic, p))
        else:
            result["failed"][label(topic, p)] = f"{_kafka_python_error_text(error)}, target {targets[(topic, p)]}"
    return result


def cancel_reassignments(client, partitions, timeout):
    """Cancel the reassignments of ``[(topic, partition)]``: each partition goes back to its original replicas (the
    controller also drops it from a reassignment started through ZooKeeper).

    Returns ``{cancelled, not_moving, failed: {label: reason}}``.
    """
    result = dict(cancelled=[], not_moving=[], failed={})
    if not partitions:
        return result
    outcome = _alter_reassignments(
        client, {(topic, p): None for topic, p in partitions}, timeout, "cancel the partition reassignment"
    )
    for (topic, p), error in sorted(outcome.items()):
        name = label(topic, p)
        if error is None:
            result["cancelled"].append(name)
        elif getattr(error, "__name__", "") == "NoReassignmentInProgressError":
            result["not_moving"].append(name)
        else:
            result["failed"][name] = _kafka_python_error_text(error)
    return result


# ---------------------------------------------------------------------------
# Metadata and configs (confluent-kafka)
# ---------------------------------------------------------------------------


def read_assignment(admin, timeout):
    """``{topic: {partition: [replicas]}}`` of every topic in the cluster metadata (internal topics included)."""
    with translate_errors("read cluster metadata"):
        metadata = admin.list_topics(timeout=timeout)
    return {
        to_native(name): {p: [int(b) for b in partition.replicas] for p, partition in topic.partitions.items()}
        for name, topic in metadata.topics.items()
        if topic.error is None
    }


def _dynamic_values(entries, keys, source):
    result = {}
    for key in keys:
        entry = entries.get(key)
        if entry is None:
            continue
        found = getattr(entry, "source", None)
        if int(getattr(found, "value", found) or 0) == source.value and entry.value:
            result[key] = entry.value
    return result


def read_broker_throttles(admin, broker_ids, timeout):
    """``{broker: {key: value}}`` of the per-broker dynamic throttle rates (one request per broker: a broker's
    configs are described by that broker)."""
    result = {}
    for broker in broker_ids:
        with translate_errors(f"describe the configuration of broker {broker}"):
            resource = ConfigResource(ResourceType.BROKER, str(broker))
            futures = admin.describe_configs([resource], request_timeout=timeout)
            entries = futures[resource].result()
        result[broker] = _dynamic_values(entries, BROKER_THROTTLE_KEYS, ConfigSource.DYNAMIC_BROKER_CONFIG)
    return result


def read_topic_throttles(admin, topics, timeout):
    """``{topic: {key: value or None}}`` of the topic-level throttled replica lists (dynamic only); a topic deleted
    meanwhile is left out."""
    if not topics:
        return {}
    action = f"describe the configuration of {len(topics)} topic(s)"
    result = {}
    with translate_errors(action):
        resources = [ConfigResource(ResourceType.TOPIC, topic) for topic in sorted(topics)]
        futures = admin.describe_configs(resources, request_timeout=timeout)
        for resource, future in futures.items():
            try:
                entries = future.result()
            except KAFKA_ERRORS as e:
                if kafka_error_code(e) == "UNKNOWN_TOPIC_OR_PART":
                    continue
                raise
            found = _dynamic_values(entries, TOPIC_THROTTLE_KEYS, ConfigSource.DYNAMIC_TOPIC_CONFIG)
            result[resource.name] = {key: found.get(key) for key in TOPIC_THROTTLE_KEYS}
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
    """Requests for ``changes``, in their order: each broker alone (librdkafka allows one BROKER resource per call,
    and the request must go to that broker), consecutive topics together."""
    batches = []
    for change in changes:
        if change[0] != "broker" and batches and batches[-1][0][0] != "broker":
            batches[-1].append(change)
        else:
            batches.append([change])
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
