# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""main() of both modules against fake clients (no network)."""

from __future__ import annotations

import concurrent.futures
from types import SimpleNamespace

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from kafka_fakes import done  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.modules import kafka_cluster_info  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.modules import kafka_roundtrip  # noqa: E402

KafkaError = confluent_kafka.KafkaError
PASSWORD = "pa55-w0rd-xyz"


def partition(leader, replicas, isrs):
    return SimpleNamespace(leader=leader, replicas=replicas, isrs=isrs, error=None)


# ApiVersions keys of a ZooKeeper-mode broker (no DescribeQuorum, 55) and of a KRaft one.
ZOOKEEPER_API_KEYS = {0: (0, 11), 3: (0, 12), 54: (0, 1), 56: (0, 3)}
KRAFT_API_KEYS = {**ZOOKEEPER_API_KEYS, 55: (0, 2)}


def quorum_answer(leader, voters, observers):
    """kafka-python's describe_metadata_quorum() answer: voters/observers are {id: log end offset}."""

    def replicas(leos):
        return [
            dict(
                replica_id=i,
                replica_directory_id=None,
                log_end_offset=leo,
                last_fetch_timestamp=-1,
                last_caught_up_timestamp=-1,
            )
            for i, leo in leos.items()
        ]

    partition = dict(
        partition_index=0,
        leader_id=leader,
        leader_epoch=4,
        high_watermark=max(voters.values()),
        current_voters=replicas(voters),
        observers=replicas(observers),
        error=None,
    )
    return dict(topics=[dict(topic_name="__cluster_metadata", partitions=[partition])], nodes=[])


class FakeAdmin:
    def __init__(
        self,
        broker_ids=(0,),
        topics=None,
        poll_errors=None,
        module=None,
        reassignments=None,
        quorum=None,
        quorum_error=None,
    ):
        self.broker_ids = list(broker_ids)
        # KRaft when a DescribeQuorum answer (or error) is given (kafka-python's KafkaAdminClient)
        self.quorum = quorum
        self.quorum_error = quorum_error
        self.quorum_requests = 0
        # ListPartitionReassignments answer: {(topic, partition): (adding, removing)}
        self.reassignments = dict(reassignments or {})
        self.reassignment_requests = []
        self.topics = dict(topics or {})
        self.poll_errors = list(poll_errors or [])
        self.module = module
        self.created = []

    def describe_cluster(self, request_timeout):
        if self.poll_errors:
            return concurrent.futures.Future()  # never answers; errors arrive via poll()
        nodes = [SimpleNamespace(id=i, host=f"kafka-{i}", port=9092, rack=None) for i in self.broker_ids]
        return done(SimpleNamespace(cluster_id="cid", controller=nodes[0] if nodes else None, nodes=nodes))

    def poll(self, timeout):
        while self.poll_errors:
            self.module._record_error(self.poll_errors.pop(0))

    def list_topics(self, timeout):
        return SimpleNamespace(
            topics={name: SimpleNamespace(partitions=parts, error=None) for name, parts in self.topics.items()}
        )

    def list_partition_reassignments(self, topic_partitions=None, timeout_ms=None):
        # kafka-python's KafkaAdminClient (KafkaModule.reassignment_client)
        self.reassignment_requests.append(topic_partitions)
        return {
            confluent_kafka.TopicPartition(topic, p): dict(
                replicas=[], adding_replicas=adding, removing_replicas=removing
            )
            for (topic, p), (adding, removing) in self.reassignments.items()
        }

    def api_versions(self):
        kraft = self.quorum is not None or self.quorum_error is not None
        return KRAFT_API_KEYS if kraft else ZOOKEEPER_API_KEYS

    def describe_metadata_quorum(self):
        self.quorum_requests += 1
        if self.quorum_error is not None:
            raise self.quorum_error
        return self.quorum

    def describe_acls(self, acl_filter, request_timeout):
        admin = confluent_kafka.admin
        return done(
            [
                admin.AclBinding(
                    admin.ResourceType.TOPIC,
                    "t",
                    admin.ResourcePatternType.LITERAL,
                    "User:alice",
                    "*",
                    operation,
                    admin.AclPermissionType.ALLOW,
                )
                for operation in (admin.AclOperation.READ, admin.AclOperation.DESCRIBE)
            ]
        )

    def describe_user_scram_credentials(self, users=None, request_timeout=None):
        assert users is None
        info = confluent_kafka.admin.ScramCredentialInfo(confluent_kafka.admin.ScramMechanism.SCRAM_SHA_512, 4096)
        return done(
            {
                "bob": SimpleNamespace(scram_credential_infos=[info]),
                "admin": SimpleNamespace(scram_credential_infos=[info]),
            }
        )

    def create_topics(self, new_topics, operation_timeout, request_timeout):
        self.created.extend(t.topic for t in new_topics)
        return {t.topic: done() for t in new_topics}


