# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""zookeeper_info main() with canned server answers (no network)."""

from __future__ import annotations

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import zookeeper_status as zs
from ansible_collections.kafkaops.cluster.plugins.modules import zookeeper_info

LEADER = "Zookeeper version: 3.8.4-9316c2a, built on 2024-02-12 22:16 UTC\nZxid: 0x500000000\nMode: leader\n"
FOLLOWER = "Zookeeper version: 3.8.4-9316c2a, built on 2024-02-12 22:16 UTC\nZxid: 0x500000000\nMode: follower\n"
NOT_SERVING = "This ZooKeeper instance is not currently serving requests\n"
REFUSED = ConnectionRefusedError(111, "Connection refused")


@pytest.fixture
def answers(monkeypatch):
    """``{port: answer text or OSError}``; records the hosts asked."""
    asked = []

    def install(table):
        def query_server(host, port, command, timeout):
            asked.append((host, port, command, timeout))
            answer = table[port]
            if isinstance(answer, OSError):
                raise answer
            return answer

        monkeypatch.setattr(zs, "query_server", query_server)
        return asked

    return install


HOSTS = "zk-0:2181,zk-1:2182,zk-2:2183"


def test_healthy_ensemble(run_module, answers):
    asked = answers({2181: FOLLOWER, 2182: LEADER, 2183: FOLLOWER})
    failed, result = run_module(zookeeper_info.main, dict(zookeeper_hosts=HOSTS, require_quorum=True), check_mode=True)
    assert not failed
    assert result["changed"] is False
    assert result["quorum"] is True
    assert result["leader"] == "zk-1:2182"
    assert result["followers"] == 2
    assert [s["mode"] for s in result["servers"]] == ["follower", "leader", "follower"]
    assert sorted(asked) == [("zk-0", 2181, "srvr", 10), ("zk-1", 2182, "srvr", 10), ("zk-2", 2183, "srvr", 10)]


def test_one_follower_down_keeps_quorum(run_module, answers):
    answers({2181: REFUSED, 2182: LEADER, 2183: FOLLOWER})
    failed, result = run_module(zookeeper_info.main, dict(zookeeper_hosts=HOSTS, require_quorum=True))
    assert not failed
    assert result["quorum"] is True
    assert result["servers"][0]["reachable"] is False
    assert result["servers"][0]["error"] == "connection refused"
    assert result["servers_not_in_quorum"] == ["zk-0:2181 (connection refused)"]


@pytest.mark.parametrize("require_quorum", [False, True])
def test_lost_quorum(run_module, answers, require_quorum):
    answers({2181: REFUSED, 2182: REFUSED, 2183: NOT_SERVING})
    failed, result = run_module(zookeeper_info.main, dict(zookeeper_hosts=HOSTS, require_quorum=require_quorum))
    assert failed is require_quorum
    assert result["quorum"] is False
    assert result["servers"][2]["reachable"] is True
    assert result["servers"][2]["error"] == "not currently serving requests"
    if require_quorum:
        assert result["msg"] == (
            f"ZooKeeper at {HOSTS} has no quorum: no leader; 0 of 3 voting servers answer as follower; "
            "not in the quorum: zk-0:2181 (connection refused), zk-1:2182 (connection refused), "
            "zk-2:2183 (not currently serving requests)"
        )


@pytest.mark.parametrize(
    "args, message",
    [
        (dict(zookeeper_hosts="zk-0:port"), "invalid server 'zk-0:port' in zookeeper_hosts"),
        (dict(zookeeper_hosts=HOSTS, zookeeper_timeout=0), "zookeeper_timeout must be at least 1, got 0"),
    ],
)
def test_invalid_arguments(run_module, answers, args, message):
    answers({})
    failed, result = run_module(zookeeper_info.main, args)
    assert failed
    assert message in result["msg"]
