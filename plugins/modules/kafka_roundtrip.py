#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_roundtrip
short_description: Verify a Kafka cluster end to end by producing and consuming messages
version_added: 0.1.0
description:
  - A verification probe. Ensures that the probe topic O(topic) exists, creating it with
    O(partitions) and O(replication_factor) when it is missing. Creating the topic is the only
    change the module makes and the only thing reported as C(changed).
  - Produces O(count) messages with C(acks=all) (idempotent producer) and waits for every delivery
    report. Each message carries a unique run id in its key (C(<run_id>:<n>)) and in the
    C(kafkaops-run-id) header.
  - Then consumes from the end offsets recorded before producing, with explicitly assigned partitions
    and a unique consumer group id that never commits, until all O(count) messages of this run are
    read back or O(timeout) expires. Messages of other runs are ignored.
  - Fails, reporting the produced, acknowledged and consumed counts, when not every message was
    acknowledged or read back.
  - If the topic already exists with a different partition count or replication factor it is left
    untouched; the module warns and returns the actual values.
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  topic:
    description:
      - Name of the probe topic.
    type: str
    required: true
  partitions:
    description:
      - Number of partitions when the topic has to be created.
    type: int
    default: 3
  replication_factor:
    description:
      - Replication factor when the topic has to be created.
      - The module fails before creating anything when this is greater than the number of live
        brokers. It is not checked when the topic already exists.
    type: int
    default: 3
  topic_config:
    description:
      - Topic-level configuration used when the topic has to be created, for example
        C(retention.ms=3600000) and C(min.insync.replicas=2). Values are passed as strings.
      - Not applied to an existing topic.
    type: dict
    default: {}
  count:
    description:
      - Number of messages to produce and read back.
    type: int
    default: 1000
  message_size:
    description:
      - Size in bytes of each message value.
    type: int
    default: 100
  timeout:
    description:
      - Seconds allowed for producing (including all delivery reports) and consuming the messages.
      - Also bounds the wait for a newly created topic to get a leader for every partition.
    type: int
    default: 60
extends_documentation_fragment:
  - kafkaops.cluster.kafka
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: partial
    details:
      - In check mode nothing is created and no message is produced or consumed.
      - If the topic is missing the module returns C(changed=true) (it would be created);
        if it exists it returns C(changed=false).
      - The connection to the cluster and the replication factor check still happen.
  diff_mode:
    support: full
    details: The diff shows the topic (name, partitions, replication factor) before and after.
  platform:
    platforms: posix
seealso:
  - module: kafkaops.cluster.kafka_cluster_info
"""

EXAMPLES = r"""
- name: Produce and consume 1000 messages through the cluster
  kafkaops.cluster.kafka_roundtrip:
    bootstrap_servers: ["kafka-0:9092", "kafka-1:9092", "kafka-2:9092"]
    topic: kafkaops.verify
    partitions: 3
    replication_factor: 3
    topic_config:
      min.insync.replicas: "2"
      retention.ms: "3600000"
  delegate_to: "{{ groups['kafka'][0] }}"
  vars:
    ansible_python_interpreter: /opt/kafkaops/venv/bin/python
  run_once: true
  register: roundtrip

- name: Show throughput of the probe
  ansible.builtin.debug:
    msg: "{{ roundtrip.consumed }} messages in {{ roundtrip.elapsed_seconds }}s"

- name: Probe over SASL_SSL with connection settings from module_defaults
  module_defaults:
    group/kafkaops.cluster.kafka:
      bootstrap_servers: ["kafka-0.example.internal:9094"]
      security_protocol: SASL_SSL
      sasl_mechanism: SCRAM-SHA-512
      sasl_username: admin
      sasl_password: "{{ vault_kafka_admin_password }}"
      ssl_cafile: /etc/kafka/tls/ca.pem
  block:
    - name: Round trip 100 messages within 30 seconds
      kafkaops.cluster.kafka_roundtrip:
        topic: kafkaops.verify
        count: 100
        timeout: 30
"""

RETURN = r"""
topic:
  description: Name of the probe topic.
  returned: always
  type: str
  sample: kafkaops.verify
topic_created:
  description: Whether the topic was created by this run (in check mode, whether it would be).
  returned: always
  type: bool
  sample: false
partitions:
  description: Partition count of the topic (the actual one when it already existed).
  returned: always
  type: int
  sample: 3
replication_factor:
  description: Replication factor of the topic (the actual one when it already existed).
  returned: always
  type: int
  sample: 3
produced:
  description: Messages handed to the producer (V(0) in check mode).
  returned: always
  type: int
  sample: 1000
acknowledged:
  description: Messages acknowledged by the brokers with C(acks=all) (V(0) in check mode).
  returned: always
  type: int
  sample: 1000
consumed:
  description: Distinct messages of this run read back (V(0) in check mode).
  returned: always
  type: int
  sample: 1000
duplicates:
  description: Messages of this run that were read more than once (not counted in RV(consumed)).
  returned: always
  type: int
  sample: 0
elapsed_seconds:
  description: Seconds spent producing and consuming (V(0.0) in check mode).
  returned: always
  type: float
  sample: 1.734
