# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Client side of tools/connect-plugins/selftest.sh (Kafka via confluent-kafka, S3 via boto3).

  selftest.py bucket     --s3 URL --bucket B
  selftest.py topics     --bootstrap HOST:PORT --partitions N TOPIC...
  selftest.py produce    --bootstrap HOST:PORT --topic T --count N --expected FILE
  selftest.py wait-s3    --s3 URL --bucket B --prefix P --topic T --expected FILE --timeout S [--max-records M] [--gzip]
  selftest.py consume    --bootstrap HOST:PORT --topic T --expected FILE --timeout S
  selftest.py count      --bootstrap HOST:PORT --topic T
  selftest.py rewind-body --s3 URL --bucket B --prefix P --topic T

Every command prints one line of results and exits non-zero when a check fails.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import json
import re
import sys
import time

import boto3
from confluent_kafka import Consumer
from confluent_kafka import Producer
from confluent_kafka import TopicPartition
from confluent_kafka.admin import AdminClient
from confluent_kafka.admin import NewTopic

KEY_RE = r"-(\d+)-(\d{20})(\.gz)?$"


def s3_client(url):
    return boto3.client(
        "s3",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="selftest",
        aws_secret_access_key="selftest-secret",
    )


def record_id(key, value, headers, timestamp, partition):
    """A hashable, printable form of one record."""
    hs = tuple((k, base64.b64encode(v).decode() if v is not None else None) for k, v in headers)
    return (
        base64.b64encode(key).decode() if key is not None else None,
        base64.b64encode(value).decode() if value is not None else None,
        hs,
        timestamp,
        partition,
    )


def load_expected(path):
    with open(path) as f:
        rows = json.load(f)
    return {(r[0], r[1], tuple(tuple(h) for h in r[2]), r[3], r[4]) for r in rows}


def cmd_bucket(a):
    s3 = s3_client(a.s3)
    s3.create_bucket(Bucket=a.bucket)
    # Versioning shows when the sink overwrote an object (rewrite after a crash).
    s3.put_bucket_versioning(Bucket=a.bucket, VersioningConfiguration={"Status": "Enabled"})
    print(f"bucket {a.bucket} created (versioned)")


def cmd_topics(a):
    admin = AdminClient({"bootstrap.servers": a.bootstrap})
    # retention.ms=-1: records keep their (older) produce timestamps without being deleted.
    futures = admin.create_topics(
        [
            NewTopic(t, num_partitions=a.partitions, replication_factor=1, config={"retention.ms": "-1"})
            for t in a.topic
        ],
        operation_timeout=30,
    )
    for t, fut in futures.items():
        fut.result(timeout=60)
        print(f"topic {t} created ({a.partitions} partitions)")


def cmd_produce(a):
    # log_level 3: no warning while the freshly started broker still loads its coordinators.
    p = Producer({"bootstrap.servers": a.bootstrap, "enable.idempotence": True, "linger.ms": 5, "log_level": 3})
    delivered = []
    errors = []

    def done(err, msg):
        if err is not None:
            errors.append(str(err))
        else:
            delivered.append(msg)

    base_ts = int(time.time() * 1000) - a.count - 60_000
    sent = {}
    for i in range(a.start, a.start + a.count):
        key = f"key-{i:06d}".encode()
        # Bytes that are not UTF-8 (0xff, 0x00, lone continuation byte) to prove base64 is lossless.
        value = f"value-{i}-".encode() + bytes([i % 256, 0xFF, 0x00, 0x80])
        headers = [("seq", str(i).encode()), ("bin", bytes([255 - i % 256]))]
        sent[key] = headers
        p.produce(a.topic, key=key, value=value, headers=headers, timestamp=base_ts + i, on_delivery=done)
        if i % 100 == 0:
            p.poll(0)
            if a.rate:
                time.sleep(100 / a.rate)
    p.flush(60)
    if errors or len(delivered) != a.count:
        sys.exit(f"produce failed: {len(delivered)} of {a.count} delivered, errors: {errors[:3]}")
    rows = []
    for m in delivered:
        # Delivery reports carry no headers: take them from what was sent.
        rows.append(record_id(m.key(), m.value(), sent[m.key()], m.timestamp()[1], m.partition()))
    if a.append:
        with open(a.expected) as f:
            rows = json.load(f) + rows
    with open(a.expected, "w") as f:
        json.dump(rows, f)
    parts = sorted({m.partition() for m in delivered})
    print(f"produced {len(delivered)} records to {a.topic} (partitions {parts})")


