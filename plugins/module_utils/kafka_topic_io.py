# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Topics through the AdminClient: read them, submit a plan's changes, confirm the result.

Every request goes through the batch runners of ``kafka_topic_batch`` (one request per chunk of
``batch_size`` topics) and turns per-topic errors into ``problems``. Writes are sent with the
request timeout as their operation timeout: a KRaft controller takes it as the operation's deadline
and, given 0, answers without an error and does nothing (Kafka 4.3: no topic created, a validate-only
request validates nothing); a ZooKeeper-mode broker holds the answer until the change propagated (or
answers with a time-out while it goes on). ``confirm_topics`` then waits until the cluster reports the
result, bounded by the module's wait_timeout.
"""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import cluster_metadata
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import topic_is_ready
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_cluster import topic_state
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_common import poll_until
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_config import int_or_none
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_config import is_dynamic_topic_config
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_config import source_value
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import kafka_error_code
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import translate_errors
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_batch import MAX_PROBLEMS_IN_MESSAGE
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_batch import TIMEOUT_HINT
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_batch import error_problems
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_batch import problems_error
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_batch import run_batched
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_batch import run_concurrent
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_batch import run_parallel
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_topic_plan import state_matches

try:
    from confluent_kafka import TopicCollection
    from confluent_kafka.admin import AlterConfigOpType
    from confluent_kafka.admin import ConfigEntry
    from confluent_kafka.admin import ConfigResource
    from confluent_kafka.admin import NewPartitions
    from confluent_kafka.admin import NewTopic
    from confluent_kafka.admin import ResourceType
except ImportError:
    pass  # KafkaModule reports the missing library.


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
    defaults["min_insync_replicas"] = int_or_none(min_insync.value) if min_insync is not None else None
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
        return admin.create_topics(new_topics, operation_timeout=timeout, validate_only=validate_only, **kwargs)

    def add_partitions(admin, chunk):
        new_partitions = [NewPartitions(name, action["partitions"]) for name, action in chunk]
        return admin.create_partitions(new_partitions, operation_timeout=timeout, validate_only=validate_only, **kwargs)

    def alter(admin, chunk):
        resources = [
            ConfigResource(ResourceType.TOPIC, name, incremental_configs=[_config_entry(a) for a in alterations])
            for name, alterations in chunk
        ]
        futures = admin.incremental_alter_configs(resources, validate_only=validate_only, **kwargs)
        return {resource.name: future for resource, future in futures.items()}

    def delete(admin, chunk):
        return admin.delete_topics(list(chunk), operation_timeout=timeout, **kwargs)

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
        return admin.create_topics(new_topics, operation_timeout=timeout, request_timeout=timeout, validate_only=True)

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
