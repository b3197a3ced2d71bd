# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_cluster as kcl


def partition(leader, replicas, isrs):
    return SimpleNamespace(leader=leader, replicas=list(replicas), isrs=list(isrs), error=None)


def metadata(**topics):
    """Fake ClusterMetadata: metadata(orders={0: partition(...), ...})."""
    return SimpleNamespace(
        topics={name: SimpleNamespace(topic=name, partitions=parts, error=None) for name, parts in topics.items()}
    )


HEALTHY = partition(0, [0, 1, 2], [0, 1, 2])
URP = partition(1, [0, 1, 2], [1, 2])
OFFLINE = partition(-1, [0, 1, 2], [])


# ---------------------------------------------------------------------------
# partition health
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "md, urp, offline",
    [
        (metadata(), [], []),
        (metadata(orders={0: HEALTHY, 1: HEALTHY}), [], []),
        (metadata(orders={0: HEALTHY, 1: URP, 2: HEALTHY}), ["orders-1"], []),
        (metadata(orders={0: OFFLINE}), ["orders-0"], ["orders-0"]),
        (
            metadata(payments={2: URP, 0: HEALTHY, 1: OFFLINE}, __consumer_offsets={7: URP}, audit={0: HEALTHY}),
            ["__consumer_offsets-7", "payments-1", "payments-2"],
            ["payments-1"],
        ),
        # single replica, leader present: healthy
        (metadata(logs={0: partition(0, [0], [0])}), [], []),
        # leader unknown (None) counts as offline
        (metadata(logs={0: partition(None, [0], [0])}), [], ["logs-0"]),
    ],
)
def test_partition_health(md, urp, offline):
    health = kcl.partition_health(md)
    assert health["under_replicated_partition_list"] == urp
    assert health["under_replicated_partitions"] == len(urp)
    assert health["offline_partition_list"] == offline
    assert health["offline_partitions"] == len(offline)


def test_partition_health_counts_topics_and_partitions():
    health = kcl.partition_health(metadata(a={0: HEALTHY, 1: HEALTHY}, b={0: HEALTHY}))
    assert health["topic_count"] == 2
    assert health["partition_count"] == 3


def test_partition_labels_sort_numerically():
    health = kcl.partition_health(metadata(t={i: URP for i in (10, 2, 1)}))
    assert health["under_replicated_partition_list"] == ["t-1", "t-2", "t-10"]


# A move of orders-0 from [0, 1] to [2, 1]: the metadata lists [2, 1, 0], broker 2 is catching up.
MOVING = partition(1, [2, 1, 0], [1, 0])
MOVES = {("orders", 0): dict(adding=[2], removing=[0])}


def test_partition_health_does_not_count_replicas_being_added():
    md = metadata(orders={0: MOVING, 1: HEALTHY})
    health = kcl.partition_health(md, MOVES)
    assert health["under_replicated_partition_list"] == []
    assert health["reassigning_partition_list"] == ["orders-0"]
    assert health["reassigning_partitions"] == 1
    # Without the reassignments (unknown) the moving partition looks under-replicated, as before.
    unknown = kcl.partition_health(md)
    assert unknown["under_replicated_partition_list"] == ["orders-0"]
    assert unknown["reassigning_partitions"] == 0


def test_moving_partition_that_lost_an_original_replica_is_under_replicated():
    md = metadata(orders={0: partition(1, [2, 1, 0], [1])})
    assert kcl.partition_health(md, MOVES)["under_replicated_partition_list"] == ["orders-0"]


