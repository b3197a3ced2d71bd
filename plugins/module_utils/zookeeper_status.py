# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ZooKeeper server status through the ``srvr`` four-letter word.

Four-letter words are sent over a plain TCP connection to the client port;
they need no session and no SASL, so they work against servers that enforce
authentication (the servers must list ``srvr`` in ``4lw.commands.whitelist``).

Only ``query_server`` touches the network; parsing and quorum evaluation are
pure functions.
"""

from __future__ import annotations

import concurrent.futures
import re
import socket

from ansible.module_utils.common.text.converters import to_native

DEFAULT_PORT = 2181
MAX_ANSWER_BYTES = 65536

NOT_SERVING = "This ZooKeeper instance is not currently serving requests"
NOT_WHITELISTED = "is not executed because it is not in the whitelist"

VOTING_MODES = ("leader", "follower")

_HOST_PORT = re.compile(r"^(?:\[(?P<ipv6>[^\]]+)\]|(?P<host>[^:\[\]]+))(?::(?P<port>\d+))?$")


class ZooKeeperStatusError(ValueError):
    """An answer or a connection string that cannot be understood."""


# ---------------------------------------------------------------------------
# Pure functions
# ---------------------------------------------------------------------------


def parse_hosts(hosts):
    """``[(host, port)]`` from a ZooKeeper connection string.

    Accepts ``zk-0:2181,zk-1:2181``, a chroot suffix (``zk-0:2181/kafka``,
    ignored), IPv6 addresses in brackets and entries without a port (2181).
    """
    connect = to_native(hosts or "").strip()
    if "/" in connect:
        connect = connect.split("/", 1)[0]
    servers = []
    for entry in connect.split(","):
        entry = entry.strip()
        if not entry:
            continue
        match = _HOST_PORT.match(entry)
        if not match:
            raise ZooKeeperStatusError(f"invalid server {entry!r} in zookeeper_hosts (expected host:port)")
        port = int(match.group("port") or DEFAULT_PORT)
        if not 0 < port < 65536:
            raise ZooKeeperStatusError(f"invalid port {port} in zookeeper_hosts")
        server = (match.group("ipv6") or match.group("host"), port)
        if server not in servers:
            servers.append(server)
    if not servers:
        raise ZooKeeperStatusError("zookeeper_hosts names no server")
    return servers


def server_label(host, port):
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _int(value):
    return int(value.strip())


def parse_srvr(text):
    """Fields of a ``srvr`` answer.

    Returns ``{version, latency: {min, avg, max}, received, sent, connections,
    outstanding, zxid, mode, node_count}`` (fields missing from the answer are
    None). Raises ``ZooKeeperStatusError`` for answers that carry no status: a
    server that is not serving (no quorum), ``srvr`` not whitelisted, or
    anything else.
    """
    text = to_native(text).strip()
    if not text:
        raise ZooKeeperStatusError("empty answer to srvr")
    if text.startswith(NOT_SERVING):
        raise ZooKeeperStatusError("not currently serving requests")
    if NOT_WHITELISTED in text:
        raise ZooKeeperStatusError("srvr is not in the server's 4lw.commands.whitelist")

    fields = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep:
            fields[key.strip().lower()] = value.strip()
    if "mode" not in fields:
        raise ZooKeeperStatusError(f"unexpected answer to srvr: {text.splitlines()[0][:200]!r}")

    status = dict(
        version=None,
        latency=None,
        received=None,
        sent=None,
        connections=None,
        outstanding=None,
        zxid=None,
        mode=fields["mode"].lower(),
        node_count=None,
    )
    if "zookeeper version" in fields:
        # "3.8.4-9316c2a7a9..., built on 2024-02-12 22:16 UTC"
        status["version"] = fields["zookeeper version"].split(",", 1)[0].split("-", 1)[0].strip()
    if "latency min/avg/max" in fields:
        parts = fields["latency min/avg/max"].split("/")
        if len(parts) == 3:
            try:
                status["latency"] = dict(min=float(parts[0]), avg=float(parts[1]), max=float(parts[2]))
            except ValueError:
                pass
    for key, name in (
        ("received", "received"),
        ("sent", "sent"),
        ("connections", "connections"),
        ("outstanding", "outstanding"),
        ("node count", "node_count"),
    ):
        if key in fields:
            try:
                status[name] = _int(fields[key])
            except ValueError:
                pass
    if "zxid" in fields:
        status["zxid"] = fields["zxid"]
    return status


def new_server_status(host, port):
    return dict(
        host=host,
        port=port,
        reachable=False,
        mode=None,
        zxid=None,
        node_count=None,
        latency=None,
        version=None,
        connections=None,
        outstanding=None,
        error=None,
    )


def server_status_from_answer(host, port, answer):
    """Status dict of one server from its raw ``srvr`` answer (it was reachable)."""
    status = new_server_status(host, port)
    status["reachable"] = True
    try:
        parsed = parse_srvr(answer)
    except ZooKeeperStatusError as e:
        status["error"] = to_native(e)
        return status
    for key in ("mode", "zxid", "node_count", "latency", "version", "connections", "outstanding"):
        status[key] = parsed[key]
    return status


def evaluate_quorum(servers):
    """Quorum summary for the status dicts of every server of one ensemble.

    The quorum holds when exactly one server answers as leader and the servers
    answering as leader or follower are a strict majority of the listed
    servers that are not observers (observers do not vote). A single server
    answering ``standalone`` counts as a quorum of one.

    Returns ``{leader, followers, observers, voters, ensemble_size, majority,
    quorum, servers_not_in_quorum, problem}``: ``leader`` is ``host:port`` or
    None, ``servers_not_in_quorum`` lists ``host:port (reason)`` for every
    server that neither votes nor observes, ``problem`` is one sentence or None.
    """
    leaders = [s for s in servers if s["mode"] == "leader"]
    followers = [s for s in servers if s["mode"] == "follower"]
    observers = [s for s in servers if s["mode"] == "observer"]
    standalone = [s for s in servers if s["mode"] == "standalone"]
    voters = len(leaders) + len(followers)
    ensemble_size = len(servers) - len(observers)
    majority = ensemble_size // 2 + 1

    outside = []
    for s in servers:
        if s["mode"] in VOTING_MODES or s["mode"] == "observer":
            continue
        if s["mode"] == "standalone" and len(servers) == 1:
            continue
        reason = s["error"] or (f"mode {s['mode']}" if s["mode"] else "no status")
        outside.append(f"{server_label(s['host'], s['port'])} ({reason})")

    problem = None
    if len(servers) == 1 and standalone:
        quorum = True
    elif standalone:
        quorum = False
        problem = (
            f"{len(standalone)} server(s) run standalone although {len(servers)} servers are listed "
            "(check the server.N lines of their configuration)"
        )
    elif len(leaders) > 1:
        quorum = False
        problem = "more than one leader: " + ", ".join(server_label(s["host"], s["port"]) for s in leaders)
    elif not leaders:
        quorum = False
        problem = f"no leader; {voters} of {ensemble_size} voting servers answer as follower"
    elif voters < majority:
        quorum = False
        problem = f"{voters} of {ensemble_size} voting servers answer as leader or follower, a quorum needs {majority}"
    else:
        quorum = True

    return dict(
        leader=server_label(leaders[0]["host"], leaders[0]["port"]) if len(leaders) == 1 else None,
        followers=len(followers),
        observers=len(observers),
        voters=voters,
        ensemble_size=ensemble_size,
        majority=majority,
        quorum=quorum,
        servers_not_in_quorum=outside,
        problem=problem,
    )


def quorum_failure_message(hosts, summary):
    message = f"ZooKeeper at {hosts} has no quorum: {summary['problem']}"
    if summary["servers_not_in_quorum"]:
        message = f"{message}; not in the quorum: {', '.join(summary['servers_not_in_quorum'])}"
    return message


# ---------------------------------------------------------------------------
# Network
# ---------------------------------------------------------------------------


def query_server(host, port, command, timeout):
    """Send a four-letter word and return the complete answer (text).

    Raises ``OSError`` (refused, unreachable, ``TimeoutError``...) for
    connection problems.
    """
    chunks = []
    size = 0
    with socket.create_connection((host, port), timeout=timeout) as sock:
        sock.settimeout(timeout)
        sock.sendall(command.encode("ascii"))
        # The server answers and closes the connection.
        while size < MAX_ANSWER_BYTES:
            chunk = sock.recv(4096)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")


def connection_error_reason(exc, timeout):
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve host name ({to_native(exc)})"
    if isinstance(exc, (socket.timeout, TimeoutError)):
        return f"no answer within {timeout}s"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    if isinstance(exc, ConnectionResetError):
        return "connection reset"
    return to_native(exc) or type(exc).__name__


def server_status(host, port, timeout):
    """Status dict of one server; connection problems end up in ``error``."""
    try:
        answer = query_server(host, port, "srvr", timeout)
    except OSError as e:
        status = new_server_status(host, port)
        status["error"] = connection_error_reason(e, timeout)
        return status
    return server_status_from_answer(host, port, answer)


def servers_status(servers, timeout):
    """Status of every ``(host, port)`` in ``servers``, asked in parallel, in the given order."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=min(len(servers), 16)) as pool:
        futures = [pool.submit(server_status, host, port, timeout) for host, port in servers]
        return [future.result() for future in futures]
