# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Partition reassignment: one run of kafka_reassign (read once, plan, apply unless check mode, re-read).

The module validates its options and calls ``Reassigner(...).run()``. The planner is in
``kafka_reassign_plan`` (with ``kafka_reassign_throttle`` and ``kafka_reassign_state``, all
pure), the Kafka API calls in ``kafka_reassign_io``, carrying out a move in
``kafka_reassign_move``.
"""

from __future__ import annotations

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import alter_configs
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import cancel_reassignments
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import read_broker_throttles
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import read_topic_throttles
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_move import SETTLE_GRACE
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
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import assume_done
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import current_assignment
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import in_progress_partitions
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import topic_states
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import BROKER_THROTTLE_KEYS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import find_leftover
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import leftover_moves
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import leftover_restore
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import restore_summary
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import throttle_plan
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import throttle_summary
from ansible_collections.kafkaops.cluster.plugins.module_utils.polling import poll

MODES = ("assignment", "drain_brokers", "spread_over", "replication_factor")


def _labels(partitions):
    return [label(t, p) for t, p in partitions]


class Reassigner(MoveRunner):
    """One run: read once, plan, apply unless check mode, re-read."""

    def __init__(self, module, admin, client, brokers, **kwargs):
        super().__init__(module, admin, client, brokers, **kwargs)
        self.mode = next((mode for mode in MODES if self.params[mode] is not None), None)
        # Check mode: partitions an interrupted run is still moving, assumed at their target for the plan.
        self.assume_done = []

    # -- reading -------------------------------------------------------------

    def selected_topics(self, existing):
        if self.mode is None:
            return select_topics(self.params["topics"] or [ALL_TOPICS], existing)
        if self.mode == "assignment":
            return select_topics(list(normalize_assignment(self.params["assignment"])), existing)
        return select_topics(self.params["topics"], existing)

    def find_leftover(self, assignment, reassignments):
        """The throttle of a move an earlier run left (``kafka_reassign_throttle.find_leftover``), or None."""
        throttles = read_topic_throttles(self.admin, sorted(assignment), self.request_timeout)
        return find_leftover(throttles, reassignments)

    def wait_for_others(self, topics):
        """Wait (wait_for_in_progress) until no reassignment of the topics is in progress; returns the fresh read."""
        last = {}

        def on_poll(states, elapsed):
            blocking = _labels(in_progress_partitions(states))
            if blocking != last.get("seen"):
                last["seen"] = blocking
                self.module.log(f"waiting for the reassignment in progress after {elapsed:.1f}s: {blocking}")

        states, done = poll(
            lambda: self.read(topics),
            lambda states: not in_progress_partitions(states),
            self.timeout,
            interval=self.params["poll_interval"],
            on_poll=on_poll,
        )
        if not done:
            raise KafkaOpsError(
                "wait for the reassignment in progress",
                reason=f"still in progress after {self.timeout}s: {_labels(in_progress_partitions(states))}; "
                "nothing was changed",
            )
        return states

    # -- planning ------------------------------------------------------------

    def plan(self):
        """``(topics, current, target, moves)``; refuses (PlanError) before anything changes."""
        assignment, reassignments = self.read_everything()
        topics = self.selected_topics(sorted(assignment))
        states = topic_states({t: assignment[t] for t in topics}, reassignments)
        states = assume_done(states, self.assume_done)
        if in_progress_partitions(states) and self.params["wait_for_in_progress"]:
            states = self.wait_for_others(topics)
        busy = _labels(in_progress_partitions(states))
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
        return sorted(states), current, target, moves

    # -- what an earlier run left ------------------------------------------------

    @staticmethod
    def report_leftover(leftover, result):
        result["leftover"] = dict(
            started=None,
            partitions=len(leftover["partitions"]),
            still_moving=_labels(leftover["moving"]),
            throttle=restore_summary(leftover_restore(leftover)),
        )

    def resume(self, leftover, reassignments, result):
        """state=present after a run that was killed or timed out: wait for its move (at this run's throttle
        rate, as re-running kafka-reassign-partitions with another --throttle does), remove its throttle."""
        self.report_leftover(leftover, result)
        moving = leftover["moving"]
        moves = leftover_moves(leftover, reassignments)
        rate = self.params["throttle_bytes_per_sec"]
        rates = self.rate_changes(leftover, rate) if moving else []
        if moving and rate == 0:
            result["actions"].append("remove the replication throttle an earlier run left (throttle_bytes_per_sec=0)")
        elif rates:
            result["actions"].append(f"set the replication throttle of the move in progress to {rate} B/s")
        if moving:
            result["actions"].append(f"wait for the {len(moving)} partition(s) an earlier run is still moving")
        if not (moving and rate == 0):
            result["actions"].append("remove the replication throttle an earlier run left")
        result["changed"] = True
        if self.module.check_mode:
            self.assume_done = list(moving)
            return
        if moving and rate == 0:
            self.clear_leftover(leftover)
            leftover = None
        elif rates:
            self.wrote = True
            failures = alter_configs(self.admin, rates, self.request_timeout, "change the replication throttle rate")
            for (kind, name, _v), reason in failures:
                self.module.warn(f"could not change the replication throttle rate of {kind} {name}: {reason}")
        if moving:
            stopped = self.wait_for_completion(moves, tolerate_stopped=True)
            for name in stopped:
                self.module.warn(f"the reassignment of {name} an earlier run started ended before its target")
        if leftover:
            self.clear_leftover(leftover)

    def rate_changes(self, leftover, rate):
        """Config changes that put the live brokers of a leftover throttle at ``rate`` (those that differ)."""
        if not rate:
            return []
        brokers = [b for b in leftover["brokers"] if b in self.brokers]
        found = read_broker_throttles(self.admin, brokers, self.request_timeout)
        wanted = {key: str(rate) for key in BROKER_THROTTLE_KEYS}
        return [("broker", str(b), wanted) for b in brokers if found.get(b) != wanted]

    def clear_leftover(self, leftover):
        """Remove a leftover throttle: the rates of the brokers its entries name, then the topics' lists."""
        self.wrote = True
        problems = self.remove_throttle(leftover_restore(leftover))
        if problems:
            raise KafkaOpsError(
                "remove the replication throttle an earlier run left",
                reason="; ".join(problems) + "; a re-run tries again",
            )

    def unthrottle(self, leftover, result):
        """state=unthrottled: remove the throttle an earlier run left; its move (if any) goes on unthrottled."""
        if leftover is None:
            return
        self.report_leftover(leftover, result)
        result["actions"].append("remove the replication throttle an earlier run left")
        result["changed"] = True
        if leftover["moving"]:
            self.module.warn(
                f"{len(leftover['moving'])} partition(s) of that reassignment are still moving, now unthrottled"
            )
        if not self.module.check_mode:
            self.clear_leftover(leftover)

    def cancel(self, leftover, assignment, reassignments, result):
        """state=cancelled: cancel the reassignments in progress of the topics, then remove the leftover throttle
        once none of its partitions moves any more."""
        if self.params["topics"]:
            topics = self.selected_topics(sorted(assignment))
        elif leftover:
            topics = sorted({t for t, _p in leftover["partitions"]} & set(assignment))
        else:
            topics = sorted(assignment)
        states = topic_states({t: assignment[t] for t in topics}, reassignments)
        moving = in_progress_partitions(states)
        result["cancelled"] = _labels(moving)
        if moving:
            result["actions"].append(f"cancel the reassignment of {len(moving)} partition(s)")
        # The leftover throttle goes when none of its partitions moves after the cancel.
        clear = bool(leftover) and not set(leftover["moving"]) - set(moving)
        if leftover:
            self.report_leftover(leftover, result)
            if clear:
                result["actions"].append("remove the replication throttle an earlier run left")
            else:
                self.module.warn(
                    f"the throttle an earlier run left stays: {_labels(sorted(set(leftover['moving']) - set(moving)))} "
                    "of its move are still moving (not among the topics cancelled)"
                )
        result["changed"] = bool(moving or clear)
        if self.module.check_mode:
            # A cancelled partition goes back to the replicas it had before the move.
            predicted = current_assignment(states)
            for t, p in moving:
                adding = set(states[t]["adding"].get(p) or [])
                predicted[t][p] = [b for b in predicted[t][p] if b not in adding]
            result["assignment"] = stringify(predicted)
            return
        if moving:
            outcome = cancel_reassignments(self.client, moving, self.request_timeout)
            self.wrote |= bool(outcome["cancelled"])
            result["cancelled"] = outcome["cancelled"]
            if outcome["failed"]:
                raise KafkaOpsError(
                    "cancel the partition reassignment",
                    reason="; ".join(f"{name}: {reason}" for name, reason in sorted(outcome["failed"].items())),
                )

            def read():
                return in_progress_partitions(self.read(topics))

            _value, done = poll(read, lambda value: not value, self.timeout, interval=self.params["poll_interval"])
            if not done:
                raise KafkaOpsError(
                    "cancel the partition reassignment",
                    reason=f"the partitions still show a reassignment after {self.timeout}s: {_labels(read())}",
                )
        if clear:
            self.clear_leftover(leftover)
        result["assignment"] = stringify(current_assignment(self.read(topics)))

    # -- the run ----------------------------------------------------------------

    def read_after(self, topics, moves):
        """The topic states after a completed move, once every moved partition shows its target (a broker's metadata
        follows the controller within moments)."""

        def settled(states):
            return all(
                states.get(t, {}).get("partitions", {}).get(p) == move["to"]
                for t, parts in moves.items()
                for p, move in parts.items()
            )

        states, _done = poll(lambda: self.read(topics), settled, SETTLE_GRACE, interval=0.5)
        return states

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
            assignment, reassignments = self.read_everything()
            leftover = self.find_leftover(assignment, reassignments)
            if params["state"] == "unthrottled":
                self.unthrottle(leftover, result)
                return result
            if params["state"] == "cancelled":
                self.cancel(leftover, assignment, reassignments, result)
                return result
            if leftover:
                self.resume(leftover, reassignments, result)
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
                states = self.read_after(topics, moves) if params["wait"] else self.read(topics)
                after = current_assignment(states)
                if not params["wait"]:
                    result["in_progress"] = _labels(in_progress_partitions(states))
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