@pytest.fixture
def fake_admin(monkeypatch):
    holder = {}

    def install(**kwargs):
        admin = FakeAdmin(**kwargs)
        holder["admin"] = admin

        def admin_client(module):
            admin.module = module
            return admin

        monkeypatch.setattr(KafkaModule, "admin_client", admin_client)
        monkeypatch.setattr(KafkaModule, "reassignment_client", lambda module: admin)
        return admin

    def no_clients(*args, **kwargs):
        raise AssertionError("no producer/consumer expected")

    monkeypatch.setattr(KafkaModule, "producer", no_clients)
    monkeypatch.setattr(KafkaModule, "consumer", no_clients)
    return install


@pytest.fixture
def fake_zookeeper(monkeypatch):
    def install(broker_ids):
        zk = SimpleNamespace(
            get_children=lambda path: [str(i) for i in broker_ids],
            get=lambda path: (b'{"brokerid":0}', None),
        )
        monkeypatch.setattr(KafkaModule, "zookeeper", lambda module: zk)
        return zk

    return install


BASE = dict(bootstrap_servers=["kafka-0:9092"])


# ---------------------------------------------------------------------------
# kafka_cluster_info
# ---------------------------------------------------------------------------


def test_info_reports_state(run_module, fake_admin, fake_zookeeper):
    fake_admin(
        broker_ids=[1, 0],
        topics={"t": {0: partition(0, [0, 1], [0, 1]), 1: partition(1, [1, 0], [1])}, "u": {0: partition(-1, [0], [])}},
    )
    fake_zookeeper([0, 1])
    failed, result = run_module(kafka_cluster_info.main, dict(BASE, zookeeper_hosts="zk:2181"), check_mode=True)
    assert not failed
    assert result["changed"] is False
    assert result["broker_ids"] == [0, 1]
    assert [b["id"] for b in result["brokers"]] == [0, 1]
    assert result["zookeeper_broker_ids"] == [0, 1]
    assert result["zookeeper_controller_id"] == 0
    assert result["under_replicated_partition_list"] == ["t-1", "u-0"]
    assert result["offline_partition_list"] == ["u-0"]
    assert result["reassigning_partition_list"] == []
    assert result["metadata_mode"] == "zookeeper"
    assert "quorum" not in result


def test_info_describe_security_counts_acls_and_lists_scram_users(run_module, fake_admin):
    fake_admin(broker_ids=[0])
    failed, result = run_module(kafka_cluster_info.main, dict(BASE), check_mode=True)
    assert not failed
    assert "acl_count" not in result and "scram_users" not in result
    failed, result = run_module(kafka_cluster_info.main, dict(BASE, describe_security=True), check_mode=True)
    assert not failed, result
    assert result["acl_count"] == 2
    assert result["scram_users"] == {"admin": ["SCRAM-SHA-512"], "bob": ["SCRAM-SHA-512"]}


