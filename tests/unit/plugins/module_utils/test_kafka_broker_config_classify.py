# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils/kafka_broker_config, pure: listener prefixes, dynamic or static, sensitive keys, the plan."""

from __future__ import annotations

import pytest
from broker_config_fakes import DEFAULT
from broker_config_fakes import DYNAMIC
from broker_config_fakes import SECRET
from broker_config_fakes import STATIC
from broker_config_fakes import broker_entries
from broker_config_fakes import entry

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import applied_matches
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import classify
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import config_problems
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import is_sensitive
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import listener_base
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import plan_changes


@pytest.mark.parametrize(
    "key, expected",
    [
        ("num.io.threads", (False, "num.io.threads")),
        ("listener.name.sasl_ssl.ssl.keystore.location", (True, "ssl.keystore.location")),
        ("listener.name.sasl_ssl.plain.sasl.jaas.config", (True, "sasl.jaas.config")),
        ("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", (True, "sasl.jaas.config")),
        ("listener.name.internal.max.connections", (True, "max.connections")),
    ],
)
def test_listener_base(key, expected):
    assert listener_base(key) == expected


@pytest.mark.parametrize(
    "key, entry_, scope, dynamic",
    [
        # Reported as not read-only: dynamic.
        ("log.retention.ms", entry("1"), "broker", True),
        ("num.io.threads", entry("8"), "cluster", True),
        # Read-only: static.
        ("auto.create.topics.enable", entry("true", read_only=True), "broker", False),
        # Unknown to the broker: static.
        ("bogus.key", None, "broker", False),
        # Keystores: per broker and per listener only.
        ("listener.name.sasl_ssl.ssl.keystore.location", entry("x", read_only=True), "broker", True),
        ("listener.name.sasl_ssl.ssl.keystore.location", None, "broker", True),
        ("listener.name.sasl_ssl.ssl.truststore.password", None, "cluster", False),
        ("ssl.keystore.location", entry("x"), "broker", False),
        # Other listener configs only reach existing listeners at a restart.
        ("listener.name.sasl_ssl.plain.sasl.jaas.config", None, "broker", False),
        ("listener.name.sasl_ssl.ssl.client.auth", None, "broker", False),
        ("listeners", entry("x"), "broker", False),
        ("advertised.listeners", entry("x"), "broker", False),
        ("sasl.enabled.mechanisms", entry("PLAIN"), "broker", False),
        ("ssl.cipher.suites", entry(""), "broker", False),
        # Connection limits: either scope, prefixed or not.
        ("max.connections", entry("100"), "cluster", True),
        ("listener.name.internal.max.connections", None, "cluster", True),
        ("listener.name.internal.num.network.threads", None, "broker", True),
    ],
)
def test_classify(key, entry_, scope, dynamic):
    result, why = classify(key, entry_, scope)
    assert result is dynamic, why
    assert why


@pytest.mark.parametrize(
    "key, entry_, sensitive",
    [
        ("num.io.threads", entry("8"), False),
        ("ssl.key.password", None, True),
        ("listener.name.sasl_ssl.ssl.keystore.password", None, True),
        ("listener.name.sasl_ssl.plain.sasl.jaas.config", None, True),
        ("sasl.jaas.config", None, True),
        ("password.encoder.secret", None, True),
        ("custom.thing", entry(None, sensitive=True), True),
    ],
)
def test_is_sensitive(key, entry_, sensitive):
    assert is_sensitive(key, entry_) is sensitive


@pytest.mark.parametrize(
    "want, have, action",
    [
        (604800000, "604800000", "unchanged"),
        ("604800000", "604800000", "unchanged"),
        (" 604800000 ", "604800000", "unchanged"),
        (86400000, "604800000", "dynamic"),
    ],
)
def test_plan_normalizes_values(want, have, action):
    (item,) = plan_changes({"log.retention.ms": want}, {"log.retention.ms": entry(have)})
    assert item["action"] == action
    assert item["value"] == str(want).strip() if action == "dynamic" else True


@pytest.mark.parametrize(
    "want, have, action",
    [
        (True, "true", "unchanged"),
        ("TRUE", "true", "unchanged"),
        (False, "true", "static"),
    ],
)
def test_plan_static_booleans(want, have, action):
    (item,) = plan_changes({"auto.create.topics.enable": want}, {"auto.create.topics.enable": entry(have, True)})
    assert item["action"] == action
    if action == "static":
        assert (item["before"], item["after"]) == ("true", "false")


@pytest.mark.parametrize(
    "update, source, action, before",
    [
        ("always", STATIC, "dynamic", "********"),
        ("always", DEFAULT, "dynamic", None),
        ("when_unset", STATIC, "unchanged", "********"),
        ("when_unset", DEFAULT, "dynamic", None),
    ],
)
def test_plan_sensitive(update, source, action, before):
    key = "listener.name.sasl_ssl.ssl.keystore.password"
    current = {key: entry(None, read_only=True, source=source, sensitive=True)}
    (item,) = plan_changes({key: SECRET}, current, update_sensitive=update)
    assert item["action"] == action
    assert item["before"] == before
    assert item["after"] == "********"
    assert item["value"] == SECRET  # sent to Kafka, never returned


def test_applied_matches():
    items = plan_changes({"num.io.threads": 16, "ssl.key.password": "x"}, broker_entries())
    items[1]["action"] = "dynamic"  # pretend, to check the sensitive branch
    assert applied_matches(items, broker_entries()) == ["num.io.threads", "ssl.key.password"]
    after = dict(broker_entries(), **{"num.io.threads": entry("16", source=DYNAMIC)})
    after["ssl.key.password"] = entry(None, source=DYNAMIC, sensitive=True)
    assert applied_matches(items, after) == []


@pytest.mark.parametrize(
    "config, problem",
    [
        ({"a": None}, "a value is required"),
        ({"a": {"b": 1}}, "not a dict"),
        ({" ": 1}, "non-empty strings"),
        ({"a": [1, 2], "b": True}, None),
    ],
)
def test_config_problems(config, problem):
    problems = config_problems(config)
    if problem is None:
        assert problems == []
    else:
        assert problem in problems[0]
