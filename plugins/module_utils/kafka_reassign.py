# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Partition reassignment: planner (pure), throttles, ZooKeeper-triggered reassignment.

Why ZooKeeper: confluent-kafka (librdkafka, up to at least 2.16) has no binding for the
AlterPartitionReassignments / ListPartitionReassignments admin APIs (KIP-455). A Kafka
controller in ZooKeeper mode (up to 3.9) still executes a reassignment written to the
``<chroot>/admin/reassign_partitions`` znode, the mechanism ``kafka-reassign-partitions.sh
--zookeeper`` used, and removes each partition from that znode when it is done. The
per-topic znode ``<chroot>/brokers/topics/<topic>`` holds the authoritative replica
assignment (in preferred order) and, since Kafka 2.4, ``adding_replicas`` /
``removing_replicas`` of every reassignment in progress, whichever way it was started: the
equivalent of ListPartitionReassignments. Replication throttles are dynamic configs changed
through the AdminClient (``incremental_alter_configs``); the broker-level throttle rates are
not returned by DescribeConfigs in ZooKeeper mode, so their previous values are read from
``<chroot>/config/brokers/<id>``.

Data shapes used throughout: an *assignment* is ``{topic: {partition (int): [broker ids]}}``
(first replica = preferred leader); *moves* are ``{topic: {partition: {"from": [...], "to":
[...]}}}`` for the partitions whose replica list changes; *brokers* is ``{id: rack or None}``
for the live brokers.
"""

from __future__ import annotations

import collections
import datetime
import json
import time

from ansible.module_utils.common.text.converters import to_bytes
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import read_znode
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import zookeeper_path
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KAFKA_ERRORS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import error_reason
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import kafka_error_code
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import translate_errors
from ansible_collections.kafkaops.cluster.plugins.module_utils.polling import poll

try:
    from confluent_kafka import ElectionType
    from confluent_kafka import TopicPartition
    from confluent_kafka.admin import AlterConfigOpType
    from confluent_kafka.admin import ConfigEntry
    from confluent_kafka.admin import ConfigResource
    from confluent_kafka.admin import ConfigSource
    from confluent_kafka.admin import ResourceType
except ImportError:
    pass  # KafkaModule reports the missing library.

try:
    from kazoo.exceptions import NodeExistsError
    from kazoo.exceptions import NoNodeError
    from kazoo.security import CREATOR_ALL_ACL
    from kazoo.security import READ_ACL_UNSAFE
except ImportError:
    # KafkaModule.zookeeper() reports the missing library before this is needed.
    CREATOR_ALL_ACL = READ_ACL_UNSAFE = None

    class NoNodeError(Exception):
        """Placeholder, never raised without kazoo."""

    class NodeExistsError(Exception):
        """Placeholder, never raised without kazoo."""


ALL_TOPICS = "all"
PLAN_ACTION = "reassign partitions"

LEADER_RATE = "leader.replication.throttled.rate"
FOLLOWER_RATE = "follower.replication.throttled.rate"
LEADER_REPLICAS = "leader.replication.throttled.replicas"
FOLLOWER_REPLICAS = "follower.replication.throttled.replicas"
BROKER_THROTTLE_KEYS = (LEADER_RATE, FOLLOWER_RATE)
TOPIC_THROTTLE_KEYS = (LEADER_REPLICAS, FOLLOWER_REPLICAS)

REASSIGN_ZNODE = "/admin/reassign_partitions"


class PlanError(KafkaOpsError):
    """Bad input or an impossible plan: refused before anything is changed."""

    def __init__(self, reason, **details):
        super().__init__(PLAN_ACTION, reason=reason, **details)


# ---------------------------------------------------------------------------
# Small pure helpers
# ---------------------------------------------------------------------------


def label(topic, partition):
    return f"{topic}-{partition}"


def _dedupe(items):
    seen = set()
    result = []
    for item in items:
        if item not in seen:
            seen.add(item)
            result.append(item)
    return result


def _int(value, what):
    if isinstance(value, bool):
        raise PlanError(f"{what} must be an integer, got {value!r}")
    if isinstance(value, int):
        return value
    text = to_native(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    raise PlanError(f"{what} must be an integer, got {value!r}")


def stringify(assignment):
    """``{topic: {"partition": value}}``: the JSON shape returned to Ansible (partition keys as strings)."""
    return {topic: {str(p): value for p, value in sorted(parts.items())} for topic, parts in sorted(assignment.items())}


def count_replica_moves(moves):
    """Replicas that have to be copied to a new broker."""
    return sum(len(set(m["to"]) - set(m["from"])) for parts in moves.values() for m in parts.values())


def select_topics(requested, existing):
    """Sorted topic names for ``topics`` (names or ``[all]``); refuses names that do not exist."""
    requested = _dedupe(requested or [])
    if ALL_TOPICS in requested:
        if len(requested) > 1:
            raise PlanError(f"topics: {ALL_TOPICS!r} cannot be combined with topic names")
        return sorted(existing)
    empty = [name for name in requested if not name]
    if empty:
        raise PlanError("topics must not contain empty names")
    missing = sorted(set(requested) - set(existing))
    if missing:
        raise PlanError(f"topic(s) not found: {missing}")
    return sorted(requested)


# ---------------------------------------------------------------------------
# ZooKeeper data (pure parsing)
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


# ---------------------------------------------------------------------------
# Planner (pure)
# ---------------------------------------------------------------------------


def normalize_assignment(requested):
    """The ``assignment`` option as ``{topic: {int partition: [int replicas]}}``; refuses bad shapes."""
    if not isinstance(requested, dict) or not requested:
        raise PlanError("assignment must be a non-empty mapping {topic: {partition: [broker ids]}}")
    result = {}
    for topic, parts in requested.items():
        if not isinstance(parts, dict) or not parts:
            raise PlanError(f"assignment of topic {topic} must be a non-empty mapping {{partition: [broker ids]}}")
        result[topic] = {}
        for p, replicas in parts.items():
            partition = _int(p, f"assignment: partition {p!r} of topic {topic}")
            if partition in result[topic]:
                raise PlanError(f"assignment: partition {partition} of topic {topic} is given twice")
            if not isinstance(replicas, (list, tuple)) or not replicas:
                raise PlanError(f"assignment of {label(topic, partition)} must be a non-empty list of broker ids")
            ids = [_int(b, f"assignment of {label(topic, partition)}: broker id {b!r}") for b in replicas]
            if len(set(ids)) != len(ids):
                raise PlanError(f"assignment of {label(topic, partition)} names a broker twice: {ids}")
            result[topic][partition] = ids
    return result


def _live_problem(what, ids, brokers):
    dead = sorted(set(ids) - set(brokers))
    if dead:
        return f"{what} not live: {dead} (live brokers: {sorted(brokers)})"
    return None


def plan_explicit(current, requested, brokers):
    """Target assignment for an explicit ``{topic: {partition: [replicas]}}``."""
    requested = normalize_assignment(requested)
    missing = sorted(set(requested) - set(current))
    if missing:
        raise PlanError(f"topic(s) not found: {missing}")
    target = {topic: {p: list(r) for p, r in current[topic].items()} for topic in requested}
    for topic in sorted(requested):
        for p, replicas in sorted(requested[topic].items()):
            if p not in current[topic]:
                raise PlanError(
                    f"topic {topic} has no partition {p} (it has {len(current[topic])} partition(s): "
                    f"{sorted(current[topic])})"
                )
            if replicas != current[topic][p]:
                problem = _live_problem(f"assignment of {label(topic, p)} names brokers that are", replicas, brokers)
                if problem:
                    raise PlanError(problem)
            target[topic][p] = list(replicas)
    return target


def plan_drain(current, brokers, drain):
    """Move every replica off the ``drain`` brokers, keeping each partition's replication factor."""
    drain = set(drain)
    eligible = sorted(set(brokers) - drain)
    touch = {}
    needed = 0
    needed_at = None
    for topic in sorted(current):
        parts = {p for p, replicas in current[topic].items() if drain & set(replicas)}
        if parts:
            touch[topic] = parts
            for p in sorted(parts):
                rf = len(_dedupe(current[topic][p]))
                if rf > needed:
                    needed, needed_at = rf, label(topic, p)
    if needed > len(eligible):
        raise PlanError(
            f"cannot drain brokers {sorted(drain)}: partition {needed_at} needs {needed} replicas but only "
            f"{len(eligible)} live broker(s) would remain ({eligible})"
        )
    rf = {topic: {p: len(_dedupe(replicas)) for p, replicas in parts.items()} for topic, parts in current.items()}
    return _plan(current, brokers, eligible, rf, touch, balance=False, reorder_all=False)


