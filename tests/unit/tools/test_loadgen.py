# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""tools/reliability/loadgen.py: pure functions, produce and verify against in-memory clients."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

LOADGEN = Path(__file__).resolve().parents[3] / "tools" / "reliability" / "loadgen.py"
_spec = importlib.util.spec_from_file_location("kafkaops_loadgen", LOADGEN)
loadgen = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(loadgen)


@pytest.mark.parametrize(
    "ids, ranges",
    [
        ([], []),
        ([0], [[0, 0]]),
        ([3, 1, 2, 0], [[0, 3]]),
        ([0, 1, 2, 5, 6, 9], [[0, 2], [5, 6], [9, 9]]),
        ([4, 4, 5], [[4, 5]]),
    ],
)
def test_ranges_round_trip(ids, ranges):
    assert loadgen.to_ranges(ids) == ranges
    assert loadgen.from_ranges(ranges) == set(ids)
    assert loadgen.range_count(ranges) == len(set(ids))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("run-20250101T000000-17", ("20250101T000000", 17)),
        (b"run-abc-def-0", ("abc-def", 0)),
        ("run-x-", None),
        ("other", None),
        (None, None),
    ],
)
def test_parse_message_id(text, expected):
    assert loadgen.parse_message_id(text) == expected
    if expected:
        assert loadgen.parse_message_id(loadgen.message_id(*expected)) == expected


def test_compare_reports_lost_and_duplicates():
    acked = set(range(30))
    consumed = {i: 1 for i in range(5, 30)}
    consumed[7] = 3
    consumed[100] = 1  # delivered but never acknowledged (e.g. unconfirmed at shutdown)
    report = loadgen.compare(acked, consumed)
    assert report == dict(
        acknowledged=30,
        consumed_distinct=26,
        duplicates=2,
        unacknowledged_consumed=1,
        lost=5,
        lost_sample=[0, 1, 2, 3, 4],
    )


def test_compare_shows_at_most_20_lost():
    report = loadgen.compare(set(range(50)), {})
    assert report["lost"] == 50
    assert report["lost_sample"] == list(range(20))


@pytest.mark.parametrize(
    "sent, rate, now, delay",
    [
        (0, 100, 0.0, 0.0),
        (10, 100, 0.0, 0.1),
        (10, 100, 0.5, 0.0),
        (10, 0, 0.0, 0.0),
    ],
)
def test_next_send_delay(sent, rate, now, delay):
    assert loadgen.next_send_delay(0.0, sent, rate, now) == pytest.approx(delay)


def args_for(argv):
    return loadgen.build_parser().parse_args(argv)


def test_client_config_reads_the_password_from_a_file(tmp_path):
    secret = tmp_path / "pw"
    secret.write_text("s3cret-xy\n")
    args = args_for(
        [
            "produce",
            "--bootstrap",
            "k:9095",
            "--topic",
            "t",
            "--count",
            "1",
            "--out",
            "o",
            "--security-protocol",
            "SASL_SSL",
            "--sasl-mechanism",
            "SCRAM-SHA-512",
            "--username",
            "admin",
            "--password-file",
            str(secret),
            "--ca-file",
            "/ca.pem",
        ]
    )
    assert loadgen.usage_problems(args) == []
    conf = loadgen.client_config(args, loadgen.read_password(args.password_file))
    assert conf == {
        "bootstrap.servers": "k:9095",
        "security.protocol": "sasl_ssl",
        "sasl.mechanism": "SCRAM-SHA-512",
        "sasl.username": "admin",
        "sasl.password": "s3cret-xy",
        "ssl.ca.location": "/ca.pem",
    }
    producer = loadgen.producer_config(conf)
    assert producer["enable.idempotence"] is True
    assert producer["acks"] == "all"


def test_no_password_option_on_the_command_line():
    with pytest.raises(SystemExit):
        args_for(["produce", "--bootstrap", "k", "--topic", "t", "--count", "1", "--out", "o", "--password", "x"])


@pytest.mark.parametrize(
    "extra, problem",
    [
        (["--security-protocol", "SASL_PLAINTEXT"], "--sasl-mechanism is required"),
        (["--rate", "-1"], "--rate must not be negative"),
    ],
)
def test_usage_problems(extra, problem):
    args = args_for(["produce", "--bootstrap", "k", "--topic", "t", "--count", "1", "--out", "o", *extra])
    assert any(problem in p for p in loadgen.usage_problems(args))


# ---------------------------------------------------------------------------
# produce / verify with in-memory clients
# ---------------------------------------------------------------------------


class FakeError:
    def str(self):
        return "Broker: Not enough in-sync replicas"

    def name(self):
        return "NOT_ENOUGH_REPLICAS"


