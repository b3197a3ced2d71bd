# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Partition reassignment: what ZooKeeper holds and what a run reports (pure: no client library, no I/O).

The documents of the znodes the reassignment reads and writes (``/brokers/topics/<topic>``,
``/admin/reassign_partitions``, ``/config/brokers/<id>``, the run record), the status of a
move computed from them, and the progress records and action labels of a run. The reads and
writes themselves are in ``kafka_reassign_io``.
"""

from __future__ import annotations

import datetime
import json

from ansible.module_utils.common.text.converters import to_bytes
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import count_replica_moves
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_plan import label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_reassign_throttle import BROKER_THROTTLE_KEYS

REASSIGN_ZNODE = "/admin/reassign_partitions"

# ---------------------------------------------------------------------------
# ZooKeeper documents
# ---------------------------------------------------------------------------


def _parse_json(data, what):
    try:
        return json.loads(to_native(data or b"{}") or "{}")
    except ValueError as e:
        raise KafkaOpsError(f"parse {what}", reason=f"invalid JSON: {e}") from e


def parse_topic_znode(data, topic="topic"):
    """``{partitions, adding, removing}`` from the JSON of ``/brokers/topics/<topic>`` (int keys)."""
    value = _parse_json(data, f"the ZooKeeper znode of topic {topic}")

    def part_map(key):
        return {int(p): [int(b) for b in replicas] for p, replicas in (value.get(key) or {}).items()}

    return dict(
        partitions=part_map("partitions"), adding=part_map("adding_replicas"), removing=part_map("removing_replicas")
    )


def parse_reassign_znode(data):
    """``{(topic, partition): [replicas]}`` from the JSON of ``/admin/reassign_partitions``."""
    value = _parse_json(data, REASSIGN_ZNODE)
    return {
        (entry["topic"], int(entry["partition"])): [int(b) for b in entry.get("replicas") or []]
        for entry in value.get("partitions") or []
    }


def reassignment_json(moves):
    """The ``/admin/reassign_partitions`` document for ``moves`` (sorted, so it is stable)."""
    partitions = [
        dict(topic=topic, partition=p, replicas=list(moves[topic][p]["to"]))
        for topic in sorted(moves)
        for p in sorted(moves[topic])
    ]
    return to_bytes(json.dumps(dict(version=1, partitions=partitions), separators=(",", ":")))


def in_progress_partitions(topic_states, pending):
    """Sorted ``(topic, partition)`` of the given topics with a reassignment in progress.

    ``topic_states`` maps topic to ``parse_topic_znode`` output; ``pending`` is the parsed
    ``/admin/reassign_partitions`` (all topics).
    """
    found = {key for key in pending if key[0] in topic_states}
    for topic, state in topic_states.items():
        for p in set(state["adding"]) | set(state["removing"]):
            if state["adding"].get(p) or state["removing"].get(p):
                found.add((topic, p))
    return sorted(found)


def current_assignment(topic_states):
    """The assignment part of ``read_topic_states`` output."""
    return {topic: {p: list(r) for p, r in state["partitions"].items()} for topic, state in topic_states.items()}


def parse_broker_throttles(data, path):
    """``{key: value}`` of the throttle rates in the JSON of ``/config/brokers/<id>`` at ``path`` (None: no znode)."""
    if data is None:
        return {}
    config = _parse_json(data, path).get("config") or {}
    return {key: config[key] for key in BROKER_THROTTLE_KEYS if key in config}


# ---------------------------------------------------------------------------
# The run marker: what a run with wait started and which throttle it set
# ---------------------------------------------------------------------------
#
# A run that is killed (an async timeout, a dropped SSH session) cannot clean up in a
# ``finally``. Before it sets a throttle or starts a move, a run with ``wait`` records in
# ZooKeeper the moves and the config values to restore; the next run (or state=cancelled /
# unthrottled) reads the record, waits for those moves and restores the values, and only
# then deletes it. The record holds no secret (broker ids, topic names, throttle values).

MARKER_ZNODE = "/kafkaops/reassignment"
MARKER_OWNER = "kafkaops.cluster.kafka_reassign"


def marker_json(moves, restore, now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)  # noqa: UP017
    document = dict(
        version=1,
        owner=MARKER_OWNER,
        started=now.isoformat(timespec="seconds"),
        moves=[
            dict(topic=topic, partition=p, replicas_from=list(move["from"]), replicas_to=list(move["to"]))
            for topic in sorted(moves)
            for p, move in sorted(moves[topic].items())
        ],
        restore=[dict(type=kind, name=name, configs=dict(sorted(values.items()))) for kind, name, values in restore],
    )
    return to_bytes(json.dumps(document, separators=(",", ":"), sort_keys=True))


def parse_marker(data):
    """``{started, moves, restore}`` from the marker JSON (moves and restore as everywhere else)."""
    value = _parse_json(data, f"the reassignment record {MARKER_ZNODE}")
    moves = {}
    for entry in value.get("moves") or []:
        moves.setdefault(entry["topic"], {})[int(entry["partition"])] = {
            "from": [int(b) for b in entry["replicas_from"]],
            "to": [int(b) for b in entry["replicas_to"]],
        }
    restore = [(entry["type"], str(entry["name"]), dict(entry["configs"])) for entry in value.get("restore") or []]
    return dict(started=value.get("started"), moves=moves, restore=restore)


# ---------------------------------------------------------------------------
# Progress and actions
# ---------------------------------------------------------------------------


def reassignment_status(moves, topic_states, pending):
    """``(remaining, stopped)``: sorted labels still moving, and of those no longer moving but not at target.

    A partition is done when the controller removed it from ``/admin/reassign_partitions``,
    it has no adding/removing replicas and its assignment equals the target. ``stopped`` are
    partitions the controller dropped from the znode without reaching the target (it
    rejected them, or another reassignment replaced them).
    """
    remaining = []
    stopped = []
    for topic in sorted(moves):
        state = topic_states.get(topic)
        for p in sorted(moves[topic]):
            target = moves[topic][p]["to"]
            if state is None:
                stopped.append(label(topic, p))
                continue
            moving = (topic, p) in pending or bool(state["adding"].get(p)) or bool(state["removing"].get(p))
            if moving:
                remaining.append(label(topic, p))
            elif state["partitions"].get(p) != target:
                stopped.append(label(topic, p))
    return remaining, stopped


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
