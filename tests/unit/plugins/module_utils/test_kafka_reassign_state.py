# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ZooKeeper documents, status and progress of module_utils/kafka_reassign_state (pure: runs without the client
libraries), and the wait through polling.poll as kafka_reassign calls it."""

from __future__ import annotations

import datetime
import json

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_reassign_state as r
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import throttle_plan

# ---------------------------------------------------------------------------
# ZooKeeper documents
# ---------------------------------------------------------------------------


def test_parse_topic_znode():
    data = (
        b'{"partitions":{"0":[0,2,1],"1":[2,3]},"topic_id":"x",'
        b'"adding_replicas":{"0":[0]},"removing_replicas":{"0":[1]},"version":3}'
    )
    assert r.parse_topic_znode(data) == dict(partitions={0: [0, 2, 1], 1: [2, 3]}, adding={0: [0]}, removing={0: [1]})
    # Version 1 znodes (old clusters) have no adding/removing replicas.
    assert r.parse_topic_znode(b'{"version":1,"partitions":{"0":[1]}}') == dict(
        partitions={0: [1]}, adding={}, removing={}
    )


def test_parse_invalid_json_fails_clearly():
    with pytest.raises(r.KafkaOpsError) as error:
        r.parse_topic_znode(b"{nope", "t")
    assert "Failed to parse the ZooKeeper znode of topic t: invalid JSON" in str(error.value)


def test_reassignment_json_round_trip():
    moves = {"b": {1: {"from": [0], "to": [1, 2]}}, "a": {0: {"from": [1], "to": [0]}}}
    data = r.reassignment_json(moves)
    assert json.loads(data) == {
        "version": 1,
        "partitions": [
            {"topic": "a", "partition": 0, "replicas": [0]},
            {"topic": "b", "partition": 1, "replicas": [1, 2]},
        ],
    }
    assert r.parse_reassign_znode(data) == {("a", 0): [0], ("b", 1): [1, 2]}


def test_in_progress_partitions():
    states = {
        "t": dict(partitions={0: [0, 1, 2], 1: [1]}, adding={0: [2]}, removing={0: [0], 1: []}),
        "u": dict(partitions={0: [1]}, adding={}, removing={}),
    }
    pending = {("u", 0): [2], ("other", 3): [1]}
    assert r.in_progress_partitions(states, pending) == [("t", 0), ("u", 0)]


def test_reassignment_status():
    moves = {"t": {0: {"from": [0, 1], "to": [1, 2]}, 1: {"from": [2], "to": [3]}, 2: {"from": [0], "to": [1]}}}
    states = {
        "t": dict(
            partitions={0: [1, 2, 0], 1: [3], 2: [0]},
            adding={0: [2]},
            removing={0: [0]},
        )
    }
    assert r.reassignment_status(moves, states, {}) == (["t-0"], ["t-2"])
    assert r.reassignment_status(moves, states, {("t", 2): [1]}) == (["t-0", "t-2"], [])
    assert r.reassignment_status(moves, {}, {}) == ([], ["t-0", "t-1", "t-2"])


# ---------------------------------------------------------------------------
# ---------------------------------------------------------------------------
# Progress, actions, waiting
# ---------------------------------------------------------------------------


def test_progress_entry_and_message():
    now = datetime.datetime(2025, 1, 2, 3, 4, 5, tzinfo=datetime.timezone.utc)  # noqa: UP017
    entry = r.progress_entry(12.345, [f"t-{p}" for p in range(12)], 20, now=now)
    assert entry == dict(
        time="2025-01-02T03:04:05+00:00", elapsed=12.3, remaining=12, total=20, partitions=[f"t-{p}" for p in range(12)]
    )
    assert r.progress_message(entry) == (
        "reassignment: 8/20 partition(s) done after 12.3s, still moving: "
        "t-0, t-1, t-2, t-3, t-4, t-5, t-6, t-7, t-8, t-9 and 2 more"
    )
    assert r.progress_message(r.progress_entry(3, [], 20, now=now)) == "reassignment: 20/20 partition(s) done after 3s"


@pytest.mark.parametrize(
    "throttle, wait, elect, expected",
    [
        (True, True, True, ["set", "reassign", "reassign", "wait", "remove", "elect"]),
        (False, True, True, ["reassign", "reassign", "wait", "elect"]),
        (False, True, False, ["reassign", "reassign", "wait"]),
        (False, False, True, ["reassign", "reassign"]),
    ],
)
def test_action_labels(throttle, wait, elect, expected):
    moves = {"b": {0: {"from": [0], "to": [1]}}, "a": {0: {"from": [0], "to": [1, 2]}, 1: {"from": [1], "to": [0]}}}
    plan = throttle_plan(moves, 1000) if throttle else None
    actions = r.action_labels(moves, plan, wait, elect)
    assert [action.split()[0] for action in actions] == expected
    assert "reassign 2 partition(s) of topic a (3 new replica(s))" in actions
    assert r.action_labels({}, plan, wait, elect) == []
