# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Planning of kafka_broker_registration and kafka_controller_voters (pure), on quorum and cluster answers shaped like
Kafka 4.3.1's (tests/unit/kraft_fakes.py)."""

from __future__ import annotations

import pytest

pytest.importorskip("kafka")

from kraft_fakes import NOW  # noqa: E402
from kraft_fakes import FakeKraftCluster  # noqa: E402
from kraft_fakes import directory  # noqa: E402

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_kraft_plan as plan  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_admin import registrations  # noqa: E402
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import parse_quorum  # noqa: E402


def quorum_of(cluster):
    return parse_quorum(cluster.describe_metadata_quorum())


def registered_of(cluster):
    return registrations(cluster.describe_cluster())


def controllers(*ids, listener="CONTROLLER"):
    return plan.normalize_controllers([dict(id=i, host="127.0.0.1", port=30791 + i - 1001) for i in ids], listener)[0]


# ---------------------------------------------------------------------------
# liveness
# ---------------------------------------------------------------------------


def test_leader_now_is_the_leaders_own_fetch_time():
    assert plan.leader_now(quorum_of(FakeKraftCluster())) == NOW


def test_fetch_ages_on_the_leaders_clock():
    ages = plan.fetch_ages(quorum_of(FakeKraftCluster(brokers=(0, 1, 2), fenced=(2,), stopped=(2,))))
    assert ages == {0: 242, 1: 242, 2: 30000}


def test_fetch_ages_without_a_quorum():
    assert plan.fetch_ages(None) == {}


def test_leader_now_falls_back_to_the_newest_timestamp():
    quorum = quorum_of(FakeKraftCluster())
    for voter in quorum["voters"]:
        if voter["id"] == quorum["leader_id"]:
            voter["last_fetch_timestamp"] = None
    assert plan.leader_now(quorum) == NOW


# ---------------------------------------------------------------------------
# kafka_broker_registration
# ---------------------------------------------------------------------------


def unregister_plan(cluster, ids):
    registered, lists_fenced = registered_of(cluster)
    return plan.plan_unregister(ids, registered, lists_fenced, plan.fetch_ages(quorum_of(cluster)))


def test_a_stopped_fenced_broker_is_unregistered():
    cluster = FakeKraftCluster(brokers=(0, 1, 2), fenced=(2,), stopped=(2,))
    assert unregister_plan(cluster, [2]) == ([2], [], [])


def test_an_id_not_registered_needs_nothing():
    cluster = FakeKraftCluster(brokers=(0, 1))
    assert unregister_plan(cluster, [2, 7]) == ([], [2, 7], [])


def test_a_live_broker_is_refused_with_the_whole_batch():
    cluster = FakeKraftCluster(brokers=(0, 1, 2, 3), fenced=(3,), stopped=(3,))
    to_unregister, absent, problems = unregister_plan(cluster, [3, 1])
    assert to_unregister == [3]  # planned, but the caller refuses the whole batch on any problem
    assert problems == [
        "broker 1 is registered and unfenced (live, at 127.0.0.1:30702): stop it before unregistering it"
    ]


def test_a_fenced_broker_that_still_fetches_is_refused():
    # Fenced (starting, shutting down, or not caught up) but its process fetched the metadata log 242 ms ago.
    cluster = FakeKraftCluster(brokers=(0, 1, 2), fenced=(2,))
    _unused, _unused, problems = unregister_plan(cluster, [2])
    assert len(problems) == 1
    assert "broker 2 is fenced but still running: it fetched the metadata log 242 ms ago" in problems[0]


def test_still_fetching_names_fenced_brokers_with_a_recent_fetch_only():
    cluster = FakeKraftCluster(brokers=(0, 1, 2, 3), fenced=(2, 3), stopped=(3,))
    registered, lists_fenced = registered_of(cluster)
    ages = plan.fetch_ages(quorum_of(cluster))
    assert plan.still_fetching([0, 1, 2, 3, 9], registered, lists_fenced, ages) == [2]


