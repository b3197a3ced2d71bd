#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_restart_gate
short_description: Decide whether a Kafka broker may be stopped without a partition dropping below min.insync.replicas
version_added: 0.1.0
description:
  - The safety gate of a rolling restart - run it before stopping broker O(broker_id). It reads the cluster metadata
    (every topic, internal ones included, with the replicas, in-sync replicas and leader of each partition) and the
    effective C(min.insync.replicas) of the topics concerned (the topic override or else the broker default, read with
    batched C(DescribeConfigs) requests).
  - Stopping the broker is refused when a partition that has a replica on it already has fewer in-sync replicas than
    C(min.insync.replicas), or exactly C(min.insync.replicas) in-sync replicas with the broker among them (stopping it
    would leave the partition below its minimum and producers with C(acks=all) would fail). This is the rule of
    Strimzi's rolling restarts.
  - Partitions whose C(min.insync.replicas) is not lower than their number of replicas (for example a replication
    factor of 1) drop below their minimum whenever any of their brokers stops, whatever the order of the restarts; they
    never block and are listed in RV(unavoidable).
  - With O(require_no_under_replicated) it also refuses while any partition of the cluster is under-replicated or
    offline, for example while the previously restarted broker is still catching up.
  - A broker that is not registered (already down) cannot remove anything from an in-sync replica set. For it only
    under-replicated or offline partitions that are not explained by its own absence block.
  - With O(wait) the module polls until the broker may be stopped, up to O(timeout).
  - The module only reads; it never changes anything and always reports C(changed=false).
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  broker_id:
    description:
      - Id of the broker that is about to be stopped.
    type: int
    required: true
  require_no_under_replicated:
    description:
      - Also refuse while any partition of the cluster is under-replicated or offline (not only those that have a
        replica on O(broker_id)).
    type: bool
    default: true
  wait:
    description:
      - Poll every O(poll_interval) seconds until the broker may be stopped, up to O(timeout) seconds.
      - With V(false) the module decides on one reading.
    type: bool
    default: false
  timeout:
    description:
      - Seconds to wait with O(wait=true). When the broker still may not be stopped then, the module fails (or, with
        O(fail_when_unsafe=false), returns RV(safe=false)).
    type: int
    default: 300
  poll_interval:
    description:
      - Seconds between two readings with O(wait=true).
    type: float
    default: 5.0
  fail_when_unsafe:
    description:
      - Fail when the broker may not be stopped; the message names the first 10 blocking partitions and why.
      - With V(false) the module succeeds and only reports RV(safe) and RV(blocking).
    type: bool
    default: true
  batch_size:
    description:
      - Maximum number of topics per C(DescribeConfigs) request.
    type: int
    default: 200
extends_documentation_fragment:
  - kafkaops.cluster.kafka
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details: The module only reads; check mode behaves exactly like a normal run, waiting included.
  diff_mode:
    support: N/A
    details: The module does not change anything.
  platform:
    platforms: posix
notes:
  - The C(min.insync.replicas) of each topic is read once per run (a topic created while waiting is read when it
    appears); the metadata is read again at every poll.
  - The principal needs C(DESCRIBE) and C(DESCRIBE_CONFIGS) on every topic; partitions of topics it may not describe
    are not seen.
seealso:
  - module: kafkaops.cluster.kafka_cluster_info
  - module: kafkaops.cluster.kafka_broker_config
  - name: Strimzi - KafkaRoller rolling restart rules
    description: >-
      The availability rule this module implements (C(KafkaAvailability), in
      C(cluster-operator/src/main/java/io/strimzi/operator/cluster/operator/resource/KafkaAvailability.java)).
    link: https://github.com/strimzi/strimzi-kafka-operator/tree/main/cluster-operator
