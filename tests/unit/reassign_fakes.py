# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""An in-memory ZooKeeper, controller and AdminClient for the kafka_reassign module tests
(importable: conftest.py's folder is on sys.path)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")
kazoo_exceptions = pytest.importorskip("kazoo.exceptions")

from confluent_kafka.admin import AlterConfigOpType  # noqa: E402
from confluent_kafka.admin import ConfigSource  # noqa: E402
from confluent_kafka.admin import ResourceType  # noqa: E402
from kafka_fakes import done  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException


REASSIGN = "/kafka/admin/reassign_partitions"
MARKER = "/kafka/kafkaops/reassignment"
RATE_KEYS = ("leader.replication.throttled.rate", "follower.replication.throttled.rate")
REPLICA_KEYS = ("leader.replication.throttled.replicas", "follower.replication.throttled.replicas")
ON_THREE = {"0": [0, 1], "1": [1, 2], "2": [2, 0], "3": [0, 2], "4": [1, 0], "5": [2, 1]}


def topic_znode(partitions, adding=None, removing=None):
    return json.dumps(
        dict(
            version=3,
            topic_id="x",
            partitions=partitions,
            adding_replicas=adding or {},
            removing_replicas=removing or {},
        )
    ).encode()


class FakeZooKeeper:
    """Znodes in a dict, and a controller that completes a reassignment after ``delay`` reads of its znode."""

    def __init__(self, topics, delay=2, complete=True):
        self.nodes = {"/kafka/brokers/topics": b"", "/kafka/admin": b""}
        for name, partitions in topics.items():
            self.nodes[f"/kafka/brokers/topics/{name}"] = topic_znode(partitions)
        self.delay = delay
        self.complete = complete
        self.reads = 0
        self.created = []
        self.deleted = []

    def get(self, path):
        if path not in self.nodes:
            raise kazoo_exceptions.NoNodeError(path)
        if path == REASSIGN:
            self.reads += 1
            if self.complete and self.reads >= self.delay:
                self.finish()
                raise kazoo_exceptions.NoNodeError(path)
        return self.nodes[path], None

    def get_children(self, path):
        if path not in self.nodes:
            raise kazoo_exceptions.NoNodeError(path)
        prefix = path.rstrip("/") + "/"
        return sorted({p[len(prefix) :].split("/")[0] for p in self.nodes if p.startswith(prefix)})

    def delete(self, path):
        if path not in self.nodes:
            raise kazoo_exceptions.NoNodeError(path)
        del self.nodes[path]
        self.deleted.append(path)

    def create(self, path, value=b"", acl=None, makepath=False):
        if path in self.nodes:
            raise kazoo_exceptions.NodeExistsError(path)
        self.nodes[path] = value
        self.created.append((path, json.loads(value), acl))
        if path == REASSIGN:
            self.reads = 0
            for entry in json.loads(value)["partitions"]:
                self.update_topic(entry["topic"], str(entry["partition"]), entry["replicas"], moving=True)

    def update_topic(self, topic, partition, replicas, moving):
        path = f"/kafka/brokers/topics/{topic}"
        state = json.loads(self.nodes[path])
        current = state["partitions"][partition]
        if moving:
            state["partitions"][partition] = replicas + [b for b in current if b not in replicas]
            state["adding_replicas"][partition] = [b for b in replicas if b not in current]
            state["removing_replicas"][partition] = [b for b in current if b not in replicas]
        else:
            state["partitions"][partition] = replicas
            state["adding_replicas"].pop(partition, None)
            state["removing_replicas"].pop(partition, None)
        self.nodes[path] = json.dumps(state).encode()

    def finish(self):
        for entry in json.loads(self.nodes.pop(REASSIGN))["partitions"]:
            self.update_topic(entry["topic"], str(entry["partition"]), entry["replicas"], moving=False)

    def partitions(self, topic):
        return json.loads(self.nodes[f"/kafka/brokers/topics/{topic}"])["partitions"]

    def broker_config(self, broker):
        data = self.nodes.get(f"/kafka/config/brokers/{broker}")
        return json.loads(data)["config"] if data else {}


class FakeAdmin:
    """Broker configs live in the fake ZooKeeper (as in a ZooKeeper-mode cluster), topic configs here."""

    def __init__(self, zk, brokers=(0, 1, 2, 3), racks=None, fail_alter=None):
        self.zk = zk
        self.brokers = brokers
        self.racks = racks or {}
        self.fail_alter = fail_alter
        self.topic_configs = {}
        self.alter_calls = []
        self.elections = []

    def describe_cluster(self, request_timeout, include_authorized_operations=False):
        nodes = [SimpleNamespace(id=b, host=f"kafka-{b}", port=9092, rack=self.racks.get(b)) for b in self.brokers]
        return done(SimpleNamespace(cluster_id="cid", controller=nodes[0], nodes=nodes))

    def poll(self, timeout):
        return 0

    def describe_configs(self, resources, request_timeout):
        result = {}
        for resource in resources:
            config = self.topic_configs.get(resource.name, {})
            entries = {
                key: SimpleNamespace(
                    value=config.get(key, ""),
                    source=(ConfigSource.DYNAMIC_TOPIC_CONFIG if key in config else ConfigSource.DEFAULT_CONFIG).value,
                )
                for key in REPLICA_KEYS
            }
            result[resource] = done(entries)
        return result

    def incremental_alter_configs(self, resources, request_timeout):
        brokers = [r for r in resources if r.restype == ResourceType.BROKER]
        if len(brokers) > 1:  # librdkafka refuses this
            error = KafkaException(KafkaError(KafkaError._CONFLICT, "Only one ConfigResource of type BROKER"))
            return {r: done(exception=error) for r in resources}
        result = {}
        for resource in resources:
            changes = {
                e.name: (e.value if e.incremental_operation == AlterConfigOpType.SET else None)
                for e in resource.incremental_configs
            }
            self.alter_calls.append((resource.restype.name.lower(), resource.name, changes))
            if self.fail_alter and self.fail_alter(resource, changes):
                result[resource] = done(exception=KafkaException(KafkaError(KafkaError.POLICY_VIOLATION, "refused")))
                continue
            if resource.restype == ResourceType.BROKER and int(resource.name) not in self.brokers:
                # As a real cluster: the request has to go to that broker, which is down.
                error = KafkaError(KafkaError._TRANSPORT, f"broker {resource.name} is not available")
                result[resource] = done(exception=KafkaException(error))
                continue
            if resource.restype == ResourceType.BROKER:
                config = self.zk.broker_config(resource.name)
                path = f"/kafka/config/brokers/{resource.name}"

                def store(c, path=path):
                    self.zk.nodes[path] = json.dumps(dict(version=1, config=c)).encode()

            else:
                config = self.topic_configs.setdefault(resource.name, {})

                def store(c):
                    return None

            for key, value in changes.items():
                if value is None:
                    config.pop(key, None)
                else:
                    config[key] = value
            store(config)
            result[resource] = done()
        return result

    def elect_leaders(self, election_type, partitions):
        self.elections.append([(tp.topic, tp.partition) for tp in partitions])
        errors = {}
        for i, tp in enumerate(partitions):
            errors[tp] = None if i == 0 else KafkaError(KafkaError.ELECTION_NOT_NEEDED, "not needed")
        return done(errors)

    def throttles(self):
        """Every throttle config still set, in ZooKeeper (brokers) or on topics."""
        found = {}
        for broker in self.brokers:
            config = {k: v for k, v in self.zk.broker_config(broker).items() if k in RATE_KEYS}
            if config:
                found[f"broker {broker}"] = config
        for topic, config in self.topic_configs.items():
            config = {k: v for k, v in config.items() if k in REPLICA_KEYS}
            if config:
                found[f"topic {topic}"] = config
        return found