def read_objects(s3, bucket, prefix):
    objects = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for o in page.get("Contents", []):
            body = s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read()
            if body[:2] == b"\x1f\x8b":
                body = gzip.decompress(body)
            objects.append((o["Key"], [json.loads(line) for line in body.decode().splitlines() if line.strip()]))
    return objects


def overwritten(s3, bucket, prefix):
    """Object names written more than once."""
    versions = {}
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=prefix):
        for v in page.get("Versions", []):
            versions[v["Key"]] = versions.get(v["Key"], 0) + 1
    return sorted(k for k, n in versions.items() if n > 1)


def cmd_wait_s3(a):
    expected = load_expected(a.expected)
    s3 = s3_client(a.s3)
    deadline = time.monotonic() + a.timeout
    pattern = re.compile("^" + re.escape(a.prefix + a.topic) + KEY_RE)
    found = []
    while True:
        objects = read_objects(s3, a.bucket, a.prefix)
        found = []
        problems = []
        for key, lines in objects:
            m = pattern.match(key)
            if not m:
                problems.append(f"unexpected object name {key}")
                continue
            if bool(m.group(3)) != a.gzip:
                problems.append(f"{key}: compression suffix does not match")
            if a.max_records and len(lines) > a.max_records:
                problems.append(f"{key}: {len(lines)} records > {a.max_records}")
            if lines and int(m.group(2)) != lines[0]["offset"]:
                problems.append(f"{key}: name offset {m.group(2)} != first record offset {lines[0]['offset']}")
            for r in lines:
                hs = [
                    (h["key"], base64.b64decode(h["value"]) if h["value"] is not None else None) for h in r["headers"]
                ]
                key_b = base64.b64decode(r["key"]) if r["key"] is not None else None
                val_b = base64.b64decode(r["value"]) if r["value"] is not None else None
                found.append(record_id(key_b, val_b, hs, r["timestamp"], int(m.group(1))))
        if problems:
            sys.exit("; ".join(problems[:5]))
        if len(set(found)) >= len(expected) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    duplicates = len(found) - len(set(found))
    ok = set(found) == expected and (a.allow_duplicates or duplicates == 0)
    rewritten = overwritten(s3, a.bucket, a.prefix)
    if a.min_overwritten and len(rewritten) < a.min_overwritten:
        ok = False
    print(
        f"s3://{a.bucket}/{a.prefix}: {len(objects)} objects ({len(rewritten)} overwritten), "
        f"{len(found)} records found ({len(set(found))} distinct, {duplicates} in two objects), "
        f"{len(expected)} expected, match={'yes' if ok else 'NO'}"
    )
    if not ok:
        missing = len(expected - set(found))
        extra = len(set(found) - expected)
        sys.exit(f"mismatch: {missing} missing, {extra} unexpected, {len(found) - len(set(found))} duplicates")


def cmd_rewind_body(a):
    """PATCH /connectors/NAME/offsets body: each partition back to the first offset of its newest object."""
    s3 = s3_client(a.s3)
    pattern = re.compile("^" + re.escape(a.prefix + a.topic) + KEY_RE)
    newest = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=a.bucket, Prefix=a.prefix):
        for o in page.get("Contents", []):
            m = pattern.match(o["Key"])
            if m:
                p, start = int(m.group(1)), int(m.group(2))
                newest[p] = max(newest.get(p, -1), start)
    offsets = [
        {"partition": {"kafka_topic": a.topic, "kafka_partition": p}, "offset": {"kafka_offset": off}}
        for p, off in sorted(newest.items())
    ]
    print(json.dumps({"offsets": offsets}))


