# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import socket
import threading

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import zookeeper_status as zs

# Real `srvr` answers of ZooKeeper 3.8.4 (the Kafka 3.9.2 bundle), captured on loopback.
VERSION_LINE = "Zookeeper version: 3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on 2024-02-12 22:16 UTC\n"
LEADER = (
    VERSION_LINE + "Latency min/avg/max: 0/0.0/0\n"
    "Received: 3\n"
    "Sent: 2\n"
    "Connections: 1\n"
    "Outstanding: 0\n"
    "Zxid: 0x500000000\n"
    "Mode: leader\n"
    "Node count: 5\n"
    "Proposal sizes last/min/max: -1/-1/-1\n"
)
FOLLOWER = (
    VERSION_LINE + "Latency min/avg/max: 0/0.0/0\n"
    "Received: 2\n"
    "Sent: 1\n"
    "Connections: 1\n"
    "Outstanding: 0\n"
    "Zxid: 0x0\n"
    "Mode: follower\n"
    "Node count: 5\n"
)
STANDALONE_BUSY = (
    VERSION_LINE + "Latency min/avg/max: 0/0.7285/30\n"
    "Received: 585\n"
    "Sent: 596\n"
    "Connections: 3\n"
    "Outstanding: 0\n"
    "Zxid: 0xa5\n"
    "Mode: standalone\n"
    "Node count: 56\n"
)
NOT_SERVING = "This ZooKeeper instance is not currently serving requests\n"
NOT_WHITELISTED = "srvr is not executed because it is not in the whitelist.\n"


# ---------------------------------------------------------------------------
# parse_srvr
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            LEADER,
            dict(
                version="3.8.4",
                latency=dict(min=0.0, avg=0.0, max=0.0),
                received=3,
                sent=2,
                connections=1,
                outstanding=0,
                zxid="0x500000000",
                mode="leader",
                node_count=5,
            ),
        ),
        (
            FOLLOWER,
            dict(
                version="3.8.4",
                latency=dict(min=0.0, avg=0.0, max=0.0),
                received=2,
                sent=1,
                connections=1,
                outstanding=0,
                zxid="0x0",
                mode="follower",
                node_count=5,
            ),
        ),
        (
            STANDALONE_BUSY,
            dict(
                version="3.8.4",
                latency=dict(min=0.0, avg=0.7285, max=30.0),
                received=585,
                sent=596,
                connections=3,
                outstanding=0,
                zxid="0xa5",
                mode="standalone",
                node_count=56,
            ),
        ),
        # Older servers (3.4) have the same layout; unknown lines are ignored.
        (
            "Zookeeper version: 3.4.14-4c25d480e66aadd371de8bd2fd8da255ac140bcf, built on 03/06/2019 16:18 GMT\n"
            "Mode: observer\nSomething new: 7\n",
            dict(
                version="3.4.14",
                latency=None,
                received=None,
                sent=None,
                connections=None,
                outstanding=None,
                zxid=None,
                mode="observer",
                node_count=None,
            ),
        ),
    ],
)
def test_parse_srvr(text, expected):
    assert zs.parse_srvr(text) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        (NOT_SERVING, "not currently serving requests"),
        (NOT_WHITELISTED, "srvr is not in the server's 4lw.commands.whitelist"),
        ("", "empty answer to srvr"),
        ("HTTP/1.1 400 Bad Request\r\n", "unexpected answer to srvr"),
    ],
)
def test_parse_srvr_without_status(text, message):
    with pytest.raises(zs.ZooKeeperStatusError) as info:
        zs.parse_srvr(text)
    assert message in str(info.value)


@pytest.mark.parametrize(
    "answer, mode, error",
    [
        (LEADER, "leader", None),
        (NOT_SERVING, None, "not currently serving requests"),
    ],
)
def test_server_status_from_answer(answer, mode, error):
    status = zs.server_status_from_answer("zk-0", 2181, answer)
    assert status["reachable"] is True
    assert status["mode"] == mode
    assert status["error"] == error
    assert set(status) == {
        "host",
        "port",
        "reachable",
        "mode",
        "zxid",
        "node_count",
        "latency",
        "version",
        "connections",
        "outstanding",
        "error",
    }


# ---------------------------------------------------------------------------
# parse_hosts
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "hosts, expected",
    [
        ("zk-0:2181,zk-1:2181,zk-2:2181", [("zk-0", 2181), ("zk-1", 2181), ("zk-2", 2181)]),
        ("zk-0:2181,zk-1:2182/kafka", [("zk-0", 2181), ("zk-1", 2182)]),
        (" zk-0 , zk-1:3000 ", [("zk-0", 2181), ("zk-1", 3000)]),
        ("[::1]:2181,127.0.0.1", [("::1", 2181), ("127.0.0.1", 2181)]),
        ("zk-0:2181,zk-0:2181", [("zk-0", 2181)]),
    ],
)
def test_parse_hosts(hosts, expected):
    assert zs.parse_hosts(hosts) == expected


@pytest.mark.parametrize("hosts", ["", " , ", "/kafka", "zk-0:abc", "zk-0:99999", "::1:2181"])
def test_parse_hosts_invalid(hosts):
    with pytest.raises(zs.ZooKeeperStatusError):
        zs.parse_hosts(hosts)


def test_server_label_brackets_ipv6():
    assert zs.server_label("::1", 2181) == "[::1]:2181"
    assert zs.server_label("zk-0", 2181) == "zk-0:2181"


