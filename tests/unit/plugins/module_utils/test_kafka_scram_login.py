# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_scram with confluent-kafka's ScramMechanism and KafkaError (needs confluent-kafka)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_scram as ks  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaOpsError  # noqa: E402

KafkaError = confluent_kafka.KafkaError
ScramMechanism = confluent_kafka.admin.ScramMechanism

SHA512 = "SCRAM-SHA-512"
SHA256 = "SCRAM-SHA-256"
C512_8K = dict(mechanism=SHA512, iterations=8192)
C256 = dict(mechanism=SHA256, iterations=4096)


# ---------------------------------------------------------------------------
# reading
# ---------------------------------------------------------------------------


def test_credentials_from_description_sorted_with_names():
    description = SimpleNamespace(
        user="alice",
        scram_credential_infos=[
            SimpleNamespace(mechanism=ScramMechanism.SCRAM_SHA_512, iterations=8192),
            SimpleNamespace(mechanism=ScramMechanism.SCRAM_SHA_256, iterations=4096),
        ],
    )
    assert ks.credentials_from_description(description) == [C256, C512_8K]


@pytest.mark.parametrize(
    "value, name",
    [(ScramMechanism.SCRAM_SHA_256, SHA256), (ScramMechanism.SCRAM_SHA_512, SHA512)],
)
def test_mechanism_name(value, name):
    assert ks.mechanism_name(value) == name


# ---------------------------------------------------------------------------
# login outcome (error texts as librdkafka 2.16 reports them against Kafka 3.9)
# ---------------------------------------------------------------------------

BAD_PASSWORD = KafkaError(
    KafkaError._AUTHENTICATION,
    "sasl_plaintext://127.0.0.1:49093/bootstrap: SASL authentication error: Authentication failed during "
    "authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512 (after 325ms in state AUTH_REQ)",
)
UNSUPPORTED = KafkaError(
    KafkaError._AUTHENTICATION,
    "sasl_plaintext://127.0.0.1:49093/bootstrap: SASL SCRAM-SHA-256 mechanism handshake failed: Broker: "
    "Unsupported SASL mechanism: broker's supported mechanisms: PLAIN,SCRAM-SHA-512 (after 301ms in state "
    "AUTH_HANDSHAKE)",
)
ALL_DOWN = KafkaError(KafkaError._ALL_BROKERS_DOWN, "1/1 brokers are down")
REFUSED = KafkaError(KafkaError._TRANSPORT, "127.0.0.1:1/bootstrap: Connect failed: Connection refused")


@pytest.mark.parametrize(
    "errors, outcome",
    [
        ([], None),
        ([REFUSED], None),
        ([BAD_PASSWORD, ALL_DOWN], ks.REJECTED),
        ([REFUSED, BAD_PASSWORD], ks.REJECTED),
    ],
)
def test_authentication_outcome(errors, outcome):
    assert ks.authentication_outcome(errors) == outcome


def test_authentication_outcome_unsupported_mechanism():
    with pytest.raises(ValueError) as info:
        ks.authentication_outcome([UNSUPPORTED, ALL_DOWN])
    assert "Unsupported SASL mechanism" in str(info.value)


@pytest.mark.parametrize(
    "errors, final, expected",
    [
        ([], False, None),
        ([REFUSED], False, None),
        ([BAD_PASSWORD, ALL_DOWN], False, ks.REJECTED),
    ],
)
def test_login_outcome(errors, final, expected):
    assert ks._login_outcome("verify", errors, final) == expected


@pytest.mark.parametrize(
    "errors, final, fragment",
    [
        ([UNSUPPORTED], False, "the password cannot be checked on this listener"),
        ([REFUSED, ALL_DOWN], False, "Connection refused"),
        ([REFUSED], True, "Connection refused"),
    ],
)
def test_login_outcome_raises(errors, final, fragment):
    with pytest.raises(KafkaOpsError) as info:
        ks._login_outcome("verify the password of user alice", errors, final)
    assert str(info.value).startswith("Failed to verify the password of user alice: ")
    assert fragment in str(info.value)