def plan_spread(current, brokers, spread):
    """Spread every partition of the topics evenly over the ``spread`` brokers (scale-up, scale-down)."""
    spread = sorted(set(spread))
    problem = _live_problem("spread_over names brokers that are", spread, brokers)
    if problem:
        raise PlanError(problem)
    rf = {topic: {p: len(_dedupe(replicas)) for p, replicas in parts.items()} for topic, parts in current.items()}
    needed = max((n for parts in rf.values() for n in parts.values()), default=0)
    if needed > len(spread):
        raise PlanError(
            f"cannot spread over brokers {spread}: the topics have a replication factor of up to {needed}, "
            f"which needs at least {needed} brokers"
        )
    touch = {topic: set(parts) for topic, parts in current.items()}
    return _plan(current, brokers, spread, rf, touch, balance=True, reorder_all=True)


def plan_replication_factor(current, brokers, replication_factor):
    """Change every partition of the topics to ``replication_factor`` replicas, balanced over the live brokers."""
    if replication_factor < 1:
        raise PlanError(f"replication_factor must be at least 1, got {replication_factor}")
    eligible = sorted(brokers)
    if replication_factor > len(eligible):
        raise PlanError(
            f"replication_factor {replication_factor} is greater than the number of live brokers "
            f"({len(eligible)}: {eligible})"
        )
    rf = {topic: {p: replication_factor for p in parts} for topic, parts in current.items()}
    touch = {
        topic: {p for p, replicas in parts.items() if len(_dedupe(replicas)) != replication_factor}
        for topic, parts in current.items()
    }
    return _plan(current, brokers, eligible, rf, touch, balance=False, reorder_all=False)


