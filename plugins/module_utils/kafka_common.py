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

The pieces live in their own files, and modules import them from there:
kafka_libraries.py (guarded client-library imports), kafka_errors.py (error
text, ``KafkaOpsError``, ``translate_errors``, redaction) and kafka_connection.py
(argument specs, librdkafka / kafka-python / ZooKeeper client configuration).
They stay importable from here too (``__all__``), for code written against the
earlier single file.
"""

from __future__ import annotations

import collections
import logging
import time
import traceback

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.common.text.converters import to_native
from ansible.module_utils.compat.version import LooseVersion

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import SASL_MECHANISMS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import SASL_PROTOCOLS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import SECURITY_PROTOCOLS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import SSL_PROTOCOLS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import ZOOKEEPER_SASL_MECHANISMS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import build_client_config
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import build_kafka_python_config
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import build_zookeeper_sasl_options
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import ignored_option_warnings
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import kafka_argument_spec
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import kafka_required_if
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import kafka_required_together
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import zookeeper_argument_spec
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import zookeeper_auth_failure_reason
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connection import zookeeper_required_together
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import CLIENT_ERRORS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KAFKA_ERRORS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import REDACTED
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import SECRET_CONFIG_KEYS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import SECRET_OPTIONS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import ZOOKEEPER_SECRET_OPTIONS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import connection_failure_reason
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import error_reason
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import format_failure
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import kafka_error_code
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import kafka_error_text
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import no_log_options
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import redact
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import redact_config
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import secrets_from_params
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import summarize_connection_errors
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import translate_errors
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import CONFLUENT_KAFKA_IMPORT_ERROR
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import HAS_CONFLUENT_KAFKA
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import HAS_KAZOO
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import HAS_PURESASL
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import KAZOO_ERRORS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import KAZOO_IMPORT_ERROR
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import MIN_CONFLUENT_KAFKA_VERSION
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import PURESASL_IMPORT_ERROR
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import AdminClient
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import AuthFailedError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import Consumer
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import KazooClient
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import KazooTimeoutError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import Producer
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import SessionClosedRequireSaslError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import installed_confluent_kafka_version
from ansible_collections.kafkaops.cluster.plugins.module_utils.polling import poll

# The earlier single file's names (re-exported; the collection's own modules import from their homes).
__all__ = [
    "AdminClient",
    "AuthFailedError",
    "build_client_config",
    "build_kafka_python_config",
    "build_zookeeper_sasl_options",
    "CLIENT_ERRORS",
    "CONFLUENT_KAFKA_IMPORT_ERROR",
    "connection_failure_reason",
    "Consumer",
    "error_reason",
    "format_failure",
    "HAS_CONFLUENT_KAFKA",
    "HAS_KAZOO",
    "HAS_PURESASL",
    "ignored_option_warnings",
    "installed_confluent_kafka_version",
    "kafka_argument_spec",
    "kafka_error_code",
    "kafka_error_text",
    "KAFKA_ERRORS",
    "kafka_required_if",
    "kafka_required_together",
    "KafkaModule",
    "KafkaOpsError",
    "KAZOO_ERRORS",
    "KAZOO_IMPORT_ERROR",
    "KazooClient",
    "KazooTimeoutError",
    "MIN_CONFLUENT_KAFKA_VERSION",
    "ModuleWrapper",
    "no_log_options",
    "poll_until",
    "Producer",
    "PURESASL_IMPORT_ERROR",
    "redact",
    "redact_config",
    "REDACTED",
    "SASL_MECHANISMS",
    "SASL_PROTOCOLS",
    "SECRET_CONFIG_KEYS",
    "SECRET_OPTIONS",
    "secrets_from_params",
    "SECURITY_PROTOCOLS",
    "SessionClosedRequireSaslError",
    "SSL_PROTOCOLS",
    "summarize_connection_errors",
    "translate_errors",
    "zookeeper_argument_spec",
    "zookeeper_auth_failure_reason",
    "zookeeper_required_together",
    "ZOOKEEPER_SASL_MECHANISMS",
    "ZOOKEEPER_SECRET_OPTIONS",
]


def poll_until(read, ready, timeout, action, reason, interval=0.5, sleep=time.sleep, clock=time.monotonic):
    """Call ``read()`` until ``ready(value)``; return that value.

    At the deadline raise ``KafkaOpsError(action, reason=reason(last_value))``. For the
    eventually-consistent reads that follow a change (a new topic's leaders, new credentials).
    """
    value, done = poll(read, ready, timeout, interval=interval, sleep=sleep, clock=clock)
    if not done:
        raise KafkaOpsError(action, reason=reason(value))
    return value


# ---------------------------------------------------------------------------
# Module base class
# ---------------------------------------------------------------------------


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
            except KAFKA_ERRORS as e:
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
            except KAZOO_ERRORS as e:
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
