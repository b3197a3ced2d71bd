# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_controller_voters main() against a fake KRaft cluster that answers like Kafka 4.3.1 (kraft_fakes)."""

from __future__ import annotations

import pytest

pytest.importorskip("confluent_kafka")
pytest.importorskip("kafka")

from fake_clock import FakeClock  # noqa: E402
from kraft_fakes import CONNECTION  # noqa: E402
from kraft_fakes import directory  # noqa: E402
from kraft_fakes import kraft_cluster_installer  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils import polling  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_admin import uuid_from_kafka  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.modules import kafka_controller_voters  # noqa: E402

BASE = CONNECTION


@pytest.fixture
def cluster(monkeypatch):
    """Install a FakeKraftCluster as the module's kafka-python client; waits run on a fake clock."""
    clock = FakeClock()

    def poll(read, done, timeout, interval=0.5, on_poll=None):
        return polling.poll(read, done, timeout, interval, on_poll, sleep=clock.sleep, clock=clock)

    monkeypatch.setattr(kafka_controller_voters, "poll", poll)

    return kraft_cluster_installer(monkeypatch)


def controllers(*ids):
    return [dict(id=i, host="127.0.0.1", port=30791 + i - 1001) for i in ids]


def run(run_module, ids, check_mode=False, diff=False, **args):
    params = dict(BASE, controllers=controllers(*ids), **args)
    return run_module(kafka_controller_voters.main, params, check_mode=check_mode, diff=diff)


def sent(fake):
    return [(name, r.voter_id) for name, r in fake.requests]


