#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_topic_info
short_description: Describe Kafka topics (partitions, leaders, replicas, ISR, configuration)
version_added: 0.1.0
description:
  - Reads topics through the Kafka AdminClient, like C(kafka-topics.sh --describe) and
    C(kafka-configs.sh --describe --entity-type topics) together, with one metadata request and batched
    C(DescribeConfigs) requests.
  - Filters by name (O(names) or O(pattern)) and by partition health (O(under_replicated), O(offline)).
  - The module only reads; it never changes anything and always reports C(changed=false).
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  names:
    description:
      - Only these topics. Listed topics that do not exist are reported in RV(missing).
      - Mutually exclusive with O(pattern).
    type: list
    elements: str
  pattern:
    description:
      - Only topics whose whole name matches this Python regular expression (like
        C(kafka-topics.sh --topic <regex>)); use V(orders\\..*) for a prefix.
      - Mutually exclusive with O(names).
    type: str
  exclude_internal:
    description:
      - Leave out Kafka's internal topics (C(__consumer_offsets), C(__transaction_state)).
    type: bool
    default: false
  under_replicated:
    description:
      - Only topics with at least one partition that has fewer in-sync replicas than replicas.
      - Together with O(offline), topics with either problem.
    type: bool
    default: false
  offline:
    description:
      - Only topics with at least one partition without a leader.
      - Together with O(under_replicated), topics with either problem.
    type: bool
    default: false
  include_defaults:
    description:
      - Return every configuration value the topic uses, inherited ones (broker settings, Kafka defaults)
        included, and their sources in C(config_sources). By default C(config) only holds the topic's
        own overrides.
    type: bool
    default: false
  offsets:
    description:
      - Also read the start (earliest) and end (latest) offset of every partition and return each topic's
        message count, e.g. to compare a topic with its MirrorMaker 2 replica or to check that a producer's
        messages arrived.
      - The count is C(end - start) summed over the partitions; on compacted topics and topics with
        transactions it is an upper bound.
    type: bool
    default: false
  batch_size:
    description:
      - Maximum number of topics per C(DescribeConfigs) request.
    type: int
    default: 200
requirements:
  - kafka-python (the C(ListPartitionReassignments) API; used only when a topic may be moving)
extends_documentation_fragment:
  - kafkaops.cluster.kafka
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
  - Only topics the connecting principal may C(DESCRIBE) are visible.
  - Replicas being added by a reassignment are told apart with the C(ListPartitionReassignments) API
    (kafka-python, C(DESCRIBE) on the cluster), asked only when a partition has replicas out of sync or
    the partitions of a topic have different replica counts. If the principal may not describe the
    cluster, the module warns and counts every replica, as before Kafka 2.4.
seealso:
  - module: kafkaops.cluster.kafka_topic
  - module: kafkaops.cluster.kafka_cluster_info
"""

EXAMPLES = r"""
- name: Describe two topics
  kafkaops.cluster.kafka_topic_info:
    bootstrap_servers: ["kafka-0:9092"]
    names: [orders, payments]
  register: shop

- name: Check the replication of orders
  ansible.builtin.assert:
    that:
      - shop.topics.orders.replication_factor == 3
      - shop.topics.orders.under_replicated_partitions == 0
      - shop.topics.orders.config['retention.ms'] == '604800000'

- name: Every topic of the shop team with all effective configuration values
  kafkaops.cluster.kafka_topic_info:
    bootstrap_servers: ["kafka-0:9092"]
    pattern: "shop\\..*"
    include_defaults: true

- name: Fail when any partition is under-replicated or offline
  kafkaops.cluster.kafka_topic_info:
    bootstrap_servers: ["kafka-0:9092"]
    under_replicated: true
    offline: true
  register: unhealthy
  failed_when: unhealthy.topics | length > 0

