# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Load generator and loss verifier for zero-loss operations (rolling restarts, config changes).

    loadgen.py produce --bootstrap H:P --topic T (--duration S | --count N) [--rate R] --out FILE
    loadgen.py verify  --bootstrap H:P --topic T --acked FILE [--timeout S] [--out FILE]

``produce`` sends messages with an idempotent producer (``enable.idempotence``, ``acks=all``,
unlimited retries, a long delivery timeout); key and value of message ``seq`` are
``run-<run id>-<seq>``. It records every id whose delivery the broker acknowledged and every
failed delivery, stops after ``--duration`` seconds or ``--count`` messages, or on SIGTERM/SIGINT
(then flushes, bounded by ``--flush-timeout``), and writes a JSON summary with the acknowledged
ids as ``[first, last]`` ranges to ``--out``. Progress goes to stderr every few seconds.
Exit code 0 when every sent message was acknowledged, 3 when deliveries failed or stayed
unconfirmed (the summary is written in both cases), 2 for usage errors.

``verify`` reads the topic from the beginning (all partitions assigned, up to the end offsets
seen at start, bounded by ``--timeout``), and reports JSON ``{acknowledged, consumed_distinct,
duplicates, lost, lost_sample}`` (``lost``: how many acknowledged ids were not read,
``lost_sample``: the first 20 of them) for the run in ``--acked``. Exit code 0 iff lost == 0.