def test_info_reports_a_moving_partition_as_reassigning_not_under_replicated(run_module, fake_admin):
    # t-1 moves from [1, 0] to [2, 0]: the metadata lists [2, 0, 1], broker 2 has not caught up.
    admin = fake_admin(
        broker_ids=[0, 1, 2],
        topics={"t": {0: partition(0, [0, 1], [0, 1]), 1: partition(0, [2, 0, 1], [0, 1])}},
        reassignments={("t", 1): ([2], [1])},
    )
    failed, result = run_module(kafka_cluster_info.main, dict(BASE), check_mode=True)
    assert not failed
    assert result["under_replicated_partitions"] == 0
    assert result["reassigning_partitions"] == 1
    assert result["reassigning_partition_list"] == ["t-1"]
    assert admin.reassignment_requests == [{"t": [0, 1]}]


def test_info_healthy_cluster_does_not_ask_for_reassignments(run_module, fake_admin):
    admin = fake_admin(broker_ids=[0, 1], topics={"t": {0: partition(0, [0, 1], [0, 1])}})
    failed, result = run_module(kafka_cluster_info.main, dict(BASE), check_mode=True)
    assert not failed
    assert result["reassigning_partitions"] == 0
    assert admin.reassignment_requests == []


@pytest.mark.parametrize(
    "admin_ids, zk_ids, expected, missing, unexpected",
    [
        ([0], [0], [0, 1], [1], []),
        ([0, 1], [0], [0, 1], [1], []),
        ([0, 1, 2], [0, 1, 2], [0, 1], [], [2]),
    ],
)
def test_info_expected_broker_ids_fail(
    run_module, fake_admin, fake_zookeeper, admin_ids, zk_ids, expected, missing, unexpected
):
    fake_admin(broker_ids=admin_ids)
    fake_zookeeper(zk_ids)
    failed, result = run_module(
        kafka_cluster_info.main, dict(BASE, zookeeper_hosts="zk:2181", expected_broker_ids=expected)
    )
    assert failed
    assert result["missing_broker_ids"] == missing
    assert result["unexpected_broker_ids"] == unexpected
    for broker_id in missing + unexpected:
        assert f"[{broker_id}]" in result["msg"]


def test_info_expected_broker_ids_ok(run_module, fake_admin):
    fake_admin(broker_ids=[0, 1])
    failed, result = run_module(kafka_cluster_info.main, dict(BASE, expected_broker_ids=[1, 0]))
    assert not failed
    assert result["missing_broker_ids"] == []
    assert result["broker_id_check"] == {"admin_client": {"missing": [], "unexpected": []}}


def test_info_unreachable_fails_fast_without_secrets(run_module, fake_admin):
    refused = KafkaError(KafkaError._TRANSPORT, f"kafka-0:9092/bootstrap: Connect failed (password {PASSWORD}?)")
    fake_admin(poll_errors=[refused, KafkaError(KafkaError._ALL_BROKERS_DOWN, "1/1 brokers are down")])
    args = dict(
        BASE,
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="PLAIN",
        sasl_username="admin",
        sasl_password=PASSWORD,
    )
    failed, result = run_module(kafka_cluster_info.main, args)
    assert failed
    assert result["msg"].startswith("Failed to connect to Kafka at kafka-0:9092: ")
    assert "Connect failed" in result["msg"]
    assert PASSWORD not in str(result)


