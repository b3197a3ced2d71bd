#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_broker_config
short_description: Apply Kafka broker configuration dynamically where Kafka allows it, report what needs a restart
version_added: 0.1.0
description:
  - Compares the wanted configuration O(config) of broker O(broker_id) with what the broker reports (one
    C(DescribeConfigs) request) and sorts each key into unchanged, dynamic change (Kafka applies it without a restart)
    or static change (needs a restart).
  - Dynamic changes are applied at once with C(IncrementalAlterConfigs) (C(SET)), like
    C(kafka-configs.sh --alter --entity-type brokers --add-config). Static changes are never applied; they are returned
    in RV(static_changes) and RV(restart_required) tells whether the broker must be restarted (after its
    C(server.properties) got the new values), so a rolling restart is only needed for static settings.
  - A key is dynamic when the broker reports it as not read-only, with the exceptions of Kafka's
    "Updating Broker Configs" rules - keystores and truststores are dynamic only per broker and per listener
    (C(listener.name.<listener>.ssl.keystore.location)); other listener-prefixed configs, C(listeners),
    C(advertised.listeners) and the unprefixed C(ssl.*) and C(sasl.*) configs only reach existing listeners at a
    restart, and keys the broker does not report are treated as static too.
  - Values are compared as strings after normalizing them the way M(kafkaops.cluster.kafka_topic) does
    (V(604800000) equals V("604800000"), V(true) equals V("TRUE"), lists compare as sets).
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  broker_id:
    description:
      - The broker whose configuration is compared and changed. Dynamic changes are stored as its own dynamic
        configuration (C(DYNAMIC_BROKER_CONFIG), like C(kafka-configs.sh --entity-type brokers --entity-name <id>)).
      - The broker must be live.
    type: int
    required: true
  config:
    description:
      - 'Broker configuration to ensure, C({key: value}); numbers, booleans and lists are converted to the strings Kafka
        uses. Keys not listed are left alone.'
      - Values of sensitive keys (passwords, JAAS configurations) are passed to the module like every other value;
        set C(no_log) on such tasks.
    type: dict
    required: true
  update_sensitive:
    description:
      - Kafka never returns the value of a sensitive config (passwords, C(sasl.jaas.config)), so it cannot be compared.
      - V(always) treats every listed sensitive key as changed (dynamic keys are set again, static ones reported in
        RV(static_changes)); V(when_unset) only when the broker holds no value for it yet (from any source).
    type: str
    choices: [always, when_unset]
    default: always
  reset:
    description:
      - Keys whose per-broker dynamic value (C(DYNAMIC_BROKER_CONFIG)) is deleted, like
        C(kafka-configs.sh --alter --entity-type brokers --delete-config), so the broker falls back to its
        C(server.properties) (as loaded at its last start) or Kafka's default. Keys without a dynamic value are left
        alone. Use it for keys removed from C(server.properties) that were once applied dynamically.
      - Must not repeat a key of O(config).
    type: list
    elements: str
    default: []
  state:
    description:
      - Only V(present) (the listed keys have the given values) is supported; see O(reset) to delete dynamic values.
    type: str
    choices: [present]
    default: present
extends_documentation_fragment:
  - kafkaops.cluster.kafka
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode computes the same classification, sends the dynamic changes with C(validate_only) (the broker checks
        names and values and changes nothing) and returns the predicted result.
  diff_mode:
    support: full
    details:
      - The diff shows the dynamically applied keys and the keys of O(reset) before and after; values of sensitive keys
        are masked. After a reset a key shows the value the broker falls back to (re-read); in check mode, which
        cannot know that value, it shows V((per-broker value deleted\)).
  platform:
    platforms: posix
notes:
  - B(No cluster-wide default) - confluent-kafka (librdkafka), at least up to 2.16, cannot address the cluster-wide
    default broker resource (the empty resource name of C(kafka-configs.sh --entity-default)), so this module only
    manages per-broker configuration; run it for each broker (a broker's own dynamic value takes precedence over the
    cluster-wide default anyway).
  - In a ZooKeeper-mode cluster Kafka stores dynamic password configs (keystore passwords) encrypted and refuses them
    unless the brokers have C(password.encoder.secret) set ("Password encoder secret not configured").
  - Dynamic broker configs are stored in ZooKeeper (or the KRaft metadata log) and take precedence over
    C(server.properties); keep C(server.properties) in step so that both say the same.
  - The principal needs C(ALTER_CONFIGS) and C(DESCRIBE_CONFIGS) on the cluster (in check mode too, for the
    validation).
