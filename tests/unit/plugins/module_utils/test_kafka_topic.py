# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Pure functions of kafka_topic: names, config normalization, planning, diff, batching."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from kafka_fakes import done  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_topic as kt
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaOpsError

confluent_kafka = pytest.importorskip("confluent_kafka")
KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException


def state(partitions=3, replication_factor=3, config=None, effective=None):
    config = dict(config or {})
    merged = {"retention.ms": "604800000", "cleanup.policy": "delete", "segment.bytes": "1073741824"}
    merged.update(effective or {})
    merged.update(config)
    return dict(partitions=partitions, replication_factor=replication_factor, config=config, effective=merged)


def spec(name="orders", partitions=None, replication_factor=None, config=None, state="present"):
    return dict(
        name=name, partitions=partitions, replication_factor=replication_factor, config=config or {}, state=state
    )


# ---------------------------------------------------------------------------
# names
# ---------------------------------------------------------------------------


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
    found = kt.topic_name_problem(name)
    if problem is None:
        assert found is None
    else:
        assert problem in found


@pytest.mark.parametrize(
    "name, key, mixed",
    [("a.b", "a_b", False), ("a_b", "a_b", False), ("a.b_c", "a_b_c", True), ("abc", "abc", False)],
)
def test_collision(name, key, mixed):
    assert kt.collision_key(name) == key
    assert kt.mixes_collision_chars(name) is mixed


# ---------------------------------------------------------------------------
# config values
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, text",
    [
        (True, "true"),
        (False, "false"),
        (604800000, "604800000"),
        (0.5, "0.5"),
        ("compact", "compact"),
        (["compact", "delete"], "compact,delete"),
        ([1, True], "1,true"),
    ],
)
def test_config_string(value, text):
    assert kt.config_string(value) == text


@pytest.mark.parametrize(
    "given, reported",
    [
        (604800000, "604800000"),
        ("604800000", "604800000"),
        (" 604800000 ", "604800000"),
        (True, "true"),
        ("TRUE", "true"),
        (False, "false"),
        (0.5, "0.5"),
        ("0.50", "0.5"),
        (1, "1.0"),
        (["compact", "delete"], "compact,delete"),
        (["delete", "compact"], "compact,delete"),
        ("delete, compact", "compact,delete"),
        (["delete"], "delete"),
        ([], ""),
        ("", ""),
        (None, None),
        ("CreateTime", "CreateTime"),
        (-1, "-1"),
    ],
)
def test_values_equal(given, reported):
    assert kt.values_equal(given, reported)


@pytest.mark.parametrize(
    "given, reported",
    [
        (604800000, "604800001"),
        (True, "false"),
        ("compact", "compact,delete"),
        ("CreateTime", "createtime"),
        (None, ""),
        ("1", "true"),
    ],
)
def test_values_differ(given, reported):
    assert not kt.values_equal(given, reported)


@pytest.mark.parametrize(
    "key, value, problem",
    [
        ("retention.ms", 1, None),
        ("retention.ms", None, None),
        ("cleanup.policy", ["compact", "delete"], None),
        ("x", {"a": 1}, "config x: the value must be a string, number, boolean, list or null, not a dict"),
        ("x", [["a"]], "config x: list values must contain only strings, numbers or booleans"),
        ("", 1, "config keys must be non-empty strings"),
    ],
)
def test_config_value_problem(key, value, problem):
    assert kt.config_value_problem(key, value) == problem


# ---------------------------------------------------------------------------
# desired state
# ---------------------------------------------------------------------------


def test_topic_specs_single_form_defaults_to_present():
    params = dict(topics=None, name="orders", partitions=3, replication_factor=None, config=None, state=None)
    assert kt.topic_specs(params) == [spec(partitions=3)]


def test_topic_specs_list_form_keeps_order():
    params = dict(topics=[dict(name="b", state="absent"), dict(name="a", config={"x": 1})], name=None)
    specs = kt.topic_specs(params)
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
    found = kt.spec_problems(specs)
    assert len(found) == len(problems)
    for (name, message), (want_name, want_message) in zip(found, problems, strict=True):
        assert name == want_name
        assert want_message in message