def test_info_kraft_reports_the_quorum_and_its_leader_as_controller(run_module, fake_admin):
    # describe_cluster names broker 0 as controller (any broker, in KRaft); the quorum leader is 1002.
    admin = fake_admin(
        broker_ids=[0, 1, 2],
        topics={"t": {0: partition(0, [0, 1], [0, 1])}},
        quorum=quorum_answer(1002, {1001: 50, 1002: 52, 1003: 49}, {0: 52, 1: 51, 2: -1}),
    )
    failed, result = run_module(kafka_cluster_info.main, dict(BASE, expected_broker_ids=[0, 1, 2]), check_mode=True)
    assert not failed, result
    assert result["changed"] is False
    assert result["metadata_mode"] == "kraft"
    assert result["controller_id"] == 1002
    quorum = result["quorum"]
    assert quorum["leader_id"] == 1002
    assert quorum["voter_ids"] == [1001, 1002, 1003]
    assert quorum["observer_ids"] == [0, 1, 2]
    assert [v["lag"] for v in quorum["voters"]] == [2, 0, 3]
    assert [v["status"] for v in quorum["voters"]] == ["Follower", "Leader", "Follower"]
    assert quorum["max_voter_lag"] == 3
    assert [o["lag"] for o in quorum["observers"]] == [0, 1, None]
    assert quorum["max_observer_lag"] is None
    assert result["broker_ids"] == [0, 1, 2]
    assert "zookeeper_broker_ids" not in result
    assert admin.quorum_requests == 1


def test_info_kraft_refuses_zookeeper_hosts(run_module, fake_admin, monkeypatch):
    admin = fake_admin(quorum=quorum_answer(1001, {1001: 5}, {0: 5}))
    monkeypatch.setattr(KafkaModule, "zookeeper", lambda module: pytest.fail("ZooKeeper must not be asked"))
    failed, result = run_module(kafka_cluster_info.main, dict(BASE, zookeeper_hosts="zk-0:2181"))
    assert failed
    assert result["metadata_mode"] == "kraft"
    assert "zookeeper_hosts is set (zk-0:2181) but the cluster at kafka-0:9092 runs in KRaft mode" in result["msg"]
    assert admin.quorum_requests == 0


def test_info_kraft_empty_zookeeper_hosts_is_unset(run_module, fake_admin):
    fake_admin(quorum=quorum_answer(1001, {1001: 5}, {0: 5}))
    failed, result = run_module(kafka_cluster_info.main, dict(BASE, zookeeper_hosts=""))
    assert not failed, result
    assert result["quorum"]["voter_ids"] == [1001]


def test_info_kraft_quorum_not_authorized_warns(run_module, fake_admin):
    errors = pytest.importorskip("kafka.errors")
    fake_admin(quorum_error=errors.ClusterAuthorizationFailedError("denied"))
    failed, result = run_module(kafka_cluster_info.main, dict(BASE))
    assert not failed, result
    assert result["metadata_mode"] == "kraft"
    assert result["quorum"] is None
    assert result["controller_id"] is None
    assert "the principal needs DESCRIBE on the cluster" in str(result["warnings"])


def test_info_kraft_quorum_failure_fails(run_module, fake_admin):
    errors = pytest.importorskip("kafka.errors")
    fake_admin(quorum_error=errors.KafkaTimeoutError("Request timed out after 30000 ms"))
    failed, result = run_module(kafka_cluster_info.main, dict(BASE))
    assert failed
    assert result["msg"].startswith("Failed to describe the KRaft metadata quorum: ")
    assert "timed out" in result["msg"]


@pytest.mark.parametrize(
    "leader, voters, expected, problems",
    [
        (1001, {1001: 5, 1002: 5}, [1001, 1002, 1003], ["missing controller ids [1003]"]),
        (1001, {1001: 5, 1002: 5, 1004: 5}, [1001, 1002], ["unexpected controller ids [1004]"]),
        (-1, {1001: 5, 1002: 5, 1003: 5}, [1001, 1002, 1003], ["no leader"]),
    ],
)
def test_info_kraft_expected_controller_ids_fail_naming_them(
    run_module, fake_admin, leader, voters, expected, problems
):
    fake_admin(quorum=quorum_answer(leader, voters, {0: 5}))
    failed, result = run_module(kafka_cluster_info.main, dict(BASE, expected_controller_ids=expected))
    assert failed
    assert result["msg"].startswith("KRaft quorum (voters ")
    for problem in problems:
        assert problem in result["msg"]
    assert result["metadata_mode"] == "kraft"