seealso:
  - module: kafkaops.cluster.kafka_restart_gate
  - module: kafkaops.cluster.kafka_topic
  - name: Kafka 3.9 documentation - Updating Broker Configs
    description: Which broker configs are read-only, per-broker or cluster-wide.
    link: https://kafka.apache.org/39/documentation.html#dynamicbrokerconfigs
"""

EXAMPLES = r"""
- name: Apply the changed keys of server.properties to broker 1 where possible
  kafkaops.cluster.kafka_broker_config:
    bootstrap_servers: ["kafka-0:9095"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/kafka/tls/ca.pem
    broker_id: 1
    config:
      log.retention.ms: 604800000
      num.io.threads: 16
      auto.create.topics.enable: false
  register: broker_config

- name: Restart only when a static setting changed
  ansible.builtin.debug:
    msg: "broker 1 needs a restart for {{ broker_config.static_changes | list }}"
  when: broker_config.restart_required

- name: The same dynamic setting on every broker, one after the other
  kafkaops.cluster.kafka_broker_config:
    bootstrap_servers: ["kafka-0:9092"]
    broker_id: "{{ hostvars[item].kafka_broker_id }}"
    config:
      log.cleaner.threads: 2
  loop: "{{ groups['kafka'] }}"

- name: Rotate the keystore of the SASL_SSL listener of broker 0 without a restart
  kafkaops.cluster.kafka_broker_config:
    bootstrap_servers: ["kafka-0:9092"]
    broker_id: 0
    config:
      listener.name.sasl_ssl.ssl.keystore.location: /etc/kafka/tls/broker-2025.p12
      listener.name.sasl_ssl.ssl.keystore.password: "{{ vault_keystore_password }}"
  no_log: true
"""

RETURN = r"""
reset:
  description: Keys of O(reset) whose per-broker dynamic value was deleted (in check mode, would be).
  returned: success
  type: list
  elements: str
  sample: [log.cleaner.threads]
applied:
  description: Keys set dynamically (in check mode, that would be set), sorted.
  returned: success
  type: list
  elements: str
  sample: ["log.retention.ms", "num.io.threads"]
static_changes:
  description: Keys whose value differs but that Kafka only applies at a restart; nothing was changed for them.
  returned: success
  type: dict
  sample:
    auto.create.topics.enable:
      before: "true"
      after: "false"
      reason: "read-only: Kafka applies it at a restart"
restart_required:
  description: Whether RV(static_changes) is not empty.
  returned: success
  type: bool
  sample: true
unchanged:
  description: Keys that already have the wanted value.
  returned: success
  type: list
  elements: str
  sample: []
config:
  description:
    - The listed keys with the values the broker reports after the run (re-read; predicted in check mode), static
      changes still showing the old value. Sensitive values are masked, V(null) means no value.
  returned: success
  type: dict
  sample: {"log.retention.ms": "604800000", "num.io.threads": "16", "auto.create.topics.enable": "true"}
diff:
  description:
    - The applied and the reset keys before and after (sensitive values masked). A reset key shows the value the
      broker reports after the reset, in check mode C((per-broker value deleted\)).
  returned: when diff mode is enabled
  type: dict
  sample: {"before": {"num.io.threads": "8", "log.cleaner.threads": "4"},
           "after": {"num.io.threads": "16", "log.cleaner.threads": "1"}}
"""

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import SCOPE_BROKER
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import SOURCE_DEFAULT
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import SOURCE_DYNAMIC_BROKER
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import applied_matches
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import config_problems
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import is_sensitive
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import is_set
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import plan_changes
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_broker_config import summarize
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import poll_until
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_config import config_string
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_config import source_value
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import REDACTED
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import redact
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import translate_errors

try:
    from confluent_kafka.admin import AlterConfigOpType
    from confluent_kafka.admin import ConfigEntry
    from confluent_kafka.admin import ConfigResource
    from confluent_kafka.admin import ResourceType
except ImportError:
    pass  # KafkaModule reports the missing library.


def resource_label(name):
    return f"broker {name}"


def describe_broker(admin, name, timeout):
    """``{key: ConfigEntry}`` of broker ``name`` (librdkafka sends the request to that broker)."""
    with translate_errors(f"read the configuration of {resource_label(name)}"):
        futures = admin.describe_configs([ConfigResource(ResourceType.BROKER, name)], request_timeout=timeout)
        return dict(next(iter(futures.values())).result())


def alter_broker(admin, name, items, timeout, validate_only):
    """SET the dynamic ``items`` on broker ``name`` in one request (``validate_only``: the broker only checks)."""
    entries = [ConfigEntry(item["key"], item["value"], incremental_operation=AlterConfigOpType.SET) for item in items]
    verb = "validate" if validate_only else "apply"
    with translate_errors(f"{verb} the dynamic configuration of {resource_label(name)}"):
        resource = ConfigResource(ResourceType.BROKER, name, incremental_configs=entries)
        futures = admin.incremental_alter_configs([resource], request_timeout=timeout, validate_only=validate_only)
        for future in futures.values():
            future.result()


def delete_dynamic(admin, name, keys, timeout, validate_only):
    """DELETE the per-broker dynamic values of ``keys`` on broker ``name`` in one request."""
    entries = [ConfigEntry(key, None, incremental_operation=AlterConfigOpType.DELETE) for key in keys]
    verb = "validate the reset of" if validate_only else "reset"
    with translate_errors(f"{verb} dynamic configuration {', '.join(keys)} of {resource_label(name)}"):
        resource = ConfigResource(ResourceType.BROKER, name, incremental_configs=entries)
        futures = admin.incremental_alter_configs([resource], request_timeout=timeout, validate_only=validate_only)
        for future in futures.values():
            future.result()


def dynamic_keys(keys, entries):
    """The ``keys`` that hold a per-broker dynamic value in ``entries``."""
    return [
        key
        for key in keys
        if key in entries and source_value(getattr(entries[key], "source", SOURCE_DEFAULT)) == SOURCE_DYNAMIC_BROKER
    ]


# What a reset key shows after the reset in check mode: the value the broker falls back to (server.properties as
# loaded at its start, a cluster-wide dynamic default or Kafka's default) is only known once the broker reports it.
RESET_PREDICTED = "(per-broker value deleted)"


def reset_settled(key, entries):
    """Whether the broker reports ``key`` without its per-broker dynamic value, with the value it falls back to.

    In ZooKeeper mode a broker drops a deleted value from its dynamic configs before its current configuration has
    the fallback value (in between it reconfigures the component): for a moment DescribeConfigs reports the old value
    with the fallback's source. The synonym of that source holds the fallback value then (confluent-kafka keys the
    synonyms by name, so a source's synonym may be missing: then the source alone decides)."""
    entry = entries.get(key)
    if entry is None:
        return True
    source = source_value(getattr(entry, "source", SOURCE_DEFAULT))
    if source == SOURCE_DYNAMIC_BROKER:
        return False
    for synonym in (getattr(entry, "synonyms", None) or {}).values():
        if source_value(getattr(synonym, "source", SOURCE_DEFAULT)) == source:
            return synonym.value == entry.value
    return True


def confirm(admin, name, items, resets, timeout):
    """Re-read until the broker reports every applied value and no per-broker value of the ``resets``; returns the
    entries."""

    def pending(entries):
        return applied_matches(items, entries) + [key for key in resets if not reset_settled(key, entries)]

    def reason(entries):
        keys = ", ".join(pending(entries))
        return f"after {timeout}s {resource_label(name)} does not report the new value of {keys} yet"

    return poll_until(
        lambda: describe_broker(admin, name, timeout),
        lambda entries: not pending(entries),
        timeout,
        f"confirm the dynamic configuration of {resource_label(name)}",
        reason,
    )


def config_view(items, entries):
    """The listed keys as the resource reports them (sensitive values masked)."""
    view = {}
    for item in items:
        entry = entries.get(item["key"])
        if item["sensitive"]:
            view[item["key"]] = REDACTED if is_set(entry) else None
        elif entry is None:
            view[item["key"]] = None
        else:
            view[item["key"]] = entry.value
    return view


def shown_value(key, entry):
    """A key's value as results and diffs show it (sensitive values masked, None: no value)."""
    if entry is None:
        return None
    if is_sensitive(key):
        return REDACTED if is_set(entry) else None
    return entry.value


def predicted_view(items):
    return {item["key"]: item["after"] if item["action"] == "dynamic" else item["before"] for item in items}


def run(module, admin):
    params = module.params
    timeout = params["request_timeout"]
    cluster = module.describe_cluster(admin)
    live = [broker["id"] for broker in cluster["brokers"]]
    scope, name = SCOPE_BROKER, str(params["broker_id"])
    if params["broker_id"] not in live:
        raise KafkaOpsError(
            f"read the configuration of broker {name}",
            reason=f"broker {name} is not live (live brokers: {live}); its configuration can only be read and "
            "changed while it runs",
        )
    current = describe_broker(admin, name, timeout)
    items = plan_changes(params["config"], current, scope, params["update_sensitive"])
    resets = dynamic_keys(params["reset"], current)
    reset_diff = dict(before={key: shown_value(key, current[key]) for key in resets}, after={})
    dynamic = [item for item in items if item["action"] == "dynamic"]
    if dynamic:
        alter_broker(admin, name, dynamic, timeout, validate_only=module.check_mode)
    if resets:
        delete_dynamic(admin, name, resets, timeout, validate_only=module.check_mode)
    if (dynamic or resets) and not module.check_mode:
        entries = confirm(admin, name, items, resets, timeout)
        view = config_view(items, entries) if dynamic else predicted_view(items)
        reset_diff["after"] = {key: shown_value(key, entries.get(key)) for key in resets}
    else:
        view = predicted_view(items)
        reset_diff["after"] = {key: RESET_PREDICTED for key in resets}
    return items, view, resets, reset_diff


def main():
    argument_spec = dict(
        broker_id=dict(type="int", required=True),
        config=dict(type="dict", required=True),
        update_sensitive=dict(type="str", choices=["always", "when_unset"], default="always"),
        reset=dict(type="list", elements="str", default=[], no_log=False),
        state=dict(type="str", choices=["present"], default="present"),
    )
    module = KafkaModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    problems = config_problems(params["config"])
    overlap = sorted(set(params["reset"]) & set(params["config"]))
    problems += [f"{key} is both in config and in reset" for key in overlap]
    if problems:
        module.fail_json(msg="; ".join(problems))
    # Values of sensitive keys never appear in results or messages (the broker may quote a refused value),
    # the module's echo of its arguments included.
    secrets = [config_string(value) for key, value in params["config"].items() if is_sensitive(key)]
    module.no_log_values.update(secret for secret in secrets if secret)

    try:
        admin = module.admin_client()
        items, view, resets, reset_diff = run(module, admin)
    except KafkaOpsError as e:
        if secrets:
            e = KafkaOpsError(e.action, reason=redact(e.reason or "", secrets), **e.details)
        module.fail_kafka(e, changed=False)

    summary = summarize(items)
    unknown = [item["key"] for item in items if item["why"].startswith("the broker does not report")]
    if unknown:
        module.warn(f"the broker does not report {', '.join(unknown)}: unknown config key(s)? Treated as static")
    result = dict(
        changed=bool(summary["applied"] or resets),
        applied=summary["applied"],
        reset=resets,
        static_changes=summary["static_changes"],
        restart_required=summary["restart_required"],
        unchanged=summary["unchanged"],
        config=view,
    )
    if module._diff:
        result["diff"] = dict(
            before=dict(summary["diff"]["before"], **reset_diff["before"]),
            after=dict(summary["diff"]["after"], **reset_diff["after"]),
        )
    module.exit_json(**result)


if __name__ == "__main__":
    main()
