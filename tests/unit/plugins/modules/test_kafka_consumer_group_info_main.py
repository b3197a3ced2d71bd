# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_consumer_group_info main() against fake groups, offsets and topics (no network)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")

from confluent_kafka import ConsumerGroupState  # noqa: E402
from confluent_kafka import TopicPartition  # noqa: E402
from kafka_fakes import done  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.modules import kafka_consumer_group_info  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException

PASSWORD = "monitor-pw-31z"
SASL = dict(
    bootstrap_servers=["kafka-0:9093"],
    security_protocol="SASL_PLAINTEXT",
    sasl_mechanism="PLAIN",
    sasl_username="monitor",
    sasl_password=PASSWORD,
)


class GroupAdmin:
    """Groups ``{id: (state, members, {(topic, partition): committed})}``, ends ``{(topic, partition): end}``."""

    def __init__(self, groups, ends, topics, describe_error=None):
        self.groups = groups
        self.ends = ends
        self.topics = topics
        self.describe_error = describe_error
        self.offset_requests = 0
        self.list_offsets_calls = 0

    def describe_cluster(self, request_timeout):
        node = SimpleNamespace(id=0, host="kafka-0", port=9092, rack=None)
        return done(SimpleNamespace(cluster_id="cid", controller=node, nodes=[node]))

    def poll(self, timeout):
        return 0

    def list_consumer_groups(self, request_timeout):
        valid = [SimpleNamespace(group_id=g, state=state) for g, (state, _m, _o) in self.groups.items()]
        return done(SimpleNamespace(valid=valid, errors=[]))

    def describe_consumer_groups(self, group_ids, request_timeout):
        result = {}
        for group_id in group_ids:
            if self.describe_error is not None:
                result[group_id] = done(exception=KafkaException(self.describe_error))
                continue
            state, members, _offsets = self.groups.get(group_id, (ConsumerGroupState.DEAD, [], {}))
            result[group_id] = done(
                SimpleNamespace(
                    group_id=group_id,
                    is_simple_consumer_group=not members,
                    members=members,
                    partition_assignor="range" if members else "",
                    state=state,
                    coordinator=SimpleNamespace(id=1, host="kafka-1", port=9092),
                    type=SimpleNamespace(name="CLASSIC"),
                )
            )
        return result

    def list_consumer_group_offsets(self, requests, request_timeout):
        self.offset_requests += 1
        group_id = requests[0].group_id
        offsets = self.groups.get(group_id, (None, [], {}))[2]
        partitions = [TopicPartition(t, p, o) for (t, p), o in sorted(offsets.items())]
        return {group_id: done(SimpleNamespace(group_id=group_id, topic_partitions=partitions))}

    def list_offsets(self, request, isolation_level, request_timeout):
        self.list_offsets_calls += 1
        return {tp: done(SimpleNamespace(offset=self.ends[(tp.topic, tp.partition)])) for tp in request}

    def list_topics(self, timeout):
        return SimpleNamespace(
            topics={t: SimpleNamespace(partitions=dict.fromkeys(range(n)), error=None) for t, n in self.topics.items()}
        )


def member(member_id, client_id, partitions):
    return SimpleNamespace(
        member_id=member_id,
        client_id=client_id,
        host="/10.0.0.9",
        group_instance_id=None,
        assignment=SimpleNamespace(topic_partitions=[TopicPartition(t, p) for t, p in partitions]),
    )


MM2 = (
    ConsumerGroupState.STABLE,
    [member("m1", "mm2-0", [("orders", 0), ("orders", 1)]), member("m2", "mm2-1", [("orders", 2)])],
    {("orders", 0): 90, ("orders", 1): 100, ("orders", 2): 95},
)
BILLING = (ConsumerGroupState.EMPTY, [], {("payments", 0): 10})
ENDS = {("orders", 0): 100, ("orders", 1): 100, ("orders", 2): 100, ("payments", 0): 10, ("payments", 1): 4}
TOPICS = {"orders": 3, "payments": 2}


@pytest.fixture
def cluster(monkeypatch):
    def install(groups=None, ends=None, topics=None, **kwargs):
        groups = dict(groups or {"mm2-eu": MM2, "billing": BILLING})
        admin = GroupAdmin(groups, ENDS if ends is None else ends, TOPICS if topics is None else topics, **kwargs)
        monkeypatch.setattr(KafkaModule, "admin_client", lambda module: admin)
        return admin

    return install