- name: MirrorMaker 2 caught up - mm-test holds as many messages on repl as on prod
  kafkaops.cluster.kafka_topic_info:
    bootstrap_servers: ["repl-kafka-0:9095"]
    names: [mm-test]
    offsets: true
  register: replica
  until: replica.topics['mm-test'].messages == prod.topics['mm-test'].messages
  retries: 30
  delay: 2
"""

RETURN = r"""
topics:
  description: The selected topics, keyed by name.
  returned: success
  type: dict
  contains:
    name:
      description: Topic name.
      type: str
    internal:
      description: Whether this is one of Kafka's internal topics.
      type: bool
    partitions:
      description: Number of partitions.
      type: int
    replication_factor:
      description:
        - Number of replicas (the largest of its partitions), counted like C(kafka-topics.sh --describe) - replicas
          that a reassignment in progress is adding do not count, so a topic that is moving keeps the
          replication factor it has.
      type: int
    under_replicated_partitions:
      description:
        - Number of partitions with fewer in-sync replicas than the replication factor (replicas being added
          by a reassignment do not count, as in Kafka's C(UnderReplicatedPartitions) metric).
      type: int
    reassigning_partitions:
      description: Number of partitions a reassignment in progress is adding replicas to or removing replicas from.
      type: int
    offline_partitions:
      description: Number of partitions without a leader.
      type: int
    partition_details:
      description: One entry per partition, sorted by partition id.
      type: list
      elements: dict
      contains:
        partition:
          description: Partition id.
          type: int
        leader:
          description: Broker id of the leader, V(null) when the partition is offline.
          type: int
        replicas:
          description: Broker ids of the replicas, preferred leader first.
          type: list
          elements: int
        isr:
          description: Broker ids of the in-sync replicas.
          type: list
          elements: int
        offline:
          description: The partition has no leader.
          type: bool
        under_replicated:
          description:
            - The partition has fewer in-sync replicas than its replication factor (replicas being added not counted).
          type: bool
        reassigning:
          description: A reassignment of the partition is in progress.
          type: bool
        adding_replicas:
          description: Broker ids of the replicas a reassignment in progress is adding (part of C(replicas)).
          type: list
          elements: int
        removing_replicas:
          description: Broker ids of the replicas a reassignment in progress is removing (part of C(replicas)).
          type: list
          elements: int
        start_offset:
          description: The earliest offset in the partition (V(null) when it could not be read).
          returned: when O(offsets=true)
          type: int
        end_offset:
          description: The offset the next message will get (V(null) when it could not be read).
          returned: when O(offsets=true)
          type: int
        offsets_error:
          description: Why an offset could not be read.
          returned: when O(offsets=true) and an offset could not be read
          type: str
    messages:
      description: Messages in the topic (sum of end - start offsets), V(null) when an offset could not be read.
      returned: when O(offsets=true)
      type: int
    config:
      description:
        - The topic's configuration overrides, values as strings the way the broker reports them.
        - With O(include_defaults=true) every configuration value the topic uses.
      type: dict
    config_sources:
      description:
        - Where each value of C(config) comes from (C(DYNAMIC_TOPIC_CONFIG), C(STATIC_BROKER_CONFIG),
          C(DEFAULT_CONFIG), ...).
      returned: when O(include_defaults=true)
      type: dict
  sample:
    orders:
      name: orders
      internal: false
      partitions: 2
      replication_factor: 3
      under_replicated_partitions: 0
      offline_partitions: 0
      reassigning_partitions: 1
      partition_details:
        - {"partition": 0, "leader": 1, "replicas": [1, 2, 0], "isr": [1, 2, 0],
           "offline": false, "under_replicated": false, "reassigning": false, "adding_replicas": [],
           "removing_replicas": []}
        - {"partition": 1, "leader": 2, "replicas": [3, 2, 0, 1], "isr": [2, 0, 1],
           "offline": false, "under_replicated": false, "reassigning": true, "adding_replicas": [3],
           "removing_replicas": [1]}
      config: {"retention.ms": "604800000"}
missing:
  description: Topics listed in O(names) that do not exist (or are not visible to the principal).
  returned: when O(names) is set
  type: list
  elements: str
  sample: ["payments"]
"""

import re

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import cluster_metadata
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import read_reassignments
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import topic_state
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_groups import end_offsets
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_groups import start_offsets
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_batch import DEFAULT_BATCH_SIZE
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_info import config_view
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_info import health_filter
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_info import select_topics
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_info import topic_info
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_io import describe_topic_configs


def add_offsets(admin, topics, timeout):
    """Start and end offset of every partition, and each topic's message count (end - start)."""
    partitions = [(name, p["partition"]) for name, info in topics.items() for p in info["partition_details"]]
    starts, start_errors = start_offsets(admin, partitions, timeout)
    ends, end_errors = end_offsets(admin, partitions, timeout)
    for name, info in topics.items():
        complete = True
        for detail in info["partition_details"]:
            key = (name, detail["partition"])
            detail["start_offset"] = starts.get(key)
            detail["end_offset"] = ends.get(key)
            error = start_errors.get(key) or end_errors.get(key)
            if error:
                detail["offsets_error"] = error
            if detail["start_offset"] is None or detail["end_offset"] is None:
                complete = False
        info["messages"] = (
            sum(d["end_offset"] - d["start_offset"] for d in info["partition_details"]) if complete else None
        )


def read_topic_info(module, admin, pattern):
    params = module.params
    timeout = params["request_timeout"]
    metadata = cluster_metadata(admin, timeout)
    available = [name for name in metadata.topics if topic_state(metadata, name) is not None]
    selected = select_topics(available, params["names"], pattern, params["exclude_internal"])
    # Replicas being added by a reassignment in progress count neither in the replication factor nor
    # as under-replicated; asked for only when the metadata shows a topic that may be moving.
    metadata, reassignments, warning = read_reassignments(module, admin, metadata, selected)
    if warning:
        module.warn(warning)
    # A topic deleted since the first read is left out.
    infos = [topic_info(name, metadata.topics[name], reassignments) for name in selected if name in metadata.topics]
    infos = [info for info in infos if health_filter(info, params["under_replicated"], params["offline"])]
    configs = describe_topic_configs(admin, [info["name"] for info in infos], timeout, params["batch_size"])
    topics = {}
    for info in infos:
        if info["name"] not in configs:
            continue  # deleted since the metadata was read
        info.update(config_view(configs[info["name"]], params["include_defaults"]))
        topics[info["name"]] = info
    if params["offsets"]:
        add_offsets(admin, topics, timeout)
    result = dict(topics=topics)
    if params["names"] is not None:
        result["missing"] = [name for name in params["names"] if name not in available]
    return result


def main():
    argument_spec = dict(
        names=dict(type="list", elements="str"),
        pattern=dict(type="str"),
        exclude_internal=dict(type="bool", default=False),
        under_replicated=dict(type="bool", default=False),
        offline=dict(type="bool", default=False),
        include_defaults=dict(type="bool", default=False),
        batch_size=dict(type="int", default=DEFAULT_BATCH_SIZE),
        offsets=dict(type="bool", default=False),
    )
    module = KafkaModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("names", "pattern")],
    )
    params = module.params
    if params["batch_size"] < 1:
        module.fail_json(msg=f"batch_size must be at least 1, got {params['batch_size']}")
    pattern = None
    if params["pattern"] is not None:
        try:
            pattern = re.compile(params["pattern"])
        except re.error as e:
            module.fail_json(msg=f"pattern {params['pattern']!r} is not a valid regular expression: {e}")
    try:
        admin = module.admin_client()
        module.describe_cluster(admin)
        result = read_topic_info(module, admin, pattern)
    except KafkaOpsError as e:
        module.fail_kafka(e, changed=False)
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
