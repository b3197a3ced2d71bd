# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Benchmark: N topics with ONE kafkaops.cluster.kafka_topic task vs. Kafka's TopicCommand once per topic.

Run with the project venv (see README.md):

    .venv/bin/python bench/topics/bench.py            # loopback cluster of cluster.sh

1. creates N topics (default 500) x P partitions (default 3), replication factor min(3, brokers), with
   one kafka_topic task run by ansible-playbook; 2. runs the same task again (must be a no-op);
3. deletes the N topics with one task; 4. creates a sample of topics (default 20) with
   ``java -cp <kafka>/libs/* org.apache.kafka.tools.TopicCommand --create`` one JVM per topic,
   extrapolates the per-topic time to N topics and prints the ratio; the sample is deleted afterwards.

The SASL password is read from an environment variable (never from the command line) and reaches
ansible-playbook and the JVM only through that variable and a 0600 properties file in a temporary
directory that is removed at the end.
"""

from __future__ import annotations

import argparse
import base64
import glob
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

REPO = Path(__file__).resolve().parents[2]
LOOPBACK_BOOTSTRAP = "127.0.0.1:30501,127.0.0.1:30502,127.0.0.1:30503"
LOOPBACK_PASSWORD = "admin-secret"  # test-only credential of tests/integration/loopback/cluster.sh

PLAYBOOK = """\
- name: kafka_topic benchmark
  hosts: localhost
  connection: local
  gather_facts: false
  vars:
    ansible_python_interpreter: "{{ ansible_playbook_python }}"
    bench_connection: "{{ bench_connection_base | combine(bench_secret) }}"
    bench_secret: "{{ {'sasl_password': lookup('ansible.builtin.env', 'BENCH_SASL_PASSWORD')} if bench_sasl else {} }}"
  module_defaults:
    group/kafkaops.cluster.kafka: "{{ bench_connection }}"
    kafkaops.cluster.kafka_topic: "{{ bench_connection }}"
  tasks:
    - name: Start
      ansible.builtin.set_fact:
        bench_t0: "{{ now().timestamp() }}"
    - name: All topics in one task
      kafkaops.cluster.kafka_topic:
        topics: "{{ bench_topics }}"
        batch_size: "{{ bench_batch_size }}"
      register: bench_result
    - name: Stop
      ansible.builtin.set_fact:
        bench_t1: "{{ now().timestamp() }}"
    - name: Report the outcome (debug runs on the controller, no module round trip)
      ansible.builtin.debug:
        msg: >-
          BENCH_RESULT={{ {'seconds': (bench_t1 | float) - (bench_t0 | float), 'changed': bench_result.changed,
                           'actions': bench_result.actions | length, 'timings': bench_result.timings}
                          | to_json | b64encode }}
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--bootstrap", default=LOOPBACK_BOOTSTRAP, help="comma-separated host:port list")
    parser.add_argument(
        "--security-protocol", default="SASL_PLAINTEXT", choices=["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"]
    )
    parser.add_argument("--sasl-mechanism", default="PLAIN", choices=["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
    parser.add_argument("--sasl-username", default="admin")
    parser.add_argument(
        "--sasl-password-env",
        default="KAFKA_SASL_PASSWORD",
        help="environment variable holding the SASL password (default KAFKA_SASL_PASSWORD; "
        f"if unset and --bootstrap is the loopback default, the loopback test password {LOOPBACK_PASSWORD!r})",
    )
    parser.add_argument("--ssl-cafile", help="CA file for SSL/SASL_SSL")
    parser.add_argument("--count", type=int, default=500, help="topics created by the module (default 500)")
    parser.add_argument("--partitions", type=int, default=3)
    parser.add_argument("--replication-factor", type=int, help="default: min(3, live brokers)")
    parser.add_argument("--batch-size", type=int, default=200, help="kafka_topic batch_size (default 200)")
    parser.add_argument("--cli-count", type=int, default=20, help="topics created with TopicCommand (default 20)")
    parser.add_argument("--noop-runs", type=int, default=3, help="no-op re-runs; the median is reported (default 3)")
    parser.add_argument("--kafka-home", help="Kafka installation with libs/ (default: unpack build/kafka/*.tgz)")
    parser.add_argument("--prefix", default=f"bench-{int(time.time())}", help="topic name prefix")
    parser.add_argument("--json-out", help="also write the measured numbers to this file (JSON)")
    return parser.parse_args()


def sasl_password(args):
    if args.security_protocol not in ("SASL_PLAINTEXT", "SASL_SSL"):
        return None
    password = os.environ.get(args.sasl_password_env)
    if password is None and args.bootstrap == LOOPBACK_BOOTSTRAP:
        password = LOOPBACK_PASSWORD
    if password is None:
        sys.exit(f"set the SASL password in the environment variable {args.sasl_password_env}")
    return password


def admin_client(args, password):
    conf = {
        "bootstrap.servers": args.bootstrap,
        "security.protocol": args.security_protocol.lower(),
        "allow.auto.create.topics": False,
    }
    if password is not None:
        conf.update({"sasl.mechanism": args.sasl_mechanism, "sasl.username": args.sasl_username})
        conf["sasl.password"] = password
    if args.ssl_cafile:
        conf["ssl.ca.location"] = args.ssl_cafile
    return AdminClient(conf)


def live_brokers(admin):
    return len(admin.describe_cluster(request_timeout=30).result().nodes)


def existing_topics(admin, prefix):
    return sorted(name for name in admin.list_topics(timeout=30).topics if name.startswith(prefix))


def wait_until_gone(admin, prefix, timeout=120):
    deadline = time.monotonic() + timeout
    while existing_topics(admin, prefix):
        if time.monotonic() > deadline:
            raise SystemExit(f"topics {prefix}* still listed after {timeout}s")
        time.sleep(0.5)


def connection_vars(args, password):
    conn = dict(
        bootstrap_servers=args.bootstrap.split(","),
        security_protocol=args.security_protocol,
        request_timeout=60,
    )
    if password is not None:
        conn.update(sasl_mechanism=args.sasl_mechanism, sasl_username=args.sasl_username)
    if args.ssl_cafile:
        conn["ssl_cafile"] = args.ssl_cafile
    return conn


def run_playbook(workdir, name, topics, args, password):
    """One ansible-playbook run with one kafka_topic task; ``(wall seconds, outcome)``."""
    extra = workdir / f"{name}-vars.json"
    extra.write_text(
        json.dumps(
            dict(
                bench_connection_base=connection_vars(args, password),
                bench_sasl=password is not None,
                bench_topics=topics,
                bench_batch_size=args.batch_size,
            )
        )
    )
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"))
    if password is not None:
        env["BENCH_SASL_PASSWORD"] = password
    command = [
        str(Path(sys.executable).with_name("ansible-playbook")),
        "-i",
        "localhost,",
        str(workdir / "bench.yml"),
        "-e",
        f"@{extra}",
    ]
    start = time.monotonic()
    proc = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - start
    # Base64: one word, which the YAML result format never wraps or escapes.
    marker = re.search(r"BENCH_RESULT=([A-Za-z0-9+/=]+)", proc.stdout)
    if proc.returncode != 0 or not marker:
        print(proc.stdout[-4000:], proc.stderr[-2000:], sep="\n", file=sys.stderr)
        raise SystemExit(f"ansible-playbook failed in phase {name}")
    return wall, json.loads(base64.b64decode(marker.group(1)))


def empty_playbook_seconds(workdir):
    """Wall time of ansible-playbook with one trivial task: the fixed cost in every module run above."""
    playbook = workdir / "empty.yml"
    playbook.write_text(
        "- name: empty\n  hosts: localhost\n  connection: local\n  gather_facts: false\n"
        "  tasks:\n    - name: Nothing\n      ansible.builtin.meta: noop\n"
    )
    env = dict(os.environ, ANSIBLE_CONFIG=str(REPO / "ansible.cfg"))
    command = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", "localhost,", str(playbook)]
    start = time.monotonic()
    subprocess.run(command, cwd=REPO, env=env, capture_output=True, check=True)
    return time.monotonic() - start


def kafka_home(args, workdir):
    if args.kafka_home:
        return Path(args.kafka_home)
    bundles = sorted(glob.glob(str(REPO / "build" / "kafka" / "kafka_2.13-*.tgz")))
    if not bundles:
        raise SystemExit("no Kafka bundle under build/kafka (run make bundle) and no --kafka-home")
    with tarfile.open(bundles[-1]) as tar:
        members = [m for m in tar.getmembers() if "/libs/" in m.name or "/config/" in m.name]
        tar.extractall(workdir, members=members, filter="data")
    return next(workdir.glob("kafka_2.13-*"))


def command_config(args, password, workdir):
    path = workdir / "admin.properties"
    lines = [f"security.protocol={args.security_protocol}"]
    if password is not None:
        module = (
            "org.apache.kafka.common.security.plain.PlainLoginModule"
            if args.sasl_mechanism == "PLAIN"
            else "org.apache.kafka.common.security.scram.ScramLoginModule"
        )
        jaas = f'{module} required username="{args.sasl_username}" password="{password}";'
        lines += [f"sasl.mechanism={args.sasl_mechanism}", f"sasl.jaas.config={jaas}"]
    if args.ssl_cafile:
        lines += ["ssl.truststore.type=PEM", f"ssl.truststore.location={args.ssl_cafile}"]
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


def log4j_option(home):
    """The tools' logging configuration: Log4j 2 (YAML) on Kafka 4.x, Log4j 1 properties on 3.x."""
    log4j2 = home / "config" / "tools-log4j2.yaml"
    if log4j2.exists():
        return f"-Dlog4j2.configurationFile={log4j2}"
    return f"-Dlog4j.configuration=file:{home}/config/tools-log4j.properties"


def cli_create(home, config, args, name, replication_factor):
    """One ``kafka-topics.sh --create`` equivalent (same JVM options as kafka-run-class.sh)."""
    command = [
        "java",
        "-Xmx256M",
        "-server",
        "-XX:+UseG1GC",
        "-Djava.awt.headless=true",
        log4j_option(home),
        "-cp",
        f"{home}/libs/*",
        "org.apache.kafka.tools.TopicCommand",
        "--bootstrap-server",
        args.bootstrap,
        "--command-config",
        str(config),
        "--create",
        "--topic",
        name,
        "--partitions",
        str(args.partitions),
        "--replication-factor",
        str(replication_factor),
    ]
    start = time.monotonic()
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        raise SystemExit(f"TopicCommand failed for {name}: {proc.stdout[-1000:]} {proc.stderr[-1000:]}")
    return seconds


def delete_topics(admin, names):
    for future in admin.delete_topics(names, operation_timeout=60, request_timeout=60).values():
        try:
            future.result()
        except KafkaException as e:
            print(f"warning: delete failed: {e}", file=sys.stderr)


def main():
    args = parse_args()
    password = sasl_password(args)
    admin = admin_client(args, password)
    brokers = live_brokers(admin)
    rf = args.replication_factor or min(3, brokers)
    module_prefix = f"{args.prefix}-m-"
    cli_prefix = f"{args.prefix}-cli-"
    for prefix in (module_prefix, cli_prefix):
        if existing_topics(admin, prefix):
            raise SystemExit(f"topics with prefix {prefix} exist already; choose another --prefix")

    workdir = Path(tempfile.mkdtemp(prefix="kafkaops-bench-"))
    try:
        (workdir / "bench.yml").write_text(PLAYBOOK)
        names = [f"{module_prefix}{i:04d}" for i in range(args.count)]
        present = [dict(name=n, partitions=args.partitions, replication_factor=rf) for n in names]
        absent = [dict(name=n, state="absent") for n in names]

        print(f"cluster: {args.bootstrap} ({brokers} live brokers), {args.security_protocol}")
        print(f"module: {args.count} topics x {args.partitions} partitions, RF {rf}, batch_size {args.batch_size}")
        empty = min(empty_playbook_seconds(workdir) for _run in range(2))
        create_wall, create = run_playbook(workdir, "create", present, args, password)
        found = existing_topics(admin, module_prefix)
        if len(found) != args.count or not create["changed"] or create["actions"] != args.count:
            raise SystemExit(f"create: expected {args.count} new topics, found {len(found)}; outcome {create}")
        noops = []
        for run in range(max(1, args.noop_runs)):
            noop_wall, noop = run_playbook(workdir, f"noop-{run}", present, args, password)
            if noop["changed"] or noop["actions"]:
                raise SystemExit(f"the re-run was not a no-op: {noop}")
            noops.append((noop["seconds"], noop_wall, noop.get("timings") or {}))
        noop_task = statistics.median(task for task, _wall, _timings in noops)
        noop_wall = statistics.median(wall for _task, wall, _timings in noops)
        delete_wall, delete = run_playbook(workdir, "delete", absent, args, password)
        if existing_topics(admin, module_prefix) or delete["actions"] != args.count:
            raise SystemExit(f"delete: topics left or wrong actions: {delete}")

        print(f"CLI: {args.cli_count} topics, one TopicCommand JVM per topic")
        home = kafka_home(args, workdir)
        config = command_config(args, password, workdir)
        cli_names = [f"{cli_prefix}{i:04d}" for i in range(args.cli_count)]
        cli_times = []
        try:
            for name in cli_names:
                cli_times.append(cli_create(home, config, args, name, rf))
        finally:
            created = existing_topics(admin, cli_prefix)
            if created:
                delete_topics(admin, created)
                wait_until_gone(admin, cli_prefix)
        per_topic = statistics.mean(cli_times)
        extrapolated = per_topic * args.count
        ratio = extrapolated / create["seconds"]
        ratio_wall = extrapolated / create_wall

        def row(label, task, wall):
            return f"  {label:<30}{task:8.2f} s task   {wall:8.2f} s ansible-playbook wall"

        def phases(timings, task):
            """The module's own phases; the rest of the task is the module's start-up (AnsiballZ, imports, login)."""
            shown = ", ".join(f"{name} {seconds:.2f}" for name, seconds in timings.items())
            return f"    phases: {shown}; outside the phases {task - sum(timings.values()):.2f} s"

        print()
        print(f"kafka_topic, one task for {args.count} topics (ansible-playbook startup alone: {empty:.2f} s)")
        print(row("create", create["seconds"], create_wall))
        print(phases(create.get("timings") or {}, create["seconds"]))
        print(row(f"no-op re-run (median of {len(noops)})", noop_task, noop_wall))
        print("    each run: " + ", ".join(f"{task:.2f} s task / {wall:.2f} s wall" for task, wall, _t in noops))
        print(phases(noops[0][2], noops[0][0]) + " (first run)")
        print(row("delete", delete["seconds"], delete_wall))
        print(phases(delete.get("timings") or {}, delete["seconds"]))
        print(f"TopicCommand loop, measured on {len(cli_times)} topics")
        print(
            f"  per topic                {per_topic:8.2f} s  (median {statistics.median(cli_times):.2f}, "
            f"min {min(cli_times):.2f}, max {max(cli_times):.2f}; total {sum(cli_times):.1f} s)"
        )
        print(
            f"  {args.count} topics EXTRAPOLATED {extrapolated:8.1f} s  "
            f"(= {per_topic:.2f} s x {args.count}, not measured)"
        )
        print(
            f"ratio (extrapolated CLI loop / module create): {ratio:.0f}x vs. the task, "
            f"{ratio_wall:.0f}x vs. the whole ansible-playbook run"
        )
        print(
            f"targets: module >= 50x faster: {'PASS' if ratio_wall >= 50 else 'FAIL'} (by wall time); "
            f"no-op re-run <= 5 s: {'PASS' if noop_wall <= 5 else 'FAIL'} (by wall time)"
        )
        if args.json_out:
            numbers = dict(
                bootstrap=args.bootstrap,
                brokers=brokers,
                count=args.count,
                partitions=args.partitions,
                replication_factor=rf,
                kafka_home=str(home) if args.kafka_home else None,
                playbook_startup=empty,
                create=dict(task=create["seconds"], wall=create_wall, timings=create.get("timings")),
                noop=dict(task=noop_task, wall=noop_wall, runs=[dict(task=t, wall=w, timings=p) for t, w, p in noops]),
                delete=dict(task=delete["seconds"], wall=delete_wall, timings=delete.get("timings")),
                cli=dict(times=cli_times, per_topic=per_topic, extrapolated=extrapolated),
                ratio_task=ratio,
                ratio_wall=ratio_wall,
            )
            Path(args.json_out).write_text(json.dumps(numbers, indent=1) + "\n")
    finally:
        leftovers = existing_topics(admin, module_prefix)
        if leftovers:
            delete_topics(admin, leftovers)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