def cmd_consume(a):
    expected = load_expected(a.expected)
    c = Consumer(
        {
            "bootstrap.servers": a.bootstrap,
            "group.id": f"selftest-{time.time()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    c.subscribe([a.topic])
    got = []
    deadline = time.monotonic() + a.timeout
    quiet_until = None
    while time.monotonic() < deadline:
        msgs = c.consume(500, 0.5)
        for m in msgs:
            if m.error():
                sys.exit(f"consume error: {m.error()}")
            got.append(record_id(m.key(), m.value(), m.headers() or [], m.timestamp()[1], m.partition()))
        if len(got) >= len(expected):
            # Keep reading a little to catch duplicates arriving late.
            quiet_until = quiet_until or time.monotonic() + 3
            if time.monotonic() > quiet_until:
                break
    c.close()
    ok = len(got) == len(expected) and set(got) == expected
    print(
        f"{a.topic}: {len(got)} records consumed ({len(set(got))} distinct), {len(expected)} expected, "
        f"key/value/headers/timestamp/partition match={'yes' if ok else 'NO'}"
    )
    if not ok:
        sys.exit(
            f"mismatch: {len(expected - set(got))} missing, {len(set(got) - expected)} unexpected, "
            f"{len(got) - len(set(got))} duplicates"
        )


def cmd_count(a):
    c = Consumer({"bootstrap.servers": a.bootstrap, "group.id": "selftest-count"})
    md = c.list_topics(a.topic, timeout=10)
    total = 0
    for p in md.topics[a.topic].partitions:
        lo, hi = c.get_watermark_offsets(TopicPartition(a.topic, p), timeout=10)
        total += hi - lo
    c.close()
    print(total)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bucket")
    b.add_argument("--s3", required=True)
    b.add_argument("--bucket", required=True)
    t = sub.add_parser("topics")
    t.add_argument("--bootstrap", required=True)
    t.add_argument("--partitions", type=int, default=3)
    t.add_argument("topic", nargs="+")
    p = sub.add_parser("produce")
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--topic", required=True)
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--expected", required=True)
    p.add_argument("--start", type=int, default=0, help="number of the first record (keys key-<n>)")
    p.add_argument("--rate", type=float, default=0, help="records per second (0: as fast as possible)")
    p.add_argument("--append", action="store_true", help="add to the records already in --expected")
    w = sub.add_parser("wait-s3")
    w.add_argument("--s3", required=True)
    w.add_argument("--bucket", required=True)
    w.add_argument("--prefix", default="")
    w.add_argument("--topic", required=True)
    w.add_argument("--expected", required=True)
    w.add_argument("--timeout", type=float, default=120)
    w.add_argument("--max-records", type=int, default=0)
    w.add_argument("--gzip", action="store_true")
    w.add_argument("--allow-duplicates", action="store_true", help="a record may be in two objects")
    w.add_argument("--min-overwritten", type=int, default=0, help="fail unless this many names were rewritten")
    c = sub.add_parser("consume")
    c.add_argument("--bootstrap", required=True)
    c.add_argument("--topic", required=True)
    c.add_argument("--expected", required=True)
    c.add_argument("--timeout", type=float, default=120)
    r = sub.add_parser("rewind-body")
    r.add_argument("--s3", required=True)
    r.add_argument("--bucket", required=True)
    r.add_argument("--prefix", default="")
    r.add_argument("--topic", required=True)
    n = sub.add_parser("count")
    n.add_argument("--bootstrap", required=True)
    n.add_argument("--topic", required=True)
    a = ap.parse_args()
    {
        "bucket": cmd_bucket,
        "topics": cmd_topics,
        "produce": cmd_produce,
        "wait-s3": cmd_wait_s3,
        "consume": cmd_consume,
        "count": cmd_count,
        "rewind-body": cmd_rewind_body,
    }[a.cmd](a)


if __name__ == "__main__":
    main()
