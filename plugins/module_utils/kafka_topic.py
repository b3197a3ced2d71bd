# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Topics: name and config validation, config normalization, planning, batched admin requests.

Everything that decides something is a pure function (unit tested with parametrize):
``topic_specs`` -> ``spec_problems`` -> ``plan_topics`` -> ``predict`` / ``topic_diff``.
The readers and writers below them send one request per chunk of ``batch_size`` topics
(CreateTopics, CreatePartitions, IncrementalAlterConfigs, DeleteTopics, DescribeConfigs
all take many topics at once) and turn per-topic errors into ``problems``
(``[(topic, message)]``) so one message can name every failing topic of a batch.

A topic's state is ``{partitions, replication_factor, config}`` where ``config`` holds the
topic's own overrides (``DYNAMIC_TOPIC_CONFIG``); ``effective`` (every value the broker
applies, defaults included) is kept next to it for comparisons and never returned.
"""

from __future__ import annotations

import re

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import cluster_metadata
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import partition_replication
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import replication_factor_problem
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import topic_is_ready
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import topic_state
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KAFKA_ERRORS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import error_reason
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import kafka_error_code
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import poll_until
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import translate_errors

try:
    from confluent_kafka import TopicCollection
    from confluent_kafka.admin import AlterConfigOpType
    from confluent_kafka.admin import ConfigEntry
    from confluent_kafka.admin import ConfigResource
    from confluent_kafka.admin import ConfigSource
    from confluent_kafka.admin import NewPartitions
    from confluent_kafka.admin import NewTopic
    from confluent_kafka.admin import ResourceType
except ImportError:
    pass  # KafkaModule reports the missing library.

# Kafka's own limits (org.apache.kafka.common.internals.Topic).
MAX_NAME_LENGTH = 249
LEGAL_NAME = re.compile(r"^[a-zA-Z0-9._-]+$")
INTERNAL_TOPICS = ("__consumer_offsets", "__transaction_state")

# Topics per admin request. Kafka has no hard per-request topic limit, but the broker handling a
# CreateTopics/DeleteTopics request writes every topic of it to ZooKeeper (or the metadata log)
# before it answers, and the answer must arrive within request_timeout; a few hundred per
# request keeps each request short. Writes are sent with operation_timeout=0 (the broker does
# not hold the answer until the change propagated); ``confirm_topics`` waits for that instead,
# bounded by the module's wait_timeout.
DEFAULT_BATCH_SIZE = 200
# Large writes are spread over this many admin connections to the controller (one request at a
# time on each): the broker handles a connection's requests one by one, but requests of several
# connections in parallel, and ZooKeeper commits their concurrent writes together. Small
# changes below PARALLEL_MIN_TOPICS use the module's one connection.
DEFAULT_PARALLEL_REQUESTS = 8
PARALLEL_MIN_TOPICS = 20

REASSIGN_MODULE = "kafkaops.cluster.kafka_reassign"
COLLISION_WARNING = (
    "Due to limitations in metric names, topics with a period ('.') or underscore ('_') could collide. "
    "To avoid issues it is best to use either, but not both"
)
# Problems quoted in a failure message; all of them are returned in ``problems``.
MAX_PROBLEMS_IN_MESSAGE = 10

_INT = re.compile(r"^[+-]?\d+$")
_FLOAT = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")


# ---------------------------------------------------------------------------
# Names
# ---------------------------------------------------------------------------


def topic_name_problem(name):
    """Why Kafka would refuse ``name`` as a topic name, or None."""
    if not isinstance(name, str) or not name:
        return "a topic name must not be empty"
    if name in (".", ".."):
        return f"topic name {name!r} is not allowed ('.' and '..' are reserved)"
    if len(name) > MAX_NAME_LENGTH:
        return f"topic name is {len(name)} characters long, the maximum is {MAX_NAME_LENGTH}"
    if not LEGAL_NAME.match(name):
        illegal = "".join(sorted({ch for ch in name if not LEGAL_NAME.match(ch)}))
        return (
            f"topic name {name!r} contains illegal characters {illegal!r}: "
            "only ASCII letters, digits, '.', '_' and '-' are allowed"
        )
    return None


def collision_key(name):
    """Topics whose names are equal after this collide in Kafka's metric names."""
    return name.replace(".", "_")


def mixes_collision_chars(name):
    return "." in name and "_" in name


