# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_quorum: the metadata mode from ApiVersions and the quorum from DescribeQuorum answers shaped like
kafka-python's ``describe_metadata_quorum()`` (the first answer is the one a Kafka 4.3.1 loopback cluster gave)."""

from __future__ import annotations

import copy
import uuid

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_quorum as kq
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError

NOW = 1796429329790


def replica(replica_id, leo, fetch=NOW, caught_up=NOW, directory="89820376-10de-45a8-9307-93ccff88ac72"):
    return dict(
        replica_id=replica_id,
        replica_directory_id=uuid.UUID(directory) if directory else None,
        log_end_offset=leo,
        last_fetch_timestamp=fetch,
        last_caught_up_timestamp=caught_up,
    )


def answer(leader=1001, epoch=1, hw=38, voters=(), observers=(), nodes=None, error=None, topic=kq.METADATA_TOPIC):
    return dict(
        topics=[
            dict(
                topic_name=topic,
                partitions=[
                    dict(
                        partition_index=0,
                        leader_id=leader,
                        leader_epoch=epoch,
                        high_watermark=hw,
                        current_voters=list(voters),
                        observers=list(observers),
                        error=error,
                    )
                ],
            )
        ],
        nodes=nodes if nodes is not None else [],
    )


def controller_node(node_id, port):
    return dict(node_id=node_id, listeners=[dict(name="CONTROLLER", host="127.0.0.1", port=port)])


# One controller, three brokers: what Kafka 4.3.1 answered on loopback.
LOOPBACK = answer(
    voters=[replica(1001, 38)],
    observers=[
        replica(2, 38, directory="02e646df-71ae-4cf6-0552-59022e72ec45"),
        replica(0, 38, directory="208c3efe-ff2d-925f-88d2-4e7c4634d971"),
        replica(1, 38, directory="944f773c-14af-18e2-386c-f3f188f55f6d"),
    ],
    nodes=[controller_node(1001, 30291)],
)

# Three controllers: 1002 leads, 1003 is 7 records behind, broker 1 has not fetched yet (-1).
THREE = answer(
    leader=1002,
    epoch=5,
    hw=120,
    voters=[replica(1001, 120), replica(1003, 113, caught_up=NOW - 900), replica(1002, 120, fetch=-1)],
    observers=[replica(1, -1, fetch=-1, caught_up=-1), replica(0, 118)],
    nodes=[controller_node(1003, 9097), controller_node(1001, 9097), controller_node(1002, 9097)],
)


# ---------------------------------------------------------------------------
# metadata mode
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "versions, mode",
    [
        # Kafka 4.3.1 (KRaft): DescribeQuorum 0-2 among the others
        ({0: (0, 13), 3: (0, 13), 55: (0, 2), 60: (0, 2)}, "kraft"),
        # Kafka 3.9.2 (ZooKeeper): no 55, though higher keys are there
        ({0: (0, 11), 3: (0, 12), 54: (0, 1), 56: (0, 3), 69: (0, 0)}, "zookeeper"),
        ({}, "zookeeper"),
        (None, "zookeeper"),
    ],
)
def test_metadata_mode(versions, mode):
    assert kq.metadata_mode(versions) == mode


def test_metadata_mode_accepts_int_enums():
    # kafka-python's api_versions() keys are ApiKey members (IntEnum)
    import enum

    class ApiKey(enum.IntEnum):
        Produce = 0
        DescribeQuorum = 55

    assert kq.metadata_mode({ApiKey.Produce: (0, 11), ApiKey.DescribeQuorum: (0, 2)}) == "kraft"


# ---------------------------------------------------------------------------
# directory ids
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        (uuid.UUID("89820376-10de-45a8-9307-93ccff88ac72"), "iYIDdhDeRaiTB5PM_4iscg"),
        ("89820376-10de-45a8-9307-93ccff88ac72", "iYIDdhDeRaiTB5PM_4iscg"),
        ("iYIDdhDeRaiTB5PM_4iscg", "iYIDdhDeRaiTB5PM_4iscg"),  # already Kafka's form
        (uuid.UUID(int=0), None),  # answers before KIP-853 (version < 2)
        (None, None),
        ("", None),
    ],
)
def test_kafka_uuid(value, expected):
    assert kq.kafka_uuid(value) == expected


