# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The REST side of kafka_connector: plan and let the workers check, apply a plan, wait for it.

``plan_checked`` plans every connector (``kafka_connect_plan``) and checks each configuration to write
against the installed plugins and the workers' validation, before anything is written. ``apply`` writes
one connector's actions; ``wait_for`` waits, through the one poller (``polling.poll``), until every
connector has settled in its state (``settle``) or is gone (``wait_gone``).
"""

from __future__ import annotations

import time

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import PAUSED
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import RUNNING
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import STOPPED
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import connector_state
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import failed_parts
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import failure_details
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import find_plugin
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import normalize_config
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import plugin_label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import task_states
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import validation_errors
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_plan import class_respelled
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_plan import expected_state
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_plan import plan_connector
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_plan import problems_error
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_rest import ConnectError
from ansible_collections.kafkaops.cluster.plugins.module_utils.polling import poll

# Kafka Connect versions that added the endpoints used for these states.
STOP_VERSION = (3, 5, 0)
INITIAL_STATE_VERSION = (3, 7, 0)
POLL_INTERVAL = 1.0
# Consecutive polls that must agree before a FAILED state (or a running connector without tasks) counts:
# right after a change the workers may still report the previous state.
SETTLE_POLLS = 3


# ---------------------------------------------------------------------------
# Plan and check, before any write
# ---------------------------------------------------------------------------


def check_and_validate(client, name, config, plugins):
    """Problem messages for a config to write: unknown connector.class, or the workers' validation errors."""
    connector_class = config["connector.class"]
    if find_plugin(connector_class, plugins) is None:
        installed = ", ".join(plugin_label(plugin) for plugin in plugins) or "none"
        return [
            f"connector.class {connector_class} is not installed on the Kafka Connect workers ({client.url}); "
            f"installed connector plugins: {installed}"
        ]
    response = client.validate(connector_class, dict(config, name=name))
    errors = validation_errors(response)
    if errors:
        return ["invalid config: " + "; ".join(errors)]
    return []


def plan_checked(client, worker, specs, cluster, restart_failed, version):
    """``(plans, plugins)``: the actions of every connector, ``{name: [action]}``, and the installed plugins
    when they were read (None otherwise).

    Every connector is planned and every configuration to write checked (``connector.class`` installed,
    the workers' validation, ``state=stopped`` supported) before this raises one ``ConnectError`` naming
    every problem; nothing is written.
    """
    problems = []
    plans = {}
    plugins = None
    if any(class_respelled(spec, cluster.get(spec["name"])) for spec in specs):
        plugins = client.connector_plugins()
    for spec in specs:
        name = spec["name"]
        actions, problem = plan_connector(spec, cluster.get(name), restart_failed, plugins or ())
        if problem:
            problems.append(dict(connector=name, msg=problem))
            continue
        plans[name] = actions
        if spec["state"] == "stopped" and version < STOP_VERSION:
            problems.append(
                dict(
                    connector=name,
                    msg=f"state=stopped needs Kafka Connect 3.5 or later; the worker at {client.url} runs "
                    f"{worker.get('version')}",
                )
            )
        if any(action["action"] in ("create", "update") for action in actions):
            if plugins is None:
                plugins = client.connector_plugins()
            for message in check_and_validate(client, name, normalize_config(spec["config"]), plugins):
                problems.append(dict(connector=name, msg=message))
    if problems:
        raise problems_error(problems)
    return plans, plugins


# ---------------------------------------------------------------------------
# Writes
# ---------------------------------------------------------------------------


def apply(client, name, actions, config, version):
    for action in actions:
        kind = action["action"]
        if kind == "delete":
            client.delete(name)
        elif kind == "create":
            body = dict(config, name=name)
            initial = action["initial_state"]
            if initial != RUNNING and version >= INITIAL_STATE_VERSION:
                client.create(name, body, initial)
            else:
                client.put_config(name, body)
                if initial == PAUSED:
                    client.pause(name)
                elif initial == STOPPED:
                    client.stop(name)
        elif kind == "update":
            client.put_config(name, dict(config, name=name))
        elif kind == "pause":
            client.pause(name)
        elif kind == "resume":
            client.resume(name)
        elif kind == "stop":
            client.stop(name)
        elif kind == "restart":
            client.restart_failed(name)


def apply_all(client, specs, plans, version):
    """Apply every plan, in the order of ``specs``; ``client.writes`` counts the writes that went through,
    also when one is refused and this raises."""
    for spec in specs:
        config = normalize_config(spec["config"]) if spec["config"] is not None else None
        apply(client, spec["name"], plans[spec["name"]], config, version)


# ---------------------------------------------------------------------------
# Waits
# ---------------------------------------------------------------------------


