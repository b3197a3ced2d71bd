# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Partition reassignment: carrying out a planned move for kafka_reassign.

Set the throttle, start the move, wait for it with progress records, remove the throttle, elect the preferred
leaders. ``kafka_reassign.Reassigner`` builds on this with the reading, the planning and the handling of what an
earlier run left.
"""

from __future__ import annotations

import time

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import alter_configs
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import cancel_reassignments
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import elect_preferred_leaders
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import list_reassignments
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import read_assignment
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import read_broker_throttles
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import read_topic_throttles
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_io import start_reassignment
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import progress_entry
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import progress_message
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import reassignment_status
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_state import topic_states
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import previous_throttle_warnings
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import throttle_changes
from ansible_collections.kafkaops.cluster.plugins.module_utils.polling import poll

# How long a removed throttle may take to show in every broker's described configs.
THROTTLE_SETTLE_SECONDS = 15

# A progress record at least this often (seconds), even when nothing changed.
PROGRESS_EVERY = 60
# Seconds a partition whose move ended may show an older replica list in a broker's metadata before it counts as
# stopped short of its target (the metadata follows the controller within moments).
SETTLE_GRACE = 15


class MoveRunner:
    """The writing half of a run: a move with its throttle."""

    def __init__(self, module, admin, client, brokers, clock=time.monotonic):
        self.module = module
        self.params = module.params
        self.admin = admin
        # kafka-python's admin client: the reassignment API (kafka_reassign_io).
        self.client = client
        self.brokers = brokers
        self.timeout = self.params["timeout"]
        self.request_timeout = self.params["request_timeout"]
        self.clock = clock
        self.progress = []
        self.started = False
        # Whether this run wrote anything (a throttle set or removed, a move started or cancelled).
        self.wrote = False
        # Partitions first seen settling (reassignment_status), for their grace period.
        self.settling_since = {}

    # -- reading -------------------------------------------------------------

    def read_everything(self):
        """``(assignment of every topic, reassignments in progress)``."""
        return read_assignment(self.admin, self.request_timeout), list_reassignments(self.client, self.request_timeout)

    def read(self, topics):
        """The topic states of ``topics`` (a topic deleted meanwhile is left out)."""
        assignment, reassignments = self.read_everything()
        return topic_states({t: assignment[t] for t in topics if t in assignment}, reassignments)

    def still_moving(self, moves):
        """Labels of ``moves`` still moving (or settling within the grace period), and of those that ended before
        their target."""
        moving, settling, stopped = reassignment_status(moves, self.read(sorted(moves)))
        now = self.clock()
        for name in list(self.settling_since):
            if name not in settling:
                del self.settling_since[name]
        expired = [name for name in settling if now - self.settling_since.setdefault(name, now) > SETTLE_GRACE]
        remaining = sorted(set(moving) | (set(settling) - set(expired)))
        return remaining, sorted(set(stopped) | set(expired))

    # -- applying ------------------------------------------------------------

    def apply(self, moves, throttle, result):
        """Throttle, start, wait. The throttle is removed once nothing moves because of this run: after the move
        completed, or when it never started; a move still running (timeout, a failure while waiting) keeps it, and a
        later run recognises it from the throttle configs (kafka_reassign_throttle), waits for the move and removes
        it."""
        restore = []
        completed = False
        wrote_before = self.wrote
        try:
            if throttle:
                broker_previous = read_broker_throttles(self.admin, throttle["brokers"], self.request_timeout)
                topic_previous = read_topic_throttles(self.admin, throttle["topics"], self.request_timeout)
                for warning in previous_throttle_warnings(throttle, broker_previous, topic_previous):
                    self.module.warn(warning)
                changes, restore = throttle_changes(throttle, broker_previous, topic_previous)
                self.wrote = True
                failures = alter_configs(self.admin, changes, self.request_timeout, "set the replication throttle")
                if failures:
                    raise KafkaOpsError(
                        "set the replication throttle",
                        reason="; ".join(f"{kind} {name}: {reason}" for (kind, name, _v), reason in failures)
                        + "; nothing was reassigned",
                    )
            self.start(moves)
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
                if not self.started and not problems:
                    # A throttle set and restored again, nothing moved: this run changed nothing.
                    self.wrote = wrote_before
                if problems and completed:
                    raise KafkaOpsError(
                        "remove the replication throttle",
                        reason="; ".join(problems) + "; a re-run removes it (it recognises the throttle of a move)",
                    )
                for problem in problems:
                    self.module.warn(f"could not remove the replication throttle: {problem}")

    def start(self, moves):
        """AlterPartitionReassignments for ``moves``. When Kafka refuses some partitions, those it accepted are
        cancelled again, so a refused start moves nothing."""
        outcome = start_reassignment(self.client, moves, self.request_timeout)
        if not outcome["failed"]:
            self.started = True
            return
        refused = "; ".join(f"{name}: {reason}" for name, reason in sorted(outcome["failed"].items()))
        accepted = [(t, p) for t in sorted(moves) for p in sorted(moves[t]) if label(t, p) in outcome["started"]]
        if not accepted:
            raise KafkaOpsError("reassign partitions", reason=f"Kafka refused {refused}; nothing was reassigned")
        self.started = True
        cancelled = cancel_reassignments(self.client, accepted, self.request_timeout)
        undone = cancelled["cancelled"] + cancelled["not_moving"]
        self.started = len(undone) < len(accepted)
        still = sorted(set(outcome["started"]) - set(undone))
        raise KafkaOpsError(
            "reassign partitions",
            reason=f"Kafka refused {refused}; "
            + (f"the reassignment of {still} could not be cancelled again" if still else "nothing was reassigned"),
        )

    def remove_throttle(self, restore):
        """Restore the previous throttle configs; returns problems (never raises for client errors).

        A broker that is not live cannot take a config change; its entry is skipped with a warning
        (a broker-level rate alone throttles nothing once the topics' throttled replicas are gone).
        """
        dead = [name for kind, name, _v in restore if kind == "broker" and int(name) not in self.brokers]
        if dead:
            self.module.warn(f"brokers {dead} are not live: their replication throttle rate is left as it is")
            restore = [change for change in restore if not (change[0] == "broker" and change[1] in dead)]
        brokers = [int(name) for kind, name, _v in restore if kind == "broker"]
        topics = [name for kind, name, _v in restore if kind == "topic"]

        def read():
            return (
                read_broker_throttles(self.admin, brokers, self.request_timeout),
                read_topic_throttles(self.admin, topics, self.request_timeout),
            )

        def mismatches(found, changes):
            found_brokers, found_topics = found
            out = []
            for kind, name, values in changes:
                if kind == "topic" and name not in found_topics:
                    continue  # deleted meanwhile
                current = found_brokers.get(int(name)) if kind == "broker" else found_topics.get(name)
                out.extend(
                    f"{kind} {name} still has {key}={(current or {}).get(key)!r}"
                    for key, expected in values.items()
                    if (current or {}).get(key) != expected
                )
            return out

        try:
            failures = alter_configs(self.admin, restore, self.request_timeout, "remove the replication throttle")
            refused = {(kind, name) for (kind, name, _v), _reason in failures}
            applied = [change for change in restore if (change[0], change[1]) not in refused]
            # A broker answers describe_configs from its own copy of the dynamic configs, which takes the change a
            # moment later (in ZooKeeper mode when its change notification arrives): re-read until the applied
            # changes show, for at most THROTTLE_SETTLE_SECONDS.
            found, _settled = poll(
                read,
                lambda found: not mismatches(found, applied),
                min(THROTTLE_SETTLE_SECONDS, self.timeout),
                interval=self.params["poll_interval"],
            )
        except KafkaOpsError as e:
            return [str(e)]
        return [f"{kind} {name}: {reason}" for (kind, name, _v), reason in failures] + mismatches(found, restore)

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
                reason=f"the reassignment of {stopped} ended before it reached the target (it was cancelled or "
                "replaced by another reassignment; see the controller log)",
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
