# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Kafka API calls of module_utils/kafka_reassign_io (tests needing the client libraries skip without them)."""

from __future__ import annotations

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_reassign_io as r


def test_config_batches_keep_the_order_and_send_each_broker_alone():
    changes = [("topic", "a", {}), ("topic", "b", {}), ("broker", "0", {}), ("broker", "1", {}), ("topic", "c", {})]
    assert r.config_batches(changes) == [
        [("topic", "a", {}), ("topic", "b", {})],
        [("broker", "0", {})],
        [("broker", "1", {})],
        [("topic", "c", {})],
    ]


def test_reassignment_api_answers():
    pytest.importorskip("kafka")
    # tests/unit (conftest.py's folder) is on sys.path.
    from reassign_fakes import FakeCluster  # pylint: disable=import-outside-toplevel
    from reassign_fakes import FakeReassignmentClient  # pylint: disable=import-outside-toplevel

    cluster = FakeCluster({"t": {"0": [0, 1], "1": [1, 2]}}, brokers=(0, 1, 2), complete=False)
    client = FakeReassignmentClient(cluster)
    moves = {"t": {0: {"from": [0, 1], "to": [2, 1]}, 1: {"from": [1, 2], "to": [1, 9]}}}
    outcome = r.start_reassignment(client, moves, 5)
    assert outcome == dict(
        started=["t-0"],
        failed={"t-1": "INVALID_REPLICATION_ASSIGNMENT (Replication assignment is invalid.), target [1, 9]"},
    )
    assert r.list_reassignments(client, 5) == {("t", 0): dict(replicas=[2, 1, 0], adding=[2], removing=[0])}
    assert r.cancel_reassignments(client, [("t", 0), ("t", 1), ("nope", 0)], 5) == dict(
        cancelled=["t-0"],
        not_moving=["t-1"],
        failed={
            "nope-0": "UNKNOWN_TOPIC_OR_PARTITION (This request is for a topic or partition that does not exist on "
            "this broker.)"
        },
    )
    assert cluster.partitions("t") == {"0": [1, 0], "1": [1, 2]}


def test_a_failed_request_names_the_error():
    errors = pytest.importorskip("kafka.errors")

    class Client:
        def list_partition_reassignments(self, timeout_ms):
            raise errors.ClusterAuthorizationFailedError("denied")

    with pytest.raises(r.KafkaOpsError) as error:
        r.list_reassignments(Client(), 5)
    assert str(error.value).startswith(
        "Failed to list the partition reassignments in progress: CLUSTER_AUTHORIZATION_FAILED (Returned by the broker"
    )
