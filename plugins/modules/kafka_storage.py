#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_storage
short_description: Format a KRaft node's log directories once, for one cluster id, never reformatting
version_added: 0.1.0
description:
  - Reads the log directories named by a KRaft node's configuration (C(log.dirs) and C(metadata.log.dir)) and, when
    O(cluster_id) is given, formats the ones that hold no C(meta.properties) yet with C(kafka-storage format
    --ignore-formatted), like C(kafka-storage.sh format -t <id> -c server.properties) by hand.
  - A directory formatted for another cluster id or another node id is refused by name, and nothing is formatted;
    a formatted directory is never reformatted.
  - On a controller of a dynamic quorum (no C(controller.quorum.voters)) the first formation names every initial
    controller (O(initial_controllers), C(--initial-controllers)); each gets a directory id derived from the cluster
    id and its node id, so a run interrupted half way formats the others the same way when re-run. Without
    O(initial_controllers) a controller is formatted to join an existing quorum (C(--no-initial-controllers)).
  - O(scram_credentials) are written into a controller's bootstrap snapshot (C(--add-scram)), so the admin can log in
    with SCRAM from the first start. The arguments reach C(java) through an C(@argfile) (mode 0600, removed right
    after), never through the process list.
  - Without O(cluster_id) the module only reads and reports (also in check mode).
  - Runs on the node itself, as root; formatted directories are given to O(owner) and O(group).
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  config:
    description: The node's server.properties (C(process.roles), C(node.id), C(log.dirs) are read from it).
    type: path
    required: true
  cluster_id:
    description:
      - The cluster id to format with (22 characters of URL-safe Base64, as C(kafka-storage.sh random-uuid) prints).
      - Omitted - read only.
    type: str
  initial_controllers:
    description:
      - The controllers of a new dynamic quorum, every one of them (this node among them). Only for the first formation.
    type: list
    elements: dict
    default: []
    suboptions:
      id: {description: Node id., type: int, required: true}
      host: {description: Host name the controller listener advertises., type: str, required: true}
      port: {description: Controller listener port., type: int, required: true}
  scram_credentials:
    description: SCRAM users written into a controller's bootstrap snapshot (ignored on brokers).
    type: list
    elements: dict
    default: []
    suboptions:
      name: {description: User name., type: str, required: true}
      password: {description: Password (never logged)., type: str, required: true}
      mechanism: {description: V(SCRAM-SHA-256) or V(SCRAM-SHA-512)., type: str, default: SCRAM-SHA-512}
  release_version:
    description: C(--release-version) (the metadata version to start with); omitted - the distribution's latest.
    type: str
  kafka_home:
    description: The Kafka distribution (its C(libs/) and C(bin/kafka-storage.sh)).
    type: path
    default: /opt/kafka
  java:
    description: The java launcher.
    type: path
    default: /usr/bin/java
  owner:
    description: User that owns the formatted directories (the service user).
    type: str
    default: kafka
  group:
    description: Their group.
    type: str
    default: kafka
attributes:
  check_mode:
    support: full
    description: Reports which directories would be formatted.
  diff_mode:
    support: full
    description: The directories' formatted state before and after.
"""

EXAMPLES = r"""
- name: Format the controller's metadata directory for the cluster
  kafkaops.cluster.kafka_storage:
    config: /etc/kafka/server.properties
    cluster_id: "{{ kafka_cluster_id }}"
    initial_controllers:
      - {id: 1001, host: controller-0, port: 9097}
      - {id: 1002, host: controller-1, port: 9097}
      - {id: 1003, host: controller-2, port: 9097}
    scram_credentials:
      - {name: admin, password: "{{ kafkaops_admin_password }}"}
  no_log: true
"""

RETURN = r"""
node_id:
  description: The node id of the configuration.
  returned: always
  type: int
roles:
  description: process.roles.
  returned: always
  type: list
  elements: str
cluster_id:
  description: The cluster id the directories are formatted for (null when none or several).
  returned: always
  type: str
cluster_ids:
  description: Every cluster id found in the directories.
  returned: always
  type: list
  elements: str
formatted:
  description: Whether every directory is formatted (after the run).
  returned: always
  type: bool
formatted_now:
  description: The directories this run formatted (or would in check mode).
  returned: always
  type: list
  elements: str
metadata_log_started:
  description: Whether the metadata log holds records (the node has run).
  returned: always
  type: bool