def test_needs_broker_defaults():
    current = {"orders": None, "old": state()}
    assert kt.needs_broker_defaults([spec(partitions=3)], current)
    assert not kt.needs_broker_defaults([spec(partitions=3, replication_factor=1)], current)
    assert not kt.needs_broker_defaults([spec("old")], current)
    assert not kt.needs_broker_defaults([spec(state="absent")], current)


# ---------------------------------------------------------------------------
# planning
# ---------------------------------------------------------------------------

DEFAULTS = dict(partitions=1, replication_factor=3)


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
    found, problems = kt.plan_present(desired, current, purge, DEFAULTS)
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
    actions, problems = kt.plan_present(desired, state(), False, DEFAULTS)
    assert actions == []
    assert len(problems) == 1
    assert message in problems[0]
    assert "kafkaops.cluster.kafka_reassign" in problems[0]


def test_plan_present_accepts_both_replication_factors_of_a_moving_topic():
    moving = dict(state(replication_factor=3), reassigning=[0], target_replication_factor=4)
    for wanted in (3, 4):
        assert kt.plan_present(spec(replication_factor=wanted), moving, False, DEFAULTS) == ([], [])
    _actions, problems = kt.plan_present(spec(replication_factor=2), moving, False, DEFAULTS)
    assert "has replication factor 3" in problems[0]
    assert "a reassignment of its partitions [0] is in progress and moves it to replication factor 4" in problems[0]


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
    found, warned = kt.min_insync_problems(plan, current, broker)
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
    assert kt.internal_topic_problems(specs, plan, current, allow_config=True) == []
    assert "needs allow_internal_topic_config=true" in kt.internal_topic_problems(specs, plan, current)[0][1]
    assert kt.internal_topic_problems(specs, {"__consumer_offsets": []}, current) == []
    # ordinary topics are not concerned
    assert kt.internal_topic_problems([spec("orders")], {"orders": [dict(action="add_partitions")]}, {}) == []


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
    assert [name for name, _m in kt.delete_problems(["a", "b"], enabled, authorized)] == problems


def test_done_actions_keeps_what_succeeded():
    plan = {
        "a": [dict(action="create", partitions=1, replication_factor=1, config={})],
        "b": [dict(action="add_partitions", before=1, partitions=2), dict(action="set_config", key="k", value="v")],
        "c": [dict(action="delete")],
    }
    done = [("a", "create"), ("b", "alter")]
    assert kt.done_actions(plan, done) == {"a": plan["a"], "b": [plan["b"][1]], "c": []}


def test_plan_topics_batch():
    specs = [
        spec("new", partitions=3, replication_factor=3),
        spec("old", partitions=4),
        spec("gone", state="absent"),
        spec("never-there", state="absent"),
        spec("same", partitions=3),
    ]
    current = {"new": None, "old": state(), "gone": state(), "never-there": None, "same": state()}
    plan, problems = kt.plan_topics(specs, current, ["old", "gone", "same"], [0, 1, 2])
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
    _plan, problems = kt.plan_topics(specs, current, existing, live)
    assert len(problems) == 1
    assert problems[0][0] == problem[0]
    assert problem[1] in problems[0][1]


def test_plan_topics_existing_collision_is_not_a_problem():
    # a topic that already exists is not created, so its name cannot collide any more
    specs = [spec("a.b")]
    _plan, problems = kt.plan_topics(specs, {"a.b": state()}, ["a.b", "a_b"], [0, 1, 2])
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
    assert kt.predict(current, actions) == expected


def test_predict_does_not_modify_current():
    current = state(config={"a": "1"})
    kt.predict(current, [dict(action="set_config", key="a", value="2", before="1")])
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
    assert kt.action_label(action) == label


# ---------------------------------------------------------------------------
# diff
# ---------------------------------------------------------------------------