@pytest.mark.parametrize(
    "moves, replication_factor, extra",
    [
        (MOVES, 2, dict(reassigning=[0], target_replication_factor=2)),
        # RF 2 -> 3: nothing removed
        ({("orders", 0): dict(adding=[2], removing=[])}, 2, dict(reassigning=[0], target_replication_factor=3)),
        # completed since the reassignments were read: the changing replicas are gone from the metadata
        ({("orders", 0): dict(adding=[5], removing=[6])}, 3, {}),
        # listed as a move to [2, 1, 0, 3]: not all of it in the metadata, so not the metadata of that move
        ({("orders", 0): dict(adding=[2, 3], removing=[])}, 3, {}),
        ({}, 3, {}),
        (None, 3, {}),
    ],
)
def test_topic_state_counts_like_topic_command(moves, replication_factor, extra):
    md = metadata(orders={0: MOVING, 1: partition(1, [1, 2], [1, 2])})
    assert kcl.topic_state(md, "orders", moves) == dict(
        name="orders", partitions=2, replication_factor=replication_factor, **extra
    )


@pytest.mark.parametrize(
    "parts, expected",
    [
        ({0: HEALTHY, 1: HEALTHY}, False),
        ({0: MOVING, 1: HEALTHY}, True),
        ({0: partition(0, [0, 1, 2], [0, 1, 2]), 1: partition(1, [1, 2], [1, 2])}, True),
        ({0: URP}, True),
    ],
)
def test_may_be_reassigning(parts, expected):
    assert kcl.may_be_reassigning(metadata(t=parts).topics["t"]) is expected


class FakeReassignments:
    def __init__(self, answer=None, error=None):
        self.answer = answer or {}
        self.error = error
        self.calls = []

    def list_partition_reassignments(self, topic_partitions=None, timeout_ms=None):
        self.calls.append(topic_partitions)
        if self.error:
            raise self.error
        return self.answer


class FakeModule:
    def __init__(self, client):
        self.client = client
        self.params = dict(request_timeout=5)

    def reassignment_client(self):
        return self.client


class FakeAdmin:
    """Answers list_topics with the next of ``reads`` (the metadata as a broker sees it, read after read)."""

    def __init__(self, *reads):
        self.reads = list(reads)
        self.calls = 0

    def list_topics(self, timeout=None):
        self.calls += 1
        return self.reads.pop(0)


def test_read_reassignments_asks_only_when_a_topic_may_be_moving():
    kafka = pytest.importorskip("kafka")
    answer = {kafka.TopicPartition("orders", 0): dict(replicas=[2, 1, 0], adding_replicas=[2], removing_replicas=[0])}
    client = FakeReassignments(answer)
    healthy = metadata(orders={0: HEALTHY}, audit={0: HEALTHY})
    admin = FakeAdmin()
    assert kcl.read_reassignments(FakeModule(client), admin, healthy) == (healthy, {}, None)
    assert client.calls == []
    assert admin.calls == 0
    moving = metadata(orders={0: MOVING, 1: HEALTHY}, audit={0: HEALTHY})
    admin = FakeAdmin(moving)
    assert kcl.read_reassignments(FakeModule(client), admin, moving, ["orders", "missing"]) == (moving, MOVES, None)
    assert client.calls == [{"orders": [0, 1]}]
    assert admin.calls == 1
    admin = FakeAdmin(healthy)
    assert kcl.read_reassignments(FakeModule(client), admin, healthy, ["orders"], force=True) == (healthy, MOVES, None)


def test_a_move_completing_between_the_reads_counts_its_final_replicas():
    # orders-0 moves from [0, 1] to [2, 1]: the first metadata read shows [2, 1, 0]; the move completes before the
    # controller is asked, so no entry is listed; the metadata read after the list shows [2, 1]. Counted from the
    # first read alone the topic had 3 replicas.
    kafka = pytest.importorskip("kafka")
    done = metadata(orders={0: partition(1, [2, 1], [2, 1])})
    client = FakeReassignments({})
    read, reassignments, warning = kcl.read_reassignments(
        FakeModule(client), FakeAdmin(done), metadata(orders={0: MOVING})
    )
    assert (reassignments, warning) == ({}, None)
    assert kcl.topic_state(read, "orders", reassignments) == dict(name="orders", partitions=1, replication_factor=2)
    # Listed while moving, completed before the metadata was read again: the final replicas, not moving.
    answer = {kafka.TopicPartition("orders", 0): dict(replicas=[2, 1, 0], adding_replicas=[2], removing_replicas=[0])}
    read, reassignments, warning = kcl.read_reassignments(
        FakeModule(FakeReassignments(answer)), FakeAdmin(done), metadata(orders={0: MOVING})
    )
    assert warning is None
    assert kcl.topic_state(read, "orders", reassignments) == dict(name="orders", partitions=1, replication_factor=2)


