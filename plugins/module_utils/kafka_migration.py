# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Where a ZooKeeper-to-KRaft migration (Kafka 3.9, KIP-866) stands, read from the cluster itself.

Three sources, none of them a file on the Ansible controller:

- ZooKeeper: ``/cluster/id`` (the id the controllers are formatted with), ``/controller`` (a ZooKeeper-mode controller
  writes ``{"brokerid": N}``; a KRaft controller in migration mode that took over writes ``kraftControllerEpoch`` in it)
  and ``/migration`` (the migration's recovery state: the KRaft controller creates it with ``kraft_metadata_offset``
  -1 and records the offset of the metadata it copied there once the copy is done; from then on it writes every change
  to ZooKeeper too, the dual-write).
- The brokers' running configuration (DescribeConfigs of each live broker, answered by the broker itself):
  ``process.roles`` set means KRaft mode, ``zookeeper.metadata.migration.enable`` true a ZooKeeper broker in migration
  mode.
- The controllers' configuration as the caller read it from their hosts (``migration`` with
  ``zookeeper.metadata.migration.enable``, ``kraft`` without it, ``absent`` when not configured): a controller that left
  migration mode finalizes the migration for good, and no request tells it apart from one still in it.

``migration_phase`` is pure (unit tested); the readers take a ``KafkaModule``'s clients and raise ``KafkaOpsError``.
"""

from __future__ import annotations

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import parse_json_znode
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import read_znode
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import zookeeper_path
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import translate_errors

try:
    from confluent_kafka.admin import ConfigResource
    from confluent_kafka.admin import ResourceType
except ImportError:
    pass  # KafkaModule reports the missing library.

# The modes a broker runs in, and those of a controller's configuration.
BROKER_MODES = ("zookeeper", "migration", "kraft")
CONTROLLER_MODES = ("absent", "migration", "kraft")


# ---------------------------------------------------------------------------
# Pure functions
# ---------------------------------------------------------------------------


def zookeeper_state(cluster_id_data, controller_data, migration_data):
    """What ZooKeeper says: ``{cluster_id, controller_id, kraft_controller_epoch, migration}``.

    ``migration`` is the ``/migration`` znode's JSON (None without one); ``kraft_controller_epoch`` is set once a KRaft
    controller in migration mode holds ``/controller``.
    """
    cluster = parse_json_znode(cluster_id_data) or {}
    controller = parse_json_znode(controller_data) or {}
    epoch = controller.get("kraftControllerEpoch")
    return dict(
        cluster_id=cluster.get("id"),
        controller_id=controller.get("brokerid"),
        kraft_controller_epoch=epoch if isinstance(epoch, int) and epoch >= 0 else None,
        migration=parse_json_znode(migration_data),
    )


def broker_mode(configs):
    """``kraft``, ``migration`` or ``zookeeper`` from a broker's running configuration (``{key: value}``)."""
    if (configs.get("process.roles") or "").strip():
        return "kraft"
    if (configs.get("zookeeper.metadata.migration.enable") or "").strip().lower() == "true":
        return "migration"
    return "zookeeper"


def migrated(zookeeper):
    """True once the controllers copied the metadata from ZooKeeper (``/migration`` records the offset of the copy)."""
    offset = (zookeeper.get("migration") or {}).get("kraft_metadata_offset")
    return isinstance(offset, int) and offset >= 0


