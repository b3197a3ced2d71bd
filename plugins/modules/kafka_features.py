#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_features
short_description: Upgrade a KRaft cluster's finalized feature levels (metadata.version, kraft.version, ...)
version_added: 0.1.0
description:
  - Brings each feature of O(features) to its level, like C(kafka-features.sh upgrade --feature name=level) (KIP-584),
    the last step of a Kafka upgrade, once every broker and controller runs the new version (C(metadata.version)
    stays at the old release's level until then, which is what lets the binaries be rolled back).
  - Reads the levels with C(ApiVersions) and sends every upgrade in one C(UpdateFeatures) request to the active
    controller, which applies all or none; then re-reads them.
  - Refused before any change, for the whole request - a feature the cluster does not know, a level above what the
    answering node supports, and a level below the finalized one (a downgrade; this module never downgrades).
    Kafka itself refuses a level that some registered broker or controller does not support (still on the old
    version); the module fails with its message and nothing is changed.
  - With O(features) empty the module only reads the levels.
  - KRaft only; against a ZooKeeper-mode cluster the module fails without changing anything.
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  features:
    description:
      - The wanted finalized level of each feature, by name (V(metadata.version) counts in Kafka's numbers, for
        instance V(21) for C(3.9-IV0)). A feature at its level needs nothing; one above it is refused (a downgrade).
      - The levels a release defaults to are printed by C(kafka-features.sh upgrade --release-version X.Y --dry-run)
        of that release (what C(playbooks/upgrade.yml) passes here).
    type: dict
    default: {}
  timeout:
    description: Milliseconds the controller is given to apply the update.
    type: int
    default: 60000
requirements:
  - kafka-python (C(ApiVersions) v3 for the levels, C(UpdateFeatures), C(DescribeCluster) for the permission check)
extends_documentation_fragment:
  - kafkaops.cluster.kafka
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode plans like a real run and has the controller validate the update (C(validateOnly)), so a level
        some node does not support is refused in check mode too; nothing is changed.
  diff_mode:
    support: full
    details:
      - C(before.features) and C(after.features) map each feature to its finalized level.
  platform:
    platforms: posix
notes:
  - The connecting principal needs C(ALTER) on the cluster resource to update features (checked first, also in check
    mode).
seealso:
  - module: kafkaops.cluster.kafka_cluster_info
  - name: KIP-584 (versioning scheme for features)
    description: Finalized feature levels and how they are updated.
    link: https://cwiki.apache.org/confluence/display/KAFKA/KIP-584%3A+Versioning+scheme+for+features
"""

EXAMPLES = r"""
- name: Finalize the levels of Kafka 4.3 once every node runs it
  kafkaops.cluster.kafka_features:
    bootstrap_servers: ["kafka-0:9093"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/kafka/tls/ca.pem
    features:
      metadata.version: 30
      group.version: 1
  register: features

- name: Read the levels only
  kafkaops.cluster.kafka_features:
    bootstrap_servers: ["kafka-0:9093"]
  register: levels
"""

RETURN = r"""
features:
  description: Every feature's finalized level after the run (predicted in check mode), by name.
  returned: success
  type: dict
  sample: {kraft.version: 1, metadata.version: 30}
supported:
  description: The range of levels the node that answered supports, per feature (C(min), C(max)).
  returned: success
  type: dict
  sample: {metadata.version: {min: 7, max: 30}}
actions:
  description: The upgrades done (would be done in check mode), one line per feature; empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: ["metadata.version: 21 -> 30"]
metadata_mode:
  description: V(kraft), or V(zookeeper) when the module refused a ZooKeeper-mode cluster.
  returned: when the cluster was reached
  type: str
  sample: kraft
diff:
  description: The finalized levels before and after, under C(features).
  returned: when diff mode is enabled
  type: dict
  sample:
    before: {features: {metadata.version: 21}}
    after: {features: {metadata.version: 30}}
"""

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import poll_until
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_features import feature_levels
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_features import finalized_view
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_features import normalize_levels
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_features import plan_features
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_features import predict
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_features import update_label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_admin import read_registrations
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import kafka_python_call
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import kraft_client
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import principal_label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import require_cluster_operation


def read_levels(client):
    # The active controller answers: it holds the finalized levels every node follows.
    described = kafka_python_call(
        "read the feature levels", lambda: client.describe_features(send_request_to_controller=True)
    )
    return feature_levels(described)


def send_update(client, updates, validate_only, timeout):
    """One UpdateFeatures request for every update (the controller applies all or none); a feature Kafka refused
    raises KafkaOpsError with its message."""
    wanted = {name: new for name, (_unused, new) in updates.items()}
    action = "validate the feature update" if validate_only else "update the features"
    answer = kafka_python_call(
        action, lambda: client.update_features(wanted, validate_only=validate_only, timeout_ms=timeout)
    )
    refused = {name: to_native(outcome) for name, outcome in (answer or {}).items() if outcome != "OK"}
    if refused:
        raise KafkaOpsError(action, reason="; ".join(f"{name}: {why}" for name, why in sorted(refused.items())))


def confirm(client, updates, timeout_ms):
    """Re-read the levels until every update shows (the node that answers learns them from the metadata log a
    moment after the controller)."""
    return poll_until(
        lambda: read_levels(client),
        lambda levels: all(levels.get(name, {}).get("finalized", 0) >= new for name, (_old, new) in updates.items()),
        timeout_ms / 1000,
        "confirm the feature update",
        lambda levels: f"finalized levels after {timeout_ms} ms: {finalized_view(levels)}",
    )


def main():
    argument_spec = dict(
        features=dict(type="dict", default={}),
        timeout=dict(type="int", default=60000),
    )
    module = KafkaModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params

    desired, problems = normalize_levels(params["features"])
    if params["timeout"] <= 0:
        problems.append(f"timeout must be greater than 0, got {params['timeout']}")
    if problems:
        module.fail_json(msg=f"Invalid request, nothing was changed: {'; '.join(problems)}")

    result = dict(changed=False, actions=[])
    try:
        client = kraft_client(module, result, "feature levels are finalized by KRaft controllers")
        before = read_levels(client)
        updates, problems = plan_features(before, desired)
        if problems:
            module.fail_json(
                msg=f"Refusing to update the features, nothing was changed: {'; '.join(problems)}",
                features=finalized_view(before),
                **result,
            )
        result["actions"] = [update_label(name, update) for name, update in updates.items()]
        after = finalized_view(before)
        if updates:
            # Checked in check mode too, so check mode predicts the refusal.
            require_cluster_operation(
                read_registrations(client)[2], "ALTER", "update the features", principal_label(params)
            )
            send_update(client, updates, module.check_mode, params["timeout"])
            if module.check_mode:
                after = predict(before, updates)
            else:
                result["changed"] = True
                after = finalized_view(confirm(client, updates, params["timeout"]))
                # changed from the re-read levels: what the controller finalized.
                result["changed"] = after != finalized_view(before)
        result["changed"] = result["changed"] or (module.check_mode and bool(updates))
    except KafkaOpsError as e:
        module.fail_kafka(e, **result)

    result["features"] = after
    result["supported"] = {name: dict(min=e["supported_min"], max=e["supported_max"]) for name, e in before.items()}
    if module._diff:
        result["diff"] = dict(before=dict(features=finalized_view(before)), after=dict(features=after))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
