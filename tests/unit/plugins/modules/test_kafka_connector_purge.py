# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_connector main() against an in-process fake Kafka Connect worker (tests/unit/connect_fakes.py): deletes,
sets and purge, connector.class aliases, secrets masked everywhere."""

from __future__ import annotations

import json

import pytest
from connect_fakes import FakeConnect
from connect_fakes import serve
from connector_testing import CONFIG
from connector_testing import REPORTED
from connector_testing import connector_runner

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_connect_apply


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


# -- absent and purge ------------------------------------------------------------------------------------


def test_absent_deletes_only_the_named_connector_and_is_idempotent(fake, run):
    fake.add("a", CONFIG)
    fake.add("b", CONFIG)
    failed, check = run(dict(name="a", state="absent"), check_mode=True, diff=True)
    assert check["changed"] and fake.writes == []
    failed, result = run(dict(name="a", state="absent"), diff=True)
    assert not failed
    assert result["actions"] == ["a: delete"] == check["actions"]
    assert result["diff"] == check["diff"]
    assert result["diff"]["after"] == {}
    assert result["diff"]["before"]["a"]["config"] == REPORTED
    assert result["connector"] is None
    assert sorted(fake.connectors) == ["b"]
    failed, again = run(dict(name="a", state="absent"))
    assert not failed and not again["changed"] and again["actions"] == []
    assert fake.writes == [("DELETE", "/connectors/a")]


def test_a_set_without_purge_leaves_unlisted_connectors(fake, run):
    fake.add("other", CONFIG)
    failed, result = run(dict(connectors=[dict(name="a", config=CONFIG), dict(name="b", config=CONFIG)]))
    assert not failed
    assert result["actions"] == [
        "a: create (connector.class=FileStreamSink)",
        "b: create (connector.class=FileStreamSink)",
    ]
    assert sorted(result["connectors"]) == ["a", "b"]
    assert sorted(fake.connectors) == ["a", "b", "other"]


def test_purge_deletes_unlisted_connectors(fake, run):
    for name in ("a", "x", "y"):
        fake.add(name, CONFIG)
    args = dict(connectors=[dict(name="a", config=CONFIG)], purge=True)
    failed, check = run(args, check_mode=True, diff=True)
    assert not failed
    assert check["actions"] == ["x: delete", "y: delete"]
    assert check["connectors"] == {"a": check["connectors"]["a"], "x": None, "y": None}
    assert sorted(check["diff"]["before"]) == ["x", "y"]
    assert fake.writes == []
    failed, result = run(args, diff=True)
    assert not failed
    assert result["actions"] == check["actions"]
    assert sorted(fake.connectors) == ["a"]
    failed, again = run(args)
    assert not again["changed"]


@pytest.mark.parametrize("fail_second, changed", [(False, False), (True, True)])
def test_a_refused_write_reports_changed_only_after_a_successful_one(fake, run, fail_second, changed):
    target = "/connectors/b/config" if fail_second else "/connectors/a/config"
    fake.fail_next = [("PUT", target, 400, "Connector configuration is invalid")]
    failed, result = run(dict(connectors=[dict(name="a", config=CONFIG), dict(name="b", config=CONFIG)]))
    assert failed
    assert result["changed"] is changed
    assert result["msg"].startswith(f"Failed to write the config of connector {'b' if fail_second else 'a'}: HTTP 400")


@pytest.mark.parametrize("check_mode", [True, False])
def test_purge_keeping_nothing_is_refused_and_changes_nothing(fake, run, check_mode):
    """Issue 13 item 9: every listed connector absent plus purge would delete every connector."""
    for name in ("a", "x"):
        fake.add(name, CONFIG)
    args = dict(connectors=[dict(name="a", state="absent")], purge=True)
    failed, result = run(args, check_mode=check_mode)
    assert failed and not result["changed"]
    assert "purge_all=true" in result["msg"]
    assert sorted(fake.connectors) == ["a", "x"]
    assert fake.requests == []


def test_purge_all_deletes_every_connector(fake, run):
    for name in ("a", "x"):
        fake.add(name, CONFIG)
    args = dict(connectors=[dict(name="a", state="absent")], purge=True, purge_all=True)
    failed, check = run(args, check_mode=True)
    assert not failed and check["changed"]
    assert check["actions"] == ["a: delete", "x: delete"]
    assert fake.writes == []
    failed, result = run(dict(connectors=[], purge=True, purge_all=True))
    assert not failed and result["changed"]
    assert fake.connectors == {}


@pytest.mark.parametrize(
    "existing, wanted",
    [
        ("org.apache.kafka.connect.file.FileStreamSinkConnector", "FileStreamSink"),
        ("org.apache.kafka.connect.file.FileStreamSinkConnector", "FileStreamSinkConnector"),
        ("FileStreamSink", "org.apache.kafka.connect.file.FileStreamSinkConnector"),
    ],
)
@pytest.mark.parametrize("check_mode", [True, False])
def test_connector_class_alias_is_no_change(fake, run, existing, wanted, check_mode):
    fake.add("orders", dict(CONFIG, **{"connector.class": existing}))
    failed, result = run(dict(name="orders", config=dict(CONFIG, **{"connector.class": wanted})), check_mode=check_mode)
    assert not failed
    assert not result["changed"]
    assert result["actions"] == []
    assert result["connector"]["config"]["connector.class"] == existing
    assert fake.writes == []


def test_connector_class_alias_with_another_change_updates_only_that_key(fake, run):
    fake.add("orders", dict(CONFIG, **{"connector.class": "org.apache.kafka.connect.file.FileStreamSinkConnector"}))
    failed, result = run(dict(name="orders", config=dict(CONFIG, **{"tasks.max": 2})), diff=True)
    assert not failed
    assert result["actions"] == ["orders: update config (tasks.max)"]
    # Another plugin is a change.
    other = dict(CONFIG, **{"tasks.max": 2, "connector.class": "FileStreamSource"})
    failed, result = run(dict(name="orders", config=other))
    assert result["actions"] == ["orders: update config (connector.class)"]


JDBC_PASSWORD = "jdbc-pw-71c0"


def test_passwords_in_urls_and_values_are_masked_everywhere(fake, run):
    """Issue 13 item 9: connection.url and values containing password= in results, diffs and messages."""
    url = f"jdbc:postgresql://db/x?user=u&password={JDBC_PASSWORD}"
    config = dict(CONFIG, **{"connection.url": url})
    failed, created = run(dict(name="orders", config=config), diff=True)
    assert not failed
    assert created["connector"]["config"]["connection.url"] == "********"
    assert created["diff"]["after"]["orders"]["config"]["connection.url"] == "********"
    changed = dict(config, **{"connection.url": url + "&ssl=true"})
    failed, updated = run(dict(name="orders", config=changed), diff=True)
    assert updated["diff"]["before"]["orders"]["config"] == {"connection.url": "********"}
    # A worker's message that quotes the value (here: its validation of tasks.max) or a part of it.
    bad = dict(changed, **{"tasks.max": f"password={JDBC_PASSWORD}"})
    failed, refused = run(dict(name="orders", config=bad))
    assert failed
    assert "Invalid value ******** for configuration tasks.max" in refused["msg"]
    for result in (created, updated, refused):
        assert JDBC_PASSWORD not in json.dumps(result)
