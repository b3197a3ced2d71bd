#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_consumer_group_info
short_description: Read Kafka consumer groups, their members, committed offsets and lag
version_added: 0.1.0
description:
  - Lists consumer groups (all, the ones named in O(groups), or those whose id matches O(pattern)), optionally
    only those in one of O(states), and describes each - state, coordinator, partition assignor and members
    with their client id, host and assigned partitions - like C(kafka-consumer-groups.sh --describe).
  - With O(include_offsets=true) (the default) it also reads each group's committed offsets and the end offset of
    every partition of the topics the group committed to or is assigned, and returns the lag per partition
    (end offset - committed offset), per topic and per group, so a playbook can assert on
    C(groups[name].lag) and C(groups[name].topics[topic].lag).
  - A read-only module, it never changes anything and always returns C(changed=false).
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  groups:
    description:
      - Ids of the groups to read. Groups that do not exist (the broker reports them as C(Dead)) are left out of
        RV(groups) and listed in RV(missing), so an assertion on C(groups[name]) fails for them.
      - When omitted, every consumer group is listed (filtered by O(pattern) and O(states)).
      - Mutually exclusive with O(pattern).
    type: list
    elements: str
  pattern:
    description:
      - A Python regular expression the whole group id must match, for example V(mm2-.*) or V(orders-(eu|us)).
      - Mutually exclusive with O(groups).
    type: str
  states:
    description:
      - Only report groups in one of these states - V(stable), V(empty), V(preparing_rebalance),
        V(completing_rebalance), V(dead), V(unknown) (case and C(-)/C(_) do not matter).
    type: list
    elements: str
  include_offsets:
    description:
      - Read committed offsets and end offsets and compute the lag.
      - With V(false) only the group descriptions are returned (one request less per group, and no need for
        C(DESCRIBE) on the topics).
    type: bool
    default: true
  isolation_level:
    description:
      - Which end offset the lag is measured against - V(read_uncommitted) the high watermark (what
        C(kafka-consumer-groups.sh) shows), V(read_committed) the last stable offset (for consumers that read
        transactional topics with C(isolation.level=read_committed)).
    type: str
    choices: [read_uncommitted, read_committed]
    default: read_uncommitted
extends_documentation_fragment:
  - kafkaops.cluster.kafka
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only reads; check mode runs it unchanged.
  diff_mode:
    support: none
  platform:
    platforms: posix
notes:
  - The connecting principal needs C(DESCRIBE) on each group (and on the cluster to list all groups) and, for
    the lag, C(DESCRIBE) on the topics. Groups it may not describe are not listed by the broker.
  - A lag is never negative - a committed offset beyond the end offset (for example after the topic was deleted
    and created again) counts as 0.
  - Every partition of each topic the group committed to or is assigned is reported. A partition without a
    committed offset, or whose end offset cannot be read (its topic was deleted, it has no leader), has
    C(lag=null) and is counted in C(unknown_lag_partitions); totals only add the known lags, so assert
    C(unknown_lag_partitions == 0) as well when every partition must be covered.
seealso:
  - module: kafkaops.cluster.kafka_cluster_info
  - name: kafka-consumer-groups.sh
    description: The Kafka tool that shows the same data.
    link: https://kafka.apache.org/documentation/#basic_ops_consumer_group
