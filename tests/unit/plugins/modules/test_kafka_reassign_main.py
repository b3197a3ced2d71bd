# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""kafka_reassign main() against an in-memory ZooKeeper, controller and AdminClient (no network)."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

confluent_kafka = pytest.importorskip("confluent_kafka")
kazoo_exceptions = pytest.importorskip("kazoo.exceptions")

from kafka_fakes import done  # noqa: E402
from reassign_fakes import MARKER  # noqa: E402
from reassign_fakes import ON_THREE  # noqa: E402
from reassign_fakes import RATE_KEYS  # noqa: E402
from reassign_fakes import REASSIGN  # noqa: E402
from reassign_fakes import FakeAdmin  # noqa: E402
from reassign_fakes import FakeZooKeeper  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.modules import kafka_reassign  # noqa: E402

KafkaError = confluent_kafka.KafkaError
KafkaException = confluent_kafka.KafkaException


@pytest.fixture
def cluster(monkeypatch):
    holder = {}

    def install(topics=None, brokers=(0, 1, 2, 3), racks=None, fail_alter=None, **zk_options):
        zk = FakeZooKeeper(topics if topics is not None else {"orders": dict(ON_THREE)}, **zk_options)
        admin = FakeAdmin(zk, brokers=brokers, racks=racks, fail_alter=fail_alter)
        monkeypatch.setattr(KafkaModule, "admin_client", lambda module: admin)
        monkeypatch.setattr(KafkaModule, "zookeeper", lambda module: zk)
        holder.update(zk=zk, admin=admin)
        return SimpleNamespace(zk=zk, admin=admin)

    return install


BASE = dict(
    bootstrap_servers=["kafka-0:9092"],
    zookeeper_hosts="zk-0:2181",
    zookeeper_sasl_username="kafka",
    zookeeper_sasl_password="zk-pw-8d1",
    poll_interval=0.01,
    timeout=5,
)


def args(**kwargs):
    return dict(BASE, **kwargs)


def test_check_mode_shows_the_plan_and_writes_nothing(cluster, run_module):
    c = cluster()
    failed, result = run_module(
        kafka_reassign.main, args(topics=["orders"], drain_brokers=[0]), check_mode=True, diff=True
    )
    assert not failed, result
    assert result["changed"] is True
    assert sorted(result["plan"]["orders"]) == ["0", "2", "3", "4"]
    assert all(0 in m["from"] and 0 not in m["to"] for m in result["plan"]["orders"].values())
    assert result["new_replicas"] == 4
    assert result["throttle"]["rate"] == 52428800
    assert "removed" not in result["throttle"]
    assert result["actions"][0].startswith("set replication throttle 52428800 B/s on brokers [0, 1, 2, 3]")
    assert result["progress"] == []
    assert result["diff"]["before"] == {"orders": {p: ON_THREE[p] for p in ("0", "2", "3", "4")}}
    assert result["diff"]["after"] == {"orders": {p: m["to"] for p, m in result["plan"]["orders"].items()}}
    assert c.zk.created == []
    assert c.admin.alter_calls == []
    assert c.zk.partitions("orders") == ON_THREE


