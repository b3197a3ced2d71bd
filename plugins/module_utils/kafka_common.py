# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Shared base for the kafkaops.cluster modules that talk to Kafka and ZooKeeper.

Usage in a module::

    from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import (
        KafkaModule,
        KafkaOpsError,
    )

    module = KafkaModule(argument_spec=dict(...), supports_check_mode=True, zookeeper=True)
    try:
        admin = module.admin_client()
        cluster = module.describe_cluster(admin)   # fails fast when Kafka is unreachable
        ...
    except KafkaOpsError as e:
        module.fail_kafka(e)

``KafkaModule`` merges the shared connection argument spec (and, with
``zookeeper=True``, the ZooKeeper spec) into the module's own spec, guards the
third-party imports, builds librdkafka configuration dictionaries, and closes
every client it handed out before the module exits.

All client errors are turned into ``KafkaOpsError`` by ``translate_errors`` (a
context manager that also works as a decorator) and reported by one method,
``KafkaModule.fail_kafka``, as ``Failed to <action>: <reason>`` with every
secret redacted.
"""

from __future__ import annotations

import collections
import contextlib
import logging
import time
import traceback

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.compat.version import LooseVersion

from ansible_collections.kafkaops.cluster.plugins.module_utils.polling import poll

try:
    from confluent_kafka import Consumer
    from confluent_kafka import KafkaException
    from confluent_kafka import Producer
    from confluent_kafka import version as confluent_kafka_version
    from confluent_kafka.admin import AdminClient
except ImportError:
    HAS_CONFLUENT_KAFKA = False
    CONFLUENT_KAFKA_IMPORT_ERROR = traceback.format_exc()
    _KAFKA_ERRORS = ()
else:
    HAS_CONFLUENT_KAFKA = True
    CONFLUENT_KAFKA_IMPORT_ERROR = None
    _KAFKA_ERRORS = (KafkaException,)

try:
    from kazoo.client import KazooClient
    from kazoo.exceptions import AuthFailedError
    from kazoo.exceptions import KazooException
    from kazoo.handlers.threading import KazooTimeoutError
except ImportError:
    HAS_KAZOO = False
    KAZOO_IMPORT_ERROR = traceback.format_exc()
    _KAZOO_ERRORS = ()

    class AuthFailedError(Exception):
        """Placeholder, never raised without kazoo."""

    class KazooTimeoutError(Exception):
        """Placeholder, never raised without kazoo."""

else:
    HAS_KAZOO = True
    KAZOO_IMPORT_ERROR = None
    _KAZOO_ERRORS = (KazooException, KazooTimeoutError)

try:
    # kazoo >= 2.9 (ZooKeeper 3.7+ enforce.auth); without it the log check below still works.
    from kazoo.exceptions import SessionClosedRequireSaslError
except ImportError:

    class SessionClosedRequireSaslError(Exception):
        """Placeholder, never raised by a kazoo that lacks it."""


try:
    # kazoo only imports pure-sasl lazily, inside its connection thread.
    import puresasl  # noqa: F401  pylint: disable=unused-import
except ImportError:
    HAS_PURESASL = False
    PURESASL_IMPORT_ERROR = traceback.format_exc()
else:
    HAS_PURESASL = True
    PURESASL_IMPORT_ERROR = None

# describe_cluster() appeared in confluent-kafka 2.3.0.
MIN_CONFLUENT_KAFKA_VERSION = "2.3.0"

# Exceptions the client libraries raise for broker, network and protocol
# problems. Anything else is a bug and must surface with its traceback.
# concurrent.futures.TimeoutError is the builtin TimeoutError on Python >= 3.11
# and a subclass of it on 3.8 - 3.10 (admin futures raise it).
KAFKA_ERRORS = _KAFKA_ERRORS
CLIENT_ERRORS = _KAFKA_ERRORS + _KAZOO_ERRORS + (TimeoutError,)

REDACTED = "********"

SECURITY_PROTOCOLS = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
SASL_MECHANISMS = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"]
SASL_PROTOCOLS = ("SASL_PLAINTEXT", "SASL_SSL")
SSL_PROTOCOLS = ("SSL", "SASL_SSL")
ZOOKEEPER_SASL_MECHANISMS = ["DIGEST-MD5"]

# Module options that hold secrets; their values are redacted from messages.
# KafkaModule also redacts every other no_log option of a module's spec.
SECRET_OPTIONS = ("sasl_password", "ssl_keyfile_password")
ZOOKEEPER_SECRET_OPTIONS = ("zookeeper_sasl_password",)

# librdkafka properties that hold secrets (masked by ``redact_config``).
SECRET_CONFIG_KEYS = ("sasl.password", "ssl.key.password")

# librdkafka error codes after which waiting longer cannot help.
_FAIL_FAST_ERROR_CODES = ("_AUTHENTICATION", "_SSL", "_ALL_BROKERS_DOWN")
# librdkafka error codes that describe why a broker connection failed.
_CONNECTION_ERROR_CODES = ("_TRANSPORT", "_RESOLVE", "_AUTHENTICATION", "_SSL")


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


def redact_config(conf):
    """Copy of a librdkafka config with secret values masked (safe to log or return)."""
    return {key: (REDACTED if key in SECRET_CONFIG_KEYS and value else value) for key, value in conf.items()}


# ---------------------------------------------------------------------------
# Error formatting (pure functions)
# ---------------------------------------------------------------------------


def secrets_from_params(params, names=SECRET_OPTIONS + ZOOKEEPER_SECRET_OPTIONS):
    return [params.get(name) for name in names if params.get(name)]


def no_log_options(argument_spec):
    """Names of the options of ``argument_spec`` marked ``no_log``."""
    return tuple(sorted(name for name, option in argument_spec.items() if option.get("no_log")))


def redact(text, secrets):
    """Replace every occurrence of each secret in ``text`` by ``REDACTED``."""
    text = to_native(text)
    # Longest first, so a secret containing another one is masked as a whole.
    for secret in sorted({to_native(s) for s in secrets if s}, key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    return text


def _is_kafka_error(obj):
    """Duck-typed check for confluent_kafka.KafkaError (not an Exception subclass)."""
    return callable(getattr(obj, "str", None)) and callable(getattr(obj, "name", None))


def kafka_error_text(err):
    """``<description> (<CODE>)`` for a KafkaError, without repeating the code."""
    # Some librdkafka admin results carry error strings that are not NUL
    # terminated (e.g. "...: alice\x01"): keep printable characters only.
    text = "".join(ch for ch in to_native(err.str()) if ch.isprintable()).strip()
    name = to_native(err.name())
    if not text:
        return name
    if name and name not in text:
        return f"{text} ({name})"
    return text


def kafka_error_code(exc):
    """The librdkafka/Kafka error code name behind ``exc``, or None."""
    if _is_kafka_error(exc):
        return to_native(exc.name())
    args = getattr(exc, "args", ())
    if args and _is_kafka_error(args[0]):
        return to_native(args[0].name())
    return None


def error_reason(exc):
    """A one-line, human readable reason for a client exception or KafkaError."""
    if _is_kafka_error(exc):
        return kafka_error_text(exc)
    args = getattr(exc, "args", ())
    if args and _is_kafka_error(args[0]):
        return kafka_error_text(args[0])
    if isinstance(exc, TimeoutError) and not to_native(exc).strip():
        return "timed out waiting for a response"
    text = to_native(exc).strip()
    name = type(exc).__name__
    if not text:
        return name
    return f"{text} ({name})"


def format_failure(action, reason, secrets=()):
    """``Failed to <action>: <reason>`` with secrets redacted."""
    message = f"Failed to {action}"
    if reason:
        message = f"{message}: {reason}"
    return redact(message, secrets)


def connection_failure_reason(errors):
    """Reason to stop waiting for a broker connection, or None to keep waiting.

    ``errors`` are the KafkaError objects librdkafka reported through
    ``error_cb`` (oldest first). Authentication and TLS failures and "all
    brokers are down" end the wait at once; the reason quotes the most recent
    connection error because "1/1 brokers are down" alone says nothing.
    """
    fail_fast = [e for e in errors if to_native(e.name()) in _FAIL_FAST_ERROR_CODES or e.fatal()]
    if not fail_fast:
        return None
    return summarize_connection_errors(errors)


def summarize_connection_errors(errors):
    """The most useful single line from librdkafka's error callbacks, or None."""
    if not errors:
        return None
    for codes in (("_AUTHENTICATION", "_SSL"), _CONNECTION_ERROR_CODES):
        for err in reversed(errors):
            if to_native(err.name()) in codes:
                return kafka_error_text(err)
    return kafka_error_text(errors[-1])


