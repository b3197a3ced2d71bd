# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""KRaft storage of one node: what its log directories hold and how `kafka-storage format` would format them.

Pure functions (no I/O but the reads in read_directory), used by the kafka_storage module. A KRaft node refuses to
start until each of its log directories holds a meta.properties naming the cluster id, its node id and a directory id;
`kafka-storage format` writes them (and, on controllers, the bootstrap snapshot of the metadata log: the initial
voters of a dynamic quorum and any SCRAM credentials).
"""

from __future__ import annotations

import base64
import glob
import hashlib
import os
import re

META = "meta.properties"
METADATA_PARTITION = "__cluster_metadata-0"
# What `--add-scram` can carry: Kafka's parser splits the value at commas and brackets.
_SCRAM_SAFE = re.compile(r"^[^\s,\[\]\"=]+$")
_SCRAM_MECHANISMS = ("SCRAM-SHA-256", "SCRAM-SHA-512")


def parse_properties(text):
    """The key/value pairs of a Java properties file as Kafka's own files are written (key=value, # comments)."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", "!")):
            continue
        key, sep, value = line.partition("=")
        if sep:
            out[key.strip()] = value.strip().replace("\\:", ":").replace("\\=", "=")
    return out


def node_layout(properties):
    """What server.properties says about the node's storage: roles, node id, the directories, the quorum kind."""
    roles = [r.strip() for r in properties.get("process.roles", "").split(",") if r.strip()]
    log_dirs = [d.strip() for d in properties.get("log.dirs", properties.get("log.dir", "")).split(",") if d.strip()]
    metadata_dir = properties.get("metadata.log.dir", "").strip() or (log_dirs[0] if log_dirs else "")
    directories = list(dict.fromkeys(log_dirs + ([metadata_dir] if metadata_dir else [])))
    node_id = properties.get("node.id", properties.get("broker.id", ""))
    return {
        "roles": roles,
        "node_id": int(node_id) if str(node_id).strip().lstrip("-").isdigit() else None,
        "directories": directories,
        "metadata_dir": metadata_dir,
        "static_voters": properties.get("controller.quorum.voters", "").strip(),
        "bootstrap_servers": properties.get("controller.quorum.bootstrap.servers", "").strip(),
    }


def read_directory(path):
    """One log directory: whether it exists, its meta.properties and whether the metadata log has been written to."""
    meta_path = os.path.join(path, META)
    entry = {"path": path, "exists": os.path.isdir(path), "meta": None, "metadata_log_started": False}
    if os.path.isfile(meta_path):
        with open(meta_path, encoding="utf-8") as handle:
            entry["meta"] = parse_properties(handle.read())
    # A formatted controller holds only the bootstrap checkpoint; a node that ran has log segments with records.
    for segment in glob.glob(os.path.join(path, METADATA_PARTITION, "*.log")):
        if os.path.getsize(segment) > 0:
            entry["metadata_log_started"] = True
    return entry


def directory_id(cluster_id, node_id):
    """The directory id a controller of the initial quorum gets: derived from the cluster id and its node id, so
    a re-run after an interrupted first formation gives each controller the same one (Kafka's Uuid form: 16 bytes,
    URL-safe Base64 without padding, never starting with '-')."""
    seed = f"{cluster_id}:{node_id}".encode()
    while True:
        digest = hashlib.md5(seed, usedforsecurity=False).digest()
        text = base64.urlsafe_b64encode(digest).decode().rstrip("=")
        if not text.startswith("-") and digest[:8] != bytes(8):
            return text
        seed = digest


def initial_controllers_arg(cluster_id, controllers):
    """--initial-controllers: `id@host:port:directory-id` of each controller, by node id."""
    return ",".join(
        f"{c['id']}@{c['host']}:{c['port']}:{directory_id(cluster_id, c['id'])}"
        for c in sorted(controllers, key=lambda c: int(c["id"]))
    )


