# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Connection options of the Kafka modules and the client configuration built from them.

The argument specs (documented by the doc fragments kafkaops.cluster.kafka and
kafkaops.cluster.kafka.zookeeper), the librdkafka and kafka-python configuration
for those options, and the ZooKeeper SASL settings. Pure functions:
``KafkaModule`` (kafka_common.py) merges the specs and creates the clients.
"""

from __future__ import annotations

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import AuthFailedError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import KazooTimeoutError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import SessionClosedRequireSaslError

SECURITY_PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
SASL_PROTOCOLS = ("SASL_PLAINTEXT", "SASL_SSL")
SSL_PROTOCOLS = ("SSL", "SASL_SSL")
ZOOKEEPER_SASL_MECHANISMS = ["DIGEST-MD5"]


# ---------------------------------------------------------------------------
# Argument specs
# ---------------------------------------------------------------------------


def kafka_argument_spec():
    """Connection options shared by every module (see doc fragment kafkaops.cluster.kafka)."""
    return dict(
        bootstrap_servers=dict(type="list", elements="str", required=True),
        security_protocol=dict(type="str", choices=SECURITY_PROTOCOLS, default="PLAINTEXT"),
        sasl_mechanism=dict(type="str", choices=SASL_MECHANISMS),
        sasl_username=dict(type="str"),
        sasl_password=dict(type="str", no_log=True),
        ssl_cafile=dict(type="path"),
        ssl_certfile=dict(type="path"),
        ssl_keyfile=dict(type="path", no_log=False),
        ssl_keyfile_password=dict(type="str", no_log=True),
        ssl_check_hostname=dict(type="bool", default=True),
        request_timeout=dict(type="int", default=30),
    )


def kafka_required_if():
    return [
        ("security_protocol", protocol, ("sasl_mechanism", "sasl_username", "sasl_password"))
        for protocol in SASL_PROTOCOLS
    ]


def kafka_required_together():
    return [("ssl_certfile", "ssl_keyfile")]


def zookeeper_argument_spec():
    """ZooKeeper options (see doc fragment kafkaops.cluster.kafka.zookeeper)."""
    return dict(
        zookeeper_hosts=dict(type="str"),
        zookeeper_chroot=dict(type="str", default="/kafka"),
        zookeeper_timeout=dict(type="int", default=10),
        zookeeper_sasl_username=dict(type="str"),
        zookeeper_sasl_password=dict(type="str", no_log=True),
        zookeeper_sasl_mechanism=dict(type="str", choices=ZOOKEEPER_SASL_MECHANISMS, default="DIGEST-MD5"),
    )


def zookeeper_required_together():
    return [("zookeeper_sasl_username", "zookeeper_sasl_password")]


def build_zookeeper_sasl_options(params):
    """kazoo ``sasl_options`` for the ZooKeeper SASL options, or None (anonymous).

    A fresh dict on every call: kazoo adds keys (``service``) to the one it gets.
    """
    username = params.get("zookeeper_sasl_username")
    if not username:
        return None
    return dict(
        mechanism=params.get("zookeeper_sasl_mechanism") or "DIGEST-MD5",
        username=username,
        password=params.get("zookeeper_sasl_password"),
    )


def zookeeper_auth_failure_reason(exception, sasl_options, log_lines, timeout=None):
    """Why the first ZooKeeper request of a new session failed, for an auth-related error.

    ``exception`` is what the request raised, ``log_lines`` what kazoo logged
    (the SASL exchange runs in kazoo's connection thread, so its error only
    shows in the log). Returns None when the failure does not look like an
    authentication problem.
    """
    if isinstance(exception, KazooTimeoutError):
        reason = f"the session was established but the first request got no answer within {timeout}s"
        if sasl_options:
            reason = (
                f"{reason}: the SASL {sasl_options['mechanism']} authentication as {sasl_options['username']!r} "
                "did not complete (is SASL enabled on the ZooKeeper servers?)"
            )
        return reason
    if isinstance(exception, SessionClosedRequireSaslError) and not sasl_options:
        return (
            "authentication failed / session closed by the server: it requires SASL authentication "
            "(set zookeeper_sasl_username and zookeeper_sasl_password)"
        )
    if not sasl_options:
        return None
    who = f"SASL {sasl_options['mechanism']} authentication as {sasl_options['username']!r}"
    if isinstance(exception, SessionClosedRequireSaslError) or any(
        "SessionClosedRequireSaslError" in line for line in log_lines
    ):
        return (
            f"authentication failed / session closed by the server during {who} "
            "(check zookeeper_sasl_username and zookeeper_sasl_password)"
        )
    if isinstance(exception, AuthFailedError) or any("AUTH_FAILED" in line for line in log_lines):
        return (
            f"authentication failed / session closed: the server dropped the connection during {who} "
            "(is SASL enabled on the ZooKeeper servers?)"
        )
    return None


# ---------------------------------------------------------------------------
# librdkafka configuration (pure functions)
# ---------------------------------------------------------------------------


def build_kafka_python_config(params):
    """Keyword arguments of kafka-python's KafkaAdminClient for the connection options (same rules
    as ``build_client_config``: credentials only for SASL, TLS material only for TLS)."""
    protocol = params["security_protocol"]
    conf = dict(
        bootstrap_servers=list(params["bootstrap_servers"]),
        security_protocol=protocol,
        client_id="kafkaops-ansible-reassignment",
        request_timeout_ms=int(params["request_timeout"]) * 1000,
    )
    if protocol in SASL_PROTOCOLS:
        conf.update(
            sasl_mechanism=params["sasl_mechanism"],
            sasl_plain_username=params["sasl_username"],
            sasl_plain_password=params["sasl_password"],
        )
    if protocol in SSL_PROTOCOLS:
        conf.update(
            ssl_cafile=params.get("ssl_cafile"),
            ssl_certfile=params.get("ssl_certfile"),
            ssl_keyfile=params.get("ssl_keyfile"),
            ssl_password=params.get("ssl_keyfile_password"),
            ssl_check_hostname=params["ssl_check_hostname"],
        )
    return conf


def build_client_config(params, client_type="admin", overrides=None):
    """Return the librdkafka configuration dict for ``client_type``.

    ``client_type`` is ``admin``, ``producer`` or ``consumer``. SASL credentials
    are only included for SASL protocols and TLS material only for TLS protocols,
    so a secret never reaches a client that does not need it.
    """
    if client_type not in ("admin", "producer", "consumer"):
        raise ValueError(f"unknown client type {client_type!r}")

    protocol = params["security_protocol"]
    timeout_ms = int(params["request_timeout"]) * 1000
    conf = {
        "bootstrap.servers": ",".join(params["bootstrap_servers"]),
        "security.protocol": protocol.lower(),
        "client.id": f"kafkaops-ansible-{client_type}",
        "socket.timeout.ms": timeout_ms,
        # The admin client is a producer handle in librdkafka, which would let
        # the broker auto-create a topic we only asked metadata for.
        "allow.auto.create.topics": False,
    }

    if protocol in SASL_PROTOCOLS:
        conf["sasl.mechanism"] = params["sasl_mechanism"]
        conf["sasl.username"] = params["sasl_username"]
        conf["sasl.password"] = params["sasl_password"]

    if protocol in SSL_PROTOCOLS:
        if params.get("ssl_cafile"):
            conf["ssl.ca.location"] = params["ssl_cafile"]
        if params.get("ssl_certfile"):
            conf["ssl.certificate.location"] = params["ssl_certfile"]
        if params.get("ssl_keyfile"):
            conf["ssl.key.location"] = params["ssl_keyfile"]
            if params.get("ssl_keyfile_password"):
                conf["ssl.key.password"] = params["ssl_keyfile_password"]
        # Certificate verification itself always stays on; only the host name
        # check can be relaxed (e.g. brokers addressed by IP).
        conf["ssl.endpoint.identification.algorithm"] = "https" if params["ssl_check_hostname"] else "none"

    if client_type == "producer":
        conf.update(
            {
                "acks": "all",
                "enable.idempotence": True,
                "linger.ms": 5,
            }
        )
    elif client_type == "consumer":
        conf.update(
            {
                "enable.auto.commit": False,
                "enable.auto.offset.store": False,
                "auto.offset.reset": "earliest",
                "enable.partition.eof": False,
            }
        )

    if overrides:
        conf.update(overrides)
    return conf


def ignored_option_warnings(params):
    """Warnings for options that the chosen security_protocol silently ignores."""
    protocol = params["security_protocol"]
    warnings = []
    if protocol not in SASL_PROTOCOLS:
        given = [name for name in ("sasl_mechanism", "sasl_username", "sasl_password") if params.get(name)]
        if given:
            warnings.append(f"{', '.join(given)} ignored because security_protocol is {protocol}")
    if protocol not in SSL_PROTOCOLS:
        given = [
            name for name in ("ssl_cafile", "ssl_certfile", "ssl_keyfile", "ssl_keyfile_password") if params.get(name)
        ]
        if given:
            warnings.append(f"{', '.join(given)} ignored because security_protocol is {protocol}")
    return warnings
