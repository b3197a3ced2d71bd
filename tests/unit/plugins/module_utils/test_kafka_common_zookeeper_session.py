# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ZooKeeper session check of KafkaModule and its auth failure reasons (needs kazoo and confluent-kafka)."""

from __future__ import annotations

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_common as kc

pytest.importorskip("confluent_kafka")
kazoo_exceptions = pytest.importorskip("kazoo.exceptions")

ZK_PASSWORD = "zk-s3cret-pw"


# ---------------------------------------------------------------------------
# auth failure reasons (as kazoo 2.11 reports them against ZooKeeper 3.8.4)
# ---------------------------------------------------------------------------

SASL = dict(mechanism="DIGEST-MD5", username="kafka", password=ZK_PASSWORD)
LOG_SASL_REJECTED = [
    "Connecting to 127.0.0.1(127.0.0.1):42181, use_ssl: False",
    "Zookeeper connection established, state: CONNECTED",
    "Unhandled exception in connection loop: SessionClosedRequireSaslError",
    "Zookeeper session closed, state: CLOSED",
]
LOG_NO_SASL_ON_SERVER = [
    "Zookeeper connection established, state: CONNECTED",
    "AUTH_FAILED closing: Connection dropped in SASL",
    "Zookeeper session closed, state: AUTH_FAILED",
]


@pytest.mark.parametrize(
    "exception, sasl_options, log, expected",
    [
        (
            kazoo_exceptions.SessionClosedRequireSaslError(),
            None,
            [],
            "authentication failed / session closed by the server: it requires SASL authentication "
            "(set zookeeper_sasl_username and zookeeper_sasl_password)",
        ),
        (
            kazoo_exceptions.ConnectionLoss(),
            SASL,
            LOG_SASL_REJECTED,
            "authentication failed / session closed by the server during SASL DIGEST-MD5 authentication as "
            "'kafka' (check zookeeper_sasl_username and zookeeper_sasl_password)",
        ),
        (
            kazoo_exceptions.ConnectionClosedError("Connection has been closed"),
            SASL,
            LOG_SASL_REJECTED,
            "authentication failed / session closed by the server during SASL DIGEST-MD5 authentication as "
            "'kafka' (check zookeeper_sasl_username and zookeeper_sasl_password)",
        ),
        (
            kazoo_exceptions.AuthFailedError(),
            SASL,
            LOG_NO_SASL_ON_SERVER,
            "authentication failed / session closed: the server dropped the connection during SASL DIGEST-MD5 "
            "authentication as 'kafka' (is SASL enabled on the ZooKeeper servers?)",
        ),
        # not an authentication problem: the generic reason is kept
        (kazoo_exceptions.ConnectionLoss(), None, [], None),
        (kazoo_exceptions.ConnectionLoss(), SASL, ["Connection dropped: socket connection broken"], None),
    ],
)
def test_zookeeper_auth_failure_reason(exception, sasl_options, log, expected):
    reason = kc.zookeeper_auth_failure_reason(exception, sasl_options, log)
    assert reason == expected
    if reason:
        assert ZK_PASSWORD not in reason


@pytest.mark.parametrize(
    "sasl_options, expected",
    [
        (None, "the session was established but the first request got no answer within 5s"),
        (
            SASL,
            "the session was established but the first request got no answer within 5s: the SASL DIGEST-MD5 "
            "authentication as 'kafka' did not complete (is SASL enabled on the ZooKeeper servers?)",
        ),
    ],
)
def test_zookeeper_first_request_timeout_reason(sasl_options, expected):
    kazoo_threading = pytest.importorskip("kazoo.handlers.threading")
    error = kazoo_threading.KazooTimeoutError()
    assert kc.zookeeper_auth_failure_reason(error, sasl_options, [], 5) == expected


# ---------------------------------------------------------------------------
# KafkaModule.zookeeper() against a fake kazoo client
# ---------------------------------------------------------------------------


class FakeResult:
    def __init__(self, exception):
        self.exception = exception

    def get(self, timeout):
        if self.exception is not None:
            raise self.exception
        return object()


