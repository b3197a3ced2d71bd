# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_connector_info main() against an in-process fake Kafka Connect worker (tests/unit/connect_fakes.py)."""

from __future__ import annotations

import json

import pytest
from connect_fakes import PLUGINS
from connect_fakes import FakeConnect
from connect_fakes import closed_port_url
from connect_fakes import serve

from ansible_collections.kafkaops.cluster.plugins.modules import kafka_connector_info

SECRET = "s3-secret-81b7"
CONFIG = {
    "connector.class": "FileStreamSink",
    "tasks.max": 2,
    "topics": "orders",
    "aws.secret.access.key": SECRET,
    "my.custom.field": "custom-value",
}


@pytest.fixture
def fake():
    fake = FakeConnect()
    fake.add("orders", CONFIG)
    fake.add("paused", dict(CONFIG, **{"tasks.max": 1}), state="PAUSED")
    fake.failing["broken"] = "E: boom\n\tat a.b(C.java:1)\nCaused by: X: root\n"
    fake.add("broken", dict(CONFIG, **{"tasks.max": 1}), task_state="FAILED")
    return fake


@pytest.fixture
def url(fake):
    with serve(fake) as base:
        yield base


@pytest.fixture
def run(run_module, url):
    def _run(args, connect_url=None):
        args = dict(args, connect_url=connect_url or [url])
        failed, result = run_module(kafka_connector_info.main, args)
        assert SECRET not in json.dumps(result)
        return failed, result

    return _run


def test_every_connector_with_status_and_masked_config(fake, run, url):
    failed, result = run({})
    assert not failed and not result["changed"]
    assert result["worker"] == {
        "url": url,
        "version": "3.9.2",
        "commit": "5e9866f43ab8e7e4",
        "kafka_cluster_id": "fake-cluster",
    }
    assert list(result["connectors"]) == ["broken", "orders", "paused"]
    assert result["missing"] == []
    orders = result["connectors"]["orders"]
    assert orders["name"] == "orders"
    assert orders["type"] == "sink"
    assert orders["state"] == "RUNNING"
    assert [task["state"] for task in orders["tasks"]] == ["RUNNING", "RUNNING"]
    assert orders["config"] == {
        "connector.class": "FileStreamSink",
        "tasks.max": "2",
        "topics": "orders",
        "aws.secret.access.key": "********",
        "my.custom.field": "custom-value",
    }
    assert result["connectors"]["paused"]["state"] == "PAUSED"
    assert result["connectors"]["broken"]["tasks"][0]["trace"] == "E: boom | Caused by: X: root"
    assert "plugins" not in result
    # One expanded listing, no per-connector requests.
    assert [path for _method, path, _body in fake.requests] == ["/", "/connectors?expand=status&expand=info"]


def test_filter_by_names_and_plugins(run):
    failed, result = run(dict(names=["paused", "nope", "orders"], plugins=True))
    assert not failed
    assert list(result["connectors"]) == ["paused", "orders"]
    assert result["missing"] == ["nope"]
    assert result["plugins"] == sorted(PLUGINS, key=lambda plugin: plugin["class"])


def test_extra_secret_keys(run):
    failed, result = run(dict(names=["orders"], secret_keys=["custom"]))
    assert not failed
    assert result["connectors"]["orders"]["config"]["my.custom.field"] == "********"
    assert "custom-value" not in json.dumps(result)


def test_unreachable(run):
    dead = closed_port_url()
    failed, result = run({}, connect_url=[dead])
    assert failed
    assert result["msg"] == (
        f"Failed to reach the Kafka Connect REST API: no worker answered; tried {dead} (connection refused)"
    )
