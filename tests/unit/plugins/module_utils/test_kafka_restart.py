# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The restart gate's decision (pure functions)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import controller_id
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import evaluate
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import live_broker_ids
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import min_isr_by_topic
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import parse_min_isr
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import partition_rows
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import topics_to_describe
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import unsafe_message

LIVE = [0, 1, 2]


def row(replicas, isr, leader=None, topic="orders", partition=3):
    if leader is None and isr:
        leader = isr[0]
    return dict(topic=topic, partition=partition, leader=leader, replicas=list(replicas), isr=list(isr))


def offline_row(replicas, isr, topic="orders", partition=3):
    return dict(topic=topic, partition=partition, leader=None, replicas=list(replicas), isr=list(isr))


@pytest.mark.parametrize(
    "partition, min_isr, kind",
    [
        # ISR == minISR and the broker is in it: stopping it drops the partition below its minimum.
        (row([2, 0, 1], [2, 0]), 2, "at_min_isr"),
        # ISR == minISR without the broker: stopping it changes nothing for this partition.
        (row([2, 0, 1], [0, 1]), 2, None),
        # ISR < minISR and the broker holds a replica (in the ISR or not).
        (row([2, 0, 1], [2]), 2, "below_min_isr"),
        (row([2, 0, 1], [0]), 2, "below_min_isr"),
        # ISR > minISR: one replica may go.
        (row([2, 0, 1], [2, 0, 1]), 2, None),
        # The broker holds no replica.
        (row([0, 1], [0]), 2, None),
        # minISR 1, RF 3, ISR [2, 0]: fine.
        (row([2, 0, 1], [2, 0]), 1, None),
    ],
)
def test_broker_rule_without_urp_check(partition, min_isr, kind):
    state = evaluate([partition], {"orders": min_isr}, 2, LIVE, require_no_under_replicated=False)
    kinds = [entry["kind"] for entry in state["blocking"]]
    assert kinds == ([kind] if kind else [])
    assert state["safe"] is (kind is None)


def test_blocking_entry_and_message_name_the_rule():
    state = evaluate([row([2, 0, 1], [2, 0])], {"orders": 2}, 2, LIVE, require_no_under_replicated=False)
    (entry,) = state["blocking"]
    assert entry == dict(
        topic="orders",
        partition=3,
        replicas=[2, 0, 1],
        isr=[2, 0],
        min_insync_replicas=2,
        kind="at_min_isr",
        reason="stopping broker 2 would leave orders-3 with 1 in-sync replica, min.insync.replicas is 2",
    )
    assert unsafe_message(2, state["blocking"]) == (
        "Broker 2 must not be stopped now: "
        "stopping broker 2 would leave orders-3 with 1 in-sync replica, min.insync.replicas is 2"
    )


def test_message_shows_ten_and_counts_the_rest():
    rows = [row([2, 0, 1], [2, 0], partition=p) for p in range(13)]
    state = evaluate(rows, {"orders": 2}, 2, LIVE)
    message = unsafe_message(2, state["blocking"], waited=30)
    assert message.startswith("Broker 2 must not be stopped now (still unsafe after waiting 30s): ")
    assert "orders-9 " in message and "orders-10 " not in message
    assert message.endswith("; and 3 more partition(s) (see blocking)")
    assert len(state["blocking"]) == 13


@pytest.mark.parametrize(
    "replicas, isr, min_isr, unavoidable",
    [
        ([2], [2], 1, True),  # replication factor 1
        ([2, 0], [2, 0], 2, True),  # minISR == RF
        ([2, 0], [0], 3, True),  # minISR > RF: never reachable
        ([2, 0, 1], [2, 0, 1], 3, True),
        ([2, 0, 1], [2, 0, 1], 2, False),
    ],
)
def test_min_isr_not_below_replication_factor_never_blocks(replicas, isr, min_isr, unavoidable):
    state = evaluate([row(replicas, isr)], {"orders": min_isr}, 2, LIVE, require_no_under_replicated=False)
    assert state["safe"] is True
    assert state["unavoidable"] == (["orders-3"] if unavoidable else [])


@pytest.mark.parametrize("require", [True, False])
def test_under_replicated_partition_elsewhere(require):
    rows = [row([2, 0, 1], [2, 0, 1]), row([0, 1], [0], topic="payments", partition=0)]
    state = evaluate(rows, {"orders": 2, "payments": 1}, 2, LIVE, require_no_under_replicated=require)
    assert state["under_replicated"] == ["payments-0"]
    assert state["offline"] == []
    assert state["safe"] is (not require)
    if require:
        (entry,) = state["blocking"]
        assert entry["kind"] == "under_replicated"
        assert entry["reason"] == "payments-0 is under-replicated (in-sync [0] of replicas [0, 1])"