class MemoryLog:
    """One partition; ``fail`` ids are refused, ``drop`` ids acknowledged but lost, ``dup`` ids written twice."""

    def __init__(self, fail=(), drop=(), dup=()):
        self.messages = []
        self.fail, self.drop, self.dup = set(fail), set(drop), set(dup)


class MemoryProducer:
    def __init__(self, log):
        self.log = log
        self.pending = []

    def __call__(self, conf):
        assert conf["enable.idempotence"] is True
        return self

    def produce(self, topic, key, value, on_delivery):
        self.pending.append((key, on_delivery))

    def poll(self, timeout):
        pending, self.pending = self.pending, []
        for key, callback in pending:
            seq = loadgen.parse_message_id(key)[1]
            message = SimpleNamespace(key=lambda key=key: key.encode())
            if seq in self.log.fail:
                callback(FakeError(), message)
                continue
            if seq not in self.log.drop:
                self.log.messages.append(key.encode())
            if seq in self.log.dup:
                self.log.messages.append(key.encode())
            callback(None, message)
        return 0

    def flush(self, timeout):
        self.poll(0)
        return 0

    def __len__(self):
        return len(self.pending)


class MemoryConsumer:
    def __init__(self, log):
        self.log = log
        self.position_ = 0

    def __call__(self, conf):
        assert conf["enable.auto.commit"] is False
        return self

    def list_topics(self, topic, timeout):
        return SimpleNamespace(topics={topic: SimpleNamespace(error=None, partitions={0: None})})

    def get_watermark_offsets(self, tp, timeout):
        return 0, len(self.log.messages)

    def assign(self, partitions):
        self.position_ = partitions[0].offset

    def consume(self, num_messages, timeout):
        batch = self.log.messages[self.position_ : self.position_ + num_messages]
        start = self.position_
        self.position_ += len(batch)
        return [
            SimpleNamespace(key=lambda k=k: k, error=lambda: None, partition=lambda: 0, offset=lambda o=start + i: o)
            for i, k in enumerate(batch)
        ]

    def position(self, partitions):
        return [SimpleNamespace(partition=0, offset=self.position_) for _partition in partitions]

    def close(self):
        pass


def run_produce_verify(tmp_path, log, count=50):
    out = tmp_path / "acked.json"
    args = args_for(
        ["produce", "--bootstrap", "k", "--topic", "t", "--count", str(count), "--rate", "0", "--out", str(out)]
        + ["--run-id", "r1"]
    )
    code = loadgen.produce(args, {}, producer_factory=MemoryProducer(log))
    summary = json.loads(out.read_text())
    verify_args = args_for(["verify", "--bootstrap", "k", "--topic", "t", "--acked", str(out), "--timeout", "5"])
    verify_code = loadgen.verify(verify_args, {}, consumer_factory=MemoryConsumer(log))
    return code, summary, verify_code


def test_clean_run(tmp_path, capsys):
    code, summary, verify_code = run_produce_verify(tmp_path, MemoryLog())
    assert code == 0 and verify_code == 0
    assert summary["sent"] == summary["acknowledged"] == 50
    assert summary["acked_ids"] == [[0, 49]]
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (report["lost"], report["lost_sample"]) == (0, [])
    assert report["consumed_distinct"] == 50
    assert report["incomplete_partitions"] == []


def test_failed_lost_and_duplicated(tmp_path, capsys):
    code, summary, verify_code = run_produce_verify(tmp_path, MemoryLog(fail=[3], drop=[10, 11], dup=[20]))
    assert code == loadgen.EXIT_PROBLEM
    assert summary["failed"] == 1
    assert summary["failed_ids"] == [[3, 3]]
    assert summary["first_error"] == "Broker: Not enough in-sync replicas (NOT_ENOUGH_REPLICAS)"
    assert summary["acked_ids"] == [[0, 2], [4, 49]]
    assert verify_code == loadgen.EXIT_PROBLEM
    report = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert (report["lost"], report["lost_sample"]) == (2, [10, 11])
    assert report["duplicates"] == 1


class _Msg:
    def __init__(self, key):
        self._key = key

    def key(self):
        return self._key


def test_the_longest_time_without_an_acknowledgement_is_kept():
    now = [100.0]
    log = loadgen.DeliveryLog(clock=lambda: now[0])
    for step, err in [(0.5, None), (0.2, None), (4.0, "fail"), (1.0, None), (0.1, None)]:
        now[0] += step
        log(None if err is None else _Error(), _Msg(loadgen.message_id("r", 1)))
    # 0.5 from the start, 0.2, then 5.0 s (a failure is no acknowledgement), then 0.1.
    assert log.max_gap == pytest.approx(5.0)
    now[0] += 7.5
    assert log.gap() == pytest.approx(7.5)


class _Error:
    def str(self):
        return "timed out"

    def name(self):
        return "_MSG_TIMED_OUT"