def is_internal(name):
    return name in INTERNAL_TOPICS


# ---------------------------------------------------------------------------
# Config values
# ---------------------------------------------------------------------------


def config_string(value):
    """The string sent to Kafka for a config value given in YAML (bool, number, list, str)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(config_string(item) for item in value)
    if isinstance(value, float):
        return repr(value)
    return to_native(value)


def _normalize_scalar(value):
    text = config_string(value).strip()
    if text.lower() in ("true", "false"):
        return text.lower()
    if _INT.match(text):
        return int(text)
    if _FLOAT.match(text):
        return float(text)
    return text


def normalize_config_value(value):
    """A comparable form of a config value, as given in YAML or as the broker reports it.

    ``604800000``, ``"604800000"`` and ``" 604800000 "`` are equal, ``0.5`` equals ``"0.50"``,
    ``true`` equals ``"TRUE"``, and lists (YAML lists or comma-separated strings) are compared
    as sorted sets (Kafka's list-valued topic configs such as C(cleanup.policy) have no order).
    None (no value) stays None.
    """
    if value is None:
        return None
    if isinstance(value, (list, tuple)):
        items = [_normalize_scalar(item) for item in value]
    else:
        text = config_string(value)
        if "," not in text:
            return _normalize_scalar(text)
        items = [_normalize_scalar(part) for part in text.split(",")]
    items = [item for item in items if item != ""]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return tuple(sorted(items, key=lambda item: (isinstance(item, str), str(item))))


def values_equal(left, right):
    return normalize_config_value(left) == normalize_config_value(right)


def config_value_problem(key, value):
    if not isinstance(key, str) or not key.strip():
        return "config keys must be non-empty strings"
    if isinstance(value, dict):
        return f"config {key}: the value must be a string, number, boolean, list or null, not a dict"
    if isinstance(value, (list, tuple)) and any(isinstance(item, (dict, list, tuple)) for item in value):
        return f"config {key}: list values must contain only strings, numbers or booleans"
    return None


# ---------------------------------------------------------------------------
# Desired state
# ---------------------------------------------------------------------------

SPEC_KEYS = ("name", "partitions", "replication_factor", "config", "state")


def topic_specs(params):
    """The desired topics, in order, from O(topics) or from the single-topic options."""
    if params.get("topics") is not None:
        entries = params["topics"]
    else:
        entries = [{key: params.get(key) for key in SPEC_KEYS}]
    specs = []
    for entry in entries:
        spec = {key: entry.get(key) for key in SPEC_KEYS}
        spec["state"] = spec["state"] or "present"
        spec["config"] = dict(spec["config"] or {})
        specs.append(spec)
    return specs


def spec_problems(specs):
    """``[(topic, message)]`` for input Kafka would refuse, found without asking the cluster."""
    problems = []
    seen = set()
    for spec in specs:
        name = spec["name"]
        label = name if isinstance(name, str) else repr(name)
        problem = topic_name_problem(name)
        if problem:
            problems.append((label, problem))
            continue
        if name in seen:
            problems.append((name, "listed more than once"))
            continue
        seen.add(name)
        if spec["state"] != "present":
            continue
        for option in ("partitions", "replication_factor"):
            if spec[option] is not None and spec[option] < 1:
                problems.append((name, f"{option} must be at least 1, got {spec[option]}"))
        for key, value in spec["config"].items():
            problem = config_value_problem(key, value)
            if problem:
                problems.append((name, problem))
    return problems


def needs_broker_defaults(specs, current):
    """True when a topic to create leaves partitions or replication_factor to the broker."""
    return any(
        spec["state"] == "present"
        and current.get(spec["name"]) is None
        and (spec["partitions"] is None or spec["replication_factor"] is None)
        for spec in specs
    )


# ---------------------------------------------------------------------------
# Planning (pure)
# ---------------------------------------------------------------------------


def public_state(state):
    """What a topic state looks like in results and diffs (None when the topic is absent)."""
    if state is None:
        return None
    return dict(
        partitions=state["partitions"],
        replication_factor=state["replication_factor"],
        config=dict(sorted(state["config"].items())),
    )


def _partition_decrease(name, have, want):
    return (
        f"topic {name} has {have} partitions and cannot be reduced to {want}: Kafka cannot remove partitions "
        f"(keep partitions at {have} or more, or recreate the topic; to move partitions between brokers use "
        f"{REASSIGN_MODULE})"
    )


def _replication_change(name, have, want, current=None):
    message = (
        f"topic {name} has replication factor {have}; kafka_topic does not change the replication factor of an "
        f"existing topic (requested {want}): use {REASSIGN_MODULE} to change its replica assignment"
    )
    if current and current.get("reassigning"):
        message += (
            f" (a reassignment of its partitions {current['reassigning']} is in progress and moves it to replication "
            f"factor {current['target_replication_factor']})"
        )
    return message


def plan_present(spec, current, purge_configs, defaults):
    """``(actions, problems)`` that make topic ``spec`` present as described."""
    name = spec["name"]
    config = spec["config"]
    if current is None:
        partitions = spec["partitions"] if spec["partitions"] is not None else defaults["partitions"]
        replication_factor = (
            spec["replication_factor"] if spec["replication_factor"] is not None else defaults["replication_factor"]
        )
        wanted = {key: config_string(value) for key, value in sorted(config.items()) if value is not None}
        return [dict(action="create", partitions=partitions, replication_factor=replication_factor, config=wanted)], []

    actions = []
    problems = []
    if spec["partitions"] is not None:
        if spec["partitions"] < current["partitions"]:
            problems.append(_partition_decrease(name, current["partitions"], spec["partitions"]))
        elif spec["partitions"] > current["partitions"]:
            actions.append(dict(action="add_partitions", before=current["partitions"], partitions=spec["partitions"]))
    # A topic that is being moved has the replication factor it had (replicas being added do not
    # count); the one the move leads to is accepted too.
    if spec["replication_factor"] is not None and spec["replication_factor"] not in (
        current["replication_factor"],
        current.get("target_replication_factor"),
    ):
        problems.append(_replication_change(name, current["replication_factor"], spec["replication_factor"], current))

    overrides = current["config"]
    effective = current.get("effective", overrides)
    for key in sorted(config):
        value = config[key]
        if value is None:
            if key in overrides:
                actions.append(dict(action="delete_config", key=key, before=overrides[key]))
            continue
        have = effective.get(key)
        if have is None or not values_equal(value, have):
            actions.append(dict(action="set_config", key=key, value=config_string(value), before=have))
    if purge_configs:
        for key in sorted(set(overrides) - set(config)):
            actions.append(dict(action="delete_config", key=key, before=overrides[key]))
    return actions, problems


def plan_topics(specs, current, existing_names, live_broker_ids, purge_configs=False, defaults=None):
    """Plan every topic; returns ``(plan, problems)``.

    ``current`` maps each listed name to its state or None, ``existing_names`` are all topics of
    the cluster (for name collisions). ``plan`` maps each name to its list of actions.
    """
    plan = {}
    problems = []
    existing_keys = {}
    for existing in existing_names:
        existing_keys.setdefault(collision_key(existing), existing)
    new_keys = {}
    for spec in specs:
        name = spec["name"]
        state = current.get(name)
        if spec["state"] == "absent":
            if state is not None and is_internal(name):
                problems.append((name, f"{name} is an internal Kafka topic and cannot be deleted"))
            plan[name] = [dict(action="delete")] if state is not None else []
            continue
        actions, topic_problems = plan_present(spec, state, purge_configs, defaults)
        problems.extend((name, problem) for problem in topic_problems)
        if state is None:
            key = collision_key(name)
            other = existing_keys.get(key) or new_keys.get(key)
            if other is not None and other != name:
                problems.append(
                    (
                        name,
                        f"topic name {name!r} collides with {other!r}: names that differ only in '.' and '_' "
                        "collide in Kafka's metric names and Kafka refuses them",
                    )
                )
            new_keys.setdefault(key, name)
            rf_problem = replication_factor_problem(actions[0]["replication_factor"], live_broker_ids)
            if rf_problem:
                problems.append((name, f"cannot create topic {name}: {rf_problem}"))
        plan[name] = actions
    return plan, problems


# ---------------------------------------------------------------------------
# Guards (pure): internal topics, min.insync.replicas, deletions
# ---------------------------------------------------------------------------

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


def _int_or_none(value):
    try:
        return int(config_string(value).strip())
    except (TypeError, ValueError):
        return None


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
        value = _int_or_none(explicit) if explicit is not None else broker_min_insync
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


def predict(current, actions):
    """The state after ``actions`` (None when the topic will not exist)."""
    state = None
    if current is not None:
        state = dict(
            partitions=current["partitions"],
            replication_factor=current["replication_factor"],
            config=dict(current["config"]),
        )
    for action in actions:
        kind = action["action"]
        if kind == "create":
            state = dict(
                partitions=action["partitions"],
                replication_factor=action["replication_factor"],
                config=dict(action["config"]),
            )
        elif kind == "delete":
            state = None
        elif kind == "add_partitions":
            state["partitions"] = action["partitions"]
        elif kind == "set_config":
            state["config"][action["key"]] = action["value"]
        elif kind == "delete_config":
            state["config"].pop(action["key"], None)
    return state


def action_label(action):
    kind = action["action"]
    if kind == "create":
        label = f"create (partitions={action['partitions']}, replication_factor={action['replication_factor']}"
        if action["config"]:
            label += ", config " + ", ".join(f"{key}={value}" for key, value in action["config"].items())
        return label + ")"
    if kind == "add_partitions":
        return f"add partitions ({action['before']} -> {action['partitions']})"
    if kind == "set_config":
        label = f"set config {action['key']}={action['value']}"
        if action["before"] is not None:
            label += f" (was {action['before']})"
        return label
    if kind == "delete_config":
        return f"reset config {action['key']} to its default (was {action['before']})"
    return kind


def topic_diff(before, after):
    """``(before, after)`` of one changed topic for ``--diff``: config shows changed keys only.

    A side is None when the topic does not exist on that side.
    """
    config_before = (before or {}).get("config") or {}
    config_after = (after or {}).get("config") or {}
    changed = sorted(
        key
        for key in set(config_before) | set(config_after)
        if not values_equal(config_before.get(key), config_after.get(key))
    )

    def view(state, config):
        if state is None:
            return None
        return dict(
            partitions=state["partitions"],
            replication_factor=state["replication_factor"],
            config={key: config[key] for key in changed if key in config},
        )

    return view(before, config_before), view(after, config_after)


def build_diff(names, befores, afters, plan):
    """``{before, after}`` over the changed topics; an absent topic is left out of that side."""
    diff = dict(before={}, after={})
    for name in names:
        if not plan.get(name):
            continue
        before, after = topic_diff(befores.get(name), afters.get(name))
        if before is not None:
            diff["before"][name] = before
        if after is not None:
            diff["after"][name] = after
    return diff


def state_matches(expected, actual):
    """True when a re-read state equals the predicted one (config compared normalized); an expected
    ``replication_factor`` of None matches any (a topic being reassigned may complete its move)."""
    if expected is None or actual is None:
        return expected is None and actual is None
    if expected["partitions"] != actual["partitions"]:
        return False
    if expected["replication_factor"] is not None and expected["replication_factor"] != actual["replication_factor"]:
        return False
    keys = set(expected["config"]) | set(actual["config"])
    return all(values_equal(expected["config"].get(key), actual["config"].get(key)) for key in keys)


def chunked(items, size):
    """Consecutive slices of ``items`` with at most ``size`` elements."""
    items = list(items)
    return [items[start : start + size] for start in range(0, len(items), size)]


def problems_error(problems, action_prefix="manage", **details):
    """One ``KafkaOpsError`` naming every problem (the first few in the message, all in details)."""
    names = []
    for name, _message in problems:
        if name not in names:
            names.append(name)
    shown = problems[:MAX_PROBLEMS_IN_MESSAGE]
    if len(names) == 1:
        action = f"{action_prefix} topic {names[0]}"
        reason = "; ".join(message for _name, message in shown)
    else:
        action = f"{action_prefix} topics"
        reason = "; ".join(f"{name}: {message}" for name, message in shown)
    if len(problems) > len(shown):
        reason += f"; and {len(problems) - len(shown)} more (see problems)"
    details["problems"] = [dict(topic=name, msg=message) for name, message in problems]
    return KafkaOpsError(action, reason=reason, **details)


def partition_details(name, topic_metadata, reassignments=None):
    """Per partition ``{partition, leader, replicas, isr, offline, under_replicated, reassigning,
    adding_replicas, removing_replicas}``, sorted; under-replicated as ``kafka-topics.sh`` counts it
    (fewer in-sync replicas than the replication factor, replicas being added not counted)."""
    details = []
    for partition_id in sorted(topic_metadata.partitions):
        partition = topic_metadata.partitions[partition_id]
        leader = partition.leader if partition.leader is not None and partition.leader >= 0 else None
        replication = partition_replication(name, partition_id, partition, reassignments)
        details.append(
            dict(
                partition=partition_id,
                leader=leader,
                replicas=list(partition.replicas),
                isr=list(partition.isrs),
                offline=leader is None,
                under_replicated=len(partition.isrs) < replication["replication_factor"],
                reassigning=bool(replication["adding"] or replication["removing"]),
                adding_replicas=replication["adding"],
                removing_replicas=replication["removing"],
                replication_factor=replication["replication_factor"],
            )
        )
    return details


def source_value(source):
    """A ConfigEntry source as an int (the client returns plain ints or ConfigSource members)."""
    return int(getattr(source, "value", source))


def source_name(source):
    try:
        return ConfigSource(source_value(source)).name
    except (NameError, ValueError):
        return str(source)


def is_dynamic_topic_config(source):
    return source_value(source) == ConfigSource.DYNAMIC_TOPIC_CONFIG.value


# ---------------------------------------------------------------------------
# Batched requests
# ---------------------------------------------------------------------------


def gather(futures):
    """Wait for every ``{topic: future}``; return ``(results, errors)`` (``{topic: exception}``)."""
    results = {}
    errors = {}
    for name, future in futures.items():
        try:
            results[name] = future.result()
        except KAFKA_ERRORS as e:
            errors[name] = e
    return results, errors


def run_batched(items, batch_size, submit):
    """``submit(chunk)`` -> ``{topic: future}`` for each chunk in turn; ``(results, errors)``.

    Chunks go one after the other, so the controller never holds more than one batch.
    """
    results = {}
    errors = {}
    for chunk in chunked(items, batch_size):
        chunk_results, chunk_errors = gather(submit(chunk))
        results.update(chunk_results)
        errors.update(chunk_errors)
    return results, errors


def parallel_chunks(items, batch_size, lanes):
    """Chunks of ``items`` for ``lanes`` connections: at most ``batch_size`` each, spread evenly."""
    items = list(items)
    lanes = max(1, lanes)
    size = max(1, min(batch_size, -(-len(items) // lanes)))
    return list(chunked(items, size))


def run_parallel(items, batch_size, submit, admins):
    """``submit(admin, chunk)`` -> ``{topic: future}``; ``(results, errors)``.

    Each admin client (one connection) has at most one request in flight: chunks go out in
    waves of ``len(admins)``, the next wave after the previous one answered.
    """
    results = {}
    errors = {}
    chunks = parallel_chunks(items, batch_size, len(admins))
    for start in range(0, len(chunks), len(admins)):
        futures = {}
        for lane, chunk in enumerate(chunks[start : start + len(admins)]):
            futures.update(submit(admins[lane], chunk))
        wave_results, wave_errors = gather(futures)
        results.update(wave_results)
        errors.update(wave_errors)
    return results, errors


def run_concurrent(items, batch_size, submit):
    """Like ``run_batched``, but every chunk is sent before the first answer is awaited (for reads)."""
    futures = {}
    for chunk in chunked(items, batch_size):
        futures.update(submit(chunk))
    return gather(futures)


TIMEOUT_CODES = ("_TIMED_OUT", "REQUEST_TIMED_OUT")
TIMEOUT_HINT = (
    "the cluster may still complete this change; run the task again to see the state "
    "(or raise request_timeout, or lower batch_size)"
)


def error_problems(errors, hint=None):
    """``[(topic, reason)]``; ``hint`` is appended to time-outs (the broker may go on working)."""
    problems = []
    for name, error in errors.items():
        reason = error_reason(error)
        if hint and kafka_error_code(error) in TIMEOUT_CODES:
            reason = f"{reason}; {hint}"
        problems.append((name, reason))
    return problems


def describe_topic_configs(admin, names, timeout, batch_size):
    """``{topic: {key: (value, source)}}`` for existing topics ``names``."""

    def submit(chunk):
        resources = [ConfigResource(ResourceType.TOPIC, name) for name in chunk]
        futures = admin.describe_configs(resources, request_timeout=timeout)
        return {resource.name: future for resource, future in futures.items()}

    with translate_errors("read topic configurations"):
        results, errors = run_concurrent(names, batch_size, submit)
    # UNKNOWN_TOPIC_OR_PART: deleted since the metadata was read; the caller treats it as absent.
    errors = {name: e for name, e in errors.items() if kafka_error_code(e) != "UNKNOWN_TOPIC_OR_PART"}
    if errors:
        raise problems_error(error_problems(errors), "read the configuration of")
    return {
        name: {key: (entry.value, source_value(entry.source)) for key, entry in entries.items()}
        for name, entries in results.items()
    }


def read_topics(admin, names, timeout, batch_size, metadata=None, reassignments=None):
    """Read the listed topics once: ``(metadata, {name: state or None})``; ``metadata``, when given,
    is a metadata read just made (only the configurations are read then). ``reassignments``
    (``kafka_cluster.list_reassignments``) tells the replicas being added by a move, which do not
    count in the replication factor; a moving topic's state also has ``reassigning`` and
    ``target_replication_factor`` (see ``kafka_cluster.topic_state``)."""
    if metadata is None:
        metadata = cluster_metadata(admin, timeout)
    found = {name: topic_state(metadata, name, reassignments) for name in names}
    configs = describe_topic_configs(admin, [name for name in names if found[name] is not None], timeout, batch_size)
    current = {}
    for name in names:
        # A topic that vanished between the two reads (being deleted) counts as absent.
        if found[name] is None or name not in configs:
            current[name] = None
            continue
        entries = configs[name]
        current[name] = dict(
            partitions=found[name]["partitions"],
            replication_factor=found[name]["replication_factor"],
            config={key: value for key, (value, source) in entries.items() if is_dynamic_topic_config(source)},
            effective={key: value for key, (value, _source) in entries.items()},
        )
        for key in ("reassigning", "target_replication_factor"):
            if key in found[name]:
                current[name][key] = found[name][key]
    return metadata, current


def broker_topic_defaults(admin, broker_id, timeout):
    """``{partitions, replication_factor, min_insync_replicas, delete_topic_enable}`` a broker uses for
    topics created without them (the last two None when the broker does not report them)."""
    action = f"read the topic defaults of broker {broker_id}"
    with translate_errors(action):
        resource = ConfigResource(ResourceType.BROKER, str(broker_id))
        future = next(iter(admin.describe_configs([resource], request_timeout=timeout).values()))
        entries = future.result()
    try:
        defaults = dict(
            partitions=int(entries["num.partitions"].value),
            replication_factor=int(entries["default.replication.factor"].value),
        )
    except (KeyError, TypeError, ValueError) as e:
        raise KafkaOpsError(action, reason=f"unexpected broker configuration ({e})") from e
    min_insync = entries.get("min.insync.replicas")
    defaults["min_insync_replicas"] = _int_or_none(min_insync.value) if min_insync is not None else None
    delete_enable = entries.get("delete.topic.enable")
    value = (delete_enable.value or "").strip().lower() if delete_enable is not None else ""
    defaults["delete_topic_enable"] = {"true": True, "false": False}.get(value)
    return defaults


def topic_operations(admin, names, timeout, batch_size):
    """``{topic: [operation names]}`` the connecting principal may perform on each of ``names``
    (DescribeTopics with the authorized operations); a topic is missing when the broker did not tell."""

    def submit(chunk):
        return admin.describe_topics(
            TopicCollection(list(chunk)), request_timeout=timeout, include_authorized_operations=True
        )

    with translate_errors("read the permissions on the topics"):
        results, _errors = run_concurrent(names, batch_size, submit)
    operations = {}
    for name, description in results.items():
        allowed = getattr(description, "authorized_operations", None)
        if allowed is not None:
            operations[name] = sorted(to_native(getattr(op, "name", op)) for op in allowed)
    return operations


def _split(plan):
    creates, partitions, configs, deletes = [], [], [], []
    for name, actions in plan.items():
        for action in actions:
            kind = action["action"]
            if kind == "create":
                creates.append((name, action))
            elif kind == "add_partitions":
                partitions.append((name, action))
            elif kind == "delete":
                deletes.append(name)
        alterations = [a for a in actions if a["action"] in ("set_config", "delete_config")]
        if alterations:
            configs.append((name, alterations))
    return creates, partitions, configs, deletes


def _config_entry(action):
    if action["action"] == "set_config":
        return ConfigEntry(action["key"], action["value"], incremental_operation=AlterConfigOpType.SET)
    return ConfigEntry(action["key"], None, incremental_operation=AlterConfigOpType.DELETE)


def submit_changes(admins, plan, timeout, batch_size, validate_only):
    """Send the plan's creates, partition increases and config changes (and, unless
    ``validate_only``, deletions) in batches over the admin clients ``admins`` (see
    ``run_parallel``); returns ``(done, problems)``, ``done`` as ``[(topic, step)]``.

    With ``validate_only`` the broker checks everything (config names and values, partition
    counts, replication factors, policies) and changes nothing.
    """
    creates, partitions, configs, deletes = _split(plan)
    kwargs = dict(request_timeout=timeout)
    done = []
    problems = []

    def create(admin, chunk):
        new_topics = [
            NewTopic(
                name,
                num_partitions=action["partitions"],
                replication_factor=action["replication_factor"],
                config=dict(action["config"]),
            )
            for name, action in chunk
        ]
        return admin.create_topics(new_topics, operation_timeout=0, validate_only=validate_only, **kwargs)

    def add_partitions(admin, chunk):
        new_partitions = [NewPartitions(name, action["partitions"]) for name, action in chunk]
        return admin.create_partitions(new_partitions, operation_timeout=0, validate_only=validate_only, **kwargs)

    def alter(admin, chunk):
        resources = [
            ConfigResource(ResourceType.TOPIC, name, incremental_configs=[_config_entry(a) for a in alterations])
            for name, alterations in chunk
        ]
        futures = admin.incremental_alter_configs(resources, validate_only=validate_only, **kwargs)
        return {resource.name: future for resource, future in futures.items()}

    def delete(admin, chunk):
        return admin.delete_topics(list(chunk), operation_timeout=0, **kwargs)

    steps = [("create", creates, create), ("add partitions", partitions, add_partitions), ("alter", configs, alter)]
    if not validate_only:
        steps.append(("delete", deletes, delete))
    with translate_errors("validate topic changes" if validate_only else "change topics"):
        for step, items, submit in steps:
            if not items:
                continue
            results, errors = run_parallel(items, batch_size, submit, admins)
            done.extend((name, step) for name in results)
            problems.extend(error_problems(errors, hint=None if validate_only else TIMEOUT_HINT))
    return done, problems


STEP_ACTIONS = {
    "create": ("create",),
    "add partitions": ("add_partitions",),
    "alter": ("set_config", "delete_config"),
    "delete": ("delete",),
}


def done_actions(plan, done):
    """``{topic: [actions]}``: the actions of ``plan`` whose request succeeded (``done`` is
    ``submit_changes`` output, ``[(topic, step)]``)."""
    kinds = {}
    for name, step in done:
        kinds.setdefault(name, set()).update(STEP_ACTIONS[step])
    return {name: [a for a in actions if a["action"] in kinds.get(name, ())] for name, actions in plan.items()}


def topics_settled(metadata, states, expected, deleting=()):
    """Names (of ``expected``) whose re-read state does not match the prediction yet.

    ``deleting`` are deleted topics the brokers are still removing (see ``deletion_pending``).
    """
    pending = []
    for name, want in expected.items():
        have = states.get(name)
        if not state_matches(want, have) or name in deleting:
            pending.append(name)
        elif want is not None and not topic_is_ready(metadata, name, want["partitions"]):
            pending.append(name)
    return pending


def metadata_unsettled(metadata, expected):
    """Names (of ``expected``) the metadata alone shows are not there yet: a created or grown topic
    without all its partitions or a leader for each, a deleted topic still listed."""
    unsettled = []
    for name, want in expected.items():
        if want is None:
            if topic_state(metadata, name) is not None:
                unsettled.append(name)
        elif not topic_is_ready(metadata, name, want["partitions"]):
            unsettled.append(name)
    return unsettled


def deletion_pending(admin, names, timeout, batch_size):
    """Deleted topics that are gone from the metadata but cannot be created again yet.

    With ZooKeeper the controller removes a deleted topic's znodes only after every replica was
    stopped; until then a new topic of that name is refused with TOPIC_ALREADY_EXISTS ("marked for
    deletion"). A validate-only creation tells, without creating anything.
    """

    def submit(chunk):
        new_topics = [NewTopic(name, num_partitions=1, replication_factor=1) for name in chunk]
        return admin.create_topics(new_topics, operation_timeout=0, request_timeout=timeout, validate_only=True)

    with translate_errors("check that the deleted topics are gone"):
        _results, errors = run_batched(names, batch_size, submit)
    return [name for name, error in errors.items() if kafka_error_code(error) == "TOPIC_ALREADY_EXISTS"]


def confirm_topics(admin, expected, timeout, request_timeout, batch_size, wait=True, reassignments=None):
    """Re-read the changed topics (until they match ``expected`` and have leaders, with ``wait``).

    ``reassignments`` are those read before the change (see ``read_topics``). Returns ``{name: state}``.
    """
    names = list(expected)

    def read():
        metadata = None
        if wait:
            # Metadata alone (one cheap request) until every partition has a leader; the
            # configurations are read once that holds.
            with translate_errors("read the cluster metadata"):
                metadata = cluster_metadata(admin, request_timeout)
            unsettled = metadata_unsettled(metadata, expected)
            if unsettled:
                return metadata, None, [], unsettled
        metadata, states = read_topics(admin, names, request_timeout, batch_size, metadata, reassignments)
        deleting = []
        if wait and not topics_settled(metadata, states, expected):
            gone = [name for name in names if expected[name] is None]
            if gone:
                deleting = deletion_pending(admin, gone, request_timeout, batch_size)
        return metadata, states, deleting, []

    def pending(value):
        if value[3]:
            return value[3]
        return topics_settled(value[0], value[1], expected, value[2])

    def reason(value):
        names_pending = pending(value)
        shown = ", ".join(names_pending[:MAX_PROBLEMS_IN_MESSAGE])
        more = len(names_pending) - MAX_PROBLEMS_IN_MESSAGE
        return (
            f"after {timeout}s the cluster does not yet report the requested state (every partition with a "
            f"leader, deleted topics gone) for {shown}{f' and {more} more' if more > 0 else ''}"
        )

    if wait:
        _metadata, states, _deleting, _unsettled = poll_until(
            read, lambda value: not pending(value), timeout, "wait for the topic changes", reason
        )
    else:
        _metadata, states, _deleting, _unsettled = read()
    return states


# ---------------------------------------------------------------------------
# kafka_topic_info (pure)
# ---------------------------------------------------------------------------


def select_topics(available, names=None, pattern=None, exclude_internal=False):
    """Sorted names of ``available`` that pass the filters (``pattern`` is a compiled regex, full match)."""
    selected = set(available)
    if names is not None:
        selected &= set(names)
    if pattern is not None:
        selected = {name for name in selected if pattern.fullmatch(name)}
    if exclude_internal:
        selected = {name for name in selected if not is_internal(name)}
    return sorted(selected)


def topic_info(name, topic_metadata, reassignments=None):
    """Partitions, leaders, replicas and ISR of one topic (``config`` is added by ``config_view``).

    Counted like ``kafka-topics.sh --describe``: replicas being added by a reassignment in progress
    (``reassignments``, see ``kafka_cluster.list_reassignments``) count neither in the replication
    factor nor as missing from the in-sync replicas.
    """
    partitions = partition_details(name, topic_metadata, reassignments)
    replication_factor = max((p.pop("replication_factor") for p in partitions), default=0)
    return dict(
        name=name,
        internal=is_internal(name),
        partitions=len(partitions),
        replication_factor=replication_factor,
        under_replicated_partitions=sum(1 for p in partitions if p["under_replicated"]),
        offline_partitions=sum(1 for p in partitions if p["offline"]),
        reassigning_partitions=sum(1 for p in partitions if p["reassigning"]),
        partition_details=partitions,
    )


def config_view(entries, include_defaults=False):
    """``{config[, config_sources]}`` from DescribeConfigs ``{key: (value, source)}``.

    Without ``include_defaults`` only the topic's own overrides (``DYNAMIC_TOPIC_CONFIG``).
    """
    items = sorted(entries.items())
    if not include_defaults:
        return dict(config={key: value for key, (value, source) in items if is_dynamic_topic_config(source)})
    return dict(
        config={key: value for key, (value, _source) in items},
        config_sources={key: source_name(source) for key, (_value, source) in items},
    )


def health_filter(info, under_replicated=False, offline=False):
    """True when ``info`` passes the partition health filters (either one when both are set)."""
    if not under_replicated and not offline:
        return True
    return (under_replicated and info["under_replicated_partitions"] > 0) or (
        offline and info["offline_partitions"] > 0
    )