def test_info_kraft_expected_controller_ids_ok(run_module, fake_admin):
    fake_admin(quorum=quorum_answer(1002, {1001: 5, 1002: 5, 1003: 4}, {0: 5}))
    failed, result = run_module(kafka_cluster_info.main, dict(BASE, expected_controller_ids=[1003, 1001, 1002]))
    assert not failed, result
    assert result["quorum"]["voter_ids"] == [1001, 1002, 1003]


def test_info_kraft_describe_quorum_false_skips_the_request(run_module, fake_admin):
    admin = fake_admin(quorum=quorum_answer(1001, {1001: 5}, {0: 5}))
    failed, result = run_module(kafka_cluster_info.main, dict(BASE, describe_quorum=False))
    assert not failed, result
    assert result["metadata_mode"] == "kraft"
    assert "quorum" not in result
    assert result["controller_id"] is None
    assert admin.quorum_requests == 0


def test_info_expected_controller_ids_need_the_quorum(run_module, fake_admin):
    admin = fake_admin(quorum=quorum_answer(1001, {1001: 5}, {0: 5}))
    failed, result = run_module(
        kafka_cluster_info.main, dict(BASE, describe_quorum=False, expected_controller_ids=[1001])
    )
    assert failed
    assert "needs describe_quorum=true" in result["msg"]
    assert admin.quorum_requests == 0


def test_info_expected_controller_ids_refused_in_zookeeper_mode(run_module, fake_admin):
    fake_admin(broker_ids=[0])
    failed, result = run_module(kafka_cluster_info.main, dict(BASE, expected_controller_ids=[1001]))
    assert failed
    assert "runs in ZooKeeper mode" in result["msg"]


def test_info_expected_controller_ids_without_the_quorum_fails(run_module, fake_admin):
    errors = pytest.importorskip("kafka.errors")
    fake_admin(quorum_error=errors.ClusterAuthorizationFailedError("denied"))
    failed, result = run_module(kafka_cluster_info.main, dict(BASE, expected_controller_ids=[1001]))
    assert failed
    assert "could not be read" in result["msg"]


# ---------------------------------------------------------------------------
# kafka_roundtrip (paths that need no producer/consumer)
# ---------------------------------------------------------------------------

ROUNDTRIP = dict(BASE, topic="probe", partitions=3, replication_factor=1)


def test_roundtrip_check_mode_missing_topic_predicts_creation(run_module, fake_admin):
    admin = fake_admin(broker_ids=[0])
    failed, result = run_module(kafka_roundtrip.main, ROUNDTRIP, check_mode=True, diff=True)
    assert not failed
    assert result["changed"] is True
    assert result["topic_created"] is True
    assert result["produced"] == 0
    assert admin.created == []
    assert result["diff"] == dict(before={}, after=dict(name="probe", partitions=3, replication_factor=1))


def test_roundtrip_check_mode_existing_topic_is_no_op(run_module, fake_admin):
    admin = fake_admin(broker_ids=[0], topics={"probe": {i: partition(0, [0], [0]) for i in range(3)}})
    failed, result = run_module(kafka_roundtrip.main, ROUNDTRIP, check_mode=True)
    assert not failed
    assert result["changed"] is False
    assert result["consumed"] == 0
    assert admin.created == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_roundtrip_refuses_rf_above_live_brokers(run_module, fake_admin, check_mode):
    admin = fake_admin(broker_ids=[0, 1])
    failed, result = run_module(kafka_roundtrip.main, dict(ROUNDTRIP, replication_factor=3), check_mode=check_mode)
    assert failed
    assert result["msg"] == (
        "Failed to create topic probe: replication_factor 3 is greater than the number of live brokers (2: [0, 1])"
    )
    assert admin.created == []


@pytest.mark.parametrize("option", ["count", "partitions", "timeout"])
def test_roundtrip_rejects_non_positive(run_module, fake_admin, option):
    fake_admin()
    failed, result = run_module(kafka_roundtrip.main, dict(ROUNDTRIP, **{option: 0}))
    assert failed
    assert result["msg"] == f"{option} must be at least 1, got 0"


