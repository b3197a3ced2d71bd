# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The reassignment planner of module_utils/kafka_reassign_plan (pure: runs without the client libraries)."""

from __future__ import annotations

import collections
import random

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_reassign_plan as r
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import PlanError

NO_RACKS = {0: None, 1: None, 2: None}
FOUR = {0: None, 1: None, 2: None, 3: None}
# The loopback cluster's racks: broker.rack=rack-(id % 3).
FOUR_RACKS = {0: "rack-0", 1: "rack-1", 2: "rack-2", 3: "rack-0"}
SIX_RACKS = {0: "a", 1: "a", 2: "b", 3: "b", 4: "c", 5: "c"}

# 6 partitions, RF 2, on brokers 0-2, four replicas and two leaders each.
ON_THREE = {"t": {0: [0, 1], 1: [1, 2], 2: [2, 0], 3: [0, 2], 4: [1, 0], 5: [2, 1]}}


def replica_counts(assignment, topic=None):
    topics = [topic] if topic else sorted(assignment)
    return collections.Counter(b for t in topics for replicas in assignment[t].values() for b in replicas)


def leader_counts(assignment, topic=None):
    topics = [topic] if topic else sorted(assignment)
    return collections.Counter(replicas[0] for t in topics for replicas in assignment[t].values())


def spread_of(counts, brokers):
    values = [counts.get(b, 0) for b in brokers]
    return max(values) - min(values)


def new_replicas(current, target):
    return r.count_replica_moves(r.plan_moves(current, target))


def assert_idempotent(mode, target, brokers, value):
    again = r.plan_target(mode, target, brokers, value)
    assert r.plan_moves(target, again) == {}


# ---------------------------------------------------------------------------
# drain_brokers
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("brokers", [FOUR, FOUR_RACKS], ids=["no-racks", "racks"])
@pytest.mark.parametrize("drain", [[0], [1], [2]])
def test_drain_moves_only_the_drained_replicas(brokers, drain):
    target = r.plan_drain(ON_THREE, brokers, drain)
    moves = r.plan_moves(ON_THREE, target)
    assert drain[0] not in replica_counts(target)
    for p, replicas in target["t"].items():
        assert len(replicas) == 2
        # Minimal movement: every replica that may stay stays, untouched partitions keep their order.
        assert set(ON_THREE["t"][p]) - set(drain) <= set(replicas)
        if drain[0] not in ON_THREE["t"][p]:
            assert replicas == ON_THREE["t"][p]
    assert len(moves["t"]) == 4
    assert new_replicas(ON_THREE, target) == 4
    remaining = sorted(set(brokers) - set(drain))
    if brokers is FOUR_RACKS:
        # Rack spread comes first: with rack-1 or rack-2 drained, broker 1 or 2 (the only broker of
        # its rack) must be in every partition, so the counts cannot be even.
        assert all(len({FOUR_RACKS[b] for b in replicas}) == 2 for replicas in target["t"].values())
    else:
        assert spread_of(replica_counts(target), remaining) <= 1
        assert spread_of(leader_counts(target), remaining) <= 1
    assert_idempotent("drain_brokers", target, brokers, drain)


def test_drain_is_deterministic():
    assert r.plan_drain(ON_THREE, FOUR_RACKS, [0]) == r.plan_drain(ON_THREE, FOUR_RACKS, [0])
    assert r.plan_drain(ON_THREE, FOUR_RACKS, [0]) == {
        "t": {0: [3, 1], 1: [1, 2], 2: [3, 2], 3: [2, 3], 4: [1, 3], 5: [2, 1]}
    }


def test_drain_keeps_rack_spread():
    current = {"t": {p: [p % 6, (p + 2) % 6, (p + 4) % 6] for p in range(6)}}  # one replica per rack a/b/c
    target = r.plan_drain(current, SIX_RACKS, [0])
    for replicas in target["t"].values():
        assert 0 not in replicas
        assert len({SIX_RACKS[b] for b in replicas}) == 3
    # Broker 0 (rack a) is replaced by broker 1, the only other broker of rack a.
    assert all(1 in replicas for p, replicas in target["t"].items() if 0 in current["t"][p])


def test_drain_of_a_dead_broker_moves_its_replicas():
    current = {"t": {0: [0, 3], 1: [3, 1], 2: [1, 2]}}
    target = r.plan_drain(current, NO_RACKS, [3])
    assert 3 not in replica_counts(target)
    assert target["t"][2] == [1, 2]