def test_without_the_quorum_only_fencing_decides():
    cluster = FakeKraftCluster(brokers=(0, 1, 2), fenced=(2,))
    registered, lists_fenced = registered_of(cluster)
    assert plan.plan_unregister([2], registered, lists_fenced, {}) == ([2], [], [])


def test_kafka_3_9_lists_no_fenced_brokers_so_unlisted_ids_are_sent():
    # DescribeCluster v1: broker 2 (fenced, stopped) is not listed; 7 is not registered at all. Both are sent and the
    # answer tells (BROKER_ID_NOT_REGISTERED for 7).
    cluster = FakeKraftCluster(brokers=(0, 1, 2), fenced=(2,), stopped=(2,), lists_fenced=False)
    registered, lists_fenced = registered_of(cluster)
    assert lists_fenced is False
    assert sorted(registered) == [0, 1]
    assert unregister_plan(cluster, [2, 7]) == ([2, 7], [], [])


def test_kafka_3_9_an_unlisted_broker_that_still_fetches_is_refused():
    cluster = FakeKraftCluster(brokers=(0, 1, 2), fenced=(2,), lists_fenced=False)
    _unused, _unused, problems = unregister_plan(cluster, [2])
    assert "broker 2 is fenced but still running" in problems[0]


@pytest.mark.parametrize(("ids", "problems"), [([0, 3], []), ([-1, 2], ["broker ids must be 0 or greater, got [-1]"])])
def test_broker_id_problems(ids, problems):
    assert plan.broker_id_problems(ids) == problems


def test_predict_and_view_registrations():
    registered, _unused = registered_of(FakeKraftCluster(brokers=(0, 1, 2), fenced=(2,)))
    after = plan.predict_registrations(registered, [2])
    assert [b["id"] for b in plan.broker_view(after)] == [0, 1]
    assert plan.broker_view(registered)[2] == dict(id=2, host="127.0.0.1", port=30703, rack="rack-2", fenced=True)


# ---------------------------------------------------------------------------
# kafka_controller_voters
# ---------------------------------------------------------------------------


def test_normalize_controllers():
    desired, problems = plan.normalize_controllers(
        [dict(id=1001, host=" c1 ", port=9097), dict(id=1002, host="c2", port=9097)], "CONTROLLER"
    )
    assert desired == {1001: "CONTROLLER://c1:9097", 1002: "CONTROLLER://c2:9097"}
    assert problems == []


def test_normalize_controllers_names_every_problem():
    _unused, problems = plan.normalize_controllers(
        [dict(id=1001, host="c1", port=9097), dict(id=1001, host="", port=0), dict(id=-1, host="x", port=70000)],
        "",
    )
    assert problems == [
        "listener_name must not be empty",
        "controllers[1] (id 1001): id 1001 is listed twice",
        "controllers[1] (id 1001): host must not be empty",
        "controllers[1] (id 1001): port 0 is not a TCP port",
        "controllers[2] (id -1): the id must be 0 or greater",
        "controllers[2] (id -1): port 70000 is not a TCP port",
    ]


def test_the_same_voters_need_nothing():
    quorum = quorum_of(FakeKraftCluster())
    assert plan.plan_voters(quorum, controllers(1001, 1002, 1003), False) == ([], [])


def test_adding_an_observer_takes_its_directory_from_the_quorum():
    quorum = quorum_of(FakeKraftCluster(observers=(1004,)))
    steps, problems = plan.plan_voters(quorum, controllers(1001, 1002, 1003, 1004), False)
    assert problems == []
    assert steps == [
        dict(action="add", id=1004, directory_id=directory(1004), endpoint="CONTROLLER://127.0.0.1:30794"),
    ]
    assert plan.step_label(steps[0]) == (
        f"add controller 1004 (directory {directory(1004)}) at CONTROLLER://127.0.0.1:30794 as a voter"
    )


