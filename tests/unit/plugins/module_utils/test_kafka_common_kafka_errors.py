# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_common's error text for confluent-kafka's KafkaError / KafkaException (needs confluent-kafka).

The cases without confluent-kafka objects are in test_kafka_common.py and run without the library.
"""

from __future__ import annotations

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_common as kc

confluent_kafka = pytest.importorskip("confluent_kafka")
KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException


@pytest.mark.parametrize(
    "exc, expected",
    [
        (
            KafkaException(KafkaError(KafkaError._TIMED_OUT, "Failed while waiting for controller: Local: Timed out")),
            "Failed while waiting for controller: Local: Timed out (_TIMED_OUT)",
        ),
        (
            KafkaError(KafkaError.TOPIC_ALREADY_EXISTS, "Topic 'x' already exists."),
            "Topic 'x' already exists. (TOPIC_ALREADY_EXISTS)",
        ),
        (KafkaError(KafkaError._TRANSPORT, "_TRANSPORT: connection reset"), "_TRANSPORT: connection reset"),
    ],
)
def test_error_reason(exc, expected):
    assert kc.error_reason(exc) == expected


@pytest.mark.parametrize(
    "exc, code",
    [
        (KafkaException(KafkaError(KafkaError._TIMED_OUT)), "_TIMED_OUT"),
        (KafkaError(KafkaError.TOPIC_ALREADY_EXISTS), "TOPIC_ALREADY_EXISTS"),
    ],
)
def test_kafka_error_code(exc, code):
    assert kc.kafka_error_code(exc) == code


def test_kafka_ops_error_message_and_code():
    err = kc.KafkaOpsError("read cluster metadata", exception=KafkaException(KafkaError(KafkaError._TIMED_OUT, "slow")))
    assert str(err) == "Failed to read cluster metadata: slow (_TIMED_OUT)"
    assert err.code == "_TIMED_OUT"


@pytest.mark.parametrize(
    "raised",
    [
        KafkaException(KafkaError(KafkaError._TRANSPORT, "reset")),
    ],
)
def test_translate_errors_wraps_client_errors(raised):
    with pytest.raises(kc.KafkaOpsError) as info:
        with kc.translate_errors("do a thing"):
            raise raised
    assert str(info.value).startswith("Failed to do a thing")
    assert info.value.exception is raised


# ---------------------------------------------------------------------------
# connection errors reported through error_cb
# ---------------------------------------------------------------------------

REFUSED = KafkaError(
    KafkaError._TRANSPORT, "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused"
)
ALL_DOWN = KafkaError(KafkaError._ALL_BROKERS_DOWN, "1/1 brokers are down")
AUTH = KafkaError(KafkaError._AUTHENTICATION, "SASL authentication error: Authentication failed")
RESOLVE = KafkaError(KafkaError._RESOLVE, "kafka-9:9092/bootstrap: Failed to resolve 'kafka-9:9092'")


@pytest.mark.parametrize(
    "errors, expected",
    [
        ([], None),
        ([REFUSED], None),  # a single refused connection: keep waiting
        ([REFUSED, ALL_DOWN], kc.kafka_error_text(REFUSED)),
        ([RESOLVE, ALL_DOWN], kc.kafka_error_text(RESOLVE)),
        ([REFUSED, AUTH], kc.kafka_error_text(AUTH)),
        ([AUTH, REFUSED, ALL_DOWN], kc.kafka_error_text(AUTH)),
        ([ALL_DOWN], kc.kafka_error_text(ALL_DOWN)),
    ],
)
def test_connection_failure_reason(errors, expected):
    assert kc.connection_failure_reason(errors) == expected


def test_summarize_connection_errors_prefers_latest_transport_error():
    later = KafkaError(KafkaError._TRANSPORT, "kafka-1:9092/1: Connection reset")
    assert kc.summarize_connection_errors([REFUSED, later, ALL_DOWN]) == kc.kafka_error_text(later)
    assert kc.summarize_connection_errors([]) is None
