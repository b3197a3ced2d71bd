# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The in-memory cluster of the kafka_topic / kafka_topic_info main() tests (importable: conftest.py's folder is
on sys.path); it skips the importing test module without confluent_kafka."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from confluent_kafka import TopicPartition  # noqa: E402
from confluent_kafka.admin import AclOperation  # noqa: E402
from confluent_kafka.admin import AlterConfigOpType  # noqa: E402
from confluent_kafka.admin import ConfigEntry  # noqa: E402
from confluent_kafka.admin import ConfigSource  # noqa: E402
from confluent_kafka.admin import ResourceType  # noqa: E402
from kafka_fakes import done  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException

PASSWORD = "topic-admin-pw-7c1"

# Topic config defaults of the fake broker, with a validator per key (like LogConfig).
DEFAULTS = {
    "retention.ms": "604800000",
    "segment.ms": "604800000",
    "segment.bytes": "1073741824",
    "cleanup.policy": "delete",
    "min.insync.replicas": "2",
    "unclean.leader.election.enable": "false",
}
STATIC = {"min.insync.replicas"}  # set in server.properties


def _valid(key, value):
    if key == "cleanup.policy":
        return all(part.strip() in ("compact", "delete") for part in value.split(","))
    if key == "unclean.leader.election.enable":
        return value.lower() in ("true", "false")
    return re.fullmatch(r"-?\d+", value.strip()) is not None


def failed(code, message):
    return done(exception=KafkaException(KafkaError(code, message)))