def test_drain_throttles_waits_removes_the_throttle_and_elects(cluster, run_module):
    c = cluster()
    _failed, planned = run_module(kafka_reassign.main, args(topics=["orders"], drain_brokers=[0]), check_mode=True)
    failed, result = run_module(kafka_reassign.main, args(topics=["orders"], drain_brokers=[0]), diff=True)
    assert not failed, result
    assert result["changed"] is True
    assert result["plan"] == planned["plan"]
    assert result["actions"] == planned["actions"]
    final = c.zk.partitions("orders")
    assert all(0 not in replicas for replicas in final.values())
    assert result["assignment"] == {"orders": final}
    assert result["diff"]["after"] == {"orders": {p: final[p] for p in result["plan"]["orders"]}}
    # The reassignment znode carried exactly the plan, with the brokers' ACL.
    assert [path for path, _document, _acl in c.zk.created] == [MARKER, REASSIGN]
    assert c.zk.deleted == [MARKER] and MARKER not in c.zk.nodes
    ((path, document, acl),) = [entry for entry in c.zk.created if entry[0] == REASSIGN]
    assert {str(e["partition"]): e["replicas"] for e in document["partitions"]} == {
        p: m["to"] for p, m in result["plan"]["orders"].items()
    }
    assert acl is not None
    # Throttle: set on every broker involved and on the topic, then removed again.
    kinds = [(kind, name) for kind, name, _changes in c.admin.alter_calls]
    assert kinds == [("broker", "0"), ("broker", "1"), ("broker", "2"), ("broker", "3"), ("topic", "orders")] * 2
    assert c.admin.alter_calls[0][2] == {key: "52428800" for key in RATE_KEYS}
    assert (
        c.admin.alter_calls[4][2]["follower.replication.throttled.replicas"]
        == (result["throttle"]["topics"]["orders"]["follower.replication.throttled.replicas"])
    )
    assert c.admin.throttles() == {}
    assert result["throttle"]["removed"] is True
    # Progress from "all moving" to "done".
    assert result["progress"][0]["remaining"] == 4
    assert result["progress"][-1]["remaining"] == 0
    assert result["progress"][-1]["partitions"] == []
    assert c.admin.elections == [[("orders", p) for p in (0, 2, 3, 4)]]
    assert result["leader_election"]["elected"] == ["orders-0"]
    assert result["leader_election"]["failed"] == {}


def test_idempotent_run_sets_no_throttle(cluster, run_module):
    c = cluster(topics={"orders": {"0": [1, 2], "1": [2, 3]}})
    failed, result = run_module(kafka_reassign.main, args(topics=["orders"], drain_brokers=[0]))
    assert not failed, result
    assert result["changed"] is False
    assert result["plan"] == {}
    assert result["actions"] == []
    assert result["throttle"] is None
    assert result["assignment"] == {"orders": {"0": [1, 2], "1": [2, 3]}}
    assert c.admin.alter_calls == []
    assert c.zk.created == []
    assert c.admin.elections == []


def test_spread_scale_up_then_rerun_is_unchanged(cluster, run_module):
    c = cluster()
    failed, result = run_module(kafka_reassign.main, args(topics=["all"], spread_over=[0, 1, 2, 3]))
    assert not failed, result
    assert result["changed"] is True
    assert result["new_replicas"] == 3
    failed, again = run_module(kafka_reassign.main, args(topics=["all"], spread_over=[0, 1, 2, 3]))
    assert not failed, again
    assert again["changed"] is False
    assert again["assignment"] == result["assignment"] == {"orders": c.zk.partitions("orders")}


def test_replication_factor_without_throttle(cluster, run_module):
    c = cluster()
    failed, result = run_module(
        kafka_reassign.main, args(topics=["orders"], replication_factor=3, throttle_bytes_per_sec=0)
    )
    assert not failed, result
    assert all(len(replicas) == 3 for replicas in c.zk.partitions("orders").values())
    assert result["throttle"] is None
    assert c.admin.alter_calls == []
    assert not any(action.startswith("set replication throttle") for action in result["actions"])


def test_explicit_assignment(cluster, run_module):
    c = cluster()
    failed, result = run_module(kafka_reassign.main, args(assignment={"orders": {"0": [3, 1]}}))
    assert not failed, result
    assert result["plan"] == {"orders": {"0": {"from": [0, 1], "to": [3, 1]}}}
    assert c.zk.partitions("orders")["0"] == [3, 1]
    assert result["assignment"]["orders"]["1"] == [1, 2]


