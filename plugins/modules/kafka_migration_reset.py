#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_migration_reset
short_description: Hand a cluster whose migration to KRaft is rolled back back to ZooKeeper
version_added: 0.1.0
description:
  - The ZooKeeper step of Kafka's revert of a migration that was not finalized - deletes the C(/controller) znode a
    KRaft controller in migration mode holds (so that a broker becomes the controller again) and the C(/migration)
    znode (so that a later migration starts over), as the Kafka 3.9 documentation's C(zookeeper-shell.sh) commands do.
  - Runs only once the KRaft controllers are stopped for good (O(controllers) all V(absent)) and while no broker runs
    in KRaft mode; refuses otherwise, changing nothing. Returns what the znodes held (RV(removed)).
  - Check mode reports what would be deleted.
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  controllers:
    description:
      - Each controller's node id and the mode of its configuration as read from its host (V(migration), V(kraft) or
        V(absent)). Every controller must be V(absent) - stopped, its configuration removed.
    type: dict
    required: true
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
    support: full
  platform:
    platforms: posix
seealso:
  - module: kafkaops.cluster.kafka_migration_info
"""

EXAMPLES = r"""
- name: Give the cluster back to ZooKeeper
  kafkaops.cluster.kafka_migration_reset:
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
    controllers: {1001: absent, 1002: absent, 1003: absent}
"""

RETURN = r"""
removed:
  description: The znodes deleted (or that check mode would delete), by path, with what they held.
  returned: always
  type: dict
  sample:
    /kafka/controller: {"brokerid": 1003, "kraftControllerEpoch": 3}
    /kafka/migration: {"kraft_metadata_offset": 272, "kraft_controller_id": 1003}
zookeeper:
  description: What ZooKeeper holds afterwards (see M(kafkaops.cluster.kafka_migration_info)).
  returned: always
  type: dict
"""

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import zookeeper_path
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import translate_errors
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_migration import broker_mode
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_migration import read_cluster
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_migration import read_zookeeper_state
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_migration import reset_plan

try:
    from kazoo.exceptions import NoNodeError
except ImportError:

    class NoNodeError(Exception):
        """Placeholder, never raised without kazoo (KafkaModule.zookeeper() reports it)."""


def paths_left(zookeeper, chroot):
    """The znodes of a rollback a re-read still finds (``/controller`` held by a KRaft controller, ``/migration``)."""
    _refusal, paths = reset_plan(zookeeper, {}, {})
    return {zookeeper_path(chroot, path): data for path, data in paths.items()}


def main():
    module = KafkaModule(
        argument_spec=dict(controllers=dict(type="dict", required=True)),
        zookeeper=True,
        supports_check_mode=True,
    )
    params = module.params
    if not params["zookeeper_hosts"]:
        module.fail_json(msg="zookeeper_hosts is required: the znodes to delete are in ZooKeeper")
    chroot = params["zookeeper_chroot"]
    try:
        zk = module.zookeeper()
        before, configs = read_cluster(module, zk)
    except KafkaOpsError as e:
        module.fail_kafka(e, changed=False)
    brokers = {broker: broker_mode(config) for broker, config in configs.items()}

    refusal, paths = reset_plan(before, brokers, params["controllers"])
    if refusal:
        module.fail_json(msg=f"Nothing deleted: {refusal}", changed=False, zookeeper=before)
    removed = {zookeeper_path(chroot, path): data for path, data in paths.items()}
    if module.check_mode or not removed:
        module.exit_json(changed=bool(removed), removed=removed, zookeeper=before)

    done = []
    try:
        for path in removed:
            with translate_errors(f"delete {path} in ZooKeeper"):
                try:
                    zk.delete(path)
                except NoNodeError:
                    pass
            done.append(path)
        after = read_zookeeper_state(zk, chroot)
    except KafkaOpsError as e:
        module.fail_kafka(e, changed=bool(done), deleted=done)
    module.exit_json(
        changed=True,
        removed=removed,
        zookeeper=after,
        diff=dict(before=removed, after=paths_left(after, chroot)),
    )


if __name__ == "__main__":
    main()
