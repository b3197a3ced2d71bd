# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The guarded imports of the client libraries: confluent-kafka, kazoo and pure-sasl.

Every name here exists whether or not a library is installed: ``HAS_<LIB>`` says
whether it is, ``<LIB>_IMPORT_ERROR`` holds the traceback to report, and the
exception tuples are empty without the library (so ``except`` clauses stay valid).
Modules report a missing library through ``KafkaModule`` (kafka_common.py).
"""

from __future__ import annotations

import traceback

# What kafka_common, kafka_errors and kafka_connection import from here.
__all__ = [
    "AdminClient",
    "AuthFailedError",
    "CONFLUENT_KAFKA_ERRORS",
    "CONFLUENT_KAFKA_IMPORT_ERROR",
    "Consumer",
    "HAS_CONFLUENT_KAFKA",
    "HAS_KAZOO",
    "HAS_PURESASL",
    "installed_confluent_kafka_version",
    "KAZOO_ERRORS",
    "KAZOO_IMPORT_ERROR",
    "KazooClient",
    "KazooTimeoutError",
    "MIN_CONFLUENT_KAFKA_VERSION",
    "Producer",
    "PURESASL_IMPORT_ERROR",
    "SessionClosedRequireSaslError",
]

try:
    from confluent_kafka import Consumer
    from confluent_kafka import KafkaException
    from confluent_kafka import Producer
    from confluent_kafka import version as confluent_kafka_version
    from confluent_kafka.admin import AdminClient
except ImportError:
    HAS_CONFLUENT_KAFKA = False
    CONFLUENT_KAFKA_IMPORT_ERROR = traceback.format_exc()
    CONFLUENT_KAFKA_ERRORS = ()
    Consumer = Producer = AdminClient = confluent_kafka_version = None
else:
    HAS_CONFLUENT_KAFKA = True
    CONFLUENT_KAFKA_IMPORT_ERROR = None
    CONFLUENT_KAFKA_ERRORS = (KafkaException,)

try:
    from kazoo.client import KazooClient
    from kazoo.exceptions import AuthFailedError
    from kazoo.exceptions import KazooException
    from kazoo.handlers.threading import KazooTimeoutError
except ImportError:
    HAS_KAZOO = False
    KAZOO_IMPORT_ERROR = traceback.format_exc()
    KAZOO_ERRORS = ()
    KazooClient = None

    class AuthFailedError(Exception):
        """Placeholder, never raised without kazoo."""

    class KazooTimeoutError(Exception):
        """Placeholder, never raised without kazoo."""

else:
    HAS_KAZOO = True
    KAZOO_IMPORT_ERROR = None
    KAZOO_ERRORS = (KazooException, KazooTimeoutError)

try:
    # kazoo >= 2.9 (ZooKeeper 3.7+ enforce.auth); without it the log check still works.
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


def installed_confluent_kafka_version():
    # confluent_kafka.version() returns a str; some older releases a (str, int) tuple.
    found = confluent_kafka_version()
    return found[0] if isinstance(found, tuple) else found
