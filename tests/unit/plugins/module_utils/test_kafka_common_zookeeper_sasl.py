# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""ZooKeeper SASL options and secret redaction (the session check: test_kafka_common_zookeeper_session.py)."""

from __future__ import annotations

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_common as kc

ZK_PASSWORD = "zk-s3cret-pw"
SASL_PASSWORD = "kafka-s3cret-pw"
USER_PASSWORD = "alice-s3cret-pw"


# ---------------------------------------------------------------------------
# argument spec and sasl_options
# ---------------------------------------------------------------------------


def test_zookeeper_sasl_spec():
    spec = kc.zookeeper_argument_spec()
    assert spec["zookeeper_sasl_password"]["no_log"] is True
    assert not spec["zookeeper_sasl_username"].get("no_log")
    assert spec["zookeeper_sasl_mechanism"]["default"] == "DIGEST-MD5"
    assert spec["zookeeper_sasl_mechanism"]["choices"] == ["DIGEST-MD5"]
    assert kc.zookeeper_required_together() == [("zookeeper_sasl_username", "zookeeper_sasl_password")]
    assert kc.no_log_options(spec) == kc.ZOOKEEPER_SECRET_OPTIONS


@pytest.mark.parametrize(
    "params, expected",
    [
        (dict(), None),
        (dict(zookeeper_sasl_username=None, zookeeper_sasl_password="ignored"), None),
        (
            dict(zookeeper_sasl_username="kafka", zookeeper_sasl_password=ZK_PASSWORD),
            dict(mechanism="DIGEST-MD5", username="kafka", password=ZK_PASSWORD),
        ),
        (
            dict(zookeeper_sasl_username="kafka", zookeeper_sasl_password=ZK_PASSWORD, zookeeper_sasl_mechanism=None),
            dict(mechanism="DIGEST-MD5", username="kafka", password=ZK_PASSWORD),
        ),
        (
            dict(zookeeper_sasl_username="k", zookeeper_sasl_password="p", zookeeper_sasl_mechanism="DIGEST-MD5"),
            dict(mechanism="DIGEST-MD5", username="k", password="p"),
        ),
    ],
)
def test_build_zookeeper_sasl_options(params, expected):
    assert kc.build_zookeeper_sasl_options(params) == expected


def test_sasl_options_are_fresh_dicts():
    params = dict(zookeeper_sasl_username="kafka", zookeeper_sasl_password=ZK_PASSWORD)
    first = kc.build_zookeeper_sasl_options(params)
    first["service"] = "zookeeper"  # kazoo does this to the dict it gets
    assert "service" not in kc.build_zookeeper_sasl_options(params)


# ---------------------------------------------------------------------------
# redaction of every no_log option
# ---------------------------------------------------------------------------


def test_no_log_options_of_merged_spec():
    spec = kc.kafka_argument_spec()
    spec.update(kc.zookeeper_argument_spec())
    spec.update(password=dict(type="str", no_log=True), name=dict(type="str"))
    assert kc.no_log_options(spec) == ("password", "sasl_password", "ssl_keyfile_password", "zookeeper_sasl_password")


def test_secrets_from_params_default_includes_zookeeper_password():
    params = dict(sasl_password=SASL_PASSWORD, zookeeper_sasl_password=ZK_PASSWORD, ssl_keyfile_password=None)
    assert sorted(kc.secrets_from_params(params)) == sorted([SASL_PASSWORD, ZK_PASSWORD])


@pytest.mark.parametrize(
    "text, secrets, expected",
    [
        (f"digest {ZK_PASSWORD} refused", [ZK_PASSWORD], f"digest {kc.REDACTED} refused"),
        (f"{USER_PASSWORD} and {SASL_PASSWORD}", [USER_PASSWORD, SASL_PASSWORD], f"{kc.REDACTED} and {kc.REDACTED}"),
    ],
)
def test_redact_new_secrets(text, secrets, expected):
    assert kc.redact(text, secrets) == expected


def test_kafka_error_text_drops_unprintable_garbage():
    confluent_kafka = pytest.importorskip("confluent_kafka")
    err = confluent_kafka.KafkaError(
        confluent_kafka.KafkaError.RESOURCE_NOT_FOUND,
        "Attempt to describe a user credential that does not exist: x\x01",
    )
    assert kc.kafka_error_text(err) == (
        "Attempt to describe a user credential that does not exist: x (RESOURCE_NOT_FOUND)"
    )
