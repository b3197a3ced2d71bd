# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_migration: the phase of a ZooKeeper-to-KRaft migration from ZooKeeper's znodes, the brokers' running
configuration and the controllers' configuration. The znode contents are the ones a Kafka 3.9.2 lab wrote (3 ZooKeeper
servers, 3 brokers, controllers 1001-1003) at each phase."""

from __future__ import annotations

import json

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_migration as km

CLUSTER = b'{"version":"1","id":"h8Bp3OhYSVaGEqr4L7mffQ"}'
ZK_CONTROLLER = b'{"version":2,"brokerid":2,"timestamp":"1796538356407","kraftControllerEpoch":-1}'
KRAFT_CONTROLLER = b'{"version":2,"brokerid":1003,"timestamp":"1796538412711","kraftControllerEpoch":3}'
MIGRATION_DONE = json.dumps(
    dict(
        version=0, kraft_metadata_offset=272, kraft_metadata_epoch=3, kraft_controller_id=1003, kraft_controller_epoch=3
    )
).encode()
MIGRATION_STARTED = json.dumps(dict(version=0, kraft_metadata_offset=-1, kraft_metadata_epoch=-1)).encode()
CONTROLLERS = {1001: "migration", 1002: "migration", 1003: "migration"}
ABSENT = {1001: "absent", 1002: "absent", 1003: "absent"}


def zk(controller=ZK_CONTROLLER, migration=None):
    return km.zookeeper_state(CLUSTER, controller, migration)


def test_zookeeper_state_reads_the_cluster_id_and_who_controls():
    state = zk()
    assert state == dict(
        cluster_id="h8Bp3OhYSVaGEqr4L7mffQ", controller_id=2, kraft_controller_epoch=None, migration=None
    )
    state = zk(KRAFT_CONTROLLER, MIGRATION_DONE)
    assert state["controller_id"] == 1003
    assert state["kraft_controller_epoch"] == 3
    assert km.migrated(state)
    assert not km.migrated(zk(KRAFT_CONTROLLER, MIGRATION_STARTED))
    assert km.zookeeper_state(None, None, b"not json") == dict(
        cluster_id=None, controller_id=None, kraft_controller_epoch=None, migration=None
    )


@pytest.mark.parametrize(
    "configs, mode",
    [
        ({"process.roles": "broker", "zookeeper.metadata.migration.enable": None}, "kraft"),
        ({"process.roles": None, "zookeeper.metadata.migration.enable": "true"}, "migration"),
        ({"process.roles": "", "zookeeper.metadata.migration.enable": "false"}, "zookeeper"),
        ({}, "zookeeper"),
    ],
)
def test_broker_mode(configs, mode):
    assert km.broker_mode(configs) == mode


def test_a_zookeeper_cluster_without_controllers_is_not_migrating():
    state = km.migration_phase(zk(), {0: "zookeeper", 1: "zookeeper", 2: "zookeeper"}, {})
    assert state["phase"] == "none"
    assert state["complete"]
    assert state["problems"] == []
    assert km.migration_phase(zk(), {0: "zookeeper"}, ABSENT)["phase"] == "none"


def test_each_phase_when_every_node_reached_it():
    brokers = {0: "zookeeper", 1: "zookeeper", 2: "zookeeper"}
    assert km.migration_phase(zk(), brokers, CONTROLLERS)["phase"] == "controllers"
    state = km.migration_phase(zk(KRAFT_CONTROLLER, MIGRATION_DONE), dict.fromkeys(brokers, "migration"), CONTROLLERS)
    assert (state["phase"], state["complete"], state["migrated"]) == ("brokers", True, True)
    state = km.migration_phase(zk(KRAFT_CONTROLLER, MIGRATION_DONE), dict.fromkeys(brokers, "kraft"), CONTROLLERS)
    assert (state["phase"], state["complete"]) == ("kraft", True)
    state = km.migration_phase(
        zk(KRAFT_CONTROLLER, MIGRATION_DONE), dict.fromkeys(brokers, "kraft"), dict.fromkeys(CONTROLLERS, "kraft")
    )
    assert (state["phase"], state["complete"], state["problems"]) == ("finalized", True, [])


def test_a_phase_left_half_way_is_the_furthest_one_with_the_nodes_behind():
    state = km.migration_phase(
        zk(KRAFT_CONTROLLER, MIGRATION_DONE), {0: "kraft", 1: "migration", 2: "migration"}, CONTROLLERS
    )
    assert state["phase"] == "kraft"
    assert not state["complete"]
    assert state["lagging"] == dict(brokers=[1, 2], controllers=[])
    assert state["problems"] == []
    state = km.migration_phase(zk(), {0: "migration", 1: "zookeeper", 2: None}, {1001: "migration", 1002: "absent"})
    assert state["phase"] == "brokers"
    assert state["lagging"] == dict(brokers=[1, 2], controllers=[1002])
    assert state["unknown_brokers"] == [2]
    assert not state["complete"]
    state = km.migration_phase(
        zk(KRAFT_CONTROLLER, MIGRATION_DONE),
        dict.fromkeys(range(3), "kraft"),
        {1001: "kraft", 1002: "migration", 1003: "migration"},
    )
    assert (state["phase"], state["lagging"]["controllers"]) == ("finalized", [1002, 1003])


def test_states_no_phase_explains_are_named():
    state = km.migration_phase(zk(KRAFT_CONTROLLER, MIGRATION_DONE), {0: "migration"}, ABSENT)
    assert state["problems"] == ["brokers run in migration mode but no controller is configured"]
    state = km.migration_phase(zk(), {0: "zookeeper", 1: "kraft"}, CONTROLLERS)
    assert state["problems"] == ["brokers [0] run in ZooKeeper mode beside brokers in KRaft mode"]
    state = km.migration_phase(zk(), {0: "migration"}, {1001: "kraft"})
    assert state["problems"] == ["the controllers left migration mode while brokers [0] still run in ZooKeeper mode"]
    state = km.migration_phase(zk(KRAFT_CONTROLLER, MIGRATION_DONE), {0: "zookeeper"}, ABSENT)
    assert state["phase"] == "none"
    assert len(state["problems"]) == 2


def test_the_rollback_deletes_the_kraft_controllers_claims_only_once_they_are_gone():
    state = zk(KRAFT_CONTROLLER, MIGRATION_DONE)
    refusal, paths = km.reset_plan(state, {0: "migration", 1: "migration"}, CONTROLLERS)
    assert refusal == "controllers 1001, 1002, 1003 are still configured; stop and deprovision them first"
    assert paths == {}
    refusal, paths = km.reset_plan(state, {0: "migration", 1: "kraft"}, ABSENT)
    assert refusal == "brokers [1] run in KRaft mode; roll them back to migration mode first"
    refusal, paths = km.reset_plan(state, {0: "migration", 1: "migration"}, ABSENT)
    assert refusal is None
    assert paths["/controller"] == dict(brokerid=1003, kraftControllerEpoch=3)
    assert paths["/migration"]["kraft_metadata_offset"] == 272
    # Once a broker became the controller again and /migration is gone, there is nothing left to do.
    assert km.reset_plan(zk(), {0: "zookeeper"}, ABSENT) == (None, {})