# ---------------------------------------------------------------------------
# parse_quorum
# ---------------------------------------------------------------------------


def test_parse_quorum_loopback_answer():
    quorum = kq.parse_quorum(LOOPBACK)
    assert quorum["leader_id"] == 1001
    assert quorum["leader_epoch"] == 1
    assert quorum["high_watermark"] == 38
    assert quorum["voter_ids"] == [1001]
    assert quorum["observer_ids"] == [0, 1, 2]
    assert quorum["max_voter_lag"] == 0
    assert quorum["max_observer_lag"] == 0
    assert quorum["voters"] == [
        dict(
            id=1001,
            directory_id="iYIDdhDeRaiTB5PM_4iscg",
            status="Leader",
            log_end_offset=38,
            lag=0,
            last_fetch_timestamp=NOW,
            last_caught_up_timestamp=NOW,
            endpoints=["CONTROLLER://127.0.0.1:30291"],
        )
    ]
    assert [o["status"] for o in quorum["observers"]] == ["Observer"] * 3
    assert all("endpoints" not in o for o in quorum["observers"])


def test_parse_quorum_lag_is_leader_end_offset_minus_the_replicas():
    quorum = kq.parse_quorum(THREE)
    voters = {v["id"]: v for v in quorum["voters"]}
    assert quorum["voter_ids"] == [1001, 1002, 1003]
    assert {i: v["status"] for i, v in voters.items()} == {1001: "Follower", 1002: "Leader", 1003: "Follower"}
    assert {i: v["lag"] for i, v in voters.items()} == {1001: 0, 1002: 0, 1003: 7}
    assert quorum["max_voter_lag"] == 7
    assert voters[1003]["last_caught_up_timestamp"] == NOW - 900
    assert voters[1002]["last_fetch_timestamp"] is None  # -1: the leader does not fetch
    assert voters[1003]["endpoints"] == ["CONTROLLER://127.0.0.1:9097"]


def test_parse_quorum_unknown_offsets_are_none_and_make_the_max_unknown():
    quorum = kq.parse_quorum(THREE)
    observers = {o["id"]: o for o in quorum["observers"]}
    assert observers[1] == dict(
        id=1,
        directory_id="iYIDdhDeRaiTB5PM_4iscg",
        status="Observer",
        log_end_offset=None,
        lag=None,
        last_fetch_timestamp=None,
        last_caught_up_timestamp=None,
    )
    assert observers[0]["lag"] == 2
    # one observer's lag unknown: the largest is unknown too (a gate on it must not pass on a guess)
    assert quorum["max_observer_lag"] is None
    unknown_voter = copy.deepcopy(THREE)
    unknown_voter["topics"][0]["partitions"][0]["current_voters"][1]["log_end_offset"] = -1
    assert kq.parse_quorum(unknown_voter)["max_voter_lag"] is None


def test_parse_quorum_without_a_leader():
    quorum = kq.parse_quorum(answer(leader=-1, voters=[replica(1001, 40), replica(1002, 38)]))
    assert quorum["leader_id"] is None
    assert [v["status"] for v in quorum["voters"]] == ["Follower", "Follower"]
    assert [v["lag"] for v in quorum["voters"]] == [None, None]
    assert quorum["max_voter_lag"] is None


def test_parse_quorum_version_0_answer():
    # Before KIP-836/853: no timestamps (-1 defaults), no directory ids, no nodes.
    old = answer(
        voters=[replica(1001, 10, fetch=-1, caught_up=-1, directory=None)],
        observers=[replica(0, 9, fetch=-1, caught_up=-1, directory=None)],
    )
    del old["nodes"]
    quorum = kq.parse_quorum(old)
    assert quorum["voters"][0]["directory_id"] is None
    assert quorum["voters"][0]["endpoints"] == []
    assert quorum["voters"][0]["last_caught_up_timestamp"] is None
    assert quorum["observers"][0]["lag"] == 1


