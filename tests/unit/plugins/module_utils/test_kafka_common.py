# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_common as kc

SASL_PASSWORD = "s3cr3t-sasl-pw"
KEY_PASSWORD = "k3y-pw"


def params(**overrides):
    base = dict(
        bootstrap_servers=["kafka-0:9092", "kafka-1:9092"],
        security_protocol="PLAINTEXT",
        sasl_mechanism=None,
        sasl_username=None,
        sasl_password=None,
        ssl_cafile=None,
        ssl_certfile=None,
        ssl_keyfile=None,
        ssl_keyfile_password=None,
        ssl_check_hostname=True,
        request_timeout=30,
    )
    base.update(overrides)
    return base


SASL = dict(sasl_mechanism="SCRAM-SHA-512", sasl_username="admin", sasl_password=SASL_PASSWORD)
TLS = dict(
    ssl_cafile="/etc/kafka/ca.pem",
    ssl_certfile="/etc/kafka/client.pem",
    ssl_keyfile="/etc/kafka/client.key",
    ssl_keyfile_password=KEY_PASSWORD,
)
ALL_SECRETS = dict(SASL, **TLS)


# ---------------------------------------------------------------------------
# argument spec
# ---------------------------------------------------------------------------


def test_argument_spec_marks_secrets_no_log():
    spec = kc.kafka_argument_spec()
    assert {name for name, opt in spec.items() if opt.get("no_log")} == set(kc.SECRET_OPTIONS)
    assert spec["bootstrap_servers"]["required"] is True
    assert spec["security_protocol"]["default"] == "PLAINTEXT"
    assert spec["ssl_check_hostname"]["default"] is True
    assert spec["request_timeout"]["default"] == 30


def test_zookeeper_spec_defaults():
    spec = kc.zookeeper_argument_spec()
    assert spec["zookeeper_chroot"]["default"] == "/kafka"
    assert "default" not in spec["zookeeper_hosts"]


@pytest.mark.parametrize("protocol", ["SASL_PLAINTEXT", "SASL_SSL"])
def test_sasl_protocols_require_credentials(protocol):
    required = {rule[1]: set(rule[2]) for rule in kc.kafka_required_if()}
    assert required[protocol] == {"sasl_mechanism", "sasl_username", "sasl_password"}


# ---------------------------------------------------------------------------
# build_client_config
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "protocol, expect_sasl, expect_tls",
    [
        ("PLAINTEXT", False, False),
        ("SSL", False, True),
        ("SASL_PLAINTEXT", True, False),
        ("SASL_SSL", True, True),
    ],
)
@pytest.mark.parametrize("client_type", ["admin", "producer", "consumer"])
def test_secrets_only_where_needed(protocol, expect_sasl, expect_tls, client_type):
    conf = kc.build_client_config(params(security_protocol=protocol, **ALL_SECRETS), client_type)

    assert conf["security.protocol"] == protocol.lower()
    assert conf["bootstrap.servers"] == "kafka-0:9092,kafka-1:9092"
    assert ("sasl.password" in conf) is expect_sasl
    assert ("sasl.username" in conf) is expect_sasl
    assert ("sasl.mechanism" in conf) is expect_sasl
    assert ("ssl.key.password" in conf) is expect_tls
    assert ("ssl.ca.location" in conf) is expect_tls
    assert ("ssl.endpoint.identification.algorithm" in conf) is expect_tls
    values = [str(v) for v in conf.values()]
    assert (SASL_PASSWORD in values) is expect_sasl
    assert (KEY_PASSWORD in values) is expect_tls


def test_sasl_ssl_full_config():
    conf = kc.build_client_config(params(security_protocol="SASL_SSL", **ALL_SECRETS), "admin")
    assert conf["sasl.mechanism"] == "SCRAM-SHA-512"
    assert conf["sasl.username"] == "admin"
    assert conf["sasl.password"] == SASL_PASSWORD
    assert conf["ssl.ca.location"] == "/etc/kafka/ca.pem"
    assert conf["ssl.certificate.location"] == "/etc/kafka/client.pem"
    assert conf["ssl.key.location"] == "/etc/kafka/client.key"
    assert conf["ssl.key.password"] == KEY_PASSWORD
    assert conf["ssl.endpoint.identification.algorithm"] == "https"


