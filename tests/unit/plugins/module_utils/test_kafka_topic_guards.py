# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Topics, pure: the checks of a plan (internal topics, min.insync.replicas, deletions)."""

from __future__ import annotations

import pytest
from topic_fakes import spec
from topic_fakes import state

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_topic_guards as tg


@pytest.mark.parametrize(
    "plan, current, broker, problems, warnings",
    [
        # explicit on a new topic
        (
            {"t": [dict(action="create", partitions=1, replication_factor=3, config={"min.insync.replicas": "4"})]},
            {"t": None},
            None,
            ["min.insync.replicas 4 is greater than the replication factor 3 of topic t"],
            [],
        ),
        (
            {"t": [dict(action="create", partitions=1, replication_factor=3, config={"min.insync.replicas": "3"})]},
            {"t": None},
            4,
            [],
            ["min.insync.replicas 3 equals the replication factor of topic t"],
        ),
        (
            {"t": [dict(action="create", partitions=1, replication_factor=3, config={"min.insync.replicas": "2"})]},
            {"t": None},
            4,
            [],
            [],
        ),
        # inherited from the brokers: warnings only
        (
            {"t": [dict(action="create", partitions=1, replication_factor=1, config={})]},
            {"t": None},
            2,
            [],
            ["min.insync.replicas 2 (the brokers' default, the topic does not set it) is greater than"],
        ),
        (
            {"t": [dict(action="create", partitions=1, replication_factor=2, config={})]},
            {"t": None},
            2,
            [],
            ["min.insync.replicas 2 (the brokers' default, the topic does not set it) equals"],
        ),
        ({"t": [dict(action="create", partitions=1, replication_factor=1, config={})]}, {"t": None}, None, [], []),
        # RF 1 with 1: nothing to warn about (no other replica)
        (
            {"t": [dict(action="create", partitions=1, replication_factor=1, config={"min.insync.replicas": 1})]},
            {"t": None},
            None,
            [],
            [],
        ),
        # set on an existing topic
        (
            {"t": [dict(action="set_config", key="min.insync.replicas", value="3", before="2")]},
            {"t": state(replication_factor=2)},
            None,
            ["min.insync.replicas 3 is greater than the replication factor 2"],
            [],
        ),
        # an existing topic the plan does not touch
        (
            {"t": [dict(action="set_config", key="retention.ms", value="3", before="2")]},
            {"t": state(replication_factor=1, effective={"min.insync.replicas": "2"})},
            2,
            [],
            [],
        ),
        # not a number: left to the brokers' validation
        (
            {"t": [dict(action="create", partitions=1, replication_factor=1, config={"min.insync.replicas": "x"})]},
            {"t": None},
            2,
            [],
            [],
        ),
    ],
)
def test_min_insync_problems(plan, current, broker, problems, warnings):
    found, warned = tg.min_insync_problems(plan, current, broker)
    assert len(found) == len(problems)
    for (name, message), expected in zip(found, problems, strict=True):
        assert name == "t"
        assert expected in message
    assert len(warned) == len(warnings)
    for message, expected in zip(warned, warnings, strict=True):
        assert expected in message


def test_internal_topic_problems():
    current = {"__consumer_offsets": state(partitions=50, config={"cleanup.policy": "compact"})}
    specs = [spec("__consumer_offsets", partitions=50, config={"retention.ms": 1})]
    plan = {"__consumer_offsets": [dict(action="set_config", key="retention.ms", value="1", before="604800000")]}
    assert tg.internal_topic_problems(specs, plan, current, allow_config=True) == []
    assert "needs allow_internal_topic_config=true" in tg.internal_topic_problems(specs, plan, current)[0][1]
    assert tg.internal_topic_problems(specs, {"__consumer_offsets": []}, current) == []
    # ordinary topics are not concerned
    assert tg.internal_topic_problems([spec("orders")], {"orders": [dict(action="add_partitions")]}, {}) == []


@pytest.mark.parametrize(
    "enabled, authorized, problems",
    [
        (None, None, []),
        (True, {"a": ["DELETE", "DESCRIBE"], "b": ["DESCRIBE"]}, ["b"]),
        (None, {"a": None}, []),
        (False, {"a": ["DELETE"]}, ["a", "b"]),
    ],
)
def test_delete_problems(enabled, authorized, problems):
    assert [name for name, _m in tg.delete_problems(["a", "b"], enabled, authorized)] == problems
