#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_reassign
short_description: Move Kafka partition replicas between brokers, drain brokers, change replication factors
version_added: 0.1.0
description:
  - Reassigns the replicas of Kafka partitions, like C(kafka-reassign-partitions.sh), in one of four ways
    (mutually exclusive) - an explicit O(assignment); O(drain_brokers) to move every replica off some brokers
    (decommissioning); O(spread_over) to spread the O(topics) evenly over a set of brokers (scale-up or
    scale-down); O(replication_factor) to grow or shrink the replica lists of the O(topics).
  - The target is computed by a deterministic planner before anything changes. It keeps every replica that may
    stay (minimal data movement), balances the replica count per broker and the preferred leaders (first
    replicas) per topic, and, when every eligible broker has C(broker.rack) set, keeps each partition on as
    many racks as possible. RV(plan) shows it, also in check mode.
  - When the current assignment already equals the plan nothing is done (C(changed=false), no throttle).
  - The move is throttled (O(throttle_bytes_per_sec)) the way C(kafka-reassign-partitions.sh --throttle) does it.
    The throttle is removed once nothing moves because of the run - when the move is complete, or when it never
    started. A move still running (O(timeout), a run that failed while waiting) keeps its throttle, as
    C(kafka-reassign-partitions.sh) does until C(--verify).
  - B(Interrupted runs) - a run killed half way (an C(async) timeout, a dropped connection) or one that timed out
    leaves its move running in Kafka and its throttle in place. The next run of the module recognises that throttle
    from the throttle configs themselves (see the notes), waits for the partitions of that move still moving and then
    removes the throttle, before it plans anything (check mode reports this as a change). O(state=unthrottled)
    removes such a throttle at once; O(state=cancelled) cancels the move.
  - With O(wait) the module waits until the move is complete, records its progress in RV(progress) and the
    module log, elects the preferred leaders of the moved partitions (O(elect_preferred_leaders)) and returns
    the assignment re-read from the cluster.
  - Bad input is refused before anything changes - a target broker that is not live, draining so many brokers
    that a partition could not keep its replication factor, a replication factor larger than the number of live
    brokers, unknown topics or partitions, and a reassignment already in progress for the selected topics
    (unless O(wait_for_in_progress)).
  - Works through Kafka's reassignment API (C(AlterPartitionReassignments), C(ListPartitionReassignments), Kafka 2.4
    and later) in both metadata modes - ZooKeeper and KRaft - and needs no ZooKeeper access. The ZooKeeper options
    (O(zookeeper_hosts) and the others) are no longer needed; they are still accepted, and ignored, against a
    ZooKeeper-mode cluster, for playbooks written for earlier versions, and refused against a KRaft cluster.
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  topics:
    description:
      - The topics to plan for, or V([all]) for every topic of the cluster, internal ones (C(__consumer_offsets))
        included, which a broker that is being drained usually holds too.
      - Required with O(state=present) unless O(assignment) is used, which names its topics itself. With
        O(state=cancelled), the topics whose reassignments are cancelled.
      - Unknown topic names are refused.
    type: list
    elements: str
  assignment:
    description:
      - 'Explicit target replicas as C({topic: {partition: [broker ids]}}); the first broker is the preferred leader.'
      - Partitions not named keep their replicas. A list may have another length than the current one
        (changes the replication factor of that partition).
      - Every broker of a changed partition must be live.
    type: dict
  drain_brokers:
    description:
      - Move every replica of the O(topics) off these brokers, keeping each partition's replication factor.
        The new replicas go to the least loaded of the other live brokers, preferring racks the partition does not
        use yet. Replicas that are already on the other brokers stay.
      - Refused when a partition would need more replicas than live brokers remain.
      - Ids of brokers that are no longer live may be given (their replicas are moved off too); an id that is
        neither live nor holds a replica only produces a warning.
    type: list
    elements: int
  spread_over:
    description:
      - Spread the replicas of the O(topics) evenly over exactly these brokers, which must all be live (for example
        V([0, 1, 2, 3]) after adding broker 3). Replicas on other brokers move onto them; then replicas move from the
        busiest to the least busy broker of each topic until their counts differ by at most one. Preferred leaders
        are balanced as well.
    type: list
    elements: int
  replication_factor:
    description:
      - Change the partitions of the O(topics) whose replication factor differs to this many replicas, adding them on
        the least loaded live brokers or removing them from the busiest ones (the preferred leader is kept).
      - Must be between 1 and the number of live brokers.
    type: int
  throttle_bytes_per_sec:
    description:
      - Replication throttle in bytes per second for the move, V(0) for none.
      - Sets the dynamic broker configs C(leader.replication.throttled.rate) and C(follower.replication.throttled.rate)
        on every broker that sends or receives a moved partition, and the topic configs
        C(leader.replication.throttled.replicas) (the current replicas) and C(follower.replication.throttled.replicas)
        (the new replicas) of the moved partitions.
      - The previous values are restored (or the configs deleted) when the move is done or did not start; while it
        still runs (O(timeout)) the throttle stays, and the next run removes it once the move is done (see the notes).
      - Only live brokers get the rate (a broker config change has to be handled by that broker); replicas on brokers
        that are down are neither leader- nor follower-throttled.
      - Needs O(wait=true), since the throttle can only be removed once the move is complete.
    type: int
    default: 52428800
  wait:
    description:
      - Wait until every moved partition has reached its target replicas.
      - With V(false) the module returns right after starting the reassignment (RV(assignment) then shows it in
        progress); O(throttle_bytes_per_sec) must be V(0) and no leader election is done.
    type: bool
    default: true
  timeout:
    description:
      - Seconds to wait for the move to complete (and, with O(wait_for_in_progress), for a reassignment in progress
        to finish first).
      - At the deadline the module fails with the progress made, naming the partitions still moving. Kafka goes on
        with the reassignment in the background and the throttle stays in place; the next run waits for the move
        and then removes the throttle (O(state=cancelled) cancels the move instead).
    type: int
    default: 3600
  poll_interval:
    description:
      - Seconds between two progress checks while waiting.
    type: float
    default: 2.0
  wait_for_in_progress:
    description:
      - When a reassignment is already in progress for a partition of the O(topics), wait for it to finish, up to
        O(timeout), then plan from the resulting assignment. With V(false) the module refuses and changes nothing.
      - Reassignments of other topics do not block a new one (Kafka runs reassignments of different partitions side by
        side).
      - Waiting only reads, so it also happens in check mode.
    type: bool
    default: false
  elect_preferred_leaders:
    description:
      - After a completed move, run a preferred leader election for the moved partitions, so that the first replica
        of each becomes its leader and leadership is as balanced as the plan.
      - A failed election is reported in RV(leader_election) and as a warning; it does not fail the module.
    type: bool
    default: true
  state:
    description:
      - V(present) - the planned assignment is in place (one of O(assignment), O(drain_brokers), O(spread_over),
        O(replication_factor) is required).
      - V(cancelled) - no reassignment is in progress for the O(topics) (default - the topics whose throttle an
        earlier run left, or V([all]) when there is none). Each partition still moving goes back to its original
        replicas, through the C(AlterPartitionReassignments) API (also for a move started through ZooKeeper); then
        the throttle an earlier run left is removed, once none of its partitions moves any more. Partitions whose
        move is complete are left as they are.
      - V(unthrottled) - no replication throttle of a move remains - the throttle an earlier run left (see the notes)
        is removed; a move still in progress continues at full speed. Throttled replica lists of V(*) are not
        touched (see M(kafkaops.cluster.kafka_broker_config), M(kafkaops.cluster.kafka_topic)).
    type: str
    choices: [present, cancelled, unthrottled]
    default: present
