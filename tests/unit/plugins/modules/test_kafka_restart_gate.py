# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_restart_gate main() against a fake AdminClient (no network)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from confluent_kafka.admin import ConfigSource  # noqa: E402
from kafka_fakes import done  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.modules import kafka_restart_gate  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException


def part(replicas, isr, leader=None):
    if leader is None:
        leader = isr[0] if isr else -1
    return SimpleNamespace(leader=leader, replicas=list(replicas), isrs=list(isr), error=None)


HEALTHY = {
    "orders": {0: part([2, 0, 1], [2, 0, 1]), 1: part([0, 1, 2], [0, 1, 2])},
    "__consumer_offsets": {0: part([1, 2, 0], [1, 2, 0])},
}
# Broker 1 restarted and is catching up: orders-1 has ISR [0, 2] == minISR 2 with broker 2 in it.
CATCHING_UP = {
    "orders": {0: part([2, 0, 1], [2, 0, 1]), 1: part([0, 1, 2], [0, 2])},
    "__consumer_offsets": {0: part([1, 2, 0], [1, 2, 0])},
}


class FakeAdmin:
    """Answers list_topics with the next of ``readings`` (the last one repeats)."""

    def __init__(self, readings, brokers=(0, 1, 2), min_isr=None, config_error=None):
        self.readings = list(readings)
        self.brokers = list(brokers)
        self.min_isr = dict(min_isr or {})
        self.config_error = config_error
        self.metadata_reads = 0
        self.described = []

    def describe_cluster(self, request_timeout):
        nodes = [SimpleNamespace(id=b, host=f"kafka-{b}", port=9092, rack=None) for b in self.brokers]
        return done(SimpleNamespace(cluster_id="cid", controller=nodes[0], nodes=nodes))

    def poll(self, timeout):
        return 0

    def list_topics(self, timeout):
        topics = self.readings[min(self.metadata_reads, len(self.readings) - 1)]
        self.metadata_reads += 1
        return SimpleNamespace(
            topics={name: SimpleNamespace(partitions=parts, error=None) for name, parts in topics.items()},
            brokers={b: SimpleNamespace(id=b) for b in self.brokers},
            controller_id=self.brokers[0],
        )

    def describe_configs(self, resources, request_timeout):
        result = {}
        for resource in resources:
            self.described.append(resource.name)
            if self.config_error:
                result[resource] = done(exception=self.config_error)
                continue
            if resource.name in self.min_isr:
                value, source = str(self.min_isr[resource.name]), ConfigSource.DYNAMIC_TOPIC_CONFIG.value
            else:
                value, source = "2", ConfigSource.STATIC_BROKER_CONFIG.value
            entries = {
                "min.insync.replicas": SimpleNamespace(value=value, source=source),
                "retention.ms": SimpleNamespace(value="604800000", source=ConfigSource.DEFAULT_CONFIG.value),
            }
            result[resource] = done(entries)
        return result


@pytest.fixture
def fake_admin(monkeypatch):
    def install(*readings, **kwargs):
        admin = FakeAdmin(readings, **kwargs)
        monkeypatch.setattr(KafkaModule, "admin_client", lambda module: admin)
        return admin

    return install


BASE = dict(bootstrap_servers=["kafka-0:9092"], sasl_password="not-used-5e3")


def args(**kwargs):
    return dict(BASE, **kwargs)


def test_healthy_cluster_is_safe(run_module, fake_admin):
    admin = fake_admin(HEALTHY)
    failed, result = run_module(kafka_restart_gate.main, args(broker_id=2))
    assert not failed, result
    assert result["changed"] is False
    assert result["safe"] is True
    assert result["blocking"] == []
    assert result["broker_ids"] == [0, 1, 2]
    assert result["controller_id"] == 0
    assert result["broker_registered"] is True
    assert result["partitions_led"] == 1
    assert result["waited_seconds"] == 0.0
    assert sorted(admin.described) == ["__consumer_offsets", "orders"]