"""

EXAMPLES = r"""
- name: MirrorMaker 2 must have caught up (per partition and in total)
  kafkaops.cluster.kafka_consumer_group_info:
    bootstrap_servers: ["kafka-0:9093"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: monitor
    sasl_password: "{{ vault_kafka_monitor_password }}"
    ssl_cafile: /etc/kafka/tls/ca.pem
    groups: [mm2-eu-to-us]
  register: mm2

- name: Assert the lag
  ansible.builtin.assert:
    that:
      - mm2.groups['mm2-eu-to-us'].lag < 1000
      - mm2.groups['mm2-eu-to-us'].unknown_lag_partitions == 0
      - mm2.groups['mm2-eu-to-us'].topics['orders'].lag < 100
      - mm2.groups['mm2-eu-to-us'].topics['orders'].partitions | map(attribute='lag') | max < 50

- name: Every stable group whose id starts with billing-, without offsets
  kafkaops.cluster.kafka_consumer_group_info:
    pattern: "billing-.*"
    states: [stable]
    include_offsets: false
  register: billing_groups

- name: Client ids of the members of each group
  ansible.builtin.debug:
    msg: "{{ item.key }}: {{ item.value.members | map(attribute='client_id') | list }}"
  loop: "{{ billing_groups.groups | dict2items }}"
  loop_control:
    label: "{{ item.key }}"
"""

RETURN = r"""
groups:
  description: The groups found, keyed by group id.
  returned: always
  type: dict
  contains:
    group_id:
      description: The group id.
      type: str
      sample: mm2-eu-to-us
    state:
      description: V(stable), V(empty), V(preparing_rebalance), V(completing_rebalance), V(dead) or V(unknown).
      type: str
      sample: stable
    type:
      description: Group protocol type as the client library reports it (V(classic), V(consumer) or V(unknown)).
      type: str
      sample: classic
    is_simple_consumer_group:
      description: Whether the group only commits offsets and has no group membership (no protocol).
      type: bool
      sample: false
    partition_assignor:
      description: The partition assignor of the current generation (V(range), V(roundrobin), ...), empty when none.
      type: str
      sample: range
    coordinator:
      description: The broker coordinating the group, C({id, host, port}).
      type: dict
      sample: {id: 1, host: kafka-1, port: 9093}
    members:
      description: The members, sorted by member id; empty when the group has none.
      type: list
      elements: dict
      contains:
        member_id:
          description: Member id assigned by the coordinator.
          type: str
        client_id:
          description: The client.id of the consumer.
          type: str
        host:
          description: The address the member connected from (without the leading C(/) Kafka adds).
          type: str
        group_instance_id:
          description: The static membership id, or null.
          type: str
        assignment:
          description: Assigned partitions, C([{topic, partition}]), sorted.
          type: list
          elements: dict
    lag:
      description: Total lag of the group over all partitions with a known lag.
      returned: when O(include_offsets=true)
      type: int
      sample: 42
    unknown_lag_partitions:
      description: Number of partitions whose lag is unknown (no committed offset, end offset unreadable).
      returned: when O(include_offsets=true)
      type: int
      sample: 0
    topics:
      description: Per topic the group committed to or is assigned.
      returned: when O(include_offsets=true)
      type: dict
      contains:
        lag:
          description: Total known lag of the topic.
          type: int
        unknown_lag_partitions:
          description: Partitions of the topic with an unknown lag.
          type: int
        partitions:
          description:
            - One entry per partition, sorted - C(partition), C(committed_offset) (null without commit),
              C(end_offset) (null when unreadable), C(lag) (null when unknown) and, when the end offset could not
              be read, C(error).
          type: list
          elements: dict
      sample:
        orders:
          lag: 7
          unknown_lag_partitions: 0
          partitions:
            - {partition: 0, committed_offset: 120, end_offset: 125, lag: 5}
            - {partition: 1, committed_offset: 98, end_offset: 100, lag: 2}
missing:
  description: Ids from O(groups) that do not exist (the broker reports them as C(Dead)).
  returned: always
  type: list
  elements: str
  sample: []
"""

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_groups import ISOLATION_LEVELS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_groups import assigned_partitions
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_groups import committed_offsets
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_groups import compile_pattern
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_groups import describe_groups
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_groups import end_offsets
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_groups import group_lag
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_groups import group_partitions
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_groups import list_groups
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_groups import normalize_states
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_groups import partition_counts
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_groups import select_groups


def read_groups(module, admin, names, pattern, states):
    """``(groups, missing)``: described groups keyed by id, and named groups that do not exist."""
    timeout = module.params["request_timeout"]
    if names is None:
        ids = select_groups(list_groups(admin, timeout), pattern)
    else:
        ids = sorted(set(names))
    described = describe_groups(admin, ids, timeout)
    groups = {}
    missing = []
    for group_id in ids:
        group = described[group_id]
        if names is not None and group["state"] == "dead":
            # The broker describes an unknown group id as an empty Dead group.
            missing.append(group_id)
            continue
        if states and group["state"] not in states:
            continue
        groups[group_id] = group
    return groups, missing


def add_offsets(module, admin, groups):
    """Add ``lag``, ``unknown_lag_partitions`` and ``topics`` to each group (one ListOffsets request in all)."""
    timeout = module.params["request_timeout"]
    committed = {group_id: committed_offsets(admin, group_id, timeout) for group_id in groups}
    seen = set()
    for group_id, group in groups.items():
        seen |= group_partitions(committed[group_id], group)
    counts = partition_counts(admin, {topic for topic, _partition in seen}, timeout)
    partitions = seen | {(topic, p) for topic, count in counts.items() for p in range(count)}
    ends, errors = end_offsets(admin, partitions, timeout, module.params["isolation_level"])
    for group_id, group in groups.items():
        group.update(group_lag(committed[group_id], ends, assigned_partitions(group), errors, counts))


def main():
    argument_spec = dict(
        groups=dict(type="list", elements="str"),
        pattern=dict(type="str"),
        states=dict(type="list", elements="str"),
        include_offsets=dict(type="bool", default=True),
        isolation_level=dict(type="str", choices=list(ISOLATION_LEVELS), default="read_uncommitted"),
    )
    module = KafkaModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("groups", "pattern")],
    )
    params = module.params

    states, errors = normalize_states(params["states"])
    pattern, problem = compile_pattern(params["pattern"])
    if problem:
        errors.append(problem)
    names = params["groups"]
    if names is not None and not all(name and name.strip() for name in names):
        errors.append("groups must not contain empty names")
    if errors:
        module.fail_json(msg="; ".join(errors))

    result = dict(changed=False, groups={}, missing=[])
    try:
        admin = module.admin_client()
        module.describe_cluster(admin)
        groups, missing = read_groups(module, admin, names, pattern, states)
        if params["include_offsets"]:
            add_offsets(module, admin, groups)
    except KafkaOpsError as e:
        module.fail_kafka(e, **result)

    result.update(groups=groups, missing=missing)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
