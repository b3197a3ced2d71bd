# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What kafka_topic_info returns about a topic (pure): selection, partitions, health, config view."""

from __future__ import annotations

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import partition_replication
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_config import is_dynamic_topic_config
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_config import source_name
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_plan import is_internal


def partition_details(name, topic_metadata, reassignments=None):
    """Per partition ``{partition, leader, replicas, isr, offline, under_replicated, reassigning,
    adding_replicas, removing_replicas}``, sorted; under-replicated as ``kafka-topics.sh`` counts it
    (fewer in-sync replicas than the replication factor, replicas being added not counted)."""
    details = []
    for partition_id in sorted(topic_metadata.partitions):
        partition = topic_metadata.partitions[partition_id]
        leader = partition.leader if partition.leader is not None and partition.leader >= 0 else None
        replication = partition_replication(name, partition_id, partition, reassignments)
        details.append(
            dict(
                partition=partition_id,
                leader=leader,
                replicas=list(partition.replicas),
                isr=list(partition.isrs),
                offline=leader is None,
                under_replicated=len(partition.isrs) < replication["replication_factor"],
                reassigning=bool(replication["adding"] or replication["removing"]),
                adding_replicas=replication["adding"],
                removing_replicas=replication["removing"],
                replication_factor=replication["replication_factor"],
            )
        )
    return details


def select_topics(available, names=None, pattern=None, exclude_internal=False):
    """Sorted names of ``available`` that pass the filters (``pattern`` is a compiled regex, full match)."""
    selected = set(available)
    if names is not None:
        selected &= set(names)
    if pattern is not None:
        selected = {name for name in selected if pattern.fullmatch(name)}
    if exclude_internal:
        selected = {name for name in selected if not is_internal(name)}
    return sorted(selected)


def topic_info(name, topic_metadata, reassignments=None):
    """Partitions, leaders, replicas and ISR of one topic (``config`` is added by ``config_view``).

    Counted like ``kafka-topics.sh --describe``: replicas being added by a reassignment in progress
    (``reassignments``, see ``kafka_cluster.list_reassignments``) count neither in the replication
    factor nor as missing from the in-sync replicas.
    """
    partitions = partition_details(name, topic_metadata, reassignments)
    replication_factor = max((p.pop("replication_factor") for p in partitions), default=0)
    return dict(
        name=name,
        internal=is_internal(name),
        partitions=len(partitions),
        replication_factor=replication_factor,
        under_replicated_partitions=sum(1 for p in partitions if p["under_replicated"]),
        offline_partitions=sum(1 for p in partitions if p["offline"]),
        reassigning_partitions=sum(1 for p in partitions if p["reassigning"]),
        partition_details=partitions,
    )


def config_view(entries, include_defaults=False):
    """``{config[, config_sources]}`` from DescribeConfigs ``{key: (value, source)}``.

    Without ``include_defaults`` only the topic's own overrides (``DYNAMIC_TOPIC_CONFIG``).
    """
    items = sorted(entries.items())
    if not include_defaults:
        return dict(config={key: value for key, (value, source) in items if is_dynamic_topic_config(source)})
    return dict(
        config={key: value for key, (value, _source) in items},
        config_sources={key: source_name(source) for key, (_value, source) in items},
    )


def health_filter(info, under_replicated=False, offline=False):
    """True when ``info`` passes the partition health filters (either one when both are set)."""
    if not under_replicated and not offline:
        return True
    return (under_replicated and info["under_replicated_partitions"] > 0) or (
        offline and info["offline_partitions"] > 0
    )
