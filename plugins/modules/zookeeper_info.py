#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: zookeeper_info
short_description: Report the state of each ZooKeeper server and whether the ensemble has a quorum
version_added: 0.1.0
description:
  - Sends the four-letter word C(srvr) to every server of O(zookeeper_hosts) over a plain TCP
    connection, in parallel, and reports each server's mode (leader, follower, observer, standalone),
    last zxid, znode count, latency and version.
  - Four-letter words need no ZooKeeper session, so this works without credentials even when the
    servers enforce SASL authentication. The servers must allow C(srvr) in C(4lw.commands.whitelist).
  - Summarizes the ensemble, see RV(quorum). With O(require_quorum) the module fails, naming the
    servers that are not in the quorum, when there is none.
  - The module only reads; it never changes anything and always reports C(changed=false).
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  zookeeper_hosts:
    description:
      - The servers of B(one) ensemble as a ZooKeeper connection string, for example
        V(zk-0:2181,zk-1:2181,zk-2:2181) (client ports). A chroot suffix such as V(/kafka) is ignored;
        the port defaults to 2181; IPv6 addresses go in brackets.
      - List every voting server of the ensemble; the quorum needs a majority of the listed servers
        that do not answer as observers.
    type: str
    required: true
  zookeeper_timeout:
    description:
      - Seconds allowed for each server to accept the connection and answer.
      - Servers are asked in parallel, so this is also about the longest the module waits.
    type: int
    default: 10
  require_quorum:
    description:
      - Fail when the ensemble has no quorum (see RV(quorum)). The message names the servers that
        are not in the quorum and why (connection refused, not serving requests, ...).
    type: bool
    default: false
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
  diff_mode:
    support: N/A
    details: The module does not change anything.
  platform:
    platforms: posix
notes:
  - A server that has lost its quorum answers C(This ZooKeeper instance is not currently serving requests);
    it is reported as reachable with RV(servers[].mode=null) and that reason in RV(servers[].error).
  - Needs no third-party Python library.
seealso:
  - module: kafkaops.cluster.kafka_cluster_info
  - name: ZooKeeper four letter words
    description: The ZooKeeper administrator's guide on four-letter words and their whitelist.
    link: https://zookeeper.apache.org/doc/r3.8.4/zookeeperAdmin.html#sc_4lw
"""

EXAMPLES = r"""
- name: Wait until the ZooKeeper ensemble has a quorum
  kafkaops.cluster.zookeeper_info:
    zookeeper_hosts: "zk-0:2181,zk-1:2181,zk-2:2181"
    zookeeper_timeout: 3
    require_quorum: true
  register: zk
  retries: 20
  delay: 3
  until: zk is succeeded
  delegate_to: "{{ groups['zookeeper'][0] }}"
  run_once: true

- name: Show the leader and the mode of every server
  ansible.builtin.debug:
    msg: "leader {{ zk.leader }}; {{ zk.servers | map(attribute='mode') | list }}"

- name: Read the ensemble state before a rolling restart
  kafkaops.cluster.zookeeper_info:
    zookeeper_hosts: "{{ groups['zookeeper'] | map('regex_replace', '$', ':2181') | join(',') }}"
  register: zk_before
  run_once: true

- name: Assert every server is leader or follower
  ansible.builtin.assert:
    that:
      - zk_before.quorum
      - zk_before.servers_not_in_quorum | length == 0
    fail_msg: "not in the quorum: {{ zk_before.servers_not_in_quorum }}"
