# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""What kafka_topic_info returns: selection, partitions, health, config view."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from topic_fakes import partition

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_topic_info as ti

try:
    import confluent_kafka
except ImportError:
    confluent_kafka = None

# config_view names the sources with confluent_kafka's ConfigSource.
needs_confluent_kafka = pytest.mark.skipif(confluent_kafka is None, reason="needs confluent_kafka")


@pytest.mark.parametrize(
    "names, pattern, exclude_internal, expected",
    [
        (None, None, False, ["__consumer_offsets", "orders", "orders.eu", "payments"]),
        (None, None, True, ["orders", "orders.eu", "payments"]),
        (["payments", "nope"], None, False, ["payments"]),
        (None, r"orders\..*", False, ["orders.eu"]),
        (None, r"orders", False, ["orders"]),  # whole-name match
        (None, r"o.*", True, ["orders", "orders.eu"]),
    ],
)
def test_select_topics(names, pattern, exclude_internal, expected):
    available = ["orders", "payments", "orders.eu", "__consumer_offsets"]
    compiled = re.compile(pattern) if pattern else None
    assert ti.select_topics(available, names, compiled, exclude_internal) == expected


def test_topic_info_and_health_filter():
    md = SimpleNamespace(
        partitions={1: partition(-1, [1, 2], []), 0: partition(0, [0, 1], [0, 1]), 2: partition(2, [2, 0], [2])}
    )
    info = ti.topic_info("orders", md)
    assert info["partitions"] == 3
    assert info["replication_factor"] == 2
    assert info["under_replicated_partitions"] == 2
    assert info["offline_partitions"] == 1
    assert info["partition_details"][0] == dict(
        partition=0,
        leader=0,
        replicas=[0, 1],
        isr=[0, 1],
        offline=False,
        under_replicated=False,
        reassigning=False,
        adding_replicas=[],
        removing_replicas=[],
    )
    assert info["reassigning_partitions"] == 0
    assert info["partition_details"][1]["leader"] is None
    assert info["partition_details"][1]["offline"] is True
    healthy = ti.topic_info("ok", SimpleNamespace(partitions={0: partition(0, [0], [0])}))
    for flags, expect_unhealthy, expect_healthy in [
        ((False, False), True, True),
        ((True, False), True, False),
        ((False, True), True, False),
        ((True, True), True, False),
    ]:
        assert ti.health_filter(info, *flags) is expect_unhealthy
        assert ti.health_filter(healthy, *flags) is expect_healthy


def test_topic_info_of_a_moving_topic_counts_like_topic_command():
    # partition 0 moves from [0, 1] to [2, 1]: the metadata lists [2, 1, 0], broker 2 not caught up yet.
    md = SimpleNamespace(partitions={0: partition(1, [2, 1, 0], [1, 0]), 1: partition(1, [1, 2], [1, 2])})
    moving = {("orders", 0): dict(adding=[2], removing=[0])}
    info = ti.topic_info("orders", md, moving)
    assert info["replication_factor"] == 2
    assert info["under_replicated_partitions"] == 0
    assert info["reassigning_partitions"] == 1
    assert info["partition_details"][0]["adding_replicas"] == [2]
    assert info["partition_details"][0]["removing_replicas"] == [0]
    assert info["partition_details"][0]["reassigning"] is True
    # Without the reassignments every listed replica counts (as before Kafka 2.4).
    unknown = ti.topic_info("orders", md)
    assert unknown["replication_factor"] == 3
    assert unknown["under_replicated_partitions"] == 1


@pytest.mark.parametrize(
    "include_defaults, expected",
    [
        (False, dict(config={"retention.ms": "1"})),
        (
            True,
            dict(
                config={"retention.ms": "1", "segment.ms": "2"},
                config_sources={"retention.ms": "DYNAMIC_TOPIC_CONFIG", "segment.ms": "DEFAULT_CONFIG"},
            ),
        ),
    ],
)
@needs_confluent_kafka
def test_config_view(include_defaults, expected):
    assert ti.config_view({"segment.ms": ("2", 5), "retention.ms": ("1", 1)}, include_defaults) == expected
