# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_connector main() against an in-process fake Kafka Connect worker (tests/unit/connect_fakes.py): create,
update, refusals, connection, run states, failed tasks. Deletes, purge, aliases, masking: *_purge.py."""

from __future__ import annotations

import json

import pytest
from connect_fakes import FakeConnect
from connect_fakes import closed_port_url
from connect_fakes import serve
from connector_testing import CONFIG
from connector_testing import REPORTED
from connector_testing import SECRET
from connector_testing import URL_PASSWORD
from connector_testing import connector_runner

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_connect_apply
from ansible_collections.kafkaops.cluster.plugins.modules import kafka_connector


@pytest.fixture(autouse=True)
def fast_polls(monkeypatch):
    monkeypatch.setattr(kafka_connect_apply, "POLL_INTERVAL", 0.01)


@pytest.fixture
def fake():
    return FakeConnect()


@pytest.fixture
def url(fake):
    with serve(fake) as base:
        yield base


@pytest.fixture
def run(run_module, url):
    return connector_runner(run_module, url)


def test_check_mode_create_predicts_and_writes_nothing(fake, run):
    failed, result = run(dict(name="orders", config=CONFIG), check_mode=True, diff=True)
    assert not failed
    assert result["changed"]
    assert result["actions"] == ["orders: create (connector.class=FileStreamSink)"]
    assert result["connector"]["state"] == "RUNNING"
    assert result["connector"]["type"] == "sink"
    assert result["connector"]["config"] == REPORTED
    assert result["diff"] == {"before": {}, "after": {"orders": {"state": "RUNNING", "config": REPORTED}}}
    assert fake.connectors == {}
    assert fake.writes == []
    # Check mode still validates.
    assert any("/config/validate" in path for _method, path, _body in fake.requests)


def test_create_then_idempotent(fake, run):
    failed, created = run(dict(name="orders", config=CONFIG), diff=True)
    assert not failed
    assert created["changed"]
    assert fake.writes == [("PUT", "/connectors/orders/config")]
    assert created["connector"]["state"] == "RUNNING"
    assert created["connector"]["tasks"] == [{"id": 0, "state": "RUNNING", "worker_id": "127.0.0.1:8083"}]
    assert created["connector"]["config"] == REPORTED
    assert fake.connectors["orders"]["config"]["errors.log.enable"] == "true"
    assert fake.connectors["orders"]["config"]["connection.password"] == SECRET

    # Values spelled differently (strings, a name key) are the same config.
    spelled = dict(CONFIG, **{"tasks.max": "1", "errors.log.enable": "true", "name": "orders"})
    for check_mode in (False, True):
        failed, again = run(dict(name="orders", config=spelled, state="running"), check_mode=check_mode, diff=True)
        assert not failed
        assert not again["changed"]
        assert again["actions"] == []
        assert again["diff"] == {"before": {}, "after": {}}
    assert fake.writes == [("PUT", "/connectors/orders/config")]
    assert not any("/validate" in path for _method, path, _body in fake.requests[-6:])


def test_update_one_key_shows_only_that_key(fake, run):
    fake.add("orders", dict(CONFIG, **{"tasks.max": 1}))
    changed = dict(CONFIG, **{"tasks.max": 2})
    failed, check = run(dict(name="orders", config=changed), check_mode=True, diff=True)
    assert not failed and check["changed"]
    assert fake.writes == []
    failed, result = run(dict(name="orders", config=changed), diff=True)
    assert not failed
    assert result["actions"] == ["orders: update config (tasks.max)"] == check["actions"]
    assert result["diff"] == check["diff"]
    assert result["diff"] == {
        "before": {"orders": {"state": "RUNNING", "config": {"tasks.max": "1"}}},
        "after": {"orders": {"state": "RUNNING", "config": {"tasks.max": "2"}}},
    }
    assert [task["state"] for task in result["connector"]["tasks"]] == ["RUNNING", "RUNNING"]
    assert fake.writes == [("PUT", "/connectors/orders/config")]


def test_secret_change_is_detected_but_masked(fake, run):
    fake.add("orders", CONFIG)
    failed, result = run(dict(name="orders", config=dict(CONFIG, **{"connection.password": "other-pw-77"})), diff=True)
    assert not failed
    assert result["actions"] == ["orders: update config (connection.password)"]
    assert result["diff"]["before"]["orders"]["config"] == {"connection.password": "********"}
    assert result["diff"]["after"]["orders"]["config"] == {"connection.password": "********"}
    assert "other-pw-77" not in json.dumps(result)


def test_removed_keys_are_a_change(fake, run):
    fake.add("orders", dict(CONFIG, extra="x"))
    failed, result = run(dict(name="orders", config=CONFIG), diff=True)
    assert not failed
    assert result["actions"] == ["orders: update config (extra)"]
    assert result["diff"]["before"]["orders"]["config"] == {"extra": "x"}
    assert result["diff"]["after"]["orders"]["config"] == {}
    assert "extra" not in fake.connectors["orders"]["config"]


@pytest.mark.parametrize("check_mode", [True, False])
def test_validation_failure_changes_nothing(fake, run, check_mode):
    fake.add("orders", CONFIG)
    bad = {key: value for key, value in CONFIG.items() if key != "topics"}
    bad["tasks.max"] = 0
    failed, result = run(dict(name="orders", config=bad), check_mode=check_mode)
    assert failed
    assert not result["changed"]
    assert result["msg"] == (
        "Failed to manage connector orders: invalid config: tasks.max: Invalid value 0 for configuration tasks.max: "
        "Value must be at least 1; topics: Must configure one of topics or topics.regex; "
        "topics.regex: Must configure one of topics or topics.regex"
    )
    assert result["problems"][0]["connector"] == "orders"
    assert fake.writes == []
    assert fake.connectors["orders"]["config"]["topics"] == "orders"


def test_unknown_class_lists_the_installed_plugins(fake, run, url):
    failed, result = run(dict(name="x", config=dict(CONFIG, **{"connector.class": "com.example.Nope"})))
    assert failed
    assert result["msg"] == (
        "Failed to manage connector x: connector.class com.example.Nope is not installed on the Kafka Connect workers "
        f"({url}); installed connector plugins: "
        "org.apache.kafka.connect.file.FileStreamSinkConnector (sink, 3.9.2), "
        "org.apache.kafka.connect.file.FileStreamSourceConnector (source, 3.9.2)"
    )
    assert not any("/validate" in path for _method, path, _body in fake.requests)
    assert fake.writes == []


def test_one_invalid_connector_of_a_set_changes_nothing(fake, run):
    fake.add("a", CONFIG)
    failed, result = run(
        dict(
            connectors=[
                dict(name="a", state="paused"),
                dict(name="b", config=CONFIG),
                dict(name="c", config=dict(CONFIG, **{"tasks.max": 0})),
            ]
        )
    )
    assert failed
    assert [problem["connector"] for problem in result["problems"]] == ["c"]
    assert fake.writes == []
    assert fake.connectors["a"]["state"] == "RUNNING"


@pytest.mark.parametrize(
    "args, message",
    [
        (dict(name="x", config={"tasks.max": 1}), "Failed to manage connector x: config must contain connector.class"),
        (
            dict(name="x", config=dict(CONFIG, name="y")),
            "Failed to manage connector x: config name 'y' differs from the name 'x'",
        ),
        (
            dict(name="x", config=dict(CONFIG, transforms={"a": 1})),
            "Failed to manage connector x: config key transforms: a dict is not a valid Kafka Connect "
            "configuration value",
        ),
        (
            dict(name="x", state="paused"),
            "Failed to manage connector x: config is required to create the connector (it does not exist)",
        ),
        (
            dict(connectors=[dict(name="x", config=CONFIG), dict(name="x", config=CONFIG)]),
            "Failed to manage connector x: listed more than once",
        ),
        (
            dict(connectors=[], purge=True),
            "Failed to manage connectors: purge=true with an empty connectors list would delete every connector of "
            "the Connect cluster; list the connectors to keep, delete connectors by name with state=absent and no "
            "purge, or set purge_all=true to delete them all",
        ),
        (
            dict(connectors=[dict(name="a", state="absent")], purge=True),
            "Failed to manage connectors: purge=true with a connectors list that keeps no connector (every entry "
            "has state=absent) would delete every connector of the Connect cluster; list the connectors to keep, "
            "delete connectors by name with state=absent and no purge, or set purge_all=true to delete them all",
        ),
        (
            dict(connectors=[dict(name="a", config=CONFIG)], purge_all=True),
            "Failed to manage connectors: purge_all=true only confirms purge=true; set purge=true too",
        ),
        (dict(name="x", purge=True), "purge is True but all of the following are missing: connectors"),
        (dict(name="x", connectors=[]), "parameters are mutually exclusive: connectors|name"),
        (dict(name="x", secret_keys=["(bad"]), "secret_keys entries must be regular expressions, these are not: (bad"),
        (dict(name="x", wait_timeout=0), "wait_timeout must be at least 1, got 0"),
    ],
)
def test_refused_input(fake, run, args, message):
    failed, result = run(args)
    assert failed
    assert result["msg"] == message
    assert fake.writes == []


def test_refused_url(run):
    failed, result = run(dict(name="x"), connect_url=["127.0.0.1:8083"])
    assert failed
    assert result["msg"] == "connect_url entries must start with http:// or https://, got 127.0.0.1:8083"


def test_unreachable_workers_are_named(run):
    dead = [closed_port_url(), closed_port_url()]
    failed, result = run(dict(name="x", state="absent"), connect_url=dead)
    assert failed
    assert result["msg"] == (
        f"Failed to reach the Kafka Connect REST API: no worker answered; tried {dead[0]} (connection refused), "
        f"{dead[1]} (connection refused)"
    )
    assert not result["changed"]


def test_second_worker_is_used_when_the_first_is_down(fake, run, url):
    failed, result = run(dict(name="orders", config=CONFIG), connect_url=[closed_port_url(), url])
    assert not failed and result["changed"]
    assert "orders" in fake.connectors


def test_wrong_basic_auth(run_module):
    fake = FakeConnect(auth=("ops", URL_PASSWORD))
    with serve(fake) as url:
        args = dict(connect_url=[url], url_username="ops", url_password="wrong-pw-1", name="x", state="absent")
        failed, result = run_module(kafka_connector.main, args)
        assert failed
        assert result["msg"] == (
            "Failed to read the Kafka Connect worker information: authentication failed (HTTP 401 Unauthorized) at "
            f"{url}: check url_username and url_password"
        )
        args.update(url_password=URL_PASSWORD, config=CONFIG, state="present")
        failed, result = run_module(kafka_connector.main, args)
        assert not failed and result["changed"]
        assert URL_PASSWORD not in json.dumps(result)


def test_409_during_a_write_is_retried(fake, run):
    fake.fail_next = [("PUT", "/connectors/orders/config", 409, "Cannot complete request because of a rebalance")]
    failed, result = run(dict(name="orders", config=CONFIG))
    assert not failed and result["changed"]
    assert [(m, p) for m, p, _b in fake.requests if m == "PUT" and p.endswith("/orders/config")] == [
        ("PUT", "/connectors/orders/config")
    ] * 2


# -- run states ---------------------------------------------------------------------------------------


def test_pause_resume_stop_cycle(fake, run):
    fake.add("orders", CONFIG)
    failed, paused = run(dict(name="orders", state="paused"), diff=True)
    assert not failed
    assert paused["actions"] == ["orders: pause"]
    assert paused["diff"] == {
        "before": {"orders": {"state": "RUNNING", "config": {}}},
        "after": {"orders": {"state": "PAUSED", "config": {}}},
    }
    assert paused["connector"]["state"] == "PAUSED"
    assert run(dict(name="orders", state="paused"))[1]["changed"] is False
    # present leaves a paused connector paused.
    assert run(dict(name="orders", config=CONFIG))[1]["changed"] is False
    assert fake.connectors["orders"]["state"] == "PAUSED"

    failed, resumed = run(dict(name="orders", state="running"))
    assert resumed["actions"] == ["orders: resume"]
    assert resumed["connector"]["state"] == "RUNNING"

    failed, check = run(dict(name="orders", state="stopped"), check_mode=True)
    assert check["changed"] and check["connector"]["state"] == "STOPPED" and check["connector"]["tasks"] == []
    assert fake.connectors["orders"]["state"] == "RUNNING"
    failed, stopped = run(dict(name="orders", state="stopped"))
    assert stopped["actions"] == ["orders: stop"]
    assert stopped["connector"]["state"] == "STOPPED" and stopped["connector"]["tasks"] == []
    assert run(dict(name="orders", state="stopped"))[1]["changed"] is False

    failed, resumed = run(dict(name="orders", state="running"))
    assert resumed["connector"]["state"] == "RUNNING"
    assert resumed["connector"]["tasks"][0]["state"] == "RUNNING"


def test_pause_comes_before_the_config_change(fake, run):
    fake.add("orders", CONFIG)
    failed, result = run(dict(name="orders", state="paused", config=dict(CONFIG, topics="other")))
    assert result["actions"] == ["orders: pause", "orders: update config (topics)"]
    assert fake.writes == [("PUT", "/connectors/orders/pause"), ("PUT", "/connectors/orders/config")]


@pytest.mark.parametrize(
    "version, state, writes",
    [
        ("3.9.2", "paused", [("POST", "/connectors")]),
        ("3.9.2", "stopped", [("POST", "/connectors")]),
        ("3.6.1", "paused", [("PUT", "/connectors/orders/config"), ("PUT", "/connectors/orders/pause")]),
        ("3.6.1", "stopped", [("PUT", "/connectors/orders/config"), ("PUT", "/connectors/orders/stop")]),
    ],
)
def test_create_in_a_state(run_module, version, state, writes):
    fake = FakeConnect(version=version)
    with serve(fake) as url:
        failed, result = run_module(
            kafka_connector.main, dict(connect_url=[url], name="orders", config=CONFIG, state=state)
        )
    assert not failed
    expected = state.upper()
    assert result["actions"] == [f"orders: create (connector.class=FileStreamSink, initial state {expected})"]
    assert result["connector"]["state"] == expected
    assert fake.writes == writes


def test_stop_needs_connect_3_5(run_module):
    fake = FakeConnect(version="3.4.1")
    fake.add("orders", CONFIG)
    with serve(fake) as url:
        failed, result = run_module(kafka_connector.main, dict(connect_url=[url], name="orders", state="stopped"))
    assert failed
    assert result["msg"] == (
        f"Failed to manage connector orders: state=stopped needs Kafka Connect 3.5 or later; the worker at {url} "
        "runs 3.4.1"
    )
    assert fake.writes == []


# -- failed tasks ---------------------------------------------------------------------------------------


def test_failed_task_fails_the_run_with_its_trace(fake, run):
    fake.failing["orders"] = (
        "org.apache.kafka.connect.errors.ConnectException: Couldn't find or create file\n"
        "\tat a.b.C(C.java:1)\n"
        f"Caused by: java.sql.SQLException: login with {SECRET} refused\n\tat x.Y(Y.java:2)\n"
    )
    failed, result = run(dict(name="orders", config=CONFIG))
    assert failed
    assert result["changed"]
    assert result["msg"] == (
        "Failed to run connector orders: task orders-0 FAILED: org.apache.kafka.connect.errors.ConnectException: "
        "Couldn't find or create file | Caused by: java.sql.SQLException: login with ******** refused "
        "(fix the cause, then restart it with restart_failed=true)"
    )
    assert result["failed_parts"] == ["task 0"]

    # Still failing: the restart is done (changed) and the run fails again.
    failed, result = run(dict(name="orders", restart_failed=True))
    assert failed and result["changed"]
    assert result["actions"] == ["orders: restart failed task 0"]

    # Fixed: the restart brings it back; a later run has nothing to restart.
    del fake.failing["orders"]
    failed, result = run(dict(name="orders", restart_failed=True))
    assert not failed and result["changed"]
    assert result["connector"]["tasks"][0]["state"] == "RUNNING"
    failed, result = run(dict(name="orders", restart_failed=True))
    assert not failed and not result["changed"]
    assert ("POST", "/connectors/orders/restart?includeTasks=true&onlyFailed=true") in fake.writes


def test_failed_task_without_wait_is_reported_not_waited_for(fake, run):
    fake.failing["orders"] = "E: boom\n\tat a.b(C.java:1)"
    failed, result = run(dict(name="orders", config=CONFIG, wait=False))
    assert not failed
    assert result["connector"]["tasks"][0] == {
        "id": 0,
        "state": "FAILED",
        "worker_id": "127.0.0.1:8083",
        "trace": "E: boom",
    }


def test_check_mode_warns_about_a_failed_task(fake, run):
    fake.failing["orders"] = "E: boom"
    fake.add("orders", CONFIG, task_state="FAILED")
    failed, result = run(dict(name="orders", config=CONFIG), check_mode=True)
    assert not failed and not result["changed"]
    # ansible-core 2.19 returns warnings as structured events.
    assert "task orders-0 FAILED: E: boom: a real run would fail" in json.dumps(result["warnings"])
