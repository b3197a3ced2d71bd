# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_topic and kafka_topic_info main() against an in-memory cluster (no network)."""

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
from ansible_collections.kafkaops.cluster.plugins.modules import kafka_topic  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.modules import kafka_topic_info  # noqa: E402

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


@pytest.fixture
def cluster(monkeypatch):
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


CONNECTION = dict(
    bootstrap_servers=["kafka-0:9093"],
    security_protocol="SASL_PLAINTEXT",
    sasl_mechanism="PLAIN",
    sasl_username="admin",
    sasl_password=PASSWORD,
)
BASE = dict(CONNECTION, wait_timeout=2)
ORDERS = dict(name="orders", partitions=3, replication_factor=3, config={"retention.ms": 86400000})


def topic_args(*topics, **extra):
    return dict(BASE, topics=list(topics), **extra)


# ---------------------------------------------------------------------------
# create / no-op / update / delete
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True])
def test_create_single_topic(run_module, cluster, check_mode):
    admin = cluster()
    failed_, result = run_module(kafka_topic.main, dict(BASE, **ORDERS), check_mode, diff=True)
    assert not failed_, result
    assert result["changed"] is True
    assert result["actions"] == ["orders: create (partitions=3, replication_factor=3, config retention.ms=86400000)"]
    after = dict(partitions=3, replication_factor=3, config={"retention.ms": "86400000"})
    assert result["topics"]["orders"] == dict(actions=[result["actions"][0][8:]], before=None, after=after)
    assert result["diff"] == dict(before={}, after={"orders": after})
    # the broker validated the creation in both modes
    assert admin.validations() == [("create_topics", True, ["orders"])]
    assert ("orders" in admin.topics) is not check_mode
    assert [w[0] for w in admin.writes()] == ([] if check_mode else ["create_topics"])
    assert PASSWORD not in str(result)


def test_no_op_rerun_sends_no_write_and_no_validation(run_module, cluster):
    admin = cluster(topics={"orders": (3, 3, {"retention.ms": "86400000"})})
    failed_, result = run_module(kafka_topic.main, dict(BASE, **ORDERS), diff=True)
    assert not failed_
    assert result["changed"] is False
    assert result["actions"] == []
    assert result["topics"]["orders"]["actions"] == []
    assert result["topics"]["orders"]["before"] == result["topics"]["orders"]["after"]
    assert result["diff"] == dict(before={}, after={})
    assert admin.writes() == [] and admin.validations() == []


@pytest.mark.parametrize(
    "config",
    [
        {"retention.ms": "86400000", "cleanup.policy": "delete"},
        {"retention.ms": 86400000, "cleanup.policy": ["delete"], "min.insync.replicas": 2},
        {"unclean.leader.election.enable": False, "segment.ms": 604800000},
    ],
)
def test_equal_after_normalization_is_no_op(run_module, cluster, config):
    admin = cluster(topics={"orders": (3, 3, {"retention.ms": "86400000"})})
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="orders", config=config))
    assert not failed_
    assert result["changed"] is False
    assert admin.writes() == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_update_partitions_and_config_incrementally(run_module, cluster, check_mode):
    admin = cluster(topics={"orders": (3, 3, {"retention.ms": "86400000", "segment.bytes": "1000000"})})
    args = dict(BASE, name="orders", partitions=6, config={"retention.ms": 3600000, "cleanup.policy": "compact"})
    failed_, result = run_module(kafka_topic.main, args, check_mode, diff=True)
    assert not failed_, result
    assert result["changed"] is True
    assert result["topics"]["orders"]["actions"] == [
        "add partitions (3 -> 6)",
        "set config cleanup.policy=compact (was delete)",
        "set config retention.ms=3600000 (was 86400000)",
    ]
    # the unlisted override stays; the diff shows only the changed keys
    assert result["topics"]["orders"]["after"]["config"] == {
        "cleanup.policy": "compact",
        "retention.ms": "3600000",
        "segment.bytes": "1000000",
    }
    assert result["diff"] == dict(
        before={"orders": dict(partitions=3, replication_factor=3, config={"retention.ms": "86400000"})},
        after={
            "orders": dict(
                partitions=6, replication_factor=3, config={"cleanup.policy": "compact", "retention.ms": "3600000"}
            )
        },
    )
    assert [v[0] for v in admin.validations()] == ["create_partitions", "incremental_alter_configs"]
    if check_mode:
        assert admin.writes() == []
        assert admin.topics["orders"]["partitions"] == 3
    else:
        assert [w[0] for w in admin.writes()] == ["create_partitions", "incremental_alter_configs"]
        assert admin.topics["orders"]["config"]["segment.bytes"] == "1000000"


