#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_cluster_info
short_description: Report Kafka cluster membership and partition health
version_added: 0.1.0
description:
  - Describes a Kafka cluster through the Kafka AdminClient (cluster id, controller, live brokers)
    and its metadata (under-replicated and offline partitions).
  - Tells the cluster's metadata mode (RV(metadata_mode)) from the API versions a broker advertises - a broker in KRaft
    mode offers C(DescribeQuorum), one in ZooKeeper mode does not - and, in KRaft mode, reports the metadata quorum
    (RV(quorum)) read with C(DescribeQuorum) through a broker, the numbers C(kafka-metadata-quorum.sh describe
    --status --replication) prints; RV(controller_id) is then the quorum leader, the active controller.
  - In KRaft mode O(zookeeper_hosts) is refused (the cluster has no ZooKeeper); an empty value counts as unset.
  - When O(zookeeper_hosts) is set, also lists the broker ids registered in ZooKeeper
    under C(<zookeeper_chroot>/brokers/ids), the same check as
    C(zookeeper-shell.sh zk:2181 ls /kafka/brokers/ids).
  - With O(expected_broker_ids) the module fails, naming the missing and unexpected broker ids,
    when the AdminClient view or the ZooKeeper view of live brokers differs from the expected set.
  - The module only reads; it never changes anything and always reports C(changed=false).
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  expected_broker_ids:
    description:
      - Broker ids that must be live.
      - When set, the module fails if the AdminClient view (and, with O(zookeeper_hosts),
        the ZooKeeper view) contains a different set of broker ids. The failure message names
        the missing and the unexpected ids of each view.
    type: list
    elements: int
  describe_quorum:
    description:
      - KRaft mode only - read the metadata quorum (RV(quorum)). V(false) skips the C(DescribeQuorum) request, e.g. for
        a login check as a principal without C(DESCRIBE) on the cluster, which would get a warning and V(null).
    type: bool
    default: true
  describe_security:
    description:
      - Also count the authorizer's ACLs (RV(acl_count)) and list the users with SCRAM credentials (RV(scram_users)),
        e.g. to record them before an operation that must keep them (a migration to KRaft). The principal needs
        C(DESCRIBE) and C(DESCRIBE_CONFIGS) on the cluster.
    type: bool
    default: false
  expected_controller_ids:
    description:
      - KRaft mode only - node ids of the controllers that must be voters of the metadata quorum.
      - When set, the module fails if the quorum has no leader, could not be read, or its voters differ from these ids;
        the message names the missing and the unexpected voters. Refused against a ZooKeeper-mode cluster.
    type: list
    elements: int
requirements:
  - kafka-python (the broker's API versions and C(DescribeQuorum); C(ListPartitionReassignments) when a topic may be
    moving)
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
seealso:
  - module: kafkaops.cluster.kafka_roundtrip
"""

EXAMPLES = r"""
- name: Verify that all three brokers are up, as seen by Kafka and by ZooKeeper
  kafkaops.cluster.kafka_cluster_info:
    bootstrap_servers: ["kafka-0:9092", "kafka-1:9092", "kafka-2:9092"]
    zookeeper_hosts: "zk-0:2181,zk-1:2181,zk-2:2181"
    zookeeper_chroot: /kafka
    expected_broker_ids: [0, 1, 2]
  delegate_to: "{{ groups['kafka'][0] }}"
  vars:
    ansible_python_interpreter: /opt/kafkaops/venv/bin/python
  run_once: true

