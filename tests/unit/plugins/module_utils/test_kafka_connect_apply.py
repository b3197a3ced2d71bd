# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""settle() and wait_gone(): how many polls, which requests, which result or error (fake client and clock)."""

from __future__ import annotations

import pytest
from fake_clock import FakeClock as Clock

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_connect_apply as waiter
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_rest import ConnectError

SETTLE_POLLS = waiter.SETTLE_POLLS
INTERVAL = waiter.POLL_INTERVAL


def status(state, *tasks, trace=None):
    """A status document: the connector in ``state``, one task per entry of ``tasks`` (its state)."""
    connector = dict(state=state, worker_id="w:8083")
    if trace:
        connector["trace"] = trace
    entries = [dict(id=i, state=s, worker_id="w:8083") for i, s in enumerate(tasks)]
    for entry in entries:
        if entry["state"] == "FAILED":
            entry["trace"] = "E: boom\n\tat a.b(C.java:1)"
    return dict(name="c", connector=connector, tasks=entries, type="sink")


class Client:
    """Answers connector_status from ``statuses`` (one per read, the last one repeats); connector_tasks with one
    task configuration per task of the last status, or ``tasks`` when given."""

    def __init__(self, statuses, tasks=None):
        self.statuses = list(statuses)
        self.tasks = tasks
        self.reads = []
        self._last = None

    def connector_status(self, name):
        self.reads.append("status")
        self._last = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return self._last

    def connector_tasks(self, name):
        self.reads.append("tasks")
        if self.tasks is not None:
            return self.tasks
        return [dict(id=dict(connector="c", task=t["id"]), config={}) for t in (self._last or {}).get("tasks", [])]


def settle(client, expected, timeout=10, changed=False):
    clock = Clock()
    try:
        return waiter.settle(client, "c", expected, clock() + timeout, changed, sleep=clock.sleep, clock=clock), clock
    except ConnectError as e:
        return e, clock


def test_ready_at_once_without_a_change():
    client = Client([status("RUNNING", "RUNNING", "RUNNING")])
    (found, warning), clock = settle(client, "RUNNING")
    assert found == client.statuses[0] and warning is None
    assert client.reads == ["status", "tasks"]
    assert clock.sleeps == []


def test_after_a_change_ready_must_hold_for_settle_polls_in_a_row():
    ready = status("RUNNING", "RUNNING")
    moving = status("RUNNING", "UNASSIGNED")
    client = Client([ready, moving, ready, ready, ready])
    (found, warning), clock = settle(client, "RUNNING", changed=True)
    assert warning is None and found == ready
    assert SETTLE_POLLS == 3
    assert client.reads == ["status", "tasks", "status", "status", "tasks", "status", "tasks", "status", "tasks"]
    assert clock.sleeps == [INTERVAL] * 4


def test_a_missing_status_neither_counts_nor_resets():
    ready = status("RUNNING", "RUNNING")
    client = Client([ready, None, ready, ready])
    (found, warning), clock = settle(client, "RUNNING", changed=True)
    assert found == ready and warning is None
    assert client.reads.count("status") == 4
    assert len(clock.sleeps) == 3


def test_fewer_task_configs_than_tasks_is_not_ready():
    client = Client([status("RUNNING", "RUNNING", "RUNNING")], tasks=[dict(id=0, config={})])
    error, clock = settle(client, "RUNNING", timeout=3)
    assert str(error) == (
        "Failed to run connector c: still RUNNING (tasks: 0=RUNNING, 1=RUNNING) after waiting, expected RUNNING"
    )
    assert client.reads == ["status", "tasks"] * 4
    assert clock.now == 3


def test_running_without_tasks_is_accepted_with_a_warning():
    client = Client([status("RUNNING")])
    (found, warning), clock = settle(client, "RUNNING")
    assert warning == "connector c is RUNNING but has no tasks (it generated no task configurations)"
    assert client.reads == ["status", "tasks"] * SETTLE_POLLS
    assert len(clock.sleeps) == SETTLE_POLLS - 1