@pytest.mark.parametrize(
    "purge, config, actions, left",
    [
        (False, {"retention.ms": 1}, ["set config retention.ms=1 (was 86400000)"], {"retention.ms", "segment.bytes"}),
        (
            True,
            {"retention.ms": 86400000},
            ["reset config segment.bytes to its default (was 1000000)"],
            {"retention.ms"},
        ),
        (
            True,
            {},
            [
                "reset config retention.ms to its default (was 86400000)",
                "reset config segment.bytes to its default (was 1000000)",
            ],
            set(),
        ),
        (False, {"segment.bytes": None}, ["reset config segment.bytes to its default (was 1000000)"], {"retention.ms"}),
    ],
)
def test_purge_and_null_reset_overrides_only(run_module, cluster, purge, config, actions, left):
    admin = cluster(topics={"orders": (3, 3, {"retention.ms": "86400000", "segment.bytes": "1000000"})})
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="orders", config=config, purge_configs=purge))
    assert not failed_, result
    assert result["topics"]["orders"]["actions"] == actions
    assert set(admin.topics["orders"]["config"]) == left
    assert set(result["topics"]["orders"]["after"]["config"]) == left


@pytest.mark.parametrize("check_mode", [False, True])
def test_absent_deletes_only_listed_topics(run_module, cluster, check_mode):
    admin = cluster(topics={"orders": (3, 3, {}), "payments": (1, 1, {})})
    args = topic_args(dict(name="orders", state="absent"), dict(name="gone", state="absent"))
    failed_, result = run_module(kafka_topic.main, args, check_mode, diff=True)
    assert not failed_
    assert result["changed"] is True
    assert result["actions"] == ["orders: delete"]
    assert result["topics"]["gone"] == dict(actions=[], before=None, after=None)
    assert result["diff"] == dict(before={"orders": dict(partitions=3, replication_factor=3, config={})}, after={})
    assert set(admin.topics) == ({"orders", "payments"} if check_mode else {"payments"})


def test_delete_waits_until_the_topic_can_be_created_again(run_module, cluster):
    admin = cluster(topics={"orders": (3, 3, {})}, deleting_reads=2)
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="orders", state="absent"))
    assert not failed_, result
    assert admin.deleting_reads == 0
    checks = [r for r in admin.requests if r[0] == "create_topics"]
    assert checks == [("create_topics", True, ["orders"])] * 3


def test_delete_wait_timeout(run_module, cluster):
    cluster(topics={"orders": (3, 3, {})}, deleting_reads=1000)
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="orders", state="absent", wait_timeout=1))
    assert failed_
    assert "deleted topics gone) for orders" in result["msg"]


def test_absent_missing_topic_is_no_op(run_module, cluster):
    admin = cluster()
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="orders", state="absent"))
    assert not failed_
    assert result["changed"] is False
    assert admin.writes() == []


def test_broker_defaults_fill_in_partitions_and_replication_factor(run_module, cluster):
    admin = cluster()
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="orders"))
    assert not failed_
    assert result["topics"]["orders"]["after"] == dict(partitions=1, replication_factor=2, config={})
    assert admin.topics["orders"]["rf"] == 2


def test_empty_topic_list_is_no_op(run_module, cluster):
    admin = cluster()
    failed_, result = run_module(kafka_topic.main, topic_args())
    assert not failed_
    assert result["changed"] is False
    assert result["topics"] == {}
    assert admin.writes() == []


# ---------------------------------------------------------------------------
# batching
# ---------------------------------------------------------------------------