- name: Read cluster state over SASL_SSL
  kafkaops.cluster.kafka_cluster_info:
    bootstrap_servers: ["kafka-0.example.internal:9094"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/kafka/tls/ca.pem
  register: kafka_info

- name: Read a KRaft cluster and require every controller to be a voter, caught up
  kafkaops.cluster.kafka_cluster_info:
    bootstrap_servers: ["kafka-0.example.internal:9094"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/kafka/tls/ca.pem
    expected_broker_ids: [0, 1, 2]
  register: kraft_info
  failed_when: >-
    kraft_info is failed or kraft_info.metadata_mode != 'kraft'
    or kraft_info.quorum.voter_ids != [1001, 1002, 1003] or kraft_info.quorum.max_voter_lag != 0

- name: Fail when partitions are under-replicated or offline
  ansible.builtin.assert:
    that:
      - kafka_info.under_replicated_partitions == 0
      - kafka_info.offline_partitions == 0
    fail_msg: >-
      under-replicated: {{ kafka_info.under_replicated_partition_list }},
      offline: {{ kafka_info.offline_partition_list }}
"""

RETURN = r"""
cluster_id:
  description: The cluster id.
  returned: success
  type: str
  sample: gUJfVpJYS06-EGOVh3S0Bw
controller_id:
  description:
    - Node id of the active controller.
    - In ZooKeeper mode the broker the AdminClient names as controller. In KRaft mode the leader of the metadata quorum
      (RV(quorum.leader_id)); the AdminClient's controller is then any broker, not the active controller. V(null) when
      the quorum has no leader or could not be read.
  returned: success
  type: int
  sample: 0
metadata_mode:
  description:
    - V(kraft) when the brokers keep the cluster metadata in a KRaft quorum, V(zookeeper) when they keep it in
      ZooKeeper.
    - Told from the API versions the bootstrap broker advertises (C(DescribeQuorum), API key 55, only in KRaft mode).
      During a migration from ZooKeeper the brokers still run in ZooKeeper mode and V(zookeeper) is reported.
  returned: success
  type: str
  sample: kraft
quorum:
  description:
    - The KRaft metadata quorum (the C(__cluster_metadata) log), read with C(DescribeQuorum) through a broker, which
      asks the active controller. The principal needs C(DESCRIBE) on the cluster; without it the module warns and
      this is V(null).
    - Lag is counted like C(kafka-metadata-quorum.sh describe --replication), as the leader's log end offset minus
      the replica's. Values Kafka does not know (reported as -1) are V(null), and so is that replica's lag.
  returned: when RV(metadata_mode) is V(kraft) and O(describe_quorum) is true
  type: dict
  contains:
    leader_id:
      description: Node id of the quorum leader (the active controller), V(null) when there is none.
      type: int
      sample: 1001
    leader_epoch:
      description: The leader's epoch.
      type: int
      sample: 3
    high_watermark:
      description: The metadata log's high watermark.
      type: int
      sample: 4521
    voters:
      description: The voters (controllers), sorted by id; each a replica as below.
      type: list
      elements: dict
      contains:
        id:
          description: Node id.
          type: int
        directory_id:
          description: The metadata log directory's id in Kafka's form (V(null) before Kafka 3.9).
          type: str
        status:
          description: V(Leader), V(Follower) (voters) or V(Observer).
          type: str
        log_end_offset:
          description: The replica's last known log end offset.
          type: int
        lag:
          description: Records the replica is behind the leader (leader's log end offset minus its own).
          type: int
        last_fetch_timestamp:
          description: When the replica last fetched from the leader (ms since the epoch, the leader's clock).
          type: int
        last_caught_up_timestamp:
          description: When the replica was last caught up with the leader (ms since the epoch, the leader's clock).
          type: int
        endpoints:
          description: The controller's listeners as C(NAME://host:port) (voters only; empty before Kafka 3.9).
          type: list
          elements: str
      sample:
        - {"id": 1001, "directory_id": "iYIDdhDeRaiTB5PM_4iscg", "status": "Leader", "log_end_offset": 4521, "lag": 0,
           "last_fetch_timestamp": 1764672000123, "last_caught_up_timestamp": 1764672000123,
           "endpoints": ["CONTROLLER://controller-0:9097"]}
    observers:
      description: The observers (brokers), sorted by id; replicas as in RV(quorum.voters), without endpoints.
      type: list
      elements: dict
    voter_ids:
      description: Sorted ids of RV(quorum.voters).
      type: list
      elements: int
      sample: [1001, 1002, 1003]
    observer_ids:
      description: Sorted ids of RV(quorum.observers).
      type: list
      elements: int
      sample: [0, 1, 2]
    max_voter_lag:
      description: The largest lag of a voter; V(null) when a voter's lag is unknown.
      type: int
      sample: 0
    max_observer_lag:
      description: The largest lag of an observer; V(null) when there are none or one's lag is unknown.
      type: int
      sample: 0
brokers:
  description: Live brokers according to the AdminClient (describe_cluster), sorted by id.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Broker id.
      type: int
      sample: 0
    host:
      description: Advertised host name of the broker.
      type: str
      sample: kafka-0
    port:
      description: Advertised port.
      type: int
      sample: 9092
    rack:
      description: C(broker.rack) of the broker, or V(null) when not set.
      type: str
      sample: eu-west-1a
  sample: [{"id": 0, "host": "kafka-0", "port": 9092, "rack": null}]
broker_ids:
  description: Sorted ids of RV(brokers).
  returned: success
  type: list
  elements: int
  sample: [0, 1, 2]
zookeeper_broker_ids:
  description: Sorted broker ids registered in ZooKeeper under C(<zookeeper_chroot>/brokers/ids).
  returned: when O(zookeeper_hosts) is set (ZooKeeper mode)
  type: list
  elements: int
  sample: [0, 1, 2]
zookeeper_controller_id:
  description: Broker id stored in C(<zookeeper_chroot>/controller), or V(null) if no controller is elected.
  returned: when O(zookeeper_hosts) is set (ZooKeeper mode)
  type: int
  sample: 0
acl_count:
  description: Number of the authorizer's ACL bindings.
  returned: with O(describe_security)
  type: int
  sample: 12
scram_users:
  description: Each user with a SCRAM credential and its mechanisms, by name.
  returned: with O(describe_security)
  type: dict
  sample: {admin: [SCRAM-SHA-512], alice: [SCRAM-SHA-256, SCRAM-SHA-512]}
topic_count:
  description: Number of topics, internal topics included.
  returned: success
  type: int
  sample: 51
partition_count:
  description: Number of partitions over all topics.
  returned: success
  type: int
  sample: 150
under_replicated_partitions:
  description:
    - Number of partitions with fewer in-sync replicas than their replication factor (offline partitions included).
    - Counted like C(kafka-topics.sh --describe --under-replicated-partitions) and the brokers'
      C(UnderReplicatedPartitions) metric - the replicas a reassignment in progress is adding do not count, so a
      partition that is simply moving is not under-replicated (see RV(reassigning_partitions)).
  returned: success
  type: int
  sample: 0
under_replicated_partition_list:
  description: The under-replicated partitions as C(topic-partition).
  returned: success
  type: list
  elements: str
  sample: ["orders-3", "__consumer_offsets-12"]
offline_partitions:
  description: Number of partitions without a leader.
  returned: success
  type: int
  sample: 0
offline_partition_list:
  description: The offline partitions as C(topic-partition).
  returned: success
  type: list
  elements: str
  sample: []
reassigning_partitions:
  description:
    - Number of partitions a reassignment in progress is adding replicas to or removing replicas from.
    - Read with the C(ListPartitionReassignments) API (kafka-python, C(DESCRIBE) on the cluster) only when a
      partition has replicas out of sync or a topic's partitions have different replica counts; V(0) otherwise.
  returned: success
  type: int
  sample: 1
reassigning_partition_list:
  description: The partitions of RV(reassigning_partitions) as C(topic-partition).
  returned: success
  type: list
  elements: str
  sample: ["orders-3"]
missing_broker_ids:
  description: Expected broker ids absent from at least one view (sorted).
  returned: when O(expected_broker_ids) is set (also on failure)
  type: list
  elements: int
  sample: [1]
unexpected_broker_ids:
  description: Broker ids present in at least one view but not expected (sorted).
  returned: when O(expected_broker_ids) is set (also on failure)
  type: list
  elements: int
  sample: []
broker_id_check:
  description: Per view (V(admin_client), V(zookeeper)) the missing and unexpected broker ids.
  returned: when O(expected_broker_ids) is set (also on failure)
  type: dict
  sample: {"admin_client": {"missing": [1], "unexpected": []}, "zookeeper": {"missing": [1], "unexpected": []}}
"""

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl_io import read_acls
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import broker_membership_check
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import broker_membership_message
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import cluster_metadata
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import partition_health
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import read_reassignments
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import zookeeper_broker_ids
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import zookeeper_controller_id
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import KRAFT
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import quorum_client
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import read_metadata_mode
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import read_quorum
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import zookeeper_option_refusal
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import read_all_credentials


def read_cluster_state(module):
    """Read everything once: AdminClient view, metadata mode, metadata, and the KRaft quorum or (optionally) the
    ZooKeeper view."""
    params = module.params
    admin = module.admin_client()
    state = module.describe_cluster(admin)
    state["broker_ids"] = [broker["id"] for broker in state["brokers"]]
    client = quorum_client(module)
    state["metadata_mode"] = read_metadata_mode(client)
    refusal = zookeeper_option_refusal(state["metadata_mode"], params)
    if refusal:
        module.fail_json(msg=refusal, changed=False, metadata_mode=state["metadata_mode"])
    if state["metadata_mode"] == KRAFT and params["describe_quorum"]:
        quorum, warning = read_quorum(client)
        if warning:
            module.warn(warning)
        state["quorum"] = quorum
    if state["metadata_mode"] == KRAFT:
        # In KRaft the AdminClient's controller is any broker; the active controller is the quorum leader.
        state["controller_id"] = (state.get("quorum") or {}).get("leader_id")
    metadata = cluster_metadata(admin, params["request_timeout"])
    # Replicas being added by a reassignment in progress do not make a partition under-replicated;
    # the reassignments are asked for only when the metadata shows a partition that may be moving.
    metadata, reassignments, warning = read_reassignments(module, admin, metadata)
    if warning:
        module.warn(warning)
    state.update(partition_health(metadata, reassignments))
    if params["describe_security"]:
        state["acl_count"] = len(read_acls(admin, params["request_timeout"]))
        state["scram_users"] = read_all_credentials(admin, params["request_timeout"])
    if params["zookeeper_hosts"]:
        zk = module.zookeeper()
        state["zookeeper_broker_ids"] = zookeeper_broker_ids(zk, params["zookeeper_chroot"])
        state["zookeeper_controller_id"] = zookeeper_controller_id(zk, params["zookeeper_chroot"])
    return state


def check_membership(state, expected):
    """Result fields and problem sentences for ``expected_broker_ids``."""
    check, problems = broker_membership_check(
        expected,
        dict(admin_client=state["broker_ids"], zookeeper=state.get("zookeeper_broker_ids")),
    )
    fields = dict(
        broker_id_check=check,
        missing_broker_ids=sorted({i for view in check.values() for i in view["missing"]}),
        unexpected_broker_ids=sorted({i for view in check.values() for i in view["unexpected"]}),
    )
    return fields, problems


def quorum_problem(state, expected):
    """The sentence why the KRaft quorum does not match ``expected_controller_ids``, or None."""
    if state["metadata_mode"] != KRAFT:
        return (
            "expected_controller_ids is set but the cluster runs in ZooKeeper mode, without a KRaft quorum: "
            "leave it unset (the ZooKeeper ensemble is checked with zookeeper_info)"
        )
    quorum = state.get("quorum")
    if quorum is None:
        return "the KRaft quorum could not be read (the principal needs DESCRIBE on the cluster)"
    wanted, voters = set(expected), set(quorum["voter_ids"])
    problems = []
    if wanted - voters:
        problems.append(f"missing controller ids {sorted(wanted - voters)}")
    if voters - wanted:
        problems.append(f"unexpected controller ids {sorted(voters - wanted)}")
    if quorum["leader_id"] is None:
        problems.append("no leader")
    if not problems:
        return None
    return f"KRaft quorum (voters {quorum['voter_ids']}, leader {quorum['leader_id']}): " + ", ".join(problems)


def main():
    argument_spec = dict(
        expected_broker_ids=dict(type="list", elements="int"),
        expected_controller_ids=dict(type="list", elements="int"),
        describe_quorum=dict(type="bool", default=True),
        describe_security=dict(type="bool", default=False),
    )
    module = KafkaModule(argument_spec=argument_spec, zookeeper=True, supports_check_mode=True)
    if module.params["expected_controller_ids"] is not None and not module.params["describe_quorum"]:
        module.fail_json(msg="expected_controller_ids needs describe_quorum=true (the voters come from the quorum)")

    try:
        state = read_cluster_state(module)
    except KafkaOpsError as e:
        module.fail_kafka(e, changed=False)

    expected = module.params["expected_broker_ids"]
    if expected is not None:
        fields, problems = check_membership(state, expected)
        state.update(fields)
        if problems:
            module.fail_json(msg=broker_membership_message(expected, problems), changed=False, **state)

    expected_controllers = module.params["expected_controller_ids"]
    if expected_controllers is not None:
        problem = quorum_problem(state, expected_controllers)
        if problem:
            module.fail_json(msg=problem, changed=False, **state)

    module.exit_json(changed=False, **state)


if __name__ == "__main__":
    main()
