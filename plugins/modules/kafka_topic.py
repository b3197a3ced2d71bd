#!/usr/bin/python
# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r"""
---
module: kafka_topic
short_description: Manage Kafka topics (one or hundreds per task)
version_added: 0.1.0
description:
  - Creates and deletes Kafka topics, adds partitions and changes topic-level configuration through
    the Kafka AdminClient. One task manages one topic (O(name)) or a whole list (O(topics)); the list
    is read, checked and changed with batched requests (C(CreateTopics), C(CreatePartitions),
    C(IncrementalAlterConfigs), C(DeleteTopics), C(DescribeConfigs)), each carrying up to
    O(batch_size) topics, instead of one request (or one C(kafka-topics.sh) JVM) per topic.
  - Configuration is changed only with C(IncrementalAlterConfigs), so configuration keys that are not
    listed keep their values (the legacy C(AlterConfigs) request would reset them). Values are compared
    after normalization (V(604800000) equals V("604800000"), V(true) equals V("true"),
    V([compact, delete]) equals V("delete,compact")) with the value the topic currently uses, its own
    override or the inherited default.
  - Everything is validated before the first change; if any topic of the list is invalid, nothing of
    the list is changed. First, without asking the cluster, the topic names (Kafka's rules, only
    C([a-zA-Z0-9._-]), at most 249 characters, not V(.) or V(..)) and names listed twice. Then, against
    what was read, names that collide with another topic once C(.) and C(_) are treated alike, a partition
    count lower than the topic has, a replication factor different from the topic's, a replication
    factor above the number of live brokers, a C(min.insync.replicas) above the replication factor (every
    write with C(acks=all) would fail), changes of Kafka's internal topics (see O(allow_internal_topic_config))
    and deletions the cluster would refuse (C(delete.topic.enable=false) on the brokers, no C(DELETE) permission
    on the topic, read from the topic's authorized operations). Finally the brokers validate every creation,
    partition increase and configuration change without applying it (C(validate_only)), which catches unknown
    configuration keys, invalid values and broker policies.
  - If the cluster still refuses a change after others of the list were made (deletions are sent last), the
    module fails with C(changed=true) and reports in RV(topics) and RV(actions) what was done.
  - Topics are deleted only when listed with O(state=absent). Topics that are not listed are never
    touched.
  - Kafka's internal topics (C(__consumer_offsets), C(__transaction_state)) are never created, deleted, given more
    partitions (Kafka maps each consumer group and transactional id to one partition by hash; more partitions
    would lose their committed offsets and transaction state) or purged (O(purge_configs)); their configuration
    is changed only with O(allow_internal_topic_config=true).
  - C(min.insync.replicas) greater than the replication factor is refused when it is set by the task and
    reported as a warning when a new topic would inherit it from the brokers (set it for the topic then); equal
    to a replication factor above 1 is a warning (while any replica's broker is down, C(acks=all) writes fail).
  - After a change the module waits until every created or extended topic has a leader for each of its
    partitions and every deleted topic is gone, re-reads the changed topics and returns what the cluster
    reports.
author:
  - kafkaops.cluster developers (!UNKNOWN)
options:
  name:
    description:
      - Name of a single topic to manage. Use either O(name) (with O(partitions), O(replication_factor),
        O(config), O(state)) or O(topics), not both.
    type: str
  partitions:
    description:
      - Number of partitions of O(name).
      - A new topic is created with this many partitions (the broker's C(num.partitions) when omitted).
        An existing topic with fewer partitions gets partitions added; a topic with more partitions makes
        the module fail, since Kafka cannot remove partitions. When omitted, an existing topic keeps its
        partitions.
    type: int
  replication_factor:
    description:
      - Replication factor of O(name) when it is created (the broker's C(default.replication.factor) when
        omitted). It must not exceed the number of live brokers.
      - For an existing topic a different value makes the module fail, because changing the replication factor
        is a partition reassignment, see M(kafkaops.cluster.kafka_reassign).
      - The replication factor of an existing topic is counted like C(kafka-topics.sh --describe) does - while a
        reassignment is in progress its partitions list the replicas being added too, which do not count. For a
        topic that is being moved both its replication factor and the one the move leads to are accepted. The
        reassignments are read (C(ListPartitionReassignments), which needs C(DESCRIBE) on the cluster) only when
        the metadata shows a topic that may be moving; without that permission the module warns and counts every
        replica.
    type: int
  config:
    description:
      - Topic-level configuration of O(name), for example C(retention.ms), C(cleanup.policy),
        C(min.insync.replicas). Values may be strings, numbers, booleans or lists (joined with commas).
      - A key whose value is V(null) is reset to its default (its override is removed).
      - Keys that are not listed are left alone unless O(purge_configs=true).
    type: dict
  state:
    description:
      - V(present) creates or updates O(name); V(absent) deletes it.
      - Defaults to V(present). (It has no declared default so that it can be rejected next to O(topics).)
    type: str
    choices: [present, absent]
  topics:
    description:
      - The topics to manage in one task. Mutually exclusive with O(name), O(partitions),
        O(replication_factor), O(config) and O(state).
      - An empty list does nothing.
    type: list
    elements: dict
    suboptions:
      name:
        description: Topic name.
        type: str
        required: true
      partitions:
        description: Number of partitions, see O(partitions).
        type: int
      replication_factor:
        description: Replication factor, see O(replication_factor).
        type: int
      config:
        description: Topic-level configuration, see O(config).
        type: dict
      state:
        description: V(present) or V(absent), see O(state).
        type: str
        choices: [present, absent]
        default: present
  purge_configs:
    description:
      - Also reset every configuration override (source C(DYNAMIC_TOPIC_CONFIG)) of a managed topic that
        is not listed in its configuration. Inherited values (broker settings and defaults) are not
        affected.
      - Applies to every topic with O(state=present).
    type: bool
    default: false
  allow_internal_topic_config:
    description:
      - Allow O(config) changes of Kafka's internal topics C(__consumer_offsets) and C(__transaction_state) (for
        example C(retention.ms) of C(__consumer_offsets)). Without it a listed internal topic must already have the
        listed configuration.
      - Their partitions are never changed and their configuration is never purged, whatever this option says.
    type: bool
    default: false
  batch_size:
    description:
      - Maximum number of topics per admin request. Larger lists are split into several requests.
    type: int
    default: 200
  parallel_requests:
    description:
      - For changes of at least 20 topics, the requests are spread over up to this many connections to
        the controller, one request in flight on each. The broker handles the requests of different
        connections in parallel (up to its C(num.io.threads), 8 by default) and ZooKeeper commits their
        writes together, so large changes finish several times faster than with one connection.
      - V(1) sends the requests one after the other over the module's only connection.
    type: int
    default: 8
  wait:
    description:
      - After a change, wait until the cluster reports it (leaders for every partition of created and
        extended topics, deleted topics gone, configuration applied).
    type: bool
    default: true
  wait_timeout:
    description:
      - Seconds to wait for O(wait).
    type: int
    default: 60
requirements:
  - kafka-python (the C(ListPartitionReassignments) API; used only when a topic may be moving)
extends_documentation_fragment:
  - kafkaops.cluster.kafka
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode reads the topics and plans the changes exactly like a real run, and lets the brokers
        validate them (C(validate_only)), so invalid input fails in check mode too; nothing is changed.
  diff_mode:
    support: full
    details:
      - The diff shows every changed topic before and after (partitions, replication factor and the
        configuration keys that change). A created topic is missing from C(before), a deleted one from
        C(after).
  platform:
    platforms: posix
notes:
  - Reading C(delete.topic.enable) and the brokers' C(min.insync.replicas) needs C(DESCRIBE_CONFIGS) on the cluster;
    without it those two checks are skipped.
  - The connecting principal needs C(CREATE) (cluster or topic), C(ALTER), C(DESCRIBE_CONFIGS),
    C(ALTER_CONFIGS) and C(DELETE) on the topics it manages.
  - Deleting a topic is asynchronous in Kafka; the module waits (O(wait)) until the cluster no longer
    reports it. A topic that was just deleted cannot be created again until the brokers finished
    removing it.
  - Topics whose names contain both C(.) and C(_) work, but Kafka warns that they could collide with
    other topics in metric names; the module repeats that warning for topics it creates.
seealso:
  - module: kafkaops.cluster.kafka_topic_info
  - module: kafkaops.cluster.kafka_reassign
  - name: Kafka topic-level configuration
    description: Every topic configuration key and its values.
    link: https://kafka.apache.org/documentation/#topicconfigs
"""

EXAMPLES = r"""
- name: One topic
  kafkaops.cluster.kafka_topic:
    bootstrap_servers: ["kafka-0:9093"]
    security_protocol: SASL_SSL
    sasl_mechanism: SCRAM-SHA-512
    sasl_username: admin
    sasl_password: "{{ vault_kafka_admin_password }}"
    ssl_cafile: /etc/kafka/tls/ca.pem
    name: orders
    partitions: 12
    replication_factor: 3
    config:
      retention.ms: 604800000
      cleanup.policy: [compact, delete]
      min.insync.replicas: 2

- name: All application topics in one task, connection from module_defaults
  module_defaults:
    group/kafkaops.cluster.kafka:
      bootstrap_servers: ["kafka-0:9093", "kafka-1:9093"]
      security_protocol: SASL_PLAINTEXT
      sasl_mechanism: SCRAM-SHA-512
      sasl_username: admin
      sasl_password: "{{ vault_kafka_admin_password }}"
  block:
    - name: Topics of the shop
      kafkaops.cluster.kafka_topic:
        topics:
          - name: orders
            partitions: 12
            replication_factor: 3
            config:
              retention.ms: 604800000
          - name: payments
            partitions: 6
            replication_factor: 3
            config:
              cleanup.policy: compact
              segment.bytes: null  # back to the default
          - name: legacy-events
            state: absent
      register: shop_topics

    - name: Make the config of every listed topic exactly the one given (reset other overrides)
      kafkaops.cluster.kafka_topic:
        topics: "{{ kafka_topics }}"
        purge_configs: true

- name: Preview the changes for a large list
  kafkaops.cluster.kafka_topic:
    bootstrap_servers: ["kafka-0:9092"]
    topics: "{{ kafka_topics }}"
    batch_size: 500
  check_mode: true
  diff: true
"""

RETURN = r"""
topics:
  description:
    - One entry per listed topic, keyed by name.
    - When the cluster refused a change after others were made, C(actions) holds what was done and C(after) the
      state predicted from it.
  returned: success and when the cluster refused a change after the validation
  type: dict
  contains:
    actions:
      description: What was done (would be done in check mode) to this topic; empty when nothing changed.
      type: list
      elements: str
    before:
      description:
        - The topic before the run, V(null) if it did not exist. C(config) holds the topic's own
          configuration overrides (values as the broker reports them).
      type: dict
    after:
      description:
        - The topic after the run as re-read from the cluster (predicted in check mode),
          V(null) if it does not exist.
      type: dict
  sample:
    orders:
      actions: ["create (partitions=12, replication_factor=3, config retention.ms=604800000)"]
      before: null
      after: {"partitions": 12, "replication_factor": 3, "config": {"retention.ms": "604800000"}}
    payments:
      actions: ["add partitions (3 -> 6)", "set config cleanup.policy=compact (was delete)"]
      before: {"partitions": 3, "replication_factor": 3, "config": {}}
      after: {"partitions": 6, "replication_factor": 3, "config": {"cleanup.policy": "compact"}}
actions:
  description:
    - Every action of RV(topics), prefixed with the topic name, in order; empty when nothing changed.
    - When the cluster refused a change after others were made, only the actions that were done.
  returned: always
  type: list
  elements: str
  sample: ["orders: create (partitions=12, replication_factor=3)", "legacy-events: delete"]
problems:
  description: Every problem found, when the module refused the input or the cluster refused a change.
  returned: failure
  type: list
  elements: dict
  contains:
    topic:
      description: The topic.
      type: str
    msg:
      description: What is wrong.
      type: str
  sample: [{"topic": "orders", "msg": "Unknown topic config name: retention.msec (INVALID_CONFIG)"}]
timings:
  description:
    - Seconds the module spent in each phase - V(read) (current state, from the connection on), V(validate)
      (the brokers' validate-only pass), V(write) (the change requests), V(wait) (until the cluster reports
      the change). Phases that did not run are missing.
  returned: always
  type: dict
  sample: {"read": 0.31, "validate": 0.9, "write": 4.2, "wait": 5.1}
diff:
  description:
    - The changed topics before and after; C(config) only shows keys that change.
  returned: when diff mode is enabled
  type: dict
  sample:
    before: {"payments": {"partitions": 3, "replication_factor": 3, "config": {}}}
    after: {"payments": {"partitions": 6, "replication_factor": 3, "config": {"cleanup.policy": "compact"}}}
"""


from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import cluster_metadata
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import read_reassignments
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaModule
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic import PhaseClock
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic import read_broker_defaults
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic import replication_factor_differs
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic import topics_result
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_batch import DEFAULT_BATCH_SIZE
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_batch import DEFAULT_PARALLEL_REQUESTS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_batch import PARALLEL_MIN_TOPICS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_batch import problems_error
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_guards import INTERNAL_CONFIG_OPTION
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_guards import collision_warning
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_guards import delete_problems
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_guards import internal_topic_problems
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_guards import min_insync_problems
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_io import confirm_topics
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_io import done_actions
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_io import read_topics
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_io import submit_changes
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_io import topic_operations
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_plan import action_label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_plan import build_diff
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_plan import plan_topics
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_plan import predict
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_plan import public_state
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_plan import spec_problems
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_plan import topic_specs

SINGLE_TOPIC_OPTIONS = ("name", "partitions", "replication_factor", "config", "state")


def main():
    argument_spec = dict(
        name=dict(type="str"),
        partitions=dict(type="int"),
        replication_factor=dict(type="int"),
        config=dict(type="dict"),
        state=dict(type="str", choices=["present", "absent"]),
        topics=dict(
            type="list",
            elements="dict",
            options=dict(
                name=dict(type="str", required=True),
                partitions=dict(type="int"),
                replication_factor=dict(type="int"),
                config=dict(type="dict"),
                state=dict(type="str", choices=["present", "absent"], default="present"),
            ),
        ),
        purge_configs=dict(type="bool", default=False),
        allow_internal_topic_config=dict(type="bool", default=False),
        batch_size=dict(type="int", default=DEFAULT_BATCH_SIZE),
        parallel_requests=dict(type="int", default=DEFAULT_PARALLEL_REQUESTS),
        wait=dict(type="bool", default=True),
        wait_timeout=dict(type="int", default=60),
    )
    module = KafkaModule(
        argument_spec=argument_spec,
        supports_check_mode=True,
        mutually_exclusive=[("topics", option) for option in SINGLE_TOPIC_OPTIONS],
        required_one_of=[("name", "topics")],
    )
    params = module.params
    for option in ("batch_size", "wait_timeout", "parallel_requests"):
        if params[option] < 1:
            module.fail_json(msg=f"{option} must be at least 1, got {params[option]}")
    timeout = params["request_timeout"]
    batch_size = params["batch_size"]

    specs = topic_specs(params)
    names = [spec["name"] for spec in specs]
    result = dict(changed=False, actions=[], timings={})
    clock = PhaseClock(result["timings"])
    try:
        # Refused input never needs a connection.
        problems = spec_problems(specs)
        if problems:
            raise problems_error(problems)
        admin = module.admin_client()
        cluster = module.describe_cluster(admin)
        live = [broker["id"] for broker in cluster["brokers"]]
        metadata = cluster_metadata(admin, timeout)
        # Replicas being added by a reassignment in progress do not count in the replication factor;
        # the reassignments are asked for only when the metadata shows a topic that may be moving.
        metadata, reassignments, warning = read_reassignments(
            module, admin, metadata, names, force=replication_factor_differs(specs, metadata)
        )
        if warning:
            module.warn(warning)
        metadata, current = read_topics(admin, names, timeout, batch_size, metadata, reassignments)
        moving = {name for name in names if current[name] is not None and current[name].get("reassigning")}
        clock.lap("read")
        defaults = read_broker_defaults(module, admin, cluster, specs, current)
        plan, problems = plan_topics(specs, current, list(metadata.topics), live, params["purge_configs"], defaults)
        problems += internal_topic_problems(specs, plan, current, params[INTERNAL_CONFIG_OPTION])
        min_insync, warnings = min_insync_problems(plan, current, (defaults or {}).get("min_insync_replicas"))
        problems += min_insync
        deletes = [name for name in names if any(a["action"] == "delete" for a in plan[name])]
        if deletes:
            # Deletions have no validate-only request: what the brokers would refuse is checked here.
            problems += delete_problems(
                deletes,
                (defaults or {}).get("delete_topic_enable"),
                topic_operations(admin, deletes, timeout, batch_size),
            )
        if problems:
            raise problems_error(problems)
        for warning in warnings + [collision_warning(plan)]:
            if warning:
                module.warn(warning)

        after = {name: predict(current[name], plan[name]) for name in names}
        changed = [name for name in names if plan[name]]
        if changed:
            # The brokers check the whole batch first (also in check mode); a refusal changes nothing.
            admins = [admin]
            if len(changed) >= PARALLEL_MIN_TOPICS:
                admins += [module.admin_client() for _lane in range(params["parallel_requests"] - 1)]
            _validated, problems = submit_changes(admins, plan, timeout, batch_size, validate_only=True)
            clock.lap("validate")
            if problems:
                raise problems_error(problems)
        result["changed"] = bool(changed)
        result["actions"] = [f"{name}: {action_label(action)}" for name in names for action in plan[name]]
        if changed and not module.check_mode:
            done, problems = submit_changes(admins, plan, timeout, batch_size, validate_only=False)
            clock.lap("write")
            if problems:
                # Partly applied: report what was done (the state after it is predicted, not re-read).
                applied = done_actions(plan, done)
                result["changed"] = bool(done)
                result["actions"] = [f"{name}: {action_label(a)}" for name in names for a in applied[name]]
                result["topics"] = topics_result(
                    names, applied, current, {name: predict(current[name], applied[name]) for name in names}
                )
                raise problems_error(problems, "change")
            # A moving topic may complete its move meanwhile: any replication factor is fine then.
            expected = {
                name: dict(after[name], replication_factor=None) if name in moving and after[name] else after[name]
                for name in changed
            }
            after.update(
                confirm_topics(
                    admin, expected, params["wait_timeout"], timeout, batch_size, params["wait"], reassignments
                )
            )
            clock.lap("wait")
    except KafkaOpsError as e:
        module.fail_kafka(e, **result)

    result["topics"] = topics_result(names, plan, current, after)
    if module._diff:
        befores = {name: public_state(current[name]) for name in names}
        afters = {name: public_state(after[name]) for name in names}
        result["diff"] = build_diff(names, befores, afters, plan)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
