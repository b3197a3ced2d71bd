# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Consumer groups: listing, members, committed offsets and lag.

Readers call the AdminClient inside ``translate_errors`` and return plain
dicts/tuples; selecting groups and computing lag are pure functions over those
(unit tested without a cluster). Lag is computed like ``kafka-consumer-groups.sh
--describe``: end offset (high watermark, or the last stable offset with
``read_committed``) minus the committed offset, per partition.
"""

from __future__ import annotations

import re

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KAFKA_ERRORS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import error_reason
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import translate_errors

try:
    from confluent_kafka import ConsumerGroupTopicPartitions
    from confluent_kafka import IsolationLevel
    from confluent_kafka import TopicPartition
    from confluent_kafka.admin import OffsetSpec
except ImportError:
    pass  # KafkaModule reports the missing library.

# Kafka's group states, as this module reports them.
GROUP_STATES = ("stable", "empty", "preparing_rebalance", "completing_rebalance", "dead", "unknown")
# librdkafka's names for them (ConsumerGroupState members).
_CLIENT_STATE_NAMES = {
    "preparingrebalancing": "preparing_rebalance",
    "completingrebalancing": "completing_rebalance",
}

ISOLATION_LEVELS = ("read_uncommitted", "read_committed")

# librdkafka's OFFSET_INVALID: no committed offset.
_NO_OFFSET = -1001


# ---------------------------------------------------------------------------
# Pure functions
# ---------------------------------------------------------------------------


def _key(value):
    return re.sub(r"[\s_-]", "", to_native(value)).lower()


def _canonical_state(value):
    key = _key(value)
    key = _key(_CLIENT_STATE_NAMES.get(key, key))
    for state in GROUP_STATES:
        if _key(state) == key:
            return state
    return None


def state_name(value):
    """``stable``, ``preparing_rebalance`` ... for a ConsumerGroupState (or its name, in any spelling)."""
    if value is None:
        return "unknown"
    return _canonical_state(getattr(value, "name", value)) or "unknown"


def normalize_states(values):
    """``(set of states, errors)`` for the ``states`` option (case and ``-``/``_`` do not matter)."""
    states = set()
    errors = []
    for value in values or []:
        state = _canonical_state(value)
        if state is None:
            errors.append(f"unknown group state {value!r} (expected one of {', '.join(GROUP_STATES)})")
        else:
            states.add(state)
    return states, errors


def compile_pattern(pattern):
    """``(compiled regex or None, error or None)``."""
    if pattern is None:
        return None, None
    try:
        return re.compile(pattern), None
    except re.error as e:
        return None, f"pattern {pattern!r} is not a valid regular expression: {e}"


def select_groups(listings, pattern=None, states=None):
    """Sorted ids of the ``listings`` (``[{group_id, state}]``) that match.

    The id must fully match ``pattern`` (a compiled regex) and the state be one of ``states`` (when given).
    """
    selected = []
    for listing in listings:
        if pattern is not None and not pattern.fullmatch(listing["group_id"]):
            continue
        if states and listing["state"] not in states:
            continue
        selected.append(listing["group_id"])
    return sorted(set(selected))


def partition_lag(committed, end):
    """``end - committed``, never negative; None when either is unknown (no commit, end offset not readable)."""
    if committed is None or end is None:
        return None
    return max(end - committed, 0)


def group_lag(committed, ends, assigned=(), errors=None, partition_counts=None):
    """Lag of one group: ``{lag, unknown_lag_partitions, topics: {topic: {lag, unknown_lag_partitions, partitions}}}``.

    ``committed``: ``{(topic, partition): offset or None}``; ``ends``:
    ``{(topic, partition): offset or None}``; ``assigned``: ``(topic,
    partition)`` pairs assigned to members (reported even without a commit,
    with lag None); ``errors``: ``{(topic, partition): why the end offset is
    unknown}``. A partition's ``lag`` is None when it is unknown; totals add
    the known ones and ``unknown_lag_partitions`` counts the others.
    ``partition_counts`` (``{topic: partitions}``) adds the partitions of
    every topic the group committed to or is assigned that have no commit,
    so a partition the group never committed shows up as unknown instead of
    silently missing from the total.
    """
    errors = errors or {}
    keys = set(committed) | set(assigned)
    for topic in {topic for topic, _partition in keys}:
        keys |= {(topic, partition) for partition in range((partition_counts or {}).get(topic, 0))}
    keys = sorted(keys)
    topics = {}
    total = 0
    unknown = 0
    for topic, partition in keys:
        offset = committed.get((topic, partition))
        end = ends.get((topic, partition))
        lag = partition_lag(offset, end)
        entry = topics.setdefault(topic, dict(lag=0, unknown_lag_partitions=0, partitions=[]))
        row = dict(partition=partition, committed_offset=offset, end_offset=end, lag=lag)
        if (topic, partition) in errors:
            row["error"] = errors[(topic, partition)]
        entry["partitions"].append(row)
        if lag is None:
            entry["unknown_lag_partitions"] += 1
            unknown += 1
        else:
            entry["lag"] += lag
            total += lag
    return dict(lag=total, unknown_lag_partitions=unknown, topics=topics)


def member_state(member):
    """A member of a ConsumerGroupDescription as a dict."""
    assignment = getattr(member, "assignment", None)
    partitions = getattr(assignment, "topic_partitions", None) or []
    host = to_native(member.host or "")
    return dict(
        member_id=to_native(member.member_id),
        client_id=to_native(member.client_id),
        # The broker reports the address as InetAddress.toString(): "/10.0.0.5".
        host=host[1:] if host.startswith("/") else host,
        group_instance_id=getattr(member, "group_instance_id", None),
        assignment=sorted(
            (dict(topic=to_native(tp.topic), partition=int(tp.partition)) for tp in partitions),
            key=lambda tp: (tp["topic"], tp["partition"]),
        ),
    )


def group_state(description):
    """A ConsumerGroupDescription as a dict (without offsets)."""
    coordinator = getattr(description, "coordinator", None)
    group_type = getattr(description, "type", None)
    return dict(
        group_id=to_native(description.group_id),
        state=state_name(description.state),
        type=to_native(getattr(group_type, "name", group_type) or "unknown").lower(),
        is_simple_consumer_group=bool(description.is_simple_consumer_group),
        partition_assignor=to_native(description.partition_assignor or ""),
        coordinator=(
            dict(id=coordinator.id, host=coordinator.host, port=coordinator.port) if coordinator is not None else None
        ),
        members=sorted((member_state(m) for m in description.members or []), key=lambda m: m["member_id"]),
    )


def group_partitions(committed, group):
    """Every ``(topic, partition)`` the group committed to or is assigned."""
    return set(committed) | assigned_partitions(group)


def assigned_partitions(group):
    return {(tp["topic"], tp["partition"]) for member in group["members"] for tp in member["assignment"]}


# ---------------------------------------------------------------------------
# Client operations
# ---------------------------------------------------------------------------


def list_groups(admin, timeout):
    """``[{group_id, state}]`` of every consumer group the principal may describe."""
    with translate_errors("list consumer groups"):
        result = admin.list_consumer_groups(request_timeout=timeout).result()
    errors = getattr(result, "errors", None) or []
    if errors:
        # Some brokers did not answer: a partial list would silently hide groups.
        raise KafkaOpsError("list consumer groups", exception=errors[0])
    return [dict(group_id=to_native(g.group_id), state=state_name(g.state)) for g in result.valid or []]


def describe_groups(admin, group_ids, timeout):
    """``{group_id: group_state dict}``."""
    if not group_ids:
        return {}
    described = {}
    with translate_errors(f"describe {len(group_ids)} consumer group(s)"):
        futures = admin.describe_consumer_groups(list(group_ids), request_timeout=timeout)
    for group_id, future in futures.items():
        with translate_errors(f"describe consumer group {group_id}"):
            described[group_id] = group_state(future.result())
    return described


def committed_offsets(admin, group_id, timeout):
    """``{(topic, partition): offset or None}`` committed by ``group_id``."""
    with translate_errors(f"read the committed offsets of consumer group {group_id}"):
        futures = admin.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group_id)], request_timeout=timeout)
        result = futures[group_id].result()
    offsets = {}
    for tp in result.topic_partitions or []:
        offset = tp.offset if tp.offset is not None and tp.offset >= 0 and tp.error is None else None
        offsets[(to_native(tp.topic), int(tp.partition))] = offset
    return offsets


def partition_counts(admin, topics, timeout):
    """``{topic: number of partitions}`` for those of ``topics`` that exist."""
    if not topics:
        return {}
    with translate_errors("read topic metadata"):
        metadata = admin.list_topics(timeout=timeout)
    counts = {}
    for topic in topics:
        found = metadata.topics.get(topic)
        if found is not None and found.error is None:
            counts[topic] = len(found.partitions)
    return counts


def end_offsets(admin, partitions, timeout, isolation_level="read_uncommitted"):
    """``({(topic, partition): end offset or None}, {(topic, partition): error text})``.

    One ListOffsets request for all partitions; a partition whose end offset
    cannot be read (deleted topic, no leader) gets None and an error text
    instead of failing the whole module.
    """
    return list_partition_offsets(admin, partitions, timeout, "latest", isolation_level)


def start_offsets(admin, partitions, timeout):
    """Like ``end_offsets``, for the earliest offset still in each partition (the log start offset)."""
    return list_partition_offsets(admin, partitions, timeout, "earliest")


def list_partition_offsets(admin, partitions, timeout, which, isolation_level="read_uncommitted"):
    """``({(topic, partition): offset or None}, {(topic, partition): error text})`` for ``which``
    (``latest`` or ``earliest``), in one ListOffsets request."""
    if not partitions:
        return {}, {}
    ends = {}
    errors = {}
    spec = OffsetSpec.latest if which == "latest" else OffsetSpec.earliest
    request = {TopicPartition(topic, partition): spec() for topic, partition in sorted(partitions)}
    with translate_errors(f"read the {which} offsets of the partitions"):
        futures = admin.list_offsets(
            request,
            isolation_level=IsolationLevel[isolation_level.upper()],
            request_timeout=timeout,
        )
    for tp, future in futures.items():
        key = (to_native(tp.topic), int(tp.partition))
        try:
            ends[key] = int(future.result().offset)
        except KAFKA_ERRORS as e:
            ends[key] = None
            errors[key] = error_reason(e)
    return ends, errors