class KafkaOpsError(Exception):
    """A failed operation: ``action`` (what we tried) and why it failed."""

    def __init__(self, action, exception=None, reason=None, **details):
        self.action = action
        self.exception = exception
        self.reason = reason if reason is not None else (error_reason(exception) if exception is not None else None)
        self.code = kafka_error_code(exception) if exception is not None else None
        self.details = details
        super().__init__(format_failure(action, self.reason))


def poll_until(read, ready, timeout, action, reason, interval=0.5, sleep=time.sleep, clock=time.monotonic):
    """Call ``read()`` until ``ready(value)``; return that value.

    At the deadline raise ``KafkaOpsError(action, reason=reason(last_value))``. For the
    eventually-consistent reads that follow a change (a new topic's leaders, new credentials).
    """
    value, done = poll(read, ready, timeout, interval=interval, sleep=sleep, clock=clock)
    if not done:
        raise KafkaOpsError(action, reason=reason(value))
    return value


@contextlib.contextmanager
def translate_errors(action):
    """Turn client-library errors raised inside the block into ``KafkaOpsError``.

    Works as ``with translate_errors("create topic x"):`` and as a decorator
    ``@translate_errors("read cluster metadata")``.
    """
    try:
        yield
    except KafkaOpsError:
        raise
    except CLIENT_ERRORS as e:
        raise KafkaOpsError(action, exception=e) from e


