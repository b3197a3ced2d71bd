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
      - The after side is what the workers report when the run is done (with O(wait=true), once the connectors
        settled), like RV(connector); in check mode it is the prediction.
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
    - C(after) is read back from the workers after the run (predicted in check mode).
  returned: when diff mode is enabled
  type: dict
  sample:
    before: {"orders-to-file": {"state": "RUNNING", "config": {"tasks.max": "1"}}}
    after: {"orders-to-file": {"state": "RUNNING", "config": {"tasks.max": "2"}}}
"""

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import ConnectModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import kafka_version
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import public_connector
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_apply import apply_all
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_apply import plan_checked
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_apply import wait_for
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_plan import STATES
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_plan import action_labels
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_plan import check_mode_warnings
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_plan import connector_specs
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_plan import diff
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_plan import predict
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_plan import problems_error
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_plan import spec_problems
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_plan import with_purged
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_rest import ConnectError

SINGLE_OPTIONS = ("name", "config", "state")


def argument_spec():
    connector_options = dict(
        name=dict(type="str", required=True),
        config=dict(type="dict"),
        state=dict(type="str", choices=STATES, default="present"),
    )
    return dict(
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


def read_connectors(module, client):
    """Every connector of the Connect cluster; their secret values are masked in all output from now on."""
    cluster = client.connectors()
    module.add_config_secrets(info["config"] for info in cluster.values())
    return cluster


def ensure(module, client, version, specs, cluster, plans, result):
    """Apply the plans and wait for them, unless in check mode (which warns about the failures a real run
    would wait for). When a write is refused, ``result`` reports changed only if an earlier one went through."""
    params = module.params
    if module.check_mode:
        if params["wait"]:
            for warning in check_mode_warnings(specs, cluster, plans):
                module.warn(warning)
        return
    writes_before = client.writes
    try:
        apply_all(client, specs, plans, version)
    except ConnectError:
        result["changed"] = client.writes > writes_before
        raise
    if params["wait"]:
        wait_for(client, specs, cluster, plans, params["wait_timeout"], module.warn)


def confirm(module, client, specs, cluster, plans, plugins):
    """``{name: info or None}`` after the run: re-read after a real change or wait, predicted otherwise
    (check mode, or nothing to do)."""
    if module.check_mode or not (module.params["wait"] or any(plans.values())):
        return {spec["name"]: predict(cluster.get(spec["name"]), spec, plans[spec["name"]], plugins) for spec in specs}
    cluster_after = read_connectors(module, client)
    return {spec["name"]: cluster_after.get(spec["name"]) for spec in specs}


def main():
    module = ConnectModule(
        argument_spec=argument_spec(),
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

    result = dict(changed=False, actions=[])
    try:
        problems = spec_problems(specs, params["purge"], params["purge_all"])
        if problems:
            raise problems_error(problems)
        client = module.client()
        worker = client.root()
        version = kafka_version(worker.get("version"))
        cluster = read_connectors(module, client)
        specs = with_purged(specs, cluster, params["purge"])
        plans, plugins = plan_checked(client, worker, specs, cluster, params["restart_failed"], version)
        result["actions"] = action_labels(specs, plans)
        result["changed"] = bool(result["actions"])
        ensure(module, client, version, specs, cluster, plans, result)
        after = confirm(module, client, specs, cluster, plans, plugins)
    except ConnectError as e:
        module.fail_connect(e, **result)

    shown = {name: public_connector(name, info, extra) if info is not None else None for name, info in after.items()}
    if params["connectors"] is None:
        result["connector"] = shown[specs[0]["name"]]
    else:
        result["connectors"] = shown
    if module._diff:
        # From the state re-read after the run (the prediction in check mode), as the results.
        result["diff"] = diff(cluster, after, specs, plans, extra, plugins)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
