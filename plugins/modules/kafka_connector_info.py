#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_connector_info
short_description: Read Kafka Connect connectors, their status and the installed plugins
version_added: 0.1.0
description:
  - Reads the connectors of a distributed Kafka Connect cluster through its REST API with one request
    (C(GET /connectors?expand=status&expand=info)) and returns, per connector, its type, state, tasks and
    configuration, with secrets masked - the values of secret keys (C(connection.url) included) and every value
    that contains C(password=), as in M(kafkaops.cluster.kafka_connector); the passwords inside them are masked
    wherever they appear (a failed task's trace, for example).
  - Also returns the worker it talked to (C(GET /)) and, with O(plugins=true), the installed connector
    plugins (C(GET /connector-plugins)).
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  names:
    description:
      - Only return these connectors. Names that do not exist are listed in RV(missing).
      - When omitted, every connector is returned.
    type: list
    elements: str
    aliases: [name]
  plugins:
    description:
      - Also list the connector plugins installed on the worker.
    type: bool
    default: false
extends_documentation_fragment:
  - kafkaops.cluster.kafka_connect
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - The module only reads.
  diff_mode:
    support: N/A
    details: The module does not change anything.
  platform:
    platforms: posix
seealso:
  - module: kafkaops.cluster.kafka_connector
"""

EXAMPLES = r"""
- name: Every connector and the installed plugins
  kafkaops.cluster.kafka_connector_info:
    connect_url: https://connect-0:8083
    ca_path: /etc/kafka/tls/ca.pem
    plugins: true
  register: connect

- name: Fail when a connector or task is not running
  ansible.builtin.assert:
    that:
      - connect.connectors.values() | map(attribute='state') | unique == ['RUNNING']
      - >-
        connect.connectors.values() | map(attribute='tasks') | flatten
        | map(attribute='state') | reject('eq', 'RUNNING') | list == []

- name: One connector
  kafkaops.cluster.kafka_connector_info:
    connect_url: https://connect-0:8083
    names: [orders-to-file]
  register: orders
"""

RETURN = r"""
worker:
  description: The worker that answered (C(GET /)) and its URL.
  returned: always
  type: dict
  contains:
    url:
      description: The URL of the worker (the first of O(connect_url) that answered).
      type: str
    version:
      description: Kafka Connect version.
      type: str
    commit:
      description: Commit id of that version.
      type: str
    kafka_cluster_id:
      description: Id of the Kafka cluster the Connect cluster uses.
      type: str
  sample: {"url": "http://connect-0:8083", "version": "3.9.2", "commit": "5e9866f43ab8e7e4", "kafka_cluster_id": "k-Yl"}
connectors:
  description: The connectors, keyed by name.
  returned: always
  type: dict
  contains:
    name:
      description: Connector name.
      type: str
    type:
      description: V(source) or V(sink).
      type: str
    state:
      description: State of the connector (C(RUNNING), C(PAUSED), C(STOPPED), C(FAILED), C(UNASSIGNED), C(RESTARTING)).
      type: str
    worker_id:
      description: The worker running the connector.
      type: str
    trace:
      description: Summary of the stack trace, only when the connector itself failed.
      type: str
    tasks:
      description: Its tasks, sorted by id; C(trace) (a summary of the stack trace) only for failed tasks.
      type: list
      elements: dict
    config:
      description: Its configuration as the REST API reports it (strings), secrets masked, without C(name).
      type: dict
  sample:
    orders-to-file:
      name: orders-to-file
      type: sink
      state: RUNNING
      worker_id: connect-0:8083
      tasks: [{"id": 0, "state": "RUNNING", "worker_id": "connect-0:8083"}]
      config: {"connector.class": "FileStreamSink", "topics": "orders", "file": "/tmp/orders.txt"}
missing:
  description: The names of O(names) that do not exist, in the order given.
  returned: always
  type: list
  elements: str
  sample: []
plugins:
  description: The installed connector plugins, sorted by class.
  returned: when O(plugins=true)
  type: list
  elements: dict
  sample: [{"class": "org.apache.kafka.connect.file.FileStreamSinkConnector", "type": "sink", "version": "3.9.2"}]
"""

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import ConnectModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect import public_connector
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_connect_rest import ConnectError


def main():
    argument_spec = dict(
        names=dict(type="list", elements="str", aliases=["name"]),
        plugins=dict(type="bool", default=False),
    )
    module = ConnectModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    names = params["names"]
    extra = params["secret_keys"]
    result = dict(changed=False)
    try:
        client = module.client()
        worker = client.root()
        result["worker"] = dict(
            url=client.url,
            version=worker.get("version"),
            commit=worker.get("commit"),
            kafka_cluster_id=worker.get("kafka_cluster_id"),
        )
        cluster = client.connectors()
        module.add_config_secrets(info["config"] for info in cluster.values())
        wanted = sorted(cluster) if names is None else [name for name in names if name in cluster]
        result["connectors"] = {name: public_connector(name, cluster[name], extra) for name in wanted}
        result["missing"] = [] if names is None else [name for name in names if name not in cluster]
        if params["plugins"]:
            result["plugins"] = client.connector_plugins()
    except ConnectError as e:
        module.fail_connect(e, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