class FakeTopicAdmin:
    """Topics as ``{name: {partitions, rf, config}}``; records every request."""

    def __init__(
        self,
        broker_ids=(0, 1, 2),
        topics=None,
        leaderless_reads=0,
        fail_create=(),
        deleting_reads=0,
        moving=None,
        broker_config=None,
        no_delete=(),
        fail_delete=(),
    ):
        self.broker_ids = list(broker_ids)
        # Broker configuration read by DescribeConfigs (cluster DESCRIBE_CONFIGS denied when None is given
        # for the key "denied"), topics the principal may not delete, deletions that fail although allowed.
        self.broker_config = dict(
            {"num.partitions": "1", "default.replication.factor": "2", "min.insync.replicas": "2"},
            **(broker_config or {}),
        )
        self.no_delete = set(no_delete)
        self.fail_delete = set(fail_delete)
        # Reassignments in progress, {(topic, partition): (adding, removing)}: the metadata lists the
        # adding replicas too (after the others), which have not caught up (not in the ISR).
        self.moving = dict(moving or {})
        self.topics = {}
        for name, (partitions, rf, config) in (topics or {}).items():
            self.topics[name] = dict(partitions=partitions, rf=rf, config=dict(config))
        self.requests = []
        self.leaderless_reads = leaderless_reads
        self.fail_create = set(fail_create)
        self.new = set()
        # ZooKeeper mode: a deleted topic stays "marked for deletion" for a while.
        self.deleting_reads = deleting_reads
        self.deleting = set()

    # -- reads -----------------------------------------------------------------

    def describe_cluster(self, request_timeout):
        nodes = [SimpleNamespace(id=i, host=f"kafka-{i}", port=9092, rack=None) for i in self.broker_ids]
        return done(SimpleNamespace(cluster_id="cid", controller=nodes[0], nodes=nodes))

    def poll(self, timeout):
        return 0

    def list_offsets(self, request, isolation_level=None, request_timeout=None):
        """Partition p of a topic holds offsets [p, 10 * (p + 1)); partition 1 of "payments" has no leader."""
        self.requests.append(("list_offsets", None, sorted((tp.topic, tp.partition) for tp in request)))
        futures = {}
        for tp, spec in request.items():
            if tp.topic == "payments" and tp.partition == 1:
                futures[tp] = failed(KafkaError.LEADER_NOT_AVAILABLE, "Broker: Leader not available")
            else:
                latest = type(spec).__name__ == "LatestSpec"
                futures[tp] = done(SimpleNamespace(offset=10 * (tp.partition + 1) if latest else tp.partition))
        return futures

    def list_topics(self, timeout):
        self.requests.append(("list_topics", None, None))
        leaderless = self.leaderless_reads > 0
        self.leaderless_reads -= 1
        topics = {}
        for name, topic in self.topics.items():
            partitions = {}
            for i in range(topic["partitions"]):
                replicas = [self.broker_ids[(i + r) % len(self.broker_ids)] for r in range(topic["rf"])]
                leader = -1 if leaderless and name in self.new else replicas[0]
                adding, _removing = self.moving.get((name, i), ([], []))
                partitions[i] = SimpleNamespace(
                    id=i, leader=leader, replicas=replicas + list(adding), isrs=list(replicas), error=None
                )
            topics[name] = SimpleNamespace(topic=name, partitions=partitions, error=None)
        return SimpleNamespace(topics=topics)

    def describe_configs(self, resources, request_timeout):
        self.requests.append(("describe_configs", None, [r.name for r in resources]))
        result = {}
        for resource in resources:
            if resource.restype == ResourceType.BROKER:
                if self.broker_config.get("denied"):
                    result[resource] = failed(KafkaError.CLUSTER_AUTHORIZATION_FAILED, "Cluster authorization failed")
                    continue
                result[resource] = done(
                    {
                        key: ConfigEntry(key, value, source=ConfigSource.STATIC_BROKER_CONFIG)
                        for key, value in self.broker_config.items()
                    }
                )
                continue
            topic = self.topics.get(resource.name)
            if topic is None:
                result[resource] = failed(KafkaError.UNKNOWN_TOPIC_OR_PART, "This server does not host this topic")
                continue
            entries = {}
            for key, value in DEFAULTS.items():
                source = ConfigSource.STATIC_BROKER_CONFIG if key in STATIC else ConfigSource.DEFAULT_CONFIG
                entries[key] = ConfigEntry(key, value, source=source)
            for key, value in topic["config"].items():
                entries[key] = ConfigEntry(key, value, source=ConfigSource.DYNAMIC_TOPIC_CONFIG)
            result[resource] = done(entries)
        return result

    # -- writes ----------------------------------------------------------------

    def _config_problem(self, config):
        for key, value in config.items():
            if key not in DEFAULTS:
                return f"Unknown topic config name: {key}"
            if value is not None and not _valid(key, value):
                return f"Invalid value {value} for configuration {key}"
        return None

    def create_topics(self, new_topics, operation_timeout, request_timeout, validate_only=False):
        self.requests.append(("create_topics", validate_only, [t.topic for t in new_topics]))
        result = {}
        if operation_timeout <= 0:
            # What a KRaft controller (Kafka 4.3) does with a zero operation timeout: it answers without an
            # error and neither creates nor validates anything.
            return {t.topic: done() for t in new_topics}
        for t in new_topics:
            problem = self._config_problem(t.config or {})
            if t.topic in self.topics:
                result[t.topic] = failed(KafkaError.TOPIC_ALREADY_EXISTS, f"Topic '{t.topic}' already exists.")
            elif t.topic in self.deleting and self.deleting_reads > 0:
                self.deleting_reads -= 1
                result[t.topic] = failed(KafkaError.TOPIC_ALREADY_EXISTS, f"Topic '{t.topic}' is marked for deletion.")
            elif problem:
                result[t.topic] = failed(KafkaError.INVALID_CONFIG, problem)
            elif t.replication_factor > len(self.broker_ids):
                result[t.topic] = failed(KafkaError.INVALID_REPLICATION_FACTOR, "Replication factor too large")
            elif not validate_only and t.topic in self.fail_create:
                result[t.topic] = failed(KafkaError.POLICY_VIOLATION, "refused by policy")
            else:
                if not validate_only:
                    self.topics[t.topic] = dict(partitions=t.num_partitions, rf=t.replication_factor, config=t.config)
                    self.new.add(t.topic)
                result[t.topic] = done()
        return result

    def create_partitions(self, new_partitions, operation_timeout, request_timeout, validate_only=False):
        self.requests.append(("create_partitions", validate_only, [p.topic for p in new_partitions]))
        result = {}
        if operation_timeout <= 0:  # as create_topics: a KRaft controller does nothing
            return {p.topic: done() for p in new_partitions}
        for p in new_partitions:
            if not validate_only:
                self.topics[p.topic]["partitions"] = p.new_total_count
            result[p.topic] = done()
        return result

    def incremental_alter_configs(self, resources, request_timeout, validate_only=False):
        self.requests.append(("incremental_alter_configs", validate_only, [r.name for r in resources]))
        result = {}
        for resource in resources:
            changes = {e.name: e.value for e in resource.incremental_configs}
            problem = self._config_problem(changes)
            if problem:
                result[resource] = failed(KafkaError.INVALID_CONFIG, problem)
                continue
            if not validate_only:
                config = self.topics[resource.name]["config"]
                for e in resource.incremental_configs:
                    if e.incremental_operation == AlterConfigOpType.DELETE:
                        config.pop(e.name, None)
                    else:
                        config[e.name] = e.value
            result[resource] = done()
        return result

    def describe_topics(self, topics, request_timeout, include_authorized_operations=False):
        names = list(topics.topic_names)
        self.requests.append(("describe_topics", None, names))
        assert include_authorized_operations
        everything = ["ALTER", "ALTER_CONFIGS", "CREATE", "DELETE", "DESCRIBE", "DESCRIBE_CONFIGS", "READ", "WRITE"]
        result = {}
        for name in names:
            allowed = [op for op in everything if not (op == "DELETE" and name in self.no_delete)]
            operations = [getattr(AclOperation, op) for op in allowed]
            result[name] = done(SimpleNamespace(name=name, authorized_operations=operations))
        return result

    def delete_topics(self, topics, operation_timeout, request_timeout):
        self.requests.append(("delete_topics", False, list(topics)))
        result = {}
        for name in topics:
            if name in self.fail_delete or name in self.no_delete:
                result[name] = failed(KafkaError.TOPIC_AUTHORIZATION_FAILED, "Topic authorization failed")
                continue
            del self.topics[name]
            self.deleting.add(name)
            result[name] = done()
        return result

    def alter_configs(self, *args, **kwargs):
        raise AssertionError("the legacy AlterConfigs request must never be used")

    # -- helpers for assertions --------------------------------------------------

    def writes(self):
        reads = ("list_topics", "describe_configs", "list_partition_reassignments", "describe_topics")
        return [r for r in self.requests if r[0] not in reads and r[1] is False]

    def validations(self):
        return [r for r in self.requests if r[1] is True]