class FakeKazoo:
    """Records its arguments; the first request fails with ``failure`` after logging ``log_failure``."""

    instances = []
    failure = None
    log_failure = None

    def __init__(self, hosts, timeout, logger, sasl_options):
        self.hosts = hosts
        self.logger = logger
        self.sasl_options = sasl_options
        self.stopped = False
        FakeKazoo.instances.append(self)

    def start(self, timeout):
        self.logger.info("Zookeeper connection established, state: CONNECTED")

    def exists_async(self, path):
        if self.log_failure is not None:
            try:
                raise self.log_failure
            except type(self.log_failure):
                self.logger.exception("Unhandled exception in connection loop")
        return FakeResult(self.failure)

    def stop(self):
        self.stopped = True

    def close(self):
        pass


@pytest.fixture
def fake_kazoo(monkeypatch):
    def install(failure=None, log_failure=None):
        FakeKazoo.instances = []
        monkeypatch.setattr(FakeKazoo, "failure", failure)
        monkeypatch.setattr(FakeKazoo, "log_failure", log_failure)
        monkeypatch.setattr(kc, "KazooClient", FakeKazoo)
        return FakeKazoo.instances

    return install


def zookeeper_main():
    module = kc.KafkaModule(zookeeper=True, supports_check_mode=True)
    try:
        module.zookeeper()
    except kc.KafkaOpsError as e:
        module.fail_kafka(e, changed=False)
    module.exit_json(changed=False)


BASE = dict(bootstrap_servers=["kafka-0:9092"], zookeeper_hosts="zk-0:2181,zk-1:2181")
WITH_SASL = dict(BASE, zookeeper_sasl_username="kafka", zookeeper_sasl_password=ZK_PASSWORD)


def test_zookeeper_passes_sasl_options(run_module, fake_kazoo):
    instances = fake_kazoo()
    failed, result = run_module(zookeeper_main, WITH_SASL)
    assert not failed
    assert instances[0].sasl_options == dict(mechanism="DIGEST-MD5", username="kafka", password=ZK_PASSWORD)
    assert instances[0].stopped  # closed on exit
    assert ZK_PASSWORD not in str(result)


def test_zookeeper_anonymous_has_no_sasl_options(run_module, fake_kazoo):
    instances = fake_kazoo()
    failed, _result = run_module(zookeeper_main, BASE)
    assert not failed
    assert instances[0].sasl_options is None


def test_zookeeper_anonymous_against_enforcing_server(run_module, fake_kazoo):
    fake_kazoo(failure=kazoo_exceptions.SessionClosedRequireSaslError())
    failed, result = run_module(zookeeper_main, BASE)
    assert failed
    assert result["msg"] == (
        "Failed to connect to ZooKeeper at zk-0:2181,zk-1:2181: authentication failed / session closed by the "
        "server: it requires SASL authentication (set zookeeper_sasl_username and zookeeper_sasl_password)"
    )


def test_zookeeper_wrong_password(run_module, fake_kazoo):
    fake_kazoo(
        failure=kazoo_exceptions.ConnectionLoss(),
        log_failure=kazoo_exceptions.SessionClosedRequireSaslError(f"digest for {ZK_PASSWORD}"),
    )
    failed, result = run_module(zookeeper_main, WITH_SASL)
    assert failed
    assert result["msg"].startswith(
        "Failed to connect to ZooKeeper at zk-0:2181,zk-1:2181: authentication failed / session closed"
    )
    assert "'kafka'" in result["msg"]
    assert ZK_PASSWORD not in str(result)


def test_zookeeper_other_errors_keep_generic_reason(run_module, fake_kazoo):
    fake_kazoo(failure=kazoo_exceptions.ConnectionLoss())
    failed, result = run_module(zookeeper_main, BASE)
    assert failed
    assert result["msg"] == "Failed to connect to ZooKeeper at zk-0:2181,zk-1:2181: ConnectionLoss"


def test_zookeeper_sasl_needs_pure_sasl(run_module, fake_kazoo, monkeypatch):
    instances = fake_kazoo()
    monkeypatch.setattr(kc, "HAS_PURESASL", False)
    monkeypatch.setattr(kc, "PURESASL_IMPORT_ERROR", "ImportError: No module named 'puresasl'")
    failed, result = run_module(zookeeper_main, WITH_SASL)
    assert failed
    assert "pure-sasl" in result["msg"]
    assert instances == []


def test_zookeeper_sasl_user_needs_password(run_module, fake_kazoo):
    fake_kazoo()
    failed, result = run_module(zookeeper_main, dict(BASE, zookeeper_sasl_username="kafka"))
    assert failed
    assert "zookeeper_sasl_username" in result["msg"] and "zookeeper_sasl_password" in result["msg"]