@pytest.mark.parametrize("require", [True, False])
def test_offline_partition(require):
    rows = [row([2, 0, 1], [2, 0, 1]), offline_row([1], [1], topic="scratch", partition=0)]
    state = evaluate(rows, {}, 2, LIVE, require_no_under_replicated=require)
    assert state["offline"] == ["scratch-0"]
    assert state["safe"] is (not require)
    if require:
        assert state["blocking"][0]["kind"] == "offline"
        assert state["blocking"][0]["reason"].startswith("scratch-0 is offline (no leader")


@pytest.mark.parametrize(
    "topic_min_isr, expected_safe",
    [
        (1, True),  # e.g. broker default 1: ISR 2 > 1
        (2, False),  # topic override 2: ISR 2 == 2 containing broker 2
    ],
)
def test_topic_min_isr_decides(topic_min_isr, expected_safe):
    rows = [row([2, 0, 1], [2, 0])]
    state = evaluate(rows, {"orders": topic_min_isr}, 2, LIVE, require_no_under_replicated=False)
    assert state["safe"] is expected_safe


def test_missing_topic_min_isr_uses_kafka_default():
    state = evaluate([row([2, 0, 1], [2, 0])], {}, 2, LIVE, require_no_under_replicated=False)
    assert state["safe"] is True


@pytest.mark.parametrize(
    "entries, expected",
    [
        # Topic override (DYNAMIC_TOPIC_CONFIG = 1).
        ({"min.insync.replicas": ("2", 1)}, 2),
        # Broker default from server.properties (STATIC_BROKER_CONFIG = 4).
        ({"min.insync.replicas": ("3", 4)}, 3),
        # Kafka's own default (DEFAULT_CONFIG = 5).
        ({"min.insync.replicas": ("1", 5)}, 1),
        # Not reported / not a number: Kafka's default.
        ({}, 1),
        ({"min.insync.replicas": (None, 5)}, 1),
        ({"min.insync.replicas": ("x", 5)}, 1),
    ],
)
def test_min_isr_by_topic(entries, expected):
    assert min_isr_by_topic({"orders": entries}) == {"orders": expected}


@pytest.mark.parametrize("value, expected", [("2", 2), (" 3 ", 3), ("0", 1), ("-1", 1), (None, 1), ("", 1)])
def test_parse_min_isr(value, expected):
    assert parse_min_isr(value) == expected


def test_partitions_led_and_registration():
    rows = [row([2, 0], [2, 0], partition=0), row([0, 2], [0, 2], partition=1), row([2, 1], [2, 1], partition=2)]
    state = evaluate(rows, {}, 2, LIVE)
    assert state["partitions_led"] == 2
    assert state["broker_registered"] is True
    assert state["safe"] is True


def test_unregistered_broker_is_excused_for_its_own_absence():
    # Broker 2 is down: its partitions are under-replicated or offline because of it alone.
    rows = [
        row([2, 0, 1], [0, 1], partition=0),
        offline_row([2], [2], partition=1),
        row([2, 0], [0], partition=2),
    ]
    state = evaluate(rows, {"orders": 2}, 2, [0, 1])
    assert state["broker_registered"] is False
    assert state["under_replicated"] == ["orders-0", "orders-2"]
    assert state["offline"] == ["orders-1"]
    assert state["safe"] is True


def test_unregistered_broker_still_blocked_by_another_problem():
    # Broker 2 is down, and broker 1 (live) is not in sync: not explained by broker 2 alone.
    rows = [row([2, 0, 1], [0], partition=0), row([0, 1], [0], topic="payments", partition=0)]
    state = evaluate(rows, {}, 2, [0, 1])
    assert [(e["topic"], e["partition"], e["kind"]) for e in state["blocking"]] == [
        ("orders", 0, "under_replicated"),
        ("payments", 0, "under_replicated"),
    ]


def test_topics_to_describe():
    rows = [
        row([2, 0], [2, 0], topic="a"),
        row([0, 1], [0, 1], topic="b"),
        row([0, 1], [0], topic="c"),
        offline_row([1], [1], topic="d"),
    ]
    assert topics_to_describe(rows, 2) == ["a", "c", "d"]


def test_partition_rows_from_metadata():
    metadata = SimpleNamespace(
        topics={
            "b": SimpleNamespace(partitions={0: SimpleNamespace(leader=-1, replicas=[1], isrs=[1])}),
            "a": SimpleNamespace(
                partitions={
                    1: SimpleNamespace(leader=2, replicas=[2, 0], isrs=[2]),
                    0: SimpleNamespace(leader=0, replicas=[0, 2], isrs=[0, 2]),
                }
            ),
        },
        brokers={2: None, 0: None},
        controller_id=-1,
    )
    assert partition_rows(metadata) == [
        dict(topic="a", partition=0, leader=0, replicas=[0, 2], isr=[0, 2]),
        dict(topic="a", partition=1, leader=2, replicas=[2, 0], isr=[2]),
        dict(topic="b", partition=0, leader=None, replicas=[1], isr=[1]),
    ]
    assert live_broker_ids(metadata) == [0, 2]
    assert controller_id(metadata) is None
    assert controller_id(SimpleNamespace(controller_id=1)) == 1