def test_batch_is_split_into_requests_of_batch_size(run_module, cluster):
    admin = cluster()
    topics = [dict(name=f"t{i:03d}", partitions=3, replication_factor=3) for i in range(450)]
    failed_, result = run_module(kafka_topic.main, topic_args(*topics, batch_size=200, parallel_requests=1))
    assert not failed_
    assert len(result["topics"]) == 450
    assert admin.clients == 1
    creates = [r for r in admin.requests if r[0] == "create_topics"]
    assert [(r[1], len(r[2])) for r in creates] == [
        (True, 200),
        (True, 200),
        (True, 50),
        (False, 200),
        (False, 200),
        (False, 50),
    ]
    assert len(admin.topics) == 450
    describes = [len(r[2]) for r in admin.requests if r[0] == "describe_configs"]
    # the controller's defaults (the min.insync.replicas the new topics inherit), the re-read after the change
    assert describes == [1, 200, 200, 50]
    # the no-op re-run: one metadata request and the batched config reads
    admin.requests.clear()
    failed_, result = run_module(kafka_topic.main, topic_args(*topics, batch_size=200))
    assert not failed_
    assert result["changed"] is False
    assert [(r[0], len(r[2] or [])) for r in admin.requests] == [
        ("list_topics", 0),
        ("describe_configs", 200),
        ("describe_configs", 200),
        ("describe_configs", 50),
    ]


def test_large_change_is_spread_over_parallel_connections(run_module, cluster):
    admin = cluster()
    topics = [dict(name=f"t{i:03d}", partitions=3, replication_factor=3) for i in range(450)]
    failed_, result = run_module(kafka_topic.main, topic_args(*topics, batch_size=100, parallel_requests=4))
    assert not failed_
    assert admin.clients == 4  # the module's own client and three more connections
    creates = [(r[1], len(r[2])) for r in admin.requests if r[0] == "create_topics"]
    # at most batch_size per request, in waves of one request per connection
    sizes = [100, 100, 100, 100, 50]
    assert creates == [(True, size) for size in sizes] + [(False, size) for size in sizes]
    assert len(admin.topics) == 450


def test_small_change_uses_one_connection(run_module, cluster):
    admin = cluster()
    topics = [dict(name=f"t{i:03d}", partitions=1, replication_factor=1) for i in range(19)]
    failed_, result = run_module(kafka_topic.main, topic_args(*topics, parallel_requests=8))
    assert not failed_
    assert admin.clients == 1
    assert [len(r[2]) for r in admin.requests if r[0] == "create_topics"] == [19, 19]


def test_mixed_batch(run_module, cluster):
    admin = cluster(topics={"old": (1, 3, {}), "gone": (1, 3, {})})
    args = topic_args(
        dict(name="new", partitions=2, replication_factor=3),
        dict(name="old", partitions=2, config={"retention.ms": 5}),
        dict(name="gone", state="absent"),
    )
    failed_, result = run_module(kafka_topic.main, args)
    assert not failed_
    assert result["actions"] == [
        "new: create (partitions=2, replication_factor=3)",
        "old: add partitions (1 -> 2)",
        "old: set config retention.ms=5 (was 604800000)",
        "gone: delete",
    ]
    assert [w[0] for w in admin.writes()] == [
        "create_topics",
        "create_partitions",
        "incremental_alter_configs",
        "delete_topics",
    ]
    assert set(admin.topics) == {"new", "old"}


# ---------------------------------------------------------------------------
# refusals: message and nothing changed
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize(
    "args, message",
    [
        (
            dict(name="orders", partitions=2),
            "Failed to manage topic orders: topic orders has 3 partitions and cannot be reduced to 2: "
            "Kafka cannot remove partitions",
        ),
        (
            dict(name="orders", replication_factor=2),
            "Failed to manage topic orders: topic orders has replication factor 3; kafka_topic does not change",
        ),
        (
            dict(name="new", partitions=1, replication_factor=4),
            "Failed to manage topic new: cannot create topic new: replication_factor 4 is greater than the number "
            "of live brokers (3: [0, 1, 2])",
        ),
        (
            dict(name="orders", config={"retention.msec": 1}),
            "Failed to manage topic orders: Unknown topic config name: retention.msec (INVALID_CONFIG)",
        ),
        (
            dict(name="new", partitions=1, replication_factor=1, config={"cleanup.policy": "bogus"}),
            "Failed to manage topic new: Invalid value bogus for configuration cleanup.policy (INVALID_CONFIG)",
        ),
        (
            dict(name="orders", config={"retention.ms": "abc"}),
            "Failed to manage topic orders: Invalid value abc for configuration retention.ms (INVALID_CONFIG)",
        ),
        (
            dict(name="orders_eu", partitions=1, replication_factor=1),
            "Failed to manage topic orders_eu: topic name 'orders_eu' collides with 'orders.eu'",
        ),
    ],
)
def test_refusals_change_nothing(run_module, cluster, args, message, check_mode):
    admin = cluster(topics={"orders": (3, 3, {"retention.ms": "86400000"}), "orders.eu": (1, 1, {})})
    before = repr(admin.topics)
    failed_, result = run_module(kafka_topic.main, dict(BASE, **args), check_mode)
    assert failed_
    assert result["msg"].startswith(message), result["msg"]
    assert result["changed"] is False
    assert result["problems"]
    if "reduced" in message or "replication factor 3" in message:
        assert "kafkaops.cluster.kafka_reassign" in result["msg"]
    assert admin.writes() == []
    assert repr(admin.topics) == before