def validate(params, layout):
    """Every problem with the request, at once (nothing is read from the directories yet)."""
    errors = []
    if not layout["roles"]:
        errors.append("the configuration has no process.roles: not a KRaft node")
    if layout["node_id"] is None:
        errors.append("the configuration has no node.id")
    if not layout["directories"]:
        errors.append("the configuration names no log.dirs")
    cluster_id = params.get("cluster_id")
    if cluster_id is not None and not re.match(r"^[A-Za-z0-9_-]{22}$", cluster_id):
        errors.append(f"cluster_id {cluster_id!r} is not a Kafka cluster id (22 characters of URL-safe Base64)")
    for cred in params.get("scram_credentials") or []:
        if cred["mechanism"] not in _SCRAM_MECHANISMS:
            errors.append(
                f"scram_credentials: mechanism {cred['mechanism']!r} is not one of {', '.join(_SCRAM_MECHANISMS)}"
            )
        if not _SCRAM_SAFE.match(cred["name"]):
            errors.append(
                f"scram_credentials: user name {cred['name']!r} holds a character"
                " `kafka-storage format --add-scram` cannot carry"
            )
        if not _SCRAM_SAFE.match(cred["password"]):
            errors.append(
                f'scram_credentials: the password of {cred["name"]} holds whitespace or one of , [ ] " = which'
                " `kafka-storage format --add-scram` cannot carry; choose another or create the user after the start"
            )
    controllers = params.get("initial_controllers") or []
    if controllers and "controller" not in layout["roles"]:
        errors.append("initial_controllers is only for controllers (process.roles has no controller)")
    if controllers and layout["static_voters"]:
        errors.append("initial_controllers is for a dynamic quorum; this node has a static controller.quorum.voters")
    if controllers and layout["node_id"] is not None and layout["node_id"] not in [int(c["id"]) for c in controllers]:
        errors.append(
            f"node {layout['node_id']} is not one of initial_controllers {[int(c['id']) for c in controllers]}"
        )
    return errors


def plan(cluster_id, layout, directories):
    """Which directories need formatting, and the refusals (another cluster's or another node's directory)."""
    refusals, unformatted = [], []
    for entry in directories:
        meta = entry["meta"]
        if meta is None:
            unformatted.append(entry["path"])
            continue
        found = meta.get("cluster.id")
        if cluster_id is not None and found != cluster_id:
            refusals.append(
                f"{entry['path']} is formatted for cluster {found}, not {cluster_id}: it is never reformatted"
                " (move its data away yourself if it is really not needed)"
            )
        node = meta.get("node.id", meta.get("broker.id"))
        if node is not None and layout["node_id"] is not None and str(node) != str(layout["node_id"]):
            refusals.append(f"{entry['path']} belongs to node {node}, not node {layout['node_id']}")
    return refusals, unformatted


def format_args(params, layout, config_path):
    """The arguments of `kafka-storage format` for this node (only the unformatted directories are written)."""
    args = ["format", "--config", config_path, "--cluster-id", params["cluster_id"], "--ignore-formatted"]
    if params.get("release_version"):
        args += ["--release-version", params["release_version"]]
    if "controller" in layout["roles"]:
        for cred in params.get("scram_credentials") or []:
            args += ["--add-scram", f"{cred['mechanism']}=[name={cred['name']},password={cred['password']}]"]
        if not layout["static_voters"]:
            controllers = params.get("initial_controllers") or []
            if controllers:
                args += ["--initial-controllers", initial_controllers_arg(params["cluster_id"], controllers)]
            else:
                args += ["--no-initial-controllers"]
    return args


def argfile(words):
    """A java launcher @argfile: one quoted argument per line (the launcher reads it, so no argument - a password
    among them - shows in the process list)."""
    return "".join('"' + w.replace("\\", "\\\\").replace('"', '\\"') + '"\n' for w in words)


def storage_main_class(wrapper_text):
    """The main class kafka-storage.sh runs (kafka.tools.StorageTool on 3.x; read from the wrapper, not assumed)."""
    match = re.search(r"kafka-run-class\.sh[\"']?\s+([A-Za-z0-9_.$]+)", wrapper_text)
    return match.group(1) if match else None


def summary(layout, directories):
    """What the module returns about the node's storage."""
    cluster_ids = sorted({d["meta"]["cluster.id"] for d in directories if d["meta"] and d["meta"].get("cluster.id")})
    return {
        "node_id": layout["node_id"],
        "roles": layout["roles"],
        "cluster_ids": cluster_ids,
        "cluster_id": cluster_ids[0] if len(cluster_ids) == 1 else None,
        "formatted": all(d["meta"] is not None for d in directories),
        "metadata_log_started": any(d["metadata_log_started"] for d in directories),
        "directories": [
            {
                "path": d["path"],
                "formatted": d["meta"] is not None,
                "cluster_id": (d["meta"] or {}).get("cluster.id"),
                "directory_id": (d["meta"] or {}).get("directory.id"),
            }
            for d in directories
        ],
    }
