# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_topic main(): refusals change nothing; topics being moved by a reassignment."""

from __future__ import annotations

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from topic_admin_fakes import BASE  # noqa: E402
from topic_admin_fakes import MOVING  # noqa: E402
from topic_admin_fakes import cluster_installer  # noqa: E402
from topic_admin_fakes import topic_args  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.modules import kafka_topic  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException


@pytest.fixture
def cluster(monkeypatch):
    return cluster_installer(monkeypatch)


# ---------------------------------------------------------------------------
# refusals: message and nothing changed
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize(
    "args, message",
    [
        (
            dict(name="orders", partitions=2),
            "Failed to manage topic orders: topic orders has 3 partitions and cannot be reduced to 2: "
            "Kafka cannot remove partitions",
        ),
        (
            dict(name="orders", replication_factor=2),
            "Failed to manage topic orders: topic orders has replication factor 3; kafka_topic does not change",
        ),
        (
            dict(name="new", partitions=1, replication_factor=4),
            "Failed to manage topic new: cannot create topic new: replication_factor 4 is greater than the number "
            "of live brokers (3: [0, 1, 2])",
        ),
        (
            dict(name="orders", config={"retention.msec": 1}),
            "Failed to manage topic orders: Unknown topic config name: retention.msec (INVALID_CONFIG)",
        ),
        (
            dict(name="new", partitions=1, replication_factor=1, config={"cleanup.policy": "bogus"}),
            "Failed to manage topic new: Invalid value bogus for configuration cleanup.policy (INVALID_CONFIG)",
        ),
        (
            dict(name="orders", config={"retention.ms": "abc"}),
            "Failed to manage topic orders: Invalid value abc for configuration retention.ms (INVALID_CONFIG)",
        ),
        (
            dict(name="orders_eu", partitions=1, replication_factor=1),
            "Failed to manage topic orders_eu: topic name 'orders_eu' collides with 'orders.eu'",
        ),
    ],
)
def test_refusals_change_nothing(run_module, cluster, args, message, check_mode):
    admin = cluster(topics={"orders": (3, 3, {"retention.ms": "86400000"}), "orders.eu": (1, 1, {})})
    before = repr(admin.topics)
    failed_, result = run_module(kafka_topic.main, dict(BASE, **args), check_mode)
    assert failed_
    assert result["msg"].startswith(message), result["msg"]
    assert result["changed"] is False
    assert result["problems"]
    if "reduced" in message or "replication factor 3" in message:
        assert "kafkaops.cluster.kafka_reassign" in result["msg"]
    assert admin.writes() == []
    assert repr(admin.topics) == before


def test_rf_above_live_brokers_is_refused_before_any_request(run_module, cluster):
    admin = cluster(broker_ids=[0])
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="new", partitions=1, replication_factor=3))
    assert failed_
    assert "replication_factor 3 is greater than the number of live brokers (1: [0])" in result["msg"]
    assert admin.validations() == [] and admin.writes() == []


def test_one_invalid_topic_in_a_batch_creates_nothing(run_module, cluster):
    admin = cluster()
    topics = [dict(name=f"ok-{i}", partitions=1, replication_factor=1) for i in range(5)]
    topics.insert(2, dict(name="bad", partitions=1, replication_factor=1, config={"no.such.key": 1}))
    failed_, result = run_module(kafka_topic.main, topic_args(*topics, batch_size=2))
    assert failed_
    assert result["msg"] == "Failed to manage topic bad: Unknown topic config name: no.such.key (INVALID_CONFIG)"
    assert result["problems"] == [dict(topic="bad", msg="Unknown topic config name: no.such.key (INVALID_CONFIG)")]
    assert admin.topics == {}
    assert admin.writes() == []


def test_every_problem_of_a_batch_is_reported(run_module, cluster):
    admin = cluster(topics={"orders": (3, 3, {})})
    args = topic_args(
        dict(name="orders", partitions=1, replication_factor=2),
        dict(name="new", partitions=1, replication_factor=1),
    )
    failed_, result = run_module(kafka_topic.main, args)
    assert failed_
    assert result["msg"].startswith("Failed to manage topic orders: topic orders has 3 partitions")
    assert [p["topic"] for p in result["problems"]] == ["orders", "orders"]
    assert admin.topics.keys() == {"orders"}


@pytest.mark.parametrize(
    "name, message",
    [
        ("bad name!", "topic name 'bad name!' contains illegal characters ' !'"),
        ("x" * 250, "topic name is 250 characters long, the maximum is 249"),
        (".", "topic name '.' is not allowed"),
        ("..", "topic name '..' is not allowed"),
    ],
)
def test_invalid_names_are_refused_without_connecting(run_module, cluster, name, message):
    admin = cluster()
    failed_, result = run_module(kafka_topic.main, topic_args(dict(name="fine"), dict(name=name)))
    assert failed_
    assert message in result["msg"]
    assert admin.clients == 0


