# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An in-memory Kafka cluster for the kafka_reassign module tests: the confluent-kafka AdminClient (metadata, configs,
election) and kafka-python's admin client (the reassignment API, API versions), sharing one controller
(importable: conftest.py's folder is on sys.path).

The controller answers as Kafka does (measured on the loopback clusters, Kafka 3.9.2 in ZooKeeper mode and 4.3.1 in
KRaft mode): AlterPartitionReassignments refuses per partition a replica list naming a broker that is not registered
(INVALID_REPLICA_ASSIGNMENT), a broker twice or a negative id, an unknown topic or partition
(UNKNOWN_TOPIC_OR_PARTITION) and the cancel of a partition that is not moving (NO_REASSIGNMENT_IN_PROGRESS);
kafka-python itself refuses an empty list. A reassignment of a partition already moving replaces it; a cancelled one
goes back to its replica list without the replicas being added. While a partition
moves, its replica list is the target followed by the replicas being removed; the move completes after ``delay``
listings of the reassignments. With ``metadata_lag`` the brokers' metadata shows a partition's previous replica list
for one more read after each change (as a broker's cache can).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")
kafka_errors = pytest.importorskip("kafka.errors")

from confluent_kafka.admin import AlterConfigOpType  # noqa: E402
from confluent_kafka.admin import ConfigSource  # noqa: E402
from confluent_kafka.admin import ResourceType  # noqa: E402
from kafka import TopicPartition as KafkaPythonPartition  # noqa: E402
from kafka_fakes import done  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException

RATE_KEYS = ("leader.replication.throttled.rate", "follower.replication.throttled.rate")
REPLICA_KEYS = ("leader.replication.throttled.replicas", "follower.replication.throttled.replicas")
ON_THREE = {"0": [0, 1], "1": [1, 2], "2": [2, 0], "3": [0, 2], "4": [1, 0], "5": [2, 1]}
KRAFT_API_VERSIONS = {0: (0, 11), 45: (0, 0), 46: (0, 0), 55: (0, 2)}
ZOOKEEPER_API_VERSIONS = {0: (0, 11), 45: (0, 0), 46: (0, 0)}


class FakeCluster:
    """Topics ``{topic: {"p": [replicas]}}``, live ``brokers``; ``registered`` brokers may be down (not live)."""

    def __init__(self, topics, brokers=(0, 1, 2, 3), registered=None, delay=2, complete=True, kraft=False):
        self.topics = {t: {int(p): list(r) for p, r in parts.items()} for t, parts in topics.items()}
        self.brokers = tuple(brokers)
        self.registered = set(registered if registered is not None else brokers)
        self.delay = delay
        self.complete = complete
        self.kraft = kraft
        self.metadata_lag = False
        self.shown = {}  # (topic, p) -> replicas the metadata shows for one more read
        self.moving = {}  # (topic, p) -> {"target": [...], "original": [...], "listings": n}
        self.broker_configs = {}
        self.topic_configs = {}
        self.started = []  # every accepted AlterPartitionReassignments target, in order
        self.cancelled = []

    # -- the controller ---------------------------------------------------------

    def _set(self, topic, p, replicas):
        if self.metadata_lag:
            self.shown[(topic, p)] = list(self.topics[topic][p])
        self.topics[topic][p] = list(replicas)

    def alter(self, topic, p, target):
        if topic not in self.topics or p not in self.topics[topic]:
            return kafka_errors.UnknownTopicOrPartitionError
        if target is None:
            move = self.moving.pop((topic, p), None)
            if move is None:
                return kafka_errors.NoReassignmentInProgressError
            # Kafka (both modes) reverts to the current replica list without the replicas being added: the original
            # replicas, in the order of the list during the move.
            adding = set(move["target"]) - set(move["original"])
            self._set(topic, p, [b for b in self.topics[topic][p] if b not in adding])
            self.cancelled.append((topic, p))
            return None
        if len(set(target)) != len(target) or any(b < 0 or b not in self.registered for b in target):
            return kafka_errors.InvalidReplicationAssignmentError
        if not self.kraft and any(b not in self.brokers for b in target):
            return kafka_errors.InvalidReplicationAssignmentError  # ZooKeeper mode: new replicas must be alive
        original = self.moving.get((topic, p), {}).get("original") or list(self.topics[topic][p])
        self.started.append((topic, p, list(target)))
        full = list(target) + [b for b in original if b not in target]
        if not set(target) - set(original):
            # Nothing to copy: done at once (replicas removed or reordered).
            self.moving.pop((topic, p), None)
            self._set(topic, p, target)
            return None
        self.moving[(topic, p)] = dict(target=list(target), original=original, listings=0)
        self._set(topic, p, full)
        return None

    def listing(self):
        for key, move in list(self.moving.items()):
            if not self.complete:
                continue
            move["listings"] += 1
            if move["listings"] >= self.delay:
                del self.moving[key]
                self._set(*key, move["target"])
        result = {}
        for (topic, p), move in self.moving.items():
            full = self.topics[topic][p]
            result[KafkaPythonPartition(topic, p)] = dict(
                replicas=list(full),
                adding_replicas=[b for b in move["target"] if b not in move["original"]],
                removing_replicas=[b for b in move["original"] if b not in move["target"]],
            )
        return result

    def start_moving(self, topic, p, target):
        """A reassignment started by someone else."""
        assert self.alter(topic, p, list(target)) is None

    def metadata(self):
        topics = {}
        for topic, parts in self.topics.items():
            partitions = {}
            for p, replicas in parts.items():
                shown = self.shown.pop((topic, p), replicas)
                partitions[p] = SimpleNamespace(id=p, replicas=list(shown), leader=shown[0], isrs=list(shown))
            topics[topic] = SimpleNamespace(topic=topic, partitions=partitions, error=None)
        return SimpleNamespace(topics=topics)

    def partitions(self, topic):
        return {str(p): list(r) for p, r in sorted(self.topics[topic].items())}

    def throttles(self):
        """Every throttle config still set, on brokers or topics."""
        found = {}
        for broker, config in sorted(self.broker_configs.items()):
            config = {k: v for k, v in config.items() if k in RATE_KEYS}
            if config:
                found[f"broker {broker}"] = config
        for topic, config in sorted(self.topic_configs.items()):
            config = {k: v for k, v in config.items() if k in REPLICA_KEYS}
            if config:
                found[f"topic {topic}"] = config
        return found


class FakeAdmin:
    """confluent-kafka's AdminClient on ``cluster``."""

    def __init__(self, cluster, racks=None, fail_alter=None, stale_reads=0):
        self.cluster = cluster
        self.racks = racks or {}
        self.fail_alter = fail_alter
        # As a ZooKeeper-mode broker: after a change to its configs, the next ``stale_reads`` describes of that
        # broker still answer with the configs from before (it takes the change when its notification arrives).
        self.stale_reads = stale_reads
        self.stale = {}
        self.alter_calls = []
        self.elections = []

    def describe_cluster(self, request_timeout, include_authorized_operations=False):
        nodes = [
            SimpleNamespace(id=b, host=f"kafka-{b}", port=9092, rack=self.racks.get(b)) for b in self.cluster.brokers
        ]
        return done(SimpleNamespace(cluster_id="cid", controller=nodes[0], nodes=nodes))

    def poll(self, timeout):
        return 0

    def list_topics(self, timeout):
        return self.cluster.metadata()

    def describe_configs(self, resources, request_timeout):
        brokers = [r for r in resources if r.restype == ResourceType.BROKER]
        assert len(brokers) <= 1, "librdkafka describes one BROKER resource per call"
        result = {}
        for resource in resources:
            if resource.restype == ResourceType.BROKER:
                if int(resource.name) not in self.cluster.brokers:
                    error = KafkaException(KafkaError(KafkaError._TRANSPORT, f"broker {resource.name} is down"))
                    result[resource] = done(exception=error)
                    continue
                config = self.cluster.broker_configs.get(int(resource.name), {})
                old, reads = self.stale.get(int(resource.name), (None, 0))
                if reads:
                    config = old
                    self.stale[int(resource.name)] = (old, reads - 1)
                keys, source = RATE_KEYS, ConfigSource.DYNAMIC_BROKER_CONFIG
                # Kafka describes an unset throttle rate not at all.
                keys = [k for k in keys if k in config]
            else:
                if resource.name not in self.cluster.topics:
                    error = KafkaException(KafkaError(KafkaError.UNKNOWN_TOPIC_OR_PART, "unknown topic"))
                    result[resource] = done(exception=error)
                    continue
                config, keys, source = (
                    self.cluster.topic_configs.get(resource.name, {}),
                    REPLICA_KEYS,
                    ConfigSource.DYNAMIC_TOPIC_CONFIG,
                )
            entries = {
                key: SimpleNamespace(
                    value=config.get(key, ""),
                    source=(source if key in config else ConfigSource.DEFAULT_CONFIG).value,
                )
                for key in keys
            }
            entries["retention.ms"] = SimpleNamespace(value="604800000", source=ConfigSource.DEFAULT_CONFIG.value)
            result[resource] = done(entries)
        return result

    def incremental_alter_configs(self, resources, request_timeout):
        brokers = [r for r in resources if r.restype == ResourceType.BROKER]
        if len(brokers) > 1:  # librdkafka refuses this
            error = KafkaException(KafkaError(KafkaError._CONFLICT, "Only one ConfigResource of type BROKER"))
            return {r: done(exception=error) for r in resources}
        result = {}
        for resource in resources:
            changes = {
                e.name: (e.value if e.incremental_operation == AlterConfigOpType.SET else None)
                for e in resource.incremental_configs
            }
            self.alter_calls.append((resource.restype.name.lower(), resource.name, changes))
            if self.fail_alter and self.fail_alter(resource, changes):
                result[resource] = done(exception=KafkaException(KafkaError(KafkaError.POLICY_VIOLATION, "refused")))
                continue
            if resource.restype == ResourceType.BROKER:
                if int(resource.name) not in self.cluster.brokers:
                    # As a real cluster: the request has to go to that broker, which is down.
                    error = KafkaError(KafkaError._TRANSPORT, f"broker {resource.name} is not available")
                    result[resource] = done(exception=KafkaException(error))
                    continue
                config = self.cluster.broker_configs.setdefault(int(resource.name), {})
                if self.stale_reads:
                    self.stale[int(resource.name)] = (dict(config), self.stale_reads)
            else:
                config = self.cluster.topic_configs.setdefault(resource.name, {})
            for key, value in changes.items():
                if value is None:
                    config.pop(key, None)
                else:
                    config[key] = value
            result[resource] = done()
        return result

    def elect_leaders(self, election_type, partitions):
        self.elections.append([(tp.topic, tp.partition) for tp in partitions])
        errors = {}
        for i, tp in enumerate(partitions):
            errors[tp] = None if i == 0 else KafkaError(KafkaError.ELECTION_NOT_NEEDED, "not needed")
        return done(errors)


class FakeReassignmentClient:
    """kafka-python's KafkaAdminClient on ``cluster``: the reassignment API and the API versions."""

    def __init__(self, cluster):
        self.cluster = cluster
        self.requests = []

    def api_versions(self):
        return dict(KRAFT_API_VERSIONS if self.cluster.kraft else ZOOKEEPER_API_VERSIONS)

    def list_partition_reassignments(self, topic_partitions=None, timeout_ms=None):
        self.requests.append(("list", topic_partitions))
        return self.cluster.listing()

    def alter_partition_reassignments(self, reassignments, timeout_ms=None):
        for tp, replicas in reassignments.items():
            if replicas is not None and not replicas:
                raise ValueError(f"Replica list for {tp} must be non-empty; use None to cancel a reassignment.")
        self.requests.append(("alter", {(tp.topic, tp.partition): r for tp, r in reassignments.items()}))
        return {tp: self.cluster.alter(tp.topic, tp.partition, replicas) for tp, replicas in reassignments.items()}