def test_read_reassignments_without_permission_warns():
    errors = pytest.importorskip("kafka.errors")
    client = FakeReassignments(error=errors.ClusterAuthorizationFailedError())
    md = metadata(orders={0: MOVING})
    read, reassignments, warning = kcl.read_reassignments(FakeModule(client), FakeAdmin(), md)
    assert read is md
    assert reassignments is None
    assert "DESCRIBE on the cluster" in warning
    client = FakeReassignments(error=errors.KafkaTimeoutError("no answer"))
    with pytest.raises(kcl.KafkaOpsError, match="list the partition reassignments in progress"):
        kcl.read_reassignments(FakeModule(client), FakeAdmin(), md)


# ---------------------------------------------------------------------------
# broker membership
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "expected, actual, missing, unexpected",
    [
        ([0, 1, 2], [0, 1, 2], [], []),
        ([0, 1, 2], [2, 0], [1], []),
        ([0, 1], [0, 1, 5], [], [5]),
        ([0, 1], [3], [0, 1], [3]),
        ([], [0], [], [0]),
        ([2, 1, 1], [1], [2], []),
    ],
)
def test_compare_broker_ids(expected, actual, missing, unexpected):
    assert kcl.compare_broker_ids(expected, actual) == dict(missing=missing, unexpected=unexpected)


def test_membership_all_views_match():
    check, problems = kcl.broker_membership_check([0, 1], dict(admin_client=[1, 0], zookeeper=[0, 1]))
    assert problems == []
    assert check == dict(
        admin_client=dict(missing=[], unexpected=[]),
        zookeeper=dict(missing=[], unexpected=[]),
    )


def test_membership_skips_views_not_queried():
    check, problems = kcl.broker_membership_check([0, 1], dict(admin_client=[0], zookeeper=None))
    assert list(check) == ["admin_client"]
    assert len(problems) == 1


@pytest.mark.parametrize(
    "views, fragments",
    [
        (
            dict(admin_client=[0], zookeeper=[0]),
            [
                "AdminClient (describe_cluster) reports missing broker ids [1]",
                "ZooKeeper (/brokers/ids) reports missing broker ids [1]",
            ],
        ),
        (
            dict(admin_client=[0, 1], zookeeper=[0]),
            ["ZooKeeper (/brokers/ids) reports missing broker ids [1] (sees [0])"],
        ),
        (
            dict(admin_client=[0, 1, 7], zookeeper=[0, 1, 7]),
            ["unexpected broker ids [7]"],
        ),
        (
            dict(admin_client=[0, 9]),
            ["missing broker ids [1] and unexpected broker ids [9]"],
        ),
    ],
)
def test_membership_problems_name_ids(views, fragments):
    _check, problems = kcl.broker_membership_check([0, 1], views)
    message = kcl.broker_membership_message([1, 0], problems)
    assert message.startswith("Live brokers do not match expected_broker_ids [0, 1]: ")
    for fragment in fragments:
        assert fragment in message


# ---------------------------------------------------------------------------
# ZooKeeper helpers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "chroot, expected",
    [
        ("/kafka", "/kafka/brokers/ids"),
        ("/kafka/", "/kafka/brokers/ids"),
        ("kafka", "/kafka/brokers/ids"),
        ("/clusters/prod", "/clusters/prod/brokers/ids"),
        ("/", "/brokers/ids"),
        ("", "/brokers/ids"),
        (None, "/brokers/ids"),
    ],
)
def test_zookeeper_path(chroot, expected):
    assert kcl.zookeeper_path(chroot, "/brokers/ids") == expected


