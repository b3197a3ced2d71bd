#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_migration_info
short_description: Read where a ZooKeeper-to-KRaft migration of a Kafka cluster stands
version_added: 0.1.0
description:
  - Reads the phase of a ZooKeeper-to-KRaft migration (Kafka 3.9) from the cluster itself - ZooKeeper's C(/cluster/id),
    C(/controller) and C(/migration) znodes and each live broker's running configuration (C(DescribeConfigs) of
    C(process.roles), C(zookeeper.metadata.migration.enable)) - together with the controllers' configuration the
    caller read from their hosts (O(controllers)).
  - Reports RV(phase) (V(none), V(controllers), V(brokers), V(kraft), V(finalized)), whether every node has reached it
    (RV(complete)), whether the controllers have copied the metadata (RV(migrated)), and the states no phase explains
    (RV(problems)).
  - The module only reads; it never changes anything and always reports C(changed=false).
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  controllers:
    description:
      - Each controller's node id and the mode of its configuration - V(migration)
        (C(zookeeper.metadata.migration.enable) set), V(kraft) (without it) or V(absent) (not configured).
    type: dict
    default: {}
  expected_broker_ids:
    description:
      - The cluster's brokers. One that is not live is reported in RV(unknown_brokers) (its mode cannot be read) and
        the phase is not RV(complete).
    type: list
    elements: int
    default: []
requirements:
  - confluent-kafka
  - kazoo
extends_documentation_fragment:
  - kafkaops.cluster.kafka
  - kafkaops.cluster.kafka.zookeeper
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: N/A
    details: The module does not change anything.
  platform:
    platforms: posix
notes:
  - O(zookeeper_hosts) is required; the ZooKeeper login is the one the brokers use (O(zookeeper_sasl_username)).
seealso:
  - module: kafkaops.cluster.kafka_cluster_info
  - name: ZooKeeper to KRaft migration
    description: The Kafka 3.9 documentation of the migration.
    link: https://kafka.apache.org/39/documentation.html#kraft_zk_migration
"""

EXAMPLES = r"""
- name: Read the migration's phase
  kafkaops.cluster.kafka_migration_info:
    bootstrap_servers: ["kafka-0:9095"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ kafkaops_admin_password }}"
    ssl_cafile: /etc/kafka/tls/ca.pem
    zookeeper_hosts: "zk-0:2181,zk-1:2181,zk-2:2181"
    zookeeper_chroot: /kafka
    zookeeper_sasl_username: kafka
    zookeeper_sasl_password: "{{ kafkaops_zookeeper_password }}"
    controllers: {1001: migration, 1002: migration, 1003: migration}
    expected_broker_ids: [0, 1, 2]
  register: migration
"""

RETURN = r"""
phase:
  description: The furthest phase any node has entered (V(none) without a migration).
  returned: always
  type: str
  sample: brokers
complete:
  description: Every broker and controller is in RV(phase) and every expected broker answered.
  returned: always
  type: bool
migrated:
  description: The controllers have copied the metadata from ZooKeeper (dual-write from then on).
  returned: always
  type: bool
lagging:
  description: The brokers and controllers not in RV(phase) yet, by id.
  returned: always
  type: dict
  sample: {"brokers": [2], "controllers": []}
unknown_brokers:
  description: Expected brokers that are not live (their mode is unknown).
  returned: always
  type: list
  elements: int
problems:
  description: States no phase explains, as sentences (a migration playbook refuses to go on).
  returned: always
  type: list
  elements: str
brokers:
  description: Each broker's mode (V(zookeeper), V(migration), V(kraft); V(null) when it is not live).
  returned: always
  type: dict
  sample: {"0": "migration", "1": "migration", "2": "zookeeper"}
zookeeper:
  description: What ZooKeeper holds - the cluster id, the controller's broker id, the KRaft controller epoch and the
    C(/migration) znode's JSON.
  returned: always
  type: dict
  sample:
    cluster_id: h8Bp3OhYSVaGEqr4L7mffQ
    controller_id: 1003
    kraft_controller_epoch: 3
    migration: {"kraft_metadata_offset": 272, "kraft_controller_id": 1003}
cluster_id:
  description: The cluster id in ZooKeeper (what the controllers are formatted with).
  returned: always
  type: str
inter_broker_protocol:
  description: Each live broker's running C(inter.broker.protocol.version) (V(null) in KRaft mode, which has none).
  returned: always
  type: dict
  sample: {"0": "3.9-IV0", "1": "3.9-IV0", "2": "3.9-IV0"}
"""

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_migration import CONTROLLER_MODES
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_migration import broker_mode
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_migration import migration_phase
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_migration import read_cluster


def main():
    argument_spec = dict(
        controllers=dict(type="dict", default={}),
        expected_broker_ids=dict(type="list", elements="int", default=[]),
    )
    module = KafkaModule(argument_spec=argument_spec, zookeeper=True, supports_check_mode=True)
    params = module.params
    if not params["zookeeper_hosts"]:
        module.fail_json(msg="zookeeper_hosts is required: the migration's state is partly in ZooKeeper")
    controllers = {}
    for key, mode in params["controllers"].items():
        if not str(key).isdigit() or mode not in CONTROLLER_MODES:
            module.fail_json(
                msg=f"controllers: {key!r}: {mode!r} must map a node id to one of {', '.join(CONTROLLER_MODES)}"
            )
        controllers[int(key)] = mode

    try:
        zookeeper, configs = read_cluster(module, module.zookeeper())
    except KafkaOpsError as e:
        module.fail_kafka(e, changed=False)
    brokers = {broker: broker_mode(config) for broker, config in configs.items()}
    protocol = {str(broker): config.get("inter.broker.protocol.version") for broker, config in sorted(configs.items())}
    for broker in params["expected_broker_ids"]:
        brokers.setdefault(broker, None)
    state = migration_phase(zookeeper, brokers, controllers)
    module.exit_json(
        changed=False,
        brokers={str(k): v for k, v in sorted(brokers.items())},
        zookeeper=zookeeper,
        cluster_id=zookeeper["cluster_id"],
        inter_broker_protocol=protocol,
        **state,
    )


if __name__ == "__main__":
    main()
