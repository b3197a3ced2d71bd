# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Planning for kafka_connector: pure functions, no REST call.

A connector is described by a *spec* ``{name, config, state}`` (the module's input) and, when it exists,
by its *info* ``{type, config, tasks, status}`` as ``ConnectClient.connectors()`` reads it. From both,
``plan_connector`` makes the list of actions (dicts with an ``action`` key, in the order they are applied),
``predict`` the info the connector has after them (what check mode reports), and ``diff`` compares the
info before a run with the info after it - re-read after a real run, predicted in check mode.
"""

from __future__ import annotations

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import PAUSED
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import RUNNING
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import STOPPED
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import config_changes
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import connector_state
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import failed_parts
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import failure_details
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import find_plugin
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import mask_config
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import normalize_config
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import task_states
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_rest import ConnectError

STATES = ["present", "absent", "paused", "stopped", "running"]
MAX_SHOWN = 10

# Order of the actions on one connector: stop or pause before a new config is written, resume after.
ACTION_ORDER = ("delete", "create", "stop", "pause", "update", "resume", "restart")


def connector_specs(params):
    """``[{name, config, state}]`` from either O(name) or O(connectors)."""
    if params["connectors"] is not None:
        return [dict(name=c["name"], config=c["config"], state=c["state"]) for c in params["connectors"]]
    return [dict(name=params["name"], config=params["config"], state=params["state"] or "present")]


def with_purged(specs, cluster, purge):
    """``specs`` plus, with ``purge``, an ``absent`` spec for every connector of ``cluster`` not listed."""
    if not purge:
        return specs
    listed = [spec["name"] for spec in specs]
    return specs + [dict(name=name, config=None, state="absent") for name in sorted(cluster) if name not in listed]


def spec_problems(specs, purge, purge_all=False):
    """Problems of the input alone (no REST call needed), as ``[{connector, msg}]``."""
    problems = []
    seen = set()
    if purge_all and not purge:
        problems.append(dict(connector="*", msg="purge_all=true only confirms purge=true; set purge=true too"))
    if purge and not purge_all and all(spec["state"] == "absent" for spec in specs):
        what = (
            "a connectors list that keeps no connector (every entry has state=absent)"
            if specs
            else "an empty connectors list"
        )
        problems.append(
            dict(
                connector="*",
                msg=f"purge=true with {what} would delete every connector of the "
                "Connect cluster; list the connectors to keep, delete connectors by name with state=absent and no "
                "purge, or set purge_all=true to delete them all",
            )
        )
    for spec in specs:
        name = spec["name"]
        if not name or not name.strip():
            problems.append(dict(connector=name, msg="connector name must not be empty"))
            continue
        if name in seen:
            problems.append(dict(connector=name, msg="listed more than once"))
        seen.add(name)
        config = spec["config"]
        if config is None or spec["state"] == "absent":
            continue
        try:
            normalized = normalize_config(config)
        except ValueError as e:
            problems.append(dict(connector=name, msg=str(e)))
            continue
        if "name" in config and config["name"] is not None and str(config["name"]) != name:
            problems.append(dict(connector=name, msg=f"config name {config['name']!r} differs from the name {name!r}"))
        if not normalized.get("connector.class"):
            problems.append(dict(connector=name, msg="config must contain connector.class"))
    return problems


def problems_error(problems, action="manage"):
    """One ConnectError for every problem found."""
    names = sorted({problem["connector"] for problem in problems if problem["connector"] != "*"})
    if len(names) == 1 and all(problem["connector"] != "*" for problem in problems):
        what = f"{action} connector {names[0]}"
        reason = "; ".join(problem["msg"] for problem in problems)
    else:
        what = f"{action} connectors"
        shown = problems[:MAX_SHOWN]
        reason = "; ".join(
            problem["msg"] if problem["connector"] == "*" else f"{problem['connector']}: {problem['msg']}"
            for problem in shown
        )
        if len(problems) > MAX_SHOWN:
            reason += f"; and {len(problems) - MAX_SHOWN} more problems"
    return ConnectError(what, reason=reason, problems=problems)


def expected_state(state, current):
    """The connector state a run with ``state`` leads to."""
    if state == "running":
        return RUNNING
    if state == "paused":
        return PAUSED
    if state == "stopped":
        return STOPPED
    now = connector_state(current["status"]) if current else None
    return now if now in (PAUSED, STOPPED) else RUNNING


def class_respelled(spec, current):
    """Whether ``spec`` names its existing connector's ``connector.class`` in other words (then the
    installed plugins decide whether it is the same plugin)."""
    if current is None or spec["config"] is None or spec["state"] == "absent":
        return False
    wanted = normalize_config(spec["config"]).get("connector.class")
    return wanted != normalize_config(current["config"]).get("connector.class")


def plan_connector(spec, current, restart_failed, plugins=()):
    """``(actions, problem)`` for one connector; ``actions`` are dicts with an ``action`` key, in order.

    ``plugins`` (GET /connector-plugins) resolve a ``connector.class`` spelled differently from the
    current one: an alias of the same plugin is no change.
    """
    state = spec["state"]
    if state == "absent":
        return ([dict(action="delete")] if current else []), None
    desired = normalize_config(spec["config"]) if spec["config"] is not None else None
    target = expected_state(state, current)
    if current is None:
        if desired is None:
            return [], "config is required to create the connector (it does not exist)"
        return [dict(action="create", initial_state=target, keys=sorted(desired))], None

    actions = []
    if desired is not None:
        keys = config_changes(current["config"], desired, plugins)
        if keys:
            actions.append(dict(action="update", keys=keys))
    now = connector_state(current["status"])
    if state == "running" and now in (PAUSED, STOPPED):
        actions.append(dict(action="resume"))
    elif state == "paused" and now != PAUSED:
        actions.append(dict(action="pause"))
    elif state == "stopped" and now != STOPPED:
        actions.append(dict(action="stop"))
    if restart_failed and state != "stopped":
        failed = failed_parts(current["status"])
        if failed:
            actions.append(dict(action="restart", failed=failed))
    actions.sort(key=lambda action: ACTION_ORDER.index(action["action"]))
    return actions, None


def action_label(action, config=None):
    kind = action["action"]
    if kind == "create":
        label = f"create (connector.class={(config or {}).get('connector.class')}"
        if action["initial_state"] != RUNNING:
            label += f", initial state {action['initial_state']}"
        return label + ")"
    if kind == "update":
        return f"update config ({', '.join(action['keys'])})"
    if kind == "restart":
        return f"restart failed {', '.join(action['failed'])}"
    return kind


def action_labels(specs, plans):
    """``["<connector>: <action>", ...]`` of every planned action, in the order they are applied."""
    return [
        f"{spec['name']}: {action_label(action, normalize_config(spec['config']))}"
        for spec in specs
        for action in plans[spec["name"]]
    ]


def predict(current, spec, actions, plugins=None):
    """The info ``{type, config, status}`` of the connector after ``actions`` (None when it is deleted or
    never existed): what check mode reports in place of a re-read. A new connector's ``type`` is that of
    its plugin among ``plugins``."""
    if any(action["action"] == "delete" for action in actions) or (current is None and not actions):
        return None
    target = expected_state(spec["state"], current)
    if current is None:
        plugin = find_plugin(normalize_config(spec["config"]).get("connector.class"), plugins)
        return dict(type=(plugin or {}).get("type"), config=spec["config"], status=dict(connector=dict(state=target)))
    if not actions:
        return current
    # The config written only with an update: without one it stays as it is (connector.class may be an alias).
    updated = any(action["action"] == "update" for action in actions)
    status = current["status"] or {}
    connector = {key: value for key, value in (status.get("connector") or {}).items() if key != "trace"}
    if target == STOPPED:
        tasks = []
    elif any(action["action"] in ("pause", "resume", "restart") for action in actions):
        tasks = [
            dict(id=task["id"], state=target, worker_id=task["worker_id"])
            for task in task_states(status, with_traces=False)
        ]
    else:
        tasks = status.get("tasks") or []
    return dict(
        type=current["type"],
        config=spec["config"] if updated else current["config"],
        status=dict(status, connector=dict(connector, state=target), tasks=tasks),
    )


def _diff_entry(info, extra_patterns, keys=None):
    return dict(
        state=connector_state(info["status"]),
        config=mask_config(normalize_config(info["config"]), extra_patterns, keys),
    )


def diff(before, after, specs, plans, extra_patterns, plugins=None):
    """``{before, after}`` of the connectors the run changed, from their infos before and after it.

    ``after`` holds the re-read infos (the predicted ones in check mode), None for a connector that does
    not exist. A connector that exists on both sides shows its state and the configuration keys that
    differ, and which parts were failed when it was restarted; a created or deleted one its whole
    configuration. Secrets are masked.
    """
    before_diff, after_diff = {}, {}
    for spec in specs:
        name = spec["name"]
        actions = plans[name]
        if not actions:
            continue
        old, new = before.get(name), after.get(name)
        keys = None
        if old is not None and new is not None:
            keys = config_changes(old["config"], new["config"], plugins or ())
        if old is not None:
            before_diff[name] = _diff_entry(old, extra_patterns, keys)
        if new is not None:
            after_diff[name] = _diff_entry(new, extra_patterns, keys)
        if old is not None and new is not None and any(action["action"] == "restart" for action in actions):
            before_diff[name]["failed"] = failed_parts(old["status"])
            after_diff[name]["failed"] = failed_parts(new["status"])
    return dict(before=before_diff, after=after_diff)


def check_mode_warnings(specs, cluster, plans):
    """The failures a real run would wait for and then report, as warnings for check mode."""
    warnings = []
    for spec in specs:
        name = spec["name"]
        current = cluster.get(name)
        kinds = [action["action"] for action in plans[name]]
        if current is None or spec["state"] in ("absent", "stopped") or "restart" in kinds or "update" in kinds:
            continue
        failures = failure_details(name, current["status"])
        if failures:
            warnings.append(
                "; ".join(failures) + ": a real run would fail unless it recovers (restart_failed=true restarts it)"
            )
    return warnings