def migration_phase(zookeeper, brokers, controllers):
    """The phase the cluster is in, and whether every node has reached it.

    ``brokers`` maps each broker id to its mode (None: it did not answer); ``controllers`` each controller id to the
    mode of its configuration. Returns ``{phase, complete, migrated, lagging, problems}``: ``phase`` is the furthest
    phase any node has entered (a run that stopped half way resumes there), ``lagging`` the nodes not in it yet (by
    kind and id) and ``problems`` sentences about states no phase explains (the caller refuses to go on).
    """
    problems = []
    configured = {cid: mode for cid, mode in controllers.items() if mode != "absent"}
    broker_counts = {mode: sorted(bid for bid, m in brokers.items() if m == mode) for mode in BROKER_MODES}
    unknown = sorted(bid for bid, mode in brokers.items() if mode is None)
    if any(mode == "kraft" for mode in configured.values()):
        phase = "finalized"
    elif broker_counts["kraft"]:
        phase = "kraft"
    elif broker_counts["migration"]:
        phase = "brokers"
    elif configured:
        phase = "controllers"
    else:
        phase = "none"

    lagging = dict(brokers=[], controllers=[])
    wanted_broker = {"none": "zookeeper", "controllers": "zookeeper", "brokers": "migration"}.get(phase, "kraft")
    lagging["brokers"] = sorted(bid for bid, mode in brokers.items() if mode != wanted_broker)
    if phase != "none":
        wanted_controller = "kraft" if phase == "finalized" else "migration"
        lagging["controllers"] = sorted(cid for cid, mode in controllers.items() if mode != wanted_controller)

    if phase in ("brokers", "kraft", "finalized") and not configured:
        problems.append(
            f"brokers run in {phase if phase != 'brokers' else 'migration'} mode but no controller is configured"
        )
    if phase == "finalized" and broker_counts["zookeeper"] + broker_counts["migration"]:
        problems.append(
            "the controllers left migration mode while brokers "
            f"{broker_counts['zookeeper'] + broker_counts['migration']} still run in ZooKeeper mode"
        )
    if phase == "kraft" and broker_counts["zookeeper"]:
        problems.append(f"brokers {broker_counts['zookeeper']} run in ZooKeeper mode beside brokers in KRaft mode")
    if phase == "none" and zookeeper.get("kraft_controller_epoch") is not None:
        problems.append("a KRaft controller holds ZooKeeper's /controller znode but no controller is configured")
    if phase == "none" and zookeeper.get("migration") is not None:
        problems.append(
            "ZooKeeper holds a /migration znode from an earlier migration attempt but no controller is configured"
        )
    return dict(
        phase=phase,
        complete=not lagging["brokers"] and not lagging["controllers"] and not unknown,
        migrated=migrated(zookeeper),
        lagging=lagging,
        unknown_brokers=unknown,
        problems=problems,
    )


def reset_plan(zookeeper, brokers, controllers):
    """``(refusal, {path: data})``: the znodes a rollback deletes (relative to the chroot), or why it must not.

    Only once every controller is ``absent`` (stopped, its configuration removed: a controller still running would
    take ``/controller`` back) and no broker runs in KRaft mode (such a broker has no ZooKeeper to fall back to).
    ``/controller`` is deleted only while a KRaft controller holds it; a ZooKeeper-mode controller's claim is left.
    """
    running = sorted(str(cid) for cid, mode in controllers.items() if mode != "absent")
    if running:
        return f"controllers {', '.join(running)} are still configured; stop and deprovision them first", {}
    kraft = sorted(bid for bid, mode in brokers.items() if mode == "kraft")
    if kraft:
        return f"brokers {kraft} run in KRaft mode; roll them back to migration mode first", {}
    paths = {}
    if zookeeper.get("kraft_controller_epoch") is not None:
        paths["/controller"] = dict(
            brokerid=zookeeper.get("controller_id"), kraftControllerEpoch=zookeeper["kraft_controller_epoch"]
        )
    if zookeeper.get("migration") is not None:
        paths["/migration"] = zookeeper["migration"]
    return None, paths


# ---------------------------------------------------------------------------
# Readers
# ---------------------------------------------------------------------------


def read_zookeeper_state(zk, chroot):
    """``zookeeper_state`` of the cluster under ``chroot``."""
    return zookeeper_state(
        read_znode(zk, zookeeper_path(chroot, "/cluster/id")),
        read_znode(zk, zookeeper_path(chroot, "/controller")),
        read_znode(zk, zookeeper_path(chroot, "/migration")),
    )


def read_broker_configs(admin, broker_ids, timeout):
    """``{broker id: {key: value}}``: each live broker's running configuration, from its own DescribeConfigs answer."""
    configs = {}
    for broker in broker_ids:
        with translate_errors(f"describe the configuration of broker {broker}"):
            resource = ConfigResource(ResourceType.BROKER, str(broker))
            entries = admin.describe_configs([resource], request_timeout=timeout)[resource].result()
        configs[broker] = {key: entry.value for key, entry in entries.items()}
    return configs


def read_cluster(module, zk):
    """``(zookeeper_state, {broker id: running configuration})``: what the migration modules read, ZooKeeper through
    ``zk`` and every live broker (``KafkaModule``'s admin client)."""
    zookeeper = read_zookeeper_state(zk, module.params["zookeeper_chroot"])
    admin = module.admin_client()
    live = [broker["id"] for broker in module.describe_cluster(admin)["brokers"]]
    return zookeeper, read_broker_configs(admin, live, module.params["request_timeout"])