def test_running_without_tasks_but_task_configs_waits():
    client = Client([status("RUNNING")], tasks=[dict(id=0, config={})])
    error, _clock = settle(client, "RUNNING", timeout=2)
    assert "still RUNNING (tasks: none) after waiting, expected RUNNING" in str(error)


def test_stopped_reads_no_task_configs():
    client = Client([status("STOPPED")])
    (_found, warning), _clock = settle(client, "STOPPED", changed=True)
    assert warning is None
    assert client.reads == ["status"] * SETTLE_POLLS


def test_a_failed_task_fails_after_settle_polls():
    failed = status("RUNNING", "RUNNING", "FAILED")
    client = Client([status("RUNNING", "UNASSIGNED", "UNASSIGNED"), failed])
    error, clock = settle(client, "RUNNING", changed=True)
    assert str(error) == (
        "Failed to run connector c: task c-1 FAILED: E: boom (fix the cause, then restart it with restart_failed=true)"
    )
    assert error.details == {"failed_parts": ["task 1"]}
    assert client.reads.count("status") == 1 + SETTLE_POLLS
    assert clock.now == SETTLE_POLLS * INTERVAL


def test_a_failure_that_recovers_does_not_fail():
    failed = status("RUNNING", "FAILED")
    ready = status("RUNNING", "RUNNING")
    client = Client([failed, failed, ready])
    (found, _warning), _clock = settle(client, "RUNNING")
    assert found == ready


def test_a_failure_at_the_deadline_fails_at_once():
    client = Client([status("PAUSED", "PAUSED"), status("FAILED", trace="X: y\n\tat z")])
    error, clock = settle(client, "PAUSED", timeout=1, changed=True)
    assert str(error) == (
        "Failed to pause connector c: connector c FAILED: X: y "
        "(fix the cause, then restart it with restart_failed=true)"
    )
    assert error.details == {"failed_parts": ["connector"]}
    assert clock.now == 1


def test_a_failure_while_stopping_has_no_restart_hint():
    client = Client([status("FAILED", trace="X: y")])
    error, _clock = settle(client, "STOPPED")
    assert str(error) == "Failed to stop connector c: connector c FAILED: X: y"


def test_not_reached_at_the_deadline():
    client = Client([status("RUNNING", "RUNNING")])
    error, clock = settle(client, "PAUSED", timeout=2)
    assert str(error) == "Failed to pause connector c: still RUNNING (tasks: 0=RUNNING) after waiting, expected PAUSED"
    assert client.reads == ["status"] * 3
    assert clock.sleeps == [INTERVAL, INTERVAL]


def test_no_status_until_the_deadline():
    client = Client([None])
    error, clock = settle(client, "RUNNING", timeout=2)
    assert str(error) == "Failed to run connector c: the workers do not report it (deleted meanwhile?)"
    assert client.reads == ["status"] * 3


def test_a_passed_deadline_still_reads_once():
    ready = status("RUNNING", "RUNNING")
    client = Client([ready])
    (found, _warning), _clock = settle(client, "RUNNING", timeout=-5)
    assert found == ready
    client = Client([status("RUNNING", "FAILED")])
    error, _clock = settle(client, "RUNNING", timeout=-5, changed=True)
    assert "task c-0 FAILED" in str(error)
    assert client.reads == ["status"]


def test_wait_gone():
    clock = Clock()
    client = Client([status("RUNNING"), status("RUNNING"), None])
    waiter.wait_gone(client, "c", 10, sleep=clock.sleep, clock=clock)
    assert client.reads == ["status"] * 3
    assert clock.now == 2 * INTERVAL


def test_wait_gone_times_out():
    clock = Clock()
    client = Client([status("RUNNING")])
    with pytest.raises(ConnectError) as error:
        waiter.wait_gone(client, "c", 2, sleep=clock.sleep, clock=clock)
    assert str(error.value) == "Failed to delete connector c: the workers still report it after waiting"
    assert client.reads == ["status"] * 3