"""

RETURN = r"""
servers:
  description: One entry per server of O(zookeeper_hosts), in the same order.
  returned: always
  type: list
  elements: dict
  contains:
    host:
      description: Host name or address as given.
      type: str
      sample: zk-0
    port:
      description: Client port.
      type: int
      sample: 2181
    reachable:
      description: Whether the server accepted the connection and answered.
      type: bool
      sample: true
    mode:
      description:
        - V(leader), V(follower), V(observer), V(standalone) or V(read-only);
          V(null) when the server did not report a mode (see RV(servers[].error)).
      type: str
      sample: follower
    zxid:
      description: The last zxid the server has seen, in hexadecimal as ZooKeeper prints it.
      type: str
      sample: "0x100000000"
    node_count:
      description: Number of znodes.
      type: int
      sample: 5
    latency:
      description: Request latency in milliseconds since the server's statistics were last reset.
      type: dict
      sample: {"min": 0.0, "avg": 0.25, "max": 3.0}
    version:
      description: ZooKeeper version of the server.
      type: str
      sample: 3.8.4
    connections:
      description: Open client connections (this one included).
      type: int
      sample: 12
    outstanding:
      description: Queued requests.
      type: int
      sample: 0
    error:
      description:
        - Why the server has no status, for example V(connection refused), V(no answer within 10s),
          V(not currently serving requests) or a C(4lw.commands.whitelist) problem; V(null) otherwise.
      type: str
      sample: null
  sample:
    - {"host": "zk-0", "port": 2181, "reachable": true, "mode": "follower", "zxid": "0x100000000",
       "node_count": 5, "latency": {"min": 0.0, "avg": 0.0, "max": 0.0}, "version": "3.8.4",
       "connections": 1, "outstanding": 0, "error": null}
leader:
  description: C(host:port) of the server answering as leader, V(null) when there is none or more than one.
  returned: always
  type: str
  sample: zk-2:2181
followers:
  description: Number of servers answering as follower.
  returned: always
  type: int
  sample: 2
observers:
  description: Number of servers answering as observer.
  returned: always
  type: int
  sample: 0
voters:
  description: Number of servers answering as leader or follower.
  returned: always
  type: int
  sample: 3
ensemble_size:
  description: Number of listed servers that do not answer as observers (the voting members).
  returned: always
  type: int
  sample: 3
majority:
  description: Voting servers needed for a quorum (more than half of RV(ensemble_size)).
  returned: always
  type: int
  sample: 2
quorum:
  description:
    - True when exactly one server answers as leader and at least RV(majority) servers answer as
      leader or follower, or when the only listed server runs standalone.
  returned: always
  type: bool
  sample: true
servers_not_in_quorum:
  description: C(host:port (reason)) of every server that is neither leader, follower nor observer.
  returned: always
  type: list
  elements: str
  sample: ["zk-1:2181 (connection refused)"]
problem:
  description: Why there is no quorum, V(null) when there is one.
  returned: always
  type: str
  sample: null
"""

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.zookeeper_status import ZooKeeperStatusError
from ansible_collections.kafkaops.cluster.plugins.module_utils.zookeeper_status import evaluate_quorum
from ansible_collections.kafkaops.cluster.plugins.module_utils.zookeeper_status import parse_hosts
from ansible_collections.kafkaops.cluster.plugins.module_utils.zookeeper_status import quorum_failure_message
from ansible_collections.kafkaops.cluster.plugins.module_utils.zookeeper_status import servers_status


def main():
    argument_spec = dict(
        zookeeper_hosts=dict(type="str", required=True),
        zookeeper_timeout=dict(type="int", default=10),
        require_quorum=dict(type="bool", default=False),
    )
    module = AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    if params["zookeeper_timeout"] < 1:
        module.fail_json(msg=f"zookeeper_timeout must be at least 1, got {params['zookeeper_timeout']}")
    try:
        servers = parse_hosts(params["zookeeper_hosts"])
    except ZooKeeperStatusError as e:
        module.fail_json(msg=to_native(e))

    status = servers_status(servers, params["zookeeper_timeout"])
    result = dict(changed=False, servers=status, **evaluate_quorum(status))
    if params["require_quorum"] and not result["quorum"]:
        module.fail_json(msg=quorum_failure_message(params["zookeeper_hosts"], result), **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