def test_a_replacement_adds_first_and_removes_the_leader_last():
    quorum = quorum_of(FakeKraftCluster(voters=(1001, 1002, 1003), leader=1001, observers=(1004, 1005)))
    steps, problems = plan.plan_voters(quorum, controllers(1003, 1004, 1005), False)
    assert problems == []
    assert [(s["action"], s["id"]) for s in steps] == [("add", 1004), ("add", 1005), ("remove", 1002), ("remove", 1001)]
    assert steps[2]["directory_id"] == directory(1002)
    predicted = plan.predict_voters(quorum, steps)
    assert [v["id"] for v in predicted] == [1003, 1004, 1005]
    assert predicted[1] == dict(id=1004, directory_id=directory(1004), endpoints=["CONTROLLER://127.0.0.1:30794"])


def test_fewer_than_three_voters_are_refused_unless_allowed():
    quorum = quorum_of(FakeKraftCluster())
    steps, problems = plan.plan_voters(quorum, controllers(1001, 1002), False)
    assert problems == [
        "the quorum would have 2 voter(s) [1001, 1002]: fewer than 3 voters do not survive the loss of a controller "
        "(set allow_small_quorum to allow it)"
    ]
    steps, problems = plan.plan_voters(quorum, controllers(1001, 1002), True)
    assert problems == []
    assert [(s["action"], s["id"]) for s in steps] == [("remove", 1003)]


def test_an_empty_list_is_refused_even_when_small_quorums_are_allowed():
    _unused, problems = plan.plan_voters(quorum_of(FakeKraftCluster()), {}, True)
    assert problems == ["controllers is empty: a KRaft quorum needs voters"]


def test_a_controller_not_running_as_an_observer_is_refused_by_name():
    _unused, problems = plan.plan_voters(quorum_of(FakeKraftCluster()), controllers(1001, 1002, 1003, 1004), False)
    assert problems == [
        "controller 1004 is not running as an observer of the quorum: start it first (formatted with kafka-storage "
        "format --no-initial-controllers), then add it"
    ]


def test_an_observer_that_stopped_fetching_is_refused():
    quorum = quorum_of(FakeKraftCluster(observers=(1004,)))
    for observer in quorum["observers"]:
        if observer["id"] == 1004:
            observer["last_fetch_timestamp"] = NOW - 60000
    _unused, problems = plan.plan_voters(quorum, controllers(1001, 1002, 1003, 1004), False)
    assert problems == [
        "controller 1004 is an observer of the quorum but last fetched the metadata log 60000 ms ago: is it running?"
    ]


def test_a_static_quorum_is_refused():
    quorum = quorum_of(FakeKraftCluster(static_quorum=True, observers=(1004,)))
    _unused, problems = plan.plan_voters(quorum, controllers(1001, 1002, 1003, 1004), False)
    assert any("static quorum (controller.quorum.voters)" in p for p in problems)


def test_an_endpoint_that_differs_from_the_voters_is_refused():
    desired = controllers(1001, 1002, 1003)
    desired[1002] = "CONTROLLER://controller-2:9097"
    _unused, problems = plan.plan_voters(quorum_of(FakeKraftCluster()), desired, False)
    assert problems == [
        "voter 1002 listens on CONTROLLER://127.0.0.1:30792, the list says CONTROLLER://controller-2:9097: a voter's "
        "endpoint is changed by the controller itself (restart it with the new listener), not by this module"
    ]


def test_another_listener_name_is_refused_for_existing_voters():
    _unused, problems = plan.plan_voters(
        quorum_of(FakeKraftCluster()), controllers(1001, 1002, 1003, listener="CTRL"), False
    )
    assert len(problems) == 3


def test_a_voter_whose_directory_was_replaced_is_named():
    quorum = quorum_of(FakeKraftCluster())
    quorum["observers"].append(dict(quorum["observers"][0], id=1002, directory_id="AAAAAAAAAAAAAAAAAAAAAA"))
    _unused, problems = plan.plan_voters(quorum, controllers(1001, 1002, 1003), False)
    assert problems == [
        f"voter 1002 has directory {directory(1002)} but controller 1002 runs with directory AAAAAAAAAAAAAAAAAAAAAA "
        "as an observer (was its metadata directory replaced?): remove the voter (leave it out of controllers), then "
        "add it back"
    ]


def test_no_leader_refuses_everything():
    steps, problems = plan.plan_voters(quorum_of(FakeKraftCluster(leader=None)), controllers(1001, 1002, 1003), False)
    assert steps == []
    assert problems == ["the KRaft quorum has no leader: no voter can be added or removed now"]


