# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The shared code of the Connect modules: configuration normalization and masking, status documents,
and the module base class.

Usage in a module::

    from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import ConnectModule
    from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_rest import ConnectError

    module = ConnectModule(argument_spec=dict(...), supports_check_mode=True)
    try:
        client = module.client()          # a kafka_connect_rest.ConnectClient
        worker = client.root()            # fails fast, naming every URL tried
        connectors = client.connectors()  # {name: {type, config, tasks, status}}
        ...
    except ConnectError as e:
        module.fail_connect(e)

The REST API returns every configuration value as a string, so configurations
are compared after ``normalize_config`` (``connector.class`` through the
installed plugins: an alias equals its class). Secret values - those of
secret-looking keys (``is_secret_key``, ``connection.url`` included) and any
value that contains ``password=`` (a JDBC URL) - are masked by ``mask_config``
before they reach a diff or a result, and ``ConnectModule.add_config_secrets``
makes Ansible mask them (and the passwords inside them) everywhere else in the
module's output too: messages, warnings, the workers' error texts.

Dependencies go one way: the module imports this, ``kafka_connect_plan`` (planning, pure) and
``kafka_connect_apply`` (writes and waits); those import this and ``kafka_connect_rest`` (the client);
nothing here imports a module.
"""

from __future__ import annotations

import re

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_text

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import ModuleWrapper
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_rest import MAX_MESSAGE_CHARS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_rest import ConnectClient
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import REDACTED
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import format_failure
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import no_log_options
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import redact

# Configuration keys whose values are secrets (case-insensitive regular expression, searched
# anywhere in the key): passwords, JAAS configs, cloud credentials, tokens, basic auth user info.
SECRET_KEY_PATTERN = (
    r"password|passwd|secret|token|credential|sasl\.jaas\.config|key\.id|access\.key|private\.key"
    r"|api\.key|keystore\.key|user\.info|connection\.uri|connection\.url"
)
# Values that are secrets whatever their key: a password inside (JDBC URLs: ?password=..., ;password=...).
SECRET_VALUE_PATTERN = re.compile(r"(?:password|passwd|pwd)\s*=", re.IGNORECASE)
# Passwords inside a secret value, masked on their own too (a worker's message may quote only a part of the
# value): password=<p>, scheme://user:<p>@host, Oracle's thin:user/<p>@host.
_EMBEDDED_SECRETS = (
    re.compile(r"(?:password|passwd|pwd)\s*=\s*([^&;,\s'\"]+)", re.IGNORECASE),
    re.compile(r"://[^/@:\s]*:([^@/\s]+)@"),
    re.compile(r"(?:thin|oci):[^/@\s]*/([^@\s]+)@", re.IGNORECASE),
)

# Connector states reported by GET /connectors/<name>/status.
RUNNING = "RUNNING"
PAUSED = "PAUSED"
STOPPED = "STOPPED"
FAILED = "FAILED"

MAX_TRACE_CHARS = 1500


# ---------------------------------------------------------------------------
# Argument spec
# ---------------------------------------------------------------------------


def connect_argument_spec():
    """Connection options shared by the Connect modules (see doc fragment kafkaops.cluster.kafka_connect)."""
    return dict(
        connect_url=dict(type="list", elements="str", required=True),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        client_cert=dict(type="path"),
        client_key=dict(type="path", no_log=False),
        url_username=dict(type="str"),
        url_password=dict(type="str", no_log=True),
        timeout=dict(type="int", default=30),
        retry_timeout=dict(type="int", default=60),
        secret_keys=dict(type="list", elements="str", default=[], no_log=False),
    )


def connect_required_together():
    return [("url_username", "url_password"), ("client_cert", "client_key")]


# ---------------------------------------------------------------------------
# Configuration normalization and masking (pure functions)
# ---------------------------------------------------------------------------


def normalize_value(value):
    """The string the REST API reports for ``value`` (None for a null value: the key is left out).

    Booleans become ``true``/``false``, numbers their decimal text, lists the comma-joined
    normalized elements (Connect's LIST type). Raises ValueError for a dict.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(normalize_value(item) or "" for item in value)
    if isinstance(value, dict):
        raise ValueError("a dict is not a valid Kafka Connect configuration value")
    return to_text(value)


def normalize_config(config):
    """``{key: str}`` for a connector config as the REST API reports it; ``name`` and null values dropped.

    Raises ValueError naming the first key whose value cannot be a configuration value.
    """
    normalized = {}
    for key, value in (config or {}).items():
        key = to_text(key)
        if key == "name":
            continue
        try:
            text = normalize_value(value)
        except ValueError as e:
            raise ValueError(f"config key {key}: {e}") from e
        if text is not None:
            normalized[key] = text
    return normalized


def config_changes(current, desired, plugins=()):
    """Sorted keys whose (normalized) values differ between two configs: added, removed or changed.

    ``connector.class`` counts as unchanged when both spellings name the same installed plugin of
    ``plugins`` (GET /connector-plugins): an alias such as ``FileStreamSink`` and its full class name.
    """
    current = normalize_config(current)
    desired = normalize_config(desired)
    keys = sorted(key for key in set(current) | set(desired) if current.get(key) != desired.get(key))
    key = "connector.class"
    if key in keys and same_plugin(current.get(key), desired.get(key), plugins):
        keys.remove(key)
    return keys


def secret_key_regex(extra_patterns=()):
    patterns = [SECRET_KEY_PATTERN] + [p for p in extra_patterns or () if p]
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def invalid_patterns(patterns):
    """The entries of ``patterns`` that are not valid regular expressions."""
    bad = []
    for pattern in patterns or ():
        try:
            re.compile(pattern)
        except re.error:
            bad.append(pattern)
    return bad


def is_secret_key(key, extra_patterns=()):
    return secret_key_regex(extra_patterns).search(to_text(key)) is not None


def is_secret_value(value):
    """Whether ``value`` holds a password whatever its key (``...?user=u&password=...``)."""
    return isinstance(value, str) and SECRET_VALUE_PATTERN.search(value) is not None


def _is_secret(regex, key, value):
    return regex.search(to_text(key)) is not None or is_secret_value(value)


def mask_config(config, extra_patterns=(), keys=None):
    """Copy of ``config`` (optionally only ``keys``) with the secret values masked.

    Secret: the value of a secret key, or any value that contains ``password=`` (a JDBC URL).
    """
    regex = secret_key_regex(extra_patterns)
    masked = {}
    for key, value in (config or {}).items():
        if keys is not None and key not in keys:
            continue
        masked[key] = REDACTED if value not in (None, "") and _is_secret(regex, key, value) else value
    return masked


def embedded_secrets(text):
    """The passwords inside a secret value: ``password=<p>``, ``scheme://user:<p>@``, ``thin:user/<p>@``."""
    found = set()
    for pattern in _EMBEDDED_SECRETS:
        found.update(match.group(1) for match in pattern.finditer(text))
    return found


def secret_values(config, extra_patterns=()):
    """The secret values of ``config`` and the passwords inside them (to redact them from any text)."""
    regex = secret_key_regex(extra_patterns)
    values = set()
    for key, value in (config or {}).items():
        text = normalize_value(value) if not isinstance(value, dict) else None
        if not text or not _is_secret(regex, key, text):
            continue
        values.add(text)
        values.update(embedded_secrets(text))
    return sorted(values)


# ---------------------------------------------------------------------------
# REST responses (pure functions)
# ---------------------------------------------------------------------------


def summarize_trace(trace, limit=MAX_TRACE_CHARS):
    """The exception lines of a Java stack trace (first line and every ``Caused by``), without frames."""
    if not trace:
        return None
    lines = [line.rstrip() for line in to_text(trace).splitlines()]
    kept = [
        line
        for index, line in enumerate(lines)
        if line.strip() and (index == 0 or line.startswith("Caused by:") or not line[:1].isspace())
    ]
    kept = [line if len(line) <= MAX_MESSAGE_CHARS else line[: MAX_MESSAGE_CHARS - 3] + "..." for line in kept]
    text = " | ".join(kept)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text


def validation_errors(response):
    """``["<field>: <message>", ...]`` of a /connector-plugins/<class>/config/validate response."""
    errors = []
    for entry in (response or {}).get("configs") or []:
        value = entry.get("value") or {}
        field = value.get("name") or (entry.get("definition") or {}).get("name") or "?"
        for message in value.get("errors") or []:
            item = f"{field}: {message}"
            if item not in errors:
                errors.append(item)
    if not errors and (response or {}).get("error_count"):
        errors.append(f"{response['error_count']} error(s) without a message")
    return errors


def plugin_names(plugin_class):
    """The names Connect accepts for a plugin class: the class, its simple name, and the alias without
    the ``Connector`` suffix (``FileStreamSink`` for ``...FileStreamSinkConnector``)."""
    simple = plugin_class.rsplit(".", 1)[-1]
    names = {plugin_class, simple}
    if simple.endswith("Connector") and len(simple) > len("Connector"):
        names.add(simple[: -len("Connector")])
    return names


def find_plugin(connector_class, plugins):
    """The entry of ``plugins`` (GET /connector-plugins) that ``connector_class`` names, or None."""
    for plugin in plugins or []:
        if connector_class in plugin_names(plugin.get("class") or ""):
            return plugin
    return None


def same_plugin(first, second, plugins):
    """Whether two ``connector.class`` spellings name the same installed plugin of ``plugins``.

    Kafka Connect accepts a plugin's full class name, its simple class name and the simple name without
    the ``Connector`` suffix; GET /connector-plugins lists the full names. A name no plugin answers to
    only equals itself.
    """
    if first == second:
        return True
    if not first or not second:
        return False
    found = find_plugin(first, plugins)
    return found is not None and found is find_plugin(second, plugins)


def plugin_label(plugin):
    return f"{plugin.get('class')} ({plugin.get('type')}, {plugin.get('version')})"


def connector_state(status):
    """The connector's own state from a status document, or None."""
    return ((status or {}).get("connector") or {}).get("state")


def task_states(status, with_traces=True):
    """``[{id, state, worker_id[, trace]}]`` sorted by id; ``trace`` summarized, only for failed tasks."""
    tasks = []
    for task in (status or {}).get("tasks") or []:
        entry = dict(id=task.get("id"), state=task.get("state"), worker_id=task.get("worker_id"))
        if with_traces and task.get("trace"):
            entry["trace"] = summarize_trace(task["trace"])
        tasks.append(entry)
    return sorted(tasks, key=lambda task: (task["id"] is None, task["id"]))


def failed_parts(status):
    """``["connector", "task 0", ...]``: what a status document reports as FAILED."""
    parts = []
    if connector_state(status) == FAILED:
        parts.append("connector")
    parts.extend(f"task {task['id']}" for task in task_states(status, with_traces=False) if task["state"] == FAILED)
    return parts


def failure_details(name, status):
    """One line per failed part of a connector, with its summarized trace."""
    lines = []
    connector = (status or {}).get("connector") or {}
    if connector.get("state") == FAILED:
        lines.append(f"connector {name} FAILED: {summarize_trace(connector.get('trace')) or 'no trace'}")
    for task in task_states(status):
        if task["state"] == FAILED:
            lines.append(f"task {name}-{task['id']} FAILED: {task.get('trace') or 'no trace'}")
    return lines


def public_connector(name, info, extra_patterns=()):
    """What the modules return for a connector: name, type, state, tasks and the masked config."""
    status = info.get("status") or {}
    connector = status.get("connector") or {}
    state = dict(
        name=name,
        type=info.get("type") or status.get("type"),
        state=connector.get("state"),
        worker_id=connector.get("worker_id"),
        tasks=task_states(status),
        config=mask_config(normalize_config(info.get("config")), extra_patterns),
    )
    if connector.get("state") == FAILED and connector.get("trace"):
        state["trace"] = summarize_trace(connector["trace"])
    return state


def kafka_version(version):
    """``(3, 9, 2)`` for the worker version ``3.9.2``; unknown parts are 0.

    Confluent Platform workers report their own version (``7.7.0-ccs`` is Apache Kafka 3.7).
    """
    text = to_text(version or "")
    parts = []
    for part in text.split(".")[:3]:
        digits = re.match(r"\d+", part)
        parts.append(int(digits.group(0)) if digits else 0)
    parts = parts + [0] * (3 - len(parts))
    if re.search(r"-(ccs|ce)\b", text) and parts[0] >= 5:
        parts[0] -= 4
    return tuple(parts)


# ---------------------------------------------------------------------------
# Module base class
# ---------------------------------------------------------------------------


class ConnectModule(ModuleWrapper):
    """An AnsibleModule wrapper for the modules that talk to the Kafka Connect REST API."""

    def __init__(self, argument_spec=None, **kwargs):
        spec = connect_argument_spec()
        spec.update(argument_spec or {})
        kwargs["argument_spec"] = spec
        kwargs["required_together"] = connect_required_together() + list(kwargs.get("required_together") or [])
        self._secret_options = no_log_options(spec)
        self._module = AnsibleModule(**kwargs)
        self._extra_secrets = set()
        for option in ("timeout", "retry_timeout"):
            if self.params[option] < 1:
                self.fail_json(msg=f"{option} must be at least 1, got {self.params[option]}")
        urls = [url.strip() for url in self.params["connect_url"] if url and url.strip()]
        if not urls:
            self.fail_json(msg="connect_url must name at least one Kafka Connect worker")
        bad = [url for url in urls if not re.match(r"^https?://[^/]", url, re.IGNORECASE)]
        if bad:
            self.fail_json(msg=f"connect_url entries must start with http:// or https://, got {', '.join(bad)}")
        self.urls = urls
        bad = invalid_patterns(self.params["secret_keys"])
        if bad:
            self.fail_json(msg=f"secret_keys entries must be regular expressions, these are not: {', '.join(bad)}")

    @property
    def secrets(self):
        return super().secrets + sorted(self._extra_secrets)

    def add_secrets(self, values):
        """Treat ``values`` (e.g. connector passwords) like no_log values: masked in every output.

        Booleans, numbers and values shorter than 3 characters are skipped: masking every "1" or
        "true" of the output would hide more than it protects.
        """
        for value in values:
            if not value or len(value) < 3 or value.lower() in ("true", "false") or value.isdigit():
                continue
            self._extra_secrets.add(value)
            self._module.no_log_values.add(value)

    def add_config_secrets(self, configs):
        """``add_secrets`` for the secret values of every config of ``configs``."""
        for config in configs:
            self.add_secrets(secret_values(config, self.params["secret_keys"]))

    def client(self, **kwargs):
        params = self.params
        return ConnectClient(
            self.urls,
            timeout=params["timeout"],
            retry_timeout=params["retry_timeout"],
            validate_certs=params["validate_certs"],
            ca_path=params["ca_path"],
            client_cert=params["client_cert"],
            client_key=params["client_key"],
            url_username=params["url_username"],
            url_password=params["url_password"],
            **kwargs,
        )

    def warn(self, warning):
        self._module.warn(redact(warning, self.secrets))

    def exit_json(self, **kwargs):
        self._module.exit_json(**kwargs)

    def fail_json(self, msg, **kwargs):
        self._module.fail_json(msg=redact(msg, self.secrets), **kwargs)

    def fail_connect(self, error, **result):
        """The single place that reports a ``ConnectError`` to Ansible."""
        failure = dict(result)
        if getattr(error, "status", None):
            failure["status"] = error.status
        failure.update(error.details)
        self.fail_json(msg=format_failure(error.action, error.reason, self.secrets), **failure)
