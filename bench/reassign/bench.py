# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark: a throttled drain with kafkaops.cluster.kafka_reassign takes bytes / throttle, and leaves no throttle.

Run with the project venv (see README.md); it starts and stops its own loopback cluster:

    .venv/bin/python bench/reassign/bench.py            # 40 MiB at 1 MiB/s, ports 31500-31503

1. starts ``tests/integration/loopback/cluster.sh`` (1 ZooKeeper + 3 brokers, SASL) on ``--port-base``;
2. creates a topic whose partitions (replication factor 1) all live on the drained broker (2) and produces
   ``--mib`` MiB of incompressible records into it; the bytes to move are the sizes of its log segments on that
   broker, read from the data directory;
3. drains that broker with ONE ``kafka_reassign`` task (``drain_brokers``, ``throttle_bytes_per_sec``) run by
   ``ansible-playbook``, as users do (bench/reassign/drain.yml), timed inside the play;
4. prints duration / (bytes / throttle) (expected between 0.9 and 2), checks the records are all still there on
   the new brokers, and that no throttle remains: DescribeConfigs of every broker and topic (no dynamic
   ``*.replication.throttled.*`` value), ZooKeeper ``/config/brokers/<id>`` and ``/config/topics/<topic>`` (no
   throttle key) and no reassignment record (``/kafkaops/reassignment``).

Exit status 0 when the ratio is within [0.9, 2] and nothing is left, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from confluent_kafka import Consumer
from confluent_kafka import KafkaException
from confluent_kafka import Producer
from confluent_kafka import TopicPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin import ConfigResource
from confluent_kafka.admin import ConfigSource
from confluent_kafka.admin import NewTopic
from confluent_kafka.admin import ResourceType
from kazoo.client import KazooClient
from kazoo.exceptions import NoNodeError

REPO = Path(__file__).resolve().parents[2]
CLUSTER = REPO / "tests" / "integration" / "loopback" / "cluster.sh"
# Test-only credentials of the loopback cluster (cluster.sh).
ADMIN = ("admin", "admin-secret")
ZOOKEEPER = ("kafka", "zk-secret")
BROKERS = 3
DRAINED = 2
THROTTLE_KEYS = (
    "leader.replication.throttled.rate",
    "follower.replication.throttled.rate",
    "leader.replication.throttled.replicas",
    "follower.replication.throttled.replicas",
)
DYNAMIC_SOURCES = ("DYNAMIC_BROKER_CONFIG", "DYNAMIC_DEFAULT_BROKER_CONFIG", "DYNAMIC_TOPIC_CONFIG")
MIB = 1024 * 1024


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--mib", type=int, default=40, help="MiB of records to move (default 40)")
    parser.add_argument("--throttle-mib", type=float, default=1.0, help="throttle in MiB/s (default 1)")
    parser.add_argument("--partitions", type=int, default=4, help="partitions of the moved topic (default 4)")
    parser.add_argument("--record-kib", type=int, default=16, help="record size in KiB (default 16)")
    parser.add_argument("--port-base", type=int, default=31500, help="ZooKeeper port; brokers +1..+3 (default 31500)")
    parser.add_argument("--keep", action="store_true", help="keep the cluster's directory (logs) after the run")
    return parser.parse_args()


def kafka_conf(base):
    servers = ",".join(f"127.0.0.1:{base + 1 + i}" for i in range(BROKERS))
    return {
        "bootstrap.servers": servers,
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanism": "PLAIN",
        "sasl.username": ADMIN[0],
        "sasl.password": ADMIN[1],
    }


def create_topic(admin, topic, partitions):
    """Every partition on the drained broker only (replication factor 1: all the data moves, from one broker)."""
    new = NewTopic(
        topic,
        num_partitions=partitions,  # confluent-kafka 2.16 wants the count next to the assignment
        replica_assignment=[[DRAINED]] * partitions,
        config={"min.insync.replicas": "1", "retention.ms": "-1", "retention.bytes": "-1"},
    )
    for future in admin.create_topics([new], request_timeout=60).values():
        future.result()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        meta = admin.list_topics(topic, timeout=10).topics[topic]
        if (
            meta.error is None
            and len(meta.partitions) == partitions
            and all(p.leader == DRAINED for p in meta.partitions.values())
        ):
            return
        time.sleep(0.5)
    raise SystemExit(f"topic {topic} did not get its leaders on broker {DRAINED}")


