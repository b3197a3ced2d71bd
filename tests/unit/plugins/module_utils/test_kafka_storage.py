# -*- coding: utf-8 -*-
# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils/kafka_storage: reading a KRaft node's directories, the refusals and the format arguments."""

from __future__ import annotations

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_storage as storage

CID = "q1Sh-9_nRYeXJbQxHmzE0w"
CONTROLLER = {
    "process.roles": "controller",
    "node.id": "1001",
    "log.dirs": "/var/lib/kafka/metadata",
    "controller.quorum.bootstrap.servers": "c0:9097,c1:9097,c2:9097",
}
BROKER = {"process.roles": "broker", "node.id": "2", "log.dirs": "/d1,/d2", "metadata.log.dir": "/meta"}
INITIAL = [{"id": 1002, "host": "c1", "port": 9097}, {"id": 1001, "host": "c0", "port": 9097}]


def params(**kw):
    out = {"cluster_id": CID, "initial_controllers": [], "scram_credentials": [], "release_version": None}
    out.update(kw)
    return out


def formatted(path, cluster_id=CID, node="1001"):
    return {
        "path": path,
        "exists": True,
        "meta": {"cluster.id": cluster_id, "node.id": node},
        "metadata_log_started": False,
    }


def empty(path):
    return {"path": path, "exists": True, "meta": None, "metadata_log_started": False}


def test_parse_properties_skips_comments_and_unescapes():
    text = "#\n#Fri Dec 04\nnode.id=1001\ncluster.id=abc\n! other comment\nurl=http\\://x\\=1\n"
    assert storage.parse_properties(text) == {"node.id": "1001", "cluster.id": "abc", "url": "http://x=1"}


def test_node_layout_of_a_broker_lists_log_dirs_and_the_metadata_dir():
    layout = storage.node_layout(BROKER)
    assert layout["roles"] == ["broker"]
    assert layout["node_id"] == 2
    assert layout["directories"] == ["/d1", "/d2", "/meta"]


def test_node_layout_without_metadata_dir_uses_the_first_log_dir():
    assert storage.node_layout({"process.roles": "broker", "node.id": "1", "log.dirs": "/a,/b"})["directories"] == [
        "/a",
        "/b",
    ]


def test_read_directory(tmp_path):
    assert storage.read_directory(str(tmp_path / "missing"))["exists"] is False
    (tmp_path / "meta.properties").write_text("cluster.id=" + CID + "\nnode.id=3\n")
    segment_dir = tmp_path / storage.METADATA_PARTITION
    segment_dir.mkdir()
    (segment_dir / "00000000000000000000.log").write_bytes(b"")
    entry = storage.read_directory(str(tmp_path))
    assert entry["meta"]["cluster.id"] == CID
    assert entry["metadata_log_started"] is False  # an empty segment: never written to
    (segment_dir / "00000000000000000000.log").write_bytes(b"x")
    assert storage.read_directory(str(tmp_path))["metadata_log_started"] is True


def test_directory_id_is_stable_per_cluster_and_node_and_kafka_shaped():
    first = storage.directory_id(CID, 1001)
    assert first == storage.directory_id(CID, 1001)
    assert first != storage.directory_id(CID, 1002)
    assert first != storage.directory_id("another-cluster-id-xx", 1001)
    assert len(first) == 22 and not first.startswith("-")


def test_initial_controllers_arg_sorts_by_node_id():
    arg = storage.initial_controllers_arg(CID, INITIAL)
    assert arg == f"1001@c0:9097:{storage.directory_id(CID, 1001)},1002@c1:9097:{storage.directory_id(CID, 1002)}"


@pytest.mark.parametrize(
    ("kw", "properties", "fragment"),
    [
        ({"cluster_id": "short"}, CONTROLLER, "is not a Kafka cluster id"),
        (
            {"scram_credentials": [{"name": "admin", "password": "a,b", "mechanism": "SCRAM-SHA-512"}]},
            CONTROLLER,
            "password of admin",
        ),
        (
            {"scram_credentials": [{"name": "ad min", "password": "secret12", "mechanism": "SCRAM-SHA-512"}]},
            CONTROLLER,
            "user name",
        ),
        (
            {"scram_credentials": [{"name": "admin", "password": "secret12", "mechanism": "PLAIN"}]},
            CONTROLLER,
            "mechanism",
        ),
        ({"initial_controllers": INITIAL}, BROKER, "only for controllers"),
        ({"initial_controllers": INITIAL}, dict(CONTROLLER, **{"controller.quorum.voters": "1001@c0:9097"}), "static"),
        ({"initial_controllers": INITIAL[:1]}, CONTROLLER, "not one of initial_controllers"),
        ({}, {"log.dirs": "/x"}, "no process.roles"),
    ],
)
def test_validate_refuses(kw, properties, fragment):
    errors = storage.validate(params(**kw), storage.node_layout(properties))
    assert any(fragment in e for e in errors), errors


