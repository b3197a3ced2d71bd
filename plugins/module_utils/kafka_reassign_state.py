# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Partition reassignment: the state of the topics and what a run reports (pure: no client library, no I/O).

A *topic state* is ``{partitions: {p: [replicas]}, adding: {p: [...]}, removing: {p: [...]}}``: the replica list a
broker's metadata shows (during a reassignment the target replicas followed by those being removed, as Kafka keeps it)
and, for the partitions with a reassignment in progress, the replicas being added and removed, as
ListPartitionReassignments reports them. *Reassignments* are that answer: ``{(topic, partition): {replicas, adding,
removing}}``. The reads themselves are in ``kafka_reassign_io``.
"""

from __future__ import annotations

import datetime

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import count_replica_moves
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import label

# ---------------------------------------------------------------------------
# Topic states
# ---------------------------------------------------------------------------


def reassignment_target(entry):
    """The target replicas of a reassignment in progress (its full replica list without those being removed; Kafka
    keeps the target first, in order)."""
    removing = set(entry.get("removing") or [])
    return [b for b in entry["replicas"] if b not in removing]


def topic_states(assignment, reassignments):
    """``{topic: topic state}`` from the metadata's ``{topic: {p: [replicas]}}`` and the reassignments in progress.

    While a partition moves, its replica list is taken from the reassignment (the controller's answer), which is
    current when a broker's metadata is not yet.
    """
    states = {}
    for topic, parts in assignment.items():
        state = dict(partitions={p: list(r) for p, r in parts.items()}, adding={}, removing={})
        for p in parts:
            entry = reassignments.get((topic, p))
            if entry is None:
                continue
            if entry.get("replicas"):
                state["partitions"][p] = list(entry["replicas"])
            state["adding"][p] = list(entry.get("adding") or [])
            state["removing"][p] = list(entry.get("removing") or [])
        states[topic] = state
    return states


def in_progress_partitions(topic_states_):
    """Sorted ``(topic, partition)`` of the given topic states with a reassignment in progress."""
    return sorted(
        (topic, p) for topic, state in topic_states_.items() for p in set(state["adding"]) | set(state["removing"])
    )


def current_assignment(topic_states_):
    """The assignment part of the topic states."""
    return {topic: {p: list(r) for p, r in state["partitions"].items()} for topic, state in topic_states_.items()}


def assume_done(topic_states_, partitions):
    """The topic states with the reassignments of ``partitions`` (``(topic, p)``) at their targets (check mode's
    prediction of a move that is waited for)."""
    states = {
        topic: dict(
            partitions={p: list(r) for p, r in state["partitions"].items()},
            adding=dict(state["adding"]),
            removing=dict(state["removing"]),
        )
        for topic, state in topic_states_.items()
    }
    for topic, p in partitions:
        state = states.get(topic)
        if state is None or p not in state["partitions"]:
            continue
        removing = set(state["removing"].get(p) or [])
        state["partitions"][p] = [b for b in state["partitions"][p] if b not in removing]
        state["adding"].pop(p, None)
        state["removing"].pop(p, None)
    return states


# ---------------------------------------------------------------------------
# Progress and actions
# ---------------------------------------------------------------------------


def reassignment_status(moves, topic_states_):
    """``(moving, settling, stopped)``: sorted labels of the partitions of ``moves`` with a reassignment in progress,
    of those no longer listed as moving whose metadata does not show the target yet, and of those that ended elsewhere.

    A partition is done when no reassignment is in progress for it and its replicas equal the target. A broker's
    metadata follows the controller within moments, so right after a move ends it may still show the replica list of
    the move (the target followed by the replicas being removed) or, for a move that copies nothing (a replica
    removed), the replicas before: such a partition is *settling* (the caller gives it a grace period). ``stopped``
    are partitions that show another replica list or whose topic is gone (the move was cancelled or replaced).
    """
    moving = []
    settling = []
    stopped = []
    for topic in sorted(moves):
        state = topic_states_.get(topic)
        for p in sorted(moves[topic]):
            move = moves[topic][p]
            target = list(move["to"])
            if state is None or p not in state["partitions"]:
                stopped.append(label(topic, p))
                continue
            replicas = state["partitions"][p]
            if p in state["adding"] or p in state["removing"]:
                moving.append(label(topic, p))
            elif replicas == target:
                continue
            elif replicas in (target + [b for b in move["from"] if b not in target], list(move["from"])):
                settling.append(label(topic, p))
            else:
                stopped.append(label(topic, p))
    return moving, settling, stopped


def progress_entry(elapsed, remaining, total, now=None):
    # timezone.utc, not datetime.UTC (3.11+): modules also run on older Pythons of admin hosts.
    now = now or datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017
    return dict(
        time=now.isoformat(timespec="seconds"),
        elapsed=round(elapsed, 1),
        remaining=len(remaining),
        total=total,
        partitions=list(remaining),
    )


def progress_message(entry):
    done = entry["total"] - entry["remaining"]
    text = f"reassignment: {done}/{entry['total']} partition(s) done after {entry['elapsed']}s"
    if entry["remaining"]:
        shown = entry["partitions"][:10]
        more = "" if entry["remaining"] <= 10 else f" and {entry['remaining'] - 10} more"
        text = f"{text}, still moving: {', '.join(shown)}{more}"
    return text


def action_labels(moves, throttle, wait, elect):
    """What is done (or would be done in check mode), in order."""
    if not moves:
        return []
    actions = []
    if throttle:
        actions.append(
            f"set replication throttle {throttle['rate']} B/s on brokers {throttle['brokers']} "
            f"and throttled replicas of topics {sorted(throttle['topics'])}"
        )
    for topic in sorted(moves):
        parts = moves[topic]
        copies = count_replica_moves({topic: parts})
        actions.append(f"reassign {len(parts)} partition(s) of topic {topic} ({copies} new replica(s))")
    if wait:
        actions.append("wait for the reassignment to complete")
    if throttle:
        actions.append("remove the replication throttle")
    if wait and elect:
        total = sum(len(parts) for parts in moves.values())
        actions.append(f"elect preferred leaders of {total} partition(s)")
    return actions