def test_rf_above_live_brokers_is_refused_before_any_request(run_module, cluster):
    admin = cluster(broker_ids=[0])
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="new", partitions=1, replication_factor=3))
    assert failed_
    assert "replication_factor 3 is greater than the number of live brokers (1: [0])" in result["msg"]
    assert admin.validations() == [] and admin.writes() == []


def test_one_invalid_topic_in_a_batch_creates_nothing(run_module, cluster):
    admin = cluster()
    topics = [dict(name=f"ok-{i}", partitions=1, replication_factor=1) for i in range(5)]
    topics.insert(2, dict(name="bad", partitions=1, replication_factor=1, config={"no.such.key": 1}))
    failed_, result = run_module(kafka_topic.main, topic_args(*topics, batch_size=2))
    assert failed_
    assert result["msg"] == "Failed to manage topic bad: Unknown topic config name: no.such.key (INVALID_CONFIG)"
    assert result["problems"] == [dict(topic="bad", msg="Unknown topic config name: no.such.key (INVALID_CONFIG)")]
    assert admin.topics == {}
    assert admin.writes() == []


def test_every_problem_of_a_batch_is_reported(run_module, cluster):
    admin = cluster(topics={"orders": (3, 3, {})})
    args = topic_args(
        dict(name="orders", partitions=1, replication_factor=2),
        dict(name="new", partitions=1, replication_factor=1),
    )
    failed_, result = run_module(kafka_topic.main, args)
    assert failed_
    assert result["msg"].startswith("Failed to manage topic orders: topic orders has 3 partitions")
    assert [p["topic"] for p in result["problems"]] == ["orders", "orders"]
    assert admin.topics.keys() == {"orders"}


@pytest.mark.parametrize(
    "name, message",
    [
        ("bad name!", "topic name 'bad name!' contains illegal characters ' !'"),
        ("x" * 250, "topic name is 250 characters long, the maximum is 249"),
        (".", "topic name '.' is not allowed"),
        ("..", "topic name '..' is not allowed"),
    ],
)
def test_invalid_names_are_refused_without_connecting(run_module, cluster, name, message):
    admin = cluster()
    failed_, result = run_module(kafka_topic.main, topic_args(dict(name="fine"), dict(name=name)))
    assert failed_
    assert message in result["msg"]
    assert admin.clients == 0


@pytest.mark.parametrize(
    "extra, message",
    [
        (dict(name="orders"), "parameters are mutually exclusive: topics|name"),
        (dict(partitions=3), "parameters are mutually exclusive: topics|partitions"),
        (dict(config={"a": 1}), "parameters are mutually exclusive: topics|config"),
        (dict(state="absent"), "parameters are mutually exclusive: topics|state"),
    ],
)
def test_conflicting_options(run_module, cluster, extra, message):
    admin = cluster()
    failed_, result = run_module(kafka_topic.main, topic_args(dict(name="x"), **extra))
    assert failed_
    assert message in result["msg"]
    assert admin.clients == 0


def test_name_or_topics_required(run_module, cluster):
    cluster()
    failed_, result = run_module(kafka_topic.main, dict(BASE))
    assert failed_
    assert "one of the following is required: name, topics" in result["msg"]


@pytest.mark.parametrize("option", ["batch_size", "wait_timeout"])
def test_positive_options(run_module, cluster, option):
    cluster()
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="x", **{option: 0}))
    assert failed_
    assert result["msg"] == f"{option} must be at least 1, got 0"


