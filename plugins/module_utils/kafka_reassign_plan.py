# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Partition reassignment: the replica planner (pure: no client library, no I/O).

Data shapes used throughout: an *assignment* is ``{topic: {partition (int): [broker ids]}}``
(first replica = preferred leader); *moves* are ``{topic: {partition: {"from": [...], "to":
[...]}}}`` for the partitions whose replica list changes; *brokers* is ``{id: rack or None}``
for the live brokers.
"""

from __future__ import annotations

import collections

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError

ALL_TOPICS = "all"
PLAN_ACTION = "reassign partitions"


class PlanError(KafkaOpsError):
    """Bad input or an impossible plan: refused before anything is changed."""

    def __init__(self, reason, **details):
        super().__init__(PLAN_ACTION, reason=reason, **details)


# ---------------------------------------------------------------------------
# Small helpers
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
# Planner
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
            victim = max(kept[1:], key=_surplus_key(topic, loads, brokers, rack_count))
            kept.remove(victim)
            loads.add(topic, victim, -1)
        parts[p] = kept


def _surplus_key(topic, loads, brokers, rack_count):
    """Sort key of the replica to drop first: a second one in its rack, then the most loaded broker."""

    def key(b):
        return (rack_count[brokers.get(b)] > 1,) + loads.replica_key(topic, b)

    return key


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
