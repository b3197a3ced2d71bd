# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The steps of kafka_topic around the plan that are not Ansible: whether the reassignments must be
read, the brokers' topic defaults when the plan needs them, RV(topics), and the phase timings.

The rest of the topic code lives by job: ``kafka_config`` (config values), ``kafka_topic_plan``
(names, desired state, plan, prediction, diff), ``kafka_topic_guards`` (checks of a plan),
``kafka_topic_batch`` (batched requests) and ``kafka_topic_io`` (AdminClient reads and writes).
"""

from __future__ import annotations

import time

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import topic_state
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_io import broker_topic_defaults
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_plan import action_label
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_plan import needs_broker_defaults
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_plan import public_state


def replication_factor_differs(specs, metadata):
    """True when a listed existing topic has more or fewer replicas than its requested replication factor
    (a reassignment in progress may explain it)."""
    for spec in specs:
        state = topic_state(metadata, spec["name"]) if spec["state"] == "present" else None
        if state is not None and spec["replication_factor"] not in (None, state["replication_factor"]):
            return True
    return False


def topics_result(names, plan, current, after):
    """RV(topics): per topic the actions of ``plan`` and the states before and after."""
    return {
        name: dict(
            actions=[action_label(action) for action in plan[name]],
            before=public_state(current[name]),
            after=public_state(after[name]),
        )
        for name in names
    }


def read_broker_defaults(module, admin, cluster, specs, current):
    """The controller's topic defaults (``broker_topic_defaults``) when the plan needs them: for topics
    created without partitions or replication factor (an error when they cannot be read), for the
    min.insync.replicas a new topic inherits and for delete.topic.enable (None when they cannot be read:
    the principal may lack DESCRIBE_CONFIGS on the cluster)."""
    required = needs_broker_defaults(specs, current)
    inheriting = any(
        spec["state"] == "present" and current[spec["name"]] is None and "min.insync.replicas" not in spec["config"]
        for spec in specs
    )
    deleting = any(spec["state"] == "absent" and current[spec["name"]] is not None for spec in specs)
    if not (required or inheriting or deleting):
        return None
    live = [broker["id"] for broker in cluster["brokers"]]
    broker_id = cluster["controller_id"] if cluster["controller_id"] is not None else live[0]
    try:
        return broker_topic_defaults(admin, broker_id, module.params["request_timeout"])
    except KafkaOpsError:
        if required:
            raise
        return None


class PhaseClock:
    """Seconds spent per phase (read, validate, write, wait), rounded, into ``timings``."""

    def __init__(self, timings):
        self.timings = timings
        self.last = time.monotonic()

    def lap(self, phase):
        now = time.monotonic()
        self.timings[phase] = round(now - self.last, 3)
        self.last = now
