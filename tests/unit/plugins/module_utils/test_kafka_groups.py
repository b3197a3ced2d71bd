# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure group selection and lag of kafka_groups (no confluent-kafka needed; the rest: test_kafka_groups_admin.py)."""

from __future__ import annotations

import re

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_groups as kg

# ---------------------------------------------------------------------------
# states and selection
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, name",
    [
        ("PreparingRebalance", "preparing_rebalance"),
        (None, "unknown"),
        ("something-new", "unknown"),
    ],
)
def test_state_name(value, name):
    assert kg.state_name(value) == name


@pytest.mark.parametrize(
    "values, states, errors",
    [
        (["Stable", "EMPTY"], {"stable", "empty"}, []),
        (["preparing-rebalance", "CompletingRebalance"], {"preparing_rebalance", "completing_rebalance"}, []),
        (["PREPARING_REBALANCING"], {"preparing_rebalance"}, []),
        (None, set(), []),
        (["stabel"], set(), ["unknown group state 'stabel' (expected one of stable, empty, "]),
    ],
)
def test_normalize_states(values, states, errors):
    found, problems = kg.normalize_states(values)
    assert found == states
    assert len(problems) == len(errors)
    for problem, expected in zip(problems, errors, strict=True):
        assert problem.startswith(expected)


def test_compile_pattern():
    assert kg.compile_pattern(None) == (None, None)
    assert kg.compile_pattern("mm2-.*")[0].pattern == "mm2-.*"
    pattern, error = kg.compile_pattern("mm2-(")
    assert pattern is None
    assert error.startswith("pattern 'mm2-(' is not a valid regular expression")


LISTINGS = [
    dict(group_id="mm2-eu", state="stable"),
    dict(group_id="mm2-us", state="empty"),
    dict(group_id="billing", state="stable"),
    dict(group_id="xmm2-eu", state="stable"),
]


@pytest.mark.parametrize(
    "pattern, states, expected",
    [
        (None, None, ["billing", "mm2-eu", "mm2-us", "xmm2-eu"]),
        ("mm2-.*", None, ["mm2-eu", "mm2-us"]),  # the whole id must match
        ("mm2-.*", {"stable"}, ["mm2-eu"]),
        (None, {"dead"}, []),
        ("bill", None, []),
    ],
)
def test_select_groups(pattern, states, expected):
    assert kg.select_groups(LISTINGS, re.compile(pattern) if pattern else None, states) == expected


# ---------------------------------------------------------------------------
# lag
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "committed, end, lag",
    [
        (0, 10, 10),
        (10, 10, 0),
        (12, 10, 0),  # committed beyond the end (topic recreated): never negative
        (None, 10, None),
        (5, None, None),
    ],
)
def test_partition_lag(committed, end, lag):
    assert kg.partition_lag(committed, end) == lag


def test_group_lag_totals_per_topic_and_group():
    committed = {("a", 0): 5, ("a", 1): 10, ("b", 0): 0}
    ends = {("a", 0): 10, ("a", 1): 12, ("b", 0): 3}
    result = kg.group_lag(committed, ends)
    assert result["lag"] == 10
    assert result["unknown_lag_partitions"] == 0
    assert result["topics"]["a"]["lag"] == 7
    assert result["topics"]["b"]["lag"] == 3
    assert result["topics"]["a"]["partitions"] == [
        dict(partition=0, committed_offset=5, end_offset=10, lag=5),
        dict(partition=1, committed_offset=10, end_offset=12, lag=2),
    ]


def test_group_lag_unknown_partitions_are_counted_not_added():
    committed = {("a", 0): 5}
    ends = {("a", 0): 10, ("a", 1): 20, ("a", 2): None}
    result = kg.group_lag(
        committed, ends, assigned={("a", 1)}, errors={("a", 2): "no leader"}, partition_counts={"a": 3}
    )
    assert result["lag"] == 5
    assert result["unknown_lag_partitions"] == 2
    assert result["topics"]["a"]["partitions"] == [
        dict(partition=0, committed_offset=5, end_offset=10, lag=5),
        dict(partition=1, committed_offset=None, end_offset=20, lag=None),
        dict(partition=2, committed_offset=None, end_offset=None, lag=None, error="no leader"),
    ]


def test_group_lag_partition_counts_only_for_topics_of_the_group():
    result = kg.group_lag({("a", 0): 1}, {("a", 0): 1}, partition_counts={"a": 1, "other": 4})
    assert list(result["topics"]) == ["a"]


def test_group_lag_empty():
    assert kg.group_lag({}, {}) == dict(lag=0, unknown_lag_partitions=0, topics={})