def plan_moves(current, target):
    """``{topic: {partition: {from, to}}}`` for the partitions whose replica list changes."""
    moves = {}
    for topic in sorted(target):
        for p in sorted(target[topic]):
            before = list(current[topic][p])
            after = list(target[topic][p])
            if before != after:
                moves.setdefault(topic, {})[p] = {"from": before, "to": after}
    return moves


def check_moves(moves, brokers):
    """Safety net for every plan: each target replica must be a live broker, listed once."""
    for topic in sorted(moves):
        for p in sorted(moves[topic]):
            to = moves[topic][p]["to"]
            if not to or len(set(to)) != len(to):
                raise PlanError(f"invalid target replicas for {label(topic, p)}: {to}")
            problem = _live_problem(
                f"the target replicas of {label(topic, p)} ({to}) include brokers that are", to, brokers
            )
            if problem:
                raise PlanError(problem)


def _rack_aware(eligible, brokers):
    """Racks are honoured only when every eligible broker has ``broker.rack`` set (as Kafka does)."""
    return bool(eligible) and all(brokers.get(b) for b in eligible)


def _racks(replicas, brokers):
    return {brokers.get(b) for b in replicas}


class _Loads:
    """Replica and preferred-leader counts per broker: per topic and over all planned topics."""

    def __init__(self, assignment):
        self.replicas = {}
        self.leaders = {}
        self.total_replicas = collections.Counter()
        self.total_leaders = collections.Counter()
        for topic, parts in assignment.items():
            self.replicas[topic] = collections.Counter()
            self.leaders[topic] = collections.Counter()
            for replicas in parts.values():
                self.replicas[topic].update(replicas)
                self.total_replicas.update(replicas)
                if replicas:
                    self.leaders[topic][replicas[0]] += 1
                    self.total_leaders[replicas[0]] += 1

    def add(self, topic, broker, delta=1):
        self.replicas[topic][broker] += delta
        self.total_replicas[broker] += delta

    def add_leader(self, topic, broker, delta=1):
        self.leaders[topic][broker] += delta
        self.total_leaders[broker] += delta

    def replica_key(self, topic, broker):
        return (self.replicas[topic][broker], self.total_replicas[broker], broker)