class FakeReassignmentClient:
    """kafka-python's KafkaAdminClient, ListPartitionReassignments only (of ``admin.moving``)."""

    def __init__(self, admin, error=None):
        self.admin = admin
        self.error = error

    def list_partition_reassignments(self, topic_partitions=None, timeout_ms=None):
        self.admin.requests.append(("list_partition_reassignments", None, topic_partitions))
        if self.error is not None:
            raise self.error
        return {
            TopicPartition(topic, p): dict(replicas=[], adding_replicas=list(adding), removing_replicas=list(removing))
            for (topic, p), (adding, removing) in self.admin.moving.items()
            if topic_partitions is None or p in topic_partitions.get(topic, ())
        }


CONNECTION = dict(
    bootstrap_servers=["kafka-0:9093"],
    security_protocol="SASL_PLAINTEXT",
    sasl_mechanism="PLAIN",
    sasl_username="admin",
    sasl_password=PASSWORD,
)
BASE = dict(CONNECTION, wait_timeout=2)
ORDERS = dict(name="orders", partitions=3, replication_factor=3, config={"retention.ms": 86400000})

# orders-0 moves from [0, 1, 2] to [3, 1, 2]: the metadata lists four replicas.
MOVING = {("orders", 0): ([3], [0])}


def topic_args(*topics, **extra):
    return dict(BASE, topics=list(topics), **extra)


def cluster_installer(monkeypatch):
    """``install(**kwargs)``: a FakeTopicAdmin behind KafkaModule's admin and reassignment clients."""

    def install(reassignment_error=None, **kwargs):
        admin = FakeTopicAdmin(**kwargs)
        admin.clients = 0

        def admin_client(module):
            admin.clients += 1
            return admin

        monkeypatch.setattr(KafkaModule, "admin_client", admin_client)
        monkeypatch.setattr(
            KafkaModule, "reassignment_client", lambda module: FakeReassignmentClient(admin, reassignment_error)
        )
        return admin

    return install
