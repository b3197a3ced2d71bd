# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The replication throttles of module_utils/kafka_reassign_throttle (pure: runs without the client libraries)."""

from __future__ import annotations

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_reassign_throttle as r

MOVES = {
    "t": {
        0: {"from": [0, 1], "to": [1, 3]},  # copies to 3
        1: {"from": [1, 2], "to": [2, 1]},  # reorder only: no data moves
        2: {"from": [2, 0], "to": [2, 1, 0]},  # copies to 1
    }
}


def test_throttle_plan_like_kafka_reassign_partitions():
    plan = r.throttle_plan(MOVES, 1000)
    assert plan == dict(
        rate=1000,
        brokers=[0, 1, 2, 3],
        topics={"t": dict(leader={(0, 0), (0, 1), (2, 2), (2, 0)}, follower={(0, 3), (2, 1)})},
    )
    assert r.throttle_summary(plan)["topics"] == {
        "t": {
            "leader.replication.throttled.replicas": "0:0,0:1,2:0,2:2",
            "follower.replication.throttled.replicas": "0:3,2:1",
        }
    }


@pytest.mark.parametrize(
    "moves, rate",
    [
        (MOVES, 0),
        ({"t": {1: {"from": [1, 2], "to": [2, 1]}}}, 1000),
        ({"t": {1: {"from": [1, 2], "to": [1]}}}, 1000),
        ({}, 1000),
    ],
)
def test_no_throttle_without_data_movement(moves, rate):
    assert r.throttle_plan(moves, rate) is None
    assert r.throttle_summary(None) is None


@pytest.mark.parametrize(
    "value, expected",
    [
        (None, set()),
        ("", set()),
        ("*", "*"),
        (" 0:1, 2:3 ,", {(0, 1), (2, 3)}),
    ],
)
def test_parse_throttled_replicas(value, expected):
    assert r.parse_throttled_replicas(value) == expected


def test_throttle_changes_without_previous_values():
    plan = r.throttle_plan(MOVES, 1000)
    apply, restore = r.throttle_changes(plan, {}, {})
    rates = {"leader.replication.throttled.rate": "1000", "follower.replication.throttled.rate": "1000"}
    unset = {"leader.replication.throttled.rate": None, "follower.replication.throttled.rate": None}
    # The topics' lists before the brokers' rates; restored brokers first (a rate never outlives its entries).
    assert apply == [
        (
            "topic",
            "t",
            {
                "leader.replication.throttled.replicas": "0:0,0:1,2:0,2:2",
                "follower.replication.throttled.replicas": "0:3,2:1",
            },
        )
    ] + [("broker", str(b), rates) for b in range(4)]
    assert restore == [("broker", str(b), unset) for b in range(4)] + [
        (
            "topic",
            "t",
            {"leader.replication.throttled.replicas": None, "follower.replication.throttled.replicas": None},
        )
    ]


def test_throttle_changes_merge_with_and_restore_previous_values():
    plan = r.throttle_plan({"t": {0: {"from": [0], "to": [1]}}}, 1000)
    broker_previous = {0: {"leader.replication.throttled.rate": "5"}}
    topic_previous = {
        "t": {"leader.replication.throttled.replicas": "7:7", "follower.replication.throttled.replicas": "*"}
    }
    apply, restore = r.throttle_changes(plan, broker_previous, topic_previous)
    assert apply[0] == ("topic", "t", {"leader.replication.throttled.replicas": "0:0,7:7"})
    assert restore[-1] == ("topic", "t", {"leader.replication.throttled.replicas": "7:7"})
    assert restore[0] == (
        "broker",
        "0",
        {"leader.replication.throttled.rate": "5", "follower.replication.throttled.rate": None},
    )
    warnings = r.previous_throttle_warnings(plan, broker_previous, topic_previous)
    assert warnings[0].startswith("broker 0 already has a replication throttle")
    assert warnings[1].startswith("topic t already has throttled replicas")


def test_throttle_changes_skip_topic_already_fully_throttled():
    plan = r.throttle_plan({"t": {0: {"from": [0], "to": [1]}}}, 1000)
    previous = {"t": {"leader.replication.throttled.replicas": "*", "follower.replication.throttled.replicas": "*"}}
    apply, restore = r.throttle_changes(plan, {}, previous)
    assert [change[0] for change in apply] == ["broker", "broker"]
    assert [change[0] for change in restore] == ["broker", "broker"]


# ---------------------------------------------------------------------------
# What an interrupted run left
# ---------------------------------------------------------------------------

LEADER = "leader.replication.throttled.replicas"
FOLLOWER = "follower.replication.throttled.replicas"


def test_find_leftover_from_the_throttle_configs():
    throttles = {
        "t": {LEADER: "0:0,0:1,2:2", FOLLOWER: "0:3,2:1"},
        "u": {LEADER: None, FOLLOWER: "1:4"},
        "star": {LEADER: "*", FOLLOWER: "*"},  # every replica: not a move's throttle
        "none": {LEADER: None, FOLLOWER: None},
    }
    reassignments = {("t", 0): dict(replicas=[1, 3, 0], adding=[3], removing=[0]), ("x", 0): dict(replicas=[1])}
    leftover = r.find_leftover(throttles, reassignments)
    assert leftover == dict(
        topics={"t": [LEADER, FOLLOWER], "u": [FOLLOWER]},
        brokers=[0, 1, 2, 3, 4],
        partitions=[("t", 0), ("t", 2), ("u", 1)],
        moving=[("t", 0)],
    )
    assert r.leftover_moves(leftover, reassignments) == {"t": {0: {"from": [1, 0], "to": [1, 3]}}}
    rates = {key: None for key in r.BROKER_THROTTLE_KEYS}
    assert r.leftover_restore(leftover) == [("broker", str(b), rates) for b in range(5)] + [
        ("topic", "t", {LEADER: None, FOLLOWER: None}),
        ("topic", "u", {FOLLOWER: None}),
    ]
    assert r.restore_summary(r.leftover_restore(leftover)) == dict(brokers=[0, 1, 2, 3, 4], topics=["t", "u"])


@pytest.mark.parametrize(
    "throttles",
    [{}, {"t": {LEADER: "*", FOLLOWER: "*"}}, {"t": {LEADER: None, FOLLOWER: ""}}, {"t": {LEADER: "x:y"}}],
)
def test_no_leftover(throttles):
    assert r.find_leftover(throttles, {("t", 0): dict(replicas=[1], adding=[1], removing=[])}) is None