directories:
  description: Each directory with formatted, cluster_id and directory_id.
  returned: always
  type: list
  elements: dict
"""

import grp
import os
import pwd
import shutil
import tempfile

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_storage as storage


def read(layout):
    return [storage.read_directory(path) for path in layout["directories"]]


def give_to(module, paths, owner, group):
    try:
        uid, gid = pwd.getpwnam(owner).pw_uid, grp.getgrnam(group).gr_gid
    except KeyError:
        module.fail_json(msg=f"unknown owner {owner} or group {group}", changed=True)
    for path in paths:
        for root, dirs, files in os.walk(path):
            for name in [root] + [os.path.join(root, n) for n in dirs + files]:
                os.chown(name, uid, gid)


def run_format(module, params, layout):
    wrapper = os.path.join(params["kafka_home"], "bin", "kafka-storage.sh")
    try:
        with open(wrapper, encoding="utf-8") as handle:
            main_class = storage.storage_main_class(handle.read())
    except OSError as exc:
        module.fail_json(msg=f"cannot read {wrapper}: {exc}", changed=False)
    if not main_class:
        module.fail_json(msg=f"{wrapper} names no main class", changed=False)
    words = ["-Xmx256m", "-cp", os.path.join(params["kafka_home"], "libs", "*"), main_class]
    words += storage.format_args(params, layout, params["config"])
    workdir = tempfile.mkdtemp(prefix="kafkaops-format-")
    try:
        path = os.path.join(workdir, "args")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(storage.argfile(words))
        rc, out, err = module.run_command([params["java"], "@" + path], environ_update={"KAFKA_OPTS": ""})
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    return rc, out, err


def main():
    module = AnsibleModule(
        argument_spec=dict(
            config=dict(type="path", required=True),
            cluster_id=dict(type="str"),
            initial_controllers=dict(
                type="list",
                elements="dict",
                default=[],
                options=dict(
                    id=dict(type="int", required=True),
                    host=dict(type="str", required=True),
                    port=dict(type="int", required=True),
                ),
            ),
            scram_credentials=dict(
                type="list",
                elements="dict",
                default=[],
                options=dict(
                    name=dict(type="str", required=True),
                    password=dict(type="str", required=True, no_log=True),
                    mechanism=dict(type="str", default="SCRAM-SHA-512"),
                ),
            ),
            release_version=dict(type="str"),
            kafka_home=dict(type="path", default="/opt/kafka"),
            java=dict(type="path", default="/usr/bin/java"),
            owner=dict(type="str", default="kafka"),
            group=dict(type="str", default="kafka"),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        with open(params["config"], encoding="utf-8") as handle:
            layout = storage.node_layout(storage.parse_properties(handle.read()))
    except OSError as exc:
        module.fail_json(msg=f"Nothing changed: cannot read {params['config']}: {exc}", changed=False)
    errors = storage.validate(params, layout)
    if errors:
        module.fail_json(msg="Nothing changed: " + "; ".join(errors), errors=errors, changed=False)

    before = read(layout)
    refusals, unformatted = storage.plan(params["cluster_id"], layout, before)
    if refusals:
        module.fail_json(
            msg="Nothing changed: " + "; ".join(refusals),
            errors=refusals,
            changed=False,
            **storage.summary(layout, before),
        )
    todo = unformatted if params["cluster_id"] is not None else []

    after = before
    if todo and not module.check_mode:
        rc, out, err = run_format(module, params, layout)
        after = read(layout)
        done = [d["path"] for d in after if d["meta"] is not None and d["path"] in todo]
        if done:
            give_to(module, done, params["owner"], params["group"])
        if rc != 0:
            module.fail_json(
                msg=f"kafka-storage format failed (rc {rc}): {(err or out).strip()[-2000:]}",
                changed=bool(done),
                formatted_now=done,
                **storage.summary(layout, after),
            )

    result = storage.summary(layout, after)
    if module.check_mode and todo:
        result["formatted"] = True
    result["formatted_now"] = todo
    result["changed"] = bool(todo)
    if module._diff:
        result["diff"] = {
            "before": {d["path"]: (d["meta"] or {}).get("cluster.id", "(not formatted)") for d in before},
            "after": {
                d["path"]: (
                    (d["meta"] or {}).get("cluster.id")
                    or (params["cluster_id"] if d["path"] in todo else "(not formatted)")
                )
                for d in after
            },
        }
    module.exit_json(**result)


if __name__ == "__main__":
    main()
