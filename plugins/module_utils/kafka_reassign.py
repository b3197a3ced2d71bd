# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Partition reassignment: one run of kafka_reassign (read once, plan, apply unless check mode, re-read).

The module validates its options and calls ``Reassigner(...).run()``. The planner is in
``kafka_reassign_plan`` (with ``kafka_reassign_throttle`` and ``kafka_reassign_state``, all
pure), the ZooKeeper and AdminClient calls in ``kafka_reassign_io``, carrying out a move in
``kafka_reassign_move``.
"""

from __future__ import annotations

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import alter_configs
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import cancel_reassignments
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import list_topics
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import read_broker_throttles
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import read_marker
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import read_pending
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import read_topic_states
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_move import MoveRunner
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import ALL_TOPICS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import PlanError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import check_moves
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import count_replica_moves
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import drain_warnings
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import normalize_assignment
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import plan_moves
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import plan_target
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import select_topics
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import stringify
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import action_labels
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import current_assignment
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import in_progress_partitions
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import BROKER_THROTTLE_KEYS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import restore_summary
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import throttle_plan
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import throttle_summary
from ansible_collections.kafkaops.cluster.plugins.module_utils.polling import poll

MODES = ("assignment", "drain_brokers", "spread_over", "replication_factor")


class Reassigner(MoveRunner):
    """One run: read once, plan, apply unless check mode, re-read."""

    def __init__(self, module, admin, zk, brokers):
        super().__init__(module, admin, zk, brokers)
        self.mode = next((mode for mode in MODES if self.params[mode] is not None), None)
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

        value, done = poll(
            lambda: self.read(topics),
            lambda value: not self.blocking(*value),
            self.timeout,
            interval=self.params["poll_interval"],
            on_poll=on_poll,
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

    # -- what an earlier run left ------------------------------------------------

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

            _value, done = poll(read, lambda value: not value, self.timeout, interval=self.params["poll_interval"])
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
