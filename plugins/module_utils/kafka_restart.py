# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Restart safety gate: may broker N be stopped now without a partition dropping below min.insync.replicas?

The rule is Strimzi's (``KafkaRoller`` / ``KafkaAvailability.wouldAffectAvailability``): for every
partition that has the broker as a replica,

* ISR size < min.insync.replicas: the partition is already below its minimum; stopping one of its
  replicas delays its recovery -> blocking;
* ISR size == min.insync.replicas and the broker is in the ISR: stopping it leaves the partition
  one in-sync replica short -> blocking;
* except when min.insync.replicas >= the number of replicas: no order of restarts can keep such a
  partition at its minimum (e.g. replication factor 1), so it never blocks; it is reported as
  ``unavoidable`` instead.

On top of that (``require_no_under_replicated``) any under-replicated or offline partition of the
cluster blocks: the previous broker of a rolling restart has not caught up yet.

A broker that is not registered (already down) cannot take anything out of an ISR, so the
per-broker rule does not apply to it, and partitions that are unhealthy only because of it (every
other replica in sync and live) do not block: restarting it is what repairs them.

Everything here is pure (unit tested with parametrize); the readers live in the module.
"""

from __future__ import annotations

MIN_ISR_KEY = "min.insync.replicas"
# Kafka's default for min.insync.replicas (used when a topic's value cannot be read or parsed).
DEFAULT_MIN_INSYNC_REPLICAS = 1
# Blocking partitions quoted in a failure message; all of them are returned in ``blocking``.
MAX_BLOCKING_IN_MESSAGE = 10


def partition_label(topic, partition):
    return f"{topic}-{partition}"


def _plural(count, word):
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


def partition_rows(metadata):
    """Every partition of a ClusterMetadata as ``{topic, partition, leader, replicas, isr}``, sorted.

    ``leader`` is None for an offline partition (librdkafka reports -1).
    """
    rows = []
    for topic in sorted(metadata.topics):
        partitions = metadata.topics[topic].partitions
        for partition_id in sorted(partitions):
            partition = partitions[partition_id]
            leader = partition.leader if partition.leader is not None and partition.leader >= 0 else None
            rows.append(
                dict(
                    topic=topic,
                    partition=partition_id,
                    leader=leader,
                    replicas=list(partition.replicas),
                    isr=list(partition.isrs),
                )
            )
    return rows


def live_broker_ids(metadata):
    return sorted(int(broker_id) for broker_id in metadata.brokers)


def controller_id(metadata):
    value = getattr(metadata, "controller_id", None)
    return value if value is not None and value >= 0 else None


def parse_min_isr(value, default=DEFAULT_MIN_INSYNC_REPLICAS):
    """min.insync.replicas as reported by DescribeConfigs (a string), or ``default``."""
    try:
        parsed = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return parsed if parsed >= 1 else default


def min_isr_by_topic(configs, default=DEFAULT_MIN_INSYNC_REPLICAS):
    """``{topic: int}`` from DescribeConfigs results ``{topic: {key: (value, source)}}``.

    A topic's DescribeConfigs already holds the effective value: its own override
    (``DYNAMIC_TOPIC_CONFIG``) or else the broker default (``STATIC_BROKER_CONFIG``,
    ``DYNAMIC_DEFAULT_BROKER_CONFIG``, ``DEFAULT_CONFIG``).
    """
    result = {}
    for topic, entries in configs.items():
        value = entries.get(MIN_ISR_KEY)
        result[topic] = parse_min_isr(value[0] if value else None, default)
    return result


def is_offline(row):
    return row["leader"] is None


def is_under_replicated(row):
    return len(row["isr"]) < len(row["replicas"])


def topics_to_describe(rows, broker_id):
    """Topics whose min.insync.replicas matters: those with a replica on the broker or an unhealthy partition."""
    return sorted(
        {row["topic"] for row in rows if broker_id in row["replicas"] or is_offline(row) or is_under_replicated(row)}
    )


def explained_by_broker(row, broker_id, live):
    """True when the partition is unhealthy only because ``broker_id`` is down."""
    others = [replica for replica in row["replicas"] if replica != broker_id]
    return all(replica in row["isr"] and replica in live for replica in others)


def broker_rule(row, broker_id, min_isr):
    """``(kind, reason)`` of Strimzi's rule for a partition with the broker as replica, or None.

    ``kind`` is ``below_min_isr`` / ``at_min_isr`` (blocking) or ``unavoidable`` (not blocking).
    """
    replicas = row["replicas"]
    isr = row["isr"]
    if broker_id not in replicas:
        return None
    label = partition_label(row["topic"], row["partition"])
    in_isr = broker_id in isr
    if min_isr >= len(replicas) and (in_isr or len(isr) < min_isr):
        return (
            "unavoidable",
            f"{label} has {_plural(len(replicas), 'replica')} and min.insync.replicas {min_isr}: "
            f"it drops below its minimum whenever one of its replicas (broker {broker_id}) stops",
        )
    if len(isr) < min_isr:
        return (
            "below_min_isr",
            f"{label} already has only {_plural(len(isr), 'in-sync replica')} {isr}, "
            f"min.insync.replicas is {min_isr}, and broker {broker_id} holds one of its replicas {replicas}",
        )
    if len(isr) == min_isr and in_isr:
        return (
            "at_min_isr",
            f"stopping broker {broker_id} would leave {label} with {_plural(len(isr) - 1, 'in-sync replica')}, "
            f"min.insync.replicas is {min_isr}",
        )
    return None


def health_reason(row):
    label = partition_label(row["topic"], row["partition"])
    if is_offline(row):
        return "offline", f"{label} is offline (no leader; replicas {row['replicas']}, in-sync {row['isr']})"
    return (
        "under_replicated",
        f"{label} is under-replicated (in-sync {row['isr']} of replicas {row['replicas']})",
    )


def evaluate(rows, min_isr, broker_id, live, require_no_under_replicated=True):
    """Decide whether ``broker_id`` may be stopped now.

    ``rows`` from ``partition_rows``, ``min_isr`` maps topics to their effective
    min.insync.replicas (missing topics use Kafka's default), ``live`` are the registered broker ids.
    Returns ``{safe, blocking, under_replicated, offline, unavoidable, partitions_led, broker_registered}``;
    each ``blocking`` entry is ``{topic, partition, replicas, isr, min_insync_replicas, kind, reason}``.
    """
    live = set(live)
    registered = broker_id in live
    blocking = []
    under_replicated = []
    offline = []
    unavoidable = []
    led = 0
    for row in rows:
        topic_min_isr = min_isr.get(row["topic"], DEFAULT_MIN_INSYNC_REPLICAS)
        label = partition_label(row["topic"], row["partition"])
        unhealthy = is_offline(row) or is_under_replicated(row)
        if is_offline(row):
            offline.append(label)
        if is_under_replicated(row):
            under_replicated.append(label)
        if row["leader"] == broker_id:
            led += 1
        found = None
        if registered:
            rule = broker_rule(row, broker_id, topic_min_isr)
            if rule is not None and rule[0] == "unavoidable":
                unavoidable.append(label)
            elif rule is not None:
                found = rule
        if found is None and unhealthy and require_no_under_replicated:
            if registered or not explained_by_broker(row, broker_id, live):
                found = health_reason(row)
        if found is not None:
            blocking.append(
                dict(
                    topic=row["topic"],
                    partition=row["partition"],
                    replicas=list(row["replicas"]),
                    isr=list(row["isr"]),
                    min_insync_replicas=topic_min_isr,
                    kind=found[0],
                    reason=found[1],
                )
            )
    return dict(
        safe=not blocking,
        blocking=blocking,
        under_replicated=under_replicated,
        offline=offline,
        unavoidable=unavoidable,
        partitions_led=led,
        broker_registered=registered,
    )


def unsafe_message(broker_id, blocking, waited=None):
    """The failure message: the first ``MAX_BLOCKING_IN_MESSAGE`` reasons, and how many more."""
    shown = blocking[:MAX_BLOCKING_IN_MESSAGE]
    message = f"Broker {broker_id} must not be stopped now"
    if waited is not None:
        message += f" (still unsafe after waiting {waited}s)"
    message += ": " + "; ".join(entry["reason"] for entry in shown)
    more = len(blocking) - len(shown)
    if more > 0:
        message += f"; and {more} more partition(s) (see blocking)"
    return message