@pytest.mark.parametrize("check_hostname, algorithm", [(True, "https"), (False, "none")])
def test_ssl_check_hostname(check_hostname, algorithm):
    conf = kc.build_client_config(params(security_protocol="SSL", ssl_check_hostname=check_hostname), "admin")
    assert conf["ssl.endpoint.identification.algorithm"] == algorithm
    # certificate chain verification is never switched off
    assert "enable.ssl.certificate.verification" not in conf


def test_key_password_needs_key_file():
    conf = kc.build_client_config(params(security_protocol="SSL", ssl_keyfile_password=KEY_PASSWORD), "admin")
    assert "ssl.key.password" not in conf
    assert "ssl.ca.location" not in conf


def test_request_timeout_in_ms():
    assert kc.build_client_config(params(request_timeout=7), "admin")["socket.timeout.ms"] == 7000


@pytest.mark.parametrize(
    "client_type, expected",
    [
        ("admin", {"allow.auto.create.topics": False}),
        ("producer", {"acks": "all", "enable.idempotence": True, "allow.auto.create.topics": False}),
        (
            "consumer",
            {"enable.auto.commit": False, "enable.auto.offset.store": False, "allow.auto.create.topics": False},
        ),
    ],
)
def test_client_type_settings(client_type, expected):
    conf = kc.build_client_config(params(), client_type)
    for key, value in expected.items():
        assert conf[key] == value
    if client_type != "producer":
        assert "acks" not in conf
    if client_type != "consumer":
        assert "enable.auto.commit" not in conf


def test_overrides_win():
    conf = kc.build_client_config(params(), "consumer", {"group.id": "g1", "auto.offset.reset": "latest"})
    assert conf["group.id"] == "g1"
    assert conf["auto.offset.reset"] == "latest"


def test_unknown_client_type():
    with pytest.raises(ValueError):
        kc.build_client_config(params(), "streams")


def test_redact_config_masks_secret_values():
    conf = kc.build_client_config(params(security_protocol="SASL_SSL", **ALL_SECRETS), "admin")
    shown = kc.redact_config(conf)
    assert shown["sasl.password"] == kc.REDACTED
    assert shown["ssl.key.password"] == kc.REDACTED
    assert shown["sasl.username"] == "admin"
    assert conf["sasl.password"] == SASL_PASSWORD  # original untouched


@pytest.mark.parametrize(
    "overrides, expected",
    [
        (dict(), []),
        (dict(security_protocol="SASL_SSL", **ALL_SECRETS), []),
        (
            dict(sasl_username="u", sasl_password="p"),
            ["sasl_username, sasl_password ignored because security_protocol is PLAINTEXT"],
        ),
        (
            dict(security_protocol="SASL_PLAINTEXT", ssl_cafile="/ca.pem", **SASL),
            ["ssl_cafile ignored because security_protocol is SASL_PLAINTEXT"],
        ),
        (
            dict(security_protocol="SSL", sasl_mechanism="PLAIN"),
            ["sasl_mechanism ignored because security_protocol is SSL"],
        ),
    ],
)
def test_ignored_option_warnings(overrides, expected):
    assert kc.ignored_option_warnings(params(**overrides)) == expected


def test_ignored_option_warnings_never_contain_values():
    warnings = kc.ignored_option_warnings(params(**ALL_SECRETS))
    assert warnings
    assert not any(SASL_PASSWORD in w or KEY_PASSWORD in w for w in warnings)


