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
  - B(Interrupted runs) - before it sets a throttle or starts a move, a run with O(wait) records the moves and the
    throttle values to restore in ZooKeeper (C(<zookeeper_chroot>/kafkaops/reassignment)). A run killed half way
    (an C(async) timeout, a dropped connection) leaves the record; the next run of the module waits for that move,
    restores the throttle values and deletes the record before it plans anything (check mode reports this as a
    change). O(state=unthrottled) removes the recorded throttle at once; O(state=cancelled) cancels the move.
  - With O(wait) the module waits until the move is complete, records its progress in RV(progress) and the
    module log, elects the preferred leaders of the moved partitions (O(elect_preferred_leaders)) and returns
    the assignment re-read from the cluster.
  - Bad input is refused before anything changes - a target broker that is not live, draining so many brokers
    that a partition could not keep its replication factor, a replication factor larger than the number of live
    brokers, unknown topics or partitions, and a reassignment already in progress for the selected topics
    (unless O(wait_for_in_progress)).
  - Needs ZooKeeper (O(zookeeper_hosts)); see the notes for why.
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
        still runs (O(timeout)) the throttle stays, recorded for the next run.
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
      - When a reassignment is already in progress for a partition of the O(topics) (or any reassignment started
        through ZooKeeper, which blocks a new one), wait for it to finish, up to O(timeout), then plan from the
        resulting assignment. With V(false) the module refuses and changes nothing.
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
      - V(cancelled) - no reassignment is in progress for the O(topics) (default - the topics of the move an earlier
        run recorded, or V([all])). Each partition still moving goes back to its original replicas, through the
        C(AlterPartitionReassignments) API (also for a move started through ZooKeeper); then the throttle the
        earlier run recorded is removed. Partitions whose move is complete are left as they are.
      - V(unthrottled) - no replication throttle set by this module remains - the values an earlier run recorded are
        restored and the record deleted; a move still in progress continues at full speed. Throttles set by anything
        else are not touched (see M(kafkaops.cluster.kafka_broker_config), M(kafkaops.cluster.kafka_topic)).
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
  - B(Why ZooKeeper) - confluent-kafka (librdkafka), at least up to 2.16, has no binding for the
    C(AlterPartitionReassignments) / C(ListPartitionReassignments) admin APIs. The module therefore reads the replica
    assignment and the reassignments in progress (C(adding_replicas) / C(removing_replicas)) from
    C(<zookeeper_chroot>/brokers/topics/<topic>) and starts a reassignment by creating
    C(<zookeeper_chroot>/admin/reassign_partitions), which the controller of a ZooKeeper-mode cluster (Kafka up to 3.9)
    executes and deletes when done - the mechanism of C(kafka-reassign-partitions.sh --zookeeper). It does not work
    with KRaft clusters. Throttles are changed through the AdminClient (C(incremental_alter_configs)), the preferred
    leader election through C(elect_leaders).
  - The ZooKeeper user needs write access to C(<zookeeper_chroot>/admin) (the brokers' own SASL user, as with
    C(zookeeper.set.acl=true)); the Kafka principal needs C(ALTER_CONFIGS) on the cluster and the topics and C(ALTER)
    on the cluster (election), for example a super user.
  - While a reassignment started through ZooKeeper runs, no other one can be started that way. O(state=cancelled)
    uses the C(AlterPartitionReassignments) API through kafka-python (confluent-kafka has no binding for it), which
    must be installed next to confluent-kafka; the principal needs C(ALTER) on the cluster.
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
    zookeeper_hosts: "zk-0:2181,zk-1:2181,zk-2:2181"
    zookeeper_sasl_username: kafka
    zookeeper_sasl_password: "{{ vault_zookeeper_kafka_password }}"
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
    - Replicas of every partition of the selected topics after the run, re-read from ZooKeeper (predicted in check
      mode; still showing the reassignment in progress with O(wait=false)).
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
    - What an earlier run recorded and did not finish (it was killed or timed out), found at the start of this run;
      V(null) when there was none. With O(state=present) its move was waited for and its throttle removed first.
  returned: always, except for bad input
  type: dict
  contains:
    started:
      description: When the earlier run started its move (UTC, ISO 8601).
      type: str
    partitions:
      description: Number of partitions that run moved.
      type: int
    still_moving:
      description: Its partitions still moving when this run started, as C(topic-partition).
      type: list
      elements: str
    throttle:
      description: Where it set a throttle (C(brokers), C(topics)), or V(null).
      type: dict
  sample: {"started": "2025-01-01T10:00:00+00:00", "partitions": 4, "still_moving": ["orders-0"],
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
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import ALL_TOPICS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import BROKER_THROTTLE_KEYS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import PlanError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import action_labels
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import alter_configs
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import cancel_reassignments
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import check_moves
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import count_replica_moves
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import current_assignment
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import delete_marker
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import drain_warnings
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import elect_preferred_leaders
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import in_progress_partitions
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import list_topics
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import normalize_assignment
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import plan_moves
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import plan_target
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import previous_throttle_warnings
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import progress_entry
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import progress_message
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import read_broker_throttles
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import read_marker
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import read_pending
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import read_topic_states
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import read_topic_throttles
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import reassignment_status
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import restore_summary
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import select_topics
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import start_reassignment
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import stringify
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import throttle_changes
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import throttle_plan
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import throttle_summary
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import wait_until
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign import write_marker

MODES = ("assignment", "drain_brokers", "spread_over", "replication_factor")
DEFAULT_THROTTLE = 50 * 1024 * 1024
# A progress record at least this often (seconds), even when nothing changed.
PROGRESS_EVERY = 60


class Reassigner:
    """One run: read once, plan, apply unless check mode, re-read."""

    def __init__(self, module, admin, zk, brokers):
        self.module = module
        self.params = module.params
        self.admin = admin
        self.zk = zk
        self.brokers = brokers
        self.chroot = self.params["zookeeper_chroot"]
        self.timeout = self.params["timeout"]
        self.request_timeout = self.params["request_timeout"]
        self.mode = next((mode for mode in MODES if self.params[mode] is not None), None)
        self.secured = bool(self.params["zookeeper_sasl_username"])
        self.progress = []
        self.started = False
        # Whether this run wrote anything (a throttle set or removed, a move started or cancelled).
        self.wrote = False
        # Check mode: partitions an interrupted run is still moving, assumed at their target for the plan.
        self.assume_done = {}

    # -- reading -------------------------------------------------------------

    def selected_topics(self):
        existing = list_topics(self.zk, self.chroot)
        if self.mode is None:
            return select_topics(self.params["topics"] or [ALL_TOPICS], existing)
        if self.mode == "assignment":
            return select_topics(list(normalize_assignment(self.params["assignment"])), existing)
        return select_topics(self.params["topics"], existing)

    def read(self, topics):
        return read_topic_states(self.zk, self.chroot, topics), read_pending(self.zk, self.chroot)

    @staticmethod
    def blocking(states, pending):
        """Labels of the reassignments in progress: of the selected topics, then of other topics."""
        busy = [label(t, p) for t, p in in_progress_partitions(states, pending)]
        return busy + sorted(label(t, p) for t, p in pending if t not in states)

    def wait_for_others(self, topics):
        """Wait (wait_for_in_progress) until no reassignment blocks ours; returns the fresh read."""
        last = {}

        def on_poll(value, elapsed):
            blocking = self.blocking(*value)
            if blocking != last.get("seen"):
                last["seen"] = blocking
                self.module.log(f"waiting for the reassignment in progress after {elapsed:.1f}s: {blocking}")

        value, done = wait_until(
            lambda: self.read(topics),
            lambda value: not self.blocking(*value),
            self.timeout,
            on_poll,
            self.params["poll_interval"],
        )
        if not done:
            raise KafkaOpsError(
                "wait for the reassignment in progress",
                reason=f"still in progress after {self.timeout}s: {self.blocking(*value)}; nothing was changed",
            )
        return value

    # -- planning ------------------------------------------------------------

    def plan(self):
        """``(topics, current, target, moves)``; refuses (PlanError) before anything changes."""
        topics = self.selected_topics()
        states, pending = self.read(topics)
        for (topic, p), target in self.assume_done.items():
            if topic in states:
                states[topic]["partitions"][p] = list(target)
                states[topic]["adding"].pop(p, None)
                states[topic]["removing"].pop(p, None)
            pending.pop((topic, p), None)
        if self.blocking(states, pending) and self.params["wait_for_in_progress"]:
            states, pending = self.wait_for_others(topics)
        busy = [label(t, p) for t, p in in_progress_partitions(states, pending)]
        if busy:
            raise PlanError(
                f"a reassignment is already in progress for partitions of the selected topics: {busy} "
                "(set wait_for_in_progress=true to wait for it)"
            )
        current = current_assignment(states)
        value = self.params[self.mode]
        if self.mode == "drain_brokers":
            for warning in drain_warnings(current, self.brokers, value):
                self.module.warn(warning)
        target = plan_target(self.mode, current, self.brokers, value)
        moves = plan_moves(current, target)
        check_moves(moves, self.brokers)
        if moves and pending:
            others = sorted(label(t, p) for t, p in pending)
            raise PlanError(
                f"another reassignment started through ZooKeeper is in progress ({others}); only one can run at a "
                "time (set wait_for_in_progress=true to wait for it)"
            )
        return sorted(states), current, target, moves

    # -- applying ------------------------------------------------------------

    def apply(self, moves, throttle, result):
        """Record, throttle, start, wait. The throttle is removed once nothing moves because of this run:
        after the move completed, or when it never started; a move still running (timeout, a failure while
        waiting) keeps it, and the record tells the next run to wait for the move and remove it."""
        restore = []
        recorded = completed = False
        wrote_before = self.wrote
        try:
            if throttle:
                broker_previous = read_broker_throttles(self.zk, self.chroot, throttle["brokers"])
                topic_previous = read_topic_throttles(self.admin, throttle["topics"], self.request_timeout)
                for warning in previous_throttle_warnings(throttle, broker_previous, topic_previous):
                    self.module.warn(warning)
                changes, restore = throttle_changes(throttle, broker_previous, topic_previous)
            if self.params["wait"]:
                write_marker(self.zk, self.chroot, moves, restore, self.secured)
                recorded = True
            if throttle:
                self.wrote = True
                failures = alter_configs(self.admin, changes, self.request_timeout, "set the replication throttle")
                if failures:
                    raise KafkaOpsError(
                        "set the replication throttle",
                        reason="; ".join(f"{kind} {name}: {reason}" for (kind, name, _v), reason in failures)
                        + "; nothing was reassigned",
                    )
            start_reassignment(self.zk, self.chroot, moves, self.secured)
            self.started = True
            total = sum(len(parts) for parts in moves.values())
            self.record_progress(0.0, sorted(label(t, p) for t in moves for p in moves[t]), total)
            if self.params["wait"]:
                self.wait_for_completion(moves)
            completed = True
        finally:
            if self.started and not completed:
                if restore:
                    result["throttle"]["removed"] = False
                    self.module.warn(
                        "the replication throttle stays in place while the reassignment runs; a re-run waits for "
                        "it and removes the throttle (state=unthrottled removes it now, state=cancelled cancels "
                        "the move)"
                    )
            else:
                problems = self.remove_throttle(restore) if restore else []
                if restore:
                    result["throttle"]["removed"] = not problems
                if recorded and not problems:
                    delete_marker(self.zk, self.chroot)
                if not self.started and not problems:
                    # A throttle set and restored again, nothing moved: this run changed nothing.
                    self.wrote = wrote_before
                if problems and completed:
                    raise KafkaOpsError(
                        "remove the replication throttle",
                        reason="; ".join(problems) + "; a re-run removes it (it is recorded)",
                    )
                for problem in problems:
                    self.module.warn(f"could not remove the replication throttle: {problem}")

    def remove_throttle(self, restore):
        """Restore the previous throttle configs; returns problems (never raises for client errors).

        A broker that is not live cannot take a config change; its entry is skipped with a warning
        (a broker-level rate alone throttles nothing once the topics' throttled replicas are gone).
        """
        dead = [name for kind, name, _v in restore if kind == "broker" and int(name) not in self.brokers]
        if dead:
            self.module.warn(f"brokers {dead} are not live: their replication throttle rate is left as it is")
            restore = [change for change in restore if not (change[0] == "broker" and change[1] in dead)]
        try:
            failures = alter_configs(self.admin, restore, self.request_timeout, "remove the replication throttle")
            problems = [f"{kind} {name}: {reason}" for (kind, name, _v), reason in failures]
            brokers = [int(name) for kind, name, _v in restore if kind == "broker"]
            topics = [name for kind, name, _v in restore if kind == "topic"]
            found_brokers = read_broker_throttles(self.zk, self.chroot, brokers)
            found_topics = read_topic_throttles(self.admin, topics, self.request_timeout)
        except KafkaOpsError as e:
            return [str(e)]
        for kind, name, values in restore:
            found = found_brokers.get(int(name)) if kind == "broker" else found_topics.get(name)
            for key, expected in values.items():
                if (found or {}).get(key) != expected:
                    problems.append(f"{kind} {name} still has {key}={(found or {}).get(key)!r}")
        return problems

    def record_progress(self, elapsed, remaining, total):
        entry = progress_entry(elapsed, remaining, total)
        self.progress.append(entry)
        self.module.log(progress_message(entry))

    def wait_for_completion(self, moves, tolerate_stopped=False):
        total = sum(len(parts) for parts in moves.values())
        seen = dict(remaining=self.progress[-1]["partitions"] if self.progress else None, at=0.0)

        def read():
            return reassignment_status(
                moves, read_topic_states(self.zk, self.chroot, sorted(moves)), read_pending(self.zk, self.chroot)
            )

        def on_poll(value, elapsed):
            remaining, _stopped = value
            if remaining != seen["remaining"] or elapsed - seen["at"] >= PROGRESS_EVERY:
                seen.update(remaining=remaining, at=elapsed)
                self.record_progress(elapsed, remaining, total)

        value, done = wait_until(read, lambda value: not value[0], self.timeout, on_poll, self.params["poll_interval"])
        remaining, stopped = value
        if not done:
            raise KafkaOpsError(
                "wait for the partition reassignment",
                reason=f"{total - len(remaining)} of {total} partition(s) done, {len(remaining)} still moving after "
                f"{self.timeout}s: {remaining}; Kafka goes on with the reassignment in the background and its "
                "replication throttle stays in place (a re-run waits for it and then removes the throttle; "
                "state=cancelled cancels it)",
            )
        if stopped and not tolerate_stopped:
            raise KafkaOpsError(
                "reassign partitions",
                reason=f"the controller stopped the reassignment of {stopped} before it reached the target "
                "(see the controller log)",
            )
        return stopped

    def elect(self, moves):
        partitions = [(t, p) for t in sorted(moves) for p in sorted(moves[t])]
        try:
            election = elect_preferred_leaders(self.admin, partitions, self.request_timeout)
        except KafkaOpsError as e:
            # The move itself succeeded; the controller's auto leader rebalance catches up later.
            election = dict(elected=[], not_needed=[], failed={label(t, p): str(e) for t, p in partitions})
        for name, reason in sorted(election["failed"].items()):
            self.module.warn(f"preferred leader election for {name} failed: {reason}")
        return election

    # -- what an earlier run left ------------------------------------------------

    def still_moving(self, moves):
        """Labels of ``moves`` still moving, and of those the controller dropped before their target."""
        states, pending = self.read(sorted(moves))
        return reassignment_status(moves, states, pending)

    def leftover(self, marker, result):
        """Report the record of an earlier run; returns the partitions of its move still moving."""
        moving, _stopped = self.still_moving(marker["moves"])
        total = sum(len(parts) for parts in marker["moves"].values())
        result["leftover"] = dict(
            started=marker["started"],
            partitions=total,
            still_moving=moving,
            throttle=restore_summary(marker["restore"]) if marker["restore"] else None,
        )
        return moving

    def clear_marker(self, marker):
        """Restore the throttle values the record holds, then delete the record."""
        if marker["restore"]:
            self.wrote = True
            problems = self.remove_throttle(marker["restore"])
            if problems:
                raise KafkaOpsError(
                    "remove the replication throttle an earlier run left",
                    reason="; ".join(problems) + "; it stays recorded, a re-run tries again",
                )
        delete_marker(self.zk, self.chroot)

    def resume(self, marker, result):
        """state=present after a run that was killed or timed out: wait for its move (at this run's throttle
        rate, as re-running kafka-reassign-partitions with another --throttle does), remove its throttle."""
        moving = self.leftover(marker, result)
        moves = marker["moves"]
        rate = self.params["throttle_bytes_per_sec"]
        rates = self.rate_changes(marker, rate) if moving else []
        if moving and rate == 0 and marker["restore"]:
            result["actions"].append("remove the replication throttle an earlier run left (throttle_bytes_per_sec=0)")
        elif rates:
            result["actions"].append(f"set the replication throttle of the move in progress to {rate} B/s")
        if moving:
            result["actions"].append(
                f"wait for the {len(moving)} partition(s) an earlier run (started {marker['started']}) is still moving"
            )
        if marker["restore"] and not (moving and rate == 0):
            result["actions"].append("remove the replication throttle an earlier run left")
        result["changed"] = True
        if self.module.check_mode:
            self.assume_done = {(t, p): moves[t][p]["to"] for t in moves for p in moves[t]}
            return
        if moving and rate == 0:
            self.clear_marker(marker)
            marker = None
        elif rates:
            self.wrote = True
            failures = alter_configs(self.admin, rates, self.request_timeout, "change the replication throttle rate")
            for (kind, name, _v), reason in failures:
                self.module.warn(f"could not change the replication throttle rate of {kind} {name}: {reason}")
        if moving:
            stopped = self.wait_for_completion(moves, tolerate_stopped=True)
            for name in stopped:
                self.module.warn(f"the reassignment of {name} an earlier run started ended before its target")
        if marker:
            self.clear_marker(marker)

    def rate_changes(self, marker, rate):
        """Config changes that put the live brokers of a recorded throttle at ``rate`` (those that differ)."""
        if not rate:
            return []
        brokers = [int(name) for kind, name, _v in marker["restore"] if kind == "broker" and int(name) in self.brokers]
        found = read_broker_throttles(self.zk, self.chroot, brokers)
        wanted = {key: str(rate) for key in BROKER_THROTTLE_KEYS}
        return [("broker", str(b), wanted) for b in brokers if found.get(b) != wanted]

    def unthrottle(self, marker, result):
        """state=unthrottled: remove the throttle an earlier run left; its move (if any) goes on unthrottled."""
        if marker is None:
            return
        moving = self.leftover(marker, result)
        if marker["restore"]:
            result["actions"].append("remove the replication throttle an earlier run left")
        result["changed"] = True
        if moving:
            self.module.warn(f"{len(moving)} partition(s) of that reassignment are still moving, now unthrottled")
        if not self.module.check_mode:
            self.clear_marker(marker)

    def cancel(self, marker, result):
        """state=cancelled: cancel the reassignments in progress of the topics, then remove the recorded throttle."""
        topics = self.params["topics"] and self.selected_topics()
        if not topics:
            topics = sorted(marker["moves"]) if marker else self.selected_topics()
        if marker:
            self.leftover(marker, result)
        states, pending = self.read(topics)
        moving = in_progress_partitions(states, pending)
        result["cancelled"] = [label(t, p) for t, p in moving]
        if moving:
            result["actions"].append(f"cancel the reassignment of {len(moving)} partition(s)")
        if marker and marker["restore"]:
            result["actions"].append("remove the replication throttle an earlier run left")
        result["changed"] = bool(moving or marker)
        after = current_assignment(states)
        if self.module.check_mode:
            result["assignment"] = stringify(after)
            return
        if moving:
            outcome = cancel_reassignments(self.module.reassignment_client(), moving, self.request_timeout)
            self.wrote |= bool(outcome["cancelled"])
            result["cancelled"] = outcome["cancelled"]
            if outcome["failed"]:
                raise KafkaOpsError(
                    "cancel the partition reassignment",
                    reason="; ".join(f"{name}: {reason}" for name, reason in sorted(outcome["failed"].items())),
                )

            def read():
                return in_progress_partitions(*self.read(topics))

            _value, done = wait_until(
                read, lambda value: not value, self.timeout, lambda _v, _e: None, self.params["poll_interval"]
            )
            if not done:
                raise KafkaOpsError(
                    "cancel the partition reassignment",
                    reason=f"the partitions still show a reassignment after {self.timeout}s: {read()}",
                )
        if marker:
            left, _stopped = self.still_moving(marker["moves"])
            if left:
                self.module.warn(f"the recorded throttle stays: {left} of that reassignment are still moving")
            else:
                self.clear_marker(marker)
        result["assignment"] = stringify(current_assignment(read_topic_states(self.zk, self.chroot, topics)))

    # -- the run ----------------------------------------------------------------

    def run(self):
        params = self.params
        result = dict(
            changed=False,
            actions=[],
            plan={},
            moved_partitions=0,
            new_replicas=0,
            throttle=None,
            progress=[],
            leftover=None,
        )
        current = after = {}
        moves = {}
        try:
            marker = read_marker(self.zk, self.chroot)
            if params["state"] == "unthrottled":
                self.unthrottle(marker, result)
                return result
            if params["state"] == "cancelled":
                self.cancel(marker, result)
                return result
            if marker:
                self.resume(marker, result)
            topics, current, target, moves = self.plan()
            throttle = throttle_plan(moves, params["throttle_bytes_per_sec"], live=self.brokers)
            result.update(
                changed=result["changed"] or bool(moves),
                plan=stringify(moves),
                moved_partitions=sum(len(parts) for parts in moves.values()),
                new_replicas=count_replica_moves(moves),
                throttle=throttle_summary(throttle),
            )
            result["actions"] += action_labels(moves, throttle, params["wait"], params["elect_preferred_leaders"])
            after = target
            if moves and not self.module.check_mode:
                try:
                    self.apply(moves, throttle, result)
                finally:
                    result["progress"] = self.progress
                if params["wait"] and params["elect_preferred_leaders"]:
                    result["leader_election"] = self.elect(moves)
                states = read_topic_states(self.zk, self.chroot, topics)
                after = current_assignment(states)
                if not params["wait"]:
                    result["in_progress"] = [
                        label(t, p) for t, p in in_progress_partitions(states, read_pending(self.zk, self.chroot))
                    ]
        except KafkaOpsError as e:
            if not self.module.check_mode:
                # Truthful: only what was written counts (a throttle set and restored again, nothing moved: no).
                result["changed"] = self.started or self.wrote
            self.module.fail_kafka(e, **result)

        result["assignment"] = stringify(after)
        if self.module._diff:
            result["diff"] = dict(
                before=stringify({t: {p: current[t][p] for p in parts} for t, parts in moves.items()}),
                after=stringify({t: {p: after.get(t, {}).get(p) for p in parts} for t, parts in moves.items()}),
            )
        return result


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
    if not params["zookeeper_hosts"]:
        module.fail_json(
            msg="zookeeper_hosts is required: the replica assignment is read and changed through ZooKeeper "
            "(confluent-kafka has no partition reassignment API)"
        )
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
        zk = module.zookeeper()
    except KafkaOpsError as e:
        module.fail_kafka(e, changed=False)

    brokers = {broker["id"]: broker["rack"] for broker in cluster["brokers"]}
    result = Reassigner(module, admin, zk, brokers).run()
    module.exit_json(**result)


if __name__ == "__main__":
    main()
