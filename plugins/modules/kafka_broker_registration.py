#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_broker_registration
short_description: Unregister departed brokers from a KRaft cluster
version_added: 0.1.0
description:
  - Removes the registrations of brokers that left a KRaft cluster for good (scale down), like
    C(kafka-cluster.sh unregister --id N). In KRaft mode a broker's registration outlives its process; a departed
    broker that stays registered blocks a later C(metadata.version) upgrade and shows as fenced for ever.
  - Sends C(UnregisterBroker) (API key 64) through a broker, which forwards it to the active controller. The Python
    clients have no method for it; the request is built from Kafka's own message definition (see
    C(module_utils/kafka_kraft_admin.py)). No Kafka tool runs on the host.
  - KRaft only. Against a ZooKeeper-mode cluster the module fails without changing anything (there a stopped broker's
    registration, an ephemeral znode, goes away by itself).
  - Reads the registered brokers once (C(DescribeCluster) with fenced brokers, KIP-1073, Kafka 4.0+) and the metadata
    quorum, then refuses, before any write and for the whole batch, every listed broker that is still running -
    registered and unfenced, or fenced but still fetching the metadata log (starting, shutting down, or failing to
    catch up). Kafka itself unregisters a live broker without complaint and leaves its process running without a
    registration (its heartbeats are refused from then on), so this check is the module's.
  - A broker stopped a moment ago still shows a recent fetch; the module then re-reads the quorum for up to about
    6 seconds until the fetch is old enough to tell a stopped broker from a running one.
  - Idempotent - an id that is not registered needs nothing (C(changed=false)). A broker started again later
    registers itself again.
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  broker_ids:
    description:
      - Node ids of the departed brokers.
    type: list
    elements: int
    required: true
  state:
    description:
      - V(absent) - the brokers are not registered. Brokers register themselves when they start, so there is no
        V(present).
    type: str
    choices: [absent]
    default: absent
requirements:
  - kafka-python (C(DescribeCluster), C(DescribeQuorum) and the C(UnregisterBroker) request)
extends_documentation_fragment:
  - kafkaops.cluster.kafka
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode reads and plans like a real run, refusals included, and reports what would be unregistered.
  diff_mode:
    support: full
    details:
      - C(before.brokers) and C(after.brokers) list every registered broker (id, host, port, rack, fenced).
  platform:
    platforms: posix
notes:
  - The connecting principal needs C(ALTER) on the cluster resource to unregister brokers (checked first, also in
    check mode) and C(DESCRIBE) on it to read the quorum; without C(DESCRIBE) the module warns that it could not
    check whether fenced brokers still run.
  - Kafka 3.9 in KRaft mode lists only unfenced brokers (C(DescribeCluster) before version 2). There an unlisted id
    may still be registered; the module sends the request and the answer tells (C(BROKER_ID_NOT_REGISTERED) counts
    as already absent). Check mode then predicts an unregistration for each unlisted id, with a warning.
  - When a request fails part-way, the module fails with C(changed=true) if a broker was unregistered before, and
    RV(unregistered) lists those; a re-run finishes the rest.
seealso:
  - module: kafkaops.cluster.kafka_cluster_info
  - module: kafkaops.cluster.kafka_controller_voters
  - name: KIP-1073 (fenced brokers in DescribeCluster)
    description: Why a departed broker stays registered in KRaft mode.
    link: https://cwiki.apache.org/confluence/display/KAFKA/KIP-1073%3A+Return+fenced+brokers+in+DescribeCluster+response