@pytest.mark.parametrize(
    "brokers, drain, needed",
    [
        (NO_RACKS, [0, 1], "needs 2 replicas but only 1 live broker(s) would remain ([2])"),
        (FOUR, [0, 1, 2], "needs 2 replicas but only 1 live broker(s) would remain ([3])"),
        (NO_RACKS, [0, 1, 2], "needs 2 replicas but only 0 live broker(s) would remain ([])"),
    ],
)
def test_drain_below_the_replication_factor_is_refused(brokers, drain, needed):
    with pytest.raises(PlanError) as error:
        r.plan_drain(ON_THREE, brokers, drain)
    assert str(error.value).startswith(f"Failed to reassign partitions: cannot drain brokers {drain}: partition t-")
    assert needed in str(error.value)


def test_drain_warns_about_an_unknown_broker_only():
    assert r.drain_warnings(ON_THREE, FOUR, [9]) == [
        "drain_brokers [9] are not live brokers and hold no replica of the selected topics"
    ]
    assert r.drain_warnings(ON_THREE, FOUR, [3]) == []
    assert r.drain_warnings({"t": {0: [5, 1]}}, FOUR, [5]) == []


# ---------------------------------------------------------------------------
# spread_over
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("brokers", [FOUR, FOUR_RACKS], ids=["no-racks", "racks"])
def test_spread_scale_up_three_to_four(brokers):
    target = r.plan_spread(ON_THREE, brokers, [0, 1, 2, 3])
    counts = replica_counts(target)
    assert counts == {0: 3, 1: 3, 2: 3, 3: 3}
    # Minimal movement: broker 3 gets its three replicas, nothing else moves data.
    assert new_replicas(ON_THREE, target) == 3
    assert spread_of(leader_counts(target), [0, 1, 2, 3]) <= 1
    assert all(len(set(replicas)) == 2 for replicas in target["t"].values())
    if brokers is FOUR_RACKS:
        # Brokers 0 and 3 share rack-0: never both in one partition.
        assert all(not {0, 3} <= set(replicas) for replicas in target["t"].values())
    assert_idempotent("spread_over", target, brokers, [0, 1, 2, 3])


def test_spread_balances_many_small_topics_over_all_brokers():
    current = {f"s{i}": {0: [i % 2, (i + 1) % 2]} for i in range(10)}
    target = r.plan_spread(current, FOUR, [0, 1, 2, 3])
    assert replica_counts(target) == {0: 5, 1: 5, 2: 5, 3: 5}
    assert new_replicas(current, target) == 10
    assert spread_of(leader_counts(target), [0, 1, 2, 3]) <= 1
    assert_idempotent("spread_over", target, FOUR, [0, 1, 2, 3])


def test_spread_scale_down_moves_off_the_other_brokers():
    current = {"t": {0: [0, 3], 1: [3, 1], 2: [2, 3], 3: [1, 2]}}
    target = r.plan_spread(current, FOUR, [0, 1, 2])
    assert 3 not in replica_counts(target)
    assert spread_of(replica_counts(target), [0, 1, 2]) <= 1
    assert target["t"][3] == [1, 2]


def test_spread_of_a_balanced_topic_changes_nothing():
    assert r.plan_moves(ON_THREE, r.plan_spread(ON_THREE, FOUR, [0, 1, 2])) == {}


@pytest.mark.parametrize(
    "spread, message",
    [
        ([0, 1, 9], "spread_over names brokers that are not live: [9] (live brokers: [0, 1, 2, 3])"),
        ([0], "cannot spread over brokers [0]: the topics have a replication factor of up to 2"),
    ],
)
def test_spread_refusals(spread, message):
    with pytest.raises(PlanError) as error:
        r.plan_spread(ON_THREE, FOUR, spread)
    assert message in str(error.value)


# ---------------------------------------------------------------------------
# replication_factor
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("brokers", [FOUR, FOUR_RACKS], ids=["no-racks", "racks"])
def test_replication_factor_up(brokers):
    target = r.plan_replication_factor(ON_THREE, brokers, 3)
    for p, replicas in target["t"].items():
        assert len(replicas) == 3
        assert set(ON_THREE["t"][p]) <= set(replicas)
        if brokers is FOUR_RACKS:
            assert len({FOUR_RACKS[b] for b in replicas}) == 3
    assert new_replicas(ON_THREE, target) == 6
    if brokers is FOUR:
        assert spread_of(replica_counts(target), [0, 1, 2, 3]) <= 1
    assert spread_of(leader_counts(target), [0, 1, 2, 3]) <= 1
    assert_idempotent("replication_factor", target, brokers, 3)