def public(partitions=3, replication_factor=3, **config):
    return dict(partitions=partitions, replication_factor=replication_factor, config=config)


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
    assert kt.topic_diff(before, after) == expected


def test_build_diff_leaves_out_unchanged_and_absent_sides():
    befores = {"new": None, "gone": public(), "same": public(), "alt": public(a="1")}
    afters = {"new": public(), "gone": None, "same": public(), "alt": public(a="2")}
    plan = {"new": [1], "gone": [1], "same": [], "alt": [1]}
    diff = kt.build_diff(["new", "gone", "same", "alt"], befores, afters, plan)
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
    assert kt.state_matches(expected, actual) is match


def test_topics_settled():
    md = SimpleNamespace(
        topics={
            "ready": SimpleNamespace(partitions={0: partition(0, [0], [0])}, error=None),
            "leaderless": SimpleNamespace(partitions={0: partition(-1, [0], [])}, error=None),
        }
    )
    expected = {"ready": public(1, 1), "leaderless": public(1, 1), "gone": None, "deleting": None}
    states = {"ready": public(1, 1), "leaderless": public(1, 1), "gone": None, "deleting": None}
    assert kt.topics_settled(md, states, expected, deleting=["deleting"]) == ["leaderless", "deleting"]
    assert kt.topics_settled(md, dict(states, ready=public(2, 1)), {"ready": public(1, 1)}) == ["ready"]


# ---------------------------------------------------------------------------
# batching and errors
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "count, size, sizes",
    [
        (0, 200, []),
        (1, 200, [1]),
        (200, 200, [200]),
        (201, 200, [200, 1]),
        (500, 200, [200, 200, 100]),
        (5, 1, [1] * 5),
    ],
)
def test_chunked(count, size, sizes):
    chunks = kt.chunked(range(count), size)
    assert [len(c) for c in chunks] == sizes
    assert [i for c in chunks for i in c] == list(range(count))


def test_run_batched_sends_chunks_in_turn_and_collects_errors():
    calls = []

    def submit(chunk):
        calls.append(list(chunk))
        return {
            name: done(exception=KafkaException(KafkaError(KafkaError.INVALID_CONFIG, "bad")))
            if name == 3
            else done(name)
            for name in chunk
        }

    results, errors = kt.run_batched(range(5), 2, submit)
    assert calls == [[0, 1], [2, 3], [4]]
    assert sorted(results) == [0, 1, 2, 4]
    assert list(errors) == [3]
    assert kt.error_problems(errors) == [(3, "bad (INVALID_CONFIG)")]


@pytest.mark.parametrize(
    "code, hinted",
    [(KafkaError._TIMED_OUT, True), (KafkaError.REQUEST_TIMED_OUT, True), (KafkaError.POLICY_VIOLATION, False)],
)
def test_error_problems_hint_on_time_outs(code, hinted):
    errors = {"t": KafkaException(KafkaError(code, "slow"))}
    ((name, reason),) = kt.error_problems(errors, hint=kt.TIMEOUT_HINT)
    assert name == "t"
    assert reason.startswith("slow")
    assert ("the cluster may still complete this change" in reason) is hinted
    assert kt.error_problems(errors) == [("t", reason.split("; the cluster")[0])]


@pytest.mark.parametrize(
    "problems, message",
    [
        ([("a", "boom")], "Failed to manage topic a: boom"),
        ([("a", "boom"), ("a", "bang")], "Failed to manage topic a: boom; bang"),
        ([("a", "boom"), ("b", "bang")], "Failed to manage topics: a: boom; b: bang"),
        (
            [(f"t{i}", "bad") for i in range(12)],
            "Failed to manage topics: t0: bad; t1: bad; t2: bad; t3: bad; t4: bad; t5: bad; t6: bad; t7: bad; "
            "t8: bad; t9: bad; and 2 more (see problems)",
        ),
    ],
)
def test_problems_error(problems, message):
    error = kt.problems_error(problems)
    assert isinstance(error, KafkaOpsError)
    assert str(error) == message
    assert error.details["problems"] == [dict(topic=n, msg=m) for n, m in problems]