"""

EXAMPLES = r"""
- name: Unregister the brokers a scale-down removed (after stopping them)
  kafkaops.cluster.kafka_broker_registration:
    bootstrap_servers: ["kafka-0:9093"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/kafka/tls/ca.pem
    broker_ids: [3, 4]
    state: absent
  register: departed

- name: Show what was unregistered
  ansible.builtin.debug:
    var: departed.unregistered
"""

RETURN = r"""
unregistered:
  description:
    - Ids of the brokers unregistered (would be, in check mode), sorted. After a failure part-way, those done before.
  returned: always
  type: list
  elements: int
  sample: [3, 4]
actions:
  description: What was done (would be done in check mode), one line per broker; empty when nothing changed.
  returned: always
  type: list
  elements: str
  sample: ["unregister broker 3"]
brokers:
  description:
    - The registered brokers after the run (predicted in check mode), sorted by id. Absent when the module failed
      before reading them.
  returned: success
  type: list
  elements: dict
  contains:
    id:
      description: Node id.
      type: int
      sample: 0
    host:
      description: Host of its first listener.
      type: str
      sample: kafka-0.example.com
    port:
      description: Port of that listener.
      type: int
      sample: 9093
    rack:
      description: C(broker.rack), or null.
      type: str
      sample: rack-0
    fenced:
      description:
        - Whether the controller has fenced it (a stopped broker is fenced). Always false on Kafka 3.9, which lists
          only unfenced brokers.
      type: bool
      sample: false
metadata_mode:
  description: V(kraft), or V(zookeeper) when the module refused a ZooKeeper-mode cluster.
  returned: when the cluster was reached
  type: str
  sample: kraft
diff:
  description: Every registered broker before and after, under C(brokers) (see the diff_mode attribute).
  returned: when diff mode is enabled
  type: dict
  sample:
    before: {brokers: [{id: 0, host: kafka-0, port: 9093, rack: null, fenced: false},
                       {id: 3, host: kafka-3, port: 9093, rack: null, fenced: true}]}
    after: {brokers: [{id: 0, host: kafka-0, port: 9093, rack: null, fenced: false}]}
"""

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import poll_until
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_admin import read_registrations
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_admin import unregister_broker
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_plan import RUNNING_FETCH_AGE_MS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_plan import broker_id_problems
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_plan import broker_view
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_plan import fetch_ages
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_plan import plan_unregister
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_plan import predict_registrations
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_kraft_plan import still_fetching
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import kraft_client
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_quorum import read_quorum
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import principal_label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_scram import require_cluster_operation
from ansible_collections.kafkaops.cluster.plugins.module_utils.polling import poll

NOT_REGISTERED = "BROKER_ID_NOT_REGISTERED"
ZK_GONE = "a stopped ZooKeeper-mode broker's registration goes away by itself"


def read_fetch_ages(module, client, broker_ids, registered, lists_fenced):
    """How long ago each observer fetched the metadata log (``fetch_ages``); ``{}`` with a warning when the quorum
    cannot be read. A listed broker stopped a moment ago still shows a recent fetch: re-read until its fetch is older
    than ``RUNNING_FETCH_AGE_MS`` (a running broker's never is), for about that long."""
    quorum, warning = read_quorum(client)
    if quorum is None:
        module.warn(f"{warning}; whether fenced brokers still run was not checked")
        return {}
    ages = fetch_ages(quorum)
    if still_fetching(broker_ids, registered, lists_fenced, ages):
        ages, _unused = poll(
            lambda: fetch_ages(read_quorum(client)[0]),
            lambda found: not still_fetching(broker_ids, registered, lists_fenced, found),
            RUNNING_FETCH_AGE_MS / 1000 + 1,
        )
    return ages


def record(result, done):
    result.update(changed=bool(done), unregistered=sorted(done), actions=[f"unregister broker {i}" for i in done])


def ensure(module, client, to_unregister, result):
    """Unregister ``to_unregister`` one by one unless in check mode; returns the ids unregistered (or to be).

    An id the controller does not know (``BROKER_ID_NOT_REGISTERED``: another run was faster, or Kafka 3.9 did not
    list it) needs nothing. Any other error stops the run; ``result`` then holds what was done.
    """
    record(result, to_unregister)
    if module.check_mode:
        return list(to_unregister)
    done = []
    try:
        for broker_id in to_unregister:
            try:
                unregister_broker(client, broker_id, module.params["request_timeout"])
            except KafkaOpsError as e:
                if e.code != NOT_REGISTERED:
                    raise
                continue
            done.append(broker_id)
    finally:
        record(result, done)
    return done


def confirm(client, unregistered, timeout):
    """Re-read the registrations until none of ``unregistered`` is listed (each broker learns it from the metadata
    log a moment after the controller)."""
    return poll_until(
        lambda: read_registrations(client)[0],
        lambda found: not set(unregistered) & set(found),
        timeout,
        "confirm the unregistrations",
        lambda found: f"still registered after {timeout} s: {sorted(set(unregistered) & set(found))}",
    )


def main():
    argument_spec = dict(
        broker_ids=dict(type="list", elements="int", required=True),
        state=dict(type="str", choices=["absent"], default="absent"),
    )
    module = KafkaModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    broker_ids = sorted(set(params["broker_ids"]))

    problems = broker_id_problems(broker_ids)
    if problems:
        module.fail_json(msg=f"Invalid request, nothing was changed: {'; '.join(problems)}")

    result = dict(changed=False, unregistered=[], actions=[])
    try:
        client = kraft_client(module, result, f"unregistering brokers is a KRaft operation ({ZK_GONE})")
        registered, lists_fenced, cluster = read_registrations(client)
        ages = read_fetch_ages(module, client, broker_ids, registered, lists_fenced)
        to_unregister, _unused, problems = plan_unregister(broker_ids, registered, lists_fenced, ages)
        if problems:
            module.fail_json(
                msg=f"Refusing to unregister running brokers, nothing was changed: {'; '.join(problems)}",
                brokers=broker_view(registered),
                **result,
            )
        if to_unregister:
            require_cluster_operation(cluster, "ALTER", "unregister brokers", principal_label(params))
            if not lists_fenced:
                module.warn(
                    "the cluster does not list fenced brokers (DescribeCluster before version 2, Kafka before 4.0): "
                    f"ids it does not list are unregistered if they are registered: {to_unregister}"
                )
        done = ensure(module, client, to_unregister, result)
        after = predict_registrations(registered, done)
        if done and not module.check_mode:
            after = confirm(client, done, params["request_timeout"])
    except KafkaOpsError as e:
        module.fail_kafka(e, **result)

    result["brokers"] = broker_view(after)
    if module._diff:
        result["diff"] = dict(before=dict(brokers=broker_view(registered)), after=dict(brokers=result["brokers"]))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