extends_documentation_fragment:
  - kafkaops.cluster.kafka
  - kafkaops.cluster.kafka.zookeeper
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode reads the cluster and computes the plan exactly like a real run (the same refusals apply) and
        returns RV(plan), RV(actions) and the predicted RV(assignment); it sets no throttle and moves nothing.
  diff_mode:
    support: full
    details:
      - The diff shows the replicas of the moved partitions before and after.
  platform:
    platforms: posix
notes:
  - B(How) - confluent-kafka (librdkafka), at least up to 2.16, has no binding for the
    C(AlterPartitionReassignments) / C(ListPartitionReassignments) admin APIs (KIP-455), so the module starts, follows
    and cancels reassignments through kafka-python's admin client (the same connection options), which must be
    installed next to confluent-kafka; the requests go to the active controller. The replica lists come from the
    cluster metadata, the throttles are read and changed through the AdminClient (C(describe_configs),
    C(incremental_alter_configs)), the preferred leader election goes through C(elect_leaders). The same calls serve
    ZooKeeper-mode (Kafka 2.4 to 3.9) and KRaft clusters; the mode is told from the API versions of the brokers.
  - B(Which throttle is the module's) - there is no record besides the throttle configs. A run throttles exactly the
    replicas its move copies - explicit C(partition:broker) entries in the moved topics'
    C(leader.replication.throttled.replicas) / C(follower.replication.throttled.replicas) - and sets the rates only
    on the brokers those entries name; it sets the topics' lists before the brokers' rates and removes the rates
    first. So a run takes every explicit throttled replica list of a topic for the throttle of a move (this module's,
    or C(kafka-reassign-partitions.sh --throttle)'s, which sets the same configs). Its partitions that still have a
    reassignment in progress are that move in flight, and once none of them moves the lists are removed, and so are
    the rates of the brokers they name. Lists of V(*) (every replica) are never taken for a move's throttle. A value
    a killed run had replaced (a rate set before it on a broker it throttled) cannot be told from the run's own and
    is removed with it; a run that completes restores such values itself.
  - The Kafka principal needs C(ALTER) on the cluster (reassignments, election), C(DESCRIBE) on the cluster (listing
    reassignments), C(DESCRIBE_CONFIGS) and C(ALTER_CONFIGS) on the cluster and the topics, for example a super
    user.
  - Replicas on brokers that are not live are replaced too in partitions that move, since a reassignment only
    completes when every target replica is in sync.
seealso:
  - module: kafkaops.cluster.kafka_cluster_info
  - name: Kafka operations - expanding your cluster and decommissioning brokers
    description: The reassignment tool and replication quotas this module automates.
    link: https://kafka.apache.org/39/documentation.html#basic_ops_cluster_expansion
"""

EXAMPLES = r"""
- name: Move every replica off broker 3 before decommissioning it
  kafkaops.cluster.kafka_reassign:
    bootstrap_servers: ["kafka-0:9092", "kafka-1:9092"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/kafka/tls/ca.pem
    topics: [all]
    drain_brokers: [3]
    throttle_bytes_per_sec: 104857600
    timeout: 7200
  delegate_to: "{{ groups['kafka'][0] }}"
  vars:
    ansible_python_interpreter: /opt/kafkaops/venv/bin/python
  run_once: true

- name: After adding broker 3, show how the topics would be spread over all four brokers
  kafkaops.cluster.kafka_reassign:
    topics: [orders, payments]
    spread_over: [0, 1, 2, 3]
  check_mode: true
  register: spread_plan

- name: Grow the replication factor of the orders topic to 3
  kafkaops.cluster.kafka_reassign:
    topics: [orders]
    replication_factor: 3

- name: Cancel the reassignment a timed-out run left in progress (replicas go back, its throttle is removed)
  kafkaops.cluster.kafka_reassign:
    state: cancelled
- name: Remove the throttle an interrupted run left, letting its move finish at full speed
  kafkaops.cluster.kafka_reassign:
    state: unthrottled
- name: Place two partitions explicitly (first broker = preferred leader), without throttle
  kafkaops.cluster.kafka_reassign:
    assignment:
      orders:
        0: [1, 2, 3]
        1: [2, 3, 1]
    throttle_bytes_per_sec: 0
"""

RETURN = r"""
plan:
  description:
    - The partitions that change, with their replicas before and after (in check mode, those that would change).
      Partition ids are strings. Empty when nothing changes.
  returned: always
  type: dict
  sample: {"orders": {"0": {"from": [0, 1], "to": [1, 2]}}}
assignment:
  description:
    - Replicas of every partition of the selected topics after the run, re-read from the cluster (predicted in check
      mode; still showing the reassignment in progress with O(wait=false) - the target replicas followed by those being
      removed).
  returned: success
  type: dict
  sample: {"orders": {"0": [1, 2], "1": [2, 0]}}
actions:
  description: What was done (would be done in check mode), in order; empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample:
    - "set replication throttle 52428800 B/s on brokers [0, 1, 2] and throttled replicas of topics ['orders']"
    - "reassign 1 partition(s) of topic orders (1 new replica(s))"
    - "wait for the reassignment to complete"
    - "remove the replication throttle"
    - "elect preferred leaders of 1 partition(s)"
moved_partitions:
  description: Number of partitions in RV(plan).
  returned: always
  type: int
  sample: 1
new_replicas:
  description: Number of replicas that are (would be) copied to a new broker.
  returned: always
  type: int
  sample: 1
throttle:
  description:
    - The replication throttle of this run (planned in check mode), or V(null) when none was needed.
  returned: always
  type: dict
  contains:
    rate:
      description: Bytes per second.
      type: int
    brokers:
      description: Brokers that got the throttle rate.
      type: list
      elements: int
    topics:
      description: Per topic, the throttled replica lists this run added (C(partition:broker)).
      type: dict
    removed:
      description: Whether the throttle was removed (previous values restored) after the move; not in check mode.
      type: bool
  sample:
    rate: 52428800
    brokers: [0, 1, 2]
    topics: {"orders": {"leader.replication.throttled.replicas": "0:0,0:1",
                        "follower.replication.throttled.replicas": "0:2"}}
    removed: true
progress:
  description: Progress records while waiting, one whenever the set of partitions still moving changed.
  returned: always
  type: list
  elements: dict
  contains:
    time:
      description: UTC time stamp (ISO 8601).
      type: str
    elapsed:
      description: Seconds since the reassignment started.
      type: float
    remaining:
      description: Number of partitions still moving.
      type: int
    total:
      description: Number of partitions moved.
      type: int
    partitions:
      description: The partitions still moving, as C(topic-partition).
      type: list
      elements: str
  sample:
    - {"time": "2025-01-01T10:00:00+00:00", "elapsed": 0.0, "remaining": 1, "total": 1, "partitions": ["orders-0"]}
leftover:
  description:
    - The throttle of a move an earlier run left (it was killed or timed out; see the notes), found at the start of
      this run; V(null) when there was none. With O(state=present) its move was waited for and its throttle removed
      first.
  returned: always, except for bad input
  type: dict
  contains:
    started:
      description:
        - Always V(null) - the throttle configs do not tell when the move started (earlier versions read it from a
          record in ZooKeeper).
      type: str
    partitions:
      description: Number of partitions its throttle names.
      type: int
    still_moving:
      description: Its partitions still moving when this run started, as C(topic-partition).
      type: list
      elements: str
    throttle:
      description: Where it set a throttle (C(brokers), C(topics)), or V(null).
      type: dict
  sample: {"started": null, "partitions": 4, "still_moving": ["orders-0"],
           "throttle": {"brokers": [0, 1, 2, 3], "topics": ["orders"]}}
cancelled:
  description: Partitions whose reassignment was (would be, in check mode) cancelled, as C(topic-partition).
  returned: when O(state=cancelled)
  type: list
  elements: str
  sample: ["orders-0"]
leader_election:
  description: Outcome of the preferred leader election (partitions as C(topic-partition)).
  returned: when partitions were moved with O(wait) and O(elect_preferred_leaders)
  type: dict
  sample: {"elected": ["orders-0"], "not_needed": [], "failed": {}}
in_progress:
  description: Partitions still moving when the module returned (only with O(wait=false)).
  returned: when O(wait=false) and partitions were moved
  type: list
  elements: str
  sample: ["orders-0"]
diff:
  description: Replicas of the moved partitions before and after.
  returned: when diff mode is enabled
  type: dict
  sample: {"before": {"orders": {"0": [0, 1]}}, "after": {"orders": {"0": [1, 2]}}}
"""

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import read_metadata_mode
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import zookeeper_option_refusal
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import MODES
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import Reassigner

DEFAULT_THROTTLE = 50 * 1024 * 1024


def validate(module):
    params = module.params
    given = [mode for mode in MODES if params[mode] is not None]
    if params["state"] == "present":
        if not given:
            module.fail_json(msg=f"state=present needs one of: {', '.join(MODES)}")
        if params["topics"] is None and params["assignment"] is None:
            module.fail_json(msg="state=present needs topics (or assignment)")
    elif given:
        module.fail_json(msg=f"state={params['state']} takes no {', '.join(given)} (only topics)")
    for name in ("drain_brokers", "spread_over", "topics"):
        if params[name] is not None and not params[name]:
            module.fail_json(msg=f"{name} must not be empty")
    if params["timeout"] <= 0:
        module.fail_json(msg=f"timeout must be greater than 0, got {params['timeout']}")
    if params["poll_interval"] <= 0:
        module.fail_json(msg=f"poll_interval must be greater than 0, got {params['poll_interval']}")
    if params["throttle_bytes_per_sec"] < 0:
        module.fail_json(
            msg=f"throttle_bytes_per_sec must be 0 (no throttle) or more, got {params['throttle_bytes_per_sec']}"
        )
    if not params["wait"] and params["throttle_bytes_per_sec"]:
        module.fail_json(
            msg="wait=false needs throttle_bytes_per_sec=0: the throttle can only be removed once the move is "
            "complete (run the task with async to move throttled in the background)"
        )


def main():
    argument_spec = dict(
        topics=dict(type="list", elements="str"),
        assignment=dict(type="dict"),
        drain_brokers=dict(type="list", elements="int"),
        spread_over=dict(type="list", elements="int"),
        replication_factor=dict(type="int"),
        throttle_bytes_per_sec=dict(type="int", default=DEFAULT_THROTTLE),
        wait=dict(type="bool", default=True),
        timeout=dict(type="int", default=3600),
        poll_interval=dict(type="float", default=2.0),
        wait_for_in_progress=dict(type="bool", default=False),
        elect_preferred_leaders=dict(type="bool", default=True),
        state=dict(type="str", choices=["present", "cancelled", "unthrottled"], default="present"),
    )
    module = KafkaModule(
        argument_spec=argument_spec,
        zookeeper=True,
        supports_check_mode=True,
        mutually_exclusive=[MODES, ("topics", "assignment")],
    )
    validate(module)

    try:
        admin = module.admin_client()
        cluster = module.describe_cluster(admin)
        # kafka-python: the reassignment API (confluent-kafka has none); its API versions tell the metadata mode.
        client = module.reassignment_client()
        mode = read_metadata_mode(client)
    except KafkaOpsError as e:
        module.fail_kafka(e, changed=False)
    refusal = zookeeper_option_refusal(mode, module.params)
    if refusal:
        module.fail_json(msg=refusal, changed=False)

    brokers = {broker["id"]: broker["rack"] for broker in cluster["brokers"]}
    result = Reassigner(module, admin, client, brokers).run()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
