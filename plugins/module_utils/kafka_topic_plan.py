# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Topics, pure: names, desired state, the plan of actions, prediction, labels, diff.

``topic_specs`` -> ``spec_problems`` -> ``plan_topics`` -> ``predict`` / ``build_diff``
(unit tested with parametrize). A topic's state is ``{partitions, replication_factor, config}``
where ``config`` holds the topic's own overrides (``DYNAMIC_TOPIC_CONFIG``); ``effective``
(every value the broker applies, defaults included) is kept next to it for comparisons and
never returned. An action is a dict with ``action`` one of create, add_partitions,
set_config, delete_config, delete.
"""

from __future__ import annotations

import re

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import replication_factor_problem
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_config import config_string
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_config import config_value_problem
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_config import values_equal

# Kafka's own limits (org.apache.kafka.common.internals.Topic).
MAX_NAME_LENGTH = 249
LEGAL_NAME = re.compile(r"^[a-zA-Z0-9._-]+$")
INTERNAL_TOPICS = ("__consumer_offsets", "__transaction_state")

REASSIGN_MODULE = "kafkaops.cluster.kafka_reassign"


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
# Prediction, labels, diff (pure)
# ---------------------------------------------------------------------------


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