Connection: ``--security-protocol``, ``--sasl-mechanism``, ``--username``, ``--password-file``
(the password never goes on the command line, where ``ps`` would show it), ``--ca-file``.
Needs only the standard library and confluent-kafka (the admin venv's python).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import time
import uuid

try:
    from confluent_kafka import Consumer
    from confluent_kafka import KafkaException
    from confluent_kafka import Producer
    from confluent_kafka import TopicPartition
except ImportError:  # the pure functions (and their unit tests) work without it
    Consumer = Producer = TopicPartition = None

    class KafkaException(Exception):
        """Placeholder, never raised without confluent-kafka."""


PROGRESS_EVERY = 5.0
LOST_SHOWN = 20
KEY_PATTERN = re.compile(r"^run-(?P<run>.+)-(?P<seq>\d+)$")
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_PROBLEM = 3


# ---------------------------------------------------------------------------
# Pure functions
# ---------------------------------------------------------------------------


def message_id(run_id, seq):
    return f"run-{run_id}-{seq}"


def parse_message_id(text):
    """``(run id, seq)`` of a ``run-<id>-<seq>`` key, or None."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    match = KEY_PATTERN.match(text or "")
    if not match:
        return None
    return match.group("run"), int(match.group("seq"))


def to_ranges(ids):
    """Sorted ``[first, last]`` ranges covering ``ids`` (any order, duplicates allowed)."""
    ranges = []
    for value in sorted(set(ids)):
        if ranges and value == ranges[-1][1] + 1:
            ranges[-1][1] = value
        else:
            ranges.append([value, value])
    return ranges


def from_ranges(ranges):
    """The set of ids that ``[first, last]`` ranges cover."""
    ids = set()
    for first, last in ranges:
        ids.update(range(first, last + 1))
    return ids


def range_count(ranges):
    return sum(last - first + 1 for first, last in ranges)


def compare(acked, consumed_counts):
    """Loss report: ``acked`` is a set of ids, ``consumed_counts`` maps each consumed id to how often it was read."""
    lost = sorted(acked - set(consumed_counts))
    return dict(
        acknowledged=len(acked),
        consumed_distinct=len(consumed_counts),
        duplicates=sum(count - 1 for count in consumed_counts.values()),
        unacknowledged_consumed=len(set(consumed_counts) - acked),
        lost=len(lost),
        lost_sample=lost[:LOST_SHOWN],
    )


def next_send_delay(started, sent, rate, now):
    """Seconds to wait before message number ``sent`` (0-based) so that ``rate`` per second is kept (0: no limit)."""
    if rate <= 0:
        return 0.0
    return max(0.0, started + sent / rate - now)


def read_password(path):
    """The password in ``path``: its first line, without the line end."""
    with open(path, encoding="utf-8") as handle:
        return handle.readline().rstrip("\r\n")


def client_config(args, password=None):
    """librdkafka settings shared by producer and consumer."""
    conf = {"bootstrap.servers": args.bootstrap, "security.protocol": args.security_protocol.lower()}
    if args.security_protocol.startswith("SASL_"):
        conf.update({"sasl.mechanism": args.sasl_mechanism, "sasl.username": args.username, "sasl.password": password})
    if args.security_protocol.endswith("SSL") and args.ca_file:
        conf["ssl.ca.location"] = args.ca_file
    return conf


def producer_config(base):
    conf = dict(base)
    conf.update(
        {
            "client.id": "kafkaops-loadgen-producer",
            "enable.idempotence": True,
            "acks": "all",
            "retries": 2147483647,
            # A restart or a leader election must not fail a delivery: retry for up to 10 minutes.
            "delivery.timeout.ms": 600000,
            "max.in.flight.requests.per.connection": 5,
            "linger.ms": 5,
        }
    )
    return conf


def consumer_config(base):
    conf = dict(base)
    conf.update(
        {
            "client.id": "kafkaops-loadgen-verify",
            # Required by librdkafka, never used: partitions are assigned, offsets never committed.
            "group.id": f"kafkaops-loadgen-verify-{uuid.uuid4().hex[:12]}",
            "enable.auto.commit": False,
            "enable.auto.offset.store": False,
            "auto.offset.reset": "earliest",
            "enable.partition.eof": False,
        }
    )
    return conf


def usage_problems(args):
    problems = []
    if args.security_protocol.startswith("SASL_"):
        for option in ("sasl_mechanism", "username", "password_file"):
            if not getattr(args, option):
                flag = "--" + option.replace("_", "-")
                problems.append(f"{flag} is required with --security-protocol {args.security_protocol}")
    if args.command == "produce":
        if args.rate < 0:
            problems.append("--rate must not be negative")
        if args.count is not None and args.count < 1:
            problems.append("--count must be at least 1")
        if args.duration is not None and args.duration <= 0:
            problems.append("--duration must be positive")
    return problems


def build_parser():
    # No abbreviations: "--password x" must not pass for "--password-file x".
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0], allow_abbrev=False)
    commands = parser.add_subparsers(dest="command", required=True)

    def connection(sub):
        sub.add_argument("--bootstrap", required=True, help="host:port[,host:port...]")
        sub.add_argument(
            "--security-protocol", default="PLAINTEXT", choices=["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
        )
        sub.add_argument("--sasl-mechanism", choices=["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
        sub.add_argument("--username")
        sub.add_argument("--password-file", help="file whose first line is the password")
        sub.add_argument("--ca-file", help="PEM CA bundle for SSL/SASL_SSL")
        sub.add_argument("--topic", required=True)

    produce = commands.add_parser("produce", help="send messages, record acknowledged ids", allow_abbrev=False)
    connection(produce)
    until = produce.add_mutually_exclusive_group(required=True)
    until.add_argument("--duration", type=float, help="seconds to produce")
    until.add_argument("--count", type=int, help="messages to produce")
    produce.add_argument("--rate", type=float, default=200.0, help="messages per second (0: unlimited)")
    produce.add_argument("--out", required=True, help="JSON summary with the acknowledged ids")
    produce.add_argument("--run-id", help="run id in the message keys (default: time-based)")
    produce.add_argument(
        "--flush-timeout", type=float, default=120.0, help="seconds to wait for outstanding deliveries at the end"
    )

    verify = commands.add_parser(
        "verify", help="consume the topic, report acknowledged messages that are missing", allow_abbrev=False
    )
    connection(verify)
    verify.add_argument("--acked", required=True, help="the JSON written by produce --out")
    verify.add_argument("--timeout", type=float, default=120.0, help="seconds to read up to the end offsets")
    verify.add_argument("--out", help="also write the report to this file")
    return parser


def write_json(path, data):
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
        handle.write("\n")
    os.replace(tmp, path)


def log(message):
    print(f"{time.strftime('%H:%M:%S')} loadgen: {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------
# produce
# ---------------------------------------------------------------------------


class DeliveryLog:
    """Delivery callback target: acknowledged and failed ids, first error, and the longest time without an
    acknowledgement (from the start, between two acknowledgements, and to the end: ``gap``)."""

    def __init__(self, clock=time.monotonic):
        self.acked = []
        self.failed = []
        self.first_error = None
        self.clock = clock
        self.last_ack = clock()
        self.max_gap = 0.0

    def __call__(self, err, msg):
        parsed = parse_message_id(msg.key())
        seq = parsed[1] if parsed else -1
        if err is not None:
            self.failed.append(seq)
            if self.first_error is None:
                self.first_error = f"{err.str()} ({err.name()})"
        else:
            self.acked.append(seq)
            self.gap()
            self.last_ack = self.clock()

    def gap(self):
        """The longest time without an acknowledgement so far (seconds), counting the one that runs now."""
        self.max_gap = max(self.max_gap, self.clock() - self.last_ack)
        return self.max_gap


def produce(args, conf, producer_factory=None, clock=time.monotonic):
    run_id = args.run_id or time.strftime("%Y%m%dT%H%M%S")
    stop = {"signal": None}

    def on_signal(signum, _frame):
        stop["signal"] = signal.Signals(signum).name

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    deliveries = DeliveryLog(clock)
    producer = (Producer if producer_factory is None else producer_factory)(producer_config(conf))
    started = clock()
    last_progress = started
    sent = 0
    try:
        while stop["signal"] is None:
            now = clock()
            if args.count is not None and sent >= args.count:
                break
            if args.duration is not None and now - started >= args.duration:
                break
            delay = next_send_delay(started, sent, args.rate, now)
            if delay > 0:
                producer.poll(min(delay, 0.2))
                continue
            key = message_id(run_id, sent)
            try:
                producer.produce(args.topic, key=key, value=key, on_delivery=deliveries)
            except BufferError:
                producer.poll(0.1)  # local queue full: let deliveries drain
                continue
            sent += 1
            producer.poll(0)
            if now - last_progress >= PROGRESS_EVERY:
                last_progress = now
                log(
                    f"sent {sent} acknowledged {len(deliveries.acked)} failed {len(deliveries.failed)} "
                    f"in flight {len(producer)}"
                )
        if stop["signal"]:
            log(f"{stop['signal']}: stopping, flushing up to {args.flush_timeout}s")
        # The window that runs at the stop counts only while messages were waiting for their acknowledgement.
        if len(producer):
            deliveries.gap()
        unconfirmed = producer.flush(args.flush_timeout)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    duration = round(clock() - started, 3)
    summary = dict(
        run_id=run_id,
        topic=args.topic,
        sent=sent,
        acknowledged=len(deliveries.acked),
        failed=len(deliveries.failed),
        unconfirmed=unconfirmed,
        first_error=deliveries.first_error,
        duration=duration,
        longest_without_ack=round(deliveries.max_gap, 3),
        stopped_by=stop["signal"],
        acked_ids=to_ranges(deliveries.acked),
        failed_ids=to_ranges(deliveries.failed),
    )
    write_json(args.out, summary)
    shown = {key: value for key, value in summary.items() if not key.endswith("_ids")}
    print(json.dumps(shown), flush=True)
    return EXIT_OK if summary["failed"] == 0 and unconfirmed == 0 else EXIT_PROBLEM


# ---------------------------------------------------------------------------
# verify
# ---------------------------------------------------------------------------


def read_topic(consumer, topic, run_id, timeout, clock=time.monotonic):
    """``(counts, incomplete)``: how often each id of ``run_id`` was read, partitions not read to the end."""
    deadline = clock() + timeout
    metadata = consumer.list_topics(topic, timeout=min(timeout, 30))
    topic_metadata = metadata.topics.get(topic)
    if topic_metadata is None or topic_metadata.error is not None or not topic_metadata.partitions:
        error = topic_metadata.error if topic_metadata is not None else "not found"
        raise KafkaException(f"topic {topic}: {error}")
    ends = {}
    assignment = []
    for partition in sorted(topic_metadata.partitions):
        low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=min(timeout, 30))
        if high > low:
            ends[partition] = high
            assignment.append(TopicPartition(topic, partition, low))
    counts = {}
    if not assignment:
        return counts, []
    consumer.assign(assignment)
    remaining = dict(ends)
    while remaining and clock() < deadline:
        for msg in consumer.consume(num_messages=1000, timeout=1.0):
            if msg.error() is not None:
                log(f"consume error: {msg.error()}")
                continue
            parsed = parse_message_id(msg.key())
            if parsed and parsed[0] == run_id:
                counts[parsed[1]] = counts.get(parsed[1], 0) + 1
        # The position, not the last message's offset: control records and compaction leave gaps.
        positions = consumer.position([TopicPartition(topic, partition) for partition in remaining])
        for position in positions:
            if position.offset >= 0 and position.offset >= remaining[position.partition]:
                del remaining[position.partition]
    return counts, sorted(remaining)


def verify(args, conf, consumer_factory=None):
    with open(args.acked, encoding="utf-8") as handle:
        produced = json.load(handle)
    acked = from_ranges(produced["acked_ids"])
    consumer = (Consumer if consumer_factory is None else consumer_factory)(consumer_config(conf))
    started = time.monotonic()
    try:
        counts, incomplete = read_topic(consumer, args.topic, produced["run_id"], args.timeout)
    finally:
        consumer.close()
    report = dict(run_id=produced["run_id"], topic=args.topic)
    report.update(compare(acked, counts))
    report.update(incomplete_partitions=incomplete, duration=round(time.monotonic() - started, 3))
    if args.out:
        write_json(args.out, report)
    print(json.dumps(report), flush=True)
    return EXIT_OK if report["lost"] == 0 else EXIT_PROBLEM


def main(argv=None):
    args = build_parser().parse_args(argv)
    problems = usage_problems(args)
    if problems:
        for problem in problems:
            print(f"loadgen: {problem}", file=sys.stderr)
        return EXIT_USAGE
    if Producer is None:
        print("loadgen: the confluent-kafka package is required", file=sys.stderr)
        return EXIT_USAGE
    password = read_password(args.password_file) if args.password_file else None
    conf = client_config(args, password)
    try:
        if args.command == "produce":
            return produce(args, conf)
        return verify(args, conf)
    except KafkaException as e:
        print(f"loadgen: {e}", file=sys.stderr)
        return EXIT_PROBLEM


if __name__ == "__main__":
    sys.exit(main())