def test_unsafe_fails_naming_the_partition_and_the_rule(run_module, fake_admin):
    fake_admin(CATCHING_UP)
    failed, result = run_module(kafka_restart_gate.main, args(broker_id=2, require_no_under_replicated=False))
    assert failed
    assert result["msg"] == (
        "Broker 2 must not be stopped now: "
        "stopping broker 2 would leave orders-1 with 1 in-sync replica, min.insync.replicas is 2"
    )
    assert result["safe"] is False
    assert result["under_replicated"] == ["orders-1"]
    assert [(e["topic"], e["partition"], e["kind"]) for e in result["blocking"]] == [("orders", 1, "at_min_isr")]


def test_unsafe_is_only_reported_without_fail_when_unsafe(run_module, fake_admin):
    fake_admin(CATCHING_UP)
    failed, result = run_module(kafka_restart_gate.main, args(broker_id=2, fail_when_unsafe=False), check_mode=True)
    assert not failed, result
    assert result["safe"] is False
    assert result["blocking"][0]["kind"] == "at_min_isr"


def test_broker_outside_the_isr_is_blocked_by_the_under_replicated_check_only(run_module, fake_admin):
    # Broker 1 is the one catching up; stopping broker 0 is refused because orders-1 is under-replicated.
    fake_admin(CATCHING_UP, min_isr={"orders": 1})
    failed, result = run_module(kafka_restart_gate.main, args(broker_id=0, require_no_under_replicated=False))
    assert not failed, result
    assert result["safe"] is True
    failed, result = run_module(kafka_restart_gate.main, args(broker_id=0))
    assert failed
    assert result["blocking"][0]["kind"] == "under_replicated"
    assert "orders-1 is under-replicated (in-sync [0, 2] of replicas [0, 1, 2])" in result["msg"]


def test_wait_until_the_previous_broker_caught_up(run_module, fake_admin):
    admin = fake_admin(CATCHING_UP, CATCHING_UP, HEALTHY)
    failed, result = run_module(kafka_restart_gate.main, args(broker_id=2, wait=True, timeout=10, poll_interval=0.01))
    assert not failed, result
    assert result["safe"] is True
    assert admin.metadata_reads == 3
    assert result["waited_seconds"] >= 0
    # min.insync.replicas was read once per topic, not at every poll.
    assert sorted(admin.described) == ["__consumer_offsets", "orders"]


@pytest.mark.parametrize("fail_when_unsafe", [True, False])
def test_wait_times_out(run_module, fake_admin, fail_when_unsafe):
    fake_admin(CATCHING_UP)
    failed, result = run_module(
        kafka_restart_gate.main,
        args(broker_id=2, wait=True, timeout=0, poll_interval=0.01, fail_when_unsafe=fail_when_unsafe),
    )
    assert failed is fail_when_unsafe
    assert result["safe"] is False
    if fail_when_unsafe:
        assert result["msg"].startswith("Broker 2 must not be stopped now (still unsafe after waiting 0s): ")


def test_unavoidable_partitions_warn(run_module, fake_admin):
    fake_admin({"scratch": {0: part([2], [2])}})
    failed, result = run_module(kafka_restart_gate.main, args(broker_id=2))
    assert not failed, result
    assert result["safe"] is True
    assert result["unavoidable"] == ["scratch-0"]
    # ansible-core 2.19 returns structured warnings ({"event": {"msg": ...}}), older releases strings.
    assert "drop below min.insync.replicas while it is down" in str(result["warnings"])


def test_describe_configs_error_fails_with_the_topic(run_module, fake_admin):
    error = KafkaException(KafkaError(KafkaError.TOPIC_AUTHORIZATION_FAILED, "denied"))
    fake_admin(HEALTHY, config_error=error)
    failed, result = run_module(kafka_restart_gate.main, args(broker_id=2))
    assert failed
    assert result["msg"].startswith("Failed to read the configuration of topics")
    assert "not-used-5e3" not in str(result)


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(batch_size=0), "batch_size must be at least 1"),
        (dict(timeout=-1), "timeout must not be negative"),
        (dict(poll_interval=0), "poll_interval must be positive"),
    ],
)
def test_bad_options(run_module, fake_admin, options, message):
    fake_admin(HEALTHY)
    failed, result = run_module(kafka_restart_gate.main, args(broker_id=2, **options))
    assert failed
    assert message in result["msg"]
