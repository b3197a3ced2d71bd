# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_broker_config main() against a fake AdminClient (no network); the pure functions are tested in
tests/unit/plugins/module_utils/test_kafka_broker_config.py."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from broker_config_fakes import DYNAMIC  # noqa: E402
from broker_config_fakes import SECRET  # noqa: E402
from broker_config_fakes import STATIC  # noqa: E402
from broker_config_fakes import broker_entries  # noqa: E402
from broker_config_fakes import entry  # noqa: E402
from confluent_kafka.admin import AlterConfigOpType  # noqa: E402
from confluent_kafka.admin import ResourceType  # noqa: E402
from kafka_fakes import done  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import is_sensitive  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.modules import kafka_broker_config  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException

# ---------------------------------------------------------------------------
# main()
# ---------------------------------------------------------------------------


class FakeAdmin:
    """Broker configs in memory; a SET shows in the next DescribeConfigs after ``lag`` reads."""

    def __init__(self, brokers=(0, 1, 2), lag=0, refuse=None):
        self.brokers = list(brokers)
        self.configs = {str(b): broker_entries() for b in brokers}
        self.lag = lag
        self.refuse = refuse
        self.pending = []
        self.alter_calls = []
        self.describe_calls = []

    def describe_cluster(self, request_timeout):
        nodes = [SimpleNamespace(id=b, host=f"kafka-{b}", port=9092, rack=None) for b in self.brokers]
        return done(SimpleNamespace(cluster_id="cid", controller=nodes[0], nodes=nodes))

    def poll(self, timeout):
        return 0

    def describe_configs(self, resources, request_timeout):
        (resource,) = resources
        assert resource.restype == ResourceType.BROKER
        self.describe_calls.append(resource.name)
        if self.pending:
            if self.lag <= 0:
                for name, key, value in self.pending:
                    sensitive = is_sensitive(key)
                    self.configs[name][key] = entry(None if sensitive else value, source=DYNAMIC, sensitive=sensitive)
                self.pending = []
            self.lag -= 1
        return {resource: done(dict(self.configs[resource.name]))}

    def incremental_alter_configs(self, resources, request_timeout, validate_only=False):
        (resource,) = resources
        ops = {e.incremental_operation for e in resource.incremental_configs}
        assert len(ops) == 1 and ops <= {AlterConfigOpType.SET, AlterConfigOpType.DELETE}
        if ops == {AlterConfigOpType.DELETE}:
            keys = [e.name for e in resource.incremental_configs]
            self.alter_calls.append((resource.name, {key: "DELETE" for key in keys}, validate_only))
            if not validate_only:
                for key in keys:
                    self.configs[resource.name][key] = entry("1", source=STATIC)
            return {resource: done()}
        changes = {e.name: e.value for e in resource.incremental_configs}
        self.alter_calls.append((resource.name, changes, validate_only))
        if self.refuse:
            error = KafkaException(KafkaError(KafkaError.INVALID_CONFIG, self.refuse))
            return {resource: done(exception=error)}
        if not validate_only:
            self.pending.extend((resource.name, key, value) for key, value in changes.items())
        return {resource: done()}


@pytest.fixture
def fake_admin(monkeypatch):
    def install(**kwargs):
        admin = FakeAdmin(**kwargs)
        monkeypatch.setattr(KafkaModule, "admin_client", lambda module: admin)
        return admin

    return install


BASE = dict(bootstrap_servers=["kafka-0:9092"], request_timeout=5)
CONFIG = {"log.retention.ms": 604800000, "num.io.threads": 16, "auto.create.topics.enable": False}


def args(**kwargs):
    return dict(BASE, **kwargs)


