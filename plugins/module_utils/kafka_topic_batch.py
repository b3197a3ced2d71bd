# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Batched topic requests: chunks of topics per admin request, spread over connections, per-topic errors.

CreateTopics, CreatePartitions, IncrementalAlterConfigs, DeleteTopics, DescribeConfigs and
DescribeTopics all take many topics at once. The runners here send one request per chunk of
``batch_size`` topics (``submit(chunk)`` -> ``{topic: future}``) and collect per-topic errors,
which ``error_problems`` turns into ``problems`` (``[(topic, message)]``) so that one
``problems_error`` names every failing topic of a batch. No client imports.
"""

from __future__ import annotations

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KAFKA_ERRORS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import error_reason
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import kafka_error_code

# Topics per admin request. Kafka has no hard per-request topic limit, but the broker handling a
# CreateTopics/DeleteTopics request writes every topic of it to ZooKeeper (or the metadata log)
# before it answers, and the answer must arrive within request_timeout; a few hundred per
# request keeps each request short. Writes carry the request timeout as their operation timeout
# (a KRaft controller does nothing with 0; see kafka_topic_io); ``confirm_topics`` then waits until
# the cluster reports the result, bounded by the module's wait_timeout.
DEFAULT_BATCH_SIZE = 200
# Large writes are spread over this many admin connections to the controller (one request at a
# time on each): the broker handles a connection's requests one by one, but requests of several
# connections in parallel, and ZooKeeper commits their concurrent writes together. Small
# changes below PARALLEL_MIN_TOPICS use the module's one connection.
DEFAULT_PARALLEL_REQUESTS = 8
PARALLEL_MIN_TOPICS = 20

# Problems quoted in a failure message; all of them are returned in ``problems``.
MAX_PROBLEMS_IN_MESSAGE = 10


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