def test_mixed_dot_and_underscore_warns(run_module, cluster):
    cluster()
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="a.b_c", partitions=1, replication_factor=1))
    assert not failed_
    assert "Topic names with both '.' and '_' (a.b_c)" in str(result["warnings"])


def test_internal_topic_is_never_deleted(run_module, cluster):
    admin = cluster(topics={"__consumer_offsets": (50, 3, {})})
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="__consumer_offsets", state="absent"))
    assert failed_
    assert "internal Kafka topic and cannot be deleted" in result["msg"]
    assert "__consumer_offsets" in admin.topics


def test_failure_while_applying_reports_what_changed(run_module, cluster):
    admin = cluster(fail_create=["b"])
    args = topic_args(
        dict(name="a", partitions=1, replication_factor=1), dict(name="b", partitions=1, replication_factor=1)
    )
    failed_, result = run_module(kafka_topic.main, args)
    assert failed_
    assert result["msg"] == "Failed to change topic b: refused by policy (POLICY_VIOLATION)"
    assert result["changed"] is True
    assert set(admin.topics) == {"a"}


# orders-0 moves from [0, 1, 2] to [3, 1, 2]: the metadata lists four replicas.
MOVING = {("orders", 0): ([3], [0])}


@pytest.mark.parametrize("check_mode", [False, True])
def test_topic_being_moved_keeps_its_replication_factor(run_module, cluster, check_mode):
    admin = cluster(broker_ids=(0, 1, 2, 3), topics={"orders": (3, 3, {})}, moving=MOVING)
    args = topic_args(
        dict(name="orders", partitions=3, replication_factor=3, config={"retention.ms": 1000}),
        dict(name="payments", partitions=1, replication_factor=3),
    )
    failed_, result = run_module(kafka_topic.main, args, check_mode)
    assert not failed_, result["msg"]
    assert result["topics"]["orders"]["before"]["replication_factor"] == 3
    assert result["topics"]["orders"]["after"]["replication_factor"] == 3
    assert result["actions"] == [
        "orders: set config retention.ms=1000 (was 604800000)",
        "payments: create (partitions=1, replication_factor=3)",
    ]
    assert ("list_partition_reassignments", None, {"orders": [0, 1, 2]}) in admin.requests
    failed_, result = run_module(kafka_topic.main, topic_args(dict(name="orders", replication_factor=4)), True)
    assert failed_
    assert "has replication factor 3" in result["msg"]
    assert "is in progress and moves it to replication factor 3" in result["msg"]


def test_topic_being_moved_to_another_replication_factor_accepts_both(run_module, cluster):
    cluster(broker_ids=(0, 1, 2, 3), topics={"orders": (3, 3, {})}, moving={("orders", 0): ([3], [])})
    for wanted in (3, 4):
        failed_, result = run_module(kafka_topic.main, topic_args(dict(name="orders", replication_factor=wanted)))
        assert not failed_, result["msg"]
        assert result["changed"] is False


def test_no_reassignment_request_when_nothing_may_be_moving(run_module, cluster):
    admin = cluster(topics={"orders": (3, 3, {})})
    failed_, _result = run_module(kafka_topic.main, topic_args(dict(name="orders", replication_factor=3)))
    assert not failed_
    assert not [r for r in admin.requests if r[0] == "list_partition_reassignments"]


def test_moving_topic_without_permission_to_list_reassignments(run_module, cluster):
    errors = pytest.importorskip("kafka.errors")
    cluster(
        broker_ids=(0, 1, 2, 3),
        topics={"orders": (3, 3, {})},
        moving=MOVING,
        reassignment_error=errors.ClusterAuthorizationFailedError(),
    )
    failed_, result = run_module(kafka_topic.main, topic_args(dict(name="orders", replication_factor=3)))
    assert failed_
    assert "has replication factor 4" in result["msg"]
    assert "DESCRIBE on the cluster" in str(result["warnings"])


def test_info_reports_a_moving_topic(run_module, cluster):
    cluster(broker_ids=(0, 1, 2, 3), topics=INFO_TOPICS, moving=MOVING)
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, names=["orders", "payments"]))
    assert not failed_
    orders = result["topics"]["orders"]
    assert orders["replication_factor"] == 3
    assert orders["under_replicated_partitions"] == 0
    assert orders["reassigning_partitions"] == 1
    assert orders["partition_details"][0]["replicas"] == [0, 1, 2, 3]
    assert orders["partition_details"][0]["adding_replicas"] == [3]
    assert orders["partition_details"][0]["removing_replicas"] == [0]


