# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Broker configuration: which changes Kafka applies dynamically, which need a restart.

Kafka's DescribeConfigs of a broker resource marks each entry ``is_read_only`` unless its name is
one of the dynamic broker configs (``DynamicBrokerConfig.AllDynamicConfigs``). That flag alone is
not enough, and the small table below fills the gaps, following the Kafka 3.9 documentation
"Updating Broker Configs" (https://kafka.apache.org/39/documentation.html#dynamicbrokerconfigs) and
``kafka.server.DynamicBrokerConfig``:

* ``SSL_STORE_CONFIGS`` (keystores, truststores) may be updated dynamically only per listener
  (``listener.name.<listener>.ssl.keystore.location``) and only per broker; without the listener
  prefix Kafka refuses them ("can be dynamically updated only per-listener").
* ``LISTENER_LIMIT_CONFIGS`` (connection limits, network threads) are dynamic at either scope,
  with or without a listener prefix.
* Every other listener-prefixed key (``listener.name.<listener>.<mechanism>.sasl.jaas.config``,
  ``...ssl.client.auth``) is refused for an existing listener ("restart broker or create a new
  listener"): a restart.
* ``LISTENER_CONFIGS`` and the unprefixed ``ssl.*`` / ``sasl.*`` configs are "dynamic" in Kafka's
  sense (they are read when a listener is added), but existing listeners keep their values until
  the broker restarts; the module therefore treats them as static.
* A key the broker does not report at all (a typo, a plugin's key) is treated as static.

Everything here is pure (unit tested with parametrize).
"""

from __future__ import annotations

import re

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_config import config_string
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_config import source_value
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_config import values_equal
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import REDACTED

# org.apache.kafka.common.config.SslConfigs.RECONFIGURABLE_CONFIGS (Kafka 3.9).
SSL_STORE_CONFIGS = frozenset(
    (
        "ssl.keystore.type",
        "ssl.keystore.location",
        "ssl.keystore.password",
        "ssl.key.password",
        "ssl.keystore.key",
        "ssl.keystore.certificate.chain",
        "ssl.truststore.type",
        "ssl.truststore.location",
        "ssl.truststore.password",
        "ssl.truststore.certificates",
    )
)
# DynamicBrokerConfig.ClusterLevelListenerConfigs.
LISTENER_LIMIT_CONFIGS = frozenset(("max.connections", "max.connection.creation.rate", "num.network.threads"))
# Listener structure (DynamicListenerConfig): only applied to listeners added dynamically.
LISTENER_CONFIGS = frozenset(("listeners", "advertised.listeners", "listener.security.protocol.map"))
LISTENER_SECURITY_PREFIXES = ("ssl.", "sasl.", "principal.builder.class")
# Listener configs that also carry the SASL mechanism: listener.name.<l>.<mechanism>.<config>.
LISTENER_MECHANISM_CONFIGS = (
    "sasl.jaas.config",
    "sasl.login.callback.handler.class",
    "sasl.login.class",
    "sasl.server.callback.handler.class",
    "connections.max.reauth.ms",
)
_LISTENER_PREFIX = re.compile(r"^listener\.name\.[^.]+\.(.+)$")
# Kafka's PASSWORD-type configs (DescribeConfigs hides their values) and anything named like a secret.
_SENSITIVE_NAME = re.compile(
    r"(password|secret|sasl\.jaas\.config$|ssl\.keystore\.key$|ssl\.keystore\.certificate\.chain$"
    r"|ssl\.truststore\.certificates$)"
)

SCOPE_BROKER = "broker"
SCOPE_CLUSTER = "cluster"

# ConfigSource values (confluent_kafka.admin.ConfigSource).
SOURCE_DYNAMIC_BROKER = 2
SOURCE_DEFAULT = 5


def listener_base(key):
    """``(True, base name)`` for ``listener.name.<listener>.[<mechanism>.]<base>``, else ``(False, key)``."""
    match = _LISTENER_PREFIX.match(key)
    if not match:
        return False, key
    rest = match.group(1)
    for config in LISTENER_MECHANISM_CONFIGS:
        if rest.endswith("." + config):
            return True, config
    return True, rest


def is_sensitive(key, entry=None):
    """True when Kafka hides the value (``is_sensitive``) or the name says it is a secret."""
    if entry is not None and getattr(entry, "is_sensitive", False):
        return True
    _prefixed, base = listener_base(key)
    return bool(_SENSITIVE_NAME.search(base))


def classify(key, entry, scope):
    """``(dynamic, why)``: can Kafka apply ``key`` at ``scope`` without a restart?

    ``entry`` is the key's ConfigEntry in a per-broker DescribeConfigs (None when not reported),
    ``scope`` is ``broker`` (one broker) or ``cluster`` (the cluster-wide default, which
    confluent-kafka cannot address yet: kept so the table states Kafka's rule completely).
    """
    prefixed, base = listener_base(key)
    if base in LISTENER_LIMIT_CONFIGS:
        return True, "dynamic (cluster-wide)"
    if prefixed:
        if base in SSL_STORE_CONFIGS:
            if scope == SCOPE_CLUSTER:
                return False, "listener keystores and truststores can only be updated per broker"
            return True, "dynamic (per-broker listener keystore/truststore)"
        return False, "existing listeners only pick up this listener config at a restart"
    if base in SSL_STORE_CONFIGS:
        return False, "Kafka updates keystores and truststores dynamically only with a listener.name.<listener>. prefix"
    if base in LISTENER_CONFIGS or base.startswith(LISTENER_SECURITY_PREFIXES):
        return False, "existing listeners only pick up this config at a restart"
    if entry is None:
        return False, "the broker does not report this config (unknown key?)"
    if getattr(entry, "is_read_only", True):
        return False, "read-only: Kafka applies it at a restart"
    return True, "dynamic (cluster-wide)"


def is_set(entry):
    """Whether the broker has a value for the key from any source but Kafka's default (for sensitive
    keys, whose value DescribeConfigs hides)."""
    if entry is None:
        return False
    return source_value(getattr(entry, "source", SOURCE_DEFAULT)) != SOURCE_DEFAULT


def plan_changes(config, current, scope=SCOPE_BROKER, update_sensitive="always"):
    """Compare the wanted ``config`` with the broker's; returns one item per key, in key order.

    ``current`` are the ConfigEntry objects of a per-broker DescribeConfigs (every key the broker
    knows, with its effective value, source and ``is_read_only``). Each item is
    ``{key, value, before, after, sensitive, action, dynamic, why}`` where ``action`` is
    ``unchanged``, ``dynamic`` (set without restart) or ``static`` (needs a restart); ``before``
    and ``after`` are masked for sensitive keys.
    """
    items = []
    for key in sorted(config):
        want = config_string(config[key])
        entry = current.get(key)
        sensitive = is_sensitive(key, entry)
        dynamic, why = classify(key, entry, scope)
        have = entry.value if entry is not None else None
        if sensitive:
            differs = update_sensitive == "always" or not is_set(entry)
            before = REDACTED if is_set(entry) else None
        else:
            differs = have is None or not values_equal(want, have)
            before = have
        if not differs:
            action = "unchanged"
        else:
            action = "dynamic" if dynamic else "static"
        items.append(
            dict(
                key=key,
                value=want,
                before=before,
                after=REDACTED if sensitive else want,
                sensitive=sensitive,
                action=action,
                dynamic=dynamic,
                why=why,
            )
        )
    return items


def config_problems(config):
    """Input the module refuses before asking the cluster."""
    problems = []
    for key, value in config.items():
        if not isinstance(key, str) or not key.strip():
            problems.append("config keys must be non-empty strings")
        elif value is None:
            problems.append(f"config {key}: a value is required (removing a dynamic config is not supported)")
        elif isinstance(value, dict):
            problems.append(f"config {key}: the value must be a string, number, boolean or list, not a dict")
    return problems


def summarize(items):
    """The module's result fields from ``plan_changes`` items."""
    dynamic = [item for item in items if item["action"] == "dynamic"]
    static = [item for item in items if item["action"] == "static"]
    return dict(
        applied=[item["key"] for item in dynamic],
        static_changes={
            item["key"]: dict(before=item["before"], after=item["after"], reason=item["why"]) for item in static
        },
        restart_required=bool(static),
        unchanged=[item["key"] for item in items if item["action"] == "unchanged"],
        diff=dict(
            before={item["key"]: item["before"] for item in dynamic},
            after={item["key"]: item["after"] for item in dynamic},
        ),
    )


def applied_matches(items, entries):
    """Keys of the applied ``items`` that the re-read per-broker ``entries`` do not show yet."""
    pending = []
    for item in items:
        if item["action"] != "dynamic":
            continue
        entry = entries.get(item["key"])
        if item["sensitive"]:
            source = source_value(getattr(entry, "source", SOURCE_DEFAULT)) if entry is not None else None
            if source != SOURCE_DYNAMIC_BROKER:
                pending.append(item["key"])
        elif entry is None or not values_equal(item["value"], entry.value):
            pending.append(item["key"])
    return pending