# ---------------------------------------------------------------------------
# evaluate_quorum
# ---------------------------------------------------------------------------


def server(port, mode=None, error=None, host="zk"):
    status = zs.new_server_status(host, port)
    status.update(mode=mode, error=error, reachable=error != "connection refused")
    return status


LEADER_1 = server(1, "leader")
FOLLOWER_2 = server(2, "follower")
FOLLOWER_3 = server(3, "follower")
DOWN_2 = server(2, error="connection refused")
DOWN_3 = server(3, error="connection refused")
LOOKING_3 = server(3, error="not currently serving requests")


@pytest.mark.parametrize(
    "servers, quorum, leader, followers, not_in_quorum, problem",
    [
        ([LEADER_1, FOLLOWER_2, FOLLOWER_3], True, "zk:1", 2, [], None),
        # one follower down: 2 of 3 still vote
        ([LEADER_1, FOLLOWER_2, DOWN_3], True, "zk:1", 1, ["zk:3 (connection refused)"], None),
        # two down: the survivor stops serving
        (
            [DOWN_2, LOOKING_3, server(1, error="connection refused")],
            False,
            None,
            0,
            ["zk:2 (connection refused)", "zk:3 (not currently serving requests)", "zk:1 (connection refused)"],
            "no leader; 0 of 3 voting servers answer as follower",
        ),
        # a leader that still answers but lost its majority (5 servers, 2 voting)
        (
            [LEADER_1, FOLLOWER_2, DOWN_3, server(4, error="connection refused"), server(5, error="x")],
            False,
            "zk:1",
            1,
            ["zk:3 (connection refused)", "zk:4 (connection refused)", "zk:5 (x)"],
            "2 of 5 voting servers answer as leader or follower, a quorum needs 3",
        ),
        # observers do not count towards the majority
        ([LEADER_1, FOLLOWER_2, DOWN_3, server(4, "observer")], True, "zk:1", 1, ["zk:3 (connection refused)"], None),
        (
            [LEADER_1, server(2, "leader"), FOLLOWER_3],
            False,
            None,
            1,
            [],
            "more than one leader: zk:1, zk:2",
        ),
        ([server(1, "standalone")], True, None, 0, [], None),
        (
            [server(1, "standalone"), FOLLOWER_2, DOWN_3],
            False,
            None,
            1,
            ["zk:1 (mode standalone)", "zk:3 (connection refused)"],
            "1 server(s) run standalone although 3 servers are listed "
            "(check the server.N lines of their configuration)",
        ),
        (
            [server(1, error="connection refused")],
            False,
            None,
            0,
            ["zk:1 (connection refused)"],
            "no leader; 0 of 1 voting servers answer as follower",
        ),
    ],
)
def test_evaluate_quorum(servers, quorum, leader, followers, not_in_quorum, problem):
    summary = zs.evaluate_quorum(servers)
    assert summary["quorum"] is quorum
    assert summary["leader"] == leader
    assert summary["followers"] == followers
    assert summary["servers_not_in_quorum"] == not_in_quorum
    assert summary["problem"] == problem


def test_quorum_failure_message_names_servers():
    summary = zs.evaluate_quorum([DOWN_2, LOOKING_3, server(1, error="connection refused")])
    assert zs.quorum_failure_message("zk:1,zk:2,zk:3", summary) == (
        "ZooKeeper at zk:1,zk:2,zk:3 has no quorum: no leader; 0 of 3 voting servers answer as follower; "
        "not in the quorum: zk:2 (connection refused), zk:3 (not currently serving requests), zk:1 (connection refused)"
    )


# ---------------------------------------------------------------------------
# network (loopback only)
# ---------------------------------------------------------------------------


@pytest.fixture
def fake_server():
    """A one-shot TCP server on 127.0.0.1 answering the first 4 bytes with ``answer`` (None: never answer)."""
    servers = []

    def start(answer):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        received = []
        done = threading.Event()

        def serve():
            conn, _addr = listener.accept()
            with conn:
                received.append(conn.recv(4))
                if answer is not None:
                    conn.sendall(answer.encode())
                else:
                    done.wait(5)

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        servers.append((listener, done, thread))
        return listener.getsockname()[1], received

    yield start
    for listener, done, thread in servers:
        done.set()
        thread.join(5)
        listener.close()


def test_server_status_over_tcp(fake_server):
    port, received = fake_server(LEADER)
    status = zs.server_status("127.0.0.1", port, 5)
    assert received == [b"srvr"]
    assert status["mode"] == "leader"
    assert status["reachable"] is True
    assert status["error"] is None


def test_server_status_no_answer(fake_server):
    port, _received = fake_server(None)
    status = zs.server_status("127.0.0.1", port, 1)
    assert status["reachable"] is False
    assert status["error"] == "no answer within 1s"


def test_server_status_refused():
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there now
    status = zs.server_status("127.0.0.1", port, 2)
    assert status == dict(zs.new_server_status("127.0.0.1", port), error="connection refused")


def test_servers_status_keeps_order(fake_server):
    port_a = fake_server(FOLLOWER)[0]
    port_b = fake_server(LEADER)[0]
    result = zs.servers_status([("127.0.0.1", port_a), ("127.0.0.1", port_b)], 5)
    assert [s["mode"] for s in result] == ["follower", "leader"]
    assert zs.evaluate_quorum(result)["leader"] == f"127.0.0.1:{port_b}"
