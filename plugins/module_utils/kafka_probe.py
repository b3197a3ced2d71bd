# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Produce/consume probe: write N keyed messages, read exactly those back.

Every message of a run carries the run id in its key (``<run_id>:<index>``)
and in the ``kafkaops-run-id`` header, so messages of earlier runs or of other
producers on the same topic are never counted.
"""

from __future__ import annotations

import time
import uuid

from ansible.module_utils.common.text.converters import to_bytes
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import error_reason
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import kafka_error_code
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import kafka_error_text
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import translate_errors

try:
    from confluent_kafka import KafkaException
    from confluent_kafka import TopicPartition
except ImportError:
    pass  # KafkaModule reports the missing library.

RUN_ID_HEADER = "kafkaops-run-id"


# ---------------------------------------------------------------------------
# Pure functions
# ---------------------------------------------------------------------------


def new_run_id():
    return uuid.uuid4().hex


def message_key(run_id, index):
    return to_bytes(f"{run_id}:{index}")


def message_index(key, run_id):
    """Index encoded in ``key`` if the message belongs to run ``run_id``, else None."""
    if key is None:
        return None
    prefix = to_bytes(f"{run_id}:")
    key = to_bytes(key)
    if not key.startswith(prefix):
        return None
    suffix = key[len(prefix) :]
    return int(suffix) if suffix.isdigit() else None


def message_value(run_id, index, size):
    """Payload of ``size`` bytes (at least the identifying prefix)."""
    head = to_bytes(f"kafkaops roundtrip {run_id} #{index} ")
    if len(head) >= size:
        return head
    return head + b"." * (size - len(head))


def remaining(deadline):
    return max(0.0, deadline - time.monotonic())


# ---------------------------------------------------------------------------
# Client operations
# ---------------------------------------------------------------------------


# A topic created a moment ago can still be unknown to this client's metadata cache.
_NOT_YET_KNOWN = ("_UNKNOWN_PARTITION", "_UNKNOWN_TOPIC", "UNKNOWN_TOPIC_OR_PART", "NOT_LEADER_FOR_PARTITION")


def end_offsets(consumer, topic, partition_ids, timeout, sleep=time.sleep, clock=time.monotonic):
    """``{partition: high watermark}``: where this run's messages will start.

    Retries (until ``timeout`` seconds) while the partition is not yet known to the client,
    which happens right after the topic was created.
    """
    offsets = {}
    deadline = clock() + timeout
    for partition_id in partition_ids:
        action = f"read the end offset of {topic}-{partition_id}"
        while True:
            try:
                watermarks = consumer.get_watermark_offsets(TopicPartition(topic, partition_id), timeout=timeout)
                break
            except KafkaException as e:
                if kafka_error_code(e) not in _NOT_YET_KNOWN or clock() >= deadline:
                    with translate_errors(action):
                        raise
                sleep(0.2)
        if watermarks is None:
            raise KafkaOpsError(action, reason=f"no answer within {timeout}s")
        offsets[partition_id] = watermarks[1]
    return offsets


def produce_messages(producer, topic, run_id, count, size, deadline):
    """Produce ``count`` messages and wait for every delivery report (acks=all).

    Returns ``{produced, acknowledged, failed, unconfirmed, problem}``.
    Delivery errors, messages still unconfirmed at the deadline and a deadline
    reached before everything was queued are reported in the counters and in
    ``problem`` (first cause, or None), not raised; the caller decides how to
    fail.
    """
    stats = dict(produced=0, acknowledged=0, failed=0, unconfirmed=0, problem=None)
    headers = [(RUN_ID_HEADER, to_bytes(run_id))]

    def on_delivery(err, msg):
        if err is None:
            stats["acknowledged"] += 1
        else:
            stats["failed"] += 1
            if stats["problem"] is None:
                stats["problem"] = f"first delivery error: {kafka_error_text(err)}"

    with translate_errors(f"produce to topic {topic}"):
        for index in range(count):
            # Looking at the clock every 1000 messages keeps the loop cheap; a
            # full local queue makes _enqueue look at it on every retry.
            out_of_time = index % 1000 == 0 and not remaining(deadline)
            if out_of_time or not _enqueue(
                producer,
                topic,
                message_key(run_id, index),
                message_value(run_id, index, size),
                headers,
                on_delivery,
                deadline,
            ):
                stats["problem"] = stats["problem"] or (
                    f"the timeout expired after queuing {stats['produced']} of {count} messages"
                )
                break
            stats["produced"] += 1
            producer.poll(0)
        stats["unconfirmed"] = producer.flush(remaining(deadline)) or 0
        if stats["unconfirmed"]:
            stats["problem"] = stats["problem"] or (
                f"{stats['unconfirmed']} message(s) still waiting for acknowledgement when the timeout expired"
            )
            # Drop what is left so closing the producer does not wait for it.
            producer.purge()
    return stats


def _enqueue(producer, topic, key, value, headers, on_delivery, deadline):
    """Queue one message, serving delivery reports while the local queue is full."""
    while True:
        try:
            producer.produce(topic, key=key, value=value, headers=headers, on_delivery=on_delivery)
            return True
        except BufferError:
            if not remaining(deadline):
                return False
            producer.poll(0.1)


def consume_messages(consumer, topic, start_offsets, run_id, count, deadline):
    """Read from ``start_offsets`` until all ``count`` messages of the run are seen.

    Partitions are assigned explicitly (no group membership, nothing
    committed). Returns ``{consumed, duplicates, foreign}``: distinct messages
    of this run, repeated deliveries of them, and other messages skipped.
    """
    seen = set()
    stats = dict(consumed=0, duplicates=0, foreign=0)
    with translate_errors(f"consume from topic {topic}"):
        consumer.assign([TopicPartition(topic, p, offset) for p, offset in sorted(start_offsets.items())])
        while len(seen) < count:
            wait = remaining(deadline)
            if not wait:
                break
            for msg in consumer.consume(num_messages=500, timeout=min(1.0, wait)):
                if msg.error() is not None:
                    raise KafkaException(msg.error())
                index = message_index(msg.key(), run_id)
                if index is None:
                    stats["foreign"] += 1
                elif index in seen:
                    stats["duplicates"] += 1
                else:
                    seen.add(index)
    stats["consumed"] = len(seen)
    return stats


def describe_errors(errors):
    """Distinct client error lines (most recent last), for failure messages."""
    lines = []
    for err in errors:
        line = kafka_error_text(err) if hasattr(err, "name") else error_reason(err)
        if line not in lines:
            lines.append(to_native(line))
    return lines[-3:]