def entry(value, source):
    return SimpleNamespace(value=value, source=source)


class ConfigAdmin:
    def __init__(self, configs, missing=()):
        self.configs = configs
        self.missing = missing
        self.requests = []

    def describe_configs(self, resources, request_timeout):
        self.requests.append([r.name for r in resources])
        result = {}
        for resource in resources:
            if resource.name in self.missing:
                err = KafkaError(KafkaError.UNKNOWN_TOPIC_OR_PART, "gone")
                result[resource] = done(exception=KafkaException(err))
            else:
                result[resource] = done(self.configs[resource.name])
        return result


def test_describe_topic_configs_batches_and_skips_deleted_topics():
    names = [f"t{i}" for i in range(5)]
    configs = {name: {"retention.ms": entry("1", 1), "segment.ms": entry("2", 5)} for name in names}
    admin = ConfigAdmin(configs, missing=("t3",))
    found = kt.describe_topic_configs(admin, names, 10, 2)
    assert admin.requests == [["t0", "t1"], ["t2", "t3"], ["t4"]]
    assert sorted(found) == ["t0", "t1", "t2", "t4"]
    assert found["t0"] == {"retention.ms": ("1", 1), "segment.ms": ("2", 5)}


def test_describe_topic_configs_reports_other_errors_per_topic():
    class Denied(ConfigAdmin):
        def describe_configs(self, resources, request_timeout):
            err = KafkaError(KafkaError.TOPIC_AUTHORIZATION_FAILED, "Topic authorization failed")
            return {r: done(exception=KafkaException(err)) for r in resources}

    with pytest.raises(KafkaOpsError) as info:
        kt.describe_topic_configs(Denied({}), ["a"], 10, 10)
    assert str(info.value) == (
        "Failed to read the configuration of topic a: Topic authorization failed (TOPIC_AUTHORIZATION_FAILED)"
    )


# ---------------------------------------------------------------------------
# info
# ---------------------------------------------------------------------------


def partition(leader, replicas, isrs):
    return SimpleNamespace(leader=leader, replicas=list(replicas), isrs=list(isrs), error=None)


@pytest.mark.parametrize(
    "names, pattern, exclude_internal, expected",
    [
        (None, None, False, ["__consumer_offsets", "orders", "orders.eu", "payments"]),
        (None, None, True, ["orders", "orders.eu", "payments"]),
        (["payments", "nope"], None, False, ["payments"]),
        (None, r"orders\..*", False, ["orders.eu"]),
        (None, r"orders", False, ["orders"]),  # whole-name match
        (None, r"o.*", True, ["orders", "orders.eu"]),
    ],
)
def test_select_topics(names, pattern, exclude_internal, expected):
    available = ["orders", "payments", "orders.eu", "__consumer_offsets"]
    compiled = re.compile(pattern) if pattern else None
    assert kt.select_topics(available, names, compiled, exclude_internal) == expected


def test_topic_info_and_health_filter():
    md = SimpleNamespace(
        partitions={1: partition(-1, [1, 2], []), 0: partition(0, [0, 1], [0, 1]), 2: partition(2, [2, 0], [2])}
    )
    info = kt.topic_info("orders", md)
    assert info["partitions"] == 3
    assert info["replication_factor"] == 2
    assert info["under_replicated_partitions"] == 2
    assert info["offline_partitions"] == 1
    assert info["partition_details"][0] == dict(
        partition=0,
        leader=0,
        replicas=[0, 1],
        isr=[0, 1],
        offline=False,
        under_replicated=False,
        reassigning=False,
        adding_replicas=[],
        removing_replicas=[],
    )
    assert info["reassigning_partitions"] == 0
    assert info["partition_details"][1]["leader"] is None
    assert info["partition_details"][1]["offline"] is True
    healthy = kt.topic_info("ok", SimpleNamespace(partitions={0: partition(0, [0], [0])}))
    for flags, expect_unhealthy, expect_healthy in [
        ((False, False), True, True),
        ((True, False), True, False),
        ((False, True), True, False),
        ((True, True), True, False),
    ]:
        assert kt.health_filter(info, *flags) is expect_unhealthy
        assert kt.health_filter(healthy, *flags) is expect_healthy


