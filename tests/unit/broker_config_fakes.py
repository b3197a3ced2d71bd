# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Broker config entries for the kafka_broker_config unit tests (importable: conftest.py's folder is on sys.path)."""

from __future__ import annotations

from types import SimpleNamespace

# confluent_kafka.admin.ConfigSource values (without importing the library).
STATIC = 4  # STATIC_BROKER_CONFIG
DEFAULT = 5  # DEFAULT_CONFIG
DYNAMIC = 2  # DYNAMIC_BROKER_CONFIG
SECRET = "ks-pa55-91x"


def entry(value, read_only=False, source=STATIC, sensitive=False, synonyms=None):
    return SimpleNamespace(
        value=value, is_read_only=read_only, source=source, is_sensitive=sensitive, synonyms=synonyms or {}
    )


def broker_entries():
    return {
        "log.retention.ms": entry("604800000"),
        "num.io.threads": entry("8", source=DEFAULT),
        "log.cleaner.threads": entry("1", source=DEFAULT),
        "auto.create.topics.enable": entry("true", read_only=True, source=DEFAULT),
        "log.dirs": entry("/var/lib/kafka", read_only=True),
        "listeners": entry("SASL_PLAINTEXT://:9093"),
        "sasl.enabled.mechanisms": entry("PLAIN,SCRAM-SHA-512"),
        "listener.name.sasl_ssl.ssl.keystore.location": entry("/etc/kafka/tls/old.p12", read_only=True),
        "listener.name.sasl_ssl.ssl.keystore.password": entry(None, read_only=True, sensitive=True),
        "ssl.key.password": entry(None, source=DEFAULT, sensitive=True),
        "listener.name.sasl_ssl.plain.sasl.jaas.config": entry(None, read_only=True, sensitive=True),
    }