def test_replication_factor_down_keeps_the_leader_and_drops_the_busiest():
    current = {"t": {0: [0, 1, 2], 1: [1, 2, 3], 2: [2, 3, 0], 3: [3, 0, 1]}}
    target = r.plan_replication_factor(current, FOUR, 2)
    for p, replicas in target["t"].items():
        assert len(replicas) == 2
        assert replicas[0] == current["t"][p][0]
        assert set(replicas) <= set(current["t"][p])
    assert replica_counts(target) == {0: 2, 1: 2, 2: 2, 3: 2}
    assert new_replicas(current, target) == 0
    assert_idempotent("replication_factor", target, FOUR, 2)


def test_replication_factor_down_drops_a_duplicated_rack_first():
    current = {"t": {0: [0, 1, 3]}}  # 0 and 3 share rack-0
    assert r.plan_replication_factor(current, FOUR_RACKS, 2) == {"t": {0: [0, 1]}}


def test_replication_factor_only_touches_partitions_that_differ():
    current = {"t": {0: [0, 1, 2], 1: [1, 2]}}
    moves = r.plan_moves(current, r.plan_replication_factor(current, NO_RACKS, 3))
    assert list(moves["t"]) == [1]
    assert moves["t"][1]["to"][:2] == [1, 2]


@pytest.mark.parametrize(
    "factor, message",
    [
        (5, "replication_factor 5 is greater than the number of live brokers (4: [0, 1, 2, 3])"),
        (0, "replication_factor must be at least 1, got 0"),
    ],
)
def test_replication_factor_refusals(factor, message):
    with pytest.raises(PlanError) as error:
        r.plan_replication_factor(ON_THREE, FOUR, factor)
    assert message in str(error.value)


# ---------------------------------------------------------------------------
# assignment (explicit)
# ---------------------------------------------------------------------------


def test_explicit_assignment_with_string_keys():
    target = r.plan_explicit(ON_THREE, {"t": {"0": [3, 1], "5": ["2", 1, 0]}}, FOUR)
    moves = r.plan_moves(ON_THREE, target)
    assert moves == {"t": {0: {"from": [0, 1], "to": [3, 1]}, 5: {"from": [2, 1], "to": [2, 1, 0]}}}


def test_explicit_assignment_equal_to_the_current_one_changes_nothing():
    assert r.plan_moves(ON_THREE, r.plan_explicit(ON_THREE, {"t": {0: [0, 1]}}, FOUR)) == {}


def test_explicit_assignment_may_keep_a_dead_broker_that_is_already_there():
    # Broker 2 died; restating the current assignment must not fail (idempotent runs).
    assert r.plan_moves(ON_THREE, r.plan_explicit(ON_THREE, {"t": {1: [1, 2]}}, {0: None, 1: None})) == {}


@pytest.mark.parametrize(
    "assignment, message",
    [
        ({"t": {0: [0, 9]}}, "assignment of t-0 names brokers that are not live: [9] (live brokers: [0, 1, 2, 3])"),
        ({"t": {7: [0, 1]}}, "topic t has no partition 7 (it has 6 partition(s): [0, 1, 2, 3, 4, 5])"),
        ({"x": {0: [0, 1]}}, "topic(s) not found: ['x']"),
        ({"t": {0: [1, 1]}}, "assignment of t-0 names a broker twice: [1, 1]"),
        ({"t": {0: []}}, "assignment of t-0 must be a non-empty list of broker ids"),
        ({"t": {"zero": [1]}}, "assignment: partition 'zero' of topic t must be an integer"),
        ({"t": {0: [True]}}, "broker id True must be an integer"),
        ({"t": {0: ["b1"]}}, "broker id 'b1' must be an integer"),
        ({"t": {0: [1], "0": [2]}}, "assignment: partition 0 of topic t is given twice"),
        ({"t": []}, "assignment of topic t must be a non-empty mapping"),
        ({}, "assignment must be a non-empty mapping"),
    ],
)
def test_explicit_assignment_refusals(assignment, message):
    with pytest.raises(PlanError) as error:
        r.plan_explicit(ON_THREE, assignment, FOUR)
    assert message in str(error.value)