def test_adds_a_running_observer_then_is_idempotent(run_module, cluster):
    fake = cluster(observers=(1004,), commit_delay_reads=2)
    failed, result = run(run_module, [1001, 1002, 1003, 1004], diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["actions"] == [
        f"add controller 1004 (directory {directory(1004)}) at CONTROLLER://127.0.0.1:30794 as a voter"
    ]
    assert [v["id"] for v in result["voters"]] == [1001, 1002, 1003, 1004]
    assert result["voters"][3] == dict(
        id=1004, directory_id=directory(1004), endpoints=["CONTROLLER://127.0.0.1:30794"]
    )
    assert [v["id"] for v in result["diff"]["before"]["voters"]] == [1001, 1002, 1003]
    assert result["diff"]["after"]["voters"] == result["voters"]
    assert result["leader_id"] == 1001
    ((name, request),) = fake.requests
    assert name == "AddRaftVoter"
    assert request.cluster_id == "W3w7mZrAeZUF-S-lDAqXog"
    assert request.voter_id == 1004
    assert request.voter_directory_id == uuid_from_kafka(directory(1004))
    assert [(lst.name, lst.host, lst.port) for lst in request.listeners] == [("CONTROLLER", "127.0.0.1", 30794)]
    assert request.timeout_ms == 120000
    assert request.ack_when_committed is True

    failed, result = run(run_module, [1004, 1003, 1002, 1001])
    assert not failed
    assert result["changed"] is False
    assert result["actions"] == []
    assert len(fake.requests) == 1


def test_check_mode_predicts_and_sends_nothing(run_module, cluster):
    fake = cluster(observers=(1004,))
    failed, result = run(run_module, [1002, 1003, 1004], check_mode=True, diff=True)
    assert not failed
    assert result["changed"] is True
    assert [a.split(" (")[0] for a in result["actions"]] == ["add controller 1004", "remove voter 1001"]
    assert [v["id"] for v in result["voters"]] == [1002, 1003, 1004]
    assert [v["id"] for v in result["diff"]["before"]["voters"]] == [1001, 1002, 1003]
    assert fake.requests == []
    assert sorted(fake.voters) == [1001, 1002, 1003]


def test_a_replacement_runs_one_change_at_a_time_adding_first_and_the_leader_last(run_module, cluster):
    fake = cluster(observers=(1004, 1005), commit_delay_reads=3)
    original = fake.handle

    def handle(request, timeout_ms):
        # Kafka applies one voter change at a time: the previous one must be visible before the next is sent.
        assert not fake._pending, "a change was sent before the previous one was committed"
        return original(request, timeout_ms)

    fake.handle = handle
    failed, result = run(run_module, [1003, 1004, 1005])
    assert not failed, result
    assert sent(fake) == [
        ("AddRaftVoter", 1004),
        ("AddRaftVoter", 1005),
        ("RemoveRaftVoter", 1002),
        ("RemoveRaftVoter", 1001),
    ]
    assert [v["id"] for v in result["voters"]] == [1003, 1004, 1005]
    assert result["leader_id"] == 1003  # the removed leader's successor
    assert len(result["actions"]) == 4
    assert result["changed"] is True


def test_removing_the_leader_waits_for_the_next_leader(run_module, cluster):
    fake = cluster(leader=1001, observers=(1004,), election_reads=3)
    failed, result = run(run_module, [1002, 1003, 1004])
    assert not failed, result
    assert sent(fake) == [("AddRaftVoter", 1004), ("RemoveRaftVoter", 1001)]
    assert result["leader_id"] == 1002
    assert [v["id"] for v in result["voters"]] == [1002, 1003, 1004]


def test_fewer_than_three_voters_are_refused_before_any_write(run_module, cluster):
    fake = cluster()
    failed, result = run(run_module, [1001, 1002])
    assert failed
    assert result["changed"] is False
    assert result["msg"] == (
        "Refusing to change the KRaft voters, nothing was changed: the quorum would have 2 voter(s) [1001, 1002]: "
        "fewer than 3 voters do not survive the loss of a controller (set allow_small_quorum to allow it)"
    )
    assert [v["id"] for v in result["voters"]] == [1001, 1002, 1003]
    assert fake.requests == []


def test_a_small_quorum_when_allowed(run_module, cluster):
    fake = cluster()
    failed, result = run(run_module, [1001, 1002], allow_small_quorum=True)
    assert not failed, result
    assert sent(fake) == [("RemoveRaftVoter", 1003)]
    assert [v["id"] for v in result["voters"]] == [1001, 1002]


def test_a_controller_that_is_not_running_is_named(run_module, cluster):
    fake = cluster()
    failed, result = run(run_module, [1001, 1002, 1003, 1004], check_mode=True)
    assert failed
    assert "controller 1004 is not running as an observer of the quorum: start it first" in result["msg"]
    assert fake.requests == []


def test_refused_against_a_zookeeper_cluster(run_module, cluster):
    fake = cluster(mode="zookeeper")
    failed, result = run(run_module, [1001, 1002, 1003])
    assert failed
    assert result["metadata_mode"] == "zookeeper"
    assert "runs in ZooKeeper mode: it has no KRaft quorum" in result["msg"]
    assert fake.requests == []


def test_kafka_refusing_a_later_step_reports_what_was_committed(run_module, cluster):
    fake = cluster(observers=(1004,))
    fake.errors[("remove", 1001)] = (7, "The request timed out.")
    failed, result = run(run_module, [1002, 1003, 1004])
    assert failed
    assert result["changed"] is True
    assert [a.split(" (")[0] for a in result["actions"]] == ["add controller 1004"]
    assert result["error_code"] == "REQUEST_TIMED_OUT"
    assert (
        result["msg"]
        == "Failed to remove controller 1001 from the KRaft voters: The request timed out. (REQUEST_TIMED_OUT)"
    )
    assert "admin-secret" not in str(result)


def test_a_change_not_committed_in_time_fails_naming_it(run_module, cluster):
    fake = cluster(observers=(1004,), commit_delay_reads=1000)
    failed, result = run(run_module, [1001, 1002, 1003, 1004], timeout=5)
    assert failed
    assert result["changed"] is False
    assert result["msg"].startswith("Failed to confirm: add controller 1004")
    assert result["msg"].endswith("not committed after 5 s: voters [1001, 1002, 1003], leader 1001")
    assert sent(fake) == [("AddRaftVoter", 1004)]


def test_without_alter_on_the_cluster_even_check_mode_fails(run_module, cluster):
    fake = cluster(observers=(1004,), operations=["DESCRIBE"])
    failed, result = run(run_module, [1001, 1002, 1003, 1004], check_mode=True)
    assert failed
    assert result["msg"].startswith("Failed to change the KRaft voters: User:admin is not allowed to ALTER the cluster")
    assert fake.requests == []


def test_without_describe_on_the_cluster_the_quorum_cannot_be_read(run_module, cluster, monkeypatch):
    from kafka.errors import ClusterAuthorizationFailedError

    fake = cluster()

    def refuse():
        raise ClusterAuthorizationFailedError("Cluster authorization failed.")

    monkeypatch.setattr(fake, "describe_metadata_quorum", refuse)
    failed, result = run(run_module, [1001, 1002, 1003])
    assert failed
    assert result["msg"].startswith("Failed to read the KRaft quorum: the cluster did not describe its KRaft quorum")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (dict(controllers=controllers(1001, 1001, 1002)), "controllers[1] (id 1001): id 1001 is listed twice"),
        (dict(controllers=controllers(1001, 1002, 1003), timeout=0), "timeout must be greater than 0, got 0"),
    ],
)
def test_bad_input_is_refused_before_connecting(run_module, monkeypatch, args, message):
    def no_client(module):
        raise AssertionError("nothing may be contacted")

    monkeypatch.setattr(KafkaModule, "reassignment_client", no_client)
    failed, result = run_module(kafka_controller_voters.main, dict(BASE, **args))
    assert failed
    assert result["msg"] == f"Invalid request, nothing was changed: {message}"


def test_a_broker_listed_as_a_controller_is_refused(run_module, cluster):
    fake = cluster()
    params = dict(BASE, controllers=controllers(1001, 1002, 1003) + [dict(id=0, host="127.0.0.1", port=30701)])
    failed, result = run_module(kafka_controller_voters.main, params)
    assert failed
    assert "node 0 is a registered broker, not a controller" in result["msg"]
    assert fake.requests == []


def test_kafka_refusing_the_first_step_changes_nothing(run_module, cluster):
    # The leader could not reach the new controller (stopped between the read and the request): Kafka's answer.
    fake = cluster(observers=(1004,))
    fake.errors[("add", 1004)] = (
        7,
        "Aborted add voter operation for since API_VERSIONS returned an error BROKER_NOT_AVAILABLE",
    )
    failed, result = run(run_module, [1001, 1002, 1003, 1004])
    assert failed
    assert result["changed"] is False
    assert result["actions"] == []
    assert result["error_code"] == "REQUEST_TIMED_OUT"
    assert result["msg"] == (
        "Failed to add controller 1004 to the KRaft voters: Aborted add voter operation for since API_VERSIONS "
        "returned an error BROKER_NOT_AVAILABLE (REQUEST_TIMED_OUT)"
    )
