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

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import poll_until
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KAFKA_ERRORS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import kafka_error_code
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import translate_errors

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


def partition_replication(topic, partition_id, partition, reassignments=None):
    """``{replication_factor, adding, removing}`` of one partition, counted like Kafka's ``TopicCommand``.

    During a reassignment the metadata lists every replica, the ones being added included; the
    replication factor is the replicas minus the adding replicas (what the partition has until the
    move completes). ``reassignments`` is ``list_reassignments`` output. An entry counts only while the
    metadata lists all of its adding and removing replicas: a move that completed (or was cancelled)
    since it was listed shows its final (or its original) replicas, which are the replication factor.
    """
    replicas = list(partition.replicas)
    entry = (reassignments or {}).get((topic, partition_id))
    if entry:
        adding = list(entry["adding"])
        removing = list(entry["removing"])
        if (adding or removing) and set(adding) | set(removing) <= set(replicas):
            return dict(replication_factor=len(replicas) - len(adding), adding=adding, removing=removing)
    return dict(replication_factor=len(replicas), adding=[], removing=[])


def partition_health(metadata, reassignments=None):
    """Count under-replicated, offline and reassigning partitions in a ClusterMetadata.

    Same definitions as ``kafka-topics.sh --describe`` (and the brokers' UnderReplicatedPartitions
    metric): under-replicated means fewer in-sync replicas than the replication factor, which
    during a reassignment does not count the replicas being added (``reassignments``, see
    ``partition_replication``); an offline partition usually is under-replicated as well; offline
    means no leader (``leader`` is -1); reassigning means a reassignment is adding or removing
    replicas of it.
    """
    under_replicated = []
    offline = []
    reassigning = []
    partition_count = 0
    for topic in sorted(metadata.topics):
        partitions = metadata.topics[topic].partitions
        for partition_id in sorted(partitions):
            partition = partitions[partition_id]
            partition_count += 1
            label = partition_label(topic, partition_id)
            replication = partition_replication(topic, partition_id, partition, reassignments)
            if partition.leader is None or partition.leader < 0:
                offline.append(label)
            if len(partition.isrs) < replication["replication_factor"]:
                under_replicated.append(label)
            if replication["adding"] or replication["removing"]:
                reassigning.append(label)
    return dict(
        topic_count=len(metadata.topics),
        partition_count=partition_count,
        under_replicated_partitions=len(under_replicated),
        under_replicated_partition_list=under_replicated,
        offline_partitions=len(offline),
        offline_partition_list=offline,
        reassigning_partitions=len(reassigning),
        reassigning_partition_list=reassigning,
    )


def may_be_reassigning(topic_metadata):
    """True when a topic's metadata could show a reassignment in progress, so that asking for the
    reassignments is worth a request: a partition whose replicas are not all in sync (replicas being
    added that have not caught up) or partitions with different replica counts."""
    partitions = list(topic_metadata.partitions.values())
    counts = {len(p.replicas) for p in partitions}
    return len(counts) > 1 or any(len(p.isrs) < len(p.replicas) for p in partitions)


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


def read_znode(zk, path):
    """The data of the znode at ``path`` (bytes), or None when it does not exist."""
    with translate_errors(f"read {path} in ZooKeeper"):
        try:
            data, _stat = zk.get(path)
        except NoNodeError:
            return None
    return data


def parse_broker_ids(children):
    """Broker ids from the children of ``/brokers/ids`` (strings), sorted as ints."""
    return sorted(int(child) for child in children if to_native(child).isdigit())


def parse_json_znode(data):
    """The JSON object in a znode's data, or None (no znode, empty or not an object)."""
    if not data:
        return None
    try:
        value = json.loads(to_native(data))
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def parse_controller_id(data):
    """Broker id from the JSON in ZooKeeper's ``/controller`` znode, or None."""
    value = parse_json_znode(data) or {}
    if isinstance(value.get("brokerid"), int):
        return value["brokerid"]
    return None