run_id:
  description: Unique id of this run, found in every message key and in the C(kafkaops-run-id) header.
  returned: unless in check mode
  type: str
  sample: 3f6c2b8e0d3b4b4c9d1f7e3a5b6c7d8e
"""

import time

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import cluster_metadata
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import create_topic
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import replication_factor_problem
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import topic_state
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import wait_for_topic
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import format_failure
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_probe import consume_messages
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_probe import describe_errors
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_probe import end_offsets
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_probe import new_run_id
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_probe import produce_messages


def desired_topic(params):
    return dict(name=params["topic"], partitions=params["partitions"], replication_factor=params["replication_factor"])


def ensure_topic(module, admin, live_broker_ids, current):
    """Create the topic when missing; ``(changed, state)``, predicted in check mode."""
    params = module.params
    wanted = desired_topic(params)
    if current is not None:
        if (current["partitions"], current["replication_factor"]) != (
            wanted["partitions"],
            wanted["replication_factor"],
        ):
            module.warn(
                f"Topic {wanted['name']} exists with {current['partitions']} partition(s) and replication factor "
                f"{current['replication_factor']} (requested {wanted['partitions']} and "
                f"{wanted['replication_factor']}); it is left unchanged"
            )
        return False, current

    problem = replication_factor_problem(wanted["replication_factor"], live_broker_ids)
    if problem:
        module.fail_json(msg=format_failure(f"create topic {wanted['name']}", problem), changed=False)

    if module.check_mode:
        return True, wanted

    created = create_topic(
        admin,
        wanted["name"],
        wanted["partitions"],
        wanted["replication_factor"],
        params["topic_config"],
        params["request_timeout"],
    )
    metadata = wait_for_topic(admin, wanted["name"], wanted["partitions"], params["timeout"], params["request_timeout"])
    return created, topic_state(metadata, wanted["name"])


def roundtrip(module, topic):
    """Produce ``count`` messages and read them back; returns the counters."""
    params = module.params
    name = topic["name"]
    count = params["count"]
    run_id = new_run_id()
    started = time.monotonic()
    deadline = started + params["timeout"]

    consumer = module.consumer(**{"group.id": f"kafkaops-roundtrip-{run_id}"})
    start_offsets = end_offsets(consumer, name, range(topic["partitions"]), params["request_timeout"])

    producer = module.producer(
        **{
            "message.timeout.ms": params["timeout"] * 1000,
            "request.timeout.ms": min(params["request_timeout"], params["timeout"]) * 1000,
        }
    )
    produced = produce_messages(producer, name, run_id, count, params["message_size"], deadline)
    result = dict(
        run_id=run_id,
        produced=produced["produced"],
        acknowledged=produced["acknowledged"],
        consumed=0,
        duplicates=0,
    )
    if produced["acknowledged"] < count:
        reason = f"{produced['acknowledged']} of {count} messages acknowledged within {params['timeout']}s"
        causes = [produced["problem"]] if produced["problem"] else []
        causes += describe_errors(module.client_errors)
        if causes:
            reason = f"{reason}: {'; '.join(causes)}"
        result["elapsed_seconds"] = round(time.monotonic() - started, 3)
        return result, format_failure(f"produce to topic {name}", reason)

    consumed = consume_messages(consumer, name, start_offsets, run_id, count, deadline)
    result.update(consumed=consumed["consumed"], duplicates=consumed["duplicates"])
    result["elapsed_seconds"] = round(time.monotonic() - started, 3)
    if consumed["consumed"] < count:
        reason = (
            f"consumed {consumed['consumed']} of {count} messages (produced {result['produced']}, "
            f"acknowledged {result['acknowledged']}) within {params['timeout']}s"
        )
        return result, format_failure(f"read back all messages from topic {name}", reason)
    return result, None


def main():
    argument_spec = dict(
        topic=dict(type="str", required=True),
        partitions=dict(type="int", default=3),
        replication_factor=dict(type="int", default=3),
        topic_config=dict(type="dict", default={}),
        count=dict(type="int", default=1000),
        message_size=dict(type="int", default=100),
        timeout=dict(type="int", default=60),
    )
    module = KafkaModule(argument_spec=argument_spec, supports_check_mode=True)
    params = module.params
    for option in ("partitions", "replication_factor", "count", "message_size", "timeout"):
        if params[option] < 1:
            module.fail_json(msg=f"{option} must be at least 1, got {params[option]}")

    result = dict(changed=False, topic=params["topic"], topic_created=False)
    try:
        admin = module.admin_client()
        cluster = module.describe_cluster(admin)
        before = topic_state(cluster_metadata(admin, params["request_timeout"]), params["topic"])
        changed, after = ensure_topic(module, admin, [b["id"] for b in cluster["brokers"]], before)
        result.update(
            changed=changed,
            topic_created=changed,
            partitions=after["partitions"],
            replication_factor=after["replication_factor"],
            diff=dict(before=before or {}, after=after),
        )
        if module.check_mode:
            module.exit_json(produced=0, acknowledged=0, consumed=0, duplicates=0, elapsed_seconds=0.0, **result)
        probe, failure = roundtrip(module, after)
    except KafkaOpsError as e:
        module.fail_kafka(e, **result)

    result.update(probe)
    if failure:
        module.fail_json(msg=failure, **result)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
