# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_features main() against a fake KRaft cluster that answers like Kafka 4.3.1 (kraft_fakes)."""

from __future__ import annotations

import pytest

pytest.importorskip("kafka")

from kraft_fakes import CONNECTION  # noqa: E402
from kraft_fakes import kraft_cluster_installer  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.modules import kafka_features  # noqa: E402

RELEASE_4_3 = {"metadata.version": 30, "kraft.version": 1, "group.version": 1, "transaction.version": 2}


@pytest.fixture
def cluster(monkeypatch):
    return kraft_cluster_installer(monkeypatch)


def run(run_module, check_mode=False, diff=False, **args):
    return run_module(kafka_features.main, dict(CONNECTION, **args), check_mode=check_mode, diff=diff)


def updates(fake):
    return [(r[1], r[2]) for r in fake.requests if r[0] == "UpdateFeatures"]


def test_upgrades_in_one_request_then_is_idempotent(run_module, cluster):
    fake = cluster()
    failed, result = run(run_module, features=RELEASE_4_3, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["actions"] == [
        "group.version: 0 -> 1",
        "kraft.version: 0 -> 1",
        "metadata.version: 21 -> 30",
        "transaction.version: 0 -> 2",
    ]
    assert result["features"]["metadata.version"] == 30
    assert result["features"]["eligible.leader.replicas.version"] == 0
    assert result["diff"]["before"]["features"]["metadata.version"] == 21
    assert result["diff"]["after"]["features"] == result["features"]
    assert result["supported"]["metadata.version"] == {"min": 7, "max": 30}
    assert updates(fake) == [(RELEASE_4_3, False)]

    failed, result = run(run_module, features=RELEASE_4_3)
    assert not failed
    assert result["changed"] is False
    assert result["actions"] == []
    assert len(updates(fake)) == 1  # nothing sent the second time


def test_check_mode_validates_with_the_controller_and_changes_nothing(run_module, cluster):
    fake = cluster()
    failed, result = run(run_module, features={"metadata.version": 30}, check_mode=True, diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["features"]["metadata.version"] == 30
    assert result["diff"]["before"]["features"]["metadata.version"] == 21
    assert updates(fake) == [({"metadata.version": 30}, True)]
    assert fake.features["metadata.version"][0] == 21


def test_a_node_on_the_old_version_makes_kafka_refuse_and_nothing_changes(run_module, cluster):
    fake = cluster(node_max_levels={"metadata.version": 21})
    for check_mode in (True, False):
        failed, result = run(run_module, features={"metadata.version": 30}, check_mode=check_mode)
        assert failed
        assert result["changed"] is False
        assert "Broker 2 only supports versions 0-21" in result["msg"]
    assert fake.features["metadata.version"][0] == 21


def test_a_downgrade_an_unknown_feature_and_a_level_above_support_refuse_the_whole_request(run_module, cluster):
    fake = cluster(features={"metadata.version": (30, 7, 30), "kraft.version": (0, 0, 1)})
    failed, result = run(
        run_module, features={"metadata.version": 27, "kraft.version": 2, "share.version": 1, "group.version": 1}
    )
    assert failed
    assert result["changed"] is False
    assert result["msg"] == (
        "Refusing to update the features, nothing was changed: the cluster knows no feature group.version (it knows "
        "kraft.version, metadata.version); kraft.version level 2 is above what the node that answered supports (0-1): "
        "upgrade every node's Kafka first; metadata.version is at level 30: level 27 would be a downgrade, which "
        "this module does not do; the cluster knows no feature share.version (it knows kraft.version, "
        "metadata.version)"
    )
    assert updates(fake) == []


def test_bad_levels_are_refused_before_connecting(run_module, cluster):
    fake = cluster()
    failed, result = run(run_module, features={"metadata.version": "latest", "kraft.version": 0}, timeout=0)
    assert failed
    assert result["msg"] == (
        "Invalid request, nothing was changed: the level of kraft.version must be 1 or more, got 0; the level of "
        "metadata.version must be a whole number, got 'latest'; timeout must be greater than 0, got 0"
    )
    assert fake.requests == []


def test_reads_only_without_features(run_module, cluster):
    fake = cluster()
    failed, result = run(run_module)
    assert not failed
    assert result["changed"] is False
    assert result["features"]["metadata.version"] == 21
    assert updates(fake) == []


def test_a_zookeeper_cluster_is_refused(run_module, cluster):
    cluster(mode="zookeeper")
    failed, result = run(run_module, features={"metadata.version": 30})
    assert failed
    assert result["metadata_mode"] == "zookeeper"
    assert "feature levels are finalized by KRaft controllers" in result["msg"]
