# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Topics, pure: names, desired state, planning, prediction, labels, diff."""

from __future__ import annotations

import pytest
from topic_fakes import DEFAULTS
from topic_fakes import public
from topic_fakes import spec
from topic_fakes import state

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_topic_plan as tp


@pytest.mark.parametrize(
    "name, problem",
    [
        ("orders", None),
        ("Orders.v1_x-2", None),
        ("a" * 249, None),
        ("a" * 250, "topic name is 250 characters long, the maximum is 249"),
        (".", "topic name '.' is not allowed ('.' and '..' are reserved)"),
        ("..", "topic name '..' is not allowed ('.' and '..' are reserved)"),
        ("", "a topic name must not be empty"),
        (None, "a topic name must not be empty"),
        ("a b", "topic name 'a b' contains illegal characters ' '"),
        ("ord/ers$", "contains illegal characters '$/'"),
        ("caf\u00e9", "contains illegal characters '\u00e9'"),
    ],
)
def test_topic_name_problem(name, problem):
    found = tp.topic_name_problem(name)
    if problem is None:
        assert found is None
    else:
        assert problem in found


@pytest.mark.parametrize(
    "name, key, mixed",
    [("a.b", "a_b", False), ("a_b", "a_b", False), ("a.b_c", "a_b_c", True), ("abc", "abc", False)],
)
def test_collision(name, key, mixed):
    assert tp.collision_key(name) == key
    assert tp.mixes_collision_chars(name) is mixed


def test_topic_specs_single_form_defaults_to_present():
    params = dict(topics=None, name="orders", partitions=3, replication_factor=None, config=None, state=None)
    assert tp.topic_specs(params) == [spec(partitions=3)]


def test_topic_specs_list_form_keeps_order():
    params = dict(topics=[dict(name="b", state="absent"), dict(name="a", config={"x": 1})], name=None)
    specs = tp.topic_specs(params)
    assert [s["name"] for s in specs] == ["b", "a"]
    assert specs[0]["state"] == "absent"
    assert specs[1]["config"] == {"x": 1}
    assert specs[1]["partitions"] is None


@pytest.mark.parametrize(
    "specs, problems",
    [
        ([spec(), spec("b")], []),
        ([spec("a b")], [("a b", "topic name 'a b' contains illegal characters ' ': only ASCII letters")]),
        ([spec("x"), spec("x", state="absent")], [("x", "listed more than once")]),
        ([spec(partitions=0)], [("orders", "partitions must be at least 1, got 0")]),
        ([spec(replication_factor=-1)], [("orders", "replication_factor must be at least 1, got -1")]),
        ([spec(config={"x": {"y": 1}})], [("orders", "config x: the value must be")]),
        # absent topics: only the name matters
        ([spec(partitions=0, state="absent")], []),
        ([spec("."), spec(".."), spec("ok")], [(".", "'.' is not allowed"), ("..", "'..' is not allowed")]),
    ],
)
def test_spec_problems(specs, problems):
    found = tp.spec_problems(specs)
    assert len(found) == len(problems)
    for (name, message), (want_name, want_message) in zip(found, problems, strict=True):
        assert name == want_name
        assert want_message in message


def test_needs_broker_defaults():
    current = {"orders": None, "old": state()}
    assert tp.needs_broker_defaults([spec(partitions=3)], current)
    assert not tp.needs_broker_defaults([spec(partitions=3, replication_factor=1)], current)
    assert not tp.needs_broker_defaults([spec("old")], current)
    assert not tp.needs_broker_defaults([spec(state="absent")], current)