# ---------------------------------------------------------------------------
# Properties over random clusters
# ---------------------------------------------------------------------------


def random_cluster(rnd):
    count = rnd.randint(3, 7)
    if rnd.random() < 0.5:
        groups = rnd.randint(2, 3)
        brokers = {b: f"rack-{b % groups}" for b in range(count)}
    else:
        brokers = {b: None for b in range(count)}
    topics = {}
    for t in range(rnd.randint(1, 5)):
        factor = rnd.randint(1, min(3, count))
        topics[f"t{t}"] = {p: rnd.sample(range(count), factor) for p in range(rnd.randint(1, 12))}
    return brokers, topics


@pytest.mark.parametrize("seed", range(40))
def test_random_plans_are_valid_deterministic_and_idempotent(seed):
    rnd = random.Random(seed)
    brokers, current = random_cluster(rnd)
    cases = [
        ("spread_over", sorted(rnd.sample(sorted(brokers), rnd.randint(3, len(brokers))))),
        ("drain_brokers", [rnd.randrange(len(brokers))]),
        ("replication_factor", rnd.randint(1, len(brokers))),
    ]
    for mode, value in cases:
        try:
            target = r.plan_target(mode, current, brokers, value)
        except PlanError:
            continue
        assert target == r.plan_target(mode, current, brokers, value)
        moves = r.plan_moves(current, target)
        r.check_moves(moves, brokers)
        assert_idempotent(mode, target, brokers, value)
        for topic, parts in target.items():
            for p, replicas in parts.items():
                if mode == "replication_factor":
                    assert len(replicas) == value
                else:
                    assert len(replicas) == len(current[topic][p])
                if mode == "drain_brokers":
                    assert value[0] not in replicas
                if mode == "spread_over":
                    assert set(replicas) <= set(value)
            if mode == "spread_over" and not any(brokers.values()):
                assert spread_of(replica_counts(target, topic), value) <= 1


# ---------------------------------------------------------------------------
# Moves, topics, dispatch
# ---------------------------------------------------------------------------


def test_plan_moves_lists_changed_partitions_only():
    target = {"t": {0: [0, 1], 1: [2, 1], 2: [2, 0], 3: [0, 2], 4: [1, 0], 5: [2, 1]}}
    assert r.plan_moves(ON_THREE, target) == {"t": {1: {"from": [1, 2], "to": [2, 1]}}}


@pytest.mark.parametrize(
    "moves, message",
    [
        (
            {"t": {0: {"from": [0], "to": [0, 7]}}},
            "the target replicas of t-0 ([0, 7]) include brokers that are not live",
        ),
        ({"t": {0: {"from": [0], "to": []}}}, "invalid target replicas for t-0: []"),
        ({"t": {0: {"from": [0], "to": [1, 1]}}}, "invalid target replicas for t-0: [1, 1]"),
    ],
)
def test_check_moves(moves, message):
    with pytest.raises(PlanError) as error:
        r.check_moves(moves, FOUR)
    assert message in str(error.value)


@pytest.mark.parametrize(
    "requested, expected",
    [
        (["all"], ["__consumer_offsets", "a", "b"]),
        (["b", "a", "b"], ["a", "b"]),
    ],
)
def test_select_topics(requested, expected):
    assert r.select_topics(requested, ["b", "a", "__consumer_offsets"]) == expected


@pytest.mark.parametrize(
    "requested, message",
    [
        (["all", "a"], "topics: 'all' cannot be combined with topic names"),
        (["a", "zz", "yy"], "topic(s) not found: ['yy', 'zz']"),
        ([""], "topics must not contain empty names"),
    ],
)
def test_select_topics_refusals(requested, message):
    with pytest.raises(PlanError) as error:
        r.select_topics(requested, ["a", "b"])
    assert message in str(error.value)


def test_plan_target_unknown_mode():
    with pytest.raises(ValueError):
        r.plan_target("shuffle", ON_THREE, FOUR, None)


def test_stringify_uses_string_partition_keys():
    assert r.stringify({"b": {10: [1], 2: [0]}, "a": {0: [3]}}) == {"a": {"0": [3]}, "b": {"2": [0], "10": [1]}}
