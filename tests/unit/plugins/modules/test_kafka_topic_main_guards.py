# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_topic main(): internal topics, min.insync.replicas, deletions, waiting."""

from __future__ import annotations

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from topic_admin_fakes import BASE  # noqa: E402
from topic_admin_fakes import ORDERS  # noqa: E402
from topic_admin_fakes import cluster_installer  # noqa: E402
from topic_admin_fakes import topic_args  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.modules import kafka_topic  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException


@pytest.fixture
def cluster(monkeypatch):
    return cluster_installer(monkeypatch)


# ---------------------------------------------------------------------------
# internal topics, min.insync.replicas, deletions (issue 13)
# ---------------------------------------------------------------------------

OFFSETS = {"__consumer_offsets": (50, 3, {"cleanup.policy": "compact", "segment.bytes": "104857600"})}


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize(
    "topic, extra, message",
    [
        (
            dict(partitions=60),
            {},
            "__consumer_offsets is an internal Kafka topic and its partitions are never changed (requested 50 -> 60)",
        ),
        (
            dict(config={"cleanup.policy": "compact"}),
            dict(purge_configs=True),
            "__consumer_offsets is an internal Kafka topic and purge_configs would reset its configuration "
            "segment.bytes",
        ),
        (
            dict(config={"retention.ms": 1000}),
            {},
            "changing its configuration (retention.ms) needs allow_internal_topic_config=true",
        ),
        (
            dict(config={"segment.bytes": None}),
            {},
            "changing its configuration (segment.bytes) needs allow_internal_topic_config=true",
        ),
    ],
)
def test_internal_topics_are_protected(run_module, cluster, topic, extra, message, check_mode):
    admin = cluster(topics=dict(OFFSETS))
    before = repr(admin.topics)
    args = topic_args(dict(name="new", partitions=1, replication_factor=1), dict(name="__consumer_offsets", **topic))
    failed_, result = run_module(kafka_topic.main, dict(args, **extra), check_mode)
    assert failed_
    assert message in result["msg"]
    assert result["changed"] is False
    assert repr(admin.topics) == before
    assert admin.writes() == [] and admin.validations() == []


def test_internal_topic_config_change_with_opt_in(run_module, cluster):
    admin = cluster(topics=dict(OFFSETS))
    args = topic_args(dict(name="__consumer_offsets", config={"retention.ms": 1000}), allow_internal_topic_config=True)
    failed_, result = run_module(kafka_topic.main, args)
    assert not failed_, result["msg"]
    assert result["actions"] == ["__consumer_offsets: set config retention.ms=1000 (was 604800000)"]
    assert admin.topics["__consumer_offsets"]["config"]["retention.ms"] == "1000"
    # listed as it is: no change, no refusal (also with purge_configs)
    args = topic_args(
        dict(name="__consumer_offsets", partitions=50, config=dict(admin.topics["__consumer_offsets"]["config"])),
        purge_configs=True,
    )
    failed_, result = run_module(kafka_topic.main, args)
    assert not failed_, result["msg"]
    assert result["changed"] is False


def test_internal_topic_is_never_created(run_module, cluster):
    admin = cluster()
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="__transaction_state", partitions=1))
    assert failed_
    assert "Kafka creates it itself" in result["msg"]
    assert admin.topics == {}


@pytest.mark.parametrize("check_mode", [False, True])
def test_min_insync_replicas_above_replication_factor_is_refused(run_module, cluster, check_mode):
    admin = cluster(topics={"orders": (1, 2, {})})
    args = topic_args(
        dict(name="new", partitions=1, replication_factor=1),
        dict(name="payments", partitions=1, replication_factor=3, config={"min.insync.replicas": 4}),
        dict(name="orders", config={"min.insync.replicas": "3"}),
    )
    failed_, result = run_module(kafka_topic.main, args, check_mode)
    assert failed_
    assert "min.insync.replicas 4 is greater than the replication factor 3 of topic payments" in result["msg"]
    assert "min.insync.replicas 3 is greater than the replication factor 2 of topic orders" in result["msg"]
    assert [p["topic"] for p in result["problems"]] == ["payments", "orders"]
    assert sorted(admin.topics) == ["orders"]
    assert admin.writes() == [] and admin.validations() == []


