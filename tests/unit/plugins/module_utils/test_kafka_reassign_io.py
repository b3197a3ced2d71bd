# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The ZooKeeper and AdminClient calls of module_utils/kafka_reassign_io (tests needing kazoo skip without it)."""

from __future__ import annotations

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_reassign_io as r


def test_config_batches_send_each_broker_alone():
    changes = [("broker", "0", {}), ("topic", "a", {}), ("broker", "1", {}), ("topic", "b", {})]
    assert r.config_batches(changes) == [
        [("broker", "0", {})],
        [("broker", "1", {})],
        [("topic", "a", {}), ("topic", "b", {})],
    ]


class ZooKeeper:
    """Znodes in a dict; records the paths read."""

    def __init__(self, nodes):
        self.nodes = nodes
        self.reads = []

    def get(self, path):
        self.reads.append(path)
        if path not in self.nodes:
            raise pytest.importorskip("kazoo.exceptions").NoNodeError(path)
        return self.nodes[path], None


def test_one_read_loop_for_topics_and_broker_configs():
    pytest.importorskip("kazoo.exceptions")
    zk = ZooKeeper(
        {
            "/kafka/brokers/topics/a": b'{"partitions":{"0":[1,2]},"adding_replicas":{"0":[2]}}',
            "/kafka/config/brokers/1": b'{"config":{"leader.replication.throttled.rate":"100","other":"x"}}',
        }
    )
    assert r.read_znodes(zk, "/kafka", "/brokers/topics", ["a", "gone"]) == {
        "a": ("/kafka/brokers/topics/a", zk.nodes["/kafka/brokers/topics/a"]),
        "gone": ("/kafka/brokers/topics/gone", None),
    }
    # A topic that disappeared meanwhile is left out; a broker without dynamic config has no throttle.
    assert r.read_topic_states(zk, "/kafka", ["a", "gone"]) == {
        "a": dict(partitions={0: [1, 2]}, adding={0: [2]}, removing={})
    }
    assert r.read_broker_throttles(zk, "/kafka", [1, 2]) == {1: {"leader.replication.throttled.rate": "100"}, 2: {}}
    assert zk.reads[-2:] == ["/kafka/config/brokers/1", "/kafka/config/brokers/2"]


def test_broker_config_with_invalid_json_names_the_znode():
    pytest.importorskip("kazoo.exceptions")
    zk = ZooKeeper({"/config/brokers/0": b"{nope"})
    with pytest.raises(r.KafkaOpsError) as error:
        r.read_broker_throttles(zk, "", [0])
    assert "Failed to parse /config/brokers/0: invalid JSON" in str(error.value)