def _plan(current, brokers, eligible, rf, touch, balance, reorder_all):
    """Target assignment of every topic of ``current``; only partitions in ``touch`` may change.

    1. Keep every replica that may stay (on an eligible broker, within the replication factor);
       surplus replicas leave the busiest brokers (a duplicated rack first), never the first
       replica while others can go.
    2. Fill missing replicas with the least loaded eligible broker, preferring racks the
       partition does not use yet.
    3. With ``balance``: move replicas from the busiest to the least busy broker of each topic
       until their counts differ by at most one, then, keeping that, between brokers whose
       counts over all topics differ by two or more. A move never lowers the number of racks a
       partition spans.
    4. Balance the preferred leaders (first replicas) the same way, by reordering partitions
       that change anyway (any partition with ``reorder_all``).

    Ties are broken by the load over all planned topics, then by broker id, so the plan is
    deterministic; every step stops when no improving move is left, so planning from the
    result again changes nothing (idempotent).
    """
    eligible = sorted(eligible)
    eligible_set = set(eligible)
    rack_aware = _rack_aware(eligible, brokers)
    target = {topic: {p: _dedupe(replicas) for p, replicas in parts.items()} for topic, parts in current.items()}
    loads = _Loads(target)
    movable = {topic: set(touch.get(topic) or ()) for topic in target}
    for topic in sorted(target):
        _keep(topic, target[topic], movable[topic], eligible_set, rf[topic], loads, brokers, rack_aware)
        _fill(topic, target[topic], movable[topic], eligible, rf[topic], loads, brokers, rack_aware)
    topics = sorted(target)
    if balance:
        _improve(
            topics,
            lambda topic, overall: _find_replica_move(
                target, topic, movable, eligible, loads, brokers, rack_aware, overall
            ),
            lambda topic, move: _move_replica(target, loads, topic, *move),
        )
    # Leader counts after steps 1-3 (a removed first replica hands the lead to the next one).
    loads = _Loads(target)
    reorderable = {
        topic: (movable[topic] if reorder_all else {p for p in movable[topic] if target[topic][p] != current[topic][p]})
        for topic in target
    }
    _improve(
        topics,
        lambda topic, overall: _find_leader_move(target, topic, reorderable, eligible, loads, overall),
        lambda topic, move: _move_leader(target, loads, topic, *move),
    )
    return target


def _improve(topics, find, apply):
    """Apply the moves ``find(topic, overall)`` returns until there is none left.

    First per topic (``overall=False``); then one move at a time over all topics
    (``overall=True``), settling the changed topic again after each. Ends when neither
    finds a move, so planning from the result finds none either (idempotent).
    """

    def settle(topic):
        while True:
            move = find(topic, False)
            if move is None:
                return
            apply(topic, move)

    for topic in topics:
        settle(topic)
    while True:
        for topic in topics:
            move = find(topic, True)
            if move is not None:
                apply(topic, move)
                settle(topic)
                break
        else:
            return


def _keep(topic, parts, movable, eligible_set, rf, loads, brokers, rack_aware):
    for p in sorted(movable):
        replicas = parts[p]
        kept = [b for b in replicas if b in eligible_set]
        for b in replicas:
            if b not in eligible_set:
                loads.add(topic, b, -1)
        while len(kept) > rf[p]:
            rack_count = collections.Counter(brokers.get(b) for b in kept) if rack_aware else collections.Counter()

            def surplus_key(b, rack_count=rack_count):
                return (rack_count[brokers.get(b)] > 1,) + loads.replica_key(topic, b)

            victim = max(kept[1:], key=surplus_key)
            kept.remove(victim)
            loads.add(topic, victim, -1)
        parts[p] = kept


def _fill(topic, parts, movable, eligible, rf, loads, brokers, rack_aware):
    for p in sorted(movable):
        replicas = parts[p]
        while len(replicas) < rf[p]:
            candidates = [b for b in eligible if b not in replicas]
            if not candidates:
                raise PlanError(
                    f"partition {label(topic, p)} needs {rf[p]} replicas but only {len(eligible)} broker(s) "
                    f"are eligible ({eligible})"
                )
            used = _racks(replicas, brokers) if rack_aware else set()

            def fill_key(b, used=used):
                return (rack_aware and brokers.get(b) in used,) + loads.replica_key(topic, b)

            best = min(candidates, key=fill_key)
            replicas.append(best)
            loads.add(topic, best)


def _rack_ok(replicas, old, new, brokers, rack_aware):
    """Replacing ``old`` by ``new`` does not reduce the number of racks the partition spans."""
    if not rack_aware:
        return True
    after = [new if b == old else b for b in replicas]
    return len(_racks(after, brokers)) >= len(_racks(replicas, brokers))


