# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils.kafka_connect_rest: the REST client against a fake worker (tests/unit/connect_fakes.py)."""

from __future__ import annotations

import pytest
from connect_fakes import FakeConnect
from connect_fakes import closed_port_url
from connect_fakes import serve
from fake_clock import FakeClock as Clock

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_rest import ConnectClient
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_rest import ConnectError

# -- REST client -------------------------------------------------------------------------------------


@pytest.fixture
def fake():
    return FakeConnect(connectors={"a": {"connector.class": "FileStreamSink", "topics": "t"}})


@pytest.fixture
def url(fake):
    with serve(fake) as base:
        yield base


def client_for(urls, **kwargs):
    clock = Clock()
    client = ConnectClient(urls, sleep=clock.sleep, clock=clock, **kwargs)
    return client, clock


def test_client_reads(fake, url):
    client, _clock = client_for([url])
    assert client.root()["version"] == "3.9.2"
    connectors = client.connectors()
    assert list(connectors) == ["a"]
    assert connectors["a"]["config"]["topics"] == "t"
    assert connectors["a"]["status"]["connector"]["state"] == "RUNNING"
    assert client.connector_status("missing") is None
    assert [plugin["type"] for plugin in client.connector_plugins()] == ["sink", "source"]


def test_client_retries_409_with_backoff(fake, url):
    fake.fail_next = [
        (
            "PUT",
            "/connectors/a/config",
            409,
            "Cannot complete request because of a conflicting operation (e.g. worker rebalance)",
        ),
        ("PUT", "/connectors/a/config", 409, "Cannot complete request momentarily due to stale configuration"),
    ]
    client, clock = client_for([url])
    client.put_config("a", {"connector.class": "FileStreamSink", "topics": "u"})
    assert clock.sleeps == [0.5, 1.0]
    assert fake.connectors["a"]["config"]["topics"] == "u"
    assert [r for r in client.requests if r[0] == "PUT"] == [("PUT", "/connectors/a/config")] * 3


@pytest.mark.parametrize(
    "status, message, retried",
    [
        (500, "Request cannot be completed because a rebalance is expected", True),
        (500, "Cannot forward request: leader is not known", True),
        (503, "Service Unavailable", True),
        (500, "NullPointerException", False),
        (409, "Connector a already exists", False),
        (400, "Connector configuration is invalid", False),
    ],
)
def test_client_retries_only_rebalance_errors(fake, url, status, message, retried):
    fake.fail_next = [("PUT", "/connectors/a/pause", status, message)]
    client, clock = client_for([url])
    if retried:
        client.pause("a")
        assert clock.sleeps == [0.5]
    else:
        with pytest.raises(ConnectError) as error:
            client.pause("a")
        assert str(error.value) == f"Failed to pause connector a: HTTP {status} from {url}: {message}"
        assert clock.sleeps == []
        assert fake.connectors["a"]["state"] == "RUNNING"


def test_client_gives_up_retrying_at_the_deadline(fake, url):
    fake.fail_next = [("PUT", "/connectors/a/pause", 409, "rebalance in progress")] * 20
    client, clock = client_for([url], retry_timeout=10)
    with pytest.raises(ConnectError) as error:
        client.pause("a")
    assert "the workers were still busy after 10s (rebalance in progress?): HTTP 409" in str(error.value)
    assert sum(clock.sleeps) <= 10
    assert clock.sleeps[:4] == [0.5, 1.0, 2.0, 4.0]


def test_client_tries_the_next_worker(fake, url):
    dead = closed_port_url()
    client, _clock = client_for([dead, url])
    assert client.root()["version"] == "3.9.2"
    assert client.url == url
    client.connectors()
    assert client.url == url


def test_client_names_every_url_tried():
    dead = [closed_port_url(), closed_port_url()]
    client, _clock = client_for(dead)
    with pytest.raises(ConnectError) as error:
        client.root()
    assert str(error.value) == (
        f"Failed to reach the Kafka Connect REST API: no worker answered; tried {dead[0]} (connection refused), "
        f"{dead[1]} (connection refused)"
    )
    assert error.value.status is None
    assert error.value.details == {"urls_tried": dead}


def test_client_timeout(fake, url):
    fake.delay = 2
    client, _clock = client_for([url], timeout=1)
    with pytest.raises(ConnectError, match=r"tried http://127\.0\.0\.1:\d+ \(no answer within 1s\)"):
        client.root()


@pytest.mark.parametrize(
    "credentials, ok",
    [(("ops", "pw-4711"), True), (("ops", "wrong"), False), ((None, None), False)],
)
def test_client_basic_auth(credentials, ok):
    fake = FakeConnect(auth=("ops", "pw-4711"))
    with serve(fake) as url:
        client, _clock = client_for([url], url_username=credentials[0], url_password=credentials[1])
        if ok:
            assert client.root()["version"] == "3.9.2"
            return
        with pytest.raises(ConnectError) as error:
            client.root()
    assert error.value.status == 401
    assert str(error.value) == (
        "Failed to read the Kafka Connect worker information: authentication failed (HTTP 401 Unauthorized) at "
        f"{url}: check url_username and url_password"
    )
    assert "wrong" not in str(error.value)


def test_client_403_and_404(fake, url):
    fake.fail_next = [("GET", "/connectors?", 403, "User ops may not list connectors")]
    client, _clock = client_for([url])
    with pytest.raises(ConnectError) as error:
        client.connectors()
    assert str(error.value) == (
        f"Failed to list the connectors: permission denied (HTTP 403 Forbidden) at {url}: "
        "User ops may not list connectors"
    )
    with pytest.raises(ConnectError) as error:
        client.pause("missing")
    assert error.value.status == 404
    assert (
        str(error.value)
        == f"Failed to pause connector missing: not found (HTTP 404) at {url}: Connector missing not found"
    )
    assert client.delete("missing") is None


def test_client_refuses_a_server_that_is_not_connect(fake, url):
    fake.version = None
    fake_root = fake._route

    def route(method, raw_path, body):
        if raw_path == "/":
            return 200, {"hello": "world"}
        return fake_root(method, raw_path, body)

    fake._route = route
    client, _clock = client_for([url])
    with pytest.raises(ConnectError, match="did not answer like a Kafka Connect worker"):
        client.root()


def test_client_quotes_connector_names(fake, url):
    client, _clock = client_for([url])
    client.put_config("a b/c", {"connector.class": "FileStreamSink", "topics": "t"})
    assert ("PUT", "/connectors/a%20b%2Fc/config") in client.requests
    assert "a b/c" in fake.connectors
