# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Partition reassignment: replication throttles (pure: what to set, what to restore, what a run left).

Throttles are dynamic configs: the rates per broker, the throttled replica lists per topic.
A *change* is ``(resource type, name, {key: value or None})`` (None = delete the key), the
shape ``kafka_reassign_io.alter_configs`` applies.

How a run recognises the throttle an interrupted run left (there is no record besides the
configs): a run throttles exactly the replicas its move copies - explicit ``partition:broker``
entries in the moved topics' throttled replica lists - and sets the rates only on the brokers
those entries name. So every explicit entry of a topic's throttled replica lists is taken for
the throttle of a move (this module's, or ``kafka-reassign-partitions.sh --throttle``'s, which
sets the same configs): the partitions it names that still have a reassignment in progress are
that move in flight; once none of them moves, the entries are removed, and so are the rates of
the brokers they name. A list of ``*`` (every replica) is never taken for a move's throttle and
never touched. The throttle is set topics first and removed brokers first, so a rate this
module set is never left without the entries that lead to it.
"""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_native

LEADER_RATE = "leader.replication.throttled.rate"
FOLLOWER_RATE = "follower.replication.throttled.rate"
LEADER_REPLICAS = "leader.replication.throttled.replicas"
FOLLOWER_REPLICAS = "follower.replication.throttled.replicas"
BROKER_THROTTLE_KEYS = (LEADER_RATE, FOLLOWER_RATE)
TOPIC_THROTTLE_KEYS = (LEADER_REPLICAS, FOLLOWER_REPLICAS)


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
    (None = delete the key): ``apply`` sets the topics' lists before the brokers' rates, ``restore``
    restores the brokers before the topics. A topic that already throttles every replica (``*``)
    is left alone.
    """
    topics_apply = []
    topics_restore = []
    brokers_apply = []
    brokers_restore = []
    rate = str(plan["rate"])
    for broker in plan["brokers"]:
        previous = broker_previous.get(broker) or {}
        brokers_apply.append(("broker", str(broker), {key: rate for key in BROKER_THROTTLE_KEYS}))
        brokers_restore.append(("broker", str(broker), {key: previous.get(key) for key in BROKER_THROTTLE_KEYS}))
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
            topics_apply.append(("topic", topic, setting))
            topics_restore.append(("topic", topic, undo))
    # Topics first when setting, brokers first when restoring (see the module docstring).
    return topics_apply + brokers_apply, brokers_restore + topics_restore


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


def _explicit_entries(value):
    """The ``(partition, broker)`` entries of a throttled replica list; None for ``*``, an empty value or one that
    is not a list of ``partition:broker`` entries (not a move's throttle)."""
    try:
        entries = parse_throttled_replicas(value)
    except ValueError:
        return None
    if entries == "*" or not entries:
        return None
    return entries


def find_leftover(topic_throttles, reassignments):
    """The throttle a move left, read from the configs themselves (see the module docstring), or None.

    ``topic_throttles``: ``{topic: {key: value or None}}`` of the dynamic throttled replica lists of every topic;
    ``reassignments``: ``{(topic, partition): {replicas, adding, removing}}`` in progress. Returns ``{topics: {topic:
    [keys with explicit entries]}, brokers: [ids the entries name], partitions: [(topic, p) named], moving: [(topic, p)
    named that are still reassigning]}``.
    """
    topics = {}
    brokers = set()
    partitions = set()
    for topic in sorted(topic_throttles):
        for key in TOPIC_THROTTLE_KEYS:
            entries = _explicit_entries((topic_throttles[topic] or {}).get(key))
            if entries is None:
                continue
            topics.setdefault(topic, []).append(key)
            brokers.update(b for _p, b in entries)
            partitions.update((topic, p) for p, _b in entries)
    if not topics:
        return None
    return dict(
        topics=topics,
        brokers=sorted(brokers),
        partitions=sorted(partitions),
        moving=sorted(tp for tp in partitions if tp in reassignments),
    )


def leftover_moves(leftover, reassignments):
    """``{topic: {p: {from, to}}}`` of the leftover's partitions still moving: ``from`` the replicas before the move
    (those not being added), ``to`` its target."""
    moves = {}
    for topic, p in leftover["moving"]:
        entry = reassignments[(topic, p)]
        adding = set(entry.get("adding") or [])
        removing = set(entry.get("removing") or [])
        moves.setdefault(topic, {})[p] = {
            "from": [b for b in entry["replicas"] if b not in adding],
            "to": [b for b in entry["replicas"] if b not in removing],
        }
    return moves


def leftover_restore(leftover):
    """The changes that remove a leftover throttle: the rates of the brokers its entries name, then the topics'
    explicit lists."""
    changes = [("broker", str(b), {key: None for key in BROKER_THROTTLE_KEYS}) for b in leftover["brokers"]]
    changes += [("topic", topic, {key: None for key in keys}) for topic, keys in sorted(leftover["topics"].items())]
    return changes


def restore_summary(restore):
    """``{brokers: [...], topics: [...]}``: where a recorded throttle is to be removed."""
    return dict(
        brokers=sorted(int(name) for kind, name, _v in restore if kind == "broker"),
        topics=sorted(name for kind, name, _v in restore if kind == "topic"),
    )