# ---------------------------------------------------------------------------
# internal topics, min.insync.replicas, deletions (issue 13)
# ---------------------------------------------------------------------------

OFFSETS = {"__consumer_offsets": (50, 3, {"cleanup.policy": "compact", "segment.bytes": "104857600"})}


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize(
    "topic, extra, message",
    [
        (
            dict(partitions=60),
            {},
            "__consumer_offsets is an internal Kafka topic and its partitions are never changed (requested 50 -> 60)",
        ),
        (
            dict(config={"cleanup.policy": "compact"}),
            dict(purge_configs=True),
            "__consumer_offsets is an internal Kafka topic and purge_configs would reset its configuration "
            "segment.bytes",
        ),
        (
            dict(config={"retention.ms": 1000}),
            {},
            "changing its configuration (retention.ms) needs allow_internal_topic_config=true",
        ),
        (
            dict(config={"segment.bytes": None}),
            {},
            "changing its configuration (segment.bytes) needs allow_internal_topic_config=true",
        ),
    ],
)
def test_internal_topics_are_protected(run_module, cluster, topic, extra, message, check_mode):
    admin = cluster(topics=dict(OFFSETS))
    before = repr(admin.topics)
    args = topic_args(dict(name="new", partitions=1, replication_factor=1), dict(name="__consumer_offsets", **topic))
    failed_, result = run_module(kafka_topic.main, dict(args, **extra), check_mode)
    assert failed_
    assert message in result["msg"]
    assert result["changed"] is False
    assert repr(admin.topics) == before
    assert admin.writes() == [] and admin.validations() == []


def test_internal_topic_config_change_with_opt_in(run_module, cluster):
    admin = cluster(topics=dict(OFFSETS))
    args = topic_args(dict(name="__consumer_offsets", config={"retention.ms": 1000}), allow_internal_topic_config=True)
    failed_, result = run_module(kafka_topic.main, args)
    assert not failed_, result["msg"]
    assert result["actions"] == ["__consumer_offsets: set config retention.ms=1000 (was 604800000)"]
    assert admin.topics["__consumer_offsets"]["config"]["retention.ms"] == "1000"
    # listed as it is: no change, no refusal (also with purge_configs)
    args = topic_args(
        dict(name="__consumer_offsets", partitions=50, config=dict(admin.topics["__consumer_offsets"]["config"])),
        purge_configs=True,
    )
    failed_, result = run_module(kafka_topic.main, args)
    assert not failed_, result["msg"]
    assert result["changed"] is False


def test_internal_topic_is_never_created(run_module, cluster):
    admin = cluster()
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="__transaction_state", partitions=1))
    assert failed_
    assert "Kafka creates it itself" in result["msg"]
    assert admin.topics == {}


@pytest.mark.parametrize("check_mode", [False, True])
def test_min_insync_replicas_above_replication_factor_is_refused(run_module, cluster, check_mode):
    admin = cluster(topics={"orders": (1, 2, {})})
    args = topic_args(
        dict(name="new", partitions=1, replication_factor=1),
        dict(name="payments", partitions=1, replication_factor=3, config={"min.insync.replicas": 4}),
        dict(name="orders", config={"min.insync.replicas": "3"}),
    )
    failed_, result = run_module(kafka_topic.main, args, check_mode)
    assert failed_
    assert "min.insync.replicas 4 is greater than the replication factor 3 of topic payments" in result["msg"]
    assert "min.insync.replicas 3 is greater than the replication factor 2 of topic orders" in result["msg"]
    assert [p["topic"] for p in result["problems"]] == ["payments", "orders"]
    assert sorted(admin.topics) == ["orders"]
    assert admin.writes() == [] and admin.validations() == []


