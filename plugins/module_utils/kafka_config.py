# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Config values of Kafka resources (topics, brokers): the form sent, normalized comparison, sources.

Kafka's DescribeConfigs returns every value as a string (``"604800000"``); YAML gives numbers,
booleans and lists. ``config_string`` is what is sent, ``values_equal`` compares the two
normalized. ``source_value`` / ``source_name`` read a ConfigEntry's source (the client
returns plain ints or ``ConfigSource`` members). Pure except for ``source_name`` and
``is_dynamic_topic_config``, which need ``ConfigSource`` from confluent_kafka.
"""

from __future__ import annotations

import re

from ansible.module_utils.common.text.converters import to_native

try:
    from confluent_kafka.admin import ConfigSource
except ImportError:
    pass  # KafkaModule reports the missing library.

_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


def config_string(value):
    """The string sent to Kafka for a config value given in YAML (bool, number, list, str)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(config_string(item) for item in value)
    if isinstance(value, float):
        return repr(value)
    return to_native(value)


def _normalize_scalar(value):
    text = config_string(value).strip()
    if text.lower() in ("true", "false"):
        return text.lower()
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


def normalize_config_value(value):
    """A comparable form of a config value, as given in YAML or as the broker reports it.

    ``604800000``, ``"604800000"`` and ``" 604800000 "`` are equal, ``0.5`` equals ``"0.50"``,
    ``true`` equals ``"TRUE"``, and lists (YAML lists or comma-separated strings) are compared
    as sorted sets (Kafka's list-valued topic configs such as C(cleanup.policy) have no order).
    None (no value) stays None.
    """
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        items = [_normalize_scalar(item) for item in value]
    else:
        text = config_string(value)
        if "," not in text:
            return _normalize_scalar(text)
        items = [_normalize_scalar(part) for part in text.split(",")]
    items = [item for item in items if item != ""]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return tuple(sorted(items, key=lambda item: (isinstance(item, str), str(item))))


def values_equal(left, right):
    return normalize_config_value(left) == normalize_config_value(right)


def config_value_problem(key, value):
    if not isinstance(key, str) or not key.strip():
        return "config keys must be non-empty strings"
    if isinstance(value, dict):
        return f"config {key}: the value must be a string, number, boolean, list or null, not a dict"
    if isinstance(value, (list, tuple)) and any(isinstance(item, (dict, list, tuple)) for item in value):
        return f"config {key}: list values must contain only strings, numbers or booleans"
    return None


def int_or_none(value):
    """A config value as an int, or None when it is not one."""
    try:
        return int(config_string(value).strip())
    except (TypeError, ValueError):
        return None


def source_value(source):
    """A ConfigEntry source as an int (the client returns plain ints or ConfigSource members)."""
    return int(getattr(source, "value", source))


def source_name(source):
    try:
        return ConfigSource(source_value(source)).name
    except (NameError, ValueError):
        return str(source)


def is_dynamic_topic_config(source):
    return source_value(source) == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