# ---------------------------------------------------------------------------
# error formatting and redaction
# ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, secrets, expected",
    [
        ("nothing secret", [SASL_PASSWORD], "nothing secret"),
        (f"auth with {SASL_PASSWORD} failed", [SASL_PASSWORD], f"auth with {kc.REDACTED} failed"),
        (f"{SASL_PASSWORD}/{SASL_PASSWORD}", [SASL_PASSWORD], f"{kc.REDACTED}/{kc.REDACTED}"),
        ("pw abc and abcdef", ["abc", "abcdef"], f"pw {kc.REDACTED} and {kc.REDACTED}"),
        ("empty secrets are ignored", [None, ""], "empty secrets are ignored"),
    ],
)
def test_redact(text, secrets, expected):
    assert kc.redact(text, secrets) == expected


def test_secrets_from_params():
    assert sorted(kc.secrets_from_params(params(**ALL_SECRETS))) == sorted([SASL_PASSWORD, KEY_PASSWORD])
    assert kc.secrets_from_params(params()) == []


@pytest.mark.parametrize(
    "exc, expected",
    [
        (TimeoutError(), "timed out waiting for a response"),
        (TimeoutError("after 5s"), "after 5s (TimeoutError)"),
        (RuntimeError(""), "RuntimeError"),
    ],
)
def test_error_reason(exc, expected):
    assert kc.error_reason(exc) == expected


def test_error_reason_kazoo():
    kazoo_exceptions = pytest.importorskip("kazoo.exceptions")
    kazoo_threading = pytest.importorskip("kazoo.handlers.threading")
    assert kc.error_reason(kazoo_exceptions.NoNodeError()) == "NoNodeError"
    assert kc.error_reason(kazoo_threading.KazooTimeoutError("Connection time-out")) == (
        "Connection time-out (KazooTimeoutError)"
    )


@pytest.mark.parametrize(
    "exc, code",
    [
        (TimeoutError(), None),
    ],
)
def test_kafka_error_code(exc, code):
    assert kc.kafka_error_code(exc) == code


@pytest.mark.parametrize(
    "action, reason, secrets, expected",
    [
        ("create topic t", "boom", [], "Failed to create topic t: boom"),
        ("create topic t", None, [], "Failed to create topic t"),
        (
            "connect to Kafka at k:9092",
            f"SASL authentication failed for password {SASL_PASSWORD}",
            [SASL_PASSWORD],
            f"Failed to connect to Kafka at k:9092: SASL authentication failed for password {kc.REDACTED}",
        ),
    ],
)
def test_format_failure(action, reason, secrets, expected):
    assert kc.format_failure(action, reason, secrets) == expected


@pytest.mark.parametrize(
    "raised",
    [
        TimeoutError(),
    ],
)
def test_translate_errors_wraps_client_errors(raised):
    with pytest.raises(kc.KafkaOpsError) as info:
        with kc.translate_errors("do a thing"):
            raise raised
    assert str(info.value).startswith("Failed to do a thing")
    assert info.value.exception is raised


def test_translate_errors_as_decorator_keeps_programming_errors():
    @kc.translate_errors("compute")
    def broken():
        raise KeyError("bug")

    with pytest.raises(KeyError):
        broken()


def test_translate_errors_passes_kafka_ops_error_through():
    inner = kc.KafkaOpsError("inner action", reason="why")
    with pytest.raises(kc.KafkaOpsError) as info:
        with kc.translate_errors("outer action"):
            raise inner
    assert info.value is inner


@pytest.mark.parametrize("ready_after, timeout, expect_ok", [(0, 5, True), (3, 5, True), (10, 5, False)])
def test_poll_until(ready_after, timeout, expect_ok):
    reads = iter(range(100))
    ticks = iter(range(100))
    kwargs = dict(sleep=lambda s: None, clock=lambda: next(ticks))
    if expect_ok:
        value = kc.poll_until(lambda: next(reads), lambda v: v >= ready_after, timeout, "wait", str, **kwargs)
        assert value == ready_after
    else:
        with pytest.raises(kc.KafkaOpsError) as exc:
            kc.poll_until(
                lambda: next(reads), lambda v: v >= ready_after, timeout, "wait", lambda v: f"last {v}", **kwargs
            )
        assert exc.value.action == "wait" and exc.value.reason.startswith("last ")
