# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Topic states, status and progress of module_utils/kafka_reassign_state (pure: runs without the client libraries)."""

from __future__ import annotations

import datetime

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_reassign_state as r
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import throttle_plan

# ---------------------------------------------------------------------------
# Topic states
# ---------------------------------------------------------------------------


def test_topic_states_take_a_moving_partition_from_the_reassignment():
    assignment = {"t": {0: [0, 1], 1: [1, 2]}, "u": {0: [1]}}
    # The broker's metadata still shows [0, 1]; the controller lists the move to [1, 2].
    reassignments = {("t", 0): dict(replicas=[1, 2, 0], adding=[2], removing=[0]), ("other", 3): dict(replicas=[1])}
    states = r.topic_states(assignment, reassignments)
    assert states == {
        "t": dict(partitions={0: [1, 2, 0], 1: [1, 2]}, adding={0: [2]}, removing={0: [0]}),
        "u": dict(partitions={0: [1]}, adding={}, removing={}),
    }
    assert r.in_progress_partitions(states) == [("t", 0)]
    assert r.current_assignment(states) == {"t": {0: [1, 2, 0], 1: [1, 2]}, "u": {0: [1]}}
    done = r.assume_done(states, [("t", 0), ("gone", 0)])
    assert done["t"] == dict(partitions={0: [1, 2], 1: [1, 2]}, adding={}, removing={})
    assert states["t"]["adding"] == {0: [2]}  # not changed in place
    assert r.reassignment_target(dict(replicas=[1, 2, 0], adding=[2], removing=[0])) == [1, 2]


def test_reassignment_status():
    moves = {
        "t": {
            0: {"from": [0, 1], "to": [1, 2]},  # moving
            1: {"from": [2], "to": [3]},  # done
            2: {"from": [0], "to": [1]},  # back at its replicas before: settling (or cancelled)
            3: {"from": [0, 1], "to": [1, 2]},  # metadata still shows the move's list: settling
            4: {"from": [0, 1], "to": [1, 2]},  # another list: stopped
        }
    }
    states = {
        "t": dict(
            partitions={0: [1, 2, 0], 1: [3], 2: [0], 3: [1, 2, 0], 4: [2, 3]},
            adding={0: [2]},
            removing={0: [0]},
        )
    }
    assert r.reassignment_status(moves, states) == (["t-0"], ["t-2", "t-3"], ["t-4"])
    assert r.reassignment_status(moves, {}) == ([], [], ["t-0", "t-1", "t-2", "t-3", "t-4"])


# ---------------------------------------------------------------------------
# Progress, actions
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