def _pairs(eligible, per_topic, total, overall):
    """``(old, new)`` broker pairs worth a move, best first.

    Per topic: counts differ by two or more. Overall: counts in the topic differ by exactly one
    (a move keeps the topic balanced) and the totals over all topics by two or more. Either
    way the sum of squared counts drops, so repeated moves end.
    """
    pairs = []
    for old in eligible:
        for new in eligible:
            gap = per_topic[old] - per_topic[new]
            total_gap = total[old] - total[new]
            if (not overall and gap >= 2) or (overall and gap == 1 and total_gap >= 2):
                pairs.append((-gap, -total_gap, old, new))
    return [(old, new) for _g, _t, old, new in sorted(pairs)]


def _find_replica_move(target, topic, movable, eligible, loads, brokers, rack_aware, overall):
    parts = target[topic]
    for old, new in _pairs(eligible, loads.replicas[topic], loads.total_replicas, overall):
        candidates = [
            p
            for p in movable[topic]
            if old in parts[p] and new not in parts[p] and _rack_ok(parts[p], old, new, brokers, rack_aware)
        ]
        if candidates:
            # Prefer moving a follower: the preferred leader stays where it is.
            return min(candidates, key=lambda p: (parts[p][0] == old, p)), old, new
    return None


def _move_replica(target, loads, topic, p, old, new):
    target[topic][p] = [new if b == old else b for b in target[topic][p]]
    loads.add(topic, old, -1)
    loads.add(topic, new)


def _find_leader_move(target, topic, reorderable, eligible, loads, overall):
    parts = target[topic]
    for old, new in _pairs(eligible, loads.leaders[topic], loads.total_leaders, overall):
        candidates = [p for p in sorted(reorderable[topic]) if parts[p] and parts[p][0] == old and new in parts[p]]
        if candidates:
            return candidates[0], old, new
    return None


def _move_leader(target, loads, topic, p, old, new):
    target[topic][p] = [new] + [b for b in target[topic][p] if b != new]
    loads.add_leader(topic, old, -1)
    loads.add_leader(topic, new)


def plan_target(mode, current, brokers, value):
    """Target assignment for ``mode``: ``assignment``, ``drain_brokers``, ``spread_over`` or ``replication_factor``."""
    if mode == "assignment":
        return plan_explicit(current, value, brokers)
    if mode == "drain_brokers":
        return plan_drain(current, brokers, value)
    if mode == "spread_over":
        return plan_spread(current, brokers, value)
    if mode == "replication_factor":
        return plan_replication_factor(current, brokers, value)
    raise ValueError(f"unknown mode {mode!r}")


def drain_warnings(current, brokers, drain):
    """Drained ids that are neither live nor hold a replica of the topics (a typo, or already gone)."""
    holding = {b for parts in current.values() for replicas in parts.values() for b in replicas}
    unknown = sorted(set(drain) - set(brokers) - holding)
    if unknown:
        return [f"drain_brokers {unknown} are not live brokers and hold no replica of the selected topics"]
    return []


# ---------------------------------------------------------------------------
# Throttles (pure)
# ---------------------------------------------------------------------------


def parse_throttled_replicas(value):
    """``"0:1,0:2"`` -> ``{(0, 1), (0, 2)}``; ``"*"`` stays ``"*"``; empty/None -> empty set."""
    text = to_native(value or "").strip()
    if text == "*":
        return "*"
    entries = set()
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        p, _sep, b = item.partition(":")
        entries.add((int(p), int(b)))
    return entries


def format_throttled_replicas(entries):
    return ",".join(f"{p}:{b}" for p, b in sorted(entries))


