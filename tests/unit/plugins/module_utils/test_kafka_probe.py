# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

import time

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_probe as kp

RUN = "0123456789abcdef0123456789abcdef"


@pytest.mark.parametrize(
    "key, expected",
    [
        (kp.message_key(RUN, 0), 0),
        (kp.message_key(RUN, 999), 999),
        (f"{RUN}:42".encode(), 42),
        (f"{RUN}:42", 42),
        (kp.message_key("another-run", 1), None),
        (f"{RUN}:x".encode(), None),
        (RUN.encode(), None),
        (None, None),
    ],
)
def test_message_index(key, expected):
    assert kp.message_index(key, RUN) == expected


def test_run_ids_are_unique():
    assert len({kp.new_run_id() for dummy in range(100)}) == 100


@pytest.mark.parametrize("size", [1, 10, 100, 4096])
def test_message_value_size(size):
    value = kp.message_value(RUN, 7, size)
    assert RUN.encode() in value
    assert len(value) == max(size, len(kp.message_value(RUN, 7, 1)))


class FakeMessage:
    def __init__(self, key, error=None):
        self._key = key
        self._error = error

    def key(self):
        return self._key

    def error(self):
        return self._error


class FakeConsumer:
    def __init__(self, batches):
        self.batches = list(batches)
        self.assigned = None

    def assign(self, partitions):
        self.assigned = [(tp.topic, tp.partition, tp.offset) for tp in partitions]

    def consume(self, num_messages, timeout):
        return self.batches.pop(0) if self.batches else []


def test_consume_counts_only_this_run():
    pytest.importorskip("confluent_kafka")
    batches = [
        [FakeMessage(kp.message_key(RUN, 0)), FakeMessage(kp.message_key("old-run", 0))],
        [FakeMessage(kp.message_key(RUN, 1)), FakeMessage(kp.message_key(RUN, 1)), FakeMessage(None)],
        [FakeMessage(kp.message_key(RUN, 2))],
    ]
    consumer = FakeConsumer(batches)
    stats = kp.consume_messages(consumer, "probe", {1: 5, 0: 10}, RUN, 3, time.monotonic() + 5)
    assert stats == dict(consumed=3, duplicates=1, foreign=2)
    assert consumer.assigned == [("probe", 0, 10), ("probe", 1, 5)]


def test_consume_stops_at_deadline():
    pytest.importorskip("confluent_kafka")
    consumer = FakeConsumer([[FakeMessage(kp.message_key(RUN, 0))]])
    stats = kp.consume_messages(consumer, "probe", {0: 0}, RUN, 5, time.monotonic() + 0.2)
    assert stats["consumed"] == 1


class FakeProducer:
    """Acknowledges (or fails) every message on poll/flush."""

    def __init__(self, fail_every=0, queue_limit=None, hold_on_flush=False):
        self.pending = []
        self.hold_on_flush = hold_on_flush
        self.purged = 0
        self.fail_every = fail_every
        self.queue_limit = queue_limit
        self.produced = 0

    def produce(self, topic, key, value, headers, on_delivery):
        if self.queue_limit is not None and len(self.pending) >= self.queue_limit:
            raise BufferError("queue full")
        self.produced += 1
        self.pending.append((self.produced, on_delivery))

    def poll(self, timeout):
        if self.queue_limit is None and not self.hold_on_flush:
            self._deliver()
        return 0

    def flush(self, timeout):
        if self.hold_on_flush:
            return len(self.pending)
        self._deliver()
        return 0

    def purge(self):
        self.purged = len(self.pending)
        self.pending = []

    def _deliver(self):
        kafka_error = pytest.importorskip("confluent_kafka").KafkaError
        for number, callback in self.pending:
            failed = self.fail_every and number % self.fail_every == 0
            callback(kafka_error(kafka_error._MSG_TIMED_OUT) if failed else None, None)
        self.pending = []


def test_produce_all_acknowledged():
    stats = kp.produce_messages(FakeProducer(), "probe", RUN, 50, 10, time.monotonic() + 5)
    assert stats == dict(produced=50, acknowledged=50, failed=0, unconfirmed=0, problem=None)


def test_produce_counts_delivery_failures():
    stats = kp.produce_messages(FakeProducer(fail_every=10), "probe", RUN, 50, 10, time.monotonic() + 5)
    assert stats["produced"] == 50
    assert stats["acknowledged"] == 45
    assert stats["failed"] == 5
    assert stats["problem"].startswith("first delivery error: ")
    assert "_MSG_TIMED_OUT" in stats["problem"]


def test_produce_gives_up_when_queue_stays_full():
    stats = kp.produce_messages(FakeProducer(queue_limit=3), "probe", RUN, 10, 10, time.monotonic() + 0.3)
    assert stats["produced"] == 3
    assert stats["acknowledged"] == 3
    assert stats["problem"] == "the timeout expired after queuing 3 of 10 messages"


def test_produce_stops_queuing_after_deadline():
    stats = kp.produce_messages(FakeProducer(), "probe", RUN, 10, 10, time.monotonic() - 1)
    assert stats["produced"] == 0
    assert stats["problem"] == "the timeout expired after queuing 0 of 10 messages"


def test_produce_reports_and_purges_unconfirmed():
    producer = FakeProducer(hold_on_flush=True)
    stats = kp.produce_messages(producer, "probe", RUN, 20, 10, time.monotonic() + 5)
    assert stats["produced"] == 20
    assert stats["acknowledged"] == 0
    assert stats["unconfirmed"] == 20
    assert stats["problem"] == "20 message(s) still waiting for acknowledgement when the timeout expired"
    assert producer.purged == 20


class _Consumer:
    """Raises ``errors`` (in order) before answering with watermarks."""

    def __init__(self, errors):
        self.errors = list(errors)
        self.calls = 0

    def get_watermark_offsets(self, tp, timeout):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return (0, 10 + tp.partition)


def _kafka_exception(code):
    confluent_kafka = pytest.importorskip("confluent_kafka")
    return confluent_kafka.KafkaException(confluent_kafka.KafkaError(code))


def test_end_offsets_waits_for_a_new_topic():
    confluent_kafka = pytest.importorskip("confluent_kafka")
    consumer = _Consumer([_kafka_exception(confluent_kafka.KafkaError._UNKNOWN_PARTITION)] * 3)
    offsets = kp.end_offsets(consumer, "t", range(2), timeout=5, sleep=lambda s: None)
    assert offsets == {0: 10, 1: 11}
    assert consumer.calls == 5


def test_end_offsets_gives_up_at_the_deadline():
    confluent_kafka = pytest.importorskip("confluent_kafka")
    consumer = _Consumer([_kafka_exception(confluent_kafka.KafkaError._UNKNOWN_PARTITION)] * 100)
    ticks = iter(range(1000))
    with pytest.raises(kp.KafkaOpsError) as exc:
        kp.end_offsets(consumer, "t", [0], timeout=3, sleep=lambda s: None, clock=lambda: next(ticks))
    assert "read the end offset of t-0" in str(exc.value.action)


def test_end_offsets_does_not_retry_other_errors():
    confluent_kafka = pytest.importorskip("confluent_kafka")
    consumer = _Consumer([_kafka_exception(confluent_kafka.KafkaError._AUTHENTICATION)])
    with pytest.raises(kp.KafkaOpsError):
        kp.end_offsets(consumer, "t", [0], timeout=30, sleep=lambda s: None)
    assert consumer.calls == 1
