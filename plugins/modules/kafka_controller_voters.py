#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_controller_voters
short_description: Set the voters of a KRaft metadata quorum (add and remove controllers)
version_added: 0.1.0
description:
  - Makes the controllers listed in O(controllers) the voters of the cluster's KRaft metadata quorum, like
    C(kafka-metadata-quorum.sh add-controller) and C(remove-controller) (KIP-853, a dynamic quorum, Kafka 3.9+).
  - Sends C(AddRaftVoter) (API key 80) and C(RemoveRaftVoter) (81) through a broker, which forwards them to the
    active controller. The Python clients have no method for them; the requests are built from Kafka's own message
    definitions (see C(module_utils/kafka_kraft_admin.py)). No Kafka tool runs on the host.
  - A controller to add must already run as an B(observer) of the quorum - started after C(kafka-storage format
    --no-initial-controllers) - and be fetching the metadata log; its directory id comes from the quorum. One that is
    not there fails the run, naming it ("start it first").
  - A voter that is not listed is removed (with its directory id from the quorum).
  - A node registered as a broker is refused as a new voter. Brokers are observers of the quorum too, and Kafka
    4.3.1 accepts one as a voter - the broker then stops with a fatal error and the quorum keeps a dead voter
    (measured). Combined broker and controller nodes (C(process.roles=broker,controller)) are therefore not added
    by this module.
  - Kafka applies one voter change at a time. The module sends one, waits until the quorum shows it committed
    (up to O(timeout) seconds), then sends the next - every addition first, then every removal, the active
    controller last - so replacing a controller never shrinks the quorum on the way.
  - Refused before any change, for the whole request - fewer than 3 voters in the result (unless
    O(allow_small_quorum)), an empty list, a controller to add that is not a running observer, a static quorum
    (C(controller.quorum.voters), whose voters Kafka cannot change), a listed endpoint that differs from the voter's,
    a quorum without a leader, and any step after which the voters caught up with the leader (in the last
    10 seconds; the leader and the newly added count) would not be a majority of the voters.
  - KRaft only; against a ZooKeeper-mode cluster the module fails without changing anything.
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  controllers:
    description:
      - The desired voters, each with its endpoint on the controller listener O(listener_name).
      - For a voter already in the quorum the endpoint must be the one it advertises (the module fails naming both
        otherwise); for a controller to add it is the endpoint the other controllers reach it at.
    type: list
    elements: dict
    required: true
    suboptions:
      id:
        description: The controller's C(node.id).
        type: int
        required: true
      host:
        description: Host of its controller listener.
        type: str
        required: true
      port:
        description: Port of its controller listener.
        type: int
        required: true
  listener_name:
    description: The name of the controllers' listener (C(controller.listener.names)).
    type: str
    default: CONTROLLER
  allow_small_quorum:
    description:
      - Allow fewer than 3 voters. One voter survives no failure; two survive none either (both are needed for a
        majority). For labs.
    type: bool
    default: false
  timeout:
    description:
      - Seconds to wait for each change to be committed (a new voter must catch up with the leader first), also the
        time the leader is given to apply it.
    type: int
    default: 120
requirements:
  - kafka-python (C(DescribeCluster), C(DescribeQuorum), and the C(AddRaftVoter) / C(RemoveRaftVoter) requests)
extends_documentation_fragment:
  - kafkaops.cluster.kafka
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode reads the quorum and plans exactly like a real run, refusals included, and reports the predicted
        voters without changing anything.
  diff_mode:
    support: full
    details:
      - C(before.voters) and C(after.voters) list the voters (id, directory id, endpoints) sorted by id.
  platform:
    platforms: posix
notes:
  - The connecting principal needs C(DESCRIBE) on the cluster resource to read the quorum and C(ALTER) to change the
    voters (checked first, also in check mode).
  - When a change fails part-way (refused by Kafka, not committed within O(timeout), the quorum unreadable), the
    module fails with C(changed=true) if an earlier change was committed; RV(actions) lists those and a re-run plans
    the rest from the quorum as it then is.
  - A removed controller keeps running as an observer until it is stopped.
