# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""module_utils.kafka_connect_plan: plan, predict and diff (pure functions, no worker)."""

from __future__ import annotations

import pytest

from ansible_collections.kafkaops.cluster.plugins.module_utils import kafka_connect_plan as plan

PLUGINS = [{"class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "type": "sink", "version": "3.9.2"}]
CONFIG = {"connector.class": "FileStreamSink", "tasks.max": 1, "topics": "t", "db.password": "pw-1234"}


def info(state="RUNNING", tasks=("RUNNING",), config=None, trace=None):
    """A connector as ConnectClient.connectors() reads it (values as strings, ``name`` in the config)."""
    connector = dict(state=state, worker_id="w:8083")
    if trace:
        connector["trace"] = trace
    entries = [dict(id=i, state=s, worker_id="w:8083") for i, s in enumerate(tasks)]
    for entry in entries:
        if entry["state"] == "FAILED":
            entry["trace"] = "E: boom\n\tat a.b(C.java:1)"
    config = {key: str(value) for key, value in (config or CONFIG).items()}
    return dict(type="sink", config=dict(config, name="c"), tasks=[], status=dict(connector=connector, tasks=entries))


def spec(state="present", config=None):
    return dict(name="c", config=config, state=state)


@pytest.mark.parametrize(
    "wanted, current, restart, actions",
    [
        (spec(config=CONFIG), None, False, [dict(action="create", initial_state="RUNNING", keys=sorted(CONFIG))]),
        (spec("paused", CONFIG), None, False, [dict(action="create", initial_state="PAUSED", keys=sorted(CONFIG))]),
        (spec(config=CONFIG), info(), False, []),
        (spec(config=dict(CONFIG, topics="u")), info(), False, [dict(action="update", keys=["topics"])]),
        (
            spec("paused", dict(CONFIG, topics="u")),
            info(),
            False,
            [dict(action="pause"), dict(action="update", keys=["topics"])],
        ),
        (spec("running"), info("PAUSED", ("PAUSED",)), False, [dict(action="resume")]),
        (spec(), info("PAUSED", ("PAUSED",)), False, []),
        (spec("stopped"), info(), False, [dict(action="stop")]),
        (spec(), info(tasks=("RUNNING", "FAILED")), True, [dict(action="restart", failed=["task 1"])]),
        (spec("stopped"), info("STOPPED", ()), True, []),
        (spec("absent"), info(), False, [dict(action="delete")]),
        (spec("absent"), None, False, []),
    ],
)
def test_plan_connector(wanted, current, restart, actions):
    assert plan.plan_connector(wanted, current, restart) == (actions, None)


def test_plan_connector_needs_a_config_to_create():
    assert plan.plan_connector(spec("paused"), None, False) == (
        [],
        "config is required to create the connector (it does not exist)",
    )


def test_predict_create_takes_the_plugin_type():
    actions = [dict(action="create", initial_state="PAUSED", keys=[])]
    predicted = plan.predict(None, spec("paused", CONFIG), actions, PLUGINS)
    assert predicted == dict(type="sink", config=CONFIG, status=dict(connector=dict(state="PAUSED")))


def test_predict_pause_moves_the_tasks_and_drops_traces():
    current = info(tasks=("RUNNING", "FAILED"))
    predicted = plan.predict(current, spec("paused"), [dict(action="pause")])
    assert predicted["status"]["connector"] == dict(state="PAUSED", worker_id="w:8083")
    assert predicted["status"]["tasks"] == [
        dict(id=0, state="PAUSED", worker_id="w:8083"),
        dict(id=1, state="PAUSED", worker_id="w:8083"),
    ]
    assert predicted["config"] is current["config"]
    assert current["status"]["connector"]["state"] == "RUNNING"


def test_predict_without_actions_or_deleted():
    current = info()
    assert plan.predict(current, spec(config=CONFIG), []) is current
    assert plan.predict(current, spec("absent"), [dict(action="delete")]) is None
    assert plan.predict(None, spec("absent"), []) is None


def test_diff_of_an_update_shows_the_changed_keys_masked():
    before = info()
    wanted = spec(config=dict(CONFIG, **{"tasks.max": 2, "db.password": "other-pw"}))
    actions = [dict(action="update", keys=["db.password", "tasks.max"])]
    predicted = plan.predict(before, wanted, actions)
    assert plan.diff({"c": before}, {"c": predicted}, [wanted], {"c": actions}, ()) == {
        "before": {"c": {"state": "RUNNING", "config": {"db.password": "********", "tasks.max": "1"}}},
        "after": {"c": {"state": "RUNNING", "config": {"db.password": "********", "tasks.max": "2"}}},
    }


def test_diff_comes_from_the_state_after_the_run_not_from_the_plan():
    """A connector created with wait=false that the workers have not started yet: the diff shows what they report."""
    wanted = spec(config=CONFIG)
    actions = [dict(action="create", initial_state="RUNNING", keys=sorted(CONFIG))]
    reread = info("UNASSIGNED", ())
    assert plan.diff({}, {"c": reread}, [wanted], {"c": actions}, ())["after"] == {
        "c": {
            "state": "UNASSIGNED",
            "config": {"connector.class": "FileStreamSink", "tasks.max": "1", "topics": "t", "db.password": "********"},
        }
    }
    # A restart whose task failed again shows it failed after the run too.
    before = info(tasks=("FAILED",))
    restart = [dict(action="restart", failed=["task 0"])]
    result = plan.diff({"c": before}, {"c": info(tasks=("FAILED",))}, [spec()], {"c": restart}, ())
    assert result["before"]["c"]["failed"] == result["after"]["c"]["failed"] == ["task 0"]
    predicted = plan.predict(before, spec(), restart)
    assert plan.diff({"c": before}, {"c": predicted}, [spec()], {"c": restart}, ())["after"]["c"] == {
        "state": "RUNNING",
        "config": {},
        "failed": [],
    }


def test_diff_leaves_out_unchanged_connectors_and_shows_deleted_ones_whole():
    specs = [spec(config=CONFIG), dict(name="d", config=None, state="absent")]
    before = {"c": info(), "d": info(config={"connector.class": "X", "k": "v"})}
    result = plan.diff(before, {"c": info(), "d": None}, specs, {"c": [], "d": [dict(action="delete")]}, ())
    assert result == {"before": {"d": {"state": "RUNNING", "config": {"connector.class": "X", "k": "v"}}}, "after": {}}


def test_check_mode_warnings():
    cluster = {"c": info(tasks=("FAILED",))}
    assert plan.check_mode_warnings([spec()], cluster, {"c": []}) == [
        "task c-0 FAILED: E: boom: a real run would fail unless it recovers (restart_failed=true restarts it)"
    ]
    assert plan.check_mode_warnings([spec("stopped")], cluster, {"c": [dict(action="stop")]}) == []
