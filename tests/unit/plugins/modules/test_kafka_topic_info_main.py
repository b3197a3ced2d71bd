# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_topic_info main() against an in-memory cluster (no network)."""

from __future__ import annotations

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from topic_admin_fakes import CONNECTION  # noqa: E402
from topic_admin_fakes import MOVING  # noqa: E402
from topic_admin_fakes import FakeReassignmentClient  # noqa: E402
from topic_admin_fakes import FakeTopicAdmin  # noqa: E402
from topic_admin_fakes import cluster_installer  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.modules import kafka_topic_info  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException


@pytest.fixture
def cluster(monkeypatch):
    return cluster_installer(monkeypatch)


# ---------------------------------------------------------------------------
# kafka_topic_info
# ---------------------------------------------------------------------------

INFO_TOPICS = {
    "orders": (3, 3, {"retention.ms": "86400000"}),
    "orders.eu": (1, 2, {}),
    "payments": (2, 1, {}),
    "__consumer_offsets": (3, 3, {"cleanup.policy": "compact"}),
}


@pytest.mark.parametrize(
    "args, names",
    [
        ({}, ["__consumer_offsets", "orders", "orders.eu", "payments"]),
        (dict(exclude_internal=True), ["orders", "orders.eu", "payments"]),
        (dict(names=["orders", "nope"]), ["orders"]),
        (dict(pattern=r"orders.*"), ["orders", "orders.eu"]),
    ],
)
def test_info_filters(run_module, cluster, args, names):
    admin = cluster(topics=INFO_TOPICS)
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, **args), check_mode=True)
    assert not failed_
    assert result["changed"] is False
    assert sorted(result["topics"]) == names
    if "names" in args:
        assert result["missing"] == ["nope"]
    assert admin.writes() == []


def test_info_details(run_module, cluster):
    cluster(topics=INFO_TOPICS)
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, names=["orders"]))
    assert not failed_
    orders = result["topics"]["orders"]
    assert orders["partitions"] == 3
    assert orders["replication_factor"] == 3
    assert orders["config"] == {"retention.ms": "86400000"}
    assert orders["partition_details"][1] == dict(
        partition=1,
        leader=1,
        replicas=[1, 2, 0],
        isr=[1, 2, 0],
        offline=False,
        under_replicated=False,
        reassigning=False,
        adding_replicas=[],
        removing_replicas=[],
    )
    assert orders["reassigning_partitions"] == 0
    assert "config_sources" not in orders


def test_info_include_defaults(run_module, cluster):
    cluster(topics=INFO_TOPICS)
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, names=["orders"], include_defaults=True))
    assert not failed_
    orders = result["topics"]["orders"]
    assert orders["config"]["segment.ms"] == "604800000"
    assert orders["config_sources"]["retention.ms"] == "DYNAMIC_TOPIC_CONFIG"
    assert orders["config_sources"]["min.insync.replicas"] == "STATIC_BROKER_CONFIG"
    assert orders["config_sources"]["segment.ms"] == "DEFAULT_CONFIG"


class UnhealthyAdmin(FakeTopicAdmin):
    def list_topics(self, timeout):
        metadata = super().list_topics(timeout)
        metadata.topics["orders"].partitions[0].isrs = [0]  # under-replicated
        metadata.topics["payments"].partitions[1].leader = -1  # offline
        return metadata


@pytest.mark.parametrize(
    "flags, names",
    [
        (dict(under_replicated=True), ["orders"]),
        (dict(offline=True), ["payments"]),
        (dict(under_replicated=True, offline=True), ["orders", "payments"]),
    ],
)
def test_info_health_filters(run_module, monkeypatch, flags, names):
    admin = UnhealthyAdmin(topics=INFO_TOPICS)
    monkeypatch.setattr(KafkaModule, "admin_client", lambda module: admin)
    monkeypatch.setattr(KafkaModule, "reassignment_client", lambda module: FakeReassignmentClient(admin))
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, **flags))
    assert not failed_
    assert sorted(result["topics"]) == names
    # configs are only read for the topics that are returned
    described = [name for r in admin.requests if r[0] == "describe_configs" for name in r[2]]
    assert sorted(described) == names


def test_info_invalid_pattern(run_module, cluster):
    cluster()
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, pattern="orders("))
    assert failed_
    assert result["msg"].startswith("pattern 'orders(' is not a valid regular expression")


def test_info_names_and_pattern_are_exclusive(run_module, cluster):
    cluster()
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, names=["a"], pattern="a"))
    assert failed_
    assert "mutually exclusive: names|pattern" in result["msg"]


def test_info_offsets(run_module, cluster):
    admin = cluster(topics=INFO_TOPICS)
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, names=["orders", "payments"], offsets=True))
    assert not failed_
    orders = result["topics"]["orders"]
    assert [(d["start_offset"], d["end_offset"]) for d in orders["partition_details"]] == [(0, 10), (1, 20), (2, 30)]
    assert orders["messages"] == 10 + 19 + 28
    payments = result["topics"]["payments"]
    assert payments["partition_details"][1]["end_offset"] is None
    assert "Leader not available" in payments["partition_details"][1]["offsets_error"]
    assert payments["messages"] is None
    assert admin.writes() == []


def test_info_without_offsets_sends_no_offset_request(run_module, cluster):
    admin = cluster(topics=INFO_TOPICS)
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, names=["orders"]))
    assert not failed_
    assert "messages" not in result["topics"]["orders"]
    assert not [r for r in admin.requests if r[0] == "list_offsets"]


def test_info_reports_a_moving_topic(run_module, cluster):
    cluster(broker_ids=(0, 1, 2, 3), topics=INFO_TOPICS, moving=MOVING)
    failed_, result = run_module(kafka_topic_info.main, dict(CONNECTION, names=["orders", "payments"]))
    assert not failed_
    orders = result["topics"]["orders"]
    assert orders["replication_factor"] == 3
    assert orders["under_replicated_partitions"] == 0
    assert orders["reassigning_partitions"] == 1
    assert orders["partition_details"][0]["replicas"] == [0, 1, 2, 3]
    assert orders["partition_details"][0]["adding_replicas"] == [3]
    assert orders["partition_details"][0]["removing_replicas"] == [0]
