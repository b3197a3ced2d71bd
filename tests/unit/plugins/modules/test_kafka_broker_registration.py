# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_broker_registration main() against a fake KRaft cluster that answers like Kafka 4.3.1 (kraft_fakes)."""

from __future__ import annotations

import pytest

pytest.importorskip("confluent_kafka")
pytest.importorskip("kafka")

from kraft_fakes import CONNECTION  # noqa: E402
from kraft_fakes import kraft_cluster_installer  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.modules import kafka_broker_registration  # noqa: E402

BASE = CONNECTION


@pytest.fixture
def cluster(monkeypatch):
    """Install a FakeKraftCluster as the module's kafka-python client; no other client may be created."""

    return kraft_cluster_installer(monkeypatch)


def run(run_module, check_mode=False, diff=False, **args):
    return run_module(kafka_broker_registration.main, dict(BASE, **args), check_mode=check_mode, diff=diff)


def unregister_requests(fake):
    return [r.broker_id for name, r in fake.requests if name == "UnregisterBroker"]


def test_unregisters_a_stopped_broker_then_is_idempotent(run_module, cluster):
    fake = cluster(brokers=(0, 1, 2), fenced=(2,), stopped=(2,))
    failed, result = run(run_module, broker_ids=[2], diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["unregistered"] == [2]
    assert result["actions"] == ["unregister broker 2"]
    assert [b["id"] for b in result["brokers"]] == [0, 1]
    assert [b["id"] for b in result["diff"]["before"]["brokers"]] == [0, 1, 2]
    assert result["diff"]["before"]["brokers"][2]["fenced"] is True
    assert result["diff"]["after"]["brokers"] == result["brokers"]
    assert unregister_requests(fake) == [2]

    failed, result = run(run_module, broker_ids=[2])
    assert not failed
    assert result["changed"] is False
    assert result["unregistered"] == []
    assert result["actions"] == []
    assert unregister_requests(fake) == [2]  # nothing sent the second time


def test_check_mode_predicts_and_sends_nothing(run_module, cluster):
    fake = cluster(brokers=(0, 1, 2, 3), fenced=(2, 3), stopped=(2, 3))
    failed, result = run(run_module, broker_ids=[3, 2, 9], check_mode=True, diff=True)
    assert not failed
    assert result["changed"] is True
    assert result["unregistered"] == [2, 3]
    assert [b["id"] for b in result["brokers"]] == [0, 1]
    assert [b["id"] for b in result["diff"]["before"]["brokers"]] == [0, 1, 2, 3]
    assert fake.requests == []
    assert sorted(fake.brokers) == [0, 1, 2, 3]


def test_a_live_broker_refuses_the_whole_batch_before_any_write(run_module, cluster):
    fake = cluster(brokers=(0, 1, 2, 3), fenced=(3,), stopped=(3,))
    failed, result = run(run_module, broker_ids=[3, 1])
    assert failed
    assert result["changed"] is False
    assert result["msg"] == (
        "Refusing to unregister running brokers, nothing was changed: broker 1 is registered and unfenced (live, at "
        "127.0.0.1:30702): stop it before unregistering it"
    )
    assert fake.requests == []
    assert sorted(fake.brokers) == [0, 1, 2, 3]


def test_a_fenced_broker_that_keeps_fetching_is_refused_after_a_short_wait(run_module, cluster, monkeypatch):
    # The module re-reads the quorum for about RUNNING_FETCH_AGE_MS: a broker that keeps fetching is running.
    fake = cluster(brokers=(0, 1, 2), fenced=(2,))
    waits = []
    monkeypatch.setattr(kafka_broker_registration, "poll", fake_poll(waits))
    failed, result = run(run_module, broker_ids=[2])
    assert failed
    assert "broker 2 is fenced but still running: it fetched the metadata log 242 ms ago" in result["msg"]
    assert waits == [6.0]
    assert fake.requests == []


def test_a_broker_stopped_a_moment_ago_is_unregistered_once_its_fetch_is_old(run_module, cluster, monkeypatch):
    fake = cluster(brokers=(0, 1, 2), fenced=(2,))
    waits = []

    def stop_broker_2():
        fake.stopped.add(2)

    monkeypatch.setattr(kafka_broker_registration, "poll", fake_poll(waits, before_read=stop_broker_2))
    failed, result = run(run_module, broker_ids=[2])
    assert not failed, result
    assert result["unregistered"] == [2]


def fake_poll(waits, before_read=None):
    """polling.poll without sleeping: reads twice (the second read after ``before_read``)."""

    def poll(read, done, timeout, **kwargs):
        waits.append(timeout)
        value = read()
        if done(value):
            return value, True
        if before_read:
            before_read()
        value = read()
        return value, done(value)

    return poll


def test_refused_against_a_zookeeper_cluster(run_module, cluster):
    fake = cluster(mode="zookeeper")
    failed, result = run(run_module, broker_ids=[2])
    assert failed
    assert result["metadata_mode"] == "zookeeper"
    assert "runs in ZooKeeper mode: unregistering brokers is a KRaft operation" in result["msg"]
    assert "nothing was changed" in result["msg"]
    assert fake.requests == []


def test_negative_ids_are_refused_before_connecting(run_module, monkeypatch):
    def no_client(module):
        raise AssertionError("nothing may be contacted")

    monkeypatch.setattr(KafkaModule, "reassignment_client", no_client)
    failed, result = run(run_module, broker_ids=[-1])
    assert failed
    assert result["msg"] == "Invalid request, nothing was changed: broker ids must be 0 or greater, got [-1]"


def test_without_alter_on_the_cluster_even_check_mode_fails(run_module, cluster):
    fake = cluster(brokers=(0, 1, 2), fenced=(2,), stopped=(2,), operations=["DESCRIBE"])
    failed, result = run(run_module, broker_ids=[2], check_mode=True)
    assert failed
    assert result["msg"].startswith("Failed to unregister brokers: User:admin is not allowed to ALTER the cluster")
    assert fake.requests == []


def test_a_failure_part_way_reports_what_was_done(run_module, cluster):
    fake = cluster(brokers=(0, 1, 2, 3), fenced=(2, 3), stopped=(2, 3))
    fake.errors[("unregister", 3)] = (41, "This is not the correct controller for this cluster.")
    failed, result = run(run_module, broker_ids=[2, 3])
    assert failed
    assert result["changed"] is True
    assert result["unregistered"] == [2]
    assert result["actions"] == ["unregister broker 2"]
    assert result["error_code"] == "NOT_CONTROLLER"
    assert result["msg"] == (
        "Failed to unregister broker 3: This is not the correct controller for this cluster. (NOT_CONTROLLER)"
    )
    assert "admin-secret" not in str(result)


def test_kafka_3_9_sends_unlisted_ids_and_the_answer_decides(run_module, cluster):
    # DescribeCluster v1 lists no fenced brokers: 2 (fenced, stopped) and 7 (never registered) are both sent.
    fake = cluster(brokers=(0, 1, 2), fenced=(2,), stopped=(2,), lists_fenced=False)
    failed, result = run(run_module, broker_ids=[2, 7])
    assert not failed, result
    assert result["changed"] is True
    assert result["unregistered"] == [2]  # 7 answered BROKER_ID_NOT_REGISTERED: nothing to do
    assert unregister_requests(fake) == [2, 7]
    assert any("does not list fenced brokers" in str(w) for w in result["warnings"])


def test_without_describe_on_the_cluster_it_warns_and_relies_on_fencing(run_module, cluster, monkeypatch):
    from kafka.errors import ClusterAuthorizationFailedError

    fake = cluster(brokers=(0, 1, 2), fenced=(2,), stopped=(2,))

    def refuse():
        raise ClusterAuthorizationFailedError("Cluster authorization failed.")

    monkeypatch.setattr(fake, "describe_metadata_quorum", refuse)
    failed, result = run(run_module, broker_ids=[2])
    assert not failed, result
    assert result["unregistered"] == [2]
    assert any("whether fenced brokers still run was not checked" in str(w) for w in result["warnings"])