@pytest.mark.parametrize(
    "children, expected",
    [
        ([], []),
        (["2", "0", "10", "1"], [0, 1, 2, 10]),
        (["0", "not-a-broker"], [0]),
    ],
)
def test_parse_broker_ids(children, expected):
    assert kcl.parse_broker_ids(children) == expected


@pytest.mark.parametrize(
    "data, expected",
    [
        (b'{"version":2,"brokerid":1,"timestamp":"1700000000000","kraftControllerEpoch":-1}', 1),
        (b"", None),
        (None, None),
        (b"garbage", None),
        (b'{"brokerid":"1"}', None),
    ],
)
def test_parse_controller_id(data, expected):
    assert kcl.parse_controller_id(data) == expected


class FakeZk:
    def __init__(self, children=None, data=None):
        self.children = children or {}
        self.data = data or {}
        self.requested = []

    def get_children(self, path):
        self.requested.append(path)
        if path not in self.children:
            raise pytest.importorskip("kazoo.exceptions").NoNodeError()
        return self.children[path]

    def get(self, path):
        self.requested.append(path)
        if path not in self.data:
            raise pytest.importorskip("kazoo.exceptions").NoNodeError()
        return self.data[path], None


def test_zookeeper_broker_ids_reads_chroot():
    zk = FakeZk(children={"/kafka/brokers/ids": ["1", "0"]})
    assert kcl.zookeeper_broker_ids(zk, "/kafka") == [0, 1]
    assert zk.requested == ["/kafka/brokers/ids"]


def test_zookeeper_broker_ids_wrong_chroot_is_clear():
    zk = FakeZk()
    with pytest.raises(kcl.KafkaOpsError) as info:
        kcl.zookeeper_broker_ids(zk, "/nope")
    assert str(info.value) == (
        "Failed to list /nope/brokers/ids in ZooKeeper: the znode does not exist (check zookeeper_chroot)"
    )


def test_zookeeper_controller_id():
    assert kcl.zookeeper_controller_id(FakeZk(data={"/kafka/controller": b'{"brokerid":2}'}), "/kafka") == 2
    assert kcl.zookeeper_controller_id(FakeZk(), "/kafka") is None


# ---------------------------------------------------------------------------
# topics
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "md, expected",
    [
        (metadata(), None),
        (metadata(other={0: HEALTHY}), None),
        (
            metadata(probe={0: HEALTHY, 1: HEALTHY, 2: URP}),
            dict(name="probe", partitions=3, replication_factor=3),
        ),
        (metadata(probe={0: partition(0, [0], [0])}), dict(name="probe", partitions=1, replication_factor=1)),
    ],
)
def test_topic_state(md, expected):
    assert kcl.topic_state(md, "probe") == expected


def test_topic_state_unknown_topic_error():
    kafka_error = pytest.importorskip("confluent_kafka").KafkaError
    md = SimpleNamespace(
        topics={"probe": SimpleNamespace(partitions={}, error=kafka_error(kafka_error.UNKNOWN_TOPIC_OR_PART))}
    )
    assert kcl.topic_state(md, "probe") is None


@pytest.mark.parametrize(
    "md, partitions, ready",
    [
        (metadata(), 1, False),
        (metadata(probe={0: HEALTHY}), 3, False),
        (metadata(probe={0: HEALTHY, 1: OFFLINE, 2: HEALTHY}), 3, False),
        (metadata(probe={0: HEALTHY, 1: URP, 2: HEALTHY}), 3, True),
    ],
)
def test_topic_is_ready(md, partitions, ready):
    assert kcl.topic_is_ready(md, "probe", partitions) is ready


@pytest.mark.parametrize(
    "rf, live, problem",
    [
        (1, [0], None),
        (3, [0, 1, 2], None),
        (3, [2, 0], "replication_factor 3 is greater than the number of live brokers (2: [0, 2])"),
        (1, [], "replication_factor 1 is greater than the number of live brokers (0: [])"),
    ],
)
def test_replication_factor_problem(rf, live, problem):
    assert kcl.replication_factor_problem(rf, live) == problem