# ---------------------------------------------------------------------------
# Module base class
# ---------------------------------------------------------------------------


def installed_confluent_kafka_version():
    # confluent_kafka.version() returns a str; some older releases a (str, int) tuple.
    found = confluent_kafka_version()
    return found[0] if isinstance(found, tuple) else found


class _RecordingHandler(logging.Handler):
    """Keeps the last librdkafka/kazoo log lines instead of printing them to stderr."""

    def __init__(self, capacity=50):
        super().__init__(level=logging.DEBUG)
        self.records = collections.deque(maxlen=capacity)

    def emit(self, record):
        message = record.getMessage()
        # kazoo logs failures of its connection thread with the exception
        # attached; keep at least its type (never its arguments).
        if record.exc_info and record.exc_info[1] is not None:
            message = f"{message}: {type(record.exc_info[1]).__name__}"
        self.records.append(message)


class ModuleWrapper:
    """Delegates to the AnsibleModule in ``self._module``; ``secrets`` are the values of the no_log
    options named in ``self._secret_options``. Base of KafkaModule and kafka_connect's ConnectModule."""

    _module = None
    _secret_options = ()

    def __getattr__(self, attr):
        # Only called for attributes not found normally: delegate to AnsibleModule.
        if attr.startswith("__") or attr == "_module":
            raise AttributeError(attr)
        return getattr(self._module, attr)

    @property
    def params(self):
        return self._module.params

    @property
    def check_mode(self):
        return self._module.check_mode

    @property
    def secrets(self):
        """Values of every no_log option (shared and module-specific) that is set."""
        return secrets_from_params(self.params, self._secret_options)