@pytest.mark.parametrize(
    "extra, message",
    [
        (dict(name="orders"), "parameters are mutually exclusive: topics|name"),
        (dict(partitions=3), "parameters are mutually exclusive: topics|partitions"),
        (dict(config={"a": 1}), "parameters are mutually exclusive: topics|config"),
        (dict(state="absent"), "parameters are mutually exclusive: topics|state"),
    ],
)
def test_conflicting_options(run_module, cluster, extra, message):
    admin = cluster()
    failed_, result = run_module(kafka_topic.main, topic_args(dict(name="x"), **extra))
    assert failed_
    assert message in result["msg"]
    assert admin.clients == 0


def test_name_or_topics_required(run_module, cluster):
    cluster()
    failed_, result = run_module(kafka_topic.main, dict(BASE))
    assert failed_
    assert "one of the following is required: name, topics" in result["msg"]


@pytest.mark.parametrize("option", ["batch_size", "wait_timeout"])
def test_positive_options(run_module, cluster, option):
    cluster()
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="x", **{option: 0}))
    assert failed_
    assert result["msg"] == f"{option} must be at least 1, got 0"


def test_mixed_dot_and_underscore_warns(run_module, cluster):
    cluster()
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="a.b_c", partitions=1, replication_factor=1))
    assert not failed_
    assert "Topic names with both '.' and '_' (a.b_c)" in str(result["warnings"])


def test_internal_topic_is_never_deleted(run_module, cluster):
    admin = cluster(topics={"__consumer_offsets": (50, 3, {})})
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="__consumer_offsets", state="absent"))
    assert failed_
    assert "internal Kafka topic and cannot be deleted" in result["msg"]
    assert "__consumer_offsets" in admin.topics


def test_failure_while_applying_reports_what_changed(run_module, cluster):
    admin = cluster(fail_create=["b"])
    args = topic_args(
        dict(name="a", partitions=1, replication_factor=1), dict(name="b", partitions=1, replication_factor=1)
    )
    failed_, result = run_module(kafka_topic.main, args)
    assert failed_
    assert result["msg"] == "Failed to change topic b: refused by policy (POLICY_VIOLATION)"
    assert result["changed"] is True
    assert set(admin.topics) == {"a"}


@pytest.mark.parametrize("check_mode", [False, True])
def test_topic_being_moved_keeps_its_replication_factor(run_module, cluster, check_mode):
    admin = cluster(broker_ids=(0, 1, 2, 3), topics={"orders": (3, 3, {})}, moving=MOVING)
    args = topic_args(
        dict(name="orders", partitions=3, replication_factor=3, config={"retention.ms": 1000}),
        dict(name="payments", partitions=1, replication_factor=3),
    )
    failed_, result = run_module(kafka_topic.main, args, check_mode)
    assert not failed_, result["msg"]
    assert result["topics"]["orders"]["before"]["replication_factor"] == 3
    assert result["topics"]["orders"]["after"]["replication_factor"] == 3
    assert result["actions"] == [
        "orders: set config retention.ms=1000 (was 604800000)",
        "payments: create (partitions=1, replication_factor=3)",
    ]
    assert ("list_partition_reassignments", None, {"orders": [0, 1, 2]}) in admin.requests
    failed_, result = run_module(kafka_topic.main, topic_args(dict(name="orders", replication_factor=4)), True)
    assert failed_
    assert "has replication factor 3" in result["msg"]
    assert "is in progress and moves it to replication factor 3" in result["msg"]


def test_topic_being_moved_to_another_replication_factor_accepts_both(run_module, cluster):
    cluster(broker_ids=(0, 1, 2, 3), topics={"orders": (3, 3, {})}, moving={("orders", 0): ([3], [])})
    for wanted in (3, 4):
        failed_, result = run_module(kafka_topic.main, topic_args(dict(name="orders", replication_factor=wanted)))
        assert not failed_, result["msg"]
        assert result["changed"] is False


def test_no_reassignment_request_when_nothing_may_be_moving(run_module, cluster):
    admin = cluster(topics={"orders": (3, 3, {})})
    failed_, _result = run_module(kafka_topic.main, topic_args(dict(name="orders", replication_factor=3)))
    assert not failed_
    assert not [r for r in admin.requests if r[0] == "list_partition_reassignments"]


def test_moving_topic_without_permission_to_list_reassignments(run_module, cluster):
    errors = pytest.importorskip("kafka.errors")
    cluster(
        broker_ids=(0, 1, 2, 3),
        topics={"orders": (3, 3, {})},
        moving=MOVING,
        reassignment_error=errors.ClusterAuthorizationFailedError(),
    )
    failed_, result = run_module(kafka_topic.main, topic_args(dict(name="orders", replication_factor=3)))
    assert failed_
    assert "has replication factor 4" in result["msg"]
    assert "DESCRIBE on the cluster" in str(result["warnings"])
