# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Check what ``ansible-playbook --diff tests/integration/diff_rendering.yml`` PRINTED (default callback).

    DIFF_SECRET=... python3 tests/integration/diff_rendering.py OUTPUT_FILE [--connect]

For every module with diff support, its task reported ``changed`` and printed a unified diff with the lines
listed in EXPECTED (the changed keys, as a user reads them). Nowhere in the output: a callback failure
(``[WARNING]: Callback dispatch 'v2_on_file_diff' failed ...`` is what a list in ``diff.before``/``after`` gives),
a ``failed to`` warning, an error, or the secret from DIFF_SECRET. The recap shows no failed task.
``--connect``: the Connect worker ran, so kafka_connector's task is expected too.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

TOPIC = r"it\S*-diff-topic"
RECOVERY = r"num\.recovery\.threads\.per\.data\.dir"


def kv(sign, key, value):
    """A diff line ``sign`` (+, - or space) holding ``key: value``, as JSON (Ansible's default result format:
    ``"key": "value",``) or as YAML (``callback_result_format = yaml``, this repository's ansible.cfg:
    ``key: 'value'``); ``key`` and ``value`` are regular expressions, ``value`` None for a key that opens a
    mapping."""
    key = rf"[\"']?{key}[\"']?:"
    value = r" ?\{?" if value is None else rf" [\"']?{value}[\"']?,?"
    return rf"^{re.escape(sign)}\s*(- )?{key}{value}$"


# Task name (as in diff_rendering.yml) -> regular expressions, each matching one printed diff line.
EXPECTED = {
    "Diff config_files: create": [r"^\+diff\.rendering\.key=1$"],
    "Diff config_files: change": [r"^-diff\.rendering\.key=1$", r"^\+diff\.rendering\.key=2$", r"^\+# .*0600"],
    "Diff kafka_topic: create": [kv("+", TOPIC, None), kv("+", r"retention\.ms", "3600000")],
    "Diff kafka_topic: change": [
        kv("-", r"retention\.ms", "3600000"),
        kv("+", r"retention\.ms", "7200000"),
        kv("-", r"partitions", "1"),
        kv("+", r"partitions", "2"),
    ],
    # A replica added to each of the two partitions (YAML "+  - 0", JSON "+  0").
    "Diff kafka_reassign: grow the replication factor": [r"^\+\s*(- )?\d+,?$"],
    "Diff kafka_acl: add": [kv("+", r"principal", r"User:it\S*-diff-user"), kv("+", r"operation", "read")],
    "Diff kafka_user: create": [kv("+", r"mechanism", "SCRAM-SHA-512")],
    "Diff kafka_broker_config: set": [
        kv("-", RECOVERY, "1"),
        kv("+", RECOVERY, "2"),
    ],
    "Diff kafka_roundtrip: create the probe topic": [kv("+", r"name", r"it\S*-diff-probe")],
    "Diff kafka_connector: create": [kv("+", r"my\.sink\.password", r"\*+"), kv("+", r"file", r"\S*/sink\.txt")],
    # Removals: the headline ones.
    "Diff kafka_broker_config: reset": [
        kv("-", RECOVERY, "2"),
        kv("+", RECOVERY, "1"),
    ],
    "Diff kafka_user: delete": [kv("-", r"mechanism", "SCRAM-SHA-512")],
    "Diff kafka_topic: delete": [kv("-", TOPIC, None)],
}
CONNECT_TASKS = {"Diff kafka_connector: create"}
FORBIDDEN = [
    (re.compile(r"Callback dispatch"), "a callback failed"),
    (re.compile(r"\[WARNING\].*failed to", re.IGNORECASE), "a 'failed to' warning"),
    (re.compile(r"\[ERROR\]"), "an error"),
]
TASK = re.compile(r"^TASK \[(?P<name>.*)\] \**$")


def sections(lines):
    """``{task name: [lines printed for it]}`` (the last run of a name wins)."""
    out, name = {}, None
    for line in lines:
        match = TASK.match(line)
        if match:
            name = match.group("name")
            out[name] = []
        elif line.startswith("PLAY RECAP"):
            name = None
        elif name is not None:
            out[name].append(line)
    return out


def check(text, secret, connect):
    problems = []
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        for pattern, what in FORBIDDEN:
            if pattern.search(line):
                problems.append(f"line {number}: {what}: {line}")
    if secret and secret in text:
        problems.append(f"the secret appears in the output ({text.count(secret)} times)")
    recap = [line for line in lines if re.match(r"^localhost\s+:", line)]
    if not recap or not re.search(r"\bfailed=0\b", recap[-1]):
        problems.append(f"the recap shows a failure or is missing: {recap[-1:] or 'no recap'}")
    printed = sections(lines)
    for name, patterns in EXPECTED.items():
        if name in CONNECT_TASKS and not connect:
            continue
        body = printed.get(name)
        if body is None:
            problems.append(f"task {name!r}: not in the output")
            continue
        if not any(line.startswith("changed: ") for line in body):
            problems.append(f"task {name!r}: not reported as changed")
        if not any(line.startswith("--- before") for line in body) or not any(
            line.startswith("+++ after") for line in body
        ):
            problems.append(f"task {name!r}: no diff printed")
        for pattern in patterns:
            if not any(re.search(pattern, line) for line in body):
                problems.append(f"task {name!r}: no diff line matches {pattern}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("output", help="the captured ansible-playbook output")
    parser.add_argument("--connect", action="store_true", help="kafka_connector's task ran (a Connect worker)")
    args = parser.parse_args()
    with open(args.output, encoding="utf-8", errors="replace") as f:
        text = f.read()
    problems = check(text, os.environ.get("DIFF_SECRET", ""), args.connect)
    checked = [n for n in EXPECTED if args.connect or n not in CONNECT_TASKS]
    if problems:
        print(f"diff_rendering: {len(problems)} problem(s) in {args.output}:", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print(f"diff_rendering: the diffs of {len(checked)} tasks rendered ({', '.join(checked)}); no callback failure")
    return 0


if __name__ == "__main__":
    sys.exit(main())