@pytest.mark.parametrize("check_mode", [False, True])
def test_lag_per_partition_topic_and_group(run_module, cluster, check_mode):
    cluster()
    failed, result = run_module(kafka_consumer_group_info.main, dict(SASL, groups=["mm2-eu"]), check_mode)
    assert not failed
    assert result["changed"] is False
    assert result["missing"] == []
    group = result["groups"]["mm2-eu"]
    assert group["state"] == "stable"
    assert group["lag"] == 15
    assert group["unknown_lag_partitions"] == 0
    assert group["topics"]["orders"]["lag"] == 15
    assert [p["lag"] for p in group["topics"]["orders"]["partitions"]] == [10, 0, 5]
    assert group["topics"]["orders"]["partitions"][0] == dict(partition=0, committed_offset=90, end_offset=100, lag=10)
    assert [(m["client_id"], m["host"]) for m in group["members"]] == [("mm2-0", "10.0.0.9"), ("mm2-1", "10.0.0.9")]
    assert group["members"][0]["assignment"] == [dict(topic="orders", partition=0), dict(topic="orders", partition=1)]


def test_partition_without_commit_is_unknown(run_module, cluster):
    cluster()
    failed, result = run_module(kafka_consumer_group_info.main, dict(SASL, groups=["billing"]))
    assert not failed
    topic = result["groups"]["billing"]["topics"]["payments"]
    assert topic["lag"] == 0
    assert topic["unknown_lag_partitions"] == 1
    assert topic["partitions"][1] == dict(partition=1, committed_offset=None, end_offset=4, lag=None)


def test_all_groups_one_list_offsets_request(run_module, cluster):
    admin = cluster()
    failed, result = run_module(kafka_consumer_group_info.main, dict(SASL))
    assert not failed
    assert sorted(result["groups"]) == ["billing", "mm2-eu"]
    assert admin.offset_requests == 2
    assert admin.list_offsets_calls == 1


@pytest.mark.parametrize(
    "args, expected",
    [
        (dict(pattern="mm2-.*"), ["mm2-eu"]),
        (dict(pattern="mm2"), []),
        (dict(states=["Empty"]), ["billing"]),
        (dict(states=["stable", "EMPTY"]), ["billing", "mm2-eu"]),
        (dict(groups=["billing", "mm2-eu"], states=["stable"]), ["mm2-eu"]),
    ],
)
def test_filters(run_module, cluster, args, expected):
    cluster()
    failed, result = run_module(kafka_consumer_group_info.main, dict(SASL, **args))
    assert not failed
    assert sorted(result["groups"]) == expected


def test_missing_group_is_not_reported_as_zero_lag(run_module, cluster):
    cluster()
    failed, result = run_module(kafka_consumer_group_info.main, dict(SASL, groups=["mm2-eu", "nope"]))
    assert not failed
    assert result["missing"] == ["nope"]
    assert "nope" not in result["groups"]


def test_without_offsets(run_module, cluster):
    admin = cluster()
    failed, result = run_module(kafka_consumer_group_info.main, dict(SASL, groups=["mm2-eu"], include_offsets=False))
    assert not failed
    assert "lag" not in result["groups"]["mm2-eu"]
    assert "topics" not in result["groups"]["mm2-eu"]
    assert admin.offset_requests == admin.list_offsets_calls == 0


@pytest.mark.parametrize(
    "args, message",
    [
        (dict(states=["stabel"]), "unknown group state 'stabel'"),
        (dict(pattern="mm2-("), "pattern 'mm2-(' is not a valid regular expression"),
        (dict(groups=["a"], pattern="b"), "parameters are mutually exclusive: groups|pattern"),
        (dict(groups=[""]), "groups must not contain empty names"),
    ],
)
def test_bad_input(run_module, cluster, args, message):
    cluster()
    failed, result = run_module(kafka_consumer_group_info.main, dict(SASL, **args))
    assert failed
    assert message in result["msg"]


def test_describe_error(run_module, cluster):
    cluster(describe_error=KafkaError(KafkaError.GROUP_AUTHORIZATION_FAILED, "Group authorization failed"))
    failed, result = run_module(kafka_consumer_group_info.main, dict(SASL, groups=["mm2-eu"]))
    assert failed
    assert (
        result["msg"]
        == "Failed to describe consumer group mm2-eu: Group authorization failed (GROUP_AUTHORIZATION_FAILED)"
    )
    assert result["changed"] is False
    assert PASSWORD not in str(result)