def test_parse_quorum_no_observers_no_max():
    quorum = kq.parse_quorum(answer(voters=[replica(1001, 5)]))
    assert quorum["observer_ids"] == []
    assert quorum["max_observer_lag"] is None
    assert quorum["max_voter_lag"] == 0


@pytest.mark.parametrize(
    "bad, message",
    [
        (answer(topic="other"), "no entry for __cluster_metadata-0"),
        ({"topics": []}, "no entry for __cluster_metadata-0"),
        (answer(error="[Error 6] NotLeaderForPartitionError: "), "NotLeaderForPartitionError"),
    ],
)
def test_parse_quorum_refuses_answers_without_the_partition(bad, message):
    with pytest.raises(ValueError, match=message):
        kq.parse_quorum(bad)


# ---------------------------------------------------------------------------
# ZooKeeper options against KRaft
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mode, hosts, refused",
    [
        ("kraft", "zk-0:2181", True),
        ("kraft", "", False),  # verify.yml passes '' in KRaft mode
        ("kraft", None, False),
        ("zookeeper", "zk-0:2181", False),
    ],
)
def test_zookeeper_option_refusal(mode, hosts, refused):
    params = dict(bootstrap_servers=["kafka-0:9092", "kafka-1:9092"], zookeeper_hosts=hosts)
    message = kq.zookeeper_option_refusal(mode, params)
    if refused:
        assert "zookeeper_hosts is set (zk-0:2181)" in message
        assert "kafka-0:9092,kafka-1:9092 runs in KRaft mode" in message
    else:
        assert message is None


# ---------------------------------------------------------------------------
# readers (kafka-python's errors)
# ---------------------------------------------------------------------------


class FakeQuorumClient:
    def __init__(self, versions=None, answer=None, error=None):
        self.versions = versions
        self.answer = answer
        self.error = error

    def api_versions(self):
        if isinstance(self.versions, Exception):
            raise self.versions
        return self.versions

    def describe_metadata_quorum(self):
        if self.error is not None:
            raise self.error
        return self.answer


def test_read_quorum():
    pytest.importorskip("kafka.errors")
    quorum, warning = kq.read_quorum(FakeQuorumClient(answer=LOOPBACK))
    assert warning is None
    assert quorum["leader_id"] == 1001


def test_read_quorum_not_authorized_warns():
    errors = pytest.importorskip("kafka.errors")
    quorum, warning = kq.read_quorum(FakeQuorumClient(error=errors.ClusterAuthorizationFailedError("denied")))
    assert quorum is None
    assert "DESCRIBE on the cluster" in warning


def test_read_quorum_other_errors_fail():
    errors = pytest.importorskip("kafka.errors")
    with pytest.raises(KafkaOpsError, match="Failed to describe the KRaft metadata quorum: .*timed out"):
        kq.read_quorum(FakeQuorumClient(error=errors.KafkaTimeoutError("timed out")))


def test_read_quorum_partition_error_fails():
    pytest.importorskip("kafka.errors")
    with pytest.raises(KafkaOpsError, match="Failed to describe the KRaft metadata quorum: .*NotLeader"):
        kq.read_quorum(FakeQuorumClient(answer=answer(error="[Error 6] NotLeaderForPartitionError: ")))


def test_read_metadata_mode():
    errors = pytest.importorskip("kafka.errors")
    assert kq.read_metadata_mode(FakeQuorumClient(versions={55: (0, 2)})) == "kraft"
    assert kq.read_metadata_mode(FakeQuorumClient(versions={3: (0, 12)})) == "zookeeper"
    with pytest.raises(KafkaOpsError, match="Failed to read the API versions"):
        kq.read_metadata_mode(FakeQuorumClient(versions=errors.NodeNotReadyError("no connection")))