def throttle_plan(moves, rate, live=None):
    """What to throttle for ``moves`` at ``rate`` bytes/s, as kafka-reassign-partitions does.

    Only partitions that copy data (gain a replica) are throttled: the leader side on the
    current replicas, the follower side on the new ones; the rate applies to every broker
    that holds or receives such a partition. With ``live`` (broker ids), brokers that are not
    live are left out: a broker config change has to be handled by that broker, and a dead
    broker sends nothing anyway (draining a dead broker). Returns ``{rate, brokers, topics:
    {topic: {leader: {(p, b)}, follower: {(p, b)}}}}`` or None when nothing needs a throttle.
    """
    if not rate:
        return None
    alive = (lambda b: True) if live is None else set(live).__contains__
    brokers = set()
    topics = {}
    for topic in sorted(moves):
        for p, move in sorted(moves[topic].items()):
            added = set(move["to"]) - set(move["from"])
            if not added:
                continue
            entry = topics.setdefault(topic, dict(leader=set(), follower=set()))
            entry["leader"].update((p, b) for b in move["from"] if alive(b))
            entry["follower"].update((p, b) for b in added)
            brokers.update(b for b in move["from"] if alive(b))
            brokers.update(move["to"])
    if not topics:
        return None
    return dict(rate=rate, brokers=sorted(brokers), topics=topics)


def throttle_changes(plan, broker_previous, topic_previous):
    """Config changes that set the throttle, and those that restore the previous values.

    ``broker_previous``: ``{broker: {key: value}}`` of the dynamic broker configs;
    ``topic_previous``: ``{topic: {key: value or None}}`` of the dynamic topic configs.
    Returns ``(apply, restore)``, each a list of ``(resource type, name, {key: value or None})``
    (None = delete the key). A topic that already throttles every replica (``*``) is left alone.
    """
    apply = []
    restore = []
    rate = str(plan["rate"])
    for broker in plan["brokers"]:
        previous = broker_previous.get(broker) or {}
        apply.append(("broker", str(broker), {key: rate for key in BROKER_THROTTLE_KEYS}))
        restore.append(("broker", str(broker), {key: previous.get(key) for key in BROKER_THROTTLE_KEYS}))
    for topic in sorted(plan["topics"]):
        previous = topic_previous.get(topic) or {}
        setting = {}
        undo = {}
        for key, side in ((LEADER_REPLICAS, "leader"), (FOLLOWER_REPLICAS, "follower")):
            existing = parse_throttled_replicas(previous.get(key))
            if existing == "*":
                continue
            merged = existing | plan["topics"][topic][side]
            if merged != existing:
                setting[key] = format_throttled_replicas(merged)
                undo[key] = previous.get(key) or None
        if setting:
            apply.append(("topic", topic, setting))
            restore.append(("topic", topic, undo))
    return apply, restore


def previous_throttle_warnings(plan, broker_previous, topic_previous):
    warnings = []
    for broker in plan["brokers"]:
        found = {k: v for k, v in (broker_previous.get(broker) or {}).items() if k in BROKER_THROTTLE_KEYS and v}
        if found:
            warnings.append(f"broker {broker} already has a replication throttle {found}; it is restored afterwards")
    for topic in sorted(plan["topics"]):
        found = {k: v for k, v in (topic_previous.get(topic) or {}).items() if v}
        if found:
            warnings.append(f"topic {topic} already has throttled replicas {found}; they are restored afterwards")
    return warnings


def throttle_summary(plan):
    if plan is None:
        return None
    return dict(
        rate=plan["rate"],
        brokers=plan["brokers"],
        topics={
            topic: {
                LEADER_REPLICAS: format_throttled_replicas(entry["leader"]),
                FOLLOWER_REPLICAS: format_throttled_replicas(entry["follower"]),
            }
            for topic, entry in sorted(plan["topics"].items())
        },
    )


# ---------------------------------------------------------------------------
# Progress (pure)
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


# ---------------------------------------------------------------------------
# ZooKeeper readers and writers
# ---------------------------------------------------------------------------


def list_topics(zk, chroot):
    """Topic names registered in ZooKeeper, without those marked for deletion."""
    path = zookeeper_path(chroot, "/brokers/topics")
    with translate_errors(f"list {path} in ZooKeeper"):
        try:
            topics = set(zk.get_children(path))
        except NoNodeError as e:
            raise KafkaOpsError(
                f"list {path} in ZooKeeper", exception=e, reason="the znode does not exist (check zookeeper_chroot)"
            ) from e
        try:
            deleting = set(zk.get_children(zookeeper_path(chroot, "/admin/delete_topics")))
        except NoNodeError:
            deleting = set()
    return sorted(to_native(t) for t in topics - deleting)


def read_topic_states(zk, chroot, topics):
    """``{topic: parse_topic_znode(...)}``; a topic that disappeared meanwhile is left out."""
    states = {}
    for topic in topics:
        data = read_znode(zk, zookeeper_path(chroot, f"/brokers/topics/{topic}"))
        if data is not None:
            states[topic] = parse_topic_znode(data, topic)
    return states