def topic_state(metadata, name, reassignments=None):
    """``{name, partitions, replication_factor}`` of topic ``name``, or None if absent.

    ``replication_factor`` is counted like ``kafka-topics.sh`` (``partition_replication``: replicas
    being added by a reassignment, given in ``reassignments``, do not count). A topic with a
    reassignment in progress also has ``reassigning`` (its partitions that are moving) and
    ``target_replication_factor`` (the replication factor once the move completed).
    """
    topic = metadata.topics.get(name)
    if topic is None:
        return None
    if topic.error is not None and kafka_error_code(topic.error) == "UNKNOWN_TOPIC_OR_PART":
        return None
    partitions = topic.partitions
    replications = {p: partition_replication(name, p, partitions[p], reassignments) for p in partitions}
    state = dict(
        name=name,
        partitions=len(partitions),
        replication_factor=max((r["replication_factor"] for r in replications.values()), default=0),
    )
    moving = sorted(p for p, r in replications.items() if r["adding"] or r["removing"])
    if moving:
        state["reassigning"] = moving
        state["target_replication_factor"] = max(
            len(partitions[p].replicas) - len(r["removing"]) for p, r in replications.items()
        )
    return state


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


# Errors of ListPartitionReassignments after which ``kafka-topics.sh`` goes on without
# reassignment data (TopicCommand.listAllReassignments): the principal may not describe the
# cluster, or the broker is too old (before Kafka 2.4).
REASSIGNMENT_LIST_UNAVAILABLE = (
    "ClusterAuthorizationFailedError",
    "UnsupportedVersionError",
    "IncompatibleBrokerVersion",
)


def list_reassignments(client, topic_partitions, timeout):
    """``{(topic, partition): {adding, removing}}`` of the reassignments in progress, through the
    ListPartitionReassignments API (kafka-python ``client``, ``KafkaModule.reassignment_client``);
    ``topic_partitions`` is ``{topic: [partition ids]}`` or None for every topic.

    Returns None when the cluster does not tell (see ``REASSIGNMENT_LIST_UNAVAILABLE``).
    """
    # kafka-python is imported where it is used: loading it costs time every module would pay.
    from kafka.errors import KafkaError  # pylint: disable=import-outside-toplevel

    action = "list the partition reassignments in progress"
    try:
        answer = client.list_partition_reassignments(topic_partitions=topic_partitions, timeout_ms=timeout * 1000)
    except KafkaError as e:
        if type(e).__name__ in REASSIGNMENT_LIST_UNAVAILABLE:
            return None
        raise KafkaOpsError(action, exception=e, reason=to_native(str(e) or type(e).__name__)) from e
    return {
        (tp.topic, tp.partition): dict(
            adding=[int(b) for b in entry.get("adding_replicas") or []],
            removing=[int(b) for b in entry.get("removing_replicas") or []],
        )
        for tp, entry in answer.items()
    }


def read_reassignments(module, admin, metadata, names=None, force=False):
    """The reassignments in progress of topics ``names`` (all topics when None), read only when the
    metadata shows a topic that may be moving (``may_be_reassigning``) or ``force`` is set.

    Returns ``(metadata, reassignments, warning)``: ``reassignments`` is ``list_reassignments`` output
    (``{}`` when not read), or None with a ``warning`` when the cluster does not tell. When they were
    read, ``metadata`` is read again after them (with ``admin``): a move that completes between the
    two reads then shows its final replicas, which ``partition_replication`` recognises. With the
    metadata read before the list, that move showed the old and new replicas together and no entry
    explained them (a topic of 3 replicas moving off two brokers counted 5, and a scale-down of
    such a cluster was refused).
    """
    if names is None:
        names = list(metadata.topics)
    present = [name for name in names if metadata.topics.get(name) is not None]
    if not force and not any(may_be_reassigning(metadata.topics[name]) for name in present):
        return metadata, {}, None
    if not present:
        return metadata, {}, None
    topic_partitions = {name: sorted(metadata.topics[name].partitions) for name in present}
    reassignments = list_reassignments(module.reassignment_client(), topic_partitions, module.params["request_timeout"])
    if reassignments is None:
        return (
            metadata,
            None,
            (
                "the cluster did not list its partition reassignments (the principal needs DESCRIBE on the cluster): "
                "replicas being added by a reassignment in progress are counted in the replication factor"
            ),
        )
    return cluster_metadata(admin, module.params["request_timeout"]), reassignments, None


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
    data = read_znode(zk, zookeeper_path(chroot, "/controller"))
    return None if data is None else parse_controller_id(data)


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