def produce(conf, topic, total, record):
    """``total`` bytes of random (incompressible) values, round robin over the partitions; returns the count."""
    producer = Producer(dict(conf, acks="all", **{"linger.ms": 20, "compression.type": "none"}))
    errors = []
    count = total // record
    for _record in range(count):
        while True:
            try:
                producer.produce(topic, os.urandom(record), on_delivery=lambda e, _m: e and errors.append(e))
                break
            except BufferError:
                producer.poll(0.1)
        producer.poll(0)
    if producer.flush(120) or errors:
        raise SystemExit(f"producing failed: {errors[:3]} ({len(errors)} errors)")
    return count


def end_offsets(conf, topic, partitions):
    consumer = Consumer(dict(conf, **{"group.id": "kafkaops-bench-reassign", "enable.auto.commit": False}))
    try:
        return {
            p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=30, cached=False)[1]
            for p in range(partitions)
        }
    finally:
        consumer.close()


def log_bytes(cluster, broker, topic):
    """Sizes of the topic's log segments on ``broker`` (the bytes replication copies)."""
    return sum(f.stat().st_size for f in (cluster / f"data-{broker}").glob(f"{topic}-*/*.log"))


def zk_client(base):
    zk = KazooClient(
        f"127.0.0.1:{base}", sasl_options=dict(mechanism="DIGEST-MD5", username=ZOOKEEPER[0], password=ZOOKEEPER[1])
    )
    zk.start(timeout=15)
    return zk


def zk_config(zk, path):
    try:
        data, _stat = zk.get(path)
    except NoNodeError:
        return {}
    return (json.loads(data or b"{}") or {}).get("config") or {}


def leftovers(admin, zk):
    """Every throttle config or reassignment record still in the cluster (empty: nothing left)."""
    found = []
    brokers = [str(b) for b in sorted(admin.list_topics(timeout=10).brokers)]
    topics = sorted(admin.list_topics(timeout=10).topics)
    resources = [ConfigResource(ResourceType.BROKER, b) for b in brokers]
    resources += [ConfigResource(ResourceType.TOPIC, t) for t in topics]
    for resource in resources:
        (future,) = admin.describe_configs([resource], request_timeout=30).values()
        for key, entry in future.result().items():
            if key in THROTTLE_KEYS and ConfigSource(entry.source).name in DYNAMIC_SOURCES:
                found.append(f"DescribeConfigs {resource.restype.name.lower()} {resource.name}: {key}={entry.value}")
    for broker in brokers:
        for key, value in zk_config(zk, f"/kafka/config/brokers/{broker}").items():
            if key in THROTTLE_KEYS:
                found.append(f"ZooKeeper /config/brokers/{broker}: {key}={value}")
    for topic in topics:
        for key, value in zk_config(zk, f"/kafka/config/topics/{topic}").items():
            if key in THROTTLE_KEYS:
                found.append(f"ZooKeeper /config/topics/{topic}: {key}={value}")
    for path in ("/kafka/kafkaops/reassignment", "/kafka/admin/reassign_partitions"):
        if zk.exists(path):
            found.append(f"ZooKeeper {path} exists")
    return found


def run_drain(workdir, base, topic, throttle, timeout):
    extra = workdir / "vars.json"
    extra.touch(mode=0o600)
    extra.write_text(
        json.dumps(
            dict(
                bench_connection=dict(
                    bootstrap_servers=kafka_conf(base)["bootstrap.servers"].split(","),
                    security_protocol="SASL_PLAINTEXT",
                    sasl_mechanism="PLAIN",
                    sasl_username=ADMIN[0],
                    sasl_password=ADMIN[1],
                ),
                bench_zookeeper=dict(
                    zookeeper_hosts=f"127.0.0.1:{base}",
                    zookeeper_sasl_username=ZOOKEEPER[0],
                    zookeeper_sasl_password=ZOOKEEPER[1],
                ),
                bench_topics=[topic],
                bench_drain_brokers=[DRAINED],
                bench_throttle=throttle,
                bench_timeout=timeout,
                bench_result_file=str(workdir / "result.json"),
            )
        )
    )
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"), ANSIBLE_NOCOLOR="1")
    command = [
        str(Path(sys.executable).with_name("ansible-playbook")),
        "-i",
        "localhost,",
        str(REPO / "bench" / "reassign" / "drain.yml"),
        "-e",
        f"@{extra}",
    ]
    start = time.monotonic()
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    result = workdir / "result.json"
    if proc.returncode != 0 or not result.exists():
        print(proc.stdout[-6000:], proc.stderr[-2000:], sep="\n", file=sys.stderr)
        raise SystemExit("the kafka_reassign play failed")
    return wall, json.loads(result.read_text())