def current_assignment(topic_states):
    """The assignment part of ``read_topic_states`` output."""
    return {topic: {p: list(r) for p, r in state["partitions"].items()} for topic, state in topic_states.items()}


def read_pending(zk, chroot):
    """Parsed ``/admin/reassign_partitions`` (empty when no ZooKeeper-triggered reassignment runs)."""
    data = read_znode(zk, zookeeper_path(chroot, REASSIGN_ZNODE))
    return {} if data is None else parse_reassign_znode(data)


def start_reassignment(zk, chroot, moves, secured):
    """Create ``/admin/reassign_partitions``; the controller picks it up and deletes it when done."""
    path = zookeeper_path(chroot, REASSIGN_ZNODE)
    action = f"create {path} in ZooKeeper"
    # Same ACL as the brokers' own znodes when ZooKeeper is secured (zookeeper.set.acl=true).
    acl = (CREATOR_ALL_ACL + READ_ACL_UNSAFE) if secured else None
    with translate_errors(action):
        try:
            zk.create(path, reassignment_json(moves), acl=acl)
        except NodeExistsError as e:
            raise KafkaOpsError(
                action, exception=e, reason="another reassignment was started meanwhile; nothing was reassigned"
            ) from e


def read_broker_throttles(zk, chroot, broker_ids):
    """``{broker: {key: value}}`` of the dynamic per-broker throttle rates in ``/config/brokers/<id>``."""
    result = {}
    for broker in broker_ids:
        path = zookeeper_path(chroot, f"/config/brokers/{broker}")
        data = read_znode(zk, path)
        if data is None:
            result[broker] = {}
            continue
        config = _parse_json(data, path).get("config") or {}
        result[broker] = {key: config[key] for key in BROKER_THROTTLE_KEYS if key in config}
    return result


def read_topic_throttles(admin, topics, timeout):
    """``{topic: {key: value or None}}`` of the topic-level throttled replica lists (dynamic only)."""
    if not topics:
        return {}
    action = f"describe the configuration of topics {sorted(topics)}"
    with translate_errors(action):
        resources = [ConfigResource(ResourceType.TOPIC, topic) for topic in sorted(topics)]
        futures = admin.describe_configs(resources, request_timeout=timeout)
        result = {}
        for resource, future in futures.items():
            entries = future.result()
            result[resource.name] = {}
            for key in TOPIC_THROTTLE_KEYS:
                entry = entries.get(key)
                source = getattr(entry, "source", None)
                dynamic = int(getattr(source, "value", source) or 0) == ConfigSource.DYNAMIC_TOPIC_CONFIG.value
                result[resource.name][key] = entry.value if dynamic and entry.value else None
    return result


def _config_resource(kind, name, values):
    resource_type = dict(broker=ResourceType.BROKER, topic=ResourceType.TOPIC)[kind]
    entries = [
        ConfigEntry(key, None, incremental_operation=AlterConfigOpType.DELETE)
        if value is None
        else ConfigEntry(key, str(value), incremental_operation=AlterConfigOpType.SET)
        for key, value in sorted(values.items())
    ]
    return ConfigResource(resource_type, name, incremental_configs=entries)


def config_batches(changes):
    """Requests for ``changes``: each broker alone (librdkafka allows one BROKER resource per call,
    and the request must go to that broker), all topics together."""
    batches = [[change] for change in changes if change[0] == "broker"]
    topics = [change for change in changes if change[0] != "broker"]
    if topics:
        batches.append(topics)
    return batches


def alter_configs(admin, changes, timeout, action):
    """Apply ``(type, name, {key: value or None})`` changes with incremental_alter_configs (None = delete).

    Every change is tried; returns those that failed as ``[(change, reason)]``.
    """
    failures = []
    for batch in config_batches(changes):
        try:
            with translate_errors(action):
                resources = [(change, _config_resource(*change)) for change in batch]
                futures = admin.incremental_alter_configs([r for _c, r in resources], request_timeout=timeout)
                for change, resource in resources:
                    try:
                        futures[resource].result()
                    except KAFKA_ERRORS as e:
                        failures.append((change, error_reason(e)))
        except KafkaOpsError as e:
            failures.extend((change, e.reason) for change in batch)
    return failures


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