def test_validate_accepts_a_good_request():
    assert storage.validate(params(initial_controllers=INITIAL), storage.node_layout(CONTROLLER)) == []


def test_plan_refuses_another_clusters_and_another_nodes_directory():
    layout = storage.node_layout(BROKER)
    refusals, todo = storage.plan(
        CID, layout, [formatted("/d1", "other-cluster-id-abcde", "2"), formatted("/d2", CID, "7"), empty("/meta")]
    )
    assert len(refusals) == 2
    assert "formatted for cluster other-cluster-id-abcde" in refusals[0] and "never reformatted" in refusals[0]
    assert "belongs to node 7" in refusals[1]
    assert todo == ["/meta"]


def test_plan_read_only_refuses_nothing_for_another_cluster():
    refusals, todo = storage.plan(None, storage.node_layout(BROKER), [formatted("/d1", "x" * 22, "2"), empty("/d2")])
    assert refusals == [] and todo == ["/d2"]


def test_format_args_of_a_new_dynamic_quorum_controller():
    cred = [{"name": "admin", "password": "lab-admin-secret", "mechanism": "SCRAM-SHA-512"}]
    args = storage.format_args(
        params(initial_controllers=INITIAL, scram_credentials=cred), storage.node_layout(CONTROLLER), "/etc/kafka/s.p"
    )
    assert args[:7] == [
        "format",
        "--config",
        "/etc/kafka/s.p",
        "--cluster-id",
        CID,
        "--ignore-formatted",
        "--add-scram",
    ]
    assert args[7] == "SCRAM-SHA-512=[name=admin,password=lab-admin-secret]"
    assert args[8] == "--initial-controllers"


def test_format_args_of_a_joining_controller_and_of_a_broker():
    joining = storage.format_args(params(), storage.node_layout(CONTROLLER), "c")
    assert joining[-1] == "--no-initial-controllers"
    static = storage.format_args(
        params(), storage.node_layout(dict(CONTROLLER, **{"controller.quorum.voters": "1001@c0:9097"})), "c"
    )
    assert "--no-initial-controllers" not in static
    broker = storage.format_args(
        params(scram_credentials=[{"name": "a", "password": "b", "mechanism": "SCRAM-SHA-512"}]),
        storage.node_layout(BROKER),
        "c",
    )
    assert broker == ["format", "--config", "c", "--cluster-id", CID, "--ignore-formatted"]


def test_argfile_quotes_every_argument():
    assert storage.argfile(["-cp", "/opt/kafka/libs/*", 'pa"ss\\w']) == '"-cp"\n"/opt/kafka/libs/*"\n"pa\\"ss\\\\w"\n'


@pytest.mark.parametrize(
    ("text", "main"),
    [
        ('exec "$bin/kafka-run-class.sh" kafka.tools.StorageTool "$@"\n', "kafka.tools.StorageTool"),
        ('exec $(dirname $0)/kafka-run-class.sh kafka.tools.StorageTool "$@"\n', "kafka.tools.StorageTool"),
        ("echo nothing\n", None),
    ],
)
def test_storage_main_class(text, main):
    assert storage.storage_main_class(text) == main


def test_summary_reports_one_cluster_id_or_none():
    layout = storage.node_layout(BROKER)
    one = storage.summary(layout, [formatted("/d1", CID, "2"), empty("/d2")])
    assert one["cluster_id"] == CID and one["formatted"] is False
    two = storage.summary(layout, [formatted("/d1", CID, "2"), formatted("/d2", "y" * 22, "2")])
    assert two["cluster_id"] is None and two["cluster_ids"] == sorted([CID, "y" * 22])