class KafkaModule(ModuleWrapper):
    """An AnsibleModule wrapper for modules that manage Kafka (and ZooKeeper).

    Keyword arguments are those of AnsibleModule plus ``zookeeper`` (bool):
    also merge the ZooKeeper options into the argument spec.
    """

    def __init__(self, argument_spec=None, zookeeper=False, **kwargs):
        spec = kafka_argument_spec()
        required_together = kafka_required_together()
        if zookeeper:
            spec.update(zookeeper_argument_spec())
            required_together += zookeeper_required_together()
        spec.update(argument_spec or {})
        kwargs["argument_spec"] = spec
        kwargs["required_if"] = kafka_required_if() + list(kwargs.get("required_if") or [])
        kwargs["required_together"] = required_together + list(kwargs.get("required_together") or [])
        self._secret_options = no_log_options(spec)

        self._module = AnsibleModule(**kwargs)
        self._closeables = []
        self.client_errors = collections.deque(maxlen=200)

        self._log_handler = _RecordingHandler()
        self.logger = logging.getLogger(f"kafkaops.{id(self)}")
        self.logger.addHandler(self._log_handler)
        self.logger.setLevel(logging.DEBUG)
        self.logger.propagate = False

        if not HAS_CONFLUENT_KAFKA:
            self._module.fail_json(
                msg=missing_required_lib(f"confluent-kafka>={MIN_CONFLUENT_KAFKA_VERSION}"),
                exception=CONFLUENT_KAFKA_IMPORT_ERROR,
            )
        installed = installed_confluent_kafka_version()
        if LooseVersion(installed) < LooseVersion(MIN_CONFLUENT_KAFKA_VERSION):
            self._module.fail_json(
                msg=f"confluent-kafka>={MIN_CONFLUENT_KAFKA_VERSION} is required on the host running the module, "
                f"found {installed}"
            )

        for warning in ignored_option_warnings(self.params):
            self.warn(warning)

    # -- AnsibleModule delegation: ModuleWrapper --------------------------

    def warn(self, warning):
        self._module.warn(redact(warning, self.secrets))

    def exit_json(self, **kwargs):
        self.close()
        self._module.exit_json(**kwargs)

    def fail_json(self, msg, **kwargs):
        self.close()
        self._module.fail_json(msg=redact(msg, self.secrets), **kwargs)

    def fail_kafka(self, error, **result):
        """The single place that reports a ``KafkaOpsError`` to Ansible."""
        failure = dict(result)
        if error.code:
            failure["error_code"] = error.code
        failure.update(error.details)
        if error.exception is not None:
            failure["exception"] = redact(
                "".join(
                    traceback.format_exception(type(error.exception), error.exception, error.exception.__traceback__)
                ),
                self.secrets,
            )
        self.fail_json(msg=format_failure(error.action, error.reason, self.secrets), **failure)

    # -- clients -------------------------------------------------------------

    @property
    def bootstrap(self):
        return ",".join(self.params["bootstrap_servers"])

    def _record_error(self, err):
        # error_cb: runs inside poll()/flush()/consume() on the calling thread.
        self.client_errors.append(err)

    def client_config(self, client_type, **overrides):
        conf = build_client_config(self.params, client_type, overrides)
        conf["error_cb"] = self._record_error
        conf["logger"] = self.logger
        return conf

    def admin_client(self):
        with translate_errors("create the Kafka admin client"):
            return AdminClient(self.client_config("admin"))

    def producer(self, **overrides):
        with translate_errors("create the Kafka producer"):
            client = Producer(self.client_config("producer", **overrides))
        self._closeables.append(("producer", client))
        return client

    def consumer(self, **overrides):
        with translate_errors("create the Kafka consumer"):
            client = Consumer(self.client_config("consumer", **overrides))
        self._closeables.append(("consumer", client))
        return client

    def describe_cluster(self, admin, authorized_operations=False):
        """Describe the cluster; also the connectivity check, so it fails fast.

        Returns ``{cluster_id, controller_id, brokers: [{id, host, port, rack}]}``
        with brokers sorted by id; with ``authorized_operations=True`` also
        ``authorized_operations``: the sorted names of the operations (``ALTER``,
        ``DESCRIBE``, ...) the connecting principal may perform on the cluster,
        empty when it may not even describe it. Raises ``KafkaOpsError`` with
        action ``connect to Kafka at <bootstrap_servers>`` when the cluster
        cannot be reached within ``request_timeout`` or a connection error shows
        that waiting cannot help (all brokers down, authentication or TLS failure).
        """
        timeout = self.params["request_timeout"]
        action = f"connect to Kafka at {self.bootstrap}"
        self.client_errors.clear()
        with translate_errors(action):
            if authorized_operations:
                future = admin.describe_cluster(request_timeout=timeout, include_authorized_operations=True)
            else:
                future = admin.describe_cluster(request_timeout=timeout)
            deadline = time.monotonic() + timeout + 5
            while not future.done():
                admin.poll(0.1)
                reason = connection_failure_reason(list(self.client_errors))
                if reason:
                    future.cancel()
                    raise KafkaOpsError(action, reason=reason)
                if time.monotonic() > deadline:
                    raise KafkaOpsError(action, reason=f"no answer within {timeout}s")
            try:
                description = future.result()
            except _KAFKA_ERRORS as e:
                admin.poll(0)
                detail = summarize_connection_errors(list(self.client_errors))
                reason = error_reason(e)
                if detail:
                    reason = f"{reason}; last connection error: {detail}"
                raise KafkaOpsError(action, exception=e, reason=reason) from e
        controller = description.controller
        state = dict(
            cluster_id=description.cluster_id,
            controller_id=controller.id if controller is not None else None,
            brokers=sorted(
                (dict(id=node.id, host=node.host, port=node.port, rack=node.rack) for node in description.nodes),
                key=lambda broker: broker["id"],
            ),
        )
        if authorized_operations:
            # None when the principal is not allowed to describe the cluster.
            operations = getattr(description, "authorized_operations", None) or []
            state["authorized_operations"] = sorted(to_native(getattr(op, "name", op)) for op in operations)
        return state

    def reassignment_client(self):
        """A kafka-python admin client for the partition reassignment API; closed when the module exits.

        confluent-kafka (librdkafka) has no binding for AlterPartitionReassignments /
        ListPartitionReassignments (KIP-455); kafka-python has, with the same connection options.
        """
        # Imported here: kafka-python loads its protocol schemas on import (~0.1 s), which only
        # this client needs.
        try:
            from kafka import KafkaAdminClient  # pylint: disable=import-outside-toplevel
            from kafka.errors import KafkaError  # pylint: disable=import-outside-toplevel
        except ImportError:
            self.fail_json(
                msg=missing_required_lib("kafka-python", reason="for the partition reassignment API"),
                exception=traceback.format_exc(),
            )
        library_logger = logging.getLogger("kafka")
        library_logger.addHandler(self._log_handler)
        library_logger.propagate = False
        action = f"connect to Kafka at {self.bootstrap} (reassignment API)"
        try:
            client = KafkaAdminClient(**build_kafka_python_config(self.params))
        except KafkaError as e:
            raise KafkaOpsError(action, exception=e, reason=redact(str(e) or type(e).__name__, self.secrets)) from e
        self._closeables.append(("reassignment", client))
        return client

    def zookeeper(self):
        """A started, verified kazoo client for ``zookeeper_hosts``; stopped when the module exits.

        kazoo reports the session as connected before the SASL exchange and
        before an enforcing server (``enforce.auth.enabled``) closes an
        anonymous session, so one request is made here: a wrong password or a
        missing SASL login fails now, with a clear message, instead of in the
        middle of the module's work.
        """
        if not HAS_KAZOO:
            self.fail_json(
                msg=missing_required_lib("kazoo", reason="to read broker registrations from ZooKeeper"),
                exception=KAZOO_IMPORT_ERROR,
            )
        hosts = self.params.get("zookeeper_hosts")
        if not hosts:
            self.fail_json(msg="zookeeper_hosts is required to query ZooKeeper")
        sasl_options = build_zookeeper_sasl_options(self.params)
        if sasl_options and not HAS_PURESASL:
            self.fail_json(
                msg=missing_required_lib("pure-sasl", reason="for SASL authentication to ZooKeeper"),
                exception=PURESASL_IMPORT_ERROR,
            )
        timeout = self.params["zookeeper_timeout"]
        action = f"connect to ZooKeeper at {hosts}"
        with translate_errors(action):
            client = KazooClient(hosts=hosts, timeout=timeout, logger=self.logger, sasl_options=sasl_options)
            # Registered before start(): a timed-out start keeps retrying in
            # the background until stopped.
            self._closeables.append(("zookeeper", client))
            client.start(timeout=timeout)
            try:
                # exists() needs no permission on the znode; bounded, unlike kazoo's sync calls.
                client.exists_async("/").get(timeout=timeout)
            except _KAZOO_ERRORS as e:
                reason = zookeeper_auth_failure_reason(e, sasl_options, list(self._log_handler.records), timeout)
                if reason is None:
                    raise
                raise KafkaOpsError(action, exception=e, reason=reason) from e
        return client

    def close(self):
        """Release every client handed out (idempotent; called on exit)."""
        while self._closeables:
            kind, client = self._closeables.pop()
            # Closing is best effort: the module result is already decided and
            # a broken connection must not replace it with a close() error.
            try:
                if kind == "zookeeper":
                    client.stop()
                    client.close()
                elif hasattr(client, "close"):
                    # Producer.close() only exists in newer confluent-kafka.
                    client.close()
            except CLIENT_ERRORS + (RuntimeError,):
                pass