def read_marker(zk, chroot):
    data = read_znode(zk, zookeeper_path(chroot, MARKER_ZNODE))
    return None if data is None else parse_marker(data)


def write_marker(zk, chroot, moves, restore, secured):
    path = zookeeper_path(chroot, MARKER_ZNODE)
    action = f"create {path} in ZooKeeper"
    acl = (CREATOR_ALL_ACL + READ_ACL_UNSAFE) if secured else None
    with translate_errors(action):
        try:
            zk.create(path, marker_json(moves, restore), acl=acl, makepath=True)
        except NodeExistsError as e:
            raise KafkaOpsError(
                action, exception=e, reason="another kafka_reassign run started meanwhile; nothing was reassigned"
            ) from e


def delete_marker(zk, chroot):
    path = zookeeper_path(chroot, MARKER_ZNODE)
    with translate_errors(f"delete {path} in ZooKeeper"):
        try:
            zk.delete(path)
        except NoNodeError:
            pass


def restore_summary(restore):
    """``{brokers: [...], topics: [...]}``: where a recorded throttle is to be removed."""
    return dict(
        brokers=sorted(int(name) for kind, name, _v in restore if kind == "broker"),
        topics=sorted(name for kind, name, _v in restore if kind == "topic"),
    )


def cancel_reassignments(client, partitions, timeout):
    """Cancel the reassignments of ``[(topic, partition)]`` through the AlterPartitionReassignments API
    (kafka-python ``client``): each partition goes back to its original replicas; the controller also
    drops it from a reassignment started through ZooKeeper.

    Returns ``{cancelled, not_moving, failed: {label: reason}}``.
    """
    result = dict(cancelled=[], not_moving=[], failed={})
    if not partitions:
        return result
    # kafka-python is imported where it is used (KafkaModule.reassignment_client made ``client``).
    from kafka import TopicPartition as ReassignmentPartition  # pylint: disable=import-outside-toplevel
    from kafka.errors import KafkaError  # pylint: disable=import-outside-toplevel

    try:
        outcome = client.alter_partition_reassignments(
            {ReassignmentPartition(topic, p): None for topic, p in partitions}, timeout_ms=timeout * 1000
        )
    except KafkaError as e:
        raise KafkaOpsError("cancel the partition reassignment", exception=e, reason=str(e) or type(e).__name__) from e
    for topic, p in sorted(partitions):
        name = label(topic, p)
        error = outcome.get(ReassignmentPartition(topic, p), "no answer for this partition")
        if error is None:
            result["cancelled"].append(name)
        elif getattr(error, "__name__", "") == "NoReassignmentInProgressError":
            result["not_moving"].append(name)
        else:
            result["failed"][name] = to_native(getattr(error, "description", None) or getattr(error, "__name__", error))
    return result


def elect_preferred_leaders(admin, partitions, timeout):
    """Preferred leader election for ``[(topic, partition)]``.

    Returns ``{elected, not_needed, failed}``: labels, and ``{label: reason}``.
    """
    result = dict(elected=[], not_needed=[], failed={})
    if not partitions:
        return result
    with translate_errors("elect preferred leaders"):
        # No request_timeout/operation_timeout: confluent-kafka 2.16.1 raises SystemError for any
        # keyword argument of elect_leaders; socket.timeout.ms (request_timeout) bounds it instead.
        future = admin.elect_leaders(ElectionType.PREFERRED, [TopicPartition(topic, p) for topic, p in partitions])
        outcome = future.result(timeout=timeout + 5)
    for tp, error in sorted(outcome.items(), key=lambda item: (item[0].topic, item[0].partition)):
        name = label(tp.topic, tp.partition)
        if error is None:
            result["elected"].append(name)
        elif kafka_error_code(error) == "ELECTION_NOT_NEEDED":
            result["not_needed"].append(name)
        else:
            result["failed"][name] = error_reason(error)
    return result


def wait_until(read, ready, timeout, on_poll, interval, sleep=time.sleep, clock=time.monotonic):
    """Call ``read()`` until ``ready(value)``; ``on_poll(value, elapsed)`` after each read.

    Returns ``(value, True)`` when ready, ``(last value, False)`` at the deadline.
    """
    return poll(read, ready, timeout, interval=interval, on_poll=on_poll, sleep=sleep, clock=clock)