@pytest.mark.parametrize(
    "desired, current, purge, actions",
    [
        # create, config as strings, null values dropped, broker defaults filled in
        (
            spec(partitions=3, replication_factor=2, config={"retention.ms": 1000, "x": None}),
            None,
            False,
            [dict(action="create", partitions=3, replication_factor=2, config={"retention.ms": "1000"})],
        ),
        (spec(), None, False, [dict(action="create", partitions=1, replication_factor=3, config={})]),
        # no-op: same values in other spellings, the default counts as current value
        (
            spec(partitions=3, replication_factor=3, config={"retention.ms": 604800000, "cleanup.policy": ["delete"]}),
            state(),
            False,
            [],
        ),
        (spec(), state(), False, []),
        # partition increase
        (spec(partitions=6), state(), False, [dict(action="add_partitions", before=3, partitions=6)]),
        # set over a default and over an override
        (
            spec(config={"retention.ms": "1000", "cleanup.policy": "compact"}),
            state(config={"cleanup.policy": "delete"}),
            False,
            [
                dict(action="set_config", key="cleanup.policy", value="compact", before="delete"),
                dict(action="set_config", key="retention.ms", value="1000", before="604800000"),
            ],
        ),
        # unknown key: set (the broker's validation refuses it later)
        (
            spec(config={"retention.msec": 1}),
            state(),
            False,
            [dict(action="set_config", key="retention.msec", value="1", before=None)],
        ),
        # null resets an override, and is a no-op without one
        (
            spec(config={"segment.bytes": None, "retention.ms": None}),
            state(config={"segment.bytes": "1000"}),
            False,
            [dict(action="delete_config", key="segment.bytes", before="1000")],
        ),
        # unlisted overrides stay unless purge_configs
        (spec(config={"retention.ms": 1}), state(config={"retention.ms": "1", "segment.bytes": "1000"}), False, []),
        (
            spec(config={"retention.ms": 1}),
            state(config={"retention.ms": "1", "segment.bytes": "1000"}),
            True,
            [dict(action="delete_config", key="segment.bytes", before="1000")],
        ),
        # purge only touches overrides, never inherited values
        (spec(), state(effective={"min.insync.replicas": "2"}), True, []),
    ],
)
def test_plan_present(desired, current, purge, actions):
    found, problems = tp.plan_present(desired, current, purge, DEFAULTS)
    assert problems == []
    assert found == actions


@pytest.mark.parametrize(
    "desired, message",
    [
        (
            spec(partitions=2),
            "topic orders has 3 partitions and cannot be reduced to 2: Kafka cannot remove partitions",
        ),
        (spec(replication_factor=2), "topic orders has replication factor 3; kafka_topic does not change"),
    ],
)
def test_plan_present_refusals_point_to_reassign(desired, message):
    actions, problems = tp.plan_present(desired, state(), False, DEFAULTS)
    assert actions == []
    assert len(problems) == 1
    assert message in problems[0]
    assert "kafkaops.cluster.kafka_reassign" in problems[0]


def test_plan_present_accepts_both_replication_factors_of_a_moving_topic():
    moving = dict(state(replication_factor=3), reassigning=[0], target_replication_factor=4)
    for wanted in (3, 4):
        assert tp.plan_present(spec(replication_factor=wanted), moving, False, DEFAULTS) == ([], [])
    _actions, problems = tp.plan_present(spec(replication_factor=2), moving, False, DEFAULTS)
    assert "has replication factor 3" in problems[0]
    assert "a reassignment of its partitions [0] is in progress and moves it to replication factor 4" in problems[0]


def test_plan_topics_batch():
    specs = [
        spec("new", partitions=3, replication_factor=3),
        spec("old", partitions=4),
        spec("gone", state="absent"),
        spec("never-there", state="absent"),
        spec("same", partitions=3),
    ]
    current = {"new": None, "old": state(), "gone": state(), "never-there": None, "same": state()}
    plan, problems = tp.plan_topics(specs, current, ["old", "gone", "same"], [0, 1, 2])
    assert problems == []
    assert [a["action"] for a in plan["new"]] == ["create"]
    assert plan["old"] == [dict(action="add_partitions", before=3, partitions=4)]
    assert plan["gone"] == [dict(action="delete")]
    assert plan["never-there"] == []
    assert plan["same"] == []


@pytest.mark.parametrize(
    "specs, existing, live, problem",
    [
        ([spec("a.b", partitions=1, replication_factor=1)], ["a_b"], [0], ("a.b", "collides with 'a_b'")),
        (
            [spec("a.b", partitions=1, replication_factor=1), spec("a_b", partitions=1, replication_factor=1)],
            [],
            [0],
            ("a_b", "collides with 'a.b'"),
        ),
        (
            [spec("x", partitions=1, replication_factor=3)],
            [],
            [0, 1],
            ("x", "cannot create topic x: replication_factor 3 is greater than the number of live brokers (2: [0, 1])"),
        ),
        ([spec("__consumer_offsets", state="absent")], ["__consumer_offsets"], [0], ("__consumer_offsets", "internal")),
    ],
)
def test_plan_topics_problems(specs, existing, live, problem):
    current = {s["name"]: (state() if s["name"] in existing else None) for s in specs}
    _plan, problems = tp.plan_topics(specs, current, existing, live)
    assert len(problems) == 1
    assert problems[0][0] == problem[0]
    assert problem[1] in problems[0][1]


