# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Errors of the Kafka and ZooKeeper clients, as one-line messages with every secret redacted.

``translate_errors`` (a context manager that also works as a decorator) turns the
client libraries' errors into ``KafkaOpsError``; ``KafkaModule.fail_kafka``
(kafka_common.py) reports one as ``Failed to <action>: <reason>``. Pure functions
apart from the exception classes of the client libraries (empty without them).
"""

from __future__ import annotations

import contextlib

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import CONFLUENT_KAFKA_ERRORS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import KAZOO_ERRORS

# Exceptions the client libraries raise for broker, network and protocol
# problems. Anything else is a bug and must surface with its traceback.
# concurrent.futures.TimeoutError is the builtin TimeoutError on Python >= 3.11
# and a subclass of it on 3.8 - 3.10 (admin futures raise it).
KAFKA_ERRORS = CONFLUENT_KAFKA_ERRORS
CLIENT_ERRORS = KAFKA_ERRORS + KAZOO_ERRORS + (TimeoutError,)

REDACTED = "********"

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


def redact_config(conf):
    """Copy of a librdkafka config with secret values masked (safe to log or return)."""
    return {key: (REDACTED if key in SECRET_CONFIG_KEYS and value else value) for key, value in conf.items()}


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
