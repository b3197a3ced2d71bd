# -*- coding: utf-8 -*-

# Copyright: Contributors to the kafkaops.cluster collection
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Kafka ACLs: the binding model, normalization and validation.

An ACL *binding* is one ``Acl`` tuple: resource type, resource name, pattern
type, principal, host, operation and permission, all normalized (lower-case
snake-case names, ``User:`` principals), so that comparing what a task asks
for with what ``describe_acls`` returns is plain set arithmetic. A task entry
with several operations expands to one binding per operation.

``normalize_entries`` validates a whole batch and returns every problem at
once, before anything is read or written (a resource type is refused when the
installed confluent_kafka cannot name it, see ``client_resource_type``).
``kafka_acl_plan`` computes the bindings to add and remove and the diff's view,
``kafka_acl_io`` converts to and from confluent_kafka objects and calls the
AdminClient.
"""

from __future__ import annotations

import collections
import ipaddress
import re

from ansible.module_utils.common.text.converters import to_native

from ansible_collections.kafkaops.cluster.plugins.module_utils.kafka_libraries import installed_confluent_kafka_version

try:
    from confluent_kafka.admin import ResourceType
except ImportError:
    ResourceType = None  # KafkaModule reports the missing library.

CLUSTER_NAME = "kafka-cluster"

RESOURCE_TYPES = ("topic", "group", "cluster", "transactional_id", "delegation_token")
PATTERN_TYPES = ("literal", "prefixed")
# Only for state=absent: filters evaluated against the current ACLs.
FILTER_PATTERN_TYPES = ("match", "any")
PERMISSIONS = ("allow", "deny")
OPERATIONS = (
    "all",
    "read",
    "write",
    "create",
    "delete",
    "alter",
    "describe",
    "cluster_action",
    "describe_configs",
    "alter_configs",
    "idempotent_write",
)
# Kafka's AclEntry.supportedOperations (what kafka-acls.sh accepts), plus ALL.
RESOURCE_OPERATIONS = {
    "topic": ("all", "read", "write", "create", "delete", "alter", "describe", "describe_configs", "alter_configs"),
    "group": ("all", "read", "describe", "delete"),
    "cluster": (
        "all",
        "create",
        "cluster_action",
        "describe_configs",
        "alter_configs",
        "idempotent_write",
        "alter",
        "describe",
    ),
    "transactional_id": ("all", "describe", "write"),
    "delegation_token": ("all", "describe"),
}
# librdkafka calls Kafka's CLUSTER resource type BROKER (same wire value, 4).
_CLIENT_RESOURCE_NAMES = {"cluster": "BROKER"}

PURGE_PATTERN_TYPES = ("literal", "prefixed", "any")

_PRINCIPAL = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*):(.+)$")

FIELDS = ("resource_type", "resource_name", "pattern_type", "principal", "host", "operation", "permission")


class Acl(collections.namedtuple("Acl", FIELDS)):
    """One normalized ACL binding (sorts by resource, then principal)."""

    __slots__ = ()

    def as_dict(self):
        return dict(self._asdict())

    @property
    def resource(self):
        return (self.resource_type, self.resource_name, self.pattern_type)

    @property
    def label(self):
        return (
            f"{self.principal} {self.permission} {self.operation} on {self.resource_type} {self.resource_name} "
            f"({self.pattern_type}) from host {self.host}"
        )


# ---------------------------------------------------------------------------
# Normalization and validation (pure)
# ---------------------------------------------------------------------------


def _key(value):
    """Comparison key for names: case, ``-``, ``_`` and blanks ignored (``DescribeConfigs``)."""
    return re.sub(r"[\s_-]", "", to_native(value)).lower()


def _canonical(value, choices):
    """The member of ``choices`` that ``value`` names (ignoring case and separators), or None."""
    if not isinstance(value, str):
        return None
    wanted = _key(value)
    for choice in choices:
        if _key(choice) == wanted:
            return choice
    return None


def _choices_text(choices):
    return ", ".join(choices)


def normalize_principal(value):
    """``(principal, error)``: ``user:alice`` becomes ``User:alice``; ``alice`` is an error."""
    if not isinstance(value, str) or not value.strip():
        return None, "principal must be a non-empty string such as 'User:alice'"
    match = _PRINCIPAL.match(value.strip())
    if not match or not match.group(2).strip():
        return None, f"principal {value!r} is not of the form '<Type>:<name>', for example 'User:alice' or 'User:*'"
    principal_type, name = match.groups()
    if principal_type.lower() == "user":
        # Kafka compares principal types exactly; 'user:alice' would never match a client.
        principal_type = "User"
    return f"{principal_type}:{name}", None


def normalize_host(value):
    """``(host, error)``: ``*`` or an IP address (Kafka matches the client's address, never a host name).

    The broker compares the ACL host with Java's ``InetAddress.getHostAddress()``
    as strings, which writes IPv6 addresses uncompressed without leading zeros
    (``0:0:0:0:0:0:0:1``); ``::1`` is normalized to that, or it would never match.
    """
    if value is None:
        return "*", None
    host = to_native(value).strip()
    if host == "*":
        return host, None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return None, (
            f"host {value!r} is not '*' or an IP address (Kafka matches ACL hosts against the client's IP "
            "address, so a host name would never match)"
        )
    if address.version == 6:
        return ":".join(format(int(group, 16), "x") for group in address.exploded.split(":")), None
    return str(address), None


def _normalize_resource(entry, where, allowed_patterns, errors):
    """``(resource_type, resource_name, pattern_type)`` of an entry; appends problems to ``errors``."""
    raw_type = entry.get("resource_type")
    resource_type = _canonical(raw_type, RESOURCE_TYPES)
    if resource_type is None:
        errors.append(f"{where}: unknown resource_type {raw_type!r} (expected one of {_choices_text(RESOURCE_TYPES)})")
    elif client_resource_type(resource_type) is None:
        errors.append(
            f"{where}: resource_type {resource_type} is not supported by the installed confluent-kafka "
            f"{installed_confluent_kafka_version()} (librdkafka has no such resource type); "
            "manage these ACLs with kafka-acls.sh"
        )

    raw_pattern = entry.get("pattern_type")
    pattern_type = "literal" if raw_pattern is None else _canonical(raw_pattern, PATTERN_TYPES + FILTER_PATTERN_TYPES)
    if pattern_type is None:
        errors.append(
            f"{where}: unknown pattern_type {raw_pattern!r} (expected one of {_choices_text(allowed_patterns)})"
        )
    elif pattern_type not in allowed_patterns:
        errors.append(f"{where}: {_pattern_refusal(pattern_type, allowed_patterns)}")
        pattern_type = None

    name = entry.get("resource_name")
    if resource_type == "cluster":
        if name in (None, ""):
            name = CLUSTER_NAME
        if name != CLUSTER_NAME:
            errors.append(f"{where}: the cluster resource is always named {CLUSTER_NAME!r}, got {name!r}")
        if pattern_type not in (None, "literal"):
            errors.append(f"{where}: the cluster resource only takes pattern_type literal")
    elif name is None or not to_native(name).strip():
        errors.append(f"{where}: resource_name is required for resource_type {resource_type or raw_type}")
    elif "/" in to_native(name):
        errors.append(f"{where}: resource_name {name!r} must not contain '/' (the broker refuses it)")
    return resource_type, (to_native(name) if name is not None else None), pattern_type


def _pattern_refusal(pattern_type, allowed_patterns):
    if allowed_patterns == PATTERN_TYPES and pattern_type in FILTER_PATTERN_TYPES:
        return (
            f"pattern_type {pattern_type} is a filter, not an ACL pattern: it is only allowed with state=absent "
            f"(state=present takes {_choices_text(PATTERN_TYPES)})"
        )
    return f"pattern_type {pattern_type} is not allowed here (expected one of {_choices_text(allowed_patterns)})"


def normalize_entry(entry, index, state):
    """``(bindings, errors)`` for one task entry (``acls[index]``)."""
    where = f"acls[{index}]"
    errors = []
    if not isinstance(entry, dict):
        return [], [f"{where}: must be a dictionary"]
    allowed_patterns = PATTERN_TYPES + FILTER_PATTERN_TYPES if state == "absent" else PATTERN_TYPES
    resource_type, resource_name, pattern_type = _normalize_resource(entry, where, allowed_patterns, errors)

    principal, problem = normalize_principal(entry.get("principal"))
    if problem:
        errors.append(f"{where}: {problem}")
    host, problem = normalize_host(entry.get("host"))
    if problem:
        errors.append(f"{where}: {problem}")

    raw_permission = entry.get("permission")
    permission = "allow" if raw_permission is None else _canonical(raw_permission, PERMISSIONS)
    if permission is None:
        errors.append(f"{where}: unknown permission {raw_permission!r} (expected allow or deny)")

    raw_operations = entry.get("operations")
    if isinstance(raw_operations, str):
        raw_operations = [raw_operations]
    if not raw_operations:
        errors.append(f"{where}: operations must list at least one operation")
        raw_operations = []
    operations = []
    for position, raw in enumerate(raw_operations):
        operation = _canonical(raw, OPERATIONS)
        if operation is None:
            errors.append(
                f"{where}.operations[{position}]: unknown operation {raw!r} "
                f"(expected one of {_choices_text(OPERATIONS)})"
            )
        elif resource_type is not None and operation not in RESOURCE_OPERATIONS[resource_type]:
            errors.append(
                f"{where}.operations[{position}]: operation {operation} does not apply to resource_type "
                f"{resource_type} (it takes {_choices_text(RESOURCE_OPERATIONS[resource_type])})"
            )
        elif operation not in operations:
            operations.append(operation)

    if errors:
        return [], errors
    return [
        Acl(resource_type, resource_name, pattern_type, principal, host, operation, permission)
        for operation in operations
    ], []


def normalize_entries(entries, state):
    """``(bindings, errors)`` for the whole batch; ``bindings`` sorted, without duplicates."""
    bindings = set()
    errors = []
    for index, entry in enumerate(entries or []):
        found, problems = normalize_entry(entry, index, state)
        bindings.update(found)
        errors.extend(problems)
    return sorted(bindings), errors


def normalize_purge_scope(purge, principals, resources, state):
    """``(scope, errors)``; ``scope`` is None without purge, else ``{principals, resources}``.

    Purging needs an explicit, non-empty scope so that it can never mean "every
    ACL of the cluster".
    """
    errors = []
    principals = principals or []
    resources = resources or []
    if not purge:
        if principals or resources:
            errors.append("purge_principals and purge_resources are only used with purge=true")
        return None, errors
    if state != "present":
        errors.append("purge=true is only allowed with state=present")
    if not principals and not resources:
        errors.append(
            "purge=true needs an explicit scope: set purge_principals and/or purge_resources (non-empty); "
            "refusing to purge every ACL of the cluster"
        )
    scope_principals = set()
    for index, value in enumerate(principals):
        principal, problem = normalize_principal(value)
        if problem:
            errors.append(f"purge_principals[{index}]: {problem}")
        else:
            scope_principals.add(principal)
    scope_resources = set()
    for index, entry in enumerate(resources):
        where = f"purge_resources[{index}]"
        if not isinstance(entry, dict):
            errors.append(f"{where}: must be a dictionary")
            continue
        resource_type, name, pattern_type = _normalize_resource(entry, where, PURGE_PATTERN_TYPES, errors)
        if None not in (resource_type, name, pattern_type):
            scope_resources.add((resource_type, name, pattern_type))
    if errors:
        return None, errors
    return dict(principals=sorted(scope_principals), resources=sorted(scope_resources)), []


def client_resource_type(resource_type):
    """The confluent_kafka ResourceType for a normalized name, or None when the library lacks it."""
    name = _CLIENT_RESOURCE_NAMES.get(resource_type, resource_type.upper())
    return getattr(ResourceType, name, None)
