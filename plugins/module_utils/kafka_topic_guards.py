# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Topics, pure: checks of a plan beyond what the brokers validate (internal topics,
min.insync.replicas, deletions) and the warning for names that may collide in metric names."""

from __future__ import annotations

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_config import int_or_none
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_batch import MAX_PROBLEMS_IN_MESSAGE
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_plan import is_internal
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_plan import mixes_collision_chars

COLLISION_WARNING = (
    "Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. "
    "To avoid issues it is best to use either, but not both"
)

INTERNAL_CONFIG_OPTION = "allow_internal_topic_config"
_INTERNAL_ROLE = {
    "__consumer_offsets": "each consumer group's offsets live in the partition its group id hashes to",
    "__transaction_state": "each transactional id's state lives in the partition its id hashes to",
}


def internal_topic_problems(specs, plan, current, allow_config=False):
    """``[(topic, message)]`` for planned changes of Kafka's internal topics: creating them (Kafka does),
    changing their partitions (moves consumer groups / transactional ids to other partitions: their
    committed offsets or transaction state are no longer found), purging their configuration (it holds
    C(cleanup.policy=compact)), and, unless ``allow_config``, any other configuration change."""
    problems = []
    for spec in specs:
        name = spec["name"]
        actions = plan.get(name) or []
        if not is_internal(name) or spec["state"] != "present" or not actions:
            continue
        prefix = f"{name} is an internal Kafka topic"
        if current.get(name) is None:
            problems.append((name, f"{prefix}: Kafka creates it itself when it is first needed; do not list it"))
            continue
        for action in actions:
            if action["action"] == "add_partitions":
                problems.append(
                    (
                        name,
                        f"{prefix} and its partitions are never changed (requested {action['before']} -> "
                        f"{action['partitions']}): {_INTERNAL_ROLE[name]}, so more partitions would lose them",
                    )
                )
        purged = sorted(a["key"] for a in actions if a["action"] == "delete_config" and a["key"] not in spec["config"])
        if purged:
            problems.append(
                (
                    name,
                    f"{prefix} and purge_configs would reset its configuration {', '.join(purged)} (Kafka set it, "
                    "e.g. cleanup.policy=compact): list internal topics without purge_configs",
                )
            )
        changed = sorted(
            a["key"] for a in actions if a["action"] in ("set_config", "delete_config") and a["key"] not in purged
        )
        if changed and not allow_config:
            problems.append(
                (
                    name,
                    f"{prefix}: changing its configuration ({', '.join(changed)}) needs {INTERNAL_CONFIG_OPTION}=true",
                )
            )
    return problems


def min_insync_problems(plan, current, broker_min_insync=None):
    """``(problems, warnings)`` for topics whose ``min.insync.replicas`` (set by this plan, or for a new
    topic inherited from the broker, ``broker_min_insync``) exceeds or equals the replication factor.

    Greater: every write with C(acks=all) fails (NOT_ENOUGH_REPLICAS) - refused when the plan sets it,
    a warning when a new topic would inherit it. Equal (replication factor above 1): one broker down
    blocks those writes - a warning.
    """
    problems = []
    warnings = []
    for name, actions in plan.items():
        explicit = None
        replication_factor = None
        for action in actions:
            if action["action"] == "create":
                replication_factor = action["replication_factor"]
                explicit = action["config"].get("min.insync.replicas")
            elif action["action"] == "set_config" and action["key"] == "min.insync.replicas":
                explicit = action["value"]
        if replication_factor is None:
            state = current.get(name)
            if state is None or explicit is None:
                continue
            replication_factor = min(
                state["replication_factor"], state.get("target_replication_factor") or state["replication_factor"]
            )
        value = int_or_none(explicit) if explicit is not None else broker_min_insync
        if value is None or replication_factor is None:
            continue
        source = "" if explicit is not None else " (the brokers' default, the topic does not set it)"
        if value > replication_factor:
            message = (
                f"min.insync.replicas {value}{source} is greater than the replication factor {replication_factor} "
                f"of topic {name}: every write with acks=all would fail (NOT_ENOUGH_REPLICAS)"
            )
            if explicit is not None:
                problems.append((name, message + f"; use at most {replication_factor}"))
            else:
                warnings.append(message + "; set min.insync.replicas for the topic explicitly")
        elif value == replication_factor and replication_factor > 1:
            warnings.append(
                f"min.insync.replicas {value}{source} equals the replication factor of topic {name}: "
                "while any of its brokers is down, writes with acks=all fail"
            )
    return problems, warnings


def delete_problems(names, delete_enabled=None, authorized=None):
    """``[(topic, message)]`` for deletions the cluster will refuse: ``delete_enabled`` is the
    controller's C(delete.topic.enable) (None: unknown), ``authorized`` maps topics to the names of
    the operations the principal may perform on them (None or a missing topic: unknown)."""
    problems = []
    for name in names:
        if delete_enabled is False:
            problems.append((name, f"cannot delete topic {name}: the brokers have delete.topic.enable=false"))
        elif authorized is not None and authorized.get(name) is not None and "DELETE" not in authorized[name]:
            problems.append(
                (name, f"cannot delete topic {name}: the connecting principal lacks the DELETE permission on it")
            )
    return problems


def collision_warning(plan):
    """The warning for topics to create whose names mix '.' and '_' (None when there are none)."""
    created = [name for name, actions in plan.items() if any(a["action"] == "create" for a in actions)]
    mixed = [name for name in created if mixes_collision_chars(name)]
    if not mixed:
        return None
    shown = ", ".join(mixed[:MAX_PROBLEMS_IN_MESSAGE])
    if len(mixed) > MAX_PROBLEMS_IN_MESSAGE:
        shown += f" and {len(mixed) - MAX_PROBLEMS_IN_MESSAGE} more"
    return f"Topic names with both '.' and '_' ({shown}): {COLLISION_WARNING}"
