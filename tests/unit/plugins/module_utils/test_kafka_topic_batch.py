# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Batched topic requests: chunks, waves over connections, per-topic errors.

The tests that build client errors skip without confluent_kafka.
"""

from __future__ import annotations

import pytest
from kafka_fakes import done

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_topic_batch as tb
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError

try:
    from confluent_kafka import KafkaError
    from confluent_kafka import KafkaException
except ImportError:
    KafkaError = KafkaException = None

needs_confluent_kafka = pytest.mark.skipif(KafkaError is None, reason="needs confluent_kafka")


@pytest.mark.parametrize(
    "count, size, sizes",
    [
        (0, 200, []),
        (1, 200, [1]),
        (200, 200, [200]),
        (201, 200, [200, 1]),
        (500, 200, [200, 200, 100]),
        (5, 1, [1] * 5),
    ],
)
def test_chunked(count, size, sizes):
    chunks = tb.chunked(range(count), size)
    assert [len(c) for c in chunks] == sizes
    assert [i for c in chunks for i in c] == list(range(count))


@needs_confluent_kafka
def test_run_batched_sends_chunks_in_turn_and_collects_errors():
    calls = []

    def submit(chunk):
        calls.append(list(chunk))
        return {
            name: done(exception=KafkaException(KafkaError(KafkaError.INVALID_CONFIG, "bad")))
            if name == 3
            else done(name)
            for name in chunk
        }

    results, errors = tb.run_batched(range(5), 2, submit)
    assert calls == [[0, 1], [2, 3], [4]]
    assert sorted(results) == [0, 1, 2, 4]
    assert list(errors) == [3]
    assert tb.error_problems(errors) == [(3, "bad (INVALID_CONFIG)")]


@pytest.mark.parametrize(
    "code, hinted",
    [("_TIMED_OUT", True), ("REQUEST_TIMED_OUT", True), ("POLICY_VIOLATION", False)],
)
@needs_confluent_kafka
def test_error_problems_hint_on_time_outs(code, hinted):
    errors = {"t": KafkaException(KafkaError(getattr(KafkaError, code), "slow"))}
    ((name, reason),) = tb.error_problems(errors, hint=tb.TIMEOUT_HINT)
    assert name == "t"
    assert reason.startswith("slow")
    assert ("the cluster may still complete this change" in reason) is hinted
    assert tb.error_problems(errors) == [("t", reason.split("; the cluster")[0])]


@pytest.mark.parametrize(
    "problems, message",
    [
        ([("a", "boom")], "Failed to manage topic a: boom"),
        ([("a", "boom"), ("a", "bang")], "Failed to manage topic a: boom; bang"),
        ([("a", "boom"), ("b", "bang")], "Failed to manage topics: a: boom; b: bang"),
        (
            [(f"t{i}", "bad") for i in range(12)],
            "Failed to manage topics: t0: bad; t1: bad; t2: bad; t3: bad; t4: bad; t5: bad; t6: bad; t7: bad; "
            "t8: bad; t9: bad; and 2 more (see problems)",
        ),
    ],
)
def test_problems_error(problems, message):
    error = tb.problems_error(problems)
    assert isinstance(error, KafkaOpsError)
    assert str(error) == message
    assert error.details["problems"] == [dict(topic=n, msg=m) for n, m in problems]


@pytest.mark.parametrize(
    "count, batch_size, lanes, sizes",
    [
        (0, 200, 4, []),
        (10, 200, 4, [3, 3, 3, 1]),
        (500, 200, 4, [125, 125, 125, 125]),
        (500, 100, 4, [100, 100, 100, 100, 100]),
        (450, 200, 1, [200, 200, 50]),
        (3, 200, 8, [1, 1, 1]),
    ],
)
def test_parallel_chunks(count, batch_size, lanes, sizes):
    chunks = tb.parallel_chunks(range(count), batch_size, lanes)
    assert [len(chunk) for chunk in chunks] == sizes
    assert [item for chunk in chunks for item in chunk] == list(range(count))


def test_run_parallel_waves_one_request_per_connection():
    calls = []

    def submit(admin, chunk):
        calls.append((admin, list(chunk)))
        return {item: done(item) for item in chunk}

    results, errors = tb.run_parallel(range(7), 2, submit, ["a", "b", "c"])
    assert errors == {}
    assert sorted(results) == list(range(7))
    assert [admin for admin, _chunk in calls] == ["a", "b", "c", "a"]