def test_min_insync_replicas_equal_or_inherited_warns(run_module, cluster):
    admin = cluster()
    args = topic_args(
        dict(name="equal", partitions=1, replication_factor=3, config={"min.insync.replicas": 3}),
        dict(name="inherits", partitions=1, replication_factor=1),
        dict(name="fine", partitions=1, replication_factor=3),
    )
    failed_, result = run_module(kafka_topic.main, args)
    assert not failed_, result["msg"]
    warnings = str(result["warnings"])
    assert "min.insync.replicas 3 equals the replication factor of topic equal" in warnings
    assert (
        "min.insync.replicas 2 (the brokers' default, the topic does not set it) is greater than the replication "
        "factor 1 of topic inherits" in warnings
    )
    assert "topic fine" not in warnings
    assert sorted(admin.topics) == ["equal", "fine", "inherits"]


def test_broker_config_unreadable_skips_the_inherited_checks(run_module, cluster):
    admin = cluster(broker_config={"denied": "yes"}, topics={"old": (1, 1, {})})
    args = topic_args(dict(name="new", partitions=1, replication_factor=1), dict(name="old", state="absent"))
    failed_, result = run_module(kafka_topic.main, args)
    assert not failed_, result["msg"]
    assert sorted(admin.topics) == ["new"]


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            dict(no_delete=["old"]),
            "cannot delete topic old: the connecting principal lacks the DELETE permission on it",
        ),
        (
            dict(broker_config={"delete.topic.enable": "false"}),
            "cannot delete topic old: the brokers have delete.topic.enable=false",
        ),
    ],
)
def test_refused_deletion_is_found_before_any_change(run_module, cluster, kwargs, message, check_mode):
    admin = cluster(topics={"old": (1, 1, {}), "kept": (1, 1, {})}, **kwargs)
    args = topic_args(
        dict(name="new", partitions=1, replication_factor=1),
        dict(name="kept", partitions=2),
        dict(name="old", state="absent"),
    )
    failed_, result = run_module(kafka_topic.main, args, check_mode)
    assert failed_
    assert result["msg"] == f"Failed to manage topic old: {message}"
    assert result["changed"] is False
    assert sorted(admin.topics) == ["kept", "old"]
    assert admin.topics["kept"]["partitions"] == 1
    assert admin.writes() == []


def test_deletion_refused_after_other_changes_reports_what_was_done(run_module, cluster):
    admin = cluster(topics={"old": (1, 1, {}), "kept": (1, 1, {})}, fail_delete=["old"])
    args = topic_args(
        dict(name="new", partitions=1, replication_factor=1),
        dict(name="kept", partitions=2),
        dict(name="old", state="absent"),
    )
    failed_, result = run_module(kafka_topic.main, args)
    assert failed_
    assert result["msg"] == "Failed to change topic old: Topic authorization failed (TOPIC_AUTHORIZATION_FAILED)"
    assert result["changed"] is True
    assert result["actions"] == ["new: create (partitions=1, replication_factor=1)", "kept: add partitions (1 -> 2)"]
    assert result["topics"]["old"] == dict(
        actions=[],
        before=dict(partitions=1, replication_factor=1, config={}),
        after=dict(partitions=1, replication_factor=1, config={}),
    )
    assert result["topics"]["kept"]["after"]["partitions"] == 2
    assert result["topics"]["new"]["before"] is None
    assert sorted(admin.topics) == ["kept", "new", "old"]


def test_waits_for_leaders(run_module, cluster):
    admin = cluster(leaderless_reads=2)
    failed_, result = run_module(kafka_topic.main, dict(BASE, **ORDERS))
    assert not failed_
    assert admin.leaderless_reads < 0
    assert sum(1 for r in admin.requests if r[0] == "list_topics") >= 3


def test_wait_timeout_names_the_topic(run_module, cluster):
    cluster(leaderless_reads=100)
    failed_, result = run_module(kafka_topic.main, dict(BASE, **ORDERS, **{"wait_timeout": 1}))
    assert failed_
    assert result["msg"].startswith("Failed to wait for the topic changes: after 1s the cluster does not yet report")
    assert result["msg"].endswith("for orders")
    assert result["changed"] is True


# ---------------------------------------------------------------------------
# kafka_topic_info
# ---------------------------------------------------------------------------

INFO_TOPICS = {
    "orders": (3, 3, {"retention.ms": "86400000"}),
    "orders.eu": (1, 2, {}),
    "payments": (2, 1, {}),
    "__consumer_offsets": (3, 3, {"cleanup.policy": "compact"}),
}


