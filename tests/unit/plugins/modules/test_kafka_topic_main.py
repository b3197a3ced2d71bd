# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_topic main() against an in-memory cluster (no network): create, no-op, update, delete, batching."""

from __future__ import annotations

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from topic_admin_fakes import BASE  # noqa: E402
from topic_admin_fakes import ORDERS  # noqa: E402
from topic_admin_fakes import PASSWORD  # noqa: E402
from topic_admin_fakes import cluster_installer  # noqa: E402
from topic_admin_fakes import topic_args  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.modules import kafka_topic  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException


@pytest.fixture
def cluster(monkeypatch):
    return cluster_installer(monkeypatch)


# ---------------------------------------------------------------------------
# create / no-op / update / delete
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("check_mode", [False, True])
def test_create_single_topic(run_module, cluster, check_mode):
    admin = cluster()
    failed_, result = run_module(kafka_topic.main, dict(BASE, **ORDERS), check_mode, diff=True)
    assert not failed_, result
    assert result["changed"] is True
    assert result["actions"] == ["orders: create (partitions=3, replication_factor=3, config retention.ms=86400000)"]
    after = dict(partitions=3, replication_factor=3, config={"retention.ms": "86400000"})
    assert result["topics"]["orders"] == dict(actions=[result["actions"][0][8:]], before=None, after=after)
    assert result["diff"] == dict(before={}, after={"orders": after})
    # the broker validated the creation in both modes
    assert admin.validations() == [("create_topics", True, ["orders"])]
    assert ("orders" in admin.topics) is not check_mode
    assert [w[0] for w in admin.writes()] == ([] if check_mode else ["create_topics"])
    assert PASSWORD not in str(result)


def test_no_op_rerun_sends_no_write_and_no_validation(run_module, cluster):
    admin = cluster(topics={"orders": (3, 3, {"retention.ms": "86400000"})})
    failed_, result = run_module(kafka_topic.main, dict(BASE, **ORDERS), diff=True)
    assert not failed_
    assert result["changed"] is False
    assert result["actions"] == []
    assert result["topics"]["orders"]["actions"] == []
    assert result["topics"]["orders"]["before"] == result["topics"]["orders"]["after"]
    assert result["diff"] == dict(before={}, after={})
    assert admin.writes() == [] and admin.validations() == []


@pytest.mark.parametrize(
    "config",
    [
        {"retention.ms": "86400000", "cleanup.policy": "delete"},
        {"retention.ms": 86400000, "cleanup.policy": ["delete"], "min.insync.replicas": 2},
        {"unclean.leader.election.enable": False, "segment.ms": 604800000},
    ],
)
def test_equal_after_normalization_is_no_op(run_module, cluster, config):
    admin = cluster(topics={"orders": (3, 3, {"retention.ms": "86400000"})})
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="orders", config=config))
    assert not failed_
    assert result["changed"] is False
    assert admin.writes() == []


@pytest.mark.parametrize("check_mode", [False, True])
def test_update_partitions_and_config_incrementally(run_module, cluster, check_mode):
    admin = cluster(topics={"orders": (3, 3, {"retention.ms": "86400000", "segment.bytes": "1000000"})})
    args = dict(BASE, name="orders", partitions=6, config={"retention.ms": 3600000, "cleanup.policy": "compact"})
    failed_, result = run_module(kafka_topic.main, args, check_mode, diff=True)
    assert not failed_, result
    assert result["changed"] is True
    assert result["topics"]["orders"]["actions"] == [
        "add partitions (3 -> 6)",
        "set config cleanup.policy=compact (was delete)",
        "set config retention.ms=3600000 (was 86400000)",
    ]
    # the unlisted override stays; the diff shows only the changed keys
    assert result["topics"]["orders"]["after"]["config"] == {
        "cleanup.policy": "compact",
        "retention.ms": "3600000",
        "segment.bytes": "1000000",
    }
    assert result["diff"] == dict(
        before={"orders": dict(partitions=3, replication_factor=3, config={"retention.ms": "86400000"})},
        after={
            "orders": dict(
                partitions=6, replication_factor=3, config={"cleanup.policy": "compact", "retention.ms": "3600000"}
            )
        },
    )
    assert [v[0] for v in admin.validations()] == ["create_partitions", "incremental_alter_configs"]
    if check_mode:
        assert admin.writes() == []
        assert admin.topics["orders"]["partitions"] == 3
    else:
        assert [w[0] for w in admin.writes()] == ["create_partitions", "incremental_alter_configs"]
        assert admin.topics["orders"]["config"]["segment.bytes"] == "1000000"


@pytest.mark.parametrize(
    "purge, config, actions, left",
    [
        (False, {"retention.ms": 1}, ["set config retention.ms=1 (was 86400000)"], {"retention.ms", "segment.bytes"}),
        (
            True,
            {"retention.ms": 86400000},
            ["reset config segment.bytes to its default (was 1000000)"],
            {"retention.ms"},
        ),
        (
            True,
            {},
            [
                "reset config retention.ms to its default (was 86400000)",
                "reset config segment.bytes to its default (was 1000000)",
            ],
            set(),
        ),
        (False, {"segment.bytes": None}, ["reset config segment.bytes to its default (was 1000000)"], {"retention.ms"}),
    ],
)
def test_purge_and_null_reset_overrides_only(run_module, cluster, purge, config, actions, left):
    admin = cluster(topics={"orders": (3, 3, {"retention.ms": "86400000", "segment.bytes": "1000000"})})
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="orders", config=config, purge_configs=purge))
    assert not failed_, result
    assert result["topics"]["orders"]["actions"] == actions
    assert set(admin.topics["orders"]["config"]) == left
    assert set(result["topics"]["orders"]["after"]["config"]) == left