def test_plan_topics_existing_collision_is_not_a_problem():
    # a topic that already exists is not created, so its name cannot collide any more
    specs = [spec("a.b")]
    _plan, problems = tp.plan_topics(specs, {"a.b": state()}, ["a.b", "a_b"], [0, 1, 2])
    assert problems == []


@pytest.mark.parametrize(
    "current, actions, expected",
    [
        (None, [], None),
        (state(), [dict(action="delete")], None),
        (
            None,
            [dict(action="create", partitions=2, replication_factor=1, config={"a": "1"})],
            dict(partitions=2, replication_factor=1, config={"a": "1"}),
        ),
        (
            state(config={"a": "1", "b": "2"}),
            [
                dict(action="add_partitions", before=3, partitions=5),
                dict(action="set_config", key="a", value="9", before="1"),
                dict(action="delete_config", key="b", before="2"),
            ],
            dict(partitions=5, replication_factor=3, config={"a": "9"}),
        ),
    ],
)
def test_predict(current, actions, expected):
    assert tp.predict(current, actions) == expected


def test_predict_does_not_modify_current():
    current = state(config={"a": "1"})
    tp.predict(current, [dict(action="set_config", key="a", value="2", before="1")])
    assert current["config"] == {"a": "1"}


@pytest.mark.parametrize(
    "action, label",
    [
        (
            dict(action="create", partitions=3, replication_factor=2, config={}),
            "create (partitions=3, replication_factor=2)",
        ),
        (
            dict(action="create", partitions=3, replication_factor=2, config={"a": "1", "b": "x"}),
            "create (partitions=3, replication_factor=2, config a=1, b=x)",
        ),
        (dict(action="add_partitions", before=3, partitions=6), "add partitions (3 -> 6)"),
        (dict(action="set_config", key="a", value="1", before=None), "set config a=1"),
        (dict(action="set_config", key="a", value="1", before="2"), "set config a=1 (was 2)"),
        (dict(action="delete_config", key="a", before="2"), "reset config a to its default (was 2)"),
        (dict(action="delete"), "delete"),
    ],
)
def test_action_label(action, label):
    assert tp.action_label(action) == label


@pytest.mark.parametrize(
    "before, after, expected",
    [
        (None, public(a="1"), (None, public(a="1"))),
        (public(a="1"), None, (public(a="1"), None)),
        # only changed keys; values that normalize equal are unchanged
        (
            public(a="1", b="x", c="compact,delete"),
            public(a="2", b="x", c="delete, compact"),
            (public(a="1"), public(a="2")),
        ),
        (public(a="1"), public(5), (public(a="1"), public(5))),
        (public(a="1"), public(5, a="1"), (public(), public(5))),
    ],
)
def test_topic_diff(before, after, expected):
    assert tp.topic_diff(before, after) == expected


def test_build_diff_leaves_out_unchanged_and_absent_sides():
    befores = {"new": None, "gone": public(), "same": public(), "alt": public(a="1")}
    afters = {"new": public(), "gone": None, "same": public(), "alt": public(a="2")}
    plan = {"new": [1], "gone": [1], "same": [], "alt": [1]}
    diff = tp.build_diff(["new", "gone", "same", "alt"], befores, afters, plan)
    assert diff == dict(
        before={"gone": public(), "alt": public(a="1")},
        after={"new": public(), "alt": public(a="2")},
    )


@pytest.mark.parametrize(
    "expected, actual, match",
    [
        (None, None, True),
        (public(), None, False),
        (None, public(), False),
        (public(a="1000"), public(a=" 1000"), True),
        (public(a="1"), public(), False),
        (public(4), public(3), False),
    ],
)
def test_state_matches(expected, actual, match):
    assert tp.state_matches(expected, actual) is match
