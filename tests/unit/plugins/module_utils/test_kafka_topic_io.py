# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Topics through the AdminClient: reading configurations, what succeeded, settling.

The tests that build client errors skip without confluent_kafka.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from kafka_fakes import done
from topic_fakes import partition
from topic_fakes import public

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_topic_io as tio
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError

try:
    from confluent_kafka import KafkaError
    from confluent_kafka import KafkaException
except ImportError:
    KafkaError = KafkaException = None

needs_confluent_kafka = pytest.mark.skipif(KafkaError is None, reason="needs confluent_kafka")


def test_done_actions_keeps_what_succeeded():
    plan = {
        "a": [dict(action="create", partitions=1, replication_factor=1, config={})],
        "b": [dict(action="add_partitions", before=1, partitions=2), dict(action="set_config", key="k", value="v")],
        "c": [dict(action="delete")],
    }
    done = [("a", "create"), ("b", "alter")]
    assert tio.done_actions(plan, done) == {"a": plan["a"], "b": [plan["b"][1]], "c": []}


def test_topics_settled():
    md = SimpleNamespace(
        topics={
            "ready": SimpleNamespace(partitions={0: partition(0, [0], [0])}, error=None),
            "leaderless": SimpleNamespace(partitions={0: partition(-1, [0], [])}, error=None),
        }
    )
    expected = {"ready": public(1, 1), "leaderless": public(1, 1), "gone": None, "deleting": None}
    states = {"ready": public(1, 1), "leaderless": public(1, 1), "gone": None, "deleting": None}
    assert tio.topics_settled(md, states, expected, deleting=["deleting"]) == ["leaderless", "deleting"]
    assert tio.topics_settled(md, dict(states, ready=public(2, 1)), {"ready": public(1, 1)}) == ["ready"]


@pytest.mark.parametrize(
    "expected, unsettled",
    [
        ({"ready": {"partitions": 2}}, []),
        ({"ready": {"partitions": 3}}, ["ready"]),  # a partition still missing
        ({"leaderless": {"partitions": 1}}, ["leaderless"]),
        ({"missing": {"partitions": 1}}, ["missing"]),
        ({"ready": None}, ["ready"]),  # deleted but still listed
        ({"missing": None}, []),
    ],
)
def test_metadata_unsettled(expected, unsettled):
    metadata = SimpleNamespace(
        topics={
            "ready": SimpleNamespace(
                error=None,
                partitions={0: SimpleNamespace(leader=1, replicas=[1]), 1: SimpleNamespace(leader=2, replicas=[2])},
            ),
            "leaderless": SimpleNamespace(error=None, partitions={0: SimpleNamespace(leader=-1, replicas=[1])}),
        }
    )
    assert tio.metadata_unsettled(metadata, expected) == unsettled


def entry(value, source):
    return SimpleNamespace(value=value, source=source)


class ConfigAdmin:
    def __init__(self, configs, missing=()):
        self.configs = configs
        self.missing = missing
        self.requests = []

    def describe_configs(self, resources, request_timeout):
        self.requests.append([r.name for r in resources])
        result = {}
        for resource in resources:
            if resource.name in self.missing:
                err = KafkaError(KafkaError.UNKNOWN_TOPIC_OR_PART, "gone")
                result[resource] = done(exception=KafkaException(err))
            else:
                result[resource] = done(self.configs[resource.name])
        return result


@needs_confluent_kafka
def test_describe_topic_configs_batches_and_skips_deleted_topics():
    names = [f"t{i}" for i in range(5)]
    configs = {name: {"retention.ms": entry("1", 1), "segment.ms": entry("2", 5)} for name in names}
    admin = ConfigAdmin(configs, missing=("t3",))
    found = tio.describe_topic_configs(admin, names, 10, 2)
    assert admin.requests == [["t0", "t1"], ["t2", "t3"], ["t4"]]
    assert sorted(found) == ["t0", "t1", "t2", "t4"]
    assert found["t0"] == {"retention.ms": ("1", 1), "segment.ms": ("2", 5)}


@needs_confluent_kafka
def test_describe_topic_configs_reports_other_errors_per_topic():
    class Denied(ConfigAdmin):
        def describe_configs(self, resources, request_timeout):
            err = KafkaError(KafkaError.TOPIC_AUTHORIZATION_FAILED, "Topic authorization failed")
            return {r: done(exception=KafkaException(err)) for r in resources}

    with pytest.raises(KafkaOpsError) as info:
        tio.describe_topic_configs(Denied({}), ["a"], 10, 10)
    assert str(info.value) == (
        "Failed to read the configuration of topic a: Topic authorization failed (TOPIC_AUTHORIZATION_FAILED)"
    )