seealso:
  - module: kafkaops.cluster.kafka_cluster_info
  - module: kafkaops.cluster.kafka_broker_registration
  - module: kafkaops.cluster.kafka_storage
  - name: KIP-853 (KRaft controller membership changes)
    description: The dynamic quorum and how controllers join and leave it.
    link: https://cwiki.apache.org/confluence/display/KAFKA/KIP-853%3A+KRaft+Controller+Membership+Changes
"""

EXAMPLES = r"""
- name: Replace controller 1003 by 1004 (started as an observer first)
  kafkaops.cluster.kafka_controller_voters:
    bootstrap_servers: ["kafka-0:9093"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/kafka/tls/ca.pem
    controllers:
      - {id: 1001, host: controller-1.example.com, port: 9097}
      - {id: 1002, host: controller-2.example.com, port: 9097}
      - {id: 1004, host: controller-4.example.com, port: 9097}
  register: voters

- name: Show what changed
  ansible.builtin.debug:
    var: voters.actions

- name: Preview the voters a one-controller lab would get (no change in check mode)
  kafkaops.cluster.kafka_controller_voters:
    controllers:
      - {id: 1001, host: 127.0.0.1, port: 9097}
    allow_small_quorum: true
  check_mode: true
  diff: true
  register: preview
"""

RETURN = r"""
voters:
  description:
    - The voters after the run (predicted in check mode), sorted by id. Absent when the module failed before reading
      the quorum.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Node id.
      type: int
      sample: 1001
    directory_id:
      description: Its metadata directory id (Kafka's Uuid form).
      type: str
      sample: CDbgB3ELzTEKsx8P0OnZUg
    endpoints:
      description: Its listeners as C(NAME://host:port).
      type: list
      elements: str
      sample: ["CONTROLLER://controller-1.example.com:9097"]
leader_id:
  description: The quorum leader (the active controller) after the run; in check mode the one read.
  returned: success
  type: int
  sample: 1001
actions:
  description:
    - What was done (would be done in check mode), one line per voter change, in order; empty when nothing changed.
    - After a failure part-way, the changes committed before it.
  returned: always
  type: list
  elements: str
  sample:
    - add controller 1004 (directory AAAAAAAAAAAAAAAAAAAABQ) at CONTROLLER://controller-4.example.com:9097 as a voter
    - remove voter 1003 (directory WCDtxhpUjdoeXCOVK5wcfA)
metadata_mode:
  description: V(kraft), or V(zookeeper) when the module refused a ZooKeeper-mode cluster.
  returned: when the cluster was reached
  type: str
  sample: kraft
diff:
  description: The voters before and after, under C(voters) (see the diff_mode attribute).
  returned: when diff mode is enabled
  type: dict
  sample:
    before: {voters: [{id: 1001, directory_id: CDbgB3ELzTEKsx8P0OnZUg, endpoints: ["CONTROLLER://c1:9097"]}]}
    after: {voters: [{id: 1001, directory_id: CDbgB3ELzTEKsx8P0OnZUg, endpoints: ["CONTROLLER://c1:9097"]}]}
"""

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_admin import add_raft_voter
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_admin import read_registrations
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_admin import remove_raft_voter
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_plan import normalize_controllers
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_plan import plan_voters
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_plan import predict_voters
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_plan import step_done
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_plan import step_label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_plan import voter_keys
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_plan import voter_view
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import kraft_client
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import read_quorum
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import principal_label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import require_cluster_operation
from ansible_collections.kafkaops.cluster.plugins.module_utils.polling import poll


def read_current_quorum(client):
    """The quorum (``parse_quorum``); a principal that may not describe it fails, saying so."""
    quorum, warning = read_quorum(client)
    if quorum is None:
        raise KafkaOpsError("read the KRaft quorum", reason=warning)
    return quorum


def wait_committed(client, step, timeout):
    """Re-read the quorum until it shows ``step`` committed and has a leader; returns that quorum.

    The quorum may be briefly unreadable or without a leader (a new leader is elected after the active controller
    left the voters): such reads are retried until ``timeout``.
    """
    errors = []

    def read():
        try:
            return read_current_quorum(client)
        except KafkaOpsError as e:
            errors.append(to_native(e))
            return None

    quorum, done = poll(read, lambda q: q is not None and q["leader_id"] is not None and step_done(step, q), timeout)
    if not done:
        if quorum:
            seen = f"voters {quorum['voter_ids']}, leader {quorum['leader_id']}"
        else:
            seen = f"no answer ({errors[-1] if errors else 'none'})"
        raise KafkaOpsError(f"confirm: {step_label(step)}", reason=f"not committed after {timeout} s: {seen}")
    return quorum


def apply_step(client, cluster_id, step, listener_name, timeout):
    if step["action"] == "add":
        host_port = step["endpoint"].split("://", 1)[1]
        host, port = host_port.rsplit(":", 1)
        listeners = [dict(name=listener_name, host=host, port=int(port))]
        add_raft_voter(client, cluster_id, step["id"], step["directory_id"], listeners, timeout)
    else:
        remove_raft_voter(client, cluster_id, step["id"], step["directory_id"], timeout)


def ensure(module, client, cluster_id, quorum, desired, brokers, steps, result):
    """Apply the planned ``steps`` unless in check mode: one at a time, each only once the previous one is committed,
    re-planning from the re-read quorum before each (so what runs is what the quorum then needs, and a voter that
    fell behind meanwhile stops the run).

    Returns the quorum after the last step, or None when nothing ran (check mode, no steps). ``result["actions"]``
    holds the plan in check mode and what was committed in a real run, also when a step fails.
    """
    params = module.params
    result["actions"] = [step_label(s) for s in steps]
    if not steps or module.check_mode:
        return None
    result["actions"] = []
    current = quorum
    while True:
        pending, problems = plan_voters(current, desired, params["allow_small_quorum"], brokers)
        if problems:
            raise KafkaOpsError("change the KRaft voters", reason="; ".join(problems))
        if not pending:
            return current
        step = pending[0]
        apply_step(client, cluster_id, step, params["listener_name"], params["timeout"])
        current = wait_committed(client, step, params["timeout"])
        result["actions"].append(step_label(step))
        result["changed"] = True


def main():
    controller_spec = dict(
        id=dict(type="int", required=True),
        host=dict(type="str", required=True),
        port=dict(type="int", required=True),
    )
    argument_spec = dict(
        controllers=dict(type="list", elements="dict", options=controller_spec, required=True),
        listener_name=dict(type="str", default="CONTROLLER"),
        allow_small_quorum=dict(type="bool", default=False),
        timeout=dict(type="int", default=120),
    )
    module = KafkaModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params

    desired, problems = normalize_controllers(params["controllers"], params["listener_name"])
    if params["timeout"] <= 0:
        problems.append(f"timeout must be greater than 0, got {params['timeout']}")
    if problems:
        module.fail_json(msg=f"Invalid request, nothing was changed: {'; '.join(problems)}")

    result = dict(changed=False, actions=[])
    try:
        client = kraft_client(module, result, "it has no KRaft quorum whose voters could be changed")
        brokers, _unused, cluster = read_registrations(client)
        before = read_current_quorum(client)
        steps, problems = plan_voters(before, desired, params["allow_small_quorum"], brokers)
        if problems:
            module.fail_json(
                msg=f"Refusing to change the KRaft voters, nothing was changed: {'; '.join(problems)}",
                voters=voter_view(before["voters"]),
                leader_id=before["leader_id"],
                **result,
            )
        if steps:
            # Checked in check mode too, so check mode predicts the refusal.
            require_cluster_operation(cluster, "ALTER", "change the KRaft voters", principal_label(params))
        after_quorum = ensure(module, client, cluster["cluster_id"], before, desired, brokers, steps, result)
    except KafkaOpsError as e:
        module.fail_kafka(e, **result)

    if after_quorum is None:
        result["changed"] = bool(steps)
        result["voters"] = predict_voters(before, steps)
        result["leader_id"] = before["leader_id"]
    else:
        # changed from the re-read quorum: a voter (id, directory) added or removed.
        result["voters"] = voter_view(after_quorum["voters"])
        result["leader_id"] = after_quorum["leader_id"]
        result["changed"] = voter_keys(result["voters"]) != voter_keys(voter_view(before["voters"]))
    if module._diff:
        result["diff"] = dict(before=dict(voters=voter_view(before["voters"])), after=dict(voters=result["voters"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