# ---------------------------------------------------------------------------
# kafka_roundtrip full path against an in-memory "broker"
# ---------------------------------------------------------------------------


class MemoryLog:
    """One partition's worth of keys; ``lose`` drops that many acknowledged messages."""

    def __init__(self, lose=0):
        self.keys = []
        self.lose = lose


class MemoryProducer:
    def __init__(self, log):
        self.log = log
        self.pending = []

    def produce(self, topic, key, value, headers, on_delivery):
        self.pending.append((key, on_delivery))

    def poll(self, timeout):
        return 0

    def flush(self, timeout):
        for key, on_delivery in self.pending:
            if self.log.lose:
                self.log.lose -= 1
            else:
                self.log.keys.append(key)
            on_delivery(None, None)
        self.pending = []
        return 0


class MemoryMessage:
    def __init__(self, key):
        self._key = key

    def key(self):
        return self._key

    def error(self):
        return None


class MemoryConsumer:
    def __init__(self, log):
        self.log = log
        self.position = None

    def get_watermark_offsets(self, tp, timeout):
        return (0, len(self.log.keys)) if tp.partition == 0 else (0, 0)

    def assign(self, partitions):
        self.position = {tp.partition: tp.offset for tp in partitions}[0]

    def consume(self, num_messages, timeout):
        batch = self.log.keys[self.position : self.position + num_messages]
        self.position += len(batch)
        return [MemoryMessage(k) for k in batch]

    def close(self):
        pass


class CreatingAdmin(FakeAdmin):
    def create_topics(self, new_topics, operation_timeout, request_timeout):
        for t in new_topics:
            self.topics[t.topic] = {i: partition(0, [0], [0]) for i in range(t.num_partitions)}
        return super().create_topics(new_topics, operation_timeout, request_timeout)


@pytest.fixture
def memory_cluster(monkeypatch):
    def install(lose=0, topics=None):
        log = MemoryLog(lose=lose)
        admin = CreatingAdmin(broker_ids=[0], topics=topics)

        def admin_client(module):
            admin.module = module
            return admin

        monkeypatch.setattr(KafkaModule, "admin_client", admin_client)
        monkeypatch.setattr(KafkaModule, "producer", lambda module, **conf: MemoryProducer(log))
        monkeypatch.setattr(KafkaModule, "consumer", lambda module, **conf: MemoryConsumer(log))
        return admin, log

    return install


def test_roundtrip_creates_topic_then_reads_everything_back(run_module, memory_cluster):
    admin, log = memory_cluster()
    failed, result = run_module(kafka_roundtrip.main, dict(ROUNDTRIP, count=250))
    assert not failed
    assert admin.created == ["probe"]
    assert result["changed"] is True
    assert result["topic_created"] is True
    assert (result["produced"], result["acknowledged"], result["consumed"]) == (250, 250, 250)
    assert len(log.keys) == 250


def test_roundtrip_existing_topic_is_not_changed(run_module, memory_cluster):
    admin, log = memory_cluster(topics={"probe": {i: partition(0, [0], [0]) for i in range(3)}})
    log.keys.extend(f"old-run:{i}".encode() for i in range(10))  # earlier runs are skipped
    failed, result = run_module(kafka_roundtrip.main, dict(ROUNDTRIP, count=20))
    assert not failed
    assert admin.created == []
    assert result["changed"] is False
    assert result["consumed"] == 20


def test_roundtrip_fails_with_counts_when_messages_are_lost(run_module, memory_cluster):
    memory_cluster(lose=5)
    failed, result = run_module(kafka_roundtrip.main, dict(ROUNDTRIP, count=100, timeout=1))
    assert failed
    assert result["msg"] == (
        "Failed to read back all messages from topic probe: consumed 95 of 100 messages "
        "(produced 100, acknowledged 100) within 1s"
    )
    assert (result["produced"], result["acknowledged"], result["consumed"]) == (100, 100, 95)