"""

EXAMPLES = r"""
- name: Wait until broker 2 may be stopped, then restart it
  kafkaops.cluster.kafka_restart_gate:
    bootstrap_servers: ["kafka-0:9095"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/kafka/tls/ca.pem
    broker_id: 2
    wait: true
    timeout: 600
  delegate_to: "{{ groups['kafka'][0] }}"
  vars:
    ansible_python_interpreter: /opt/kafkaops/venv/bin/python

- name: Only report (never fail)
  kafkaops.cluster.kafka_restart_gate:
    bootstrap_servers: ["kafka-0:9092"]
    broker_id: 1
    fail_when_unsafe: false
  register: gate

- name: Show why broker 1 must stay up
  ansible.builtin.debug:
    msg: "{{ gate.blocking | map(attribute='reason') | list }}"
  when: not gate.safe
"""

RETURN = r"""
safe:
  description: Whether the broker may be stopped now.
  returned: success, and on failure when the broker may not be stopped
  type: bool
  sample: false
blocking:
  description: The partitions that forbid stopping the broker now, in topic and partition order.
  returned: success, and on failure when the broker may not be stopped
  type: list
  elements: dict
  contains:
    topic:
      description: Topic name.
      type: str
    partition:
      description: Partition id.
      type: int
    replicas:
      description: Broker ids of the replicas.
      type: list
      elements: int
    isr:
      description: Broker ids of the in-sync replicas.
      type: list
      elements: int
    min_insync_replicas:
      description: Effective C(min.insync.replicas) of the topic.
      type: int
    kind:
      description:
        - V(at_min_isr) (stopping the broker would leave the partition below its minimum), V(below_min_isr)
          (already below and the broker holds a replica), V(under_replicated) or V(offline) (with
          O(require_no_under_replicated)).
      type: str
    reason:
      description: The rule, in words.
      type: str
  sample:
    - topic: orders
      partition: 3
      replicas: [2, 0, 1]
      isr: [2, 0]
      min_insync_replicas: 2
      kind: at_min_isr
      reason: "stopping broker 2 would leave orders-3 with 1 in-sync replica, min.insync.replicas is 2"
under_replicated:
  description: Every under-replicated partition of the cluster (offline ones included), as C(topic-partition).
  returned: success, and on failure when the broker may not be stopped
  type: list
  elements: str
  sample: ["orders-3"]
offline:
  description: Every partition without a leader, as C(topic-partition).
  returned: success, and on failure when the broker may not be stopped
  type: list
  elements: str
  sample: []
unavoidable:
  description:
    - Partitions with a replica on the broker whose C(min.insync.replicas) is not lower than their number of replicas;
      they drop below their minimum while the broker is down whatever the order of the restarts (not blocking).
  returned: success, and on failure when the broker may not be stopped
  type: list
  elements: str
  sample: ["scratch-0"]
controller_id:
  description: Broker id of the active controller, V(null) when none is known.
  returned: success, and on failure when the broker may not be stopped
  type: int
  sample: 0
broker_ids:
  description: Sorted ids of the live (registered) brokers.
  returned: success, and on failure when the broker may not be stopped
  type: list
  elements: int
  sample: [0, 1, 2]
broker_registered:
  description: Whether O(broker_id) is live (registered in the cluster).
  returned: success, and on failure when the broker may not be stopped
  type: bool
  sample: true
partitions_led:
  description: Number of partitions whose leader is O(broker_id).
  returned: success, and on failure when the broker may not be stopped
  type: int
  sample: 17
waited_seconds:
  description: Seconds spent waiting (V(0) without O(wait) or when safe at once).
  returned: success, and on failure when the broker may not be stopped
  type: float
  sample: 12.5
"""

import time

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import cluster_metadata
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import DEFAULT_MIN_INSYNC_REPLICAS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import controller_id
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import evaluate
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import live_broker_ids
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import min_isr_by_topic
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import partition_rows
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import topics_to_describe
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_restart import unsafe_message
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_batch import DEFAULT_BATCH_SIZE
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_io import describe_topic_configs
from ansible_collections.kafkaops.cluster.plugins.module_utils.polling import poll


class RestartGate:
    """Reads metadata (every poll) and min.insync.replicas (once per topic) and decides."""

    def __init__(self, admin, params):
        self.admin = admin
        self.broker_id = params["broker_id"]
        self.require = params["require_no_under_replicated"]
        self.request_timeout = params["request_timeout"]
        self.batch_size = params["batch_size"]
        self.min_isr = {}

    def read(self):
        metadata = cluster_metadata(self.admin, self.request_timeout)
        rows = partition_rows(metadata)
        needed = [topic for topic in topics_to_describe(rows, self.broker_id) if topic not in self.min_isr]
        if needed:
            configs = describe_topic_configs(self.admin, needed, self.request_timeout, self.batch_size)
            self.min_isr.update(min_isr_by_topic(configs))
            # A topic deleted since the metadata was read: its partitions go away with the next reading.
            self.min_isr.update({topic: DEFAULT_MIN_INSYNC_REPLICAS for topic in needed if topic not in configs})
        live = live_broker_ids(metadata)
        state = evaluate(rows, self.min_isr, self.broker_id, live, self.require)
        state.update(controller_id=controller_id(metadata), broker_ids=live)
        return state


def decide(gate, params, clock=time.monotonic, sleep=time.sleep):
    """One reading, or (``wait``) readings until safe; returns ``(state, timed_out)``.

    Waiting is ``polling.poll``: a time-out is no error here, the last reading is the answer.
    """
    started = clock()
    if not params["wait"]:
        state = gate.read()
        state["waited_seconds"] = 0.0
        return state, False
    state, safe = poll(
        gate.read,
        lambda state: state["safe"],
        params["timeout"],
        interval=params["poll_interval"],
        sleep=sleep,
        clock=clock,
    )
    state["waited_seconds"] = round(clock() - started, 1)
    return state, not safe


def main():
    argument_spec = dict(
        broker_id=dict(type="int", required=True),
        require_no_under_replicated=dict(type="bool", default=True),
        wait=dict(type="bool", default=False),
        timeout=dict(type="int", default=300),
        poll_interval=dict(type="float", default=5.0),
        fail_when_unsafe=dict(type="bool", default=True),
        batch_size=dict(type="int", default=DEFAULT_BATCH_SIZE),
    )
    module = KafkaModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    if params["batch_size"] < 1:
        module.fail_json(msg=f"batch_size must be at least 1, got {params['batch_size']}")
    if params["timeout"] < 0:
        module.fail_json(msg=f"timeout must not be negative, got {params['timeout']}")
    if params["poll_interval"] <= 0:
        module.fail_json(msg=f"poll_interval must be positive, got {params['poll_interval']}")

    try:
        admin = module.admin_client()
        module.describe_cluster(admin)
        state, timed_out = decide(RestartGate(admin, params), params)
    except KafkaOpsError as e:
        module.fail_kafka(e, changed=False)

    result = dict(
        changed=False,
        safe=state["safe"],
        blocking=state["blocking"],
        under_replicated=state["under_replicated"],
        offline=state["offline"],
        unavoidable=state["unavoidable"],
        controller_id=state["controller_id"],
        broker_ids=state["broker_ids"],
        broker_registered=state["broker_registered"],
        partitions_led=state["partitions_led"],
        waited_seconds=state["waited_seconds"],
    )
    if state["unavoidable"]:
        shown = ", ".join(state["unavoidable"][:10])
        more = len(state["unavoidable"]) - 10
        module.warn(
            f"{len(state['unavoidable'])} partition(s) with a replica on broker {params['broker_id']} drop below "
            f"min.insync.replicas while it is down whatever the order of the restarts (min.insync.replicas is not "
            f"lower than their number of replicas): {shown}{f' and {more} more' if more > 0 else ''}"
        )
    if not state["safe"] and params["fail_when_unsafe"]:
        waited = params["timeout"] if timed_out else None
        module.fail_json(msg=unsafe_message(params["broker_id"], state["blocking"], waited), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
