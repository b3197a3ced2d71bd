# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_groups against a fake AdminClient with confluent-kafka types (needs confluent-kafka)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from confluent_kafka import ConsumerGroupState  # noqa: E402
from confluent_kafka import TopicPartition  # noqa: E402
from kafka_fakes import done  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_groups as kg  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaOpsError  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException


# ---------------------------------------------------------------------------
# states
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, name",
    [
        (ConsumerGroupState.STABLE, "stable"),
        (ConsumerGroupState.EMPTY, "empty"),
        (ConsumerGroupState.PREPARING_REBALANCING, "preparing_rebalance"),
        (ConsumerGroupState.COMPLETING_REBALANCING, "completing_rebalance"),
        (ConsumerGroupState.DEAD, "dead"),
        (ConsumerGroupState.UNKNOWN, "unknown"),
    ],
)
def test_state_name(value, name):
    assert kg.state_name(value) == name


# ---------------------------------------------------------------------------
# descriptions
# ---------------------------------------------------------------------------


def member(member_id, client_id="app", host="/10.0.0.5", partitions=(), instance=None):
    return SimpleNamespace(
        member_id=member_id,
        client_id=client_id,
        host=host,
        group_instance_id=instance,
        assignment=SimpleNamespace(topic_partitions=[TopicPartition(t, p) for t, p in partitions]),
    )


def description(group_id="g", state=ConsumerGroupState.STABLE, members=()):
    return SimpleNamespace(
        group_id=group_id,
        is_simple_consumer_group=False,
        members=list(members),
        partition_assignor="range",
        state=state,
        coordinator=SimpleNamespace(id=1, host="kafka-1", port=9092),
        type=SimpleNamespace(name="CLASSIC"),
    )


def test_group_state_and_members():
    group = kg.group_state(
        description(members=[member("m-2", partitions=[("b", 0), ("a", 1)]), member("m-1", host="10.0.0.6")])
    )
    assert group == dict(
        group_id="g",
        state="stable",
        type="classic",
        is_simple_consumer_group=False,
        partition_assignor="range",
        coordinator=dict(id=1, host="kafka-1", port=9092),
        members=[
            dict(member_id="m-1", client_id="app", host="10.0.0.6", group_instance_id=None, assignment=[]),
            dict(
                member_id="m-2",
                client_id="app",
                host="10.0.0.5",
                group_instance_id=None,
                assignment=[dict(topic="a", partition=1), dict(topic="b", partition=0)],
            ),
        ],
    )
    assert kg.assigned_partitions(group) == {("a", 1), ("b", 0)}
    assert kg.group_partitions({("c", 0): 3}, group) == {("a", 1), ("b", 0), ("c", 0)}


# ---------------------------------------------------------------------------
# client calls against a minimal fake
# ---------------------------------------------------------------------------


class Admin:
    def __init__(self, list_errors=()):
        self.list_errors = list(list_errors)
        self.requests = []

    def list_consumer_groups(self, request_timeout):
        valid = [SimpleNamespace(group_id="g", state=ConsumerGroupState.EMPTY)]
        return done(SimpleNamespace(valid=valid, errors=self.list_errors))

    def list_consumer_group_offsets(self, requests, request_timeout):
        group = requests[0].group_id
        partitions = [TopicPartition("a", 0, 7), TopicPartition("a", 1, -1001)]
        return {group: done(SimpleNamespace(group_id=group, topic_partitions=partitions))}

    def list_offsets(self, request, isolation_level, request_timeout):
        self.requests.append((sorted((tp.topic, tp.partition) for tp in request), isolation_level))
        gone = KafkaException(KafkaError(KafkaError.UNKNOWN_TOPIC_OR_PART, "Broker: Unknown topic or partition"))
        return {
            tp: done(exception=gone) if tp.topic == "gone" else done(SimpleNamespace(offset=10 + tp.partition))
            for tp in request
        }

    def list_topics(self, timeout):
        return SimpleNamespace(
            topics={
                "a": SimpleNamespace(partitions={0: None, 1: None, 2: None}, error=None),
                "broken": SimpleNamespace(partitions={}, error=KafkaError(KafkaError.LEADER_NOT_AVAILABLE)),
            }
        )


def test_list_groups():
    assert kg.list_groups(Admin(), 5) == [dict(group_id="g", state="empty")]


def test_list_groups_fails_on_partial_answer():
    error = KafkaException(KafkaError(KafkaError._TRANSPORT, "broker 2 down"))
    with pytest.raises(KafkaOpsError) as info:
        kg.list_groups(Admin(list_errors=[error]), 5)
    assert str(info.value).startswith("Failed to list consumer groups: broker 2 down")


def test_committed_offsets_without_commit_is_none():
    assert kg.committed_offsets(Admin(), "g", 5) == {("a", 0): 7, ("a", 1): None}


def test_end_offsets_per_partition_errors():
    admin = Admin()
    ends, errors = kg.end_offsets(admin, {("a", 1), ("gone", 0), ("a", 0)}, 5, "read_committed")
    assert ends == {("a", 0): 10, ("a", 1): 11, ("gone", 0): None}
    assert errors == {("gone", 0): "Broker: Unknown topic or partition (UNKNOWN_TOPIC_OR_PART)"}
    assert admin.requests == [([("a", 0), ("a", 1), ("gone", 0)], confluent_kafka.IsolationLevel.READ_COMMITTED)]
    assert kg.end_offsets(admin, set(), 5) == ({}, {})


def test_partition_counts():
    assert kg.partition_counts(Admin(), {"a", "broken", "missing"}, 5) == {"a": 3}
    assert kg.partition_counts(Admin(), set(), 5) == {}
