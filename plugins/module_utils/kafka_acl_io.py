# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Kafka ACLs through the AdminClient: conversion from and to confluent_kafka objects, DescribeAcls,
CreateAcls, DeleteAcls, and the error for a request the brokers refused in part."""

from __future__ import annotations

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl import RESOURCE_TYPES
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl import Acl
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_acl import client_resource_type
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KAFKA_ERRORS
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import KafkaOpsError
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import error_reason
from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_errors import translate_errors

try:
    from confluent_kafka.admin import AclBinding
    from confluent_kafka.admin import AclBindingFilter
    from confluent_kafka.admin import AclOperation
    from confluent_kafka.admin import AclPermissionType
    from confluent_kafka.admin import ResourcePatternType
    from confluent_kafka.admin import ResourceType
except ImportError:
    pass  # KafkaModule reports the missing library.


# ---------------------------------------------------------------------------
# Conversion from/to confluent_kafka objects
# ---------------------------------------------------------------------------


def _enum_name(value):
    return to_native(getattr(value, "name", value))


def binding_from_client(binding):
    """An ``Acl`` from a confluent_kafka AclBinding (types the library does not know become ``unknown``)."""
    resource_type = _enum_name(binding.restype).lower()
    resource_type = {"broker": "cluster"}.get(resource_type, resource_type)
    return Acl(
        resource_type if resource_type in RESOURCE_TYPES else "unknown",
        to_native(binding.name),
        _enum_name(binding.resource_pattern_type).lower(),
        to_native(binding.principal),
        to_native(binding.host),
        _enum_name(binding.operation).lower(),
        _enum_name(binding.permission_type).lower(),
    )


def _client_args(binding):
    return (
        client_resource_type(binding.resource_type),
        binding.resource_name,
        ResourcePatternType[binding.pattern_type.upper()],
        binding.principal,
        binding.host,
        AclOperation[binding.operation.upper()],
        AclPermissionType[binding.permission.upper()],
    )


def to_client_binding(binding):
    return AclBinding(*_client_args(binding))


def to_client_filter(binding):
    """An AclBindingFilter that selects exactly ``binding``."""
    return AclBindingFilter(*_client_args(binding))


# ---------------------------------------------------------------------------
# Client operations
# ---------------------------------------------------------------------------


def read_acls(admin, timeout):
    """Every ACL binding of the cluster, normalized and sorted."""
    with translate_errors("describe ACLs"):
        match_all = AclBindingFilter(
            ResourceType.ANY, None, ResourcePatternType.ANY, None, None, AclOperation.ANY, AclPermissionType.ANY
        )
        found = admin.describe_acls(match_all, request_timeout=timeout).result()
    return sorted(binding_from_client(b) for b in found or [])


def _collect_failures(futures, labels):
    failures = []
    done = []
    for key, future in futures.items():
        try:
            value = future.result()
        except KAFKA_ERRORS as e:
            failures.append(f"{labels[key]}: {error_reason(e)}")
        else:
            done.append((key, value))
    return done, failures


def create_acls(admin, bindings, timeout):
    """Create ``bindings`` in one CreateAcls request; returns ``(created, failures)``.

    The brokers answer for each binding: ``created`` are the bindings they created (sorted),
    ``failures`` one ``"<binding>: <reason>"`` text per binding they refused. An error before the
    request was sent raises KafkaOpsError (nothing was created).
    """
    if not bindings:
        return [], []
    with translate_errors(f"create {len(bindings)} ACL(s)"):
        requested = {to_client_binding(b): b for b in bindings}
        futures = admin.create_acls(list(requested), request_timeout=timeout)
        done, failures = _collect_failures(futures, {k: requested[k].label for k in requested})
    return sorted(requested[key] for key, _value in done), failures


def delete_acls(admin, bindings, timeout):
    """Delete exactly ``bindings`` (one exact filter each); returns ``(deleted, failures)``.

    ``deleted`` are the bindings the brokers report as deleted (sorted), ``failures`` one
    ``"<binding>: <reason>"`` text per filter they refused.
    """
    if not bindings:
        return [], []
    with translate_errors(f"delete {len(bindings)} ACL(s)"):
        requested = {to_client_filter(b): b for b in bindings}
        futures = admin.delete_acls(list(requested), request_timeout=timeout)
        done, failures = _collect_failures(futures, {k: requested[k].label for k in requested})
    return sorted(binding_from_client(b) for _key_, result in done for b in result or []), failures


def write_failure(verb, requested, done, failures, skipped=()):
    """The KafkaOpsError for a CreateAcls/DeleteAcls request the brokers refused in part or whole.

    Names every refused binding, how many of the request were done, and the bindings of the
    plan that were not attempted because of the failure.
    """
    outcome = f"{len(done)} {'created' if verb == 'create' else 'deleted'}"
    if skipped:
        outcome += f"; not attempted: {len(skipped)} removal(s)"
    return KafkaOpsError(f"{verb} {len(requested)} ACL(s)", reason=f"{'; '.join(failures)} ({outcome})")