def test_topic_info_of_a_moving_topic_counts_like_topic_command():
    # partition 0 moves from [0, 1] to [2, 1]: the metadata lists [2, 1, 0], broker 2 not caught up yet.
    md = SimpleNamespace(partitions={0: partition(1, [2, 1, 0], [1, 0]), 1: partition(1, [1, 2], [1, 2])})
    moving = {("orders", 0): dict(adding=[2], removing=[0])}
    info = kt.topic_info("orders", md, moving)
    assert info["replication_factor"] == 2
    assert info["under_replicated_partitions"] == 0
    assert info["reassigning_partitions"] == 1
    assert info["partition_details"][0]["adding_replicas"] == [2]
    assert info["partition_details"][0]["removing_replicas"] == [0]
    assert info["partition_details"][0]["reassigning"] is True
    # Without the reassignments every listed replica counts (as before Kafka 2.4).
    unknown = kt.topic_info("orders", md)
    assert unknown["replication_factor"] == 3
    assert unknown["under_replicated_partitions"] == 1


@pytest.mark.parametrize(
    "include_defaults, expected",
    [
        (False, dict(config={"retention.ms": "1"})),
        (
            True,
            dict(
                config={"retention.ms": "1", "segment.ms": "2"},
                config_sources={"retention.ms": "DYNAMIC_TOPIC_CONFIG", "segment.ms": "DEFAULT_CONFIG"},
            ),
        ),
    ],
)
def test_config_view(include_defaults, expected):
    assert kt.config_view({"segment.ms": ("2", 5), "retention.ms": ("1", 1)}, include_defaults) == expected


@pytest.mark.parametrize(
    "count, batch_size, lanes, sizes",
    [
        (0, 200, 4, []),
        (10, 200, 4, [3, 3, 3, 1]),
        (500, 200, 4, [125, 125, 125, 125]),
        (500, 100, 4, [100, 100, 100, 100, 100]),
        (450, 200, 1, [200, 200, 50]),
        (3, 200, 8, [1, 1, 1]),
    ],
)
def test_parallel_chunks(count, batch_size, lanes, sizes):
    chunks = kt.parallel_chunks(range(count), batch_size, lanes)
    assert [len(chunk) for chunk in chunks] == sizes
    assert [item for chunk in chunks for item in chunk] == list(range(count))


def test_run_parallel_waves_one_request_per_connection():
    calls = []

    def submit(admin, chunk):
        calls.append((admin, list(chunk)))
        return {item: done(item) for item in chunk}

    results, errors = kt.run_parallel(range(7), 2, submit, ["a", "b", "c"])
    assert errors == {}
    assert sorted(results) == list(range(7))
    assert [admin for admin, _chunk in calls] == ["a", "b", "c", "a"]


@pytest.mark.parametrize(
    "expected, unsettled",
    [
        ({"ready": {"partitions": 2}}, []),
        ({"ready": {"partitions": 3}}, ["ready"]),  # a partition still missing
        ({"leaderless": {"partitions": 1}}, ["leaderless"]),
        ({"missing": {"partitions": 1}}, ["missing"]),
        ({"ready": None}, ["ready"]),  # deleted but still listed
        ({"missing": None}, []),
    ],
)
def test_metadata_unsettled(expected, unsettled):
    metadata = SimpleNamespace(
        topics={
            "ready": SimpleNamespace(
                error=None,
                partitions={0: SimpleNamespace(leader=1, replicas=[1]), 1: SimpleNamespace(leader=2, replicas=[2])},
            ),
            "leaderless": SimpleNamespace(error=None, partitions={0: SimpleNamespace(leader=-1, replicas=[1])}),
        }
    )
    assert kt.metadata_unsettled(metadata, expected) == unsettled
