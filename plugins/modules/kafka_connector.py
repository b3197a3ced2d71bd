#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_connector
short_description: Manage Kafka Connect connectors through the Connect REST API
version_added: 0.1.0
description:
  - Creates, updates, pauses, resumes, stops, restarts and deletes connectors of a distributed Kafka Connect
    cluster through its REST API. One task manages one connector (O(name)) or a set of connectors
    (O(connectors)), optionally deleting every other connector of the Connect cluster (O(purge)).
  - The configuration is written (C(PUT /connectors/<name>/config)) only when it differs from the one the
    workers report, compared after normalization (the REST API reports every value as a string, so
    V(true) equals V("true") and V(1) equals V("1"); a C(connector.class) alias such as V(FileStreamSink)
    equals the plugin's full class name, resolved through the installed plugins as Kafka Connect does). The
    configuration is replaced as a whole; keys that are not listed are removed from the connector.
  - Before a connector is created or its configuration changed, its C(connector.class) must be installed
    (otherwise the module fails and lists the installed connector plugins) and the workers validate the
    new configuration (C(PUT /connector-plugins/<class>/config/validate)). When any of the listed
    connectors is refused, the module fails with every error message (C(<field>) and C(<message>)) and changes
    nothing, also in check mode.
  - With O(wait=true) the module waits until the connector and all its tasks reach the requested state; a
    failed connector or task makes the module fail with a summary of its stack trace.
  - Connectors are only deleted when listed with O(state=absent), or, with O(purge=true), when they are
    not listed in O(connectors). Nothing else is ever deleted.
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  name:
    description:
      - Name of a single connector to manage. Use either O(name) (with O(config) and O(state)) or
        O(connectors), not both.
    type: str
  config:
    description:
      - The whole configuration of O(name); it must contain C(connector.class) (a class name or an alias such
        as V(FileStreamSink)). Values may be strings, numbers, booleans or lists (joined with commas); keys
        whose value is V(null) are left out. A C(name) key must equal O(name).
      - Required to create the connector. When omitted, the configuration of an existing connector is left
        as it is and only its state is managed.
      - Values of secret keys (see O(secret_keys); C(connection.url) is one) and every value that contains
        C(password=) (a JDBC URL such as V(jdbc:postgresql://db/app?user=app&password=...)) are never shown, nor
        the password inside them; results, diffs, warnings and error messages show C(********). Keep them in a
        vault or, better, let the workers resolve them with a config provider
        (V(${file:/etc/kafka-connect/secrets.properties:password})).
    type: dict
  state:
    description:
      - V(present) creates the connector or updates its configuration and leaves its run state alone
        (a new connector starts running; a paused or stopped one stays so).
      - V(running) is V(present) plus resumed when paused or stopped.
      - V(paused) is V(present) plus paused (C(PUT /connectors/<name>/pause)); its tasks keep their
        assignment but process nothing.
      - V(stopped) is V(present) plus stopped (C(PUT /connectors/<name>/stop), Kafka Connect 3.5 or later);
        its tasks are shut down, its configuration and offsets are kept.
      - V(absent) deletes the connector (C(DELETE /connectors/<name>)).
      - Defaults to V(present). (It has no declared default so that it can be rejected next to O(connectors).)
    type: str
    choices: [present, absent, paused, stopped, running]
  connectors:
    description:
      - The connectors to manage in one task. Mutually exclusive with O(name), O(config) and O(state).
      - Every connector is checked and validated before the first change; if any is refused, nothing changes.
    type: list
    elements: dict
    suboptions:
      name:
        description: Connector name.
        type: str
        required: true
      config:
        description: Its configuration, see O(config).
        type: dict
      state:
        description: Its state, see O(state).
        type: str
        choices: [present, absent, paused, stopped, running]
        default: present
  purge:
    description:
      - Delete every connector of the Connect cluster that is not listed in O(connectors). Requires
        O(connectors).
      - Refuses a list that keeps no connector - an empty list, or one whose entries all have V(absent) -
        because that deletes every connector of the Connect cluster; O(purge_all=true) confirms that intent.
        The refusal changes nothing, also in check mode.
      - Without O(purge=true) connectors that are not listed are never touched.
    type: bool
    default: false
  purge_all:
    description:
      - Confirms a O(purge=true) whose O(connectors) keeps no connector, that is, deleting every connector of the
        Connect cluster (those listed with V(absent) and all others). Only with O(purge=true).
    type: bool
    default: false
  restart_failed:
    description:
      - Restart the connector and the tasks that the workers report as C(FAILED)
        (C(POST /connectors/<name>/restart?includeTasks=true&onlyFailed=true)). Reports a change only when
        something was failed.
      - Applies to every managed connector whose state is not V(absent) or V(stopped).
    type: bool
    default: false
  wait:
    description:
      - Wait until every managed connector and all its tasks are C(RUNNING) (C(PAUSED) for V(paused),
        C(STOPPED) without tasks for V(stopped); for V(present), the state the connector already had)
        and deleted connectors are gone.
      - A connector or task that stays C(FAILED) makes the module fail with a summary of its stack trace.
      - A running connector that generates no tasks is accepted after a few seconds.
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for O(wait), for all connectors together.
    type: int
    default: 120
extends_documentation_fragment:
  - kafkaops.cluster.kafka_connect
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode reads the connectors, checks that the connector classes are installed and lets the
        workers validate every new configuration, exactly like a real run, then reports the predicted
        result without writing anything.
  diff_mode:
    support: full
    details:
      - The diff shows every changed connector before and after (state and the configuration keys that
        change; the whole configuration of a created or deleted one), secrets masked.
  platform:
    platforms: posix
notes:
  - Creating a connector in state V(paused) or V(stopped) uses C(initial_state) (Kafka Connect 3.7 or later),
    so it never runs; older workers create it running and then pause or stop it.
  - The module does not manage connector offsets.
  - Besides the keys of O(secret_keys), C(connection.url) and any value containing C(password=) (also
    C(passwd=), C(pwd=)) are masked, and so are the passwords inside such values (C(password=<p>),
    C(scheme://user:<p>@host), Oracle's C(thin:user/<p>@host)) wherever they appear in the output.
seealso:
  - module: kafkaops.cluster.kafka_connector_info
  - name: Kafka Connect REST API
    description: The endpoints this module uses.
    link: https://kafka.apache.org/documentation/#connect_rest
"""

EXAMPLES = r"""
- name: A file sink connector
  kafkaops.cluster.kafka_connector:
    connect_url: ["https://connect-0:8083", "https://connect-1:8083"]
    ca_path: /etc/kafka/tls/ca.pem
    name: orders-to-file
    config:
      connector.class: org.apache.kafka.connect.file.FileStreamSinkConnector
      tasks.max: 1
      topics: orders
      file: /var/lib/kafka-connect/orders.txt

- name: Pause it for maintenance
  kafkaops.cluster.kafka_connector:
    connect_url: https://connect-0:8083
    name: orders-to-file
    state: paused

- name: Every connector of the Connect cluster, others deleted; connection from module_defaults
  module_defaults:
    group/kafkaops.cluster.connect:
      connect_url: ["https://connect-0:8083", "https://connect-1:8083"]
      ca_path: /etc/kafka/tls/ca.pem
      url_username: ops
      url_password: "{{ vault_connect_password }}"
  block:
    - name: Connectors
      kafkaops.cluster.kafka_connector:
        connectors:
          - name: orders-to-s3
            config:
              connector.class: io.confluent.connect.s3.S3SinkConnector
              topics: orders
              s3.bucket.name: orders-archive
              aws.secret.access.key: "${file:/etc/kafka-connect/aws.properties:secret}"
          - name: legacy-import
            state: stopped
        purge: true
        restart_failed: true
      diff: true

- name: Decommission - delete every connector of the Connect cluster (purge_all confirms it)
  kafkaops.cluster.kafka_connector:
    connect_url: https://connect-0:8083
    connectors: []
    purge: true
    purge_all: true
"""

RETURN = r"""
connector:
  description:
    - The connector after the run (predicted in check mode), V(null) when it does not exist.
  returned: when O(name) is used
  type: dict
  contains:
    name:
      description: Connector name.
      type: str
    type:
      description: V(source) or V(sink).
      type: str
    state:
      description: State of the connector (C(RUNNING), C(PAUSED), C(STOPPED), C(FAILED), C(UNASSIGNED)).
      type: str
    worker_id:
      description: The worker running the connector.
      type: str
    tasks:
      description: Its tasks, sorted by id; C(trace) (a summary of the stack trace) only for failed tasks.
      type: list
      elements: dict
    config:
      description: Its configuration as the REST API reports it (strings), secrets masked, without C(name).
      type: dict
  sample:
    name: orders-to-file
    type: sink
    state: RUNNING
    worker_id: connect-0:8083
    tasks: [{"id": 0, "state": "RUNNING", "worker_id": "connect-0:8083"}]
    config: {"connector.class": "FileStreamSink", "tasks.max": "1", "topics": "orders", "file": "/tmp/orders.txt"}
connectors:
  description: Like RV(connector), for every listed (and purged) connector, keyed by name.
  returned: when O(connectors) is used
  type: dict
actions:
  description:
    - What was done (would be done in check mode), one C(<connector>) C(<action>) string per action (see the
      sample), in order; empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: ["orders-to-file: create (connector.class=FileStreamSink)", "legacy: delete"]
problems:
  description: Every problem found, when the module refused the input or the workers refused a configuration.
  returned: failure
  type: list
  elements: dict
  contains:
    connector:
      description: The connector.
      type: str
    msg:
      description: What is wrong.
      type: str
  sample:
    - connector: orders-to-file
      msg: "invalid config: tasks.max: Invalid value 0 for configuration tasks.max: Value must be at least 1"
diff:
  description:
    - The changed connectors before and after, keyed by name. C(config) only shows the keys that change
      (all keys for a created or deleted connector), secrets masked (a changed secret shows C(********) on
      both sides).
  returned: when diff mode is enabled
  type: dict
  sample:
    before: {"orders-to-file": {"state": "RUNNING", "config": {"tasks.max": "1"}}}
    after: {"orders-to-file": {"state": "RUNNING", "config": {"tasks.max": "2"}}}
"""

import time

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import PAUSED
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import RUNNING
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import STOPPED
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import ConnectError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import ConnectModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import config_changes
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import connector_state
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import failed_parts
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import failure_details
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import find_plugin
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import kafka_version
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import mask_config
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import normalize_config
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import plugin_label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import public_connector
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import task_states
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import validation_errors

STATES = ["present", "absent", "paused", "stopped", "running"]
SINGLE_OPTIONS = ("name", "config", "state")
# Kafka Connect versions that added the endpoints used for these states.
STOP_VERSION = (3, 5, 0)
INITIAL_STATE_VERSION = (3, 7, 0)
POLL_INTERVAL = 1.0
# Consecutive polls that must agree before a FAILED state (or a running connector without tasks) counts:
# right after a change the workers may still report the previous state.
SETTLE_POLLS = 3
MAX_SHOWN = 10

# Order of the actions on one connector: stop or pause before a new config is written, resume after.
ACTION_ORDER = ("delete", "create", "stop", "pause", "update", "resume", "restart")


# ---------------------------------------------------------------------------
# Planning (pure functions)
# ---------------------------------------------------------------------------


def connector_specs(params):
    """``[{name, config, state}]`` from either O(name) or O(connectors)."""
    if params["connectors"] is not None:
        return [dict(name=c["name"], config=c["config"], state=c["state"]) for c in params["connectors"]]
    return [dict(name=params["name"], config=params["config"], state=params["state"] or "present")]


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


def predict(name, current, spec, actions, plugin_type, extra_patterns):
    """The public state after ``actions`` (what check mode returns), None for a deleted connector."""
    if any(action["action"] == "delete" for action in actions) or (current is None and not actions):
        return None
    if current is None:
        info = dict(type=plugin_type, config=spec["config"], status={})
    else:
        # The config written only with an update: without one it stays as it is (connector.class may be an alias).
        updated = any(action["action"] == "update" for action in actions)
        config = spec["config"] if updated else current["config"]
        info = dict(type=current["type"], config=config, status=current["status"])
    state = public_connector(name, info, extra_patterns)
    if actions:
        target = expected_state(spec["state"], current)
        state["state"] = target
        state.pop("trace", None)
        if target == STOPPED:
            state["tasks"] = []
        elif any(action["action"] in ("pause", "resume", "restart") for action in actions):
            state["tasks"] = [dict(id=task["id"], state=target, worker_id=task["worker_id"]) for task in state["tasks"]]
    return state


def diff_entries(current, spec, actions, extra_patterns):
    """``(before, after)`` diff entries of one changed connector (None where it does not exist)."""
    if not actions:
        return None, None
    desired = normalize_config(spec["config"]) if spec["config"] is not None else None
    kinds = [action["action"] for action in actions]
    if "delete" in kinds:
        before = dict(
            state=connector_state(current["status"]),
            config=mask_config(normalize_config(current["config"]), extra_patterns),
        )
        return before, None
    target = expected_state(spec["state"], current)
    if "create" in kinds:
        return None, dict(state=target, config=mask_config(desired, extra_patterns))
    keys = next((action["keys"] for action in actions if action["action"] == "update"), [])
    after_config = desired if desired is not None else normalize_config(current["config"])
    before = dict(
        state=connector_state(current["status"]),
        config=mask_config(normalize_config(current["config"]), extra_patterns, keys),
    )
    after = dict(state=target, config=mask_config(after_config, extra_patterns, keys))
    restart = next((action for action in actions if action["action"] == "restart"), None)
    if restart:
        before["failed"] = restart["failed"]
        after["failed"] = []
    return before, after


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


# ---------------------------------------------------------------------------
# REST calls
# ---------------------------------------------------------------------------


def class_respelled(spec, current):
    """Whether ``spec`` names its existing connector's ``connector.class`` in other words (then the
    installed plugins decide whether it is the same plugin)."""
    if current is None or spec["config"] is None or spec["state"] == "absent":
        return False
    wanted = normalize_config(spec["config"]).get("connector.class")
    return wanted != normalize_config(current["config"]).get("connector.class")


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


def settle(client, name, expected, deadline, changed=False, sleep=time.sleep, clock=time.monotonic):
    """Poll the status of ``name`` until it is ``expected``; ``(last status, warning)``.

    Ready means the connector and every task are in ``expected`` and there are as many tasks as task
    configurations. Right after a change the workers still report the previous state for a moment, so
    then that must hold for ``SETTLE_POLLS`` polls in a row; a FAILED connector or task must too before
    the module fails. Raises ``ConnectError`` on failure or at the deadline.
    """
    needed = SETTLE_POLLS if changed else 1
    ready_polls = failed_polls = idle_polls = 0
    while True:
        status = client.connector_status(name)
        if status is None:
            # A new connector has no status for a moment.
            if clock() >= deadline:
                raise ConnectError(
                    f"{_verb(expected)} connector {name}", reason="the workers do not report it (deleted meanwhile?)"
                )
            sleep(POLL_INTERVAL)
            continue
        tasks = task_states(status, with_traces=False)
        ready = _reached(status, expected)
        idle = expected == RUNNING and connector_state(status) == RUNNING and not tasks
        if (ready and expected != STOPPED) or idle:
            configs = client.connector_tasks(name)
            ready = ready and configs is not None and len(configs) == len(tasks)
            idle = idle and configs == []
        ready_polls = ready_polls + 1 if ready else 0
        if ready_polls >= needed:
            return status, None
        idle_polls = idle_polls + 1 if idle else 0
        if idle_polls >= SETTLE_POLLS:
            return status, f"connector {name} is RUNNING but has no tasks (it generated no task configurations)"
        failures = failure_details(name, status)
        failed_polls = failed_polls + 1 if failures else 0
        if failures and (failed_polls >= SETTLE_POLLS or clock() >= deadline):
            reason = "; ".join(failures)
            if expected != STOPPED:
                reason += " (fix the cause, then restart it with restart_failed=true)"
            raise ConnectError(f"{_verb(expected)} connector {name}", reason=reason, failed_parts=failed_parts(status))
        if clock() >= deadline:
            shown = ", ".join(f"{task['id']}={task['state']}" for task in tasks)
            raise ConnectError(
                f"{_verb(expected)} connector {name}",
                reason=f"still {connector_state(status)} (tasks: {shown or 'none'}) after waiting, expected {expected}",
            )
        sleep(POLL_INTERVAL)


def wait_gone(client, name, deadline, sleep=time.sleep, clock=time.monotonic):
    while client.connector_status(name) is not None:
        if clock() >= deadline:
            raise ConnectError(f"delete connector {name}", reason="the workers still report it after waiting")
        sleep(POLL_INTERVAL)


# ---------------------------------------------------------------------------
# main
# ---------------------------------------------------------------------------


def main():
    connector_options = dict(
        name=dict(type="str", required=True),
        config=dict(type="dict"),
        state=dict(type="str", choices=STATES, default="present"),
    )
    argument_spec = dict(
        name=dict(type="str"),
        config=dict(type="dict"),
        state=dict(type="str", choices=STATES),
        connectors=dict(type="list", elements="dict", options=connector_options),
        purge=dict(type="bool", default=False),
        purge_all=dict(type="bool", default=False),
        restart_failed=dict(type="bool", default=False),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=120),
    )
    module = ConnectModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("connectors", option) for option in SINGLE_OPTIONS],
        required_one_of=[("name", "connectors")],
        required_if=[("purge", True, ("connectors",))],
    )
    params = module.params
    extra = params["secret_keys"]
    if params["wait_timeout"] < 1:
        module.fail_json(msg=f"wait_timeout must be at least 1, got {params['wait_timeout']}")
    specs = connector_specs(params)
    module.add_config_secrets(spec["config"] for spec in specs if isinstance(spec["config"], dict))
    single = params["connectors"] is None
    result = dict(changed=False, actions=[])

    try:
        problems = spec_problems(specs, params["purge"], params["purge_all"])
        if problems:
            raise problems_error(problems)
        client = module.client()
        worker = client.root()
        version = kafka_version(worker.get("version"))
        cluster = client.connectors()
        module.add_config_secrets(info["config"] for info in cluster.values())

        listed = [spec["name"] for spec in specs]
        if params["purge"]:
            specs = specs + [
                dict(name=name, config=None, state="absent") for name in sorted(cluster) if name not in listed
            ]
        plans = {}
        plugins = None
        if any(class_respelled(spec, cluster.get(spec["name"])) for spec in specs):
            plugins = client.connector_plugins()
        for spec in specs:
            name = spec["name"]
            actions, problem = plan_connector(spec, cluster.get(name), params["restart_failed"], plugins or ())
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

        result["actions"] = [
            f"{spec['name']}: {action_label(action, normalize_config(spec['config']))}"
            for spec in specs
            for action in plans[spec["name"]]
        ]
        result["changed"] = bool(result["actions"])
        plugin_types = {
            spec["name"]: (find_plugin(normalize_config(spec["config"]).get("connector.class"), plugins) or {}).get(
                "type"
            )
            for spec in specs
            if spec["config"] is not None and plugins is not None
        }
        after = {
            spec["name"]: predict(
                spec["name"],
                cluster.get(spec["name"]),
                spec,
                plans[spec["name"]],
                plugin_types.get(spec["name"]),
                extra,
            )
            for spec in specs
        }

        if not module.check_mode:
            writes_before = client.writes
            try:
                for spec in specs:
                    config = normalize_config(spec["config"]) if spec["config"] is not None else None
                    apply(client, spec["name"], plans[spec["name"]], config, version)
            except ConnectError:
                # changed only if a write before the refused one went through.
                result["changed"] = client.writes > writes_before
                raise
            if params["wait"]:
                deadline = time.monotonic() + params["wait_timeout"]
                for spec in specs:
                    name = spec["name"]
                    if spec["state"] == "absent":
                        if plans[name]:
                            wait_gone(client, name, deadline)
                        continue
                    target = expected_state(spec["state"], cluster.get(name))
                    _status, warning = settle(client, name, target, deadline, changed=bool(plans[name]))
                    if warning:
                        module.warn(warning)
            if result["changed"] or params["wait"]:
                cluster_after = client.connectors()
                module.add_config_secrets(info["config"] for info in cluster_after.values())
                after = {
                    spec["name"]: (
                        public_connector(spec["name"], cluster_after[spec["name"]], extra)
                        if spec["name"] in cluster_after
                        else None
                    )
                    for spec in specs
                }
        elif params["wait"]:
            # Check mode warns about the failure a real run would wait for and then report.
            for spec in specs:
                name = spec["name"]
                current = cluster.get(name)
                kinds = [action["action"] for action in plans[name]]
                if current is None or spec["state"] in ("absent", "stopped") or "restart" in kinds or "update" in kinds:
                    continue
                failures = failure_details(name, current["status"])
                if failures:
                    module.warn(
                        "; ".join(failures) + ": a real run would fail unless it recovers (restart_failed=true "
                        "restarts it)"
                    )
    except ConnectError as e:
        module.fail_connect(e, **result)

    if single:
        result["connector"] = after[specs[0]["name"]]
    else:
        result["connectors"] = after
    if module._diff:
        before_diff, after_diff = {}, {}
        for spec in specs:
            before, predicted = diff_entries(cluster.get(spec["name"]), spec, plans[spec["name"]], extra)
            if before is not None:
                before_diff[spec["name"]] = before
            if predicted is not None:
                after_diff[spec["name"]] = predicted
        result["diff"] = dict(before=before_diff, after=after_diff)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