@pytest.mark.parametrize(
    "args, names",
    [
        ({}, ["__consumer_offsets", "orders", "orders.eu", "payments"]),
        (dict(exclude_internal=True), ["orders", "orders.eu", "payments"]),
        (dict(names=["orders", "nope"]), ["orders"]),
        (dict(pattern=r"orders.*"), ["orders", "orders.eu"]),
    ],
)
def test_info_filters(run_module, cluster, args, names):
    admin = cluster(topics=INFO_TOPICS)
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, **args), check_mode=True)
    assert not failed_
    assert result["changed"] is False
    assert sorted(result["topics"]) == names
    if "names" in args:
        assert result["missing"] == ["nope"]
    assert admin.writes() == []


def test_info_details(run_module, cluster):
    cluster(topics=INFO_TOPICS)
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, names=["orders"]))
    assert not failed_
    orders = result["topics"]["orders"]
    assert orders["partitions"] == 3
    assert orders["replication_factor"] == 3
    assert orders["config"] == {"retention.ms": "86400000"}
    assert orders["partition_details"][1] == dict(
        partition=1,
        leader=1,
        replicas=[1, 2, 0],
        isr=[1, 2, 0],
        offline=False,
        under_replicated=False,
        reassigning=False,
        adding_replicas=[],
        removing_replicas=[],
    )
    assert orders["reassigning_partitions"] == 0
    assert "config_sources" not in orders


def test_info_include_defaults(run_module, cluster):
    cluster(topics=INFO_TOPICS)
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, names=["orders"], include_defaults=True))
    assert not failed_
    orders = result["topics"]["orders"]
    assert orders["config"]["segment.ms"] == "604800000"
    assert orders["config_sources"]["retention.ms"] == "DYNAMIC_TOPIC_CONFIG"
    assert orders["config_sources"]["min.insync.replicas"] == "STATIC_BROKER_CONFIG"
    assert orders["config_sources"]["segment.ms"] == "DEFAULT_CONFIG"


class UnhealthyAdmin(FakeTopicAdmin):
    def list_topics(self, timeout):
        metadata = super().list_topics(timeout)
        metadata.topics["orders"].partitions[0].isrs = [0]  # under-replicated
        metadata.topics["payments"].partitions[1].leader = -1  # offline
        return metadata


@pytest.mark.parametrize(
    "flags, names",
    [
        (dict(under_replicated=True), ["orders"]),
        (dict(offline=True), ["payments"]),
        (dict(under_replicated=True, offline=True), ["orders", "payments"]),
    ],
)
def test_info_health_filters(run_module, monkeypatch, flags, names):
    admin = UnhealthyAdmin(topics=INFO_TOPICS)
    monkeypatch.setattr(KafkaModule, "admin_client", lambda module: admin)
    monkeypatch.setattr(KafkaModule, "reassignment_client", lambda module: FakeReassignmentClient(admin))
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, **flags))
    assert not failed_
    assert sorted(result["topics"]) == names
    # configs are only read for the topics that are returned
    described = [name for r in admin.requests if r[0] == "describe_configs" for name in r[2]]
    assert sorted(described) == names


def test_info_invalid_pattern(run_module, cluster):
    cluster()
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, pattern="orders("))
    assert failed_
    assert result["msg"].startswith("pattern 'orders(' is not a valid regular expression")


def test_info_names_and_pattern_are_exclusive(run_module, cluster):
    cluster()
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, names=["a"], pattern="a"))
    assert failed_
    assert "mutually exclusive: names|pattern" in result["msg"]


def test_info_offsets(run_module, cluster):
    admin = cluster(topics=INFO_TOPICS)
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, names=["orders", "payments"], offsets=True))
    assert not failed_
    orders = result["topics"]["orders"]
    assert [(d["start_offset"], d["end_offset"]) for d in orders["partition_details"]] == [(0, 10), (1, 20), (2, 30)]
    assert orders["messages"] == 10 + 19 + 28
    payments = result["topics"]["payments"]
    assert payments["partition_details"][1]["end_offset"] is None
    assert "Leader not available" in payments["partition_details"][1]["offsets_error"]
    assert payments["messages"] is None
    assert admin.writes() == []


def test_info_without_offsets_sends_no_offset_request(run_module, cluster):
    admin = cluster(topics=INFO_TOPICS)
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, names=["orders"]))
    assert not failed_
    assert "messages" not in result["topics"]["orders"]
    assert not [r for r in admin.requests if r[0] == "list_offsets"]