@pytest.mark.parametrize(
    "options, message",
    [
        (dict(topics=["orders"], spread_over=[0, 1, 9]), "spread_over names brokers that are not live: [9]"),
        (dict(assignment={"orders": {"0": [0, 9]}}), "assignment of orders-0 names brokers that are not live: [9]"),
        (dict(topics=["orders"], drain_brokers=[0, 1, 2]), "cannot drain brokers [0, 1, 2]: partition orders-0"),
        (dict(topics=["orders"], replication_factor=5), "replication_factor 5 is greater than the number of live"),
        (dict(topics=["orders", "nope"], drain_brokers=[0]), "topic(s) not found: ['nope']"),
        (dict(topics=["orders"], drain_brokers=[0], spread_over=[1]), "mutually exclusive"),
        (dict(topics=["orders"], assignment={"orders": {"0": [1]}}), "mutually exclusive"),
        (dict(topics=["orders"]), "state=present needs one of: assignment, drain_brokers"),
        (dict(drain_brokers=[0]), "state=present needs topics (or assignment)"),
        (dict(topics=["orders"], drain_brokers=[0], state="cancelled"), "state=cancelled takes no drain_brokers"),
        (dict(topics=["orders"], drain_brokers=[]), "drain_brokers must not be empty"),
        (dict(topics=["orders"], drain_brokers=[0], wait=False), "wait=false needs throttle_bytes_per_sec=0"),
        (dict(topics=["orders"], drain_brokers=[0], throttle_bytes_per_sec=-1), "throttle_bytes_per_sec must be 0"),
        (dict(topics=["orders"], drain_brokers=[0], timeout=0), "timeout must be greater than 0"),
        (dict(topics=["orders"], drain_brokers=[0], state="absent"), "value of state must be one of: present"),
        (dict(topics=["orders"], drain_brokers=[0], zookeeper_hosts=None), "zookeeper_hosts is required"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(cluster, run_module, options, message):
    c = cluster()
    failed, result = run_module(kafka_reassign.main, args(**options))
    assert failed
    assert message in result["msg"]
    assert not result.get("changed")
    assert c.zk.created == []
    assert c.admin.alter_calls == []
    assert c.zk.partitions("orders") == ON_THREE
    assert "zk-pw-8d1" not in json.dumps(result)


def test_reassignment_in_progress_is_refused(cluster, run_module):
    c = cluster()
    c.zk.update_topic("orders", "1", [1, 3], moving=True)
    failed, result = run_module(kafka_reassign.main, args(topics=["orders"], drain_brokers=[0]))
    assert failed
    assert "a reassignment is already in progress for partitions of the selected topics: ['orders-1']" in result["msg"]
    assert "wait_for_in_progress" in result["msg"]
    assert c.zk.created == []
    assert c.admin.alter_calls == []


def test_other_zookeeper_reassignment_blocks_a_new_one(cluster, run_module):
    c = cluster(topics={"orders": dict(ON_THREE), "other": {"0": [1, 2]}}, complete=False)
    c.zk.create(
        REASSIGN, json.dumps(dict(version=1, partitions=[dict(topic="other", partition=0, replicas=[2, 3])])).encode()
    )
    c.zk.created.clear()
    failed, result = run_module(kafka_reassign.main, args(topics=["orders"], drain_brokers=[0]))
    assert failed
    assert "another reassignment started through ZooKeeper is in progress (['other-0'])" in result["msg"]
    assert c.zk.created == []
    # Nothing to move: no reason to refuse.
    failed, result = run_module(kafka_reassign.main, args(topics=["orders"], drain_brokers=[3]))
    assert not failed, result
    assert result["changed"] is False


def test_wait_for_in_progress_waits_then_plans_from_the_result(cluster, run_module):
    c = cluster(delay=3)
    c.zk.create(
        REASSIGN, json.dumps(dict(version=1, partitions=[dict(topic="orders", partition=1, replicas=[1, 3])])).encode()
    )
    c.zk.created.clear()
    failed, result = run_module(
        kafka_reassign.main, args(topics=["orders"], drain_brokers=[0], wait_for_in_progress=True)
    )
    assert not failed, result
    assert result["changed"] is True
    assert "1" not in result["plan"]["orders"]  # [1, 3] after the other reassignment: nothing to drain
    assert c.zk.partitions("orders")["1"] == [1, 3]


def test_timeout_keeps_the_throttle_and_a_re_run_finishes_and_removes_it(cluster, run_module):
    c = cluster(complete=False)
    options = args(topics=["orders"], drain_brokers=[0], timeout=1, poll_interval=0.2)
    failed, result = run_module(kafka_reassign.main, options)
    assert failed
    assert result["msg"].startswith(
        "Failed to wait for the partition reassignment: 0 of 4 partition(s) done, 4 still moving after 1s"
    )
    assert "replication throttle stays in place" in result["msg"]
    assert result["changed"] is True
    assert result["throttle"]["removed"] is False
    throttles = c.admin.throttles()
    assert throttles and MARKER in c.zk.nodes
    assert result["progress"][0]["remaining"] == 4
    assert c.admin.elections == []

    # Check mode reports the leftover as a change and writes nothing.
    _failed, planned = run_module(kafka_reassign.main, options, check_mode=True)
    assert planned["changed"] is True
    assert planned["actions"][:2] == [
        f"wait for the 4 partition(s) an earlier run (started {planned['leftover']['started']}) is still moving",
        "remove the replication throttle an earlier run left",
    ]
    assert planned["plan"] == {}
    assert c.admin.throttles() == throttles and MARKER in c.zk.nodes

    # The re-run waits for the move, removes the throttle and the record, and has nothing left to move.
    c.zk.complete, c.zk.reads = True, 0
    failed, result = run_module(kafka_reassign.main, options)
    assert not failed, result
    assert result["changed"] is True and result["plan"] == {}
    assert result["leftover"]["still_moving"] == ["orders-0", "orders-2", "orders-3", "orders-4"]
    assert c.admin.throttles() == {} and MARKER not in c.zk.nodes
    assert all(0 not in replicas for replicas in c.zk.partitions("orders").values())
    failed, result = run_module(kafka_reassign.main, options)
    assert not failed and result["changed"] is False and result["leftover"] is None


def test_draining_a_dead_broker_throttles_only_live_brokers(cluster, run_module):
    # Broker 0 holds replicas but is down (not in the cluster's live brokers).
    c = cluster(brokers=(1, 2, 3))
    failed, result = run_module(kafka_reassign.main, args(topics=["orders"], drain_brokers=[0]))
    assert not failed, result
    assert 0 not in result["throttle"]["brokers"]
    assert all(":0" not in entry for topic in result["throttle"]["topics"].values() for entry in topic.values())
    assert all(0 not in replicas for replicas in c.zk.partitions("orders").values())
    assert c.admin.throttles() == {} and MARKER not in c.zk.nodes


def test_a_re_run_moves_the_leftover_at_its_own_rate(cluster, run_module):
    c = cluster(complete=False)
    options = dict(topics=["orders"], drain_brokers=[0], poll_interval=0.2)
    run_module(kafka_reassign.main, args(timeout=1, throttle_bytes_per_sec=1000, **options))
    assert c.zk.broker_config(1)["follower.replication.throttled.rate"] == "1000"
    c.zk.complete, c.zk.reads = True, 0
    c.admin.alter_calls.clear()
    failed, result = run_module(kafka_reassign.main, args(throttle_bytes_per_sec=2000, **options))
    assert not failed, result
    assert result["actions"][0] == "set the replication throttle of the move in progress to 2000 B/s"
    raised = [name for kind, name, changes in c.admin.alter_calls if changes.get(RATE_KEYS[0]) == "2000"]
    assert raised == ["0", "1", "2", "3"]  # every live broker of the recorded throttle
    assert c.admin.throttles() == {} and MARKER not in c.zk.nodes


def test_unthrottled_removes_a_recorded_throttle_while_the_move_goes_on(cluster, run_module):
    c = cluster(complete=False)
    run_module(kafka_reassign.main, args(topics=["orders"], drain_brokers=[0], timeout=1, poll_interval=0.2))
    assert c.admin.throttles()
    _failed, planned = run_module(kafka_reassign.main, args(state="unthrottled"), check_mode=True)
    assert planned["changed"] is True and c.admin.throttles()
    failed, result = run_module(kafka_reassign.main, args(state="unthrottled"))
    assert not failed, result
    assert result["changed"] is True
    assert c.admin.throttles() == {} and MARKER not in c.zk.nodes
    assert REASSIGN in c.zk.nodes  # the move goes on
    failed, result = run_module(kafka_reassign.main, args(state="unthrottled"))
    assert not failed and result["changed"] is False


def test_failed_throttle_is_undone_and_nothing_is_reassigned(cluster, run_module):
    c = cluster(fail_alter=lambda resource, changes: resource.name == "orders" and any(changes.values()))
    failed, result = run_module(kafka_reassign.main, args(topics=["orders"], drain_brokers=[0]))
    assert failed
    assert (
        result["msg"]
        == "Failed to set the replication throttle: topic orders: refused (POLICY_VIOLATION); nothing was reassigned"
    )
    assert result["changed"] is False
    assert [path for path, _document, _acl in c.zk.created] == [MARKER]
    assert REASSIGN not in c.zk.nodes and MARKER not in c.zk.nodes
    assert c.admin.throttles() == {}
    assert result["throttle"]["removed"] is True


def test_failed_throttle_removal_fails_a_completed_move(cluster, run_module):
    c = cluster(fail_alter=lambda resource, changes: resource.name == "2" and not any(changes.values()))
    failed, result = run_module(kafka_reassign.main, args(topics=["orders"], drain_brokers=[0]))
    assert failed
    assert result["msg"].startswith("Failed to remove the replication throttle: broker 2: refused (POLICY_VIOLATION)")
    assert "broker 2 still has leader.replication.throttled.rate='52428800'" in result["msg"]
    assert result["changed"] is True
    assert result["throttle"]["removed"] is False
    assert all(0 not in replicas for replicas in c.zk.partitions("orders").values())


def test_previous_throttles_are_restored(cluster, run_module):
    c = cluster()
    c.zk.nodes["/kafka/config/brokers/1"] = json.dumps(
        dict(version=1, config={"leader.replication.throttled.rate": "1000"})
    ).encode()
    c.admin.topic_configs["orders"] = {"leader.replication.throttled.replicas": "9:9"}
    failed, result = run_module(kafka_reassign.main, args(topics=["orders"], drain_brokers=[0]))
    assert not failed, result
    assert c.zk.broker_config(1) == {"leader.replication.throttled.rate": "1000"}
    assert c.admin.topic_configs["orders"] == {"leader.replication.throttled.replicas": "9:9"}
    # ansible-core 2.19 returns structured warnings ({"event": {"msg": ...}}), older releases strings.
    assert "broker 1 already has a replication throttle" in str(result["warnings"])


def test_no_wait_returns_the_reassignment_in_progress(cluster, run_module):
    c = cluster(complete=False)
    failed, result = run_module(
        kafka_reassign.main, args(topics=["orders"], drain_brokers=[0], wait=False, throttle_bytes_per_sec=0)
    )
    assert not failed, result
    assert result["changed"] is True
    assert result["in_progress"] == ["orders-0", "orders-2", "orders-3", "orders-4"]
    assert result["actions"] == ["reassign 4 partition(s) of topic orders (4 new replica(s))"]
    assert c.admin.elections == []
    assert len(result["progress"]) == 1


def test_drain_of_an_unknown_broker_warns(cluster, run_module):
    cluster()
    failed, result = run_module(kafka_reassign.main, args(topics=["orders"], drain_brokers=[9]))
    assert not failed, result
    assert result["changed"] is False
    assert "drain_brokers [9] are not live brokers and hold no replica of the selected topics" in str(
        result["warnings"]
    )


def test_failed_election_only_warns(cluster, run_module, monkeypatch):
    c = cluster()

    def refuse(election_type, partitions):
        return done(exception=KafkaException(KafkaError(KafkaError.CLUSTER_AUTHORIZATION_FAILED, "denied")))

    monkeypatch.setattr(c.admin, "elect_leaders", refuse)
    failed, result = run_module(kafka_reassign.main, args(topics=["orders"], drain_brokers=[0]))
    assert not failed, result
    assert sorted(result["leader_election"]["failed"]) == ["orders-0", "orders-2", "orders-3", "orders-4"]
    assert "preferred leader election for orders-0 failed" in str(result["warnings"])


def test_wait_for_in_progress_gives_up_at_the_timeout(cluster, run_module):
    c = cluster(complete=False)
    c.zk.update_topic("orders", "1", [1, 3], moving=True)
    failed, result = run_module(
        kafka_reassign.main,
        args(topics=["orders"], drain_brokers=[0], wait_for_in_progress=True, timeout=1, poll_interval=0.2),
    )
    assert failed
    assert result["msg"] == (
        "Failed to wait for the reassignment in progress: still in progress after 1s: ['orders-1']; nothing was changed"
    )
    assert result["changed"] is False
    assert c.zk.created == []
    assert c.admin.alter_calls == []
