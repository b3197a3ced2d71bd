# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Kafka ACLs, pure: which bindings a task selects, the plan (bindings to add and remove), the diff's view.

Check mode and a real run use the same ``plan``; ``view`` selects the bindings shown in the diff:
every current binding of a (principal, resource) pair named in the task, plus the purge scope.
"""

from __future__ import annotations

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl import FILTER_PATTERN_TYPES
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl import OPERATIONS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl import PATTERN_TYPES
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl import RESOURCE_TYPES


def resource_matches(spec, binding):
    """Whether ``binding``'s resource pattern is selected by ``spec`` = ``(type, name, pattern_type)``.

    ``literal``/``prefixed`` select exactly that pattern; ``any`` both pattern
    types with exactly that name; ``match`` (Kafka's MATCH filter) every pattern
    that applies to the resource named: the literal name, the literal wildcard
    ``*`` and every prefix of the name.
    """
    resource_type, name, pattern_type = spec
    if binding.resource_type != resource_type:
        return False
    if pattern_type == "any":
        return binding.resource_name == name and binding.pattern_type in PATTERN_TYPES
    if pattern_type == "match":
        if binding.pattern_type == "literal":
            return binding.resource_name in (name, "*")
        return binding.pattern_type == "prefixed" and name.startswith(binding.resource_name)
    return (binding.resource_name, binding.pattern_type) == (name, pattern_type)


def entry_matches(wanted, binding):
    """Whether ``binding`` is the one ``wanted`` names (``wanted`` may carry a filter pattern type)."""
    if wanted.pattern_type in FILTER_PATTERN_TYPES:
        same_rest = (wanted.principal, wanted.host, wanted.operation, wanted.permission) == (
            binding.principal,
            binding.host,
            binding.operation,
            binding.permission,
        )
        return same_rest and resource_matches(wanted.resource, binding)
    return wanted == binding


def in_purge_scope(scope, binding):
    if not scope:
        return False
    if scope["principals"] and binding.principal not in scope["principals"]:
        return False
    if scope["resources"] and not any(resource_matches(spec, binding) for spec in scope["resources"]):
        return False
    return True


def manageable(binding):
    """Whether the client library can delete ``binding`` exactly (not e.g. a DELEGATION_TOKEN ACL it cannot name)."""
    return binding.resource_type in RESOURCE_TYPES and binding.operation in OPERATIONS


def plan(current, wanted, state, scope=None):
    """``(to_add, to_remove, skipped)``: sorted binding lists.

    present: add what is wanted and missing; with a purge ``scope`` also remove
    every current binding in scope that is not wanted. absent: remove every
    current binding an entry names (filters may name several). ``skipped`` are
    bindings in the purge scope that the client library cannot delete.
    """
    current = set(current)
    if state == "present":
        wanted = set(wanted)
        to_add = wanted - current
        to_remove = set()
        skipped = set()
        for binding in current - wanted:
            if in_purge_scope(scope, binding):
                (to_remove if manageable(binding) else skipped).add(binding)
        return sorted(to_add), sorted(to_remove), sorted(skipped)
    to_remove = {
        binding for binding in current if manageable(binding) and any(entry_matches(w, binding) for w in wanted)
    }
    return [], sorted(to_remove), []


def predict(current, to_add, to_remove):
    return sorted((set(current) - set(to_remove)) | set(to_add))


def view(bindings, wanted, scope=None):
    """The bindings the diff shows.

    Those of every (principal, resource pattern) pair named in ``wanted``, and those in the purge scope.
    """
    pairs = [(w.principal, w.resource) for w in wanted]

    def related(binding):
        for principal, resource in pairs:
            if binding.principal == principal and resource_matches(resource, binding):
                return True
        return in_purge_scope(scope, binding)

    return sorted(binding for binding in set(bindings) if related(binding))


def as_dicts(bindings):
    return [binding.as_dict() for binding in bindings]


def action_labels(to_add, to_remove):
    return [f"add {b.label}" for b in to_add] + [f"remove {b.label}" for b in to_remove]