def test_removing_a_healthy_voter_while_another_lags_is_refused():
    # 1003 has not caught up for a minute: removing 1002 would leave {1001, 1003}, one caught up of two.
    quorum = quorum_of(FakeKraftCluster(stale_voters=(1003,)))
    _unused, problems = plan.plan_voters(quorum, controllers(1001, 1003), True)
    assert problems == [
        f"remove voter 1002 (directory {directory(1002)}) would leave 1 caught-up voter(s) [1001] of 2, not a "
        "majority (not caught up within 10 s: [1003]): bring the lagging controllers back first"
    ]


def test_replacing_a_dead_voter_is_allowed():
    # 1003 is dead: add 1004 (3 of 4 caught up), then remove 1003 (3 of 3).
    quorum = quorum_of(FakeKraftCluster(stale_voters=(1003,), observers=(1004,)))
    steps, problems = plan.plan_voters(quorum, controllers(1001, 1002, 1004), False)
    assert problems == []
    assert [(s["action"], s["id"]) for s in steps] == [("add", 1004), ("remove", 1003)]


def test_shrinking_five_voters_with_two_dead_by_a_healthy_one_is_refused():
    quorum = quorum_of(FakeKraftCluster(voters=(1001, 1002, 1003, 1004, 1005), stale_voters=(1004, 1005)))
    _unused, problems = plan.plan_voters(quorum, controllers(1001, 1003, 1004, 1005), False)
    assert problems == [
        f"remove voter 1002 (directory {directory(1002)}) would leave 2 caught-up voter(s) [1001, 1003] of 4, not a "
        "majority (not caught up within 10 s: [1004, 1005]): bring the lagging controllers back first"
    ]


def test_adding_to_five_voters_with_two_dead_is_allowed():
    quorum = quorum_of(
        FakeKraftCluster(voters=(1001, 1002, 1003, 1004, 1005), stale_voters=(1004, 1005), observers=(1006,))
    )
    steps, problems = plan.plan_voters(quorum, controllers(1001, 1002, 1003, 1004, 1005, 1006), False)
    assert problems == []
    assert [(s["action"], s["id"]) for s in steps] == [("add", 1006)]


def test_caught_up_voters_always_include_the_leader():
    quorum = quorum_of(FakeKraftCluster(stale_voters=(1002, 1003)))
    assert plan.caught_up_voters(quorum) == {1001}


def test_step_done_and_voter_keys():
    quorum = quorum_of(FakeKraftCluster(observers=(1004,)))
    add = dict(action="add", id=1004, directory_id=directory(1004), endpoint="CONTROLLER://127.0.0.1:30794")
    remove = dict(action="remove", id=1003, directory_id=directory(1003), endpoint=None)
    assert not plan.step_done(add, quorum)
    assert not plan.step_done(remove, quorum)
    after = quorum_of(FakeKraftCluster(voters=(1001, 1002, 1004)))
    assert plan.step_done(add, after)
    assert plan.step_done(remove, after)
    assert plan.voter_keys(plan.voter_view(after["voters"])) == [
        (1001, directory(1001)),
        (1002, directory(1002)),
        (1004, directory(1004)),
    ]


def test_a_registered_broker_is_refused_as_a_voter():
    # Brokers are observers of the quorum too; Kafka 4.3.1 accepted broker 0 as a voter and the broker died.
    cluster = FakeKraftCluster()
    registered, _unused = registered_of(cluster)
    desired = controllers(1001, 1002, 1003)
    desired[0] = "CONTROLLER://127.0.0.1:30701"
    steps, problems = plan.plan_voters(quorum_of(cluster), desired, False, registered)
    assert problems == [
        "node 0 is a registered broker, not a controller: a broker made a voter stops with a fatal error (combined "
        "broker and controller nodes are not added by this module)"
    ]
    # Without the registrations the broker would be planned like any observer.
    steps, problems = plan.plan_voters(quorum_of(cluster), desired, False)
    assert problems == []
    assert [(s["action"], s["id"]) for s in steps] == [("add", 0)]