@pytest.mark.parametrize("check_mode", [False, True])
def test_absent_deletes_only_listed_topics(run_module, cluster, check_mode):
    admin = cluster(topics={"orders": (3, 3, {}), "payments": (1, 1, {})})
    args = topic_args(dict(name="orders", state="absent"), dict(name="gone", state="absent"))
    failed_, result = run_module(kafka_topic.main, args, check_mode, diff=True)
    assert not failed_
    assert result["changed"] is True
    assert result["actions"] == ["orders: delete"]
    assert result["topics"]["gone"] == dict(actions=[], before=None, after=None)
    assert result["diff"] == dict(before={"orders": dict(partitions=3, replication_factor=3, config={})}, after={})
    assert set(admin.topics) == ({"orders", "payments"} if check_mode else {"payments"})


def test_delete_waits_until_the_topic_can_be_created_again(run_module, cluster):
    admin = cluster(topics={"orders": (3, 3, {})}, deleting_reads=2)
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="orders", state="absent"))
    assert not failed_, result
    assert admin.deleting_reads == 0
    checks = [r for r in admin.requests if r[0] == "create_topics"]
    assert checks == [("create_topics", True, ["orders"])] * 3


def test_delete_wait_timeout(run_module, cluster):
    cluster(topics={"orders": (3, 3, {})}, deleting_reads=1000)
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="orders", state="absent", wait_timeout=1))
    assert failed_
    assert "deleted topics gone) for orders" in result["msg"]


def test_absent_missing_topic_is_no_op(run_module, cluster):
    admin = cluster()
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="orders", state="absent"))
    assert not failed_
    assert result["changed"] is False
    assert admin.writes() == []


def test_broker_defaults_fill_in_partitions_and_replication_factor(run_module, cluster):
    admin = cluster()
    failed_, result = run_module(kafka_topic.main, dict(BASE, name="orders"))
    assert not failed_
    assert result["topics"]["orders"]["after"] == dict(partitions=1, replication_factor=2, config={})
    assert admin.topics["orders"]["rf"] == 2


def test_empty_topic_list_is_no_op(run_module, cluster):
    admin = cluster()
    failed_, result = run_module(kafka_topic.main, topic_args())
    assert not failed_
    assert result["changed"] is False
    assert result["topics"] == {}
    assert admin.writes() == []


# ---------------------------------------------------------------------------
# batching
# ---------------------------------------------------------------------------


def test_batch_is_split_into_requests_of_batch_size(run_module, cluster):
    admin = cluster()
    topics = [dict(name=f"t{i:03d}", partitions=3, replication_factor=3) for i in range(450)]
    failed_, result = run_module(kafka_topic.main, topic_args(*topics, batch_size=200, parallel_requests=1))
    assert not failed_
    assert len(result["topics"]) == 450
    assert admin.clients == 1
    creates = [r for r in admin.requests if r[0] == "create_topics"]
    assert [(r[1], len(r[2])) for r in creates] == [
        (True, 200),
        (True, 200),
        (True, 50),
        (False, 200),
        (False, 200),
        (False, 50),
    ]
    assert len(admin.topics) == 450
    describes = [len(r[2]) for r in admin.requests if r[0] == "describe_configs"]
    # the controller's defaults (the min.insync.replicas the new topics inherit), the re-read after the change
    assert describes == [1, 200, 200, 50]
    # the no-op re-run: one metadata request and the batched config reads
    admin.requests.clear()
    failed_, result = run_module(kafka_topic.main, topic_args(*topics, batch_size=200))
    assert not failed_
    assert result["changed"] is False
    assert [(r[0], len(r[2] or [])) for r in admin.requests] == [
        ("list_topics", 0),
        ("describe_configs", 200),
        ("describe_configs", 200),
        ("describe_configs", 50),
    ]


def test_large_change_is_spread_over_parallel_connections(run_module, cluster):
    admin = cluster()
    topics = [dict(name=f"t{i:03d}", partitions=3, replication_factor=3) for i in range(450)]
    failed_, result = run_module(kafka_topic.main, topic_args(*topics, batch_size=100, parallel_requests=4))
    assert not failed_
    assert admin.clients == 4  # the module's own client and three more connections
    creates = [(r[1], len(r[2])) for r in admin.requests if r[0] == "create_topics"]
    # at most batch_size per request, in waves of one request per connection
    sizes = [100, 100, 100, 100, 50]
    assert creates == [(True, size) for size in sizes] + [(False, size) for size in sizes]
    assert len(admin.topics) == 450


def test_small_change_uses_one_connection(run_module, cluster):
    admin = cluster()
    topics = [dict(name=f"t{i:03d}", partitions=1, replication_factor=1) for i in range(19)]
    failed_, result = run_module(kafka_topic.main, topic_args(*topics, parallel_requests=8))
    assert not failed_
    assert admin.clients == 1
    assert [len(r[2]) for r in admin.requests if r[0] == "create_topics"] == [19, 19]


def test_mixed_batch(run_module, cluster):
    admin = cluster(topics={"old": (1, 3, {}), "gone": (1, 3, {})})
    args = topic_args(
        dict(name="new", partitions=2, replication_factor=3),
        dict(name="old", partitions=2, config={"retention.ms": 5}),
        dict(name="gone", state="absent"),
    )
    failed_, result = run_module(kafka_topic.main, args)
    assert not failed_
    assert result["actions"] == [
        "new: create (partitions=2, replication_factor=3)",
        "old: add partitions (1 -> 2)",
        "old: set config retention.ms=5 (was 604800000)",
        "gone: delete",
    ]
    assert [w[0] for w in admin.writes()] == [
        "create_topics",
        "create_partitions",
        "incremental_alter_configs",
        "delete_topics",
    ]
    assert set(admin.topics) == {"new", "old"}