def _verb(expected):
    return {RUNNING: "run", PAUSED: "pause", STOPPED: "stop"}[expected]


def _reached(status, expected):
    tasks = task_states(status, with_traces=False)
    if connector_state(status) != expected:
        return False
    if expected == STOPPED:
        return not tasks
    if expected == RUNNING and not tasks:
        return False
    return all(task["state"] == expected for task in tasks)


class _Settling:
    """``read`` and ``done`` of the poll in ``settle``; counts the polls in a row that agree.

    ``read()`` is one observation, None while the workers report no status (a new connector has none for
    a moment: it neither counts nor resets a count). ``outcome`` is ``ready``, ``idle`` or ``failed`` once
    ``done`` said so.
    """

    def __init__(self, client, name, expected, needed):
        self.client = client
        self.name = name
        self.expected = expected
        self.needed = needed
        self.ready_polls = self.idle_polls = self.failed_polls = 0
        self.outcome = None

    def read(self):
        status = self.client.connector_status(self.name)
        if status is None:
            return None
        tasks = task_states(status, with_traces=False)
        ready = _reached(status, self.expected)
        idle = self.expected == RUNNING and connector_state(status) == RUNNING and not tasks
        if (ready and self.expected != STOPPED) or idle:
            configs = self.client.connector_tasks(self.name)
            ready = ready and configs is not None and len(configs) == len(tasks)
            idle = idle and configs == []
        return dict(status=status, tasks=tasks, ready=ready, idle=idle, failures=failure_details(self.name, status))

    def done(self, seen):
        if seen is None:
            return False
        self.ready_polls = self.ready_polls + 1 if seen["ready"] else 0
        if self.ready_polls >= self.needed:
            self.outcome = "ready"
            return True
        self.idle_polls = self.idle_polls + 1 if seen["idle"] else 0
        if self.idle_polls >= SETTLE_POLLS:
            self.outcome = "idle"
            return True
        self.failed_polls = self.failed_polls + 1 if seen["failures"] else 0
        if seen["failures"] and self.failed_polls >= SETTLE_POLLS:
            self.outcome = "failed"
            return True
        return False


def settle(client, name, expected, deadline, changed=False, sleep=time.sleep, clock=time.monotonic):
    """Poll the status of ``name`` until it is ``expected``; ``(last status, warning)``.

    Ready means the connector and every task are in ``expected`` and there are as many tasks as task
    configurations. Right after a change the workers still report the previous state for a moment, so
    then that must hold for ``SETTLE_POLLS`` polls in a row; a FAILED connector or task must too before
    the module fails. Raises ``ConnectError`` on failure or at the deadline.
    """
    settling = _Settling(client, name, expected, SETTLE_POLLS if changed else 1)
    seen, _done = poll(settling.read, settling.done, deadline - clock(), POLL_INTERVAL, sleep=sleep, clock=clock)
    action = f"{_verb(expected)} connector {name}"
    if seen is None:
        raise ConnectError(action, reason="the workers do not report it (deleted meanwhile?)")
    status = seen["status"]
    if settling.outcome == "ready":
        return status, None
    if settling.outcome == "idle":
        return status, f"connector {name} is RUNNING but has no tasks (it generated no task configurations)"
    if seen["failures"]:
        reason = "; ".join(seen["failures"])
        if expected != STOPPED:
            reason += " (fix the cause, then restart it with restart_failed=true)"
        raise ConnectError(action, reason=reason, failed_parts=failed_parts(status))
    shown = ", ".join(f"{task['id']}={task['state']}" for task in seen["tasks"])
    raise ConnectError(
        action, reason=f"still {connector_state(status)} (tasks: {shown or 'none'}) after waiting, expected {expected}"
    )


def wait_gone(client, name, deadline, sleep=time.sleep, clock=time.monotonic):
    _status, gone = poll(
        lambda: client.connector_status(name),
        lambda status: status is None,
        deadline - clock(),
        POLL_INTERVAL,
        sleep=sleep,
        clock=clock,
    )
    if not gone:
        raise ConnectError(f"delete connector {name}", reason="the workers still report it after waiting")


def wait_for(client, specs, cluster, plans, timeout, warn):
    """Wait, ``timeout`` seconds for all together, until every connector has settled in the state its spec
    asks for and every deleted one is gone; ``warn`` gets the warnings of ``settle`` as they come."""
    deadline = time.monotonic() + timeout
    for spec in specs:
        name = spec["name"]
        if spec["state"] == "absent":
            if plans[name]:
                wait_gone(client, name, deadline)
            continue
        target = expected_state(spec["state"], cluster.get(name))
        _status, warning = settle(client, name, target, deadline, changed=bool(plans[name]))
        if warning:
            warn(warning)
