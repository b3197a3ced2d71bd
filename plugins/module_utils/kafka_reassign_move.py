# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Partition reassignment: carrying out a planned move for kafka_reassign.

Record the run, set the throttle, start the move, wait for it with progress records, remove
the throttle, elect the preferred leaders. ``kafka_reassign.Reassigner`` builds on this with
the reading, the planning and the handling of what an earlier run left.
"""

from __future__ import annotations

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import alter_configs
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import delete_marker
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import elect_preferred_leaders
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import read_broker_throttles
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import read_pending
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import read_topic_states
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import read_topic_throttles
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import start_reassignment
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import write_marker
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import progress_entry
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import progress_message
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import reassignment_status
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import previous_throttle_warnings
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import throttle_changes
from ansible_collections.kafkaops.cluster.plugins.module_utils.polling import poll

# A progress record at least this often (seconds), even when nothing changed.
PROGRESS_EVERY = 60


class MoveRunner:
    """The writing half of a run: a move with its throttle, and the record that lets a later run finish it."""

    def __init__(self, module, admin, zk, brokers):
        self.module = module
        self.params = module.params
        self.admin = admin
        self.zk = zk
        self.brokers = brokers
        self.chroot = self.params["zookeeper_chroot"]
        self.timeout = self.params["timeout"]
        self.request_timeout = self.params["request_timeout"]
        self.secured = bool(self.params["zookeeper_sasl_username"])
        self.progress = []
        self.started = False
        # Whether this run wrote anything (a throttle set or removed, a move started or cancelled).
        self.wrote = False

    # -- reading -------------------------------------------------------------

    def read(self, topics):
        return read_topic_states(self.zk, self.chroot, topics), read_pending(self.zk, self.chroot)

    def still_moving(self, moves):
        """Labels of ``moves`` still moving, and of those the controller dropped before their target."""
        states, pending = self.read(sorted(moves))
        return reassignment_status(moves, states, pending)

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

        def on_poll(value, elapsed):
            remaining, _stopped = value
            if remaining != seen["remaining"] or elapsed - seen["at"] >= PROGRESS_EVERY:
                seen.update(remaining=remaining, at=elapsed)
                self.record_progress(elapsed, remaining, total)

        value, done = poll(
            lambda: self.still_moving(moves),
            lambda value: not value[0],
            self.timeout,
            interval=self.params["poll_interval"],
            on_poll=on_poll,
        )
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