def test_min_insync_replicas_equal_or_inherited_warns(run_module, cluster):
    admin = cluster()
    args = topic_args(
        dict(name="equal", partitions=1, replication_factor=3, config={"min.insync.replicas": 3}),
        dict(name="inherits", partitions=1, replication_factor=1),
        dict(name="fine", partitions=1, replication_factor=3),
    )
    failed_, result = run_module(kafka_topic.main, args)
    assert not failed_, result["msg"]
    warnings = str(result["warnings"])
    assert "min.insync.replicas 3 equals the replication factor of topic equal" in warnings
    assert (
        "min.insync.replicas 2 (the brokers' default, the topic does not set it) is greater than the replication "
        "factor 1 of topic inherits" in warnings
    )
    assert "topic fine" not in warnings
    assert sorted(admin.topics) == ["equal", "fine", "inherits"]


def test_broker_config_unreadable_skips_the_inherited_checks(run_module, cluster):
    admin = cluster(broker_config={"denied": "yes"}, topics={"old": (1, 1, {})})
    args = topic_args(dict(name="new", partitions=1, replication_factor=1), dict(name="old", state="absent"))
    failed_, result = run_module(kafka_topic.main, args)
    assert not failed_, result["msg"]
    assert sorted(admin.topics) == ["new"]


@pytest.mark.parametrize("check_mode", [False, True])
@pytest.mark.parametrize(
    "kwargs, message",
    [
        (
            dict(no_delete=["old"]),
            "cannot delete topic old: the connecting principal lacks the DELETE permission on it",
        ),
        (
            dict(broker_config={"delete.topic.enable": "false"}),
            "cannot delete topic old: the brokers have delete.topic.enable=false",
        ),
    ],
)
def test_refused_deletion_is_found_before_any_change(run_module, cluster, kwargs, message, check_mode):
    admin = cluster(topics={"old": (1, 1, {}), "kept": (1, 1, {})}, **kwargs)
    args = topic_args(
        dict(name="new", partitions=1, replication_factor=1),
        dict(name="kept", partitions=2),
        dict(name="old", state="absent"),
    )
    failed_, result = run_module(kafka_topic.main, args, check_mode)
    assert failed_
    assert result["msg"] == f"Failed to manage topic old: {message}"
    assert result["changed"] is False
    assert sorted(admin.topics) == ["kept", "old"]
    assert admin.topics["kept"]["partitions"] == 1
    assert admin.writes() == []


def test_deletion_refused_after_other_changes_reports_what_was_done(run_module, cluster):
    admin = cluster(topics={"old": (1, 1, {}), "kept": (1, 1, {})}, fail_delete=["old"])
    args = topic_args(
        dict(name="new", partitions=1, replication_factor=1),
        dict(name="kept", partitions=2),
        dict(name="old", state="absent"),
    )
    failed_, result = run_module(kafka_topic.main, args)
    assert failed_
    assert result["msg"] == "Failed to change topic old: Topic authorization failed (TOPIC_AUTHORIZATION_FAILED)"
    assert result["changed"] is True
    assert result["actions"] == ["new: create (partitions=1, replication_factor=1)", "kept: add partitions (1 -> 2)"]
    assert result["topics"]["old"] == dict(
        actions=[],
        before=dict(partitions=1, replication_factor=1, config={}),
        after=dict(partitions=1, replication_factor=1, config={}),
    )
    assert result["topics"]["kept"]["after"]["partitions"] == 2
    assert result["topics"]["new"]["before"] is None
    assert sorted(admin.topics) == ["kept", "new", "old"]


def test_waits_for_leaders(run_module, cluster):
    admin = cluster(leaderless_reads=2)
    failed_, result = run_module(kafka_topic.main, dict(BASE, **ORDERS))
    assert not failed_
    assert admin.leaderless_reads < 0
    assert sum(1 for r in admin.requests if r[0] == "list_topics") >= 3


def test_wait_timeout_names_the_topic(run_module, cluster):
    cluster(leaderless_reads=100)
    failed_, result = run_module(kafka_topic.main, dict(BASE, **ORDERS, **{"wait_timeout": 1}))
    assert failed_
    assert result["msg"].startswith("Failed to wait for the topic changes: after 1s the cluster does not yet report")
    assert result["msg"].endswith("for orders")
    assert result["changed"] is True