def main():
    args = parse_args()
    throttle = int(args.throttle_mib * MIB)
    workdir = Path(tempfile.mkdtemp(prefix="kafkaops-bench-reassign."))
    cluster = workdir / "cluster"
    topic = "bench-reassign"
    try:
        t = time.monotonic()
        subprocess.run([str(CLUSTER), "start", str(cluster), str(args.port_base), str(BROKERS)], check=True)
        print(f"cluster started in {time.monotonic() - t:.1f} s ({cluster})")
        conf = kafka_conf(args.port_base)
        admin = AdminClient(conf)
        create_topic(admin, topic, args.partitions)
        t = time.monotonic()
        count = produce(conf, topic, args.mib * MIB, args.record_kib * 1024)
        print(f"produced {count} records of {args.record_kib} KiB in {time.monotonic() - t:.1f} s")
        before = end_offsets(conf, topic, args.partitions)
        moved = log_bytes(cluster, DRAINED, topic)
        expected = moved / throttle
        timeout = int(expected * 4 + 120)
        print(
            f"draining broker {DRAINED}: {moved} bytes ({moved / MIB:.1f} MiB) in {args.partitions} partitions at "
            f"{throttle} bytes/s ({args.throttle_mib:g} MiB/s): bytes / throttle = {expected:.1f} s"
        )

        wall, outcome = run_drain(workdir, args.port_base, topic, throttle, timeout)
        seconds = outcome["seconds"]
        progress = outcome.get("progress") or []
        move_seconds = progress[-1]["elapsed"] if progress else None

        meta = admin.list_topics(topic, timeout=10).topics[topic]
        replicas = {p: list(meta.partitions[p].replicas) for p in sorted(meta.partitions)}
        after = end_offsets(conf, topic, args.partitions)
        landed = sum(log_bytes(cluster, b, topic) for b in range(BROKERS) if b != DRAINED)
        zk = zk_client(args.port_base)
        try:
            left = leftovers(admin, zk)
        finally:
            zk.stop()

        ratio = seconds / expected
        print(f"kafka_reassign task: {seconds:.1f} s (ansible-playbook wall time {wall:.1f} s)")
        if move_seconds is not None:
            print(f"  the move itself (the module's last progress record): {move_seconds:.1f} s")
            steps = ", ".join(f"{r['remaining']} at {r['elapsed']:.1f} s" for r in progress)
            print(f"  partitions still moving: {steps}")
        print(f"  replicas after: {replicas}; {landed} bytes on the other brokers")
        print(f"duration / (bytes / throttle) = {seconds:.1f} / {expected:.1f} = {ratio:.2f} (expected 0.9 - 2)")
        if move_seconds is not None:
            print(f"  (the move alone: {move_seconds / expected:.2f})")
        problems = []
        if not 0.9 <= ratio <= 2:
            problems.append(f"ratio {ratio:.2f} outside [0.9, 2]")
        if not outcome["changed"]:
            problems.append("kafka_reassign reported no change")
        if any(DRAINED in r for r in replicas.values()):
            problems.append(f"broker {DRAINED} still holds replicas: {replicas}")
        if after != before:
            problems.append(f"end offsets changed: before {before}, after {after}")
        if landed < moved:
            problems.append(f"only {landed} of {moved} bytes on the other brokers")
        print(f"throttle configs left: {left or 'none'}")
        problems += left
        if problems:
            print("FAILED: " + "; ".join(problems))
            return 1
        print("OK")
        return 0
    except KafkaException as e:
        print(f"Kafka error: {e}", file=sys.stderr)
        return 1
    finally:
        subprocess.run([str(CLUSTER), "stop", str(cluster)], check=False)
        if args.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