def test_check_mode_validates_and_changes_nothing(run_module, fake_admin):
    admin = fake_admin()
    failed, result = run_module(kafka_broker_config.main, args(broker_id=1, config=CONFIG), check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["applied"] == ["num.io.threads"]
    assert result["unchanged"] == ["log.retention.ms"]
    assert result["restart_required"] is True
    assert result["static_changes"] == {
        "auto.create.topics.enable": dict(
            before="true", after="false", reason="read-only: Kafka applies it at a restart"
        )
    }
    assert result["diff"] == dict(before={"num.io.threads": "8"}, after={"num.io.threads": "16"})
    assert result["config"] == {
        "auto.create.topics.enable": "true",
        "log.retention.ms": "604800000",
        "num.io.threads": "16",
    }
    assert admin.alter_calls == [("1", {"num.io.threads": "16"}, True)]
    assert admin.configs["1"]["num.io.threads"].value == "8"


def test_applies_dynamic_changes_only_then_is_idempotent(run_module, fake_admin):
    admin = fake_admin(lag=2)
    failed, result = run_module(kafka_broker_config.main, args(broker_id=1, config=CONFIG))
    assert not failed, result
    assert result["changed"] is True
    assert result["applied"] == ["num.io.threads"]
    assert result["config"]["num.io.threads"] == "16"
    assert "diff" not in result
    assert admin.alter_calls == [("1", {"num.io.threads": "16"}, False)]
    assert admin.describe_calls.count("1") >= 3  # waited for the broker to report the new value
    failed, again = run_module(kafka_broker_config.main, args(broker_id=1, config=CONFIG))
    assert not failed, again
    assert again["changed"] is False
    assert again["applied"] == []
    assert again["restart_required"] is True  # auto.create.topics.enable still waits for a restart
    assert len(admin.alter_calls) == 1


def test_only_static_changes(run_module, fake_admin):
    admin = fake_admin()
    failed, result = run_module(kafka_broker_config.main, args(broker_id=0, config={"log.dirs": "/data/kafka"}))
    assert not failed, result
    assert result["changed"] is False
    assert result["static_changes"]["log.dirs"]["after"] == "/data/kafka"
    assert result["restart_required"] is True
    assert admin.alter_calls == []


def test_sensitive_values_are_masked_and_never_in_messages(run_module, fake_admin):
    fake_admin(refuse=f"Invalid value {SECRET} for configuration")
    key = "listener.name.sasl_ssl.ssl.keystore.password"
    failed, result = run_module(kafka_broker_config.main, args(broker_id=0, config={key: SECRET}), diff=True)
    assert failed
    assert SECRET not in str(result)
    assert "Invalid value ******** for configuration" in result["msg"]


def test_sensitive_dynamic_change_is_masked(run_module, fake_admin):
    admin = fake_admin()
    key = "listener.name.sasl_ssl.ssl.keystore.password"
    failed, result = run_module(kafka_broker_config.main, args(broker_id=0, config={key: SECRET}), diff=True)
    assert not failed, result
    assert result["applied"] == [key]
    assert result["diff"] == dict(before={key: "********"}, after={key: "********"})
    assert result["config"] == {key: "********"}
    assert SECRET not in str(result)
    assert admin.alter_calls == [("0", {key: SECRET}, False)]


def test_broker_not_live(run_module, fake_admin):
    fake_admin(brokers=(0, 1))
    failed, result = run_module(kafka_broker_config.main, args(broker_id=2, config=CONFIG))
    assert failed
    assert result["msg"].startswith("Failed to read the configuration of broker 2: broker 2 is not live")


def test_unknown_key_warns(run_module, fake_admin):
    fake_admin()
    failed, result = run_module(kafka_broker_config.main, args(broker_id=0, config={"bogus.key": 1}))
    assert not failed, result
    assert result["restart_required"] is True
    assert "unknown config key" in str(result["warnings"])


def test_none_value_is_refused(run_module, fake_admin):
    fake_admin()
    failed, result = run_module(kafka_broker_config.main, args(broker_id=0, config={"num.io.threads": None}))
    assert failed
    assert "a value is required" in result["msg"]


@pytest.mark.parametrize("check_mode", [False, True])
def test_reset_deletes_only_dynamic_values(run_module, fake_admin, check_mode):
    admin = fake_admin()
    admin.configs["1"]["log.cleaner.threads"] = entry("4", source=DYNAMIC)
    admin.configs["1"]["num.io.threads"] = entry("8", source=STATIC)
    reset = ["log.cleaner.threads", "num.io.threads", "no.such.key"]
    failed, result = run_module(
        kafka_broker_config.main, args(broker_id=1, config={}, reset=reset), check_mode=check_mode, diff=True
    )
    assert not failed, result
    assert result["changed"] is True
    assert result["reset"] == ["log.cleaner.threads"]
    assert admin.alter_calls == [("1", {"log.cleaner.threads": "DELETE"}, check_mode)]
    # --diff shows the reset (it printed nothing before): the value the broker falls back to, re-read; check mode
    # cannot know it.
    after = "(per-broker value deleted)" if check_mode else "1"
    assert result["diff"] == dict(before={"log.cleaner.threads": "4"}, after={"log.cleaner.threads": after})
    if not check_mode:
        failed, again = run_module(kafka_broker_config.main, args(broker_id=1, config={}, reset=reset))
        assert not failed and again["changed"] is False and again["reset"] == []


def test_reset_and_config_must_not_overlap(run_module, fake_admin):
    fake_admin()
    failed, result = run_module(
        kafka_broker_config.main, args(broker_id=1, config={"num.io.threads": 8}, reset=["num.io.threads"])
    )
    assert failed
    assert "num.io.threads is both in config and in reset" in result["msg"]


def test_reset_waits_until_the_broker_reports_it_and_diffs_with_the_set_keys(run_module, fake_admin, monkeypatch):
    admin = fake_admin()
    admin.configs["1"]["log.cleaner.threads"] = entry("4", source=DYNAMIC)
    alter, describe = admin.incremental_alter_configs, admin.describe_configs
    reads_until_deleted = []

    def late_delete(resources, request_timeout, validate_only=False):
        # The broker reports the deleted value three reads later (its ZooKeeper notification, then its reconfiguration).
        (resource,) = resources
        if resource.incremental_configs[0].incremental_operation == AlterConfigOpType.DELETE and not validate_only:
            admin.alter_calls.append((resource.name, {"log.cleaner.threads": "DELETE"}, False))
            reads_until_deleted.append(3)
            return {resource: done()}
        return alter(resources, request_timeout, validate_only)

    def late_describe(resources, request_timeout):
        if reads_until_deleted:
            reads_until_deleted[0] -= 1
            fallback = {"log.cleaner.threads": entry("1", source=STATIC)}
            if reads_until_deleted[0] < 0:
                admin.configs["1"]["log.cleaner.threads"] = entry("1", source=STATIC, synonyms=fallback)
            elif reads_until_deleted[0] < 1:
                # As a ZooKeeper-mode broker for a moment: the fallback's source with the old value.
                admin.configs["1"]["log.cleaner.threads"] = entry("4", source=STATIC, synonyms=fallback)
        return describe(resources, request_timeout)

    monkeypatch.setattr(admin, "incremental_alter_configs", late_delete)
    monkeypatch.setattr(admin, "describe_configs", late_describe)
    failed, result = run_module(
        kafka_broker_config.main,
        args(broker_id=1, config={"num.io.threads": 16}, reset=["log.cleaner.threads"]),
        diff=True,
    )
    assert not failed, result
    assert admin.alter_calls[-1] == ("1", {"log.cleaner.threads": "DELETE"}, False)
    assert len(admin.describe_calls) >= 5  # the first read, then until the reset shows with its value
    assert result["diff"] == dict(
        before={"num.io.threads": "8", "log.cleaner.threads": "4"},
        after={"num.io.threads": "16", "log.cleaner.threads": "1"},
    )
